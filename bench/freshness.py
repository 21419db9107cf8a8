"""How fresh are the engine's answers after a write, and how fast does a new engine start? (#12)

Run on demand (not part of the test suite)::

    .venv/bin/python bench/freshness.py [--engine falkordb|neo4j] [--scale county|city]
        [--writes 30] [--json out.json]

On a private store (the embedded FalkorDB, or with --engine neo4j a local Neo4j on Bolt port
7797) in a fresh /tmp data folder it:

1. generates the demo county (`orgraph demo-data --scale county --seed 1`; `--scale city`: the
   city of ten counties, ~1M households, ~80k members) and imports all its
   files with the real importer, timed as rows/s (the sum of the files' report rows), then
   re-imports the same files (nothing changes) and times that too; the fresh import's CPU
   time is split into the reader children's (reading and checking rows), this process's (the
   importer: the diff, the batches' text) and the server's, with the floor those give on this
   machine's cores (the least wall time with every core busy) against the #12 target;
2. times the full projection load (`projection.load(store)`), median of 3: the reference;
3. writes one record at a time, --writes times, through the real services, cycling through
   register_departure, record_report, a household contact (upsert_household_contacts), a dues
   payment (upsert_dues) and record_return, and times the next `summary()` of an engine that
   answered already; reports p50/p95 and p95 over the full load, and asserts the engine never
   reloaded (every write caught up from the change log as a delta);
4. cold start: times the first summary of a new engine that finds a snapshot of the graph's
   revision (saved by an earlier engine), of a new engine without snapshots (a full load), and
   of a new engine whose newest snapshot is 20 writes behind (caught up from the change log);
   and the wall time of a new process, `orgraph gaps --format json`, from the same snapshot.

The server is stopped and the data folder removed on exit, also on Ctrl-C, SIGTERM or an error.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing.forkserver
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from orgraph.analysis import projection as proj
from orgraph.analysis.engine import Engine
from orgraph.analysis.snapshot import snapshot_dir
from orgraph.config import Settings
from orgraph.errors import ConstraintConflict, ValidationFailed
from orgraph.importer.pipeline import import_files
from orgraph.importer.report import ImportReport
from orgraph.mobility import services
from orgraph.store import GraphStore, LocalServer, local_server, open_store

KEY = b"bench-freshness-key"
AS_OF = "2026-11-25"
LOADS = 3  # full loads and cold starts timed (one at city scale)
BEHIND = 20
ROOT = Path(__file__).resolve().parent.parent
_T0 = time.perf_counter()


def say(msg: str) -> None:
    print(f"[{time.perf_counter() - _T0:7.1f}s] {msg}", file=sys.stderr, flush=True)


def pct(values: Sequence[float], q: float) -> float:
    """The q-quantile (nearest rank) of values."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * len(s) + 0.5) - 1))]


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# What 50k rows/s (#12's county target) allows.
TARGET_ROWS_PER_S = 50_000


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat's fields after the command name (field 3 is [0])."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def cpu_s(pid: int | None, *, children: bool = False) -> float | None:
    """CPU seconds a process has run, user and system, all its threads; `children`: those of
    the children it waited for (cutime, cstime). None without the process or /proc."""
    if pid is None:
        return None
    try:
        f = _stat(pid)
    except OSError:
        return None
    at = 13 if children else 11
    return (int(f[at]) + int(f[at + 1])) / os.sysconf("SC_CLK_TCK")


def forkserver_pid() -> int | None:
    """The multiprocessing fork server's pid: the reader children are its children, and their
    CPU time is counted in its cutime once it has reaped them. A private attribute of the
    stdlib (3.11): None when it is not there."""
    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    pid = getattr(server, "_forkserver_pid", None)
    return pid if isinstance(pid, int) else None


class CpuSplit:
    """The CPU seconds of one import by part (see the module's docstring)."""

    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid
        self.start = self._now()

    def _now(self) -> dict[str, float | None]:
        return {
            "readers": cpu_s(forkserver_pid(), children=True),
            "importer": time.process_time(),
            "server": cpu_s(self.server_pid),
        }

    def done(self, rows: int, wall: float) -> dict[str, Any]:
        time.sleep(0.5)  # the fork server reaps the readers it was told are killed
        end = self._now()
        out: dict[str, Any] = {}
        for part, t0 in self.start.items():
            t1 = end[part]
            # no fork server before the import: it started it, from zero
            t0 = 0.0 if t0 is None and part == "readers" else t0
            out[part] = None if t0 is None or t1 is None else t1 - t0
        known = [v for v in out.values() if v is not None]
        total = sum(known) if len(known) == len(out) else None
        cores = len(os.sched_getaffinity(0))
        out.update(
            total=total,
            cores=cores,
            wall=wall,
            floor_s=None if total is None else total / cores,
            floor_rows_per_s=None if not total else rows * cores / total,
            target_allows_cpu_s=rows * cores / TARGET_ROWS_PER_S,
        )
        return out


def cpu_line(c: dict[str, Any]) -> str:
    def s(v: float | None) -> str:
        return "?" if v is None else f"{v:.1f}"

    line = (
        f"fresh import, CPU seconds: reading and checking rows (reader children) "
        f"{s(c['readers'])}, the importer (this process) {s(c['importer'])}, the server "
        f"{s(c['server'])}; total {s(c['total'])} over {c['wall']:.1f} s wall on "
        f"{c['cores']} cores"
    )
    if c["total"]:
        line += (
            f": with every core busy at least {c['floor_s']:.1f} s "
            f"({c['floor_rows_per_s']:,.0f} rows/s); {TARGET_ROWS_PER_S:,} rows/s allows "
            f"{c['target_allows_cpu_s']:.1f} CPU seconds in all"
        )
    return line


def import_rows(rep: ImportReport) -> dict[str, Any]:
    rows = sum(f.rows for f in rep.files)
    return {
        "rows": rows,
        "created": sum(f.created for f in rep.files),
        "updated": sum(f.updated for f in rep.files),
        "unchanged": sum(f.unchanged for f in rep.files),
        "seconds": rep.seconds,
        "rows_per_s": rows / rep.seconds if rep.seconds else None,
    }


class Writer:
    """One single-record write at a time through the real services, cycling through five
    kinds; members are drawn from those on roll in the projection."""

    KINDS = ("departure", "report", "contact", "dues", "return")

    def __init__(self, store: GraphStore, p: proj.Projection) -> None:
        self.store = store
        self.members: list[str] = [str(k) for k, on in zip(p.m_key, p.m_on_roll, strict=True) if on]
        self.households: list[str] = [str(h) for h in p.hh_id]
        self.k = 0
        self.next_member = 0
        self.away: list[str] = []  # members this writer sent away, not back yet
        self.kinds: list[str] = []

    def _member(self) -> str:
        m = self.members[self.next_member % len(self.members)]
        self.next_member += 1
        return m

    def write(self) -> str:
        kind = self.KINDS[self.k % len(self.KINDS)]
        self.k += 1
        if kind == "return" and not self.away:
            kind = "report"
        if kind == "departure":
            for _ in range(200):  # a member with an open episode is refused: take the next
                m = self._member()
                try:
                    services.register_departure(
                        self.store, member=m, left_on="2026-11-10", destination="上海市浦东新区"
                    )
                except (ConstraintConflict, ValidationFailed):
                    continue
                self.away.append(m)
                break
            else:
                raise RuntimeError("no member could be registered as departed")
        elif kind == "report":
            m = self.away[-1] if self.away else self._member()
            services.record_report(self.store, member=m, on="2026-11-12", channel="电话")
        elif kind == "return":
            services.record_return(self.store, member=self.away.pop(0), on="2026-11-20")
        elif kind == "contact":
            m = self._member()
            h = self.households[(self.k * 7919) % len(self.households)]
            self.store.write(
                "upsert_household_contacts",
                rows=[{"member": m, "target": h, "since": "2026-11-01", "until": None}],
            )
        else:
            m = self._member()
            self.store.write(
                "upsert_dues",
                rows=[
                    {
                        "id": f"{m}|2026-11",
                        "member": m,
                        "props": {"paid_to": "2026-11", "paid_on": "2026-11-05"},
                    }
                ],
            )
        self.kinds.append(kind)
        return kind


class Bench:
    def __init__(self, root: Path, engine: str, writes: int, seed: int, scale: str) -> None:
        self.root = root
        self.scale = scale
        self.loads = LOADS if scale == "county" else 1  # a city's full load takes minutes
        self.engine = engine
        self.writes = writes
        self.seed = seed
        data = root / "data"
        if engine == "neo4j":
            port = int(os.environ.get("ORGRAPH_NEO4J_BOLT_PORT", "7797"))
            self.settings = Settings(store_uri="neo4j-local", data_dir=data, neo4j_bolt_port=port)
        else:
            self.settings = Settings(store_uri="embedded", data_dir=data, graph_name="bench_fresh")
        self.server: LocalServer | None = None
        # the CLI's limit (ORGRAPH_ROSTER_MAX_MB): the city's 农户.csv is ~90 MB
        self.max_bytes = self.settings.roster_max_mb * 1024 * 1024

    def cleanup(self) -> None:
        if self.server is not None:
            say("stopping the server")
            try:
                self.server.stop()
            finally:
                self.server = None
        shutil.rmtree(self.root, ignore_errors=True)

    def run(self) -> dict[str, Any]:
        res: dict[str, Any] = {
            "engine": self.engine,
            "scale": self.scale,
            "as_of": AS_OF,
            "machine": f"{platform.machine()} {platform.system()}, {os.cpu_count()} CPUs",
            "python": platform.python_version(),
            "loadavg_start": list(os.getloadavg()),
        }
        demo = self.root / "demo"
        say("generating the demo county")
        subprocess.run(
            [
                str(Path(sys.executable).parent / "orgraph"),
                "demo-data",
                "--scale",
                self.scale,
                "--seed",
                str(self.seed),
                "--out",
                str(demo),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        files = sorted(p for p in demo.iterdir() if p.suffix in (".csv", ".xlsx"))
        res["files"] = [p.name for p in files]

        say(f"starting the {self.engine} server")
        self.server = local_server(self.settings)
        assert self.server is not None
        self.server.start()
        store = open_store(self.settings, autostart=False)

        say("importing the county")
        split = CpuSplit(self.server.pid())
        fresh = import_rows(import_files(store, files, key=KEY, max_bytes=self.max_bytes))
        res["import_fresh"] = fresh
        res["import_fresh_cpu"] = split.done(fresh["rows"], fresh["seconds"])
        if self.scale == "county":  # a city's re-import would take as long as its import
            say("re-importing (no change), every row read")
            res["import_again"] = import_rows(
                import_files(store, files, key=KEY, max_bytes=self.max_bytes, recheck=True)
            )
            say("re-importing (no change), from the import mark")
            kept = import_files(store, files, key=KEY, max_bytes=self.max_bytes)
            assert kept.reused
            res["import_kept"] = import_rows(kept)

        say("full projection loads")
        loads = []
        p = proj.load(store)
        for _ in range(self.loads):
            t0 = time.perf_counter()
            p = proj.load(store)
            loads.append(time.perf_counter() - t0)
        full = statistics.median(loads)
        res["full_load"] = {"seconds": loads, "median_s": full}
        res["sizes"] = {"households": len(p.hh_id), "members": len(p.m_key)}

        writer = Writer(store, p)
        res["after_write"] = self.after_write(store, writer, full)
        snaps = self.root / "snapshots"
        snaps.mkdir()
        res["cold_start"] = self.cold_start(store, writer, snaps, full)
        res["loadavg_end"] = list(os.getloadavg())
        return res

    def after_write(self, store: GraphStore, writer: Writer, full: float) -> dict[str, Any]:
        eng = Engine(store, snapshots=False)
        eng.summary(as_of=AS_OF)
        assert eng.loads == 1, eng.freshness()
        write_ms: list[float] = []
        answer_ms: list[float] = []
        warm_ms: list[float] = []  # the same question once more: what the answer itself costs
        by_kind: dict[str, list[float]] = {}
        for i in range(self.writes):
            t0 = time.perf_counter()
            kind = writer.write()
            write_ms.append((time.perf_counter() - t0) * 1000)
            ms = timed(lambda: eng.summary(as_of=AS_OF)) * 1000
            answer_ms.append(ms)
            warm_ms.append(timed(lambda: eng.summary(as_of=AS_OF)) * 1000)
            by_kind.setdefault(kind, []).append(ms)
            say(f"write {i + 1}/{self.writes} ({kind}): next summary {ms:.0f} ms")
        fresh = eng.freshness()
        assert eng.loads == 1 and eng.deltas == self.writes, f"not all deltas: {fresh}"
        p95 = pct(answer_ms, 0.95)
        return {
            "writes": self.writes,
            "kinds": {k: len(v) for k, v in by_kind.items()},
            "write_p50_ms": statistics.median(write_ms),
            "answer_ms": answer_ms,
            "answer_p50_ms": statistics.median(answer_ms),
            "answer_p95_ms": p95,
            "warm_p50_ms": statistics.median(warm_ms),
            "answer_p50_ms_by_kind": {k: statistics.median(v) for k, v in by_kind.items()},
            "p95_over_full_load": p95 / (full * 1000),
            "freshness": fresh,
        }

    def cold_start(
        self, store: GraphStore, writer: Writer, snaps: Path, full: float
    ) -> dict[str, Any]:
        say("cold start: an engine saves a snapshot")
        first = Engine(store, snapshots=snaps)
        first.summary(as_of=AS_OF)
        first.saved()
        assert first.loads == 1, first.freshness()
        out: dict[str, Any] = {}

        def series(name: str, make: Callable[[], Engine], n: int, **want: int) -> None:
            runs = []
            for _ in range(n):
                eng = make()
                t0 = time.perf_counter()
                eng.summary(as_of=AS_OF)
                runs.append(time.perf_counter() - t0)
                got = {k: getattr(eng, k) for k in want}
                assert got == want, f"{name}: {eng.freshness()}"
                eng.saved()
            out[name] = {
                "seconds": runs,
                "median_s": statistics.median(runs),
                "ratio_to_full_load": statistics.median(runs) / full,
            }
            say(f"cold start, {name}: {statistics.median(runs):.3f} s")

        series(
            "snapshot_same_revision",
            lambda: Engine(store, snapshots=snaps),
            self.loads,
            loads=0,
            snapshot_loads=1,
            deltas=0,
        )
        out["new_process_cli"] = self.new_process(store, snaps, max(self.loads, 3))
        series("no_snapshot", lambda: Engine(store, snapshots=False), self.loads, loads=1)
        say(f"{BEHIND} writes after the snapshot")
        for _ in range(BEHIND):
            writer.write()
        series(
            f"snapshot_{BEHIND}_writes_behind",
            lambda: Engine(store, snapshots=snaps),
            1,
            loads=0,
            snapshot_loads=1,
            deltas=1,
        )
        return out

    def new_process(self, store: GraphStore, snaps: Path, n: int) -> dict[str, Any]:
        """`orgraph gaps --as-of … --format json` in a new process, n times, each timed from
        its start to its exit: Python and orgraph's imports, the settings, the store, an engine
        from the snapshot of the revision (the data folder's projection/ is `snaps`), the
        summary, the gap ledger's ages, the output. Its counts must equal this process's."""
        folder = snapshot_dir(self.settings)
        if folder.is_symlink() or folder.is_file():
            folder.unlink()
        elif folder.exists():
            shutil.rmtree(folder)
        folder.symlink_to(snaps, target_is_directory=True)
        env = {
            **os.environ,
            "ORGRAPH_STORE_URI": self.settings.store_uri,
            "ORGRAPH_DATA_DIR": str(self.settings.data_path),
            "ORGRAPH_GRAPH_NAME": self.settings.graph_name,
            "ORGRAPH_NEO4J_BOLT_PORT": str(self.settings.neo4j_bolt_port),
            "ORGRAPH_PROJECTION_SNAPSHOTS": "1",
        }
        want = Engine(store, snapshots=snaps).summary(as_of=AS_OF)["counts"]
        command = [str(Path(sys.executable).parent / "orgraph"), "gaps", "--as-of", AS_OF]
        runs = []
        for _ in range(n):
            t0 = time.perf_counter()
            done = subprocess.run(
                [*command, "--format", "json"], env=env, capture_output=True, text=True
            )
            runs.append(time.perf_counter() - t0)
            if done.returncode:
                raise RuntimeError(f"orgraph gaps failed: {done.stderr[-2000:]}")
            got = json.loads(done.stdout)["counts"]
            assert got == want, "the new process answered otherwise"
        say(f"new process (orgraph gaps): {statistics.median(runs):.3f} s")
        return {"command": " ".join(command), "seconds": runs, "median_s": statistics.median(runs)}


def report(res: dict[str, Any]) -> str:
    fl, aw, cs = res["full_load"], res["after_write"], res["cold_start"]
    fi, ag = res["import_fresh"], res.get("import_again")
    lines = [
        f"### orgraph freshness benchmark (#12): {res['engine']}, demo {res['scale']} "
        f"({res['sizes']['households']:,} households, {res['sizes']['members']:,} members)",
        "",
        "| measure | value | vs full load |",
        "|---|---|---|",
        f"| full projection load (median of {len(fl['seconds'])}) | {fl['median_s']:.2f} s | 1 |",
        f"| first summary after 1 write, p50 (n={aw['writes']}) | {aw['answer_p50_ms']:.0f} ms "
        f"| {aw['answer_p50_ms'] / 1000 / fl['median_s']:.3f} |",
        f"| first summary after 1 write, p95 | {aw['answer_p95_ms']:.0f} ms "
        f"| {aw['p95_over_full_load']:.3f} |",
    ]
    titles = {
        "snapshot_same_revision": "cold start from a snapshot of the revision",
        "no_snapshot": "cold start without snapshots (full load)",
        f"snapshot_{BEHIND}_writes_behind": f"cold start, snapshot {BEHIND} writes behind",
    }
    for name, title in titles.items():
        c = cs[name]
        lines.append(
            f"| {title} (n={len(c['seconds'])}) | {c['median_s']:.2f} s "
            f"| {c['ratio_to_full_load']:.3f} |"
        )
    if cli := cs.get("new_process_cli"):
        lines.append(
            f"| new process to first answer, `orgraph gaps` wall (n={len(cli['seconds'])}) "
            f"| {cli['median_s']:.2f} s | {cli['median_s'] / fl['median_s']:.3f} |"
        )
    lines += [
        f"| import, fresh | {fi['rows']:,} rows in {fi['seconds']:.1f} s "
        f"({fi['rows_per_s']:,.0f} rows/s) | |",
        (
            f"| re-import, no change, every row read | {ag['rows']:,} rows in "
            f"{ag['seconds']:.1f} s ({ag['rows_per_s']:,.0f} rows/s) | |"
            if ag
            else "| re-import, no change | not run at this scale | |"
        ),
        *(
            [
                f"| re-import, no change, from the import mark | {kp['rows']:,} rows in "
                f"{kp['seconds']:.2f} s ({kp['rows_per_s']:,.0f} rows/s) | |"
            ]
            if (kp := res.get("import_kept"))
            else []
        ),
        f"| the summary after that (warm), p50 | {aw['warm_p50_ms']:.0f} ms | |",
        "",
        cpu_line(res["import_fresh_cpu"]),
        f"engine after the writes: {aw['freshness']['loads']} load, "
        f"{aw['freshness']['deltas']} deltas; write p50 {aw['write_p50_ms']:.0f} ms; "
        "next summary p50 by kind: "
        + ", ".join(f"{k} {v:.0f} ms" for k, v in aw["answer_p50_ms_by_kind"].items()),
        f"load average at start {res['loadavg_start'][0]:.2f}, at end "
        f"{res['loadavg_end'][0]:.2f} ({res['machine']}); wall-clock on a shared machine.",
    ]
    return "\n".join(lines)


def _raise_exit(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time answers after writes and cold starts (#12).")
    ap.add_argument("--engine", choices=("falkordb", "neo4j"), default="falkordb")
    ap.add_argument("--writes", type=int, default=30, help="single-record writes timed (30)")
    ap.add_argument("--seed", type=int, default=1, help="demo seed (1)")
    ap.add_argument("--scale", choices=("county", "city"), default="county", help="demo (county)")
    ap.add_argument("--json", type=Path, help="also write the results to this file")
    args = ap.parse_args(argv)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_exit)
    root = Path(tempfile.mkdtemp(prefix="orgf-", dir="/tmp"))
    bench = Bench(root, args.engine, args.writes, args.seed, args.scale)
    try:
        res = bench.run()
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    finally:
        bench.cleanup()
    print(json.dumps(res, indent=2, ensure_ascii=False))
    print()
    print(report(res))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
