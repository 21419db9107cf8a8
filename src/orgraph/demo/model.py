"""Plain records of the demo world, and the `World` that holds them once built: what the
roster writers (rosters.py, bad_rosters.py) read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from orgraph.demo.expected import PlantedCase


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
