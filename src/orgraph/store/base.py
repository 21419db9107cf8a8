"""The GraphStore protocol every engine adapter implements.

Call sites name a catalog block and pass its parameters as keywords; the store checks that
the keywords are exactly the block's parameters before anything reaches the engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any, Protocol, runtime_checkable

from orgraph import catalog
from orgraph.errors import BadQuery

Row = dict[str, Any]


class Writer(Protocol):
    """The steps of one `GraphStore.transaction()`: the same checked catalog blocks and plain
    rows as the store's own `read` and `write`, but every step belongs to the transaction."""

    def read(self, query: str, /, **params: Any) -> list[Row]:
        """Run a read-only catalog block inside the transaction (it sees the earlier steps)."""
        ...

    def write(self, query: str, /, **params: Any) -> list[Row]:
        """Run a writing catalog block inside the transaction; no revision bump of its own."""
        ...


@runtime_checkable
class GraphStore(Protocol):
    engine: str

    def read(self, query: str, /, **params: Any) -> list[Row]:
        """Run a read-only catalog block; rows as plain dicts."""
        ...

    def write(self, query: str, /, **params: Any) -> list[Row]:
        """Run a writing catalog block; rows as plain dicts. The block and the graph's
        revision bump (`bump_revision`) form one transaction where the engine has them."""
        ...

    def transaction(self) -> AbstractContextManager[Writer]:
        """Several writes as one unit: `with store.transaction() as tx: tx.write(...)`.

        The revision is bumped once, when the block ends, if any step wrote. Neo4j: one driver
        transaction; it commits when the block ends normally and rolls back on any exception,
        so a failure half-way leaves nothing written. FalkorDB has no multi-statement
        transactions: each step is atomic and applied at once, earlier steps stay when a later
        one fails, and the revision is bumped even then so readers see the partial change.
        Write every step through the writer: a `store.write` inside the block is a separate
        transaction (on Neo4j it does not see the block's steps and may wait on their locks).
        On Neo4j a step the engine refuses ends the transaction: let its exception leave the
        block rather than catching it and writing on.
        """
        ...

    def ping(self) -> None:
        """Raise StoreUnavailable unless the engine answers now."""
        ...

    def apply_schema(self, stmt: catalog.Query) -> None:
        """Apply one schema block of cypher/schema/<engine>.cypher; idempotent."""
        ...

    def compact(self) -> None:
        """Make the next restart fast after bulk writes (FalkorDB: rewrite the AOF)."""
        ...

    def drop_all(self) -> None:
        """Delete every node and relationship (tests and restore); an engine may keep its
        indexes and constraints, which `migrate` re-checks."""
        ...

    def close(self) -> None: ...


def checked(query: str, params: Mapping[str, Any]) -> catalog.Query:
    """The catalog block, after checking the call passes exactly its parameters."""
    q = catalog.get(query)
    given = frozenset(params)
    if given != q.params:
        missing = sorted(q.params - given)
        extra = sorted(given - q.params)
        raise BadQuery(f"查询 {query} 的参数不符 ({q.source}): 缺少 {missing}, 多余 {extra}")
    return q


_PRIMITIVE = frozenset({type(None), str, int, float, bool})


def plain(value: Any) -> Any:
    """Engine values → plain Python: dicts, lists, str, numbers, bools, None; dates as ISO.

    The projection's blocks return lists of ~100k primitive values; testing the exact type
    against a set before recursing made this 3-4x faster than a call per value (bench/engines.py
    measured plain() at 0.6-1.1 s of a Neo4j projection load before).
    """
    t = type(value)
    if t in _PRIMITIVE:
        return value
    if t is list or t is tuple:
        return [v if type(v) in _PRIMITIVE else plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): v if type(v) in _PRIMITIVE else plain(v) for k, v in value.items()}
    if isinstance(value, str | int | float | bool):  # subclasses (an IntEnum, a str subclass)
        return value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    iso = getattr(value, "iso_format", None)  # neo4j.time.Date / DateTime
    if callable(iso):
        return iso()
    raise BadQuery(f"查询返回了无法转换的值类型 {type(value).__name__}: 查询应返回投影而非节点")


def count_nodes(store: GraphStore) -> int:
    """Nodes in the graph (bookkeeping excluded); 0 for a graph never written."""
    rows = store.read("count_nodes")
    return int(rows[0]["nodes"]) if rows else 0
