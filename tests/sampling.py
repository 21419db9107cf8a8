"""Cases run in full on FalkorDB and sampled on Neo4j.

A case on Neo4j costs a lease of a real server (a wipe and a migration check), the writes over
Bolt and a read of the result: 1-2 s where the embedded FalkorDB takes a fraction of that. The
suite is held to 30 minutes on two cores, so the long parametrised lists whose cases differ in
what they feed the code in front of the graph (a payload, a damaged file), not in the Cypher
they run, keep a fixed sample on Neo4j: `@neo4j_sample("payload", [a, b])` on a test
parametrised over `payload` (and, through the suite's `graph_host`, over both engines) keeps
its Neo4j items for those values only. The others are deselected at collection (pytest reports
them as deselected, never as skipped), so no Neo4j test is skipped and the test keeps the
suite's own engine parameter: items of one engine stay together and module fixtures (an
imported demo) are built once per engine. (A parametrisation of `graph_host` per test made
every item's engine index its own, and pytest rebuilt the module's graph at each change.)
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pytest

MARK = "neo4j_sample"


def neo4j_sample(argname: str, values: Collection[Any]) -> pytest.MarkDecorator:
    """Keep the Neo4j items whose `argname` is one of these values (hashable ones)."""
    assert values
    mark: pytest.MarkDecorator = getattr(pytest.mark, MARK)(
        argname=argname, values=frozenset(values)
    )
    return mark


def deselect_unsampled(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Drop the Neo4j items of a `neo4j_sample` test whose case is not in its sample."""
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        mark = item.get_closest_marker(MARK)
        spec = getattr(item, "callspec", None)
        if (
            mark is not None
            and spec is not None
            and spec.params.get("graph_host") == "neo4j"
            and spec.params[mark.kwargs["argname"]] not in mark.kwargs["values"]
        ):
            dropped.append(item)
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
