"""HTML tables: the "fake .xls" that web systems export (a web page saved as .xls). Each
table is a sheet; rowspan and colspan become merges."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from orgraph.roster.errors import RosterFileError
from orgraph.roster.readers.sheet import (
    Cell,
    Merge,
    RawSheet,
    check_rows,
    pad_rows,
    short_error,
)
from orgraph.roster.readers.text import decode_mixed, decode_or_fail

_META_CHARSET = re.compile(rb"charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-]+)", re.I)


def read_html(p: Path, data: bytes) -> list[RawSheet]:
    m = _META_CHARSET.search(data[:4096])
    enc = m.group(1).decode("ascii").lower() if m else None
    text: str
    mixed = decode_mixed(data)
    if mixed is not None:  # a row in the other encoding is read in its own (issue #18)
        text, enc = mixed
    elif enc in ("gb2312", "gbk", "gb18030", "cp936", "x-gbk"):
        text, enc = data.decode("gb18030", "replace"), "gb18030"
    else:
        text, enc = decode_or_fail(p, data)
    parser = _TableParser()
    try:
        parser.feed(text)
        parser.close()
    except _TooManySpans as exc:
        msg = (
            f"“{p.name}”第 {exc.row:,} 行的合并单元格 (rowspan/colspan) 展开后超过 "
            f"{exc.expanded:,} 个单元格，远多于文件中的 {exc.cells:,} 个，疑似异常文件，已拒绝读取"
        )
        raise RosterFileError(msg, path=str(p)) from exc
    except Exception as exc:  # html.parser is lenient; anything here is real corruption
        msg = f"“{p.name}”的网页表格无法解析（{short_error(exc)}）"
        raise RosterFileError(msg, path=str(p)) from exc
    tables = [t for t in parser.tables if t[0]]
    if not tables:
        raise RosterFileError(f"“{p.name}”是网页文件，但其中没有表格", path=str(p))
    sheets: list[RawSheet] = []
    for i, (rows, merged) in enumerate(tables):
        cells: list[list[Cell]] = [list(r) for r in rows]
        name = p.stem if len(tables) == 1 else f"{p.stem}-表{i + 1}"
        check_rows(p.name, name, cells)
        pad_rows(cells)
        sheets.append(RawSheet(name, cells, "html", merged, encoding=enc))
    return sheets


# Cells that rowspan/colspan may add, across the file: a budget plus a multiple of the cells
# the file really has (40 cells of rowspan=1000 colspan=1000 took 54 s and 6 GB, issue #18).
SPAN_BUDGET = 1_000_000
SPAN_FACTOR = 20


class _TooManySpans(Exception):
    def __init__(self, row: int, expanded: int, cells: int) -> None:
        super().__init__(f"row {row}: {expanded} cells from spans, {cells} cells")
        self.row, self.expanded, self.cells = row, expanded, cells


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._cells = 0  # cells written in the file
        self._expanded = 0  # cells their spans add
        self.tables: list[tuple[list[list[str]], list[Merge]]] = []
        self._stack: list[tuple[list[list[str]], list[Merge], dict[tuple[int, int], str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = (1, 1)

    # grid helpers: cells occupied by an earlier rowspan are pre-filled
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._close_cell()
            self._stack.append(([], [], {}))
        elif not self._stack:
            return
        elif tag == "tr":
            self._close_cell()
            self._close_row()
            self._row = []
        elif tag in ("td", "th"):
            self._close_cell()
            if self._row is None:
                self._row = []
            a = dict(attrs)
            self._span = (_int_attr(a.get("rowspan")), _int_attr(a.get("colspan")))
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            return
        if tag in ("td", "th"):
            self._close_cell()
        elif tag == "tr":
            self._close_cell()
            self._close_row()
        elif tag == "table":
            self._close_cell()
            self._close_row()
            rows, merged, _ = self._stack.pop()
            self.tables.append((rows, merged))

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def _close_cell(self) -> None:
        if self._cell is None or self._row is None or not self._stack:
            self._cell = None
            return
        rows, merged, occupied = self._stack[-1]
        r = len(rows)
        c = len(self._row)
        while (r, c) in occupied:
            self._row.append(occupied.pop((r, c)))
            c += 1
        text = " ".join(" ".join(self._cell).split())
        rs, cs = self._span
        self._cells += 1
        self._expanded += rs * cs - 1
        if self._expanded > SPAN_BUDGET + SPAN_FACTOR * self._cells:
            raise _TooManySpans(r + 1, self._expanded, self._cells)
        self._row.append(text)
        for _k in range(1, cs):
            self._row.append("")
        if rs > 1 or cs > 1:
            merged.append((r, c, r + rs - 1, c + cs - 1))
            for dr in range(1, rs):
                for dc in range(cs):
                    occupied[(r + dr, c + dc)] = ""
        self._cell = None

    def _close_row(self) -> None:
        if self._row is None or not self._stack:
            self._row = None
            return
        rows, _, occupied = self._stack[-1]
        r = len(rows)
        c = len(self._row)
        while (r, c) in occupied:
            self._row.append(occupied.pop((r, c)))
            c += 1
        rows.append(self._row)
        self._row = None


def _int_attr(v: str | None) -> int:
    try:
        return max(1, min(int((v or "1").strip()), 1000))
    except ValueError:
        return 1
