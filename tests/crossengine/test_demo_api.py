"""The demo county served by the API on FalkorDB and on Neo4j: every answer alike.

The county-scale demo (宁海县, ~98k households) is imported into both engines and served by two
real APIs over HTTP; a county administrator then reads, from both, the summary, coverage at
every level, every gap list in full, the organisation tree, members away (destinations, flows,
mobile branches and their members, timelines), contact chains of a sample of households, and
the record lists (members, households, contacts, outflows, reports), and the answers must be
equal, field by field and type by type. CROSS_ENGINE_DEMO_SCALE=tiny runs it on the tiny demo.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any, cast

import httpx
import pytest

from orgraph.demo import generate
from orgraph.demo.generate import FILES, Scale
from orgraph.importer.pipeline import import_files
from tests.api.conftest import add_users, login
from tests.crossengine.diff import diffs
from tests.engines import FalkorHost, Neo4jHost
from tests.live_api import live_api

SCALE = cast(Scale, os.environ.get("CROSS_ENGINE_DEMO_SCALE", "county"))
AS_OF = dt.date(2026, 11, 1)
KEY = b"cross-engine-key"
PAGE = 500  # the API's largest page
CHAINS = 300  # households whose contact chain is compared (every uncovered one's first page too)

pytestmark = [pytest.mark.neo4j, pytest.mark.timeout(1800)]


@pytest.fixture(scope="module")
def apis(
    falkor_server: Any, neo4j_host: Neo4jHost, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, httpx.Client]]:
    files = tmp_path_factory.mktemp(f"demo_{SCALE}")
    generate(files, scale=SCALE, seed=1, as_of=AS_OF)
    clients: dict[str, httpx.Client] = {}
    with FalkorHost(falkor_server).fresh() as fstore, neo4j_host.fresh() as nstore:
        urls = []
        stack = []
        for name, store in (("falkordb", fstore), ("neo4j", nstore)):
            report = import_files(store, [files / f for f in FILES], key=KEY, today=AS_OF)
            assert report.totals()["rejected"] == 0
            data_dir = tmp_path_factory.mktemp(f"api_{name}")
            add_users(data_dir)
            cm = live_api(store, data_dir)
            urls.append(cm.__enter__())
            stack.append(cm)
            clients[name] = login(urls[-1], "county")
            clients[name].timeout = httpx.Timeout(120)
        try:
            yield clients
        finally:
            for c in clients.values():
                c.close()
            for cm in reversed(stack):
                cm.__exit__(None, None, None)


def get_both(
    apis: dict[str, httpx.Client], path: str, params: dict[str, Any] | None = None
) -> tuple[Any, Any]:
    out = []
    for name in ("falkordb", "neo4j"):
        r = apis[name].get(path, params=params)
        assert r.status_code == 200, (name, path, params, r.status_code, r.text[:300])
        out.append(r.json())
    return out[0], out[1]


def same(apis: dict[str, httpx.Client], path: str, **params: Any) -> Any:
    f, n = get_both(apis, path, params)
    assert diffs(f, n) == [], f"{path} {params}"
    return f


def test_summary_coverage_and_tree(apis: dict[str, httpx.Client]) -> None:
    same(apis, "/gaps/summary", as_of=AS_OF.isoformat())
    for level in ("county", "township", "village", "hamlet"):
        same(apis, "/coverage", level=level, as_of=AS_OF.isoformat())
    same(apis, "/tree")


def test_every_gap_list_in_full(apis: dict[str, httpx.Client]) -> None:
    counts = same(apis, "/gaps/summary", as_of=AS_OF.isoformat())["counts"]
    assert sum(counts.values()) > 0
    for rule, n in counts.items():
        for page in range(1, max(1, -(-n // PAGE)) + 1):
            same(apis, "/gaps", type=rule, as_of=AS_OF.isoformat(), page=page, page_size=PAGE)


def test_members_away(apis: dict[str, httpx.Client]) -> None:
    same(apis, "/mobility/destinations", as_of=AS_OF.isoformat())
    same(apis, "/mobility/flows", as_of=AS_OF.isoformat())
    branches = same(apis, "/mobile-branches", as_of=AS_OF.isoformat())["branches"]
    for b in branches:
        same(apis, f"/mobile-branches/{b['id']}/members", as_of=AS_OF.isoformat())
    away = same(
        apis, "/gaps", type="mobile_unattached", as_of=AS_OF.isoformat(), page=1, page_size=50
    )["items"]
    for item in away:
        same(apis, f"/mobility/members/{item['id']}/timeline")


def test_contact_chains(apis: dict[str, httpx.Client]) -> None:
    rows = same(apis, "/households", page=1, page_size=PAGE)["items"]
    uncovered = same(
        apis, "/gaps", type="household_uncovered", as_of=AS_OF.isoformat(), page=1, page_size=100
    )["items"]
    ids = [h["id"] for h in rows[:CHAINS]] + [h["id"] for h in uncovered]
    for hid in ids:
        same(apis, f"/households/{hid}/chain", as_of=AS_OF.isoformat())


def test_record_lists(apis: dict[str, httpx.Client]) -> None:
    members = same(apis, "/members", page=1, page_size=PAGE)["items"]
    same(apis, "/members", page=2, page_size=PAGE)
    same(apis, "/members", away="true", page=1, page_size=PAGE)
    same(apis, "/households", covered="false", page=1, page_size=PAGE)
    same(apis, "/outflows", page=1, page_size=PAGE)
    same(apis, "/reports", page=1, page_size=PAGE)
    for m in members[:40]:
        same(apis, f"/members/{m['id']}")
        same(apis, "/contacts", member=m["id"])
