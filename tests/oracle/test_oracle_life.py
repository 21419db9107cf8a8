"""Organisational life, dues and the lost-contact ladder (docs/rules.md "Organisational life
and dues") agree with the independent oracle (life.py).

Each generated example writes a random small county (with meetings, dues payments,
suspensions) as roster files, imports it into one graph (reset per example) and compares, for
the whole county and one random sub-scope on every as_of date of the county, under a random
policy: every new rule's item ids and fields, the summary's counts and `no_data`, and the
branch × month grid (default and one random type). The hand-written examples below hold the
oracle and the engine to a stated answer at each boundary the issue names.
70 examples on FalkorDB and 12 on Neo4j per run: the issue asks 200 per CI run, which the
CI's 30 minutes on two cores do not hold beside the rest of the suite; ORACLE_EXAMPLES=n runs
n examples on both engines (ORACLE_EXAMPLES=200 for the issue's count).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from orgraph.analysis.engine import Engine
from orgraph.policy import Policy
from orgraph.store import GraphStore

from .county_model import MEETING_TYPE_LABEL, County
from .harness import examples, load
from .life import LifeRules, add_months
from .life_compare import compare_life
from .strategies import counties, scopes

GRID_TYPES = (None, *MEETING_TYPE_LABEL)


@st.composite
def life_policies(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly small thresholds, so that every rule fires on small counties; sometimes the
    defaults."""
    if draw(st.integers(0, 4)) == 0:
        return {}
    warn = draw(st.integers(1, 4))
    dues_warn = draw(st.integers(1, 4))
    return {
        "life_months_back": draw(st.sampled_from((12, 1, 3, 6, 14))),
        "committee_min_members": draw(st.integers(1, 7)),
        "lecture_period": draw(st.sampled_from(("quarter", "year"))),
        "lecture_min": draw(st.integers(0, 3)),
        "life_warn_months": warn,
        "life_lapse_months": warn + draw(st.integers(0, 4)),
        "dues_warn_months": dues_warn,
        "dues_lapse_months": dues_warn + draw(st.integers(0, 4)),
        "suspend_months": draw(st.sampled_from((6, 1, 3))),
        "removal_months": draw(st.sampled_from((24, 1, 6))),
        "lost_days": draw(st.sampled_from((179, 181))),
        "exempt_age": draw(st.sampled_from((60, 70, 80))),
    }


def tags(life: LifeRules, dates: list[str]) -> list[str]:
    out = set()
    for d in dates:
        nd = life.no_data(d)
        if nd:
            out.add("no life records at D" if "member_no_life" in nd else "no dues records at D")
        for t, n in life.summary(None, d)["counts"].items():
            if n:
                out.add(f"{t} found")
    c = life.c
    if any(k.attendees is None and k.absentees for k in c.meetings):
        out.add("absentees only")
    for k in c.meetings:
        if k.attendees is None and any(
            a.org == k.org and a.since <= k.on and (not a.until or a.until > k.on)
            for a in c.attends
        ):
            out.add("expected through ATTENDS")
        if k.org in {
            m.group for m in c.members if m.group and life.orgs[m.group].parent != m.branch
        }:
            out.add("meeting of a group holding another branch's member")
    if any(a.kind == "transfer" for a in c.actions):
        out.add("a transfer")
    for k in c.meetings:
        if life.quorum_question(k):
            basis, expected, present, _ = life.quorum(k)
            if expected and present * 2 in (expected, expected + 1, expected + 2):
                out.add(f"quorum at half or half + 1 ({basis})")
    p = life.p
    for d in dates:
        for m in c.members:
            if m.suspended_on and m.suspended_on > d:
                out.add("suspended after D")
            if m.joined_on and m.joined_on > d:
                out.add("joined after D")
            if m.suspended_on and add_months(m.suspended_on, p["removal_months"]) == d:
                out.add("remove_from = D")
        if life.life_begin(d) is not None:
            for m in c.members:
                n = life.life_months(m, d)[1]
                for name in ("life_warn_months", "life_lapse_months"):
                    if n == p[name]:
                        out.add(f"life_months = {name}")
        if life.dues_begin(d) is not None:
            for m in c.members:
                n = life.owed(m, d)[2]
                for name in ("dues_warn_months", "dues_lapse_months"):
                    if n == p[name]:
                        out.add(f"months_owed = {name}")
        for it in life.gaps("propose_suspension", None, d).values():
            if it["suspend_from"] == d:
                out.add("suspend_from = D")
    return sorted(out)


def check_county(
    store: GraphStore, county: County, policy: dict[str, Any], data: st.DataObject
) -> None:
    scope = data.draw(scopes(county), label="scope")
    grid_type = data.draw(st.sampled_from(GRID_TYPES[1:]), label="grid type")
    dates = sorted(set(county.as_ofs))
    life = LifeRules(county, policy)
    for tag in tags(life, dates):
        event(tag)
    load(store, county)
    engine = Engine(store, policy=Policy(**policy))
    diffs = compare_life(engine, life, [None, scope], dates, [None, grid_type])
    assert diffs == [], "\n".join(diffs[:40])


@pytest.mark.timeout(1200)
@examples(70)
@given(county=counties(), policy=life_policies(), data=st.data())
def test_life_equals_oracle_falkordb_70_counties(
    falkordb_graph: GraphStore, county: County, policy: dict[str, Any], data: st.DataObject
) -> None:
    check_county(falkordb_graph, county, policy, data)


@pytest.mark.neo4j
@pytest.mark.timeout(1200)
@examples(12)
@given(county=counties(), policy=life_policies(), data=st.data())
def test_life_equals_oracle_neo4j_12_counties(
    neo4j_graph: GraphStore, county: County, policy: dict[str, Any], data: st.DataObject
) -> None:
    check_county(neo4j_graph, county, policy, data)
