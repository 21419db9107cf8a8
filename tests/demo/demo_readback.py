"""Read a generated demo folder back from its files (no orgraph code) and check planted cases.

This is a small second reading of the rules of docs/rules.md over the written rosters, enough to
show that each planted case really is a gap under the default thresholds. It is not the
product's oracle.
"""

from __future__ import annotations

import csv
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

    def __post_init__(self) -> None:
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
    for rows in (*(r for _, _, r in sheets), outflows):
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
    )


# --------------------------------------------------------------------------- rule checks


def _household_active_members(demo: Demo, hid: str) -> list[str]:
    return [key(c) for c in demo.active_contacts("户") if c["联系对象编号"] == hid]


def holds(demo: Demo, type_: str, id_: str, city_of: dict[str, str]) -> bool:
    """True when the planted case (type, id) is a gap in the files under default thresholds."""
    as_of = demo.as_of
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
