"""The 第一书记 rules of docs/rules.md "第一书记": a listed weak village organisation with no
first secretary in office, a first secretary the village's ledgers do not see, and a term that
ends soon with nobody to take over."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from orgraph.analysis import life
from orgraph.analysis.context import Ctx, Ref
from orgraph.analysis.life import iso
from orgraph.analysis.projection import NEVER, Projection, ordinal, rows_of
from orgraph.analysis.village_orgs import (
    area_villages,
    listed,
    open_rects,
    screened,
    subtree,
    village_of,
)


def appointment_id(p: Projection, f: int) -> str:
    return f"{p.m_key[p.fs_member[f]]}|{p.org_id[p.fs_org[f]]}|{iso(int(p.fs_since[f])) or ''}"


def has_appointments(c: Ctx) -> bool:
    """Whether the 第一书记 records begin by D (docs/rules.md): without them "no first
    secretary" would be read into every listed village."""
    return bool(len(c.graph.fs_since)) and int(c.graph.fs_since.min()) <= c.day.as_of


def _active(c: Ctx) -> Any:
    p, d = c.graph, c.day.as_of
    return (p.fs_since <= d) & (p.fs_until > d)


def _in_scope(c: Ctx) -> list[int]:
    """Appointments active at D whose org is in scope (none before the records begin)."""
    p = c.graph
    if not has_appointments(c):
        return []
    ok = _active(c)
    return [int(f) for f in np.flatnonzero(ok) if c.scope.orgs[p.fs_org[f]]]


def _minus_days(day: int, n: int) -> int:
    """day − n days, as yyyymmdd; no earlier than 0001-01-01 (a window reaching back before
    the calendar starts there: nothing is dated earlier)."""
    d = dt.date(day // 10_000, day // 100 % 100, day % 100)
    d = d - dt.timedelta(days=n) if (d - dt.date.min).days >= n else dt.date.min
    return d.year * 10_000 + d.month * 100 + d.day


def _village(c: Ctx, o: int) -> int:
    return village_of(c.graph, c.graph.org_home_area[o])


def _where(c: Ctx, o: int) -> dict[str, Any]:
    v = _village(c, o)
    if v < 0:
        return {"village": None, "township": None}
    where = c.area_ctx(v)
    return {"village": where.get("village"), "township": where.get("township")}


def _member(p: Projection, m: int) -> dict[str, str]:
    return {"id": p.m_key[m], "name": p.m_name[m]}


def _brief(c: Ctx, f: int) -> dict[str, Any]:
    p = c.graph
    o = int(p.fs_org[f])
    return {
        "id": appointment_id(p, f),
        "member": _member(p, int(p.fs_member[f])),
        "org": c.org_brief(o),
        **_where(c, o),
        "since": iso(int(p.fs_since[f])),
        "sent_by": p.fs_sent_by[f],
    }


# -- weak_no_first_secretary --------------------------------------------------------------------


def weak_without(c: Ctx) -> list[Ref]:
    p = c.graph
    if not has_appointments(c):
        return []
    served = {int(o) for o in p.fs_org[_active(c)]}
    return [
        ("o", o) for o in screened(c) if listed(c, o) and not served.intersection(subtree(p, o))
    ]


def weak_without_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    p, o = c.graph, ref[1]
    inside = subtree(p, o)
    before = [
        int(f) for f in np.flatnonzero(np.isin(p.fs_org, inside) & (p.fs_until <= c.day.as_of))
    ]
    last = max(before, key=lambda f: (int(p.fs_until[f]), appointment_id(p, f)), default=None)
    return {
        "id": p.org_id[o],
        "name": p.org_name[o],
        **_where(c, o),
        "weak": bool(p.org_weak[o]),
        "rects_open": len(open_rects(c, inside)),
        "last": (
            {"member": _member(p, int(p.fs_member[last])), "until": iso(int(p.fs_until[last]))}
            if last is not None
            else None
        ),
    }


# -- first_secretary_absent -----------------------------------------------------------------------


def _presence(c: Ctx, f: int) -> tuple[int, int | None, int]:
    """(contacts, meetings in the window or None without life records, last meeting date or 0)
    of appointment f."""
    p, d = c.graph, c.day
    m, o = int(p.fs_member[f]), int(p.fs_org[f])
    v = _village(c, o)
    contacts = 0
    if v >= 0:
        villages = area_villages(p)
        rows = rows_of(p, "c_member", m)
        houses = {int(h) for h in p.c_house[rows[d.active_contact[rows]]]}
        contacts = sum(1 for h in houses if p.hh_area[h] >= 0 and v in villages[int(p.hh_area[h])])
    if p.m_on_roll[m]:
        who, which = life.attendance(p)  # sorted by member
        lo, hi = np.searchsorted(who, [m, m + 1])
        theirs = which[lo:hi]
    else:  # only on-roll members are expected at a meeting without a list (docs/rules.md)
        theirs = p.kp_meeting[(p.kp_member == m) & p.kp_attended]
    theirs = theirs[np.isin(p.k_org[theirs], subtree(p, o))]
    on = p.k_on[theirs]
    on = on[on <= d.as_of]
    last = int(on.max()) if len(on) else 0
    if not life.has_life(c):
        return contacts, None, last
    start = _minus_days(d.as_of, c.policy.first_secretary_days)
    return contacts, int((on > start).sum()), last


def absent(c: Ctx) -> list[Ref]:
    p = c.graph
    start = _minus_days(c.day.as_of, c.policy.first_secretary_days)
    out = []
    for f in _in_scope(c):
        if p.fs_since[f] > start:
            continue
        contacts, meetings, _ = _presence(c, f)
        if contacts == 0 or meetings == 0:
            out.append(("f", f))
    return out


def absent_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    contacts, meetings, last = _presence(c, ref[1])
    missing = [k for k, n in (("contacts", contacts), ("meetings", meetings)) if n == 0]
    return {
        **_brief(c, ref[1]),
        "contacts": contacts,
        "meetings": meetings,
        "last_meeting": iso(last) if last else None,
        "missing": missing,
    }


# -- first_secretary_ending -----------------------------------------------------------------------


def ending(c: Ctx) -> list[Ref]:
    p, d = c.graph, c.day.as_of
    notice = c.policy.first_secretary_notice_days
    out = []
    for f in _in_scope(c):
        until = int(p.fs_until[f])
        if until == NEVER or int(ordinal(until) - ordinal(d)) > notice:
            continue
        same = np.flatnonzero(p.fs_org == p.fs_org[f])
        if not any(g != f and p.fs_since[g] <= until < p.fs_until[g] for g in same.tolist()):
            out.append(("f", f))
    return out


def ending_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    p, f = c.graph, ref[1]
    until = int(p.fs_until[f])
    return {
        **_brief(c, f),
        "until": iso(until),
        "days_left": int(ordinal(until) - ordinal(c.day.as_of)),
    }


# -- the village's first secretaries (the chain, the village page) ---------------------------------


def in_village(c: Ctx, v: int) -> list[dict[str, Any]]:
    """The appointments active at D whose org's village is area v, by appointment id."""
    p = c.graph
    out = [
        {**_brief(c, f), "until": iso(int(p.fs_until[f])) if p.fs_until[f] != NEVER else None}
        for f in np.flatnonzero(_active(c)).tolist()
        if _village(c, int(p.fs_org[f])) == v
    ]
    return sorted(out, key=lambda x: str(x["id"]))


def by_village(c: Ctx) -> list[dict[str, Any]]:
    """Every screened village organisation of c's scope with its village (and coordinates),
    whether it is listed, its 第一书记 in office, and which of them the two appointment rules
    find (docs/rules.md "第一书记": the village view)."""
    p = c.graph
    absent_ids = {appointment_id(p, f) for _, f in absent(c)}
    ending_ids = {appointment_id(p, f) for _, f in ending(c)}
    rows = []
    for o in screened(c):
        v = p.org_area[o]
        here = in_village(c, v)
        rows.append(
            {
                "org": c.org_brief(o),
                "village": {
                    "code": p.area_code[v],
                    "name": p.area_name[v],
                    "lon": p.area_lon[v],
                    "lat": p.area_lat[v],
                },
                "township": c.area_ctx(v).get("township"),
                "listed": listed(c, o),
                "first_secretaries": here,
                "absent": sorted(x["id"] for x in here if x["id"] in absent_ids),
                "ending": sorted(x["id"] for x in here if x["id"] in ending_ids),
            }
        )
    return sorted(rows, key=lambda r: str(r["village"]["code"]))
