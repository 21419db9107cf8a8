"""What every reader returns: a RawSheet of cells exactly as the file holds them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

Cell = str | int | float | bool | date | datetime | time | timedelta | None
Format = Literal["xlsx", "xls", "ods", "spreadsheetml", "html", "csv"]
Merge = tuple[int, int, int, int]  # first row, first col, last row, last col (0-based, inclusive)


@dataclass(slots=True)
class RawSheet:
    name: str
    rows: list[list[Cell]]
    format: Format
    merged: list[Merge] = field(default_factory=list)
    # (row, col) of formula cells that hold no cached value (xlsx only).
    formula_no_value: frozenset[tuple[int, int]] = frozenset()
    visible: bool = True
    encoding: str | None = None  # text formats: the encoding used to decode
    delimiter: str | None = None  # csv only
    # Rows the reader could not read whole (row index → why, in Chinese): the validator rejects
    # them by their row number and reads the others (issue #18: a quote never closed, a NUL
    # byte, a line in no known encoding, an overlong cell). Their cells are left empty.
    bad_rows: dict[int, str] = field(default_factory=dict)
    # Rows read with a caveat the user should check (row index → what): warnings.
    row_notes: dict[int, str] = field(default_factory=dict)
    cells_checked: bool = False  # the reader flagged overlong and NUL cells itself


# A sheet is refused before it is made rectangular (pad_rows) or materialised (calamine) when
# its range, rows × columns from A1 to its furthest cell, is over MAX_DENSE_CELLS and over
# SPARSE_FACTOR times the cells it holds: a few kilobytes of file must not ask for gigabytes
# (issue #18: XFD1 + A200000 in an xlsx, ss:Index="40000" in SpreadsheetML).
MAX_DENSE_CELLS = 5_000_000
SPARSE_FACTOR = 20


# Excel's own limit for the characters of one cell: a longer cell (a 1 MB field in a CSV,
# issue #18) is no roster value; its row is refused by row number, the rest is read.
MAX_CELL_CHARS = 32_767


def flag_bad_cells(sheet: RawSheet) -> None:
    """Mark as bad rows, whatever the format, the rows holding a cell over MAX_CELL_CHARS or a
    NUL character (a damaged file: never a value to store). The cell is emptied, so no later
    step holds on to it. A reader that checked its cells itself says so (cells_checked)."""
    if sheet.cells_checked:
        return
    for r, row in enumerate(sheet.rows):
        flag_row(sheet.bad_rows, r, row)


def flag_row(bad_rows: dict[int, str], r: int, row: list[Cell]) -> None:
    """flag_bad_cells for one row."""
    limit = MAX_CELL_CHARS
    for c, v in enumerate(row):
        if type(v) is not str:
            continue
        if len(v) > limit:
            why = (
                f"第 {column_letters(c)} 列的单元格有 {len(v):,} 个字符，"
                f"超过Excel单元格的上限 {limit:,} 个字符；本行未导入"
            )
        elif "\x00" in v:
            why = (
                f"第 {column_letters(c)} 列的单元格含有空字符（NUL），文件可能已损坏；"
                "本行未导入，请核对后重新录入"
            )
        else:
            continue
        bad_rows.setdefault(r, why)
        row[c] = ""


def column_letters(index: int) -> str:
    """0 → A, 16383 → XFD."""
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def sparse_message(file: str, sheet: str, cells: int, last_row: int, last_col: str) -> str:
    dense = last_row * column_number(last_col)
    return (
        f"“{file}”的工作表“{sheet}”只有 {cells:,} 个单元格，却一直延伸到第 {last_row:,} 行、"
        f"第 {last_col} 列（约 {dense:,} 个单元格），疑似异常文件，已拒绝读取。"
        "请删除多余的行和列后重新保存再导入"
    )


def too_sparse(cells: int, last_row: int, width: int) -> bool:
    dense = last_row * width
    return dense > MAX_DENSE_CELLS and dense > SPARSE_FACTOR * max(cells, 1)


def column_number(letters: str) -> int:
    """A → 1, XFD → 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def check_rows(file: str, sheet: str, rows: list[list[Cell]]) -> None:
    """Refuse (RosterFileError) rows read by orgraph's own readers that are too sparse to pad."""
    from orgraph.roster.errors import RosterFileError

    width = max((len(r) for r in rows), default=0)
    if not too_sparse(0, len(rows), width):  # cheap: only a large range needs counting
        return
    cells = sum(1 for r in rows for v in r if v not in ("", None))
    if too_sparse(cells, len(rows), width):
        raise RosterFileError(
            sparse_message(file, sheet, cells, len(rows), column_letters(width - 1)), path=file
        )


def pad_rows(rows: list[list[Cell]]) -> None:
    """Extend every row with "" to the width of the widest."""
    width = max((len(r) for r in rows), default=0)
    for r in rows:
        if len(r) < width:
            r.extend([""] * (width - len(r)))


def short_error(exc: BaseException) -> str:
    """The first line of an exception, at most 120 characters, for a Chinese message."""
    s = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return s[:120]
