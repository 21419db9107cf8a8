"""How fast does the HTTP API answer the county under concurrent use, also while it changes?

Run on demand (not part of the test suite)::

    .venv/bin/python bench/api.py [--engine falkordb|neo4j] [--clients 16] [--seconds 30]
        [--writer-every 2] [--baseline] [--no-answer-cache] [--json out.json]

Issue #12's target: p95 ≤ 300 ms at 16 clients with one writer every 2 s, without the
per-revision answer cache, on both engines::

    .venv/bin/python bench/api.py --engine neo4j --writer-every 2 --no-answer-cache --baseline

On a private store in a fresh, short /tmp data folder (the embedded FalkorDB, or with
--engine neo4j a local Neo4j 5.26 on a free Bolt port, as `ORGRAPH_STORE_URI=neo4j-local`) it:

1. generates the demo county (`orgraph.demo.generate`, ~98k households, ~8.3k members) and
   imports it with the real importer;
2. starts the API the way production does, `orgraph serve` in its own process (one uvicorn
   worker, the store opened by the app's lifespan with its request deadline; with
   --no-answer-cache `ORGRAPH_ANSWER_CACHE_SIZE=0`, so every request asks the engine), logs in
   a county administrator and asks one coverage (the engine's one full load);
3. for each endpoint in turn, runs --clients concurrent clients (asyncio + httpx, one
   keep-alive connection each) for --seconds, after a short warm-up: `/health` (the
   reference: authentication-free, one store round trip, no analysis); `/coverage` of the
   county or one of its 18 townships, rolled up to townships or villages (38 distinct
   questions); `/gaps`, a page of 50 of one of four gap lists (uncovered households, contact
   load, silent and lost members away) for the county or a township, pages 1–5 (380
   distinct questions: more than the API keeps, see api/orgraph_api/answers.py, so some are
   recomputed); `/households/{id}/chain`, a household drawn from 2,000 on each call;
4. with --writer-every N, one more client writes while the readers read (not during their
   warm-up): every N s one single-record write through the HTTP API as the county
   administrator, in turn `POST /contacts` (a member at home takes a household from the day
   before the demo's date, so that household is covered on the date the readers ask about),
   `POST /members/{key}/reports` (a member away reports on a day before that date) and
   `POST /contacts/end` (the contact added before ends on that date); each is its own graph
   revision, which the engine should catch up from the change log (a delta), never by loading
   the whole projection again. With --baseline the endpoints are first measured without the
   writer, on the same API process, for comparison;
5. prints, per endpoint, throughput and p50/p95/p99 latency of the reads, each as a ratio to
   the reference measured in the same run; the writes' own latency, count and statuses; the
   engine's `/health` `projection` figures (loads, deltas, change-log seq) before and after
   each endpoint; and checks the target (p95 ≤ 300 ms on coverage, gaps and chain), saying
   whether the run had the target's conditions.

Every read must answer 200 and every write 201 (`/contacts/end` 200): any other status is
counted and reported as an error, with the first answers' details. A full load of the
projection while the writer runs (`loads` grows) is reported as a failure of the run. The API
process, the store and the data folder are removed on exit, also on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

from orgraph.config import Settings
from orgraph.demo import generate
from orgraph.demo.generate import Scale
from orgraph.importer.pipeline import import_files
from orgraph.security import default_user_store
from orgraph.store import GraphStore, local_neo4j, open_store
from orgraph.store.embedded import EmbeddedServer
from orgraph.store.falkor import FalkorStore
from orgraph.store.neo4j_server import LocalNeo4j

GRAPH = "bench_api"
KEY = "bench-api-key"
USER, PASSWORD = "bench", "Bench-Passw0rd"
AS_OF = dt.date(2026, 11, 1)  # the demo's date: its planted gaps hold on it
TARGET_P95_MS = 300.0
# Issue #12's conditions for the target: clients, seconds between writes, answer cache off.
TARGET_CLIENTS, TARGET_WRITER_EVERY = 16, 2.0
# The gap lists a county office pages through most; scopes: the county and each township.
GAP_TYPES = ("household_uncovered", "member_contact_load", "mobile_silent", "lost_contact")
PAGES = 5
WARMUP_S = 2.0
API = "/api/v1"
COUNTY = "330226"
ENGINES = ("falkordb", "neo4j")
CHANNELS = ("phone", "wechat", "in_person", "online", "letter")


def say(msg: str) -> None:
    print(f"[bench/api] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _quantile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


@dataclass
class Series:
    name: str
    path: str
    latencies: list[float] = field(default_factory=list)  # seconds, 200 answers only
    errors: dict[str, int] = field(default_factory=dict)  # status or exception → count
    seconds: float = 0.0

    def quantile(self, q: float) -> float:
        return _quantile(self.latencies, q)

    def summary(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "requests": len(self.latencies),
            "errors": dict(self.errors),
            "seconds": round(self.seconds, 2),
            "throughput_rps": len(self.latencies) / self.seconds if self.seconds else 0.0,
            "p50_ms": self.quantile(50) * 1000,
            "p95_ms": self.quantile(95) * 1000,
            "p99_ms": self.quantile(99) * 1000,
        }


@dataclass
class Writes:
    """What the writer did while one endpoint was measured."""

    latencies: list[float] = field(default_factory=list)  # seconds, accepted writes only
    kinds: dict[str, int] = field(default_factory=dict)  # accepted writes by kind
    errors: dict[str, int] = field(default_factory=dict)  # "kind status" → count
    details: list[str] = field(default_factory=list)  # the first refusals' answers

    def add(self, other: Writes) -> None:
        self.latencies += other.latencies
        for k, v in other.kinds.items():
            self.kinds[k] = self.kinds.get(k, 0) + v
        for k, v in other.errors.items():
            self.errors[k] = self.errors.get(k, 0) + v
        self.details += other.details

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies)
        return {
            "writes": len(lat),
            "kinds": dict(self.kinds),
            "errors": dict(self.errors),
            "details": list(self.details),
            "p50_ms": _quantile(lat, 50) * 1000,
            "max_ms": lat[-1] * 1000 if lat else float("nan"),
        }


class Writer:
    """The extra client: one single-record write through the HTTP API every `every` seconds,
    as the county administrator, in turn: add a contact (a member at home takes a household
    from the day before AS_OF, so it is covered on AS_OF), a report of a member away (on a
    day before AS_OF), end the contact added before it (on AS_OF). Members and households are
    taken in order from the given samples, so every write changes something."""

    KINDS = ("contact_add", "report", "contact_end")

    def __init__(
        self, every: float, *, at_home: list[str], away: list[str], households: list[str]
    ) -> None:
        if not at_home or not away or not households:
            raise SystemExit("the writer needs members at home, members away and households")
        self.every = every
        self.at_home = at_home
        self.away = away
        self.households = households
        self.k = 0
        self.open: list[tuple[str, str]] = []  # contacts this writer added, not ended yet

    def next_write(self) -> tuple[str, str, dict[str, Any]]:
        """(kind, path, JSON body) of the next write."""
        kind = self.KINDS[self.k % len(self.KINDS)]
        i = self.k // len(self.KINDS)
        self.k += 1
        if kind == "contact_end" and not self.open:
            kind = "contact_add"
        if kind == "contact_add":
            m = self.at_home[i % len(self.at_home)]
            h = self.households[(i * 7919) % len(self.households)]
            self.open.append((m, h))
            since = (AS_OF - dt.timedelta(days=1)).isoformat()
            return kind, f"{API}/contacts", {"member": m, "household": h, "since": since}
        if kind == "report":
            m = self.away[i % len(self.away)]
            on = (AS_OF - dt.timedelta(days=1 + i % 28)).isoformat()
            body = {"on": on, "channel": CHANNELS[i % len(CHANNELS)]}
            return kind, f"{API}/members/{m}/reports", body
        m, h = self.open.pop(0)
        until = AS_OF.isoformat()
        return kind, f"{API}/contacts/end", {"member": m, "household": h, "until": until}

    async def run(self, base: str, token: str, until: float, writes: Writes) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(
            base_url=base, headers=headers, timeout=30.0, limits=httpx.Limits(max_connections=1)
        ) as client:
            due = time.perf_counter() + self.every
            while due < until:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                due += self.every
                kind, path, body = self.next_write()
                t0 = time.perf_counter()
                try:
                    r = await client.post(path, json=body)
                    status = str(r.status_code)
                    text = r.text
                except httpx.HTTPError as exc:
                    status, text = type(exc).__name__, str(exc)
                took = time.perf_counter() - t0
                if status in ("200", "201"):
                    writes.latencies.append(took)
                    writes.kinds[kind] = writes.kinds.get(kind, 0) + 1
                else:
                    writes.errors[f"{kind} {status}"] = writes.errors.get(f"{kind} {status}", 0) + 1
                    if len(writes.details) < 5:
                        writes.details.append(f"POST {path} {body} → {status} {text[:300]}")


# -- load -------------------------------------------------------------------------------------


async def _client(
    base: str, token: str, next_url: Callable[[], str], until: float, series: Series, record: bool
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=base, headers=headers, timeout=30.0, limits=httpx.Limits(max_connections=1)
    ) as client:
        while time.perf_counter() < until:
            url = next_url()
            t0 = time.perf_counter()
            try:
                r = await client.get(url)
                await r.aread()
                status = str(r.status_code)
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            took = time.perf_counter() - t0
            if not record:
                continue
            if status == "200":
                series.latencies.append(took)
            else:
                series.errors[status] = series.errors.get(status, 0) + 1


async def _run(
    base: str,
    token: str,
    clients: int,
    seconds: float,
    next_url: Callable[[], str],
    series: Series,
    writer: Writer | None = None,
    writes: Writes | None = None,
) -> None:
    warm_until = time.perf_counter() + WARMUP_S
    await asyncio.gather(
        *(_client(base, token, next_url, warm_until, series, False) for _ in range(clients))
    )
    t0 = time.perf_counter()
    until = t0 + seconds
    tasks = [_client(base, token, next_url, until, series, True) for _ in range(clients)]
    if writer is not None:
        tasks.append(writer.run(base, token, until, writes if writes is not None else Writes()))
    await asyncio.gather(*tasks)
    series.seconds = time.perf_counter() - t0


def projection(base: str) -> dict[str, Any]:
    """The API's engine figures (`/health` `projection`): revision, seq, loads, deltas."""
    r = httpx.get(f"{base}{API}/health", timeout=30)
    r.raise_for_status()
    fresh: dict[str, Any] = r.json()["projection"]
    return fresh


def measure(
    base: str,
    token: str,
    clients: int,
    seconds: float,
    households: list[str],
    townships: list[str],
    *,
    writer: Writer | None = None,
    phases: list[dict[str, Any]] | None = None,
    all_writes: Writes | None = None,
) -> list[Series]:
    """Each endpoint in turn under `clients` readers (and the writer, when given). With
    `phases`, one record per endpoint is appended to it: the writer's writes and the engine's
    `/health` figures before and after; `all_writes` collects the writes of every endpoint."""
    rng = random.Random(1)
    d = AS_OF.isoformat()
    scopes = [COUNTY, *townships]

    def coverage() -> str:
        return (
            f"{API}/coverage?scope={rng.choice(scopes)}"
            f"&level={rng.choice(('township', 'village'))}&as_of={d}"
        )

    def gaps() -> str:
        return (
            f"{API}/gaps?type={rng.choice(GAP_TYPES)}&scope={rng.choice(scopes)}"
            f"&page={rng.randint(1, PAGES)}&page_size=50&as_of={d}"
        )

    plans: list[tuple[str, str, Callable[[], str]]] = [
        ("health (reference)", f"{API}/health", lambda: f"{API}/health"),
        ("coverage", f"{API}/coverage?scope=county|township&level=township|village", coverage),
        ("gaps", f"{API}/gaps?type=…&scope=county|township&page=1–{PAGES}&page_size=50", gaps),
        (
            "chain",
            f"{API}/households/{{id}}/chain",
            lambda: f"{API}/households/{rng.choice(households)}/chain?as_of={d}",
        ),
    ]
    out = []
    for name, path, next_url in plans:
        with_writer = f", one write every {writer.every:g} s" if writer else ""
        say(f"{name}: {clients} clients for {seconds:g} s{with_writer}")
        series = Series(name, path)
        writes = Writes()
        before = projection(base) if phases is not None else None
        asyncio.run(_run(base, token, clients, seconds, next_url, series, writer, writes))
        out.append(series)
        if all_writes is not None:
            all_writes.add(writes)
        if phases is not None:
            phases.append(
                {
                    "name": name,
                    "writes": writes.summary() if writer else None,
                    "projection_before": before,
                    "projection_after": projection(base),
                }
            )
    return out


# -- the county, the store and the API process ------------------------------------------------


class Bench:
    def __init__(
        self,
        root: Path,
        *,
        port: int,
        engine: str = "falkordb",
        answer_cache: bool = True,
        scale: Scale = "county",
    ) -> None:
        self.root = root
        self.scale = scale
        self.port = port
        self.engine = engine
        self.answer_cache = answer_cache
        self.server: EmbeddedServer | None = None
        self.neo: LocalNeo4j | None = None
        self.bolt_port = free_port() if engine == "neo4j" else 0
        self.api: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings(self) -> Settings:
        return Settings(data_dir=self.root / "db", graph_name=GRAPH, jwt_secret="", id_hash_key=KEY)

    def neo4j_settings(self) -> Settings:
        """The local Neo4j's settings (ORGRAPH_STORE_URI=neo4j-local), for this process and
        the API's (api_env)."""
        return self.settings().model_copy(
            update={
                "store_uri": "neo4j-local",
                "neo4j_bolt_port": self.bolt_port,
                "socket_timeout": 600.0,
                "query_timeout_max_ms": 600_000,
                "query_timeout_default_ms": 600_000,
            }
        )

    def _open(self) -> GraphStore:
        """Start this bench's server; a store on it with long timeouts, for the import."""
        if self.engine == "neo4j":
            neo = self.neo = local_neo4j(self.neo4j_settings())
            say(f"starting Neo4j on Bolt port {self.bolt_port}")
            neo.start(progress=say)
            return open_store(self.neo4j_settings(), autostart=False)
        srv = self.server = EmbeddedServer(self.root / "db", socket_timeout=600.0)
        srv.start()
        return FalkorStore(graph=GRAPH, unix_socket=str(srv.socket), socket_timeout=600.0)

    def load(self) -> dict[str, Any]:
        store = self._open()
        try:
            say(f"generating the demo ({self.scale})")
            t0 = time.perf_counter()
            generate(self.root / "demo", scale=self.scale, seed=1, as_of=AS_OF)
            gen_s = time.perf_counter() - t0
            files = sorted(
                p for p in (self.root / "demo").iterdir() if p.suffix in (".xlsx", ".csv")
            )
            say(f"importing {len(files)} files into {self.engine}")
            t0 = time.perf_counter()
            report = import_files(store, files, key=KEY.encode(), today=AS_OF)
            totals = report.totals()
            assert totals["rejected"] == 0 and totals["sheet_errors"] == 0, totals
            import_s = time.perf_counter() - t0
            counts = {r["label"]: r["nodes"] for r in store.read("count_by_label")}
        finally:
            store.close()
        if self.server is not None:
            self.server.rewrite_log()
        default_user_store(self.settings()).add(USER, PASSWORD, role="county_admin", scope=COUNTY)
        return {"generate_s": gen_s, "import_s": import_s, "nodes": counts}

    def api_env(self) -> dict[str, str]:
        """The API process's settings: the store and users this bench loaded (bench/engines.py
        points them at its own stores)."""
        env = {
            "ORGRAPH_DATA_DIR": str(self.root / "db"),
            "ORGRAPH_GRAPH_NAME": GRAPH,
            "ORGRAPH_STORE_URI": "embedded",
            "ORGRAPH_JWT_SECRET": "",
            "ORGRAPH_ID_HASH_KEY": KEY,
        }
        if self.engine == "neo4j":
            env["ORGRAPH_STORE_URI"] = "neo4j-local"
            env["ORGRAPH_NEO4J_BOLT_PORT"] = str(self.bolt_port)
        return env

    def start_api(self) -> None:
        env = {**os.environ, **self.api_env()}
        if not self.answer_cache:
            env["ORGRAPH_ANSWER_CACHE_SIZE"] = "0"
        cli = Path(sys.executable).with_name("orgraph")
        self.api = subprocess.Popen(
            [str(cli), "serve", "--port", str(self.port)],
            env=env,
            cwd=self.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{self.base}{API}/health", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.api.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the API did not start")
            time.sleep(0.2)

    def login(self) -> str:
        r = httpx.post(
            f"{self.base}{API}/auth/token",
            data={"username": USER, "password": PASSWORD},
            timeout=30,
        )
        r.raise_for_status()
        return str(r.json()["access_token"])

    def get(self, token: str, path: str, **params: str | int) -> Any:
        """The JSON answer of GET `path` as the county administrator. A 503 (the store is
        busy or the engine still loading) is asked again for up to 3 minutes, and said."""
        deadline = time.monotonic() + 180
        while True:
            r = httpx.get(
                f"{self.base}{API}{path}",
                params=params,
                headers={"Authorization": f"Bearer {token}"},
                timeout=600,
            )
            if r.status_code == 200:
                return r.json()
            if r.status_code != 503 or time.monotonic() > deadline:
                raise SystemExit(f"GET {path} {params}: {r.status_code} {r.text[:500]}")
            say(f"GET {path}: 503 {r.json().get('detail', '')[:200]}; asking again")
            time.sleep(1.0)

    def townships(self, token: str) -> list[str]:
        return [a["code"] for a in self.get(token, f"/areas/{COUNTY}/children")["items"]]

    def households(self, token: str, n: int = 2000) -> list[str]:
        """A sample of the county's household ids, from the API itself."""
        total = int(self.get(token, "/households", page_size=1)["total"])
        rng = random.Random(2)
        ids: list[str] = []
        for page in sorted(rng.sample(range(1, total // 500 + 1), k=min(4, total // 500))):
            ids += [
                h["id"] for h in self.get(token, "/households", page=page, page_size=500)["items"]
            ]
        if not ids:  # a small demo (--scale tiny): its first page
            ids = [h["id"] for h in self.get(token, "/households", page_size=500)["items"]]
        return rng.sample(ids, k=min(n, len(ids)))

    def members(self, token: str, *, away: bool) -> list[str]:
        """On-roll members of the county away today (or at home), from the API itself."""
        found = self.get(token, "/members", away=str(away).lower(), on_roll="true", page_size=500)
        ids = [m["id"] for m in found["items"]]
        random.Random(3).shuffle(ids)
        return ids

    def prime(self, token: str) -> None:
        """One coverage: the engine loads the projection once, before anything is timed."""
        self.get(token, "/coverage", scope=COUNTY, as_of=AS_OF.isoformat())

    def cleanup(self) -> None:
        if self.api is not None and self.api.poll() is None:
            self.api.terminate()
            try:
                self.api.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.api.kill()
        for srv in (self.server, self.neo):
            if srv is None:
                continue
            try:
                srv.kill()  # the data goes anyway: no need for a clean shutdown
            except Exception as exc:  # keep going: the folder must go too
                say(f"could not kill the store: {exc}")
        shutil.rmtree(self.root, ignore_errors=True)
        say(f"API and store stopped, {self.root} removed")


# -- the report -------------------------------------------------------------------------------


def _fresh(p: dict[str, Any] | None) -> str:
    if not p:
        return "?"
    return f"{p['loads']}/{p['deltas']} seq {p['seq']}"


def verdict(res: dict[str, Any], run: dict[str, Any]) -> str:
    rows = run["series"]
    worst = max(rows[1:], key=lambda r: r["p95_ms"])
    met = "met" if worst["p95_ms"] <= TARGET_P95_MS else "NOT met"
    target = (
        res["clients"] == TARGET_CLIENTS
        and run["writer_every"] == TARGET_WRITER_EVERY
        and not res["answer_cache"]
    )
    when = (
        "the target's conditions"
        if target
        else "NOT the target's conditions (16 clients, a writer every 2 s, answer cache off)"
    )
    return (
        f"p95 ≤ {TARGET_P95_MS:.0f} ms on coverage, gaps and chain: {met} "
        f"(worst: {worst['name']} {worst['p95_ms']:.1f} ms; {when})"
    )


def report(res: dict[str, Any]) -> str:
    load = res["load"]
    lines = [
        f"### orgraph API under load: {res['engine']}, {res['clients']} concurrent clients, "
        f"{res['seconds']:g} s per endpoint, answer cache "
        f"{'on' if res['answer_cache'] else 'off'}, demo {res['scale']} "
        f"({load['nodes'].get('Household', 0):,} households, "
        f"{load['nodes'].get('Member', 0):,} members)",
        "",
        f"machine: {res['machine']}, {res['cpus']} CPUs; load average (1/5/15 min) at start "
        f"{'/'.join(f'{x:.2f}' for x in res['loadavg_start'])}, at end "
        f"{'/'.join(f'{x:.2f}' for x in res['loadavg_end'])}",
        "",
        "| mode | endpoint | requests | errors | req/s | p50 ms | p95 ms | p99 ms | ×ref req/s "
        "| ×ref p95 | writes (p50 ms) | loads/deltas before → after |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for run in res["runs"]:
        ref = run["series"][0]
        for r, ph in zip(run["series"], run["phases"], strict=True):
            errors = sum(r["errors"].values())
            w = ph["writes"]
            wr = "–"
            if w is not None:
                bad = sum(w["errors"].values())
                wr = f"{w['writes']}{f' +{bad} refused' if bad else ''} ({w['p50_ms']:.0f})"
            lines.append(
                f"| {run['mode']} | {r['name']} | {r['requests']:,} | {errors} "
                f"| {r['throughput_rps']:.1f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} "
                f"| {r['p99_ms']:.1f} | {r['throughput_rps'] / ref['throughput_rps']:.2f} "
                f"| {r['p95_ms'] / ref['p95_ms']:.1f} | {wr} "
                f"| {_fresh(ph['projection_before'])} → {_fresh(ph['projection_after'])} |"
            )
    lines.append("")
    for run in res["runs"]:
        lines.append(f"- {run['mode']}: {verdict(res, run)}")
        before, after = run["projection_before"], run["projection_after"]
        if run["writer_every"]:
            w = run["writes"]
            kinds = ", ".join(f"{k} {v}" for k, v in w["kinds"].items())
            lines.append(
                f"  - writes: {w['writes']} accepted ({kinds}), p50 {w['p50_ms']:.0f} ms, "
                f"max {w['max_ms']:.0f} ms" + (f"; REFUSED: {w['errors']}" if w["errors"] else "")
            )
            for d in w["details"]:
                lines.append(f"    - {d}")
        lines.append(
            f"  - engine (/health projection): loads {before['loads']} → {after['loads']}, "
            f"deltas {before['deltas']} → {after['deltas']}, change-log seq {before['seq']} → "
            f"{after['seq']}, snapshot loads {after['snapshot_loads']}, reload reason "
            f"{after['reload_reason']!r}"
        )
        if run["writer_every"] and after["loads"] != before["loads"]:
            lines.append("  - FAILURE: the engine loaded the whole projection while the writer ran")
        errs = [r for r in run["series"] if r["errors"]]
        if errs:
            lines.append(
                "  - read errors: " + "; ".join(f"{r['name']}: {r['errors']}" for r in errs)
            )
    lines.append(f"\n(load: generate {load['generate_s']:.1f} s, import {load['import_s']:.1f} s)")
    return "\n".join(lines)


def _raise_exit(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Load the HTTP API with concurrent clients.")
    ap.add_argument("--engine", choices=ENGINES, default="falkordb", help="store (falkordb)")
    ap.add_argument("--clients", type=int, default=16, help="concurrent clients (16)")
    ap.add_argument("--seconds", type=float, default=30.0, help="seconds per endpoint (30)")
    ap.add_argument(
        "--writer-every",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="one more client makes a single-record write every SECONDS (none)",
    )
    ap.add_argument(
        "--baseline",
        action="store_true",
        help="with --writer-every: first measure without the writer, for comparison",
    )
    ap.add_argument(
        "--no-answer-cache",
        action="store_true",
        help="the API keeps no answers (ORGRAPH_ANSWER_CACHE_SIZE=0): the engine answers all",
    )
    ap.add_argument(
        "--scale", choices=("county", "tiny"), default="county", help="demo size (county)"
    )
    ap.add_argument("--port", type=int, default=0, help="API port (a free one)")
    ap.add_argument("--json", type=Path, help="also write the results to this file")
    args = ap.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.writer_every < 0:
        ap.error("--clients must be at least 1, --seconds positive, --writer-every ≥ 0")
    if args.baseline and not args.writer_every:
        ap.error("--baseline compares with --writer-every")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_exit)
    bench = Bench(
        Path(tempfile.mkdtemp(prefix="orga-", dir="/tmp")),
        port=args.port or free_port(),
        engine=args.engine,
        answer_cache=not args.no_answer_cache,
        scale=args.scale,
    )
    res: dict[str, Any] = {
        "engine": args.engine,
        "scale": args.scale,
        "clients": args.clients,
        "seconds": args.seconds,
        "answer_cache": not args.no_answer_cache,
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_start": os.getloadavg(),
        "runs": [],
    }
    try:
        res["load"] = bench.load()
        say("starting the API")
        bench.start_api()
        token = bench.login()
        bench.prime(token)
        houses = bench.households(token)
        townships = bench.townships(token)
        modes = [0.0, args.writer_every] if args.baseline else [args.writer_every]
        for every in modes:
            writer = None
            if every:
                writer = Writer(
                    every,
                    at_home=bench.members(token, away=False),
                    away=bench.members(token, away=True),
                    households=houses,
                )
            mode = f"writer every {every:g} s" if every else "no writer"
            say(f"== {mode} ==")
            phases: list[dict[str, Any]] = []
            writes = Writes()
            before = projection(bench.base)
            series = measure(
                bench.base,
                token,
                args.clients,
                args.seconds,
                houses,
                townships,
                writer=writer,
                phases=phases,
                all_writes=writes,
            )
            res["runs"].append(
                {
                    "mode": mode,
                    "writer_every": every,
                    "series": [{"name": s.name, **s.summary()} for s in series],
                    "phases": phases,
                    "writes": writes.summary() if writer else None,
                    "projection_before": before,
                    "projection_after": projection(bench.base),
                    "loadavg_end": os.getloadavg(),
                }
            )
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    finally:
        bench.cleanup()
    res["loadavg_end"] = os.getloadavg()
    print(report(res))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    failed = any(
        r["writer_every"] and r["projection_after"]["loads"] != r["projection_before"]["loads"]
        for r in res["runs"]
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
