"""The rectification ledger's rules (docs/rules.md "The rectification ledger (整顿台账) and
inspections (督查记录)"): no 一村一策 in time, a quarter without an inspection, an episode closed
without a passing acceptance."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from orgraph.analysis import life
from orgraph.analysis.context import Ctx, Ref
from orgraph.analysis.life import iso
from orgraph.analysis.projection import ordinal
from orgraph.analysis.village_orgs import subtree

PASSING = ("pass", "basic")


def _today(c: Ctx) -> str:
    return iso(c.day.as_of) or ""


def _open(c: Ctx, r: int) -> bool:
    o, opened, _deadline, status = c.graph.rects[r]
    return bool(c.scope.orgs[o]) and status != "done" and (not opened or opened <= _today(c))


def _plus_days(d: str, n: int) -> str:
    return (dt.date.fromisoformat(d) + dt.timedelta(days=n)).isoformat()


def _brief(c: Ctx, r: int) -> dict[str, Any]:
    o, opened, _deadline, _status = c.graph.rects[r]
    return {"id": c.graph.org_id[o], "name": c.graph.org_name[o], "opened_on": opened or None}


# -- rectification_no_plan ------------------------------------------------------------------------


def no_plan(c: Ctx) -> list[Ref]:
    p, today = c.graph, _today(c)
    n = c.policy.rect_plan_days
    out = []
    for r in range(len(p.rects)):
        opened = p.rects[r][1]
        if not opened or not _open(c, r):
            continue
        due = _plus_days(str(opened), n)
        plan = p.rect_plan[r]
        if due < today and (not plan or str(plan) > due):
            out.append(("r", r))
    return out


def no_plan_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    r = ref[1]
    opened = str(c.graph.rects[r][1])
    days = int(ordinal(c.day.as_of) - ordinal(int(opened.replace("-", ""))))
    return {**_brief(c, r), "plan_on": c.graph.rect_plan[r], "days": days}


# -- rectification_no_inspection ------------------------------------------------------------------


def _quarters(c: Ctx, opened: str) -> list[life.Period]:
    """Quarters completed at D whose first day is on or after the listing (docs/rules.md)."""
    start = int(opened.replace("-", ""))
    q = ((start // 10_000) * 12 + start // 100 % 100 - 1) // 3  # the listing's quarter
    out: list[life.Period] = []
    while True:
        first, last = life._month_first(3 * q), life._month_last(3 * q + 2)
        if last >= c.day.as_of:
            return out
        if first >= start:
            out.append(life.Period(f"{q // 4:04d}-Q{q % 4 + 1}", first, last))
        q += 1


def _inspected(c: Ctx, r: int) -> Any:
    p = c.graph
    return p.insp_on[np.isin(p.insp_org, subtree(p, p.rects[r][0]))]


def _missed(c: Ctx, r: int) -> list[str]:
    opened = c.graph.rects[r][1]
    if not opened:
        return []
    on = _inspected(c, r)
    return [
        q.label for q in _quarters(c, str(opened)) if not ((on >= q.first) & (on <= q.last)).any()
    ]


def no_inspection(c: Ctx) -> list[Ref]:
    return [("r", r) for r in range(len(c.graph.rects)) if _open(c, r) and _missed(c, r)]


def no_inspection_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    r = ref[1]
    on = _inspected(c, r)
    on = on[on <= c.day.as_of]
    return {
        **_brief(c, r),
        "missed": _missed(c, r),
        "last": iso(int(on.max())) if len(on) else None,
    }


# -- rectification_accepted_failing ---------------------------------------------------------------


def accepted_failing(c: Ctx) -> list[Ref]:
    p, today = c.graph, _today(c)
    out = []
    for r, (o, _opened, _deadline, status) in enumerate(p.rects):
        accepted = p.rect_accepted[r]
        if (
            c.scope.orgs[o]
            and status == "done"
            and (not accepted or str(accepted) <= today)
            and p.rect_result[r] not in PASSING
        ):
            out.append(("r", r))
    return out


def accepted_failing_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    r = ref[1]
    return {
        **_brief(c, r),
        "accepted_on": c.graph.rect_accepted[r],
        "result": c.graph.rect_result[r],
    }
