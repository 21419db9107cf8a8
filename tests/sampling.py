"""Cases run in full on FalkorDB and sampled on Neo4j, said in the test ids.

A case on Neo4j costs a lease of a real server (a wipe and a migration check), the writes over
Bolt and a read of the result: 1-2 s where the embedded FalkorDB takes a fraction of that. The
suite is held to 30 minutes on two cores, so the long parametrised lists whose cases differ in
what they feed the code in front of the graph (a payload, a damaged file), not in the Cypher
they run, take a fixed sample on Neo4j: `[falkordb-<case>]` for each case, `[neo4j-<case>]`
for the sampled ones. Nothing is skipped: the other cases are not generated for Neo4j.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import pytest


def on_both_engines(
    argname: str, cases: Sequence[Any], ids: Sequence[str], *, neo4j: Collection[int]
) -> pytest.MarkDecorator:
    """Parametrise `graph_host` and `argname`: every case on FalkorDB, the cases at the
    indexes `neo4j` on Neo4j as well."""
    assert len(cases) == len(ids) and set(neo4j) <= set(range(len(cases))) and neo4j
    params = [
        pytest.param("falkordb", c, id=f"falkordb-{i}") for c, i in zip(cases, ids, strict=True)
    ]
    params += [
        pytest.param("neo4j", cases[k], id=f"neo4j-{ids[k]}", marks=pytest.mark.neo4j)
        for k in sorted(neo4j)
    ]
    return pytest.mark.parametrize(("graph_host", argname), params, indirect=["graph_host"])
