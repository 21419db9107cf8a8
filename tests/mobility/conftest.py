"""A tiny demo county imported once per module into a fresh graph, for the lifecycle tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from orgraph.demo import DemoSummary, generate
from orgraph.importer.pipeline import import_files
from orgraph.store.embedded import EmbeddedServer
from orgraph.store.falkor import FalkorStore
from tests.conftest import fresh_graph

KEY = b"mobility-test-key"
TODAY = dt.date.today()


@pytest.fixture(scope="module")
def tiny_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    out = tmp_path_factory.mktemp("mobility_tiny")
    return out, generate(out, scale="tiny", seed=5, as_of=TODAY)


@pytest.fixture
def county(falkor_server: EmbeddedServer,
           tiny_files: tuple[Path, DemoSummary]) -> Iterator[FalkorStore]:
    """A fresh graph holding the tiny demo county (each test may change it)."""
    folder, _ = tiny_files
    with fresh_graph(falkor_server) as store:
        report = import_files(store, sorted(p for p in folder.iterdir()
                                            if p.suffix in (".xlsx", ".csv")),
                              key=KEY, today=TODAY)
        assert report.totals()["rejected"] == 0
        yield store
