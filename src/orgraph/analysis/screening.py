"""软弱涣散 screening (排查): for every village organisation in scope, the indicators a county
reads when it screens for weak organisations, each against its policy threshold, with the
figures behind it (docs/rules.md#软弱涣散-screening-排查).

The indicators are read over the whole county (`county`, a context without a scope) so that an
organisation's figures never depend on the scope asked for; the scope (`c`) only chooses which
organisations are screened. Most indicators are the existing rules' items attributed to an
organisation's village and orgs, so the screening says nothing the gap lists do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from orgraph.analysis import life, life_rules, mobile
from orgraph.analysis.context import Ctx
from orgraph.analysis.projection import Projection
from orgraph.analysis.rules import RULES
from orgraph.analysis.village_orgs import area_villages, open_rects, screened, subtree
from orgraph.vocab import SCREEN_INDICATORS

# The life rules whose missed periods make `life_irregular` (docs/rules.md).
LIFE_RULES = (
    life_rules.GENERAL,
    life_rules.COMMITTEE,
    life_rules.THEME_DAY,
    life_rules.LECTURES,
    life_rules.LIFE_MEETING,
    life_rules.APPRAISAL,
    life_rules.GROUP,
)
LIFE_TYPES = {
    life_rules.GENERAL: "branch_no_general_meeting",
    life_rules.COMMITTEE: "branch_no_committee_meeting",
    life_rules.THEME_DAY: "branch_no_theme_day",
    life_rules.LECTURES: "branch_few_lectures",
    life_rules.LIFE_MEETING: "branch_no_life_meeting",
    life_rules.APPRAISAL: "branch_no_appraisal",
    life_rules.GROUP: "group_no_meeting",
}


@dataclass
class _County:
    """What every screened organisation's indicators read, computed once per answer over the
    whole county."""

    households: Any  # per village-level area: households in its subtree
    covered: Any
    no_cadre_villages: set[int]
    hamlets: dict[int, list[int]]  # village → hamlets of its subtree without a cadre
    groups_no_cadre: set[int]
    term_expired: set[int]
    lost: Any  # per member
    silent: Any
    secretary: Any
    life_missed: dict[int, dict[str, int]] | None  # None: no life records by D


def _county(county: Ctx) -> _County:
    p, d = county.graph, county.day
    villages = area_villages(p)
    na = len(p.area_code)
    per_area = np.bincount(p.hh_area[p.hh_area >= 0], minlength=na) if len(p.hh_area) else None
    cov_area = (
        np.bincount(p.hh_area[(p.hh_area >= 0) & d.covered], minlength=na)
        if len(p.hh_area)
        else None
    )
    households = np.zeros(na, dtype=np.int64)
    covered = np.zeros(na, dtype=np.int64)
    if per_area is not None and cov_area is not None:
        for a in np.flatnonzero(per_area):
            for v in villages[int(a)]:
                households[v] += per_area[a]
                covered[v] += cov_area[a]
    hamlets: dict[int, list[int]] = {}
    groups: set[int] = set()
    for kind, i in RULES["hamlet_no_cadre"].find(county):
        if kind == "a":
            for v in villages[i]:
                hamlets.setdefault(v, []).append(i)
        else:
            groups.add(i)
    return _County(
        households=households,
        covered=covered,
        no_cadre_villages={i for _, i in RULES["village_no_cadre"].find(county)},
        hamlets=hamlets,
        groups_no_cadre=groups,
        term_expired={i for _, i in RULES["term_expired"].find(county)},
        lost=mobile.lost(county),
        silent=mobile.silent(county),
        secretary=np.array(["secretary" in r for r in p.m_roles], dtype=bool),
        life_missed=_life_missed(county) if life.has_life(county) else None,
    )


def _indicator(
    key: str, value: Any, threshold: Any, flag: bool | None, **detail: Any
) -> dict[str, Any]:
    return {"key": key, "value": value, "threshold": threshold, "flag": flag, "detail": detail}


def _direct(p: Projection) -> list[list[int]]:
    """Per org: the on-roll members that BELONG_TO it."""

    def make() -> list[list[int]]:
        out: list[list[int]] = [[] for _ in p.org_id]
        for m, branches in enumerate(p.m_branches):
            if p.m_on_roll[m]:
                for b in set(branches):
                    out[b].append(m)
        return out

    found: list[list[int]] = p.once(
        "screen_org_members", make, ("org_id", "m_branches", "m_on_roll")
    )
    return found


def _members(p: Projection, orgs: list[int]) -> list[int]:
    direct = _direct(p)
    return sorted({m for o in orgs for m in direct[o]})


def _life_missed(county: Ctx) -> dict[int, dict[str, int]]:
    """Per org with a missed period: the number missed per life rule (whole county, at D)."""
    out: dict[int, dict[str, int]] = {}
    for rule in LIFE_RULES:
        for x in rule.orgs(county):
            if rule.applies(county, x):
                n = len(rule.missed(county, x)[0])
                if n:
                    out.setdefault(x, {})[LIFE_TYPES[rule]] = n
    return out


def _indicators(county: Ctx, k: _County, o: int) -> list[dict[str, Any]]:
    p, d, pol = county.graph, county.day, county.policy
    orgs = subtree(p, o)
    v = p.org_area[o]
    members = _members(p, orgs)
    out = []

    secretaries = [m for m in members if k.secretary[m]]
    here = sum(1 for m in secretaries if d.at_home[m])
    out.append(
        _indicator(
            "secretary_vacant",
            here,
            1,
            here < 1,
            secretaries=[
                {"id": p.m_key[m], "name": p.m_name[m], "away": bool(d.away[m])}
                for m in sorted(secretaries, key=lambda m: p.m_key[m])
            ],
        )
    )

    expired = sorted((x for x in orgs if x in k.term_expired), key=lambda x: p.org_id[x])
    out.append(
        _indicator(
            "term_expired",
            len(expired),
            1,
            bool(expired),
            orgs=[
                {"id": p.org_id[x], "name": p.org_name[x], "term_end": p.org_term_end[x]}
                for x in expired
            ],
        )
    )

    if k.life_missed is not None:
        missed: dict[str, int] = {}
        for x in orgs:
            for type_, n in k.life_missed.get(x, {}).items():
                missed[type_] = missed.get(type_, 0) + n
        total = sum(missed.values())
        out.append(
            _indicator(
                "life_irregular",
                total,
                pol.screen_life_missed,
                total >= pol.screen_life_missed,
                missed=dict(sorted(missed.items())),
            )
        )
    else:
        out.append(_indicator("life_irregular", None, pol.screen_life_missed, None, missed={}))

    full = sum(1 for m in members if p.m_full[m])
    out.append(
        _indicator(
            "few_full_members",
            full,
            pol.branch_min_full,
            full < pol.branch_min_full,
            members=len(members),
        )
    )

    lost = sum(1 for m in members if k.lost[m])
    silent = sum(1 for m in members if k.silent[m] and not k.lost[m])
    n = lost + silent
    out.append(
        _indicator(
            "members_lost",
            n,
            pol.screen_lost_pct,
            n >= 1 and n * 100 >= pol.screen_lost_pct * len(members),
            members=len(members),
            lost=lost,
            silent=silent,
        )
    )

    # The members' contact duty, not the share of households covered (docs/rules.md): under
    # 3–5 households each, a village with 12 households per member cannot be covered whole,
    # and that is not what makes it weak. The village's coverage is the detail's context.
    households, covered = int(k.households[v]), int(k.covered[v])
    eligible = [m for m in members if d.at_home[m] and not d.exempt[m]]
    met = sum(1 for m in eligible if d.member_households[m] >= pol.contact_min)
    n = len(eligible)
    out.append(
        _indicator(
            "household_coverage",
            met / n if n else None,
            pol.screen_coverage_pct,
            met * 100 < pol.screen_coverage_pct * n if n else None,
            eligible=n,
            met=met,
            households=households,
            covered=covered,
        )
    )

    # An area by its `code`, a group by its `id`, as every reference in an answer: the API
    # withholds those outside the caller's scope by these keys (records/visibility.py), and an
    # org in scope may serve a village outside it.
    breaks: list[dict[str, str]] = []
    if v in k.no_cadre_villages:
        breaks.append({"level": "village", "code": p.area_code[v], "name": p.area_name[v]})
    rest = [
        {"level": "hamlet", "code": p.area_code[a], "name": p.area_name[a]}
        for a in k.hamlets.get(v, [])
    ] + [
        {"level": "group", "id": p.org_id[g], "name": p.org_name[g]}
        for g in orgs
        if g in k.groups_no_cadre
    ]
    breaks += sorted(rest, key=lambda b: b.get("code") or b["id"])
    out.append(
        _indicator(
            "chain_breaks",
            len(breaks),
            pol.screen_chain_breaks_max,
            len(breaks) > pol.screen_chain_breaks_max,
            breaks=breaks,
        )
    )

    rects = open_rects(county, orgs)
    out.append(_indicator("rectification_open", len(rects), 1, bool(rects), rects=rects))
    return out


def _weights(c: Ctx) -> dict[str, int]:
    return {key: int(getattr(c.policy, f"screen_weight_{key}")) for key in SCREEN_INDICATORS}


def screen(c: Ctx, county: Ctx) -> dict[str, Any]:
    """The screening of c's scope (c and county share one projection, date and policy)."""
    p = c.graph
    k = _county(county)
    weights = _weights(c)
    order = {key: i for i, key in enumerate(SCREEN_INDICATORS)}
    items: list[dict[str, Any]] = []
    for o in screened(c):
        indicators = _indicators(county, k, o)
        for i in indicators:
            i["weight"] = weights[i["key"]]
        reasons = sorted(
            (i["key"] for i in indicators if i["flag"]),
            key=lambda key: (-weights[key], order[key]),
        )
        v = p.org_area[o]
        rect_open = indicators[-1]["flag"]
        items.append(
            {
                "org": {"id": p.org_id[o], "name": p.org_name[o], "kind": p.org_kind[o]},
                "village": {"code": p.area_code[v], "name": p.area_name[v]},
                "township": c.area_ctx(v).get("township"),
                "listed": bool(p.org_weak[o] or rect_open),
                "indicators": indicators,
                "reasons": reasons,
                "priority": sum(weights[key] for key in reasons),
                "candidate": bool(reasons),
            }
        )
    items.sort(key=lambda i: (not i["candidate"], -i["priority"], i["org"]["id"]))
    return {
        "screened": len(items),
        "candidates": sum(1 for i in items if i["candidate"]),
        "no_data": [
            key
            for j, key in enumerate(SCREEN_INDICATORS)
            if items and all(i["indicators"][j]["flag"] is None for i in items)
        ],
        "listed_without_reasons": sorted(
            i["org"]["id"]
            for i in items
            if i["listed"] and set(i["reasons"]) <= {"rectification_open"}
        ),
        "unlisted_candidates": sorted(
            i["org"]["id"] for i in items if i["candidate"] and not i["listed"]
        ),
        "items": items,
    }
