"""How long does a restart of the embedded FalkorDB take with a county-sized graph?

Run on demand (not part of the test suite)::

    .venv/bin/python bench/restart.py [--nodes 300000] [--repeats 3] [--json out.json]

On a private server in a fresh, short /tmp data folder it:

1. bulk-loads a synthetic county through FalkorStore and the catalog blocks (villages as
   :Area, households [:IN] their village, members with a few [:CONTACTS] to households of
   their village), and reports the load rate;
2. restarts it without a log rewrite (stop -> start: the append-only log replays every write
   command), then rewrites the log (`rewrite_log`, one RDB preamble) and restarts again
   (stop -> start, and kill -9 -> start). Each restart is timed from calling
   `EmbeddedServer.start` (which launches redis-server) to `wait_ready` returning, repeated
   `--repeats` times, and followed by an asserted node and relationship count;
3. measures references in the same run so that the figures read as ratios on a noisy
   machine (see REFERENCES below);
4. reports the log's size on disk before and after the rewrite.

The server is killed and the data folder removed on exit, also on Ctrl-C, SIGTERM or errors.
Automatic log rewrites are switched off (CONFIG SET, not persisted) while loading, so that
the "no rewrite" restarts really replay the whole command log; the report says whether a
default server would have rewritten it by itself (log above 64 MB).
"""

from __future__ import annotations

import argparse
import contextlib
import json
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

from orgraph.store.embedded import EmbeddedServer
from orgraph.store.falkor import FalkorStore
from orgraph.store.migrations import migrate

REFERENCES = """\
References, measured in the same run:
  empty start  starting the same server on an empty data folder (process launch, module load,
               readiness polling): the floor any restart pays. restart / empty start says how
               many bare starts the data costs; restart - empty start is the data-dependent part.
  bulk load    the time the same run took to write the data through FalkorStore. It scales with
               the same CPU as a replay, so replay-restart / bulk load ~ 1 means the restart
               re-executes the original writes; rewritten-restart / bulk load is the fraction
               of that work a compact log leaves."""

BATCH = 5000
GRAPH = "bench"
# Redis defaults for an automatic log rewrite: log above 64 MB and grown 100% since the last.
AUTO_REWRITE_MIN_BYTES = 64 * 1024 * 1024
CONTACTS_PER_MEMBER = 3
_LOADED_RE = re.compile(r"DB loaded from append only file: ([0-9.]+) seconds")


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


def make_county(shape: Shape, seed: int = 20240501) -> County:
    rng = random.Random(seed)
    v = shape.villages
    villages = [{"code": village_code(i), "props": {"name": f"第{i + 1}村", "level": "village"}}
                for i in range(v)]
    # Household i lives in village i % v, so village j holds households j, j+v, j+2v, ...
    households = [
        {"id": f"H{i:07d}", "village": village_code(i % v), "head": f"户主{i}",
         "size": rng.randint(1, 6), "low_income": rng.random() < 0.05}
        for i in range(shape.households)
    ]
    members: Rows = []
    contacts: Rows = []
    for i in range(shape.members):
        j = i % v
        key = f"M{i:06d}"
        members.append({"key": key, "name": f"党员{i}", "birth_year": rng.randint(1940, 2002),
                        "village": village_code(j)})
        in_village = range(j, shape.households, v)
        for h in rng.sample(in_village, min(shape.contacts_per_member, len(in_village))):
            contacts.append({"member": key, "household": f"H{h:07d}"})
    return County(villages, households, members, contacts)


def batches(rows: Rows, size: int = BATCH) -> Iterator[Rows]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


# -- measurements -----------------------------------------------------------------------------


@dataclass
class LoadPhase:
    block: str
    rows: int
    seconds: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")


@dataclass
class StartSample:
    seconds: float  # start() called -> wait_ready() returned
    server_load_s: float | None  # redis-server's own "DB loaded from append only file"
    first_query_s: float  # the node count right after, a full scan
    stop_s: float | None = None  # the stop (or kill) before this start
    nodes: int = 0
    used_memory: str | None = None


@dataclass
class Series:
    name: str
    samples: list[StartSample] = field(default_factory=list)

    def times(self) -> list[float]:
        return [s.seconds for s in self.samples]

    @property
    def min(self) -> float:
        return min(self.times())

    @property
    def median(self) -> float:
        return statistics.median(self.times())

    def summary(self) -> dict[str, Any]:
        loads = [s.server_load_s for s in self.samples if s.server_load_s is not None]
        return {"min_s": self.min, "median_s": self.median,
                "server_load_median_s": statistics.median(loads) if loads else None,
                "samples": [asdict(s) for s in self.samples]}


def _log_offset(server: EmbeddedServer) -> int:
    try:
        return int(server.logfile.stat().st_size)
    except OSError:
        return 0


def _server_load_seconds(server: EmbeddedServer, offset: int) -> float | None:
    try:
        with open(server.logfile, "rb") as fh:
            fh.seek(offset)
            text = fh.read().decode(errors="replace")
    except OSError:
        return None
    found = _LOADED_RE.findall(text)
    return float(found[-1]) if found else None


def open_store(server: EmbeddedServer) -> FalkorStore:
    # Generous socket timeout: a bulk batch or a full scan may take a while on a slow machine.
    return FalkorStore(graph=GRAPH, unix_socket=str(server.socket), socket_timeout=300.0,
                       query_timeout_ms=server.timeout_max_ms)


def count_nodes(store: FalkorStore) -> int:
    rows = store.read("count_nodes")
    return int(rows[0]["nodes"]) if rows else 0


def count_relationships(store: FalkorStore) -> dict[str, int]:
    return {str(r["type"]): int(r["rels"]) for r in store.read("bench_count_relationships")}


def timed_start(server: EmbeddedServer, expect: Shape | None, *,
                stop_s: float | None = None) -> StartSample:
    """Start the (stopped) server, time it, then check every node and relationship is back."""
    offset = _log_offset(server)
    t0 = time.perf_counter()
    started = server.start(wait=True)
    seconds = time.perf_counter() - t0
    assert started, "the server was already running: the restart was not measured"
    store = open_store(server)
    try:
        t1 = time.perf_counter()
        nodes = count_nodes(store)
        first_query = time.perf_counter() - t1
        want = expect.nodes if expect else 0
        assert nodes == want, f"{nodes} nodes after the restart, expected {want}"
        if expect is not None:
            rels = count_relationships(store)
            assert rels == expect.relationships, f"relationships {rels} != {expect.relationships}"
    finally:
        store.close()
    aof_rewrites = int(_persistence(server).get("aof_rewrites", 0))
    assert aof_rewrites == 0, "the server rewrote its log by itself during the restart"
    return StartSample(seconds, _server_load_seconds(server, offset), first_query, stop_s,
                       nodes, server.status().used_memory)


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
    finally:
        conn.close()
    return {"redis": _text(info.get("redis_version")),
            "falkordb": _module_version(mods.get("graph", "")),
            "python": platform.python_version(),
            "machine": f"{platform.machine()} {platform.system()} {platform.release()}"}


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
    def __init__(self, root: Path, nodes: int, repeats: int) -> None:
        self.root = root
        self.shape = Shape.for_nodes(nodes)
        self.repeats = repeats
        self.servers: list[EmbeddedServer] = []
        self.result: dict[str, Any] = {"shape": asdict(self.shape), "nodes": self.shape.nodes,
                                       "repeats": repeats, "batch_rows": BATCH}

    def server(self, name: str) -> EmbeddedServer:
        # Loading the unlogged log can take long: never let start() give up on it.
        srv = EmbeddedServer(self.root / name, start_timeout=3600.0, socket_timeout=300.0)
        self.servers.append(srv)
        return srv

    def cleanup(self) -> None:
        for srv in self.servers:
            with contextlib.suppress(Exception):
                srv.kill()  # the data goes anyway: no need for a clean shutdown
        shutil.rmtree(self.root, ignore_errors=True)

    def empty_starts(self) -> Series:
        series = Series("empty start")
        for i in range(self.repeats):
            srv = self.server(f"empty{i}")  # a fresh, empty folder each time
            series.samples.append(timed_start(srv, None))
            series.samples[-1].stop_s = timed(srv.stop)
        return series

    def load(self, srv: EmbeddedServer) -> list[LoadPhase]:
        county = make_county(self.shape)
        store = open_store(srv)
        try:
            migrate(store)
            conn = srv.client()
            try:  # keep the log unrewritten for the replay measurement (not persisted)
                conn.config_set("auto-aof-rewrite-percentage", 0)
            finally:
                conn.close()
            phases = []
            for block, rows in (("upsert_areas", county.villages),
                                ("bench_upsert_households", county.households),
                                ("bench_upsert_members", county.members),
                                ("bench_add_contacts", county.contacts)):
                t0 = time.perf_counter()
                written = 0
                for chunk in batches(rows):
                    out = store.write(block, rows=chunk)
                    written += int(out[0]["written"])
                phases.append(LoadPhase(block, len(rows), time.perf_counter() - t0))
                assert written == len(rows), f"{block}: wrote {written} of {len(rows)}"
            assert count_nodes(store) == self.shape.nodes
            assert count_relationships(store) == self.shape.relationships
        finally:
            store.close()
        return phases

    def run(self) -> dict[str, Any]:
        res = self.result
        empty = self.empty_starts()
        srv = self.server("main")
        srv.start()
        res["versions"] = versions(srv)
        phases = self.load(srv)
        load_s = sum(p.seconds for p in phases)
        res["load"] = {"seconds": load_s,
                       "rows": sum(p.rows for p in phases),
                       "rows_per_s": sum(p.rows for p in phases) / load_s,
                       "phases": [asdict(p) | {"rows_per_s": p.rows_per_s} for p in phases]}
        persist = _persistence(srv)
        res["auto_rewrites_during_load"] = int(persist.get("aof_rewrites", 0))
        res["aof_before"] = aof_files(srv)

        replay = Series("restart, log not rewritten (stop -> start)")
        for _ in range(self.repeats):
            stop_s = timed(srv.stop)
            replay.samples.append(timed_start(srv, self.shape, stop_s=stop_s))
        res["aof_before_after_restarts"] = aof_files(srv)

        res["rewrite_s"] = timed(srv.rewrite_log)
        res["aof_after"] = aof_files(srv)

        rewritten = Series("restart, log rewritten (stop -> start)")
        for _ in range(self.repeats):
            stop_s = timed(srv.stop)
            rewritten.samples.append(timed_start(srv, self.shape, stop_s=stop_s))

        killed = Series("restart, log rewritten (kill -9 -> start)")
        for _ in range(self.repeats):
            stop_s = timed(srv.kill)
            killed.samples.append(timed_start(srv, self.shape, stop_s=stop_s))
        res["aof_end"] = aof_files(srv)

        ref_empty = empty.median
        res["reference"] = {"empty_start_median_s": ref_empty, "bulk_load_s": load_s}
        res["series"] = {}
        for s in (empty, replay, rewritten, killed):
            res["series"][s.name] = s.summary() | {
                "ratio_to_empty_start": s.median / ref_empty,
                "ratio_to_bulk_load": s.median / load_s,
            }
        return res


# -- output -----------------------------------------------------------------------------------


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def report(res: dict[str, Any]) -> str:
    shape = res["shape"]
    lines = [
        f"orgraph restart benchmark: {res['nodes']:,} nodes "
        f"({shape['villages']} villages, {shape['households']:,} households, "
        f"{shape['members']:,} members, {shape['members'] * shape['contacts_per_member']:,} "
        f"contacts), {res['repeats']} repeats",
        "versions: " + ", ".join(f"{k} {v}" for k, v in res["versions"].items()),
        "",
        f"bulk load: {res['load']['rows']:,} rows in {res['load']['seconds']:.1f} s "
        f"= {res['load']['rows_per_s']:,.0f} rows/s (UNWIND batches of {res['batch_rows']})",
    ]
    for p in res["load"]["phases"]:
        lines.append(f"  {p['block']:<26} {p['rows']:>8,} rows {p['seconds']:>7.2f} s "
                     f"{p['rows_per_s']:>9,.0f} rows/s")
    before, after = sum(res["aof_before"].values()), sum(res["aof_after"].values())
    lines += [
        "",
        f"append-only log before rewrite: {_mb(before)} {res['aof_before']}",
        f"append-only log after rewrite:  {_mb(after)} {res['aof_after']} "
        f"(rewrite took {res['rewrite_s']:.2f} s)",
        "  a default server would have rewritten it by itself during the load: "
        + ("yes (above 64 MB)" if before > AUTO_REWRITE_MIN_BYTES else "no (below 64 MB)"),
        "",
        f"{'start':<44} {'min s':>8} {'median s':>9} {'server s':>9} "
        f"{'/empty':>8} {'/load':>7}",
    ]
    for name, s in res["series"].items():
        srv = s["server_load_median_s"]
        lines.append(f"{name:<44} {s['min_s']:>8.3f} {s['median_s']:>9.3f} "
                     f"{'-' if srv is None else f'{srv:.3f}':>9} "
                     f"{s['ratio_to_empty_start']:>8.1f} {s['ratio_to_bulk_load']:>7.3f}")
    lines += ["", "server s: redis-server's own 'DB loaded from append only file' (median);",
              "/empty, /load: median restart over the empty-start median and over the bulk "
              "load time.", "", REFERENCES]
    return "\n".join(lines)


def _raise_exit(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--nodes", type=int, default=300_000, help="nodes in the graph (300000)")
    ap.add_argument("--repeats", type=int, default=3, help="restarts of each kind (3)")
    ap.add_argument("--json", type=Path, help="also write the results to this file")
    args = ap.parse_args(argv)
    if args.repeats < 1:
        ap.error("--repeats must be at least 1")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_exit)
    root = Path(tempfile.mkdtemp(prefix="orgb-", dir="/tmp"))
    bench = Bench(root, args.nodes, args.repeats)
    try:
        res = bench.run()
    finally:
        bench.cleanup()
    print(report(res))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
