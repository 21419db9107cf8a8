"""Bad-roster samples (`--with-errors`): small roster files next to a clean demo.

They are written to `<out>/with_errors/` with the same file names and headers as the clean
rosters and reference the clean demo's orgs, households and members, so they can be imported
after it. Each file mixes rows the importer must reject with rows it must accept (lenient date
forms, warnings). `expected_errors.json` lists every row with the Excel row number the user
sees (title and header rows counted), the column, a severity (error / warning / ok) and the
reason. Accepted rows avoid changing the demo's gap results where they can (ended contacts,
returned outflows, old reports); the new members of 党员花名册 are new people.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from orgraph.demo import ids
from orgraph.demo.model import Member, World
from orgraph.demo.rosters import (
    CONTACTS_FILE,
    CONTACTS_HEADER,
    HOUSEHOLDS_FILE,
    HOUSEHOLDS_HEADER,
    MEMBERS_FILE,
    MEMBERS_HEADER,
    OUTFLOWS_FILE,
    OUTFLOWS_HEADER,
    REPORTS_FILE,
    REPORTS_HEADER,
)
from orgraph.demo.write import write_csv, write_xlsx

EXPECTED_FILE = "expected_errors.json"


@dataclass(frozen=True)
class ExpectedIssue:
    file: str
    row: int  # as the user sees it in Excel (1-based, title and header rows counted)
    column: str  # "" when the row as a whole is the problem
    severity: str  # error / warning / ok
    reason: str


class Sample(NamedTuple):
    """One sample row: its cells by header name, and what the importer must say about it."""

    cells: dict[str, Any]
    column: str  # "" when the row as a whole is the problem
    severity: str  # error / warning / ok
    reason: str


def _rows(header: tuple[str, ...], samples: list[Sample]) -> list[list[Any]]:
    return [[x.cells.get(h, "") for h in header] for x in samples]


def _expect(issues: list[ExpectedIssue], file: str, first_row: int, rows: list[Sample]) -> None:
    """Record what the importer must report for `rows`, the first at Excel row `first_row`."""
    for k, x in enumerate(rows):
        issues.append(ExpectedIssue(file, k + first_row, x.column, x.severity, x.reason))


class _Clean:
    """What the samples take from the clean world, and fresh ID numbers it does not hold.

    Every random draw of the samples goes through `new_id`, from one seeded generator, so
    the order of the calls is the order of the draws (same seed, same bytes).
    """

    def __init__(self, world: World) -> None:
        self.world = world
        self.r = random.Random(world.seed * 7919 + 17)
        self.known_ids = {m.id_number for m in world.members}
        self.county = world.areas[0].code
        self.branch = next(  # a village's own 党支部: "D" + its 12-digit area code
            o
            for o in world.orgs
            if o.kind == "党支部" and o.org_id.count("-") == 0 and len(o.org_id) == 13
        )
        self.at_home = next(m for m in world.members if m.member_no and not m.away and m.branch)
        reporter_idx = world.reports[0].member if world.reports else self.at_home.idx
        self.reporter = world.member_by_idx[reporter_idx]
        self.first_report = (
            min(x.on for x in world.reports if x.member == reporter_idx)
            if world.reports
            else world.as_of
        )
        self.household = world.households[0]
        self.hamlet = self.household.area_code

    def new_id(self, birth: date, male: bool = True, region: str = "330226") -> str:
        while True:
            seq = self.r.randint(0, 499) * 2 + (1 if male else 0)
            idn = ids.make_id(region, birth, seq)
            if idn not in self.known_ids:
                self.known_ids.add(idn)
                return idn

    def member(self, name: str, birth: date, **extra: Any) -> dict[str, Any]:
        """A valid new member row; `extra` overrides cells (a fresh ID is drawn regardless)."""
        base: dict[str, Any] = {
            "姓名": name,
            "性别": "男",
            "民族": "汉族",
            "出生日期": birth,
            "公民身份号码": self.new_id(birth),
            "学历": "高中",
            "人员类别": "正式党员",
            "入党日期": date(birth.year + 25, 7, 1),
            "转正日期": date(birth.year + 26, 7, 1),
            "所在党支部": self.branch.name,
            "手机号码": "13857400000",
            "分类管理类别": "在家青壮年",
            "是否流动党员": "否",
            "是否失联党员": "否",
        }
        base.update(extra)
        return base


def _ref(m: Member) -> dict[str, str]:
    return {"姓名": m.name, "人员编号": m.member_no, "公民身份号码": m.id_number}


def write_bad_rosters(world: World, out: Path) -> dict[str, int]:
    """Write the samples and `expected_errors.json` into `out`; returns rows per file."""
    out.mkdir(parents=True, exist_ok=True)
    clean = _Clean(world)
    issues: list[ExpectedIssue] = []
    counts: dict[str, int] = {}
    counts[MEMBERS_FILE] = _write_members(clean, out, issues)
    counts[HOUSEHOLDS_FILE] = _write_households(clean, out, issues)
    stranger = clean.new_id(date(1966, 6, 16))  # a person on no roster
    counts[CONTACTS_FILE] = _write_contacts(clean, out, issues, stranger)
    counts[OUTFLOWS_FILE] = _write_outflows(clean, out, issues, stranger)
    counts[REPORTS_FILE] = _write_reports(clean, out, issues, stranger)
    (out / EXPECTED_FILE).write_text(
        json.dumps([asdict(i) for i in issues], ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    return counts


# ---- 党员花名册 (title row 1, header row 2, data from row 3)


def _write_members(clean: _Clean, out: Path, issues: list[ExpectedIssue]) -> int:
    rows = _member_date_rows(clean) + _member_id_rows(clean) + _member_other_rows(clean)
    rows.append(
        Sample(dict(rows[0].cells, 姓名="样例甲"), "公民身份号码", "error", "与第 3 行重复")
    )
    _expect(issues, MEMBERS_FILE, 3, rows)
    return write_xlsx(
        out / MEMBERS_FILE,
        "党员花名册",
        MEMBERS_HEADER,
        _rows(MEMBERS_HEADER, rows),
        title=f"{clean.world.title}党员花名册（补充）",
        serial=True,
        text_columns=("人员编号", "家庭户编号"),
    )


def _member_date_rows(clean: _Clean) -> list[Sample]:
    b1, b2 = date(1965, 3, 12), date(1971, 8, 30)
    return [
        Sample(
            clean.member("样例甲", b1, 出生日期="1965年3月", 入党日期="1990.03", 转正日期="199103"),
            "",
            "ok",
            "日期写法 1965年3月 / 1990.03 / 199103 应能识别",
        ),
        Sample(
            clean.member("样例乙", b2, 入党日期="1996/3/7", 转正日期="1997-03-07"),
            "",
            "ok",
            "日期写法 1996/3/7 应能识别",
        ),
    ]


def _member_id_rows(clean: _Clean) -> list[Sample]:
    member = clean.member
    good = clean.new_id(date(1968, 5, 20))
    rows = [
        Sample(
            member("校验错", date(1968, 5, 20), 公民身份号码=ids.with_bad_check(good)),
            "公民身份号码",
            "error",
            "身份证号码校验码错误",
        )
    ]
    lost = clean.new_id(date(1970, 1, 15))
    rows.append(
        Sample(
            member("丢位数", date(1970, 1, 15), 公民身份号码=float(lost[:17] + "0")),
            "公民身份号码",
            "error",
            "身份证号码以数字存储, 已丢失位数",
        )
    )
    body = f"{clean.county}19721345" + "123"
    rows.append(
        Sample(
            member("日期错", date(1972, 12, 1), 公民身份号码=body + ids.check_char(body)),
            "公民身份号码",
            "error",
            "身份证号码中的出生日期无效",
        )
    )
    return rows


def _member_other_rows(clean: _Clean) -> list[Sample]:
    member = clean.member
    rows = [
        Sample(
            member("支部错", date(1975, 6, 6), 所在党支部=f"{clean.world.title}不存在村党支部"),
            "所在党支部",
            "error",
            "所在党支部不存在",
        ),
        Sample(member("", date(1980, 2, 2)), "姓名", "error", "姓名为必填"),
        Sample(
            member("无编号", date(1982, 4, 4), 公民身份号码=""),
            "公民身份号码",
            "error",
            "公民身份号码与人员编号均为空",
        ),
    ]
    b3 = date(1977, 9, 9)
    rows.append(
        Sample(
            member("地区码", b3, 公民身份号码=clean.new_id(b3, region="990101")),
            "公民身份号码",
            "warning",
            "身份证号码地区码未知 (仅提示)",
        )
    )
    rows.append(
        Sample(
            member("数字电话", date(1984, 10, 10), 手机号码=13857412345),
            "手机号码",
            "ok",
            "手机号码以数字存储, 按文本读取 (无需提示)",
        )
    )
    return rows


# ---- 农户 (GBK this time; header row 1)


def _write_households(clean: _Clean, out: Path, issues: list[ExpectedIssue]) -> int:
    village, hamlet = clean.household.village, clean.hamlet
    rows = [
        Sample(
            {
                "户编号": f"{village}-9001",
                "所在区划代码": hamlet,
                "户主姓名": "样例户",
                "地址": "样例地址1号",
                "人口数": 3,
            },
            "",
            "ok",
            "GBK 编码应能识别",
        ),
        Sample(
            {
                "户编号": f"{village}-9002",
                "所在区划代码": f"{clean.county}999999",
                "户主姓名": "区划错",
                "人口数": 2,
            },
            "所在区划代码",
            "error",
            "所在区划代码不存在",
        ),
        Sample(
            {"户编号": "", "所在区划代码": hamlet, "户主姓名": "无编号", "人口数": 2},
            "户编号",
            "error",
            "户编号为必填",
        ),
        Sample(
            {
                "户编号": f"{village}-9003",
                "所在区划代码": hamlet,
                "户主姓名": "人口错",
                "人口数": "三口",
            },
            "人口数",
            "warning",
            "人口数不是数字 (选填列: 去掉该值, 保留该行)",
        ),
    ]
    _expect(issues, HOUSEHOLDS_FILE, 2, rows)
    return write_csv(
        out / HOUSEHOLDS_FILE,
        HOUSEHOLDS_HEADER,
        _rows(HOUSEHOLDS_HEADER, rows),
        encoding="gbk",
    )


# ---- 联系关系 (header row 1)


def _write_contacts(clean: _Clean, out: Path, issues: list[ExpectedIssue], stranger: str) -> int:
    ref, household = _ref(clean.at_home), clean.household
    rows = [
        Sample(
            {
                **ref,
                "联系对象类型": "户",
                "联系对象编号": household.id,
                "开始日期": "2019/3/7",
                "结束日期": "2020年5月",
            },
            "",
            "ok",
            "已结束的联系, 日期写法应能识别",
        ),
        Sample(
            {
                "姓名": "查无此人",
                "人员编号": "",
                "公民身份号码": stranger,
                "联系对象类型": "户",
                "联系对象编号": household.id,
                "开始日期": "2024-01-01",
            },
            "公民身份号码",
            "error",
            "党员不在花名册中",
        ),
        Sample(
            {
                **ref,
                "联系对象类型": "户",
                "联系对象编号": f"{household.village}-8888",
                "开始日期": "2024-01-01",
            },
            "联系对象编号",
            "error",
            "农户不存在",
        ),
        Sample(
            {**ref, "联系对象类型": "单位", "联系对象编号": clean.hamlet, "开始日期": "2024-01-01"},
            "联系对象类型",
            "error",
            "联系对象类型无法识别",
        ),
        Sample(
            {
                **ref,
                "联系对象类型": "户",
                "联系对象编号": household.id,
                "开始日期": "2024-05-01",
                "结束日期": "2023-05-01",
            },
            "结束日期",
            "error",
            "结束日期早于开始日期",
        ),
    ]
    _expect(issues, CONTACTS_FILE, 2, rows)
    return write_csv(
        out / CONTACTS_FILE,
        CONTACTS_HEADER,
        _rows(CONTACTS_HEADER, rows),
        encoding="utf-8-sig",
    )


# ---- 流动党员外出登记 (header row 1)


def _write_outflows(clean: _Clean, out: Path, issues: list[ExpectedIssue], stranger: str) -> int:
    ref = _ref(clean.at_home)
    rows = [
        Sample(
            {
                **ref,
                "外出时间": date(2018, 3, 1),
                "外出地点": "外地打工",
                "外出原因": "外出务工",
                "返回时间": date(2018, 12, 20),
            },
            "外出地点",
            "warning",
            "外出地点无法识别 (已返回)",
        ),
        Sample(
            {
                "姓名": "查无此人",
                "公民身份号码": stranger,
                "外出时间": date(2025, 1, 1),
                "外出地点": "上海市浦东新区",
            },
            "公民身份号码",
            "error",
            "党员不在花名册中",
        ),
        Sample(
            {**ref, "外出时间": "", "外出地点": "上海市浦东新区"},
            "外出时间",
            "error",
            "外出时间为必填",
        ),
        Sample(
            {
                **ref,
                "外出时间": date(2017, 5, 1),
                "外出地点": "浙江义乌",
                "返回时间": date(2016, 5, 1),
            },
            "返回时间",
            "error",
            "返回时间早于外出时间",
        ),
    ]
    _expect(issues, OUTFLOWS_FILE, 2, rows)
    return write_xlsx(
        out / OUTFLOWS_FILE,
        "流动党员外出登记",
        OUTFLOWS_HEADER,
        _rows(OUTFLOWS_HEADER, rows),
        text_columns=("人员编号", "公民身份号码"),
    )


# ---- 报到记录 (header row 1)


def _write_reports(clean: _Clean, out: Path, issues: list[ExpectedIssue], stranger: str) -> int:
    ref = _ref(clean.reporter)
    # a year before the member's first report: imported, it changes no gap result
    old = date(clean.first_report.year - 1, 1, 8)
    rows = [
        Sample(
            {**ref, "日期": f"{old.year}年{old.month}月{old.day}日", "方式": "微信"},
            "",
            "ok",
            "日期写法应能识别 (早于该党员已有报到, 不影响结果)",
        ),
        Sample({**ref, "日期": "2026-13-01", "方式": "电话"}, "日期", "error", "日期无效"),
        Sample(
            {"姓名": "查无此人", "公民身份号码": stranger, "日期": "2026-10-01", "方式": "电话"},
            "公民身份号码",
            "error",
            "党员不在花名册中",
        ),
        Sample(
            {**ref, "日期": f"{old.year}-02-08", "方式": "托人带话"},
            "方式",
            "warning",
            "方式不在 电话/微信/现场/网上 之内",
        ),
    ]
    _expect(issues, REPORTS_FILE, 2, rows)
    return write_csv(
        out / REPORTS_FILE,
        REPORTS_HEADER,
        _rows(REPORTS_HEADER, rows),
        encoding="utf-8",
    )
