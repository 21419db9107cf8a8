"""Coverage figures per area (docs/design.md#rules): households and their contacts, members
at home and away, contact load, summed up the area tree county → township → village → hamlet.

`rollup` counts each area's own households and members into one row of named columns (`Col`)
and adds every area's row into its parent's, deepest areas first; `rows` turns the rows of a
scope into a coverage answer.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import numpy as np

from orgraph.analysis.context import Ctx
from orgraph.analysis.projection import Projection, member_home

LOAD_BUCKETS = ("0", "1", "2", "3", "4", "5", "6+")


class Col(IntEnum):
    """The columns of the coverage rollup, one row per area (`rollup`)."""

    HOUSEHOLDS = 0
    COVERED = 1
    UNCOVERED_CONTACT_AWAY = 2  # uncovered, with a contact member away
    MEMBERS = 3  # on roll, counted in the home area of their first branch
    MEMBERS_HOME = 4
    MEMBERS_AWAY = 5
    LOAD = 6  # the first of len(LOAD_BUCKETS): at-home, not exempt, by households contacted
    AWAY_ATTACHED = LOAD + len(LOAD_BUCKETS)
    AWAY_SILENT = AWAY_ATTACHED + 1
    AWAY_LOST = AWAY_SILENT + 1


# Every column's name, in Col's order (the load buckets spelled out).
COLUMNS = (
    *(c.name.lower() for c in Col if c < Col.LOAD),
    *(f"load_{b}" for b in LOAD_BUCKETS),
    *(c.name.lower() for c in Col if c > Col.LOAD),
)


def rows(c: Ctx, level: str) -> list[dict[str, Any]]:
    """The scope's own row (its top areas summed), then each of its areas at `level`."""
    sums = rollup(c)
    p = c.graph
    tops = [
        i
        for i in np.flatnonzero(c.scope.areas)
        if p.area_parent[i] < 0 or not c.scope.areas[p.area_parent[i]]
    ]
    head = _row_sum(sums, tops)
    if len(tops) == 1:
        a = int(tops[0])
        own = {"code": p.area_code[a], "name": p.area_name[a], "level": p.area_level[a]}
    else:
        o = p.org_index.get(c.scope.ref or "")
        own = {
            "code": c.scope.label,
            "name": p.org_name[o] if o is not None else "全部",
            "level": "org" if o is not None else "all",
        }
    out = [{**own, **_figures(head)}]
    for i in np.flatnonzero(c.scope.areas):
        a = int(i)
        if p.area_level[a] == level and a not in tops:
            out.append(
                {
                    "code": p.area_code[a],
                    "name": p.area_name[a],
                    "level": level,
                    "parent": p.area_code[p.area_parent[a]] if p.area_parent[a] >= 0 else None,
                    **_figures(sums[a]),
                }
            )
    out[1:] = sorted(out[1:], key=lambda r: r["code"])
    return out


def rollup(c: Ctx) -> Any:
    """Per area: its subtree's figures, as an (areas × Col) integer array."""
    p = c.graph
    cols = np.zeros((len(p.area_code), len(COLUMNS)), dtype=np.int64)
    _count_households(c, cols)
    _count_members(c, cols)
    for a, parent in p.once(
        "deepest_first", lambda: _deepest_first(p), ("area_code", "area_parent")
    ):
        cols[parent] += cols[a]
    return cols


def _count_households(c: Ctx, cols: Any) -> None:
    """Each area's own households: all, covered, and uncovered with a contact away."""
    p, s = c.graph, c.day
    if not len(p.hh_area):
        return
    na = len(p.area_code)
    placed = p.hh_area >= 0
    area = p.hh_area[placed]
    cols[:, Col.HOUSEHOLDS] = np.bincount(area, minlength=na)
    cols[:, Col.COVERED] = np.bincount(area, weights=s.covered[placed], minlength=na)
    uncovered_away = ~s.covered[placed] & (s.contacts_away[placed] > 0)
    cols[:, Col.UNCOVERED_CONTACT_AWAY] = np.bincount(area, weights=uncovered_away, minlength=na)


def _count_members(c: Ctx, cols: Any) -> None:
    """Each area's own members on roll (in the home area of their first branch): at home,
    away, at-home contact load, and how the ones away stand."""
    p, s, pol = c.graph, c.day, c.policy
    home = member_home(p)
    counted = (home >= 0) & p.m_on_roll
    if not counted.any():
        return
    na = len(p.area_code)
    area = home[counted]
    cols[:, Col.MEMBERS] = np.bincount(area, minlength=na)
    cols[:, Col.MEMBERS_HOME] = np.bincount(area, weights=s.at_home[counted], minlength=na)
    cols[:, Col.MEMBERS_AWAY] = np.bincount(area, weights=s.away[counted], minlength=na)
    load = counted & s.at_home & ~s.exempt
    buckets = np.minimum(s.member_households[load], len(LOAD_BUCKETS) - 1)
    for b in range(len(LOAD_BUCKETS)):
        cols[:, Col.LOAD + b] = np.bincount(home[load][buckets == b], minlength=na)
    gone = counted & s.away
    lost = gone & (p.m_lost_flag | (s.quiet >= pol.lost_days))
    silent = gone & ~lost & (s.quiet >= pol.silent_days)
    for col, mask in (
        (Col.AWAY_ATTACHED, gone & s.attached),
        (Col.AWAY_SILENT, silent),
        (Col.AWAY_LOST, lost),
    ):
        cols[:, col] = np.bincount(home[mask], minlength=na)


def _deepest_first(p: Projection) -> list[tuple[int, int]]:
    """(area, parent) pairs, children before parents, for summing subtrees upwards."""
    depth = []
    for a in range(len(p.area_code)):
        d, i = 0, p.area_parent[a]
        while i >= 0 and d < 64:
            d, i = d + 1, p.area_parent[i]
        depth.append(d)
    order = sorted(range(len(depth)), key=lambda a: -depth[a])
    return [(a, p.area_parent[a]) for a in order if p.area_parent[a] >= 0]


def _row_sum(sums: Any, areas: list[Any]) -> Any:
    return (
        sums[np.array(areas, dtype=np.int64)].sum(axis=0)
        if areas
        else np.zeros(sums.shape[1], dtype=np.int64)
    )


def _figures(v: Any) -> dict[str, Any]:
    """One rollup row (indexed by Col) as the figures of a coverage answer."""
    households, covered = int(v[Col.HOUSEHOLDS]), int(v[Col.COVERED])
    return {
        "households": households,
        "covered": covered,
        "coverage": round(covered / households, 4) if households else None,
        "uncovered_contact_away": int(v[Col.UNCOVERED_CONTACT_AWAY]),
        "members": int(v[Col.MEMBERS]),
        "members_home": int(v[Col.MEMBERS_HOME]),
        "members_away": int(v[Col.MEMBERS_AWAY]),
        "load": {b: int(v[Col.LOAD + i]) for i, b in enumerate(LOAD_BUCKETS)},
        "away_attached": int(v[Col.AWAY_ATTACHED]),
        "away_silent": int(v[Col.AWAY_SILENT]),
        "away_lost": int(v[Col.AWAY_LOST]),
    }
