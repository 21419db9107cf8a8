"""A person listed by two branches' rosters keeps both formal affiliations (member_multi_branch)
instead of the import silently moving the member; re-importing changes nothing."""

from __future__ import annotations

from pathlib import Path

from importer_helpers import AS_OF, MEMBERS, run_import, write_csv

from orgraph.analysis.engine import Engine
from orgraph.demo import generate
from orgraph.store import GraphStore

AREAS = [
    ["区划代码", "名称", "层级", "上级代码"],
    ["330226", "宁海县", "县", ""],
    ["330226101", "长街镇", "乡镇", "330226"],
    ["330226101201", "甲村", "村", "330226101"],
    ["330226101202", "乙村", "村", "330226101"],
]
ORGS = [
    ["组织编号", "组织名称", "组织类别", "上级组织编号", "所在区划代码"],
    ["D0", "县委", "党委", "", "330226"],
    ["D1", "长街镇党委", "党委", "D0", "330226101"],
    ["DA", "甲村党支部", "党支部", "D1", "330226101201"],
    ["DB", "乙村党支部", "党支部", "D1", "330226101202"],
]
HEADER = ["姓名", "人员编号", "人员类别", "所在党支部"]


def _files(tmp: Path) -> list[Path]:
    return [
        write_csv(tmp / "areas.csv", AREAS),
        write_csv(tmp / "orgs.csv", ORGS),
        write_csv(
            tmp / "a.csv",
            [
                HEADER,
                ["张三", "M1", "正式党员", "甲村党支部"],
                ["李四", "M2", "正式党员", "甲村党支部"],
            ],
        ),
        write_csv(tmp / "b.csv", [HEADER, ["张三", "M1", "正式党员", "乙村党支部"]]),
    ]


def test_a_member_in_two_branch_rosters_keeps_both_affiliations(
    store: GraphStore, tmp_path: Path
) -> None:
    files = _files(tmp_path)
    first = run_import(store, files)
    by_name = {Path(f.path).name: f for f in first.files}
    assert by_name["a.csv"].created == 2 and by_name["b.csv"].updated == 1
    assert any("member_multi_branch" in w.message for w in by_name["b.csv"].warnings)
    gaps = Engine(store).gaps("member_multi_branch", as_of="2026-11-01")
    assert [i["id"] for i in gaps["items"]] == ["M1"]
    assert sorted(b["id"] for b in gaps["items"][0]["branches"]) == ["DA", "DB"]

    again = run_import(store, list(reversed(files)))
    assert again.totals()["created"] == 0 and again.totals()["updated"] == 0
    assert Engine(store).summary(as_of="2026-11-01")["counts"]["member_multi_branch"] == 1


def test_a_later_roster_without_the_duplicate_moves_the_member(
    store: GraphStore, tmp_path: Path
) -> None:
    files = _files(tmp_path)
    run_import(store, files)
    # The next month only branch B lists 张三: one affiliation again, in B.
    run_import(store, [files[3]])
    eng = Engine(store)
    assert eng.gaps("member_multi_branch", as_of="2026-11-01")["total"] == 0


def test_the_demo_plants_a_member_on_two_branch_rosters(store: GraphStore, tmp_path: Path) -> None:
    """The demo's members workbook has a second sheet listing one member again under a
    township organ branch: one Member, two BELONGS_TO, found by the rule."""
    summary = generate(tmp_path, scale="tiny", seed=1, as_of=AS_OF)
    planted = [p.id for p in summary.planted if p.type == "member_multi_branch"]
    files = sorted(p for p in tmp_path.iterdir() if p.suffix in (".xlsx", ".csv"))
    report = run_import(store, files)
    sheets = {f.sheet: f for f in report.files if Path(f.path).name == MEMBERS}
    assert set(sheets) == {"党员花名册", "补报党员"}
    assert (sheets["补报党员"].rows, sheets["补报党员"].created, sheets["补报党员"].updated) == (
        len(planted),
        0,
        len(planted),
    )
    assert report.totals()["rejected"] == 0
    gaps = Engine(store).gaps("member_multi_branch", as_of=AS_OF.isoformat())
    assert [i["id"] for i in gaps["items"]] == planted
    assert all(len(i["branches"]) == 2 for i in gaps["items"])
