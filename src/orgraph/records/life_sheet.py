"""Sheets an inspector prints from organisational-life answers: the branch × month grid, and
dates written the Chinese way (docs/rules.md "Branch × month grid")."""

from __future__ import annotations

import io
import re
from typing import Any

from orgraph.roster.contact_roster import safe_text
from orgraph.vocab import LIFE_CELL_ZH, ORG_KIND_ZH

_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def chinese_date(value: Any) -> Any:
    """'2026-10-05' → '2026年10月5日', '2026-10' → '2026年10月'; anything else unchanged (for
    lists an inspector prints)."""
    if not isinstance(value, str):
        return value
    if m := _ISO_DAY.match(value):
        return f"{m[1]}年{int(m[2])}月{int(m[3])}日"
    if m := _ISO_MONTH.match(value):
        return f"{m[1]}年{int(m[2])}月"
    return value


def grid_xlsx(grid: dict[str, Any], *, title: str) -> bytes:
    """The branch × month grid as a printable sheet: one row per organisation, one column per
    month, each cell in words (已开展 / 未开展 / 未达法定人数 / 不检查) — never colour alone."""
    from openpyxl import Workbook  # loads on first use, not with the CLI

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "sheet"
    ws.append([safe_text(title)])
    ws.append(
        ["党组织", "组织编号", "类别", "村(社区)", "乡镇", *map(chinese_date, grid["months"])]
    )
    for row in grid["rows"]:
        org = row["org"]
        ws.append(
            [
                safe_text(org["name"]),
                safe_text(org["id"]),
                ORG_KIND_ZH.get(org["kind"], org["kind"]),
                safe_text((row.get("village") or {}).get("name") or ""),
                safe_text((row.get("township") or {}).get("name") or ""),
                *(LIFE_CELL_ZH[c["state"]] for c in row["cells"]),
            ]
        )
    for cells in ws.iter_rows(min_row=3, min_col=2, max_col=2):
        for c in cells:
            c.number_format = "@"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
