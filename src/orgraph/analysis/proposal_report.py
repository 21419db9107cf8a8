"""A contact proposal as an answer (docs/rules.md "Contact proposals"): its pairs, and what it
takes per village, township and for the scope (before → after, and the shortfall)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from orgraph.analysis.context import Ctx
from orgraph.analysis.proposals import (
    LOCALITIES,
    Pair,
    Solution,
    household_villages,
    places,
    scope_villages,
)

SUMMED = (
    "households",
    "covered_before",
    "open",
    "proposed",
    "covered_after",
    "members_eligible",
    "base_places",
    "remaining",
    "members_needed",
)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _village_rows(c: Ctx, sol: Solution) -> dict[int, dict[str, Any]]:
    p = c.graph
    cmax = c.policy.contact_max
    in_scope = c.scope.households(p)
    hh_village = household_villages(p)
    figures: dict[int, dict[str, Any]] = defaultdict(lambda: dict.fromkeys(SUMMED, 0))
    ok = in_scope & scope_villages(c, hh_village)
    for v, n in zip(*np.unique(hh_village[ok], return_counts=True), strict=True):
        figures[int(v)]["households"] = int(n)
    for v, n in zip(*np.unique(hh_village[ok & c.day.covered], return_counts=True), strict=True):
        figures[int(v)]["covered_before"] = int(n)
    for h in sol.open:
        figures[int(hh_village[h])]["open"] += 1
    for x in sol.pairs:
        figures[int(hh_village[x.household])]["proposed"] += 1
    loads: dict[int, list[int]] = defaultdict(list)
    for m in sol.eligible:
        v = int(sol.member_village[m])
        figures[v]["members_eligible"] += 1
        figures[v]["base_places"] += int(sol.base[m])
        loads[v].append(int(sol.load[m]))
    rows = {}
    for v, f in figures.items():
        f["covered_after"] = f["covered_before"] + f["proposed"]
        f["remaining"] = f["open"] - f["proposed"]
        f["members_needed"] = -(-f["remaining"] // cmax) if f["remaining"] > 0 else 0
        f["contact_max_needed"] = _max_needed(loads[v], f["open"], cmax) if f["remaining"] else None
        f["shortfall"] = (
            "structural" if f["remaining"] > 0 else "organisational" if f["open"] else "none"
        )
        rows[v] = {
            "code": p.area_code[v],
            "name": p.area_name[v],
            "level": "village",
            **_with_ratios(f),
        }
    return rows


def _max_needed(loads: list[int], open_: int, cmax: int) -> int | None:
    """The smallest c > cmax at which these members' places reach `open_` (None: no members)."""
    if not loads:
        return None
    lo, hi = cmax + 1, max(loads) + open_  # at hi the places are ≥ open_ already
    while lo < hi:
        mid = (lo + hi) // 2
        if sum(max(0, mid - e) for e in loads) >= open_:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _with_ratios(f: dict[str, Any]) -> dict[str, Any]:
    return {
        **f,
        "coverage_before": _ratio(f["covered_before"], f["households"]),
        "coverage_after": _ratio(f["covered_after"], f["households"]),
    }


def _sum(rows: list[dict[str, Any]]) -> dict[str, Any]:
    f: dict[str, Any] = {k: sum(r[k] for r in rows) for k in SUMMED}
    needed = [r["contact_max_needed"] for r in rows if r["contact_max_needed"] is not None]
    f["contact_max_needed"] = max(needed) if needed else None
    kinds = {r["shortfall"] for r in rows}
    f["shortfall"] = next((k for k in ("structural", "organisational") if k in kinds), "none")
    return _with_ratios(f)


def _item(c: Ctx, sol: Solution, x: Pair) -> dict[str, Any]:
    p, pl = c.graph, places(c.graph)
    a = int(p.hh_area[x.household])
    v, ham = int(pl.village[a]), int(pl.hamlet[a])
    mh = int(sol.member_hamlet[x.member])
    e = int(sol.load[x.member])
    return {
        "member": c.member_brief(x.member),
        "household": {"id": p.hh_id[x.household], "head_name": p.hh_head.get(x.household)},
        "village": {"code": p.area_code[v], "name": p.area_name[v]},
        "hamlet": {"code": p.area_code[ham], "name": p.area_name[ham]} if ham >= 0 else None,
        "member_hamlet": {"code": p.area_code[mh], "name": p.area_name[mh]} if mh >= 0 else None,
        "locality": LOCALITIES[x.locality],
        "extra": x.extra,
        "load_before": e,
        "load_after": e + sol.new[x.member],
    }


def report(
    c: Ctx, sol: Solution, *, page: int, page_size: int, store: Any = None
) -> dict[str, Any]:
    """The answer: policy in force, scope total, townships, villages, and a page of pairs."""
    p, pl = c.graph, places(c.graph)
    villages = _village_rows(c, sol)
    by_township: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for v, row in villages.items():
        by_township[int(pl.township[v])].append(row)
    # Townships only inside the scope (a village's user sees no township row).
    shown = {t: rows for t, rows in by_township.items() if t >= 0 and c.scope.areas[t]}
    townships = [
        {"code": p.area_code[t], "name": p.area_name[t], "level": "township", **_sum(rows)}
        for t, rows in shown.items()
    ]
    for row in villages.values():
        row["township"] = None
    for t, rows in shown.items():
        for r in rows:
            r["township"] = {"code": p.area_code[t], "name": p.area_name[t]}
    start = (page - 1) * page_size
    chosen = sol.pairs[start : start + page_size]
    if store is not None:
        p.load_heads(store, [x.household for x in chosen])
    return {
        "scope": c.scope.label,
        "policy": {
            "contact_max": c.policy.contact_max,
            "proposal_cross_village": c.policy.proposal_cross_village,
            "proposal_cadre_extra": c.policy.proposal_cadre_extra,
        },
        "total": {**_sum(list(villages.values())), "unplaced": sol.unplaced},
        "townships": sorted(townships, key=lambda r: r["code"]),
        "villages": sorted(villages.values(), key=lambda r: r["code"]),
        "items_total": len(sol.pairs),
        "page": page,
        "page_size": page_size,
        "items": [_item(c, sol, x) for x in chosen],
    }
