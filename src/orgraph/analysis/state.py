"""Everything the rules derive from the projection for one `as_of` date, computed once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orgraph.analysis.projection import BoolArray, IntArray, Projection, distinct, ordinal
from orgraph.policy import Policy


@dataclass
class DayState:
    as_of: int  # YYYYMMDD
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


def _current_episodes(p: Projection, as_of: int, nm: int) -> IntArray:
    """Per member: the open episode with the latest departure, or -1."""
    current = np.full(nm, -1, dtype=np.int64)
    idx = np.flatnonzero(p.open_outflows(as_of))
    if len(idx):
        idx = idx[np.lexsort((p.o_left[idx], p.o_member[idx]))]
        members = p.o_member[idx]
        last = np.ones(len(idx), dtype=bool)
        np.not_equal(members[1:], members[:-1], out=last[:-1])
        current[members[last]] = idx[last]
    return current


def _mobile(p: Projection, as_of: int, current: IntArray) -> tuple[IntArray, IntArray, BoolArray]:
    nm = len(current)
    away = current >= 0
    left = np.where(away, p.o_left[np.maximum(current, 0)] if len(p.o_left) else 0, NEVER_LEFT)
    last = np.zeros(nm, dtype=np.int64)
    if len(p.rp_member):
        ok = (p.rp_on <= as_of) & (p.rp_on >= left[p.rp_member])
        np.maximum.at(last, p.rp_member[ok], p.rp_on[ok])
    since = np.where(last > 0, last, left)
    quiet = np.where(away, ordinal(as_of) - ordinal(np.where(away, since, as_of)), -1)
    attached = np.zeros(nm, dtype=bool)
    if len(p.at_member):
        ok = (
            (p.at_since > 0)
            & (p.at_since <= as_of)
            & (p.at_until > as_of)
            & (p.at_since >= left[p.at_member])
        )
        attached[p.at_member[ok]] = True
    return last, quiet.astype(np.int64), attached & away


NEVER_LEFT = 99_999_999  # the departure of a member who is not away: after every date


def compute(p: Projection, as_of: int, policy: Policy) -> DayState:
    nm, nh = len(p.m_key), len(p.hh_id)
    current = _current_episodes(p, as_of, nm)
    away = current >= 0
    at_home = p.m_on_roll & ~away

    known = p.m_birth > 0
    age = np.where(known, (as_of - p.m_birth) // 10_000, -1)
    exempt = p.m_on_roll & ((known & (age >= policy.exempt_age)) | p.m_elderly)

    active = (p.c_since <= as_of) & (p.c_until > as_of)
    covered = np.zeros(nh, dtype=bool)
    covered[p.c_house[active & at_home[p.c_member]]] = True
    width = max(nh, 1)
    from_away = active & p.m_on_roll[p.c_member] & away[p.c_member]
    away_pairs = distinct(p.c_member[from_away] * width + p.c_house[from_away])
    contacts_away = np.bincount(away_pairs % width, minlength=nh).astype(np.int64)

    pairs = distinct(p.c_member[active] * width + p.c_house[active])
    member_households = np.bincount(pairs // width, minlength=nm).astype(np.int64)

    active_resp = (p.r_since <= as_of) & (p.r_until > as_of) & p.m_on_roll[p.r_member]
    last, quiet, attached = _mobile(p, as_of, current)
    return DayState(
        as_of,
        away,
        at_home,
        exempt,
        age,
        active,
        covered,
        contacts_away,
        member_households,
        active_resp,
        current,
        last,
        quiet,
        attached,
    )
