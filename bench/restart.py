"""How long does a restart of the embedded FalkorDB take with a county-sized graph?

Run on demand (not part of the test suite)::

    .venv/bin/python bench/restart.py [--nodes 300000] [--json out.json]

On a private server in a fresh, short /tmp data folder it:

1. bulk-loads a synthetic county through FalkorStore and the catalog blocks (villages as
   :Area, households [:IN] their village, members with a few [:CONTACTS] to households of
   their village) and reports the load rate;
2. restarts it without a log rewrite (stop -> start: the append-only log replays every write
   command), then rewrites the log (`rewrite_log`: one RDB preamble) and restarts again, by
   stop -> start and by kill -9 -> start; finally writes --tail single-row updates on top of
   the rewritten log (how an application writes between rewrites) and restarts once more;
   last, on a fresh server, rewrites the log right after creating the schema, bulk-loads,
   and restarts without a further rewrite (only the data is replayed, not the indexes).
   A restart is timed from calling `EmbeddedServer.start` (which launches redis-server) to
   `wait_ready` returning, --repeats times, each followed by node and relationship counts;
3. measures references in the same run, so that the figures read as ratios on a noisy
   machine (REFERENCES below);
4. reports the log's size on disk before and after the rewrite.

How a replay behaves depends on how writes were logged. orgraph's server logs each write as
its effects (EFFECTS_THRESHOLD 0), which replay without re-running any query. With FalkorDB's
default (300 us), a slow-enough write is logged as its query text and re-run on replay, and
this bench measured that to fail in two ways (--effects-threshold 300 reproduces it):
- a log that creates the indexes replays about quadratically in the graph's size (FalkorDB
  4.16 behaves as if an index created while it loads the log were unusable until loading
  ends, so every replayed MERGE scans its label): 100k nodes took 17 minutes;
- a replayed query runs under the server's TIMEOUT_DEFAULT (the client's per-query timeout
  is not in the log), and a batch slower than that is dropped with only a "== CRITICAL =="
  line in the server log: the server came up without 38% of the 100k nodes.
So the bench guards against both: a replay restart is given up after --replay-cap seconds
(reporting how far into the log it was, from /proc/PID/fdinfo), and each replay restart
counts what came back; a loss is reported, ends that series and makes the exit status 1.
Either way the data is then loaded again for the remaining measurements. A restart longer
than --long seconds is not repeated: at that length one sample is precise enough.

Automatic log rewrites are switched off (CONFIG SET, not persisted) while loading, so that the
"not rewritten" restarts really replay the whole command log; the report says whether a default
server would have rewritten it by itself (log above 64 MB). The server is killed and the data
folder removed on exit, also on Ctrl-C, SIGTERM or an error.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import json
import os
import platform
import random
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from orgraph import catalog
from orgraph.config import Settings
from orgraph.errors import StoreUnavailable
from orgraph.store.embedded import EmbeddedServer
from orgraph.store.falkor import FalkorStore
from orgraph.store.migrations import migrate

# The blocks only the benchmarks run (bench/cypher/) join this process's catalog.
catalog.extend(Path(__file__).resolve().parent / "cypher")

REFERENCES = """\
References, measured in the same run:
  /empty  over the median start of the same server on an empty data folder (process launch,
          module load, readiness polling every 50 ms): the floor any restart pays. It says
          how many bare starts the data costs; restart - empty start is the data's own part.
  /load   over the time this run took to bulk-load the data through FalkorStore (same CPU,
          same data, same kind of work as a replay): a replay restart near 1 re-executes the
          original writes, far above 1 does more work than the writes did; a rewritten-log
          restart gives the fraction of the load a compact log still costs."""

BATCH = 5000
GRAPH = "bench"
CONTACTS_PER_MEMBER = 3
TAIL_SIZE = 7  # households have 1-6 people: the tail updates are the only ones with 7
AUTO_REWRITE_MIN_BYTES = 64 * 1024 * 1024  # Redis default auto-aof-rewrite-min-size
_LOADED_RE = re.compile(r"DB loaded from append only file: ([0-9.]+) seconds")
_LOAD_ERROR_RE = re.compile(
    r"sending an error to its AOF-loading-client: '-(.*?)' after processing the command "
    r"'([^']*)'"
)
_T0 = time.perf_counter()
# orgraph's configured server query timeouts (FalkorDB TIMEOUT_DEFAULT / TIMEOUT_MAX)
DEFAULT_TIMEOUT_MS = int(Settings.model_fields["query_timeout_default_ms"].default)
DEFAULT_TIMEOUT_MAX_MS = int(Settings.model_fields["query_timeout_max_ms"].default)


def say(msg: str) -> None:
    print(f"[{time.perf_counter() - _T0:7.1f}s] {msg}", file=sys.stderr, flush=True)


# -- synthetic county -----------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    villages: int
    households: int
    members: int
    contacts_per_member: int

    @classmethod
    def for_nodes(cls, nodes: int) -> Shape:
        """A county's proportions: 1 village per 1000 nodes, 1 member in 15, the rest households."""
        villages = max(1, round(nodes / 1000))
        members = max(1, round(nodes / 15))
        households = nodes - villages - members
        if households < villages * CONTACTS_PER_MEMBER:
            raise SystemExit(f"--nodes {nodes} is too small for a county (try >= 1000)")
        return cls(villages, households, members, CONTACTS_PER_MEMBER)

    @property
    def nodes(self) -> int:
        return self.villages + self.households + self.members

    @property
    def relationships(self) -> dict[str, int]:
        return {"CONTACTS": self.members * self.contacts_per_member, "IN": self.households}


Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class County:
    villages: Rows
    households: Rows
    members: Rows
    contacts: Rows


def village_code(i: int) -> str:
    # county 330102, township (20 villages each), village: a 12-digit division code.
    return f"330102{i // 20 + 1:03d}{i % 20 + 1:03d}"


def household(i: int, villages: int, size: int, low_income: bool) -> dict[str, Any]:
    return {
        "id": f"H{i:07d}",
        "village": village_code(i % villages),
        "head": f"户主{i}",
        "size": size,
        "low_income": low_income,
    }


def make_county(shape: Shape, seed: int = 20240501) -> County:
    rng = random.Random(seed)
    v = shape.villages
    villages = [
        {"code": village_code(i), "props": {"name": f"第{i + 1}村", "level": "village"}}
        for i in range(v)
    ]
    # Household i lives in village i % v, so village j holds households j, j+v, j+2v, ...
    households = [
        household(i, v, rng.randint(1, 6), rng.random() < 0.05) for i in range(shape.households)
    ]
    members: Rows = []
    contacts: Rows = []
    for i in range(shape.members):
        j = i % v
        key = f"M{i:06d}"
        members.append(
            {
                "key": key,
                "name": f"党员{i}",
                "birth_year": rng.randint(1940, 2002),
                "village": village_code(j),
            }
        )
        in_village = range(j, shape.households, v)
        for h in rng.sample(in_village, min(shape.contacts_per_member, len(in_village))):
            contacts.append({"member": key, "household": f"H{h:07d}"})
    return County(villages, households, members, contacts)


def batches(rows: Rows, size: int = BATCH) -> Iterator[Rows]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


# -- measurements -----------------------------------------------------------------------------


@dataclass
class StartSample:
    seconds: float  # start() called -> wait_ready() returned (or given up)
    completed: bool = True
    server_load_s: float | None = None  # redis-server's own "DB loaded from append only file"
    first_query_s: float | None = None  # the node count right after: a full scan
    stop_s: float | None = None  # the stop (or kill -9) before this start
    nodes: int | None = None
    used_memory: str | None = None
    log_read: dict[str, float] | None = None  # given up: share of each log file read by then
    # given up: the command being replayed then, as shares of the command log (start, end)
    replaying: tuple[float, float] | None = None
    # errors redis-server sent its log-loading client (each one a write command dropped)
    load_errors: dict[str, int] = field(default_factory=dict)
    # what the restart did not bring back ({} when everything came back)
    missing: dict[str, int] = field(default_factory=dict)


@dataclass
class Series:
    name: str
    samples: list[StartSample] = field(default_factory=list)
    note: str = ""

    def done(self) -> list[float]:
        return [s.seconds for s in self.samples if s.completed]

    @property
    def median(self) -> float | None:
        done = self.done()
        return statistics.median(done) if done else None

    def gave_up(self) -> StartSample | None:
        return next((s for s in self.samples if not s.completed), None)

    def summary(self, empty_s: float, load_s: float) -> dict[str, Any]:
        done = self.done()
        loads = [s.server_load_s for s in self.samples if s.server_load_s is not None]
        med = self.median
        return {
            "min_s": min(done) if done else None,
            "median_s": med,
            "server_load_median_s": statistics.median(loads) if loads else None,
            "ratio_to_empty_start": med / empty_s if med is not None else None,
            "ratio_to_bulk_load": med / load_s if med is not None else None,
            "gave_up_after_s": s.seconds if (s := self.gave_up()) else None,
            "lost_data": any(x.missing for x in self.samples),
            "dropped_commands": sum(sum(x.load_errors.values()) for x in self.samples),
            "note": self.note,
            "samples": [asdict(s) for s in self.samples],
        }


def _log_offset(server: EmbeddedServer) -> int:
    try:
        return int(server.logfile.stat().st_size)
    except OSError:
        return 0


def _log_since(server: EmbeddedServer, offset: int) -> str:
    try:
        with open(server.logfile, "rb") as fh:
            fh.seek(offset)
            return fh.read().decode(errors="replace")
    except OSError:
        return ""


def _server_load_seconds(server: EmbeddedServer, offset: int) -> float | None:
    found = _LOADED_RE.findall(_log_since(server, offset))
    return float(found[-1]) if found else None


def _load_errors(server: EmbeddedServer, offset: int) -> dict[str, int]:
    """Errors replayed commands got while the log loaded, by command and message. FalkorDB
    writes each GRAPH.CONSTRAINT CREATE to the log twice; the second's error is left out."""
    out: dict[str, int] = {}
    for msg, cmd in _LOAD_ERROR_RE.findall(_log_since(server, offset)):
        if msg != "Constraint already exists":
            key = f"{cmd}: {msg}"
            out[key] = out.get(key, 0) + 1
    return out


def log_read(server: EmbeddedServer, pid: int) -> dict[str, float]:
    """Share of each append-only file a loading server has read (Linux /proc), by file name."""
    out: dict[str, float] = {}
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                target = Path(os.readlink(f"/proc/{pid}/fd/{fd}"))
                if target.parent != server.aof_dir or target.name.endswith(".manifest"):
                    continue
                with open(f"/proc/{pid}/fdinfo/{fd}", encoding="ascii") as fh:
                    pos = int(fh.readline().split()[1])  # first line: "pos:\t<bytes>"
                size = target.stat().st_size
                out[target.name] = min(1.0, pos / size) if size else 1.0
    return out


def scan_commands(path: Path) -> tuple[list[int], list[str]]:
    """The byte offsets where each command of a RESP command log starts (and where the last
    ends), and the commands' names."""
    data = path.read_bytes()
    starts: list[int] = []
    names: list[str] = []
    i = 0
    while i < len(data) and data[i : i + 1] == b"*":
        starts.append(i)
        j = data.index(b"\r\n", i)
        n, i = int(data[i + 1 : j]), j + 2
        for arg in range(n):
            j = data.index(b"\r\n", i)
            size = int(data[i + 1 : j])
            if arg == 0:
                names.append(data[j + 2 : j + 2 + size].decode(errors="replace").upper())
            i = j + 2 + size + 2
    starts.append(i)
    return starts, names


def log_commands(server: EmbeddedServer) -> dict[str, int]:
    """How many commands of each kind the command (incr) part of the log holds."""
    out: dict[str, int] = {}
    for path in sorted(server.aof_dir.glob("*.incr.aof")):
        for name in scan_commands(path)[1]:
            out[name] = out.get(name, 0) + 1
    return out


def replaying(server: EmbeddedServer, read: dict[str, float]) -> tuple[float, float] | None:
    """The command a loading server was replaying, as shares of its command log: the file
    position is past the command being run, which is the last one starting before it."""
    name = next((n for n in read if n.endswith(".incr.aof")), None)
    if name is None:
        return None
    path = server.aof_dir / name
    offsets = scan_commands(path)[0]
    size = path.stat().st_size
    pos = read[name] * size
    k = max(0, bisect.bisect_left(offsets, pos) - 1)
    return offsets[k] / size, min(offsets[min(k + 1, len(offsets) - 1)], size) / size


def open_store(server: EmbeddedServer) -> FalkorStore:
    # Generous socket timeout: a bulk batch or a full scan may take a while on a slow machine.
    return FalkorStore(
        graph=GRAPH,
        unix_socket=str(server.socket),
        socket_timeout=600.0,
        query_timeout_ms=server.timeout_max_ms,
    )


def count_nodes(store: FalkorStore) -> int:
    rows = store.read("count_nodes")
    return int(rows[0]["nodes"]) if rows else 0


def count_relationships(store: FalkorStore) -> dict[str, int]:
    return {str(r["type"]): int(r["rels"]) for r in store.read("bench_count_relationships")}


def count_tail(store: FalkorStore) -> int:
    return int(store.read("bench_count_households_of_size", size=TAIL_SIZE)[0]["households"])


@dataclass(frozen=True)
class Expect:
    shape: Shape | None  # None: an empty graph
    tail: int = 0  # households updated to TAIL_SIZE by single-row writes


def missing(store: FalkorStore, expect: Expect) -> dict[str, int]:
    """What the graph lacks against what was written (negative: has too many of), by kind;
    {} when it holds exactly what was written."""
    want: dict[str, int] = {"nodes": expect.shape.nodes if expect.shape else 0}
    have: dict[str, int] = {"nodes": count_nodes(store)}
    if expect.shape is not None:
        want |= {f"{t} relationships": n for t, n in expect.shape.relationships.items()}
        have |= {f"{t} relationships": n for t, n in count_relationships(store).items()}
        want["tail updates"] = expect.tail
        have["tail updates"] = count_tail(store)
    return {
        k: want[k] - have.get(k, 0)
        for k in sorted(set(want) | set(have))
        if want.get(k, 0) != have.get(k, 0)
    }


def check(store: FalkorStore, expect: Expect) -> None:
    gone = missing(store, expect)
    if gone:  # not an assert statement: python -O must not skip it
        raise AssertionError(f"the graph differs from what was written (missing): {gone}")


def timed_start(
    server: EmbeddedServer,
    expect: Expect,
    *,
    stop_s: float | None = None,
    cap: float | None = None,
    tolerate_loss: bool = False,
) -> StartSample:
    """Start the (stopped) server and time it, then check every node and relationship is back.

    With a cap, a start still loading after cap seconds is given up: the server is killed.
    tolerate_loss: a restart that lost data is recorded (and the server killed, its data being
    wrong) instead of failing the run at once.
    """
    server.start_timeout = cap if cap is not None else 24 * 3600.0
    offset = _log_offset(server)
    t0 = time.perf_counter()
    try:
        started = server.start(wait=True)
    except StoreUnavailable:
        seconds = time.perf_counter() - t0
        pid = server.pid()
        if cap is None or pid is None:
            raise
        progress = log_read(server, pid)
        server.kill()
        return StartSample(
            seconds,
            completed=False,
            stop_s=stop_s,
            log_read=progress,
            replaying=replaying(server, progress),
            load_errors=_load_errors(server, offset),
        )
    seconds = time.perf_counter() - t0
    assert started, "the server was already running: the restart was not measured"
    store = open_store(server)
    try:
        t1 = time.perf_counter()
        nodes = count_nodes(store)
        first_query = time.perf_counter() - t1
        gone = missing(store, expect)
    finally:
        store.close()
    rewrites = int(_persistence(server).get("aof_rewrites", 0))
    assert rewrites == 0, "the server rewrote its log by itself during the restart"
    sample = StartSample(
        seconds,
        True,
        _server_load_seconds(server, offset),
        first_query,
        stop_s,
        nodes,
        server.status().used_memory,
        load_errors=_load_errors(server, offset),
        missing=gone,
    )
    if gone:
        if not tolerate_loss:
            raise AssertionError(f"the restart lost data: {asdict(sample)}")
        server.kill()
    return sample


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _persistence(server: EmbeddedServer) -> dict[str, Any]:
    conn = server.client()
    try:
        return dict(conn.info("persistence"))
    finally:
        conn.close()


def aof_files(server: EmbeddedServer) -> dict[str, int]:
    if not server.aof_dir.is_dir():
        return {}
    return {p.name: p.stat().st_size for p in sorted(server.aof_dir.iterdir()) if p.is_file()}


def versions(server: EmbeddedServer) -> dict[str, str]:
    conn = server.client()
    try:
        info = conn.info("server")
        mods = {_text(m[b"name"]): _text(m[b"ver"]) for m in conn.module_list()}
        effects = _graph_config(conn, "GET", "EFFECTS_THRESHOLD")
    finally:
        conn.close()
    return {
        "redis": _text(info.get("redis_version")),
        "falkordb": _module_version(mods.get("graph", "")),
        "EFFECTS_THRESHOLD": _text(effects[1]),
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.system()} {platform.release()}, "
        f"{os.cpu_count()} CPUs",
    }


def _graph_config(conn: Any, *args: Any) -> Any:
    """GRAPH.CONFIG GET/SET (the redis client's execute_command is untyped)."""
    return conn.execute_command("GRAPH.CONFIG", *args)


def _module_version(ver: str) -> str:
    """Redis reports module versions as one integer: 41603 is 4.16.3."""
    if not ver.isdigit():
        return ver or "?"
    n = int(ver)
    return f"{n // 10000}.{n // 100 % 100}.{n % 100}"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


# -- the run ----------------------------------------------------------------------------------


class Bench:
    def __init__(
        self,
        root: Path,
        nodes: int,
        *,
        repeats: int = 3,
        replay_cap: float = 900.0,
        long: float = 60.0,
        tail: int = 1000,
        timeout_default_ms: int = DEFAULT_TIMEOUT_MS,
        effects_threshold: int | None = None,
    ) -> None:
        self.root = root
        self.shape = Shape.for_nodes(nodes)
        self.repeats = repeats
        self.replay_cap = replay_cap
        self.long = long
        self.tail = min(tail, self.shape.households)
        self.timeout_default_ms = timeout_default_ms
        self.effects_threshold = effects_threshold
        self.timeout_max_ms = max(timeout_default_ms, DEFAULT_TIMEOUT_MAX_MS)
        self.servers: list[EmbeddedServer] = []
        self.result: dict[str, Any] = {
            "shape": asdict(self.shape),
            "nodes": self.shape.nodes,
            "repeats": repeats,
            "replay_cap_s": replay_cap,
            "long_s": long,
            "tail_writes": self.tail,
            "batch_rows": BATCH,
            "server_timeout_default_ms": timeout_default_ms,
            "effects_threshold_set": effects_threshold,
        }

    def server(self, name: str) -> EmbeddedServer:
        srv = EmbeddedServer(
            self.root / name,
            socket_timeout=600.0,
            timeout_default_ms=self.timeout_default_ms,
            timeout_max_ms=self.timeout_max_ms,
        )
        self.servers.append(srv)
        return srv

    def cleanup(self) -> None:
        for srv in self.servers:
            with contextlib.suppress(Exception):
                srv.kill()  # the data goes anyway: no need for a clean shutdown
        shutil.rmtree(self.root, ignore_errors=True)
        say(f"servers killed, {self.root} removed")

    def series(
        self,
        name: str,
        srv: EmbeddedServer,
        down: Callable[[], object],
        expect: Expect,
        *,
        cap: float | None = None,
        tolerate_loss: bool = False,
    ) -> Series:
        out = Series(name)
        for i in range(self.repeats):
            say(f"{name}: {i + 1}/{self.repeats}")
            sample = timed_start(
                srv, expect, stop_s=timed(down), cap=cap, tolerate_loss=tolerate_loss
            )
            out.samples.append(sample)
            say(
                f"  {'done' if sample.completed else 'GAVE UP'} in {sample.seconds:.3f} s"
                + (f", LOST DATA: {sample.missing}" if sample.missing else "")
                + (f", load errors: {sample.load_errors}" if sample.load_errors else "")
            )
            if not sample.completed:
                out.note = f"given up after {sample.seconds:.0f} s (--replay-cap)"
                break
            if sample.missing:
                out.note = "not repeated: the restart lost data"
                break
            if sample.seconds > self.long and i + 1 < self.repeats:
                out.note = f"not repeated: over {self.long:.0f} s (--long)"
                break
        return out

    def empty_starts(self) -> Series:
        out = Series("empty data folder (reference)")
        for i in range(self.repeats):
            srv = self.server(f"empty{i}")  # a fresh, empty folder each time
            out.samples.append(timed_start(srv, Expect(None)))
            out.samples[-1].stop_s = timed(srv.stop)
        return out

    def load(self, srv: EmbeddedServer, *, rewrite_schema: bool = False) -> dict[str, Any]:
        """Migrate and bulk-load the county; rewrite_schema: rewrite the log between the two,
        so that the indexes are in its RDB base and only the data is in the command log."""
        county = make_county(self.shape)
        store = open_store(srv)
        try:
            migrate(store)
            if rewrite_schema:
                srv.rewrite_log()
            conn = srv.client()
            try:  # keep the log unrewritten for the replay measurement (not persisted)
                conn.config_set("auto-aof-rewrite-percentage", 0)
            finally:
                conn.close()
            self.set_effects_threshold(srv)
            phases: list[dict[str, Any]] = []
            for block, rows in (
                ("upsert_areas", county.villages),
                ("bench_upsert_households", county.households),
                ("bench_upsert_members", county.members),
                ("bench_add_contacts", county.contacts),
            ):
                say(f"loading {len(rows):,} rows with {block}")
                t0 = time.perf_counter()
                written = 0
                for chunk in batches(rows):
                    written += int(store.write(block, rows=chunk)[0]["written"])
                seconds = time.perf_counter() - t0
                assert written == len(rows), f"{block}: wrote {written} of {len(rows)}"
                phases.append(
                    {
                        "block": block,
                        "rows": len(rows),
                        "seconds": seconds,
                        "rows_per_s": len(rows) / seconds,
                    }
                )
            check(store, Expect(self.shape))
        finally:
            store.close()
        total = sum(p["seconds"] for p in phases)
        rows_n = sum(p["rows"] for p in phases)
        return {
            "seconds": total,
            "rows": rows_n,
            "rows_per_s": rows_n / total,
            "phases": phases,
            "auto_rewrites": int(_persistence(srv).get("aof_rewrites", 0)),
            "aof": aof_files(srv),
            "log_commands": log_commands(srv),
        }

    def set_effects_threshold(self, srv: EmbeddedServer) -> None:
        """--effects-threshold: how the next writes are logged (lasts until a restart)."""
        if self.effects_threshold is None:
            return
        conn = srv.client()
        try:
            _graph_config(conn, "SET", "EFFECTS_THRESHOLD", self.effects_threshold)
        finally:
            conn.close()

    def tail_writes(self, srv: EmbeddedServer) -> dict[str, Any]:
        """Single-row updates of existing households, one query each (how the API writes)."""
        self.set_effects_threshold(srv)
        step = self.shape.households // self.tail
        store = open_store(srv)
        try:
            t0 = time.perf_counter()
            for k in range(self.tail):
                row = household(k * step, self.shape.villages, TAIL_SIZE, False)
                store.write("bench_upsert_households", rows=[row])
            seconds = time.perf_counter() - t0
        finally:
            store.close()
        return {"rows": self.tail, "seconds": seconds, "rows_per_s": self.tail / seconds}

    def run(self) -> dict[str, Any]:
        res = self.result
        say(f"empty starts ({self.repeats})")
        empty = self.empty_starts()
        srv = self.server("main")
        srv.start()
        res["versions"] = versions(srv)
        res["load"] = self.load(srv)
        loaded = Expect(self.shape)
        replay = self.series(
            "not rewritten, stop -> start",
            srv,
            srv.stop,
            loaded,
            cap=self.replay_cap,
            tolerate_loss=True,
        )
        if srv.pid() is None:  # the replay was given up or lost data: load the data again
            srv = self.server("compact")
            srv.start()
            res["reload"] = self.load(srv)
        say("rewriting the log")
        res["rewrite_s"] = timed(srv.rewrite_log)
        res["aof_after_rewrite"] = aof_files(srv)
        rewritten = self.series("rewritten, stop -> start", srv, srv.stop, loaded)
        killed = self.series("rewritten, kill -9 -> start", srv, srv.kill, loaded)
        say(f"{self.tail} single-row writes")
        res["tail"] = self.tail_writes(srv)
        res["aof_after_tail"] = aof_files(srv)
        tail = self.series(
            f"rewritten + {self.tail} 1-row writes, stop -> start",
            srv,
            srv.stop,
            Expect(self.shape, self.tail),
        )
        srv.kill()  # done with it: free its memory

        # The same replay as the first series, but with the schema (indexes) rewritten into
        # the log's RDB base before the data was written: only the data is replayed.
        srv = self.server("schema_base")
        srv.start()
        res["load_schema_base"] = self.load(srv, rewrite_schema=True)
        data_only = self.series(
            "schema rewritten, data not, stop -> start",
            srv,
            srv.stop,
            loaded,
            cap=self.replay_cap,
            tolerate_loss=True,
        )

        empty_s = empty.median
        assert empty_s is not None
        load_s = float(res["load"]["seconds"])
        res["reference"] = {"empty_start_median_s": empty_s, "bulk_load_s": load_s}
        res["series"] = {
            s.name: s.summary(empty_s, load_s)
            for s in (empty, replay, rewritten, killed, tail, data_only)
        }
        return res


# -- output -----------------------------------------------------------------------------------


def _mb(files: dict[str, int]) -> str:
    return f"{sum(files.values()) / 1e6:.1f} MB " + ", ".join(
        f"{k} {v:,}" for k, v in files.items() if not k.endswith(".manifest")
    )


def _f(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def _load_lines(title: str, load: dict[str, Any], batch: int) -> list[str]:
    lines = [
        f"{title}: {load['rows']:,} rows in {load['seconds']:.1f} s = "
        f"{load['rows_per_s']:,.0f} rows/s (UNWIND batches of {batch})"
    ]
    for p in load["phases"]:
        lines.append(
            f"  {p['block']:<26} {p['rows']:>8,} rows {p['seconds']:>7.2f} s "
            f"{p['rows_per_s']:>9,.0f} rows/s"
        )
    return lines


def report(res: dict[str, Any]) -> str:
    shape = res["shape"]
    lines = [
        f"orgraph restart benchmark: {res['nodes']:,} nodes ({shape['villages']} villages, "
        f"{shape['households']:,} households, {shape['members']:,} members), "
        f"{shape['households'] + shape['members'] * shape['contacts_per_member']:,} "
        f"relationships",
        "versions: "
        + ", ".join(f"{k} {v}" for k, v in res["versions"].items())
        + (
            f" (set to {res['effects_threshold_set']} before the writes)"
            if res["effects_threshold_set"] is not None
            else ""
        ),
        "",
        *_load_lines("bulk load", res["load"], res["batch_rows"]),
    ]
    if "reload" in res:
        lines += _load_lines(
            "bulk load again (the replayed graph was incomplete)", res["reload"], res["batch_rows"]
        )
    lines += _load_lines(
        "bulk load with the schema rewritten first", res["load_schema_base"], res["batch_rows"]
    )
    before = res["load"]["aof"]
    tail = res["tail"]
    lines += [
        f"{tail['rows']} single-row writes: {tail['seconds']:.2f} s = "
        f"{tail['rows_per_s']:,.0f} rows/s",
        "",
        f"append-only log after the load:    {_mb(before)}",
        "  its commands: "
        + ", ".join(f"{k} {v:,}" for k, v in res["load"]["log_commands"].items()),
        f"append-only log after the rewrite: {_mb(res['aof_after_rewrite'])} "
        f"(rewrite_log took {res['rewrite_s']:.2f} s)",
        f"append-only log after 1-row writes: {_mb(res['aof_after_tail'])}",
        f"append-only log, schema rewritten, after the load: {_mb(res['load_schema_base']['aof'])}",
        "  a default server would have rewritten the log by itself during the load: "
        + (
            "yes (above 64 MB)"
            if sum(before.values()) > AUTO_REWRITE_MIN_BYTES
            else "no (below 64 MB)"
        ),
        "",
        f"{'restart':<46} {'n':>2} {'min s':>9} {'median s':>9} {'server s':>9} "
        f"{'/empty':>8} {'/load':>8}",
    ]
    notes = []
    for name, s in res["series"].items():
        n = sum(1 for x in s["samples"] if x["completed"])
        lines.append(
            f"{name:<46} {n:>2} {_f(s['min_s'], '9.3f'):>9} {_f(s['median_s'], '9.3f'):>9} "
            f"{_f(s['server_load_median_s'], '9.3f'):>9} "
            f"{_f(s['ratio_to_empty_start'], '8.1f'):>8} {_f(s['ratio_to_bulk_load'], '8.3f'):>8}"
        )
        if s["gave_up_after_s"] is not None:
            last = s["samples"][-1]
            at = last["replaying"]
            lines.append(
                f"  gave up after {s['gave_up_after_s']:.0f} s (a lower bound), replaying the "
                + (
                    f"command at {at[0]:.1%}-{at[1]:.1%} of the command log (by bytes; the "
                    "time per byte grows as the graph does)"
                    if at
                    else "log"
                )
            )
        for x in s["samples"]:
            if x["missing"]:
                lines.append(f"  LOST DATA: the restarted graph lacks {x['missing']}")
            if x["load_errors"]:
                lines.append(
                    "  replayed commands dropped with an error (redis-server log "
                    f"'== CRITICAL =='): {x['load_errors']}"
                )
        if s["note"]:
            notes.append(f"  {name}: {s['note']}")
    lines += [
        "",
        "n: completed restarts; server s: redis-server's own 'DB loaded from append only file'",
        "(median); every completed restart was followed by node, relationship and tail-update",
        "counts, which must equal what was written (asserted, except for the replay restarts,",
        "whose losses are reported and make the exit status 1).",
        *notes,
        "",
        REFERENCES,
    ]
    return "\n".join(lines)


def _raise_exit(signum: int, _frame: FrameType | None) -> None:
    say(f"received {signal.Signals(signum).name}: stopping")
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Time restarts of the embedded FalkorDB with a county-sized graph."
    )
    ap.add_argument("--nodes", type=int, default=300_000, help="nodes in the graph (300000)")
    ap.add_argument("--repeats", type=int, default=3, help="restarts of each kind (3)")
    ap.add_argument(
        "--replay-cap",
        type=float,
        default=900.0,
        help="give up a restart replaying the unrewritten log after this many seconds (900)",
    )
    ap.add_argument(
        "--long",
        type=float,
        default=60.0,
        help="do not repeat a restart that took longer than this (60 s)",
    )
    ap.add_argument(
        "--tail",
        type=int,
        default=1000,
        help="single-row writes on top of the rewritten log (1000)",
    )
    ap.add_argument(
        "--timeout-default-ms",
        type=int,
        default=DEFAULT_TIMEOUT_MS,
        help="the server's TIMEOUT_DEFAULT, which replayed writes run under "
        f"(orgraph's default, {DEFAULT_TIMEOUT_MS})",
    )
    ap.add_argument(
        "--effects-threshold",
        type=int,
        default=None,
        help="set FalkorDB's EFFECTS_THRESHOLD (microseconds) before the bulk loads; "
        "0 logs every write as its effects (orgraph's setting), FalkorDB's "
        "default 300 logs slow-enough writes as their query text, replayed "
        "by re-running it (default: leave the server's setting)",
    )
    ap.add_argument("--json", type=Path, help="also write the results to this file")
    args = ap.parse_args(argv)
    if args.repeats < 1 or args.tail < 1:
        ap.error("--repeats and --tail must be at least 1")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_exit)
    root = Path(tempfile.mkdtemp(prefix="orgb-", dir="/tmp"))
    bench = Bench(
        root,
        args.nodes,
        repeats=args.repeats,
        replay_cap=args.replay_cap,
        long=args.long,
        tail=args.tail,
        timeout_default_ms=args.timeout_default_ms,
        effects_threshold=args.effects_threshold,
    )
    try:
        res = bench.run()
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    finally:
        bench.cleanup()
    print(report(res))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    lost = [name for name, s in res["series"].items() if s["lost_data"]]
    if lost:
        print(f"\nFAILED: restarts lost acknowledged writes: {lost}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
