"""FalkorDB and Neo4j give the same answers, item by item, on 20 generated counties
(CROSS_ENGINE_EXAMPLES=n for more).

Each example imports one generated county (rosters, then a snapshot, then the county's actions
through the services) into a FalkorDB graph and into a Neo4j server, and compares every engine
answer for the whole county and a random sub-scope on the county's dates: the summary, every
gap list (all items, in order), coverage at every level, the contact proposal (also across
villages with extra places for cadres) and the cadre and group proposals, the destinations and
flows of members away, mobile branches with their members, the contact chain of every
household and the timeline of every member.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from orgraph.analysis.engine import LEVELS, Engine
from orgraph.policy import Policy
from orgraph.store import GraphStore
from orgraph.vocab import GAP_TYPE_NAMES as RULE_TYPES
from tests.crossengine.diff import diffs

from .county_model import County
from .harness import import_county, problems, reset
from .strategies import counties, scopes

EXAMPLES = int(os.environ.get("CROSS_ENGINE_EXAMPLES", "14"))


def answers(engine: Engine, county: County, scope: str, dates: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    wide = Engine(engine.store, policy=Policy(proposal_cross_village=True, proposal_cadre_extra=1))
    for d in dates:
        for sc in (None, scope):
            key = f"{sc or 'county'}@{d}"
            out[f"summary {key}"] = engine.summary(scope=sc, as_of=d)
            for rule in RULE_TYPES:
                out[f"gaps {rule} {key}"] = engine.gaps(
                    rule, scope=sc, as_of=d, page=1, page_size=10_000
                )
            for level in LEVELS:
                out[f"coverage {level} {key}"] = engine.coverage(scope=sc, level=level, as_of=d)
            out[f"destinations {key}"] = engine.destinations(scope=sc, as_of=d)
            out[f"flows {key}"] = engine.flows(scope=sc, as_of=d)
            # Proposals: the same pairs on both engines (docs/rules.md "Ties"), also with the
            # policy switches on.
            out[f"proposal {key}"] = engine.proposal(scope=sc, as_of=d, page_size=None)
            out[f"proposal wide {key}"] = wide.proposal(scope=sc, as_of=d, page_size=None)
            out[f"duties {key}"] = engine.duty_proposal(scope=sc, as_of=d)
            branches = engine.mobile_branches(scope=sc, as_of=d)
            out[f"mobile_branches {key}"] = branches
        for b in out[f"mobile_branches county@{d}"]["branches"]:
            out[f"mobile_branch {b['id']} {d}"] = engine.mobile_branch(b["id"], as_of=d)
        for h in county.households:
            out[f"chain {h.id} {d}"] = engine.chain(h.id, as_of=d)
    for m in county.members:
        out[f"timeline {m.member_no}"] = engine.timeline(m.member_no)
    return out


@pytest.mark.neo4j
@pytest.mark.timeout(1800)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(county=counties(), data=st.data())
def test_both_engines_answer_alike_on_14_generated_counties(
    falkordb_graph: GraphStore, neo4j_graph: GraphStore, county: County, data: st.DataObject
) -> None:
    scope = data.draw(scopes(county), label="scope")
    dates = sorted(set(county.as_ofs))
    results = []
    for store in (falkordb_graph, neo4j_graph):
        reset(store)
        first, second = import_county(store, county)
        assert problems(first) == [] and (second is None or problems(second) == [])
        engine = Engine(store)
        results.append(answers(engine, county, scope, dates))
    fanswers, nanswers = results
    assert fanswers.keys() == nanswers.keys()
    for key in fanswers:
        assert diffs(fanswers[key], nanswers[key]) == [], key
