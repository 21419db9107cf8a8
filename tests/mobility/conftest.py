"""The tiny demo county (generated once per module) imported into a fresh graph on each engine,
for the lifecycle tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from orgraph import clock
from orgraph.demo import DemoSummary, generate
from orgraph.importer.pipeline import import_files
from orgraph.store import GraphStore
from tests.engines import GraphHost

KEY = b"mobility-test-key"
TODAY = clock.today()


@pytest.fixture(scope="module")
def tiny_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    out = tmp_path_factory.mktemp("mobility_tiny")
    return out, generate(out, scale="tiny", seed=5, as_of=TODAY)


@pytest.fixture
def county(graph_host: GraphHost, tiny_files: tuple[Path, DemoSummary]) -> Iterator[GraphStore]:
    """A fresh graph on each engine holding the tiny demo county (each test may change it)."""
    folder, _ = tiny_files
    with graph_host.fresh() as store:
        report = import_files(
            store,
            sorted(p for p in folder.iterdir() if p.suffix in (".xlsx", ".csv")),
            key=KEY,
            today=TODAY,
        )
        assert report.totals()["rejected"] == 0
        yield store
