"""Read a generated demo folder back from its files (no orgraph code) and check planted cases.

This is a small second reading of the rules of docs/rules.md over the written rosters, enough to
show that each planted case really is a gap under the default thresholds. It is not the
product's oracle. `LifeView` (at the end) reads "Organisational life and dues": 组织生活记录.xlsx
and 党费.csv with the members, orgs, outflows and reports; `Ledgers` reads "The rectification
ledger (整顿台账) and inspections (督查记录)" and "党小组 appraisal": 整顿台账.xlsx, 督查记录.xlsx
and 党小组工作记录.xlsx with the orgs and members.
"""

from __future__ import annotations

import calendar
import csv
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

Row = dict[str, Any]

NOT_FIXED = ("个体经营", "灵活就业", "打零工", "自由职业")
AS_OF = date(2026, 11, 1)


def _d(v: Any) -> date | None:
    if v in (None, ""):
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v))


def read_xlsx(path: Path, header_row: int = 1) -> tuple[list[str], list[Row]]:
    """The first sheet."""
    _, header, rows = read_xlsx_sheets(path, header_row)[0]
    return header, rows


def read_xlsx_sheets(path: Path, header_row: int = 1) -> list[tuple[str, list[str], list[Row]]]:
    """Every sheet, in order: (sheet name, header, rows)."""
    wb = load_workbook(path, read_only=True)
    out = []
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        header = [str(h) for h in rows[header_row - 1]]
        width = len(header)
        out.append(
            (
                ws.title,
                header,
                [
                    dict(zip(header, (*r, *(None,) * (width - len(r))), strict=False))
                    for r in rows[header_row:]
                ],
            )
        )
    wb.close()
    return out


def read_csv(path: Path, encoding: str) -> tuple[list[str], list[Row]]:
    with path.open(encoding=encoding, newline="") as f:
        rd = csv.reader(f)
        header = next(rd)
        return header, [dict(zip(header, r, strict=True)) for r in rd]


@dataclass
class Demo:
    as_of: date
    areas: dict[str, Row]
    orgs: dict[str, Row]
    members: list[Row]  # the main sheet 党员花名册: one row per person
    households: dict[str, Row]
    contacts: list[Row]
    outflows: list[Row]
    reports: list[Row]
    headers: dict[str, list[str]] = field(default_factory=dict)
    # every sheet of the members workbook (the first is `members`); a later sheet lists
    # persons of the first again, under another branch
    member_sheets: dict[str, list[Row]] = field(default_factory=dict)
    meetings: list[Row] = field(default_factory=list)  # 组织生活记录
    dues: list[Row] = field(default_factory=list)  # 党费
    appointments: list[Row] = field(default_factory=list)  # 第一书记
    rectifications: list[Row] = field(default_factory=list)  # 整顿台账
    inspections: list[Row] = field(default_factory=list)  # 督查记录
    group_records: list[Row] = field(default_factory=list)  # 党小组工作记录

    def __post_init__(self) -> None:
        self._life: LifeView | None = None
        if not self.member_sheets:
            self.member_sheets = {"党员花名册": self.members}
        self.by_key = {key(m): m for m in self.members}
        self.org_by_name = {o["组织名称"]: o for o in self.orgs.values()}
        self.open_out = {key(o): o for o in self.outflows if not o["返回时间"]}
        self.last_report: dict[str, date] = {}
        for r in self.reports:
            k = key(r)
            d = _d(r["日期"])
            assert d is not None
            if k not in self.last_report or d > self.last_report[k]:
                self.last_report[k] = d

    def life(self) -> LifeView:
        """The organisational-life and dues reading (life_readback.py), built once."""
        if self._life is None:
            self._life = LifeView(self)
        return self._life

    # --- facts
    def away(self, k: str) -> bool:
        o = self.open_out.get(k)
        return o is not None and _d(o["外出时间"]) <= self.as_of  # type: ignore[operator]

    def age(self, m: Row) -> int:
        b = _d(m["出生日期"])
        assert b is not None
        return self.as_of.year - b.year - ((self.as_of.month, self.as_of.day) < (b.month, b.day))

    def exempt(self, m: Row) -> bool:
        return self.age(m) >= 70 or m["分类管理类别"] == "老弱"

    def roles(self, k: str) -> list[str]:
        return str(self.by_key[k]["职务"] or "").split(";")

    def active(self, c: Row) -> bool:
        since, until = _d(c["开始日期"]), _d(c["结束日期"])
        return (since is None or since <= self.as_of) and (until is None or until > self.as_of)

    def active_contacts(self, kind: str) -> list[Row]:
        return [c for c in self.contacts if c["联系对象类型"] == kind and self.active(c)]

    def listings(self) -> list[tuple[str, Row]]:
        """Every members row of every sheet, with its sheet name."""
        return [(sheet, m) for sheet, rows in self.member_sheets.items() for m in rows]

    def branch_members(self, org_id: str) -> list[Row]:
        """Persons listed under the branch on any sheet (each is a formal affiliation)."""
        name = self.orgs[org_id]["组织名称"]
        out: dict[str, Row] = {}
        for _, m in self.listings():
            if m["所在党支部"] == name:
                out.setdefault(key(m), m)
        return list(out.values())

    def rural(self, k: str) -> bool:
        """联户 is a rural duty: the person has a branch whose area is a village or hamlet."""
        for name in set(self.branches_of(k).values()) - {""}:
            area = self.areas.get(str(self.org_by_name[name]["所在区划代码"]))
            if area is not None and area["层级"] in ("村", "社区", "组", "网格"):
                return True
        return False

    def branches_of(self, k: str) -> dict[str, str]:
        """A person's 所在党支部 per sheet that lists them."""
        return {sheet: m["所在党支部"] for sheet, m in self.listings() if key(m) == k}

    def group_members(self, org_id: str) -> list[Row]:
        name = self.orgs[org_id]["组织名称"]
        return [m for m in self.members if m["所在党小组"] == name]


def key(row: Row) -> str:
    return str(row.get("人员编号") or row["公民身份号码"])


def load(folder: Path, as_of: date) -> Demo:
    heads: dict[str, list[str]] = {}
    h, areas = read_xlsx(folder / "行政区划.xlsx")
    heads["行政区划.xlsx"] = h
    h, orgs = read_xlsx(folder / "党组织.xlsx")
    heads["党组织.xlsx"] = h
    sheets = read_xlsx_sheets(folder / "党员花名册.xlsx", header_row=2)
    _, h, members = sheets[0]
    heads["党员花名册.xlsx"] = h
    for _, other, _ in sheets[1:]:
        assert other == h, "every members sheet has the same header"
    h, households = read_csv(folder / "农户.csv", "gb18030")
    heads["农户.csv"] = h
    h, contacts = read_csv(folder / "联系关系.csv", "utf-8-sig")
    heads["联系关系.csv"] = h
    h, outflows = read_xlsx(folder / "流动党员外出登记.xlsx")
    heads["流动党员外出登记.xlsx"] = h
    h, reports = read_csv(folder / "报到记录.csv", "utf-8")
    heads["报到记录.csv"] = h
    h, meetings = read_xlsx(folder / "组织生活记录.xlsx", header_row=2)
    heads["组织生活记录.xlsx"] = h
    h, dues = read_csv(folder / "党费.csv", "utf-8-sig")
    heads["党费.csv"] = h
    h, appointments = read_xlsx(folder / "第一书记.xlsx", header_row=2)
    heads["第一书记.xlsx"] = h
    ledgers: dict[str, list[Row]] = {}
    for name in LEDGER_FILES:
        h, ledgers[name] = read_xlsx(folder / name, header_row=2)
        heads[name] = h
    for rows in (
        *(r for _, _, r in sheets),
        outflows,
        meetings,
        appointments,
        *ledgers.values(),
    ):
        for r in rows:
            for k, v in list(r.items()):
                r[k] = "" if v is None else v
    for o in orgs:
        for k, v in list(o.items()):
            o[k] = "" if v is None else v
    return Demo(
        as_of,
        {str(a["区划代码"]): a for a in areas},
        {o["组织编号"]: o for o in orgs},
        members,
        {h["户编号"]: h for h in households},
        contacts,
        outflows,
        reports,
        heads,
        {name: rows for name, _, rows in sheets},
        meetings,
        dues,
        appointments,
        *ledgers.values(),
    )


# --------------------------------------------------------------------------- rule checks


def _household_active_members(demo: Demo, hid: str) -> list[str]:
    return [key(c) for c in demo.active_contacts("户") if c["联系对象编号"] == hid]


def holds(demo: Demo, type_: str, id_: str, city_of: dict[str, str]) -> bool:
    """True when the planted case (type, id) is a gap in the files under default thresholds."""
    as_of = demo.as_of
    if type_ in LIFE_TYPES:
        return demo.life().holds(type_, id_)
    if type_ in LEDGER_TYPES:
        return Ledgers(demo).holds(type_, id_)
    if type_ in FIRST_SECRETARY_TYPES:
        return FirstSecretaries(demo).holds(type_, id_)
    if type_ == "household_uncovered":
        ms = _household_active_members(demo, id_)
        return all(demo.away(k) for k in ms)
    if type_ == "household_contact_away":
        ms = _household_active_members(demo, id_)
        return bool(ms) and all(demo.away(k) for k in ms)
    if type_ == "member_contact_load":
        m = demo.by_key[id_]
        n = sum(1 for c in demo.active_contacts("户") if key(c) == id_)
        return not demo.away(id_) and not demo.exempt(m) and not 3 <= n <= 5 and demo.rural(id_)
    if type_ == "exempt_member_assigned":
        m = demo.by_key[id_]
        n = sum(1 for c in demo.active_contacts("户") if key(c) == id_)
        return demo.exempt(m) and n > 0
    if type_ == "township_no_leader":
        return not any(
            c["联系对象编号"] == id_ and "县级领导" in demo.roles(key(c))
            for c in demo.active_contacts("乡镇")
        )
    if type_ == "village_no_cadre":
        return not any(
            c["联系对象编号"] == id_ and "乡镇干部" in demo.roles(key(c))
            for c in demo.active_contacts("村")
        )
    if type_ == "hamlet_no_cadre":
        kind = "党小组" if id_ in demo.orgs else "组"
        return not any(
            c["联系对象编号"] == id_ and "村两委" in demo.roles(key(c))
            for c in demo.active_contacts(kind)
        )
    if type_ == "cadre_group_load":
        n = sum(1 for c in demo.active_contacts("党小组") if key(c) == id_)
        return "村两委" in demo.roles(id_) and not 1 <= n <= 2
    if type_ == "group_size":
        return not 5 <= len(demo.group_members(id_)) <= 15
    if type_ == "branch_too_small":
        o = demo.orgs[id_]
        full = [m for m in demo.branch_members(id_) if m["人员类别"] == "正式党员"]
        return o["组织类别"] == "党支部" and len(full) < 3
    if type_ == "branch_too_large":
        return len(demo.branch_members(id_)) > 50
    if type_ == "member_no_branch":
        return bool(demo.by_key[id_]["所在党支部"] == "")
    if type_ == "member_multi_branch":
        branches = demo.branches_of(id_)  # sheet → branch name
        names = set(branches.values()) - {""}
        return (
            len(branches) >= 2
            and len(names) >= 2
            and all(
                n in demo.org_by_name
                and demo.org_by_name[n]["组织类别"] in ("党支部", "联合党支部")
                for n in names
            )
        )
    if type_ == "member_no_group":
        m = demo.by_key[id_]
        branch = demo.org_by_name[m["所在党支部"]]
        has_groups = any(
            o["上级组织编号"] == branch["组织编号"] and o["组织类别"] == "党小组"
            for o in demo.orgs.values()
        )
        return has_groups and m["所在党小组"] == ""
    if type_ == "mobile_unattached":
        return demo.away(id_) and not demo.open_out[id_]["流入地党组织"]
    if type_ in ("mobile_silent", "lost_contact"):
        if not demo.away(id_):
            return False
        if type_ == "lost_contact" and demo.by_key[id_]["是否失联党员"] == "是":
            return True
        last = demo.last_report.get(id_) or _d(demo.open_out[id_]["外出时间"])
        assert last is not None
        return (as_of - last).days >= (90 if type_ == "mobile_silent" else 180)
    if type_ == "mobile_no_contact_person":
        return demo.away(id_) and not demo.open_out[id_]["联系人"]
    if type_ == "should_transfer":
        o = demo.open_out[id_]
        left = _d(o["外出时间"])
        assert left is not None
        employer = o["工作单位"]
        return (as_of - left).days >= 180 and bool(employer) and employer not in NOT_FIXED
    if type_ == "mobile_cluster_without_branch":
        full = [
            o
            for k, o in demo.open_out.items()
            if demo.by_key[k]["人员类别"] == "正式党员" and city_of.get(o["外出地点"]) == id_
        ]
        hosted = any(
            o["组织类别"] == "流动党员党支部" and city_of.get(o["驻在地"]) == id_
            for o in demo.orgs.values()
        )
        return len(full) >= 3 and not hosted
    if type_ == "rectification_overdue":
        o = demo.orgs[id_]
        deadline = _d(o["整顿期限"])
        return o["软弱涣散"] == "是" and deadline is not None and deadline < as_of
    if type_ == "term_expired":
        end = _d(demo.orgs[id_]["届满日期"])
        return end is not None and end < as_of
    raise KeyError(type_)


# --------------------------------------------------------------------------- 第一书记

FIRST_SECRETARY_TYPES = (
    "weak_no_first_secretary",
    "first_secretary_absent",
    "first_secretary_ending",
)
FIRST_SECRETARY_DAYS = 90
FIRST_SECRETARY_NOTICE_DAYS = 60


def appointment_id(a: Row) -> str:
    since = _d(a["任职开始日期"])
    assert since is not None
    return f"{key(a)}|{a['村党组织编号']}|{since.isoformat()}"


@dataclass
class FirstSecretaries:
    """docs/rules.md "第一书记" read from 第一书记.xlsx, 党组织.xlsx, 联系关系.csv and
    组织生活记录.xlsx (default policy; the whole county in scope)."""

    demo: Demo

    def __post_init__(self) -> None:
        self.D = self.demo.as_of
        self.by_id = {appointment_id(a): a for a in self.demo.appointments}
        self.children: dict[str, list[str]] = {}
        for oid, o in self.demo.orgs.items():
            if o["上级组织编号"]:
                self.children.setdefault(o["上级组织编号"], []).append(oid)

    def span(self, a: Row) -> tuple[date, date | None]:
        since = _d(a["任职开始日期"])
        assert since is not None
        return since, _d(a["任职结束日期"])

    def active(self, a: Row, on: date | None = None) -> bool:
        on = self.D if on is None else on
        since, until = self.span(a)
        return since <= on and (until is None or until > on)

    def below(self, oid: str) -> set[str]:
        """O(o): the org and every org under it."""
        out, todo = set(), [oid]
        while todo:
            o = todo.pop()
            out.add(o)
            todo.extend(self.children.get(o, ()))
        return out

    def village(self, oid: str) -> str:
        """The village (12-digit code) of the org's home area."""
        return str(self.demo.orgs[oid]["所在区划代码"])[:12]

    def contacts(self, a: Row) -> int:
        v = self.village(a["村党组织编号"])
        hh = self.demo.households
        houses = {
            c["联系对象编号"]
            for c in self.demo.active_contacts("户")
            if key(c) == key(a) and hh[c["联系对象编号"]]["所在区划代码"][:12] == v
        }
        return len(houses)

    def meetings(self, a: Row) -> int:
        life = self.demo.life()
        orgs = self.below(a["村党组织编号"])
        start = self.D.toordinal() - FIRST_SECRETARY_DAYS
        n = 0
        for k in life.meetings:
            if k.org not in orgs or not start < k.on.toordinal() <= self.D.toordinal():
                continue
            who = set(k.attendees) if k.attendees else life.expected_at(k) - k.absentees
            n += key(a) in who
        return n

    def listed(self, oid: str) -> bool:
        o = self.demo.orgs[oid]
        return o["软弱涣散"] == "是" or any(
            self.demo.orgs[x]["整顿状态"] == "整顿中" for x in self.below(oid)
        )

    def served(self, oid: str) -> bool:
        orgs = self.below(oid)
        return any(a["村党组织编号"] in orgs and self.active(a) for a in self.demo.appointments)

    def absent(self, a: Row) -> bool:
        since, _ = self.span(a)
        return (
            self.active(a)
            and (self.D - since).days >= FIRST_SECRETARY_DAYS
            and (self.contacts(a) == 0 or self.meetings(a) == 0)
        )

    def ending(self, a: Row) -> bool:
        _, until = self.span(a)
        if (
            not self.active(a)
            or until is None
            or (until - self.D).days > (FIRST_SECRETARY_NOTICE_DAYS)
        ):
            return False
        return not any(
            b is not a and b["村党组织编号"] == a["村党组织编号"] and self.active(b, until)
            for b in self.demo.appointments
        )

    def holds(self, type_: str, id_: str) -> bool:
        if type_ == "weak_no_first_secretary":
            return self.listed(id_) and not self.served(id_)
        a = self.by_id[id_]
        return self.absent(a) if type_ == "first_secretary_absent" else self.ending(a)


# --------------------------------------------------------------------------- life and dues

Month = tuple[int, int]

TYPES = {
    "党员大会": "general_meeting",
    "支委会": "committee_meeting",
    "党小组会": "group_meeting",
    "党课": "lecture",
    "主题党日": "theme_day",
    "组织生活会": "life_meeting",
    "民主评议党员": "appraisal",
    "谈心谈话": "talk",
}
KINDS = {
    "党委": "committee",
    "党工委": "working_committee",
    "党总支": "general_branch",
    "党支部": "branch",
    "联合党支部": "joint_branch",
    "党小组": "group",
    "流动党员党支部": "mobile_branch",
}
BRANCH_KINDS = ("branch", "joint_branch", "mobile_branch")
FROM_ABOVE = ("general_meeting", "lecture", "theme_day")  # count for the branches below
BRANCH_RULES = {
    "branch_no_general_meeting": ("general_meeting", "quarter"),
    "branch_no_committee_meeting": ("committee_meeting", "month"),
    "branch_no_theme_day": ("theme_day", "month"),
    "branch_few_lectures": ("lecture", "quarter"),
    "branch_no_life_meeting": ("life_meeting", "year"),
    "branch_no_appraisal": ("appraisal", "year"),
}
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


def halfwidth(text: str) -> str:
    """Roster text as the importer keeps it: full-width forms to ASCII, spaces collapsed."""
    out = "".join(
        chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else " " if ch == "\u3000" else ch
        for ch in text
    )
    return " ".join(out.split())


def shift(m: Month, k: int) -> Month:
    n = m[0] * 12 + m[1] - 1 + k
    return (n // 12, n % 12 + 1)


def add_months(d: date, n: int) -> date:
    y, m = shift((d.year, d.month), n)
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def whole_months(a: date, d: date) -> int:
    return (d.year - a.year) * 12 + (d.month - a.month) - (1 if d.day < a.day else 0)


def parse_month(text: str) -> Month:
    m = re.fullmatch(r"(\d{4})-(\d{2})", text) or re.fullmatch(r"(\d{4})年(\d{1,2})月", text)
    assert m, text
    return (int(m[1]), int(m[2]))


@dataclass(frozen=True)
class Period:
    label: str
    first: date
    last: date


def periods(D: date, unit: str) -> list[Period]:
    """The checked months, quarters or year at D (docs/rules.md "Periods": 12 months)."""
    now = (D.year, D.month)
    months = [shift(now, k) for k in range(-12, 0)]
    if unit == "month":
        return [
            Period(
                f"{y:04d}-{m:02d}",
                date(y, m, 1),
                date(y, m, calendar.monthrange(y, m)[1]),
            )
            for y, m in months
        ]
    if unit == "quarter":
        out = []
        for y, m in months:
            if m % 3 == 1 and (y, m + 2) in months:
                out.append(
                    Period(
                        f"{y}-Q{m // 3 + 1}",
                        date(y, m, 1),
                        date(y, m + 2, calendar.monthrange(y, m + 2)[1]),
                    )
                )
        return out
    y = D.year - 1
    return [Period(str(y), date(y, 1, 1), date(y, 12, 31))]


@dataclass
class Meeting:
    id: str
    org: str
    type: str
    on: date
    expected: int | None
    present: int | None
    attendees: list[str]
    absentees: set[str]


@dataclass
class LifeView:
    demo: Demo
    parent: dict[str, str] = field(default_factory=dict)
    kind: dict[str, str] = field(default_factory=dict)
    belongs: dict[str, set[str]] = field(default_factory=dict)  # member → orgs
    group_of: dict[str, str] = field(default_factory=dict)
    attends: list[tuple[str, str, date, date | None]] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    payments: dict[str, list[tuple[Month, date]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        d = self.demo
        for oid, o in d.orgs.items():
            self.parent[oid] = o["上级组织编号"]
            self.kind[oid] = KINDS[o["组织类别"]]
        for _, m in d.listings():
            k = m["人员编号"] or m["公民身份号码"]
            if m["所在党支部"]:
                self.belongs.setdefault(k, set()).add(d.org_by_name[m["所在党支部"]]["组织编号"])
            if m["所在党小组"]:
                self.group_of[k] = d.org_by_name[m["所在党小组"]]["组织编号"]
        for o in d.outflows:
            host = d.org_by_name.get(o["流入地党组织"])
            if host is not None:
                k = o["人员编号"] or o["公民身份号码"]
                left = _d(o["外出时间"])
                assert left is not None
                self.attends.append((k, host["组织编号"], left, _d(o["返回时间"])))
        for r in d.meetings:
            on = _d(r["会议日期"])
            assert on is not None
            type_ = TYPES[r["会议类型"]]
            self.meetings.append(
                Meeting(
                    id=f"{r['组织编号']}|{type_}|{on.isoformat()}|{halfwidth(r['会议主题'])}",
                    org=r["组织编号"],
                    type=type_,
                    on=on,
                    expected=None if r["应到人数"] == "" else int(r["应到人数"]),
                    present=None if r["实到人数"] == "" else int(r["实到人数"]),
                    attendees=[x for x in str(r["参加人员"]).split(";") if x],
                    absentees={x for x in str(r["缺席人员"]).split(";") if x},
                )
            )
        for r in d.dues:
            k = r["人员编号"] or r["公民身份号码"]
            to = parse_month(r["缴至"])
            on = _d(r["缴纳日期"]) or date(to[0], to[1], 1)
            self.payments.setdefault(k, []).append((to, on))
        # indexes: members at or below each org, each group's members, meetings by org and type
        self.below: dict[str, set[str]] = {}
        self.direct: dict[str, set[str]] = {}
        for who, orgs in self.belongs.items():
            for oid in orgs:
                self.direct.setdefault(oid, set()).add(who)
                for up in (oid, *self.ancestors(oid)):
                    self.below.setdefault(up, set()).add(who)
        self.in_group: dict[str, set[str]] = {}
        for who, g in self.group_of.items():
            self.in_group.setdefault(g, set()).add(who)
        self.attends_at: dict[str, list[tuple[str, date, date | None]]] = {}
        for who, org, since, until in self.attends:
            self.attends_at.setdefault(org, []).append((who, since, until))
        self.held: dict[tuple[str, str], list[Meeting]] = {}
        for k in self.meetings:
            self.held.setdefault((k.org, k.type), []).append(k)
        self.D = d.as_of
        known = [m.on for m in self.meetings if m.on <= self.D]
        self.life_begin = min(known) if known else None
        paid = [to for ps in self.payments.values() for to, on in ps if on <= self.D]
        self.dues_begin = min(paid) if paid else None
        self._last_life: dict[str, date] | None = None

    # -- orgs and periods

    def ancestors(self, oid: str) -> list[str]:
        out = []
        p = self.parent.get(oid, "")
        while p:
            out.append(p)
            p = self.parent.get(p, "")
        return out

    def periods(self, unit: str) -> list[Period]:
        return periods(self.D, unit)

    def checked(self, oid: str, p: Period) -> bool:
        est = _d(self.demo.orgs[oid]["成立日期"])
        return (
            self.life_begin is not None
            and p.last >= self.life_begin
            and (est is None or est <= p.first)
        )

    def counting(self, oid: str, type_: str) -> list[Meeting]:
        """The meetings of `type_` that count for org `oid`: its own, and for the types that
        count from above, those of the orgs above it."""
        out = list(self.held.get((oid, type_), []))
        if type_ in FROM_ABOVE:
            for a in self.ancestors(oid):
                out += self.held.get((a, type_), [])
        return out

    def missed(self, oid: str, type_: str, unit: str) -> list[str]:
        """The checked periods of org `oid` with no counting meeting of `type_`."""
        held = self.counting(oid, type_)
        return [
            p.label
            for p in self.periods(unit)
            if self.checked(oid, p) and not any(p.first <= k.on <= p.last for k in held)
        ]

    def members_of(self, oid: str) -> set[str]:
        return self.direct.get(oid, set())

    def branch_gap(self, type_: str, oid: str) -> bool:
        if self.kind.get(oid) not in BRANCH_KINDS:
            return False
        mtype, unit = BRANCH_RULES[type_]
        if type_ == "branch_no_committee_meeting" and len(self.members_of(oid)) < 7:
            return False
        return bool(self.missed(oid, mtype, unit))

    # -- attendance

    def expected_at(self, k: Meeting) -> set[str]:
        out = self.below.get(k.org, set()) | self.in_group.get(k.org, set())
        out |= {
            m
            for m, since, until in self.attends_at.get(k.org, [])
            if since <= k.on and (until is None or until > k.on)
        }
        return out

    def last_life(self) -> dict[str, date]:
        if self._last_life is None:
            last: dict[str, date] = {}
            for k in self.meetings:
                if k.type == "talk" or k.on > self.D:
                    continue
                who = set(k.attendees) if k.attendees else self.expected_at(k) - k.absentees
                for m in who:
                    if k.on > last.get(m, date.min):
                        last[m] = k.on
            self._last_life = last
        return self._last_life

    def quorum_gap(self, mid: str) -> bool:
        k = next(k for k in self.meetings if k.id == mid)
        first = date(*shift((self.D.year, self.D.month), -12), 1)
        if k.type != "general_meeting" or not first <= k.on <= self.D:
            return False
        if k.expected is not None and k.present is not None:
            return k.present * 2 <= k.expected
        voting = {  # full members, not suspended on the meeting's date (停止党籍: no vote)
            m
            for m in self.below.get(k.org, set())
            if self.demo.by_key[m]["人员类别"] == "正式党员"
            and not ((on := _d(self.demo.by_key[m]["停止党籍日期"])) and on <= k.on)
        }
        present = voting & set(k.attendees) if k.attendees else voting - k.absentees
        return len(voting) > 0 and len(present) * 2 <= len(voting)

    # -- members

    def suspended(self, key: str) -> date | None:
        on = _d(self.demo.by_key[key]["停止党籍日期"])
        return on if on is not None and on <= self.D else None

    def life_months(self, key: str) -> int | None:
        m = self.demo.by_key[key]
        if self.life_begin is None or self.demo.exempt(m) or self.suspended(key):
            return None
        joined = _d(m["入党日期"])
        assert joined is not None
        base = max(self.life_begin, joined, self.last_life().get(key, date.min))
        return whole_months(base, self.D)

    def known_payments(self, key: str) -> list[tuple[Month, date]]:
        return [(to, on) for to, on in self.payments.get(key, []) if on <= self.D]

    def months_owed(self, key: str) -> int | None:
        m = self.demo.by_key[key]
        if self.dues_begin is None or self.suspended(key):
            return None
        joined = _d(m["入党日期"])
        assert joined is not None
        first = max((joined.year, joined.month), self.dues_begin)
        paid = self.known_payments(key)
        if paid:
            first = max(first, shift(max(to for to, _ in paid), 1))
        n = (self.D.year - first[0]) * 12 + self.D.month - first[1]
        return max(0, n)

    def lost(self, key: str) -> bool:
        d = self.demo
        if d.by_key[key]["是否失联党员"] == "是":
            return True
        if not d.away(key):
            return False
        left = _d(d.open_out[key]["外出时间"])
        assert left is not None
        reports = [
            x
            for r in d.reports
            if (r["人员编号"] or r["公民身份号码"]) == key
            and (x := _d(r["日期"])) is not None
            and left <= x <= self.D
        ]
        last = max(reports) if reports else left
        return (self.D - last).days >= 180

    def last_sign(self, key: str) -> date:
        paid = [on for _, on in self.known_payments(key)]
        return max([self.last_life().get(key, date.min), *paid])

    def propose_suspension(self, key: str) -> bool:
        m = self.demo.by_key[key]
        if not self.lost(key) or self.suspended(key):
            return False
        begins = [x for x in (self.life_begin, self.dues_begin and date(*self.dues_begin, 1)) if x]
        if not begins:
            return False
        joined = _d(m["入党日期"])
        assert joined is not None
        since = max(self.last_sign(key), joined, min(begins))
        return add_months(since, 6) <= self.D

    def propose_removal(self, key: str) -> bool:
        on = self.suspended(key)
        if self.life_begin is None and self.dues_begin is None:
            return False  # no ledger to show "no sign of life since"
        if on is None or add_months(on, 24) > self.D:
            return False
        return self.last_sign(key) <= on

    def holds(self, type_: str, id_: str) -> bool:
        if type_ in BRANCH_RULES:
            return self.branch_gap(type_, id_)
        if type_ == "group_no_meeting":
            return self.kind.get(id_) == "group" and bool(
                self.missed(id_, "group_meeting", "month")
            )
        if type_ == "meeting_no_quorum":
            return self.quorum_gap(id_)
        if type_ in ("member_no_life", "member_life_lapse"):
            n = self.life_months(id_)
            return n is not None and (3 <= n < 6 if type_ == "member_no_life" else n >= 6)
        if type_ in ("dues_arrears", "dues_lapse"):
            n = self.months_owed(id_)
            return n is not None and (3 <= n < 6 if type_ == "dues_arrears" else n >= 6)
        if type_ == "propose_suspension":
            return self.propose_suspension(id_)
        if type_ == "propose_removal":
            return self.propose_removal(id_)
        raise KeyError(type_)


# --------------------------------------------------------------------------- 整顿台账, 督查, 党小组

LEDGER_FILES = ("整顿台账.xlsx", "督查记录.xlsx", "党小组工作记录.xlsx")
RECT_TYPES = (
    "rectification_no_plan",
    "rectification_no_inspection",
    "rectification_accepted_failing",
)
GROUP_TYPES = ("group_no_leader", "group_no_summary", "group_no_inspection")
LEDGER_TYPES = (*RECT_TYPES, *GROUP_TYPES)
RECT_PLAN_DAYS = 30
PASSING = ("合格", "基本合格")
OPEN, DONE = "整顿中", "已销号"


@dataclass
class Ledgers:
    """docs/rules.md "The rectification ledger (整顿台账) and inspections (督查记录)" and "党小组
    appraisal" read from the three ledger files, 党组织.xlsx and 党员花名册.xlsx (default policy;
    the whole county in scope). Episodes are keyed (org, 列入日期)."""

    demo: Demo

    def __post_init__(self) -> None:
        self.D = self.demo.as_of
        self.fs = FirstSecretaries(self.demo)  # O(o): the org and the orgs below it
        self.episodes: dict[str, list[Row]] = {}
        for x in self.demo.rectifications:
            self.episodes.setdefault(x["党组织编号"], []).append(x)
        self.inspected: dict[str, list[date]] = {}
        for x in self.demo.inspections:
            on = _d(x["督查日期"])
            assert on is not None
            self.inspected.setdefault(x["党组织编号"], []).append(on)
        self.records: dict[str, list[Row]] = {}
        for x in self.demo.group_records:
            self.records.setdefault(x["党小组编号"], []).append(x)
        firsts = [date(*parse_month(x["月份"]), 1) for x in self.demo.group_records]
        known = [f for f in firsts if f <= self.D]
        self.records_begin = min(known) if known else None

    # -- 整顿台账 and 督查记录

    def is_open(self, x: Row) -> bool:
        opened = _d(x["列入日期"])
        return x["整顿状态"] != DONE and (opened is None or opened <= self.D)

    def no_plan(self, x: Row) -> bool:
        opened = _d(x["列入日期"])
        if opened is None or not self.is_open(x):
            return False
        due = opened.toordinal() + RECT_PLAN_DAYS
        plan = _d(x["一村一策制定日期"])
        return due < self.D.toordinal() and (plan is None or plan.toordinal() > due)

    def missed_quarters(self, x: Row) -> list[str]:
        """The quarters completed at D, beginning on or after the listing, with no inspection
        of an org of O(o)."""
        opened = _d(x["列入日期"])
        if opened is None or not self.is_open(x):
            return []
        on = [d for o in self.fs.below(x["党组织编号"]) for d in self.inspected.get(o, [])]
        out: list[str] = []
        y, q = opened.year, (opened.month - 1) // 3
        while True:
            first = date(y, 3 * q + 1, 1)
            last = date(y, 3 * q + 3, calendar.monthrange(y, 3 * q + 3)[1])
            if last >= self.D:
                return out
            if first >= opened and not any(first <= d <= last for d in on):
                out.append(f"{y}-Q{q + 1}")
            y, q = (y + 1, 0) if q == 3 else (y, q + 1)

    def accepted_failing(self, x: Row) -> bool:
        accepted = _d(x["验收日期"])
        return (
            x["整顿状态"] == DONE
            and (accepted is None or accepted <= self.D)
            and x["验收结果"] not in PASSING
        )

    # -- 党小组工作记录

    def checked(self, g: str, unit: str) -> list[Period]:
        est = _d(self.demo.orgs[g]["成立日期"])
        begin = self.records_begin
        assert begin is not None
        return [
            p for p in periods(self.D, unit) if p.last >= begin and (est is None or est <= p.first)
        ]

    def no_summary(self, g: str) -> list[str]:
        if self.records_begin is None:
            return []
        done = {parse_month(x["月份"]) for x in self.records.get(g, []) if x["月总结"] == "是"}
        return [
            p.label for p in self.checked(g, "month") if (p.first.year, p.first.month) not in done
        ]

    def no_inspection(self, g: str) -> list[str]:
        if self.records_begin is None:
            return []
        on = [d for x in self.records.get(g, []) if (d := _d(x["督查日期"])) is not None]
        return [
            p.label
            for p in self.checked(g, "quarter")
            if not any(p.first <= d <= p.last for d in on)
        ]

    def no_leader(self, g: str) -> bool:
        return not any("党小组长" in self.demo.roles(key(m)) for m in self.demo.group_members(g))

    def holds(self, type_: str, id_: str) -> bool:
        eps = self.episodes.get(id_, [])
        if type_ == "rectification_no_plan":
            return any(self.no_plan(x) for x in eps)
        if type_ == "rectification_no_inspection":
            return any(self.missed_quarters(x) for x in eps)
        if type_ == "rectification_accepted_failing":
            return any(self.accepted_failing(x) for x in eps)
        if self.demo.orgs[id_]["组织类别"] != "党小组":
            return False
        if type_ == "group_no_leader":
            return self.no_leader(id_)
        if type_ == "group_no_summary":
            return bool(self.no_summary(id_))
        if type_ == "group_no_inspection":
            return bool(self.no_inspection(id_))
        raise KeyError(type_)
