"""How fast does the gap engine answer on a county-sized graph, and is it ever stale?

Run on demand (not part of the test suite)::

    .venv/bin/python bench/engine.py [--households 300000] [--reps 40] [--json out.json]

On a private embedded FalkorDB in a fresh, short /tmp data folder it:

1. generates the demo county (`orgraph.demo.generate`, ~98k households, ~8.3k members) and
   imports it with the real importer (timed); with --households N it then grows the graph to
   N households: synthetic households filed under the areas of randomly drawn existing
   households (so hamlets and villages keep their proportions), and synthetic contacts from
   the members of existing contacts to new households of the same village, as many per new
   household as the county had (bulk UNWIND writes, the bench_engine_* blocks);
2. times the cold projection load: the first `Engine(store).summary()` after the load;
3. times warm answers, --reps times each, as p50 and p95: the county's coverage rolled up to
   villages, the summary of all gap types, one village's uncovered households (one page of
   up to 1000) and one contact chain. The engine caches each date's derived state, so every
   answer is timed twice: "same as_of" (the cached state) and "new as_of" (a different date
   every call, cycling through 30 dates per operation, more than the engine's cache holds,
   so every call recomputes the date's state; the report counts any cache hit);
4. writes one contact through the store (the importer's `upsert_household_contacts`) from an
   at-home member to an uncovered household, times the next `summary()` (which reloads the
   projection) and asserts the answer changed: one household fewer uncovered, the household
   gone from its village's list and its chain whole at the household level;
5. measures a numpy reference in the same run: the same raw data pulled from the graph once
   by independent queries (outside the timing), then the same answers computed with plain
   numpy from those arrays, recomputing everything for the date on every call. The engine's
   answers must equal the reference's (coverage rows, uncovered ids, rule counts, chains) on
   every date measured, and each engine figure is printed as a ratio to its reference.

The server is killed and the data folder removed on exit, also on Ctrl-C, SIGTERM or an error.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import resource
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import numpy as np
import numpy.typing as npt

from orgraph import catalog, clock
from orgraph.analysis.engine import LOAD_BUCKETS, Engine, parse_as_of
from orgraph.analysis.rules import RULES
from orgraph.demo import generate
from orgraph.importer.pipeline import import_files
from orgraph.policy import Policy
from orgraph.store.embedded import EmbeddedServer
from orgraph.store.falkor import FalkorStore
from orgraph.vocab import GAP_TYPE_NAMES as RULE_TYPES
from orgraph.vocab import LIFE_LEDGER_GAP_TYPES, RECT_LEDGER_GAP_TYPES

# The rules of the 软弱涣散/第一书记/党小组 work (issue #14), timed apart in `weak_work`.
WEAK_WORK_GAP_TYPES = (
    *RECT_LEDGER_GAP_TYPES,
    "group_size",
    "group_no_leader",
    "group_no_summary",
    "group_no_inspection",
    "cadre_group_load",
)

# The blocks only the benchmarks run (bench/cypher/) join this process's catalog.
catalog.extend(Path(__file__).resolve().parent / "cypher")

GRAPH = "bench_engine"
KEY = b"bench-engine-key"
BATCH = 5000
DATES_PER_SERIES = 30  # more than the engine's per-date cache (16): every call recomputes
DATE_STEP_DAYS = 5
NEVER = 99_999_999
PAGE = 1000
TARGETS_MS = {"coverage": 100.0, "summary": 500.0, "village": 30.0}  # p50, from the issue
OPS = ("coverage", "summary", "village", "chain")
OP_TITLES = {
    "coverage": "coverage rollup to villages",
    "summary": f"summary, {len(RULE_TYPES)} gap types",
    "village": "uncovered list of 1 village",
    "chain": "contact chain of 1 household",
}

REFERENCES = """\
Reference (×numpy): the engine's p50 over the p50 of a plain numpy computation of the same
answer in this process, from arrays pulled from the graph once by independent queries; the
reference recomputes the date's state on every call (it has no cache), so it compares like for
like with "new as_of" and is an upper bound for "same as_of". The reference returns ids and
figures only (the engine also builds item details), and for the summary it counts 4 rules
(household_uncovered, household_contact_away, member_contact_load, exempt_member_assigned:
the ones over every household or member), not 16. It finds distinct member-household pairs
by sorting, not with np.unique (hash-based since numpy 2.3: 10-40 ms for 57k pairs here,
against 0.3 ms for the sort)."""

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
_T0 = time.perf_counter()


def say(msg: str) -> None:
    print(f"[{time.perf_counter() - _T0:7.1f}s] {msg}", file=sys.stderr, flush=True)


def day(value: Any, empty: int) -> int:
    """'YYYY-MM-DD' → YYYYMMDD (orders like the ISO text rules.md compares); empty → default."""
    return int(str(value)[:10].replace("-", "")) if value else empty


def yyyymmdd(d: dt.date) -> int:
    return d.year * 10_000 + d.month * 100 + d.day


# -- the graph --------------------------------------------------------------------------------


def open_store(server: EmbeddedServer) -> FalkorStore:
    return FalkorStore(
        graph=GRAPH,
        unix_socket=str(server.socket),
        socket_timeout=600.0,
        query_timeout_ms=server.timeout_max_ms,
    )


def settle(server: EmbeddedServer, timeout: float = 900.0) -> float:
    """Wait until no log rewrite or snapshot runs in the background (it would steal a CPU
    from the measurements); the seconds waited."""
    t0 = time.perf_counter()
    conn = server.client()
    try:
        while True:
            info = conn.info("persistence")
            if not (
                info.get("aof_rewrite_in_progress")
                or info.get("aof_rewrite_scheduled")
                or info.get("rdb_bgsave_in_progress")
            ):
                return time.perf_counter() - t0
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError("a background log rewrite is still running")
            time.sleep(0.05)
    finally:
        conn.close()


def versions(server: EmbeddedServer) -> dict[str, str]:
    conn = server.client()
    try:
        info = conn.info("server")
        mods = {_text(m[b"name"]): _text(m[b"ver"]) for m in conn.module_list()}
    finally:
        conn.close()
    ver = mods.get("graph", "")
    falkor = (
        f"{int(ver) // 10000}.{int(ver) // 100 % 100}.{int(ver) % 100}"
        if ver.isdigit()
        else ver or "?"
    )
    return {
        "redis": _text(info.get("redis_version")),
        "falkordb": falkor,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.system()} {platform.release()}, "
        f"{os.cpu_count()} CPUs",
    }


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def used_memory(server: EmbeddedServer) -> str | None:
    return server.status().used_memory


def _one(store: FalkorStore, block: str, column: str) -> list[Any]:
    rows = store.read(block)
    return list(rows[0][column] or []) if rows else []


# -- raw data for the numpy reference ---------------------------------------------------------


@dataclass
class Raw:
    """The graph as flat arrays, read by the bench_engine_raw_* blocks (not the engine's)."""

    area_code: list[str]
    area_level: list[str]
    area_parent: IntArray
    area_index: dict[str, int]
    county: BoolArray  # per area: in the county (below a non-external root, not external)
    roots: list[int]
    villages: list[int]  # area indices of the county's villages, by code
    area_slot: IntArray  # per area: slot in `villages` of its village (itself or above), -1
    h_id: list[str]
    h_area: IntArray
    h_slot: IntArray  # village slot, -1
    h_county: BoolArray
    h_index: dict[str, int]
    m_key: list[str]
    m_index: dict[str, int]
    m_on_roll: BoolArray
    m_birth: IntArray
    m_elderly: BoolArray
    m_roles: list[frozenset[str]]
    m_home: IntArray  # home area of the branch with the smallest org id, -1
    m_slot: IntArray  # village slot of the home area, -1
    m_home_county: BoolArray
    m_rural: BoolArray  # some branch's home area is a village or hamlet
    m_in_scope: BoolArray  # in the county scope: branch in the county's orgs, or no branch
    m_multi_branch: int
    c_m: IntArray
    c_h: IntArray
    c_since: IntArray
    c_until: IntArray
    c_raw: list[tuple[str, str, Any, Any]]  # as read, for the synthetic growth
    o_m: IntArray
    o_left: IntArray
    o_ret: IntArray
    d_m: IntArray
    d_area: IntArray
    d_since: IntArray
    d_until: IntArray

    @property
    def sizes(self) -> dict[str, int]:
        return {
            "areas": len(self.area_code),
            "villages": len(self.villages),
            "households": len(self.h_id),
            "members": len(self.m_key),
            "contacts": len(self.c_m),
            "outflows": len(self.o_m),
            "area_duties": len(self.d_m),
        }


def pull_raw(store: FalkorStore) -> Raw:
    areas = _one(store, "bench_engine_raw_areas", "areas")
    area_code = [a[0] for a in areas]
    area_index = {c: i for i, c in enumerate(area_code)}
    area_level = [a[1] or "" for a in areas]
    external = [bool(a[2]) for a in areas]
    area_parent = np.array([area_index.get(a[3], -1) if a[3] else -1 for a in areas], np.int64)
    na = len(areas)
    roots = [i for i in range(na) if area_parent[i] < 0 and not external[i]]
    county = np.zeros(na, dtype=bool)
    village_of = np.full(na, -1, dtype=np.int64)
    for i in range(na):  # walk up: the county flag and the village ancestor
        j, seen = i, 0
        while j >= 0 and seen < 64:
            if area_level[j] == "village" and village_of[i] < 0:
                village_of[i] = j
            if area_parent[j] < 0:
                county[i] = j in roots and not external[i]
            j, seen = int(area_parent[j]), seen + 1
    villages = sorted(
        (i for i in range(na) if county[i] and area_level[i] == "village"),
        key=lambda i: area_code[i],
    )
    slot_of = {v: s for s, v in enumerate(villages)}
    area_slot = np.array([slot_of.get(int(v), -1) for v in village_of], dtype=np.int64)

    hh = _one(store, "bench_engine_raw_households", "households")
    h_id = [h[0] for h in hh]
    h_index = {h: i for i, h in enumerate(h_id)}
    h_area = np.array([area_index.get(h[1], -1) for h in hh], dtype=np.int64)
    h_slot = np.where(h_area >= 0, area_slot[h_area], -1)
    h_county = (h_area >= 0) & county[h_area]

    orgs = _one(store, "bench_engine_raw_orgs", "orgs")
    org_index: dict[str, int] = {}
    for o in orgs:
        org_index.setdefault(o[0], len(org_index))
    no = len(org_index)
    org_parent = np.full(no, -1, dtype=np.int64)
    org_area = np.full(no, -1, dtype=np.int64)
    children: list[list[int]] = [[] for _ in range(no)]
    for oid, _kind, _ext, parent, area in orgs:
        o = org_index[oid]
        if parent in org_index and org_parent[o] < 0:
            org_parent[o] = org_index[parent]
            children[org_index[parent]].append(o)
        if area in area_index and org_area[o] < 0:
            org_area[o] = area_index[area]
    org_home = np.full(no, -1, dtype=np.int64)
    for o in range(no):
        j, seen = o, 0
        while j >= 0 and seen < 64:
            if org_area[j] >= 0:
                org_home[o] = org_area[j]
                break
            j, seen = int(org_parent[j]), seen + 1
    in_scope_org = np.zeros(no, dtype=bool)
    stack = [o for o in range(no) if org_area[o] >= 0 and county[org_area[o]]]
    while stack:
        o = stack.pop()
        if not in_scope_org[o]:
            in_scope_org[o] = True
            stack.extend(children[o])

    mem = _one(store, "bench_engine_raw_members", "members")
    m_index: dict[str, int] = {}
    props: list[tuple[Any, Any, Any, Any]] = []
    branches: list[list[int]] = []
    for key, on_roll, birth, mgmt, roles, branch in mem:
        if key not in m_index:
            m_index[key] = len(props)
            props.append((on_roll, birth, mgmt, roles))
            branches.append([])
        if branch in org_index:
            branches[m_index[key]].append(org_index[branch])
    org_ids = list(org_index)
    for links in branches:  # rules.md: several branches → the one with the smallest org id
        links.sort(key=lambda o: org_ids[o])
    m_key = list(m_index)
    m_on_roll = np.array([p[0] is not False for p in props], dtype=bool)  # missing: on roll
    m_birth = np.array([day(p[1], 0) for p in props], dtype=np.int64)
    m_elderly = np.array([p[2] == "elderly_weak" for p in props], dtype=bool)
    m_roles = [frozenset(p[3] or ()) for p in props]
    m_home = np.array([org_home[b[0]] if b else -1 for b in branches], dtype=np.int64)
    m_slot = np.where(m_home >= 0, area_slot[m_home], -1)
    m_home_county = (m_home >= 0) & county[m_home]
    m_rural = np.array(
        [
            any(org_home[o] >= 0 and area_level[org_home[o]] in ("village", "hamlet") for o in b)
            for b in branches
        ],
        dtype=bool,
    )
    m_in_scope = np.array(
        [any(in_scope_org[o] for o in b) if b else True for b in branches], dtype=bool
    )

    cs = [
        c
        for c in _one(store, "bench_engine_raw_contacts", "contacts")
        if c[0] in m_index and c[1] in h_index
    ]
    outs = [
        o for o in _one(store, "bench_engine_raw_outflows", "outflows") if o[0] in m_index and o[1]
    ]
    duties = [
        d
        for d in _one(store, "bench_engine_raw_area_duties", "duties")
        if d[0] in m_index and d[1] in area_index
    ]

    def ints(values: list[Any]) -> IntArray:
        return np.array(values, dtype=np.int64)

    return Raw(
        area_code=area_code,
        area_level=area_level,
        area_parent=area_parent,
        area_index=area_index,
        county=county,
        roots=roots,
        villages=villages,
        area_slot=area_slot,
        h_id=h_id,
        h_area=h_area,
        h_slot=h_slot,
        h_county=h_county,
        h_index=h_index,
        m_key=m_key,
        m_index=m_index,
        m_on_roll=m_on_roll,
        m_birth=m_birth,
        m_elderly=m_elderly,
        m_roles=m_roles,
        m_home=m_home,
        m_slot=m_slot,
        m_home_county=m_home_county,
        m_rural=m_rural,
        m_in_scope=m_in_scope,
        m_multi_branch=sum(len(set(b)) > 1 for b in branches),
        c_m=ints([m_index[c[0]] for c in cs]),
        c_h=ints([h_index[c[1]] for c in cs]),
        c_since=ints([day(c[2], 0) for c in cs]),
        c_until=ints([day(c[3], NEVER) for c in cs]),
        c_raw=[(c[0], c[1], c[2], c[3]) for c in cs],
        o_m=ints([m_index[o[0]] for o in outs]),
        o_left=ints([day(o[1], 0) for o in outs]),
        o_ret=ints([day(o[2], NEVER) for o in outs]),
        d_m=ints([m_index[d[0]] for d in duties]),
        d_area=ints([area_index[d[1]] for d in duties]),
        d_since=ints([day(d[2], 0) for d in duties]),
        d_until=ints([day(d[3], NEVER) for d in duties]),
    )


# -- the numpy reference ----------------------------------------------------------------------


@dataclass
class Day:
    away: BoolArray
    at_home: BoolArray
    active: BoolArray
    covered: BoolArray


class Reference:
    """The rules of docs/rules.md, computed from the raw arrays with nothing cached."""

    def __init__(self, raw: Raw, policy: Policy) -> None:
        self.r = raw
        self.policy = policy

    def day(self, d: int) -> Day:
        r = self.r
        away = np.zeros(len(r.m_key), dtype=bool)
        away[r.o_m[(r.o_left <= d) & (r.o_ret > d)]] = True
        at_home = r.m_on_roll & ~away
        active = (r.c_since <= d) & (r.c_until > d)
        covered = np.zeros(len(r.h_id), dtype=bool)
        covered[r.c_h[active & at_home[r.c_m]]] = True
        return Day(away, at_home, active, covered)

    def _members(self, d: int, s: Day) -> tuple[IntArray, BoolArray]:
        """Per member: distinct households with an active contact, and exempt."""
        r, nh = self.r, max(len(self.r.h_id), 1)
        pairs = np.sort(r.c_m[s.active] * nh + r.c_h[s.active])
        # distinct pairs by sort and compare, not np.unique (see REFERENCES)
        keep = np.ones(len(pairs), dtype=bool)
        keep[1:] = pairs[1:] != pairs[:-1]
        pairs = pairs[keep]
        per_member = np.bincount(pairs // nh, minlength=len(r.m_key))
        known = r.m_birth > 0
        age = (d - r.m_birth) // 10_000
        exempt = r.m_on_roll & ((known & (age >= self.policy.exempt_age)) | r.m_elderly)
        return per_member, exempt

    def _away_contacts(self, s: Day) -> IntArray:
        r = self.r
        from_away = s.active & r.m_on_roll[r.c_m] & s.away[r.c_m]
        return np.bincount(r.c_h[from_away], minlength=len(r.h_id))

    def coverage(self, d: int) -> dict[str, tuple[int, ...]]:
        """Per village, and the county first: households, covered, uncovered with contacts
        away, members, at home, away, and the load histogram."""
        r = self.r
        s = self.day(d)
        nv = len(r.villages)
        uncovered_away = ~s.covered & (self._away_contacts(s) > 0)
        per_member, exempt = self._members(d, s)
        nb = len(LOAD_BUCKETS)
        ok = r.h_slot >= 0
        hv = r.h_slot[ok]
        cols = [
            np.bincount(hv, minlength=nv),
            np.bincount(hv[s.covered[ok]], minlength=nv),
            np.bincount(hv[uncovered_away[ok]], minlength=nv),
        ]
        counted = r.m_on_roll & (r.m_slot >= 0)
        mv = r.m_slot[counted]
        cols += [
            np.bincount(mv, minlength=nv),
            np.bincount(mv[s.at_home[counted]], minlength=nv),
            np.bincount(mv[s.away[counted]], minlength=nv),
        ]
        load = counted & s.at_home & ~exempt
        bucket = np.minimum(per_member[load], nb - 1)
        hist = np.bincount(r.m_slot[load] * nb + bucket, minlength=nv * nb).reshape(nv, nb)
        table = np.column_stack([*cols, hist])
        top = r.h_county
        home = r.m_on_roll & r.m_home_county
        ld = home & s.at_home & ~exempt
        head = (
            int(top.sum()),
            int((top & s.covered).sum()),
            int((top & uncovered_away).sum()),
            int(home.sum()),
            int((home & s.at_home).sum()),
            int((home & s.away).sum()),
            *(int(x) for x in np.bincount(np.minimum(per_member[ld], nb - 1), minlength=nb)),
        )
        out = {"*county*": head}
        for slot, a in enumerate(r.villages):
            out[r.area_code[a]] = tuple(int(x) for x in table[slot])
        return out

    def village_uncovered(self, d: int, slot: int) -> tuple[int, list[str]]:
        s = self.day(d)
        ids = sorted(
            self.r.h_id[int(i)] for i in np.flatnonzero((self.r.h_slot == slot) & ~s.covered)
        )
        return len(ids), ids[:PAGE]

    def counts(self, d: int) -> dict[str, int]:
        r, pol = self.r, self.policy
        s = self.day(d)
        per_member, exempt = self._members(d, s)
        uncovered = r.h_county & ~s.covered
        load = (
            r.m_in_scope
            & s.at_home
            & ~exempt
            & r.m_rural
            & ((per_member < pol.contact_min) | (per_member > pol.contact_max))
        )
        return {
            "household_uncovered": int(uncovered.sum()),
            "household_contact_away": int((uncovered & (self._away_contacts(s) > 0)).sum()),
            "member_contact_load": int(load.sum()),
            "exempt_member_assigned": int((r.m_in_scope & exempt & (per_member > 0)).sum()),
        }

    def chain(self, d: int, h: int) -> tuple[list[tuple[str, list[str]]], str | None]:
        """[(level, sorted member keys)] from the household up, and the broken level."""
        r = self.r
        away = np.zeros(len(r.m_key), dtype=bool)
        away[r.o_m[(r.o_left <= d) & (r.o_ret > d)]] = True
        mine = (r.c_h == h) & (r.c_since <= d) & (r.c_until > d)
        people = sorted({int(m) for m in r.c_m[mine] if r.m_on_roll[m]}, key=lambda m: r.m_key[m])
        levels = [("household", [r.m_key[m] for m in people])]
        broken = None if any(not away[m] for m in people) else "household"
        above: dict[str, int] = {}
        a = int(r.h_area[h])
        while a >= 0:
            above.setdefault(r.area_level[a], a)
            a = int(r.area_parent[a])
        duty = (r.d_since <= d) & (r.d_until > d) & r.m_on_roll[r.d_m]
        for level, role in (
            ("hamlet", "village_committee"),
            ("village", "township_cadre"),
            ("township", "county_leader"),
        ):
            if level not in above:
                continue
            who = sorted(
                {
                    r.m_key[int(m)]
                    for m in r.d_m[duty & (r.d_area == above[level])]
                    if role in r.m_roles[int(m)]
                }
            )
            levels.append((level, who))
            if not who and broken is None:
                broken = level
        return levels, broken


# -- engine answers in the reference's shape --------------------------------------------------


def engine_coverage(answer: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    def figures(row: dict[str, Any]) -> tuple[int, ...]:
        return (
            row["households"],
            row["covered"],
            row["uncovered_contact_away"],
            row["members"],
            row["members_home"],
            row["members_away"],
            *(row["load"][b] for b in LOAD_BUCKETS),
        )

    rows = answer["rows"]
    return {"*county*": figures(rows[0]), **{r["code"]: figures(r) for r in rows[1:]}}


def engine_chain(answer: dict[str, Any]) -> tuple[list[tuple[str, list[str]]], str | None]:
    return (
        [(lv["level"], sorted(p["id"] for p in lv["people"])) for lv in answer["levels"]],
        answer["broken_at"],
    )


# -- synthetic growth -------------------------------------------------------------------------


def grow(store: FalkorStore, raw: Raw, target: int, seed: int) -> dict[str, Any]:
    """Add households (under the areas of randomly drawn existing ones) up to `target`, and
    contacts from the members of randomly drawn existing contacts to new households of the
    same village, at the county's ratio of contacts to households; bulk UNWIND writes."""
    rng = np.random.default_rng(seed)
    nh = len(raw.h_id)
    add = target - nh
    draw = rng.integers(0, nh, size=add)
    sizes = rng.integers(1, 7, size=add)
    households: list[dict[str, Any]] = []
    by_village: dict[int, list[str]] = defaultdict(list)
    for i, (h, size) in enumerate(zip(draw, sizes, strict=True)):
        a = int(raw.h_area[h])
        slot = int(raw.area_slot[a])
        prefix = raw.area_code[raw.villages[slot]] if slot >= 0 else raw.area_code[a]
        hid = f"{prefix}-X{i:06d}"
        households.append(
            {
                "id": hid,
                "area": raw.area_code[a],
                "head_name": f"户主{i}",
                "size": int(size),
                "address": f"合成地址{i}号",
            }
        )
        by_village[slot].append(hid)

    want = round(len(raw.c_raw) * add / nh)
    contacts: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    tries = 0
    while len(contacts) < want and tries < want * 3:
        tries += 1
        k = int(rng.integers(0, len(raw.c_raw)))
        member, hid, since, until = raw.c_raw[k]
        pool = by_village.get(int(raw.h_slot[raw.h_index[hid]]))
        if not pool:
            continue
        new = pool[int(rng.integers(0, len(pool)))]
        if (member, new) in seen:
            continue
        seen.add((member, new))
        contacts.append({"member": member, "household": new, "since": since, "until": until})

    phases = []
    for block, rows in (
        ("bench_engine_add_households", households),
        ("bench_engine_add_contacts", contacts),
    ):
        say(f"growing: {len(rows):,} rows with {block}")
        t0 = time.perf_counter()
        written = 0
        for i in range(0, len(rows), BATCH):
            written += int(store.write(block, rows=rows[i : i + BATCH])[0]["written"])
        seconds = time.perf_counter() - t0
        assert written == len(rows), f"{block}: wrote {written} of {len(rows)}"
        phases.append(
            {
                "block": block,
                "rows": len(rows),
                "seconds": seconds,
                "rows_per_s": len(rows) / seconds if seconds else None,
            }
        )
    return {"households_added": add, "contacts_added": len(contacts), "phases": phases}


# -- timing -----------------------------------------------------------------------------------


@dataclass
class Series:
    samples: list[float] = field(default_factory=list)
    cache_hits: int | None = None  # new as_of: calls that found the date's state cached

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        return float(np.percentile(self.samples, 95)) * 1000

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": len(self.samples),
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "min_ms": min(self.samples) * 1000,
            "max_ms": max(self.samples) * 1000,
            "cache_hits": self.cache_hits,
            "samples_ms": [x * 1000 for x in self.samples],
        }


def run_series(
    fn: Callable[[dt.date], object],
    dates: Sequence[dt.date],
    reps: int,
    cached: Callable[[dt.date], bool] | None = None,
) -> Series:
    out = Series(cache_hits=0 if cached else None)
    for i in range(reps):
        d = dates[i % len(dates)]
        if cached is not None and cached(d):
            out.cache_hits = (out.cache_hits or 0) + 1
        t0 = time.perf_counter()
        fn(d)
        out.samples.append(time.perf_counter() - t0)
    return out


def profile(fn: Callable[[], object], top: int = 14) -> str:
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(top)
    lines = [ln for ln in buf.getvalue().splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
    return "\n".join(lines[max(0, start - 1) :])


def load_by_query(store: FalkorStore) -> str:
    """Each projection query's wall time through the store against the server's own
    execution time: the rest is the reply's transfer, parsing and decoding in this process."""
    lines = [f"{'query':<24} {'store.read ms':>13} {'server ms':>10} {'rest ms':>8}"]
    for name in sorted(n for n in catalog.catalog() if n.startswith("proj_")):
        text = catalog.get(name).text
        # redis-py leaves execute_command unannotated (as orgraph.store.falkor notes too)
        reply = store.connection.execute_command(  # type: ignore[no-untyped-call]
            "GRAPH.RO_QUERY", store.graph_name, text, "--compact"
        )
        server = next(
            (
                float(str(x).split(":")[1].split()[0])
                for x in reply[-1]
                if "internal execution time" in str(x)
            ),
            float("nan"),
        )
        t0 = time.perf_counter()
        store.read(name)
        wall = (time.perf_counter() - t0) * 1000
        lines.append(f"{name:<24} {wall:>13.0f} {server:>10.0f} {wall - server:>8.0f}")
    return "\n".join(lines)


# -- the run ----------------------------------------------------------------------------------


class Bench:
    def __init__(
        self,
        root: Path,
        *,
        households: int | None,
        reps: int,
        seed: int,
        as_of: dt.date,
        fresh: int,
        do_profile: bool,
    ) -> None:
        self.root = root
        self.households = households
        self.reps = reps
        self.seed = seed
        self.as_of = as_of
        self.fresh = fresh
        self.do_profile = do_profile
        self.server: EmbeddedServer | None = None
        self.res: dict[str, Any] = {
            "as_of": as_of.isoformat(),
            "reps": reps,
            "seed": seed,
            "loadavg_start": os.getloadavg(),
        }

    def cleanup(self) -> None:
        if self.server is not None:
            try:
                self.server.kill()  # the data goes anyway: no need for a clean shutdown
            except Exception as exc:  # keep going: the folder must go too
                say(f"could not kill the server: {exc}")
        shutil.rmtree(self.root, ignore_errors=True)
        say(f"server killed, {self.root} removed")

    def dates(self, op: int) -> list[dt.date]:
        """30 dates for one operation's "new as_of" series, none shared with another's."""
        return [
            self.as_of - dt.timedelta(days=DATE_STEP_DAYS * (1 + op * DATES_PER_SERIES + k))
            for k in range(DATES_PER_SERIES)
        ]

    def load(self, srv: EmbeddedServer, store: FalkorStore) -> None:
        res = self.res
        demo = self.root / "demo"
        say("generating the demo county")
        t0 = time.perf_counter()
        summary = generate(demo, scale="county", seed=self.seed, as_of=self.as_of)
        res["generate_s"] = time.perf_counter() - t0
        files = sorted(p for p in demo.iterdir() if p.suffix in (".xlsx", ".csv"))
        say(f"importing {len(files)} files ({sum(summary.files.values()):,} rows)")
        t0 = time.perf_counter()
        report = import_files(store, files, key=KEY, today=self.as_of)
        totals = report.totals()
        res["import"] = {
            "seconds": time.perf_counter() - t0,
            "rows": totals["rows"],
            "created": totals["created"],
            "rejected": totals["rejected"],
            "files": dict(summary.files),
        }
        assert totals["rejected"] == 0 and totals["sheet_errors"] == 0, totals
        res["import"]["log_rewrite_wait_s"] = settle(srv)
        shutil.rmtree(demo, ignore_errors=True)
        if self.households is None:
            return
        t0 = time.perf_counter()
        raw = pull_raw(store)
        say(f"raw read of the imported county: {time.perf_counter() - t0:.1f} s")
        if self.households <= len(raw.h_id):
            raise SystemExit(
                f"--households {self.households:,} is not above the demo's {len(raw.h_id):,}"
            )
        res["grow"] = grow(store, raw, self.households, self.seed)
        t0 = time.perf_counter()
        srv.rewrite_log()  # as the importer does after bulk writes
        res["grow"]["log_rewrite_s"] = time.perf_counter() - t0

    def run(self) -> dict[str, Any]:
        res = self.res
        srv = self.server = EmbeddedServer(self.root / "db", socket_timeout=600.0)
        srv.start()
        res["versions"] = versions(srv)
        store = open_store(srv)
        try:
            self.load(srv, store)
            settle(srv)
            res["server_memory"] = used_memory(srv)
            self.measure(store)
        finally:
            store.close()
        res["loadavg_end"] = os.getloadavg()
        res["python_max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return res

    def measure(self, store: FalkorStore) -> None:
        res, as_of = self.res, self.as_of
        say("cold: the first Engine(store).summary()")
        eng = Engine(store)
        t0 = time.perf_counter()
        eng.summary(as_of=as_of)
        res["cold_summary_s"] = time.perf_counter() - t0
        again, loads = [], []
        for _ in range(3):  # more fresh engines: the load's own share, and the spread
            fresh = Engine(store)
            t0 = time.perf_counter()
            fresh.projection()
            t1 = time.perf_counter()
            fresh.summary(as_of=as_of)
            again.append(time.perf_counter() - t0)
            loads.append(t1 - t0)
        res["cold_again_s"] = again
        res["projection_load_s"] = statistics.median(loads)

        say("raw read for the numpy reference")
        t0 = time.perf_counter()
        raw = pull_raw(store)
        res["raw_read_s"] = time.perf_counter() - t0
        res["sizes"] = raw.sizes
        res["multi_branch_members"] = raw.m_multi_branch
        ref = Reference(raw, eng.policy)
        assert len(raw.roots) == 1, f"expected one county root, found {len(raw.roots)}"

        # the village: the median one by households; the chain: its first covered household
        by_size = sorted(
            range(len(raw.villages)),
            key=lambda s: (int((raw.h_slot == s).sum()), raw.area_code[raw.villages[s]]),
        )
        slot = by_size[len(by_size) // 2]
        village = raw.area_code[raw.villages[slot]]
        s0 = ref.day(yyyymmdd(as_of))
        in_village = np.flatnonzero(raw.h_slot == slot)
        covered_here = sorted(raw.h_id[int(h)] for h in in_village if s0.covered[h])
        hh = covered_here[0] if covered_here else raw.h_id[int(in_village[0])]
        res["village"] = {
            "code": village,
            "households": len(in_village),
            "uncovered": int((~s0.covered[in_village]).sum()),
        }
        res["chain_household"] = hh

        ops: dict[str, Callable[[dt.date], object]] = {
            "coverage": lambda d: eng.coverage(level="village", as_of=d),
            "summary": lambda d: eng.summary(as_of=d),
            "village": lambda d: eng.gaps(
                "household_uncovered", scope=village, as_of=d, page_size=PAGE
            ),
            "chain": lambda d: eng.chain(hh, as_of=d),
        }
        h = raw.h_index[hh]
        refs: dict[str, Callable[[dt.date], object]] = {
            "coverage": lambda d: ref.coverage(yyyymmdd(d)),
            "summary": lambda d: ref.counts(yyyymmdd(d)),
            "village": lambda d: ref.village_uncovered(yyyymmdd(d), slot),
            "chain": lambda d: ref.chain(yyyymmdd(d), h),
        }

        say("verifying the engine against the numpy reference")
        checked = self.verify(eng, ref, village, slot, hh, h)
        res["verified"] = checked

        days: Any = getattr(eng, "_days", None)  # the engine's per-date cache, if it has one

        def cached(d: dt.date) -> bool:
            return days is not None and parse_as_of(d)[1] in days

        timings: dict[str, dict[str, Any]] = {}
        for i, op in enumerate(OPS):
            say(f"timing {op}")
            fn = ops[op]
            fn(as_of)  # warm: the date's state and the scope are cached from here on
            same = run_series(fn, [as_of], self.reps)
            new = run_series(fn, self.dates(i), self.reps, cached if days is not None else None)
            numpy_ref = run_series(refs[op], self.dates(i), self.reps)
            timings[op] = {
                "same_as_of": same.as_dict(),
                "new_as_of": new.as_dict(),
                "numpy": numpy_ref.as_dict(),
                "ratio_same": same.p50_ms / numpy_ref.p50_ms,
                "ratio_new": new.p50_ms / numpy_ref.p50_ms,
            }
        res["timings"] = timings

        res["proposal"] = self.proposal(store, timings)
        res["life"] = self.life(eng, timings)
        res["weak_work"] = self.weak_work(eng, timings)
        res["freshness"] = self.freshness(store, eng, ref, raw, village, slot)
        if self.do_profile:
            say("profiling")
            res["profile"] = {
                "projection load by query (wall time through the store against the "
                "server's own execution time)": load_by_query(store),
                "cold projection load (cProfile, by own time)": profile(
                    lambda: Engine(store).projection()
                ),
                "summary, new as_of (cProfile, by own time)": profile(
                    lambda: eng.summary(as_of=as_of - dt.timedelta(days=999))
                ),
                "coverage, new as_of (cProfile, by own time)": profile(
                    lambda: eng.coverage(level="village", as_of=as_of - dt.timedelta(days=998))
                ),
            }

    def proposal(self, store: FalkorStore, timings: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """The whole county's contact proposal (docs/rules.md "Contact proposals") on 3 new
        dates each (so each call solves again), village by village and across villages; as a
        ratio to the coverage rollup on a new date, measured above in the same run."""
        out: dict[str, Any] = {}
        for name, policy in (
            ("village", Policy()),
            ("cross_village", Policy(proposal_cross_village=True)),
        ):
            say(f"timing the contact proposal ({name})")
            eng = Engine(store, policy=policy)
            eng.projection()
            runs, doc = [], {}
            for k in range(3):
                d = self.as_of - dt.timedelta(days=k)
                t0 = time.perf_counter()
                doc = eng.proposal(as_of=d, page_size=100)
                runs.append(time.perf_counter() - t0)
            p50 = statistics.median(runs)
            out[name] = {
                "seconds": runs,
                "p50_s": p50,
                "pairs": doc["items_total"],
                "open": doc["total"]["open"],
                "villages": len(doc["villages"]),
                "ratio_to_coverage_new_as_of": p50
                * 1000
                / timings["coverage"]["new_as_of"]["p50_ms"],
            }
        return out

    def life(self, eng: Engine, timings: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """Organisational life and dues (docs/rules.md): the summary's cost split between the
        14 rules over meetings and dues and the other rules, and the branch × month grid, on
        new dates (each recomputes the date's state); as ratios to the whole summary measured
        above in the same run."""
        say("timing the organisational-life rules and grid")
        p = eng.projection()
        life = [t for t in RULES if t in LIFE_LEDGER_GAP_TYPES]
        other = [t for t in RULES if t not in LIFE_LEDGER_GAP_TYPES]

        def counts(types: list[str]) -> Callable[[dt.date], object]:
            def run(d: dt.date) -> object:
                c, _ = eng._ctx(None, d)  # a fresh answer context, as summary() makes
                return [RULES[t].count(c) for t in types]

            return run

        base = timings["summary"]["new_as_of"]["p50_ms"]
        out: dict[str, Any] = {
            "meetings": len(p.k_id),
            "attendance_links": len(p.kp_member),
            "dues": len(p.d_member),
        }
        for name, fn in (
            ("life_rules", counts(life)),
            ("other_rules", counts(other)),
            ("grid", lambda d: eng.life_grid(as_of=d)),
        ):
            series = run_series(fn, self.dates(1), self.reps)  # the summary's own dates
            out[name] = {**series.as_dict(), "ratio_to_summary": series.p50_ms / base}
        return out

    def weak_work(self, eng: Engine, timings: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """The 软弱涣散 screening of every village organisation of the county, the rules of the
        rectification ledger, 第一书记 and 党小组 (docs/rules.md), on new dates; and each
        township's group ranking with its 流动红旗 over the last completed quarter (one date:
        a quarter's figures). As ratios to the whole summary measured above in the same run."""
        say("timing the screening, the ledger rules and the group ranking")
        p = eng.projection()
        townships = [
            p.area_code[a]
            for a in range(len(p.area_code))
            if p.area_level[a] == "township" and not p.area_external[a]
        ]
        types = [t for t in WEAK_WORK_GAP_TYPES if t in RULES]

        def rules(d: dt.date) -> object:
            c, _ = eng._ctx(None, d)  # a fresh answer context, as summary() makes
            return [RULES[t].count(c) for t in types]

        base = timings["summary"]["new_as_of"]["p50_ms"]
        doc = eng.screening(as_of=self.as_of)
        out: dict[str, Any] = {
            "screened": doc["screened"],
            "candidates": doc["candidates"],
            "rules": len(types),
            "townships": len(townships),
        }
        for name, fn in (
            ("screening", lambda d: eng.screening(as_of=d)),
            ("ledger_rules", rules),
        ):
            series = run_series(fn, self.dates(2), self.reps)
            out[name] = {**series.as_dict(), "ratio_to_summary": series.p50_ms / base}
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            for t in townships:
                eng.group_ranking(t, as_of=self.as_of)
            runs.append((time.perf_counter() - t0) * 1000)
        out["ranking_all_townships"] = {
            "runs_ms": runs,
            "p50_ms": statistics.median(runs),
            "ratio_to_summary": statistics.median(runs) / base,
        }
        return out

    def verify(
        self, eng: Engine, ref: Reference, village: str, slot: int, hh: str, h: int
    ) -> dict[str, Any]:
        """The engine's answers equal the reference's on as_of and every timed date."""
        dates = [self.as_of] + [d for i in range(len(OPS)) for d in self.dates(i)]
        rows = 0
        for d in dates:
            n = yyyymmdd(d)
            got, want = engine_coverage(eng.coverage(level="village", as_of=d)), ref.coverage(n)
            assert got == want, f"{d}: coverage differs: " + _diff(got, want)
            rows += len(got)
            page = eng.gaps("household_uncovered", scope=village, as_of=d, page_size=PAGE)
            total, ids = ref.village_uncovered(n, slot)
            assert (page["total"], [x["id"] for x in page["items"]]) == (total, ids), (
                f"{d}: uncovered households of {village} differ"
            )
            counts = eng.summary(as_of=d)["counts"]
            for rule, count in ref.counts(n).items():
                assert counts[rule] == count, f"{d}: {rule}: engine {counts[rule]}, numpy {count}"
            assert engine_chain(eng.chain(hh, as_of=d)) == ref.chain(n, h), (
                f"{d}: chain of {hh} differs: {engine_chain(eng.chain(hh, as_of=d))} "
                f"!= {ref.chain(n, h)}"
            )
        return {
            "dates": len(dates),
            "coverage_rows": rows,
            "checks": "coverage rows (all figures), the village's uncovered ids (page 1) "
            "and total, 4 rule counts, the chain's people and broken level",
        }

    def freshness(
        self, store: FalkorStore, eng: Engine, ref: Reference, raw: Raw, village: str, slot: int
    ) -> dict[str, Any]:
        """Write one contact, time the next summary(), and check the answer moved with it."""
        as_of = self.as_of
        n = yyyymmdd(as_of)
        s = ref.day(n)
        targets = sorted(
            raw.h_id[int(h)] for h in np.flatnonzero((raw.h_slot == slot) & ~s.covered)
        )
        members = sorted(
            raw.m_key[int(m)] for m in np.flatnonzero((raw.m_slot == slot) & s.at_home)
        )
        if not members:
            members = sorted(raw.m_key[int(m)] for m in np.flatnonzero(s.at_home))
        since = (as_of - dt.timedelta(days=1)).isoformat()
        trials = []
        for k in range(min(self.fresh, len(targets))):
            hid, member = targets[k], members[k % len(members)]
            before = eng.summary(as_of=as_of)["counts"]["household_uncovered"]
            say(f"freshness {k + 1}/{self.fresh}: {member} → {hid}")
            t0 = time.perf_counter()
            store.write(
                "upsert_household_contacts",
                rows=[{"member": member, "target": hid, "since": since, "until": None}],
            )
            write_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            after = eng.summary(as_of=as_of)["counts"]["household_uncovered"]
            next_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            eng.summary(as_of=as_of)
            again_s = time.perf_counter() - t0
            page = eng.gaps("household_uncovered", scope=village, as_of=as_of, page_size=PAGE)
            chain = eng.chain(hid, as_of=as_of)
            fresh = (
                after == before - 1
                and hid not in {x["id"] for x in page["items"]}
                and chain["levels"][0]["ok"]
                and member in {p["id"] for p in chain["levels"][0]["people"]}
            )
            assert fresh, (
                f"stale answer after writing {member} → {hid}: uncovered {before} → "
                f"{after}, chain {chain['levels'][0]}"
            )
            trials.append(
                {
                    "member": member,
                    "household": hid,
                    "write_ms": write_s * 1000,
                    "next_summary_s": next_s,
                    "following_summary_ms": again_s * 1000,
                    "uncovered_before": before,
                    "uncovered_after": after,
                    "fresh": fresh,
                }
            )
        return {
            "trials": trials,
            "next_summary_p50_s": statistics.median(t["next_summary_s"] for t in trials),
            "write_p50_ms": statistics.median(t["write_ms"] for t in trials),
            "stale": sum(not t["fresh"] for t in trials),
        }


def _diff(got: dict[str, tuple[int, ...]], want: dict[str, tuple[int, ...]]) -> str:
    keys = sorted(set(got) | set(want))
    bad = [(k, got.get(k), want.get(k)) for k in keys if got.get(k) != want.get(k)]
    return f"{len(bad)} rows, e.g. " + "; ".join(
        f"{k}: engine {g} numpy {w}" for k, g, w in bad[:3]
    )


# -- output -----------------------------------------------------------------------------------


def report(res: dict[str, Any]) -> str:
    sz = res["sizes"]
    imp = res["import"]
    lines = [
        f"orgraph gap-engine benchmark, as_of {res['as_of']}: {sz['households']:,} households, "
        f"{sz['members']:,} members, {sz['contacts']:,} contacts, {sz['villages']} villages, "
        f"{sz['areas']:,} areas",
        "versions: " + ", ".join(f"{k} {v}" for k, v in res["versions"].items()),
        f"load average (1/5/15 min) at start {_avg(res['loadavg_start'])}, at end "
        f"{_avg(res['loadavg_end'])}; FalkorDB memory {res['server_memory']}, this process "
        f"max RSS {res['python_max_rss_mb']:.0f} MB",
        "",
        f"demo generated in {res['generate_s']:.1f} s; imported {imp['rows']:,} rows in "
        f"{imp['seconds']:.1f} s ({imp['rows'] / imp['seconds']:,.0f} rows/s; then "
        f"{imp['log_rewrite_wait_s']:.1f} s for the importer's log rewrite)",
    ]
    if "grow" in res:
        g = res["grow"]
        for p in g["phases"]:
            lines.append(
                f"  grown: {p['block']:<28} {p['rows']:>8,} rows {p['seconds']:>6.1f} s "
                f"{p['rows_per_s'] or 0:>8,.0f} rows/s"
            )
        lines.append(f"  log rewrite after growing: {g['log_rewrite_s']:.1f} s")
    v = res["village"]
    lines += [
        "",
        f"cold: first Engine(store).summary() after the load: {res['cold_summary_s']:.2f} s; "
        f"3 more fresh engines: "
        + ", ".join(f"{x:.2f}" for x in res["cold_again_s"])
        + f" s, of which loading the projection (median) {res['projection_load_s']:.2f} s",
        f"numpy reference: raw read from the graph {res['raw_read_s']:.1f} s (outside the timing)",
        f"village {v['code']} (median by households): {v['households']} households, "
        f"{v['uncovered']} uncovered on as_of; chain of household {res['chain_household']}",
        "",
        f"{'warm answer':<30} {'as_of':<9} {'n':>3} {'p50 ms':>9} {'p95 ms':>9} "
        f"{'numpy p50':>9} {'×numpy':>7} {'target p50':>10}  ok",
    ]
    for op in OPS:
        t = res["timings"][op]
        target = TARGETS_MS.get(op)
        for k, (label, key) in enumerate((("same", "same_as_of"), ("new", "new_as_of"))):
            s = t[key]
            ok = "-" if target is None else ("yes" if s["p50_ms"] <= target else "NO")
            hits = f" ({s['cache_hits']} cache hits)" if s.get("cache_hits") is not None else ""
            lines.append(
                f"{OP_TITLES[op] if k == 0 else '':<30} {label:<9} {s['n']:>3} "
                f"{s['p50_ms']:>9.2f} {s['p95_ms']:>9.2f} {t['numpy']['p50_ms']:>9.2f} "
                f"{t['ratio_' + label]:>7.1f} "
                f"{f'≤ {target:g} ms' if target else '':>10}  {ok}{hits}"
            )
    f = res["freshness"]
    trials = f["trials"]
    lines += [
        "",
        f"freshness: {len(trials)} single-contact writes (upsert_household_contacts), "
        f"write p50 {f['write_p50_ms']:.1f} ms; the next summary() (projection reload) p50 "
        f"{f['next_summary_p50_s']:.2f} s ("
        + ", ".join(f"{t['next_summary_s']:.2f}" for t in trials)
        + " s), the one after "
        + ", ".join(f"{t['following_summary_ms']:.0f}" for t in trials)
        + " ms",
        f"  stale answers: {f['stale']} of {len(trials)} (target: none) — each write asserted: "
        "uncovered count -1, the household off its village's list, its chain whole at the "
        "household level with the new member",
        f"verified equal to the numpy reference on {res['verified']['dates']} dates "
        f"({res['verified']['coverage_rows']:,} coverage rows): {res['verified']['checks']}",
    ]
    for name, pr in res.get("proposal", {}).items():
        lines.append(
            f"contact proposal ({name}): p50 {pr['p50_s']:.2f} s ("
            + ", ".join(f"{x:.2f}" for x in pr["seconds"])
            + f" s; {pr['ratio_to_coverage_new_as_of']:.0f}× the coverage rollup on a new date), "
            f"{pr['pairs']:,} pairs for {pr['open']:,} open households in {pr['villages']} villages"
        )
    if "life" in res:
        lf = res["life"]
        lines.append(
            f"organisational life ({lf['meetings']:,} meetings, {lf['attendance_links']:,} "
            f"attendance links, {lf['dues']:,} dues payments), new as_of p50: "
            + "; ".join(
                f"{name} {lf[name]['p50_ms']:.1f} ms ({lf[name]['ratio_to_summary']:.2f}× summary)"
                for name in ("life_rules", "other_rules", "grid")
            )
        )
    if "weak_work" in res:
        w = res["weak_work"]
        lines.append(
            f"软弱涣散/第一书记/党小组 ({w['screened']} village organisations screened, "
            f"{w['candidates']} candidates; {w['rules']} rules), new as_of p50: "
            + "; ".join(
                f"{name} {w[name]['p50_ms']:.1f} ms ({w[name]['ratio_to_summary']:.2f}× summary)"
                for name in ("screening", "ledger_rules")
            )
            + f"; the group ranking of all {w['townships']} townships "
            f"{w['ranking_all_townships']['p50_ms']:.0f} ms "
            f"({w['ranking_all_townships']['ratio_to_summary']:.2f}× summary)"
        )
    if res.get("multi_branch_members"):
        lines.append(
            f"  note: {res['multi_branch_members']} members have several branches "
            "(coverage counts them at the home area of the smallest branch id)"
        )
    lines += [
        "",
        "same: the date's state cached (the first call of the series warmed it); new: a "
        f"different as_of every call ({DATES_PER_SERIES} dates {DATE_STEP_DAYS} days apart, "
        "cycled), so the engine recomputes the date's state each time.",
        "Timings are wall-clock on a shared machine (see the load average): read the ratios "
        "more than the absolute figures.",
        REFERENCES,
    ]
    for name, text in res.get("profile", {}).items():
        lines += ["", f"profile, {name}:", text]
    return "\n".join(lines)


def _avg(values: Sequence[float]) -> str:
    return "/".join(f"{x:.2f}" for x in values)


def _raise_exit(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Time the gap engine's answers on the embedded FalkorDB, against numpy."
    )
    ap.add_argument(
        "--households",
        type=int,
        help="grow the imported demo county to this many households (e.g. 300000)",
    )
    ap.add_argument("--reps", type=int, default=40, help="timed calls per series (40, ≥ 30)")
    ap.add_argument("--fresh", type=int, default=3, help="single-contact writes timed (3)")
    ap.add_argument("--seed", type=int, default=1, help="demo and growth seed (1)")
    ap.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=clock.today(),
        help="the demo's and the answers' date (today)",
    )
    ap.add_argument(
        "--profile",
        action="store_true",
        help="append cProfile tops of a projection load and new-date answers",
    )
    ap.add_argument("--json", type=Path, help="also write the results to this file")
    args = ap.parse_args(argv)
    if args.reps < DATES_PER_SERIES or args.fresh < 1:
        ap.error(f"--reps must be at least {DATES_PER_SERIES} and --fresh at least 1")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_exit)
    root = Path(tempfile.mkdtemp(prefix="orge-", dir="/tmp"))
    bench = Bench(
        root,
        households=args.households,
        reps=args.reps,
        seed=args.seed,
        as_of=args.as_of,
        fresh=args.fresh,
        do_profile=args.profile,
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
