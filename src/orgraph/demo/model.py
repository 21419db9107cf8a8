"""Plain records of the demo world, and the `World` that holds them once built: what the
roster writers (rosters.py, bad_rosters.py) read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from orgraph.demo.expected import PlantedCase, ScreenCase


@dataclass(slots=True)
class Area:
    code: str
    name: str
    level: str  # 县 / 街道 / 乡镇 / 村 / 社区 / 组 / 网格
    parent: str | None
    lon: float | None
    lat: float | None


@dataclass(slots=True)
class Household:
    id: str
    area_code: str  # a hamlet, or the village when the hamlet is unknown
    village: str
    head_name: str
    address: str
    size: int
    tags: str
    lon: float
    lat: float


@dataclass(slots=True)
class Member:
    idx: int
    name: str
    id_number: str
    member_no: str  # "" when the member has none
    gender: str  # 男 / 女
    ethnicity: str
    birth: date
    education: str
    category: str  # 正式党员 / 预备党员
    joined_on: date
    full_on: date | None
    county: str
    village: str | None  # home village code (None for organ members)
    branch: str | None = None  # org_id of the formal affiliation; None = empty cell
    group: str | None = None
    phone: str = ""
    household_id: str = ""
    roles: list[str] = field(default_factory=list)
    mgmt_class: str = ""
    away: bool = False  # an open outflow on as_of
    lost_flag: bool = False
    suspended_on: date | None = None  # 停止党籍日期 (life.py plants one per county)

    @property
    def key(self) -> str:
        return self.member_no or self.id_number

    @property
    def is_full(self) -> bool:
        return self.category == "正式党员"


@dataclass(slots=True)
class Org:
    org_id: str
    name: str
    kind: str  # 党委 / 党工委 / 党总支 / 党支部 / 联合党支部 / 党小组 / 流动党员党支部
    parent: str | None
    area_code: str | None
    host_area: str = ""
    established_on: date | None = None
    term_end: date | None = None
    weak: bool = False
    rect_opened: date | None = None
    rect_deadline: date | None = None
    rect_status: str = ""  # 整顿状态 as written when not the weak one's 整顿中 (已销号)


@dataclass(slots=True)
class Contact:
    member: int
    target_kind: str  # 户 / 组 / 党小组 / 村 / 乡镇
    target_id: str
    since: date
    until: date | None = None


@dataclass(slots=True)
class Outflow:
    member: int
    left_on: date
    destination: str
    city: str  # destination city prefix ("" when unrecognisable); not written
    reason: str
    employer: str
    phone_away: str
    card_no: str
    host_org: str
    returned_on: date | None
    contact_person: str


@dataclass(slots=True)
class Report:
    member: int
    on: date
    channel: str
    org: str  # org name


# roster 会议类型 → the type of docs/rules.md (a meeting's id is org|type|on|topic)
MEETING_CODES = {
    "党员大会": "general_meeting",
    "支委会": "committee_meeting",
    "党小组会": "group_meeting",
    "党课": "lecture",
    "主题党日": "theme_day",
    "组织生活会": "life_meeting",
    "民主评议党员": "appraisal",
    "谈心谈话": "talk",
}


# full-width forms (U+FF01–FF5E, the ideographic space) → ASCII, as roster text is read
_HALFWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


@dataclass(slots=True)
class Meeting:
    """A row of 组织生活记录. Members are idx; `attended` (not written) is who took part as
    docs/rules.md reads the row: the attendees when listed, else the expected not absent."""

    org: str
    type: str  # 会议类型 as written: a key of MEETING_CODES
    on: date
    topic: str
    expected: int | None  # 应到人数
    present: int | None  # 实到人数
    attendees: list[int]  # 参加人员 (empty: not listed)
    absentees: list[int]  # 缺席人员
    host: str
    attended: list[int] = field(default_factory=list)

    @property
    def id(self) -> str:
        """org|type|on|topic, the topic as the importer keeps it (half-width, trimmed)."""
        topic = " ".join(self.topic.translate(_HALFWIDTH).split())
        return f"{self.org}|{MEETING_CODES[self.type]}|{self.on.isoformat()}|{topic}"


@dataclass(slots=True)
class Payment:
    """A row of 党费: paid up to `paid_to` (year, month)."""

    member: int
    paid_to: tuple[int, int]
    paid_on: date
    amount: float
    cn_month: bool = False  # 缴至 written "2026年9月" rather than "2026-09"


@dataclass(slots=True)
class Appointment:
    """A row of 第一书记: member idx sent to a village's top org by `sent_by`, from `since`
    until `until` (None: open). `present` (not written): whether the village's ledgers see
    them (household contacts there, the branch's 主题党日); False for the planted
    first_secretary_absent."""

    member: int
    org: str
    sent_by: str
    since: date
    until: date | None = None
    present: bool = True

    def active(self, on: date) -> bool:
        return self.since <= on and (self.until is None or self.until > on)


def appointment_id(member_key: str, org: str, since: date) -> str:
    """member key|org id|since, as docs/rules.md "第一书记" and the importer build it."""
    return f"{member_key}|{org}|{since.isoformat()}"


@dataclass(slots=True)
class Rectification:
    """A row of 整顿台账: one episode of an org listed as 软弱涣散 (the same episode the
    党组织 roster's 整顿 columns write). Text cells as written; "" = empty."""

    org: str
    opened_on: date  # 列入日期
    problems: str  # 问题类型, "、"-joined
    plan_on: date | None  # 一村一策制定日期
    county_leader: str
    township_team: str
    sent_unit: str
    deadline: date | None
    accepted_on: date | None = None
    result: str = ""  # 验收结果: 合格 / 基本合格 / 不合格
    status: str = "整顿中"  # 整顿状态: 整顿中 / 已销号


@dataclass(slots=True)
class Inspection:
    """A row of 督查记录: the county's visit to an org under rectification."""

    org: str
    on: date
    inspector: str  # 督查组
    findings: str
    follow_up: str  # 整改情况: 整改中 / 已整改 / 无需整改


@dataclass(slots=True)
class GroupRecord:
    """A row of 党小组工作记录: one month of a party group."""

    group: str
    month: tuple[int, int]
    summary: bool  # 月总结
    inspected_on: date | None = None  # the township's quarterly 督查
    finding: str = ""
    score: int | None = None  # 考评得分 (the yearly appraisal, on December's row)
    grade: str = ""  # 考评等次


@dataclass
class World:
    """A built demo county (or city), in the order its rosters list it."""

    scale: str
    seed: int
    as_of: date
    title: str  # 宁海县 / 宁波市
    areas: list[Area]
    orgs: list[Org]
    members: list[Member]  # in roster order
    households: list[Household]
    contacts: list[Contact]
    outflows: list[Outflow]
    reports: list[Report]
    planted: list[PlantedCase]
    counts: dict[str, int]
    member_by_idx: dict[int, Member]
    org_by_id: dict[str, Org]
    # members listed a second time, by another branch's roster: (member, that branch's
    # org_id), in roster order; written as a second sheet of the members workbook
    second_listings: list[tuple[Member, str]] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)  # 组织生活记录, in roster order
    payments: list[Payment] = field(default_factory=list)  # 党费, in roster order
    appointments: list[Appointment] = field(default_factory=list)  # 第一书记, in roster order
    rectifications: list[Rectification] = field(default_factory=list)  # 整顿台账
    inspections: list[Inspection] = field(default_factory=list)  # 督查记录
    group_records: list[GroupRecord] = field(default_factory=list)  # 党小组工作记录
    screening: list[ScreenCase] = field(default_factory=list)  # the planted weak villages
