"""GB 11643-1999 citizen ID numbers (公民身份号码): build and check, for demo data."""

from __future__ import annotations

from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_char(body17: str) -> str:
    """The 18th character for the first 17 digits."""
    if len(body17) != 17 or not body17.isdigit():
        raise ValueError("need 17 digits")
    return _CHECK[sum(int(c) * w for c, w in zip(body17, _WEIGHTS, strict=True)) % 11]


def make_id(region: str, birth: date, seq: int) -> str:
    """An 18-character ID: 6-digit region, birth date, 3-digit sequence (odd = male), check."""
    body = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    return body + check_char(body)


def birth_of(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def is_male(id_number: str) -> bool:
    return int(id_number[16]) % 2 == 1


def is_valid(id_number: str) -> bool:
    """Checksum and birth date valid (the place code is not checked)."""
    if len(id_number) != 18 or not id_number[:17].isdigit():
        return False
    if id_number[17] != check_char(id_number[:17]):
        return False
    try:
        birth_of(id_number)
    except ValueError:
        return False
    return True


def with_bad_check(id_number: str) -> str:
    """The same ID with a wrong check character (for the error samples)."""
    good = id_number[17]
    for c in "0123456789X":
        if c != good:
            return id_number[:17] + c
    raise AssertionError("unreachable")
