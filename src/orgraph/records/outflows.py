"""Outflow episodes (流动党员外出登记) and reports (报到), listed over the caller's members."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from orgraph import clock
from orgraph.records.paging import answer, day_int, iso, page_of
from orgraph.records.visibility import Visible
from orgraph.security.masking import mask_phone
from orgraph.store import GraphStore


def list_outflows(
    store: GraphStore,
    *,
    seen: Visible,
    member: int | None = None,
    open_on: dt.date | None = None,
    is_open: bool | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    """Episodes of visible members, latest departure first; `is_open` filters on whether the
    episode is open on `open_on` (default today). Phones away are masked."""
    p = seen.p
    d = day_int(open_on or clock.today())
    keep = seen.members[p.o_member] if len(p.o_member) else np.zeros(0, dtype=bool)
    if member is not None:
        keep = keep & (p.o_member == member)
    open_ = p.open_outflows(d)
    if is_open is not None:
        keep = keep & (open_ == is_open)
    idx = sorted(
        (int(k) for k in np.flatnonzero(keep)),
        key=lambda k: (-int(p.o_left[k]), p.m_key[int(p.o_member[k])]),
    )
    chosen = page_of(idx, page, page_size)
    keys = sorted({p.m_key[int(p.o_member[k])] for k in chosen})
    found = {(r["member"], r["left_on"]): r for r in store.read("record_outflows", keys=keys)}
    items = []
    for k in chosen:
        m = int(p.o_member[k])
        r = found.get((p.m_key[m], iso(int(p.o_left[k]))))
        if r is None:
            continue
        items.append(
            {
                "id": r["id"],
                "member": {"id": p.m_key[m], "name": p.m_name[m]},
                "left_on": r["left_on"],
                "returned_on": r["returned_on"],
                "open": bool(open_[k]),
                "reason": r["reason"],
                "employer": r["employer"],
                "phone_away": mask_phone(r["phone_away"]) if r["phone_away"] else None,
                "destination_text": r["destination_text"],
                "destination": {"code": r["dest_code"], "name": r["dest_name"]}
                if r["dest_code"]
                else None,
                "host_org": seen.destination_org_ref(p.org_index.get(r["host_id"] or "", -1)),
            }
        )
    return answer(items, len(idx), page, page_size)


def list_reports(
    store: GraphStore,
    *,
    seen: Visible,
    member: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    """Reports (报到/报平安) of visible members, latest first."""
    p = seen.p
    members = [member] if member is not None else [int(m) for m in np.flatnonzero(seen.members)]
    rows = store.read("record_report_index", keys=[p.m_key[m] for m in members])
    index = rows[0] if rows else {"members": [], "ids": [], "dates": []}
    lo, hi = (since.isoformat() if since else ""), (until.isoformat() if until else "9999")
    found = [
        (on, key, rid)
        for key, rid, on in zip(
            index["members"] or [], index["ids"] or [], index["dates"] or [], strict=True
        )
        if lo <= on <= hi
    ]
    found.sort(key=lambda t: (t[0], t[1], t[2]), reverse=True)
    chosen = page_of(found, page, page_size)
    details = {r["id"]: r for r in store.read("record_reports", ids=[t[2] for t in chosen])}
    items = []
    for on, key, rid in chosen:
        r = details.get(rid, {})
        m = p.m_index[key]
        o = p.org_index.get(r.get("org_id") or "", -1)
        org = seen.destination_org_ref(o)
        # The roster's own words name the org: withheld with it when it is out of sight.
        text = r.get("org_text") if org is not None or not r.get("org_id") else None
        items.append(
            {
                "id": rid,
                "member": {"id": key, "name": p.m_name[m]},
                "on": on,
                "channel": r.get("channel"),
                "org": org,
                "org_text": text,
            }
        )
    return answer(items, len(found), page, page_size)
