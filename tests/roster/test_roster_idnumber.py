from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orgraph.roster.idnumber import (
    NUMERIC_ID_MESSAGE,
    check_digit,
    check_id,
    hash_id,
    mask_id,
    scrub,
    upgrade_15,
)

PLACES = ["110101", "330782", "350582", "441900", "510104", "650102", "820000", "450327"]
TODAY = dt.date(2024, 6, 30)


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    place = draw(st.sampled_from(PLACES))
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY))
    seq = draw(st.integers(0, 999))
    body = f"{place}{born:%Y%m%d}{seq:03d}"
    return body + check_digit(body)


@given(valid_ids())
def test_valid_ids_round_trip(idn: str) -> None:
    res = check_id(idn, today=TODAY)
    assert res.error is None
    assert res.normalized == idn
    assert res.birth_date == dt.date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14]))
    assert res.gender == ("male" if int(idn[16]) % 2 else "female")
    # lower-case x, spaces and full-width digits normalise to the same ID
    fw = "".join(chr(ord(c) + 0xFEE0) for c in idn[:6]) + " " + idn[6:].lower()
    assert check_id(fw, today=TODAY).normalized == idn
    assert hash_id(fw, b"k") == hash_id(idn, b"k")


@given(valid_ids(), st.integers(0, 17), st.integers(1, 9))
def test_one_changed_character_is_invalid(idn: str, pos: int, delta: int) -> None:
    if pos == 17:
        chars = "0123456789X"
        new = chars[(chars.index(idn[17]) + delta) % 11]
    else:
        new = str((int(idn[pos]) + delta) % 10)
    bad = idn[:pos] + new + idn[pos + 1 :]
    assert check_id(bad, today=TODAY).error is not None


@given(valid_ids(), st.integers(0, 16))
def test_swapped_neighbours_are_invalid(idn: str, pos: int) -> None:
    if idn[pos] == idn[pos + 1] or (pos == 16 and idn[17] == "X"):
        return
    bad = idn[:pos] + idn[pos + 1] + idn[pos] + idn[pos + 2 :]
    assert check_id(bad, today=TODAY).error is not None


def test_known_ids() -> None:
    assert check_id("11010519491231002X", today=TODAY).normalized == "11010519491231002X"
    assert check_id("11010519491231002x", today=TODAY).normalized == "11010519491231002X"
    assert check_id('="11010519491231002X"', today=TODAY).normalized == "11010519491231002X"
    assert check_id("\t11010519491231002X", today=TODAY).normalized == "11010519491231002X"
    assert check_id("'11010519491231002X", today=TODAY).normalized == "11010519491231002X"
    assert "校验位" in (check_id("110105194912310021", today=TODAY).error or "")


@pytest.mark.parametrize(
    "raw",
    [
        110101199003077777,
        1.101011990030778e17,
        "1.10101199003078e+17",
        "1.10101E+17",
        "110101199003077792.0",
        15528921840.0,
    ],
)
def test_numeric_cells_are_errors(raw: object) -> None:
    assert check_id(raw, today=TODAY).error == NUMERIC_ID_MESSAGE


@pytest.mark.parametrize(
    ("raw", "msg"),
    [
        ("", "为空"),
        ("12345", "18位"),
        ("3307821990030712345", "18位"),
        ("33078219900307A123", "数字"),
        ("330782199002301234", "不存在"),
        ("330782189912310000", "早于1900"),
        ("330782203001010000", "晚于今天"),
        (True, "逻辑值"),
        (dt.date(1990, 1, 1), "文本"),
    ],
)
def test_invalid(raw: object, msg: str) -> None:
    err = check_id(raw, today=TODAY).error
    assert err is not None and msg in err


def test_old_15_digit_is_upgraded_with_warning() -> None:
    full = "330782196504034566"
    body = full[:17]
    full = body + check_digit(body)
    old = full[:6] + full[8:17]
    assert upgrade_15(old) == full
    res = check_id(old, today=TODAY)
    assert res.normalized == full
    assert any("升位" in w for w in res.warnings)
    assert hash_id(old, b"k") != hash_id(full, b"k")  # hash_id expects the normalised ID
    assert hash_id(res.normalized or "", b"k") == hash_id(full, b"k")


def test_place_code_is_only_a_warning() -> None:
    body = "990101199003071" + "23"
    idn = body + check_digit(body)
    res = check_id(idn, today=TODAY)
    assert res.error is None
    assert any("省级代码" in w for w in res.warnings)
    body = "330799199003071" + "23"  # province ok, county not in the current table
    idn = body + check_digit(body)
    res = check_id(idn, today=TODAY)
    assert res.error is None and any("行政区划代码表" in w for w in res.warnings)
    assert not check_id(idn, today=TODAY, check_county=False).warnings


def test_mask_and_hash() -> None:
    idn = "11010519491231002X"
    assert mask_id(idn) == "110105********002X"
    assert len(mask_id(idn)) == 18
    h = hash_id(idn, b"key1")
    assert len(h) == 64 and h == hash_id(" 11010519491231002x ", b"key1")
    assert h != hash_id(idn, b"key2")
    assert idn not in h


def test_scrub_masks_id_like_runs() -> None:
    text = "户主身份证11010519491231002X，电话13800138000，科学计数1.10101199003078e+17"
    out = scrub(text)
    assert "11010519491231002X" not in out and "110105********002X" in out
    assert "13800138000" in out
    assert "1.10101199003078e+17" not in out
