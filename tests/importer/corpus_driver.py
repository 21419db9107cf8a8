"""Run by tests/importer/test_import_corpus_cli_api.py in a process of its own, so that its
peak memory (with the API's upload readers, which are its descendants) can be measured and its
death noticed: every corpus file is imported through `orgraph import` (the real command,
in-process: one interpreter start for the corpus) and through the API's upload over HTTP, each
into a graph holding only the base roster, and checked at once against what the roster layer
says of the file.

    python tests/importer/corpus_driver.py SPEC.json

SPEC: {"cases": [{"name", "path", "kind"}], "base": [paths], "cli_env": {...}, "api_env": {...},
"key": str, "data_dir": str, "today": iso date}. Writes one JSON line per case and channel to
stdout ({"channel", "case", "problems": [...]}) and says on stderr which case it starts, so a
death names its case.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
for extra in (ROOT, ROOT / "tests" / "roster", ROOT / "tests" / "importer"):
    sys.path.insert(0, str(extra))

_HAN = re.compile(r"[\u4e00-\u9fff]")
_SPOOLED = re.compile(r"^\d\d_")


def main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    os.environ["ORGRAPH_ID_HASH_KEY"] = spec["key"]
    os.environ["ORGRAPH_DATA_DIR"] = spec["data_dir"]
    from orgraph import catalog

    catalog.extend(ROOT / "tests" / "cypher")
    today = dt.date.fromisoformat(spec["today"])
    run_cli(spec, today)
    run_api(spec, today)
    _stop_fork_server()
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    sys.stderr.write(f"peak RSS: this process {own} KB, its reaped children {children} KB\n")


# ---- what the roster layer says of a file, and the check of an import's report against it


def expected(path: Path, kind: str | None, key: bytes, today: dt.date) -> Any:
    """The parsed sheets, or the whole-file error's message."""
    from orgraph.roster import RosterFileError, parse_file

    try:
        return parse_file(path, kind, key=key, today=today)
    except RosterFileError as exc:
        return exc.message


def check_case(case: dict[str, Any], doc: dict[str, Any] | None, error: str | None) -> list[str]:
    """Problems against what the corpus says of the file: its whole-file error, or the rows
    of its first sheet accepted and the rows rejected."""
    if case["file_error"]:
        return [] if error and case["file_error"] in error else [f"not refused whole: {error}"]
    if doc is None:
        return [f"refused whole: {error}"]
    main = doc["files"][0]
    problems = []
    if case["records"] is not None and main["accepted"] != case["records"]:
        problems.append(f"{main['accepted']} rows imported, the corpus says {case['records']}")
    named = {i["row"] for f in doc["files"] for i in f["rejected"]}
    if not named >= set(case["rejected_rows"]):
        problems.append(f"rows {sorted(set(case['rejected_rows']) - named)} not named")
    return problems


def check_report(doc: dict[str, Any], sheets: Any, store: Any) -> list[str]:
    """Problems of one import's report and graph: every row the roster layer rejected is in the
    report by row number with a Chinese message, the importer rejected nothing else (the base
    holds every reference), the counts add up, and every accepted record is in the graph."""
    from importer_helpers import dump
    from roster_corpus import in_graph

    problems: list[str] = []
    files = doc["files"]
    if [_SPOOLED.sub("", f["sheet"]) for f in files] != [s.sheet for s in sheets]:
        return [f"sheets {[f['sheet'] for f in files]} != {[s.sheet for s in sheets]}"]
    g = dump(store)
    for f, s in zip(files, sheets, strict=True):
        rows = {i["row"] for i in f["rejected"]}
        for i in f["rejected"]:
            if i["row"] is None or not _HAN.search(i["message"] or ""):
                problems.append(f"{s.sheet}: a rejected row without number or Chinese: {i}")
        if not rows >= set(s.rejected_rows):
            problems.append(f"{s.sheet}: rows {sorted(set(s.rejected_rows) - rows)} not named")
        f["sheet"] = _SPOOLED.sub("", f["sheet"])  # the API spools upload i as "{i:02d}_…"
        if not s.ok or s.kind is None:
            if f["accepted"]:
                problems.append(f"{s.sheet}: a sheet with errors imported {f['accepted']} rows")
            continue
        if rows != set(s.rejected_rows):
            problems.append(f"{s.sheet}: importer rejected {sorted(rows - set(s.rejected_rows))}")
        if f["accepted"] + len(rows) != f["rows"]:
            problems.append(f"{s.sheet}: {f['accepted']} + {len(rows)} != {f['rows']} rows")
        missing = [r.row for r in s.records if not in_graph(s.kind, r.values, g)]
        if missing:
            problems.append(f"{s.sheet}: rows {missing[:10]} not in the graph")
    return problems


def _fresh(store: Any, base: list[Path], key: bytes, today: dt.date) -> None:
    from orgraph.importer.pipeline import import_files

    # each batch's revision bump leaves two nodes (the revision record, its change log entry)
    while store.write("testing_wipe_batch", limit=10_000)[0]["deleted"] > 2:
        pass
    report = import_files(store, base, key=key, today=today)
    assert report.totals()["rejected"] == 0, report.as_dict()


def _emit(channel: str, case: str, problems: list[str]) -> None:
    sys.stdout.write(json.dumps({"channel": channel, "case": case, "problems": problems}) + "\n")
    sys.stdout.flush()


def _starting(channel: str, case: str) -> None:
    sys.stderr.write(f"start {channel} {case}\n")
    sys.stderr.flush()


# ---- the command line


def run_cli(spec: dict[str, Any], today: dt.date) -> None:
    from typer.testing import CliRunner

    from orgraph.cli import app
    from orgraph.config import Settings, get_settings
    from orgraph.store import open_store

    os.environ.update(spec["cli_env"])
    get_settings.cache_clear()
    key = spec["key"].encode()
    base = [Path(p) for p in spec["base"]]
    runner = CliRunner()
    store = open_store(Settings())
    out = Path(tempfile.mkdtemp(prefix="og-corpus-cli-"))
    try:
        for case in spec["cases"]:
            _starting("cli", case["name"])
            _fresh(store, base, key, today)
            sheets = expected(Path(case["path"]), case["kind"], key, today)
            report = out / f"{case['name']}.json"
            args = ["import", case["path"], "--report", str(report)]
            if case["kind"]:
                args += ["--kind", case["kind"]]
            result = runner.invoke(app, args)
            problems: list[str] = []
            doc = None
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                problems.append(f"exception {result.exception!r}")
            elif isinstance(sheets, str):
                if result.exit_code != 7 or sheets not in result.output:
                    problems.append(f"exit {result.exit_code}, output {result.output[-300:]!r}")
            elif result.exit_code not in (0, 1) or not report.exists():
                problems.append(f"exit {result.exit_code}, output {result.output[-300:]!r}")
            else:
                doc = json.loads(report.read_text(encoding="utf-8"))
                problems += check_report(doc, sheets, store)
            problems += check_case(case, doc, result.output if doc is None else None)
            _emit("cli", case["name"], problems)
    finally:
        store.close()


# ---- the API's upload


def run_api(spec: dict[str, Any], today: dt.date) -> None:
    from tests.api.conftest import add_users, login, user_store
    from tests.live_api import live_api

    from orgraph.config import Settings
    from orgraph.store import open_store

    for k in spec["cli_env"]:
        os.environ.pop(k, None)
    os.environ.update(spec["api_env"])
    key = spec["key"].encode()
    base = [Path(p) for p in spec["base"]]
    data_dir = Path(tempfile.mkdtemp(prefix="og-corpus-api-"))
    settings = Settings(data_dir=data_dir, jwt_secret="", id_hash_key=spec["key"])
    add_users(data_dir)
    store = open_store(settings)
    try:
        with live_api(store, data_dir, settings=settings, users=user_store(data_dir)) as url:
            client = login(url, "county")
            client.timeout = 120
            for case in spec["cases"]:
                _starting("api", case["name"])
                _fresh(store, base, key, today)
                path = Path(case["path"])
                sheets = expected(path, case["kind"], key, today)
                r = client.post(
                    f"/imports/{case['kind'] or 'auto'}",
                    params={"dry_run": False},
                    files=[("files", (path.name, path.read_bytes(), "application/octet-stream"))],
                )
                problems: list[str] = []
                doc, body = None, json.dumps(r.json(), ensure_ascii=False)
                if isinstance(sheets, str):
                    if r.status_code not in (413, 422) or sheets not in body:
                        problems.append(f"status {r.status_code}: {body[:300]}")
                elif r.status_code != 200:
                    problems.append(f"status {r.status_code}: {r.text[:300]}")
                else:
                    doc = r.json()
                    problems += check_report(doc, sheets, store)
                problems += check_case(case, doc, body if doc is None else None)
                _emit("api", case["name"], problems)
            client.close()
    finally:
        store.close()


def _stop_fork_server() -> None:
    """Stop and reap the API's fork server, so that the peak memory of the upload readers it
    forked (reaped by it) counts in this process's children, and so in what the test reads."""
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    if server is not None and getattr(server, "_forkserver_pid", None):
        server._stop()


if __name__ == "__main__":
    main(sys.argv[1])
