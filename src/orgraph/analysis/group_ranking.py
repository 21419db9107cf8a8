"""A township's ranking of its party groups for one quarter, and the 流动红旗 (docs/rules.md
"Township ranking of party groups and the 流动红旗"). Read over a context at the quarter's
last day; every figure is one a township can check by hand from the records."""

from __future__ import annotations

from typing import Any

import numpy as np

from orgraph.analysis import group_rules, life
from orgraph.analysis.context import Ctx
from orgraph.analysis.life import Period
from orgraph.vocab import GROUP_KINDS


def quarter(label: str) -> Period:
    """'2026-Q3' → the quarter; ValueError when malformed."""
    year, q = label.split("-Q")
    y, n = int(year), int(q)
    if not 1 <= n <= 4 or not 1 <= y <= 9999:
        raise ValueError(label)
    first_mi = y * 12 + (n - 1) * 3
    return Period(f"{y:04d}-Q{n}", life._month_first(first_mi), life._month_last(first_mi + 2))


def last_completed(day: int) -> Period:
    """The latest quarter whose last day is before `day`."""
    mi = (day // 10_000) * 12 + day // 100 % 100 - 1
    q = mi // 3 - 1
    return quarter(f"{q // 4:04d}-Q{q % 4 + 1}")


def _township(c: Ctx, o: int) -> int:
    p = c.graph
    i = p.org_home_area[o]
    seen: set[int] = set()
    while i >= 0 and i not in seen:
        seen.add(i)
        if p.area_level[i] == "township":
            return i
        i = p.area_parent[i]
    return -1


def groups_of(c: Ctx, township: int) -> list[int]:
    p = c.graph
    return [
        o
        for o in range(len(p.org_id))
        if p.org_kind[o] in GROUP_KINDS and not p.org_external[o] and _township(c, o) == township
    ]


def _months(q: Period) -> list[int]:
    first = (q.first // 10_000) * 12 + q.first // 100 % 100 - 1
    return [first, first + 1, first + 2]


def _row(c: Ctx, o: int, q: Period) -> dict[str, Any]:
    p, d, pol = c.graph, c.day, c.policy
    mine = p.gr_org == o
    months = _months(q)
    summaries = len({int(mi) for mi in p.gr_month[mine & p.gr_summary]} & set(months))
    on = p.gr_inspected[mine]
    inspected = bool(((on >= q.first) & (on <= q.last)).any())
    dates = life._dates(p, o, "group_meeting")
    meeting_months = sum(
        1 for mi in months if any(life._month_first(mi) <= x <= life._month_last(mi) for x in dates)
    )
    members = group_rules.group_members(p).get(o, [])
    eligible = [m for m in members if d.at_home[m] and not d.exempt[m]]
    ok = sum(1 for m in eligible if d.member_households[m] >= pol.contact_min)
    size_ok = pol.group_min <= len(members) <= pol.group_max
    points = (
        summaries * pol.group_points_summary
        + (pol.group_points_inspection if inspected else 0)
        + meeting_months * pol.group_points_meeting
        + (pol.group_points_size if size_ok else 0)
        + (pol.group_points_contacts * ok // len(eligible) if eligible else 0)
    )
    year = q.first // 10_000 - 1
    graded = [
        (int(p.gr_month[i]), i)
        for i in np.flatnonzero(mine)
        if int(p.gr_month[i]) // 12 == year and (p.gr_score[i] is not None or p.gr_grade[i])
    ]
    appraisal = None
    if graded:
        i = max(graded)[1]
        appraisal = {"year": year, "score": p.gr_score[i], "grade": p.gr_grade[i]}
    parent = p.org_parent[o]
    return {
        "id": p.org_id[o],
        "name": p.org_name[o],
        "branch": c.org_brief(parent) if parent >= 0 else None,
        "summaries": summaries,
        "inspected": inspected,
        "meeting_months": meeting_months,
        "members": len(members),
        "size_ok": size_ok,
        "eligible": len(eligible),
        "contacts_ok": ok,
        "points": points,
        "appraisal": appraisal,
    }


def rank(c: Ctx, township: int, q: Period) -> dict[str, Any]:
    """The ranking of township's groups over quarter q (c is at q's last day)."""
    rows = sorted(
        (_row(c, o, q) for o in groups_of(c, township)),
        key=lambda r: (-r["points"], r["id"]),
    )
    for r in rows:
        r["rank"] = 1 + sum(1 for x in rows if x["points"] > r["points"])
    flag = None
    if rows and rows[0]["points"] >= c.policy.red_flag_min_points:
        top = rows[0]
        flag = {
            "id": top["id"],
            "name": top["name"],
            "points": top["points"],
            "tied": [
                {"id": r["id"], "name": r["name"]} for r in rows[1:] if r["points"] == top["points"]
            ],
        }
    return {
        "quarter": q.label,
        "records": group_rules.records_begin(c) != life.NONE,
        "life": life.has_life(c),
        "rows": rows,
        "red_flag": flag,
    }
