"""Field-by-field comparison of two projections (docs/design.md#snapshots, issue #12).

A snapshot must load back exactly what was saved: the same values with the same Python types
(a `str` is not a `None`, a `bool` is not an `int`, an `int64` array is not an `int32` one). The
snapshot tests and the property tests use `equal` to say which fields differ.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from orgraph.analysis.projection import LazyIndex, Projection

# Caches of a projection's lifetime: filled on use, never saved (docs/design.md#snapshots). A
# field added later is one too when declared `field(..., metadata={"cache": True})`.
CACHES = frozenset({"derived", "hh_head"})


def is_cache(f: dataclasses.Field[Any]) -> bool:
    return f.name in CACHES or bool(f.metadata.get("cache"))


def equal(a: Projection, b: Projection, *, caches: bool = False) -> list[str]:
    """The names of a's fields in which a and b differ, in declaration order (empty: equal).
    The caches (`derived`, `hh_head`) are compared only when `caches` is true."""
    return [
        f.name
        for f in dataclasses.fields(a)
        if (caches or not is_cache(f)) and not same(getattr(a, f.name), getattr(b, f.name))
    ]


def same(x: Any, y: Any) -> bool:
    """x and y hold equal values of the same types, all the way down; NaN equals NaN. Arrays
    (a memory-mapped one included) are equal when dtype, shape and contents are."""
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        return (
            isinstance(x, np.ndarray)
            and isinstance(y, np.ndarray)
            and x.dtype == y.dtype
            and x.shape == y.shape
            and bool(np.array_equal(x, y, equal_nan=x.dtype.kind in "fc"))
        )
    if type(x) is not type(y) and not (_a_dict(x) and _a_dict(y)):
        return False
    if isinstance(x, list | tuple):
        if len(x) != len(y):
            return False
        if all(type(v) in _LEAVES for v in x) and x == y:
            return all(type(v) is type(w) for v, w in zip(x, y, strict=True))
        return all(same(v, w) for v, w in zip(x, y, strict=True))
    if isinstance(x, dict):
        return x.keys() == y.keys() and all(same(v, y[k]) for k, v in x.items())
    if isinstance(x, frozenset | set):
        return x == y and sorted(map(repr, x)) == sorted(map(repr, y))
    if isinstance(x, float):
        return x == y or (math.isnan(x) and math.isnan(y))
    return bool(x == y)


def _a_dict(v: Any) -> bool:
    """A dict, or a snapshot's index built on first use (a dict in all but its type)."""
    return type(v) is dict or type(v) is LazyIndex


# Leaf types whose == is exact once the types match (float is not: NaN != NaN).
_LEAVES = (str, int, bool, type(None))
