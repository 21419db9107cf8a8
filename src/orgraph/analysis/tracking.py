"""Which projection fields a computation read, recorded as it runs.

A value computed from the projection (a day's state, a rule's count) can be kept across a
catch-up from the change log while none of the fields it read changed: the splice leaves a
table's columns the same objects when its rows stay (analysis/delta.py). Declaring the reads
by hand (`Projection.once`) is fine for one helper; for 45 rules and the values they share it
would be a list nobody keeps right, so here they are recorded: the computation is handed a
:func:`tracked` projection, which notes every field read through it, and the reads of every
cached value it takes (`once`; a value cached without declared reads reads "revision", which
every catch-up changes). docs/design.md#change-log, "what a catch-up keeps".
"""

from __future__ import annotations

import contextlib
import types
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any

from orgraph.analysis.projection import Projection, same

FIELDS = frozenset(f.name for f in fields(Projection))
# Caches the splice always replaces: reading them is not reading the graph.
_NOT_DATA = frozenset({"derived", "derived_reads"})
# What a value read when it cannot be kept: changed by every catch-up.
ALWAYS = frozenset({"revision"})


class Tracker:
    """The reads of the computations running, nested: a frame's reads are those noted while
    it ran, its inner frames' included. (One log of names, a frame the part of it noted since
    it began: a rule's loop over 10k members reads a field per member, and a set per frame
    updated per read cost more than the rule.)

    The views keep what they have noted (a loop reads a field at C speed after its first read),
    and forget it whenever a frame begins: every field a frame uses is noted while it runs, by
    a read of its own or of a frame inside it."""

    def __init__(self) -> None:
        self._log: list[str] = []
        self._depth = 0
        self._views: list[View] = []

    def watch(self, view: View) -> None:
        self._views.append(view)

    @contextlib.contextmanager
    def frame(self) -> Iterator[set[str]]:
        """The frame's reads, filled in when it ends."""
        reads: set[str] = set()
        start = len(self._log)
        for view in self._views:
            view.__dict__.clear()
        self._depth += 1
        try:
            yield reads
        finally:
            reads.update(self._log[start:])
            self._depth -= 1
            if not self._depth:
                self._log.clear()

    def add(self, reads: Iterable[str]) -> None:
        if self._depth:
            self._log.extend(reads)

    def note(self, name: str) -> None:
        if self._depth:
            self._log.append(name)


class View:
    """What a tracker watches: a view whose __dict__ holds only what it has noted."""

    __slots__ = ("__dict__",)


class _Tracked(View):
    """A projection whose every field read is noted; its methods and properties run on this
    view, so what they read is noted too."""

    __slots__ = ("_p", "_tracker")

    def __init__(self, p: Projection, tracker: Tracker) -> None:
        object.__setattr__(self, "_p", p)
        object.__setattr__(self, "_tracker", tracker)
        tracker.watch(self)

    def __getattr__(self, name: str) -> Any:
        p = self._p
        if name in FIELDS:
            self._tracker.note(name)
            value = getattr(p, name)
            self.__dict__[name] = value  # until the next frame begins (Tracker)
            return value
        attr = getattr(type(p), name)
        if isinstance(attr, types.FunctionType):
            return types.MethodType(attr, self)
        if isinstance(attr, property) and attr.fget is not None:
            return attr.fget(self)
        return getattr(p, name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a tracked projection is read-only ({name})")

    def once(self, name: str, make: Any, reads: tuple[str, ...] | None = None) -> Any:
        """Projection.once, noting the value's declared reads (ALWAYS when it declares none)."""
        value = self._p.once(name, make, reads)
        self._tracker.add(ALWAYS if reads is None else reads)
        return value


def tracked(p: Projection, tracker: Tracker) -> Projection:
    """`p` as the computations under `tracker` read it (typed as a Projection: it answers
    every field, method and property a Projection does)."""
    if isinstance(p, _Tracked):
        p = p._p
    return _Tracked(p, tracker)  # type: ignore[return-value]


def changed_fields(old: Projection, new: Projection) -> frozenset[str]:
    """The fields `new` does not share with `old` (the same object), caches aside."""
    return frozenset(f for f in FIELDS - _NOT_DATA if not same(old, new, f))


@dataclass
class Kept:
    """Values computed on one projection with their reads, keyed by what they answer; a
    catch-up keeps those whose reads it left the same (:meth:`carry`). Bounded by weight (a
    count weighs 1, a table its rows): the oldest go first. Equal read sets are held once (a
    city's counts share a few dozen), and a catch-up decides each set once."""

    limit: int = 100_000
    values: OrderedDict[Any, tuple[Any, frozenset[str], int]] = field(default_factory=OrderedDict)
    weight: int = 0
    sets: dict[frozenset[str], frozenset[str]] = field(default_factory=dict)

    def get(self, key: Any) -> Any | None:
        hit = self.values.get(key)
        return None if hit is None else hit[0]

    def put(self, key: Any, value: Any, reads: Iterable[str], weight: int = 1) -> None:
        old = self.values.pop(key, None)
        if old is not None:
            self.weight -= old[2]
        held = frozenset(reads)
        held = self.sets.setdefault(held, held)
        self.values[key] = (value, held, weight)
        self.weight += weight
        while self.weight > self.limit and len(self.values) > 1:
            self.weight -= self.values.popitem(last=False)[1][2]

    def carry(self, changed: frozenset[str]) -> Kept:
        stays = {held: held.isdisjoint(changed) for held in self.sets}
        kept = OrderedDict((k, v) for k, v in list(self.values.items()) if stays[v[1]])
        sets = {v[1]: v[1] for v in kept.values()}
        return Kept(self.limit, kept, sum(v[2] for v in kept.values()), sets)
