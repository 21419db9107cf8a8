"""#12: what an import finds in neither the graph nor its earlier files it CREATEs rather than
MERGEs (importer/diff.py `_write`), and reading is shared out between child processes
(roster/workers.py). Both must leave the graph, and the report, exactly as before."""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from importer_helpers import AS_OF, FILES, KEY, Dump, dump, import_demo, reimport
from openpyxl import Workbook
from tests.import_reports import same_report

from orgraph.demo import generate
from orgraph.errors import PayloadTooLarge, UploadTimeout, ValidationFailed
from orgraph.importer.diff import ImportStep
from orgraph.importer.pipeline import import_files
from orgraph.roster import RosterFileError, workers
from orgraph.store import GraphStore
from orgraph.store.falkor import FalkorStore

LIFE = ("组织生活记录.xlsx", "党费.csv")


def _content(d: Dump) -> tuple[Counter[str], Counter[str]]:
    """Every node and relationship but the Meta nodes (revision, import mark: times, tokens)."""
    return Dump([n for n in d.nodes if n[0] != "Meta"], d.rels).canonical()


@pytest.fixture(scope="module")
def life_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny demo with its meeting and dues ledgers (the conftest's has only the rosters)."""
    out = tmp_path_factory.mktemp("demo_life")
    generate(out, scale="tiny", seed=3, as_of=AS_OF)
    return out


def test_an_import_that_creates_leaves_the_graph_a_merging_one_leaves(
    store: GraphStore,
    other_store: GraphStore,
    life_demo: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    names = (*FILES, *LIFE)

    def spy(store: GraphStore) -> list[str]:
        ran: list[str] = []
        write = store.write

        def noted(query: str, /, **params: Any) -> Any:
            ran.append(query)
            return write(query, **params)

        monkeypatch.setattr(store, "write", noted)
        return ran

    created = spy(store)
    made = import_demo(store, life_demo, names)
    write = ImportStep._write

    def merge_only(self: ImportStep, query: str, rows: Any, label: str, **_: Any) -> Any:
        return write(self, query, rows, label)

    monkeypatch.setattr(ImportStep, "_write", merge_only)
    merged_ran = spy(other_store)
    merged = import_demo(other_store, life_demo, names)
    monkeypatch.undo()
    news = {
        "households",
        "members",
        "meetings",
        "dues",
        "reports",
        "meeting_attendees",
        "meeting_absentees",
    }
    assert {f"create_{n}" for n in news} <= set(created)
    assert not any(q.startswith("create_") for q in merged_ran)
    assert {"upsert_households", "upsert_meetings", "upsert_dues"} <= set(merged_ran)
    assert same_report(made, merged)
    assert made.totals()["created"] > 1000
    assert _content(dump(store)) == _content(dump(other_store))
    # and a second import of the same files finds every row unchanged
    again = reimport(store, [life_demo / n for n in names])
    assert again.totals()["created"] == again.totals()["updated"] == 0


def test_a_created_batch_a_constraint_refuses_is_merged_instead(store: GraphStore) -> None:
    """Another writer created one of the batch's households after the diff read the graph:
    the CREATE is refused whole (it wrote nothing), and the batch is merged."""
    store.write("upsert_areas", rows=[{"code": "330226101201", "props": {"level": "village"}}])
    store.write(
        "upsert_households",
        rows=[{"id": "H2", "area": "330226101201", "props": {"size": 1, "head_name": "甲"}}],
    )
    step = ImportStep(store)
    rows = [
        {"id": f"H{i}", "area": "330226101201", "props": {"size": 2, "head_name": None}}
        for i in range(5)
    ]
    again = step._write(
        "upsert_households", rows, "households", create="create_households", new=[True] * 5
    )
    assert again == rows  # the batch was merged: none of it was new after all
    got = {r["id"]: r for r in store.read("household_states", ids=[f"H{i}" for i in range(5)])}
    assert sorted(got) == [f"H{i}" for i in range(5)]
    assert {r["size"] for r in got.values()} == {2}
    assert got["H2"]["head_name"] is None  # merged as upsert_households sets it
    assert len(dump(store).label("Household")) == 5  # none twice


def test_a_batch_that_fails_otherwise_is_not_retried(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def failing(query: str, /, **params: Any) -> list[Any]:
        calls.append(query)
        raise ValidationFailed("boom")

    step = ImportStep(store)
    monkeypatch.setattr(step.store, "write", failing)
    with pytest.raises(ValidationFailed):
        step._write("upsert_households", [{}], "households", create="create_households", new=[True])
    assert calls == ["create_households"]


# -- reading in child processes ----------------------------------------------------------------


def test_the_files_are_shared_out_by_work_each_child_in_the_callers_order(
    tmp_path: Path,
) -> None:
    sizes = {"a.csv": 100, "b.csv": 900, "c.xlsx": 300, "d.csv": 50, "e.csv": 400}
    paths = []
    for name, size in sizes.items():
        p = tmp_path / name
        p.write_bytes((b"PK\x03\x04" if name.endswith(".xlsx") else b"x,y\n") * (size // 4))
        paths.append(p)
    # work c 1200 (zipped: x4), b 900, e 400, a 100, d 48, each to the lighter child:
    # c → 0; b → 1; e → 1 (1300); a → 0 (1300); d → 0 (a tie: the first)
    assert workers.share(paths, 2) == [[0, 2, 3], [1, 4]]
    assert workers.share(paths, 1) == [[0, 1, 2, 3, 4]]
    assert workers.share(paths[:1], 4) == [[0]]
    assert workers.children_for(paths) == 1  # under PARALLEL_MIN_BYTES


def test_reading_in_children_gives_the_report_reading_here_gives(
    store: GraphStore, demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [demo_dir / n for n in FILES] + sorted((demo_dir / "with_errors").iterdir())
    reports = []
    for children in (False, True):
        monkeypatch.setattr(workers, "PARALLEL_MIN_BYTES", 0 if children else 1 << 60)
        monkeypatch.setattr(workers, "cores", lambda: 2)
        real = workers.Reading.opened
        seen: list[int] = []

        def counted(self: workers.Reading, _real: Any = real, _seen: list[int] = seen) -> Any:
            _seen.append(len(self.readers))
            return _real(self)

        monkeypatch.setattr(workers.Reading, "opened", counted)
        for dry_run in (True, False):
            reports.append(import_files(store, paths, key=KEY, today=AS_OF, dry_run=dry_run))
        monkeypatch.undo()
        assert seen == ([2, 2] if children else [])
        store.drop_all()
    assert same_report(reports[0], reports[2]) and same_report(reports[1], reports[3])
    assert reports[0].totals()["rejected"] > 0 and reports[0].totals()["rows"] > 100
    assert reports[1].totals()["created"] > 100


def _slow_csv(path: Path, rows: int) -> Path:
    """A file of areas that takes its reader a while (~0.25 s per 10,000 rows here)."""
    body = "".join(f"3302261{i:05d},村{i},村\n" for i in range(rows))
    path.write_text("区划代码,名称,层级\n" + body, encoding="utf-8")
    return path


def _reading(paths: list[Path], groups: list[list[int]], **kw: Any) -> workers.Reading:
    """A Reading whose children get `groups` of the files (not shared out by size)."""
    real = workers.share
    workers.share = lambda _paths, _n: groups  # type: ignore[assignment]
    try:
        return workers.Reading(
            paths,
            [p.name for p in paths],
            kind=None,
            key=KEY,
            today=AS_OF,
            max_bytes=None,
            limits=kw.pop("limits", workers.NO_LIMITS),
            spool=kw.pop("spool"),
            children=len(groups),
            **kw,
        )
    finally:
        workers.share = real


@pytest.mark.parametrize("priority", [None, {"areas": 0}])
def test_the_first_file_to_fail_is_named_not_the_first_failure_heard_of(
    tmp_path: Path, priority: dict[str, int] | None
) -> None:
    """坏2 fails at once in its child; 坏1 fails after a slow file in the other: a reading one
    file after the other would name 坏1, and so must the children."""
    slow = _slow_csv(tmp_path / "slow.csv", 40_000)
    bad1, bad2 = tmp_path / "坏1.xlsx", tmp_path / "坏2.xlsx"
    bad1.write_bytes(b"PK\x03\x04 not a workbook" * 50)
    bad2.write_bytes(b"PK\x03\x04 not a workbook either" * 50)
    spool = tmp_path / "spool"
    spool.mkdir()
    with (
        _reading([slow, bad1, bad2], [[0, 1], [2]], spool=spool, priority=priority) as reading,
        pytest.raises(RosterFileError) as caught,
    ):
        reading.opened() if priority else reading.all()
    assert "坏1.xlsx" in str(caught.value), caught.value
    # the child's stack comes with it, as the error's cause (a log shows where it was raised)
    assert isinstance(caught.value.__cause__, workers.ChildTraceback)
    assert "read_workbook" in str(caught.value.__cause__), caught.value.__cause__
    assert not multiprocessing.active_children()
    assert not list(spool.iterdir())


def test_a_later_file_still_reading_does_not_hold_up_an_earlier_failure(tmp_path: Path) -> None:
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"PK\x03\x04 not a workbook" * 50)
    slow = _slow_csv(tmp_path / "slow.csv", 400_000)  # seconds to read
    t0 = time.monotonic()
    with (
        _reading([bad, slow], [[0], [1]], spool=tmp_path) as reading,
        pytest.raises(RosterFileError) as caught,
    ):
        reading.all()
    took = time.monotonic() - t0
    assert "坏.xlsx" in str(caught.value)
    assert took < 3.0, f"waited {took:.1f} s for a file that could not fail first"


def test_reading_and_writing_overlap_and_report_in_the_files_order(
    store: GraphStore, life_demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With children, the kinds are written as their files come in (the members before the
    meeting ledger is checked), and the report still lists the files in the order given."""
    monkeypatch.setattr(workers, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(workers, "cores", lambda: 2)
    names = (*LIFE, *reversed(FILES))
    events: list[str] = []
    real_sheets = workers.Reading.sheets

    def sheets(self: workers.Reading, i: int) -> Any:
        events.append(f"read {self.paths[i].name}")
        return real_sheets(self, i)

    monkeypatch.setattr(workers.Reading, "sheets", sheets)
    write = ImportStep._write

    def noted(self: ImportStep, query: str, *a: Any, **kw: Any) -> Any:
        events.append(f"write {query}")
        return write(self, query, *a, **kw)

    monkeypatch.setattr(ImportStep, "_write", noted)
    made = import_demo(store, life_demo, names)
    in_report = [Path(f.path).name for f in made.files]  # a file of two sheets twice
    assert list(dict.fromkeys(in_report)) == list(names)
    assert events.index("write upsert_members") < events.index("read 组织生活记录.xlsx")
    assert made.totals()["created"] > 1000


def _sparse_xlsx(path: Path) -> Path:
    """Two cells, A1 and ALL4900: calamine asks for 157 MB at once for the range, and aborts
    the process it runs in when that is over its memory limit (tests/api/test_upload_isolation)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "姓名"
    ws.cell(row=4900, column=1000, value="x")
    wb.save(path)
    return path


def test_a_child_that_dies_fails_its_file_and_the_others_come_back(tmp_path: Path) -> None:
    good = tmp_path / "好.csv"
    good.write_text("区划代码,名称,层级\n330226,宁海县,县\n", encoding="utf-8")
    sparse = _sparse_xlsx(tmp_path / "稀疏.xlsx")
    spool = tmp_path / "spool"
    spool.mkdir()
    limits = workers.Limits(100, 60.0)
    with (
        _reading([good, sparse], [[0], [1]], spool=spool, limits=limits) as reading,
        pytest.raises(ValidationFailed) as caught,
    ):
        reading.all()
    assert "“稀疏.xlsx”" in str(caught.value)
    assert isinstance(caught.value, PayloadTooLarge) or "异常终止" in str(caught.value)
    assert 0 in reading.parsed  # the other child's file came back
    assert not list(spool.iterdir())


def test_children_over_the_wall_clock_are_stopped(tmp_path: Path) -> None:
    paths = [_slow_csv(tmp_path / name, 50_000) for name in ("甲.csv", "乙.csv")]
    with (
        _reading(paths, [[0], [1]], spool=tmp_path, limits=workers.Limits(0, 0.05)) as reading,
        pytest.raises(UploadTimeout) as caught,
    ):
        reading.all()
    assert "“甲.csv”" in str(caught.value)  # the first of the files not yet read
    assert not multiprocessing.active_children()


def _index_documents(store: FalkorStore) -> dict[str, tuple[int, int]]:
    """Per label: (documents its index holds, documents it ever held, deleted ones included)."""
    out = {}
    for row in store._graph.list_indices().result_set:
        info = row[8]  # the index's statistics, as the falkordb client parses them
        out[str(row[0])] = (int(info["numDocuments"]), int(info["maxDocId"]))
    return out


def test_a_fresh_import_indexes_each_new_node_once(
    falkor_store: FalkorStore, life_demo: Path
) -> None:
    """FalkorDB indexes a node again whenever a clause sets its properties, and the index's
    collector (a forked process whose results the server applies under the index's lock)
    then stalled a city's writes 4-6x (docs/scale.md "Imports"). The create_* blocks give a
    new node all its properties in one SET, so a fresh import leaves no deleted documents in
    the indexes of what it creates."""
    import_demo(falkor_store, life_demo, (*FILES, *LIFE))
    docs = _index_documents(falkor_store)
    for label in ("Household", "Member", "Meeting", "Dues", "Report"):
        held, ever = docs[label]
        assert held > 0 and ever == held, (label, held, ever)
