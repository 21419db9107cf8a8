"""What keeping history costs (issue #16): the demo county imported with and without it.

Run on demand (not part of the test suite)::

    .venv/bin/python bench/history.py [--scale county|tiny] [--engines falkordb,neo4j]
        [--json out.json]

It generates the demo county once (seed 1, as_of 2026-11-01) and, for each engine in turn on a
private server in a fresh /tmp folder (as bench/engines.py starts them), measures in one run:

1. **without history**: the county imported by a library call without an origin (no
   :Import record, no field history, no gap ledger observation), seconds and nodes by label;
   then the same files again (nothing changes);
2. **with history**: the graph dropped, the same import with an origin (the record, the field
   history, and the gap ledger's first observation, which opens every gap item), seconds;
   nodes by label and the history's share of the graph's nodes (Import, FieldChange,
   GapLedger, GapItem; node counts, the one size both engines report alike);
   the same files again with an origin and the next month's roster day (nothing changes but
   the date: the observation runs again and opens and closes what the dates alone do);
3. the answers history adds, each timed 3 times on a new engine's warm projection (median):
   the gap page of the county's uncovered households with ages (first 1000), the same with
   min_age_days=30 (every item's age read), the changes between the two imports, and a
   12-month trend of the townships.

The ratios with/without are in the same run on the same server. Servers and the /tmp folder
are removed on exit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from orgraph.analysis import changes
from orgraph.analysis.engine import Engine
from orgraph.demo import generate
from orgraph.demo.generate import FILES
from orgraph.importer.history import Origin
from orgraph.importer.pipeline import import_files
from orgraph.store.base import GraphStore
from orgraph.store.embedded import EmbeddedServer
from orgraph.store.falkor import FalkorStore
from orgraph.store.migrations import migrate
from orgraph.store.neo4j_server import LocalNeo4j
from orgraph.store.neo4j_store import Neo4jStore

KEY = b"bench"
AS_OF = dt.date(2026, 11, 1)
NEXT = dt.date(2026, 11, 30)
HISTORY = ("Import", "FieldChange", "GapLedger", "GapItem")


def say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def nodes(store: GraphStore) -> dict[str, int]:
    return {r["label"]: int(r["nodes"]) for r in store.read("count_by_label")}


def timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def median3(fn: Callable[[], Any]) -> float:
    return statistics.median(timed(fn) for _ in range(3))


def measure(store: GraphStore, files: list[Path]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    migrate(store)
    say("import without history")
    out["plain_s"] = timed(lambda: import_files(store, files, key=KEY, today=AS_OF))
    out["plain_again_s"] = timed(lambda: import_files(store, files, key=KEY, today=AS_OF))
    out["plain_nodes"] = nodes(store)
    store.drop_all()
    migrate(store)
    say("import with history")
    origin = Origin("bench", "cli")
    reports = []

    def recorded(on: dt.date) -> None:
        reports.append(import_files(store, files, key=KEY, today=AS_OF, on=on, origin=origin))

    out["history_s"] = timed(lambda: recorded(AS_OF))
    out["history_again_s"] = timed(lambda: recorded(AS_OF))
    out["history_next_month_s"] = timed(lambda: recorded(NEXT))
    out["history_nodes"] = nodes(store)
    total = sum(out["history_nodes"].values())
    kept = sum(out["history_nodes"].get(lb, 0) for lb in HISTORY)
    out["history_share"] = kept / total
    out["ratio_import"] = out["history_s"] / out["plain_s"]
    out["ratio_again"] = out["history_again_s"] / out["plain_again_s"]
    say("answers")
    engine = Engine(store, snapshots=False)
    engine.summary(as_of=AS_OF)
    first, last = reports[0].import_id, reports[-1].import_id
    assert first and last
    out["answers_s"] = {
        "gaps_page": median3(
            lambda: engine.gaps("household_uncovered", as_of=AS_OF, page_size=1000)
        ),
        "gaps_page_with_ages": median3(
            lambda: engine.gaps("household_uncovered", as_of=AS_OF, page_size=1000, ages=True)
        ),
        "gaps_min_age_30": median3(
            lambda: engine.gaps("household_uncovered", as_of=NEXT, page_size=1000, min_age_days=29)
        ),
        "changes_between_imports": median3(lambda: changes.between(store, first, last)),
        "trend_12_townships": median3(
            lambda: engine.trend(scope=None, level="township", months=12, as_of=AS_OF)
        ),
    }
    return out


def falkordb(root: Path, files: list[Path]) -> dict[str, Any]:
    srv = EmbeddedServer(root / "f", socket_timeout=600.0)
    srv.start()
    store = FalkorStore(
        graph="bench_history",
        unix_socket=str(srv.socket),
        socket_timeout=600.0,
        query_timeout_ms=srv.timeout_max_ms,
    )
    try:
        return measure(store, files)
    finally:
        store.close()
        srv.kill()


def neo4j(root: Path, files: list[Path]) -> dict[str, Any]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = LocalNeo4j(root / "n", bolt_port=port, heap="2g", pagecache="1g")
    srv.start(progress=say)
    store = Neo4jStore(
        uri=srv.uri, user=srv.user, password=srv.password(), query_timeout_ms=600_000
    )
    try:
        return measure(store, files)
    finally:
        store.close()
        srv.kill()


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="county", choices=("county", "tiny"))
    ap.add_argument("--engines", default="falkordb,neo4j")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="og-bh-", dir="/tmp"))
    res: dict[str, Any] = {"scale": args.scale, "engines": {}}
    try:
        say(f"generating the demo ({args.scale})")
        generate(root / "demo", scale=args.scale, seed=1, as_of=AS_OF)
        files = [root / "demo" / f for f in FILES if (root / "demo" / f).is_file()]
        for engine in args.engines.split(","):
            say(f"== {engine} ==")
            run = falkordb if engine == "falkordb" else neo4j
            res["engines"][engine] = run(root / engine, files)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    text = json.dumps(res, ensure_ascii=False, indent=2)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
