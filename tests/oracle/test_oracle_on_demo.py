"""The engine equals the oracle on the demo's own rosters, not only on counties the oracle's
strategies draw: the tiny demo county (messy headers, merged title rows, a second members
sheet, hashed ID numbers, planted cases of every gap type) generated with several seeds,
imported as a user imports it, read back into the oracle's model (from_graph.py), and every
answer compare_all compares — every rule's items and fields county-wide and in a township,
the summary, destinations and flows, the ledgers, the group ranking, coverage at every level,
each household's chain and the 13-month trend — on the demo's day and a day months before.

FalkorDB runs 5 seeds, Neo4j 2 (an import over Bolt takes longer); ORACLE_DEMO_SEEDS=n runs n
on both."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from orgraph.demo import generate
from orgraph.importer.pipeline import import_files
from orgraph.store import GraphStore

from .from_graph import county_from_graph
from .harness import KEY, problems, reset
from .test_oracle_equivalence import compare_all

AS_OF = dt.date(2026, 11, 1)
DAYS = ["2026-06-30", AS_OF.isoformat()]


def seeds(default: int) -> list[int]:
    return list(range(1, int(os.environ.get("ORACLE_DEMO_SEEDS", str(default))) + 1))


def check_seed(store: GraphStore, seed: int, folder: Path) -> None:
    reset(store)
    generate(folder, scale="tiny", seed=seed, as_of=AS_OF)
    files = sorted(p for p in folder.iterdir() if p.suffix in (".xlsx", ".csv"))
    assert len(files) == 13
    report = import_files(store, files, key=KEY, today=AS_OF)
    assert problems(report) == []
    county = county_from_graph(store)
    towns = sorted(a.code for a in county.areas if a.level == "township")
    assert len(towns) >= 2 and county.members and county.households
    diffs = compare_all(store, county, {}, towns[-1], DAYS)
    assert diffs == [], f"seed {seed}:\n" + "\n".join(diffs[:40])


@pytest.mark.timeout(600)
def test_engine_equals_oracle_on_the_demo_falkordb(
    falkordb_graph: GraphStore, tmp_path: Path
) -> None:
    for seed in seeds(5):
        check_seed(falkordb_graph, seed, tmp_path / str(seed))


@pytest.mark.neo4j
@pytest.mark.timeout(600)
def test_engine_equals_oracle_on_the_demo_neo4j(neo4j_graph: GraphStore, tmp_path: Path) -> None:
    for seed in seeds(2):
        check_seed(neo4j_graph, seed, tmp_path / str(seed))
