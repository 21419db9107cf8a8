"""The store goes away mid-session: answers are 503 problems within 3 s (never a 500, never
a hang), and the app recovers by itself when the store is back.

The app here is built the way `orgraph serve` builds it (no store passed in: its lifespan
opens the configured store with the request deadline), on each engine:

- FalkorDB: over a private embedded server, which the test stops, restarts, or freezes with
  SIGSTOP;
- Neo4j: over a server of the suite's pool, reached through a TCP relay of the test's own (the
  pool's servers serve other tests, so they are never stopped or frozen): closing the relay
  is a server gone, holding its bytes is a server hung. A Neo4j address nobody listens on
  shows the same for a server that is not there at all.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

import httpx
import pytest

from orgraph.config import Settings
from orgraph.store.embedded import EmbeddedServer
from orgraph.store.falkor import FalkorStore
from orgraph.store.migrations import migrate
from orgraph.store.neo4j_store import Neo4jStore
from tests.api.conftest import API, add_users, load_demo, login, user_store
from tests.engines import GraphHost, free_port
from tests.live_api import live_api

DEADLINE = 3.0
# A request the store never answers must still fail the test, not hang it.
NO_ANSWER = 20.0
CJK = re.compile("[\u4e00-\u9fff]")
STORE_NAMED = re.compile("图数据库|Neo4j")
PATHS = ["/health", "/members", "/coverage", "/gaps/summary", "/households/330226101201-0001/chain"]


class Outage(Protocol):
    """How a test takes the API's store away and brings it back."""

    def stop(self) -> None: ...

    def start(self) -> None: ...

    def hang(self) -> None: ...

    def resume(self) -> None: ...


class EmbeddedOutage:
    """The private embedded server itself: stopped and started, frozen with SIGSTOP."""

    def __init__(self, server: EmbeddedServer) -> None:
        self.server = server
        self._frozen: int | None = None

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        self.server.start()

    def hang(self) -> None:
        pid = self.server.pid()
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)  # the server process of this test only
        self._frozen = pid

    def resume(self) -> None:
        if self._frozen is not None:
            os.kill(self._frozen, signal.SIGCONT)
            self._frozen = None


class Relay:
    """A TCP relay on a free loopback port in front of a server. `stop()` closes the port and
    cuts every connection through it (the server is gone); `hang()` keeps connections (and
    accepts new ones) but forwards nothing until `resume()` (the server is hung)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._hung = threading.Event()
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._accepting: threading.Thread | None = None

    def start(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port))
        listener.settimeout(0.1)
        self._listener = listener
        self._accepting = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._accepting.start()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                self._conns.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                while self._hung.is_set() and src in self._conns:
                    time.sleep(0.02)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            self._cut(src, dst)

    def _cut(self, *socks: socket.socket) -> None:
        for s in socks:
            with self._lock:
                self._conns.discard(s)
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        if self._accepting is not None:
            self._accepting.join(timeout=5)
        with self._lock:
            conns = list(self._conns)
        self._cut(*conns)

    def hang(self) -> None:
        self._hung.set()

    def resume(self) -> None:
        self._hung.clear()


def relay_to(env: dict[str, str]) -> Relay:
    """A started relay in front of the Neo4j server of a leased graph's environment."""
    where = urlparse(env["ORGRAPH_STORE_URI"])
    relay = Relay((where.hostname or "127.0.0.1", where.port or 7687))
    relay.start()
    return relay


def _serving(settings: Settings, data_dir: Path) -> contextlib.AbstractContextManager[str]:
    add_users(data_dir)
    return live_api(None, data_dir, settings=settings, users=user_store(data_dir))


@pytest.fixture
def down_api(
    graph_host: GraphHost, demo_dir: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[str, Outage]]:
    """(URL, outage) of an API built as `orgraph serve` builds it, over the demo county."""
    if graph_host.engine == "falkordb":
        own_server: EmbeddedServer = request.getfixturevalue("own_server")
        own_server.start()
        store = FalkorStore(graph="down", unix_socket=str(own_server.socket))
        migrate(store)
        load_demo(store, demo_dir)
        store.close()
        settings = Settings(
            store_uri="embedded", data_dir=own_server.dir, graph_name="down", jwt_secret=""
        )
        with _serving(settings, own_server.dir) as url:
            yield url, EmbeddedOutage(own_server)
        return
    with graph_host.fresh() as neo:
        load_demo(neo, demo_dir)
        env = graph_host.env(neo)
        relay = relay_to(env)
        settings = Settings(
            store_uri=f"bolt://127.0.0.1:{relay.port}",
            data_dir=tmp_path,
            neo4j_user=env["ORGRAPH_NEO4J_USER"],
            neo4j_password=env["ORGRAPH_NEO4J_PASSWORD"],
            jwt_secret="",
        )
        try:
            with _serving(settings, tmp_path) as url:
                yield url, relay
        finally:
            relay.resume()
            relay.stop()


def _timed(client: httpx.Client, path: str) -> tuple[httpx.Response, float]:
    t0 = time.monotonic()
    try:
        r = client.get(path, timeout=NO_ANSWER)
    except httpx.TimeoutException:
        pytest.fail(f"{path}: no answer within {NO_ANSWER} s (the request hangs)")
    return r, time.monotonic() - t0


def _all_ok(client: httpx.Client) -> None:
    for path in PATHS:
        r = client.get(path)
        assert r.status_code == 200, (path, r.text)


def _all_503(client: httpx.Client) -> None:
    took_s = {}
    for path in PATHS:
        r, took = _timed(client, path)
        took_s[path] = round(took, 2)
        assert r.status_code == 503, (path, r.status_code, r.text)
        assert took < DEADLINE, f"{path} took {took:.2f} s"
        assert r.headers["content-type"] == "application/problem+json"
        body = r.json()
        assert r.headers["retry-after"] and body["status"] == 503 and "图数据库" in body["title"]
        # in Chinese, naming the store (FalkorDB: 无法连接图数据库…, Neo4j: 无法连接 Neo4j…)
        assert CJK.search(body["detail"]) and STORE_NAMED.search(body["detail"]), body
    print("503 latencies (s):", took_s)


def _recovers(client: httpx.Client) -> None:
    deadline = time.monotonic() + 10
    while client.get("/health", timeout=NO_ANSWER).status_code != 200:
        assert time.monotonic() < deadline, "the API did not recover after the store came back"
        time.sleep(0.1)
    _all_ok(client)


def test_stopped_store_answers_503_fast_and_recovers(down_api: tuple[str, Outage]) -> None:
    url, outage = down_api
    client = login(url, "county")
    _all_ok(client)
    outage.stop()
    _all_503(client)
    outage.start()
    _recovers(client)


def test_hung_store_answers_503_within_3_seconds(down_api: tuple[str, Outage]) -> None:
    url, outage = down_api
    client = login(url, "county")
    _all_ok(client)
    outage.hang()
    try:
        for path in ("/health", "/members"):
            r, took = _timed(client, path)
            assert r.status_code == 503 and took < DEADLINE, (path, r.status_code, took)
    finally:
        outage.resume()
    _recovers(client)


def _nobody_listening() -> str:
    """A Neo4j address on a loopback port nobody listens on."""
    return f"bolt://127.0.0.1:{free_port()}"


@pytest.mark.neo4j
@pytest.mark.parametrize("built", ["store-given", "as-serve-builds-it"])
def test_neo4j_nobody_listening_answers_503_fast(built: str, tmp_path: Path) -> None:
    """A Neo4j that is not there: every answer a 503 problem within the deadline (the driver
    must not spend its retries and connection waits on a refused port), /health included."""
    uri = _nobody_listening()
    if built == "store-given":
        add_users(tmp_path)
        store = Neo4jStore(uri=uri, user="neo4j", password="x")
        serving: contextlib.AbstractContextManager[str] = live_api(
            store, tmp_path, users=user_store(tmp_path)
        )
    else:
        store = None
        serving = _serving(
            Settings(
                store_uri=uri,
                data_dir=tmp_path,
                neo4j_user="neo4j",
                neo4j_password="x",
                jwt_secret="",
            ),
            tmp_path,
        )
    try:
        with serving as url:
            _all_503(login(url, "county"))  # /health among them
    finally:
        if store is not None:
            store.close()


def test_the_app_starts_the_embedded_server_when_it_is_not_running(
    own_server: EmbeddedServer, demo_dir: Path
) -> None:
    own_server.start()
    store = FalkorStore(graph="cold", unix_socket=str(own_server.socket))
    load_demo(store, demo_dir)
    store.close()
    own_server.stop()
    settings = Settings(
        store_uri="embedded", data_dir=own_server.dir, graph_name="cold", jwt_secret=""
    )
    with live_api(None, own_server.dir, settings=settings) as url:
        assert own_server.pid() is not None
        deadline = time.monotonic() + 30
        while (r := httpx.get(f"{url}{API}/health")).status_code != 200:
            assert r.status_code == 503, r.text  # loading: a problem, not an error
            assert time.monotonic() < deadline
            time.sleep(0.1)
