"""SpreadsheetML 2003: the XML "fake .xls" that Java and .NET systems export."""

from __future__ import annotations

import re
from datetime import datetime, time
from pathlib import Path
from xml.etree import ElementTree as ET

from orgraph.roster.errors import RosterFileError
from orgraph.roster.readers.sheet import Cell, Merge, RawSheet, check_rows, pad_rows
from orgraph.roster.readers.text import decode_mixed, decode_or_fail

_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.S)
_XML_ENC = re.compile(rb"^\s*(?:\xef\xbb\xbf)?<\?xml[^>]*encoding=[\"']([A-Za-z0-9_\-]+)[\"']")


def read_spreadsheetml(p: Path, data: bytes) -> list[RawSheet]:
    if b"<!ENTITY" in data[:65536] or b"<!entity" in data[:65536]:
        raise RosterFileError(f"“{p.name}”包含不允许的XML实体声明，已拒绝读取", path=str(p))
    m = _XML_ENC.match(data)
    declared = m.group(1).decode("ascii").lower() if m else "utf-8"
    mixed = decode_mixed(data)
    if mixed is not None:  # a row in the other encoding is read in its own (issue #18)
        text = mixed[0]
    elif declared in ("gb2312", "gbk", "gb18030", "cp936"):
        text = data.decode("gb18030", "replace")
    else:
        text, _ = decode_or_fail(p, data)
    text = _XML_DECL.sub("", text.lstrip("\ufeff"), count=1)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise RosterFileError(f"“{p.name}”的XML表格已损坏（{exc}）", path=str(p)) from exc
    sheets: list[RawSheet] = []
    for ws in root.iter(f"{_SS}Worksheet"):
        name = ws.get(f"{_SS}Name") or f"Sheet{len(sheets) + 1}"
        rows: list[list[Cell]] = []
        merged: list[Merge] = []
        table = ws.find(f"{_SS}Table")
        if table is not None:
            try:
                _read_table(table, rows, merged)
            except ValueError as exc:
                msg = f"“{p.name}”的工作表“{name}”无法读取：{exc}"
                raise RosterFileError(msg, path=str(p)) from exc
        check_rows(p.name, name, rows)
        pad_rows(rows)
        sheets.append(RawSheet(name, rows, "spreadsheetml", merged))
    if not sheets:
        raise RosterFileError(f"“{p.name}”中没有工作表", path=str(p))
    return sheets


def _read_table(table: ET.Element, rows: list[list[Cell]], merged: list[Merge]) -> None:
    """Fill rows and merges from a <Table>: ss:Index skips rows and cells, MergeAcross and
    MergeDown span them."""
    r = -1
    for row in table.iter(f"{_SS}Row"):
        idx = row.get(f"{_SS}Index")
        r = _index(idx, MAX_ROWS, "行") - 1 if idx else r + 1
        while len(rows) <= r:
            rows.append([])
        cells = rows[r]
        c = -1
        for cell in row.findall(f"{_SS}Cell"):
            cidx = cell.get(f"{_SS}Index")
            try:
                c = _index(cidx, MAX_COLS, "列") - 1 if cidx else c + 1
            except ValueError as exc:
                raise ValueError(f"第 {r + 1:,} 行: {exc}") from None
            while len(cells) <= c:
                cells.append("")
            d = cell.find(f"{_SS}Data")
            cells[c] = _ss_value(d)
            across = int(cell.get(f"{_SS}MergeAcross") or 0)
            down = int(cell.get(f"{_SS}MergeDown") or 0)
            if across or down:
                merged.append((r, c, r + down, c + across))
            c += across


# Excel's own limits: an ss:Index beyond them is not a real sheet.
MAX_ROWS, MAX_COLS = 1_048_576, 16_384


def _index(raw: str, limit: int, what: str) -> int:
    try:
        n = int(raw)
    except ValueError:
        raise ValueError(f"ss:Index “{raw[:20]}” 不是数字") from None
    if not 1 <= n <= limit:
        raise ValueError(f"ss:Index {n} 超出Excel的{what}数上限 {limit:,}")
    return n


def _ss_value(d: ET.Element | None) -> Cell:
    if d is None:
        return ""
    text = "".join(d.itertext())
    typ = d.get(f"{_SS}Type", "String")
    if typ == "Number":
        t = text.strip()
        try:
            return int(t) if re.fullmatch(r"-?\d+", t) else float(t)
        except ValueError:
            return text
    if typ == "Boolean":
        return text.strip() in ("1", "true", "TRUE")
    if typ == "DateTime":
        try:
            dt = datetime.fromisoformat(text.strip())
        except ValueError:
            return text
        return dt.date() if dt.time() == time() else dt
    return text
