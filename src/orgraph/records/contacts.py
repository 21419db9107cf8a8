"""Household contacts (党员联户): list by member or household, add, end."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from orgraph.errors import NotFound, ValidationFailed
from orgraph.records.models import ContactCreate, ContactEnd
from orgraph.records.paging import answer, day_int, iso, page_of
from orgraph.records.visibility import Visible
from orgraph.store import GraphStore


def list_contacts(
    *,
    seen: Visible,
    member: int | None = None,
    household: int | None = None,
    on: dt.date,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    """Contacts of one member, one household, or (neither given) every household in sight,
    newest first. A contact from a member outside the caller's scope is shown without the
    member's identity."""
    p = seen.p
    hit = np.ones(len(p.c_member), dtype=bool)
    if member is not None:
        hit &= p.c_member == member
    if household is not None:
        hit &= p.c_house == household
    d = day_int(on)
    keyed: list[tuple[tuple[int, str, str], dict[str, Any]]] = []
    for k in np.flatnonzero(hit):
        m, h = int(p.c_member[k]), int(p.c_house[k])
        if not seen.household(h):
            continue  # a visible member's contact with a household outside the scope
        person = seen.person({"id": p.m_key[m], "name": p.m_name[m]})
        keyed.append(
            (
                (-int(p.c_since[k]), p.m_key[m], p.hh_id[h]),
                {
                    "member": {"id": person["id"], "name": person["name"]},
                    "household": {"id": p.hh_id[h]},
                    "since": iso(int(p.c_since[k])),
                    "until": iso(int(p.c_until[k])),
                    "active": bool(p.c_since[k] <= d < p.c_until[k]),
                },
            )
        )
    keyed.sort(key=lambda t: t[0])
    rows = [row for _, row in keyed]
    return answer(page_of(rows, page, page_size), len(rows), page, page_size)


def _pair(seen: Visible, member: str, household: str) -> tuple[int, int]:
    p = seen.p
    m, h = p.m_index.get(member, -1), p.hh_index.get(household, -1)
    if not seen.member(m):
        raise NotFound(f"党员“{member}”不存在或不在您的管辖范围内")
    if not seen.household(h):
        raise NotFound(f"农户“{household}”不存在或不在您的管辖范围内")
    return m, h


def add_contact(store: GraphStore, *, seen: Visible, body: ContactCreate, on: dt.date) -> None:
    _pair(seen, body.member, body.household)
    since = body.since or on
    if body.until is not None and body.until <= since:
        raise ValidationFailed("结束日期应晚于开始日期")
    store.write(
        "upsert_household_contacts",
        rows=[
            {
                "member": body.member,
                "target": body.household,
                "since": since.isoformat(),
                "until": body.until.isoformat() if body.until else None,
            }
        ],
    )


def end_contact(store: GraphStore, *, seen: Visible, body: ContactEnd, on: dt.date) -> int:
    _pair(seen, body.member, body.household)
    until = (body.until or on).isoformat()
    rows = store.write(
        "record_end_contacts", member=body.member, household=body.household, until=until
    )
    ended = int(rows[0]["ended"]) if rows else 0
    if not ended:
        raise NotFound(f"党员“{body.member}”与农户“{body.household}”在 {until} 没有有效的联系关系")
    return ended
