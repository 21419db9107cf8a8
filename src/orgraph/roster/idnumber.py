"""GB 11643 citizen ID numbers (公民身份号码): check, upgrade, mask, hash.

Decisions:
- A numeric cell (int/float) or a string in scientific notation is an error: Excel kept only
  15 significant digits, the damage is in the file and is never "repaired".
- 18 characters: 17 digits + check character (0-9 or X), ISO 7064 MOD 11-2 checksum, a real
  birth date between 1900-01-01 and today.
- 15-digit (pre-1999) numbers are upgraded to 18 digits by the standard rule (insert "19",
  append the check character) and reported as a *warning*: the upgrade is exact, and it gives
  the same key as the 18-digit number of the same person.
- The place code (first 6 digits) is only a warning: an unknown province, or a county code
  missing from the current division table (cpca's adcodes.csv; old IDs carry codes of
  divisions that no longer exist, so the message says so).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from operator import mul

from orgraph import clock
from orgraph.config import DEV_ID_HASH_KEY, DEV_KEY_MESSAGE
from orgraph.errors import ConfigError
from orgraph.roster.cells import Parsed, failed

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_LAST = frozenset("0123456789X")
_PROVINCES = "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61"
PROVINCE_CODES: frozenset[str] = frozenset((_PROVINCES + " 62 63 64 65 71 81 82 83 91").split())

NUMERIC_ID_MESSAGE = "身份证号被Excel存成数字，已丢失位数，请将该列设为文本后重新导出"

_SCI_RE = re.compile(r"^[+-]?\d+(?:\.\d*)?[eE][+-]?\d+$")
_FLOATISH_RE = re.compile(r"^\d{15,18}\.0+$")
_WS_RE = re.compile(r"[\s\u3000'\"`‘’“”]+")
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}


@dataclass(frozen=True, slots=True)
class IdCheck:
    """Outcome of :func:`check_id`. ``normalized`` is None when ``error`` is set."""

    normalized: str | None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    birth_date: date | None = None
    gender: str | None = None  # "male" | "female"


def check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    return _CHECK[sum(map(mul, map(int, first17), _WEIGHTS)) % 11]


def upgrade_15(old: str) -> str:
    """Upgrade a 15-digit ID (yymmdd, all 19xx) to 18 digits."""
    body = old[:6] + "19" + old[6:]
    return body + check_digit(body)


def normalize_id_text(raw: str) -> str:
    """Trim, drop spaces/quotes (a leading ', a tab or ="…" are Excel "text" tricks),
    half-width, upper-case X."""
    s = _WS_RE.sub("", raw.translate(_FULLWIDTH)).upper()
    return s[1:] if s.startswith("=") else s  # ="110101..." (CSV text trick)


@lru_cache(maxsize=1)
def _county_codes() -> frozenset[str]:
    from orgraph.roster.geocode import known_codes

    return known_codes()


def _place_warnings(code6: str, check_county: bool) -> tuple[str, ...]:
    if code6[:2] not in PROVINCE_CODES:
        return (f"身份证号前两位“{code6[:2]}”不是有效的省级代码（仅提示）",)
    if check_county and code6[:2] not in {"71", "81", "82", "83", "91"}:
        try:
            codes = _county_codes()
        except Exception:  # pragma: no cover - data file missing: skip the soft check
            return ()
        if codes and code6 not in codes:
            return (
                f"身份证号地址码“{code6}”不在现行行政区划代码表中（若为已撤销的旧区划可忽略，仅提示）",
            )
    return ()


def check_id(
    raw: object,
    *,
    today: date | None = None,
    check_county: bool = True,
) -> IdCheck:
    """Validate one cell of an ID column. ``raw`` is the cell as the reader gave it."""
    if isinstance(raw, bool):
        return IdCheck(None, "身份证号不能是逻辑值")
    if isinstance(raw, int | float):
        return IdCheck(None, NUMERIC_ID_MESSAGE)
    if not isinstance(raw, str):
        return IdCheck(None, "身份证号应为文本")
    clean = len(raw) == 18 and raw.isascii() and raw[:17].isdigit() and raw[17] in _LAST
    s = raw if clean else normalize_id_text(raw)
    if not s:
        return IdCheck(None, "身份证号为空")
    if _SCI_RE.match(s) or _FLOATISH_RE.match(s):
        return IdCheck(None, NUMERIC_ID_MESSAGE)
    warnings: list[str] = []
    if len(s) == 15 and s.isdigit():
        s = upgrade_15(s)
        warnings.append("15位旧身份证号已按国家标准升位为18位")
    if len(s) != 18:
        return IdCheck(None, f"身份证号应为18位，实际为{len(s)}位")
    body, last = s[:17], s[17]
    if not body.isdigit() or not (last.isdigit() or last == "X"):
        return IdCheck(None, "身份证号只能由数字和末位X组成")
    try:
        born = date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return IdCheck(None, f"身份证号中的出生日期“{s[6:14]}”不存在")
    today = today or clock.today()
    if born < date(1900, 1, 1):
        return IdCheck(None, f"身份证号中的出生日期“{s[6:14]}”早于1900年")
    if born > today:
        return IdCheck(None, f"身份证号中的出生日期“{s[6:14]}”晚于今天")
    if check_digit(body) != last:
        return IdCheck(None, "身份证号校验位错误（可能有数字录错）")
    warnings.extend(_place_warnings(s[:6], check_county))
    gender = "male" if int(s[16]) % 2 == 1 else "female"
    return IdCheck(s, None, tuple(warnings), born, gender)


def parse_id_cell(raw: object) -> Parsed:
    """:func:`check_id` as a cell parser (value: the normalised ID number)."""
    res = check_id(raw)
    if res.error is not None:
        return failed(res.error)
    return Parsed(res.normalized, warnings=res.warnings)


def mask_id(id_number: str) -> str:
    """First 6 + ``********`` + last 4 (an 18-digit ID keeps its length)."""
    s = id_number if id_number.isdigit() else normalize_id_text(id_number)
    if len(s) <= 10:
        return "*" * len(s)
    return s[:6] + "********" + s[-4:]


def mask_any(value: str) -> str:
    """Mask whatever was in an ID cell, valid or not, for messages."""
    s = value.strip()
    if len(s) <= 10:
        return "*" * max(len(s), 4)
    return s[:6] + "********" + s[-4:]


_DEV_KEYS = frozenset({b"", DEV_ID_HASH_KEY.encode()})


class DevKeyRefused(ConfigError):
    """ID numbers offered while ORGRAPH_ID_HASH_KEY is the development default (or empty): a
    configuration error (CLI exit code 2) that the API answers 422 with its message, so the
    caller learns why (a 500 would hide it)."""

    http_status = 422


def hash_id(id_number: str, key: bytes) -> str:
    """Keyed hash (HMAC-SHA256, hex) of the normalised upper-case ID number.

    Refuses (ConfigError) the public development key and an empty one: a hash under a known
    key is reversed by trying the few million valid ID numbers of a county
    (docs/design.md#masking)."""
    if key.strip() in _DEV_KEYS:
        raise DevKeyRefused(DEV_KEY_MESSAGE)
    s = normalize_id_text(id_number)
    return hmac.digest(key, s.encode("ascii", "replace"), hashlib.sha256).hex()


_DIGITS_RE = re.compile(r"(?<![0-9])[0-9]{14,17}[0-9Xx](?![0-9])|[0-9]\.[0-9]{6,}[eE]\+?1[4-7]")


def scrub(text: str) -> str:
    """Mask anything in free text that looks like an ID number (15–18 digits, or a float
    rendering of one)."""
    return _DIGITS_RE.sub(lambda m: mask_any(m.group(0)), text)
