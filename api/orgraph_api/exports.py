"""Gap lists as files a county office opens in Excel: XLSX, or CSV in UTF-8 with a BOM.

Cells are made safe and readable: text that starts with = + - @ (or a tab or carriage
return) gets a leading apostrophe so Excel never runs it as a formula; ids, codes and phones
stay text (XLSX: text cells with the "@" format; CSV: a digits-only value gets a leading
tab, which Excel keeps as text instead of turning a 15-digit code into 3.30226E+14).
"""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from starlette.responses import Response

from orgraph.records.life_sheet import chinese_date
from orgraph.roster.contact_roster import safe_text
from orgraph.vocab import FIELD_ZH

TEXT_SUFFIXES = ("id", "code", "phone", "_no", "编号", "代码")


def _label(key: str) -> str:
    return FIELD_ZH.get(key, key)


def _words(value: dict[str, Any]) -> str | None:
    """A nested value that is not a reference (no name, code or id), e.g. a gap item's `last`
    appointment {"member": {...}, "until": ...}: its parts in words, joined by a space."""
    parts = [
        str(v.get("name") or v.get("id") or v.get("code") or "") if isinstance(v, dict) else str(v)
        for v in value.values()
        if v is not None and not isinstance(v, list)
    ]
    return " ".join(x for x in parts if x) or None


def flatten(items: list[dict[str, Any]]) -> tuple[list[str], list[str], list[list[Any]]]:
    """(keys, headers, rows): nested references become a name column and an id/code column,
    lists become one cell joined by 、."""
    keys: list[str] = []
    flat_rows: list[dict[str, Any]] = []
    for item in items:
        flat: dict[str, Any] = {}
        for k, v in item.items():
            if isinstance(v, dict) and not {"name", "code", "id"} & set(v):
                flat[k] = _words(v)
            elif isinstance(v, dict):
                flat[k] = v.get("name")
                flat[f"{k}.ref"] = v.get("code") or v.get("id")
            elif isinstance(v, list):
                flat[k] = "、".join(
                    str(x.get("name") or x.get("id") or x.get("code"))
                    if isinstance(x, dict)
                    else str(x)
                    for x in v
                )
            else:
                flat[k] = v
        for k in flat:
            if k not in keys:
                keys.append(k)
        flat_rows.append(flat)
    keys = keys or ["id"]
    headers = [_label(k[:-4]) + "编号" if k.endswith(".ref") else _label(k) for k in keys]
    rows = [[r.get(k) for k in keys] for r in flat_rows]
    return keys, headers, rows


def _is_text_column(key: str) -> bool:
    base = key.removesuffix(".ref")
    return key.endswith(".ref") or base.endswith(TEXT_SUFFIXES)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    return safe_text(str(value))


def to_csv(items: list[dict[str, Any]]) -> bytes:
    keys, headers, rows = flatten(items)
    text_cols = [_is_text_column(k) for k in keys]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_text(h) for h in headers])
    for row in rows:
        cells = []
        for value, as_text in zip(row, text_cols, strict=True):
            cell = _cell(value)
            if as_text and cell != "":
                cell = str(cell)
                if cell.isdigit():
                    cell = "\t" + cell
            cells.append(cell)
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(items: list[dict[str, Any]], *, title: str, chinese_dates: bool = False) -> bytes:
    keys, headers, rows = flatten(items)
    if chinese_dates:
        rows = [
            [
                "、".join(chinese_date(x) for x in v.split("、")) if isinstance(v, str) else v
                for v in row
            ]
            for row in rows
        ]
    text_cols = [_is_text_column(k) for k in keys]
    wb = Workbook(write_only=False)
    ws = wb.active
    assert ws is not None
    ws.title = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "sheet"
    ws.append([safe_text(h) for h in headers])
    for row in rows:
        ws.append([_xlsx_value(v, t) for v, t in zip(row, text_cols, strict=True)])
    for i, as_text in enumerate(text_cols, start=1):
        if as_text:
            for cells in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                for c in cells:
                    c.number_format = "@"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsx_value(value: Any, as_text: bool) -> Any:
    cell = _cell(value)
    if as_text and cell != "":
        cell = str(cell)
    if isinstance(cell, str):
        cell = ILLEGAL_CHARACTERS_RE.sub("", cell)
    return cell


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_response(body: bytes, format: str, name: str, ascii_name: str) -> Response:
    """A download: XLSX or CSV, named `name` (UTF-8) with an ASCII fallback for old clients."""
    disposition = f"attachment; filename=\"{quote(ascii_name)}\"; filename*=UTF-8''{quote(name)}"
    media = "text/csv; charset=utf-8" if format == "csv" else XLSX
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})
