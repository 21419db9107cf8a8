"""Concurrent writers (issue #18): several `orgraph import` processes of the same files at once,
and an import racing the API's contact writes, leave exactly the graph of one clean import, on
both engines; the graph's import lock (src/orgraph/store/write_lock.py) makes a second import
wait, tell why in Chinese, and give up after its timeout.

The imports run as real users run them: separate `orgraph import` processes against the same
graph (FalkorDB: the suite's server, through its unix socket; Neo4j: a server of the pool,
through Bolt). The clean import runs in-process into a second graph of the same engine; every
relationship (type, both ends' keys, properties) and every node are compared as multisets, so
a twin relationship is a difference. The tiny demo county (~500 households) keeps it short.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from tests.engines import GraphHost
from tests.environ import without_settings
from tests.sampling import neo4j_sample

from orgraph.analysis.projection import load as load_projection
from orgraph.demo import generate
from orgraph.importer import history
from orgraph.importer.pipeline import import_files
from orgraph.records.contacts import add_contact
from orgraph.records.models import ContactCreate
from orgraph.records.visibility import Visible
from orgraph.store import GraphStore
from orgraph.store.write_lock import ImportBusy, ImportLock, import_lock

ORGRAPH = Path(sys.executable).with_name("orgraph")
KEY = "concurrent-test-key"
AS_OF = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every roster file of the tiny demo county (all nine kinds)."""
    out = tmp_path_factory.mktemp("concurrent")
    generate(out, scale="tiny", seed=1, as_of=AS_OF)
    return sorted(p for p in out.iterdir() if p.suffix in (".xlsx", ".csv"))


Clean = tuple[dict[str, int], Counter[str], Counter[str]]


@pytest.fixture(scope="module")
def clean(county: list[Path], graph_host: GraphHost) -> Clean:
    """One clean import of the county into a fresh graph of the engine: its report's totals,
    relationships and nodes (once per engine and module)."""
    with graph_host.fresh() as g:
        totals = import_files(g, county, key=KEY.encode(), today=AS_OF).totals()
        return (totals, *dump(g))


HISTORY_LABELS = frozenset({"Import", "FieldChange", "GapLedger", "GapItem"})


def dump(store: GraphStore) -> tuple[Counter[str], Counter[str]]:
    """Every relationship and every node (Meta excluded, and the history's nodes: a library
    import records none, `orgraph import` an Import each with the field history and the gap
    ledger's observation after it, checked apart) as a multiset of JSON rows."""
    rels = Counter(
        json.dumps(r, sort_keys=True, ensure_ascii=False) for r in store.read("testing_rels")
    )
    nodes = Counter(
        json.dumps(r, sort_keys=True, ensure_ascii=False)
        for r in store.read("testing_nodes")
        if r["label"] not in HISTORY_LABELS
    )
    return rels, nodes


def differences(got: Counter[str], want: Counter[str]) -> str:
    extra, missing = got - want, want - got
    kinds = Counter(json.loads(k).get("rel", json.loads(k).get("label")) for k in extra.elements())
    return (
        f"{sum(extra.values())} extra ({dict(kinds)}), {sum(missing.values())} missing; "
        f"e.g. {list(extra)[:2]} {list(missing)[:2]}"
    )


def cli_env(graph_host: GraphHost, store: GraphStore, **extra: str) -> dict[str, str]:
    env = without_settings()
    env.update(graph_host.env(store), ORGRAPH_ID_HASH_KEY=KEY, NO_COLOR="1", COLUMNS="200")
    env.update(extra)
    return env


def start_imports(
    env: dict[str, str], files: list[Path], reports: list[Path]
) -> list[subprocess.Popen[str]]:
    return [
        subprocess.Popen(
            [str(ORGRAPH), "import", *map(str, files), "--report", str(rep)],
            env=env,
            cwd=rep.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for rep in reports
    ]


def finish(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str]]:
    return [(p.wait(timeout=600), p.stdout.read() if p.stdout else "") for p in procs]


# Two and three imports at once on FalkorDB; three on Neo4j (tests/sampling.py).
@pytest.mark.parametrize("n", [2, 3])
@neo4j_sample("n", [3])
def test_simultaneous_imports_equal_one_clean_import(
    n: int,
    county: list[Path],
    graph_host: GraphHost,
    store: GraphStore,
    clean: Clean,
    tmp_path: Path,
) -> None:
    want, want_rels, want_nodes = clean
    reports = [tmp_path / f"report{i}.json" for i in range(n)]
    outs = finish(start_imports(cli_env(graph_host, store), county, reports))
    assert [rc for rc, _ in outs] == [0] * n, outs
    got_rels, got_nodes = dump(store)
    assert got_rels == want_rels, differences(got_rels, want_rels)
    assert got_nodes == want_nodes, differences(got_nodes, want_nodes)
    # The diff and the writes stay consistent: one import created everything, each other one
    # read the graph after it and found every row unchanged.
    totals = [json.loads(r.read_text())["totals"] for r in reports]
    assert sorted((t["created"], t["updated"]) for t in totals) == [(0, 0)] * (n - 1) + [
        (want["created"], want["updated"])
    ], totals
    # The import history has each of them once, in the order the lock let them write: the one
    # that created everything first.
    recorded = history.imports(store)["items"][::-1]  # oldest first
    assert sorted(e["id"] for e in recorded) == sorted(
        json.loads(r.read_text())["import_id"] for r in reports
    )
    assert [e["totals"]["created"] for e in recorded] == [want["created"]] + [0] * (n - 1)
    # the first observed the graph it made; the others changed nothing, on the same day
    assert [e["observation"] for e in recorded] == [1] * n
    assert {r["import"] for r in store.read("testing_field_change_imports")} <= {recorded[0]["id"]}


def test_import_racing_api_contact_writes(
    county: list[Path],
    graph_host: GraphHost,
    store: GraphStore,
    clean: Clean,
    tmp_path: Path,
) -> None:
    """The API adds (through the records layer) the very contacts the import writes, while it
    writes them: no twin relationship, the graph equals a clean import."""
    _, want_rels, want_nodes = clean
    contacts = [
        json.loads(r)
        for r in want_rels
        if json.loads(r)["rel"] == "CONTACTS" and json.loads(r)["props"].get("since")
    ]
    assert len(contacts) > 100
    # The people and households first, so that the API can see them; the contacts race.
    import_files(
        store, [f for f in county if "联系关系" not in f.name], key=KEY.encode(), today=AS_OF
    )
    seen = Visible.everything(load_projection(store))
    procs = start_imports(cli_env(graph_host, store), county, [tmp_path / "r.json"])
    errors: list[BaseException] = []

    def api() -> None:
        try:
            for c in contacts:
                until = c["props"].get("until")
                body = ContactCreate(
                    member=c["from_key"],
                    household=c["to_key"],
                    since=dt.date.fromisoformat(c["props"]["since"]),
                    until=dt.date.fromisoformat(until) if until else None,
                )
                add_contact(store, seen=seen, body=body, on=AS_OF)
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)

    writers = [threading.Thread(target=api) for _ in range(2)]
    for w in writers:
        w.start()
    for w in writers:
        w.join(timeout=600)
    outs = finish(procs)
    assert not errors, errors
    assert [rc for rc, _ in outs] == [0], outs
    got_rels, got_nodes = dump(store)
    assert got_rels == want_rels, differences(got_rels, want_rels)
    assert got_nodes == want_nodes, differences(got_nodes, want_nodes)


def test_a_reimport_repairs_twin_links(county: list[Path], store: GraphStore, clean: Clean) -> None:
    """Twins that concurrent writers left before the write lock (the probe's 7,385) are not
    'unchanged' on the next import: it keeps one link per key and says so on the row; a dry
    run only says it would."""
    _, want_rels, _ = clean
    import_files(store, county, key=KEY.encode(), today=AS_OF)
    contacts = [
        json.loads(r)
        for r in want_rels
        if json.loads(r)["rel"] == "CONTACTS" and json.loads(r)["props"].get("since")
    ][:40]
    rows = [
        {"member": c["from_key"], "household": c["to_key"], "since": c["props"]["since"]}
        for c in contacts
    ]
    assert store.write("testing_twin_contacts", rows=rows)[0]["written"] == len(rows)
    assert dump(store)[0] != want_rels
    files = [f for f in county if "联系关系" in f.name]
    dry = import_files(store, files, key=KEY.encode(), today=AS_OF, dry_run=True)
    said = [w.message for f in dry.files for w in f.warnings if "重复存储" in w.message]
    assert len(said) == len(rows) and all("将合并为一条" in m for m in said), said
    assert dump(store)[0] != want_rels  # a dry run writes nothing
    report = import_files(store, files, key=KEY.encode(), today=AS_OF)
    said = [w.message for f in report.files for w in f.warnings if "重复存储" in w.message]
    assert len(said) == len(rows) and all("已合并为一条" in m for m in said), said
    got_rels, _ = dump(store)
    assert got_rels == want_rels, differences(got_rels, want_rels)
    again = import_files(store, files, key=KEY.encode(), today=AS_OF)
    assert not [w for f in again.files for w in f.warnings if "重复存储" in w.message]


def test_relationship_merges_race_free(store: GraphStore) -> None:
    """Writers that take no lock (the API's records, mobility): six threads writing the same
    300 contacts at the same instant leave 300 relationships. Neo4j locks both ends of a
    relationship MERGE (LockingMerge); on FalkorDB this failed (320: one 20-row batch twinned
    whole, as the issue's 5,000 CONTACTS) until FalkorStore ran one write query at a time per
    graph (`FalkorStore._serial`)."""
    store.write("upsert_areas", rows=[{"code": "A", "props": {"name": "村", "level": "village"}}])
    store.write("upsert_members", rows=[{"key": f"m{i}", "props": {}} for i in range(30)])
    store.write(
        "upsert_households", rows=[{"id": f"h{j}", "props": {}, "area": "A"} for j in range(30)]
    )
    rows = [
        {"member": f"m{i}", "target": f"h{j}", "since": "2025-01-01", "until": None}
        for i in range(30)
        for j in range(30)
        if (i + j) % 3 == 0
    ]
    barrier = threading.Barrier(6)

    def write() -> None:
        barrier.wait()
        for k in range(0, len(rows), 20):
            store.write("upsert_household_contacts", rows=rows[k : k + 20])

    threads = [threading.Thread(target=write) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    counts = {r["rel"]: r["n"] for r in store.read("testing_rel_counts")}
    assert counts == {"IN": 30, "CONTACTS": len(rows)}


def test_cli_waits_for_another_import_then_gives_up(
    county: list[Path], graph_host: GraphHost, store: GraphStore, tmp_path: Path
) -> None:
    """`orgraph import` while another import holds the graph: it says in Chinese that it waits
    for it, gives up after ORGRAPH_IMPORT_LOCK_WAIT_S with exit code 3, and writes nothing."""
    with import_lock(store, wait_s=0, lease_s=60) as other:
        env = cli_env(graph_host, store, ORGRAPH_IMPORT_LOCK_WAIT_S="3")
        ((rc, out),) = finish(start_imports(env, county, [tmp_path / "r.json"]))
    assert rc == 3, out
    flat = " ".join(out.split())  # the console wraps long lines
    assert "正在写入这个图，等待它完成" in flat and other.holder.split()[0] in flat, out
    assert "本次导入已放弃，没有写入任何数据" in flat, out
    assert store.read("testing_rel_counts") == []
    assert dump(store)[1] == Counter()


# -- the lock itself ------------------------------------------------------------------------


def test_second_import_waits_then_gives_up(store: GraphStore) -> None:
    told: list[str] = []
    with import_lock(store, wait_s=60, lease_s=60) as first:
        t0 = time.monotonic()
        second = ImportLock(store, wait_s=1.5, lease_s=60, waiting=told.append, poll_s=0.2)
        with pytest.raises(ImportBusy, match="另一个导入") as exc:
            second.acquire()
        assert 1.5 <= time.monotonic() - t0 < 10
        assert first.holder in str(exc.value) and "ORGRAPH_IMPORT_LOCK_WAIT_S" in str(exc.value)
        assert told and "等待它完成" in told[0] and first.holder in told[0]
    # released: the next import gets it at once
    with import_lock(store, wait_s=0, lease_s=60) as third:
        assert store.read("import_lock_state")[0]["owner"] == third.token
    assert store.read("import_lock_state") == []


def test_a_dead_importers_lock_goes_stale(store: GraphStore) -> None:
    """A holder that stopped renewing (killed) blocks the next import for its lease only."""
    store.write("acquire_import_lock", token="dead", holder="killed importer", lease_ms=1500)
    t0 = time.monotonic()
    with import_lock(store, wait_s=30, lease_s=60, poll_s=0.2) as lock:
        assert 1.0 < time.monotonic() - t0 < 20
        assert store.read("import_lock_state")[0]["owner"] == lock.token


def test_one_claimant_wins(store: GraphStore) -> None:
    """Claimants at the same instant: exactly one holds the lock, on both engines."""
    barrier = threading.Barrier(4)
    won: list[str] = []

    def claim(i: int) -> None:
        barrier.wait()
        row = store.write("acquire_import_lock", token=f"t{i}", holder=f"h{i}", lease_ms=60_000)
        if row[0]["owner"] == f"t{i}":
            won.append(f"t{i}")

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(won) == 1, won
    assert store.read("import_lock_state")[0]["owner"] == won[0]


def test_lost_lease_stops_the_import(store: GraphStore) -> None:
    """An import paused past its lease, whose lock another import took, stops before writing."""
    lock = ImportLock(store, wait_s=0, lease_s=60)
    lock.acquire()
    try:
        store.write("release_import_lock", token=lock.token)
        store.write("acquire_import_lock", token="other", holder="another", lease_ms=60_000)
        assert lock.renew() is False
        with pytest.raises(ImportBusy, match="接手"):
            lock.check()
    finally:
        lock.release()
    assert store.read("import_lock_state")[0]["owner"] == "other"
