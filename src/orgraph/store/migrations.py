"""Versioned, idempotent schema migrations, one set per engine in cypher/schema/<engine>.cypher.

A block named vN_* belongs to version N. `migrate` applies every version above the one
recorded in the graph, in order, then records the new version. Each statement is idempotent
on its own too, so an interrupted migration can simply be run again.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from orgraph import catalog
from orgraph.store.base import GraphStore

_VERSION_RE = re.compile(r"^v(\d+)_")


@dataclass(frozen=True)
class MigrationResult:
    engine: str
    before: int
    after: int
    applied: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return self.before != self.after


@lru_cache(maxsize=4)
def schema_blocks(engine: str) -> tuple[catalog.Query, ...]:
    path = catalog.cypher_dir() / "schema" / f"{engine}.cypher"
    blocks = catalog.parse_blocks(path.read_text(encoding="utf-8"), f"schema/{path.name}")
    for b in blocks:
        if not _VERSION_RE.match(b.name):
            raise ValueError(f"{b.source}: schema block {b.name!r} must start with vN_")
    return tuple(blocks)


def target_version(engine: str) -> int:
    return max(version_of(b) for b in schema_blocks(engine))


def version_of(block: catalog.Query) -> int:
    m = _VERSION_RE.match(block.name)
    assert m is not None  # schema_blocks checked every name
    return int(m.group(1))


def current_version(store: GraphStore) -> int:
    rows = store.read("schema_version")
    return int(rows[0]["version"]) if rows and rows[0]["version"] is not None else 0


def migrate(store: GraphStore) -> MigrationResult:
    before = current_version(store)
    applied: list[str] = []
    for block in schema_blocks(store.engine):
        if version_of(block) > before:
            store.apply_schema(block)
            applied.append(block.name)
    after = max(before, target_version(store.engine))
    if after != before:
        store.write(
            "set_schema_version",
            version=after,
            applied_on=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
    return MigrationResult(store.engine, before, after, tuple(applied))
