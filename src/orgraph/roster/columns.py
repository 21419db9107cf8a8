"""Canonical roster columns: per kind, an English key and its Chinese header synonyms.

Headers are matched after :func:`orgraph.roster.header.normalize_header` (NFKC, no
whitespace, no "(必填)"/"*", lower case), so synonyms here are written plainly.
The first Chinese synonym is the label used in messages to the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from orgraph.vocab import ROSTER_KIND_ZH, ROSTER_KINDS

Kind = Literal[
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
]

# The same kinds as orgraph.vocab.ROSTER_KINDS, as a type (tests/roster checks they agree).
KINDS: tuple[Kind, ...] = ROSTER_KINDS


# Value types understood by orgraph.roster.values.convert().
ColumnType = Literal[
    "text",
    "name",
    "code",
    "date",
    "int",
    "lon",
    "lat",
    "bool",
    "category",
    "gender",
    "ethnicity",
    "mgmt_class",
    "org_kind",
    "area_level",
    "roles",
    "tags",
    "phone",
    "id_number",
    "target_kind",
    "channel",
    "rect_status",
    "rect_problems",
    "rect_result",
    "follow_up",
    "group_grade",
    "meeting_type",
    "month",
    "member_refs",
]


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    key: str
    synonyms: tuple[str, ...]
    required: bool = False
    type: ColumnType = "text"
    # Dates that cannot lie in the future (birth, joining, departure, report...).
    past_only: bool = False

    @property
    def label(self) -> str:
        """Chinese label for messages (first synonym)."""
        return self.synonyms[0] if self.synonyms else self.key


@dataclass(frozen=True, slots=True)
class KindSpec:
    kind: Kind
    label: str
    columns: tuple[ColumnSpec, ...]
    # Groups of keys of which at least one must be present (column) and filled (row).
    one_of: tuple[tuple[str, ...], ...] = ()
    # Substrings of a sheet name that suggest this kind (checked in KINDS_BY_SHEET order).
    sheet_hints: tuple[str, ...] = ()

    def column(self, key: str) -> ColumnSpec:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def required_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns if c.required)


def _c(
    key: str,
    *synonyms: str,
    required: bool = False,
    type: ColumnType = "text",
    past_only: bool = False,
) -> ColumnSpec:
    return ColumnSpec(key, synonyms, required, type, past_only)


# Member reference used by contacts / outflows / reports (and the members roster itself).
_ID = _c(
    "id_number",
    "公民身份号码",
    "身份证号",
    "身份证号码",
    "身份证",
    "居民身份证号码",
    "居民身份证号",
    "身份证件号码",
    "证件号码",
    "党员身份证号",
    "党员身份证号码",
    "公民身份证号码",
    type="id_number",
)
_MEMBER_NO = _c(
    "member_no", "人员编号", "党员编号", "人员编码", "党员编码", "党员编号(人员编号)", type="code"
)
_NAME_OPT = _c("name", "姓名", "党员姓名", type="name")
_REMARK = _c("remark", "备注", "说明")
_MEMBER_REF = (("id_number", "member_no"),)

AREAS = KindSpec(
    "areas",
    "行政区划",
    (
        _c(
            "code",
            "区划代码",
            "行政区划代码",
            "区划编码",
            "代码",
            "编码",
            required=True,
            type="code",
        ),
        _c("name", "名称", "区划名称", "地名", "单位名称", required=True),
        _c(
            "level",
            "层级",
            "区划级别",
            "级别",
            "区划层级",
            "类型",
            required=True,
            type="area_level",
        ),
        _c("parent_code", "上级代码", "上级区划代码", "上级编码", "上级区划编码", type="code"),
        _c("lon", "经度", "lng", "longitude", type="lon"),
        _c("lat", "纬度", "latitude", type="lat"),
        _REMARK,
    ),
    sheet_hints=("行政区划", "区划", "村组", "行政区"),
)

ORGS = KindSpec(
    "orgs",
    "党组织",
    (
        _c(
            "org_id",
            "组织编号",
            "党组织编号",
            "组织代码",
            "党组织代码",
            "组织编码",
            "党组织编码",
            "编号",
            required=True,
            type="code",
        ),
        _c("name", "组织名称", "党组织名称", "名称", "党组织全称", required=True),
        _c(
            "kind",
            "组织类别",
            "党组织类别",
            "组织类型",
            "党组织类型",
            "类别",
            "类型",
            required=True,
            type="org_kind",
        ),
        _c(
            "parent_org_id",
            "上级组织编号",
            "上级党组织编号",
            "上级组织代码",
            "上级党组织代码",
            "上级组织编码",
            "上级编号",
            type="code",
        ),
        _c(
            "area_code",
            "所在区划代码",
            "区划代码",
            "所在地区划代码",
            "所在行政区划代码",
            type="code",
        ),
        _c("host_area", "驻在地", "驻地", "流入地", "所在地"),
        _c("established_on", "成立日期", "成立时间", "建立日期", type="date", past_only=True),
        _c("term_end", "届满日期", "任期届满日期", "届满时间", "本届届满日期", type="date"),
        _c("weak", "软弱涣散", "是否软弱涣散", "是否软弱涣散党组织", type="bool"),
        _c(
            "rectification_opened_on",
            "整顿开始日期",
            "整顿开始时间",
            "整顿日期",
            type="date",
            past_only=True,
        ),
        _c("rectification_deadline", "整顿期限", "整顿截止日期", "整顿完成期限", type="date"),
        _c("rectification_status", "整顿状态", "整顿情况", type="rect_status"),
        _REMARK,
    ),
    sheet_hints=("党组织", "组织"),
)

MEMBERS = KindSpec(
    "members",
    "党员花名册",
    (
        _c("name", "姓名", "党员姓名", required=True, type="name"),
        _ID,
        _MEMBER_NO,
        _c("gender", "性别", type="gender"),
        _c("ethnicity", "民族", type="ethnicity"),
        _c(
            "birth_date",
            "出生日期",
            "出生年月",
            "出生时间",
            "出生年月日",
            type="date",
            past_only=True,
        ),
        _c("education", "学历", "文化程度", "最高学历", "全日制学历"),
        _c(
            "category",
            "人员类别",
            "党籍状态",
            "党员类别",
            "预/正",
            "正式/预备",
            "党员类型",
            type="category",
        ),
        _c(
            "joined_on",
            "入党日期",
            "入党时间",
            "加入党组织日期",
            "入党年月",
            type="date",
            past_only=True,
        ),
        _c(
            "full_on",
            "转正日期",
            "转正时间",
            "转为正式党员日期",
            "转正年月",
            type="date",
            past_only=True,
        ),
        _c(
            "branch",
            "所在党支部",
            "所属党支部",
            "所在党组织",
            "所在支部",
            "党支部",
            "所属党组织",
            "所属支部",
        ),
        _c("group", "所在党小组", "党小组", "所属党小组"),
        _c(
            "phone",
            "手机号码",
            "联系电话",
            "电话",
            "手机",
            "手机号",
            "联系方式",
            "电话号码",
            type="phone",
        ),
        _c("household_id", "家庭户编号", "户编号", "所在户编号", "户号", type="code"),
        _c("roles", "职务", "党内职务", "担任职务", "现任职务", type="roles"),
        _c("mgmt_class", "分类管理类别", "管理类别", "分类管理", "党员分类", type="mgmt_class"),
        _c("is_mobile", "是否流动党员", "流动党员", type="bool"),
        _c("lost_contact", "是否失联党员", "是否失联", "失联党员", type="bool"),
        _c("lost_contact_on", "失联时间", "失联日期", type="date", past_only=True),
        _c(
            "suspended_on",
            "停止党籍日期",
            "停止党籍时间",
            "停止党籍",
            type="date",
            past_only=True,
        ),
        _c("job", "工作岗位", "岗位"),
        _c("work_unit", "工作单位", "工作/学习单位", "工作单位及职务", "单位"),
        _c("residence", "现居住地", "家庭住址", "住址", "居住地", "现住址"),
        _c("hukou", "户籍所在地", "户口所在地", "户籍地"),
        _c("native_place", "籍贯"),
        # Mobile information carried on some rosters (a "流动情况" group).
        _c("left_on", "外出时间", "外出日期", "流出日期", "流出时间", type="date", past_only=True),
        _c("destination", "外出地点", "外出流向", "流向", "流入地", "外出去向", "流入地点"),
        _c("out_reason", "外出原因", "流动原因"),
        _c("card_no", "活动证编号", "流动党员活动证编号", "活动证号"),
        _c("host_org", "流入地党组织", "接收党组织", "挂靠组织"),
        _REMARK,
    ),
    one_of=_MEMBER_REF,
    sheet_hints=("花名册", "党员名册", "党员信息", "党员基本信息", "党员"),
)

HOUSEHOLDS = KindSpec(
    "households",
    "农户",
    (
        _c(
            "household_id",
            "户编号",
            "农户编号",
            "家庭户编号",
            "户号",
            "户代码",
            required=True,
            type="code",
        ),
        _c(
            "area_code",
            "所在区划代码",
            "区划代码",
            "所在村组代码",
            "所在组代码",
            "村组代码",
            required=True,
            type="code",
        ),
        _c("head_name", "户主姓名", "户主", type="name"),
        _c("address", "地址", "家庭住址", "住址", "家庭地址"),
        _c("size", "人口数", "家庭人口", "人口", "户人口数", "家庭人口数", type="int"),
        _c("tags", "标签", "户类别", "户类型", "特殊群体", type="tags"),
        _c("phone", "联系电话", "电话", "手机号码", type="phone"),
        _c("lon", "经度", "lng", "longitude", type="lon"),
        _c("lat", "纬度", "latitude", type="lat"),
        _REMARK,
    ),
    sheet_hints=("农户", "户籍", "住户", "户信息"),
)

CONTACTS = KindSpec(
    "contacts",
    "联系关系",
    (
        _ID,
        _MEMBER_NO,
        _NAME_OPT,
        _c(
            "target_kind",
            "联系对象类型",
            "对象类型",
            "联系类型",
            "联系对象类别",
            required=True,
            type="target_kind",
        ),
        _c(
            "target_id",
            "联系对象编号",
            "对象编号",
            "联系对象代码",
            "联系对象",
            required=True,
            type="code",
        ),
        _c("target_name", "联系对象名称", "对象名称", "联系对象姓名"),
        _c("since", "开始日期", "开始时间", "起始日期", "结对日期", type="date"),
        _c("until", "结束日期", "结束时间", "终止日期", type="date"),
        _REMARK,
    ),
    one_of=_MEMBER_REF,
    sheet_hints=("联系", "联户", "包户", "包联", "结对"),
)

OUTFLOWS = KindSpec(
    "outflows",
    "流动党员外出登记",
    (
        _ID,
        _MEMBER_NO,
        _NAME_OPT,
        _c(
            "left_on",
            "外出时间",
            "外出日期",
            "流出日期",
            "流出时间",
            "发证时间",
            required=True,
            type="date",
            past_only=True,
        ),
        _c(
            "destination",
            "外出地点",
            "外出流向",
            "流向",
            "流入地",
            "外出去向",
            "流入地点",
            required=True,
        ),
        _c("reason", "外出原因", "流动原因", "外出事由"),
        _c("employer", "工作单位", "就业单位", "务工单位"),
        _c(
            "phone_away",
            "外出联系电话",
            "外出联系方式",
            "联系电话",
            "手机号码",
            "电话",
            type="phone",
        ),
        _c("card_no", "活动证编号", "流动党员活动证编号", "活动证号"),
        _c("host_org", "流入地党组织", "接收党组织", "挂靠组织"),
        _c(
            "returned_on",
            "返回时间",
            "返回日期",
            "返乡时间",
            "返乡日期",
            type="date",
            past_only=True,
        ),
        _c("contact_person", "联系人", "家乡联系人", "联系责任人", "流出地联系人"),
        _c("flow_type", "流动类型"),
        _c("branch", "所在党支部", "所在支部", "所属党支部"),
        _REMARK,
    ),
    one_of=_MEMBER_REF,
    sheet_hints=("流动", "外出"),
)

REPORTS = KindSpec(
    "reports",
    "报到记录",
    (
        _ID,
        _MEMBER_NO,
        _NAME_OPT,
        _c(
            "on",
            "日期",
            "报到日期",
            "报到时间",
            "时间",
            "联系日期",
            "报告日期",
            required=True,
            type="date",
            past_only=True,
        ),
        _c("channel", "方式", "报到方式", "渠道", "联系方式", "报告方式", type="channel"),
        _c("org", "党组织", "报到党组织", "组织编号", "党组织编号"),
        _c("content", "内容", "报告内容", "事项"),
        _REMARK,
    ),
    one_of=_MEMBER_REF,
    sheet_hints=("报到", "报平安", "报告"),
)

MEETINGS = KindSpec(
    "meetings",
    "组织生活记录",
    (
        _c(
            "org",
            "组织编号",
            "党组织编号",
            "组织代码",
            "党组织代码",
            "支部编号",
            "党小组编号",
            "组织编码",
            type="code",
        ),
        _c("org_name", "组织名称", "党组织名称", "支部名称", "党小组名称"),
        _c(
            "type",
            "会议类型",
            "会议类别",
            "活动类型",
            "组织生活类型",
            "组织生活形式",
            "类型",
            "形式",
            required=True,
            type="meeting_type",
        ),
        _c(
            "on",
            "会议日期",
            "召开日期",
            "会议时间",
            "召开时间",
            "活动日期",
            "开展日期",
            "开展时间",
            "日期",
            "时间",
            required=True,
            type="date",
            past_only=True,
        ),
        _c(
            "topic",
            "会议主题",
            "主题",
            "议题",
            "会议议题",
            "会议名称",
            "会议内容",
            "活动主题",
            "学习内容",
            "内容",
        ),
        _c("expected", "应到人数", "应到", "应到会人数", "应参加人数", "应参会人数", type="int"),
        _c(
            "present",
            "实到人数",
            "实到",
            "到会人数",
            "实际到会人数",
            "实际参会人数",
            "参加人数",
            "参会人数",
            type="int",
        ),
        _c(
            "attendees",
            "参加人员",
            "出席人员",
            "参会人员",
            "到会人员",
            "参加人员名单",
            "参会人员名单",
            type="member_refs",
        ),
        _c(
            "absentees",
            "缺席人员",
            "缺席人员名单",
            "未参加人员",
            "未到会人员",
            "请假人员",
            "缺席人员及原因",
            "缺席人员及缺席原因",
            "缺席人员(原因)",
            "请假人员及原因",
            type="member_refs",
        ),
        _c("host", "主持人", "讲课人", "主讲人", "授课人", "主持人/讲课人", "主持人(讲课人)"),
        _REMARK,
    ),
    one_of=(("org", "org_name"),),
    sheet_hints=("组织生活", "三会一课", "会议记录", "主题党日", "会议"),
)

DUES = KindSpec(
    "dues",
    "党费",
    (
        _ID,
        _MEMBER_NO,
        _NAME_OPT,
        _c(
            "paid_to",
            "缴至",
            "缴纳至",
            "已缴至",
            "党费缴至",
            "交至",
            "缴费至",
            "缴至月份",
            "交纳至",
            "所属月份",
            "缴费月份",
            "缴纳月份",
            "党费所属月份",
            required=True,
            type="month",
        ),
        _c(
            "paid_on",
            "缴纳日期",
            "交纳日期",
            "缴费日期",
            "交费日期",
            "缴纳时间",
            "交纳时间",
            "缴费时间",
            type="date",
            past_only=True,
        ),
        _c(
            "amount",
            "金额",
            "缴纳金额",
            "交纳金额",
            "实缴金额",
            "党费金额",
            "金额(元)",
            "实缴党费",
            "实缴党费(元)",
            "交纳党费金额",
            "缴纳党费金额",
        ),
        _REMARK,
    ),
    one_of=_MEMBER_REF,
    sheet_hints=("党费",),
)

# 驻村第一书记: who is sent to which village Party organisation, by whom, from when to when
# (docs/rules.md "第一书记").
FIRST_SECRETARIES = KindSpec(
    "first_secretaries",
    "第一书记",
    (
        _ID,
        _MEMBER_NO,
        _NAME_OPT,
        _c(
            "org",
            "村党组织编号",
            "党组织编号",
            "组织编号",
            "派驻党组织编号",
            "驻村党组织编号",
            type="code",
        ),
        _c(
            "org_name",
            "村党组织",
            "村党组织名称",
            "派驻党组织",
            "驻村党组织",
            "党组织名称",
            "组织名称",
        ),
        _c("sent_by", "派出单位", "选派单位", "派驻单位", "原工作单位", "工作单位"),
        _c(
            "since",
            "任职开始日期",
            "任职日期",
            "开始日期",
            "派驻日期",
            "到村日期",
            "任职时间",
            "派驻时间",
            required=True,
            type="date",
        ),
        _c(
            "until",
            "任职结束日期",
            "结束日期",
            "任期届满日期",
            "期满日期",
            "离任日期",
            "派驻结束日期",
            type="date",
        ),
        _REMARK,
    ),
    one_of=(("id_number", "member_no"), ("org", "org_name")),
    sheet_hints=("第一书记",),
)

_ORG_BY_ID = _c(
    "org",
    "党组织编号",
    "组织编号",
    "村党组织编号",
    "党组织代码",
    "组织代码",
    type="code",
)
_ORG_BY_NAME = _c("org_name", "党组织名称", "党组织", "村党组织", "组织名称", "村党组织名称")

# 整顿台账 (docs/rules.md "The rectification ledger"): one row per episode of an org listed as
# 软弱涣散, keyed by org and 列入日期.
RECTIFICATIONS = KindSpec(
    "rectifications",
    "整顿台账",
    (
        _ORG_BY_ID,
        _ORG_BY_NAME,
        _c(
            "opened_on",
            "列入日期",
            "列入时间",
            "整顿开始日期",
            "确定日期",
            "排查确定日期",
            required=True,
            type="date",
            past_only=True,
        ),
        _c(
            "problems",
            "问题类型",
            "主要问题",
            "问题类别",
            "软弱涣散类型",
            "存在问题类型",
            type="rect_problems",
        ),
        _c(
            "plan_on",
            "一村一策制定日期",
            "一村一策日期",
            "整顿方案制定日期",
            "方案制定日期",
            type="date",
            past_only=True,
        ),
        _c("county_leader", "县级联系领导", "县级领导", "联系县领导", "包联县领导"),
        _c("township_team", "乡镇包联责任人", "乡镇责任人", "乡镇包联班子", "包村乡镇干部"),
        _c("sent_unit", "派驻单位", "帮扶单位", "结对单位", "挂钩单位"),
        _c("deadline", "整顿期限", "整顿截止日期", "整顿完成期限", "计划完成日期", type="date"),
        _c("accepted_on", "验收日期", "验收时间", "销号日期", type="date", past_only=True),
        _c("result", "验收结果", "验收情况", "验收等次", type="rect_result"),
        _c("status", "整顿状态", "整顿情况", "是否销号", type="rect_status"),
        _REMARK,
    ),
    one_of=(("org", "org_name"),),
    sheet_hints=("整顿台账", "整顿", "软弱涣散"),
)

# 督查记录: the county's quarterly inspections of organisations under rectification.
INSPECTIONS = KindSpec(
    "inspections",
    "督查记录",
    (
        _ORG_BY_ID,
        _ORG_BY_NAME,
        _c(
            "on",
            "督查日期",
            "督查时间",
            "检查日期",
            "检查时间",
            required=True,
            type="date",
            past_only=True,
        ),
        _c("inspector", "督查人", "督查组", "督查人员", "检查人", "检查组", "督查单位"),
        _c("findings", "发现问题", "督查发现问题", "存在问题", "督查情况", "检查情况"),
        _c("follow_up", "整改情况", "整改状态", "是否整改", "整改落实情况", type="follow_up"),
        _REMARK,
    ),
    one_of=(("org", "org_name"),),
    sheet_hints=("督查", "督导", "检查记录"),
)

# 党小组工作记录: a party group's month — 月总结, the township's 督查, the yearly 考评
# (docs/rules.md "党小组 appraisal").
GROUP_RECORDS = KindSpec(
    "group_records",
    "党小组工作记录",
    (
        _c("org", "党小组编号", "组织编号", "党小组代码", "党组织编号", type="code"),
        _c("org_name", "党小组名称", "党小组", "组织名称"),
        _c("month", "月份", "所属月份", "记录月份", "年月", required=True, type="month"),
        _c("summary", "月总结", "是否月总结", "月度总结", "是否完成月总结", type="bool"),
        _c(
            "inspected_on",
            "督查日期",
            "季度督查日期",
            "督查时间",
            "检查日期",
            type="date",
            past_only=True,
        ),
        _c("finding", "督查发现", "督查情况", "督查发现问题", "检查情况"),
        _c("score", "考评得分", "年度考评得分", "得分", "考评分数", type="int"),
        _c("grade", "考评等次", "年度考评等次", "考评结果", "等次", type="group_grade"),
        _REMARK,
    ),
    one_of=(("org", "org_name"),),
    sheet_hints=("党小组工作", "党小组记录", "党小组考评", "党小组台账"),
)

SPECS: dict[str, KindSpec] = {
    s.kind: s
    for s in (
        AREAS,
        ORGS,
        MEMBERS,
        HOUSEHOLDS,
        CONTACTS,
        OUTFLOWS,
        REPORTS,
        MEETINGS,
        DUES,
        FIRST_SECRETARIES,
        RECTIFICATIONS,
        INSPECTIONS,
        GROUP_RECORDS,
    )
}

# Order in which sheet-name hints are tried (specific before generic: "流动党员" is outflows).
KINDS_BY_SHEET: tuple[str, ...] = (
    "group_records",
    "first_secretaries",
    "inspections",
    "rectifications",
    "dues",
    "meetings",
    "outflows",
    "reports",
    "contacts",
    "households",
    "areas",
    "members",
    "orgs",
)

# Headers that are known and deliberately ignored (row counters).
IGNORED_HEADERS: frozenset[str] = frozenset({"序号", "序", "no", "no.", "#", "行号", "顺序号"})

KIND_ALIASES: dict[str, str] = {
    **{k: k for k in KINDS},
    **{v: k for k, v in ROSTER_KIND_ZH.items()},
    "area": "areas",
    "org": "orgs",
    "member": "members",
    "household": "households",
    "contact": "contacts",
    "outflow": "outflows",
    "report": "reports",
    "meeting": "meetings",
    "三会一课": "meetings",
    "组织生活": "meetings",
    "会议记录": "meetings",
    "党费缴纳": "dues",
    "党费台账": "dues",
    "first_secretary": "first_secretaries",
    "驻村第一书记": "first_secretaries",
    "第一书记名册": "first_secretaries",
    "rectification": "rectifications",
    "inspection": "inspections",
    "group_record": "group_records",
    "党小组考评": "group_records",
    "整顿": "rectifications",
    "督查": "inspections",
    "党员": "members",
    "花名册": "members",
    "流动党员": "outflows",
}


def kind_spec(kind: str) -> KindSpec:
    """Spec of a kind given in English or Chinese; UnknownKind (a ValueError) if unknown."""
    k = KIND_ALIASES.get(kind.strip().lower()) or KIND_ALIASES.get(kind.strip())
    if k is None:
        from orgraph.roster.errors import UnknownKind

        avail = "、".join(f"{k}({v})" for k, v in ROSTER_KIND_ZH.items())
        raise UnknownKind(f"未知的名册类型“{kind}”。可用：{avail}")
    return SPECS[k]


def one_of_label(group: tuple[str, ...], spec: KindSpec) -> str:
    return "或".join(spec.column(k).label for k in group)
