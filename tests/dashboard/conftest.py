"""Fixtures of the dashboard tests: the tiny demo county in a real graph on each engine
(FalkorDB embedded, Neo4j: tests/engines.py), served by the real API over HTTP, with a county
admin and a township admin to log in as.

The graph lives as long as this folder's tests (package scope: on Neo4j it is a whole server)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import shapely  # noqa: F401 (below)
from streamlit.testing.v1 import AppTest

from orgraph import clock
from orgraph.client import OrgraphClient
from orgraph.demo import generate
from orgraph.importer.pipeline import import_files
from orgraph.store import GraphStore
from tests.dashboard.apptest import login
from tests.engines import GraphHost, short_tmpdir
from tests.live_api import api_settings, live_api, make_user

COUNTY = "330226"
TOWNSHIP = "330226101"
# shapely is imported here, in the worker's main thread, before any AppTest: the map page's
# script thread and a test calling geo directly once imported it at the same moment, and one
# of them got "partially initialized module 'shapely'" (a fresh-clone run of the fast tier).
ADMIN = ("county.admin", "Admin-pass-2026")
TOWN = ("changjie", "Town-pass-2026")
VIEWER = ("viewer1", "View-pass-2026")
VILLAGE = ("beiping", "Village-pass-2026")  # secretary of 北坪村's branch (an org scope)


@dataclass
class LiveDashboard:
    url: str  # the API base ("http://127.0.0.1:PORT")
    demo: Path  # the roster files that were imported

    def client(self, who: tuple[str, str] = ADMIN) -> OrgraphClient:
        c = OrgraphClient(self.url)
        c.login(*who)
        return c


def load_demo(store: GraphStore, out: Path, key: bytes) -> None:
    # dated the day the tests run (the session's pinned day): what is "in office" or "due" on
    # the pages stays what the demo planted, whatever the calendar says
    generate(out, scale="tiny", seed=3, with_errors=True, as_of=clock.today())
    files = sorted(p for p in out.iterdir() if p.suffix in (".xlsx", ".csv"))
    import_files(store, files, key=key)


@pytest.fixture(scope="package")
def live(graph_host: GraphHost) -> Iterator[LiveDashboard]:
    data_dir = short_tmpdir("og-dash-")
    try:
        yield from _serve(graph_host, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def admin_app(live: LiveDashboard) -> AppTest:
    """The dashboard as the county administrator sees it, logged in once per module."""
    return login(ADMIN)


@pytest.fixture(scope="module")
def api(live: LiveDashboard) -> OrgraphClient:
    """The API as the county administrator, for the figures the pages must show."""
    return live.client(ADMIN)


Loader = Callable[[GraphStore, Path, bytes], None]


def _serve(
    graph_host: GraphHost, data_dir: Path, load: Loader = load_demo
) -> Iterator[LiveDashboard]:
    """A fresh graph filled by `load(store, folder, id hash key)` (default: the tiny demo,
    imported without a record), its users, and the API over it."""
    settings = api_settings(data_dir)
    with graph_host.fresh() as store:
        load(store, data_dir / "demo", settings.id_hash_key.get_secret_value().encode())
        make_user(data_dir, ADMIN[0], ADMIN[1], "county_admin", COUNTY, display_name="王主任")
        make_user(data_dir, TOWN[0], TOWN[1], "township_admin", TOWNSHIP, display_name="李委员")
        make_user(data_dir, VIEWER[0], VIEWER[1], "viewer", COUNTY)
        make_user(
            data_dir,
            VILLAGE[0],
            VILLAGE[1],
            "village_secretary",
            "D330226101201",
            display_name="北坪村书记",
        )
        with live_api(store, data_dir) as url:
            old = os.environ.get("ORGRAPH_API_URL")
            os.environ["ORGRAPH_API_URL"] = url
            try:
                yield LiveDashboard(url=url, demo=data_dir / "demo")
            finally:
                if old is None:
                    os.environ.pop("ORGRAPH_API_URL", None)
                else:
                    os.environ["ORGRAPH_API_URL"] = old
