"""The thirteen roster files of a demo world: their names, headers, encodings, and the writer.

Headers are the Chinese column names of docs/design.md#rosters. Both the clean rosters
(`write_rosters`) and the bad-roster samples (bad_rosters.py) use them, so they live here and
not in generate.py, which calls both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from orgraph.demo.model import Member, World
from orgraph.demo.write import Sheet, write_csv, write_xlsx, write_xlsx_fast, write_xlsx_sheets

AREAS_FILE = "行政区划.xlsx"
ORGS_FILE = "党组织.xlsx"
MEMBERS_FILE = "党员花名册.xlsx"
MEMBERS_SHEET = "党员花名册"
SECOND_MEMBERS_SHEET = "补报党员"  # members listed again by another branch (multi-branch)
HOUSEHOLDS_FILE = "农户.csv"
CONTACTS_FILE = "联系关系.csv"
OUTFLOWS_FILE = "流动党员外出登记.xlsx"
REPORTS_FILE = "报到记录.csv"
MEETINGS_FILE = "组织生活记录.xlsx"
MEETINGS_SHEET = "组织生活记录"
DUES_FILE = "党费.csv"
FIRST_SECRETARIES_FILE = "第一书记.xlsx"
FIRST_SECRETARIES_SHEET = "第一书记"
RECTIFICATIONS_FILE = "整顿台账.xlsx"
INSPECTIONS_FILE = "督查记录.xlsx"
GROUP_RECORDS_FILE = "党小组工作记录.xlsx"
FILES = (
    AREAS_FILE,
    ORGS_FILE,
    MEMBERS_FILE,
    HOUSEHOLDS_FILE,
    CONTACTS_FILE,
    OUTFLOWS_FILE,
    REPORTS_FILE,
    MEETINGS_FILE,
    DUES_FILE,
    FIRST_SECRETARIES_FILE,
    RECTIFICATIONS_FILE,
    INSPECTIONS_FILE,
    GROUP_RECORDS_FILE,
)

AREAS_HEADER = ("区划代码", "名称", "层级", "上级代码", "经度", "纬度")
ORGS_HEADER = (
    "组织编号",
    "组织名称",
    "组织类别",
    "上级组织编号",
    "所在区划代码",
    "驻在地",
    "成立日期",
    "届满日期",
    "软弱涣散",
    # beyond the core columns of docs/design.md#rosters: what rectification_overdue needs
    "整顿开始日期",
    "整顿期限",
    "整顿状态",
)
MEMBERS_HEADER = (
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "公民身份号码",
    "人员编号",
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
    "停止党籍日期",
)
HOUSEHOLDS_HEADER = ("户编号", "所在区划代码", "户主姓名", "地址", "人口数", "标签", "经度", "纬度")
MEMBER_REF = ("姓名", "人员编号", "公民身份号码")
CONTACTS_HEADER = (*MEMBER_REF, "联系对象类型", "联系对象编号", "开始日期", "结束日期")
OUTFLOWS_HEADER = (
    *MEMBER_REF,
    "外出时间",
    "外出地点",
    "外出原因",
    "工作单位",
    "外出联系电话",
    "活动证编号",
    "流入地党组织",
    "返回时间",
    "联系人",
)
REPORTS_HEADER = (*MEMBER_REF, "日期", "方式", "党组织")
MEETINGS_HEADER = (
    "组织编号",
    "会议类型",
    "会议日期",
    "会议主题",
    "应到人数",
    "实到人数",
    "参加人员",
    "缺席人员",
    "主持人",
)
DUES_HEADER = (*MEMBER_REF, "缴至", "缴纳日期", "金额")
FIRST_SECRETARIES_HEADER = (
    *MEMBER_REF,
    "村党组织编号",
    "村党组织",
    "派出单位",
    "任职开始日期",
    "任职结束日期",
)
RECTIFICATIONS_HEADER = (
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
)
INSPECTIONS_HEADER = ("党组织编号", "党组织名称", "督查日期", "督查组", "发现问题", "整改情况")
GROUP_RECORDS_HEADER = (
    "党小组编号",
    "党小组名称",
    "月份",
    "月总结",
    "督查日期",
    "督查发现",
    "考评得分",
    "考评等次",
)

HEADERS: dict[str, tuple[str, ...]] = {
    AREAS_FILE: AREAS_HEADER,
    ORGS_FILE: ORGS_HEADER,
    MEMBERS_FILE: MEMBERS_HEADER,
    HOUSEHOLDS_FILE: HOUSEHOLDS_HEADER,
    CONTACTS_FILE: CONTACTS_HEADER,
    OUTFLOWS_FILE: OUTFLOWS_HEADER,
    REPORTS_FILE: REPORTS_HEADER,
    MEETINGS_FILE: MEETINGS_HEADER,
    DUES_FILE: DUES_HEADER,
    FIRST_SECRETARIES_FILE: FIRST_SECRETARIES_HEADER,
    RECTIFICATIONS_FILE: RECTIFICATIONS_HEADER,
    INSPECTIONS_FILE: INSPECTIONS_HEADER,
    GROUP_RECORDS_FILE: GROUP_RECORDS_HEADER,
}

ENCODINGS = {
    HOUSEHOLDS_FILE: "gb18030",
    CONTACTS_FILE: "utf-8-sig",
    REPORTS_FILE: "utf-8",
    DUES_FILE: "utf-8-sig",
}

# The members workbook's layout, the same on both its sheets.
_MEMBERS_LAYOUT: dict[str, Any] = {
    "serial": True,
    "text_columns": ("公民身份号码", "人员编号", "手机号码", "家庭户编号"),
    "widths": {
        "公民身份号码": 21,
        "所在党支部": 36,
        "所在党小组": 40,
        "家庭户编号": 19,
        "人员编号": 17,
        "手机号码": 14,
        "出生日期": 12,
        "入党日期": 12,
        "转正日期": 12,
        "停止党籍日期": 14,
    },
}


def _yn(b: bool) -> str:
    return "是" if b else "否"


def _ref(m: Member) -> tuple[str, str, str]:
    """The MEMBER_REF cells: how the contacts, outflows and reports files name a member."""
    return (m.name, m.member_no, m.id_number)


def write_rosters(world: World, out: Path) -> dict[str, int]:
    """Write the thirteen roster files into `out`; returns data rows per file (all sheets)."""
    return {
        AREAS_FILE: _write_areas(world, out),
        ORGS_FILE: _write_orgs(world, out),
        MEMBERS_FILE: _write_members(world, out),
        HOUSEHOLDS_FILE: _write_households(world, out),
        CONTACTS_FILE: _write_contacts(world, out),
        OUTFLOWS_FILE: _write_outflows(world, out),
        REPORTS_FILE: _write_reports(world, out),
        MEETINGS_FILE: _write_meetings(world, out),
        DUES_FILE: _write_dues(world, out),
        FIRST_SECRETARIES_FILE: _write_first_secretaries(world, out),
        RECTIFICATIONS_FILE: _write_rectifications(world, out),
        INSPECTIONS_FILE: _write_inspections(world, out),
        GROUP_RECORDS_FILE: _write_group_records(world, out),
    }


def _write_areas(world: World, out: Path) -> int:
    return write_xlsx(
        out / AREAS_FILE,
        "行政区划",
        AREAS_HEADER,
        ((a.code, a.name, a.level, a.parent or "", a.lon, a.lat) for a in world.areas),
        text_columns=("区划代码", "上级代码"),
        widths={"名称": 16},
    )


def _write_orgs(world: World, out: Path) -> int:
    return write_xlsx(
        out / ORGS_FILE,
        "党组织",
        ORGS_HEADER,
        (
            (
                o.org_id,
                o.name,
                o.kind,
                o.parent or "",
                o.area_code or "",
                o.host_area,
                o.established_on,
                o.term_end,
                _yn(o.weak),
                o.rect_opened,
                o.rect_deadline,
                o.rect_status or ("整顿中" if o.weak else ""),
            )
            for o in world.orgs
        ),
        text_columns=("组织编号", "上级组织编号", "所在区划代码"),
        widths={"组织名称": 40, "组织编号": 22, "上级组织编号": 22},
    )


def _write_members(world: World, out: Path) -> int:
    """党员花名册 and, when some members are listed twice, a second sheet 补报党员."""
    orgs = world.org_by_id
    as_of = f"截至{world.as_of.year}年{world.as_of.month}月{world.as_of.day}日"

    def member_row(m: Member, branch: str | None, group: str | None) -> tuple[Any, ...]:
        return (
            m.name,
            m.gender,
            m.ethnicity,
            m.birth,
            m.id_number,
            m.member_no,
            m.education,
            m.category,
            m.joined_on,
            m.full_on,
            orgs[branch].name if branch else "",
            orgs[group].name if group else "",
            m.phone,
            m.household_id,
            ";".join(m.roles),
            m.mgmt_class,
            _yn(m.away),
            _yn(m.lost_flag),
            m.suspended_on,
        )

    sheets = [
        Sheet(
            MEMBERS_SHEET,
            MEMBERS_HEADER,
            (member_row(m, m.branch, m.group) for m in world.members),
            title=f"{world.title}党员花名册（{as_of}）",
            **_MEMBERS_LAYOUT,
        )
    ]
    if world.second_listings:  # the same person, another branch, no party group there
        sheets.append(
            Sheet(
                SECOND_MEMBERS_SHEET,
                MEMBERS_HEADER,
                (member_row(m, branch, None) for m, branch in world.second_listings),
                title=f"{world.title}补报党员名单（{as_of}）",
                **_MEMBERS_LAYOUT,
            )
        )
    return sum(write_xlsx_sheets(out / MEMBERS_FILE, sheets))


def _write_households(world: World, out: Path) -> int:
    return write_csv(
        out / HOUSEHOLDS_FILE,
        HOUSEHOLDS_HEADER,
        (
            (h.id, h.area_code, h.head_name, h.address, h.size, h.tags, h.lon, h.lat)
            for h in world.households
        ),
        encoding=ENCODINGS[HOUSEHOLDS_FILE],
    )


def _write_contacts(world: World, out: Path) -> int:
    by_idx = world.member_by_idx
    return write_csv(
        out / CONTACTS_FILE,
        CONTACTS_HEADER,
        (
            (*_ref(by_idx[x.member]), x.target_kind, x.target_id, x.since, x.until)
            for x in world.contacts
        ),
        encoding=ENCODINGS[CONTACTS_FILE],
    )


def _write_outflows(world: World, out: Path) -> int:
    by_idx = world.member_by_idx
    return write_xlsx(
        out / OUTFLOWS_FILE,
        "流动党员外出登记",
        OUTFLOWS_HEADER,
        (
            (
                *_ref(by_idx[o.member]),
                o.left_on,
                o.destination,
                o.reason,
                o.employer,
                o.phone_away,
                o.card_no,
                o.host_org,
                o.returned_on,
                o.contact_person,
            )
            for o in world.outflows
        ),
        text_columns=("人员编号", "公民身份号码", "外出联系电话", "外出地点"),
        widths={
            "公民身份号码": 21,
            "外出地点": 22,
            "工作单位": 28,
            "流入地党组织": 30,
            "活动证编号": 22,
            "外出时间": 12,
            "返回时间": 12,
        },
    )


def _write_reports(world: World, out: Path) -> int:
    by_idx = world.member_by_idx
    return write_csv(
        out / REPORTS_FILE,
        REPORTS_HEADER,
        ((*_ref(by_idx[x.member]), x.on, x.channel, x.org) for x in world.reports),
        encoding=ENCODINGS[REPORTS_FILE],
    )


def _keys(world: World, idxs: list[int]) -> str:
    """参加人员 / 缺席人员: 人员编号 (公民身份号码 when none), ";"-separated."""
    by_idx = world.member_by_idx
    return ";".join(by_idx[i].key for i in idxs)


def as_of_text(world: World) -> str:
    return f"截至{world.as_of.year}年{world.as_of.month}月{world.as_of.day}日"


def _write_meetings(world: World, out: Path) -> int:
    # thousands of rows: written directly (write_xlsx_fast), not through openpyxl
    return write_xlsx_fast(
        out / MEETINGS_FILE,
        Sheet(
            MEETINGS_SHEET,
            MEETINGS_HEADER,
            (
                (
                    k.org,
                    k.type,
                    k.on,
                    k.topic,
                    k.expected,
                    k.present,
                    _keys(world, k.attendees),
                    _keys(world, k.absentees),
                    k.host,
                )
                for k in world.meetings
            ),
            title=f"{world.title}党组织组织生活记录（{as_of_text(world)}）",
            text_columns=("组织编号", "参加人员", "缺席人员"),
            widths={"组织编号": 22, "会议日期": 12, "会议主题": 44, "参加人员": 40, "缺席人员": 40},
        ),
    )


def month_text(paid_to: tuple[int, int], cn: bool) -> str:
    y, m = paid_to
    return f"{y}年{m}月" if cn else f"{y:04d}-{m:02d}"


def _write_dues(world: World, out: Path) -> int:
    by_idx = world.member_by_idx
    return write_csv(
        out / DUES_FILE,
        DUES_HEADER,
        (
            (
                *_ref(by_idx[x.member]),
                month_text(x.paid_to, x.cn_month),
                x.paid_on,
                f"{x.amount:.2f}",
            )
            for x in world.payments
        ),
        encoding=ENCODINGS[DUES_FILE],
    )


def _write_first_secretaries(world: World, out: Path) -> int:
    """第一书记: who is sent to which village Party organisation, by which unit, when."""
    by_idx, orgs = world.member_by_idx, world.org_by_id
    return write_xlsx(
        out / FIRST_SECRETARIES_FILE,
        FIRST_SECRETARIES_SHEET,
        FIRST_SECRETARIES_HEADER,
        (
            (
                *_ref(by_idx[a.member]),
                a.org,
                orgs[a.org].name,
                a.sent_by,
                a.since,
                a.until,
            )
            for a in world.appointments
        ),
        title=f"{world.title}驻村第一书记名册（{as_of_text(world)}）",
        text_columns=("人员编号", "公民身份号码", "村党组织编号"),
        widths={
            "公民身份号码": 21,
            "人员编号": 17,
            "村党组织编号": 22,
            "村党组织": 40,
            "派出单位": 24,
            "任职开始日期": 14,
            "任职结束日期": 14,
        },
    )


def _write_rectifications(world: World, out: Path) -> int:
    """整顿台账: one row per episode of a 软弱涣散 organisation (the 党组织 roster's too)."""
    orgs = world.org_by_id
    return write_xlsx(
        out / RECTIFICATIONS_FILE,
        "整顿台账",
        RECTIFICATIONS_HEADER,
        (
            (
                x.org,
                orgs[x.org].name,
                x.opened_on,
                x.problems,
                x.plan_on,
                x.county_leader,
                x.township_team,
                x.sent_unit,
                x.deadline,
                x.accepted_on,
                x.result,
                x.status,
            )
            for x in world.rectifications
        ),
        title=f"{world.title}软弱涣散村党组织整顿台账（{as_of_text(world)}）",
        text_columns=("党组织编号",),
        widths={
            "党组织编号": 22,
            "党组织名称": 40,
            "列入日期": 12,
            "问题类型": 28,
            "一村一策制定日期": 16,
            "乡镇包联责任人": 14,
            "派驻单位": 24,
            "整顿期限": 12,
            "验收日期": 12,
        },
    )


def _write_inspections(world: World, out: Path) -> int:
    """督查记录: the county's quarterly inspections of the organisations under rectification."""
    orgs = world.org_by_id
    return write_xlsx(
        out / INSPECTIONS_FILE,
        "督查记录",
        INSPECTIONS_HEADER,
        (
            (x.org, orgs[x.org].name, x.on, x.inspector, x.findings, x.follow_up)
            for x in world.inspections
        ),
        title=f"{world.title}软弱涣散村党组织整顿督查记录（{as_of_text(world)}）",
        text_columns=("党组织编号",),
        widths={"党组织编号": 22, "党组织名称": 40, "督查日期": 12, "督查组": 20, "发现问题": 24},
    )


def _write_group_records(world: World, out: Path) -> int:
    """党小组工作记录: a party group's month (月总结, the township's 督查, the yearly 考评)."""
    orgs = world.org_by_id
    return write_xlsx(
        out / GROUP_RECORDS_FILE,
        "党小组工作记录",
        GROUP_RECORDS_HEADER,
        (
            (
                x.group,
                orgs[x.group].name,
                month_text(x.month, cn=False),
                _yn(x.summary),
                x.inspected_on,
                x.finding,
                x.score,
                x.grade,
            )
            for x in world.group_records
        ),
        title=f"{world.title}党小组工作记录（{as_of_text(world)}）",
        text_columns=("党小组编号", "月份"),
        widths={"党小组编号": 24, "党小组名称": 44, "督查日期": 12, "督查发现": 22},
    )
