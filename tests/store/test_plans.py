"""FalkorDB's planner scans a whole label when a pattern is written one way and uses the index
when written another (docs/design.md#engines: 7 s against 11 ms at 300k households). Every
statement that looks things up by key must plan an index scan; only the lookup_* blocks read
whole labels."""

from __future__ import annotations

import pytest

from orgraph import catalog
from orgraph.store.falkor import FalkorStore

# and every count_, lookup_, proj_ block; list_imports sorts every Import node (one per import:
# a few a month) for a page of the history, newest first, and import_days all of them for
# what a past day can read
# the gap ledger's observation compares every open episode; its exports and the changes
# between two imports read the episodes whole (analysis/gap_ledger.py)
FULL_READS = {
    "drop_all_batch",
    "all_area_codes",
    "list_imports",
    "ledger_open_items",
    "gap_episodes_all",
    "gap_episodes_changed",
    "field_changes_between",
    "outflow_events_between",
    "imports_between",
    "import_days",
}


def _keyed_blocks() -> list[str]:
    return sorted(
        n
        for n in catalog.catalog()
        if not n.startswith(("lookup_", "count_", "proj_", "oracle_"))
        and n not in FULL_READS
        and not n.startswith("bench_")
        and not n.startswith("testing_")
    )


@pytest.mark.parametrize("name", _keyed_blocks())
def test_keyed_statements_use_indexes(falkor_store: FalkorStore, name: str) -> None:
    # An empty graph still plans against the schema's indexes. Values only need the right type.
    params = {
        p: 1
        if p in ("limit", "version")
        else ([] if p in ("rows", "ids", "keys", "branches", "uids") else "x")
        for p in catalog.get(name).params
    }
    plan = falkor_store.explain(name, **params)
    label_scans = [line.strip() for line in plan if "Label Scan" in line or "All Node Scan" in line]
    assert not label_scans, f"{name} scans whole labels: {label_scans}"
