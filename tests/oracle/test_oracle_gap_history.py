"""The gap ledger equals a plain-Python replay (docs/rules.md "Gap life") on generated
histories: a county imported on two to three increasing days, edited between them (contacts
ended and added, roles and categories changed), every import recorded; the ledger's episodes
must equal the replay of the oracle's gap items on each day, item by item, and the ages the
engine gives at the first and the last day must equal the replay's.

FalkorDB runs 12 histories per run, Neo4j 3 (each step is an import and an observation over
Bolt); ORACLE_EXAMPLES=n runs n on both."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import itertools
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from orgraph.analysis import gap_ledger, year_end
from orgraph.analysis.engine import MAX_PAGE_SIZE, Engine
from orgraph.importer import history
from orgraph.importer.history import Origin
from orgraph.importer.pipeline import import_files
from orgraph.policy import Policy
from orgraph.store import GraphStore
from orgraph.vocab import GAP_TYPE_NAMES as RULE_TYPES

from .county_model import MEMBERS_FILE, Contact, County, write_rosters
from .gap_history import Item, age_at, replay
from .harness import KEY, problems, reset
from .ledger import EPISODE_RULES
from .oracle import Oracle
from .strategies import DATES, IMPORT_TODAY, counties
from .test_oracle_equivalence import examples

AGE_KEYS = ("first_seen", "age_days", "age_at_least", "age_unknown")


@st.composite
def histories(draw: st.DrawFn) -> tuple[County, list[tuple[str, County]]]:
    """A county, and two or three (day, county as it stands that day) steps, days increasing."""
    county = dataclasses.replace(draw(counties(max_members=20)), actions=[])
    days = sorted(set(DATES) | set(county.as_ofs))
    chosen = sorted(draw(st.sets(st.sampled_from(days), min_size=2, max_size=3), label="days"))
    steps = [(chosen[0], county)]
    for day in chosen[1:]:
        steps.append((day, draw(edited(steps[-1][1], day))))
    return county, steps


@st.composite
def edited(draw: st.DrawFn, before: County, day: str) -> County:
    """The county on `day`: some active household contacts end that day, some new ones begin,
    some roles and categories change."""
    c = copy.deepcopy(before)
    for ct in c.contacts:
        active = (ct.since or "") <= day and (ct.until is None or ct.until > day)
        if active and ct.target_kind == "household" and draw(st.booleans()):
            ct.until = day
    keys = {(ct.member, ct.target, ct.since) for ct in c.contacts}
    on_roll = [m.member_no for m in c.members if m.on_roll]
    if on_roll and c.households:
        for _ in range(draw(st.integers(0, 3))):
            no = draw(st.sampled_from(on_roll))
            h = draw(st.sampled_from(c.households)).id
            if (no, h, day) not in keys:
                keys.add((no, h, day))
                c.contacts.append(Contact(member=no, target_kind="household", target=h, since=day))
    for member in c.members:
        if not member.on_roll:  # not on the roster a later step imports
            continue
        if draw(st.integers(0, 4)) == 0:
            member.roles = sorted(set(member.roles) ^ {"village_committee"})
        if member.category == "probationary" and draw(st.booleans()):
            member.category = "full"
    return c


def gap_items(county: County, day: str) -> set[Item]:
    oracle = Oracle(county, {})
    return {(t, i) for t in RULE_TYPES for i in oracle.gaps(t, None, day)}


def import_step(store: GraphStore, county: County, day: str, *, first: bool) -> None:
    """Import the county as it stands on `day`, recorded (so observed, dated `day`) once. The
    first step imports every member, then the on-roll ones with snapshot=True (off-roll
    members exist only so); later steps import the on-roll members with snapshot=True and
    every other kind in one import, so the values it replaces are all in its field history."""
    origin = Origin("测试", "cli")
    with tempfile.TemporaryDirectory(prefix="og-ledger-") as tmp:
        files = write_rosters(county, Path(tmp))
        if first or files.snapshot is None:
            report = import_files(
                store,
                files.first,
                key=KEY,
                today=IMPORT_TODAY,
                on=_day(day),
                origin=origin if files.snapshot is None else None,
            )
            assert problems(report) == []
        if files.snapshot is not None:
            paths = [files.snapshot]
            if not first:
                paths += [p for p in files.first if p.name != MEMBERS_FILE]
            report = import_files(
                store,
                paths,
                key=KEY,
                snapshot=True,
                today=IMPORT_TODAY,
                on=_day(day),
                origin=origin,
            )
            assert problems(report) == []


def _day(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


def check_history(store: GraphStore, steps: list[tuple[str, County]]) -> None:
    reset(store)
    for n, (day, county) in enumerate(steps):
        import_step(store, county, day, first=n == 0)
    want = check_ledger(store, steps, today=IMPORT_TODAY)
    event(f"{len(steps)} steps")
    event("an episode closed" if any(ep["resolved_on"] for ep in want) else "none closed")
    if len({(ep["type"], ep["item"]) for ep in want}) < len(want):
        event("an item reopened")


def check_ledger(
    store: GraphStore,
    steps: list[tuple[str, County]],
    *,
    today: dt.date,
    note: Callable[[str], None] = event,
) -> list[dict[str, Any]]:
    """The graph's recorded imports (one a step, each observed on its day), gap ledger,
    changes, year-end summaries and ages against the plain-Python replay of the oracle's gap
    items of each step's county on its day (also the demo county month by month:
    tests/demo/test_demo_months.py). `today`: the day the year-end summaries are made. The
    replay's episodes are returned; `note` tells hypothesis what the history held (outside
    a hypothesis test: a no-op)."""
    want = replay([(day, gap_items(county, day)) for day, county in steps])

    got = [
        {k: ep[k] for k in ("type", "item", "first_seen", "resolved_on")}
        for ep in gap_ledger.episodes(store)
    ]
    key = lambda ep: (ep["type"], ep["item"], ep["first_seen"])  # noqa: E731
    assert sorted(got, key=key) == sorted(want, key=key)
    recorded = history.imports(store)["items"]
    assert [e["on"] for e in reversed(recorded)] == [d for d, _ in steps]
    assert [e["observation"] for e in reversed(recorded)] == list(range(1, len(steps) + 1))

    if len(steps) > 1:
        check_changes(store, steps, want, [e["id"] for e in reversed(recorded)], note)
    check_year_end(store, steps, today, note)

    engine = Engine(store, policy=Policy())
    began = steps[0][0]
    for d in (steps[0][0], steps[-1][0]):
        for t in RULE_TYPES:
            doc = engine.gaps(t, as_of=d, page_size=MAX_PAGE_SIZE, ages=True)
            for it in doc["items"]:
                # one item per rectification episode: id|opened_on (as in compare.gap_diffs)
                lid = f"{it['id']}|{it.get('opened_on') or ''}" if t in EPISODE_RULES else it["id"]
                expect = age_at(want, began, (t, lid), d)
                assert {k: it[k] for k in AGE_KEYS} == expect, (t, lid, d)
            # the age filter keeps the items at least that old (ages from the kept ledger)
            n = (_day(d) - _day(began)).days
            old = engine.gaps(t, as_of=d, page_size=MAX_PAGE_SIZE, min_age_days=n)
            assert [it["id"] for it in old["items"]] == [
                it["id"]
                for it in doc["items"]
                if it["age_days"] is not None and it["age_days"] >= n
            ], (t, d, n)
    return want


@pytest.mark.timeout(900)
@examples(12)
@given(h=histories())
def test_gap_ledger_equals_replay_falkordb_12_histories(
    falkordb_graph: GraphStore, h: tuple[County, list[tuple[str, County]]]
) -> None:
    check_history(falkordb_graph, h[1])


@pytest.mark.neo4j
@pytest.mark.timeout(900)
@examples(3)
@given(h=histories())
def test_gap_ledger_equals_replay_neo4j_3_histories(
    neo4j_graph: GraphStore, h: tuple[County, list[tuple[str, County]]]
) -> None:
    check_history(neo4j_graph, h[1])


def check_changes(
    store: GraphStore,
    steps: list[tuple[str, County]],
    episodes: list[dict[str, Any]],
    imports: list[str],
    note: Callable[[str], None],
) -> None:
    """The changes from the first import to the last, by import and by day, against the
    replay's episodes and the edits the history made (docs/rules.md "Changes between two
    points"): county-wide, and in each of two townships (what lies in it, "In a scope")."""
    d1 = steps[0][0]
    edits = set()
    for (_, before), (_, after) in itertools.pairwise(steps):
        was = {m.member_no: m for m in before.members}
        for m in after.members:
            if sorted(m.roles) != sorted(was[m.member_no].roles):
                edits.add((m.member_no, "roles"))
            if (m.category or "") != (was[m.member_no].category or ""):
                edits.add((m.member_no, "category"))
    oracle = Oracle(steps[-1][1], {})
    engine = Engine(store, policy=Policy())
    towns = sorted(a.code for a in steps[-1][1].areas if a.level == "township")
    for scope in (None, *towns[:2]):
        keep = in_scope(oracle, scope)
        mine = [e for e in episodes if keep(e["item"])]
        opened = Counter(e["type"] for e in mine if e["first_seen"] > d1)
        closed = Counter(e["type"] for e in mine if e["resolved_on"] is not None)
        gaps = [
            {"type": t, "opened": opened[t], "closed": closed[t]}
            for t in sorted(opened.keys() | closed.keys())
        ]
        hh = [e for e in mine if e["type"] == "household_uncovered"]
        still = {e["item"] for e in hh if e["resolved_on"] is None}
        households = {
            "newly_uncovered": sorted({e["item"] for e in hh if e["first_seen"] > d1} & still),
            "newly_covered": sorted({e["item"] for e in hh if e["resolved_on"]} - still),
        }
        for since, until in ((imports[0], imports[-1]), (d1, steps[-1][0])):
            doc = engine.changes(since, until, scope=scope)
            assert doc["scope"] == (scope or oracle.county_code)
            where = (scope, since, until)
            assert [{k: g[k] for k in ("type", "opened", "closed")} for g in doc["gaps"]] == gaps
            assert doc["households"] == households, where
            got = {
                (f["key"], f["field"])
                for f in doc["fields"]["items"]
                if f["kind"] == "members" and f["field"] in ("roles", "category")
            }
            assert got == {(k, f) for k, f in edits if keep(k)}, where
        if scope is not None and mine:
            note("changes: a township with changes")


def in_scope(o: Oracle, ref: str | None) -> Callable[[str], bool]:
    """Whether a gap item's id (or a member's key) lies in scope `ref`, by what it names
    (docs/rules.md "Changes between two points", "In a scope"): a household by its area, a
    member as the scope's members, an area or org by itself, an id `a|b|…` by its first org
    among its first two parts (a rectification or meeting: the first; a 第一书记 appointment
    member|org|since: the second); anything else (a city) only in the whole county, where a
    member whose branches are all away from the county is still not."""
    s = o.scope(ref)
    members = {m.member_no for m in o.members_in(s)}

    def keep(item: str) -> bool:
        if item in o.households:
            return o.households[item].area in s.areas
        if item in o.members:
            return item in members
        if item in o.areas:
            return item in s.areas
        if item in o.orgs:
            return item in s.orgs
        org = next((part for part in item.split("|")[:2] if part in o.orgs), None)
        return org in s.orgs if org is not None else s.whole

    return keep


def year_end_counts(store: GraphStore, county: County, year: int) -> dict[str | None, Counter[str]]:
    """Per township code (None: no township), the gap episodes opened and closed in `year`
    and the departures and returns dated in it (docs/rules.md "Year-end summary"), recounted
    from the ledger's raw episodes and the model: a household by its area, a member by the
    area its branch (or the nearest org above) serves, else its household's, an area by its
    township, an org by the area it or an org above serves, an id `a|b|…` by its first org."""
    areas = {a.code: a for a in county.areas}
    orgs = {o.id: o for o in county.orgs}
    homes = {h.id: h.area for h in county.households}
    members = {m.member_no: m for m in county.members}

    def township(code: str | None) -> str | None:
        while code is not None and code in areas:
            if areas[code].level == "township":
                return code
            code = areas[code].parent
        return None

    def served(oid: str | None) -> str | None:
        seen = set()
        while oid is not None and oid in orgs and oid not in seen:
            seen.add(oid)
            if orgs[oid].area:
                return orgs[oid].area
            oid = orgs[oid].parent
        return None

    def of_member(no: str) -> str | None:
        m = members[no]
        area = served(m.branch)
        if area is None and m.household:
            area = homes[m.household]
        return township(area)

    def locate(item: str) -> str | None:
        if item in homes:
            return township(homes[item])
        if item in members:
            return of_member(item)
        if item in areas:
            return township(item)
        for part in item.split("|")[:2]:
            if part in orgs:
                return township(served(part))
        return None

    lo, hi = f"{year - 1}-12-31", f"{year}-12-31"
    out: dict[str | None, Counter[str]] = {}
    for ep in store.read("gap_episodes_all"):
        where = out.setdefault(locate(ep["item"]), Counter())
        where["gaps_opened"] += lo < ep["first_seen"] <= hi
        where["gaps_closed"] += ep["resolved_on"] is not None and lo < ep["resolved_on"] <= hi
    for o in county.outflows:
        where = out.setdefault(of_member(o.member), Counter())
        where["departures"] += lo < o.left_on <= hi
        where["returns"] += o.returned_on is not None and lo < o.returned_on <= hi
    return out


def check_year_end(
    store: GraphStore, steps: list[tuple[str, County]], today: dt.date, note: Callable[[str], None]
) -> None:
    """The year-end summary of each year a step falls in (complete years: made on the imports'
    day) against year_end_counts over the county as the last step left it."""
    county = steps[-1][1]
    engine = Engine(store, policy=Policy())
    keys = ("gaps_opened", "gaps_closed", "departures", "returns")
    towns = sorted(a.code for a in county.areas if a.level == "township")
    for year in sorted({int(day[:4]) for day, _ in steps}):
        want = year_end_counts(store, county, year)
        doc = year_end.summary(engine, year, today=today)
        assert [r["code"] for r in doc["townships"]] == towns
        rows = [*doc["townships"], doc["unlocated"]]
        got = {r["code"]: {k: r[k] for k in keys} for r in rows}
        assert got == {t: {k: want.get(t, Counter())[k] for k in keys} for t in got}, year
        assert not want.keys() - got.keys(), year
        if want.get(None, Counter())["gaps_opened"]:
            note("year-end: an item no township holds")
        if sum(want.get(t, Counter())["gaps_closed"] for t in towns):
            note("year-end: an item closed in a township")
        total = {k: sum(c[k] for c in want.values()) for k in keys}
        assert {k: doc["county"][k] for k in keys} == total, year
