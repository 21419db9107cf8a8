"""What every step of the demo build shares: the seeded random sources, the records built so
far, and the working structure of a county (townships, villages) the rosters do not carry.

Each step (areas.py, people.py, households.py, orgs.py, duties.py, mobility.py, planted.py) is
a set of functions over one `State`; build.py calls them in a fixed order. Every random
decision goes through `State.r` (random.Random) or `State.g` (a numpy Generator), both seeded
with the build's seed, and nothing iterates over a set or a str-keyed hash order, so the order
of the calls is the order of the draws: one seed gives one world, byte for byte
(docs/design.md#demo). Moving a call, or adding a draw, changes everything drawn after it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from orgraph.demo.expected import PlantedCase, ScreenCase
from orgraph.demo.model import (
    Appointment,
    Area,
    Contact,
    Household,
    Member,
    Org,
    Outflow,
    Report,
)
from orgraph.demo.names import NamePool
from orgraph.demo.places import CountySpec

# From this age a member is exempt from household contacts (as is one classed 老弱).
EXEMPT_AGE = 70


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 Feb
        return d.replace(year=d.year + years, day=28)


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


@dataclass
class Village:
    """A village (村) or community (社区) while it is being built."""

    area: Area
    township: Township
    community: bool
    H: int  # households to build
    M: int  # members to build
    tags: set[str] = field(default_factory=set)  # planted roles (membership tests only)
    coverage: str = "partial"  # partial / full / none
    hamlets: list[Area] = field(default_factory=list)
    members: list[int] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    top_org: str = ""
    branches: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    cadres: list[int] = field(default_factory=list)


@dataclass
class Township:
    area: Area
    kind: str  # 街道 / 镇 / 乡
    villages: list[Village] = field(default_factory=list)
    org_id: str = ""
    organ_branch: str = ""
    cadres: list[int] = field(default_factory=list)
    staff: list[int] = field(default_factory=list)
    cadre_villages: dict[int, list[Village]] = field(default_factory=dict)


@dataclass
class County:
    spec: CountySpec
    area: Area
    townships: list[Township] = field(default_factory=list)
    committee: str = ""
    organ_committee: str = ""
    organ_branches: list[str] = field(default_factory=list)
    leaders: list[int] = field(default_factory=list)
    leader_township: dict[int, Township] = field(default_factory=dict)
    first_secretaries: list[tuple[int, Village]] = field(default_factory=list)
    staff: list[int] = field(default_factory=list)
    mobile: dict[str, Org] = field(default_factory=dict)  # city prefix → mobile branch
    joint_sets: list[list[Village]] = field(default_factory=list)
    members: list[int] = field(default_factory=list)

    @property
    def villages(self) -> list[Village]:
        return [v for t in self.townships for v in t.villages]


@dataclass
class State:
    seed: int
    as_of: date
    scale: str
    r: random.Random = field(init=False)
    g: np.random.Generator = field(init=False)
    names: NamePool = field(init=False)
    # what the rosters will hold (members by idx = position in this list)
    orgs: list[Org] = field(default_factory=list)
    org_by_id: dict[str, Org] = field(default_factory=dict)
    members: list[Member] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    outflows: list[Outflow] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    planted: list[PlantedCase] = field(default_factory=list)
    screening: list[ScreenCase] = field(default_factory=list)  # weak_villages.py
    second_listings: list[tuple[int, str]] = field(default_factory=list)  # (idx, branch org_id)
    appointments: list[Appointment] = field(default_factory=list)  # 第一书记
    counties: list[County] = field(default_factory=list)
    # bookkeeping across steps
    id_numbers: set[str] = field(default_factory=set)  # every ID number handed out
    member_no_seq: int = 0
    card_seq: int = 0  # 流动党员活动证 numbers
    open_outflows: dict[int, Outflow] = field(default_factory=dict)  # member idx → away now
    profiles: dict[int, str] = field(default_factory=dict)  # member away → reporting habit
    household_area: dict[str, str] = field(default_factory=dict)  # 户编号 → area code
    village_by_code: dict[str, Village] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.r = random.Random(self.seed)
        self.g = np.random.default_rng(self.seed)
        self.names = NamePool.draw(self.r)  # the first draws of every build

    def days_ago(self, lo: int, hi: int) -> date:
        return self.as_of - timedelta(days=self.r.randint(lo, hi))

    def age(self, m: Member) -> int:
        return age_on(m.birth, self.as_of)

    def exempt(self, m: Member) -> bool:
        return self.age(m) >= EXEMPT_AGE or m.mgmt_class == "老弱"

    def add_org(self, org: Org) -> Org:
        assert org.org_id not in self.org_by_id, org.org_id
        self.orgs.append(org)
        self.org_by_id[org.org_id] = org
        return org

    def plant(self, type_: str, kind: str, id_: str, note: str = "") -> None:
        self.planted.append(PlantedCase(type_, kind, id_, note))  # type: ignore[arg-type]
