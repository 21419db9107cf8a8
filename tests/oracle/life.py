"""The oracle of docs/rules.md "Organisational life and dues (组织生活、党费)", literally.

Computed from the settled county model (county_model.settle: the rosters plus the mobility
actions) with plain Python and datetime; nothing here reads the graph or imports
orgraph.analysis. Scope, exemption, "away" and "lost" are the existing oracle's (oracle.py,
mobile.py), which this wraps.

Readings chosen where docs/rules.md leaves room (each is in the oracle's report):
- `life_begin(D)` counts every meeting, `talk`s included ("the earliest on of any meeting").
- A `general_meeting` lacking a quorum still counts for `branch_no_general_meeting` (that rule
  asks for a counting meeting, not a valid one; the quorum is `meeting_no_quorum`'s business).
- `meeting_no_quorum`'s `expected` is the recorded 应到 figure when the basis is `figures`,
  else `voting` (also when only 应到 was recorded).
- `propose_removal`'s "meeting attended" leaves `talk` out, like every member rule.
- `last_dues` (ladder items) is the latest `on` (paid_on, or the paid_to month's first day)
  of the member's payments known at D.
- Grid: a group's monthly type is always `group_meeting` (the type asked for is the branches');
  the meetings that count for a group are the ones it held (the inheritance from above is
  stated for branches only); `no_quorum` is a counting `general_meeting` of the month lacking a
  quorum (a group's own 党员大会 is no quorum question, as in `meeting_no_quorum`) and takes
  precedence over `missed` as over `met`; `count` is the counting meetings of
  every type (talks held by the org included) and is given for `none` cells too.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from typing import Any

import networkx as nx

from .county_model import GROUP_KINDS, County, Dues, Meeting, Member
from .life_types import DUES_RULES, LIFE_POLICY, LIFE_RULE_TYPES, LIFE_RULES
from .oracle import Oracle, Scope

__all__ = ["DUES_RULES", "LIFE_POLICY", "LIFE_RULES", "LIFE_RULE_TYPES", "LifeRules"]

# The grid's `no_quorum` ("a general_meeting in the month lacking a quorum"): True reads it as
# a *counting* general meeting (a 党总支's 党员大会 lacking a quorum marks its branches' month,
# as it makes their month `met`); False as one held by the org itself. docs/rules.md does not
# say which; the engine reads it as True.
GRID_NO_QUORUM_INHERITED = True
CHECKED_BRANCH_KINDS = frozenset({"branch", "joint_branch", "mobile_branch"})
# Types that count for the branches below the org that held them.
INHERITED = frozenset({"general_meeting", "lecture", "theme_day"})

# -- dates ----------------------------------------------------------------------------------


def month_index(d: str) -> int:
    """A date (or YYYY-MM) as a month number."""
    return int(d[:4]) * 12 + int(d[5:7]) - 1


def month_label(i: int) -> str:
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def month_first(i: int) -> str:
    return f"{month_label(i)}-01"


def month_last(i: int) -> str:
    y, m = i // 12, i % 12 + 1
    return f"{month_label(i)}-{calendar.monthrange(y, m)[1]:02d}"


def whole_months(a: str, d: str) -> int:
    """(D.year − a.year) × 12 + (D.month − a.month), minus 1 when D.day < a.day."""
    n = month_index(d) - month_index(a)
    return n - 1 if int(d[8:10]) < int(a[8:10]) else n


def add_months(a: str, n: int) -> str:
    """The same day n months later, the last day of that month when it has no such day."""
    i = month_index(a) + n
    y, m = i // 12, i % 12 + 1
    day = min(int(a[8:10]), calendar.monthrange(y, m)[1])
    return dt.date(y, m, day).isoformat()


def latest(*values: str | None) -> str | None:
    return max((v for v in values if v), default=None)


class Period:
    """A month, quarter or year: label, first and last day."""

    def __init__(self, label: str, first: str, last: str) -> None:
        self.label, self.first, self.last = label, first, last

    def holds(self, on: str) -> bool:
        return self.first <= on <= self.last

    def __repr__(self) -> str:
        return self.label


def month_period(i: int) -> Period:
    return Period(month_label(i), month_first(i), month_last(i))


def quarter_period(first_month: int) -> Period:
    y, m = first_month // 12, first_month % 12
    return Period(f"{y}-Q{m // 3 + 1}", month_first(first_month), month_last(first_month + 2))


def year_period(y: int) -> Period:
    return Period(str(y), f"{y}-01-01", f"{y}-12-31")


def payment_on(p: Dues) -> str:
    """A payment's date: paid_on, or the first day of its paid_to month."""
    return p.paid_on or f"{p.paid_to}-01"


class LifeRules:
    def __init__(
        self, county: County, policy: dict[str, Any] | None = None, oracle: Oracle | None = None
    ) -> None:
        """The rules over `county` (as written: it is settled here) under `policy`; `oracle`, an
        Oracle over the same county and policy, is reused when given."""
        self.o = oracle or Oracle(county, {**LIFE_POLICY, **(policy or {})})
        self.p = self.o.p
        self.c = self.o.c  # settled
        self.orgs = self.o.orgs
        self.members = self.o.members
        self.above: dict[str, set[str]] = {
            oid: set(nx.ancestors(self.o.org_tree, oid)) for oid in self.orgs
        }
        self.below: dict[str, set[str]] = {
            oid: {oid} | set(nx.descendants(self.o.org_tree, oid)) for oid in self.orgs
        }
        self.attendance = {k.id: self._attendees(k) for k in self.c.meetings}

    # -- records ----------------------------------------------------------------------------

    def life_begin(self, d: str) -> str | None:
        return min((k.on for k in self.c.meetings if k.on <= d), default=None)

    def known(self, m: Member, d: str) -> list[Dues]:
        return [p for p in self.c.dues if p.member == m.member_no and payment_on(p) <= d]

    def dues_begin(self, d: str) -> str | None:
        return min((p.paid_to for p in self.c.dues if payment_on(p) <= d), default=None)

    def no_data(self, d: str) -> list[str]:
        life, dues = self.life_begin(d) is None, self.dues_begin(d) is None
        out = [t for t in LIFE_RULES if life] + [t for t in DUES_RULES if dues]
        if life and dues:
            out += ["propose_suspension", "propose_removal"]
        return out

    @staticmethod
    def suspended(m: Member, d: str) -> bool:
        return bool(m.suspended_on) and (m.suspended_on or "") <= d

    # -- periods ----------------------------------------------------------------------------

    def checked_months(self, d: str) -> list[int]:
        i = month_index(d)
        return list(range(i - self.p["life_months_back"], i))

    def checked_quarters(self, d: str) -> list[Period]:
        months = set(self.checked_months(d))
        out = []
        for i in sorted(months):
            if i % 3 == 0 and {i, i + 1, i + 2} <= months:
                out.append(quarter_period(i))
        return out

    def checked_year(self, d: str) -> Period:
        return year_period(int(d[:4]) - 1)

    def checked_for(self, oid: str, period: Period, d: str) -> bool:
        begin = self.life_begin(d)
        est = self.orgs[oid].established_on
        return begin is not None and period.last >= begin and (not est or est <= period.first)

    # -- counting meetings ------------------------------------------------------------------

    def counts_for(self, k: Meeting, oid: str) -> bool:
        """Held by the org, or (for a branch, not a group) an inherited type held above it."""
        if self.orgs[oid].kind in GROUP_KINDS:
            return k.org == oid
        return k.org == oid or (k.type in INHERITED and k.org in self.above[oid])

    def counting(self, oid: str, types: Iterable[str] | None) -> list[Meeting]:
        ts = None if types is None else set(types)
        return [
            k for k in self.c.meetings if (ts is None or k.type in ts) and self.counts_for(k, oid)
        ]

    def own(self, oid: str, t: str) -> list[Meeting]:
        return [k for k in self.c.meetings if k.org == oid and k.type == t]

    # -- attendance ---------------------------------------------------------------------------

    def expected_at(self, k: Meeting) -> set[str]:
        out = set()
        for m in self.c.members:
            if not m.on_roll:
                continue
            below = self.below.get(k.org, {k.org})
            if any(b in below for b in self.o.branches(m)) or m.group == k.org:
                out.add(m.member_no)
        for a in self.c.attends:
            if (
                a.org == k.org
                and (not a.since or a.since <= k.on)
                and (not a.until or a.until > k.on)
                and self.members[a.member].on_roll
            ):
                out.add(a.member)
        return out

    def _attendees(self, k: Meeting) -> set[str]:
        if k.attendees is not None:
            return set(k.attendees)
        return self.expected_at(k) - set(k.absentees or ())

    def last_life(self, m: Member, d: str) -> str | None:
        return max(
            (
                k.on
                for k in self.c.meetings
                if k.type != "talk" and k.on <= d and m.member_no in self.attendance[k.id]
            ),
            default=None,
        )

    def last_dues(self, m: Member, d: str) -> str | None:
        return max((payment_on(p) for p in self.known(m, d)), default=None)

    # -- quorum -----------------------------------------------------------------------------

    def voting(self, oid: str, on: str) -> set[str]:
        """On-roll full members of the org or below it, not suspended on the meeting's day."""
        return {
            m.member_no
            for m in self.c.members
            if m.on_roll
            and self.o.full(m)
            and any(b in self.below[oid] for b in self.o.branches(m))
            and not self.suspended(m, on)
        }

    def quorum_question(self, k: Meeting) -> bool:
        """A general meeting whose quorum is checked: held by any org but a group (or an
        external org), as in meeting_no_quorum."""
        kind = self.orgs[k.org].kind
        return k.type == "general_meeting" and kind not in GROUP_KINDS and kind != "external"

    def quorum(self, k: Meeting) -> tuple[str, int, int, bool]:
        """basis, expected, present, lacking a quorum."""
        if k.expected is not None and k.present is not None:
            return "figures", k.expected, k.present, k.present * 2 <= k.expected
        voting = self.voting(k.org, k.on)
        if k.attendees is not None:
            basis, present = "list", len(voting & set(k.attendees))
        else:
            basis, present = "absentees", len(voting - set(k.absentees or ()))
        return basis, len(voting), present, present * 2 <= len(voting) and len(voting) > 0

    # -- items ------------------------------------------------------------------------------

    def gaps(self, rule: str, scope: str | None, d: str) -> dict[str, dict[str, Any]]:
        s = self.o.scope(scope)
        return dict(sorted(getattr(self, "_" + rule)(s, d).items()))

    def summary(self, scope: str | None, d: str) -> dict[str, Any]:
        return {
            "counts": {t: len(self.gaps(t, scope, d)) for t in LIFE_RULE_TYPES},
            "no_data": self.no_data(d),
        }

    def _org_item(self, oid: str) -> dict[str, Any]:
        o = self.orgs[oid]
        home = self.o.org_home_area(oid)
        return {
            "name": o.name,
            "kind": o.kind,
            "village": self.o.ancestor_at(home, "village") if home else None,
            "township": self.o.ancestor_at(home, "township") if home else None,
        }

    def checked_orgs(self, s: Scope, kinds: frozenset[str]) -> list[str]:
        return sorted(
            oid
            for oid in s.orgs
            if self.orgs[oid].kind in kinds and self.orgs[oid].kind != "external"
        )

    def _period_rule(
        self,
        s: Scope,
        d: str,
        kinds: frozenset[str],
        periods: list[Period],
        meetings: Any,
        need: int = 1,
        extra: Any = None,
    ) -> dict[str, dict[str, Any]]:
        """Orgs of `kinds` in scope with a checked period holding fewer than `need` of
        `meetings(oid)`."""
        out: dict[str, dict[str, Any]] = {}
        if self.life_begin(d) is None:
            return out
        for oid in self.checked_orgs(s, kinds):
            if extra is not None and extra(oid) is None:
                continue
            ks = meetings(oid)
            checked = [p for p in periods if self.checked_for(oid, p, d)]
            missed = [p.label for p in checked if sum(1 for k in ks if p.holds(k.on)) < need]
            if missed:
                out[oid] = {
                    **self._org_item(oid),
                    "periods": len(checked),
                    "missed": missed,
                    "last": max((k.on for k in ks if k.on <= d), default=None),
                    **(extra(oid) if extra is not None else {}),
                }
        return out

    def _months(self, d: str) -> list[Period]:
        return [month_period(i) for i in self.checked_months(d)]

    def _branch_no_general_meeting(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        return self._period_rule(
            s,
            d,
            CHECKED_BRANCH_KINDS,
            self.checked_quarters(d),
            lambda oid: self.counting(oid, ["general_meeting"]),
        )

    def branch_members(self, oid: str) -> int:
        return sum(1 for m in self.c.members if m.on_roll and oid in self.o.branches(m))

    def _branch_no_committee_meeting(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        def extra(oid: str) -> dict[str, Any] | None:
            n = self.branch_members(oid)
            return {"members": n} if n >= self.p["committee_min_members"] else None

        return self._period_rule(
            s,
            d,
            CHECKED_BRANCH_KINDS,
            self._months(d),
            lambda oid: self.own(oid, "committee_meeting"),
            extra=extra,
        )

    def _branch_no_theme_day(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        return self._period_rule(
            s,
            d,
            CHECKED_BRANCH_KINDS,
            self._months(d),
            lambda oid: self.counting(oid, ["theme_day"]),
        )

    def _branch_few_lectures(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        periods = (
            [self.checked_year(d)]
            if self.p["lecture_period"] == "year"
            else self.checked_quarters(d)
        )
        return self._period_rule(
            s,
            d,
            CHECKED_BRANCH_KINDS,
            periods,
            lambda oid: self.counting(oid, ["lecture"]),
            need=self.p["lecture_min"],
            extra=lambda oid: {"min": self.p["lecture_min"]},
        )

    def _branch_no_life_meeting(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        return self._period_rule(
            s,
            d,
            CHECKED_BRANCH_KINDS,
            [self.checked_year(d)],
            lambda oid: self.own(oid, "life_meeting"),
        )

    def _branch_no_appraisal(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        return self._period_rule(
            s,
            d,
            CHECKED_BRANCH_KINDS,
            [self.checked_year(d)],
            lambda oid: self.own(oid, "appraisal"),
        )

    def _group_no_meeting(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        return self._period_rule(
            s,
            d,
            GROUP_KINDS,
            self._months(d),
            lambda oid: self.own(oid, "group_meeting"),
            extra=lambda oid: {"branch": self.orgs[oid].parent},
        )

    def _meeting_no_quorum(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        months = self.checked_months(d)
        start = month_first(months[0]) if months else d
        out = {}
        for k in self.c.meetings:
            if not self.quorum_question(k) or k.org not in s.orgs:
                continue
            if not start <= k.on <= d:
                continue
            basis, expected, present, lacking = self.quorum(k)
            if lacking:
                out[k.id] = {
                    "org": k.org,
                    "on": k.on,
                    "topic": k.topic,
                    "basis": basis,
                    "expected": expected,
                    "present": present,
                }
        return out

    # -- members ------------------------------------------------------------------------------

    def members_in(self, s: Scope) -> list[Member]:
        return [m for m in self.o.members_in(s) if m.on_roll]

    def life_months(self, m: Member, d: str) -> tuple[str | None, int]:
        last = self.last_life(m, d)
        base = latest(last, m.joined_on, self.life_begin(d))
        assert base is not None
        return last, whole_months(base, d)

    def _member_life(self, s: Scope, d: str, lapse: bool) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        if self.life_begin(d) is None:
            return out
        warn, lap = self.p["life_warn_months"], self.p["life_lapse_months"]
        for m in self.members_in(s):
            if self.o.exempt(m, d) or self.suspended(m, d):
                continue
            last, n = self.life_months(m, d)
            if (n >= lap) if lapse else (warn <= n < lap):
                out[m.member_no] = {
                    "name": m.name,
                    "branch": m.branch,
                    "last_life": last,
                    "months": n,
                }
        return out

    def _member_no_life(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        return self._member_life(s, d, lapse=False)

    def _member_life_lapse(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        return self._member_life(s, d, lapse=True)

    def owed(self, m: Member, d: str) -> tuple[str | None, int, int]:
        """paid_to, the first month owed (a month number), months_owed."""
        begin = self.dues_begin(d)
        assert begin is not None
        paid_to = max((p.paid_to for p in self.known(m, d)), default=None)
        firsts = [month_index(begin)]
        if paid_to is not None:
            firsts.append(month_index(paid_to) + 1)
        if m.joined_on:
            firsts.append(month_index(m.joined_on))
        first = max(firsts)
        return paid_to, first, max(0, month_index(d) - first)

    def _dues(self, s: Scope, d: str, lapse: bool) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        if self.dues_begin(d) is None:
            return out
        warn, lap = self.p["dues_warn_months"], self.p["dues_lapse_months"]
        for m in self.members_in(s):
            if self.suspended(m, d):
                continue
            paid_to, first, n = self.owed(m, d)
            if (n >= lap) if lapse else (warn <= n < lap):
                out[m.member_no] = {
                    "name": m.name,
                    "branch": m.branch,
                    "paid_to": paid_to,
                    "since": month_label(first),
                    "months": n,
                }
        return out

    def _dues_arrears(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        return self._dues(s, d, lapse=False)

    def _dues_lapse(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        return self._dues(s, d, lapse=True)

    # -- the ladder ---------------------------------------------------------------------------

    def last_sign(self, m: Member, d: str) -> str | None:
        return latest(self.last_life(m, d), *(payment_on(p) for p in self.known(m, d)))

    def lost_since(self, m: Member, d: str) -> str | None:
        life, dues = self.life_begin(d), self.dues_begin(d)
        begins = [x for x in (life, f"{dues}-01" if dues else None) if x]
        return latest(self.last_sign(m, d), m.joined_on, min(begins) if begins else None)

    def _propose_suspension(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        if self.life_begin(d) is None and self.dues_begin(d) is None:
            return out
        for m in self.members_in(s):
            if not self.o.lost(m, d) or self.suspended(m, d):
                continue
            since = self.lost_since(m, d)
            assert since is not None
            until = add_months(since, self.p["suspend_months"])
            if until <= d:
                out[m.member_no] = {
                    "name": m.name,
                    "branch": m.branch,
                    "reason": "flagged" if self.o.flagged(m) else "quiet",
                    "lost_since": since,
                    "suspend_from": until,
                    "last_life": self.last_life(m, d),
                    "last_dues": self.last_dues(m, d),
                }
        return out

    def _propose_removal(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        if self.life_begin(d) is None and self.dues_begin(d) is None:
            return out  # "no sign of life since" needs a ledger to look in
        for m in self.members_in(s):
            if not self.suspended(m, d):
                continue
            assert m.suspended_on is not None
            until = add_months(m.suspended_on, self.p["removal_months"])
            if until > d:
                continue
            life = self.last_life(m, d)
            dues = self.last_dues(m, d)
            if any(x is not None and x > m.suspended_on for x in (life, dues)):
                continue
            out[m.member_no] = {
                "name": m.name,
                "branch": m.branch,
                "suspended_on": m.suspended_on,
                "remove_from": until,
                "last_life": life,
                "last_dues": dues,
            }
        return out

    # -- the grid -----------------------------------------------------------------------------

    def life_grid(self, scope: str | None, d: str, type_: str | None = None) -> dict[str, Any]:
        s = self.o.scope(scope)
        months = self._months(d)
        rows = []
        for oid in self.checked_orgs(s, CHECKED_BRANCH_KINDS | GROUP_KINDS):
            group = self.orgs[oid].kind in GROUP_KINDS
            monthly = "group_meeting" if group else (type_ or "theme_day")
            ks = self.counting(oid, None)
            cells = []
            for p in months:
                here = [k for k in ks if p.holds(k.on)]
                if not self.checked_for(oid, p, d):
                    state = "none"
                elif any(
                    k.type == "general_meeting"
                    and (GRID_NO_QUORUM_INHERITED or k.org == oid)
                    and self.quorum_question(k)
                    and self.quorum(k)[3]
                    for k in here
                ):
                    state = "no_quorum"
                elif any(k.type == monthly for k in here):
                    state = "met"
                else:
                    state = "missed"
                cells.append({"month": p.label, "state": state, "count": len(here)})
            o = self.orgs[oid]
            rows.append({"org": {"id": oid, "name": o.name, "kind": o.kind}, "cells": cells})
        return {"months": [p.label for p in months], "rows": rows}
