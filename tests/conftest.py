"""Shared fixtures: real databases on both engines.

`graph_host` is parametrized over the two engines (FalkorDB embedded, and local Neo4j servers
started by the suite itself: tests/engines.py), so every test that takes `store` or a fixture
built on `graph_host` runs on both. Tests of one engine's own machinery (the embedded server's
lifecycle, FalkorDB plans) take `falkor_server` / `falkor_store` directly.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orgraph import catalog
from orgraph.store import GraphStore
from orgraph.store.embedded import EmbeddedServer
from orgraph.store.falkor import FalkorStore
from tests.engines import (
    ENGINES,
    FalkorHost,
    GraphHost,
    Neo4jHost,
    reap_with_this_process,
    short_tmpdir,
    stop_reaper,
)
from tests.sampling import deselect_unsampled

__all__ = ["ENGINE_PARAMS", "GraphHost", "fresh_graph", "short_tmpdir"]

# orgraph refuses to hash ID numbers with the public development key (issue #18): the tests,
# and the CLI and servers they start, use a key of their own unless one is set.
os.environ.setdefault("ORGRAPH_ID_HASH_KEY", "orgraph-tests-not-the-dev-key")
# Engines of the tests start from the graph, not from snapshots in some data folder; the
# snapshot tests pass their own folder (tests/projection).
os.environ.setdefault("ORGRAPH_PROJECTION_SNAPSHOTS", "0")
# One day for the whole run (orgraph.clock): the day the session starts on, unless one is set.
# Test modules read "today" when they are imported, the API, the dashboard and the CLI when
# they answer; a run across midnight had them disagree by a day (expected 12-05, the page
# showed 12-04). Set here, before any test module is imported, and inherited by every process
# the tests start (xdist workers, the CLI, uvicorn, streamlit; tests/environ.py keeps it in
# the environments made without this shell's settings).
os.environ.setdefault("ORGRAPH_TODAY", dt.date.today().isoformat())

# The blocks only the tests run live in tests/cypher/ and join the catalog of this process only.
catalog.extend(Path(__file__).parent / "cypher")

ENGINE_PARAMS = [
    pytest.param(e, marks=[pytest.mark.neo4j] if e == "neo4j" else [], id=e) for e in ENGINES
]


def fresh_graph(host: GraphHost | EmbeddedServer):  # type: ignore[no-untyped-def]
    """A fresh, migrated graph on a host (or on an embedded server); released afterwards."""
    if isinstance(host, EmbeddedServer):
        host = FalkorHost(host)
    return host.fresh()


# The fast tier (`pytest -m "not slow"`, CONTRIBUTING.md) leaves out what takes minutes, not
# seconds: every Neo4j variant (a JVM server per pool slot), the browser, the whole demo
# county, both engines side by side, and the property tests that draw hundreds of examples.
SLOW_DIRS = ("acceptance", "crossengine", "e2e")
SLOW_MODULES = (
    "oracle/test_oracle_equivalence.py",
    "oracle/test_cross_engine.py",
    "oracle/test_oracle_writer.py",
    "oracle/test_oracle_proposals.py",
    "oracle/test_oracle_duties.py",
    "oracle/test_oracle_life.py",
    "oracle/test_delta_projection.py",  # generated counties, then 20 writes each (#12)
    "oracle/test_oracle_on_demo.py",  # the tiny demo with 5 + 2 seeds against the oracle
    "api/test_openapi.py",
    "api/test_scope_property.py",
    "dashboard/test_pages.py",
    "importer/test_import_demo.py",
    "importer/test_import_concurrent.py",  # imports as subprocesses, serialised by the lock
    "importer/test_import_corpus_cli_api.py",  # the corpus through the CLI and the API (#18)
    "roster/test_roster_big.py",
    "test_cli.py",  # each test starts and stops its own embedded server through the CLI
)


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # xdist's hook: absent without xdist
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """`--dist loadfile` (scripts/test.sh) with the longest files first: tests/xdist_schedule.py."""
    if config.getvalue("dist") != "loadfile":
        return None
    from tests.xdist_schedule import LongestFirstScheduling

    return LongestFirstScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    deselect_unsampled(config, items)  # Neo4j samples of long case lists (tests/sampling.py)
    root = Path(__file__).parent
    for item in items:
        rel = item.path.relative_to(root).as_posix() if item.path.is_relative_to(root) else ""
        if "neo4j" in item.keywords or rel.split("/", 1)[0] in SLOW_DIRS or rel in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


# A Neo4j variant that skips is a failure of the run, not a pass (the suite promises that every
# test that touches a store ran on Neo4j): collected here, reported and failed at the end.
NEO4J_SKIPPED: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "neo4j" in report.keywords:
        NEO4J_SKIPPED.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for host in NEO4J_HOST:  # prestarted, but no test of this process took the pool
        host.close()
    out = getattr(session.config, "workeroutput", None)
    if out is not None:  # an xdist worker: its pool's line goes to the controller
        out["neo4j_pool"] = list(NEO4J_POOL)
        out["worker"] = getattr(session.config, "workerinput", {}).get("workerid", "?")
    if NEO4J_SKIPPED:
        print(f"\n{len(NEO4J_SKIPPED)} Neo4j test(s) were skipped, which fails the run:")
        for nodeid in NEO4J_SKIPPED:
            print(f"  {nodeid}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def falkor_server() -> Iterator[EmbeddedServer]:
    folder = short_tmpdir("og-test-")
    reaper = reap_with_this_process(folder)
    server = EmbeddedServer(folder / "db", start_timeout=60, socket_timeout=30)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)
    stop_reaper(reaper)


NEO4J_POOL: list[str] = []


@pytest.hookimpl(optionalhook=True)  # xdist's hook: absent without xdist
def pytest_testnodedown(node: Any, error: object) -> None:
    """Each worker's Neo4j pool (how many servers it started, how long each took): what the
    suite's time on Neo4j depends on most, printed at the end of the run."""
    worker = getattr(node, "workeroutput", {}) or {}
    NEO4J_POOL.extend(
        f"{worker.get('worker', '?')}: {line}" for line in worker.get("neo4j_pool", [])
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in NEO4J_POOL:
        terminalreporter.write_line(line)


# The pool of this process, made when collection ends so that its first servers start in the
# background while the first tests run (Neo4jHost.prestart), or by the first test that needs it.
NEO4J_HOST: list[Neo4jHost] = []
# How many servers to start ahead of need: 1 by default when Neo4j tests are selected (the
# first lease needs one anyway); scripts/test.sh asks for 2, the size every whole-suite run's
# pools reached on both workers. 0 starts them only when a lease needs one.
NEO4J_PRESTART = int(os.environ.get("ORGRAPH_TEST_NEO4J_PRESTART", "1"))


def _neo4j_host() -> Neo4jHost:
    if not NEO4J_HOST:
        NEO4J_HOST.append(
            Neo4jHost(
                os.environ.get("ORGRAPH_TEST_NEO4J_URI", ""),
                os.environ.get("ORGRAPH_TEST_NEO4J_USER", "neo4j"),
                os.environ.get("ORGRAPH_TEST_NEO4J_PASSWORD", ""),
            )
        )
    return NEO4J_HOST[0]


def pytest_collection_finish(session: pytest.Session) -> None:
    # An xdist controller collects nothing; each worker starts its own pool's servers.
    if NEO4J_PRESTART > 0 and any("neo4j" in item.keywords for item in session.items):
        _neo4j_host().prestart(NEO4J_PRESTART)


@pytest.fixture(scope="session")
def neo4j_host() -> Iterator[Neo4jHost]:
    host = _neo4j_host()
    yield host
    leases = sum(s.leases for s in host.slots)
    failed = host.prestart_failed
    NEO4J_POOL.append(
        f"Neo4j pool: {len(host.slots)} server(s), {leases} graphs leased; starts took "
        + ", ".join(f"{t:.1f} s" for t in host.started_s)
        + (f"; a start ahead of need failed: {failed}" if failed else "")
    )
    host.close()
    NEO4J_HOST.clear()


@pytest.fixture(scope="session", params=ENGINE_PARAMS)
def graph_host(request: pytest.FixtureRequest) -> GraphHost:
    """Where fresh graphs come from: the embedded FalkorDB, or the pool of local Neo4j servers."""
    if request.param == "falkordb":
        return FalkorHost(request.getfixturevalue("falkor_server"))
    host: Neo4jHost = request.getfixturevalue("neo4j_host")
    return host


@pytest.fixture
def falkor_store(falkor_server: EmbeddedServer) -> Iterator[FalkorStore]:
    """A fresh, migrated FalkorDB graph (FalkorDB-only tests); dropped afterwards."""
    with FalkorHost(falkor_server).fresh() as store:
        assert isinstance(store, FalkorStore)
        yield store


@pytest.fixture
def store(graph_host: GraphHost) -> Iterator[GraphStore]:
    """A fresh, migrated graph on each engine."""
    with graph_host.fresh() as s:
        yield s


@pytest.fixture
def own_server() -> Iterator[EmbeddedServer]:
    """A private embedded server for tests that kill, stop or restore it."""
    folder = short_tmpdir("og-own-")
    server = EmbeddedServer(folder / "db", start_timeout=60, socket_timeout=10, connect_timeout=2)
    yield server
    server.stop(timeout=10)
    shutil.rmtree(folder, ignore_errors=True)
