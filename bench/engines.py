"""FalkorDB against Neo4j: the same county, the same questions, side by side in one run.

Run on demand (not part of the test suite)::

    .venv/bin/python bench/engines.py [--scale county|tiny] [--engines falkordb,neo4j]
        [--reps 30] [--seconds 10] [--clients 16] [--try-rust-ext] [--json out.json]

It generates the demo county once (`orgraph.demo.generate`, seed 1, as_of 2026-11-01) and, for
each engine in turn, on a private server in a fresh, short /tmp folder (the embedded FalkorDB;
a local Neo4j 5.26 Community server, heap 2g, page cache 1g, on a free Bolt port) measures:

1. the import of the county's files with the real importer (`import_files`, schema applied
   beforehand): seconds and rows/s;
2. the same files imported a second time (nothing changes): seconds and rows/s, reading every
   row (`recheck=True`), then once more from the graph's import mark (importer/mark.py: the
   files and the graph as the last import left them, no row read);
3. the projection's cold load: the first `Engine(store).summary()` on a new engine, then
   `Engine(store).projection()` alone on 3 more new engines (median). Every `store.read` of
   those loads is timed per catalog block (rows and values returned). Each block is then run
   3 more times, split into: the server's own time (FalkorDB: its "internal execution time";
   Neo4j: the summary's result_available_after, the time to the first record, which for these
   collect() blocks is the whole query), Neo4j's streaming (result_consumed_after: sending the
   rows), the client (the bare driver or redis call's wall time less the above: round trips,
   transfer and decoding the reply) and to-plain (the store's own conversion of that decoded
   reply to plain rows, timed on it);
4. the first answer after a single-record write: one contact written with
   `upsert_household_contacts` (an at-home member to an uncovered household of the median
   village), then the next `summary()` timed (it reloads the projection); p50 of 3, each with
   a different write, each checked to count one uncovered household fewer;
5. warm answers, --reps calls each, p50 and p95: the county's coverage rolled up to villages,
   the summary, one village's uncovered households (a page of up to 1000), one household's
   contact chain, the county's contact proposal (docs/rules.md; a new as_of solves it again),
   the 软弱涣散 screening of every village organisation of the county;
   "same as_of" (the engine's per-date state cached) and "new as_of" (a new date
   every call), and a bare store round trip (`graph_revision`, which every answer reads first);
6. the HTTP API under --clients concurrent clients for --seconds per endpoint: bench/api.py's
   load loop (`measure`) against `orgraph serve` pointed at this engine's store;
7. Neo4j only: whether the optional `neo4j-rust-ext` (a Rust packstream decoder for the Python
   driver) is installed; with --try-rust-ext, figure 3 is measured again in two fresh
   processes against the same server: one with the extension blocked (pure-Python decoding)
   and, after `pip install neo4j-rust-ext==<driver version>.*` into this venv if missing, one
   with it.

Each engine runs alone (the other's server is not running meanwhile), so the figures compare
like with like on a shared machine; the table reads as ratios Neo4j/FalkorDB (> 1: Neo4j takes
longer, or for rates, handles more). Servers, API processes and the /tmp folder are removed on
exit, also on Ctrl-C, SIGTERM or an error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import httpx
import neo4j
import numpy as np

from orgraph import catalog
from orgraph.analysis.engine import Engine
from orgraph.config import Settings
from orgraph.demo import generate
from orgraph.demo.generate import FILES
from orgraph.importer.pipeline import import_files
from orgraph.policy import get_policy
from orgraph.security import default_user_store
from orgraph.store.base import GraphStore, Row, plain
from orgraph.store.embedded import EmbeddedServer
from orgraph.store.falkor import FalkorStore
from orgraph.store.falkor import _value as falkor_value  # its reply decoding
from orgraph.store.migrations import migrate
from orgraph.store.neo4j_server import NEO4J_VERSION, LocalNeo4j
from orgraph.store.neo4j_store import Neo4jStore

HERE = Path(__file__).resolve().parent


def _sibling(name: str, file: str) -> ModuleType:
    """bench/ is not a package: load a sibling bench by its path (registered before it runs,
    for its dataclasses)."""
    spec = importlib.util.spec_from_file_location(name, HERE / file)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


bench_engine = _sibling("bench_engine", "engine.py")
bench_api = _sibling("bench_api", "api.py")
say: Callable[[str], None] = bench_engine.say

KEY = "bench"
AS_OF = dt.date(2026, 11, 1)  # the demo's date: its planted gaps hold on it
ENGINES = ("falkordb", "neo4j")
TITLES = {"falkordb": "FalkorDB", "neo4j": "Neo4j"}
LOADS = 3  # fresh engines whose projection() is timed after the first summary
SPLITS = 3  # runs of each block for the server / client split
FRESH = 3  # single-contact writes
PAGE = 1000
OPS = ("coverage", "summary", "village", "chain", "proposal", "screening")
OP_TITLES = {
    "coverage": "coverage → villages",
    "summary": "summary",
    "village": "1 village's uncovered",
    "chain": "1 household's chain",
    "proposal": "county contact proposal",
    "screening": "软弱涣散 screening (county)",
}
RUST_BLOCKER = (
    "import runpy, sys; sys.modules['neo4j._rust'] = None; sys.argv = sys.argv[1:];"
    " runpy.run_path(sys.argv[0], run_name='__main__')"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def bare_driver(uri: str, password: str) -> neo4j.Driver:
    """A driver of our own for the bare client calls, set up as Neo4jStore's."""
    return neo4j.GraphDatabase.driver(
        uri, auth=("neo4j", password), notifications_min_severity="OFF"
    )


def rust_active() -> bool:
    """Whether this process's driver decodes with neo4j-rust-ext."""
    from neo4j._codec.packstream import v1

    return getattr(v1, "_rust_unpack", None) is not None


def rust_installed() -> bool:
    try:
        return importlib.util.find_spec("neo4j._rust") is not None
    except (ImportError, ValueError):  # blocked in this process (sys.modules entry None)
        return False


# -- figure 3: the projection load, per block -------------------------------------------------


def _leaves(value: Any) -> int:
    if isinstance(value, dict):
        return sum(_leaves(v) for v in value.values())
    if isinstance(value, list):
        return sum(_leaves(v) for v in value)
    return 1


@dataclass
class Call:
    block: str
    seconds: float
    rows: int


class TimedStore:
    """The store, with every `read` timed per catalog block; the rest passes through. The
    rows of each block's last read are kept (counted after the timing, not during it)."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self.engine = store.engine
        self.calls: list[Call] = []
        self.last: dict[str, list[Row]] = {}

    def read(self, query: str, /, **params: Any) -> list[Row]:
        t0 = time.perf_counter()
        rows: list[Row] = self._store.read(query, **params)
        self.calls.append(Call(query, time.perf_counter() - t0, len(rows)))
        self.last[query] = rows
        return rows

    def take(self) -> list[Call]:
        out, self.calls = self.calls, []
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def _by_block(calls: list[Call]) -> dict[str, float]:
    """Seconds per block in one load (a block read several times, graph_revision: summed)."""
    out: dict[str, float] = defaultdict(float)
    for c in calls:
        out[c.block] += c.seconds
    return dict(out)


Split = Callable[[str], dict[str, float]]


def falkor_split(store: FalkorStore) -> Split:
    def split(name: str) -> dict[str, float]:
        text = catalog.get(name).text
        t0 = time.perf_counter()
        reply = store.connection.execute_command(  # type: ignore[no-untyped-call]
            "GRAPH.RO_QUERY", store.graph_name, text, "--compact", "timeout", store.query_timeout_ms
        )
        raw = (time.perf_counter() - t0) * 1000
        server = next(
            (
                float(str(x).split(":")[1].split()[0])
                for x in reply[-1]
                if "internal execution time" in str(x)
            ),
            float("nan"),
        )
        t0 = time.perf_counter()
        if len(reply) >= 3:  # what FalkorStore does with the reply
            cols = [str(h[1]) for h in reply[0]]
            _ = [{c: falkor_value(v) for c, v in zip(cols, row, strict=True)} for row in reply[1]]
        conv = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        store.read(name)
        wall = (time.perf_counter() - t0) * 1000
        return {
            "read_ms": wall,
            "server_ms": server,
            "stream_ms": 0.0,
            "client_ms": raw - server,
            "plain_ms": conv,
        }

    return split


def neo4j_split(store: Neo4jStore, driver: neo4j.Driver) -> Split:
    def split(name: str) -> dict[str, float]:
        text = catalog.get(name).text
        t0 = time.perf_counter()
        records, summary, keys = driver.execute_query(  # as Neo4jStore.read, without plain()
            neo4j.Query(text, timeout=store.query_timeout_s),  # type: ignore[arg-type]
            database_=store.database,
            routing_=neo4j.RoutingControl.READ,
        )
        raw = (time.perf_counter() - t0) * 1000
        server = float(summary.result_available_after or 0)
        stream = float(summary.result_consumed_after or 0)
        t0 = time.perf_counter()
        _ = [{k: plain(r[k]) for k in keys} for r in records]  # what Neo4jStore does with them
        conv = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        store.read(name)
        wall = (time.perf_counter() - t0) * 1000
        return {
            "read_ms": wall,
            "server_ms": server,
            "stream_ms": stream,
            "client_ms": raw - server - stream,
            "plain_ms": conv,
        }

    return split


def projection_figures(store: GraphStore, split: Split, as_of: dt.date) -> dict[str, Any]:
    """Figure 3: the first summary() on a new engine, LOADS projection() loads on new engines,
    each block's time in them, and each block's server / client split."""
    ts = TimedStore(store)
    eng = Engine(cast(GraphStore, ts))
    t0 = time.perf_counter()
    eng.summary(as_of=as_of)
    first_s = time.perf_counter() - t0
    first = _by_block(ts.take())
    loads, per_block = [], defaultdict(list)
    for _ in range(LOADS):
        fresh = Engine(cast(GraphStore, ts))
        t0 = time.perf_counter()
        fresh.projection()
        loads.append(time.perf_counter() - t0)
        for block, s in _by_block(ts.take()).items():
            per_block[block].append(s)
    blocks = []
    for name in first:
        rows = ts.last.get(name, [])
        row: dict[str, Any] = {
            "block": name,
            "rows": len(rows),
            "values": _leaves(rows),
            "first_load_ms": first[name] * 1000,
            "load_ms": statistics.median(per_block[name]) * 1000 if per_block[name] else None,
        }
        if not catalog.get(name).params:
            runs = [split(name) for _ in range(SPLITS)]
            row.update({k: statistics.median(r[k] for r in runs) for k in runs[0]})
        blocks.append(row)
    return {
        "first_summary_s": first_s,
        "projection_s": statistics.median(loads),
        "projection_loads_s": loads,
        "blocks": blocks,
        "rust_ext_active": rust_active() if store.engine == "neo4j" else None,
    }


# -- one engine -------------------------------------------------------------------------------


@dataclass
class Picks:
    """The questions, chosen once on the first engine's graph (the same data on both)."""

    village: str
    chain: str
    targets: list[str]  # uncovered households of the village, for the freshness writes
    members: list[str]  # at-home members of the village


def choose(store: GraphStore) -> Picks:
    """As bench/engine.py: the median village by households, its first covered household."""
    raw = bench_engine.pull_raw(store)
    ref = bench_engine.Reference(raw, get_policy())
    by_size = sorted(
        range(len(raw.villages)),
        key=lambda s: (int((raw.h_slot == s).sum()), raw.area_code[raw.villages[s]]),
    )
    slot = by_size[len(by_size) // 2]
    s0 = ref.day(bench_engine.yyyymmdd(AS_OF))
    here = np.flatnonzero(raw.h_slot == slot)
    covered = sorted(raw.h_id[int(h)] for h in here if s0.covered[h])
    targets = sorted(raw.h_id[int(h)] for h in here if not s0.covered[h])
    if len(targets) < FRESH:  # a small village (tiny demo): more from the whole county
        targets += sorted(
            raw.h_id[int(h)]
            for h in np.flatnonzero(raw.h_county & ~s0.covered)
            if raw.h_id[int(h)] not in targets
        )
    members = sorted(raw.m_key[int(m)] for m in np.flatnonzero((raw.m_slot == slot) & s0.at_home))
    if not members:
        members = sorted(raw.m_key[int(m)] for m in np.flatnonzero(s0.at_home))
    return Picks(
        village=raw.area_code[raw.villages[slot]],
        chain=covered[0] if covered else raw.h_id[int(here[0])],
        targets=targets[:FRESH],
        members=members[:FRESH],
    )


class ApiRun(bench_api.Bench):  # type: ignore[misc,name-defined]
    """bench/api.py's API process, pointed at a store this bench loaded."""

    def __init__(self, root: Path, *, port: int, env: dict[str, str]) -> None:
        super().__init__(root, port=port)
        self.env = env

    def api_env(self) -> dict[str, str]:
        return self.env

    def households(self, token: str, n: int = 2000) -> list[str]:
        """bench/api.py's sample, or a small demo's (under 500 households) first page."""
        ids: list[str] = super().households(token, n)
        if not ids:
            r = httpx.get(
                f"{self.base}{bench_api.API}/households",
                params={"page_size": 500},
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            )
            ids = [h["id"] for h in r.json()["items"]]
        return ids


class Run:
    def __init__(self, root: Path, args: argparse.Namespace) -> None:
        self.root = root
        self.args = args
        self.falkor: EmbeddedServer | None = None
        self.neo: LocalNeo4j | None = None
        self.api: ApiRun | None = None
        self.closers: list[Callable[[], None]] = []
        self.picks: Picks | None = None
        self.files: list[Path] = []
        self.res: dict[str, Any] = {
            "scale": args.scale,
            "as_of": AS_OF.isoformat(),
            "reps": args.reps,
            "clients": args.clients,
            "seconds": args.seconds,
            "loadavg_start": os.getloadavg(),
            "versions": {
                "python": platform.python_version(),
                "neo4j": NEO4J_VERSION,
                "neo4j_driver": neo4j.__version__,
                "machine": f"{platform.machine()} {platform.system()} "
                f"{platform.release()}, {os.cpu_count()} CPUs",
            },
            "engines": {},
        }

    # -- lifecycle --

    def cleanup(self) -> None:
        self._stop_api()
        for close in reversed(self.closers):
            try:
                close()
            except Exception as exc:  # keep going: the servers and the folder must go too
                say(f"could not close: {exc}")
        self.closers.clear()
        self._kill_falkor()
        self._kill_neo4j()
        shutil.rmtree(self.root, ignore_errors=True)
        say(f"servers killed, {self.root} removed")

    def _stop_api(self) -> None:
        if self.api is not None:
            self.api.cleanup()
            self.api = None

    def _kill_falkor(self) -> None:
        if self.falkor is not None:
            try:
                self.falkor.kill()  # the data goes anyway: no need for a clean shutdown
            except Exception as exc:
                say(f"could not kill FalkorDB: {exc}")
            shutil.rmtree(self.falkor.dir, ignore_errors=True)
            self.falkor = None

    def _kill_neo4j(self) -> None:
        if self.neo is not None:
            try:
                self.neo.kill()
            except Exception as exc:
                say(f"could not kill Neo4j: {exc}")
            shutil.rmtree(self.neo.home, ignore_errors=True)
            self.neo = None

    def _close_all(self) -> None:
        for close in reversed(self.closers):
            close()
        self.closers.clear()

    # -- the run --

    def run(self) -> dict[str, Any]:
        demo = self.root / "demo"
        say(f"generating the demo ({self.args.scale})")
        t0 = time.perf_counter()
        generate(demo, scale=self.args.scale, seed=1, as_of=AS_OF)
        self.res["generate_s"] = time.perf_counter() - t0
        self.files = [demo / f for f in FILES if (demo / f).is_file()]
        for engine in self.args.engines:
            say(f"== {TITLES[engine]} ==")
            self.res["engines"][engine] = (self.falkordb if engine == "falkordb" else self.neo4j)()
        self.res["loadavg_end"] = os.getloadavg()
        return self.res

    def falkordb(self) -> dict[str, Any]:
        srv = self.falkor = EmbeddedServer(self.root / "f", socket_timeout=600.0)
        srv.start()
        store = bench_engine.open_store(srv)
        self.closers.append(store.close)
        out: dict[str, Any] = {"version": bench_engine.versions(srv)["falkordb"]}
        out.update(
            self.measure(
                store, falkor_split(store), settle=lambda: bench_engine.settle(srv), pid=srv.pid
            )
        )
        self._close_all()
        out["api"] = self.api_figures(
            {
                "ORGRAPH_DATA_DIR": str(srv.dir),
                "ORGRAPH_GRAPH_NAME": bench_engine.GRAPH,
                "ORGRAPH_STORE_URI": "embedded",
            },
            srv.dir,
        )
        self._kill_falkor()
        return out

    def neo4j(self) -> dict[str, Any]:
        srv = self.neo = LocalNeo4j(
            self.root / "n", bolt_port=free_port(), heap="2g", pagecache="1g"
        )
        t0 = time.perf_counter()
        srv.start(progress=say)
        password = srv.password()
        out: dict[str, Any] = {"version": NEO4J_VERSION, "start_s": time.perf_counter() - t0}
        store = Neo4jStore(uri=srv.uri, user=srv.user, password=password, query_timeout_ms=120_000)
        self.closers.append(store.close)
        driver = bare_driver(srv.uri, password)
        self.closers.append(driver.close)
        out.update(self.measure(store, neo4j_split(store, driver), settle=lambda: 0.0, pid=srv.pid))
        out["rust_ext"] = self.rust_ext(srv.uri, password)
        self._close_all()
        out["api"] = self.api_figures(
            {
                "ORGRAPH_DATA_DIR": str(self.root / "napi"),
                "ORGRAPH_STORE_URI": srv.uri,
                "ORGRAPH_NEO4J_USER": srv.user,
                "ORGRAPH_NEO4J_PASSWORD": password,
            },
            self.root / "napi",
        )
        self._kill_neo4j()
        return out

    def measure(
        self,
        store: GraphStore,
        split: Split,
        *,
        settle: Callable[[], float],
        pid: Callable[[], int | None],
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        migrate(store)
        for key, label, recheck in (
            ("import", "county import", False),
            ("reimport", "no-change re-import, every row read", True),
            ("kept", "no-change re-import, from the import mark", False),
        ):
            say(f"{label}: {len(self.files)} files")
            t0 = time.perf_counter()
            report = import_files(store, self.files, key=KEY.encode(), today=AS_OF, recheck=recheck)
            assert report.reused == (key == "kept"), (key, report.reused)
            seconds = time.perf_counter() - t0
            totals = report.totals()
            assert totals["rejected"] == 0 and totals["sheet_errors"] == 0, totals
            out[key] = {
                "seconds": seconds,
                "rows": totals["rows"],
                "rows_per_s": totals["rows"] / seconds,
                "totals": totals,
                "settle_s": settle(),
            }
        out["nodes"] = {r["label"]: r["nodes"] for r in store.read("count_by_label")}

        say("cold projection loads")
        out["cold"] = projection_figures(store, split, AS_OF)

        if self.picks is None:
            self.picks = choose(store)
            self.res["picks"] = self.picks.__dict__
        picks = self.picks
        eng = Engine(store)
        out["fresh"] = self.freshness(store, eng, picks)

        say("warm answers")
        ops: dict[str, Callable[[dt.date], object]] = {
            "coverage": lambda d: eng.coverage(level="village", as_of=d),
            "summary": lambda d: eng.summary(as_of=d),
            "village": lambda d: eng.gaps(
                "household_uncovered", scope=picks.village, as_of=d, page_size=PAGE
            ),
            "chain": lambda d: eng.chain(picks.chain, as_of=d),
            # docs/rules.md "Contact proposals": a new as_of solves the whole county again
            "proposal": lambda d: eng.proposal(as_of=d, page_size=100),
            # docs/rules.md "软弱涣散 screening": every village organisation of the county
            "screening": lambda d: eng.screening(as_of=d),
        }
        warm: dict[str, Any] = {}
        for i, op in enumerate(OPS):
            ops[op](AS_OF)
            same = bench_engine.run_series(ops[op], [AS_OF], self.args.reps)
            new = bench_engine.run_series(ops[op], dates(i), self.args.reps)
            warm[op] = {"same_as_of": same.as_dict(), "new_as_of": new.as_dict()}
        trip = bench_engine.run_series(
            lambda _d: store.read("graph_revision"), [AS_OF], self.args.reps
        )
        warm["round_trip"] = {"same_as_of": trip.as_dict()}
        out["warm"] = warm
        out["server_rss_mb"] = rss_mb(pid())
        return out

    def freshness(self, store: GraphStore, eng: Engine, picks: Picks) -> dict[str, Any]:
        since = (AS_OF - dt.timedelta(days=1)).isoformat()
        trials = []
        for k, hid in enumerate(picks.targets):
            member = picks.members[k % len(picks.members)]
            say(f"freshness {k + 1}/{len(picks.targets)}: {member} → {hid}")
            before = eng.summary(as_of=AS_OF)["counts"]["household_uncovered"]
            t0 = time.perf_counter()
            store.write(
                "upsert_household_contacts",
                rows=[{"member": member, "target": hid, "since": since, "until": None}],
            )
            write_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            after = eng.summary(as_of=AS_OF)["counts"]["household_uncovered"]
            next_s = time.perf_counter() - t0
            trials.append(
                {
                    "member": member,
                    "household": hid,
                    "write_ms": write_s * 1000,
                    "next_summary_s": next_s,
                    "fresh": after == before - 1,
                }
            )
        return {
            "trials": trials,
            "next_summary_p50_s": statistics.median(t["next_summary_s"] for t in trials),
            "write_p50_ms": statistics.median(t["write_ms"] for t in trials),
            "stale": sum(not t["fresh"] for t in trials),
        }

    def api_figures(self, env: dict[str, str], data_dir: Path) -> dict[str, Any]:
        """Figure 6: bench/api.py's load loop against `orgraph serve` on this store."""
        data_dir.mkdir(parents=True, exist_ok=True)
        settings = Settings(data_dir=data_dir, jwt_secret="", id_hash_key=KEY)
        default_user_store(settings).add(
            bench_api.USER, bench_api.PASSWORD, role="county_admin", scope="330226"
        )
        api_root = Path(tempfile.mkdtemp(prefix="api-", dir=self.root))
        self.api = ApiRun(
            api_root,
            port=free_port(),
            env={**env, "ORGRAPH_JWT_SECRET": "", "ORGRAPH_ID_HASH_KEY": KEY},
        )
        try:
            say("starting the API")
            t0 = time.perf_counter()
            self.api.start_api()
            start_s = time.perf_counter() - t0
            token = self.api.login()
            houses = self.api.households(token)
            series = bench_api.measure(
                self.api.base,
                token,
                self.args.clients,
                self.args.seconds,
                houses,
                self.api.townships(token),
            )
        finally:
            self._stop_api()
        return {
            "start_s": start_s,
            "series": {s.name.split()[0]: {"name": s.name, **s.summary()} for s in series},
        }

    def rust_ext(self, uri: str, password: str) -> dict[str, Any]:
        """Figure 7: neo4j-rust-ext installed? With --try-rust-ext, figure 3 again in two fresh
        processes on this server: the extension blocked, then allowed (installed if missing)."""
        out: dict[str, Any] = {
            "installed_at_start": rust_installed(),
            "active_here": rust_active(),
            "driver": neo4j.__version__,
        }
        if not self.args.try_rust_ext:
            return out
        env = {**os.environ, "ORGRAPH_NEO4J_PASSWORD": password}
        base = [str(HERE / "engines.py"), "--projection-only", uri]

        def child(block: bool) -> dict[str, Any]:
            cmd = [sys.executable, *(["-c", RUST_BLOCKER] if block else []), *base]
            say(f"figure 3 in a fresh process, rust extension {'blocked' if block else 'on'}")
            done = subprocess.run(
                cmd, env=env, capture_output=True, text=True, timeout=1800, check=False
            )
            if done.returncode != 0:
                return {"error": done.stderr.strip()[-2000:]}
            return dict(json.loads(done.stdout.strip().splitlines()[-1]))

        out["without"] = child(block=True)
        if not out["installed_at_start"]:
            spec = f"neo4j-rust-ext=={neo4j.__version__}.*"
            say(f"pip install {spec}")
            pip = subprocess.run(
                [sys.executable, "-m", "pip", "install", "-q", spec],
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            out["pip"] = {
                "spec": spec,
                "returncode": pip.returncode,
                "output": (pip.stdout + pip.stderr).strip()[-1000:],
            }
        out["with"] = child(block=False)
        return out


def dates(op: int) -> list[dt.date]:
    """30 dates for one operation's "new as_of" series, none shared with another's (as
    bench/engine.py)."""
    n, step = bench_engine.DATES_PER_SERIES, bench_engine.DATE_STEP_DAYS
    return [AS_OF - dt.timedelta(days=step * (1 + op * n + k)) for k in range(n)]


def projection_only(uri: str) -> int:
    """The --try-rust-ext child: figure 3 on a loaded Neo4j, as one JSON line on stdout."""
    password = os.environ["ORGRAPH_NEO4J_PASSWORD"]
    store = Neo4jStore(uri=uri, user="neo4j", password=password, query_timeout_ms=120_000)
    driver = bare_driver(uri, password)
    try:
        res = projection_figures(store, neo4j_split(store, driver), AS_OF)
    finally:
        driver.close()
        store.close()
    res["rust_ext_installed"] = rust_installed()
    print(json.dumps(res))
    return 0


# -- the report -------------------------------------------------------------------------------


@dataclass
class Line:
    figure: str
    values: dict[str, float | None]
    fmt: str


def lines(res: dict[str, Any]) -> list[Line]:
    eng = res["engines"]

    def get(path: Sequence[str | int]) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for name in ENGINES:
            v: Any = eng.get(name)
            for p in path:
                v = v.get(p) if isinstance(v, dict) else None
            out[name] = float(v) if isinstance(v, int | float) else None
        return out

    rows = [
        Line("1. county import, s", get(["import", "seconds"]), ".1f"),
        Line("1. county import, rows/s", get(["import", "rows_per_s"]), ",.0f"),
        Line("2. no-change re-import, s", get(["reimport", "seconds"]), ".1f"),
        Line("2. no-change re-import, rows/s", get(["reimport", "rows_per_s"]), ",.0f"),
        Line("2. the same from the import mark, s", get(["kept", "seconds"]), ".2f"),
        Line("2. the same from the import mark, rows/s", get(["kept", "rows_per_s"]), ",.0f"),
        Line("3. first summary() on a new Engine, s", get(["cold", "first_summary_s"]), ".2f"),
        Line(
            f"3. projection() on a new Engine, s (median of {LOADS})",
            get(["cold", "projection_s"]),
            ".2f",
        ),
    ]
    names: list[str] = []
    for name in ENGINES:
        for b in eng.get(name, {}).get("cold", {}).get("blocks", []):
            if b["block"] not in names:
                names.append(b["block"])
    for block in names:
        vals: dict[str, float | None] = {}
        for name in ENGINES:
            found = [
                b
                for b in eng.get(name, {}).get("cold", {}).get("blocks", [])
                if b["block"] == block
            ]
            vals[name] = found[0]["load_ms"] if found else None
        rows.append(Line(f"3.   {block}, ms in a load", vals, ".1f"))
    rows += [
        Line("4. write 1 contact, ms (p50)", get(["fresh", "write_p50_ms"]), ".1f"),
        Line("4. next summary() after it, s (p50)", get(["fresh", "next_summary_p50_s"]), ".2f"),
        Line("4. stale answers", get(["fresh", "stale"]), ".0f"),
    ]
    for op in OPS:
        for key, tag in (("same_as_of", "same as_of"), ("new_as_of", "new as_of")):
            for q in ("p50_ms", "p95_ms"):
                rows.append(
                    Line(f"5. {OP_TITLES[op]}, {tag}, {q[:3]} ms", get(["warm", op, key, q]), ".2f")
                )
    rows.append(
        Line(
            "5. store round trip (graph_revision), p50 ms",
            get(["warm", "round_trip", "same_as_of", "p50_ms"]),
            ".2f",
        )
    )
    for ep in ("health", "coverage", "gaps", "chain"):
        rows.append(
            Line(
                f"6. API {ep}, p95 ms ({res['clients']} clients)",
                get(["api", "series", ep, "p95_ms"]),
                ".1f",
            )
        )
        rows.append(
            Line(f"6. API {ep}, req/s", get(["api", "series", ep, "throughput_rps"]), ".1f")
        )
    rows.append(Line("   server RSS after the warm answers, MB", get(["server_rss_mb"]), ",.0f"))
    return rows


def report(res: dict[str, Any]) -> str:
    eng = res["engines"]
    head = [
        f"orgraph engines side by side: demo {res['scale']} (as_of {res['as_of']}); "
        + ", ".join(f"{TITLES[n]} {eng[n]['version']}" for n in ENGINES if n in eng)
        + f"; driver neo4j {res['versions']['neo4j_driver']}; "
        + f"{res['versions']['machine']}",
        f"load average (1/5/15 min) at start {_avg(res['loadavg_start'])}, at end "
        f"{_avg(res['loadavg_end'])}; demo generated in {res['generate_s']:.1f} s",
    ]
    for n in ENGINES:
        if n in eng:
            head.append(
                f"{TITLES[n]}: "
                + ", ".join(f"{k} {v:,}" for k, v in sorted(eng[n]["nodes"].items()))
            )
    if "picks" in res:
        p = res["picks"]
        head.append(f"village {p['village']} (median by households), chain of {p['chain']}")
    table = ["", "| figure | FalkorDB | Neo4j | Neo4j/FalkorDB |", "|---|---:|---:|---:|"]
    for ln in lines(res):
        fv, nv = ln.values["falkordb"], ln.values["neo4j"]
        ratio = f"{nv / fv:.2f}" if fv and nv is not None else "-"
        table.append(f"| {ln.figure} | {_fmt(fv, ln.fmt)} | {_fmt(nv, ln.fmt)} | {ratio} |")
    out = head + table
    for n in ENGINES:
        if n in eng:
            out += [
                "",
                f"3. {TITLES[n]}: projection blocks (ms, medians; first = in the first"
                " summary(), load = in a later projection())",
                *block_table(eng[n]["cold"]),
            ]
    if "neo4j" in eng:
        out += ["", *rust_lines(eng["neo4j"]["rust_ext"])]
    out += [
        "",
        "3. server: FalkorDB's internal execution time; Neo4j's result_available_after "
        "(to the first record: the whole query for a collect()). stream: Neo4j's "
        "result_consumed_after (sending the rows). client: the bare client call (redis "
        "execute_command / driver execute_query) less server and stream: round trips, "
        "transfer, decoding. plain: the store's conversion of that reply to plain rows. "
        "read: a whole store.read, timed on its own.",
        "Wall-clock on a shared machine: read the ratios more than the absolute figures.",
    ]
    return "\n".join(out)


def block_table(cold: dict[str, Any]) -> list[str]:
    out = [
        f"{'block':<22}{'rows':>7}{'values':>10}{'first':>9}{'load':>9}{'read':>9}"
        f"{'server':>9}{'stream':>9}{'client':>9}{'plain':>9}"
    ]
    for b in cold["blocks"]:
        out.append(
            f"{b['block']:<22}{b['rows']:>7,}{b['values']:>10,}"
            + "".join(
                f"{_fmt(b.get(k), '.1f'):>9}"
                for k in (
                    "first_load_ms",
                    "load_ms",
                    "read_ms",
                    "server_ms",
                    "stream_ms",
                    "client_ms",
                    "plain_ms",
                )
            )
        )
    tot = {
        k: sum(b.get(k) or 0.0 for b in cold["blocks"])
        for k in (
            "first_load_ms",
            "load_ms",
            "read_ms",
            "server_ms",
            "stream_ms",
            "client_ms",
            "plain_ms",
        )
    }
    out.append(f"{'total':<22}{'':>7}{'':>10}" + "".join(f"{v:>9.1f}" for v in tot.values()))
    return out


def rust_lines(r: dict[str, Any]) -> list[str]:
    out = [
        f"7. neo4j-rust-ext: installed at start: {'yes' if r['installed_at_start'] else 'no'}"
        f" (driver {r['driver']}); active in this run's figures 1-5: "
        f"{'yes' if r['active_here'] else 'no'}"
    ]
    if "pip" in r:
        out.append(f"   pip install {r['pip']['spec']}: exit {r['pip']['returncode']}")
    if "without" not in r:
        out.append("   (--try-rust-ext not given: not measured)")
        return out
    for key, label in (("without", "blocked"), ("with", "on")):
        c = r[key]
        if "error" in c:
            out.append(f"   extension {label}: failed: {c['error'][-500:]}")
            continue
        tot = {
            k: sum(b.get(k) or 0.0 for b in c["blocks"])
            for k in ("read_ms", "server_ms", "stream_ms", "client_ms", "plain_ms")
        }
        out.append(
            f"   extension {label:<7} (active: {c['rust_ext_active']}): first summary() "
            f"{c['first_summary_s']:.2f} s, projection() {c['projection_s']:.2f} s "
            f"(loads "
            + ", ".join(f"{x:.2f}" for x in c["projection_loads_s"])
            + "); blocks (ms): "
            + ", ".join(f"{k[:-3]} {v:.0f}" for k, v in tot.items())
        )
    w, o = r["with"], r["without"]
    if "error" not in w and "error" not in o:
        out.append(
            f"   projection() with/without the extension: "
            f"{w['projection_s'] / o['projection_s']:.2f}"
        )
    return out


def _fmt(v: float | None, fmt: str) -> str:
    return "-" if v is None else format(v, fmt)


def _avg(values: Sequence[float]) -> str:
    return "/".join(f"{x:.2f}" for x in values)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="FalkorDB and Neo4j side by side: import, projection load, answers, API."
    )
    ap.add_argument(
        "--scale",
        choices=("county", "tiny"),
        default="county",
        help="the demo's size (county; tiny for a quick smoke run)",
    )
    ap.add_argument(
        "--engines",
        default=",".join(ENGINES),
        help="comma-separated, in this order (falkordb,neo4j)",
    )
    ap.add_argument("--reps", type=int, default=30, help="timed calls per warm series (30)")
    ap.add_argument("--seconds", type=float, default=10.0, help="API seconds per endpoint (10)")
    ap.add_argument("--clients", type=int, default=16, help="API concurrent clients (16)")
    ap.add_argument(
        "--try-rust-ext",
        action="store_true",
        help="measure figure 3 with and without neo4j-rust-ext (pip-installs it "
        "into this venv when missing)",
    )
    ap.add_argument("--json", type=Path, help="also write the results to this file")
    ap.add_argument("--projection-only", metavar="BOLT_URI", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.projection_only:
        return projection_only(args.projection_only)
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if not args.engines or any(e not in ENGINES for e in args.engines):
        ap.error(f"--engines: one or more of {', '.join(ENGINES)}")
    if args.reps < 2 or args.seconds <= 0 or args.clients < 1:
        ap.error("--reps must be at least 2, --seconds positive, --clients at least 1")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, bench_engine._raise_exit)
    run = Run(Path(tempfile.mkdtemp(prefix="orgx-", dir="/tmp")), args)
    try:
        res = run.run()
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    finally:
        run.cleanup()
    print(report(res))
    if args.json:
        args.json.write_text(
            json.dumps(res, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
