"""Fixtures of the importer's integration tests: the tiny demo county (written once per
module) and a second fresh graph for tests that compare two imports side by side."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
# importer_helpers (this folder) and roster_corpus (the roster layer's malformed-file corpus).
for folder in (HERE, HERE.parent / "roster"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from importer_helpers import AS_OF, MEMBERS  # noqa: E402
from openpyxl import load_workbook  # noqa: E402
from tests.engines import GraphHost  # noqa: E402

from orgraph.demo import DemoSummary, generate  # noqa: E402
from orgraph.store import GraphStore  # noqa: E402


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    """The tiny demo (with its `with_errors/` samples), generated once per test module.

    Its members workbook is cut to the main sheet: these tests read, edit and count one sheet
    per file. The demo's second sheet (补报党员: a member listed again under another branch,
    member_multi_branch) is imported as written in test_import_multi_branch.py.
    """
    out = tmp_path_factory.mktemp("demo_tiny")
    summary = generate(out, scale="tiny", seed=1, as_of=AS_OF, with_errors=True)
    wb = load_workbook(out / MEMBERS)
    for ws in wb.worksheets[1:]:
        wb.remove(ws)
    wb.save(out / MEMBERS)
    return out, summary


@pytest.fixture(scope="module")
def demo_dir(demo: tuple[Path, DemoSummary]) -> Path:
    return demo[0]


@pytest.fixture
def other_store(graph_host: GraphHost) -> Iterator[GraphStore]:
    """A second fresh, migrated graph on the same engine as `store` (dropped afterwards)."""
    with graph_host.fresh() as g:
        yield g
