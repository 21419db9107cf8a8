"""Fixtures of the importer's integration tests: the tiny demo county (written once per
module) and a second fresh graph for tests that compare two imports side by side."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
# importer_helpers (this folder) and roster_corpus (the roster layer's malformed-file corpus).
for folder in (HERE, HERE.parent / "roster"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from importer_helpers import AS_OF  # noqa: E402

from orgraph.demo import DemoSummary, generate  # noqa: E402
from orgraph.store.embedded import EmbeddedServer  # noqa: E402
from orgraph.store.falkor import FalkorStore  # noqa: E402
from orgraph.store.migrations import migrate  # noqa: E402


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    """The tiny demo (with its `with_errors/` samples), generated once per test module."""
    out = tmp_path_factory.mktemp("demo_tiny")
    return out, generate(out, scale="tiny", seed=1, as_of=AS_OF, with_errors=True)


@pytest.fixture(scope="module")
def demo_dir(demo: tuple[Path, DemoSummary]) -> Path:
    return demo[0]


@pytest.fixture
def other_store(falkor_server: EmbeddedServer) -> Iterator[FalkorStore]:
    """A second fresh, migrated graph on the session's server (dropped afterwards)."""
    store = FalkorStore(graph=f"t_{uuid.uuid4().hex[:12]}", unix_socket=str(falkor_server.socket))
    migrate(store)
    yield store
    store.drop_all()
    store.close()
