"""The tiny demo county imported into a fresh graph on each engine, for the projection's tests
that need a real graph (snapshots, the engine's reloads)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from orgraph.demo import generate
from orgraph.importer.pipeline import import_files
from orgraph.store import GraphStore
from tests.engines import GraphHost

KEY = b"snapshot-test-key"
AS_OF = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def tiny_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("projection_tiny")
    generate(out, scale="tiny", seed=7, as_of=AS_OF)
    return out


@pytest.fixture
def county(graph_host: GraphHost, tiny_files: Path) -> Iterator[GraphStore]:
    with graph_host.fresh() as store:
        files = sorted(p for p in tiny_files.iterdir() if p.suffix in (".xlsx", ".csv"))
        report = import_files(store, files, key=KEY, today=AS_OF)
        assert report.totals()["rejected"] == 0
        yield store
