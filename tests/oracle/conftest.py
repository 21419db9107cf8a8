"""One graph per engine for this folder's module, reset per hypothesis example.

`oracle_store` is a graph on each engine (the hand-written examples run on both in full).
The generated-county properties take `falkordb_graph` / `neo4j_graph` directly, because they
run a different number of examples on each engine and say so in their names.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from orgraph.store import GraphStore
from orgraph.store.embedded import EmbeddedServer
from tests.engines import FalkorHost, GraphHost, Neo4jHost


@pytest.fixture(scope="module")
def oracle_store(graph_host: GraphHost) -> Iterator[GraphStore]:
    with graph_host.fresh() as store:
        yield store


@pytest.fixture(scope="module")
def falkordb_graph(falkor_server: EmbeddedServer) -> Iterator[GraphStore]:
    with FalkorHost(falkor_server).fresh() as store:
        yield store


@pytest.fixture(scope="module")
def neo4j_graph(neo4j_host: Neo4jHost) -> Iterator[GraphStore]:
    with neo4j_host.fresh() as store:
        yield store
