"""What a write changed, as the change log records it (docs/design.md#change-log).

Every write block says what it touches (`// @touches` in cypher/, see orgraph.catalog); the
store turns the block's parameters into the keys it changed and writes them, encoded as short
strings, in the same transaction as the revision bump. Each process's analysis engine reads the
log from the last change it applied and re-reads only those entities.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from orgraph import catalog

# More keys than this in one change: the log says "everything" instead, and readers reload the
# whole projection (re-reading this many entities one by one costs about as much).
MAX_KEYS = 2_000
EVERYTHING = "*"
PREFIX = {"member": "m:", "household": "h:", "meeting": "k:"}
_KIND_OF = {v: k for k, v in PREFIX.items()}


@dataclass
class Changes:
    """The union of what some writes touched."""

    keys: dict[str, set[str]] = field(default_factory=lambda: {k: set() for k in PREFIX})
    tables: set[str] = field(default_factory=set)  # "orgs", "areas"
    everything: bool = False

    def add(self, q: catalog.Query, params: Mapping[str, Any]) -> None:
        """Note what one checked write block changes, given its parameters."""
        if q.touches is None:
            self.everything = True
            return
        for t in q.touches:
            if t.param is None:
                self.tables.add(t.kind)
            elif t.field is None:
                self.keys[t.kind].update(_strings(params[t.param]))
            else:
                self.keys[t.kind].update(_strings([row.get(t.field) for row in params[t.param]]))

    def merge(self, other: Changes) -> None:
        self.everything |= other.everything
        self.tables |= other.tables
        for kind, keys in other.keys.items():
            self.keys[kind] |= keys

    @property
    def size(self) -> int:
        return sum(len(k) for k in self.keys.values())

    def encode(self) -> list[str]:
        """The log's form: ["m:<key>", "h:<id>", "k:<id>", "orgs", "areas"], or ["*"]."""
        if self.everything or self.size > MAX_KEYS:
            return [EVERYTHING]
        out = sorted(self.tables)
        for kind, keys in self.keys.items():
            out.extend(PREFIX[kind] + k for k in sorted(keys))
        return out

    @classmethod
    def decode(cls, entries: Iterable[str]) -> Changes:
        c = cls()
        for e in entries:
            if e == EVERYTHING:
                c.everything = True
            elif e in catalog.TABLE_KINDS:
                c.tables.add(e)
            else:
                kind = _KIND_OF.get(e[:2])
                if kind is None:  # written by a newer orgraph: reload rather than guess
                    c.everything = True
                else:
                    c.keys[kind].add(e[2:])
        return c


def _strings(value: Any) -> Iterable[str]:
    """The keys in a parameter: one value or a list of them; None and '' are no key."""
    values = value if isinstance(value, list | tuple | set | frozenset) else [value]
    return (str(v) for v in values if v is not None and v != "")
