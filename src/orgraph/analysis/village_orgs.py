"""Village Party organisations: which orgs the 软弱涣散 screening and the 第一书记 rules look at,
an org's subtree, the villages above an area, and the rectifications that make an org listed
(docs/rules.md "软弱涣散 screening", "第一书记")."""

from __future__ import annotations

from typing import Any

import numpy as np

from orgraph.analysis.context import Ctx
from orgraph.analysis.life import iso
from orgraph.analysis.projection import Projection
from orgraph.vocab import GROUP_KINDS, MOBILE_KINDS


def screened(c: Ctx) -> list[int]:
    """The village organisations of c's scope: not external, not a group nor mobile, serving a
    village directly, and not under an org that serves the same village."""
    p = c.graph
    out = []
    for i in np.flatnonzero(c.scope.orgs):
        o = int(i)
        a = p.org_area[o]
        if (
            a < 0
            or p.area_level[a] != "village"
            or p.org_external[o]
            or p.org_kind[o] in GROUP_KINDS
            or p.org_kind[o] in MOBILE_KINDS
        ):
            continue
        parent = p.org_parent[o]
        if parent >= 0 and p.org_area[parent] == a:
            continue
        out.append(o)
    return out


def subtree(p: Projection, o: int) -> list[int]:
    """o and every org below it (UNDER*), by index."""
    out, todo, seen = [], [o], {o}
    while todo:
        x = todo.pop()
        out.append(x)
        for k in p.org_children[x]:
            if k not in seen:
                seen.add(k)
                todo.append(k)
    return sorted(out)


def area_villages(p: Projection) -> list[list[int]]:
    """Per area: the areas of level village at or above it, nearest first (the villages whose
    subtrees hold it)."""

    def make() -> list[list[int]]:
        # Each area's list is its own (when a village) and its parent's, parents first: one
        # step per area (the walk per area read numpy scalars: 0.15 s for a city's areas).
        # Areas share their lists; callers only read them.
        parent = np.asarray(p.area_parent, dtype=np.int64).tolist()
        village = [level == "village" for level in p.area_level]
        out: list[list[int] | None] = [None] * len(parent)
        for a in range(len(parent)):
            chain, i, seen = [], a, set()
            while i >= 0 and out[i] is None and i not in seen:
                seen.add(i)
                chain.append(i)
                i = parent[i]
            if i >= 0 and out[i] is None:  # a cycle of parents (never imported so): walked
                for x in chain:
                    out[x] = _walk(x, parent, village)
                continue
            above: list[int] = [] if i < 0 else out[i] or []
            for x in reversed(chain):
                above = [x, *above] if village[x] else above
                out[x] = above
        return [found or [] for found in out]

    found: list[list[int]] = p.once(
        "village_orgs_area_villages", make, ("area_code", "area_level", "area_parent")
    )
    return found


def _walk(a: int, parent: list[int], village: list[bool]) -> list[int]:
    """The villages at or above area a, nearest first, walked up to the first repeat."""
    found, i, seen = [], a, set()
    while i >= 0 and i not in seen:
        seen.add(i)
        if village[i]:
            found.append(i)
        i = parent[i]
    return found


def village_of(p: Projection, a: int) -> int:
    """The village of an area: itself when a village, else its nearest village above; -1."""
    if a < 0:
        return -1
    found = area_villages(p)[a]
    return found[0] if found else -1


def open_rects(c: Ctx, orgs: list[int]) -> list[dict[str, Any]]:
    """The rectifications of these orgs open at D (status not done, opened by D), by org id,
    deadline and opening date."""
    p = c.graph
    today = iso(c.day.as_of) or ""
    inside = set(orgs)
    rects: list[dict[str, Any]] = []
    for x, opened, deadline, status in p.rects:
        if x in inside and status != "done" and (not opened or str(opened) <= today):
            rects.append(
                {
                    "org": {"id": p.org_id[x], "name": p.org_name[x]},
                    "opened_on": opened or None,
                    "deadline": deadline or None,
                    "status": status,
                    "overdue": bool(deadline) and str(deadline) < today,
                }
            )
    rects.sort(key=lambda r: (r["org"]["id"], r["deadline"] or "", r["opened_on"] or ""))
    return rects


def listed(c: Ctx, o: int) -> bool:
    """The org's 软弱涣散 flag is set, or an org of its subtree has an open rectification."""
    return bool(c.graph.org_weak[o]) or bool(open_rects(c, subtree(c.graph, o)))
