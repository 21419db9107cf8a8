"""Multi-step writes: `store.transaction()` on a real engine.

Neo4j: one driver transaction per block, so a failure half-way leaves nothing written, and the
revision bump commits with the writes. FalkorDB has no multi-statement transactions: each step
is applied at once, earlier steps stay when a later one fails, and the revision is bumped once
when the block ends, failure or not (documented in FalkorStore.transaction). The tests whose
name says `on_neo4j` or `on_falkordb` check that engine's documented behaviour.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.mobility.test_lifecycle import home_member

from orgraph import clock
from orgraph.catalog import Query
from orgraph.demo import generate
from orgraph.errors import BadQuery, ConstraintConflict, StoreUnavailable
from orgraph.importer.pipeline import import_files
from orgraph.mobility import services
from orgraph.store import GraphStore, Row
from orgraph.store.base import Writer, count_nodes
from orgraph.store.migrations import migrate

TODAY = clock.today()
KEY = b"transactions-test-key"


def _area(code: str, name: str = "x", level: str = "village") -> dict[str, object]:
    return {"code": code, "props": {"name": name, "level": level}}


def revision(store: GraphStore | Writer) -> str | None:
    rows = store.read("graph_revision")
    return rows[0]["rev"] if rows else None


def counts(store: GraphStore) -> dict[str, Any]:
    """Node and relationship counts (the catalog's count blocks), for before/after checks."""
    return {
        "nodes": store.read("count_nodes"),
        "labels": store.read("count_by_label"),
        "contacts": store.read("count_contact_links"),
        "rels": sorted(map(str, store.read("testing_rel_counts"))),
    }


def snapshot(store: GraphStore) -> tuple[list[str], list[str]]:
    """Every node and relationship with its properties (Meta bookkeeping excluded)."""
    return (
        sorted(map(str, store.read("testing_nodes"))),
        sorted(map(str, store.read("testing_rels"))),
    )


# Engine-specific behaviour: these tests run on one engine only (not run-and-skip on the other).
ON_NEO4J = pytest.mark.parametrize(
    "graph_host", [pytest.param("neo4j", marks=pytest.mark.neo4j)], indirect=True
)
ON_FALKORDB = pytest.mark.parametrize("graph_host", ["falkordb"], indirect=True)


# -- the writer ------------------------------------------------------------------------------


def test_transaction_commits_every_step_and_bumps_the_revision_once_at_the_end(
    store: GraphStore,
) -> None:
    store.write("upsert_areas", rows=[_area("1")])
    before = revision(store)
    assert before is not None
    with store.transaction() as tx:
        assert tx.write("upsert_areas", rows=[_area("2")]) == [{"written": 1}]
        assert revision(tx) == before  # no bump per step
        rows = tx.write("upsert_areas", rows=[_area("3"), _area("4")])
        assert rows == [{"written": 2}] and type(rows[0]) is dict
        assert tx.read("count_nodes") == [{"nodes": 4}]  # a step sees the earlier ones
        assert revision(tx) == before
    after = revision(store)
    assert after is not None and after != before
    assert count_nodes(store) == 4
    assert store.read("area_by_code", code="3") == [{"code": "3", "name": "x", "level": "village"}]


def test_transaction_rows_are_plain_and_checked_like_the_stores(store: GraphStore) -> None:
    with store.transaction() as tx:
        tx.write("upsert_areas", rows=[_area("330226001", "跃龙街道", "township")])
        assert tx.read("area_by_code", code="330226001") == [
            {"code": "330226001", "name": "跃龙街道", "level": "township"}
        ]
        with pytest.raises(BadQuery, match="缺少"):
            tx.read("area_by_code")
        with pytest.raises(BadQuery, match="多余"):
            tx.write("upsert_areas", rows=[], other=1)
    assert store.read("area_by_code", code="330226001")[0]["name"] == "跃龙街道"


def test_a_transaction_that_only_reads_leaves_the_revision(store: GraphStore) -> None:
    store.write("upsert_areas", rows=[_area("1")])
    before = revision(store)
    with store.transaction() as tx:
        assert tx.read("count_nodes") == [{"nodes": 1}]
    assert revision(store) == before


def test_a_single_write_carries_its_revision_bump(store: GraphStore) -> None:
    start = revision(store)
    store.write("upsert_areas", rows=[_area("1")])
    first = revision(store)
    assert first is not None and first != start
    store.write("upsert_areas", rows=[_area("1", "改")])
    second = revision(store)
    assert second is not None and second != first
    # a refused single write is atomic with its bump on both engines: nothing changes
    with pytest.raises(ConstraintConflict):
        store.write("create_area_strict", code="1")
    assert revision(store) == second


# The ways a block can fail half-way: the engine refuses a step (unique constraint, or a
# parameter of the wrong type), or the caller's own code raises between steps.
def _constraint(tx: Writer) -> None:
    tx.write("create_area_strict", code="1")  # area 1 exists before the block


def _bad_type(tx: Writer) -> None:
    tx.write("upsert_areas", rows=[{"code": "9", "props": 7}])  # props must be a map


def _caller_raises(tx: Writer) -> None:
    raise RuntimeError("the caller's own check failed")


FAILURES = {
    "constraint": (_constraint, ConstraintConflict),
    "bad_type": (_bad_type, BadQuery),
    "caller": (_caller_raises, RuntimeError),
}


def _fail_half_way(store: GraphStore, how: str) -> None:
    step, error = FAILURES[how]
    with pytest.raises(error), store.transaction() as tx:
        tx.write("upsert_areas", rows=[_area("2"), _area("3")])
        tx.write("upsert_areas", rows=[_area("1", "改了")])
        step(tx)
        tx.write("upsert_areas", rows=[_area("4")])  # never reached


@pytest.mark.parametrize("how", sorted(FAILURES))
@ON_NEO4J
def test_a_failing_step_leaves_the_graph_unchanged_on_neo4j(store: GraphStore, how: str) -> None:
    store.write("upsert_areas", rows=[_area("1")])
    before, rev = counts(store), revision(store)
    _fail_half_way(store, how)
    assert counts(store) == before
    assert revision(store) == rev
    assert store.read("area_by_code", code="1")[0]["name"] == "x"
    # the store is usable afterwards (the session and its connection went back clean)
    with store.transaction() as tx:
        tx.write("upsert_areas", rows=[_area("5")])
    assert count_nodes(store) == 2


@pytest.mark.parametrize("how", sorted(FAILURES))
@ON_FALKORDB
def test_a_failing_step_keeps_the_earlier_steps_and_bumps_the_revision_on_falkordb(
    store: GraphStore, how: str
) -> None:
    store.write("upsert_areas", rows=[_area("1")])
    rev = revision(store)
    _fail_half_way(store, how)
    assert count_nodes(store) == 3  # areas 2 and 3 stay, 4 was never written
    assert store.read("area_by_code", code="1")[0]["name"] == "改了"
    assert revision(store) not in (None, rev)  # readers notice the partial change


def test_drop_all_deletes_everything_and_returns(store: GraphStore) -> None:
    # Neo4j deletes in batches; a bump per batch would recreate the revision node forever.
    store.write("upsert_areas", rows=[_area(str(i)) for i in range(25)])
    with store.transaction() as tx:
        tx.write("upsert_areas", rows=[_area("x1")])
    assert revision(store) is not None
    store.drop_all()
    assert count_nodes(store) == 0
    assert revision(store) is None
    assert store.read("schema_version") == []
    migrate(store)  # the schema comes back (or is re-checked) and constraints hold again
    store.write("upsert_areas", rows=[_area("1")])
    with pytest.raises(ConstraintConflict):
        store.write("create_area_strict", code="1")


# -- services on a small county --------------------------------------------------------------


class Injected(StoreUnavailable):
    """The failure a test injects at a named step."""


class _FailingWriter:
    def __init__(self, tx: Writer, step: str, ran: list[str]) -> None:
        self._tx, self._step, self.ran = tx, step, ran

    def read(self, query: str, /, **params: Any) -> list[Row]:
        return self._tx.read(query, **params)

    def write(self, query: str, /, **params: Any) -> list[Row]:
        if query == self._step:
            raise Injected(f"injected failure at {query}")
        rows = self._tx.write(query, **params)  # the earlier steps run for real
        self.ran.append(query)
        return rows


class FailingAt:
    """A real store whose transactions fail at one named step, after the earlier ones ran."""

    def __init__(self, store: GraphStore, step: str) -> None:
        self._store, self.step = store, step
        self.engine = store.engine
        self.ran: list[str] = []

    def read(self, query: str, /, **params: Any) -> list[Row]:
        return self._store.read(query, **params)

    def write(self, query: str, /, **params: Any) -> list[Row]:
        raise AssertionError(f"{query}: a multi-step service must write through its transaction")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Writer]:
        with self._store.transaction() as tx:
            yield _FailingWriter(tx, self.step, self.ran)

    def ping(self) -> None:
        self._store.ping()

    def apply_schema(self, stmt: Query) -> None:
        self._store.apply_schema(stmt)

    def compact(self) -> None:
        self._store.compact()

    def drop_all(self) -> None:
        self._store.drop_all()

    def close(self) -> None:
        self._store.close()


@pytest.fixture(scope="module")
def tiny_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tx_tiny")
    generate(out, scale="tiny", seed=1, as_of=TODAY)
    return out


@pytest.fixture
def county(store: GraphStore, tiny_files: Path) -> GraphStore:
    report = import_files(
        store,
        sorted(p for p in tiny_files.iterdir() if p.suffix in (".xlsx", ".csv")),
        key=KEY,
        today=TODAY,
    )
    assert report.totals()["rejected"] == 0
    return store


_home_member = home_member  # the same pick as the mobility lifecycle tests


def _away_member(store: GraphStore) -> tuple[str, str]:
    """A member with an open outflow episode who attends an org there (set up for real)."""
    m = _home_member(store)
    days = (TODAY - dt.timedelta(days=40)).isoformat()
    out = services.register_departure(store, member=m, left_on=days, destination="330100")
    services.attend(store, member=m, org="D330226", since=days)
    return m, out["id"]


TRANSFER_STEPS = ("end_attendance", "record_transfer", "move_affiliation", "end_outflow")


@ON_NEO4J
def test_a_transfer_failing_at_its_last_step_writes_nothing_on_neo4j(county: GraphStore) -> None:
    m, _ = _away_member(county)
    before, rev = snapshot(county), revision(county)
    proxy = FailingAt(county, TRANSFER_STEPS[-1])
    with pytest.raises(Injected):
        services.transfer(proxy, member=m, to_org="杭州市西湖区某社区党委", on=TODAY)
    # every earlier step really ran in the transaction, and none of them is left
    assert proxy.ran == ["upsert_external_orgs", *TRANSFER_STEPS[:-1]]
    assert snapshot(county) == before
    assert revision(county) == rev
    # and the call succeeds when repeated against the store itself
    done = services.transfer(county, member=m, to_org="杭州市西湖区某社区党委", on=TODAY)
    assert not done["on_roll"] and done["ended_outflow"]
    assert snapshot(county) != before


@ON_FALKORDB
def test_a_transfer_failing_at_its_last_step_keeps_the_earlier_steps_on_falkordb(
    county: GraphStore,
) -> None:
    m, episode = _away_member(county)
    rev = revision(county)
    proxy = FailingAt(county, TRANSFER_STEPS[-1])
    with pytest.raises(Injected):
        services.transfer(proxy, member=m, to_org="杭州市西湖区某社区党委", on=TODAY)
    assert proxy.ran == ["upsert_external_orgs", *TRANSFER_STEPS[:-1]]
    state = county.read("member_mobility_state", member=m)[0]
    assert state["on_roll"] is False  # move_affiliation stayed
    assert revision(county) not in (None, rev)
    # the episode was not ended: it is still the open one
    assert any(e[0] == episode and e[2] is None and e[3] is None for e in state["episodes"])


@ON_NEO4J
def test_a_mobile_branch_failing_at_its_links_writes_nothing_on_neo4j(county: GraphStore) -> None:
    before, rev = snapshot(county), revision(county)
    proxy = FailingAt(county, "link_orgs")
    with pytest.raises(Injected):
        services.create_mobile_branch(
            proxy,
            id="LD-SZ",
            name="宁海县驻苏州流动党员党支部",
            kind="mobile_branch",
            host_area="320500",
            approved_by="D330226",
        )
    assert proxy.ran == ["upsert_places", "upsert_orgs"]
    assert county.read("org_standing", id="LD-SZ") == []
    assert snapshot(county) == before
    assert revision(county) == rev


def test_a_departure_and_a_return_each_bump_the_revision_once_as_one_unit(
    county: GraphStore,
) -> None:
    m = _home_member(county)
    rev = revision(county)
    left = (TODAY - dt.timedelta(days=10)).isoformat()
    out = services.register_departure(
        county, member=m, left_on=left, destination="广东省东莞市长安镇"
    )
    assert out["placed"] and revision(county) != rev
    rev = revision(county)
    back = services.record_return(county, member=m, on=TODAY)
    assert back["returned_on"] == TODAY.isoformat() and revision(county) != rev


@ON_NEO4J
def test_writes_hand_their_bookmarks_to_the_reads_on_neo4j(store: GraphStore) -> None:
    """A write's bookmark reaches the manager the store's reads use (execute_query's), so on
    a cluster a read after the write waits for a member that has it (causal consistency)."""
    manager = store._driver.execute_query_bookmark_manager  # type: ignore[attr-defined]
    before = manager.get_bookmarks()
    store.write("upsert_areas", rows=[_area("BM1")])
    after_write = manager.get_bookmarks()
    assert after_write and after_write != before
    with store.transaction() as tx:
        tx.write("upsert_areas", rows=[_area("BM2")])
    assert manager.get_bookmarks() not in (before, after_write)
