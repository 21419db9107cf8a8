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
