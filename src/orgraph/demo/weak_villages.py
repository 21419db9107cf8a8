"""The 软弱涣散 screening's planted weak villages (docs/rules.md "软弱涣散 screening (排查)"),
county and city scales.

Every village organisation the screening should list is planted with known causes, and every
other one is kept clear of the indicators' thresholds (under the default policy), so the
screening of the demo lists exactly the planted ones, each with its planted reasons:

  household_coverage  the villages planned with no household contacts (planted.plan), when
                      a member is able to take one (every member able to elsewhere holds
                      3–5; the one planted with too few is among five and more)
  term_expired        the villages planned with an expired term
  few_full_members    the small village (2 full members and a probationary one)
  chain_breaks        the villages without a township cadre, and the "normal" village (a
                      hamlet and a party group without a 村两委 member)
  life_irregular and  the weak (软弱涣散) villages: an open 整顿台账 episode, and their
  rectification_open  branches miss three 主题党日 and more (life.py)
  secretary_vacant    one village whose 书记 post is vacant: its 副书记 主持工作 (duties.py)
  members_lost        one village where enough members away stopped reporting (`plant_lost`),
                      and any village whose members away planted for the mobility rules alone
                      reach the threshold

`keep_quiet_below` runs on the reports as drawn: members away who are silent or lost by
chance (their reporting habit, mobility.py) in any other village are given a recent report
until the village is under `screen_lost_pct`. `record` writes the expected reasons, in the
screening's order (the policy's weights, then vocab.SCREEN_INDICATORS), into
demo_summary.json's "screening"; the acceptance test compares them with the engine's answer.
The tiny county has none of this (its few villages carry the gap cases, and no natural
meeting misses): its record is empty.
"""

from __future__ import annotations

from datetime import date, timedelta
from math import ceil

from orgraph.demo.expected import ScreenCase
from orgraph.demo.model import Report
from orgraph.demo.people import eligible
from orgraph.demo.state import County, State, Village
from orgraph.policy import Policy
from orgraph.vocab import SCREEN_INDICATORS

_POLICY = Policy()
_QUIET_HABITS = ("silent", "lost")
WEAK = frozenset({"weak", "weak_overdue"})


def _roll(s: State, villages: list[Village]) -> list[int]:
    """The members on the village organisation's roll (a branch of it named)."""
    return [i for v in villages for i in v.members if s.members[i].branch]


def _by_org(c: County) -> dict[str, list[Village]]:
    """Village organisation → its villages (two for a 联合党支部)."""
    out: dict[str, list[Village]] = {}
    for v in c.villages:
        out.setdefault(v.top_org, []).append(v)
    return out


def _limit(n_members: int) -> int:
    """The most members lost or silent that stay under the screening's threshold."""
    return max(0, ceil(_POLICY.screen_lost_pct * n_members / 100) - 1)


def plant_lost(s: State, c: County, tiny: bool) -> None:
    """One ordinary village where members away stop reporting: silent and lost by turns, as
    many as the threshold asks and at least two. Runs before mobility.report (the habits
    decide the reports)."""
    if tiny:
        return
    planted = {p.id for p in s.planted if p.kind == "member"}
    for _org, villages in sorted(_by_org(c).items()):
        v = villages[0]
        if len(villages) > 1 or v.tags or v.coverage != "partial":
            continue
        roll = _roll(s, villages)
        need = max(2, ceil(_POLICY.screen_lost_pct * len(roll) / 100))
        away = [
            i
            for i in roll
            if i in s.open_outflows
            and s.members[i].key not in planted
            and s.profiles.get(i) not in ("recent", "flagged")
            # members of long standing, so an earlier departure stays after joining
            and (s.as_of - s.members[i].joined_on).days > 1600
        ]
        if len(away) < need:
            continue
        for k, i in enumerate(sorted(away)[:need]):
            o = s.open_outflows[i]
            o.left_on = min(o.left_on, s.days_ago(420, 1500))
            s.profiles[i] = _QUIET_HABITS[k % 2]
        v.tags.add("members_lost")
        return
    raise RuntimeError("no village with enough members away to plant members_lost")


def _quiet(s: State, last: dict[int, date], i: int) -> bool:
    """Lost or silent at as_of, as docs/rules.md's lost_contact and mobile_silent read it."""
    m = s.members[i]
    if m.lost_flag:
        return True
    o = s.open_outflows.get(i)
    if o is None:
        return False
    since = max(last.get(i, o.left_on), o.left_on)
    return (s.as_of - since).days >= _POLICY.silent_days


def keep_quiet_below(s: State, c: County, tiny: bool) -> None:
    """After mobility.report: in every village organisation not planted with members_lost,
    members away silent or lost by chance get a report 1–25 days before as_of until the
    organisation is under the threshold (the ones planted for the mobility rules stay)."""
    if tiny:
        return
    planted = {p.id for p in s.planted if p.kind == "member"}
    last: dict[int, date] = {}
    for rp in s.reports:
        if rp.on <= s.as_of and rp.on > last.get(rp.member, date.min):
            last[rp.member] = rp.on
    for _org, villages in sorted(_by_org(c).items()):
        if any("members_lost" in v.tags for v in villages):
            continue
        roll = _roll(s, villages)
        quiet = [i for i in roll if _quiet(s, last, i)]
        fixed = [i for i in quiet if s.members[i].key in planted or s.members[i].lost_flag]
        if len(fixed) >= 1 and len(fixed) > _limit(len(roll)):
            villages[0].tags.add("members_lost")  # the mobility rules' cases alone reach it
            continue
        for i in [i for i in quiet if i not in fixed][: max(0, len(quiet) - _limit(len(roll)))]:
            on = s.as_of - timedelta(days=s.r.randint(1, 25))
            branch = s.members[i].branch
            assert branch is not None  # on the roll
            s.reports.append(Report(i, on, "电话", s.org_by_id[branch].name))
            s.profiles[i] = "monthly"


def record(s: State, c: County, tiny: bool) -> None:
    """The expected reasons of every planted weak village organisation, in the screening's
    order (docs/rules.md), into `s.screening`."""
    if tiny:
        return
    weight = {k: int(getattr(_POLICY, f"screen_weight_{k}")) for k in SCREEN_INDICATORS}
    for org, villages in sorted(_by_org(c).items()):
        tags = set().union(*(v.tags for v in villages))
        causes: set[str] = set()
        if "secretary_vacant" in tags:
            causes.add("secretary_vacant")
        if "term_expired" in tags:
            causes.add("term_expired")
        if tags & WEAK:
            causes |= {"life_irregular", "rectification_open"}
        if "small" in tags:
            causes.add("few_full_members")
        if "members_lost" in tags:
            causes.add("members_lost")
        if any(v.coverage == "none" and eligible(s, _roll(s, [v])) for v in villages):
            causes.add("household_coverage")
        if tags & {"no_cadre", "normal"}:
            causes.add("chain_breaks")
        if not causes:
            continue
        reasons = sorted(causes, key=lambda k: (-weight[k], SCREEN_INDICATORS.index(k)))
        names = "、".join(v.area.name for v in villages)
        s.screening.append(ScreenCase(org, villages[0].area.code, reasons, names))
