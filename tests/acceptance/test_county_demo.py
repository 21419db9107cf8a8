"""Issue acceptance on the real demo county (~98k households, ~8.3k members): the graph holds
exactly what the files hold, and a second import of the same files changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from orgraph.demo import generate
from orgraph.importer.pipeline import import_files
from orgraph.store.falkor import FalkorStore

KEY = b"acceptance-test-key"
FILE_LABEL = {"行政区划.xlsx": "Area", "党组织.xlsx": "Org", "党员花名册.xlsx": "Member",
              "农户.csv": "Household", "流动党员外出登记.xlsx": "Outflow", "报到记录.csv": "Report"}


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, int]]]:
    out = tmp_path_factory.mktemp("county")
    summary = generate(out, scale="county", seed=7, as_of=dt.date.today())
    yield out, dict(summary.files)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".xlsx", ".csv"))


def test_county_demo_imports_completely_and_idempotently(
    county: tuple[Path, dict[str, int]], falkor_store: FalkorStore
) -> None:
    folder, rows = county
    first = import_files(falkor_store, _files(folder), key=KEY, today=dt.date.today())
    totals = first.totals()
    assert totals["rejected"] == 0 and totals["sheet_errors"] == 0
    assert totals["created"] == totals["rows"] == sum(rows.values())
    assert first.seconds < 60, f"county import took {first.seconds:.1f} s"

    counts = {r["label"]: r["nodes"] for r in falkor_store.read("count_roster_entities")}
    for name, label in FILE_LABEL.items():
        assert counts.get(label) == rows[name], f"{label}: graph {counts.get(label)}, " \
            f"file {rows[name]}"
    links = falkor_store.read("count_contact_links")[0]["links"]
    assert links == rows["联系关系.csv"]

    second = import_files(falkor_store, _files(folder), key=KEY, today=dt.date.today())
    again = second.totals()
    assert again["created"] == 0 and again["updated"] == 0
    assert again["unchanged"] == totals["rows"]
    assert {r["label"]: r["nodes"] for r in falkor_store.read("count_roster_entities")} == counts
