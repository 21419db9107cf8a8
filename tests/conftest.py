"""Shared fixtures: one real embedded FalkorDB per test session, a fresh graph per test.

When ORGRAPH_TEST_NEO4J_URI is set (with ORGRAPH_TEST_NEO4J_USER/_PASSWORD), every test that
uses `store` runs against Neo4j too; otherwise the Neo4j variants are reported as skipped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from orgraph.store import GraphStore
from orgraph.store.embedded import EmbeddedServer
from orgraph.store.falkor import FalkorStore
from orgraph.store.migrations import migrate

NEO4J_URI = os.environ.get("ORGRAPH_TEST_NEO4J_URI", "")


def short_tmpdir(prefix: str) -> Path:
    """Unix socket paths must stay short, so servers live under /tmp, not pytest's tmp_path."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))


@pytest.fixture(scope="session")
def falkor_server() -> Iterator[EmbeddedServer]:
    folder = short_tmpdir("og-test-")
    server = EmbeddedServer(folder / "db", start_timeout=60, socket_timeout=30)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def fresh_graph(server: EmbeddedServer) -> Iterator[FalkorStore]:
    """A fresh, migrated graph on a server; dropped afterwards."""
    store = FalkorStore(graph=f"t_{uuid.uuid4().hex[:12]}", unix_socket=str(server.socket))
    migrate(store)
    try:
        yield store
    finally:
        store.drop_all()
        store.close()


@pytest.fixture
def falkor_store(falkor_server: EmbeddedServer) -> Iterator[FalkorStore]:
    """A fresh, migrated graph on the session's server; dropped afterwards."""
    with fresh_graph(falkor_server) as store:
        yield store


@pytest.fixture(params=["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest) -> Iterator[GraphStore]:
    if request.param == "falkordb":
        yield request.getfixturevalue("falkor_store")
        return
    if not NEO4J_URI:
        pytest.skip("ORGRAPH_TEST_NEO4J_URI is not set: Neo4j variant not run")
    from orgraph.store.neo4j_store import Neo4jStore

    neo = Neo4jStore(
        uri=NEO4J_URI,
        user=os.environ.get("ORGRAPH_TEST_NEO4J_USER", "neo4j"),
        password=os.environ.get("ORGRAPH_TEST_NEO4J_PASSWORD", ""),
        database=os.environ.get("ORGRAPH_TEST_NEO4J_DATABASE", "neo4j"),
    )
    neo.drop_all()
    migrate(neo)
    yield neo
    neo.drop_all()
    neo.close()


@pytest.fixture
def own_server() -> Iterator[EmbeddedServer]:
    """A private embedded server for tests that kill, stop or restore it."""
    folder = short_tmpdir("og-own-")
    server = EmbeddedServer(folder / "db", start_timeout=60, socket_timeout=10,
                            connect_timeout=2)
    yield server
    server.stop(timeout=10)
    shutil.rmtree(folder, ignore_errors=True)
