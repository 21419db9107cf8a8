"""The gap rules of organisational life, dues and the lost-contact ladder, and the branch ×
month grid (docs/rules.md "Organisational life and dues"); the shared computations are in
:mod:`orgraph.analysis.life`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from orgraph.analysis import life
from orgraph.analysis.context import Ctx, Ref
from orgraph.analysis.life import NONE, Period, add_months, iso, month_label
from orgraph.analysis.projection import Projection, org_member_counts
from orgraph.vocab import GROUP_KINDS, LIFE_BRANCH_KINDS, MEETING_TYPES

# -- orgs checked -----------------------------------------------------------------------------


def _checked(c: Ctx, kinds: frozenset[str]) -> list[int]:
    p = c.graph
    return [
        int(o)
        for o in np.flatnonzero(c.scope.orgs)
        if p.org_kind[o] in kinds and not p.org_external[o]
    ]


def branches(c: Ctx) -> list[int]:
    return _checked(c, LIFE_BRANCH_KINDS)


def groups(c: Ctx) -> list[int]:
    return _checked(c, GROUP_KINDS)


def periods_for(c: Ctx, o: int, periods: list[Period]) -> list[Period]:
    """The periods checked for org o: ending on or after the records begin, and wholly
    after the org was established."""
    begin = life.begin_life(c)
    est = int(c.graph.org_established[o])
    return [q for q in periods if q.last >= begin and est <= q.first]


def periods_for_all(c: Ctx, periods: list[Period]) -> list[Period]:
    """The periods periods_for could check for some org: those ending on or after the records
    begin (an org's establishment narrows them further, per org)."""
    begin = life.begin_life(c)
    return [q for q in periods if q.last >= begin]


def members_on_roll(p: Projection) -> Any:
    """Per org: on-roll members that BELONG_TO it (its committee size, docs/rules.md)."""

    def make() -> Any:
        return org_member_counts(p.m_branches, p.m_on_roll, None, len(p.org_id))[0]

    return p.once("life_members_on_roll", make, ("org_id", "m_branches", "m_on_roll"))


@dataclass(frozen=True)
class PeriodRule:
    """An org rule over periods: which orgs, which meeting type, which periods, how many
    meetings each period needs."""

    orgs: Callable[[Ctx], list[int]]
    type: str
    periods: Callable[[Ctx], list[Period]]
    need: Callable[[Ctx], int] = lambda c: 1
    applies: Callable[[Ctx, int], bool] = lambda c, o: True

    def missed(self, c: Ctx, o: int) -> tuple[list[str], int]:
        checked = periods_for(c, o, self.periods(c))
        dates = life._dates(c.graph, o, self.type)
        need = self.need(c)
        return [q.label for q in checked if life._in(dates, q) < need], len(checked)

    def find(self, c: Ctx) -> list[Ref]:
        if not life.has_life(c):
            return []
        missing = self.missing(c)
        return [("o", o) for o in self.orgs(c) if missing[o] and self.applies(c, o)]

    def missing(self, c: Ctx) -> Any:
        """Per org: whether `missed(c, o)` names a period, for every org at once (once per
        answer): a city has ~25k orgs, and a bisection per org and period was most of its
        summary."""
        found = c.once(f"life_missing:{self.type}", lambda: self._missing(c))
        return found

    def _missing(self, c: Ctx) -> Any:
        p = c.graph
        periods = periods_for_all(c, self.periods(c))
        n = len(p.org_id)
        if not periods:
            return np.zeros(n, dtype=bool)
        counts = life.meeting_counts(p, self.type, periods)
        return life.short_periods(p, periods, life.begin_life(c), counts, self.need(c))

    def item(self, c: Ctx, ref: Ref) -> dict[str, Any]:
        o = ref[1]
        p = c.graph
        missed, n = self.missed(c, o)
        dates = life._dates(p, o, self.type)
        upto = [d for d in dates if d <= c.day.as_of]
        home = p.org_home_area[o]
        where = c.area_ctx(home) if home >= 0 else {}
        out: dict[str, Any] = {
            "id": p.org_id[o],
            "name": p.org_name[o],
            "kind": p.org_kind[o],
            "village": where.get("village"),
            "township": where.get("township"),
            "missed": missed,
            "periods": n,
            "last": iso(upto[-1]) if upto else None,
        }
        return out


def _lecture_periods(c: Ctx) -> list[Period]:
    if c.policy.lecture_period == "year":
        return [life.checked_year(c)]
    return life.checked_quarters(c)


GENERAL = PeriodRule(branches, "general_meeting", life.checked_quarters)
COMMITTEE = PeriodRule(
    branches,
    "committee_meeting",
    life.checked_months,
    applies=lambda c, o: bool(members_on_roll(c.graph)[o] >= c.policy.committee_min_members),
)
THEME_DAY = PeriodRule(branches, "theme_day", life.checked_months)
LECTURES = PeriodRule(branches, "lecture", _lecture_periods, need=lambda c: c.policy.lecture_min)
LIFE_MEETING = PeriodRule(branches, "life_meeting", lambda c: [life.checked_year(c)])
APPRAISAL = PeriodRule(branches, "appraisal", lambda c: [life.checked_year(c)])
GROUP = PeriodRule(groups, "group_meeting", life.checked_months)


def committee_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    return {**COMMITTEE.item(c, ref), "members": int(members_on_roll(c.graph)[ref[1]])}


def lectures_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    return {**LECTURES.item(c, ref), "min": c.policy.lecture_min}


def group_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    parent = c.graph.org_parent[ref[1]]
    return {**GROUP.item(c, ref), "branch": c.org_brief(parent) if parent >= 0 else None}


# -- quorum -----------------------------------------------------------------------------------


def voting_members(p: Projection) -> list[Any]:
    """Per org: on-roll full members that BELONG_TO it or an org under it (sorted)."""

    def make() -> list[Any]:
        ok = p.m_on_roll & p.m_full
        return [people[ok[people]] for people in life._org_people(p)]

    found: list[Any] = p.once("life_voting", make, (*life.ORG_PEOPLE_READS, "m_on_roll", "m_full"))
    return found


def quorum(c: Ctx, k: int) -> tuple[str, int, int, bool]:
    """(basis, expected, present, lacking) of a general meeting (docs/rules.md "Quorum")."""
    p = c.graph
    exp, pres = int(p.k_expected[k]), int(p.k_present[k])
    if exp >= 0 and pres >= 0:
        return "figures", exp, pres, pres * 2 <= exp
    voting = voting_members(p)[int(p.k_org[k])]
    susp = p.m_suspended[voting]
    voting = voting[(susp == 0) | (susp > p.k_on[k])]  # a suspended member has no vote
    people, attended = life.meeting_people(p, k)
    if p.k_listed[k]:
        basis, here = "list", people[attended]
        present = int(np.isin(voting, here).sum())
    else:
        basis, gone = "absentees", people[~attended]
        present = len(voting) - int(np.isin(voting, gone).sum())
    return basis, len(voting), present, len(voting) > 0 and present * 2 <= len(voting)


def general_meetings(p: Projection) -> Any:
    """Per meeting: a 党员大会 held by an org that is neither a group nor external."""

    def make() -> Any:
        kinds_ok = np.array(
            [
                k not in GROUP_KINDS and not x
                for k, x in zip(p.org_kind, p.org_external, strict=True)
            ],
            dtype=bool,
        )
        general = np.array([t == "general_meeting" for t in p.k_type], dtype=bool)
        return general & kinds_ok[p.k_org] if len(p.k_org) else general

    return p.once("life_general_meetings", make, ("org_kind", "org_external", "k_type", "k_org"))


def precompute(p: Projection) -> None:
    """The per-projection caches a snapshot saves (snapshot._encode_derived) that the first
    summary computes: those of `life.precompute`, and the committee sizes, the voting members
    and the general meetings (a save runs while the first answer is computed, so it would
    otherwise save only the caches that answer had reached)."""
    life.precompute(p)
    members_on_roll(p)
    voting_members(p)
    general_meetings(p)


def _quorum_candidates(c: Ctx, *, any_scope: bool = False) -> list[int]:
    """The general meetings from the first day of the checked months through D, of orgs in
    scope (any org with `any_scope`)."""
    p = c.graph
    if not len(p.k_on):
        return []
    months = life.checked_months(c)
    start = months[0].first if months else c.day.as_of
    keep = general_meetings(p) & (p.k_on >= start) & (p.k_on <= c.day.as_of)
    if not any_scope:
        keep &= c.scope.orgs[p.k_org]
    return [int(k) for k in np.flatnonzero(keep)]


def no_quorum(c: Ctx) -> list[Ref]:
    if not life.has_life(c):
        return []
    return [("k", k) for k in _quorum_candidates(c) if quorum(c, k)[3]]


def quorum_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    p = c.graph
    k = ref[1]
    basis, expected, present, _ = quorum(c, k)
    return {
        "id": p.k_id[k],
        "org": c.org_brief(int(p.k_org[k])),
        "on": iso(int(p.k_on[k])),
        "topic": p.k_topic[k],
        "basis": basis,
        "expected": expected,
        "present": present,
    }


# -- members ----------------------------------------------------------------------------------


def _members(mask: Any) -> list[Ref]:
    return [("m", int(m)) for m in np.flatnonzero(mask)]


def _life_candidates(c: Ctx) -> Any:
    return c.members & c.graph.m_on_roll & ~c.day.exempt & ~life.suspended(c)


def no_life(c: Ctx) -> list[Ref]:
    if not life.has_life(c):
        return []
    n = life.life_months(c)
    band = (n >= c.policy.life_warn_months) & (n < c.policy.life_lapse_months)
    return _members(_life_candidates(c) & band)


def life_lapse(c: Ctx) -> list[Ref]:
    if not life.has_life(c):
        return []
    return _members(_life_candidates(c) & (life.life_months(c) >= c.policy.life_lapse_months))


def life_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    m = ref[1]
    return {
        **c.member_brief(m),
        "last_life": iso(int(life.last_life(c)[m])),
        "months": int(life.life_months(c)[m]),
    }


def _dues_candidates(c: Ctx) -> Any:
    return c.members & c.graph.m_on_roll & ~life.suspended(c)


def dues_arrears(c: Ctx) -> list[Ref]:
    if not life.has_dues(c):
        return []
    _, owed = life.months_owed(c)
    band = (owed >= c.policy.dues_warn_months) & (owed < c.policy.dues_lapse_months)
    return _members(_dues_candidates(c) & band)


def dues_lapse(c: Ctx) -> list[Ref]:
    if not life.has_dues(c):
        return []
    _, owed = life.months_owed(c)
    return _members(_dues_candidates(c) & (owed >= c.policy.dues_lapse_months))


def dues_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    m = ref[1]
    paid, _ = life.last_dues(c)
    start, owed = life.months_owed(c)
    return {
        **c.member_brief(m),
        "paid_to": month_label(int(paid[m])) if paid[m] != NONE else None,
        "since": month_label(int(start[m])),
        "months": int(owed[m]),
    }


# -- the lost-contact ladder ------------------------------------------------------------------


def _last_sign(c: Ctx) -> Any:
    _, paid_on = life.last_dues(c)
    return np.maximum(life.last_life(c), paid_on)


def lost_since(c: Ctx) -> Any:
    """Per member: the latest of the last sign of life, joining, and the records' start."""

    def make() -> Any:
        begins = []
        lb, db = life.begin_life(c), life.begin_dues(c)
        if lb != NONE:
            begins.append(lb)
        if db != NONE:
            begins.append(life._month_first(db))
        begin = min(begins) if begins else 0
        return np.maximum(np.maximum(_last_sign(c), life._joined(c.graph)), begin)

    return c.once("lost_since", make)


def _lost(c: Ctx) -> Any:
    quiet_long = c.day.away & (c.day.quiet >= c.policy.lost_days)
    return c.graph.m_lost_flag | quiet_long


def propose_suspension(c: Ctx) -> list[Ref]:
    if not life.has_any(c):
        return []
    since = lost_since(c)
    cand = c.members & c.graph.m_on_roll & _lost(c) & ~life.suspended(c)
    d = c.day.as_of
    n = c.policy.suspend_months
    return [(k, m) for k, m in _members(cand) if add_months(int(since[m]), n) <= d]


def _sign_fields(c: Ctx, m: int) -> dict[str, Any]:
    _, paid_on = life.last_dues(c)
    return {"last_life": iso(int(life.last_life(c)[m])), "last_dues": iso(int(paid_on[m]))}


def suspension_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    m = ref[1]
    since = int(lost_since(c)[m])
    return {
        **c.member_brief(m),
        "reason": "flagged" if c.graph.m_lost_flag[m] else "quiet",
        "lost_since": iso(since),
        "suspend_from": iso(add_months(since, c.policy.suspend_months)),
        **_sign_fields(c, m),
    }


def propose_removal(c: Ctx) -> list[Ref]:
    if not life.has_any(c):  # "no sign of life since" needs a ledger to look in
        return []
    p = c.graph
    cand = c.members & p.m_on_roll & life.suspended(c)
    d = c.day.as_of
    sign = _last_sign(c)
    n = c.policy.removal_months
    return [
        (k, m)
        for k, m in _members(cand)
        if add_months(int(p.m_suspended[m]), n) <= d and sign[m] <= p.m_suspended[m]
    ]


def removal_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    m = ref[1]
    on = int(c.graph.m_suspended[m])
    return {
        **c.member_brief(m),
        "suspended_on": iso(on),
        "remove_from": iso(add_months(on, c.policy.removal_months)),
        **_sign_fields(c, m),
    }


# -- the branch × month grid ------------------------------------------------------------------


def grid(c: Ctx, type_: str | None) -> dict[str, Any]:
    """docs/rules.md "Branch × month grid"."""
    p = c.graph
    months = life.checked_months(c)
    # (org, month) of the general meetings lacking a quorum, whatever the scope: a 党总支's
    # meeting marks the months of the branches it counts for.
    lacking: set[tuple[int, str]] = set()
    for k in _quorum_candidates(c, any_scope=True):
        if quorum(c, k)[3]:
            lacking.add((int(p.k_org[k]), month_label(_month_of(int(p.k_on[k])))))
    rows = []
    for o in sorted(branches(c) + groups(c), key=lambda o: p.org_id[o]):
        is_group = p.org_kind[o] in GROUP_KINDS
        monthly = "group_meeting" if is_group else (type_ or "theme_day")
        checked = {q.label for q in periods_for(c, o, months)} if life.has_life(c) else set()
        dates = life._dates(p, o, monthly)
        above = life._counting_orgs(p, o, "general_meeting")
        cells = []
        for q in months:
            count = _count_all(c, o, q)
            if q.label not in checked:
                state = "none"
            elif any((x, q.label) in lacking for x in above):
                state = "no_quorum"
            elif life._in(dates, q):
                state = "met"
            else:
                state = "missed"
            cells.append({"month": q.label, "state": state, "count": count})
        home = p.org_home_area[o]
        where = c.area_ctx(home) if home >= 0 else {}
        rows.append(
            {
                "org": {"id": p.org_id[o], "name": p.org_name[o], "kind": p.org_kind[o]},
                "village": where.get("village"),
                "township": where.get("township"),
                "cells": cells,
            }
        )
    return {"months": [q.label for q in months], "rows": rows}


def _month_of(d: int) -> int:
    return (d // 10_000) * 12 + d // 100 % 100 - 1


def _count_all(c: Ctx, o: int, q: Period) -> int:
    """Meetings in the period that count for org o, of any type."""
    p = c.graph
    memo: dict[int, list[int]] = p.once("life_all_dates", dict, life.DATES_READS)
    if o not in memo:
        memo[o] = sorted(d for t in MEETING_TYPES for d in life._dates(p, o, t))
    return life._in(memo[o], q)


def member_figures(c: Ctx, m: int) -> dict[str, Any]:
    """What the member rules read for one member at D (null where the records are missing)."""
    paid, paid_on = life.last_dues(c)
    _, owed = life.months_owed(c)
    has_life, has_dues = life.has_life(c), life.has_dues(c)
    return {
        "last_life": iso(int(life.last_life(c)[m])),
        "life_months": int(life.life_months(c)[m]) if has_life else None,
        "paid_to": month_label(int(paid[m])) if paid[m] != NONE else None,
        "last_dues": iso(int(paid_on[m])),
        "months_owed": int(owed[m]) if has_dues else None,
        "suspended_on": iso(int(c.graph.m_suspended[m])),
        "exempt": bool(c.day.exempt[m]),
    }
