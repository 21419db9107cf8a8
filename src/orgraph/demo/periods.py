"""Months, quarters and the periods docs/rules.md "Organisational life and dues" checks at a
date D: the life ledger (life.py) plans its meetings and planted cases with them.

A month is a (year, month) pair. The **checked months** at D are the 12 completed months ending
with the month before D's month; the **checked quarters** the calendar quarters whose three
months are all checked; the **checked year** the year before D's year.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

Month = tuple[int, int]


def month_of(d: date) -> Month:
    return (d.year, d.month)


def shift(m: Month, k: int) -> Month:
    n = m[0] * 12 + m[1] - 1 + k
    return (n // 12, n % 12 + 1)


def first_day(m: Month) -> date:
    return date(m[0], m[1], 1)


def day_in(m: Month, day: int) -> date:
    """The given day of month `m`, or its last day when the month is shorter."""
    return date(m[0], m[1], min(day, calendar.monthrange(*m)[1]))


def add_months(d: date, n: int) -> date:
    """The same day n months later (earlier for n < 0), or that month's last day."""
    return day_in(shift(month_of(d), n), d.day)


def whole_months(a: date, d: date) -> int:
    """Whole months from a to d (docs/rules.md)."""
    return (d.year - a.year) * 12 + (d.month - a.month) - (1 if d.day < a.day else 0)


def months_between(a: Month, b: Month) -> int:
    """b − a in months."""
    return (b[0] - a[0]) * 12 + b[1] - a[1]


def label(m: Month) -> str:
    return f"{m[0]:04d}-{m[1]:02d}"


def quarter_of(m: Month) -> tuple[int, int]:
    return (m[0], (m[1] - 1) // 3 + 1)


def quarter_months(q: tuple[int, int]) -> list[Month]:
    return [(q[0], 3 * (q[1] - 1) + k) for k in (1, 2, 3)]


@dataclass(frozen=True)
class Periods:
    """The periods checked at `as_of`, and the window the ledgers cover."""

    as_of: date
    window: list[Month]  # the months the meetings ledger covers, oldest first, D's month last
    checked: list[Month]  # the 12 checked months, oldest first
    quarters: list[tuple[int, int]]  # checked quarters, oldest first
    year: int  # the checked year

    @staticmethod
    def at(as_of: date, window_months: int) -> Periods:
        now = month_of(as_of)
        checked = [shift(now, k) for k in range(-12, 0)]
        quarters: list[tuple[int, int]] = []
        for m in checked:
            q = quarter_of(m)
            if q not in quarters and all(x in checked for x in quarter_months(q)):
                quarters.append(q)
        window = [shift(now, k) for k in range(-window_months, 1)]
        return Periods(as_of, window, checked, quarters, as_of.year - 1)
