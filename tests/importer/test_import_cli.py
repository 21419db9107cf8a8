"""`orgraph import` as a user runs it: a subprocess, on each engine.

FalkorDB: the CLI's own embedded database (ORGRAPH_STORE_URI=embedded), which the first import
starts; one data folder (one server) serves the whole module, each test uses its own graph in
it (ORGRAPH_GRAPH_NAME) and reads it back in-process; the server is stopped with
`orgraph db stop`. Neo4j: a never-migrated graph of the suite's pool, which the CLI reaches
through ORGRAPH_STORE_URI=bolt://... and migrates itself.
Every CLI call costs ~1.4 s of interpreter start-up, so the tests make few of them.
"""

from __future__ import annotations

import getpass
import json
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from importer_helpers import (
    CJK,
    CONTACTS,
    FILES,
    KIND_OF,
    node_count,
    raw_ids,
    read_rows,
)
from tests.engines import GraphHost
from tests.environ import without_settings

from orgraph.store import GraphStore
from orgraph.store.falkor import FalkorStore
from orgraph.store.migrations import current_version, target_version
from orgraph.store.neo4j_store import Neo4jStore

ORGRAPH = Path(sys.executable).with_name("orgraph")
ISSUE_KEYS = {"sheet", "row", "column", "value", "message"}
FILE_KEYS = {"path", "kind", "rows", "accepted", "updated", "unchanged", "rejected", "warnings"}


@dataclass
class Graph:
    """A graph the CLI writes: its name for reports, the ORGRAPH_* variables that point the CLI
    at it, and how the test opens it in-process (the caller closes what `open` returns)."""

    name: str
    env: dict[str, str]
    open: Callable[[], GraphStore]


class Cli:
    def __init__(self, data_dir: Path, engine: str) -> None:
        self.data_dir = data_dir
        self.engine = engine
        env = without_settings()
        # A short data dir: the server's unix socket path must stay under ~100 characters.
        env.update(
            ORGRAPH_DATA_DIR=str(data_dir),
            ORGRAPH_STORE_URI="embedded",
            ORGRAPH_ID_HASH_KEY="cli-test-key",
            COLUMNS="200",
            NO_COLOR="1",
        )
        self.env = env

    def run(
        self, *args: str, graph: Graph | None = None, ok: tuple[int, ...] = (0,)
    ) -> subprocess.CompletedProcess[str]:
        # cwd: the data dir, so that no project .env file is picked up.
        done = subprocess.run(
            [str(ORGRAPH), *args],
            env={**self.env, **(graph.env if graph else {})},
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode in ok, (args, done.returncode, done.stdout, done.stderr)
        return done

    def falkor_store(self, name: str) -> FalkorStore:
        return FalkorStore(graph=name, unix_socket=str(self.data_dir / "falkordb.sock"))


@pytest.fixture(scope="module")
def cli(graph_host: GraphHost) -> Iterator[Cli]:
    folder = Path(tempfile.mkdtemp(prefix="og-cli-", dir="/tmp"))
    c = Cli(folder, graph_host.engine)
    try:
        yield c
    finally:
        if c.engine == "falkordb":
            c.run("db", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def graph(cli: Cli, graph_host: GraphHost) -> Iterator[Graph]:
    """A never-migrated graph of its own. FalkorDB: a graph name in the CLI's embedded server
    (the first import starts the server and migrates the graph); Neo4j: a server of the pool,
    wiped (the CLI migrates it)."""
    if cli.engine == "falkordb":
        name = f"cli_{uuid.uuid4().hex[:10]}"
        yield Graph(name, {"ORGRAPH_GRAPH_NAME": name}, lambda: cli.falkor_store(name))
        if (cli.data_dir / "falkordb.sock").exists():
            store = cli.falkor_store(name)
            store.drop_all()
            store.close()
        return
    with graph_host.fresh(migrated=False) as leased:
        env = graph_host.env(leased)
        yield Graph(
            f"neo4j_{uuid.uuid4().hex[:10]}",
            env,
            lambda: Neo4jStore(
                uri=env["ORGRAPH_STORE_URI"],
                user=env["ORGRAPH_NEO4J_USER"],
                password=env["ORGRAPH_NEO4J_PASSWORD"],
            ),
        )


def _check_shape(data: dict[str, Any]) -> None:
    assert isinstance(data["files"], list) and data["files"]
    for f in data["files"]:
        assert set(f) >= FILE_KEYS, f.keys()
        assert isinstance(f["rows"], int) and isinstance(f["accepted"], int)
        for issue in [*f["rejected"], *f["warnings"]]:
            assert set(issue) == ISSUE_KEYS, issue
            assert isinstance(issue["row"], int | None) and CJK.search(issue["message"])


def test_cli_import_dry_run_then_report(cli: Cli, graph: Graph, demo_dir: Path) -> None:
    demo = [str(demo_dir / n) for n in FILES]
    rows = {n: len(read_rows(demo_dir / n)) for n in FILES}

    # --dry-run: says 未写入, reports what it would create, writes nothing.
    dry_report = cli.data_dir / f"{graph.name}-dry.json"
    done = cli.run("import", "--dry-run", *demo, "--report", str(dry_report), graph=graph)
    assert "未写入" in done.stdout
    data = json.loads(dry_report.read_text("utf-8"))
    _check_shape(data)
    assert data["dry_run"] is True
    assert {Path(f["path"]).name: f["created"] for f in data["files"]} == rows
    store = graph.open()
    try:
        assert node_count(store) == 0

        # A real run with --report (it migrates the new graph itself).
        report = cli.data_dir / f"{graph.name}.json"
        done = cli.run("import", *demo, "--report", str(report), graph=graph)
        assert "完整报告" in done.stdout and "未写入" not in done.stdout
        data = json.loads(report.read_text("utf-8"))
        _check_shape(data)
        assert data["dry_run"] is False
        got = {
            Path(f["path"]).name: (
                f["kind"],
                f["rows"],
                f["accepted"],
                f["updated"],
                f["unchanged"],
                f["rejected"],
            )
            for f in data["files"]
        }
        assert got == {n: (KIND_OF[n], k, k, 0, 0, []) for n, k in rows.items()}
        assert node_count(store) >= sum(k for n, k in rows.items() if n != CONTACTS)
    finally:
        store.close()

    # Files with bad rows: exit code 1, and every rejected row in the report, in Chinese,
    # without a raw ID number.
    folder = demo_dir / "with_errors"
    bad = [folder / n for n in FILES if (folder / n).exists()]
    expected = json.loads((folder / "expected_errors.json").read_text("utf-8"))
    bad_report = cli.data_dir / f"{graph.name}-bad.json"
    done = cli.run("import", *map(str, bad), "--report", str(bad_report), graph=graph, ok=(1,))
    assert "拒绝" in done.stdout
    data = json.loads(bad_report.read_text("utf-8"))
    _check_shape(data)
    rejected = {(Path(f["path"]).name, i["row"]) for f in data["files"] for i in f["rejected"]}
    assert rejected == {(e["file"], e["row"]) for e in expected if e["severity"] == "error"}
    text = bad_report.read_text("utf-8")
    assert [i for i in raw_ids(bad) if i in text] == []

    # The import history: the two real runs (not the dry run), newest first, by this user
    history = json.loads(cli.run("imports", "--json", graph=graph).stdout)
    assert history["total"] == 2
    newest, oldest = history["items"]
    assert (oldest["by"], oldest["source"]) == (getpass.getuser(), "cli")
    assert [f["name"] for f in oldest["files"]] == list(FILES)
    assert newest["totals"]["rejected"] == len(rejected)
    listed = cli.run("imports", graph=graph).stdout
    assert "导入记录 (共 2 次)" in listed and oldest["id"] in listed
    again = cli.data_dir / f"{graph.name}-again.json"
    cli.run("imports", "show", newest["id"], "--out", str(again), graph=graph)
    kept = json.loads(again.read_text("utf-8"))
    for f in data["files"]:  # the history keeps file names, not the importing machine's paths
        f["path"] = Path(f["path"]).name
    assert {k: v for k, v in kept.items() if k != "seconds"} == {
        k: v for k, v in data.items() if k not in ("seconds", "import_id")
    }
    done = cli.run("imports", "show", "nope", graph=graph, ok=(6,))
    assert "没有编号为“nope”的导入记录" in done.stdout + done.stderr


def test_cli_import_into_a_fresh_graph_applies_the_schema(
    cli: Cli, graph: Graph, demo_dir: Path
) -> None:
    """A never-migrated graph gets its constraints and indexes before the first write."""
    first = cli.run("import", str(demo_dir / FILES[0]), graph=graph)
    store = graph.open()
    try:
        assert node_count(store) > 0
        assert current_version(store) == target_version(store.engine)
    finally:
        store.close()
    # The same file again: read (the first import wrote), then from the mark that import
    # left, which the CLI says; --recheck reads every row (importer/mark.py)
    kept = "沿用上次导入的逐行结果"
    assert kept not in first.stdout
    assert kept not in cli.run("import", str(demo_dir / FILES[0]), graph=graph).stdout
    assert kept in cli.run("import", str(demo_dir / FILES[0]), graph=graph).stdout
    assert kept not in cli.run("import", "--recheck", str(demo_dir / FILES[0]), graph=graph).stdout
