"""Answer shapes, for the OpenAPI document and for answers small enough to validate.

Big answers (coverage, gaps, lists) are written straight to JSON by orjson; their models here
document them and schemathesis checks every answer against them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class ProblemOut(BaseModel):
    type: str = Field(examples=["/problems/not-found"])
    title: str = Field(examples=["未找到"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["党员“330226D0000001”不存在或不在您的管辖范围内"])
    errors: list[dict[str, str]] | None = Field(
        default=None, description="422: one entry per field at fault: field, in, message"
    )
    refused: list[dict[str, str]] | None = Field(
        default=None,
        description="422 of a request naming several items (applying proposals): one entry "
        "per item a rule refused, e.g. member, household, message",
    )


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(
        description="seconds until the token expires unless refreshed", examples=[1800]
    )


class ScopeOut(BaseModel):
    ref: str = Field(examples=["330226101"])
    name: str = Field(examples=["长街镇"])
    kind: Literal["area", "org"]


class MeOut(BaseModel):
    username: str
    display_name: str
    role: str = Field(examples=["township_admin"])
    role_zh: str = Field(examples=["乡镇管理员"])
    scope: ScopeOut
    can_reveal: bool
    can_write: bool
    can_import: bool


class Freshness(BaseModel):
    """How this process keeps its analysis projection current (docs/design.md#change-log)."""

    revision: str | None = Field(description="图修订号: 答复所依据的数据版本")
    seq: int | None = Field(description="已应用的最后一条变更记录的序号")
    loads: int = Field(description="本进程从图数据库整体加载的次数")
    deltas: int = Field(description="按变更记录增量更新的次数")
    snapshot_loads: int = Field(description="从快照启动的次数")
    reload_reason: str | None = Field(description="最近一次无法增量更新、改为整体加载的原因")


class HealthOut(BaseModel):
    status: Literal["ok"]
    store: Literal["ok"]
    projection: Freshness


class Brief(BaseModel):
    """A reference to another object: an area (code) or an org (id), with its name."""

    model_config = ConfigDict(extra="allow")
    name: str | None = None
    code: str | None = None
    id: str | None = None


class AreaOut(BaseModel):
    code: str = Field(examples=["330226101201"])
    name: str = Field(examples=["团堧村"])
    level: str = Field(examples=["village"])
    parent: str | None = Field(description="parent code; null at the top of your scope")
    lon: float | None = None
    lat: float | None = None


class OrgOut(BaseModel):
    id: str = Field(examples=["D330226101201"])
    name: str
    kind: str = Field(examples=["branch"])
    parent: str | None = Field(description="parent org id; null at the top of your scope")
    area: Brief | None = Field(description="the area the org serves")
    host_area: Brief | None = Field(description="mobile branches: where they are hosted")
    members: int = Field(description="on-roll members belonging to this org")


class AreaList(BaseModel):
    items: list[AreaOut]


class OrgList(BaseModel):
    items: list[OrgOut]


class TreeOrg(BaseModel):
    id: str
    name: str
    kind: str
    parent: str | None
    area: Brief | None
    members: int


class TreeArea(BaseModel):
    code: str
    name: str
    level: str
    parent: str | None


class TreeOut(BaseModel):
    scope: ScopeOut
    orgs: list[TreeOrg]
    areas: list[TreeArea]


class Page(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[dict[str, Any]]


class MemberRow(BaseModel):
    id: str = Field(description="member key (人员编号, or h: + keyed ID hash)")
    name: str
    gender: str | None
    category: str | None = Field(description="full (正式党员) | probationary (预备党员)")
    branch: Brief | None
    phone: str | None = Field(description="masked unless reveal=true and your role may")
    id_masked: str | None = Field(description="ID number, first 6 and last 4 digits only")
    away: bool = Field(description="has an open outflow today")
    on_roll: bool


class MemberPage(Page):
    items: list[MemberRow]  # type: ignore[assignment]


class MemberOut(MemberRow):
    member_no: str | None
    ethnicity: str | None
    birth_date: str | None = Field(
        description="year only (1983); the full date (1983-04-14) with reveal=true when your "
        "role may: the 8 digits a masked ID number hides are the birth date"
    )
    education: str | None
    joined_on: str | None
    full_on: str | None
    mgmt_class: str | None
    roles: list[str]
    groups: list[Brief]
    household: str | None
    is_mobile: bool | None
    lost_contact: bool | None
    off_roll_on: str | None
    off_roll_reason: str | None
    phone_revealed: bool


class HouseholdRow(BaseModel):
    id: str = Field(examples=["330226101201-0001"])
    head_name: str | None
    area: Brief | None
    village: Brief | None
    township: Brief | None
    size: int | None
    tags: list[str]
    covered: bool = Field(description="has an active contact from an at-home member today")


class HouseholdPage(Page):
    items: list[HouseholdRow]  # type: ignore[assignment]


class HouseholdOut(HouseholdRow):
    hamlet: Brief | None
    address: str | None
    phone: str | None = Field(description="masked unless reveal=true and your role may")
    lon: float | None
    lat: float | None
    phone_revealed: bool


class ContactRow(BaseModel):
    member: Brief = Field(description="id/name; hidden (null id) when outside your scope")
    household: Brief
    since: str | None
    until: str | None
    active: bool


class ContactPage(Page):
    items: list[ContactRow]  # type: ignore[assignment]


class ChainPerson(BaseModel):
    id: str | None = Field(description="null when the person is outside your scope")
    name: str
    at_home: bool | None = None
    role: str | None = None
    hidden: bool = Field(default=False, description="outside your scope: name withheld")


class Appointment(BaseModel):
    """A 第一书记 appointment active at as_of (docs/rules.md "第一书记")."""

    id: str | None = Field(description="member key|org id|since; null when the member is withheld")
    member: ChainPerson
    org: Brief
    village: Brief | None = None
    township: Brief | None = None
    since: str
    until: str | None = None
    sent_by: str | None = Field(default=None, description="派出单位")


class VillageFirstSecretaries(BaseModel):
    """One village organisation with its 第一书记 in office (docs/rules.md "第一书记", the
    village view)."""

    org: Brief = Field(description="the screened village organisation: id, name")
    village: Brief = Field(description="code, name, lon, lat (null when not imported)")
    township: Brief | None
    listed: bool = Field(description="已列为软弱涣散 (imported flag, or a rectification open)")
    first_secretaries: list[Appointment] = Field(
        description="appointments active at as_of to an org of this village, by id"
    )
    absent: list[str | None] = Field(
        description="ids among them that first_secretary_absent finds (null: member withheld)"
    )
    ending: list[str | None] = Field(
        description="ids among them that first_secretary_ending finds (null: member withheld)"
    )


class FirstSecretaryVillagesOut(BaseModel):
    scope: str
    as_of: str
    no_data: bool = Field(
        description="no 第一书记 appointment begins by as_of: 未导入, not 无缺口 (rows then list "
        "no first secretary anywhere)"
    )
    rows: list[VillageFirstSecretaries]


class ChainLevel(BaseModel):
    level: Literal["household", "hamlet", "village", "township"]
    area: Brief | None
    people: list[ChainPerson]
    ok: bool
    first_secretaries: list[Appointment] | None = Field(
        default=None,
        description="village level only: the 第一书记 appointments active at as_of to an org "
        "whose village is this one (by id); people outside your scope are withheld",
    )


class ChainOut(BaseModel):
    household: dict[str, Any]
    as_of: str
    levels: list[ChainLevel]
    broken_at: str | None


class CoverageRow(BaseModel):
    code: str
    name: str
    level: str
    parent: str | None = None
    households: int
    covered: int
    coverage: float | None
    uncovered_contact_away: int
    members: int
    members_home: int
    members_away: int
    load: dict[str, int]


class CoverageOut(BaseModel):
    scope: str
    as_of: str
    level: str
    rows: list[CoverageRow]


class TrendPoint(BaseModel):
    date: str
    rows: list[CoverageRow]
    counts: dict[str, int] | None = Field(default=None, description="counts=true 时: 各类缺口数量")


class TrendOut(BaseModel):
    scope: str
    as_of: str
    level: str
    months: int
    undated_as_now: bool = Field(
        description="true: 无日期的事实 (所属支部、职务、在册等) 按现在的记录计算 (docs/rules.md)"
    )
    points: list[TrendPoint]


class PastOut(BaseModel):
    """docs/rules.md "What an answer at a past day can read"."""

    undated_as_now: bool = Field(
        description="true: as_of 早于今天，不带日期的信息 (所在支部、党小组、职务、类别、在册状态、"
        "农户区划等) 按现在的记录计算"
    )
    replaced_after: int = Field(
        ge=0,
        description="字段历史中，名册日期晚于 as_of 的导入替换了这些信息的多少个值 (全县；"
        "通过 API 的修改不在字段历史中: 0 只表示没有导入改过)",
    )
    history_from: str | None = Field(
        description="第一次有记录的导入的名册日期；无记录时为 null。as_of 早于它时无法得知"
        "当时的情况，replaced_after 只是下限"
    )
    note: str | None = Field(description="undated_as_now 时的一句中文说明，否则 null")


class GapSummaryOut(BaseModel):
    scope: str
    as_of: str
    counts: dict[str, int]
    no_data: list[str] = Field(
        default_factory=list,
        description="gap types whose records (组织生活、党费、第一书记、党小组工作记录) do not "
        "begin by as_of: their count 0 means 未导入, not 无缺口",
    )
    labels: dict[str, str] = Field(description="gap type → Chinese name")
    past: PastOut


class GapPageOut(BaseModel):
    type: str
    scope: str
    as_of: str
    total: int
    page: int
    page_size: int
    no_data: bool = Field(default=False, description="the records this rule reads are missing")
    min_age_days: int | None = Field(default=None, description="持续天数下限 (给出时)")
    items: list[dict[str, Any]] = Field(
        description="每条另有 first_seen (首次发现)、age_days (已持续天数)、age_at_least "
        "(台账开始前已存在: 至少这么久)、age_unknown (before_ledger / not_observed: 天数未知的原因)"
    )
    past: PastOut


class LifeGridOut(BaseModel):
    scope: str
    as_of: str
    type: str = Field(description="the monthly meeting type checked for branches")
    no_data: bool
    months: list[str]
    rows: list[dict[str, Any]]


class ScreeningIndicator(BaseModel):
    key: str = Field(examples=["secretary_vacant"])
    value: int | float | None = Field(
        description="the figure compared (household_coverage: covered / households); null: "
        "no data, never read as compliance"
    )
    threshold: int
    flag: bool | None = Field(description="over the threshold (a reason); null: no data")
    detail: dict[str, Any] = Field(description="the figures behind the value (docs/rules.md)")


class ScreeningItem(BaseModel):
    org: dict[str, Any] = Field(description="id, name, kind")
    village: dict[str, Any] = Field(description="code, name")
    township: dict[str, Any] | None
    listed: bool = Field(description="已列为软弱涣散 (imported flag, or a rectification open)")
    indicators: list[ScreeningIndicator]
    reasons: list[str] = Field(description="the flagged indicators, larger weight first")
    priority: int = Field(description="the sum of the reasons' weights")
    candidate: bool


class ScreeningOut(BaseModel):
    scope: str
    as_of: str
    screened: int
    candidates: int
    no_data: list[str] = Field(description="indicators null for every screened organisation")
    listed_without_reasons: list[str] = Field(
        description="org ids listed whose only reason, if any, is rectification_open"
    )
    unlisted_candidates: list[str] = Field(description="org ids of candidates not listed")
    items: list[ScreeningItem]


class MemberLifeOut(BaseModel):
    as_of: str
    member: dict[str, Any]
    meetings: list[dict[str, Any]]
    dues: list[dict[str, Any]]
    last_life: str | None
    life_months: int | None
    paid_to: str | None
    last_dues: str | None
    months_owed: int | None
    suspended_on: str | None
    exempt: bool


class PolicyRow(BaseModel):
    name: str
    value: Any
    default: Any
    rule: str | None
    source: str | None


class PolicyRows(BaseModel):
    rows: list[PolicyRow]


class WriteOut(BaseModel):
    """What a write did."""

    ok: bool = True
    id: str
    changed: int = Field(description="relationships or properties written")


class ImportOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    dry_run: bool
    off_roll: int
    seconds: float
    totals: dict[str, int]
    files: list[dict[str, Any]]
    coverage: dict[str, Any] | None = Field(
        default=None,
        description="试导入含农户联系关系时: 全县今天的联系覆盖 (households, covered_before, "
        "covered_after, coverage_before, coverage_after)",
    )


class ImportEntryOut(BaseModel):
    """One import of the history (docs/design.md#import-history)."""

    model_config = ConfigDict(extra="allow")
    id: str
    at: str = Field(description="UTC")
    by: str = Field(description="导入人")
    source: str = Field(description="cli (命令行) / api (本接口) / demo (演示数据)")
    snapshot: bool
    seconds: float
    files: list[dict[str, Any]] = Field(description="[{name, size, sha256, kinds}]")
    totals: dict[str, int]
    changes: dict[str, dict[str, int]] = Field(
        description="{类别: {created, updated, unchanged, rejected, off_roll}}"
    )


class ImportsOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    total: int
    page: int
    page_size: int
    items: list[ImportEntryOut] = Field(description="最新的在前")


class ImportRecordOut(ImportEntryOut):
    report: dict[str, Any] = Field(description="导入时的完整报告 (与 POST /imports 的答复相同)")


class ChangesOut(BaseModel):
    """What changed between two imports or days (docs/rules.md "Changes between two points")."""

    model_config = ConfigDict(extra="allow")
    scope: str = Field(description="范围 (区划代码或组织编号；全县为县的代码)")
    by: str = Field(description="import (按导入先后) / day (按日期)")
    gaps: list[dict[str, Any]] = Field(description="[{type, label, opened, closed}]")
    households: dict[str, list[str]] = Field(description="newly_uncovered / newly_covered 户编号")
    members: dict[str, list[dict[str, Any]]] = Field(
        description="left / returned / transferred (外出、返回、转出) 与 moved (调整支部、党小组)"
    )
    orgs: dict[str, list[dict[str, Any]]] = Field(description="created: 新建的党组织")
    fields: dict[str, Any] = Field(description="{total, by_field, items (前 500 条)}")
    names: dict[str, dict[str, str]] = Field(
        description="households: {户编号: 户主}, members: {人员编号: 姓名} — 上列各项的现名"
    )


class FieldHistoryOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    key: str
    items: list[dict[str, Any]] = Field(
        description="[{import, at, on, by, kind, field, old, new}]，最早的在前"
    )


class DestinationsOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    scope: str
    as_of: str
    total: int
    unplaced: int
    provinces: list[dict[str, Any]]


class FlowsOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    scope: str
    as_of: str
    flows: list[dict[str, Any]]


class TimelineOut(BaseModel):
    member: dict[str, Any]
    events: list[dict[str, Any]]


class MobileBranchesOut(BaseModel):
    scope: str
    as_of: str
    branches: list[dict[str, Any]]


class MobileBranchOut(BaseModel):
    as_of: str
    branch: dict[str, Any]
    members: list[dict[str, Any]]


class ProposalRow(BaseModel):
    model_config = ConfigDict(extra="allow")
    code: str
    name: str
    level: str
    households: int
    covered_before: int
    open: int
    proposed: int
    covered_after: int
    coverage_before: float | None
    coverage_after: float | None
    members_eligible: int
    base_places: int
    remaining: int
    members_needed: int
    contact_max_needed: int | None
    shortfall: Literal["structural", "organisational", "none"]


class ProposalTotal(BaseModel):
    model_config = ConfigDict(extra="allow")
    households: int
    open: int
    proposed: int
    remaining: int
    unplaced: int
    coverage_before: float | None
    coverage_after: float | None
    shortfall: Literal["structural", "organisational", "none"]


class ProposalOut(BaseModel):
    scope: str
    as_of: str
    policy: dict[str, Any]
    total: ProposalTotal
    townships: list[ProposalRow]
    villages: list[ProposalRow]
    items_total: int
    page: int
    page_size: int
    items: list[dict[str, Any]]


class ProposalApplied(BaseModel):
    as_of: str
    created: int = Field(description="新建立的联系")
    kept: int = Field(description="已经存在、保持不变的联系")


class DutyProposalOut(BaseModel):
    scope: str
    as_of: str
    cadres: dict[str, list[dict[str, Any]]] = Field(
        description="items: 建议的包组 (unit, targets, cadre, locality, load_before, "
        "load_after); unassigned: 无法安排的 (reason: no_cadre / cadres_full)"
    )
    groups: dict[str, list[dict[str, Any]]] = Field(
        description="items: 未编入党小组的党员的建议党小组 (reason: hamlet / smallest / "
        "groups_full)"
    )


class RankingRow(BaseModel):
    """One party group's figures over the quarter (docs/rules.md "Township ranking")."""

    id: str | None
    name: str
    branch: Brief | None = None
    summaries: int = Field(description="months of the quarter with a 月总结")
    inspected: bool = Field(description="inspected (督查) within the quarter")
    meeting_months: int = Field(description="months of the quarter with a 党小组会")
    members: int = Field(description="on-roll members in the group")
    size_ok: bool = Field(description="group_min ≤ members ≤ group_max")
    eligible: int = Field(description="members at home, not exempt, at the quarter's end")
    contacts_ok: int = Field(description="of them, those with at least contact_min households")
    points: int
    appraisal: dict[str, Any] | None = Field(
        default=None, description="the previous year's 考评: year, score, grade"
    )
    rank: int = Field(description="1 + the number of groups with more points")


class RedFlag(BaseModel):
    id: str | None
    name: str
    points: int
    tied: list[Brief] = Field(description="other groups with the same points: the township decides")


class GroupRankingOut(BaseModel):
    township: Brief
    as_of: str
    quarter: str = Field(examples=["2026-Q3"])
    records: bool = Field(description="group records (党小组工作记录) begin by the quarter's end")
    life: bool = Field(description="life records (组织生活) begin by the quarter's end")
    rows: list[RankingRow]
    red_flag: RedFlag | None = Field(
        description="流动红旗: the first row when its points reach red_flag_min_points"
    )
