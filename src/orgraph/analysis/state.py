"""Everything the rules derive from the projection for one `as_of` date.

Each value is computed on first use, and with it the projection fields it was computed from
(its *reads*, recorded as it runs, not declared: analysis/tracking.py). An engine caught up
from the change log keeps the values whose reads the catch-up left as they were, and a rule's
count is kept the same way (docs/design.md#change-log, "what a catch-up keeps").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from orgraph.analysis.projection import BoolArray, IntArray, Projection, distinct, ordinal
from orgraph.analysis.tracking import Tracker, View, tracked
from orgraph.policy import Policy

if TYPE_CHECKING:
    # computed on first use by __getattr__ (what each holds is said at its maker below)
    class _Values:
        away: BoolArray  # per member
        at_home: BoolArray
        exempt: BoolArray
        age: IntArray  # -1 when unknown
        active_contact: BoolArray  # per contact
        covered: BoolArray  # per household
        contacts_away: IntArray  # per household: active contacts from on-roll members away
        member_households: IntArray  # per member: distinct households with an active contact
        active_resp: BoolArray  # per responsibility
        # members away (docs/rules.md "Members away"); per member, meaningful where away
        current: IntArray  # index of the current outflow episode, -1 when not away
        last_report: IntArray  # YYYYMMDD of the last report in the current episode, 0 for none
        quiet: IntArray  # days since the last report (or the departure), -1 when not away
        attached: BoolArray
        # members' last sign of life (analysis/life.py)
        last_life: IntArray  # YYYYMMDD of the latest meeting attended by D, 0 for none
        last_paid_to: IntArray  # year*12+month-1 of the latest month paid by D, -1 for none
        last_paid_on: IntArray  # YYYYMMDD of the latest payment known by D, 0 for none
else:
    _Values = object


class DayState(_Values):
    """The values the rules read for one day, each computed on first use with its reads."""

    def __init__(self, p: Projection, as_of: int, policy: Policy) -> None:
        self.as_of = as_of  # YYYYMMDD
        self._p = p
        self._policy = policy
        # per computed value: the projection fields it was computed from
        self.reads: dict[str, frozenset[str]] = {}

    def __getattr__(self, name: str) -> Any:
        make = _MAKERS.get(name)
        if make is None:
            raise AttributeError(name)
        tracker = Tracker()
        with tracker.frame() as reads:
            values = make(
                tracked(self._p, tracker), DayReads(self, tracker), self.as_of, self._policy
            )
        for key, value in values.items():
            # set before the reads: a reader that finds the value finds its reads (a race of
            # two threads computing the same value gives two equal values, either one kept)
            self.reads[key] = frozenset(reads)
            self.__dict__[key] = value
        return self.__dict__[name]

    def computed(self) -> list[str]:
        return [name for name in _MAKERS if name in self.__dict__ and name in self.reads]

    def keep(self, old: DayState, changed: frozenset[str]) -> None:
        """Take `old`'s values (of the same day, on the projection before a catch-up) whose
        reads are not among the `changed` fields."""
        for name in old.computed():
            reads = old.reads[name]
            if reads.isdisjoint(changed):
                self.reads[name] = reads
                self.__dict__[name] = old.__dict__[name]


class DayReads(View):
    """A day's values as a computation reads them: each read adds that value's reads."""

    __slots__ = ("_day", "_tracker")

    def __init__(self, day: DayState, tracker: Tracker) -> None:
        self._day, self._tracker = day, tracker
        tracker.watch(self)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._day, name)
        reads = self._day.reads.get(name)  # None: not a computed value (as_of: a constant)
        if reads is not None:
            self._tracker.add(reads)
            self.__dict__[name] = value  # until the next frame begins (Tracker)
        return value


Maker = Callable[[Projection, Any, int, Policy], dict[str, Any]]


def _current(p: Projection, d: Any, as_of: int, policy: Policy) -> dict[str, Any]:
    """Per member: the open episode with the latest departure, or -1."""
    current = np.full(len(p.m_key), -1, dtype=np.int64)
    idx = np.flatnonzero(p.open_outflows(as_of))
    if len(idx):
        idx = idx[np.lexsort((p.o_left[idx], p.o_member[idx]))]
        members = p.o_member[idx]
        last = np.ones(len(idx), dtype=bool)
        np.not_equal(members[1:], members[:-1], out=last[:-1])
        current[members[last]] = idx[last]
    return {"current": current}


def _away(p: Projection, d: Any, as_of: int, policy: Policy) -> dict[str, Any]:
    return {"away": d.current >= 0}


def _at_home(p: Projection, d: Any, as_of: int, policy: Policy) -> dict[str, Any]:
    return {"at_home": p.m_on_roll & ~d.away}


def _age(p: Projection, d: Any, as_of: int, policy: Policy) -> dict[str, Any]:
    return {"age": np.where(p.m_birth > 0, (as_of - p.m_birth) // 10_000, -1)}


def _exempt(p: Projection, d: Any, as_of: int, policy: Policy) -> dict[str, Any]:
    known = p.m_birth > 0
    return {"exempt": p.m_on_roll & ((known & (d.age >= policy.exempt_age)) | p.m_elderly)}


def _active_contact(p: Projection, d: Any, as_of: int, policy: Policy) -> dict[str, Any]:
    return {"active_contact": (p.c_since <= as_of) & (p.c_until > as_of)}


def _covered(p: Projection, d: Any, as_of: int, policy: Policy) -> dict[str, Any]:
    covered = np.zeros(len(p.hh_area), dtype=bool)  # per household (hh_id is decoded lazily)
    c_member = p.c_member
    covered[p.c_house[d.active_contact & d.at_home[c_member]]] = True
    return {"covered": covered}


def _contacts_away(p: Projection, d: Any, as_of: int, policy: Policy) -> dict[str, Any]:
    nh = len(p.hh_area)
    width = max(nh, 1)
    c_member = p.c_member
    from_away = d.active_contact & p.m_on_roll[c_member] & d.away[c_member]
    away_pairs = distinct(c_member[from_away] * width + p.c_house[from_away])
    return {"contacts_away": np.bincount(away_pairs % width, minlength=nh).astype(np.int64)}


def _member_households(p: Projection, d: Any, as_of: int, policy: Policy) -> dict[str, Any]:
    width = max(len(p.hh_area), 1)
    active = d.active_contact
    pairs = distinct(p.c_member[active] * width + p.c_house[active])
    return {
        "member_households": np.bincount(pairs // width, minlength=len(p.m_key)).astype(np.int64)
    }


def _active_resp(p: Projection, d: Any, as_of: int, policy: Policy) -> dict[str, Any]:
    r_member = p.r_member
    return {"active_resp": (p.r_since <= as_of) & (p.r_until > as_of) & p.m_on_roll[r_member]}


NEVER_LEFT = 99_999_999  # the departure of a member who is not away: after every date


def _mobile(p: Projection, d: Any, as_of: int, policy: Policy) -> dict[str, Any]:
    current = d.current
    nm = len(current)
    away = current >= 0
    left = np.where(away, p.o_left[np.maximum(current, 0)] if len(p.o_left) else 0, NEVER_LEFT)
    last = np.zeros(nm, dtype=np.int64)
    rp_member = p.rp_member
    if len(rp_member):
        rp_on = p.rp_on
        ok = (rp_on <= as_of) & (rp_on >= left[rp_member])
        np.maximum.at(last, rp_member[ok], rp_on[ok])
    since = np.where(last > 0, last, left)
    quiet = np.where(away, ordinal(as_of) - ordinal(np.where(away, since, as_of)), -1)
    attached = np.zeros(nm, dtype=bool)
    at_member = p.at_member
    if len(at_member):
        at_since = p.at_since
        ok = (
            (at_since > 0)
            & (at_since <= as_of)
            & (p.at_until > as_of)
            & (at_since >= left[at_member])
        )
        attached[at_member[ok]] = True
    return {"last_report": last, "quiet": quiet.astype(np.int64), "attached": attached & away}


def _last_life(p: Projection, d: Any, as_of: int, policy: Policy) -> dict[str, Any]:
    from orgraph.analysis import life  # life's rules read the day: imported when first asked

    return {"last_life": life.day_last_life(p, as_of)}


def _last_dues(p: Projection, d: Any, as_of: int, policy: Policy) -> dict[str, Any]:
    from orgraph.analysis import life

    paid_to, paid_on = life.day_last_dues(p, as_of)
    return {"last_paid_to": paid_to, "last_paid_on": paid_on}


_MAKERS: dict[str, Maker] = {
    "current": _current,
    "away": _away,
    "at_home": _at_home,
    "age": _age,
    "exempt": _exempt,
    "active_contact": _active_contact,
    "covered": _covered,
    "contacts_away": _contacts_away,
    "member_households": _member_households,
    "active_resp": _active_resp,
    "last_report": _mobile,
    "quiet": _mobile,
    "attached": _mobile,
    "last_life": _last_life,
    "last_paid_to": _last_dues,
    "last_paid_on": _last_dues,
}
VALUES = tuple(_MAKERS)


def compute(p: Projection, as_of: int, policy: Policy) -> DayState:
    """The day's state: its values are computed as the rules first read them."""
    return DayState(p, as_of, policy)
