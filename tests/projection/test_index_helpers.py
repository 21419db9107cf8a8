"""The projection's lookup helpers that replaced whole-column scans (issue #12: a city's
summary spent seconds scanning every contact or attendance per appointment, every group record
per group): each must give exactly what the scan gave. Pure logic, so plain hypothesis data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from orgraph.analysis.life import _without
from orgraph.analysis.projection import LazyIndex, Projection, org_member_counts, rows_of
from orgraph.store import GraphStore
from tests.projection.conftest import AS_OF

ints = st.lists(st.integers(min_value=0, max_value=12), max_size=60)


@given(ints, st.integers(min_value=-1, max_value=14))
def test_rows_of_equals_a_scan(column: list[int], key: int) -> None:
    p = Projection(revision="r")
    p.c_member = np.asarray(column, dtype=np.int64)
    want = [i for i, v in enumerate(column) if v == key]
    assert rows_of(p, "c_member", key).tolist() == want


def test_rows_of_follows_a_new_column() -> None:
    """The sort is cached per projection and column: a projection whose column was replaced
    (a catch-up copies the projection and drops what read the changed field) sorts again."""
    p = Projection(revision="r")
    p.c_member = np.asarray([3, 1, 3], dtype=np.int64)
    assert rows_of(p, "c_member", 3).tolist() == [0, 2]
    q = Projection(revision="s")
    q.c_member = np.asarray([1, 1, 3, 3], dtype=np.int64)
    assert rows_of(q, "c_member", 3).tolist() == [2, 3]
    assert rows_of(q, "c_member", 2).tolist() == []


@given(ints, ints)
def test_without_equals_isin(values: list[int], drop: list[int]) -> None:
    v = np.unique(np.asarray(values, dtype=np.int64))
    d = np.unique(np.asarray(drop, dtype=np.int64))
    assert _without(v, d).tolist() == v[~np.isin(v, d)].tolist()


def test_household_rules_mask_equals_their_list(county: GraphStore) -> None:
    """A household rule's mask (the gap page's fast path) names exactly what `find` lists, and
    a page from it is the page of `find`'s items sorted by id."""
    from orgraph.analysis.engine import Engine
    from orgraph.analysis.rules import RULES, by_id, households_by_id

    engine = Engine(county, snapshots=False)
    with_mask = [t for t, rule in RULES.items() if rule.households is not None]
    assert with_mask == ["household_uncovered", "household_contact_away"]
    for as_of in (AS_OF, dt.date(2026, 3, 31)):
        c, _ = engine._ctx(None, as_of)
        for t in with_mask:
            rule = RULES[t]
            assert rule.households is not None
            listed = rule.find(c)
            assert listed, t  # the tiny demo has both kinds
            found = households_by_id(c.graph, rule.households(c)).tolist()
            assert [("h", h) for h in found] == by_id(c.graph, listed)
            assert [c.graph.hh_id[h] for h in found] == sorted(c.graph.hh_id[i] for _, i in listed)
            page = engine.gaps(t, as_of=as_of, page=2, page_size=7)
            want = sorted(c.graph.hh_id[i] for _, i in listed)[7:14]
            assert [item["id"] for item in page["items"]] == want
            assert page["total"] == len(listed)


KEYS = st.lists(st.text(alphabet="abc", max_size=3), unique=True, max_size=8)
OPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "contains",
                "get",
                "getitem",
                "setitem",
                "delitem",
                "iter",
                "reversed",
                "len",
                "eq",
                "ne",
                "repr",
                "or",
                "ror",
                "ior",
                "keys",
                "values",
                "items",
                "copy",
                "pop",
                "popitem",
                "setdefault",
                "update",
                "dict",
                "unpack",
                "clear",
                "pickle",
            ]
        ),
        st.text(alphabet="abcd", max_size=3),
    ),
    max_size=6,
)


@given(KEYS, OPS)
def test_lazy_index_is_a_dict_whatever_is_asked_first(keys: list[str], ops: list[Any]) -> None:
    """The snapshot's lazy `{key: position}` answers every dict operation as the dict it
    stands for, whichever operation comes first (each one builds it)."""
    import pickle

    lazy, plain = LazyIndex(list(keys)), {k: i for i, k in enumerate(keys)}
    for op, key in ops:
        got, want = _apply(lazy, op, key), _apply(plain, op, key)
        assert got == want, (op, key)
        assert dict(lazy.items()) == plain and type(lazy) is LazyIndex
    assert lazy == plain and plain == lazy and (lazy != plain) is False
    assert pickle.loads(pickle.dumps(lazy)) == plain


def _apply(d: Any, op: str, key: str) -> Any:
    import pickle

    def fails(f: Any) -> Any:
        try:
            return ("ok", f())
        except KeyError:
            return ("KeyError",)

    calls: dict[str, Callable[[], Any]] = {
        "contains": lambda: key in d,
        "get": lambda: d.get(key, -7),
        "getitem": lambda: fails(lambda: d[key]),
        "setitem": lambda: d.__setitem__(key, 99),
        "delitem": lambda: fails(lambda: d.__delitem__(key)),
        "iter": lambda: list(iter(d)),
        "reversed": lambda: list(reversed(d)),
        "len": lambda: len(d),
        "eq": lambda: d == {key: 0},
        "ne": lambda: d != {},
        "repr": lambda: repr(dict(d)),
        "or": lambda: d | {key: 5},
        "ror": lambda: {key: 5} | d,
        "ior": lambda: dict(d.__ior__({key: 6})),
        "keys": lambda: list(d.keys()),
        "values": lambda: list(d.values()),
        "items": lambda: list(d.items()),
        "copy": lambda: d.copy(),
        "pop": lambda: d.pop(key, None),
        "popitem": lambda: fails(lambda: d.popitem()),
        "setdefault": lambda: d.setdefault(key, 42),
        "update": lambda: d.update({key: 1}),
        "dict": lambda: dict(d),
        "unpack": lambda: {**d},
        "clear": lambda: d.clear(),
        "pickle": lambda: pickle.loads(pickle.dumps(d)),
    }
    return calls[op]()


@given(
    st.lists(
        st.tuples(
            st.lists(st.integers(min_value=0, max_value=5), max_size=4),
            st.booleans(),
            st.booleans(),
        ),
        max_size=40,
    ),
    st.integers(min_value=0, max_value=3),
)
def test_org_member_counts_equal_the_loop(members: list[Any], extra_orgs: int) -> None:
    """Per org, on-roll members linked to it (once however often linked) and the full ones:
    the pairs counted at once equal the loop over members they replaced."""
    links = [m[0] for m in members]
    on_roll = np.asarray([m[1] for m in members], dtype=bool)
    full = np.asarray([m[2] for m in members], dtype=bool)
    orgs = 6 + extra_orgs
    total, fulls = np.zeros(orgs, np.int64), np.zeros(orgs, np.int64)
    for m, linked in enumerate(links):
        if on_roll[m]:
            for o in set(linked):
                total[o] += 1
                fulls[o] += int(full[m])
    got_total, got_full = org_member_counts(links, on_roll, full, orgs)
    assert got_total.tolist() == total.tolist() and got_full.tolist() == fulls.tolist()


def test_once_answers_with_the_value_kept_when_another_thread_made_it_first() -> None:
    """Two threads making one value at once both answer with the one kept: a registry of ids
    (mobile's city codes) made twice would give a page refs into a list it then cannot find."""
    p = Projection(revision="r")

    def make() -> list[str]:
        p.derived["codes"] = ["made first"]  # as another thread would, meanwhile
        return ["made second"]

    assert p.once("codes", make, ()) == ["made first"]
    assert p.derived["codes"] == ["made first"] and p.derived_reads["codes"] == ()
