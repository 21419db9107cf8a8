"""An import killed halfway publishes nothing: an engine already answering keeps the revision
before it, with no reload, and running the import again gives the graph a clean import gives
(docs/design.md#change-log, "Imports are one revision")."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from importer_helpers import diff, dump
from tests.engines import GraphHost

from orgraph import clock
from orgraph.analysis import projection as proj
from orgraph.analysis.engine import Engine
from orgraph.demo import generate
from orgraph.importer.pipeline import import_files
from orgraph.store import GraphStore

KEY = "killed-import-test-key"
SEED = 11

# Run in a process of its own: import the files, and SIGKILL itself when the progress
# callback reports the first written batch of $1 (a real kill: no exception, no cleanup).
KILLER = """
import datetime as dt, os, signal, sys
from pathlib import Path
from orgraph.config import get_settings
from orgraph.importer.pipeline import import_files
from orgraph.store import open_store

def progress(label, done, total):
    if label == sys.argv[1]:
        os.kill(os.getpid(), signal.SIGKILL)

import_files(open_store(get_settings()), [Path(p) for p in sys.argv[4:]],
             key=sys.argv[2].encode(), today=dt.date.fromisoformat(sys.argv[3]),
             progress=progress)
raise SystemExit("the import ended without reaching the batch to die at")
"""


@pytest.fixture(scope="module")
def rosters(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("killed_import")
    generate(out, scale="tiny", seed=SEED)
    return sorted(p for p in out.iterdir() if p.suffix in (".xlsx", ".csv"))


@pytest.fixture
def graph(graph_host: GraphHost) -> Iterator[tuple[GraphHost, GraphStore]]:
    with graph_host.fresh() as store:
        yield graph_host, store


def test_a_killed_import_publishes_nothing_and_a_rerun_gives_the_clean_graph(
    graph: tuple[GraphHost, GraphStore], rosters: list[Path], tmp_path: Path
) -> None:
    host, store = graph
    today = clock.today()
    areas_orgs = [p for p in rosters if p.name in ("党组织.xlsx", "行政区划.xlsx")]
    assert areas_orgs, [p.name for p in rosters]
    import_files(store, areas_orgs, key=KEY.encode(), today=today)
    engine = Engine(store)
    answer = engine.summary(as_of=today)
    coverage = engine.coverage(level="township", as_of=today)
    revision = proj.revision(store)

    env = {
        **os.environ,
        **host.env(store),
        "ORGRAPH_DATA_DIR": str(tmp_path / "data"),
        "ORGRAPH_IMPORT_LOCK_LEASE_S": "3",
    }
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, "contacts", KEY, today.isoformat(), *map(str, rosters)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert killed.returncode == -9, killed.stderr  # SIGKILL, halfway
    partial = dump(store)
    assert partial.label("Household"), "the killed import wrote nothing: not halfway"

    # nothing was published: same revision, same answers, no reload
    assert proj.revision(store) == revision
    assert engine.summary(as_of=today) == answer
    assert engine.coverage(level="township", as_of=today) == coverage
    assert (engine.loads, engine.deltas) == (1, 0)

    # the import lock the killed process held goes stale (a 3 s lease); the re-run waits
    rerun = import_files(store, rosters, key=KEY.encode(), today=today, wait_s=120)
    assert rerun.totals()["rejected"] == 0
    assert proj.revision(store) != revision
    after = engine.summary(as_of=today)
    assert engine.loads == 2  # the import's one revision: one reload
    got = dump(store)

    store.drop_all()
    clean = import_files(store, rosters, key=KEY.encode(), today=today)
    assert clean.totals()["rejected"] == 0
    assert diff(dump(store), got) == ([], [], [], [])
    assert Engine(store).summary(as_of=today) == after
