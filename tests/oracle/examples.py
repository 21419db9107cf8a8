"""The small county of the hand-written examples, and how they check engine and oracle."""

from __future__ import annotations

from typing import Any

from orgraph.analysis.engine import Engine
from orgraph.policy import Policy
from orgraph.store import GraphStore

from .compare import chain_diffs, coverage_diffs, destinations_diffs, flows_diffs, gap_diffs
from .county_model import Area, County, Household, Member, Org
from .harness import import_county, problems, reset
from .oracle import RULE_TYPES, Oracle
from .strategies import AS_OF

C, T, V, H, V2, T2 = (
    "330226000000",
    "330226100000",
    "330226100201",
    "33022610020101",
    "330226100202",
    "330226101000",
)
DAY_BEFORE, DAY_AFTER = "2025-06-14", "2025-06-16"


def base() -> County:
    """County C > township T > village V (hamlet H) and empty village V2; township T2.
    D0 serves C, D1 serves T, branch B serves V, group G is under B."""
    c = County()
    c.areas += [
        Area(C, "宁海县", "county"),
        Area(T, "东溪镇", "township", C),
        Area(V, "上村", "village", T),
        Area(H, "上村1组", "hamlet", V),
        Area(V2, "中村", "village", T),
        Area(T2, "西溪镇", "township", C),
    ]
    c.orgs += [
        Org("D0", "县委", "committee", area=C),
        Org("D1", "东溪镇党委", "committee", parent="D0", area=T),
        Org("B", "上村党支部", "branch", parent="D1", area=V),
        Org("G", "上村第一党小组", "group", parent="B"),
    ]
    c.households += [Household("H1", V, "户一"), Household("H2", H, "户二")]
    return c


def member(no: str, **kw: Any) -> Member:
    return Member(no, "党员" + no[-1], branch=kw.pop("branch", "B"), **kw)


def run(
    store: GraphStore, county: County, policy: dict[str, Any] | None = None
) -> tuple[Any, Oracle]:
    assert county.check() == []
    reset(store)
    first, second = import_county(store, county)
    assert problems(first) == [] and (second is None or problems(second) == [])
    return Engine(store, policy=Policy(**(policy or {}))), Oracle(county, policy)


def ids(result: dict[str, Any]) -> list[str]:
    return [it["id"] for it in result["items"]]


def agree(
    engine: Any, oracle: Oracle, county: County, scope: str | None = None, d: str = AS_OF
) -> None:
    diffs: list[str] = []
    for rule in RULE_TYPES:
        diffs += gap_diffs(engine, oracle, rule, scope, d)
    for level in ("township", "village", "hamlet"):
        diffs += coverage_diffs(engine, oracle, None, level, d)
    for h in county.households:
        diffs += chain_diffs(engine, oracle, h.id, d)
    diffs += destinations_diffs(engine, oracle, scope, d)
    diffs += flows_diffs(engine, oracle, scope, d)
    assert diffs == [], "\n".join(diffs)
