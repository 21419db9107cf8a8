"""The store goes away mid-session: answers are 503 problems within 3 s (never a 500, never
a hang), and the app recovers by itself when the store is back.

The app here is built the way `orgraph serve` builds it (no store passed in: its lifespan
opens the configured embedded store with the request deadline) over a private server.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from orgraph.config import Settings
from orgraph.store.embedded import EmbeddedServer
from orgraph.store.falkor import FalkorStore
from orgraph.store.migrations import migrate
from tests.api.conftest import API, add_users, load_demo, login, user_store
from tests.live_api import live_api

DEADLINE = 3.0
PATHS = ["/health", "/members", "/coverage", "/gaps/summary",
         "/households/330226101201-0001/chain"]


@pytest.fixture
def down_api(own_server: EmbeddedServer, demo_dir: Path, tmp_path: Path
             ) -> Iterator[tuple[str, EmbeddedServer]]:
    own_server.start()
    store = FalkorStore(graph="down", unix_socket=str(own_server.socket))
    migrate(store)
    load_demo(store, demo_dir)
    store.close()
    settings = Settings(store_uri="embedded", data_dir=own_server.dir, graph_name="down",
                        jwt_secret="")
    add_users(own_server.dir)
    with live_api(None, own_server.dir, settings=settings,
                  users=user_store(own_server.dir)) as url:
        yield url, own_server


def _timed(client: httpx.Client, path: str) -> tuple[httpx.Response, float]:
    t0 = time.monotonic()
    r = client.get(path)
    return r, time.monotonic() - t0


def _all_ok(client: httpx.Client) -> None:
    for path in PATHS:
        r = client.get(path)
        assert r.status_code == 200, (path, r.text)


def _all_503(client: httpx.Client) -> None:
    for path in PATHS:
        r, took = _timed(client, path)
        assert r.status_code == 503, (path, r.status_code, r.text)
        assert took < DEADLINE, f"{path} took {took:.2f} s"
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["retry-after"] and "图数据库" in r.json()["detail"]


def test_stopped_store_answers_503_fast_and_recovers(
        down_api: tuple[str, EmbeddedServer]) -> None:
    url, server = down_api
    client = login(url, "county")
    _all_ok(client)
    server.stop()
    _all_503(client)
    server.start()
    _all_ok(client)


def test_hung_store_answers_503_within_3_seconds(down_api: tuple[str, EmbeddedServer]) -> None:
    url, server = down_api
    client = login(url, "county")
    _all_ok(client)
    pid = server.pid()
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)  # the server process of this test only
    try:
        for path in ("/health", "/members"):
            r, took = _timed(client, path)
            assert r.status_code == 503 and took < DEADLINE, (path, r.status_code, took)
    finally:
        os.kill(pid, signal.SIGCONT)
    deadline = time.monotonic() + 10
    while client.get("/health").status_code != 200:
        assert time.monotonic() < deadline, "the API did not recover after the store resumed"
        time.sleep(0.1)
    _all_ok(client)


def test_the_app_starts_the_embedded_server_when_it_is_not_running(
        own_server: EmbeddedServer, demo_dir: Path) -> None:
    own_server.start()
    store = FalkorStore(graph="cold", unix_socket=str(own_server.socket))
    load_demo(store, demo_dir)
    store.close()
    own_server.stop()
    settings = Settings(store_uri="embedded", data_dir=own_server.dir, graph_name="cold",
                        jwt_secret="")
    with live_api(None, own_server.dir, settings=settings) as url:
        assert own_server.pid() is not None
        deadline = time.monotonic() + 30
        while (r := httpx.get(f"{url}{API}/health")).status_code != 200:
            assert r.status_code == 503, r.text  # loading: a problem, not an error
            assert time.monotonic() < deadline
            time.sleep(0.1)
