from __future__ import annotations

import itertools
import json
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from demo_readback import (
    AS_OF,
    BRANCH_RULES,
    FIRST_SECRETARY_TYPES,
    LEDGER_FILES,
    LEDGER_TYPES,
    Demo,
    FirstSecretaries,
    Ledgers,
    appointment_id,
    holds,
    key,
    load,
    read_xlsx,
)
from openpyxl import load_workbook
from typer.testing import CliRunner

from orgraph.demo import NOT_PLANTED, DemoSummary, generate, ids, places
from orgraph.demo.generate import SUMMARY_FILE
from orgraph.demo.rosters import FILES, HEADERS
from orgraph.vocab import GAP_TYPE_NAMES

# The Chinese header names of docs/design.md#rosters, per file (required and optional columns).
DESIGN_HEADERS = {
    "行政区划.xlsx": {"区划代码", "名称", "层级", "上级代码", "经度", "纬度"},
    "党组织.xlsx": {
        "组织编号",
        "组织名称",
        "组织类别",
        "上级组织编号",
        "所在区划代码",
        "驻在地",
        "成立日期",
        "届满日期",
        "软弱涣散",
    },
    "党员花名册.xlsx": {
        "姓名",
        "公民身份号码",
        "人员编号",
        "性别",
        "民族",
        "出生日期",
        "学历",
        "人员类别",
        "入党日期",
        "转正日期",
        "所在党支部",
        "所在党小组",
        "手机号码",
        "家庭户编号",
        "职务",
        "分类管理类别",
        "是否流动党员",
        "是否失联党员",
    },
    "农户.csv": {"户编号", "所在区划代码", "户主姓名", "地址", "人口数", "标签"},
    "联系关系.csv": {
        "人员编号",
        "公民身份号码",
        "联系对象类型",
        "联系对象编号",
        "开始日期",
        "结束日期",
    },
    "流动党员外出登记.xlsx": {
        "人员编号",
        "公民身份号码",
        "外出时间",
        "外出地点",
        "外出原因",
        "工作单位",
        "外出联系电话",
        "活动证编号",
        "流入地党组织",
        "返回时间",
        "联系人",
    },
    "报到记录.csv": {"人员编号", "公民身份号码", "日期", "方式", "党组织"},
    "组织生活记录.xlsx": {
        "组织编号",
        "会议类型",
        "会议日期",
        "会议主题",
        "应到人数",
        "实到人数",
        "参加人员",
        "缺席人员",
        "主持人",
    },
    "党费.csv": {"人员编号", "公民身份号码", "缴至", "缴纳日期", "金额"},
    "第一书记.xlsx": {
        "人员编号",
        "公民身份号码",
        "村党组织编号",
        "村党组织",
        "派出单位",
        "任职开始日期",
        "任职结束日期",
    },
    "整顿台账.xlsx": {
        "党组织编号",
        "党组织名称",
        "列入日期",
        "问题类型",
        "一村一策制定日期",
        "县级联系领导",
        "乡镇包联责任人",
        "派驻单位",
        "整顿期限",
        "验收日期",
        "验收结果",
        "整顿状态",
    },
    "督查记录.xlsx": {"党组织编号", "党组织名称", "督查日期", "督查组", "发现问题", "整改情况"},
    "党小组工作记录.xlsx": {
        "党小组编号",
        "党小组名称",
        "月份",
        "月总结",
        "督查日期",
        "督查发现",
        "考评得分",
        "考评等次",
    },
}
# Columns we write beyond the core columns of docs/design.md#rosters (the importer knows them).
EXTRA_HEADERS = {"整顿开始日期", "整顿期限", "整顿状态", "姓名", "停止党籍日期"}


def city_table() -> dict[str, str]:
    out = {v: d.city_code for d in places.DESTINATIONS for v in d.variants}
    out.update({d.city: d.city_code for d in places.DESTINATIONS})
    return out


# --------------------------------------------------------------------------- files


def test_tiny_writes_all_files(tiny: tuple[Path, DemoSummary]) -> None:
    out, summary = tiny
    for name in FILES:
        assert (out / name).is_file(), name
        assert summary.files[name] > 0, name
    data = json.loads((out / SUMMARY_FILE).read_text(encoding="utf-8"))
    assert data["scale"] == "tiny"
    assert data["files"] == summary.files
    # tiny really is tiny
    assert 300 <= summary.counts["households"] <= 700
    assert 80 <= summary.counts["members"] <= 200
    assert summary.counts["areas.村"] == 7
    # files counts rows (both sheets of the members workbook), counts["members"] persons
    assert summary.counts["members.listed_twice"] == 1
    assert summary.files["党员花名册.xlsx"] == summary.counts["members"] + 1


def test_headers_are_design_names(tiny_demo: Demo) -> None:
    assert set(tiny_demo.headers) == set(HEADERS) == set(DESIGN_HEADERS)
    for name, header in tiny_demo.headers.items():
        assert tuple(header[1:] if name == "党员花名册.xlsx" else header) == HEADERS[name]
        assert DESIGN_HEADERS[name] <= set(header), name
        assert set(header) - DESIGN_HEADERS[name] <= EXTRA_HEADERS | {"序号", "经度", "纬度"}


def test_members_roster_layout(tiny: tuple[Path, DemoSummary]) -> None:
    wb = load_workbook(tiny[0] / "党员花名册.xlsx")
    assert wb.sheetnames == ["党员花名册", "补报党员"]
    assert wb.active is wb.worksheets[0]
    titles = ("宁海县党员花名册（截至2026年11月1日）", "宁海县补报党员名单（截至2026年11月1日）")
    headers = []
    for ws, title in zip(wb.worksheets, titles, strict=True):
        assert ws["A1"].value == title
        assert any(str(r).startswith("A1:") for r in ws.merged_cells.ranges)
        assert ws["A2"].value == "序号"
        assert ws["A3"].value == 1  # each sheet numbers its own rows
        header = [c.value for c in ws[2]]
        headers.append(header)
        for col in ("公民身份号码", "手机号码", "人员编号"):
            k = header.index(col) + 1
            cells = [ws.cell(row=r, column=k) for r in range(3, ws.max_row + 1)]
            filled = [c for c in cells if c.value is not None]
            assert filled
            assert all(isinstance(c.value, str) and c.number_format == "@" for c in filled), col
    assert headers[0] == headers[1]
    assert wb.worksheets[1].max_row == 3  # title, header, one member (tiny)


def test_encodings(tiny: tuple[Path, DemoSummary]) -> None:
    out = tiny[0]
    raw = (out / "农户.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("gb18030")
    assert text.startswith("户编号,")
    with pytest.raises(UnicodeEncodeError):  # rare name characters: GB18030, not GBK
        text.encode("gbk")
    assert not raw.startswith(b"\xef\xbb\xbf")
    contacts = (out / "联系关系.csv").read_bytes()
    assert contacts.startswith(b"\xef\xbb\xbf")
    contacts.decode("utf-8")
    reports = (out / "报到记录.csv").read_bytes()
    assert not reports.startswith(b"\xef\xbb\xbf")
    assert reports.decode("utf-8").startswith("姓名,")
    dues = (out / "党费.csv").read_bytes()
    assert dues.startswith(b"\xef\xbb\xbf")
    assert dues.decode("utf-8-sig").startswith("姓名,")


# --------------------------------------------------------------------------- determinism


def _bytes(folder: Path) -> dict[str, bytes]:
    return {n: (folder / n).read_bytes() for n in (*FILES, SUMMARY_FILE)}


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", scale="tiny", seed=5, as_of=AS_OF)
    generate(tmp_path / "b", scale="tiny", seed=5, as_of=AS_OF)
    a, b = _bytes(tmp_path / "a"), _bytes(tmp_path / "b")
    for name in a:  # CSV and XLSX alike (fixed document and zip timestamps)
        assert a[name] == b[name], name


def test_other_seed_differs(tmp_path: Path) -> None:
    generate(tmp_path / "a", scale="tiny", seed=5, as_of=AS_OF)
    generate(tmp_path / "b", scale="tiny", seed=6, as_of=AS_OF)
    a, b = _bytes(tmp_path / "a"), _bytes(tmp_path / "b")
    for name in (
        "农户.csv",
        "联系关系.csv",
        "报到记录.csv",
        "党员花名册.xlsx",
        "组织生活记录.xlsx",
        "党费.csv",
    ):
        assert a[name] != b[name], name


def test_small_flag_is_tiny(tmp_path: Path) -> None:
    s = generate(tmp_path / "s", scale="county", small=True, seed=5, as_of=AS_OF)
    assert s.scale == "tiny"
    generate(tmp_path / "t", scale="tiny", seed=5, as_of=AS_OF)
    assert (tmp_path / "s" / "农户.csv").read_bytes() == (tmp_path / "t" / "农户.csv").read_bytes()


# --------------------------------------------------------------------------- content


def test_id_numbers_valid_and_match_birth(tiny_demo: Demo) -> None:
    seen = set()
    for m in tiny_demo.members:
        idn = m["公民身份号码"]
        assert isinstance(idn, str) and len(idn) == 18
        assert idn[:17].isdigit()
        assert ids.check_char(idn[:17]) == idn[17], idn
        assert ids.birth_of(idn) == m["出生日期"].date()
        assert ids.is_male(idn) == (m["性别"] == "男")
        assert idn not in seen
        seen.add(idn)
    # every member reference in the other files carries a valid ID number too
    for rows in (
        tiny_demo.contacts,
        tiny_demo.outflows,
        tiny_demo.reports,
        tiny_demo.appointments,
    ):
        assert all(ids.is_valid(r["公民身份号码"]) for r in rows)


def test_members_are_plausible(tiny_demo: Demo) -> None:
    ms = tiny_demo.members
    cats = Counter(m["人员类别"] for m in ms)
    assert set(cats) == {"正式党员", "预备党员"}
    assert cats["预备党员"] < 0.15 * len(ms)
    for m in ms:
        birth, joined = m["出生日期"].date(), m["入党日期"].date()
        assert joined >= date(birth.year + 18, 1, 1), m["姓名"]
        assert joined <= AS_OF
        if m["人员类别"] == "正式党员":
            assert m["转正日期"].date() > joined
        else:
            assert m["转正日期"] == ""
            assert (AS_OF - joined).days < 366
        assert 20 <= tiny_demo.age(m) <= 96
        assert (m["是否流动党员"] == "是") == tiny_demo.away(m["人员编号"] or m["公民身份号码"])
    assert any(not m["人员编号"] for m in ms)  # most, not all, have a 人员编号
    assert sum(bool(m["人员编号"]) for m in ms) > 0.8 * len(ms)
    roles = Counter(r for m in ms for r in str(m["职务"]).split(";") if r)
    for role in ("书记", "村两委", "党小组长", "县级领导", "乡镇干部", "第一书记"):
        assert roles[role] > 0, role


def test_referential_integrity(tiny_demo: Demo) -> None:
    d = tiny_demo
    areas, orgs = d.areas, d.orgs
    for a in areas.values():
        assert a["上级代码"] in (None, "") or str(a["上级代码"]) in areas
    names = {o["组织名称"] for o in orgs.values()}
    assert len(names) == len(orgs)  # names are unique, so a name identifies an org
    for o in orgs.values():
        assert o["上级组织编号"] == "" or o["上级组织编号"] in orgs
        assert o["所在区划代码"] == "" or o["所在区划代码"] in areas
    branch_kinds = {"党支部", "联合党支部"}
    for _, m in d.listings():
        if m["所在党支部"]:
            assert d.org_by_name[m["所在党支部"]]["组织类别"] in branch_kinds
        if m["所在党小组"]:
            g = d.org_by_name[m["所在党小组"]]
            assert g["组织类别"] == "党小组"
            assert orgs[g["上级组织编号"]]["组织名称"] == m["所在党支部"]
        if m["家庭户编号"]:
            assert m["家庭户编号"] in d.households
    for h in d.households.values():
        assert areas[h["所在区划代码"]]["层级"] in ("村", "社区", "组", "网格")
        assert h["户编号"].startswith(h["所在区划代码"][:12])
    members = set(d.by_key)
    targets = {
        "户": set(d.households),
        "党小组": {k for k, o in orgs.items() if o["组织类别"] == "党小组"},
    }
    levels = (("乡镇", ("乡镇", "街道")), ("村", ("村", "社区")), ("组", ("组", "网格")))
    for level, kinds in levels:
        targets[level] = {k for k, a in areas.items() if a["层级"] in kinds}
    for c in d.contacts:
        assert c["人员编号"] in members or c["公民身份号码"] in members
        assert c["联系对象编号"] in targets[c["联系对象类型"]], c
    for rows in (d.outflows, d.reports):
        for r in rows:
            assert (r["人员编号"] or r["公民身份号码"]) in members
    for r in d.reports:
        assert r["党组织"] in d.org_by_name
        assert r["方式"] in ("电话", "微信", "现场", "网上")
    for o in d.outflows:
        if o["返回时间"]:
            assert o["返回时间"] > o["外出时间"]


def test_outflow_history_is_consistent(tiny_demo: Demo) -> None:
    by_member: dict[str, list[tuple[date, date | None]]] = {}
    for o in tiny_demo.outflows:
        k = o["人员编号"] or o["公民身份号码"]
        ret = o["返回时间"].date() if o["返回时间"] else None
        by_member.setdefault(k, []).append((o["外出时间"].date(), ret))
    for episodes in by_member.values():
        episodes.sort()
        assert sum(r is None for _, r in episodes) <= 1
        for (_, r1), (l2, _) in itertools.pairwise(episodes):
            assert r1 is not None and r1 <= l2  # one episode at a time, the open one last


# --------------------------------------------------------------------------- planted gaps


def test_every_gap_type_is_planted(tiny: tuple[Path, DemoSummary]) -> None:
    summary = tiny[1]
    planted = {p.type for p in summary.planted}
    # every type, the six of the 整顿台账, 督查记录 and 党小组工作记录 too (#14): no type may
    # stop being planted unnoticed
    assert planted == set(GAP_TYPE_NAMES)
    assert NOT_PLANTED == {} and summary.not_planted == {}
    # both directions of the two-sided rules
    notes = Counter((p.type, p.note.split(" ")[0]) for p in summary.planted)
    assert any(t == "group_size" and n == "17" for t, n in notes)
    assert any(t == "group_size" and n == "3" for t, n in notes)
    loads = [p.note for p in summary.planted if p.type == "member_contact_load"]
    assert "联户 0 户" in loads and "联户 1 户" in loads and any("8" in x for x in loads)


def test_planted_cases_hold_in_the_files(tiny: tuple[Path, DemoSummary], tiny_demo: Demo) -> None:
    cities = city_table()
    wrong = [p for p in tiny[1].planted if not holds(tiny_demo, p.type, p.id, cities)]
    assert not wrong


def _check_multi_branch(summary: DemoSummary, demo: Demo, n: int) -> None:
    """The planted member_multi_branch cases: n persons, each on both sheets of the members
    workbook (same 人员编号 and 公民身份号码) under two existing branches, at home, with no
    party group in the second branch and no other planted case."""
    cases = [p for p in summary.planted if p.type == "member_multi_branch"]
    assert len(cases) == n == summary.counts["members.listed_twice"]
    assert summary.files["党员花名册.xlsx"] == summary.counts["members"] + n
    main, second = demo.member_sheets["党员花名册"], demo.member_sheets["补报党员"]
    assert len(second) == n
    assert len({key(m) for m in main}) == len(main) == summary.counts["members"]
    others = {p.id for p in summary.planted if p.type != "member_multi_branch"}
    for p in cases:
        assert p.kind == "member" and p.id not in others
        first = [m for m in main if key(m) == p.id]
        again = [m for m in second if key(m) == p.id]
        assert len(first) == len(again) == 1
        a, b = first[0], again[0]
        assert a["人员编号"] == b["人员编号"] == p.id  # keyed by 人员编号
        assert a["公民身份号码"] == b["公民身份号码"] and a["姓名"] == b["姓名"]
        assert a["所在党支部"] and b["所在党支部"] and a["所在党支部"] != b["所在党支部"]
        for name in (a["所在党支部"], b["所在党支部"]):
            assert demo.org_by_name[name]["组织类别"] == "党支部"  # both in the orgs file
        assert b["所在党小组"] == ""
        assert not any(
            o["组织类别"] == "党小组"
            and o["上级组织编号"] == demo.org_by_name[b["所在党支部"]]["组织编号"]
            for o in demo.orgs.values()
        )
        assert not demo.away(p.id) and a["是否流动党员"] == b["是否流动党员"] == "否"
        assert a["职务"] == "" and a["人员类别"] == b["人员类别"]
        assert demo.branches_of(p.id) == {
            "党员花名册": a["所在党支部"],
            "补报党员": b["所在党支部"],
        }
        assert holds(demo, p.type, p.id, {})


def test_member_multi_branch_is_a_second_sheet(
    tiny: tuple[Path, DemoSummary], tiny_demo: Demo
) -> None:
    _check_multi_branch(tiny[1], tiny_demo, 1)


def _check_first_secretaries(summary: DemoSummary, demo: Demo) -> None:
    """第一书记.xlsx: every row names a member of the roster and a village's top org; the
    planted cases are one of each type (per county) and hold; no other appointment is a case
    of first_secretary_absent or first_secretary_ending, and every other listed (weak) village
    organisation has a 第一书记 in office."""
    rows = demo.appointments
    assert len(rows) == summary.files["第一书记.xlsx"] == summary.counts["first_secretaries"]
    fs = FirstSecretaries(demo)
    by_id = fs.by_id
    assert len(by_id) == len(rows)  # ids are unique
    counties = summary.counts["areas.县"]
    planted = {t: {p.id for p in summary.planted if p.type == t} for t in FIRST_SECRETARY_TYPES}
    for t, cases in planted.items():
        assert len(cases) == counties, t
        assert all(holds(demo, t, i, {}) for i in cases), t
    for p in summary.planted:
        if p.type in FIRST_SECRETARY_TYPES[1:]:
            assert p.kind == "appointment" and p.id in by_id
            assert p.id.split("|")[0] == by_id[p.id]["人员编号"]  # keyed by 人员编号
    active = [a for a in rows if fs.active(a)]
    assert len(active) == summary.counts["first_secretaries.active"]
    assert len(active) < len(rows)  # some history: ended appointments
    assert any(a["任职结束日期"] == "" for a in active)  # and terms with no end written
    for a in rows:
        m = demo.by_key[key(a)]
        assert m["姓名"] == a["姓名"] and m["公民身份号码"] == a["公民身份号码"]
        o = demo.orgs[a["村党组织编号"]]
        assert o["组织名称"] == a["村党组织"]
        assert demo.areas[str(o["所在区划代码"])]["层级"] in ("村", "社区")
        assert (
            o["上级组织编号"] == ""
            or demo.orgs[o["上级组织编号"]]["所在区划代码"] != (o["所在区划代码"])
        )
        assert a["派出单位"].startswith(demo.areas[str(o["所在区划代码"])[:6]]["名称"])
        since, until = fs.span(a)
        assert until is None or until > since
        if fs.active(a):
            assert 365 <= (demo.as_of - since).days <= 913
            assert "第一书记" in demo.roles(key(a))
            if appointment_id(a) not in planted["first_secretary_absent"]:
                assert not fs.absent(a)
                assert fs.contacts(a) >= 1 and fs.meetings(a) >= 1
            if appointment_id(a) not in planted["first_secretary_ending"]:
                assert not fs.ending(a)
        else:
            assert until is not None and until <= demo.as_of
            assert "第一书记" not in demo.roles(key(a))
    screened = [
        oid
        for oid, o in demo.orgs.items()
        if o["组织类别"] in ("党支部", "党总支", "联合党支部")
        and demo.areas.get(str(o["所在区划代码"]), {}).get("层级") in ("村", "社区")
        and fs.listed(oid)
    ]
    assert len(screened) > len(planted["weak_no_first_secretary"])
    for oid in screened:
        assert fs.served(oid) == (oid not in planted["weak_no_first_secretary"]), oid


def test_first_secretaries(tiny: tuple[Path, DemoSummary], tiny_demo: Demo) -> None:
    _check_first_secretaries(tiny[1], tiny_demo)
    wb = load_workbook(tiny[0] / "第一书记.xlsx")
    ws = wb.worksheets[0]
    assert wb.sheetnames == ["第一书记"]
    assert ws["A1"].value == "宁海县驻村第一书记名册（截至2026年11月1日）"
    header = [c.value for c in ws[2]]
    for col in ("人员编号", "公民身份号码", "村党组织编号"):
        k = header.index(col) + 1
        cells = [ws.cell(row=r, column=k) for r in range(3, ws.max_row + 1)]
        assert all(c.value is None or c.number_format == "@" for c in cells), col


def _check_ledgers(summary: DemoSummary, demo: Demo) -> None:
    """整顿台账, 督查记录 and 党小组工作记录: one planted case of each of their six types per
    county, each holding; the ledger writes exactly the 党组织 roster's episodes, alike (so a
    second import changes nothing); every other episode, and every other group of the pilot
    townships (every group of a township that keeps the records), is compliant; a few hundred
    rows at most per roster."""
    counties = summary.counts["areas.县"]
    planted = {t: {p.id for p in summary.planted if p.type == t} for t in LEDGER_TYPES}
    led = Ledgers(demo)
    for t, cases in planted.items():
        assert len(cases) == counties, t
        assert all(led.holds(t, i) for i in cases), t
    rows = {name: summary.files[name] for name in LEDGER_FILES}
    assert rows["整顿台账.xlsx"] == len(demo.rectifications) == summary.counts["rectifications"]
    assert rows["督查记录.xlsx"] == len(demo.inspections) == summary.counts["inspections"]
    assert rows["党小组工作记录.xlsx"] == len(demo.group_records)
    assert rows["党小组工作记录.xlsx"] == summary.counts["group_records"]
    assert all(0 < n <= 400 * counties for n in rows.values()), rows
    D = demo.as_of
    # the same episodes as the 党组织 roster's 整顿 columns, with the same dates and status
    in_orgs = {
        (oid, o["整顿开始日期"], o["整顿期限"], o["整顿状态"])
        for oid, o in demo.orgs.items()
        if o["整顿开始日期"]
    }
    in_ledger = [
        (x["党组织编号"], x["列入日期"], x["整顿期限"], x["整顿状态"]) for x in demo.rectifications
    ]
    assert set(in_ledger) == in_orgs and len(in_ledger) == len(in_orgs)
    for x in demo.rectifications:
        oid = x["党组织编号"]
        o = demo.orgs[oid]
        assert o["组织名称"] == x["党组织名称"] and x["问题类型"] and x["县级联系领导"]
        assert (o["软弱涣散"] == "是") == (x["整顿状态"] == "整顿中")
        assert all(
            d == "" or d.date() <= D for d in (x["列入日期"], x["一村一策制定日期"], x["验收日期"])
        )
        assert (x["验收日期"] == "" and x["验收结果"] == "") == (x["整顿状态"] == "整顿中")
        assert led.no_plan(x) == (oid in planted["rectification_no_plan"]), oid
        missed = led.missed_quarters(x)
        assert bool(missed) == (oid in planted["rectification_no_inspection"]), (oid, missed)
        assert led.accepted_failing(x) == (oid in planted["rectification_accepted_failing"])
    n_open = sum(x["整顿状态"] == "整顿中" for x in demo.rectifications)
    assert n_open == summary.counts["rectifications.open"] == summary.counts["orgs.weak"]
    assert n_open < len(demo.rectifications)  # and closed episodes of earlier years
    for x in demo.inspections:
        assert x["党组织编号"] in led.episodes and x["督查日期"].date() < D
        assert demo.orgs[x["党组织编号"]]["组织名称"] == x["党组织名称"]
    # 党小组工作记录: every group of the pilot townships, one row a month
    recorded = set(led.records)
    pilot = {g[1:10] for g in recorded}  # D + the township's 9 digits + village … -G01
    groups = {g for g, o in demo.orgs.items() if o["组织类别"] == "党小组"}
    assert recorded == {g for g in groups if g[1:10] in pilot}
    for g, xs in led.records.items():
        assert demo.orgs[g]["组织名称"] == xs[0]["党小组名称"]
        months = [x["月份"] for x in xs]
        assert months == sorted(set(months))
        assert all(x["督查日期"] == "" or x["督查日期"].date() < D for x in xs)
        assert bool(led.no_summary(g)) == (g in planted["group_no_summary"]), g
        assert bool(led.no_inspection(g)) == (g in planted["group_no_inspection"]), g
    assert planted["group_no_summary"] | planted["group_no_inspection"] <= recorded
    # the group without a leader: its members are still there, its former leader among them
    for g in planted["group_no_leader"]:
        assert demo.group_members(g)


def test_ledgers(tiny: tuple[Path, DemoSummary], tiny_demo: Demo) -> None:
    _check_ledgers(tiny[1], tiny_demo)
    assert tiny[1].counts["group_records.groups"] == tiny[1].counts["orgs.党小组"]  # every one
    for name, sheet in zip(LEDGER_FILES, ("整顿台账", "督查记录", "党小组工作记录"), strict=True):
        wb = load_workbook(tiny[0] / name)
        ws = wb.worksheets[0]
        assert wb.sheetnames == [sheet]
        assert str(ws["A1"].value).startswith("宁海县") and "截至2026年11月1日" in ws["A1"].value
        assert ws["A2"].value in ("党组织编号", "党小组编号")
        # the org ids as text, every digit kept
        assert all(ws.cell(row=r, column=1).number_format == "@" for r in range(3, ws.max_row + 1))


def test_coverage_is_partial(tiny_demo: Demo) -> None:
    d = tiny_demo
    home = {k for k in d.by_key if not d.away(k)}
    covered = {
        c["联系对象编号"]
        for c in d.active_contacts("户")
        if (c["人员编号"] or c["公民身份号码"]) in home
    }
    by_village: dict[str, list[bool]] = {}
    for hid, h in d.households.items():
        by_village.setdefault(h["所在区划代码"][:12], []).append(hid in covered)
    shares = sorted(sum(v) / len(v) for v in by_village.values())
    assert shares[0] == 0.0  # a village with no contacts at all
    assert shares[-1] == 1.0  # a fully covered village
    assert any(0.0 < s < 1.0 for s in shares)


def test_planted_hold_for_other_seeds_and_dates(tmp_path: Path) -> None:
    cities = city_table()
    # seed 1 once planted 联户 8 户 on the member without a branch, whom the rule skips
    for seed, on in ((1, date(2026, 11, 1)), (2, date(2026, 11, 1)), (3, date(2025, 6, 30))):
        out = tmp_path / f"s{seed}"
        s = generate(out, scale="tiny", seed=seed, as_of=on)
        demo = load(out, on)
        assert {p.type for p in s.planted} == set(GAP_TYPE_NAMES) - set(NOT_PLANTED)
        assert [p for p in s.planted if not holds(demo, p.type, p.id, cities)] == []
        _check_first_secretaries(s, demo)
        _check_ledgers(s, demo)


# --------------------------------------------------------------------------- error samples


def test_with_errors_is_separate(tiny: tuple[Path, DemoSummary]) -> None:
    out, summary = tiny
    err = out / "with_errors"
    expected = json.loads((err / "expected_errors.json").read_text(encoding="utf-8"))
    assert summary.error_files
    by_file = Counter(e["file"] for e in expected)
    for name, n in summary.error_files.items():
        assert by_file[name] == n
    assert {e["severity"] for e in expected} == {"ok", "warning", "error"}
    # the bad ID cells are really bad
    _, rows = read_xlsx(err / "党员花名册.xlsx", header_row=2)
    cells = [r["公民身份号码"] for r in rows]
    assert any(isinstance(c, float) for c in cells)  # lost digits: stored as a number
    texts = [c for c in cells if isinstance(c, str)]
    assert any(not ids.is_valid(c) for c in texts)
    # the clean rosters hold none of the error rows
    clean = {m["公民身份号码"] for m in load(out, AS_OF).members}
    assert not clean & set(texts)
    (err / "农户.csv").read_bytes().decode("gbk")


# --------------------------------------------------------------------------- CLI


def test_cli(tmp_path: Path) -> None:
    import typer

    from orgraph.cli.demo_data import demo_data

    app = typer.Typer()
    app.command("demo-data")(demo_data)
    app.command("noop")(lambda: None)  # keep demo-data a named sub-command
    result = CliRunner().invoke(
        app, ["demo-data", "--scale", "tiny", "--seed", "4", "--out", str(tmp_path / "cli")]
    )
    assert result.exit_code == 0, result.output
    assert "党员花名册.xlsx" in result.output
    assert (tmp_path / "cli" / "农户.csv").is_file()
    bad = CliRunner().invoke(app, ["demo-data", "--scale", "town", "--out", str(tmp_path)])
    assert bad.exit_code != 0


# --------------------------------------------------------------------------- county scale


@pytest.mark.slow
def test_county_scale(tmp_path: Path) -> None:
    t0 = time.perf_counter()
    s = generate(tmp_path / "county", scale="county", seed=1, as_of=AS_OF)
    elapsed = time.perf_counter() - t0
    assert elapsed < 30
    c = s.counts
    assert c["areas.乡镇"] + c["areas.街道"] == 18
    assert 250 <= c["areas.村"] + c["areas.社区"] <= 360
    assert 80_000 <= c["households"] <= 125_000
    assert 6_500 <= c["members"] <= 10_000
    assert 0.10 <= c["members.away"] / c["members"] <= 0.14
    assert 15 <= c["roles.县级领导"] <= 25
    assert c["orgs.流动党员党支部"] == 3
    assert {p.type for p in s.planted} == set(GAP_TYPE_NAMES) - set(NOT_PLANTED)
    assert 15_000 <= c["meetings"] <= 40_000 and 25_000 <= c["dues"] <= 60_000
    demo = load(tmp_path / "county", AS_OF)
    cities = city_table()
    assert [p for p in s.planted if not holds(demo, p.type, p.id, cities)] == []
    _check_multi_branch(s, demo, 2)
    _check_first_secretaries(s, demo)
    _check_ledgers(s, demo)
    # most branches and groups keep their meetings: a few natural misses (weak branches
    # more), besides the planted ones
    view = demo.life()
    kinds = {"党支部", "联合党支部", "流动党员党支部"}
    branches = [k for k, o in demo.orgs.items() if o["组织类别"] in kinds]
    groups = [k for k, o in demo.orgs.items() if o["组织类别"] == "党小组"]
    for rule in BRANCH_RULES:
        gaps = sum(view.holds(rule, b) for b in branches)
        assert 1 <= gaps <= 0.15 * len(branches), (rule, gaps, len(branches))
    gaps = sum(view.holds("group_no_meeting", g) for g in groups)
    assert 1 <= gaps <= 0.15 * len(groups)
    # and most members attend and pay
    for rule in ("member_life_lapse", "dues_lapse"):
        found = sum(view.holds(rule, key(m)) for m in demo.members)
        assert 1 <= found <= 0.05 * len(demo.members), (rule, found)
