"""orgraph's domain words, once: the codes the graph stores and the Chinese a user reads.

Every layer takes its words from here: the importer (codes it writes), the rules (kinds they
test), the CLI and the exports (column headers), the API (labels in answers) and the dashboard
(which may import this module and `orgraph.client`, nothing else of orgraph; see
docs/design.md#layers). This module imports nothing, so importing it costs nothing.

The importer's *synonym* tables (every way a roster spells 党支部 or 村两委) stay in
`orgraph.roster.codes`: they are parsing tables, and each maps onto the codes below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# -- rosters ----------------------------------------------------------------------------------

ROSTER_KINDS: Final = (
    "areas",
    "orgs",
    "members",
    "households",
    "contacts",
    "outflows",
    "reports",
    "meetings",
    "dues",
    "first_secretaries",
    "rectifications",
    "inspections",
    "group_records",
)
ROSTER_KIND_ZH: Final[dict[str, str]] = {
    "areas": "行政区划",
    "orgs": "党组织",
    "members": "党员花名册",
    "households": "农户",
    "contacts": "联系关系",
    "outflows": "流动党员外出登记",
    "reports": "报到记录",
    "meetings": "组织生活记录",
    "dues": "党费",
    "first_secretaries": "第一书记",
    "rectifications": "整顿台账",
    "inspections": "督查记录",
    "group_records": "党小组工作记录",
}

# -- areas ------------------------------------------------------------------------------------

AREA_LEVELS: Final = ("county", "township", "village", "hamlet")
AREA_LEVEL_ZH: Final[dict[str, str]] = {
    "county": "县",
    "township": "乡镇",
    "village": "村(社区)",
    "hamlet": "村民小组",
}
# Levels a scope or a rollup can name: the area levels plus an organisation and "everything".
LEVEL_ZH: Final[dict[str, str]] = {**AREA_LEVEL_ZH, "org": "党组织", "all": "全部"}
CHILD_LEVEL: Final[dict[str, str]] = {
    "county": "township",
    "township": "village",
    "village": "hamlet",
}

# -- organisations ----------------------------------------------------------------------------

ORG_KIND_ZH: Final[dict[str, str]] = {
    "committee": "党委",
    "working_committee": "党工委",
    "general_branch": "党总支",
    "branch": "党支部",
    "joint_branch": "联合党支部",
    "group": "党小组",
    "mobile_branch": "流动党员党支部",
    "temp_branch": "临时党支部",
    "temp_group": "临时党小组",
    # an organisation outside the county (a member's host org at the destination)
    "external": "外部组织",
}
ORG_KINDS: Final = tuple(k for k in ORG_KIND_ZH if k != "external")

# Party groups (党小组) sit inside a branch and hold no 组织关系 of their own.
GROUP_KINDS: Final = frozenset({"group", "temp_group"})
# Organisations set up for members away from home (docs/rules.md, mobile rules).
MOBILE_KINDS: Final = frozenset({"mobile_branch", "temp_branch", "temp_group"})
# Where a member away can take part in organisational life: a mobile org or an outside one.
DESTINATION_KINDS: Final = MOBILE_KINDS | {"external"}
# Where a member's 组织关系 (BELONGS_TO) can be: any organisation that is not a group.
MEMBER_ORG_KINDS: Final = frozenset(
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
# Branch-level organisations (支部 and 总支), the ones a township secretary means by "支部".
BRANCH_LEVEL_KINDS: Final = (
    "branch",
    "joint_branch",
    "general_branch",
    "mobile_branch",
    "temp_branch",
)
# Branches whose size branch_too_large checks (branch_too_small checks plain branches only:
# docs/rules.md).
SIZED_BRANCH_KINDS: Final = ("branch", "joint_branch")

# -- people -----------------------------------------------------------------------------------

# Duties a member holds in an organisation or towards the areas (roster 职务).
MEMBER_ROLE_ZH: Final[dict[str, str]] = {
    "secretary": "书记",
    "deputy_secretary": "副书记",
    "committee_member": "委员",
    "group_leader": "党小组长",
    "village_committee": "村两委",
    "first_secretary": "第一书记",
    "county_leader": "县级领导",
    "township_cadre": "乡镇干部",
}
# Roles of orgraph's own users (accounts), which decide what each may see and do.
USER_ROLES: Final = ("county_admin", "township_admin", "village_secretary", "viewer")
USER_ROLE_ZH: Final[dict[str, str]] = {
    "county_admin": "县级管理员",
    "township_admin": "乡镇管理员",
    "village_secretary": "村党组织书记",
    "viewer": "只读用户",
}
# The two sets share no code, so one lookup serves a screen that shows both.
ROLE_ZH: Final[dict[str, str]] = {**MEMBER_ROLE_ZH, **USER_ROLE_ZH}

# 党员分类管理 (the four classes counties use); the codes the importer writes.
MGMT_CLASS_ZH: Final[dict[str, str]] = {
    "young_at_home": "在家青壮年",
    "frontline": "产业一线",
    "mobile": "流动创业",
    "elderly_weak": "老弱",
}
CATEGORY_ZH: Final[dict[str, str]] = {"full": "正式党员", "probationary": "预备党员"}
GENDER_ZH: Final[dict[str, str]] = {"male": "男", "female": "女"}

# -- duties and mobility ----------------------------------------------------------------------

TARGET_KIND_ZH: Final[dict[str, str]] = {
    "household": "农户",
    "hamlet": "村民小组",
    "group": "党小组",
    # 组 alone, as rosters write it: a hamlet or a party group, resolved by the importer.
    "hamlet_or_group": "组",
    "village": "村",
    "township": "乡镇",
}
# The chain 县级领导包乡镇、乡镇干部包村、村干部包组、党员包户, by the level that is looked after.
CHAIN_LEVEL_ZH: Final[dict[str, str]] = {
    "household": "联系党员（户）",
    "hamlet": "村干部（包组）",
    "village": "乡镇干部（包村）",
    "township": "县级领导（包乡镇）",
}
# Who answers for each level of the chain above the household: the role a member needs to
# count as its responsible person (the rules hamlet_no_cadre, village_no_cadre and
# township_no_leader, and the chain's levels).
RESPONSIBLE_ROLE: Final[dict[str, str]] = {
    "hamlet": "village_committee",
    "village": "township_cadre",
    "township": "county_leader",
}
# The same chain as the duty each level holds (县级领导包乡镇、乡镇干部包村、村干部包组、党员包户).
CHAIN_DUTY_ZH: Final[dict[str, str]] = {
    "household": "党员包户",
    "hamlet": "村干部包组",
    "village": "乡镇干部包村",
    "township": "县级领导包乡镇",
}
CHANNEL_ZH: Final[dict[str, str]] = {
    "phone": "电话",
    "wechat": "微信",
    "in_person": "现场",
    "online": "网上",
    "letter": "书面",
}
RECT_STATUS_ZH: Final[dict[str, str]] = {"open": "整顿中", "done": "已完成"}
# 整顿台账 (docs/rules.md "The rectification ledger"): problem categories, acceptance results,
# and an inspection's follow-up.
RECT_PROBLEM_ZH: Final[dict[str, str]] = {
    "secretary_weak": "书记能力弱",
    "team_disunited": "班子不团结",
    "economy_weak": "集体经济薄弱",
    "life_irregular": "组织生活不正常",
    "other": "其他",
}
RECT_RESULT_ZH: Final[dict[str, str]] = {"pass": "合格", "basic": "基本合格", "fail": "不合格"}
FOLLOW_UP_ZH: Final[dict[str, str]] = {"open": "整改中", "done": "已整改"}
# The township's yearly appraisal of a party group (党小组 一年一考评).
GROUP_GRADE_ZH: Final[dict[str, str]] = {
    "excellent": "优秀",
    "good": "良好",
    "fair": "一般",
    "poor": "较差",
}

# -- organisational life (docs/rules.md "Organisational life and dues") -----------------------

MEETING_TYPE_ZH: Final[dict[str, str]] = {
    "general_meeting": "党员大会",
    "committee_meeting": "支委会",
    "group_meeting": "党小组会",
    "lecture": "党课",
    "theme_day": "主题党日",
    "life_meeting": "组织生活会",
    "appraisal": "民主评议党员",
    "talk": "谈心谈话",
}
MEETING_TYPES: Final = tuple(MEETING_TYPE_ZH)
# Meetings an org above a branch can hold for all its branches (a 党总支's 党员大会, a 党委
# 书记's 党课); the others count only for the org that held them.
INHERITED_MEETING_TYPES: Final = frozenset({"general_meeting", "lecture", "theme_day"})
# Orgs whose meetings are checked as a branch's (a 党总支 or 党委 meets through its branches;
# temporary branches are not checked).
LIFE_BRANCH_KINDS: Final = frozenset({"branch", "joint_branch", "mobile_branch"})
# Not organisational life for the member rules (one-to-one talks).
NOT_LIFE_TYPES: Final = frozenset({"talk"})
# Cells of the branch × month grid.
LIFE_CELL_ZH: Final[dict[str, str]] = {
    "met": "已开展",
    "missed": "未开展",
    "no_quorum": "未达法定人数",
    "none": "不检查",
}
MOBILE_STATUS_ZH: Final[dict[str, str]] = {
    "ok": "正常",
    "silent": "长期未报到",
    "lost": "失联",
    "home": "已返回",
}
TIMELINE_EVENT_ZH: Final[dict[str, str]] = {
    "departure": "外出",
    "attend": "参加组织生活",
    "report": "报到",
    "leave_org": "结束组织生活",
    "return": "返回",
    "transfer": "转接组织关系",
}

# -- gap rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GapType:
    """A gap rule as every layer names it (the rule itself is in orgraph.analysis.rules).

    `item` says what one item of the list is about: a household, member, area, org, an open
    rectification (`rectification`), a cluster of members away in one city (`city`), a
    meeting (`meeting`) or a 第一书记 appointment (`appointment`).
    """

    type: str
    zh: str
    item: str


GAP_TYPES: Final[tuple[GapType, ...]] = (
    GapType("household_uncovered", "农户无联系党员", "household"),
    GapType("household_contact_away", "联系党员均外出", "household"),
    GapType("member_contact_load", "党员联户数不合规", "member"),
    GapType("exempt_member_assigned", "免于联户党员被安排联户", "member"),
    GapType("township_no_leader", "乡镇无县级领导联系", "area"),
    GapType("village_no_cadre", "村无乡镇干部联系", "area"),
    GapType("hamlet_no_cadre", "村民小组/党小组无村干部联系", "area"),
    GapType("cadre_group_load", "两委成员联系党小组数不合规", "member"),
    GapType("group_size", "党小组人数不合规", "org"),
    GapType("group_no_leader", "党小组无党小组长", "org"),
    GapType("group_no_summary", "党小组有月份未作月总结", "org"),
    GapType("group_no_inspection", "党小组有季度未经督查", "org"),
    GapType("branch_too_small", "支部正式党员不足3人", "org"),
    GapType("branch_too_large", "支部党员超过50人", "org"),
    GapType("member_no_branch", "党员无组织关系", "member"),
    GapType("member_multi_branch", "党员有多个组织关系", "member"),
    GapType("member_no_group", "党员未编入党小组", "member"),
    GapType("rectification_overdue", "软弱涣散整顿逾期", "rectification"),
    GapType("term_expired", "党组织届期已满", "org"),
    GapType("rectification_no_plan", "整顿未按期制定一村一策", "rectification"),
    GapType("rectification_no_inspection", "整顿期间有季度未督查", "rectification"),
    GapType("rectification_accepted_failing", "整顿销号未经验收合格", "rectification"),
    GapType("weak_no_first_secretary", "软弱涣散村党组织无第一书记", "org"),
    GapType("first_secretary_absent", "第一书记在村联户、参会无记录", "appointment"),
    GapType("first_secretary_ending", "第一书记即将期满无人接任", "appointment"),
    GapType("mobile_unattached", "流动党员未在流入地参加组织生活", "member"),
    GapType("mobile_silent", "流动党员长期未报到", "member"),
    GapType("lost_contact", "失联党员", "member"),
    GapType("mobile_cluster_without_branch", "流入地党员集中但未建流动党支部", "city"),
    GapType("mobile_no_contact_person", "流动党员无家乡联系人", "member"),
    GapType("should_transfer", "应转接组织关系", "member"),
    GapType("branch_no_general_meeting", "支部未按季度召开党员大会", "org"),
    GapType("branch_no_committee_meeting", "支部未按月召开支委会", "org"),
    GapType("branch_no_theme_day", "支部未按月开展主题党日", "org"),
    GapType("branch_few_lectures", "支部党课次数不足", "org"),
    GapType("branch_no_life_meeting", "支部上年度未召开组织生活会", "org"),
    GapType("branch_no_appraisal", "支部上年度未开展民主评议党员", "org"),
    GapType("group_no_meeting", "党小组未按月召开党小组会", "org"),
    GapType("meeting_no_quorum", "党员大会到会人数未过半", "meeting"),
    GapType("member_no_life", "党员3个月以上未参加组织生活", "member"),
    GapType("member_life_lapse", "党员连续6个月未参加组织生活", "member"),
    GapType("dues_arrears", "党员3个月以上未交纳党费", "member"),
    GapType("dues_lapse", "党员连续6个月未交纳党费", "member"),
    GapType("propose_suspension", "失联满6个月 (建议停止党籍)", "member"),
    GapType("propose_removal", "停止党籍满2年 (建议按自行脱党除名)", "member"),
)
# Gap types that read organisational-life or dues records: with none recorded by the date
# asked, they find nothing and the answer says so (docs/rules.md "records begin").
LIFE_GAP_TYPES: Final = frozenset(
    {
        "branch_no_general_meeting",
        "branch_no_committee_meeting",
        "branch_no_theme_day",
        "branch_few_lectures",
        "branch_no_life_meeting",
        "branch_no_appraisal",
        "group_no_meeting",
        "meeting_no_quorum",
        "member_no_life",
        "member_life_lapse",
    }
)
DUES_GAP_TYPES: Final = frozenset({"dues_arrears", "dues_lapse"})
# Every gap type of organisational life, dues and the lost-contact ladder (their exports are
# lists an inspector prints: dates in Chinese).
LIFE_LEDGER_GAP_TYPES: Final = (
    LIFE_GAP_TYPES | DUES_GAP_TYPES | {"propose_suspension", "propose_removal"}
)
# The rectification ledger's and the 第一书记's rules (docs/rules.md), in the order the 整顿与考评
# page lists them.
RECT_LEDGER_GAP_TYPES: Final = (
    "rectification_overdue",
    "rectification_no_plan",
    "rectification_no_inspection",
    "rectification_accepted_failing",
    "weak_no_first_secretary",
    "first_secretary_absent",
    "first_secretary_ending",
)
GAP_TYPE_NAMES: Final = tuple(g.type for g in GAP_TYPES)
GAP_ZH: Final[dict[str, str]] = {g.type: g.zh for g in GAP_TYPES}

# -- column headers ---------------------------------------------------------------------------

# Headers of every table built from answer items (CLI tables, exports, dashboard tables);
# a key not listed is shown as it is. One label per key, whichever list the item is in.
FIELD_ZH: Final[dict[str, str]] = {
    "id": "编号",
    "key": "编号",
    "code": "代码",
    "name": "名称",
    "type": "缺口类型",
    "head_name": "户主",
    "household": "户编号",
    "area": "所在区划",
    "hamlet": "村民小组",
    "village": "村(社区)",
    "township": "乡镇",
    "province": "省份",
    "city": "流入城市",
    "branch": "党支部",
    "branches": "所在组织",
    "member": "党员",
    "members": "党员数",
    "full_members": "正式党员",
    "full": "正式党员",
    "members_home": "在家党员",
    "members_away": "外出党员",
    "households": "联系户数",
    "contacts_away": "外出的联系人",
    "contact_person": "联系人",
    "groups": "联系党小组数",
    "age": "年龄",
    "gender": "性别",
    "category": "类别",
    "mgmt_class": "分类",
    "phone": "手机号码",
    "id_masked": "身份证号",
    "on_roll": "在册",
    "size": "人口数",
    "tags": "标签",
    "covered": "已联系",
    "coverage": "覆盖率",
    "target_kind": "类型",
    "level": "层级",
    "kind": "类别",
    "deadline": "整顿期限",
    "days_overdue": "逾期天数",
    "term_end": "届满日期",
    "opened_on": "整顿开始",
    # the gap ledger's ages (docs/rules.md "Gap life")
    "first_seen": "首次发现",
    "age_days": "已持续天数",
    "age_at_least": "台账开始前已存在",
    "age_unknown": "天数未知原因",
    "status": "状态",
    "min": "下限",
    "max": "上限",
    "count": "数量",
    # organisational life and dues (docs/rules.md "Organisational life and dues")
    "missed": "未开展的期次",
    "last": "最近一次",
    "periods": "检查期数",
    "basis": "依据",
    "expected": "应到人数",
    "present": "实到人数",
    "on": "日期",
    "topic": "主题",
    "org": "党组织",
    "last_life": "最近参加组织生活",
    "months": "月数",
    "life_months": "未参加组织生活月数",
    "paid_to": "党费缴至",
    "since": "起始",
    "months_owed": "欠缴月数",
    "last_dues": "最近交纳党费",
    "lost_since": "失联起算日期",
    "suspend_from": "可提请停止党籍日期",
    "suspended_on": "停止党籍日期",
    "remove_from": "可提请除名日期",
    "attended": "是否参加",
    "host": "主持人",
    "state": "状态",
    "month": "月份",
    "days": "天数",
    "away": "外出中",
    "destination": "外出地点",
    "destination_text": "外出地点(原文)",
    "host_org": "流入地党组织",
    "employer": "工作单位",
    "reason": "原因",
    "left_on": "外出时间",
    "returned_on": "返回时间",
    "days_away": "外出天数",
    "last_report": "最近报到",
    "quiet_days": "未报到天数",
    "days_silent": "未报到天数",
    "secretary": "建议书记",
    "suggested_secretary": "建议书记",
    # an import report's rows
    "sheet": "工作表",
    "row": "行号",
    "column": "列",
    "value": "原值",
    "message": "原因",
    "path": "文件",
    "rows": "数据行",
    "accepted": "通过",
    "created": "新增",
    "updated": "更新",
    "unchanged": "未变",
    "rejected": "拒绝",
    "warnings": "提示",
    # a contact proposal's rows and pairs (docs/rules.md "Contact proposals")
    "covered_before": "现已联系",
    "open": "待联系户",
    "proposed": "建议新增",
    "covered_after": "调整后已联系",
    "coverage_before": "现覆盖率",
    "coverage_after": "调整后覆盖率",
    "members_eligible": "可安排党员",
    "base_places": "可增联户数",
    "remaining": "仍缺户数",
    "members_needed": "还需党员",
    "contact_max_needed": "上限需提到",
    "shortfall": "缺口性质",
    "unplaced": "未归村农户",
    "member_hamlet": "党员所在组",
    "locality": "就近",
    "extra": "两委补位",
    "load_before": "原联户数",
    "load_after": "调整后联户数",
    # the 第一书记, 整顿台账/督查 and 党小组 rules' items (docs/rules.md)
    "sent_by": "派出单位",
    "until": "截止",
    "days_left": "剩余天数",
    "contacts": "联系户数",
    "meetings": "参会次数",
    "last_meeting": "最近参会",
    "missing": "缺少",
    "plan_on": "一村一策制定日期",
    "accepted_on": "验收日期",
    "result": "验收结果",
    "rects_open": "未验收整顿数",
    "weak": "已列为软弱涣散",
    "findings": "督查发现问题",
    "follow_up": "整改情况",
    "inspector": "督查人",
}
# What else reads policy thresholds besides the gap rules (Policy.describe()'s `rule`).
PROPOSAL_TYPES: Final = ("contact_proposal", "weak_screening", "group_ranking")
# Thresholds read by no single rule: the gap ledger's (docs/rules.md "Gap life").
HISTORY_TYPES: Final = ("gap_ledger",)
# The first year a year-end summary (docs/rules.md "Year-end summary") can be asked for.
YEAR_END_FIRST: Final = 2000
# The undated facts the rules read, as field history names (`kind.field`, the importer's
# state fields): an answer at a past day reads them as they are now, and counts the values
# imports replaced after that day (docs/rules.md "What an answer at a past day can read").
PAST_FIELDS: Final = (
    "members.branches",
    "members.grps",
    "members.household",
    "members.roles",
    "members.category",
    "members.on_roll",
    "members.mgmt_class",
    "members.lost_contact",
    "households.area",
    "orgs.parent",
    "orgs.kind",
    "orgs.area",
    "orgs.host",
    "orgs.weak",
    "areas.parent",
    "areas.level",
)
# How near a proposed contact is (docs/rules.md "Contact proposals": locality).
LOCALITY_ZH: Final[dict[str, str]] = {
    "hamlet": "同村民小组",
    "village": "同村",
    "township": "同乡镇邻村",
}
# Why an open hamlet or party group gets no cadre in the 包组 proposal.
CADRE_REASON_ZH: Final[dict[str, str]] = {
    "no_cadre": "本村没有可安排的村两委成员",
    "cadres_full": "本村村两委成员包组已满",
}
# Which group the 入组 proposal picked for a member, and why.
GROUP_REASON_ZH: Final[dict[str, str]] = {
    "hamlet": "本村民小组的党小组",
    "smallest": "本支部人数最少的党小组",
    "groups_full": "本支部党小组均已满员",
}
# Why a village's households stay uncovered after the proposal.
SHORTFALL_ZH: Final[dict[str, str]] = {
    "structural": "结构性 (党员不足)",
    "organisational": "组织性 (可安排未安排)",
    "none": "无缺口",
}

# -- 软弱涣散 screening (docs/rules.md#软弱涣散-screening-排查) ------------------------------------

# The indicators, in the order of docs/rules.md (which also breaks ties between equal weights).
SCREEN_INDICATOR_ZH: Final[dict[str, str]] = {
    "secretary_vacant": "书记缺职或长期不在岗",
    "term_expired": "班子届满未换届",
    "life_irregular": "组织生活不正常",
    "few_full_members": "正式党员不足",
    "members_lost": "党员失联失管",
    "household_coverage": "党员联户不到位",
    "chain_breaks": "包联链条断",
    "rectification_open": "整顿未验收",
}
SCREEN_INDICATORS: Final = tuple(SCREEN_INDICATOR_ZH)

# The columns of a township's published 党小组 ranking (the Excel sheet, the CLI table and the
# dashboard's table), docs/rules.md "Township ranking of party groups and the 流动红旗".
RANKING_COLUMNS_ZH: Final[tuple[str, ...]] = (
    "名次",
    "党小组",
    "所属支部",
    "月总结月数",
    "是否督查",
    "党小组会月数",
    "人数",
    "人数合规",
    "在家党员数",
    "联户达标人数",
    "得分",
    "上年度考评",
)
