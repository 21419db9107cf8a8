"""The year-end summary (年度汇总, docs/rules.md "Year-end summary") as the workbook a county
attaches to its annual 党建 report: 各乡镇汇总 (one row per township, 未定位 and 全县), 缺口类型
(per gap type county-wide), 逐月覆盖率 (coverage per township at each month end) and 图表 (the
monthly coverage as lines, coverage at the start and end of the year as bars). The API's
/history/year-end and `orgraph year-end` write the same file."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

from orgraph.roster.contact_roster import safe_text

SUMMARY_SHEET = "各乡镇汇总"
TYPES_SHEET = "缺口类型"
MONTHLY_SHEET = "逐月覆盖率"
CHART_SHEET = "图表"

# (key of a summary row, header); coverage columns are percentages, the change is in points.
SUMMARY_COLUMNS = (
    ("name", "乡镇"),
    ("code", "区划代码"),
    ("households_start", "年初农户数"),
    ("covered_start", "年初已联系户数"),
    ("coverage_start", "年初联系覆盖率"),
    ("households_end", "年末农户数"),
    ("covered_end", "年末已联系户数"),
    ("coverage_end", "年末联系覆盖率"),
    ("coverage_change_pp", "覆盖率变化 (百分点)"),
    ("gaps_opened", "年内新出现缺口"),
    ("gaps_closed", "年内已解决缺口"),
    ("members", "年末在册党员"),
    ("members_away", "年末外出党员"),
    ("silent", "年末长期未报到"),
    ("lost", "年末失联党员"),
    ("departures", "年内外出"),
    ("returns", "年内返回"),
    ("transfers", "年内转出组织关系"),
)
SUMMARY_HEADERS = tuple(h for _, h in SUMMARY_COLUMNS)
PERCENT_KEYS = frozenset({"coverage_start", "coverage_end"})
TYPES_HEADERS = ("缺口类型", "名称", "年内新出现", "年内已解决", "年初条数", "年末条数")
MONTHLY_FIRST = ("乡镇", "区划代码")


def month_label(day: str, last: bool, complete: bool) -> str:
    """A point of the month-by-month sheet: "3月" for a month end, "12月3日" for the last point
    of a year not over."""
    month, d = int(day[5:7]), int(day[8:10])
    return f"{month}月{d}日" if last and not complete else f"{month}月"


def _notes(doc: dict[str, Any]) -> list[str]:
    until = "年底" if doc["complete"] else f"{doc['end']} (本年度尚未结束，截至今天)"
    out = [
        f"统计期: {doc['start']} 至 {until}；制表日期 {doc['made_on']}",
        "年初、年末联系覆盖率按当日计算：有日期的联系、外出、返回按当时，所属支部、农户所在区划等"
        "没有日期的事实按制表时的记录",
        "新出现、已解决的缺口按缺口台账的首次发现、解决日期统计，按所涉农户、党员、区划、党组织"
        f"所在乡镇归属；不属于任何乡镇的计入“{_unlocated(doc)}”，全县为合计",
        "长期未报到、失联党员为年末按各乡镇范围的统计 (同一党员组织关系在两个乡镇时两处都计)",
    ]
    note = doc["ledger"]["note"]
    if note:
        out.append(note)
    return out


def _unlocated(doc: dict[str, Any]) -> str:
    return str(doc["unlocated"]["name"])


def to_xlsx(doc: dict[str, Any]) -> bytes:
    """The year-end summary (analysis/year_end.summary) as the workbook."""
    from openpyxl import Workbook  # loads on first use, not with the CLI

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SUMMARY_SHEET
    ws.append(list(SUMMARY_HEADERS))
    rows = [*doc["townships"], doc["unlocated"], doc["county"]]
    for row in rows:
        ws.append([_cell(row.get(k)) for k, _ in SUMMARY_COLUMNS])
    for col, (key, _) in enumerate(SUMMARY_COLUMNS, start=1):
        for (c,) in ws.iter_rows(min_row=2, max_row=len(rows) + 1, min_col=col, max_col=col):
            if key == "code":
                c.number_format = "@"
            elif key in PERCENT_KEYS and isinstance(c.value, float | int):
                c.number_format = "0.0%"
            elif key == "coverage_change_pp" and isinstance(c.value, float | int):
                c.number_format = "+0.0;-0.0;0.0"
    ws.append([])
    for line in _notes(doc):
        ws.append([safe_text(line)])
    _finish(ws, (22, 16, 10, 12, 12, 10, 12, 12, 14, 12, 12, 10, 10, 12, 10, 8, 8, 14))

    types = wb.create_sheet(TYPES_SHEET)
    types.append(list(TYPES_HEADERS))
    for g in doc["gap_types"]:
        types.append(
            [g["type"], safe_text(g["label"]), g["opened"], g["closed"], g["at_start"], g["at_end"]]
        )
    if doc["ledger"]["note"]:
        types.append([])
        types.append([safe_text(doc["ledger"]["note"])])
    _finish(types, (30, 34, 12, 12, 10, 10))

    monthly = wb.create_sheet(MONTHLY_SHEET)
    dates = doc["monthly"]["dates"]
    monthly.append(
        [
            *MONTHLY_FIRST,
            *(month_label(d, i == len(dates) - 1, doc["complete"]) for i, d in enumerate(dates)),
        ]
    )
    for r in doc["monthly"]["rows"]:
        monthly.append([safe_text(str(r["name"])), safe_text(str(r["code"])), *r["coverage"]])
    for cells in monthly.iter_rows(min_row=2, min_col=3):
        for c in cells:
            c.number_format = "0.0%"
    for (c,) in monthly.iter_rows(min_row=2, min_col=2, max_col=2):
        c.number_format = "@"
    _finish(monthly, (22, 16, *(9 for _ in dates)))

    _charts(wb.create_sheet(CHART_SHEET), ws, monthly, doc, len(doc["townships"]))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return safe_text(value)
    return value


def _charts(
    sheet: Worksheet, summary: Worksheet, monthly: Worksheet, doc: dict[str, Any], towns: int
) -> None:
    """The monthly coverage per township (lines; the county's row first) and the coverage at
    the start and at the end of the year per township (bars)."""
    from openpyxl.chart import BarChart, LineChart, Reference, Series

    year = doc["year"]
    sheet["A1"] = safe_text(f"{year} 年各乡镇联系覆盖率 (数据见“{MONTHLY_SHEET}”“{SUMMARY_SHEET}”)")
    points = len(doc["monthly"]["dates"])
    lines = LineChart()
    lines.title = f"{year} 年逐月联系覆盖率"
    lines.y_axis.title = "覆盖率"
    lines.x_axis.title = "月份"
    lines.y_axis.number_format = "0%"
    lines.height, lines.width = 10, 24
    n_rows = len(doc["monthly"]["rows"])
    for i, r in enumerate(doc["monthly"]["rows"]):
        values = Reference(monthly, min_col=3, max_col=2 + points, min_row=2 + i)
        lines.series.append(Series(values, title=str(r["name"])))
    if n_rows:
        lines.set_categories(Reference(monthly, min_col=3, max_col=2 + points, min_row=1))
    sheet.add_chart(lines, "A3")

    bars = BarChart()
    bars.type = "col"
    bars.title = f"{year} 年初与年末联系覆盖率"
    bars.y_axis.title = "覆盖率"
    bars.y_axis.number_format = "0%"
    bars.height, bars.width = 10, 24
    if towns:
        for col in (
            SUMMARY_HEADERS.index("年初联系覆盖率") + 1,
            SUMMARY_HEADERS.index("年末联系覆盖率") + 1,
        ):
            bars.add_data(
                Reference(summary, min_col=col, min_row=1, max_row=1 + towns),
                titles_from_data=True,
            )
        bars.set_categories(Reference(summary, min_col=1, min_row=2, max_row=1 + towns))
    sheet.add_chart(bars, "A25")


def _finish(ws: Worksheet, widths: tuple[int, ...]) -> None:
    """Header row frozen, the columns wide enough to read."""
    ws.freeze_panes = "A2"
    for i, w in enumerate(widths):
        ws.column_dimensions[ws.cell(row=1, column=i + 1).column_letter].width = w
