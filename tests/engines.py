"""Graph hosts for tests: where a fresh, migrated graph comes from, on each engine.

FalkorDB keeps many graphs in one server (one key each), so a fresh graph is a new key.
Neo4j Community has one user database per server, so a fresh graph is a whole server: a pool
of local Neo4j servers (assembled from Maven Central, src/orgraph/store/neo4j_server.py)
grows on demand, and each lease wipes its server first. The peak number of graphs alive at once
in the suite is the number of Neo4j servers it starts (a handful).

ORGRAPH_TEST_NEO4J_URI (with _USER/_PASSWORD) points the Neo4j variants at one external server
instead; it then holds one graph at a time.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from orgraph.store import GraphStore
from orgraph.store.embedded import EmbeddedServer
from orgraph.store.falkor import FalkorStore
from orgraph.store.migrations import migrate
from orgraph.store.neo4j_server import LocalNeo4j
from orgraph.store.neo4j_store import Neo4jStore

ENGINES = ("falkordb", "neo4j")
# Test servers: small heap and page cache (the largest graph in the suite is the demo county).
NEO4J_HEAP = os.environ.get("ORGRAPH_TEST_NEO4J_HEAP", "1g")
NEO4J_PAGECACHE = os.environ.get("ORGRAPH_TEST_NEO4J_PAGECACHE", "512m")
MAX_NEO4J_SERVERS = int(os.environ.get("ORGRAPH_TEST_NEO4J_MAX_SERVERS", "8"))


# A watchdog per test server folder: when the test process dies without its teardown (killed,
# Ctrl-C twice, a crashed xdist worker), the servers it started under that folder would live
# on, each Neo4j JVM holding 1.5 GB. The watchdog waits for the process, then kills whatever
# still runs from the folder and removes it.
_REAPER = r"""
import os, pathlib, shutil, signal, sys, time
parent, root = int(sys.argv[1]), sys.argv[2]
while True:
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        break
    if not os.path.isdir(root):
        sys.exit(0)  # torn down normally
    time.sleep(1)
me = str(os.getpid())
for proc in pathlib.Path("/proc").iterdir():
    if not proc.name.isdigit() or proc.name == me:
        continue
    try:
        if root.encode() in (proc / "cmdline").read_bytes():
            os.kill(int(proc.name), signal.SIGKILL)
    except OSError:
        pass
shutil.rmtree(root, ignore_errors=True)
"""


def reap_with_this_process(folder: Path) -> subprocess.Popen[bytes]:
    """Start the watchdog for `folder` (see _REAPER); stop it with `.send_signal(SIGTERM)`."""
    return subprocess.Popen(
        [sys.executable, "-c", _REAPER, str(os.getpid()), str(folder)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a Ctrl-C to the test run's group must not stop it first
    )


def stop_reaper(reaper: subprocess.Popen[bytes]) -> None:
    reaper.send_signal(signal.SIGTERM)
    reaper.wait(timeout=10)


def short_tmpdir(prefix: str) -> Path:
    """Unix socket paths must stay short, so servers live under /tmp, not pytest's tmp_path."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))


def ram_tmpdir(prefix: str) -> Path:
    """A folder in memory (/dev/shm) where the machine has one, else under /tmp. Neo4j syncs its
    transaction log at every commit, and a test server commits thousands of small transactions:
    on this project's 2-core VM a Neo4j oracle property of 12 generated counties took 114 s with
    its server on disk and 75 s in memory (same machine, minutes apart). The data is throwaway."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return Path(tempfile.mkdtemp(prefix=prefix, dir=shm))
    return short_tmpdir(prefix)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class GraphHost(Protocol):
    engine: str

    def fresh(self, *, migrated: bool = True) -> contextlib.AbstractContextManager[GraphStore]:
        """A fresh, empty graph (migrated unless told), released afterwards."""
        ...

    def env(self, store: GraphStore) -> dict[str, str]:
        """ORGRAPH_* variables under which a CLI or API process opens that very graph."""
        ...

    def close(self) -> None: ...


class FalkorHost:
    engine = "falkordb"

    def __init__(self, server: EmbeddedServer) -> None:
        self.server = server

    @contextlib.contextmanager
    def fresh(self, *, migrated: bool = True) -> Iterator[GraphStore]:
        store = FalkorStore(graph=f"t_{uuid.uuid4().hex[:12]}", unix_socket=str(self.server.socket))
        if migrated:
            migrate(store)
        try:
            yield store
        finally:
            store.drop_all()
            store.close()

    def env(self, store: GraphStore) -> dict[str, str]:
        assert isinstance(store, FalkorStore)
        return {"ORGRAPH_STORE_URI": store.where, "ORGRAPH_GRAPH_NAME": store.graph_name}

    def close(self) -> None:
        pass


@dataclass
class _Slot:
    uri: str
    user: str
    password: str
    server: LocalNeo4j | None = None  # None: an external server
    busy: bool = False
    leases: int = 0
    setup_s: list[float] = field(default_factory=list)


def _wipe_and_migrate(store: GraphStore) -> None:
    """A leased Neo4j graph made fresh. The schema (indexes and constraints) and its version
    record stay, as the graph is migrated anyway: re-applying 13 schema statements took ~0.3 s
    a lease. Each batch's own revision bump leaves two nodes (the revision record and its entry
    in the change log): a batch deleting only those ends the wipe."""
    while store.write("testing_wipe_batch", limit=10_000)[0]["deleted"] > 2:
        pass
    migrate(store)


class Neo4jHost:
    """A pool of Neo4j servers, one graph each."""

    engine = "neo4j"

    def __init__(self, external_uri: str = "", user: str = "neo4j", password: str = "") -> None:
        self.root = ram_tmpdir("og-neo-")
        self.slots: list[_Slot] = []
        self.external = bool(external_uri)
        self._lock = threading.Lock()
        if external_uri:
            self.slots.append(_Slot(external_uri, user, password))
        self.started_s: list[float] = []
        self._reaper: subprocess.Popen[bytes] | None = None
        self._made = 0  # servers made or being made (their folder names: s0, s1, ...)
        self._prestart: threading.Thread | None = None
        self.prestart_failed = ""  # why a server started ahead of need did not start

    def _new_server(self) -> _Slot:
        """The slot of one more server, not started yet (called with the lock held)."""
        if self.external:
            raise RuntimeError(
                "the external Neo4j (ORGRAPH_TEST_NEO4J_URI) holds one graph at a time and a "
                "test asked for a second while the first is alive"
            )
        if self._made >= MAX_NEO4J_SERVERS:
            raise RuntimeError(
                f"more than {MAX_NEO4J_SERVERS} Neo4j graphs alive at once: "
                "a fixture holds its graph longer than it should"
            )
        if self._reaper is None:
            self._reaper = reap_with_this_process(self.root)
        server = LocalNeo4j(
            self.root / f"s{self._made}",
            bolt_port=free_port(),
            heap=NEO4J_HEAP,
            pagecache=NEO4J_PAGECACHE,
            start_timeout=240,
            tx_log_retention="1 files",
        )
        self._made += 1
        return _Slot(server.uri, "neo4j", server.password(), server)

    def _start(self, slot: _Slot) -> None:
        assert slot.server is not None
        t0 = time.monotonic()
        slot.server.start()
        self.started_s.append(time.monotonic() - t0)

    def prestart(self, count: int) -> None:
        """Start `count` servers in a background thread, one after the other, each made ready
        for its first lease (the schema applied, Bolt and the planner past their first
        queries), while the tests go on. A server start costs 15-40 s (two JVMs of Neo4j's
        tools, then the server's) and its first queries 10-15 s more; every full run starts
        two per worker (the pool lines at the end of a run), and the first lease of each came
        minutes into the run, its test waiting the whole start out. _lease takes a prestarted
        server as any free one, or waits for the one being started rather than starting
        another."""
        if self.external or count <= 0 or self._prestart is not None:
            return

        def run() -> None:
            try:
                while True:
                    with self._lock:
                        if self._made >= count:
                            return
                        slot = self._new_server()
                        slot.busy = True  # not leasable until it is ready
                        self.slots.append(slot)
                    try:
                        self._start(slot)
                        with contextlib.closing(self._store(slot)) as store:
                            _wipe_and_migrate(store)  # what a lease does: its first run
                    except BaseException:
                        with self._lock:
                            self.slots.remove(slot)  # a lease starts one of its own instead
                        raise
                    finally:
                        slot.busy = False
            except BaseException as exc:  # in the pool's line at the end of the run
                self.prestart_failed = f"{type(exc).__name__}: {exc}"[:500]

        self._prestart = threading.Thread(target=run, name="neo4j-prestart", daemon=True)
        self._prestart.start()

    @staticmethod
    def _store(slot: _Slot) -> Neo4jStore:
        return Neo4jStore(uri=slot.uri, user=slot.user, password=slot.password)

    def _lease(self) -> _Slot:
        while True:
            with self._lock:
                slot = next((s for s in self.slots if not s.busy), None)
                starting = self._prestart if self._prestart and self._prestart.is_alive() else None
                if slot is None and starting is None:
                    slot = self._new_server()
                    self._start(slot)  # under the lock, as before prestart existed
                    self.slots.append(slot)
                if slot is not None:
                    slot.busy = True
                    slot.leases += 1
                    return slot
            # every server is taken and one is being started: wait for it, not start another
            assert starting is not None
            starting.join(timeout=0.25)

    @contextlib.contextmanager
    def fresh(self, *, migrated: bool = True) -> Iterator[GraphStore]:
        slot = self._lease()
        try:
            store = self._store(slot)
            try:
                # Wiped on lease: the previous tenant may have left data.
                if migrated:
                    _wipe_and_migrate(store)
                else:
                    store.drop_all()
                yield store
            finally:
                store.close()
        finally:
            slot.busy = False

    def env(self, store: GraphStore) -> dict[str, str]:
        assert isinstance(store, Neo4jStore)
        slot = next(s for s in self.slots if s.uri == store.where)
        return {
            "ORGRAPH_STORE_URI": slot.uri,
            "ORGRAPH_NEO4J_USER": slot.user,
            "ORGRAPH_NEO4J_PASSWORD": slot.password,
        }

    def close(self) -> None:
        if self._prestart is not None:
            self._prestart.join(timeout=300)  # a server it starts must not outlive the pool
        for slot in self.slots:
            if slot.server is not None:
                slot.server.kill()  # throwaway data: no clean shutdown needed
        shutil.rmtree(self.root, ignore_errors=True)
        if self._reaper is not None:
            stop_reaper(self._reaper)
