"""What every cell parser shares: the :class:`Parsed` result and the text helpers.

Every parser takes the cell as the reader gave it (str, int, float, bool, date, datetime,
...) and returns a :class:`Parsed`: a normalised value, or an error message in Chinese,
plus warnings. Empty cells are the caller's business (the row loop in roster/rows.py).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time
from typing import Any, NamedTuple


class Parsed(NamedTuple):
    value: Any = None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    # Dates only: "day" | "month" | "year" (year-month and year are stored as the 1st).
    precision: str | None = None


def failed(msg: str) -> Parsed:
    """A cell that could not be parsed, with the reason in Chinese."""
    return Parsed(None, msg)


_HALF = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_HALF[0x3000] = 0x20  # ideographic space


def to_halfwidth(s: str) -> str:
    """Full-width ASCII (Ａ１（）…) and the ideographic space to half-width; nothing else
    (names keep their exact CJK characters)."""
    return s.translate(_HALF)


WS = re.compile(r"\s+")


def clean_text(s: str) -> str:
    """Half-width, trimmed, inner runs of whitespace collapsed to one space."""
    return WS.sub(" ", to_halfwidth(s)).strip()


def cell_text(raw: object) -> str:
    """A cell rendered as text: integral floats without ".0", dates as ISO."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float):
        if math.isfinite(raw) and raw.is_integer() and abs(raw) < 1e15:
            return str(int(raw))
        return repr(raw)
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == time() else raw.isoformat(sep=" ")
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw)


def is_number(raw: object) -> bool:
    """An int or float cell, not a bool (bool is an int in Python)."""
    return isinstance(raw, int | float) and not isinstance(raw, bool)
