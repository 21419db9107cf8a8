"""`--snapshot`: a full roster marks the members missing from it off roll, never deletes them,
and a later roster that lists them again puts them back (docs/design.md#importer)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from importer_helpers import (
    AREAS,
    HOUSEHOLDS,
    MEMBERS,
    ORGS,
    Row,
    by_file,
    diff,
    dump,
    edit_xlsx,
    import_demo,
    read_rows,
    run_import,
    text,
    write_csv,
)

from orgraph.importer.report import ImportReport
from orgraph.store import GraphStore

LATER = date(2026, 11, 15)


def _load(store: GraphStore, demo_dir: Path) -> list[Row]:
    import_demo(store, demo_dir, (AREAS, ORGS, HOUSEHOLDS, MEMBERS))
    return read_rows(demo_dir / MEMBERS)


def _branch_with_members(rows: list[Row], n: int = 3) -> tuple[str, list[str]]:
    per = Counter(r["所在党支部"] for r in rows if r["人员编号"] and r["所在党支部"])
    branch = next(b for b, k in per.most_common() if k >= n)
    return branch, [
        text(r["人员编号"]) for r in rows if r["所在党支部"] == branch and r["人员编号"]
    ]


def test_snapshot_marks_missing_members_off_roll_and_back(
    store: GraphStore, demo_dir: Path, tmp_path: Path
) -> None:
    rows = _load(store, demo_dir)
    _, in_branch = _branch_with_members(rows)
    gone = set(in_branch[:2])
    edit_xlsx(demo_dir / MEMBERS, tmp_path / "reduced.xlsx", drop=gone)
    before = dump(store)

    # Without --snapshot a shorter roster changes nothing.
    plain = run_import(store, [tmp_path / "reduced.xlsx"], today=LATER)
    assert plain.off_roll == 0
    assert diff(before, dump(store)) == ([], [], [], [])

    report = run_import(store, [tmp_path / "reduced.xlsx"], snapshot=True, today=LATER)
    f = by_file(report)["reduced.xlsx"]
    assert report.off_roll == 2
    assert (f.rows, f.created, f.updated, f.unchanged) == (len(rows) - 2, 0, 0, len(rows) - 2)
    after = dump(store)
    nodes_gone, nodes_new, rels_gone, rels_new = diff(before, after)
    assert rels_gone == rels_new == []  # nothing deleted: affiliations, contacts, history stay
    assert len(after.nodes) == len(before.nodes)
    old = {json.loads(n)[1]["key"]: json.loads(n)[1] for n in nodes_gone}
    new = {json.loads(n)[1]["key"]: json.loads(n)[1] for n in nodes_new}
    assert set(old) == set(new) == gone
    for k in gone:
        assert new[k] == {**old[k], "on_roll": False, "off_roll_on": LATER.isoformat()}
    assert all(m["on_roll"] is True for m in after.label("Member") if m["key"] not in gone)

    # The full roster again: the two are back on roll (updated), the graph as it was.
    back = run_import(store, [demo_dir / MEMBERS], snapshot=True, today=LATER)
    f = by_file(back)[MEMBERS]
    assert back.off_roll == 0
    assert (f.created, f.updated, f.unchanged) == (0, 2, len(rows) - 2)
    assert diff(before, dump(store)) == ([], [], [], [])


def test_snapshot_of_one_branch_leaves_other_branches_alone(
    store: GraphStore, demo_dir: Path, tmp_path: Path
) -> None:
    rows = _load(store, demo_dir)
    branch, in_branch = _branch_with_members(rows)
    drop = {
        text(r["公民身份号码"])
        for r in rows
        if r["所在党支部"] != branch or r["人员编号"] == in_branch[0]
    }
    edit_xlsx(demo_dir / MEMBERS, tmp_path / "one.xlsx", key_column="公民身份号码", drop=drop)
    assert len(read_rows(tmp_path / "one.xlsx")) == len(rows) - len(drop)
    report = run_import(store, [tmp_path / "one.xlsx"], snapshot=True, today=LATER)
    assert report.off_roll == 1
    off = [m["key"] for m in dump(store).label("Member") if not m["on_roll"]]
    assert off == [in_branch[0]]


def test_dry_run_snapshot_reports_but_marks_nothing(
    store: GraphStore, demo_dir: Path, tmp_path: Path
) -> None:
    rows = _load(store, demo_dir)
    _, in_branch = _branch_with_members(rows)
    edit_xlsx(demo_dir / MEMBERS, tmp_path / "reduced.xlsx", drop=set(in_branch[:2]))
    before = dump(store)
    report = run_import(
        store, [tmp_path / "reduced.xlsx"], snapshot=True, dry_run=True, today=LATER
    )
    assert report.off_roll == 2
    assert diff(before, dump(store)) == ([], [], [], [])


# -- a roster with rejected rows is no snapshot (each was once a bug) ---------------------------


def _assert_refused_and_nobody_off_roll(
    store: GraphStore, report: ImportReport, m: dict[str, Any]
) -> None:
    """Only the bad row is rejected, nobody goes off roll, and the report says why."""
    assert [i.row for i in by_file(report)["typo.xlsx"].rejected] == [m["_row"]]
    member = next(x for x in dump(store).label("Member") if x["key"] == m["人员编号"])
    assert (report.off_roll, member["on_roll"]) == (0, True)
    assert [x["key"] for x in dump(store).label("Member") if not x["on_roll"]] == []
    notes = [i for i in by_file(report)["typo.xlsx"].warnings if i.row is None]
    assert len(notes) == 1 and str(m["_row"]) in notes[0].message


def test_snapshot_keeps_members_whose_row_was_rejected_by_the_importer(
    store: GraphStore, demo_dir: Path, tmp_path: Path
) -> None:
    rows = _load(store, demo_dir)
    m = next(r for r in rows if r["人员编号"] and r["所在党支部"])
    edit_xlsx(
        demo_dir / MEMBERS,
        tmp_path / "typo.xlsx",
        {(m["人员编号"], "所在党小组"): "不存在的党小组"},
    )
    report = run_import(store, [tmp_path / "typo.xlsx"], snapshot=True, today=LATER)
    _assert_refused_and_nobody_off_roll(store, report, m)


def test_snapshot_keeps_members_whose_row_failed_validation(
    store: GraphStore, demo_dir: Path, tmp_path: Path
) -> None:
    rows = _load(store, demo_dir)
    m = next(r for r in rows if r["人员编号"] and r["所在党支部"])
    idn = text(m["公民身份号码"])
    bad = idn[:-1] + ("1" if idn[-1] != "1" else "2")  # checksum no longer matches
    edit_xlsx(demo_dir / MEMBERS, tmp_path / "typo.xlsx", {(m["人员编号"], "公民身份号码"): bad})
    report = run_import(store, [tmp_path / "typo.xlsx"], snapshot=True, today=LATER)
    _assert_refused_and_nobody_off_roll(store, report, m)


def test_snapshot_over_several_files_does_not_depend_on_their_order(
    store: GraphStore, other_store: GraphStore, tmp_path: Path
) -> None:
    base = [
        write_csv(
            tmp_path / "o.csv",
            [
                ["组织编号", "组织名称", "组织类别"],
                ["A", "甲支部", "党支部"],
                ["B", "乙支部", "党支部"],
            ],
        ),
        write_csv(
            tmp_path / "m.csv",
            [
                ["姓名", "人员编号", "所在党支部"],
                ["张", "M1", "甲支部"],
                ["李", "M2", "甲支部"],
                ["王", "M3", "乙支部"],
            ],
        ),
    ]
    a = write_csv(tmp_path / "a.csv", [["姓名", "人员编号", "所在党支部"], ["李", "M2", "甲支部"]])
    b = write_csv(
        tmp_path / "b.csv",
        [["姓名", "人员编号", "所在党支部"], ["王", "M3", "乙支部"], ["张", "M1", "乙支部"]],
    )  # moved
    results = []
    for g, order in ((store, [a, b]), (other_store, [b, a])):
        run_import(g, base)
        report = run_import(g, order, snapshot=True, today=LATER)
        results.append(
            (report.off_roll, sorted((n, f.updated) for n, f in by_file(report).items()))
        )
        assert all(m["on_roll"] for m in dump(g).label("Member"))
    assert results[0] == results[1] == (0, [("a.csv", 0), ("b.csv", 1)])
