"""Masking of phones and ID numbers for roles that may not see them (docs/design.md#security)."""

from __future__ import annotations

import re

_MOBILE_RE = re.compile(r"(?:\+?86)?(1\d{10})")
_MASKED_MOBILE_RE = re.compile(r"1\d{2}\*{4}\d{4}")
_MASKED_ID_RE = re.compile(r"[0-9]{6}\*+[0-9Xx]{4}")
_SEPARATORS_RE = re.compile(r"[\s\-()（）]")


def mask_phone(value: object) -> str | None:
    """ "13812345678" → "138****5678"; anything else keeps at most its last 2 characters.

    Idempotent: a masked value comes back unchanged. None or blank → None.
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if _MASKED_MOBILE_RE.fullmatch(text):
        return text
    compact = _SEPARATORS_RE.sub("", text)
    m = _MOBILE_RE.fullmatch(compact)
    if m:
        mobile = m.group(1)
        return f"{mobile[:3]}****{mobile[-4:]}"
    # Landlines, extensions and junk: a fixed-width mask hides the length as well.
    tail = compact[-2:] if len(compact) >= 6 and "*" not in compact[-2:] else ""
    return "****" + tail


def mask_id(value: object) -> str | None:
    """ID numbers as stored: first 6 + "********" + last 4. Idempotent (the graph already holds
    masked IDs); a value too short to keep 10 characters becomes all stars."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if _MASKED_ID_RE.fullmatch(text):
        return text
    compact = _SEPARATORS_RE.sub("", text)
    if len(compact) <= 10:
        return "*" * max(len(compact), 4)
    return compact[:6] + "********" + compact[-4:]


_YEAR_RE = re.compile(r"\s*(\d{4})")


def mask_birth_date(value: object) -> str | None:
    """A birth date shown beside a masked ID number: the year only ("1983-04-14" → "1983").

    The 8 digits a masked ID number hides (first 6, last 4 kept) *are* the birth date, so a
    full birth date next to it rebuilds the number; the year leaves 365 days, of which the
    check character still lets about 33 through (docs/design.md#masking). Idempotent; None or
    blank → None; anything without a leading year → None."""
    if value is None:
        return None
    m = _YEAR_RE.match(str(value))
    return m.group(1) if m else None
