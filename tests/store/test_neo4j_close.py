"""Closing a Neo4j store while another thread's call is in flight (the engine plans its
catch-up statements in a thread of its own, analysis/engine.py, and a CLI command closes its
store as soon as it has answered): the driver closes every pooled connection, in use or not,
and one closed under a thread reading from it raised BufferError out of `close`. `close` now
lets the calls in flight end first (the race itself is too narrow to provoke at will: the
test checks that `close` waits). Through a TCP relay of the test's own that holds the call's
bytes, so the call is in flight for as long as the test says."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from tests.api.test_store_down import Relay, relay_to
from tests.engines import GraphHost

from orgraph.store.neo4j_store import Neo4jStore


@contextlib.contextmanager
def behind_relay(graph_host: GraphHost) -> Iterator[tuple[Neo4jStore, Relay]]:
    """A store on a fresh graph, reached through a relay of the test's own; afterwards the
    relay lets go, the store is closed (again, if the test closed it: both fine) and the
    relay stopped."""
    with graph_host.fresh() as neo:
        env = graph_host.env(neo)
        relay = relay_to(env)
        store = Neo4jStore(
            uri=f"bolt://127.0.0.1:{relay.port}",
            user=env["ORGRAPH_NEO4J_USER"],
            password=env["ORGRAPH_NEO4J_PASSWORD"],
        )
        try:
            yield store, relay
        finally:
            relay.resume()
            store.close()
            relay.stop()


@pytest.mark.parametrize(
    "graph_host", [pytest.param("neo4j", marks=pytest.mark.neo4j)], indirect=True
)
def test_close_lets_a_call_in_flight_end_first(graph_host: GraphHost) -> None:
    with behind_relay(graph_host) as (store, relay):
        store.ping()  # connected: the next call's bytes are what the relay holds
        relay.hang()
        got: list[object] = []

        def read() -> None:
            try:
                got.append(store.read("graph_revision"))
            except Exception as exc:  # what a connection closed under the read gives
                got.append(exc)

        reading = threading.Thread(target=read)
        reading.start()
        reading.join(0.5)
        assert reading.is_alive(), "the read did not wait for the hung relay"
        threading.Timer(0.5, relay.resume).start()
        t0 = time.monotonic()
        # raised BufferError when the driver closed the connection under the read
        store.close()
        waited = time.monotonic() - t0
        reading.join(10)
        assert waited >= 0.3, f"close returned after {waited:.2f} s, the read still held"
        assert len(got) == 1 and isinstance(got[0], list) and len(got[0]) == 1, got


@pytest.mark.parametrize(
    "graph_host", [pytest.param("neo4j", marks=pytest.mark.neo4j)], indirect=True
)
def test_close_cancels_a_call_still_waiting_for_a_thread(graph_host: GraphHost) -> None:
    """A call submitted but not started when `close` runs is cancelled there, and its done
    callback runs at once in the closing thread, which holds the lock of the calls in flight:
    with a plain lock `close` waited for itself for ever (found by CI, where a test's store
    closed while the engine's planning thread had just submitted a read). One worker thread
    here, so that a second call waits behind the first, which the relay holds."""
    with behind_relay(graph_host) as (store, relay):
        store._calls = ThreadPoolExecutor(max_workers=1)  # the second call must queue
        store.ping()
        relay.hang()
        got: list[object] = []

        def read() -> None:
            try:
                got.append(store.read("graph_revision"))
            except Exception as exc:  # the queued call: cancelled by close
                got.append(exc)

        readers = [threading.Thread(target=read) for _ in range(2)]
        for t in readers:
            t.start()
            time.sleep(0.3)
        assert all(t.is_alive() for t in readers), got
        threading.Timer(0.5, relay.resume).start()
        closing = threading.Thread(target=store.close)
        closing.start()
        closing.join(15)
        assert not closing.is_alive(), "close never returned"
        for t in readers:
            t.join(10)
        rows = [g for g in got if isinstance(g, list)]
        assert len(got) == 2 and len(rows) == 1 and len(rows[0]) == 1, got
