"""Date cells: real dates, Excel serials, and the ways people type a date into a roster."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta

from orgraph.roster.cells import WS, Parsed, cell_text, failed, is_number

MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2100, 12, 31)
_EXCEL_EPOCH = date(1899, 12, 30)
_MAX_SERIAL = (MAX_DATE - _EXCEL_EPOCH).days

_DATE_RE = re.compile(
    r"^(?P<y>\d{4})\s*(?:[-/.年]\s*(?P<m>\d{1,2})\s*(?:(?:[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?)|月)?"
    r"|年)?"
    r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT_RE = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})?$")
_SERIAL_RE = re.compile(r"^\d{5}(?:\.\d+)?$")


def parse_date(raw: object, *, not_after: date | None = None) -> Parsed:
    """Parse a date cell: real date/datetime, Excel serial, ``1990.03``, ``1990年3月``,
    ``1990年3月7日``, ``199003``, ``19900307``, ``1990/3/7``, ``1990-03-07``. Value is a
    ``date``; year-month and year are the first day, with ``precision`` "month"/"year"."""
    if isinstance(raw, bool):
        return failed("日期不能是逻辑值")
    if isinstance(raw, datetime):
        res = Parsed(raw.date(), precision="day")
    elif isinstance(raw, date):
        res = Parsed(raw, precision="day")
    elif isinstance(raw, time | timedelta):
        return failed(f"“{raw}”是时间而不是日期")
    elif is_number(raw):
        res = _date_from_number(float(raw))  # type: ignore[arg-type]
    elif isinstance(raw, str):
        res = _date_from_text(raw)
    else:
        return failed(f"无法识别的日期“{raw}”")
    if res.error is not None:
        return res
    d: date = res.value
    if not MIN_DATE <= d <= MAX_DATE:
        return failed(f"日期“{d.isoformat()}”超出合理范围（1900—2100年）")
    if not_after is not None and d > not_after:
        return failed(f"日期“{d.isoformat()}”晚于今天")
    return res


_WEEKDAY = re.compile(r"[(（]?(?:星期|礼拜|周)[一二三四五六日天][)）]?")
_DAYTIME = re.compile(r"上午|下午|晚上|早上|中午|凌晨")
_CLOCK = re.compile(r"\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?\s*$")


def _date_from_text(raw: str) -> Parsed:
    s = WS.sub(" ", unicodedata.normalize("NFKC", raw)).strip()
    # Ledgers write "2026年3月5日（星期四）", "2026.3.5 上午9:00": the date is what is asked.
    s = _WEEKDAY.sub(" ", s)
    if _DAYTIME.search(s):
        s = _CLOCK.sub("", _DAYTIME.sub(" ", s))
    s = s.strip()
    if "年" in s:
        s = _CLOCK.sub("", s).replace(" ", "")
    m = _DATE_RE.match(s)
    if m and m.group("y"):
        return _mk_date(
            int(m.group("y")),
            int(m.group("m")) if m.group("m") else None,
            int(m.group("d")) if m.group("d") else None,
            s,
        )
    if (m2 := _COMPACT_RE.match(s)) is not None:
        return _mk_date(
            int(m2.group("y")),
            int(m2.group("m")),
            int(m2.group("d")) if m2.group("d") else None,
            s,
        )
    if _SERIAL_RE.match(s):
        return _from_serial(float(s), s)
    return failed(f"无法识别的日期“{raw.strip()[:30]}”")


def _mk_date(y: int, m: int | None, d: int | None, shown: str) -> Parsed:
    if m is not None and not 1 <= m <= 12:
        return failed(f"日期“{shown}”的月份无效")
    try:
        value = date(y, m or 1, d or 1)
    except ValueError:
        return failed(f"日期“{shown}”不存在")
    precision = "day" if d is not None else ("month" if m is not None else "year")
    return Parsed(value, precision=precision)


def _from_serial(n: float, shown: str) -> Parsed:
    if not 1 <= n <= _MAX_SERIAL:
        return failed(f"无法识别的日期“{shown}”")
    return Parsed(_EXCEL_EPOCH + timedelta(days=int(n)), precision="day")


def _date_from_number(n: float) -> Parsed:
    shown = cell_text(n)
    if not math.isfinite(n) or n < 0:
        return failed(f"无法识别的日期“{shown}”")
    if not float(n).is_integer():
        whole = int(n)
        if 1900 <= whole <= 2100:
            # 1990.03 typed in Excel became the number 1990.03; 1990.1 may be Jan or Oct.
            frac = repr(float(n)).split(".")[1]
            if len(frac) == 2:
                return _mk_date(whole, int(frac), None, shown)
            return failed(
                f"日期被Excel存成了数字“{shown}”，无法确定月份（1月还是10月），请改为文本如1990.10"
            )
        return _from_serial(n, shown)
    i = int(n)
    if 1900 <= i <= 2100:
        return _mk_date(i, None, None, shown)
    if 190001 <= i <= 210012:
        return _mk_date(i // 100, i % 100, None, shown)
    if 19000101 <= i <= 21001231:
        return _mk_date(i // 10000, i // 100 % 100, i % 100, shown)
    return _from_serial(i, shown)


def parse_month(raw: object) -> Parsed:
    """A month cell (党费缴至): any form of :func:`parse_date` that names a month, e.g.
    ``2026-09``, ``2026年9月``, ``2026.09``, ``202609`` or a full date; value ``YYYY-MM``.
    A later month than today's is allowed: dues may be paid in advance."""
    text = cell_text(raw).strip() if isinstance(raw, str) else None
    res = parse_date(text.removesuffix("份") if text else raw)  # "2026年9月份"
    if res.error is not None:
        return res
    if res.precision == "year":
        return failed(f"“{cell_text(raw).strip()[:20]}”缺少月份，应写成如 2026-09 或 2026年9月")
    d: date = res.value
    return Parsed(f"{d.year:04d}-{d.month:02d}")
