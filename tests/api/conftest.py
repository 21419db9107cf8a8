"""Fixtures of the API tests: the tiny demo county in a real graph on each engine (FalkorDB
embedded, Neo4j: tests/engines.py), served by the real app over HTTP (uvicorn on loopback),
with one account per role.

The read-only graph and its server are made once per engine for this folder (package scope:
on Neo4j a graph is a whole server, released when the API tests are done); tests that write get
a graph of their module (importing the tiny demo takes ~0.3 s on FalkorDB).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from orgraph.demo import generate
from orgraph.demo.generate import FILES
from orgraph.importer.pipeline import import_files
from orgraph.security import UserStore
from orgraph.store import GraphStore
from tests.engines import GraphHost
from tests.live_api import live_api

AS_OF = dt.date(2026, 11, 1)  # the demo's date: its planted gaps hold on it
KEY = b"api-test-key"
PASSWORD = "Passw0rd!api"
API = "/api/v1"
# name → (role, scope): one account per role, scoped at each level of the tree.
USERS = {
    "county": ("county_admin", "330226"),
    "township": ("township_admin", "330226101"),
    "village": ("village_secretary", "330226203203"),
    "viewer": ("viewer", "330226101201"),
    "branch": ("village_secretary", "D330226203203"),
}
# Fast argon2 parameters: hypothesis makes many accounts (production keeps pwdlib's defaults).
CHEAP_HASH = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))


def load_demo(store: GraphStore, folder: Path) -> None:
    import_files(store, [folder / f for f in FILES], key=KEY, today=AS_OF)


def user_store(data_dir: Path) -> UserStore:
    """The users database the test app of data_dir reads, with cheap hashing."""
    return UserStore(data_dir / "users.sqlite3", hasher=CHEAP_HASH)


def add_users(data_dir: Path) -> UserStore:
    users = user_store(data_dir)
    for name, (role, scope) in USERS.items():
        users.add(name, PASSWORD, role=role, scope=scope, display_name=f"测试{name}")
    return users


def login(url: str, username: str, password: str = PASSWORD) -> httpx.Client:
    """An HTTP client of the API logged in as username."""
    client = httpx.Client(base_url=url + API, timeout=30)
    r = client.post("/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    return client


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("api_demo")
    generate(out, scale="tiny", seed=1, as_of=AS_OF)
    return out


@pytest.fixture(scope="package")
def demo_store(graph_host: GraphHost, demo_dir: Path) -> Iterator[GraphStore]:
    """The tiny demo county, loaded once per engine; tests on it must not write."""
    with graph_host.fresh() as store:
        load_demo(store, demo_dir)
        yield store


@contextlib.contextmanager
def served(store: GraphStore, data_dir: Path) -> Iterator[tuple[str, UserStore]]:
    users = add_users(data_dir)
    with live_api(store, data_dir, users=users) as url:
        yield url, users


@pytest.fixture(scope="package")
def live(
    demo_store: GraphStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, UserStore, Path]]:
    """(base URL, users, data folder) of the API over the read-only demo graph."""
    data_dir = tmp_path_factory.mktemp("api_data")
    with served(demo_store, data_dir) as (url, users):
        yield url, users, data_dir


@pytest.fixture(scope="package")
def url(live: tuple[str, UserStore, Path]) -> str:
    return live[0]


@pytest.fixture(scope="package")
def clients(url: str) -> Iterator[dict[str, httpx.Client]]:
    """One logged-in client per account of USERS."""
    out = {name: login(url, name) for name in USERS}
    yield out
    for c in out.values():
        c.close()


@pytest.fixture(scope="module")
def write_store(graph_host: GraphHost, demo_dir: Path) -> Iterator[GraphStore]:
    """A demo graph of the module's own, for tests that write."""
    with graph_host.fresh() as store:
        load_demo(store, demo_dir)
        yield store


@pytest.fixture(scope="module")
def write_live(
    write_store: GraphStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    data_dir = tmp_path_factory.mktemp("api_write")
    with served(write_store, data_dir) as (url, _):
        yield url, data_dir


@pytest.fixture(scope="module")
def writers(write_live: tuple[str, Path]) -> Iterator[dict[str, httpx.Client]]:
    out = {name: login(write_live[0], name) for name in USERS}
    yield out
    for c in out.values():
        c.close()
