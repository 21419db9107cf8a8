"""The demo's organisational-life and dues ledgers (组织生活记录.xlsx, 党费.csv) and the
members' 停止党籍日期: their layout, their references to the other rosters, and the planted
cases of the 14 life types read back from the files (demo_readback.LifeView)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

from demo_readback import (
    AS_OF,
    BRANCH_RULES,
    Demo,
    halfwidth,
    holds,
    key,
    load,
    parse_month,
    shift,
)
from openpyxl import load_workbook

from orgraph.demo import DemoSummary, generate

LIFE_TYPES = (
    *BRANCH_RULES,
    "group_no_meeting",
    "meeting_no_quorum",
    "member_no_life",
    "member_life_lapse",
    "dues_arrears",
    "dues_lapse",
    "propose_suspension",
    "propose_removal",
)
MEETING_TYPES = {
    "党员大会",
    "支委会",
    "党小组会",
    "党课",
    "主题党日",
    "组织生活会",
    "民主评议党员",
    "谈心谈话",
}


def test_meetings_workbook_layout(tiny: tuple[Path, DemoSummary]) -> None:
    wb = load_workbook(tiny[0] / "组织生活记录.xlsx")
    assert wb.sheetnames == ["组织生活记录"]
    ws = wb.worksheets[0]
    assert ws["A1"].value == "宁海县党组织组织生活记录（截至2026年11月1日）"
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:I1"]
    assert ws["A2"].value == "组织编号" and ws["I2"].value == "主持人"
    assert ws.max_row == tiny[1].files["组织生活记录.xlsx"] + 2
    assert ws["C3"].is_date and ws["C3"].number_format == "yyyy-mm-dd"


def test_meetings_reference_the_rosters(tiny: tuple[Path, DemoSummary], tiny_demo: Demo) -> None:
    d = tiny_demo
    counts = tiny[1].counts
    rows = d.meetings
    assert len(rows) == counts["meetings"] > 300
    assert set(Counter(r["会议类型"] for r in rows)) == MEETING_TYPES
    first = date(*shift((AS_OF.year, AS_OF.month), -15), 1)  # the ledger's 15 months
    ids = set()
    named = {"参加人员": 0, "缺席人员": 0}
    for r in rows:
        assert r["组织编号"] in d.orgs, r
        on = r["会议日期"].date()
        assert first <= on < AS_OF
        assert r["会议类型"] in MEETING_TYPES and r["会议主题"]
        ids.add((r["组织编号"], r["会议类型"], on, halfwidth(r["会议主题"])))
        for col in named:
            people = [x for x in str(r[col]).split(";") if x]
            assert all(x in d.by_key for x in people), (col, r)
            assert len(set(people)) == len(people)
            named[col] += len(people)
        if r["应到人数"] != "":
            assert 0 <= r["实到人数"] <= r["应到人数"]
            # nobody came: the absentees are named (an empty 参加人员 reads as all present)
            assert r["实到人数"] > 0 or r["缺席人员"], r
        assert not (r["参加人员"] and r["缺席人员"])  # one list or the other
    assert len(ids) == len(rows)  # a meeting's id is org|type|date|topic: no repeat
    assert named == {
        "参加人员": counts["meetings.attendees"],
        "缺席人员": counts["meetings.absentees"],
    }
    # mostly absentees are written; the committee lists who sat (and a 谈心谈话 who talked)
    listing = [r for r in rows if r["会议类型"] not in ("支委会", "谈心谈话")]
    assert sum(bool(r["缺席人员"]) for r in listing) > sum(bool(r["参加人员"]) for r in listing)
    assert all(r["参加人员"] for r in rows if r["会议类型"] in ("支委会", "谈心谈话"))
    # groups meet as groups, committees only in branches with 7 members or more
    for r in rows:
        kind = d.orgs[r["组织编号"]]["组织类别"]
        if r["会议类型"] == "党小组会":
            assert kind == "党小组"
        if r["会议类型"] == "支委会":
            assert len(d.life().members_of(r["组织编号"])) >= 7


def test_dues_ledger(tiny: tuple[Path, DemoSummary], tiny_demo: Demo) -> None:
    raw = (tiny[0] / "党费.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").startswith("姓名,人员编号,公民身份号码,缴至,缴纳日期,金额\r\n")
    d = tiny_demo
    rows = d.dues
    assert len(rows) == tiny[1].counts["dues"] > len(d.members)
    forms = Counter("年" in r["缴至"] for r in rows)
    assert forms[True] and forms[False]  # both "2026-09" and "2026年9月"
    seen = set()
    for r in rows:
        k = key(r)
        assert k in d.by_key and d.by_key[k]["姓名"] == r["姓名"]
        assert r["人员编号"] == d.by_key[k]["人员编号"]
        to = parse_month(r["缴至"])
        paid = date.fromisoformat(r["缴纳日期"])
        joined = d.by_key[k]["入党日期"].date()
        assert joined < paid < AS_OF
        # paid in advance (a quarter, half a year) or for the month before, never for older
        assert (to[0] - paid.year) * 12 + to[1] - paid.month >= -1, r
        assert (to[0], to[1]) >= (joined.year, joined.month)
        assert re.fullmatch(r"\d+\.\d\d", r["金额"]) and float(r["金额"]) > 0
        assert (k, to) not in seen  # a payment's id is member|paid_to
        seen.add((k, to))
    # most members are paid up to last month or later
    view = d.life()
    owed = [n for m in d.members if (n := view.months_owed(key(m))) is not None]
    assert len(owed) == len(d.members) - 1  # all but the suspended member
    assert sum(n <= 1 for n in owed) > 0.85 * len(owed)


def test_suspended_only_where_planted(tiny: tuple[Path, DemoSummary], tiny_demo: Demo) -> None:
    removal = {p.id for p in tiny[1].planted if p.type == "propose_removal"}
    suspended = {key(m) for m in tiny_demo.members if m["停止党籍日期"]}
    assert suspended == removal and len(removal) == 1
    assert tiny[1].counts["members.suspended"] == 1


def test_every_life_type_is_planted_and_holds(
    tiny: tuple[Path, DemoSummary], tiny_demo: Demo
) -> None:
    planted = [p for p in tiny[1].planted if p.type in LIFE_TYPES]
    by_type = Counter(p.type for p in planted)
    assert set(by_type) == set(LIFE_TYPES)
    assert by_type["meeting_no_quorum"] == 2 and by_type["propose_suspension"] == 2
    assert by_type["member_no_life"] == by_type["member_life_lapse"] == 2  # at home and away
    assert [p for p in planted if not holds(tiny_demo, p.type, p.id, {})] == []
    kinds = {p.type: p.kind for p in planted}
    assert kinds["meeting_no_quorum"] == "meeting" and kinds["branch_no_appraisal"] == "org"
    away = [
        p.id
        for p in planted
        if p.type in ("member_no_life", "member_life_lapse") and tiny_demo.away(p.id)
    ]
    assert len(away) == 2


def test_orgs_keep_their_meetings_but_the_planted(
    tiny: tuple[Path, DemoSummary], tiny_demo: Demo
) -> None:
    """Every branch and group gap in the tiny county is a planted one (the county adds a few
    natural misses: test_demo_generate.test_county_scale)."""
    view = tiny_demo.life()
    for t in (*BRANCH_RULES, "group_no_meeting"):
        found = {oid for oid in tiny_demo.orgs if view.holds(t, oid)}
        assert found == {p.id for p in tiny[1].planted if p.type == t}, t
    quorum = {k.id for k in view.meetings if view.quorum_gap(k.id)}
    assert quorum == {p.id for p in tiny[1].planted if p.type == "meeting_no_quorum"}


def test_planted_life_holds_for_other_dates(tmp_path: Path) -> None:
    """Periods move with as_of: month ends, a January (the checked year is the last one) and a
    date early in a quarter; and three worlds that once failed: a mobile branch whose only
    attached member had gone silent (its empty 参加人员 read as everyone present: seeds 33 and
    18) and a county with one member away fit to plant (seed 15)."""
    cases = (
        (2, date(2027, 1, 31)),
        (4, date(2026, 4, 1)),
        (6, date(2025, 12, 15)),
        (33, date(2026, 5, 14)),
        (18, date(2024, 1, 5)),
        (15, date(2026, 3, 9)),
    )
    for seed, on in cases:
        out = tmp_path / f"s{seed}"
        s = generate(out, scale="tiny", seed=seed, as_of=on)
        demo = load(out, on)
        planted = [p for p in s.planted if p.type in LIFE_TYPES]
        assert {p.type for p in planted} == set(LIFE_TYPES)
        assert [p for p in planted if not holds(demo, p.type, p.id, {})] == []
