"""Import-error samples (`--with-errors`): small roster files next to a clean demo.

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
from typing import Any

from orgraph.demo import ids
from orgraph.demo.model import World
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


def _rows(header: tuple[str, ...], specs: list[dict[str, Any]]) -> list[list[Any]]:
    return [[s.get(h, "") for h in header] for s in specs]


def write_error_samples(world: World, out: Path) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    r = random.Random(world.seed * 7919 + 17)
    issues: list[ExpectedIssue] = []
    known_ids = {m.id_number for m in world.members}

    def new_id(birth: date, male: bool = True, region: str = "330226") -> str:
        while True:
            idn = ids.make_id(region, birth, r.randint(0, 499) * 2 + (1 if male else 0))
            if idn not in known_ids:
                known_ids.add(idn)
                return idn

    county = world.areas[0].code
    branch = next(
        o
        for o in world.orgs
        if o.kind == "党支部" and o.org_id.count("-") == 0 and len(o.org_id) == 13
    )
    at_home = next(m for m in world.members if m.member_no and not m.away and m.branch)
    reporter_idx = world.reports[0].member if world.reports else at_home.idx
    reporter = world.member_by_idx[reporter_idx]
    first_report = (
        min(x.on for x in world.reports if x.member == reporter_idx)
        if world.reports
        else world.as_of
    )
    household = world.households[0]
    hamlet = household.area_code

    def member(name: str, birth: date, **extra: Any) -> dict[str, Any]:
        base: dict[str, Any] = {
            "姓名": name,
            "性别": "男",
            "民族": "汉族",
            "出生日期": birth,
            "公民身份号码": new_id(birth),
            "学历": "高中",
            "人员类别": "正式党员",
            "入党日期": date(birth.year + 25, 7, 1),
            "转正日期": date(birth.year + 26, 7, 1),
            "所在党支部": branch.name,
            "手机号码": "13857400000",
            "分类管理类别": "在家青壮年",
            "是否流动党员": "否",
            "是否失联党员": "否",
        }
        base.update(extra)
        return base

    # ---- 党员花名册 (title row 1, header row 2, data from row 3)
    b1, b2 = date(1965, 3, 12), date(1971, 8, 30)
    m_rows: list[tuple[dict[str, Any], str, str, str]] = [
        (
            member("样例甲", b1, 出生日期="1965年3月", 入党日期="1990.03", 转正日期="199103"),
            "",
            "ok",
            "日期写法 1965年3月 / 1990.03 / 199103 应能识别",
        ),
        (
            member("样例乙", b2, 入党日期="1996/3/7", 转正日期="1997-03-07"),
            "",
            "ok",
            "日期写法 1996/3/7 应能识别",
        ),
    ]
    good = new_id(date(1968, 5, 20))
    m_rows.append(
        (
            member("校验错", date(1968, 5, 20), 公民身份号码=ids.with_bad_check(good)),
            "公民身份号码",
            "error",
            "身份证号码校验码错误",
        )
    )
    lost = new_id(date(1970, 1, 15))
    m_rows.append(
        (
            member("丢位数", date(1970, 1, 15), 公民身份号码=float(lost[:17] + "0")),
            "公民身份号码",
            "error",
            "身份证号码以数字存储, 已丢失位数",
        )
    )
    body = f"{county}19721345" + "123"
    m_rows.append(
        (
            member("日期错", date(1972, 12, 1), 公民身份号码=body + ids.check_char(body)),
            "公民身份号码",
            "error",
            "身份证号码中的出生日期无效",
        )
    )
    m_rows.append(
        (
            member("支部错", date(1975, 6, 6), 所在党支部=f"{world.title}不存在村党支部"),
            "所在党支部",
            "error",
            "所在党支部不存在",
        )
    )
    m_rows.append((member("", date(1980, 2, 2)), "姓名", "error", "姓名为必填"))
    m_rows.append(
        (
            member("无编号", date(1982, 4, 4), 公民身份号码=""),
            "公民身份号码",
            "error",
            "公民身份号码与人员编号均为空",
        )
    )
    b3 = date(1977, 9, 9)
    m_rows.append(
        (
            member("地区码", b3, 公民身份号码=new_id(b3, region="990101")),
            "公民身份号码",
            "warning",
            "身份证号码地区码未知 (仅提示)",
        )
    )
    m_rows.append(
        (
            member("数字电话", date(1984, 10, 10), 手机号码=13857412345),
            "手机号码",
            "ok",
            "手机号码以数字存储, 按文本读取 (无需提示)",
        )
    )
    dup = m_rows[0][0]
    m_rows.append((dict(dup, 姓名="样例甲"), "公民身份号码", "error", "与第 3 行重复"))
    for k, (_, col, sev, why) in enumerate(m_rows):
        issues.append(ExpectedIssue(MEMBERS_FILE, k + 3, col, sev, why))
    counts: dict[str, int] = {}
    counts[MEMBERS_FILE] = write_xlsx(
        out / MEMBERS_FILE,
        "党员花名册",
        MEMBERS_HEADER,
        _rows(MEMBERS_HEADER, [x[0] for x in m_rows]),
        title=f"{world.title}党员花名册（补充）",
        serial=True,
        text_columns=("人员编号", "家庭户编号"),
    )

    # ---- 农户 (GBK this time; header row 1)
    hh_rows: list[tuple[dict[str, Any], str, str, str]] = [
        (
            {
                "户编号": f"{household.village}-9001",
                "所在区划代码": hamlet,
                "户主姓名": "样例户",
                "地址": "样例地址1号",
                "人口数": 3,
            },
            "",
            "ok",
            "GBK 编码应能识别",
        ),
        (
            {
                "户编号": f"{household.village}-9002",
                "所在区划代码": f"{county}999999",
                "户主姓名": "区划错",
                "人口数": 2,
            },
            "所在区划代码",
            "error",
            "所在区划代码不存在",
        ),
        (
            {"户编号": "", "所在区划代码": hamlet, "户主姓名": "无编号", "人口数": 2},
            "户编号",
            "error",
            "户编号为必填",
        ),
        (
            {
                "户编号": f"{household.village}-9003",
                "所在区划代码": hamlet,
                "户主姓名": "人口错",
                "人口数": "三口",
            },
            "人口数",
            "warning",
            "人口数不是数字 (选填列: 去掉该值, 保留该行)",
        ),
    ]
    for k, (_, col, sev, why) in enumerate(hh_rows):
        issues.append(ExpectedIssue(HOUSEHOLDS_FILE, k + 2, col, sev, why))
    counts[HOUSEHOLDS_FILE] = write_csv(
        out / HOUSEHOLDS_FILE,
        HOUSEHOLDS_HEADER,
        _rows(HOUSEHOLDS_HEADER, [x[0] for x in hh_rows]),
        encoding="gbk",
    )

    # ---- 联系关系
    ref = {"姓名": at_home.name, "人员编号": at_home.member_no, "公民身份号码": at_home.id_number}
    stranger = new_id(date(1966, 6, 16))
    c_rows: list[tuple[dict[str, Any], str, str, str]] = [
        (
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
        (
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
        (
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
        (
            {**ref, "联系对象类型": "单位", "联系对象编号": hamlet, "开始日期": "2024-01-01"},
            "联系对象类型",
            "error",
            "联系对象类型无法识别",
        ),
        (
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
    for k, (_, col, sev, why) in enumerate(c_rows):
        issues.append(ExpectedIssue(CONTACTS_FILE, k + 2, col, sev, why))
    counts[CONTACTS_FILE] = write_csv(
        out / CONTACTS_FILE,
        CONTACTS_HEADER,
        _rows(CONTACTS_HEADER, [x[0] for x in c_rows]),
        encoding="utf-8-sig",
    )

    # ---- 流动党员外出登记 (header row 1)
    o_rows: list[tuple[dict[str, Any], str, str, str]] = [
        (
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
        (
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
        (
            {**ref, "外出时间": "", "外出地点": "上海市浦东新区"},
            "外出时间",
            "error",
            "外出时间为必填",
        ),
        (
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
    for k, (_, col, sev, why) in enumerate(o_rows):
        issues.append(ExpectedIssue(OUTFLOWS_FILE, k + 2, col, sev, why))
    counts[OUTFLOWS_FILE] = write_xlsx(
        out / OUTFLOWS_FILE,
        "流动党员外出登记",
        OUTFLOWS_HEADER,
        _rows(OUTFLOWS_HEADER, [x[0] for x in o_rows]),
        text_columns=("人员编号", "公民身份号码"),
    )

    # ---- 报到记录
    rref = {
        "姓名": reporter.name,
        "人员编号": reporter.member_no,
        "公民身份号码": reporter.id_number,
    }
    old = date(first_report.year - 1, 1, 8)
    r_rows: list[tuple[dict[str, Any], str, str, str]] = [
        (
            {**rref, "日期": f"{old.year}年{old.month}月{old.day}日", "方式": "微信"},
            "",
            "ok",
            "日期写法应能识别 (早于该党员已有报到, 不影响结果)",
        ),
        ({**rref, "日期": "2026-13-01", "方式": "电话"}, "日期", "error", "日期无效"),
        (
            {"姓名": "查无此人", "公民身份号码": stranger, "日期": "2026-10-01", "方式": "电话"},
            "公民身份号码",
            "error",
            "党员不在花名册中",
        ),
        (
            {**rref, "日期": f"{old.year}-02-08", "方式": "托人带话"},
            "方式",
            "warning",
            "方式不在 电话/微信/现场/网上 之内",
        ),
    ]
    for k, (_, col, sev, why) in enumerate(r_rows):
        issues.append(ExpectedIssue(REPORTS_FILE, k + 2, col, sev, why))
    counts[REPORTS_FILE] = write_csv(
        out / REPORTS_FILE,
        REPORTS_HEADER,
        _rows(REPORTS_HEADER, [x[0] for x in r_rows]),
        encoding="utf-8",
    )
    (out / EXPECTED_FILE).write_text(
        json.dumps([asdict(i) for i in issues], ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    return counts
