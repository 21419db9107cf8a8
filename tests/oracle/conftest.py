"""A graph of the session's FalkorDB server for this folder, reset per hypothesis example."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from orgraph.store.embedded import EmbeddedServer
from orgraph.store.falkor import FalkorStore
from orgraph.store.migrations import migrate


@pytest.fixture(scope="module")
def oracle_store(falkor_server: EmbeddedServer) -> Iterator[FalkorStore]:
    store = FalkorStore(graph=f"oracle_{uuid.uuid4().hex[:12]}",
                        unix_socket=str(falkor_server.socket))
    migrate(store)
    yield store
    store.drop_all()
    store.close()
