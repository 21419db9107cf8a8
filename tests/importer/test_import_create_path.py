"""#12: what an import finds in neither the graph nor its earlier files it CREATEs rather than
MERGEs (importer/diff.py `_write`), and reading is shared out between child processes
(roster/workers.py). Both must leave the graph, and the report, exactly as before."""

from __future__ import annotations

import multiprocessing
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

    def merge_only(self: ImportStep, query: str, rows: Any, label: str, **_: Any) -> None:
        write(self, query, rows, label)

    monkeypatch.setattr(ImportStep, "_write", merge_only)
    merged_ran = spy(other_store)
    merged = import_demo(other_store, life_demo, names)
    monkeypatch.undo()
    news = {"households", "meetings", "dues", "reports", "meeting_attendees", "meeting_absentees"}
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
    step._write("upsert_households", rows, "households", create="create_households", new=[True] * 5)
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
        real = workers.parse_in_children
        seen: list[int] = []

        def counted(*a: Any, _real: Any = real, _seen: list[int] = seen, **kw: Any) -> Any:
            _seen.append(kw["children"])
            return _real(*a, **kw)

        monkeypatch.setattr(workers, "parse_in_children", counted)
        reports.append(import_files(store, paths, key=KEY, today=AS_OF, dry_run=True))
        monkeypatch.undo()
        assert seen == ([2] if children else [])
    assert same_report(*reports)
    assert reports[0].totals()["rejected"] > 0 and reports[0].totals()["rows"] > 100


def test_of_two_unreadable_files_the_first_is_named_as_reading_here_would(
    store: GraphStore, demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad1, bad2 = tmp_path / "坏1.xlsx", tmp_path / "坏2.xlsx"
    bad1.write_bytes(b"PK\x03\x04 not a workbook" * 50)
    bad2.write_bytes(b"\x00\x01\x02 no table here" * 50)
    paths = [demo_dir / FILES[3], bad2, demo_dir / FILES[0], bad1]
    for children in (False, True):
        monkeypatch.setattr(workers, "PARALLEL_MIN_BYTES", 0 if children else 1 << 60)
        monkeypatch.setattr(workers, "cores", lambda: 2)
        with pytest.raises(RosterFileError) as caught:
            import_files(store, paths, key=KEY, today=AS_OF, dry_run=True)
        assert "坏2.xlsx" in str(caught.value), (children, caught.value)
        monkeypatch.undo()


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
    good = tmp_path / "good.csv"
    good.write_text("区划代码,名称,层级\n330226,宁海县,县\n", encoding="utf-8")
    sparse = _sparse_xlsx(tmp_path / "sparse.xlsx")
    with pytest.raises(ValidationFailed) as caught:
        workers.parse_in_children(
            [good, sparse],
            ["好.csv", "稀疏.xlsx"],
            kind=None,
            key=KEY,
            today=AS_OF,
            max_bytes=None,
            limits=workers.Limits(100, 60.0),
            spool=tmp_path,
            children=2,
        )
    assert "“稀疏.xlsx”" in str(caught.value)
    assert isinstance(caught.value, PayloadTooLarge) or "异常终止" in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.csv", "sparse.xlsx"]


def test_children_over_the_wall_clock_are_stopped(tmp_path: Path) -> None:
    paths = []
    for i in range(2):
        p = tmp_path / f"{i}.csv"
        p.write_text("区划代码,名称,层级\n" + "330226,宁海县,县\n" * 50_000, encoding="utf-8")
        paths.append(p)
    with pytest.raises(UploadTimeout) as caught:
        workers.parse_in_children(
            paths,
            ["甲.csv", "乙.csv"],
            kind=None,
            key=KEY,
            today=AS_OF,
            max_bytes=None,
            limits=workers.Limits(0, 0.05),
            spool=tmp_path,
            children=2,
        )
    assert "“甲.csv”" in str(caught.value) or "“乙.csv”" in str(caught.value)
    assert not multiprocessing.active_children()
