"""The dashboard's zh-CN strings and the formats numbers and dates are shown in.

Labels of gap types come from the API (`/gaps/summary` → `labels`); the ones here only fill in
when an older API leaves one out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from orgraph.analysis.rules import RULE_ZH
from orgraph.roster.values import ORG_KIND_LABELS

APP_TITLE = "orgraph 基层党组织网络"
APP_SUBTITLE = "谁对谁负责，哪里没有人负责"

PAGE = {
    "login": "登录",
    "account": "账户",
    "overview": "总览",
    "map": "覆盖地图",
    "network": "组织网络",
    "gaps": "缺口清单",
    "mobility": "流动党员",
    "chain": "户联系链",
    "imports": "数据导入",
}

MSG = {
    "login_title": "登录",
    "username": "用户名",
    "password": "密码",
    "login": "登录",
    "logout": "退出登录",
    "logged_out": "已退出登录。",
    "bad_login": "用户名或密码错误。",
    "expired": "登录已过期，请重新登录。",
    "api_down": "暂时无法连接 orgraph 服务，请稍后刷新页面。",
    "not_found": "未找到，或不在您的管理范围内。",
    "forbidden": "您的角色无权执行此操作。",
    "as_of": "统计日期",
    "scope": "管理范围",
    "role": "角色",
    "user": "用户",
    "no_data": "暂无数据",
    "loading": "正在加载…",
    "unavailable_mobility": "流动党员数据接口尚未开放，请稍后再试。",
}

LEVEL_ZH = {
    "county": "县",
    "township": "乡镇",
    "village": "村(社区)",
    "hamlet": "村民小组",
    "org": "党组织",
    "all": "全部",
}
CHILD_LEVEL = {"county": "township", "township": "village", "village": "hamlet"}

ORG_KIND_ZH = {**ORG_KIND_LABELS, "external": "外部组织"}

ROLE_ZH = {
    "secretary": "书记",
    "deputy_secretary": "副书记",
    "committee_member": "委员",
    "group_leader": "党小组长",
    "village_committee": "村两委",
    "first_secretary": "第一书记",
    "county_leader": "县级领导",
    "township_cadre": "乡镇干部",
    "county_admin": "县级管理员",
    "township_admin": "乡镇管理员",
    "village_secretary": "村党组织书记",
    "viewer": "只读用户",
}

CHAIN_LEVEL_ZH = {
    "household": "联系党员（户）",
    "hamlet": "村干部（包组）",
    "village": "乡镇干部（包村）",
    "township": "县级领导（包乡镇）",
}

GAP_ZH = RULE_ZH  # one set of rule names for the CLI, the API and the dashboard

# Column headers of tables built from API items; unknown keys are shown as they are.
FIELD_ZH = {
    "id": "编号",
    "key": "编号",
    "name": "名称",
    "head_name": "户主",
    "area": "所在区划",
    "hamlet": "村民小组",
    "village": "村(社区)",
    "township": "乡镇",
    "branch": "党支部",
    "households": "联系户数",
    "contacts_away": "外出的联系人",
    "age": "年龄",
    "mgmt_class": "分类",
    "members": "党员数",
    "full_members": "正式党员",
    "groups": "联系党小组数",
    "target_kind": "类型",
    "level": "层级",
    "kind": "类别",
    "deadline": "整顿期限",
    "days_overdue": "逾期天数",
    "term_end": "届满日期",
    "opened_on": "整顿开始",
    "status": "状态",
    "branches": "所在组织",
    "min": "下限",
    "max": "上限",
    "gender": "性别",
    "category": "类别",
    "phone": "手机号码",
    "id_masked": "身份证号",
    "away": "外出",
    "on_roll": "在册",
    "size": "人口数",
    "tags": "标签",
    "covered": "已联系",
    "destination": "流入地",
    "left_on": "外出时间",
    "last_report": "最近报到",
    "days_silent": "未报到天数",
    "days": "天数",
    "member": "党员",
    "city": "城市",
    "province": "省份",
    "count": "人数",
    "full": "正式党员",
    "host_org": "流入地党组织",
    "employer": "工作单位",
    "reason": "外出原因",
    "contact_person": "联系人",
    "secretary": "建议书记",
    "suggested_secretary": "建议书记",
    "returned_on": "返回时间",
    "code": "代码",
    "coverage": "覆盖率",
    "members_home": "在家党员",
    "members_away": "外出党员",
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
}

TARGET_KIND_ZH = {
    "hamlet": "村民小组",
    "group": "党小组",
    "household": "农户",
    "village": "村",
    "township": "乡镇",
}
MGMT_CLASS_ZH = {
    "young_at_home": "在家青壮年",
    "industry": "产业一线",
    "mobile_business": "流动创业",
    "elderly_weak": "老弱",
}
CATEGORY_ZH = {"full": "正式党员", "probationary": "预备党员"}
GENDER_ZH = {"male": "男", "female": "女", "M": "男", "F": "女"}

IMPORT_KIND_ZH = {
    "areas": "行政区划",
    "orgs": "党组织",
    "members": "党员花名册",
    "households": "农户",
    "contacts": "联系关系",
    "outflows": "流动党员外出登记",
    "reports": "报到记录",
}

WEEKDAY_ZH = "一二三四五六日"


def zh_date(value: str | dt.date | None, *, weekday: bool = False) -> str:
    """2026-11-01 → 2026年11月1日 (the way dates are written in Chinese documents)."""
    if value is None or value == "":
        return ""
    d = value if isinstance(value, dt.date) else _parse(value)
    if d is None:
        return str(value)
    text = f"{d.year}年{d.month}月{d.day}日"
    return f"{text}（星期{WEEKDAY_ZH[d.weekday()]}）" if weekday else text


def _parse(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def num(value: int | float | None) -> str:
    """Thousands with a comma, as Chinese government statistics print them."""
    return "—" if value is None else f"{value:,}"


def gap_label(gap_type: str, labels: dict[str, str] | None = None) -> str:
    return (labels or {}).get(gap_type) or GAP_ZH.get(gap_type, gap_type)


def cell(value: Any) -> Any:
    """An API value as a table cell: names for nested objects, 是/否 for booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        return str(value.get("name") or value.get("id") or value.get("code") or "")
    if isinstance(value, list):
        return "、".join(str(cell(v)) for v in value)
    if isinstance(value, str):
        if value in TARGET_KIND_ZH:
            return TARGET_KIND_ZH[value]
        if value in MGMT_CLASS_ZH:
            return MGMT_CLASS_ZH[value]
        if value in CATEGORY_ZH:
            return CATEGORY_ZH[value]
        if value in ORG_KIND_ZH:
            return ORG_KIND_ZH[value]
    return value


def table_rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """API items as rows with Chinese column names, nested objects flattened to names."""
    keys: list[str] = []
    for it in items:
        keys += [k for k in it if k not in keys]
    # every row gets every column: a key some items lack (a household filed directly under
    # its village has no hamlet) is an empty cell, not "None"
    return [{FIELD_ZH.get(k, k): cell(it.get(k)) for k in keys} for it in items]
