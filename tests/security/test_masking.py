"""Masking of phones and ID numbers."""

from __future__ import annotations

import pytest

from orgraph.security import mask_id, mask_phone


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("13812345678", "138****5678"),
        (" 138 1234 5678 ", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("+8613812345678", "138****5678"),
        (13812345678, "138****5678"),
        ("138****5678", "138****5678"),
        ("0574-65123456", "****56"),
        ("65123456", "****56"),
        ("12345", "****"),
        ("1", "****"),
        ("电话不详", "****"),
        ("****56", "****56"),
        (None, None),
        ("", None),
        ("   ", None),
    ],
)
def test_mask_phone(raw: object, shown: str | None) -> None:
    assert mask_phone(raw) == shown


@pytest.mark.parametrize("raw", ["13812345678", "0574-65123456", "abc", "138****5678"])
def test_mask_phone_is_idempotent_and_keeps_at_most_two_trailing_characters(raw: str) -> None:
    once = mask_phone(raw)
    assert once is not None and mask_phone(once) == once
    visible = [c for c in once if c != "*"]
    assert len(visible) <= 2 or once == "138****5678"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("33022619900307123X", "330226********123X"),
        ("330226********123X", "330226********123X"),
        ("330226********1234", "330226********1234"),
        ("330226900307123", "330226********7123"),
        ("1234567890", "**********"),
        ("123", "****"),
        (None, None),
        ("", None),
    ],
)
def test_mask_id(raw: str | None, shown: str | None) -> None:
    assert mask_id(raw) == shown
    assert mask_id(mask_id(raw)) == mask_id(raw)
