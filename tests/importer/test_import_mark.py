"""A re-import of the same files onto the graph the last import left gives that import's
report without reading a row (importer/mark.py; docs/design.md#importer): and only then.

That the kept report equals the report of a re-import that reads every row is checked wherever
the importer's tests import the same files twice (importer_helpers.reimport: the tiny demo,
every case of the malformed-file corpus) and on the county demo (tests/acceptance). Here: every
way the files or the graph can differ from what the mark names makes the next import read
every row, and what it then reports and leaves is what a clean import gives.
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from importer_helpers import (
    AS_OF,
    FILES,
    HOUSEHOLDS,
    KEY,
    by_file,
    diff,
    dump,
    edit_csv,
    import_demo,
    read_rows,
    reimport,
    run_import,
)
from tests.import_reports import same_report

from orgraph.importer import mark
from orgraph.importer.pipeline import import_files
from orgraph.store import GraphStore


def _paths(folder: Path) -> list[Path]:
    return [folder / n for n in FILES]


def _one_household(store: GraphStore, demo_dir: Path) -> dict[str, Any]:
    hid = read_rows(demo_dir / HOUSEHOLDS)[0]["户编号"]
    return store.read("household_states", ids=[hid])[0]


def _edited_copy(demo_dir: Path, to: Path, hid: str) -> Path:
    to.mkdir()
    for name in FILES:
        shutil.copy(demo_dir / name, to / name)
    edit_csv(
        demo_dir / HOUSEHOLDS,
        to / HOUSEHOLDS,
        {(hid, "户主姓名"): "改过的户主"},
        key_column="户编号",
        encoding="gb18030",  # the demo writes its 农户 roster in GB18030
    )
    return to


def test_the_same_files_again_are_not_read_and_publish_nothing(
    store: GraphStore, demo_dir: Path
) -> None:
    first = import_demo(store, demo_dir)
    assert not first.reused
    rev = mark.graph_rev(store)
    again = reimport(store, _paths(demo_dir))  # recheck, then the mark: same report
    assert again.totals()["created"] == again.totals()["updated"] == 0
    kept = import_demo(store, demo_dir)
    assert kept.reused and kept.as_dict()["reused"] is True
    assert mark.graph_rev(store) == rev  # nothing published
    dry = import_demo(store, demo_dir, dry_run=True)
    assert dry.reused and dry.dry_run
    assert same_report(dry, import_demo(store, demo_dir, dry_run=True, recheck=True))


def test_a_write_since_the_import_makes_the_next_one_read_every_row(
    store: GraphStore, demo_dir: Path
) -> None:
    import_demo(store, demo_dir)
    h = _one_household(store, demo_dir)
    props = {k: h[k] for k in ("head_name", "address", "size", "tags", "phone", "lon", "lat")}
    store.write(
        "upsert_households",
        rows=[{"id": h["id"], "props": {**props, "head_name": "别人改的"}, "area": h["area"]}],
    )
    again = import_demo(store, demo_dir)
    assert not again.reused
    f = by_file(again)[HOUSEHOLDS]
    assert (f.created, f.updated) == (0, 1)  # the roster's value is written back
    assert _one_household(store, demo_dir)["head_name"] == h["head_name"]
    assert import_demo(store, demo_dir).reused  # and that import left a mark again


def test_an_import_that_failed_halfway_leaves_no_mark(
    store: GraphStore, other_store: GraphStore, demo_dir: Path, tmp_path: Path
) -> None:
    """The failed import's written batches are in the graph, announced by no revision: the
    last good import's mark must not vouch for them."""
    import_demo(store, demo_dir)
    before = mark.graph_rev(store)
    hid = _one_household(store, demo_dir)["id"]
    edited = _edited_copy(demo_dir, tmp_path / "edited", hid)

    def fail(label: str, done: int, total: int) -> None:
        if label == "households":
            raise RuntimeError("停电")

    with pytest.raises(RuntimeError, match="停电"):
        run_import(store, _paths(edited), progress=fail)
    assert mark.graph_rev(store) == before  # nothing published…
    assert _one_household(store, demo_dir)["head_name"] == "改过的户主"  # …but written
    again = import_demo(store, demo_dir)
    assert not again.reused
    assert by_file(again)[HOUSEHOLDS].updated == 1
    import_demo(other_store, demo_dir)
    assert diff(dump(other_store), dump(store)) == ([], [], [], [])


def test_another_writer_during_the_import_leaves_no_mark(store: GraphStore, demo_dir: Path) -> None:
    """A write that lands while the import reads and writes would be undone by a real re-import
    (the import read the graph before it): the import must not mark the graph."""
    wrote: list[bool] = []

    def other_writer(label: str, done: int, total: int) -> None:
        if label == "households" and not wrote:
            # another thread: its write is not part of the import's revision
            t = threading.Thread(
                target=lambda: store.write("create_area_strict", code="990000000000")
            )
            t.start()
            t.join()
            wrote.append(True)

    import_demo(store, demo_dir, progress=other_writer)
    assert wrote
    assert not import_demo(store, demo_dir).reused
    assert import_demo(store, demo_dir).reused  # the re-import wrote nothing: it marks


def test_other_inputs_read_every_row(store: GraphStore, demo_dir: Path, tmp_path: Path) -> None:
    import_demo(store, demo_dir)
    paths = _paths(demo_dir)
    assert run_import(store, paths).reused
    # another day, another ID key, --snapshot, another kind given, the files in another order,
    # one file fewer, one changed byte: each is another import
    assert not run_import(store, paths, today=AS_OF + dt.timedelta(days=1)).reused
    assert run_import(store, paths).reused is False  # the last import named another day
    assert run_import(store, paths).reused
    other_key = import_files(store, paths, key=KEY + b"x", today=AS_OF, dry_run=True)
    assert not other_key.reused
    assert not run_import(store, paths, snapshot=True, dry_run=True).reused
    households = demo_dir / HOUSEHOLDS
    assert not run_import(store, [households], kind="households", dry_run=True).reused
    assert not run_import(store, list(reversed(paths)), dry_run=True).reused
    assert not run_import(store, paths[:-1], dry_run=True).reused
    changed = tmp_path / "copy"
    changed.mkdir()
    for name in FILES:
        shutil.copy(demo_dir / name, changed / name)
    with (changed / HOUSEHOLDS).open("ab") as fh:
        fh.write(b"\r\n")  # a blank line: the same rows, other bytes
    assert not run_import(store, _paths(changed), dry_run=True).reused
    assert run_import(store, paths, dry_run=True).reused  # dry runs left the mark alone
    assert not run_import(store, paths, recheck=True).reused


def test_the_mark_keeps_no_secret_and_names_the_revision(store: GraphStore, demo_dir: Path) -> None:
    import_demo(store, demo_dir)
    row = store.read("import_mark")[0]
    assert row["rev"] == mark.graph_rev(store)
    assert KEY.decode() not in row["inputs"] and KEY.decode() not in row["report"]
