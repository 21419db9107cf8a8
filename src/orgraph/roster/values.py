"""Cell values by column type: :func:`convert` parses a non-blank cell for the type a column
declares (``columns.ColumnType``). The scalar parsers live here (text, names, codes, counts,
coordinates, phones, yes/no); dates are in :mod:`orgraph.roster.dates`, the code lists in
:mod:`orgraph.roster.codes`, ID numbers in :mod:`orgraph.roster.idnumber`, and the
:class:`~orgraph.roster.cells.Parsed` result every parser returns in :mod:`orgraph.roster.cells`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date

from orgraph import clock
from orgraph.roster.cells import WS, Parsed, cell_text, clean_text, failed, is_number, to_halfwidth
from orgraph.roster.codes import (
    parse_area_level,
    parse_category,
    parse_channel,
    parse_ethnicity,
    parse_follow_up,
    parse_gender,
    parse_group_grade,
    parse_meeting_type,
    parse_mgmt_class,
    parse_org_kind,
    parse_rect_problems,
    parse_rect_result,
    parse_rect_status,
    parse_roles,
    parse_tags,
    parse_target_kind,
)
from orgraph.roster.dates import parse_date, parse_month
from orgraph.roster.idnumber import parse_id_cell

# ---------------------------------------------------------------------------------------------
# phones

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^(?:0\d{2,3})?[2-9]\d{6,7}(?:转\d{1,6}|-\d{1,6})?$")
_PHONE_STRIP = re.compile(r"[\s\-()（）]+")


def parse_phone(raw: object) -> Parsed:
    """Text or number → digits as text (``15528921840.0`` → ``15528921840``). Anything but an
    11-digit mobile or a plausible landline is kept, with a warning."""
    if type(raw) is str and len(raw) == 11 and _MOBILE_RE.match(raw):
        return Parsed(raw)
    if isinstance(raw, bool):
        return failed("电话号码不能是逻辑值")
    if is_number(raw):
        f = float(raw)  # type: ignore[arg-type]
        if not (math.isfinite(f) and f.is_integer()):
            return failed("电话号码不是整数")
        text = str(int(f))
        if len(text) in (10, 11) and text[0] != "1":
            # A landline with area code whose leading 0 Excel dropped (0579-85123456).
            return Parsed("0" + text, warnings=("电话号码被存成数字，已补回开头的0，请核对",))
    elif isinstance(raw, str):
        text = clean_text(raw)
    else:
        return failed("电话号码应为文本")
    first = re.split(r"[;；,，、/]", text)[0]
    digits = _PHONE_STRIP.sub("", first)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if _MOBILE_RE.match(digits):
        return Parsed(digits if first == text else text)
    if _LANDLINE_RE.match(digits) or _LANDLINE_RE.match(first.replace(" ", "")):
        return Parsed(text)
    # The message never quotes the number: the value shows it masked (parsed.show),
    # a message in clear beside it undid the masking (issue #18).
    return Parsed(text, warnings=("电话号码不像11位手机号或固定电话（已保留），请核对",))


# ---------------------------------------------------------------------------------------------
# yes/no

_TRUE = {"是", "y", "yes", "true", "1", "t", "√", "✓", "✔", "有", "对"}
_FALSE = {"否", "n", "no", "false", "0", "f", "×", "✗", "无", "不是", "-"}


def parse_bool(raw: object) -> Parsed:
    if isinstance(raw, bool):
        return Parsed(raw)
    if is_number(raw):
        if raw in (0, 1):
            return Parsed(bool(raw))
        return failed(f"“{cell_text(raw)}”应填是或否")
    s = clean_text(str(raw)).lower()
    if s in _TRUE:
        return Parsed(True)
    if s in _FALSE:
        return Parsed(False)
    return failed(f"“{str(raw).strip()[:20]}”应填是或否")


# ---------------------------------------------------------------------------------------------
# text, names, identifiers, counts, coordinates

_NEEDS_CLEAN = re.compile(r"[\s\uff01-\uff5e\u3000]")


def parse_text(raw: object) -> Parsed:
    if type(raw) is str and not _NEEDS_CLEAN.search(raw):
        return Parsed(raw)
    return Parsed(clean_text(cell_text(raw)))


_CJK = r"[\u3400-\u9fff\U00020000-\U0003134f·]"
_CJK_SPACE = re.compile(rf"(?<={_CJK})\s+(?={_CJK})")


def parse_name(raw: object) -> Parsed:
    """Names: "张  三" (padded to align) → "张三"; other whitespace collapsed."""
    if type(raw) is str and not _NEEDS_CLEAN.search(raw):
        return Parsed(raw)
    if is_number(raw) or isinstance(raw, bool):
        return failed(f"姓名“{cell_text(raw)}”不能是数字")
    s = clean_text(cell_text(raw))
    return Parsed(_CJK_SPACE.sub("", s))


_CODE_SCI = re.compile(r"\d(?:\.\d+)?[eE]\+?\d+")
# Letters, digits and dashes only (330226001001-0001): nothing to clean, no digits lost.
_PLAIN_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]*")


def parse_code(raw: object) -> Parsed:
    """Identifiers (area codes, org ids, member numbers). A number is fine while exact
    (< 2**53 and integral); otherwise Excel already lost digits."""
    if type(raw) is str and ((raw.isascii() and raw.isalnum()) or _PLAIN_CODE.fullmatch(raw)):
        return Parsed(raw)
    if isinstance(raw, bool):
        return failed("编号不能是逻辑值")
    if is_number(raw):
        f = float(raw)  # type: ignore[arg-type]
        if not math.isfinite(f) or not f.is_integer():
            return failed(f"编号“{cell_text(raw)}”不是整数")
        if abs(f) >= 1e15:
            return failed("编号被Excel存成数字，已丢失位数，请将该列设为文本后重新导出")
        return Parsed(str(int(f)))
    s = WS.sub("", to_halfwidth(raw if type(raw) is str else cell_text(raw))).strip("'")
    if s.startswith('="') and s.endswith('"'):
        s = s[2:-1]
    if "e" in s.lower() and _CODE_SCI.fullmatch(s):
        return failed("编号被Excel存成数字，已丢失位数，请将该列设为文本后重新导出")
    return Parsed(s)


def parse_int(raw: object) -> Parsed:
    if isinstance(raw, bool):
        return failed("应为整数")
    if is_number(raw):
        f = float(raw)  # type: ignore[arg-type]
        if math.isfinite(f) and f.is_integer() and f >= 0:
            return Parsed(int(f))
        return failed(f"“{cell_text(raw)}”应为非负整数")
    s = clean_text(cell_text(raw))
    m = re.fullmatch(r"(\d+)(?:\.0+)?\s*[人口个户]?", s)
    if m:
        return Parsed(int(m.group(1)))
    return failed(f"“{s[:20]}”应为非负整数")


_PLAIN_FLOAT = re.compile(r"-?[0-9]{1,3}(?:\.[0-9]+)?")


def _parse_coord(
    raw: object, lo: float, hi: float, china: tuple[float, float], what: str
) -> Parsed:
    if isinstance(raw, bool):
        return failed(f"{what}应为数字")
    if is_number(raw):
        f = float(raw)  # type: ignore[arg-type]
    elif type(raw) is str and _PLAIN_FLOAT.fullmatch(raw):
        f = float(raw)  # "121.439082": the usual cell, nothing to clean
    else:
        s = clean_text(cell_text(raw)).rstrip("°")
        try:
            f = float(s)
        except ValueError:
            return failed(f"{what}“{s[:20]}”应为数字")
    if not math.isfinite(f) or not lo <= f <= hi:
        return failed(f"{what}“{cell_text(raw)}”超出范围")
    if not china[0] <= f <= china[1]:
        return Parsed(f, warnings=(f"{what}{f}不在中国范围内（经纬度是否填反？）",))
    return Parsed(f)


def parse_lon(raw: object) -> Parsed:
    return _parse_coord(raw, -180, 180, (73.0, 136.0), "经度")


def parse_lat(raw: object) -> Parsed:
    return _parse_coord(raw, -90, 90, (3.0, 54.0), "纬度")


# ---------------------------------------------------------------------------------------------
# by column type

CONVERTERS: dict[str, Callable[[object], Parsed]] = {
    "text": parse_text,
    "name": parse_name,
    "code": parse_code,
    "int": parse_int,
    "lon": parse_lon,
    "lat": parse_lat,
    "bool": parse_bool,
    "category": parse_category,
    "gender": parse_gender,
    "ethnicity": parse_ethnicity,
    "mgmt_class": parse_mgmt_class,
    "org_kind": parse_org_kind,
    "area_level": parse_area_level,
    "roles": parse_roles,
    "tags": parse_tags,
    "phone": parse_phone,
    "id_number": parse_id_cell,
    "target_kind": parse_target_kind,
    "channel": parse_channel,
    "rect_status": parse_rect_status,
    "rect_problems": parse_rect_problems,
    "rect_result": parse_rect_result,
    "follow_up": parse_follow_up,
    "group_grade": parse_group_grade,
    "meeting_type": parse_meeting_type,
    "month": parse_month,
}


def convert(
    type_: str, raw: object, *, today: date | None = None, past_only: bool = False
) -> Parsed:
    """Parse a non-blank cell for a column type (see ``columns.ColumnType``)."""
    if type_ == "date":
        return parse_date(raw, not_after=(today or clock.today()) if past_only else None)
    return CONVERTERS[type_](raw)
