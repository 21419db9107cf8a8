"""A township's quarterly ranking of its party groups as the list a township publishes
(docs/rules.md "Township ranking of party groups and the 流动红旗"): 党小组季度排名, a title
naming the township and the quarter, the 流动红旗's holder (or that no group reached the
line), one row per group; and 计分办法, each points field of the policy in force with its
words. The API's /groups/ranking/export and `orgraph groups ranking --export` write the same
file."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

from orgraph.policy import Policy
from orgraph.roster.contact_roster import safe_text
from orgraph.vocab import GROUP_GRADE_ZH, RANKING_COLUMNS_ZH

RANK_SHEET = "党小组季度排名"
KEY_SHEET = "计分办法"
NOT_IMPORTED = "未导入"  # the records behind a figure are missing: never read as "not done"
NO_FLAG = "本季度无党小组达到流动红旗分数线"
HEADERS = RANKING_COLUMNS_ZH
KEY_HEADERS = ("计分项", "说明", "分值")
POINT_FIELDS = (
    "group_points_summary",
    "group_points_inspection",
    "group_points_meeting",
    "group_points_size",
    "group_points_contacts",
    "red_flag_min_points",
)


def title(doc: dict[str, Any]) -> str:
    return f"{doc['township']['name']} {quarter_zh(doc['quarter'])} 党小组季度排名"


def quarter_zh(label: str) -> str:
    """'2026-Q3' → '2026年第3季度'."""
    year, _, n = label.partition("-Q")
    return f"{year}年第{n}季度"


def red_flag_line(doc: dict[str, Any]) -> str:
    flag = doc.get("red_flag")
    if not flag:
        return NO_FLAG
    line = f"流动红旗: {flag['name']} ({flag['points']} 分)"
    if flag.get("tied"):
        line += "；同分: " + "、".join(str(t["name"]) for t in flag["tied"]) + " (由乡镇确定)"
    return line


def appraisal_zh(appraisal: dict[str, Any] | None) -> str:
    if not appraisal:
        return ""
    parts = [f"{appraisal['year']}年"]
    if appraisal.get("score") is not None:
        parts.append(f"{appraisal['score']}分")
    if appraisal.get("grade"):
        parts.append(GROUP_GRADE_ZH.get(appraisal["grade"], appraisal["grade"]))
    return " ".join(parts)


def row_cells(doc: dict[str, Any], r: dict[str, Any]) -> list[Any]:
    """One group's cells, in HEADERS' order; figures whose records are missing say 未导入."""
    records, life = doc["records"], doc["life"]
    return [
        r["rank"],
        safe_text(str(r.get("name") or "")),
        safe_text(str((r.get("branch") or {}).get("name") or "")),
        r["summaries"] if records else NOT_IMPORTED,
        ("是" if r["inspected"] else "否") if records else NOT_IMPORTED,
        r["meeting_months"] if life else NOT_IMPORTED,
        r["members"],
        "是" if r["size_ok"] else "否",
        r["eligible"],
        r["contacts_ok"],
        r["points"],
        appraisal_zh(r.get("appraisal")),
    ]


def key_rows(policy: Policy) -> list[tuple[str, str, Any]]:
    """Each points field of the policy with its description (Policy.describe) and value."""
    described = {row["name"]: row for row in policy.describe()}
    return [
        (name, str(described[name]["source"] or ""), described[name]["value"])
        for name in POINT_FIELDS
        if name in described
    ]


def to_xlsx(doc: dict[str, Any], policy: Policy) -> bytes:
    """Engine.group_ranking's answer (as the caller may see it) as the workbook."""
    from openpyxl import Workbook  # loads on first use, not with the CLI
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = RANK_SHEET
    ws.append([safe_text(title(doc))])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([safe_text(red_flag_line(doc))])
    ws.append([f"截至 {doc['as_of']}，按得分从高到低；同分同名次。"])
    ws.append(list(HEADERS))
    for r in doc["rows"]:
        ws.append(row_cells(doc, r))
    _widths(ws, (6, 20, 20, 10, 8, 12, 6, 8, 10, 12, 6, 16))
    ws.freeze_panes = "A5"
    key = wb.create_sheet(KEY_SHEET)
    key.append(list(KEY_HEADERS))
    for name, words, value in key_rows(policy):
        key.append([name, safe_text(words), value])
    _widths(key, (26, 60, 8))
    key.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _widths(ws: Worksheet, widths: tuple[int, ...]) -> None:
    for i, w in enumerate(widths):
        ws.column_dimensions[ws.cell(row=4, column=i + 1).column_letter].width = w
