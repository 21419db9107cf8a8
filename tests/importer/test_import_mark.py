"""An import of files an import has already found unchanged, over the graph that import read,
gives that import's report without reading a row (importer/mark.py; docs/design.md#importer):
and only then.

That the kept report equals the report of a re-import that reads every row is checked wherever
the importer's tests import the same files again (importer_helpers.reimport: the tiny demo,
every case of the malformed-file corpus) and on the county demo (tests/acceptance). Here: an
import that wrote leaves no mark (an import is not always idempotent), and every way the files
or the graph can differ from what the mark names makes the next import read every row, and
what it then reports and leaves is what a clean import gives.
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from pathlib import Path
from typing import Any, cast

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
    write_csv,
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
    assert store.read("import_mark")[0]["inputs"] is None  # it wrote: no mark
    rev = mark.graph_rev(store)
    again = reimport(store, _paths(demo_dir))  # every row read, then the mark: same report
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
    assert not import_demo(store, demo_dir).reused  # that import wrote: no mark
    assert import_demo(store, demo_dir).reused  # this one wrote nothing: marked


def test_an_import_that_failed_halfway_leaves_no_mark(
    store: GraphStore, other_store: GraphStore, demo_dir: Path, tmp_path: Path
) -> None:
    """The failed import's written batches are in the graph, announced by no revision: the
    last good import's mark must not vouch for them."""
    import_demo(store, demo_dir)
    import_demo(store, demo_dir)  # wrote nothing: marked
    assert import_demo(store, demo_dir).reused
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


class _WrittenWhileRead:
    """The store, with another writer's write landing (from another thread: it is not part of
    the import's revision) when the import reads the households' stored state."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.wrote = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def read(self, query: str, /, **params: Any) -> list[dict[str, Any]]:
        if query == "household_states" and not self.wrote:
            t = threading.Thread(
                target=lambda: self.store.write("create_area_strict", code="990000000000")
            )
            t.start()
            t.join()
            self.wrote = True
        return self.store.read(query, **params)


def test_another_writer_during_the_import_leaves_no_mark(store: GraphStore, demo_dir: Path) -> None:
    """A write that lands while an import reads would be undone by a real re-import, or change
    its report: an import that wrote nothing itself but saw the graph move leaves no mark."""
    import_demo(store, demo_dir)
    racing = _WrittenWhileRead(store)
    again = import_files(cast(GraphStore, racing), _paths(demo_dir), key=KEY, today=AS_OF)
    assert racing.wrote and again.totals()["created"] == again.totals()["updated"] == 0
    assert not import_demo(store, demo_dir).reused
    assert import_demo(store, demo_dir).reused  # that re-import read a still graph: marked


def test_an_import_that_is_not_idempotent_is_never_kept(
    store: GraphStore, demo_dir: Path, tmp_path: Path
) -> None:
    """Two files giving one household two heads: each import writes both, in file order, and
    says so every time; no import of them is answered from a mark."""
    import_demo(store, demo_dir)
    row = read_rows(demo_dir / HOUSEHOLDS)[0]
    head = list(row)
    one = write_csv(tmp_path / "农户一.csv", [head, [*row.values()]])
    two = write_csv(
        tmp_path / "农户二.csv", [head, [v if k != "户主姓名" else "李四" for k, v in row.items()]]
    )
    reps = [run_import(store, [one, two], kind="households") for _ in range(3)]
    assert not any(r.reused for r in reps)
    # the first file names the stored head, the second changes it; then each changes it back
    assert [[f.updated for f in r.files] for r in reps] == [[0, 1], [1, 1], [1, 1]]


def test_other_inputs_read_every_row(store: GraphStore, demo_dir: Path, tmp_path: Path) -> None:
    import_demo(store, demo_dir)
    paths = _paths(demo_dir)
    assert not run_import(store, paths).reused  # the first import wrote
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
    # the same bytes under another name: a CSV's sheet is named after its file
    renamed = tmp_path / "农户_副本.csv"
    shutil.copy(demo_dir / HOUSEHOLDS, renamed)
    assert not run_import(store, [*paths[:3], renamed, *paths[4:]], dry_run=True).reused
    assert run_import(store, paths, dry_run=True).reused  # dry runs left the mark alone
    assert not run_import(store, paths, recheck=True).reused


def test_the_mark_keeps_no_secret_and_names_the_revision(store: GraphStore, demo_dir: Path) -> None:
    import_demo(store, demo_dir)
    import_demo(store, demo_dir)
    row = store.read("import_mark")[0]
    assert row["rev"] == mark.graph_rev(store)
    assert KEY.decode() not in row["inputs"] and KEY.decode() not in row["report"]
