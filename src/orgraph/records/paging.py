"""Paging and dates shared by the record lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

from orgraph.analysis.projection import ALWAYS, NEVER
from orgraph.errors import ValidationFailed

MAX_PAGE_SIZE = 500
T = TypeVar("T")


def page_of(items: Sequence[T], page: int, page_size: int) -> list[T]:
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed(f"页码从 1 开始，每页 1–{MAX_PAGE_SIZE} 条")
    start = (page - 1) * page_size
    return list(items[start : start + page_size])


def answer(items: list[dict[str, Any]], total: int, page: int, page_size: int) -> dict[str, Any]:
    return {"total": total, "page": page, "page_size": page_size, "items": items}


def day_int(d: dt.date) -> int:
    return d.year * 10_000 + d.month * 100 + d.day


def iso(day: int) -> str | None:
    """A projection day (YYYYMMDD) back to ISO; the 'always' and 'never' markers → None."""
    if day in (ALWAYS, NEVER):
        return None
    return f"{day // 10_000:04d}-{day // 100 % 100:02d}-{day % 100:02d}"
