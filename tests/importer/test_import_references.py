"""References that do not resolve are row errors with sheet, Excel row and column, never
crashes, and never take other rows down with them (docs/design.md#importer)."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from importer_helpers import (
    AREAS,
    CJK,
    MEMBERS,
    ORGS,
    by_file,
    demo_rows,
    dump,
    import_demo,
    run_import,
    text,
    write_csv,
)

from orgraph.importer.report import FileReport
from orgraph.store import GraphStore


def _issue(f: FileReport, row: int) -> tuple[str, int | None, str | None]:
    found = [i for i in f.rejected if i.row == row]
    assert len(found) == 1, (row, f.rejected)
    assert CJK.search(found[0].message), found[0]
    return found[0].sheet, found[0].row, found[0].column


def test_unknown_references_reject_only_their_rows(
    store: GraphStore, demo_dir: Path, tmp_path: Path
) -> None:
    rows = demo_rows(demo_dir)
    import_demo(store, demo_dir)
    village = next(text(r["区划代码"]) for r in rows[AREAS] if r["层级"] == "村")
    hamlet = next(text(r["区划代码"]) for r in rows[AREAS] if r["层级"] == "组")
    branch = next(r for r in rows[ORGS] if r["组织类别"] == "党支部")
    member = next(text(r["人员编号"]) for r in rows[MEMBERS] if r["人员编号"])
    new_hamlet = village + "901"

    areas = write_csv(
        tmp_path / "新区划.csv",
        [
            ["区划代码", "名称", "层级", "上级代码"],
            [new_hamlet, "第901组", "组", village],
            ["330226999", "无上级镇", "乡镇", "330299"],
        ],
    )
    households = write_csv(
        tmp_path / "新农户.csv",
        [
            ["户编号", "所在区划代码", "户主姓名"],
            ["T-0001", hamlet, "甲"],
            ["T-0002", "330226999999999", "乙"],
            ["T-0003", new_hamlet, "丙"],  # an area of the same call
        ],
        "gb18030",
    )
    members = write_csv(
        tmp_path / "新党员.csv",
        [
            ["姓名", "人员编号", "所在党支部"],
            ["新甲", "TM001", branch["组织名称"]],
            ["新乙", "TM002", "宁海县不存在的党支部"],
            ["新丙", "TM003", branch["组织编号"]],  # by id
        ],
    )
    contacts = write_csv(
        tmp_path / "新联系.csv",
        [
            ["人员编号", "联系对象类型", "联系对象编号", "开始日期"],
            ["TM001", "户", "T-0001", "2025-01-01"],
            [member, "户", "NOPE-0001", "2025-01-01"],
            ["TM002", "户", "T-0001", "2025-01-01"],  # its member row was rejected
            [member, "户", "T-0002", "2025-01-01"],  # its household row was rejected
            [member, "村", hamlet, "2025-01-01"],  # a hamlet is not a village
            ["TM003", "组", new_hamlet, "2025-01-01"],
        ],
    )
    before = dump(store)
    report = run_import(store, [contacts, members, households, areas])
    files = by_file(report)

    a, h, m, c = (files[p.name] for p in (areas, households, members, contacts))
    assert _issue(a, 3) == ("新区划", 3, "上级代码")
    assert "330299" in a.rejected[0].message
    assert _issue(h, 3) == ("新农户", 3, "所在区划代码")
    assert _issue(m, 3) == ("新党员", 3, "所在党支部")
    assert "宁海县不存在的党支部" in m.rejected[0].message
    assert _issue(c, 3) == ("新联系", 3, "联系对象编号")
    assert {"人员编号", "公民身份号码"} & set(cast(str, _issue(c, 4)[2]).split("/"))
    assert _issue(c, 5) == ("新联系", 5, "联系对象编号")
    assert _issue(c, 6) == ("新联系", 6, "联系对象编号")
    for f, accepted in ((a, 1), (h, 2), (m, 2), (c, 2)):
        assert (f.created, f.updated, f.unchanged) == (accepted, 0, 0), f.path
        assert f.accepted + len({i.row for i in f.rejected}) == f.rows
        assert all(i.row is not None for i in f.rejected)

    g = dump(store)
    assert len(g.nodes) == len(before.nodes) + 1 + 2 + 2
    assert {a["code"] for a in g.label("Area")} - {a["code"] for a in before.label("Area")} == {
        new_hamlet
    }
    assert (new_hamlet, village) in {(x, y) for x, y, _ in g.rel("PART_OF")}
    ins = {x: y for x, y, _ in g.rel("IN")}
    assert (ins.get("T-0001"), ins.get("T-0003"), ins.get("T-0002")) == (hamlet, new_hamlet, None)
    belongs = {x: y for x, y, _ in g.rel("BELONGS_TO")}
    assert (belongs.get("TM001"), belongs.get("TM003")) == (branch["组织编号"],) * 2
    assert "TM002" not in {x["key"] for x in g.label("Member")}
    new_rels = {(t, x, y) for t, _, x, _, y, _ in g.rels} - {
        (t, x, y) for t, _, x, _, y, _ in before.rels
    }
    assert {r for r in new_rels if r[0] in ("CONTACTS", "RESPONSIBLE_FOR")} == {
        ("CONTACTS", "TM001", "T-0001"),
        ("RESPONSIBLE_FOR", "TM003", new_hamlet),
    }


def test_unknown_group_and_target_kind_mismatch(
    store: GraphStore, demo_dir: Path, tmp_path: Path
) -> None:
    rows = demo_rows(demo_dir)
    import_demo(store, demo_dir, (AREAS, ORGS))
    branch = next(r for r in rows[ORGS] if r["组织类别"] == "党支部")
    group = next(r for r in rows[ORGS] if r["组织类别"] == "党小组")
    members = write_csv(
        tmp_path / "m.csv",
        [
            ["姓名", "人员编号", "所在党支部", "所在党小组"],
            ["甲", "X1", branch["组织名称"], "没有这个党小组"],
            ["乙", "X2", "", group["组织名称"]],
            ["丙", "X3", group["组织名称"], ""],  # a party group is not a branch
            ["丁", "X4", branch["组织名称"], ""],
        ],
    )
    f = by_file(run_import(store, [members]))["m.csv"]
    assert _issue(f, 2) == ("m", 2, "所在党小组")
    assert _issue(f, 3) == ("m", 3, "所在党小组")
    assert _issue(f, 4) == ("m", 4, "所在党支部")
    assert (f.created, f.rows) == (1, 4)
    assert [m["key"] for m in dump(store).label("Member")] == ["X4"]


def test_a_zu_target_is_a_hamlet_or_a_party_group(
    store: GraphStore, demo_dir: Path, tmp_path: Path
) -> None:
    """联系对象类型 组 with a party group's 组织编号 (村干部包组 assigned to party groups, #18)
    links the group; with a hamlet's code, the hamlet; an id that is both is rejected naming
    both; explicit 村民小组 / 党小组 keep to their kind."""
    rows = demo_rows(demo_dir)
    import_demo(store, demo_dir, (AREAS, ORGS))
    hamlet = next(r for r in rows[AREAS] if r["层级"] == "组")
    group = next(r for r in rows[ORGS] if r["组织类别"] == "党小组")
    branch = next(r for r in rows[ORGS] if r["组织类别"] == "党支部")
    village = text(hamlet["上级代码"])
    twin = text(group["组织编号"])  # a hamlet coded like the party group: ambiguous
    areas = write_csv(
        tmp_path / "a.csv",
        [["区划代码", "名称", "层级", "上级代码"], [twin, "重号组", "组", village]],
    )
    members = write_csv(
        tmp_path / "m.csv", [["姓名", "人员编号", "所在党支部"], ["甲", "Z1", branch["组织编号"]]]
    )
    contacts = write_csv(
        tmp_path / "c.csv",
        [
            ["人员编号", "联系对象类型", "联系对象编号", "开始日期"],
            ["Z1", "组", text(hamlet["区划代码"]), "2025-01-01"],
            ["Z1", "党小组", twin, "2025-01-01"],  # explicit: no ambiguity
            ["Z1", "组", twin, "2025-02-01"],  # both a hamlet and a party group
            ["Z1", "村民小组", text(branch["组织编号"]), "2025-01-01"],  # not a hamlet
            ["Z1", "组", "NO-SUCH-GROUP", "2025-01-01"],
        ],
    )
    f = by_file(run_import(store, [areas, members, contacts]))["c.csv"]
    assert _issue(f, 4) == ("c", 4, "联系对象编号")
    both = next(i.message for i in f.rejected if i.row == 4)
    assert "重号组" in both and text(group["组织名称"]) in both
    assert _issue(f, 5) == ("c", 5, "联系对象编号")
    assert _issue(f, 6) == ("c", 6, "联系对象编号")
    assert (f.created, f.rows) == (2, 5)
    assert {(x, y) for x, y, _ in dump(store).rel("RESPONSIBLE_FOR")} == {
        ("Z1", text(hamlet["区划代码"])),
        ("Z1", twin),
    }
    # A party group by its id through 组 alone (the probe's case).
    again = write_csv(
        tmp_path / "c2.csv",
        [
            ["人员编号", "联系对象类型", "联系对象编号", "开始日期"],
            [
                "Z1",
                "组",
                text(
                    next(
                        r
                        for r in rows[ORGS]
                        if r["组织类别"] == "党小组" and text(r["组织编号"]) != twin
                    )["组织编号"]
                ),
                "2025-03-01",
            ],
        ],
    )
    g = by_file(run_import(store, [again]))["c2.csv"]
    assert (g.created, g.rejected) == (1, [])


# -- chains, header names, renumbered members (each was once a bug) ---------------------------


def test_children_of_a_rejected_area_are_rejected_not_orphaned(
    store: GraphStore, tmp_path: Path
) -> None:
    areas = write_csv(
        tmp_path / "a.csv",
        [
            ["区划代码", "名称", "层级", "上级代码"],
            ["330226", "宁海县", "县", ""],
            ["330226101", "某镇", "乡镇", "330299"],  # unknown parent: rejected
            ["330226101201", "某村", "村", "330226101"],  # parent is the rejected row
            ["330226101201001", "第1组", "组", "330226101201"],  # grandparent rejected
            ["330226102", "甲镇", "乡镇", "330226102201"],  # a cycle: 甲镇 under 乙村 under 甲镇
            ["330226102201", "乙村", "村", "330226102"],
            ["330226103", "丙镇", "乡镇", "330226"],  # fine
        ],
    )
    f = by_file(run_import(store, [areas]))["a.csv"]
    assert sorted(cast(int, i.row) for i in f.rejected) == [3, 4, 5, 6, 7]
    assert {i.column for i in f.rejected} == {"上级代码"}
    assert all(CJK.search(i.message) and cast(str, i.value) in i.message for i in f.rejected)
    assert (f.created, f.rows) == (2, 7)
    g = dump(store)
    assert sorted(a["code"] for a in g.label("Area")) == ["330226", "330226103"]
    assert [(x, y) for x, y, _ in g.rel("PART_OF")] == [("330226103", "330226")]


def test_children_of_a_rejected_org_are_rejected_not_orphaned(
    store: GraphStore, tmp_path: Path
) -> None:
    orgs = write_csv(
        tmp_path / "o.csv",
        [
            ["组织编号", "组织名称", "组织类别", "上级组织编号", "所在区划代码"],
            ["D1", "某县委", "党委", "", ""],
            ["D2", "某镇党委", "党委", "D1", "330299"],  # unknown area: rejected
            ["D3", "某村党支部", "党支部", "D2", ""],  # parent is the rejected row
            ["D4", "某村党支部第一党小组", "党小组", "某村党支部", ""],  # by name, grandparent gone
            ["D5", "另一村党支部", "党支部", "某县委", ""],  # parent by name: fine
        ],
    )
    f = by_file(run_import(store, [orgs]))["o.csv"]
    assert sorted(cast(int, i.row) for i in f.rejected) == [3, 4, 5]
    assert [i.column for i in sorted(f.rejected, key=lambda i: i.row or 0)] == [
        "所在区划代码",
        "上级组织编号",
        "上级组织编号",
    ]
    g = dump(store)
    assert sorted(o["id"] for o in g.label("Org")) == ["D1", "D5"]
    assert [(x, y) for x, y, _ in g.rel("UNDER")] == [("D5", "D1")]


def test_reference_errors_name_the_header_as_written(
    store: GraphStore, demo_dir: Path, tmp_path: Path
) -> None:
    import_demo(store, demo_dir, (AREAS, ORGS))
    areas = write_csv(
        tmp_path / "a.csv",
        [["区划代码", "名称", "层级", "上级区划代码"], ["330226901", "某镇", "乡镇", "330299"]],
    )
    hh = write_csv(tmp_path / "h.csv", [["户编号", "区划代码"], ["T-1", "330226999999999"]])
    members = write_csv(
        tmp_path / "m.csv", [["姓名", "人员编号", "所属党支部"], ["甲", "X1", "没有这个支部"]]
    )
    f = by_file(run_import(store, [areas, hh, members]))
    got = {name: _issue(f[name], 2)[2] for name in ("a.csv", "h.csv", "m.csv")}
    assert got == {"a.csv": "上级区划代码", "h.csv": "区划代码", "m.csv": "所属党支部"}


def test_a_member_is_found_by_a_changed_member_number(
    store: GraphStore, demo_dir: Path, tmp_path: Path
) -> None:
    rows = demo_rows(demo_dir)
    import_demo(store, demo_dir, (AREAS, ORGS))
    branch = next(r["组织名称"] for r in rows[ORGS] if r["组织类别"] == "党支部")
    idn = next(text(r["公民身份号码"]) for r in rows[MEMBERS])
    first = write_csv(
        tmp_path / "m1.csv",
        [["姓名", "人员编号", "公民身份号码", "所在党支部"], ["甲", "OLD-1", idn, branch]],
    )
    second = write_csv(
        tmp_path / "m2.csv",
        [["姓名", "人员编号", "公民身份号码", "所在党支部"], ["甲", "NEW-1", idn, branch]],
    )
    reports = write_csv(
        tmp_path / "r.csv", [["人员编号", "日期", "方式"], ["NEW-1", "2025-01-01", "电话"]]
    )
    run_import(store, [first])
    f = by_file(run_import(store, [second]))["m2.csv"]
    assert (f.created, f.updated) == (0, 1)  # the same person: one node, renumbered
    members = dump(store).label("Member")
    assert [m["member_no"] for m in members] == ["NEW-1"]
    r = by_file(run_import(store, [reports]))["r.csv"]
    assert (r.created, r.rejected) == (1, [])


def test_child_of_an_org_rejected_for_an_ambiguous_parent_is_rejected(
    store: GraphStore, tmp_path: Path
) -> None:
    run_import(
        store,
        [
            write_csv(
                tmp_path / "o1.csv",
                [
                    ["组织编号", "组织名称", "组织类别", "上级组织编号"],
                    ["P1", "同名党委", "党委", ""],
                    ["P2", "同名党委", "党委", ""],
                ],
            )
        ],
    )
    f = by_file(
        run_import(
            store,
            [
                write_csv(
                    tmp_path / "o2.csv",
                    [
                        ["组织编号", "组织名称", "组织类别", "上级组织编号"],
                        ["A", "甲支部", "党支部", "同名党委"],  # ambiguous parent name: rejected
                        ["B", "甲支部第一党小组", "党小组", "A"],  # its parent is the rejected row
                    ],
                )
            ],
        )
    )["o2.csv"]
    assert [i.row for i in f.rejected if i.row == 2] == [2]
    g = dump(store)
    assert 3 in {i.row for i in f.rejected} or ("B", "A") in {(x, y) for x, y, _ in g.rel("UNDER")}
