"""The projection's lookup helpers that replaced whole-column scans (issue #12: a city's
summary spent seconds scanning every contact or attendance per appointment, every group record
per group): each must give exactly what the scan gave. Pure logic, so plain hypothesis data."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from orgraph.analysis.life import _without
from orgraph.analysis.projection import Projection, rows_of

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
