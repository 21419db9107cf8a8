"""A small county as plain dataclasses, and a writer of its roster files.

The model is the ground truth of the oracle tests: the oracle (oracle.py) computes every gap
rule from these objects directly, and the writer turns them into roster CSV files (UTF-8 with
BOM, the Chinese headers of docs/design.md#rosters) that `orgraph.importer.import_files` loads
into the graph the engine reads. Members are identified by 人员编号 only (no ID numbers).

Off-roll members are written in the full roster (first import) and left out of a second
members file (`snapshot_members`), imported with `snapshot=True`. A snapshot only covers the
branches present in its file, so an off-roll member must belong to a branch that keeps at
least one on-roll member: `County.check()` says so.

Organisational life: meetings (组织生活记录) and dues payments (党费) are roster files of
their own, written when the county has such records; a member's 停止党籍日期 is a column of
the members roster.

Members away: outflow episodes and reports are roster files too; attendance added later,
returns recorded later and transfers of the formal affiliation are not roster columns, so they
are `Action`s the harness applies through the mobility services after the import. `settle()`
gives the county as it stands after those actions (the world the oracle reasons about).
"""

from __future__ import annotations

import copy
import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .ledger_model import (
    RESULT_LABEL,
    FirstSecretary,
    GroupRecord,
    Inspection,
    ledger_problems,
    write_ledger_rosters,
)

# -- labels the roster layer understands (orgraph.roster.codes), written as a county would --

AREA_LEVEL_LABEL = {"county": "县", "township": "乡镇", "village": "村", "hamlet": "组"}
ORG_KIND_LABEL = {
    "committee": "党委",
    "working_committee": "党工委",
    "general_branch": "党总支",
    "branch": "党支部",
    "joint_branch": "联合党支部",
    "group": "党小组",
    "mobile_branch": "流动党员党支部",
    "temp_branch": "临时党支部",
    "temp_group": "临时党小组",
}
CATEGORY_LABEL = {"full": "正式党员", "probationary": "预备党员"}
MGMT_CLASS_LABEL = {
    "young_at_home": "在家青壮年",
    "frontline": "产业一线",
    "mobile": "流动创业",
    "elderly_weak": "老弱",
}
ROLE_LABEL = {
    "county_leader": "县级领导",
    "township_cadre": "乡镇干部",
    "village_committee": "村两委",
    "secretary": "书记",
    "deputy_secretary": "副书记",
    "committee_member": "委员",
    "group_leader": "党小组长",
    "first_secretary": "第一书记",
}
TARGET_KIND_LABEL = {
    "household": "户",
    "hamlet": "组",
    "group": "党小组",
    "village": "村",
    "township": "乡镇",
}
RECT_STATUS_LABEL = {"open": "整顿中", "done": "已完成"}
MEETING_TYPE_LABEL = {
    "general_meeting": "党员大会",
    "committee_meeting": "支委会",
    "group_meeting": "党小组会",
    "lecture": "党课",
    "theme_day": "主题党日",
    "life_meeting": "组织生活会",
    "appraisal": "民主评议党员",
    "talk": "谈心谈话",
}
CHANNEL_LABEL = {"phone": "电话", "wechat": "微信", "in_person": "现场", "online": "网上"}

# Org kinds a member's 所在党支部 may name (orgraph.vocab.MEMBER_ORG_KINDS; spelled out here so
# the oracle does not take its model from the code it checks).
BRANCH_KINDS = frozenset(
    {
        "branch",
        "joint_branch",
        "general_branch",
        "committee",
        "working_committee",
        "mobile_branch",
        "temp_branch",
    }
)
GROUP_KINDS = frozenset({"group", "temp_group"})
MOBILE_KINDS = frozenset({"mobile_branch", "temp_branch", "temp_group"})
# The id the importer gives an org named by an outflow's 流入地党组织 that the county's org
# file does not hold (an org at the destination).
EXTERNAL_PREFIX = "X:"


@dataclass
class Area:
    code: str
    name: str
    level: str  # county / township / village / hamlet
    parent: str | None = None


@dataclass
class Org:
    id: str
    name: str
    kind: str
    parent: str | None = None  # UNDER
    area: str | None = None  # SERVES
    term_end: str | None = None
    rect_opened_on: str | None = None
    rect_deadline: str | None = None
    rect_status: str | None = None  # open / done (None: a rectification is "open")
    host_area: str | None = None  # 驻在地: a division code, or text the geocoder cannot place
    established_on: str | None = None
    weak: bool | None = None  # 是否软弱涣散: listed as a weak organisation (None: empty cell)

    @property
    def has_rectification(self) -> bool:
        return bool(self.rect_opened_on or self.rect_deadline)


@dataclass
class Member:
    member_no: str
    name: str
    birth_date: str | None = None
    category: str | None = None  # full / probationary / None (counts as full)
    mgmt_class: str | None = None
    roles: list[str] = field(default_factory=list)
    branch: str | None = None  # org id (BELONGS_TO)
    group: str | None = None  # org id (IN_GROUP); only with a branch
    household: str | None = None  # LIVES_IN
    on_roll: bool = True
    joined_on: str | None = None
    lost_contact: bool | None = None  # 是否失联党员
    suspended_on: str | None = None  # 停止党籍日期
    # More BELONGS_TO than `branch` (the smallest id): only a county read from a graph has them
    # (from_graph.py); the strategies draw one branch.
    more_branches: list[str] = field(default_factory=list)


@dataclass
class Household:
    id: str
    area: str
    head_name: str = ""


@dataclass
class Contact:
    """A contact (target_kind household → CONTACTS) or a responsibility (other kinds →
    RESPONSIBLE_FOR to an area or a party group)."""

    member: str
    target_kind: str  # household / hamlet / village / township / group
    target: str
    since: str | None = None
    until: str | None = None


@dataclass
class Outflow:
    member: str
    left_on: str
    returned_on: str | None = None
    # 外出地点: a 6-digit division code of the packaged table, or text it cannot place.
    destination: str = "441900"
    host_org: str | None = None  # 流入地党组织: an org id of the county, or a name outside it
    employer: str | None = None
    contact_person: str | None = None
    transferred_on: str | None = None  # never in a roster: set by a transfer action

    @property
    def id(self) -> str:
        return f"{self.member}|{self.left_on}"


@dataclass
class Report:
    member: str
    on: str
    channel: str | None = None  # phone / wechat / in_person / online
    org: str | None = None  # 党组织: an org id of the county, or free text


@dataclass
class Attend:
    """An ATTENDS link: made by the import for an outflow naming a host org (since = left_on,
    until = returned_on), or by an attend action."""

    member: str
    org: str
    since: str
    until: str | None = None


@dataclass
class Action:
    """A mobility service call applied after the import, in list order.

    attend: `org`, since `on`; record_return: on `on`; transfer: to `org` on `on`."""

    kind: str  # attend / record_return / transfer
    member: str
    on: str
    org: str | None = None


@dataclass
class Meeting:
    """A record of organisational life (组织生活记录) held by `org`. `attendees` / `absentees`
    are member numbers; None is "no list given" (an empty cell), never an explicit empty
    list."""

    org: str
    type: str  # a MEETING_TYPE_LABEL key
    on: str
    topic: str | None = None
    expected: int | None = None  # 应到人数
    present: int | None = None  # 实到人数
    attendees: list[str] | None = None
    absentees: list[str] | None = None
    host: str | None = None  # 主持人 / 讲课人

    @property
    def id(self) -> str:
        return f"{self.org}|{self.type}|{self.on}|{self.topic or ''}"


@dataclass
class Dues:
    """A dues payment (党费): paid up to the month `paid_to` (YYYY-MM)."""

    member: str
    paid_to: str
    paid_on: str | None = None
    amount: str | None = None
    # Write 缴至 as "2026年9月" instead of "2026-09" (the parser reads both).
    written_cn: bool = False

    @property
    def id(self) -> str:
        return f"{self.member}|{self.paid_to}"


@dataclass
class Rect:
    """An episode of the rectification ledger (整顿台账), besides the one an org's own columns
    (整顿开始日期, 整顿期限, 整顿状态) may give; its id is `org|opened_on`."""

    org: str
    opened_on: str
    deadline: str | None = None
    status: str | None = None  # open / done; None: done when accepted_on, else open
    accepted_on: str | None = None
    plan_on: str | None = None  # 一村一策制定日期
    result: str | None = None  # 验收结果: pass / basic / fail

    @property
    def effective_status(self) -> str:
        return self.status or ("done" if self.accepted_on else "open")


@dataclass
class County:
    areas: list[Area] = field(default_factory=list)
    orgs: list[Org] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    outflows: list[Outflow] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    dues: list[Dues] = field(default_factory=list)
    rects: list[Rect] = field(default_factory=list)  # 整顿台账 episodes
    # 第一书记, 督查记录, 党小组工作记录 (ledger_model.py)
    first_secretaries: list[FirstSecretary] = field(default_factory=list)
    inspections: list[Inspection] = field(default_factory=list)
    group_records: list[GroupRecord] = field(default_factory=list)
    # Filled by settle(): the ATTENDS links once the import and the actions are done.
    attends: list[Attend] = field(default_factory=list)
    # The dates the county was generated around (the as_of dates a test compares on).
    as_ofs: list[str] = field(default_factory=list)

    # -- lookups ---------------------------------------------------------------------------

    def area(self, code: str) -> Area:
        return next(a for a in self.areas if a.code == code)

    def org(self, oid: str) -> Org:
        return next(o for o in self.orgs if o.id == oid)

    @property
    def county_code(self) -> str:
        return next(a.code for a in self.areas if a.parent is None)

    @property
    def off_roll(self) -> list[Member]:
        return [m for m in self.members if not m.on_roll]

    def check(self) -> list[str]:
        """Problems that would make the files differ from the model once imported."""
        problems = []
        codes = {a.code for a in self.areas}
        orgs = {o.id: o for o in self.orgs}
        hh = {h.id for h in self.households}
        members = {m.member_no for m in self.members}
        if codes & set(orgs):
            problems.append("area codes and org ids overlap")
        for m in self.members:
            if m.branch is not None and orgs[m.branch].kind not in BRANCH_KINDS:
                problems.append(f"{m.member_no}: branch {m.branch} is not a branch kind")
            if m.group is not None and (m.branch is None or orgs[m.group].kind not in GROUP_KINDS):
                problems.append(f"{m.member_no}: group {m.group} without branch or not a group")
            if m.household is not None and m.household not in hh:
                problems.append(f"{m.member_no}: unknown household")
            if not m.on_roll and (
                m.branch is None
                or not any(o.on_roll and o.branch == m.branch for o in self.members)
            ):
                problems.append(f"{m.member_no}: off roll but no snapshot covers its branch")
        seen = set()
        for c in self.contacts:
            k = (c.member, c.target_kind, c.target, c.since or "")
            if k in seen:
                problems.append(f"duplicate contact {k}")
            seen.add(k)
            if c.member not in members:
                problems.append(f"contact of unknown member {c.member}")
            if c.since and c.until and c.until < c.since:
                problems.append(f"contact {k} ends before it starts")
        lefts = set()
        for f in self.outflows:
            if (f.member, f.left_on) in lefts:
                problems.append(f"duplicate outflow {f.member} {f.left_on}")
            lefts.add((f.member, f.left_on))
            if f.returned_on and f.returned_on < f.left_on:
                problems.append(f"outflow {f.member} {f.left_on} returns before it leaves")
            if f.member not in members:
                problems.append(f"outflow of unknown member {f.member}")
            if f.transferred_on:
                problems.append(f"outflow {f.id}: transferred_on is set by actions only")
        reports = set()
        for r in self.reports:
            k2 = (r.member, r.on, r.channel, r.org)
            if k2 in reports:
                problems.append(f"duplicate report {k2}")
            reports.add(k2)
            if r.member not in members:
                problems.append(f"report of unknown member {r.member}")
        for o in self.orgs:
            if o.host_area is not None and o.kind not in MOBILE_KINDS:
                problems.append(f"{o.id}: host area on a {o.kind}")
        if self.attends:
            problems.append("attends are derived by settle(), not written")
        meeting_ids = set()
        for mt in self.meetings:
            if mt.id in meeting_ids:
                problems.append(f"duplicate meeting {mt.id}")
            meeting_ids.add(mt.id)
            if mt.org not in orgs:
                problems.append(f"meeting {mt.id}: unknown org")
            if mt.type not in MEETING_TYPE_LABEL:
                problems.append(f"meeting {mt.id}: unknown type")
            for lst in (mt.attendees, mt.absentees):
                if lst is not None and not lst:
                    problems.append(f"meeting {mt.id}: an explicit empty list")
                for no in lst or []:
                    if no not in members:
                        problems.append(f"meeting {mt.id}: unknown member {no}")
                if lst is not None and len(set(lst)) != len(lst):
                    problems.append(f"meeting {mt.id}: a member listed twice")
            if set(mt.attendees or ()) & set(mt.absentees or ()):
                problems.append(f"meeting {mt.id}: a member both attendee and absentee")
            if (mt.expected is not None and mt.expected < 0) or (
                mt.present is not None and mt.present < 0
            ):
                problems.append(f"meeting {mt.id}: negative figures")
        dues_ids = set()
        for pay in self.dues:
            if pay.id in dues_ids:
                problems.append(f"duplicate dues {pay.id}")
            dues_ids.add(pay.id)
            if pay.member not in members:
                problems.append(f"dues of unknown member {pay.member}")
            if len(pay.paid_to) != 7 or pay.paid_to[4] != "-":
                problems.append(f"dues {pay.id}: paid_to is not YYYY-MM")
        rect_ids = {f"{o.id}|{o.rect_opened_on or ''}" for o in self.orgs if o.has_rectification}
        for ep in self.rects:
            rid = f"{ep.org}|{ep.opened_on}"
            if rid in rect_ids:
                problems.append(f"duplicate rectification {rid}")
            rect_ids.add(rid)
            if ep.org not in orgs or orgs[ep.org].kind in GROUP_KINDS:
                problems.append(f"rectification of {ep.org}: not an org a ledger may name")
            if any(x and x < ep.opened_on for x in (ep.deadline, ep.accepted_on)):
                problems.append(f"rectification {rid} ends before it opens")
        problems += ledger_problems(self)
        return problems

    def host_org_id(self, text: str) -> str:
        """The org an outflow's 流入地党组织 names once imported: a county org by id, else an
        external org keyed by the text."""
        return text if any(o.id == text for o in self.orgs) else EXTERNAL_PREFIX + text


def settle(c: County) -> County:
    """The county after the import and its actions: ATTENDS links made, returns and transfers
    recorded, transferred members moved (and off roll when moved out of the county).

    The import attends an episode's host org (流入地党组织) from left_on until returned_on.
    The documented effects of orgraph.mobility.services, modelled here independently:
    - attend(member, org, since): an ATTENDS link, once per (member, org, since).
    - record_return(member, on): the episode open on `on` (the latest departure) gets
      returned_on = on, and the member's open ATTENDS begun at or after its departure get
      until = on. Refused on the departure day itself (the generator never asks).
    - transfer(member, to_org, on): the episode open on `on` (also one that left that day)
      gets transferred_on = on and its ATTENDS end as for a return; the member's branch (and
      party group) links are replaced by one BELONGS_TO to `to_org` (a county org id, or a
      name outside the county: the external org "X:name"), and the member leaves the roll
      when the target is outside the county.
    """
    w = copy.deepcopy(c)
    # The import: an episode naming a host org attends it from the departure to the return.
    w.attends = [
        Attend(f.member, w.host_org_id(f.host_org), f.left_on, f.returned_on)
        for f in w.outflows
        if f.host_org
    ]
    members = {m.member_no: m for m in w.members}
    county_orgs = {o.id for o in w.orgs}

    def end_attendance(member: str, since: str, on: str) -> None:
        for x in w.attends:
            if x.member == member and x.until is None and x.since >= since:
                x.until = on

    for a in w.actions:
        if a.kind == "attend":
            assert a.org is not None
            if not any((x.member, x.org, x.since) == (a.member, a.org, a.on) for x in w.attends):
                w.attends.append(Attend(a.member, a.org, a.on))
            continue
        ep = open_episode(w, a.member, a.on)
        if a.kind == "record_return":
            assert ep is not None and ep.left_on < a.on, a
            ep.returned_on = a.on
            end_attendance(a.member, ep.left_on, a.on)
        elif a.kind == "transfer":
            assert a.org is not None
            m = members[a.member]
            assert m.on_roll, a
            if ep is not None:
                ep.transferred_on = a.on
                end_attendance(a.member, ep.left_on, a.on)
            inside = a.org in county_orgs
            m.branch, m.group = (a.org if inside else EXTERNAL_PREFIX + a.org), None
            m.on_roll = inside
        else:
            raise ValueError(a.kind)
    return w


def open_episode(c: County, member: str, d: str) -> Outflow | None:
    """The member's outflow episode open at d with the latest left_on."""
    eps = [
        f
        for f in c.outflows
        if f.member == member
        and f.left_on <= d
        and (not f.returned_on or f.returned_on > d)
        and (not f.transferred_on or f.transferred_on > d)
    ]
    return max(eps, key=lambda f: f.left_on, default=None)


# -- writer -------------------------------------------------------------------------------

AREAS_FILE = "行政区划.csv"
ORGS_FILE = "党组织.csv"
MEMBERS_FILE = "党员花名册.csv"
HOUSEHOLDS_FILE = "农户.csv"
CONTACTS_FILE = "联系关系.csv"
OUTFLOWS_FILE = "流动党员外出登记.csv"
REPORTS_FILE = "报到记录.csv"
SNAPSHOT_FILE = "党员花名册_全量.csv"
MEETINGS_FILE = "组织生活记录.csv"
DUES_FILE = "党费缴纳记录.csv"
MEETING_HEADER = (
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
DUES_HEADER = ("人员编号", "缴至", "缴纳日期", "金额")
RECTS_FILE = "整顿台账.csv"
RECTS_HEADER = (
    "党组织编号",
    "列入日期",
    "整顿期限",
    "验收日期",
    "整顿状态",
    "一村一策制定日期",
    "验收结果",
)


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[str | None]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(header)
        for row in rows:
            w.writerow(["" if v is None else v for v in row])
    return path


def _yes_no(v: bool | None) -> str | None:
    return None if v is None else ("是" if v else "否")


def _member_rows(members: Iterable[Member]) -> list[list[str | None]]:
    return [
        [
            m.name,
            m.member_no,
            m.birth_date,
            CATEGORY_LABEL.get(m.category or ""),
            m.branch,
            m.group,
            m.household,
            ";".join(ROLE_LABEL[r] for r in m.roles),
            MGMT_CLASS_LABEL.get(m.mgmt_class or ""),
            m.joined_on,
            _yes_no(m.lost_contact),
            m.suspended_on,
        ]
        for m in members
    ]


MEMBER_HEADER = (
    "姓名",
    "人员编号",
    "出生日期",
    "人员类别",
    "所在党支部",
    "所在党小组",
    "家庭户编号",
    "职务",
    "分类管理类别",
    "入党日期",
    "是否失联党员",
    "停止党籍日期",
)


@dataclass
class RosterFiles:
    first: list[Path]  # the full import, every kind
    snapshot: Path | None  # the on-roll members only, for a second import with snapshot=True


def write_rosters(county: County, folder: Path) -> RosterFiles:
    """Write the county's roster files into `folder` (which must exist)."""
    areas = _write(
        folder / AREAS_FILE,
        ("区划代码", "名称", "层级", "上级代码"),
        [[a.code, a.name, AREA_LEVEL_LABEL[a.level], a.parent] for a in county.areas],
    )
    orgs = _write(
        folder / ORGS_FILE,
        (
            "组织编号",
            "组织名称",
            "组织类别",
            "上级组织编号",
            "所在区划代码",
            "届满日期",
            "整顿开始日期",
            "整顿期限",
            "整顿状态",
            "驻在地",
            "成立日期",
            "是否软弱涣散",
        ),
        [
            [
                o.id,
                o.name,
                ORG_KIND_LABEL[o.kind],
                o.parent,
                o.area,
                o.term_end,
                o.rect_opened_on,
                o.rect_deadline,
                RECT_STATUS_LABEL[o.rect_status] if o.rect_status and o.has_rectification else None,
                o.host_area,
                o.established_on,
                _yes_no(o.weak),
            ]
            for o in county.orgs
        ],
    )
    households = _write(
        folder / HOUSEHOLDS_FILE,
        ("户编号", "所在区划代码", "户主姓名"),
        [[h.id, h.area, h.head_name] for h in county.households],
    )
    members = _write(folder / MEMBERS_FILE, MEMBER_HEADER, _member_rows(county.members))
    contacts = _write(
        folder / CONTACTS_FILE,
        ("人员编号", "联系对象类型", "联系对象编号", "开始日期", "结束日期"),
        [
            [c.member, TARGET_KIND_LABEL[c.target_kind], c.target, c.since, c.until]
            for c in county.contacts
        ],
    )
    outflows = _write(
        folder / OUTFLOWS_FILE,
        ("人员编号", "外出时间", "外出地点", "返回时间", "流入地党组织", "工作单位", "联系人"),
        [
            [
                f.member,
                f.left_on,
                f.destination,
                f.returned_on,
                f.host_org,
                f.employer,
                f.contact_person,
            ]
            for f in county.outflows
        ],
    )
    reports = _write(
        folder / REPORTS_FILE,
        ("人员编号", "日期", "方式", "党组织"),
        [[r.member, r.on, CHANNEL_LABEL.get(r.channel or ""), r.org] for r in county.reports],
    )
    # The two kinds of organisational life are written when the county has such records.
    first = [areas, orgs, households, members, contacts, outflows, reports]
    if county.meetings:
        first.append(
            _write(
                folder / MEETINGS_FILE,
                MEETING_HEADER,
                [
                    [
                        k.org,
                        MEETING_TYPE_LABEL[k.type],
                        k.on,
                        k.topic,
                        None if k.expected is None else str(k.expected),
                        None if k.present is None else str(k.present),
                        None if k.attendees is None else ";".join(k.attendees),
                        None if k.absentees is None else ";".join(k.absentees),
                        k.host,
                    ]
                    for k in county.meetings
                ],
            )
        )
    if county.dues:
        first.append(
            _write(
                folder / DUES_FILE,
                DUES_HEADER,
                [
                    [
                        p.member,
                        chinese_month(p.paid_to) if p.written_cn else p.paid_to,
                        p.paid_on,
                        p.amount,
                    ]
                    for p in county.dues
                ],
            )
        )
    if county.rects:
        first.append(
            _write(
                folder / RECTS_FILE,
                RECTS_HEADER,
                [
                    [
                        r.org,
                        r.opened_on,
                        r.deadline,
                        r.accepted_on,
                        RECT_STATUS_LABEL[r.status] if r.status else None,
                        r.plan_on,
                        RESULT_LABEL[r.result] if r.result else None,
                    ]
                    for r in county.rects
                ],
            )
        )
    first += write_ledger_rosters(county, folder, _write)
    snapshot = None
    if county.off_roll:
        snapshot = _write(
            folder / SNAPSHOT_FILE,
            MEMBER_HEADER,
            _member_rows(m for m in county.members if m.on_roll),
        )
    return RosterFiles(first, snapshot)


def chinese_month(ym: str) -> str:
    """ "2026-09" as a county writes it by hand: "2026年9月"."""
    return f"{ym[:4]}年{int(ym[5:7])}月"
