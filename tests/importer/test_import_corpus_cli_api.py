"""Issue #18's acceptance for the malformed-roster corpus (tests/roster/roster_corpus.py, over
60 files, the large ones generated): each file imported through `orgraph import` and through
the API's upload, each into a graph holding only the base roster, with no crash and no process
death, peak memory under 1 GB, every valid row in the graph and every bad row named by its row
number in Chinese (a whole-file error: exit 7 or 413/422 with the roster layer's message).

The imports run in one child process (tests/importer/corpus_driver.py: the command in-process,
the API served over HTTP by it, its upload readers its descendants), so its peak resident size,
read from wait4, bounds every importing process of both channels. FalkorDB only: the importer
on both engines is tests/importer/test_import_corpus.py.

The driver is started by a small launcher (_LAUNCHER), not by this process: a child that
Python's subprocess starts (vfork, then exec) inherits its parent's peak resident size as its
own ru_maxrss (Linux keeps the replaced address space's high-water mark at exec). Run after the
demo county in the same pytest worker (~1 GB peak), the driver read 1,058,268 KB while it
used ~245 MB. The launcher's own address space is a bare interpreter's, so the driver it forks
starts from ~10 MB and its ru_maxrss is its own and its descendants'.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import roster_corpus as rc
from importer_helpers import write_csv
from tests.engines import FalkorHost
from tests.environ import without_settings

from orgraph import clock
from orgraph.store.embedded import EmbeddedServer

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("corpus_driver.py")
KEY = "corpus-acceptance-key-0123456789abcdef"
MAX_RSS = 1 << 30  # bytes
TIMEOUT = 600


def test_every_corpus_file_through_the_cli_and_the_api(
    falkor_server: EmbeddedServer, tmp_path: Path
) -> None:
    assert len(rc.BUILDERS) >= 60
    cases = []
    for builder in rc.BUILDERS:
        folder = tmp_path / "cases" / builder.__name__
        folder.mkdir(parents=True)
        case = builder(folder)
        # What the corpus says of the file (none for a case about a smaller size limit).
        said = case.max_bytes is None
        cases.append(
            {
                "name": case.name,
                "path": str(case.path),
                "kind": case.kind,
                "file_error": case.file_error if said else None,
                "records": case.records if said else None,
                "rejected_rows": sorted({r for r, _, _ in case.rejected if r is not None}),
            }
        )
    (tmp_path / "base").mkdir()
    base = [str(write_csv(tmp_path / "base" / name, rows)) for name, rows in rc.BASE.items()]
    host = FalkorHost(falkor_server)
    with host.fresh() as cli_store, host.fresh() as api_store:
        spec = {
            "cases": cases,
            "base": base,
            "cli_env": host.env(cli_store),
            "api_env": host.env(api_store),
            "key": KEY,
            "data_dir": str(tmp_path / "data"),
            "today": clock.today().isoformat(),
        }
        spec_path = tmp_path / "spec.json"
        spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        code, rss, out, err = _run_driver(spec_path, tmp_path)
    print(f"\ncorpus through CLI and API: {len(cases)} files, peak RSS {rss / 1048576:.0f} MB")
    assert code == 0, f"driver exit {code}; last lines:\n{err[-2000:]}"
    assert rss < MAX_RSS, rss
    results = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    seen = {(r["channel"], r["case"]) for r in results}
    names = [c["name"] for c in cases]
    assert seen == {(ch, n) for ch in ("cli", "api") for n in names}, sorted(seen)
    failed = {f"{r['channel']} {r['case']}": r["problems"] for r in results if r["problems"]}
    (tmp_path / "failed.json").write_text(json.dumps(failed, ensure_ascii=False, indent=1))
    assert not failed, json.dumps(failed, ensure_ascii=False, indent=1)


# Forks the command in its argv (a process of its own, from this interpreter's ~10 MB: its
# ru_maxrss starts there, not at the test worker's peak), waits for it with wait4 and writes
# "<wait status> <ru_maxrss in KB>" to the file named first.
_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(f"{status} {usage.ru_maxrss}")
"""


def _run_driver(spec: Path, tmp: Path) -> tuple[int, int, str, str]:
    """(exit code, negative for a signal; peak RSS in bytes; stdout; stderr) of the driver."""
    env = without_settings()
    out_path, err_path = tmp / "driver.out", tmp / "driver.err"
    usage_path = tmp / "driver.usage"
    driver = [sys.executable, str(DRIVER), str(spec)]
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(usage_path), *driver],
            stdout=out,
            stderr=err,
            cwd=ROOT,
            env=env,
            start_new_session=True,  # so that a timeout kills the driver and its children too
        )
    timer = threading.Timer(TIMEOUT, os.killpg, (proc.pid, signal.SIGKILL))
    timer.start()
    try:
        proc.wait()
    finally:
        timer.cancel()
    if usage_path.exists():
        status, maxrss = (int(x) for x in usage_path.read_text().split())
        code = os.waitstatus_to_exitcode(status)
    else:  # the launcher itself was killed (the timeout)
        code, maxrss = proc.returncode, 0
    return (
        code,
        maxrss * 1024,  # kilobytes on Linux
        out_path.read_text(encoding="utf-8"),
        err_path.read_text(encoding="utf-8", errors="replace"),
    )
