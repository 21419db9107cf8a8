"""How fast does the HTTP API answer the county under concurrent use?

Run on demand (not part of the test suite)::

    .venv/bin/python bench/api.py [--clients 16] [--seconds 30] [--json out.json]

On a private embedded FalkorDB in a fresh, short /tmp data folder it:

1. generates the demo county (`orgraph.demo.generate`, ~98k households, ~8.3k members) and
   imports it with the real importer;
2. starts the API the way production does, `orgraph serve` in its own process (one uvicorn
   worker, the embedded store opened by the app's lifespan with its request deadline), and
   logs in a county administrator;
3. for each endpoint in turn, runs --clients concurrent clients (asyncio + httpx, one
   keep-alive connection each) for --seconds, after a short warm-up: `/health` (the
   reference: authentication-free, one store round trip, no analysis); `/coverage` of the
   county or one of its 18 townships, rolled up to townships or villages (38 distinct
   questions); `/gaps`, a page of 50 of one of four gap lists (uncovered households, contact
   load, silent and lost members away) for the county or a township, pages 1–5 (380
   distinct questions: more than the API keeps, see api/orgraph_api/answers.py, so some are
   recomputed); `/households/{id}/chain`, a household drawn from 2,000 on each call;
4. prints throughput and p50/p95/p99 latency per endpoint, each as a ratio to the reference
   measured in the same run, and checks the issue's target (p95 ≤ 300 ms).

Every answer must be 200: any other status is counted and reported as an error. The API
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
from orgraph.importer.pipeline import import_files
from orgraph.security import default_user_store
from orgraph.store.embedded import EmbeddedServer
from orgraph.store.falkor import FalkorStore

GRAPH = "bench_api"
KEY = "bench-api-key"
USER, PASSWORD = "bench", "Bench-Passw0rd"
AS_OF = dt.date(2026, 11, 1)  # the demo's date: its planted gaps hold on it
TARGET_P95_MS = 300.0
# The gap lists a county office pages through most; scopes: the county and each township.
GAP_TYPES = ("household_uncovered", "member_contact_load", "mobile_silent", "lost_contact")
PAGES = 5
WARMUP_S = 2.0
API = "/api/v1"


def say(msg: str) -> None:
    print(f"[bench/api] {msg}", file=sys.stderr, flush=True)


@dataclass
class Series:
    name: str
    path: str
    latencies: list[float] = field(default_factory=list)  # seconds, 200 answers only
    errors: dict[str, int] = field(default_factory=dict)  # status or exception → count
    seconds: float = 0.0

    def quantile(self, q: float) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(q) - 1]

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
    base: str, token: str, clients: int, seconds: float, next_url: Callable[[], str], series: Series
) -> None:
    warm_until = time.perf_counter() + WARMUP_S
    await asyncio.gather(
        *(_client(base, token, next_url, warm_until, series, False) for _ in range(clients))
    )
    t0 = time.perf_counter()
    until = t0 + seconds
    await asyncio.gather(
        *(_client(base, token, next_url, until, series, True) for _ in range(clients))
    )
    series.seconds = time.perf_counter() - t0


def measure(
    base: str, token: str, clients: int, seconds: float, households: list[str], townships: list[str]
) -> list[Series]:
    rng = random.Random(1)
    d = AS_OF.isoformat()
    scopes = ["330226", *townships]

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
        say(f"{name}: {clients} clients for {seconds:g} s")
        series = Series(name, path)
        asyncio.run(_run(base, token, clients, seconds, next_url, series))
        out.append(series)
    return out


# -- the county, the store and the API process ------------------------------------------------


class Bench:
    def __init__(self, root: Path, *, port: int) -> None:
        self.root = root
        self.port = port
        self.server: EmbeddedServer | None = None
        self.api: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings(self) -> Settings:
        return Settings(data_dir=self.root / "db", graph_name=GRAPH, jwt_secret="", id_hash_key=KEY)

    def load(self) -> dict[str, Any]:
        srv = self.server = EmbeddedServer(self.root / "db", socket_timeout=600.0)
        srv.start()
        store = FalkorStore(graph=GRAPH, unix_socket=str(srv.socket), socket_timeout=600.0)
        try:
            say("generating the demo county")
            t0 = time.perf_counter()
            generate(self.root / "demo", scale="county", seed=1, as_of=AS_OF)
            gen_s = time.perf_counter() - t0
            files = sorted(
                p for p in (self.root / "demo").iterdir() if p.suffix in (".xlsx", ".csv")
            )
            say(f"importing {len(files)} files")
            t0 = time.perf_counter()
            report = import_files(store, files, key=KEY.encode(), today=AS_OF)
            totals = report.totals()
            assert totals["rejected"] == 0 and totals["sheet_errors"] == 0, totals
            counts = {r["label"]: r["nodes"] for r in store.read("count_by_label")}
        finally:
            store.close()
        srv.rewrite_log()
        default_user_store(self.settings()).add(USER, PASSWORD, role="county_admin", scope="330226")
        return {"generate_s": gen_s, "import_s": time.perf_counter() - t0, "nodes": counts}

    def api_env(self) -> dict[str, str]:
        """The API process's settings: the store and users this bench loaded (bench/engines.py
        points them at its own stores)."""
        return {
            "ORGRAPH_DATA_DIR": str(self.root / "db"),
            "ORGRAPH_GRAPH_NAME": GRAPH,
            "ORGRAPH_STORE_URI": "embedded",
            "ORGRAPH_JWT_SECRET": "",
            "ORGRAPH_ID_HASH_KEY": KEY,
        }

    def start_api(self) -> None:
        env = {**os.environ, **self.api_env()}
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

    def townships(self, token: str) -> list[str]:
        r = httpx.get(
            f"{self.base}{API}/areas/330226/children",
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        return [a["code"] for a in r.json()["items"]]

    def households(self, token: str, n: int = 2000) -> list[str]:
        """A sample of the county's household ids, from the API itself."""
        headers = {"Authorization": f"Bearer {token}"}
        total = httpx.get(
            f"{self.base}{API}/households", params={"page_size": 1}, headers=headers, timeout=60
        ).json()["total"]
        rng = random.Random(2)
        ids: list[str] = []
        for page in sorted(rng.sample(range(1, total // 500 + 1), k=min(4, total // 500))):
            ids += [
                h["id"]
                for h in httpx.get(
                    f"{self.base}{API}/households",
                    params={"page": page, "page_size": 500},
                    headers=headers,
                    timeout=60,
                ).json()["items"]
            ]
        return rng.sample(ids, k=min(n, len(ids)))

    def cleanup(self) -> None:
        if self.api is not None and self.api.poll() is None:
            self.api.terminate()
            try:
                self.api.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.api.kill()
        if self.server is not None:
            try:
                self.server.kill()  # the data goes anyway: no need for a clean shutdown
            except Exception as exc:  # keep going: the folder must go too
                say(f"could not kill the store: {exc}")
        shutil.rmtree(self.root, ignore_errors=True)
        say(f"API and store stopped, {self.root} removed")


# -- the report -------------------------------------------------------------------------------


def report(res: dict[str, Any]) -> str:
    rows = res["series"]
    ref = rows[0]
    lines = [
        f"orgraph API under load: {res['clients']} concurrent clients, {res['seconds']:g} s "
        f"per endpoint, demo county ({res['load']['nodes'].get('Household', 0):,} households,"
        f" {res['load']['nodes'].get('Member', 0):,} members)",
        f"machine: {res['machine']}, {res['cpus']} CPUs; load average at start "
        f"{'/'.join(f'{x:.2f}' for x in res['loadavg_start'])}, at end "
        f"{'/'.join(f'{x:.2f}' for x in res['loadavg_end'])}",
        "",
        f"{'endpoint':<20}{'requests':>9}{'errors':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'×ref req/s':>12}{'×ref p95':>10}",
    ]
    for r in rows:
        errors = sum(r["errors"].values())
        lines.append(
            f"{r['name']:<20}{r['requests']:>9,}{errors:>8}{r['throughput_rps']:>9.1f}"
            f"{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{r['p99_ms']:>9.1f}"
            f"{r['throughput_rps'] / ref['throughput_rps']:>12.2f}"
            f"{r['p95_ms'] / ref['p95_ms']:>10.1f}"
        )
    worst = max(rows[1:], key=lambda r: r["p95_ms"])
    verdict = "met" if worst["p95_ms"] <= TARGET_P95_MS else "NOT met"
    lines += [
        "",
        f"target p95 ≤ {TARGET_P95_MS:.0f} ms on coverage, gaps and chain: {verdict} "
        f"(worst: {worst['name']} {worst['p95_ms']:.1f} ms)",
    ]
    if any(r["errors"] for r in rows):
        lines.append(
            "errors: " + "; ".join(f"{r['name']}: {r['errors']}" for r in rows if r["errors"])
        )
    lines.append(
        f"(load: generate {res['load']['generate_s']:.1f} s, import "
        f"{res['load']['import_s']:.1f} s)"
    )
    return "\n".join(lines)


def _raise_exit(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Load the HTTP API with concurrent clients.")
    ap.add_argument("--clients", type=int, default=16, help="concurrent clients (16)")
    ap.add_argument("--seconds", type=float, default=30.0, help="seconds per endpoint (30)")
    ap.add_argument("--port", type=int, default=0, help="API port (a free one)")
    ap.add_argument("--json", type=Path, help="also write the results to this file")
    args = ap.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0:
        ap.error("--clients must be at least 1 and --seconds positive")
    port = args.port
    if not port:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_exit)
    bench = Bench(Path(tempfile.mkdtemp(prefix="orga-", dir="/tmp")), port=port)
    res: dict[str, Any] = {
        "clients": args.clients,
        "seconds": args.seconds,
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_start": os.getloadavg(),
    }
    try:
        res["load"] = bench.load()
        bench.start_api()
        token = bench.login()
        houses = bench.households(token)
        series = measure(
            bench.base, token, args.clients, args.seconds, houses, bench.townships(token)
        )
        res["series"] = [{"name": s.name, **s.summary()} for s in series]
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    finally:
        bench.cleanup()
    res["loadavg_end"] = os.getloadavg()
    print(report(res))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
