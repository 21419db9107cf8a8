"""The dashboard's zh-CN strings and the formats numbers and dates are shown in.

Labels of gap types come from the API (`/gaps/summary` → `labels`); the ones here only fill in
when an older API leaves one out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from orgraph.vocab import (
    CATEGORY_ZH,
    FIELD_ZH,
    GAP_ZH,
    GENDER_ZH,
    MGMT_CLASS_ZH,
    ORG_KIND_ZH,
    RECT_STATUS_ZH,
    ROSTER_KIND_ZH,
    TARGET_KIND_ZH,
)

APP_TITLE = "orgraph 基层党组织网络"
APP_SUBTITLE = "谁对谁负责，哪里没有人负责"

PAGE = {
    "login": "登录",
    "account": "账户",
    "overview": "总览",
    "map": "覆盖地图",
    "network": "组织网络",
    "gaps": "缺口清单",
    "proposals": "调整建议",
    "life": "组织生活",
    "mobility": "流动党员",
    "chain": "户联系链",
    "rectify": "整顿与考评",
    "changes": "变化",
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
    # 调整建议 (docs/rules.md "Contact proposals")
    "proposal_note": "以下是系统按就近、均衡、不超过联户上限的原则提出的建议，不是决定："
    "联系名单须经党员大会审定并公示后，方可导入或应用。",
    "proposal_read_only": "您的角色（{role}）只能查看和下载建议，不能应用。",
    "proposal_applied": "已建立 {created} 对联系；{kept} 对原已存在，保持不变。",
    "proposal_changed": "建议名单刚刚有了变化（可能有人已应用了其中一部分），"
    "请重新核对勾选后再点“应用所选”。",
    "proposal_refused": "所选联户有 {n} 处不能应用，未做任何修改。"
    "请取消勾选下列各对，或先处理原因后再试。",
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
        if value in GENDER_ZH:
            return GENDER_ZH[value]
        if value in RECT_STATUS_ZH:
            return RECT_STATUS_ZH[value]
    return value


# -- the gap ledger's ages (docs/rules.md "Gap life") ------------------------------------------

AGE_KEYS = ("first_seen", "age_days", "age_at_least", "age_unknown")
FIRST_SEEN = FIELD_ZH.get("first_seen", "首次发现")
AGE_DAYS = FIELD_ZH.get("age_days", "已持续天数")
# why an item's age is not known (the API's age_unknown), in a few words
AGE_UNKNOWN_ZH = {
    "before_ledger": "未知（早于缺口台账）",
    "not_observed": "未知（台账未观测到）",
}


def age_text(item: dict[str, Any]) -> str:
    """已持续天数 of a gap item: "12", "≥ 40" when the item was there before the ledger began
    (at least that old), or why it is unknown."""
    days = item.get("age_days")
    if days is None:
        why = item.get("age_unknown")
        return AGE_UNKNOWN_ZH.get(str(why), f"未知（{why}）") if why else "未知"
    return f"≥ {days}" if item.get("age_at_least") else str(days)


def past_note(doc: Any) -> str | None:
    """The answer's note when its as_of is before today and the undated facts (branch, roles,
    a household's area…) are read as they are now (docs/rules.md "What an answer at a past
    day can read"); None otherwise, and from an API that does not give `past`."""
    past = doc.get("past") if isinstance(doc, dict) else None
    if not isinstance(past, dict) or not past.get("undated_as_now"):
        return None
    note = past.get("note")
    return note if isinstance(note, str) and note else None


def with_ages(row: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """A table row with the item's two age columns after its first two columns (the item's
    id and name, where a person looks first)."""
    cells = list(row.items())
    ages = [(FIRST_SEEN, item.get("first_seen") or ""), (AGE_DAYS, age_text(item))]
    return dict(cells[:2] + ages + cells[2:])


def aged_rows(rows: list[dict[str, Any]], items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A page's own rows of gap items (one per item) with the items' age columns, when the
    API gives ages."""
    if not any(k in it for it in items for k in AGE_KEYS):
        return rows
    return [with_ages(r, it) for r, it in zip(rows, items, strict=True)]


def table_rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """API items as rows with Chinese column names, nested objects flattened to names; a gap
    item's ages as 首次发现 and 已持续天数 (with_ages)."""
    keys: list[str] = []
    for it in items:
        keys += [k for k in it if k not in keys and k not in AGE_KEYS]
    if any(k in it for it in items for k in AGE_KEYS):
        return [with_ages({FIELD_ZH.get(k, k): cell(it.get(k)) for k in keys}, it) for it in items]
    # every row gets every column: a key some items lack (a household filed directly under
    # its village has no hamlet) is an empty cell, not "None"
    return [{FIELD_ZH.get(k, k): cell(it.get(k)) for k in keys} for it in items]


# -- the import history (docs/design.md#import-history) ---------------------------------------

SOURCE_ZH = {"api": "数据导入页", "cli": "命令行", "demo": "演示数据"}


def import_time(at: str | None) -> str:
    """When an import was recorded (the API gives UTC), in this server's local time."""
    if not at:
        return ""
    try:
        t = dt.datetime.fromisoformat(at)
    except ValueError:
        return at
    return t.astimezone().strftime("%Y-%m-%d %H:%M")


def import_label(entry: dict[str, Any]) -> str:
    """One recorded import as a person picks it: the roster day, when, who. `by` may be
    missing (the points of /history/changes carry no `by`): then the label ends at 导入."""
    on, at, by = zh_date(entry.get("on")), import_time(entry.get("at")), entry.get("by") or ""
    return " · ".join(p for p in (f"{on}花名册", f"{at} 导入", str(by)) if p)


# The field history's field names (docs/rules.md "Field history") where FIELD_ZH's would read
# wrong for a roster field.
CHANGE_FIELD_ZH = {
    "created": "新建",
    "branches": "所在党支部",
    "grps": "所在党小组",
    "roles": "职务",
    "since": "开始日期",
    "until": "结束日期",
    "id_hash": "身份证号",
    "id_masked": "身份证号（掩码）",
    "phone": "手机号码",
}
# Identifying fields: the history notes that they changed, never the values.
UNKEPT_FIELDS = frozenset({"id_hash", "id_masked", "phone"})


def change_field(kind: str, field: str) -> str:
    """ "members.grps" → "党员花名册 · 所在党小组"."""
    name = CHANGE_FIELD_ZH.get(field) or FIELD_ZH.get(field, field)
    return f"{ROSTER_KIND_ZH.get(kind, kind)} · {name}"


def change_key(kind: str, key: str) -> str:
    """An entity's key as a person reads it: a contact's key (member|CONTACTS|kind|target|
    since) as "member → target（since 起）"."""
    parts = key.split("|")
    if kind == "contacts" and len(parts) >= 4:
        since = f"（{parts[4]}起）" if len(parts) > 4 and parts[4] else ""
        return f"{parts[0]} → {parts[3]}{since}"
    return key


def change_value(field: str, value: Any) -> str:
    """A replaced or new value as a cell (lists joined; identifying fields never shown)."""
    if field in UNKEPT_FIELDS:
        return "（已改动，不保留）"
    if value is None or value == [] or value == "":
        return "（空）"
    return str(cell(value))
