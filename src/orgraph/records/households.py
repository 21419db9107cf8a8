"""Households: list (scope, search), read one, create, update."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from orgraph.errors import ConstraintConflict, NotFound, ValidationFailed
from orgraph.records.members import away_mask
from orgraph.records.models import HouseholdCreate, HouseholdUpdate
from orgraph.records.paging import answer, day_int, page_of
from orgraph.records.visibility import Visible, not_yours
from orgraph.security.masking import mask_phone
from orgraph.store import GraphStore

PROPS = ("head_name", "address", "size", "tags", "phone", "lon", "lat")
# Households are filed under villages or their hamlets (村民小组, 网格).
HOUSEHOLD_LEVELS = frozenset({"village", "hamlet"})


def covered(seen: Visible, households: list[int], on: dt.date) -> dict[int, bool]:
    """Whether each household has an active contact from an at-home member on the day."""
    p, d = seen.p, day_int(on)
    if not households or not len(p.c_house):
        return dict.fromkeys(households, False)
    at_home = p.m_on_roll & ~away_mask(seen, on)
    hit = np.isin(p.c_house, households) & (p.c_since <= d) & (p.c_until > d) & at_home[p.c_member]
    yes = {int(h) for h in p.c_house[hit]}
    return {h: h in yes for h in households}


def _row(seen: Visible, h: int, rec: dict[str, Any], is_covered: bool) -> dict[str, Any]:
    p = seen.p
    a = int(p.hh_area[h])
    ctx = seen.area_context(a)
    return {
        "id": p.hh_id[h],
        "head_name": rec.get("head_name"),
        "area": seen.area_ref(a),
        "village": ctx["village"],
        "township": ctx["township"],
        "size": rec.get("size"),
        "tags": list(rec.get("tags") or []),
        "covered": is_covered,
    }


def list_households(
    store: GraphStore,
    *,
    seen: Visible,
    q: str | None = None,
    area: int | None = None,
    covered_only: bool | None = None,
    on: dt.date,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    p = seen.p
    keep = seen.households()
    if area is not None:
        below = np.zeros(len(p.area_code), dtype=bool)
        stack = [area]
        while stack:
            i = stack.pop()
            if not below[i]:
                below[i] = True
                stack.extend(p.area_children[i])
        keep = keep & below[np.where(p.hh_area >= 0, p.hh_area, 0)] & (p.hh_area >= 0)
    idx = [int(h) for h in np.flatnonzero(keep)]
    if q:
        named = {r["id"] for r in store.read("lookup_households_by_name", q=q)}
        idx = [h for h in idx if q in p.hh_id[h] or p.hh_id[h] in named]
    if covered_only is not None:
        flags = covered(seen, idx, on)
        idx = [h for h in idx if flags[h] == covered_only]
    idx.sort(key=lambda h: p.hh_id[h])
    chosen = page_of(idx, page, page_size)
    recs = {r["id"]: r for r in store.read("record_households", ids=[p.hh_id[h] for h in chosen])}
    flags = covered(seen, chosen, on)
    items = [_row(seen, h, recs[p.hh_id[h]], flags[h]) for h in chosen if p.hh_id[h] in recs]
    return answer(items, len(idx), page, page_size)


def get_household(
    store: GraphStore, *, seen: Visible, h: int, on: dt.date, reveal: bool = False
) -> dict[str, Any]:
    p = seen.p
    rows = store.read("record_households", ids=[p.hh_id[h]])
    rec = rows[0] if rows else {}
    out = _row(seen, h, rec, covered(seen, [h], on)[h])
    phone = rec.get("phone")
    out.update(
        {
            "hamlet": seen.area_context(int(p.hh_area[h]))["hamlet"],
            "address": rec.get("address"),
            "phone": (phone if reveal else mask_phone(phone)) if phone else None,
            "lon": rec.get("lon"),
            "lat": rec.get("lat"),
            "phone_revealed": bool(reveal and phone),
        }
    )
    return out


def _area(seen: Visible, code: str) -> None:
    a = seen.p.area_index.get(code, -1)
    if not seen.area(a):
        raise NotFound(f"区划“{code}”不存在或不在您的管辖范围内")
    if seen.p.area_level[a] not in HOUSEHOLD_LEVELS:
        raise ValidationFailed(f"区划“{code}”不是村或村民小组：农户只能登记在村或村民小组下")


def _props(body: HouseholdCreate | HouseholdUpdate, fields: set[str]) -> dict[str, Any]:
    return {k: getattr(body, k) for k in PROPS if k in fields}


def create_household(store: GraphStore, *, seen: Visible, body: HouseholdCreate) -> str:
    _area(seen, body.area)
    if body.id in seen.p.hh_index or store.read("record_households", ids=[body.id]):
        if not seen.household(seen.p.hh_index.get(body.id, -1)):
            raise not_yours()  # outside the scope: not "exists" (docs/design.md#scopes)
        raise ConstraintConflict(f"农户“{body.id}”已存在")
    store.write(
        "record_create_household",
        id=body.id,
        area=body.area,
        props=_props(body, set(body.model_fields_set)),
    )
    return body.id


def update_household(store: GraphStore, *, seen: Visible, h: int, body: HouseholdUpdate) -> int:
    p = seen.p
    fields = set(body.model_fields_set)
    area = p.area_code[int(p.hh_area[h])]
    if "area" in fields:
        if body.area is None:
            raise ValidationFailed("所在区划不能为空")
        _area(seen, body.area)
        area = body.area
    store.write(
        "upsert_households", rows=[{"id": p.hh_id[h], "area": area, "props": _props(body, fields)}]
    )
    return len(fields)
