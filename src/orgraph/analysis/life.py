"""Organisational life, dues and the lost-contact ladder over the projection (docs/rules.md
"Organisational life and dues (组织生活、党费)").

Everything per meeting that does not depend on the date asked (who attended each meeting,
which meetings count for which org) is computed once per projection; per answer only the
periods and the per-member maxima are.
"""

from __future__ import annotations

import calendar
import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from orgraph.analysis.context import Ctx
from orgraph.analysis.projection import Projection, day, distinct
from orgraph.vocab import (
    GROUP_KINDS,
    INHERITED_MEETING_TYPES,
    NOT_LIFE_TYPES,
)

NONE = -1  # no date / no month


# -- dates and periods ------------------------------------------------------------------------


def _date(d: int) -> dt.date:
    return dt.date(d // 10_000, d // 100 % 100, d % 100)


def _int(d: dt.date) -> int:
    return d.year * 10_000 + d.month * 100 + d.day


def iso(d: int) -> str | None:
    return _date(d).isoformat() if d > 0 else None


def month_label(mi: int) -> str:
    return f"{mi // 12:04d}-{mi % 12 + 1:02d}"


def _month_first(mi: int) -> int:
    return (mi // 12) * 10_000 + (mi % 12 + 1) * 100 + 1


def _month_last(mi: int) -> int:
    y, m = mi // 12, mi % 12 + 1
    return y * 10_000 + m * 100 + calendar.monthrange(y, m)[1]


def add_months(d: int, n: int) -> int:
    """d + n months: the same day, or the last day of a shorter month."""
    mi = (d // 10_000) * 12 + d // 100 % 100 - 1 + n
    y, m = mi // 12, mi % 12 + 1
    return y * 10_000 + m * 100 + min(d % 100, calendar.monthrange(y, m)[1])


def whole_months(a: int, d: int) -> int:
    """Whole months from date a to date d (docs/rules.md "whole months")."""
    n = (d // 10_000 - a // 10_000) * 12 + (d // 100 % 100 - a // 100 % 100)
    return n - (1 if d % 100 < a % 100 else 0)


def _whole_months(a: Any, d: int) -> Any:
    n = (d // 10_000 - a // 10_000) * 12 + (d // 100 % 100 - a // 100 % 100)
    return n - (d % 100 < a % 100).astype(np.int64)


@dataclass(frozen=True)
class Period:
    label: str
    first: int  # YYYYMMDD
    last: int


def _month(mi: int) -> Period:
    return Period(month_label(mi), _month_first(mi), _month_last(mi))


def checked_months(c: Ctx) -> list[Period]:
    """The `life_months_back` completed months ending with the month before D's (once per
    answer: every org's rule reads them)."""
    md = (c.day.as_of // 10_000) * 12 + c.day.as_of // 100 % 100 - 1
    back = c.policy.life_months_back
    found: list[Period] = c.once(
        "life_checked_months", lambda: [_month(mi) for mi in range(md - back, md)]
    )
    return found


def checked_quarters(c: Ctx) -> list[Period]:
    found: list[Period] = c.once("life_checked_quarters", lambda: _quarters(c))
    return found


def _quarters(c: Ctx) -> list[Period]:
    months = checked_months(c)
    if not months:
        return []
    lo = (months[0].first // 10_000) * 12 + months[0].first // 100 % 100 - 1
    hi = lo + len(months) - 1
    out = []
    for q in range((lo + 2) // 3, hi // 3 + 1):
        a, b = 3 * q, 3 * q + 2
        if a >= lo and b <= hi:
            out.append(Period(f"{q // 4:04d}-Q{q % 4 + 1}", _month_first(a), _month_last(b)))
    return out


def checked_year(c: Ctx) -> Period:
    y = c.day.as_of // 10_000 - 1
    return Period(str(y), y * 10_000 + 101, y * 10_000 + 1231)


# -- records begin ----------------------------------------------------------------------------


def life_begin(c: Ctx) -> int:
    """The earliest meeting date on or before D; NONE when there is none."""
    on = c.graph.k_on
    known = on[on <= c.day.as_of]
    return int(known.min()) if len(known) else NONE


def dues_begin(c: Ctx) -> int:
    """The earliest month paid up to by a payment known at D (a month index); NONE."""
    p = c.graph
    known = p.d_month[p.d_on <= c.day.as_of]
    return int(known.min()) if len(known) else NONE


def begin_life(c: Ctx) -> int:
    """life_begin(D), once per answer."""
    found: int = c.once("life_begin", lambda: life_begin(c))
    return found


def begin_dues(c: Ctx) -> int:
    """dues_begin(D), once per answer."""
    found: int = c.once("dues_begin", lambda: dues_begin(c))
    return found


def has_life(c: Ctx) -> bool:
    return begin_life(c) != NONE


def has_dues(c: Ctx) -> bool:
    return begin_dues(c) != NONE


def has_any(c: Ctx) -> bool:
    return has_life(c) or has_dues(c)


# -- per projection: meetings by org and type, attendance ---------------------------------------


def _ancestors(p: Projection, o: int) -> list[int]:
    out, seen = [], {o}
    i = p.org_parent[o]
    while i >= 0 and i not in seen:
        out.append(i)
        seen.add(i)
        i = p.org_parent[i]
    return out


# The fields each per-projection value below is computed from (Projection.once): a catch-up
# keeps the value while none of them changed.
BY_ORG_TYPE_READS = ("k_org", "k_type", "k_on")
DATES_READS = (*BY_ORG_TYPE_READS, "org_kind", "org_parent")  # _counting_orgs: the ancestors
ORG_PEOPLE_READS = ("org_id", "org_children", "m_branches", "m_groups")
ATTENDANCE_READS = (
    *ORG_PEOPLE_READS,
    "k_id",
    "k_org",
    "k_on",
    "k_listed",
    "kp_member",
    "kp_meeting",
    "kp_attended",
    "at_member",
    "at_org",
    "at_since",
    "at_until",
)


def _by_org_type(p: Projection) -> dict[tuple[int, str], list[int]]:
    """(org, type) → the dates of its meetings, sorted."""

    def make() -> dict[tuple[int, str], list[int]]:
        out: dict[tuple[int, str], list[int]] = defaultdict(list)
        for k, (o, t) in enumerate(zip(p.k_org.tolist(), p.k_type, strict=True)):
            out[(o, t)].append(int(p.k_on[k]))
        for dates in out.values():
            dates.sort()
        return dict(out)

    found: dict[tuple[int, str], list[int]] = p.once("life_by_org_type", make, BY_ORG_TYPE_READS)
    return found


def _counting_orgs(p: Projection, o: int, type_: str) -> list[int]:
    """The orgs whose meetings of `type_` count for org o (docs/rules.md "Which meetings
    count for an org")."""
    if type_ in INHERITED_MEETING_TYPES and p.org_kind[o] not in GROUP_KINDS:
        return [o, *_ancestors(p, o)]
    return [o]


def _dates(p: Projection, o: int, type_: str) -> list[int]:
    """The sorted dates of the meetings of `type_` that count for org o (memoised per
    projection: every answer's rules ask again)."""
    memo: dict[tuple[int, str], list[int]] = p.once("life_counting_dates", dict, DATES_READS)
    found = memo.get((o, type_))
    if found is None:
        table = _by_org_type(p)
        orgs = _counting_orgs(p, o, type_)
        found = sorted(d for x in orgs for d in table.get((x, type_), ()))
        memo[(o, type_)] = found
    return found


def meeting_counts(p: Projection, type_: str, periods: list[Period]) -> Any:
    """Per org and period: how many meetings of `type_` that count for the org (as `_dates`
    gives them) fall in the period: each org's own, plus for an inherited type and an org
    that is not a group those of all its ancestors."""
    n = len(p.org_id)
    of_type = meetings_of_type(p, type_)
    on = np.asarray(p.k_on)
    counts = np.zeros((n, len(periods)), dtype=np.int64)
    for j, q in enumerate(periods):
        held = of_type & (on >= q.first) & (on <= q.last)
        counts[:, j] = np.bincount(np.asarray(p.k_org)[held], minlength=n)[:n]
    if type_ not in INHERITED_MEETING_TYPES:
        return counts
    levels, loose = _org_levels(p)
    up = counts.copy()  # each org's count plus all its ancestors'
    for level in levels[1:]:
        up[level] += up[np.asarray(p.org_parent)[level]]
    for o in loose:  # an org in a parent cycle (never imported so): its ancestors one by one
        up[o] = counts[[o, *_ancestors(p, o)]].sum(axis=0)
    group = _is_group(p)
    out: Any = np.where(group[:, None], counts, up)
    return out


def short_periods(p: Projection, periods: list[Period], begin: int, counts: Any, need: int) -> Any:
    """Per org: whether a period checked for it (ending on or after `begin`, wholly after the
    org was established) has fewer than `need` of `counts` (per org and period)."""
    first = np.array([q.first for q in periods], dtype=np.int64)
    last = np.array([q.last for q in periods], dtype=np.int64)
    checked = (last >= begin)[None, :] & (np.asarray(p.org_established)[:, None] <= first[None, :])
    short: Any = (checked & (counts < need)).any(axis=1)
    return short


def meetings_of_type(p: Projection, type_: str) -> Any:
    """Per meeting: whether it is of `type_` (the types coded once per projection)."""

    def make() -> tuple[dict[str, int], Any]:
        codes = {t: i for i, t in enumerate(dict.fromkeys(p.k_type))}
        per = np.fromiter(map(codes.__getitem__, p.k_type), np.int64, count=len(p.k_type))
        return codes, per

    codes, per = p.once("life_type_codes", make, ("k_type",))
    return per == codes.get(type_, -1)


def _org_levels(p: Projection) -> tuple[list[Any], list[int]]:
    """The orgs by depth from the roots (parents before children), and those no root reaches
    (a cycle of parents)."""

    def make() -> tuple[list[Any], list[int]]:
        parent = p.org_parent
        level = [o for o in range(len(parent)) if parent[o] < 0]
        seen = set(level)
        levels = []
        while level:
            levels.append(np.array(level, dtype=np.int64))
            level = [k for o in level for k in p.org_children[o] if k not in seen]
            seen.update(level)
        return levels, [o for o in range(len(parent)) if o not in seen]

    found: tuple[list[Any], list[int]] = p.once(
        "org_levels", make, ("org_id", "org_parent", "org_children")
    )
    return found


def _is_group(p: Projection) -> Any:
    return p.once(
        "org_is_group",
        lambda: np.fromiter((k in GROUP_KINDS for k in p.org_kind), bool, len(p.org_kind)),
        ("org_kind",),
    )


def _in(dates: list[int], period: Period) -> int:
    return bisect_right(dates, period.last) - bisect_left(dates, period.first)


def _subtree(p: Projection, o: int) -> list[int]:
    out, stack = [], [o]
    seen = set()
    while stack:
        i = stack.pop()
        if i in seen:
            continue
        seen.add(i)
        out.append(i)
        stack.extend(p.org_children[i])
    return out


def _org_people(p: Projection) -> list[Any]:
    """Per org: members that BELONG_TO it or an org under it, or are IN_GROUP of it (any
    roll status), as a sorted array."""

    def make() -> list[Any]:
        direct: list[set[int]] = [set() for _ in p.org_id]
        for m, branches in enumerate(p.m_branches):
            for b in branches:
                direct[b].add(m)
        groups: list[set[int]] = [set() for _ in p.org_id]
        for m, grps in enumerate(p.m_groups):
            for g in grps:
                groups[g].add(m)
        out = []
        for o in range(len(p.org_id)):
            members = set(groups[o])
            for x in _subtree(p, o):
                members |= direct[x]
            out.append(np.array(sorted(members), dtype=np.int64))
        return out

    found: list[Any] = p.once("life_org_people", make, ORG_PEOPLE_READS)
    return found


def attendance(p: Projection) -> tuple[Any, Any]:
    """(member, meeting) pairs of every attendance (docs/rules.md "attended"): the listed
    attendees, and for meetings without a list every expected member not listed absent.
    Sorted by member, then meeting (first_secretaries bisects it by member)."""

    def make() -> tuple[Any, Any]:
        nk = max(len(p.k_id), 1)
        listed = p.kp_attended
        members = [p.kp_member[listed]]
        meetings = [p.kp_meeting[listed]]
        people = _org_people(p)
        open_k = np.flatnonzero(~p.k_listed)
        if len(open_k):
            orgs = p.k_org[open_k]
            sizes = np.array([len(people[o]) for o in orgs.tolist()], dtype=np.int64)
            if sizes.sum():
                members.append(np.concatenate([people[o] for o in orgs.tolist()]))
                meetings.append(np.repeat(open_k, sizes))
            # members attending the org (ATTENDS) active on the meeting's date: every
            # (ATTENDS link, open meeting of its org) pair, by a join on the org
            by_org = open_k[np.argsort(p.k_org[open_k], kind="stable")]
            their_org = p.k_org[by_org]
            lo = np.searchsorted(their_org, p.at_org, "left")
            n = np.searchsorted(their_org, p.at_org, "right") - lo
            link = np.repeat(np.arange(len(p.at_member)), n)
            k = by_org[np.repeat(lo, n) + np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)]
            on = p.k_on[k]
            active = (p.at_since[link] <= on) & (on < p.at_until[link])
            members.append(np.asarray(p.at_member[link[active]], dtype=np.int64))
            meetings.append(np.asarray(k[active], dtype=np.int64))
        who = np.concatenate(members)
        which = np.concatenate(meetings)
        code = distinct(who * nk + which)
        absent = ~p.kp_attended
        if absent.any():
            gone = p.kp_member[absent] * nk + p.kp_meeting[absent]
            unlisted = ~p.k_listed[p.kp_meeting[absent]]
            code = _without(code, distinct(gone[unlisted]))
        return (code // nk).astype(np.int64), (code % nk).astype(np.int64)

    found: tuple[Any, Any] = p.once("life_attendance", make, ATTENDANCE_READS)
    return found


def precompute(p: Projection) -> None:
    """Compute the per-projection caches a snapshot saves (snapshot._encode_derived) that
    every summary needs and a new process would otherwise compute first: who attended what
    (and the per-org member lists it is built from), the members' life dates and dates of
    joining, the group flags and the attendance links by meeting."""
    _life_pairs(p)
    _joined(p)
    _is_group(p)
    _people_by_meeting(p)


def _without(values: Any, drop: Any) -> Any:
    """`values` (sorted, distinct) less those in `drop` (sorted, distinct): a bisection per
    dropped value (np.isin's hash path took 0.65 s for a city's attendance)."""
    if not len(drop) or not len(values):
        return values
    at = np.searchsorted(values, drop)
    hit = at < len(values)
    hit[hit] = values[at[hit]] == drop[hit]
    keep = np.ones(len(values), dtype=bool)
    keep[at[hit]] = False
    return values[keep]


def meeting_people(p: Projection, k: int) -> tuple[Any, Any]:
    """The members a meeting's record names, and whether each attended (True) or was listed
    absent (False): one slice of the attendance links sorted by meeting, found by bisection."""
    by_meeting, member, attended = _people_by_meeting(p)
    lo, hi = np.searchsorted(by_meeting, [k, k + 1])
    return member[lo:hi], attended[lo:hi]


def _people_by_meeting(p: Projection) -> tuple[Any, Any, Any]:
    """The attendance links sorted by meeting: (meeting, member, attended)."""

    def make() -> tuple[Any, Any, Any]:
        order = np.argsort(p.kp_meeting, kind="stable")
        return p.kp_meeting[order], p.kp_member[order], p.kp_attended[order]

    found: tuple[Any, Any, Any] = p.once(
        "life_people_by_meeting", make, ("kp_meeting", "kp_member", "kp_attended")
    )
    return found


def _life_pairs(p: Projection) -> tuple[Any, Any]:
    """Attendance pairs of organisational life (not talks) as (member, date)."""

    def make() -> tuple[Any, Any]:
        m, k = attendance(p)
        life = np.array([t not in NOT_LIFE_TYPES for t in p.k_type], dtype=bool)
        ok = life[k] if len(k) else np.zeros(0, bool)
        return m[ok], p.k_on[k[ok]]

    found: tuple[Any, Any] = p.once("life_pairs", make, (*ATTENDANCE_READS, "k_type"))
    return found


# -- per answer: members' last life and dues --------------------------------------------------


def _joined(p: Projection) -> Any:
    found: Any = p.once(
        "life_joined",
        lambda: np.array([day(j, 0) for j in p.m_joined], dtype=np.int64),
        ("m_joined",),
    )
    return found


def last_life(c: Ctx) -> Any:
    """Per member: the latest date ≤ D of a meeting attended (0: none). A value of the day
    (state.py: kept with the day, across a catch-up that leaves the attendance)."""
    return c.day.last_life


def day_last_life(p: Projection, as_of: int) -> Any:
    m, on = _life_pairs(p)
    out = np.zeros(len(p.m_key), dtype=np.int64)
    ok = on <= as_of
    np.maximum.at(out, m[ok], on[ok])
    return out


def last_dues(c: Ctx) -> tuple[Any, Any]:
    """Per member: the latest month paid up to (NONE) and the latest payment date (0), over
    the payments known at D. A value of the day, as `last_life`."""
    return c.day.last_paid_to, c.day.last_paid_on


def day_last_dues(p: Projection, as_of: int) -> tuple[Any, Any]:
    n = len(p.m_key)
    month = np.full(n, NONE, dtype=np.int64)
    on = np.zeros(n, dtype=np.int64)
    ok = p.d_on <= as_of
    np.maximum.at(month, p.d_member[ok], p.d_month[ok])
    np.maximum.at(on, p.d_member[ok], p.d_on[ok])
    return month, on


def suspended(c: Ctx) -> Any:
    s = c.graph.m_suspended
    return (s > 0) & (s <= c.day.as_of)


def life_months(c: Ctx) -> Any:
    """Per member: whole months from life_base to D (docs/rules.md)."""

    def make() -> Any:
        base = np.maximum(
            np.maximum(last_life(c), _joined(c.graph)), c.once("life_begin", lambda: life_begin(c))
        )
        return _whole_months(base, c.day.as_of)

    return c.once("life_months", make)


def months_owed(c: Ctx) -> tuple[Any, Any]:
    """Per member: the first month owed (a month index) and the months owed through the
    month before D's."""

    def make() -> tuple[Any, Any]:
        paid, _ = last_dues(c)
        joined = _joined(c.graph)
        join_month = np.where(joined > 0, (joined // 10_000) * 12 + joined // 100 % 100 - 1, NONE)
        start = np.maximum(
            np.maximum(paid + 1, join_month), c.once("dues_begin", lambda: dues_begin(c))
        )
        last = (c.day.as_of // 10_000) * 12 + c.day.as_of // 100 % 100 - 2
        return start, np.maximum(0, last - start + 1)

    found: tuple[Any, Any] = c.once("months_owed", make)
    return found
