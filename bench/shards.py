"""A province served as county shards: one graph and one engine process per county (#12).

Run on demand (not part of the test suite)::

    .venv/bin/python bench/shards.py [--counties 4] [--reps 30] [--seed 1] [--scale county]
        [--grow-last 375000] [--no-reference] [--json out.json]

What it simulates (docs/scale.md): a province whose analysis projection is partitioned by
county, each county shard an `Engine` in a process of its own, and a router that sends a
request to the shard its scope's code names, or to every shard for a province-wide figure.
On a private embedded FalkorDB in a fresh /tmp folder it:

1. generates --counties demo counties (`orgraph.demo.generate`, county scale: the 宁海县
   template, ~98k households and ~8.3k members each; --scale tiny for a quick try) with
   seeds --seed, --seed+1, …, each re-coded as a different county of 宁波市 (330203 海曙区,
   330205 江北区, …: same townships, another 6-digit code, so every area code, org id,
   household id and ID number differs and a code's first 6 digits name its county), and
   imports each with the real importer into its own graph (`shard_<code>`) of the one
   server; with --grow-last N the last county is then grown to N households as
   bench/engine.py grows a county (synthetic households and contacts; members, meetings and
   dues stay the county's);
2. starts one shard process per county (multiprocessing, spawn), one after the other, each
   loading its projection from its graph (`Engine.projection()`, timed) and saving a
   snapshot (docs/design.md#snapshots; its size on disk is reported); reads each shard's memory from
   /proc/<pid>/smaps_rollup (Rss, Pss and their anonymous/file split; and the peak Rss,
   VmHWM, from /proc/<pid>/status) before the load (the interpreter with orgraph imported),
   after it, after the warm timings, and after a second full load made while the first
   projection is still held (what a reload after an import costs at its peak);
3. times warm answers inside each shard, one shard at a time, --reps calls each (p50/p95,
   as_of fixed, so the date's state is cached as in production): the summary of every gap
   type, the coverage rollup to villages, page 1 (100) of the county's uncovered households,
   and page 1 of one village's (the median village by households); unless --no-reference,
   also the plain-numpy reference of bench/engine.py (`pull_raw`, `Reference`: 4 rule
   counts, the village coverage table, one village's uncovered ids) on the same date, whose
   answers must equal the engine's, and each engine p50 as a ratio to it;
4. the router, in the parent: builds its directory (county code → shard, org id → shard),
   then times over the pipes (pickled answers, as a stand-in for HTTP between machines) a
   township's summary routed by its code's prefix, and the province-wide figures by fan-out
   (send to every shard, then gather): the summary (counts summed), the coverage (each
   county's own row, figures summed, the ratio recomputed from the sums) and page 1 (50) of
   the province's uncovered households (each shard's page 1, merged by id); it also checks
   that the summed figures equal the sum of the per-shard answers and shows the one rule
   that does not add up (`mobile_cluster_without_branch`: clusters are per destination city
   across counties, merged from per-shard partials);
5. cold start: stops every shard, then starts each again from its snapshot (no graph read
   besides the revision check) and times the snapshot load and the first summary, with the
   memory after it.

Every timing is wall-clock on the machine it runs on; the load average at start and end is
printed with the table. The shard processes, the server and the /tmp folder are removed on
exit, also on Ctrl-C, SIGTERM or an error.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import gc
import json
import multiprocessing as mp
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType
from typing import Any, Literal
from unittest import mock

import engine as bench_engine  # bench/engine.py: its numpy reference, growth and helpers
import numpy as np

from orgraph.analysis import mobile
from orgraph.analysis import projection as proj
from orgraph.analysis.engine import Engine
from orgraph.demo import generate, places
from orgraph.importer.pipeline import import_files
from orgraph.store.embedded import EmbeddedServer
from orgraph.store.falkor import FalkorStore

KEY = b"bench-shards-key"
AS_OF = dt.date(2026, 11, 1)  # the demo's default as_of: its planted cases hold on it
GAP = "household_uncovered"
PAGE = 100
PROVINCE_PAGE = 50
OPS = ("summary", "coverage", "gaps_county", "gaps_village")
OP_TITLES = {
    "summary": "summary (every gap type)",
    "coverage": "coverage rollup to villages",
    "gaps_county": f"gap list page 1 ({PAGE}), whole county",
    "gaps_village": f"gap list page 1 ({PAGE}), one village",
}
# engine op → the bench/engine.py reference computation it is compared with
REF_OF = {"summary": "counts", "coverage": "coverage", "gaps_village": "village"}
SMAPS = ("Rss", "Pss", "Pss_Anon", "Pss_File", "Anonymous")
_T0 = time.perf_counter()


def say(msg: str) -> None:
    print(f"[{time.perf_counter() - _T0:7.1f}s] {msg}", file=sys.stderr, flush=True)


def smaps(pid: int) -> dict[str, float]:
    """Rss, Pss (anonymous, file) and Anonymous of a process, in MB, from smaps_rollup, and
    its peak Rss so far (VmHWM, from status)."""
    out: dict[str, float] = {}
    for f, names in (("smaps_rollup", SMAPS), ("status", ("VmHWM",))):
        for line in Path(f"/proc/{pid}/{f}").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in names:
                out[name] = int(rest.split()[0]) / 1024
    return out


def series(samples_s: Sequence[float]) -> dict[str, Any]:
    ms = [x * 1000 for x in samples_s]
    return {
        "n": len(ms),
        "p50_ms": statistics.median(ms),
        "p95_ms": float(np.percentile(ms, 95)),
        "max_ms": max(ms),
    }


def county_spec(k: int) -> places.CountySpec:
    """The county template (宁海县's townships) under the k-th county code of 宁波市."""
    real = places.NINGBO_COUNTIES[k]
    return dataclasses.replace(places.NINGHAI, code=real.code, name=real.name, short=real.short)


# -- a shard: one county's engine in a process of its own -------------------------------------


@dataclasses.dataclass(frozen=True)
class ShardCfg:
    code: str
    graph: str
    socket: str
    timeout_ms: int
    snapshots: str


class Shard:
    """What a shard process does for the router; every method answers one message."""

    def __init__(self, cfg: ShardCfg) -> None:
        self.cfg = cfg
        self.store = FalkorStore(
            graph=cfg.graph,
            unix_socket=cfg.socket,
            socket_timeout=600.0,
            query_timeout_ms=cfg.timeout_ms,
        )
        self._eng: Engine | None = None

    @property
    def eng(self) -> Engine:
        assert self._eng is not None, "load first"
        return self._eng

    def close(self) -> None:
        if self._eng is not None:
            self._eng.saved()
        self.store.close()

    def load(self, from_snapshot: bool) -> dict[str, Any]:
        """A new engine's projection (from the graph, saving a snapshot; or from the snapshot
        of the graph's revision), then its first summary, both timed."""
        eng = self._eng = Engine(self.store, snapshots=Path(self.cfg.snapshots))
        t0 = time.perf_counter()
        p = eng.projection()
        load_s = time.perf_counter() - t0
        want = (0, 1) if from_snapshot else (1, 0)
        assert (eng.loads, eng.snapshot_loads) == want, eng.freshness()
        t0 = time.perf_counter()
        eng.saved()  # the snapshot save runs in a thread: wait, so the timings are alone
        save_wait_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        eng.summary(as_of=AS_OF)
        first_s = time.perf_counter() - t0
        gc.collect()
        folder = Path(self.cfg.snapshots)
        newest = max(folder.glob("snapshot-*"), key=lambda d: d.stat().st_mtime, default=None)
        files = [f for f in newest.rglob("*") if f.is_file()] if newest else []
        return {
            "load_s": load_s,
            "save_wait_s": save_wait_s,
            "snapshot_mb": sum(f.stat().st_size for f in files) / 2**20,
            "first_summary_s": first_s,
            "sizes": {
                "areas": len(p.area_code),
                "orgs": len(p.org_id),
                "households": len(p.hh_id),
                "members": len(p.m_key),
                "contacts": len(p.c_member),
                "meetings": len(p.k_id),
                "dues": len(p.d_member),
            },
        }

    def reload(self) -> dict[str, Any]:
        """A full load from the graph while the current projection is still held, as
        `Engine.projection()` does when the change log cannot be applied (after an import):
        timed; the router reads the peak Rss it caused."""
        held = self.eng.projection()
        t0 = time.perf_counter()
        fresh = proj.load(self.store)
        reload_s = time.perf_counter() - t0
        assert fresh.revision == held.revision
        del fresh
        gc.collect()
        return {"reload_s": reload_s}

    def directory(self) -> dict[str, Any]:
        """The county's code, its org ids (the router's directory) and its median village."""
        p = self.eng.projection()
        villages = [i for i, lv in enumerate(p.area_level) if lv == "village"]
        per = np.bincount(p.hh_area[p.hh_area >= 0], minlength=len(p.area_code))
        village = sorted(villages, key=lambda a: (int(per[a]), p.area_code[a]))[len(villages) // 2]
        townships = sorted(p.area_code[i] for i, lv in enumerate(p.area_level) if lv == "township")
        orgs = [o for o, ext in zip(p.org_id, p.org_external, strict=True) if not ext]
        return {
            "county": [p.area_code[r] for r in p.roots],
            "orgs": orgs,
            "village": p.area_code[village],
            "township": townships[len(townships) // 2],
        }

    def answer(self, op: str, scope: str | None = None) -> dict[str, Any]:
        eng = self.eng
        if op == "summary":
            return eng.summary(scope=scope, as_of=AS_OF)
        if op == "coverage_village":
            return eng.coverage(scope=scope, level="village", as_of=AS_OF)
        if op == "coverage_own":  # the scope's own row only (the level matches nothing below)
            return eng.coverage(scope=scope, level="county", as_of=AS_OF)
        if op == "gaps":
            return eng.gaps(GAP, scope=scope, as_of=AS_OF, page_size=PAGE)
        if op == "gaps_province":
            return eng.gaps(GAP, scope=scope, as_of=AS_OF, page_size=PROVINCE_PAGE)
        raise ValueError(op)

    def time_ops(self, reps: int, village: str) -> dict[str, Any]:
        calls: dict[str, Callable[[], object]] = {
            "summary": lambda: self.answer("summary"),
            "coverage": lambda: self.answer("coverage_village"),
            "gaps_county": lambda: self.answer("gaps"),
            "gaps_village": lambda: self.answer("gaps", village),
        }
        out: dict[str, Any] = {}
        for op in OPS:
            calls[op]()  # warm: the date's state, the scope and the page's heads are cached
            samples = []
            for _ in range(reps):
                t0 = time.perf_counter()
                calls[op]()
                samples.append(time.perf_counter() - t0)
            out[op] = series(samples)
        return out

    def reference(self, reps: int, village: str) -> dict[str, Any]:
        """bench/engine.py's plain-numpy reference on this shard's graph: checked against the
        engine's answers, then timed on the same date."""
        t0 = time.perf_counter()
        raw = bench_engine.pull_raw(self.store)
        pull_s = time.perf_counter() - t0
        ref = bench_engine.Reference(raw, self.eng.policy)
        d = bench_engine.yyyymmdd(AS_OF)
        slot = raw.villages.index(raw.area_index[village])
        counts = self.eng.summary(as_of=AS_OF)["counts"]
        for rule, n in ref.counts(d).items():
            assert counts[rule] == n, f"{self.cfg.code} {rule}: engine {counts[rule]}, ref {n}"
        cov = bench_engine.engine_coverage(self.eng.coverage(level="village", as_of=AS_OF))
        assert cov == ref.coverage(d), f"{self.cfg.code}: coverage differs from the reference"
        page = self.eng.gaps(GAP, scope=village, as_of=AS_OF, page_size=PAGE)
        total, ids = ref.village_uncovered(d, slot)
        assert (page["total"], [i["id"] for i in page["items"]]) == (total, ids[:PAGE])
        refs: dict[str, Callable[[], object]] = {
            "counts": lambda: ref.counts(d),
            "coverage": lambda: ref.coverage(d),
            "village": lambda: ref.village_uncovered(d, slot),
        }
        out: dict[str, Any] = {"pull_s": pull_s}
        for name, fn in refs.items():
            samples = []
            for _ in range(reps):
                t0 = time.perf_counter()
                fn()
                samples.append(time.perf_counter() - t0)
            out[name] = series(samples)
        return out

    def cluster_partials(self) -> dict[str, Any]:
        """Per destination city: the county's full members away there (what
        mobile_cluster_without_branch counts, before its threshold), and the cities where
        the county hosts a mobile branch; the router merges these across counties."""
        c, _ = self.eng._ctx(None, AS_OF)  # one answer's context, as the engine builds it
        p = c.graph
        full: dict[str, int] = {}
        for m in np.flatnonzero(mobile.away(c)):
            place = mobile.member_city(c, int(m))
            if place is not None and p.m_full[m]:
                full[place.code6] = full.get(place.code6, 0) + 1
        return {
            "full_away_by_city": full,
            "branch_cities": sorted(mobile.branch_cities(c)),
            "min_full": c.policy.cluster_min_full,
            "count": self.eng.summary(as_of=AS_OF)["counts"]["mobile_cluster_without_branch"],
        }


def shard_main(conn: Connection, cfg: ShardCfg) -> None:
    """A shard process: answer the router's messages until told to stop or the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the router, which stops us
    shard = Shard(cfg)
    conn.send(("ok", os.getpid()))
    try:
        while True:
            try:
                method, args = conn.recv()
            except EOFError:
                break
            if method == "stop":
                conn.send(("ok", None))
                break
            try:
                conn.send(("ok", getattr(shard, method)(*args)))
            except Exception as exc:
                conn.send(("err", f"{type(exc).__name__}: {exc}"))
    finally:
        shard.close()


class ShardProc:
    """The router's handle on one shard process."""

    def __init__(self, ctx: Any, cfg: ShardCfg) -> None:
        self.cfg = cfg
        self.conn, child = mp.Pipe()
        self.proc: BaseProcess = ctx.Process(
            target=shard_main, args=(child, cfg), name=f"shard-{cfg.code}", daemon=True
        )
        self.proc.start()
        child.close()
        self.pid: int = self.recv()

    def send(self, method: str, *args: Any) -> None:
        self.conn.send((method, args))

    def recv(self) -> Any:
        status, value = self.conn.recv()
        if status != "ok":
            raise RuntimeError(f"shard {self.cfg.code}: {value}")
        return value

    def call(self, method: str, *args: Any) -> Any:
        self.send(method, *args)
        return self.recv()

    def stop(self) -> None:
        if self.proc.is_alive():
            with contextlib.suppress(OSError, EOFError, RuntimeError):
                self.call("stop")
            self.proc.join(15)
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)
        self.conn.close()


# -- the router -------------------------------------------------------------------------------


class Router:
    """Sends a scoped request to the shard that holds it, a province-wide one to all."""

    def __init__(self, shards: list[ShardProc]) -> None:
        self.shards = shards
        self.by_county: dict[str, ShardProc] = {}
        self.by_org: dict[str, ShardProc] = {}

    def learn(self, shard: ShardProc, directory: dict[str, Any]) -> None:
        for code in directory["county"]:
            self.by_county[code[:6]] = shard
        for org in directory["orgs"]:
            self.by_org[org] = shard

    def route(self, scope: str) -> ShardProc:
        """An area code by its first 6 digits (the county's code, GB/T 2260), else an org
        id by the directory."""
        found = self.by_county.get(scope[:6]) if scope[:6].isdigit() else None
        found = found or self.by_org.get(scope)
        if found is None:
            raise KeyError(f"no shard holds {scope!r}")
        return found

    def fan_out(self, op: str) -> list[dict[str, Any]]:
        for s in self.shards:  # send to every shard first: they answer in parallel
            s.send("answer", op)
        return [s.recv() for s in self.shards]

    def summary(self) -> dict[str, Any]:
        answers = self.fan_out("summary")
        counts: dict[str, int] = {}
        for a in answers:
            for rule, n in a["counts"].items():
                counts[rule] = counts.get(rule, 0) + int(n)
        return {"scope": "province", "counts": counts, "counties": len(answers)}

    def coverage(self) -> dict[str, Any]:
        rows = [a["rows"][0] for a in self.fan_out("coverage_own")]
        return {"rows": rows, "total": sum_rows(rows)}

    def gaps_page(self) -> dict[str, Any]:
        answers = self.fan_out("gaps_province")
        items = sorted((i for a in answers for i in a["items"]), key=lambda i: str(i["id"]))
        return {"total": sum(a["total"] for a in answers), "items": items[:PROVINCE_PAGE]}


def sum_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Coverage figures summed over counties; the ratio recomputed from the sums."""
    out: dict[str, Any] = {}
    for key in rows[0]:
        if key in ("code", "name", "level", "coverage"):
            continue
        if isinstance(rows[0][key], dict):
            out[key] = {b: sum(r[key][b] for r in rows) for b in rows[0][key]}
        else:
            out[key] = sum(int(r[key]) for r in rows)
    out["coverage"] = round(out["covered"] / out["households"], 4) if out["households"] else None
    return out


def merge_clusters(partials: list[dict[str, Any]]) -> int:
    """mobile_cluster_without_branch for the province from per-county partials: a city
    counts when the full members away there from every county together reach the threshold
    and no county hosts a mobile branch there."""
    full: dict[str, int] = {}
    hosted: set[str] = set()
    for part in partials:
        hosted.update(part["branch_cities"])
        for city, n in part["full_away_by_city"].items():
            full[city] = full.get(city, 0) + n
    least = partials[0]["min_full"]
    return sum(1 for city, n in full.items() if n >= least and city not in hosted)


# -- the benchmark ----------------------------------------------------------------------------


class Bench:
    def __init__(
        self,
        root: Path,
        *,
        counties: int,
        scale: Literal["county", "tiny"],
        reps: int,
        seed: int,
        grow: int | None,
        ref: bool,
    ) -> None:
        self.root = root
        self.scale = scale
        self.counties = counties
        self.reps = reps
        self.seed = seed
        self.grow = grow
        self.ref = ref
        self.server: EmbeddedServer | None = None
        self.shards: list[ShardProc] = []
        self.res: dict[str, Any] = {
            "counties": counties,
            "scale": scale,
            "reps": reps,
            "seed": seed,
            "as_of": AS_OF.isoformat(),
            "grow_last": grow,
            "loadavg_start": os.getloadavg(),
            "cpus": os.cpu_count(),
        }

    def cleanup(self) -> None:
        for s in self.shards:
            try:
                s.stop()
            except Exception as exc:  # keep going: the server and the folder must go too
                say(f"could not stop shard {s.cfg.code}: {exc}")
        self.shards = []
        if self.server is not None:
            try:
                self.server.kill()  # the data goes anyway: no need for a clean shutdown
            except Exception as exc:
                say(f"could not kill the server: {exc}")
            self.server = None
        shutil.rmtree(self.root, ignore_errors=True)
        say(f"shards stopped, server killed, {self.root} removed")

    def store(self, srv: EmbeddedServer, graph: str) -> FalkorStore:
        return FalkorStore(
            graph=graph,
            unix_socket=str(srv.socket),
            socket_timeout=600.0,
            query_timeout_ms=srv.timeout_max_ms,
        )

    def build(self, srv: EmbeddedServer) -> list[ShardCfg]:
        cfgs, imports = [], []
        for k in range(self.counties):
            spec = county_spec(k)
            graph = f"shard_{spec.code}"
            demo = self.root / f"demo-{spec.code}"
            say(f"county {k + 1}/{self.counties}: {spec.code} {spec.name}, seed {self.seed + k}")
            t0 = time.perf_counter()
            with mock.patch.object(places, "NINGHAI", spec):
                generate(demo, scale=self.scale, seed=self.seed + k, as_of=AS_OF)
            gen_s = time.perf_counter() - t0
            files = sorted(p for p in demo.iterdir() if p.suffix in (".xlsx", ".csv"))
            store = self.store(srv, graph)
            try:
                t0 = time.perf_counter()
                rep = import_files(store, files, key=KEY, today=AS_OF)
                imp_s = time.perf_counter() - t0
                totals = rep.totals()
                assert totals["rejected"] == 0 and totals["sheet_errors"] == 0, totals
                grown = None
                if self.grow and k == self.counties - 1:
                    bench_engine.settle(srv)
                    raw = bench_engine.pull_raw(store)
                    grown = bench_engine.grow(store, raw, self.grow, self.seed)
                    srv.rewrite_log()
            finally:
                store.close()
            shutil.rmtree(demo, ignore_errors=True)
            imports.append(
                {
                    "code": spec.code,
                    "generate_s": gen_s,
                    "import_s": imp_s,
                    "rows": totals["rows"],
                    "grown": grown,
                }
            )
            say(f"  generated in {gen_s:.1f} s, imported {totals['rows']:,} rows in {imp_s:.1f} s")
            cfgs.append(
                ShardCfg(
                    code=spec.code,
                    graph=graph,
                    socket=str(srv.socket),
                    timeout_ms=srv.timeout_max_ms,
                    snapshots=str(self.root / "snapshots" / spec.code),
                )
            )
        self.res["imports"] = imports
        self.res["log_rewrite_wait_s"] = bench_engine.settle(srv)
        return cfgs

    def run(self) -> dict[str, Any]:
        res = self.res
        srv = self.server = EmbeddedServer(self.root / "db", socket_timeout=600.0)
        srv.start()
        res["versions"] = bench_engine.versions(srv)
        cfgs = self.build(srv)
        res["server"] = {"used_memory": bench_engine.used_memory(srv)}
        pid = srv.pid()
        if pid is not None:
            res["server"]["smaps"] = smaps(pid)
        ctx = mp.get_context("spawn")

        say("loading every shard from its graph, one after the other")
        shards: dict[str, dict[str, Any]] = {}
        for cfg in cfgs:
            s = ShardProc(ctx, cfg)
            self.shards.append(s)
            before = smaps(s.pid)
            loaded = s.call("load", False)
            shards[cfg.code] = {"idle": before, **loaded, "after_load": smaps(s.pid)}
            say(
                f"  {cfg.code}: load {loaded['load_s']:.2f} s, "
                f"Rss {shards[cfg.code]['after_load']['Rss']:.0f} MB"
            )
        router = Router(self.shards)
        dirs = {}
        for s in self.shards:
            d = dirs[s.cfg.code] = s.call("directory")
            router.learn(s, d)

        say("warm answers inside each shard, one shard at a time")
        for s in self.shards:
            d = dirs[s.cfg.code]
            out = shards[s.cfg.code]
            out["village"], out["township"] = d["village"], d["township"]
            out["warm"] = s.call("time_ops", self.reps, d["village"])
            out["after_warm"] = smaps(s.pid)
            out["reload"] = {**s.call("reload"), "after": smaps(s.pid)}
            if self.ref:
                out["reference"] = s.call("reference", self.reps, d["village"])
                out["after_reference"] = smaps(s.pid)
            say(
                f"  {s.cfg.code}: "
                + ", ".join(f"{op} {out['warm'][op]['p50_ms']:.1f} ms" for op in OPS)
            )
        res["shards"] = shards
        res["router"] = self.route(router, dirs)

        say("cold starts from the snapshots")
        for s in self.shards:
            s.stop()
        self.shards = []
        for cfg in cfgs:
            s = ShardProc(ctx, cfg)
            self.shards.append(s)
            loaded = s.call("load", True)
            shards[cfg.code]["snapshot"] = {**loaded, "after_load": smaps(s.pid)}
            s.stop()
            self.shards.remove(s)
            say(f"  {cfg.code}: snapshot load {loaded['load_s']:.2f} s")
        res["loadavg_end"] = os.getloadavg()
        return res

    def route(self, router: Router, dirs: dict[str, dict[str, Any]]) -> dict[str, Any]:
        say("router: a routed request and the province-wide fan-outs")
        out: dict[str, Any] = {
            "directory": {"counties": len(router.by_county), "orgs": len(router.by_org)},
            "router_smaps": smaps(os.getpid()),
        }
        township = dirs[self.shards[-1].cfg.code]["township"]
        org = dirs[self.shards[0].cfg.code]["orgs"][-1]
        assert router.route(township) is self.shards[-1] and router.route(org) is self.shards[0]

        def routed() -> object:
            return router.route(township).call("answer", "summary", township)

        calls: dict[str, Callable[[], object]] = {
            "routed_township_summary": routed,
            "province_summary": router.summary,
            "province_coverage": router.coverage,
            "province_gaps_page": router.gaps_page,
        }
        for name, fn in calls.items():
            fn()
            samples = []
            for _ in range(self.reps):
                t0 = time.perf_counter()
                fn()
                samples.append(time.perf_counter() - t0)
            out[name] = series(samples)

        # the fan-out's figures are the sums of the shards' own answers
        each = [s.call("answer", "summary") for s in self.shards]
        summed = router.summary()["counts"]
        for rule, n in summed.items():
            assert n == sum(a["counts"][rule] for a in each), rule
        cov = router.coverage()["total"]
        own = [s.call("answer", "coverage_own")["rows"][0] for s in self.shards]
        assert cov["households"] == sum(r["households"] for r in own)
        out["province"] = {"counts": summed, "coverage": cov}
        partials = [s.call("cluster_partials") for s in self.shards]
        for p in partials:  # the merge of one county's partials is that county's count
            assert merge_clusters([p]) == p["count"], p
        out["clusters"] = {
            "sum_of_county_counts": sum(p["count"] for p in partials),
            "merged_from_partials": merge_clusters(partials),
            "per_county": [p["count"] for p in partials],
        }
        return out


# -- the report -------------------------------------------------------------------------------


def _mb(v: float) -> str:
    return f"{v:,.0f}"


def report(res: dict[str, Any]) -> str:
    shards: dict[str, Any] = res["shards"]
    codes = list(shards)
    ref = all("reference" in shards[c] for c in codes)
    lines = [
        f"### orgraph county shards (#12): {res['counties']} counties on one embedded "
        f"FalkorDB, one engine process each ({res['versions']['machine']})",
        "",
        "Per shard (county code; households / members; each column one shard):",
        "",
        "| measure | " + " | ".join(codes) + " |",
        "|---|" + "---|" * len(codes),
    ]

    def row(title: str, cell: Callable[[dict[str, Any]], str]) -> None:
        lines.append(f"| {title} | " + " | ".join(cell(shards[c]) for c in codes) + " |")

    row(
        "households / members",
        lambda s: f"{s['sizes']['households']:,} / {s['sizes']['members']:,}",
    )
    row("projection load from the graph", lambda s: f"{s['load_s']:.2f} s")
    row("first summary after the load", lambda s: f"{s['first_summary_s'] * 1000:.0f} ms")
    row("snapshot on disk, MB", lambda s: f"{s.get('snapshot_mb', 0):.1f}")
    row("cold start: snapshot load", lambda s: f"{s['snapshot']['load_s']:.2f} s")
    row(
        "cold start: first summary after it",
        lambda s: f"{s['snapshot']['first_summary_s'] * 1000:.0f} ms",
    )
    row("Rss idle (Python + orgraph), MB", lambda s: _mb(s["idle"]["Rss"]))
    row("Rss after load, MB", lambda s: _mb(s["after_load"]["Rss"]))
    row("Pss after load, MB (anon / file)", lambda s: _pss(s["after_load"]))
    row("peak Rss (VmHWM) by then, MB", lambda s: _mb(s["after_load"].get("VmHWM", 0)))
    row("Rss after warm answers, MB", lambda s: _mb(s["after_warm"]["Rss"]))
    row("reload beside the held projection", lambda s: f"{s['reload']['reload_s']:.2f} s")
    row("peak Rss (VmHWM) after that reload, MB", lambda s: _mb(s["reload"]["after"]["VmHWM"]))
    row("Rss after snapshot cold start, MB", lambda s: _mb(s["snapshot"]["after_load"]["Rss"]))
    row("Pss after snapshot cold start (anon / file)", lambda s: _pss(s["snapshot"]["after_load"]))
    row(
        "peak Rss (VmHWM) of the snapshot cold start, MB",
        lambda s: _mb(s["snapshot"]["after_load"].get("VmHWM", 0)),
    )
    for op in OPS:
        row(f"{OP_TITLES[op]}, p50 / p95 ms", _warm(op))
    if ref:
        for op, name in REF_OF.items():
            row(f"{OP_TITLES[op]}: p50 / numpy reference p50", _ratio(op, name))
    r = res["router"]
    lines += [
        "",
        f"Router (the parent process; pipes to {len(codes)} shard processes; {res['reps']} calls "
        "each):",
        "",
        "| request | p50 ms | p95 ms |",
        "|---|---|---|",
    ]
    titles = {
        "routed_township_summary": "a township's summary, routed by its code's prefix",
        "province_summary": "province summary: fan-out, counts summed",
        "province_coverage": "province coverage: fan-out, county rows summed",
        "province_gaps_page": f"province uncovered households, page 1 ({PROVINCE_PAGE}): "
        "fan-out, merged by id",
    }
    for key, title in titles.items():
        lines.append(f"| {title} | {r[key]['p50_ms']:.1f} | {r[key]['p95_ms']:.1f} |")
    cov, cl = r["province"]["coverage"], r["clusters"]
    srv = res["server"]
    lines += [
        "",
        f"- Province: {cov['households']:,} households, {cov['covered']:,} covered "
        f"({cov['coverage']:.2%}), {cov['members']:,} members; "
        f"mobile_cluster_without_branch summed over counties {cl['sum_of_county_counts']}, "
        f"merged from per-city partials {cl['merged_from_partials']} "
        f"(per county {cl['per_county']}).",
        f"- Router directory: {r['directory']['counties']} county codes, "
        f"{r['directory']['orgs']:,} org ids; router Rss {r['router_smaps']['Rss']:.0f} MB.",
        f"- FalkorDB server with {len(codes)} graphs: used_memory {srv['used_memory']}"
        + (f", Rss {srv['smaps']['Rss']:,.0f} MB" if "smaps" in srv else "")
        + ".",
        "- Imports: "
        + ", ".join(
            f"{i['code']} generate {i['generate_s']:.0f} s + import {i['import_s']:.0f} s"
            for i in res["imports"]
        )
        + ".",
        f"- Load average at start {_avg(res['loadavg_start'])}, at end "
        f"{_avg(res['loadavg_end'])} ({res['cpus']} CPUs); wall-clock on a shared machine.",
    ]
    return "\n".join(lines)


def _warm(op: str) -> Callable[[dict[str, Any]], str]:
    def cell(s: dict[str, Any]) -> str:
        return f"{s['warm'][op]['p50_ms']:.1f} / {s['warm'][op]['p95_ms']:.1f}"

    return cell


def _ratio(op: str, name: str) -> Callable[[dict[str, Any]], str]:
    def cell(s: dict[str, Any]) -> str:
        got, ref = s["warm"][op]["p50_ms"], s["reference"][name]["p50_ms"]
        return f"{got:.1f} / {ref:.1f} ms = ×{got / ref:.1f}"

    return cell


def _pss(m: dict[str, float]) -> str:
    return f"{m['Pss']:,.0f} ({m.get('Pss_Anon', 0):,.0f} / {m.get('Pss_File', 0):,.0f})"


def _avg(values: Sequence[float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


def _raise_exit(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="County shards of a province: memory and latency.")
    ap.add_argument("--counties", type=int, default=4, help="county shards, 1-10 (4)")
    ap.add_argument(
        "--scale", choices=("county", "tiny"), default="county", help="demo scale (county)"
    )
    ap.add_argument("--reps", type=int, default=30, help="timed calls per answer (30)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the first county (1)")
    ap.add_argument(
        "--grow-last", type=int, metavar="N", help="grow the last county to N households"
    )
    ap.add_argument("--no-reference", action="store_true", help="skip the numpy reference")
    ap.add_argument("--json", type=Path, help="also write the results to this file")
    args = ap.parse_args(argv)
    if not 1 <= args.counties <= len(places.NINGBO_COUNTIES):
        ap.error(f"--counties must be 1-{len(places.NINGBO_COUNTIES)}")
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_exit)
    root = Path(tempfile.mkdtemp(prefix="orgs-", dir="/tmp"))
    bench = Bench(
        root,
        counties=args.counties,
        scale=args.scale,
        reps=args.reps,
        seed=args.seed,
        grow=args.grow_last,
        ref=not args.no_reference,
    )
    try:
        res = bench.run()
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    finally:
        bench.cleanup()
    text = json.dumps(res, indent=2, ensure_ascii=False, default=str)
    print(text)
    print()
    print(report(res))
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
