"""Recorded reads (analysis/tracking.py): an engine keeps a day's values and a rule's count
across a catch-up that left every field they read the same object, so the record must hold
every field the computation used. Proven here by computing each again on a copy of the
projection where every other field is poison (any use fails the test), on the tiny demo on
both engines; and that after a write the engine recounts exactly the rules whose reads the
write changed, answering as a fresh engine does."""

from __future__ import annotations

import copy
from typing import Any, NoReturn

import numpy as np
import pytest

from orgraph.analysis import coverage
from orgraph.analysis.context import Ctx
from orgraph.analysis.engine import Engine
from orgraph.analysis.projection import Projection
from orgraph.analysis.rules import RULES
from orgraph.analysis.scope import resolve
from orgraph.analysis.state import VALUES, compute
from orgraph.analysis.tracking import ALWAYS, FIELDS, Kept, Tracker, changed_fields, tracked
from orgraph.policy import get_policy
from orgraph.store import GraphStore
from tests.projection.conftest import AS_OF

DAYS = (20260101, 20261101)


class Poison:
    """A field the computation did not record: any use of it fails."""

    def _fail(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AssertionError("read a projection field that is not among its recorded reads")

    __getattr__ = __len__ = __iter__ = __getitem__ = __bool__ = __contains__ = _fail
    __array__ = __index__ = __int__ = __float__ = __str__ = __format__ = _fail
    __and__ = __rand__ = __or__ = __ror__ = __invert__ = __xor__ = _fail
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _fail  # type: ignore[assignment]
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __neg__ = _fail
    __hash__ = None  # type: ignore[assignment]


def poisoned(p: Projection, reads: set[str] | frozenset[str]) -> Projection:
    q = copy.copy(p)
    for name in FIELDS - set(reads) - {"derived", "derived_reads"}:
        object.__setattr__(q, name, Poison())
    q.derived, q.derived_reads = {}, {}  # nothing computed before: all of it from q
    return q


def test_poison_fails_what_reads_it() -> None:
    """The proof below is only as good as the poison: every use a rule makes of a field fails."""
    p = Projection(revision="r")
    p.m_on_roll = np.ones(3, dtype=bool)
    q = poisoned(p, set())
    for use in (
        lambda: len(q.m_key),
        lambda: q.m_on_roll & np.ones(3, dtype=bool),
        lambda: np.flatnonzero(q.m_on_roll),
        lambda: q.m_on_roll[0],
        lambda: np.ones(3)[q.m_on_roll],
        lambda: [x for x in q.m_branches],
        lambda: "x" in q.area_index,
        lambda: q.area_index.get("x"),
        lambda: q.open_outflows(20260101),
    ):
        with pytest.raises(AssertionError, match="recorded reads"):
            use()


def test_a_tracked_projection_notes_fields_methods_properties_and_caches() -> None:
    p = Projection(revision="r")
    p.o_left = np.asarray([20250101], np.int64)
    p.o_end = np.asarray([99991231], np.int64)
    p.o_member = np.asarray([0], np.int64)
    p.m_key = ["M1"]
    p.area_parent, p.area_external = [-1], [False]
    t = Tracker()
    view = tracked(p, t)
    with t.frame() as outer:
        _ = view.m_key
        with t.frame() as inner:
            view.away(20260101)  # a method: runs on the view
        _ = view.roots  # a property: reads area_parent and area_external
        view.once("declared", lambda: 1, ("c_house",))
        view.once("undeclared", lambda: 2)
    assert inner == {"o_left", "o_end", "o_member", "m_key"}
    assert outer == inner | {"area_parent", "area_external", "c_house"} | ALWAYS
    assert p.derived == {"declared": 1, "undeclared": 2}  # computed on the projection itself
    with pytest.raises(AttributeError, match="read-only"):
        view.m_key = []


@pytest.mark.parametrize("day", DAYS)
def test_day_values_read_only_their_recorded_reads(county: GraphStore, day: int) -> None:
    p = Engine(county, snapshots=False).projection()
    policy = get_policy()
    whole = compute(p, day, policy)
    for name in VALUES:
        value = getattr(whole, name)
        again = getattr(compute(poisoned(p, whole.reads[name]), day, policy), name)
        assert np.array_equal(again, value), name


@pytest.mark.parametrize("day", DAYS)
def test_rules_read_only_their_recorded_reads(county: GraphStore, day: int) -> None:
    """Every rule's count and has_data, and every coverage table, county-wide and in each
    township, computed again on a
    projection holding only the fields recorded for it (the scope resolved on the whole one:
    the engine adds the scope's fields to every count's reads)."""
    p = Engine(county, snapshots=False).projection()
    policy = get_policy()
    refs = [None, *(p.area_code[a] for a, lv in enumerate(p.area_level) if lv == "township")]
    recounted = 0
    for ref in refs:
        sc = resolve(p, ref)
        members = sc.members(p)
        view = Ctx(p, compute(p, day, policy), sc, policy, members).tracked()
        assert view.tracker is not None
        for t, rule in RULES.items():
            with view.tracker.frame() as reads:
                want = (rule.count(view), rule.has_data(view))
            if reads >= ALWAYS:
                continue  # never kept: nothing to prove
            q = poisoned(p, reads)
            c = Ctx(q, compute(q, day, policy), sc, policy, members)
            assert (rule.count(c), rule.has_data(c)) == want, (t, ref)
            recounted += 1
        for level in ("township", "village", "hamlet"):  # the coverage tables, kept alike
            with view.tracker.frame() as reads:
                rows = coverage.rows(view, level)
            q = poisoned(p, reads)
            assert (
                coverage.rows(Ctx(q, compute(q, day, policy), sc, policy, members), level) == rows
            )
    assert recounted >= len(RULES) * len(refs) - len(refs)  # at most one rule left unproven


def test_a_write_recounts_what_read_it_and_answers_as_fresh(county: GraphStore) -> None:
    """A dues payment changes the dues table only: after it the engine recounts the rules
    that read dues and keeps the rest (the same objects), keeps the coverage rows, keeps the
    day's values that read no dues, and answers as a new engine."""
    eng = Engine(county, snapshots=False)
    before = eng.summary(as_of=AS_OF)
    rows = eng.coverage(as_of=AS_OF)["rows"]
    p = eng.projection()
    m = next(k for k, on in zip(p.m_key, p.m_on_roll, strict=True) if on)
    county.write(
        "upsert_dues",
        rows=[{"id": f"{m}|2026-10", "member": m, "props": {"paid_to": "2026-10"}}],
    )
    kept_before = dict(eng._kept.values)
    after = eng.summary(as_of=AS_OF)
    q = eng.projection()
    assert eng.loads == 1 and eng.deltas == 1
    changed = changed_fields(p, q)
    assert changed and changed <= {"d_member", "d_month", "d_on", "revision", "seq"}
    day = int(AS_OF.strftime("%Y%m%d"))

    def count(t: str) -> Any:
        return ("count", t, day, None)

    kept = [t for t in RULES if eng._kept.values[count(t)] is kept_before[count(t)]]
    recounted = set(RULES) - set(kept)
    assert recounted == {t for t in RULES if not kept_before[count(t)][1].isdisjoint(changed)}
    assert {"dues_arrears", "dues_lapse"} <= recounted
    assert "household_uncovered" in kept
    fresh = Engine(county, snapshots=False)
    assert after == fresh.summary(as_of=AS_OF)
    assert before["counts"].keys() == after["counts"].keys()
    again = eng.coverage(as_of=AS_OF)["rows"]
    assert again is rows and again == fresh.coverage(as_of=AS_OF)["rows"]
    day_state = eng._day(q, day)
    assert {"covered", "away", "current"} <= set(day_state.computed())
    assert "covered" in day_state.reads


def test_kept_values_are_bounded_by_weight_and_carried_by_reads() -> None:
    kept = Kept(limit=10)
    kept.put("a", 1, {"m_key"})
    kept.put("table", [0] * 6, {"hh_id"}, weight=6)
    kept.put("b", 2, {"d_on"}, weight=3)
    assert kept.weight == 10 and kept.get("a") == 1
    kept.put("c", 3, {"c_house"})  # over the limit: the oldest goes
    assert kept.get("a") is None and kept.weight == 10
    kept.put("table", [0], {"hh_id"})  # replaced: its old weight given back
    assert kept.weight == 5
    after = kept.carry(frozenset({"d_on", "revision"}))
    assert after.get("b") is None and after.get("c") == 3 and after.get("table") == [0]
    assert after.weight == 2 and after.limit == 10
    big = Kept(limit=3)
    big.put("rows", [0] * 5, set(), weight=5)  # alone over the limit: kept (the answer needs it)
    assert big.get("rows") == [0] * 5
