"""The 党小组 appraisal rules (docs/rules.md "党小组 appraisal"): a group without a leader, months
without a 月总结, quarters without the township's 督查."""

from __future__ import annotations

from typing import Any

import numpy as np

from orgraph.analysis import life
from orgraph.analysis.context import Ctx, Ref
from orgraph.analysis.life import NONE, Period, iso, month_label
from orgraph.analysis.projection import Projection
from orgraph.vocab import GROUP_KINDS

_NO_DAYS = np.zeros(0, dtype=np.int64)
_NO_DAYS.flags.writeable = False


def _groups(c: Ctx) -> list[int]:
    p = c.graph
    return [
        int(o)
        for o in np.flatnonzero(c.scope.orgs)
        if p.org_kind[o] in GROUP_KINDS and not p.org_external[o]
    ]


def _month_firsts(p: Projection) -> Any:
    """Per group record: the first day (YYYYMMDD) of its month, as life._month_first."""
    gm = np.asarray(p.gr_month, dtype=np.int64)
    return (gm // 12) * 10_000 + (gm % 12 + 1) * 100 + 1


def records_begin(c: Ctx) -> int:
    """The first day of the earliest record month whose first day is ≤ D; NONE. Once per
    answer: every group's check asks for it (per group it made a city's summary quadratic)."""

    def make() -> int:
        firsts = c.graph.once("gr_month_first", lambda: _month_firsts(c.graph), ("gr_month",))
        known = firsts[firsts <= c.day.as_of]
        return int(known.min()) if len(known) else NONE

    return int(c.once("records_begin", make))


def has_records(c: Ctx) -> bool:
    return records_begin(c) != NONE


def _checked(c: Ctx, o: int, periods: list[Period]) -> list[Period]:
    begin = records_begin(c)
    est = int(c.graph.org_established[o])
    return [q for q in periods if q.last >= begin and est <= q.first]


def _branch(c: Ctx, o: int) -> dict[str, str] | None:
    parent = c.graph.org_parent[o]
    return c.org_brief(parent) if parent >= 0 else None


# -- group_no_leader ------------------------------------------------------------------------------


def group_members(p: Projection) -> dict[int, list[int]]:
    """Each group's members on roll (by group index), computed once per projection."""

    def make() -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for m, groups in enumerate(p.m_groups):
            if p.m_on_roll[m]:
                for g in groups:
                    out.setdefault(g, []).append(m)
        return out

    found: dict[int, list[int]] = p.once("group_members", make, ("m_groups", "m_on_roll"))
    return found


def _members(c: Ctx, o: int) -> list[int]:
    return group_members(c.graph).get(o, [])


def no_leader(c: Ctx) -> list[Ref]:
    p = c.graph
    led = {
        g
        for m, groups in enumerate(p.m_groups)
        if p.m_on_roll[m] and "group_leader" in p.m_roles[m]
        for g in groups
    }
    return [("o", o) for o in _groups(c) if o not in led]


def no_leader_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    p, o = c.graph, ref[1]
    home = p.org_home_area[o]
    where = c.area_ctx(home) if home >= 0 else {}
    return {
        "id": p.org_id[o],
        "name": p.org_name[o],
        "branch": _branch(c, o),
        "members": len(_members(c, o)),
        "village": where.get("village"),
        "township": where.get("township"),
    }


# -- group_no_summary -----------------------------------------------------------------------------


def _summary_months(c: Ctx, o: int) -> frozenset[int]:
    """The months of o's records with a 月总结 (grouped once per projection)."""
    p = c.graph

    def make() -> dict[int, frozenset[int]]:
        out: dict[int, set[int]] = {}
        rows = zip(p.gr_org.tolist(), p.gr_month.tolist(), p.gr_summary.tolist(), strict=True)
        for g, mi, done in rows:
            if done:
                out.setdefault(g, set()).add(mi)
        return {g: frozenset(ms) for g, ms in out.items()}

    by_org = p.once("gr_summary_months", make, ("gr_org", "gr_month", "gr_summary"))
    found: frozenset[int] = by_org.get(o, frozenset())
    return found


def _no_summary(c: Ctx, o: int) -> list[str]:
    done = _summary_months(c, o)
    return [
        q.label
        for q in _checked(c, o, life.checked_months(c))
        if (q.first // 10_000) * 12 + q.first // 100 % 100 - 1 not in done
    ]


def no_summary(c: Ctx) -> list[Ref]:
    if not has_records(c):
        return []
    p = c.graph
    months = life.checked_months(c)
    done = p.gr_summary.astype(bool)
    hits = [
        done & (p.gr_month == (q.first // 10_000) * 12 + q.first // 100 % 100 - 1) for q in months
    ]
    missing = _missing(c, months, hits)
    return [("o", o) for o in _groups(c) if missing[o]]


def _missing(c: Ctx, periods: list[Period], hits: list[Any]) -> Any:
    """Per org: whether a period `_checked` checks for it has no record among `hits` (per
    period, a mask over the group records): `_no_summary` / `_no_inspection` for every group
    at once (a city has ~8k groups)."""
    p = c.graph
    n = len(p.org_id)
    if not periods:
        return np.zeros(n, dtype=bool)
    counts = np.stack([np.bincount(p.gr_org[h], minlength=n)[:n] for h in hits], axis=1)
    return life.short_periods(p, periods, records_begin(c), counts, 1)


def no_summary_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    o = ref[1]
    md = (c.day.as_of // 10_000) * 12 + c.day.as_of // 100 % 100 - 1
    done = [mi for mi in _summary_months(c, o) if mi <= md]
    return {
        "id": c.graph.org_id[o],
        "name": c.graph.org_name[o],
        "branch": _branch(c, o),
        "missed": _no_summary(c, o),
        "last": month_label(max(done)) if done else None,
    }


# -- group_no_inspection --------------------------------------------------------------------------


def _inspected(c: Ctx, o: int) -> Any:
    """The days (YYYYMMDD) o's records were inspected on, in record order (grouped once)."""
    p = c.graph

    def make() -> dict[int, Any]:
        keep = p.gr_inspected > 0
        orgs, days = p.gr_org[keep], p.gr_inspected[keep]
        if not len(orgs):
            return {}
        order = np.argsort(orgs, kind="stable")
        found, starts = np.unique(orgs[order], return_index=True)
        return dict(zip(found.tolist(), np.split(days[order], starts[1:]), strict=True))

    by_org = p.once("gr_inspected_days", make, ("gr_org", "gr_inspected"))
    return by_org.get(o, _NO_DAYS)


def _no_inspection(c: Ctx, o: int) -> list[str]:
    on = _inspected(c, o)
    return [
        q.label
        for q in _checked(c, o, life.checked_quarters(c))
        if not ((on >= q.first) & (on <= q.last)).any()
    ]


def no_inspection(c: Ctx) -> list[Ref]:
    if not has_records(c):
        return []
    p = c.graph
    quarters = life.checked_quarters(c)
    on = p.gr_inspected  # 0: not inspected, never inside a quarter
    missing = _missing(c, quarters, [(on >= q.first) & (on <= q.last) for q in quarters])
    return [("o", o) for o in _groups(c) if missing[o]]


def no_inspection_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    o = ref[1]
    on = _inspected(c, o)
    on = on[on <= c.day.as_of]
    return {
        "id": c.graph.org_id[o],
        "name": c.graph.org_name[o],
        "branch": _branch(c, o),
        "missed": _no_inspection(c, o),
        "last": iso(int(on.max())) if len(on) else None,
    }
