"""While one thread loads the whole projection (after an import), other readers wait a bounded
time and then answer from the last complete revision instead of queueing behind the load
(docs/design.md#change-log); once it is installed, everyone answers from the new one. On a real
graph; only the load is held back (an event), so the test does not depend on timing."""

from __future__ import annotations

import threading
import time
from threading import Thread
from typing import Any

import pytest

from orgraph.analysis import projection as proj
from orgraph.analysis.engine import Engine
from orgraph.mobility import services
from orgraph.store import GraphStore
from orgraph.store.base import one_revision
from tests.projection.conftest import AS_OF


def _publish_everything(store: GraphStore, member: str) -> None:
    """One write published as a change to everything, as an import's end is."""
    with one_revision(store):
        services.record_report(store, member=member, on="2026-11-20", channel="电话")


class HeldLoad:
    """Wraps an engine's full load: it starts, then waits for `release` before returning."""

    def __init__(self, engine: Engine) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        real = engine._load

        def held() -> proj.Projection:
            self.started.set()
            assert self.release.wait(60), "the test never released the load"
            return real()

        engine._load = held  # type: ignore[method-assign]


def _reload_held(eng: Engine, county: GraphStore) -> tuple[proj.Projection, HeldLoad, Thread]:
    """An engine that answered, a change to everything, and a thread in the full load that
    follows, held there until the test releases it: (the old projection, the hold, the
    thread)."""
    old = eng.projection()
    _publish_everything(county, _member_away(old))
    held = HeldLoad(eng)
    loader = threading.Thread(target=eng.projection)
    loader.start()
    assert held.started.wait(60)
    return old, held, loader


def _member_away(p: proj.Projection) -> str:
    away = p.away(AS_OF.year * 10_000 + AS_OF.month * 100 + AS_OF.day)
    return next(k for k, a, on in zip(p.m_key, away, p.m_on_roll, strict=True) if a and on)


def test_readers_answer_from_the_last_revision_while_one_thread_reloads(
    county: GraphStore,
) -> None:
    eng = Engine(county, snapshots=False, reload_wait=0.2)
    old = eng.projection()
    before = eng.summary(as_of=AS_OF)
    _publish_everything(county, _member_away(old))
    held = HeldLoad(eng)
    got: list[proj.Projection] = []
    loader = threading.Thread(target=lambda: got.append(eng.projection()))
    loader.start()
    assert held.started.wait(60)

    t0 = time.monotonic()
    assert eng.projection() is old  # waited reload_wait, then the last complete revision
    assert 0.15 <= time.monotonic() - t0 < 30
    assert eng.summary(as_of=AS_OF) == before  # a whole answer from it, not a mix
    assert eng.loads == 1 and loader.is_alive()

    held.release.set()
    loader.join(60)
    new = eng.projection()
    assert got == [new] and new is not old and new.revision != old.revision
    assert eng.loads == 2 and eng.reload_reason == "too much changed"  # "everything"
    assert new.revision == proj.revision(county)[0]


def test_a_reader_gets_the_new_projection_when_the_load_ends_within_its_wait(
    county: GraphStore,
) -> None:
    eng = Engine(county, snapshots=False, reload_wait=60)
    old, held, loader = _reload_held(eng, county)
    got: list[proj.Projection] = []
    reader = threading.Thread(target=lambda: got.append(eng.projection()))
    reader.start()
    time.sleep(0.2)  # the reader is waiting for the load (it cannot have answered yet)
    assert reader.is_alive() and not got
    held.release.set()
    loader.join(60)
    reader.join(60)
    assert len(got) == 1 and got[0] is not old and got[0] is eng.projection()
    assert eng.loads == 2


def test_a_failed_load_lets_the_next_reader_load_again(county: GraphStore) -> None:
    eng = Engine(county, snapshots=False, reload_wait=0.2)
    old = eng.projection()
    _publish_everything(county, _member_away(old))
    real = eng._load

    def broken() -> proj.Projection:
        raise ConnectionError("store went away mid-load")

    eng._load = broken  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        eng.projection()
    eng._load = real  # type: ignore[method-assign]
    new = eng.projection()  # not stuck "loading": this reader loads
    assert new is not old and eng.loads == 2


def test_a_reader_that_read_the_revision_before_another_caught_up_does_not_reload(
    county: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reader A reads the revision, a write lands, reader B catches up to it, then A takes
    the lock with the revision it read first: A must answer from B's projection, not find
    the log "missing" and load the graph whole (found by bench/api.py with a writer: a
    reload every few writes under 16 clients). The interleaving is fixed: B catches up while
    A reads the revision, and A is handed the revision from before the write."""
    eng = Engine(county, snapshots=False)
    first = eng.projection()
    stale = proj.revision(county)
    member = _member_away(first)
    services.record_report(county, member=member, on="2026-11-21", channel="电话")
    real = proj.revision
    caught_up: list[proj.Projection] = []

    def read_by_a(store: GraphStore) -> tuple[str | None, int]:
        monkeypatch.setattr(proj, "revision", real)
        caught_up.append(eng.projection())  # reader B, meanwhile
        assert (eng.loads, eng.deltas) == (1, 1)
        return stale

    monkeypatch.setattr(proj, "revision", read_by_a)
    assert eng.projection() is caught_up[0]  # reader A
    assert (eng.loads, eng.deltas) == (1, 1), eng.freshness()


def test_a_reader_whose_projection_is_still_current_reads_the_revision_once(
    county: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a write, the reader that catches up reads the revision once: nobody installed a
    projection since it read it, so it is the one to catch up to (a second read is ~5 ms over
    Bolt, a tenth of a Neo4j answer after a write)."""
    eng = Engine(county, snapshots=False)
    first = eng.projection()
    services.record_report(county, member=_member_away(first), on="2026-11-21", channel="电话")
    real = proj.revision
    reads: list[tuple[str | None, int]] = []

    def counted(store: GraphStore) -> tuple[str | None, int]:
        reads.append(real(store))
        return reads[-1]

    monkeypatch.setattr(proj, "revision", counted)
    caught_up = eng.projection()
    assert caught_up is not first and (eng.loads, eng.deltas) == (1, 1)
    assert len(reads) == 1 and caught_up.revision == reads[0][0]


def test_concurrent_readers_and_a_writer_keep_one_load(county: GraphStore) -> None:
    """Eight threads answer in a loop while single-record writes land: every write reaches
    them as a delta and nothing reloads (no mock: the interleavings are whatever they are)."""
    eng = Engine(county, snapshots=False)
    p = eng.projection()
    stop = threading.Event()
    errors: list[BaseException] = []

    def read() -> None:
        try:
            while not stop.is_set():
                eng.coverage(as_of=AS_OF)
        except BaseException as exc:  # reported below
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(8)]
    for t in readers:
        t.start()
    try:
        for i in range(12):
            county.write(
                "upsert_household_contacts",
                rows=[
                    {
                        "member": p.m_key[i],
                        "target": p.hh_id[i],
                        "since": "2026-10-31",
                        "until": None,
                    }
                ],
            )
            time.sleep(0.05)
    finally:
        stop.set()
        for t in readers:
            t.join(60)
    assert not errors, errors
    eng.coverage(as_of=AS_OF)
    assert eng.loads == 1, eng.freshness()
    assert eng.projection().revision == proj.revision(county)[0]


def test_a_request_that_writes_waits_for_the_load_and_the_wait_is_once_per_load(
    county: GraphStore,
) -> None:
    """While a load runs: reads wait until reload_wait after it began, once (a request that
    asks several times is not held several times); a caller that writes (stale_ok=False)
    waits for the new projection whatever the wait."""
    eng = Engine(county, snapshots=False, reload_wait=1.0)
    old, held, loader = _reload_held(eng, county)
    assert eng.projection() is old  # waited out the load's deadline
    t0 = time.monotonic()
    assert eng.projection() is old and eng.scope(None)[0] is old
    assert time.monotonic() - t0 < 0.9  # the deadline has passed: no second wait
    got: list[proj.Projection] = []
    writer = threading.Thread(target=lambda: got.append(eng.scope(None, stale_ok=False)[0]))
    writer.start()
    time.sleep(1.5)  # longer than reload_wait: the writer is still waiting
    assert writer.is_alive() and not got
    held.release.set()
    loader.join(60)
    writer.join(60)
    assert len(got) == 1 and got[0] is not old and got[0] is eng.projection()


class Recording:
    """A real store that records each read with the thread it ran in."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.reads: list[tuple[str, str, list[int]]] = []  # (block, thread, entries by row)
        self.done = threading.Event()

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)

    def read(self, query: str, /, **params: object) -> list[dict[str, Any]]:
        rows = self.store.read(query, **params)
        # a row of delta_member_rows is a table's part: the entries it holds
        entries = [len(r["rows"]) if "part" in r else 1 for r in rows]
        self.reads.append((query, threading.current_thread().name, entries))
        if query == "delta_member_rows":
            self.done.set()
        return rows


def test_a_load_has_the_store_plan_a_members_catch_up_ahead(county: GraphStore) -> None:
    """After a full load the engine runs a member's catch-up statements once, in a thread of
    its own, with parameters of the types a catch-up passes (Neo4j plans a statement per
    parameter types: ~0.7 s, which the first answer after the first write would otherwise
    wait for); they read nothing, and the answers are not held for them."""
    store = Recording(county)
    eng = Engine(store, snapshots=False)  # type: ignore[arg-type]
    eng.projection()
    assert store.done.wait(30), store.reads
    planned = [(q, n) for q, thread, n in store.reads if thread == "orgraph-plan"]
    # changes_since: no row; delta_member_rows: its ten tables' rows, each of no entry
    assert planned == [("changes_since", []), ("delta_member_rows", [0] * 10)]
    assert eng.loads == 1 and eng.deltas == 0
