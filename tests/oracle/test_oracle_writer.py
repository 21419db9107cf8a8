"""The writer's roster files import cleanly and the graph holds exactly the model."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from orgraph.store import GraphStore

from .county_model import County
from .harness import graph_facts, import_county, model_facts, problems, reset
from .strategies import counties


@settings(
    max_examples=25,  # on each engine
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(county=counties())
def test_rosters_import_cleanly(oracle_store: GraphStore, county: County) -> None:
    reset(oracle_store)
    first, second = import_county(oracle_store, county)
    assert problems(first) == []
    if second is not None:
        assert problems(second) == []
        assert second.off_roll == len(county.off_roll)
    assert graph_facts(oracle_store) == model_facts(county)
