"""The 软弱涣散 screening (排查) as the workbook a county office files (docs/rules.md
"软弱涣散 screening (排查)"): 排查名单, one row per screened organisation with its reasons and
the value of every indicator, and 指标说明, what each indicator counts, its threshold, weight and
source in the policy in force. The API's /screening/export and `orgraph screening --export`
write the same file."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

from orgraph.policy import Policy
from orgraph.roster.contact_roster import safe_text
from orgraph.vocab import SCREEN_INDICATOR_ZH, SCREEN_INDICATORS

LIST_SHEET = "排查名单"
KEY_SHEET = "指标说明"
NO_DATA = "无数据"  # a null indicator: no records, never read as compliance

# Per indicator: what its value counts (the column's unit), the policy field holding its
# threshold (None: the fixed threshold of docs/rules.md) and when it is a reason.
_VALUE_ZH = {
    "secretary_vacant": "在家书记人数",
    "term_expired": "届满未换届的组织数",
    "life_irregular": "缺开期数",
    "few_full_members": "正式党员人数",
    "members_lost": "失联、久未报告党员人数",
    "household_coverage": "在家党员联户达标比例",
    "chain_breaks": "断开的环节数",
    "rectification_open": "未验收的整顿数",
}
_THRESHOLD_FIELD: dict[str, str | None] = {
    "secretary_vacant": None,
    "term_expired": None,
    "life_irregular": "screen_life_missed",
    "few_full_members": "branch_min_full",
    "members_lost": "screen_lost_pct",
    "household_coverage": "screen_coverage_pct",
    "chain_breaks": "screen_chain_breaks_max",
    "rectification_open": None,
}
_FIXED_THRESHOLD = {"secretary_vacant": 1, "term_expired": 1, "rectification_open": 1}
_FLAG_WHEN = {
    "secretary_vacant": "在家书记少于 {t} 人",
    "term_expired": "届满未换届的组织达到 {t} 个",
    "life_irregular": "缺开期数达到 {t} 期 (未导入组织生活记录时无数据)",
    "few_full_members": "正式党员少于 {t} 人",
    "members_lost": "至少 1 人，且占本组织党员的 {t}% 以上",
    "household_coverage": "联户达到最少户数的在家党员低于 {t}% (无在家党员时无数据)",
    "chain_breaks": "断开的环节多于 {t} 个",
    "rectification_open": "未验收的整顿达到 {t} 个",
}

LIST_HEADERS = (
    "党组织",
    "组织编号",
    "所在村",
    "乡镇",
    "是否已列为软弱涣散",
    "是否候选",
    "优先级",
    "原因",
    *(f"{SCREEN_INDICATOR_ZH[k]} ({_VALUE_ZH[k]})" for k in SCREEN_INDICATORS),
)
KEY_HEADERS = ("指标", "说明", "取值", "列为原因的条件", "阈值", "权重", "政策依据")


def threshold(policy: Policy, key: str) -> int:
    """The threshold an indicator is compared with under this policy."""
    field = _THRESHOLD_FIELD[key]
    return int(getattr(policy, field)) if field else _FIXED_THRESHOLD[key]


def weight(policy: Policy, key: str) -> int:
    return int(getattr(policy, f"screen_weight_{key}"))


def reasons_zh(item: dict[str, Any]) -> str:
    """An item's reasons in words, in their order (larger weight first), joined by ；."""
    return "；".join(SCREEN_INDICATOR_ZH.get(k, k) for k in item["reasons"])


def indicator_rows(policy: Policy) -> list[dict[str, Any]]:
    """Each indicator with what it counts, when it is a reason, its threshold and weight, and
    the policy's words for both (Policy.describe)."""
    sources = {row["name"]: row["source"] for row in policy.describe()}
    out = []
    for key in SCREEN_INDICATORS:
        field = _THRESHOLD_FIELD[key]
        t = threshold(policy, key)
        names = [n for n in (field, f"screen_weight_{key}") if n]
        out.append(
            {
                "key": key,
                "label": SCREEN_INDICATOR_ZH[key],
                "value": _VALUE_ZH[key],
                "flag_when": _FLAG_WHEN[key].format(t=t),
                "threshold": t,
                "weight": weight(policy, key),
                "source": "；".join(f"{n}: {sources.get(n) or ''}" for n in names),
            }
        )
    return out


def _value(indicator: dict[str, Any]) -> Any:
    value = indicator["value"]
    if value is None:
        return NO_DATA
    return value


def _township(item: dict[str, Any]) -> str:
    return str((item.get("township") or {}).get("name") or "")


def to_xlsx(doc: dict[str, Any], policy: Policy) -> bytes:
    """The screening answer (Engine.screening, as the caller may see it) as the workbook."""
    from openpyxl import Workbook  # loads on first use, not with the CLI

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = LIST_SHEET
    ws.append(list(LIST_HEADERS))
    coverage_col = 9 + SCREEN_INDICATORS.index("household_coverage")
    for item in doc["items"]:
        by_key = {i["key"]: i for i in item["indicators"]}
        ws.append(
            [
                safe_text(str(item["org"].get("name") or "")),
                safe_text(str(item["org"].get("id") or "")),
                safe_text(str((item.get("village") or {}).get("name") or "")),
                safe_text(_township(item)),
                "是" if item["listed"] else "否",
                "是" if item["candidate"] else "否",
                item["priority"],
                reasons_zh(item),
                *(_value(by_key[k]) for k in SCREEN_INDICATORS),
            ]
        )
    for cells in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        for c in cells:
            c.number_format = "@"
    for cells in ws.iter_rows(min_row=2, min_col=coverage_col, max_col=coverage_col):
        for c in cells:
            if isinstance(c.value, float | int):
                c.number_format = "0.0%"
    _finish(ws, (24, 16, 14, 14, 10, 8, 8, 40))
    key = wb.create_sheet(KEY_SHEET)
    key.append(list(KEY_HEADERS))
    for row in indicator_rows(policy):
        key.append(
            [
                row["key"],
                row["label"],
                row["value"],
                row["flag_when"],
                row["threshold"],
                row["weight"],
                safe_text(row["source"]),
            ]
        )
    _finish(key, (20, 20, 22, 40, 8, 8, 80))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _finish(ws: Worksheet, widths: tuple[int, ...]) -> None:
    """Header row frozen, the first columns wide enough to read."""
    ws.freeze_panes = "A2"
    for i, w in enumerate(widths):
        ws.column_dimensions[ws.cell(row=1, column=i + 1).column_letter].width = w
