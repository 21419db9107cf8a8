"""党小组工作记录 (docs/rules.md "党小组 appraisal") on each engine: rows become a group's months
(月总结, 督查, 考评), bad rows are named, a second import changes nothing, and the three group
rules read the records and the members roster as written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from importer_helpers import (
    AS_OF,
    MEMBERS,
    ORGS,
    by_file,
    dump,
    import_demo,
    read_rows,
    run_import,
    write_csv,
)
from importer_helpers import text as cell

from orgraph.analysis.engine import Engine
from orgraph.errors import NotFound, ValidationFailed
from orgraph.policy import Policy
from orgraph.store import GraphStore

HEADER = [
    "党小组编号",
    "党小组名称",
    "月份",
    "月总结",
    "督查日期",
    "督查发现",
    "考评得分",
    "考评等次",
]


def test_group_records(store: GraphStore, demo_dir: Path, tmp_path: Path) -> None:
    import_demo(store, demo_dir)
    orgs = read_rows(demo_dir / ORGS)
    groups = [cell(o["组织编号"]) for o in orgs if cell(o["组织类别"]) == "党小组"]
    branch = next(cell(o["组织编号"]) for o in orgs if cell(o["组织类别"]) == "党支部")
    names = {cell(o["组织编号"]): cell(o["组织名称"]) for o in orgs}
    a, b = groups[:2]
    rows: list[list[Any]] = [
        HEADER,
        [a, "", "2026-07", "是", "", "", "", ""],  # 2
        [a, "", "2026年8月", "是", "2026-08-15", "记录不全", "", ""],  # 3: Q3 inspected
        [a, "", "2026-09", "否", "", "", "", ""],  # 4: no summary in September
        ["", names[a], "2026-10", "是", "", "", "92", "优秀"],  # 5: by name, appraised
        [b, "", "2026-10", "是", "", "", "", "很棒"],  # 6: grade not understood: warned
        [branch, "", "2026-10", "是", "", "", "", ""],  # 7: a branch, not a group
        [a, "", "2026-07", "是", "", "", "", ""],  # 8: repeats row 2
    ]
    path = write_csv(tmp_path / "党小组工作记录.csv", rows)
    f = by_file(run_import(store, [path]))[path.name]
    assert f.kind == "group_records"
    assert f.created == 5
    bad = {i.row: (i.column, i.message) for i in f.rejected}
    assert set(bad) == {7, 8}, bad
    assert bad[7][0] == "党小组编号" and "党小组" in bad[7][1]
    assert "与第2行重复" in bad[8][1]
    warned = {i.row: (i.column, i.message) for i in f.warnings}
    assert warned[6] == ("考评等次", "无法识别的考评等次“很棒”，应为优秀、良好、一般或较差")
    stored = {r["id"]: r for r in dump(store).label("GroupRecord")}
    assert stored[f"{a}|2026-10"]["grade"] == "excellent"
    assert stored[f"{a}|2026-10"]["score"] == 92
    assert stored[f"{a}|2026-09"]["summary"] is False
    again = by_file(run_import(store, [path]))[path.name]
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)

    e = Engine(store)
    summary = {i["id"]: i for i in e.gaps("group_no_summary", as_of=AS_OF)["items"]}
    # records begin 2026-07: the months checked are July to October
    assert summary[a]["missed"] == ["2026-09"] and summary[a]["last"] == "2026-10"
    assert summary[b]["missed"] == ["2026-07", "2026-08", "2026-09"]
    inspection = {i["id"]: i for i in e.gaps("group_no_inspection", as_of=AS_OF)["items"]}
    assert a not in inspection  # 2026-Q3 inspected; Q4 is not over
    assert inspection[b]["missed"] == ["2026-Q3"] and inspection[b]["last"] is None
    before = e.gaps("group_no_summary", as_of="2026-06-15")
    assert before["no_data"] is True and before["total"] == 0

    # group_no_leader, against the members roster read here: 党小组长 of an on-roll member
    # (所在党小组 names the group, by name or id)
    by_name = {n: i for i, n in names.items()}
    led = {
        by_name.get(cell(m["所在党小组"]), cell(m["所在党小组"]))
        for m in read_rows(demo_dir / MEMBERS)
        if "党小组长" in cell(m.get("职务")) and cell(m.get("所在党小组"))
    }
    no_leader = {i["id"] for i in e.gaps("group_no_leader", as_of=AS_OF, page_size=500)["items"]}
    assert no_leader == set(groups) - led

    # The township's ranking for 2026-Q3 (docs/rules.md "Township ranking of party groups"):
    # the record figures as written; no meetings were imported, so no meeting month counts.
    township = e.chain(_household(e, a), as_of=AS_OF)["household"]["township"]["code"]
    ranking = e.group_ranking(township, as_of=AS_OF)
    assert ranking["quarter"] == "2026-Q3" and ranking["records"] and not ranking["life"]
    ranked = {r["id"]: r for r in ranking["rows"]}
    assert (ranked[a]["summaries"], ranked[a]["inspected"], ranked[a]["meeting_months"]) == (
        2,
        True,
        0,
    )
    points = [r["points"] for r in ranking["rows"]]
    assert points == sorted(points, reverse=True)
    for r in ranking["rows"]:
        assert r["rank"] == 1 + sum(1 for x in points if x > r["points"])
        want = (
            r["summaries"] * 10
            + (10 if r["inspected"] else 0)
            + (10 if 5 <= r["members"] <= 15 else 0)
            + (20 * r["contacts_ok"] // r["eligible"] if r["eligible"] else 0)
        )
        assert r["points"] == want
    assert ranking["red_flag"] is None or ranking["red_flag"]["points"] >= 80
    anyone = Engine(store, policy=Policy(red_flag_min_points=0)).group_ranking(
        township, quarter="2026-Q3", as_of=AS_OF
    )
    top = anyone["rows"][0]
    assert anyone["red_flag"]["id"] == top["id"]
    assert [t["id"] for t in anyone["red_flag"]["tied"]] == [
        r["id"] for r in anyone["rows"][1:] if r["points"] == top["points"]
    ]
    with pytest.raises(ValidationFailed):
        e.group_ranking(township, quarter="2026-Q4", as_of=AS_OF)  # not over yet
    with pytest.raises(NotFound):
        e.group_ranking("999999999", as_of=AS_OF)


def _household(e: Engine, group: str) -> str:
    """A household under the group's home area (so in its township)."""
    p = e.projection()
    g = p.org_index[group]
    home = p.org_home_area[g]
    return next(p.hh_id[h] for h in range(len(p.hh_id)) if _under(p, int(p.hh_area[h]), home))


def _under(p: Any, a: int, top: int) -> bool:
    while a >= 0:
        if a == top:
            return True
        a = p.area_parent[a]
    return False
