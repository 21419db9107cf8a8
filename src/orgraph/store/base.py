"""The GraphStore protocol every engine adapter implements, and the part they share.

Call sites name a catalog block and pass its parameters as keywords; the store checks that
the keywords are exactly the block's parameters, and that the block's `// @write` marker fits
the call (`read` runs unmarked blocks only, `write` marked ones), before anything reaches the
engine. `BaseStore` does both for every adapter, and owns the revision bump: which writes
bump, when, and with which statement (`bump_revision`, the one block that sets it).
"""

from __future__ import annotations

import abc
import contextlib
import contextvars
import datetime as dt
import uuid
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Any, ClassVar, Protocol, runtime_checkable

from orgraph import catalog
from orgraph.errors import BadQuery
from orgraph.store.changes import EVERYTHING, Changes

Row = dict[str, Any]
Step = tuple[catalog.Query, dict[str, Any]]  # a checked block and its parameters
BUMP_REVISION = "bump_revision"
# Writes that change nothing a reader sees, so they bump no revision: the bump itself, and the
# import lock's bookkeeping (store/write_lock.py). A lease renewal that bumped would also wait
# on the revision node behind every long import transaction on Neo4j, and drop every cached
# projection once per renewal.
# The import history's record (importer/history.py) is read by nothing the analysis reads
# either: a re-import that changed nothing still publishes no revision. Nor are the gap
# ledger's observations (analysis/gap_ledger.py) and the field history of an import: an
# observation that bumped would be a write for the next observation to observe. Nor is the
# import's mark (importer/mark.py), which must name the revision its import read.
NO_BUMP = frozenset(
    {
        BUMP_REVISION,
        "acquire_import_lock",
        "renew_import_lock",
        "release_import_lock",
        "record_import",
        "set_import_mark",
        "record_field_changes",
        "ledger_claim",
        "ledger_open",
        "ledger_close",
        "ledger_done",
    }
)
# Changes kept in the log (docs/design.md#change-log): a reader further behind reloads.
CHANGES_KEPT = 1_000


class Deferred:
    """The writes of a `one_revision` block: whether any wrote."""

    wrote = False


_DEFERRED: contextvars.ContextVar[Deferred | None] = contextvars.ContextVar(
    "orgraph_deferred_revision", default=None
)


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
        """Run a read-only catalog block; rows as plain dicts. A block marked `// @write`
        is refused (BadQuery)."""
        ...

    def write(self, query: str, /, **params: Any) -> list[Row]:
        """Run a writing catalog block (marked `// @write`; an unmarked one is refused);
        rows as plain dicts. The block and the graph's revision bump (`bump_revision`) form
        one transaction where the engine has them."""
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


def checked(query: str, params: Mapping[str, Any], *, writes: bool | None = None) -> catalog.Query:
    """The catalog block, after checking the call passes exactly its parameters and, unless
    writes is None, that the block is marked `// @write` exactly when writes is True."""
    q = catalog.get(query)
    if writes is not None and q.writes != writes:
        if q.writes:
            raise BadQuery(
                f"查询 {query} 会写入图 ({q.source}, // @write): 只能用 write 执行，不能用 read"
            )
        raise BadQuery(
            f"查询 {query} 是只读查询 ({q.source}, 没有 // @write): 只能用 read 执行，不能用 write"
        )
    given = frozenset(params)
    if given != q.params:
        missing = sorted(q.params - given)
        extra = sorted(given - q.params)
        raise BadQuery(f"查询 {query} 的参数不符 ({q.source}): 缺少 {missing}, 多余 {extra}")
    return q


def revision_bump(changes: Changes | None = None) -> Step:
    """The revision bump as a step: `bump_revision` with a fresh random token and the change
    log's entry for what the writes before it touched (None: everything)."""
    params: dict[str, Any] = {
        "token": uuid.uuid4().hex,
        "touched": changes.encode() if changes is not None else [EVERYTHING],
        "keep": CHANGES_KEPT,
    }
    return checked(BUMP_REVISION, params, writes=True), params


@contextlib.contextmanager
def one_revision(store: GraphStore) -> Iterator[Deferred]:
    """Writes in this block (this thread or task only) bump no revision; when it ends normally
    and something was written, one bump publishes them all as one change to everything. A
    block that raises publishes nothing: readers keep answering from the revision before it
    (a bulk import that fails can simply be run again; docs/design.md#change-log). Yields the
    block's `Deferred`, which says whether it wrote."""
    outer = _DEFERRED.get()
    if outer is not None:  # nested: the outer block publishes
        yield outer
        return
    mark = Deferred()
    token = _DEFERRED.set(mark)
    try:
        yield mark
    finally:
        _DEFERRED.reset(token)
    if mark.wrote:
        q, params = revision_bump()
        store.write(q.name, **params)


def _deferring() -> bool:
    """True inside a `one_revision` block (and notes that it wrote)."""
    mark = _DEFERRED.get()
    if mark is None:
        return False
    mark.wrote = True
    return True


class Unit(Protocol):
    """Where the steps of one `transaction()` run: one engine transaction (Neo4j), or each
    step at once (FalkorDB). Errors come out translated to orgraph's own."""

    def run(self, q: catalog.Query, params: dict[str, Any], /) -> list[Row]: ...


class StepWriter:
    """The `Writer` of every adapter's `transaction()`: checks each step like the store's own
    `read` and `write`, runs it in the unit, and notes whether any step wrote."""

    def __init__(self, unit: Unit) -> None:
        self._unit = unit
        self.wrote = False
        self.changes = Changes()

    def read(self, query: str, /, **params: Any) -> list[Row]:
        return self._unit.run(checked(query, params, writes=False), params)

    def write(self, query: str, /, **params: Any) -> list[Row]:
        q = checked(query, params, writes=True)
        if q.name not in NO_BUMP:
            self.wrote = True  # before it runs: a step that fails may have written (FalkorDB)
            self.changes.add(q, params)
        return self._unit.run(q, params)


class BaseStore(abc.ABC):
    """`read`, `write` and `transaction` of every adapter, on top of three engine hooks.

    The revision bump (docs/neo4j.md, "Atomic writes"): every `write` carries one, in the same
    engine transaction where the engine has them (`_write_steps` gets both steps; a write of
    `bump_revision` itself carries none); a `transaction()` bumps once, as its last step, if any
    step wrote. On an engine without atomic transactions (`atomic_transactions` False) the
    steps of a failed block stay written, so it bumps then too, and a bump that fails is noted
    on the original exception rather than replacing it; on an atomic one the rollback leaves
    nothing to notice. `drop_all` never bumps (Neo4j deletes through `_write_steps` with no
    bump step; FalkorDB deletes the graph's key).
    """

    engine: str
    atomic_transactions: ClassVar[bool]

    @abc.abstractmethod
    def _read(self, q: catalog.Query, params: dict[str, Any]) -> list[Row]:
        """Run one checked read-only block."""

    @abc.abstractmethod
    def _write_steps(self, steps: list[Step]) -> list[Row]:
        """Run the steps as one engine transaction where the engine has them (else in order,
        each atomic); the rows of the first."""

    @abc.abstractmethod
    def _unit(self) -> AbstractContextManager[Unit]:
        """The unit of one `transaction()`: it ends (commits) when the block leaves normally,
        and is abandoned (rolled back, where the engine can) when it raises."""

    def read(self, query: str, /, **params: Any) -> list[Row]:
        return self._read(checked(query, params, writes=False), params)

    def write(self, query: str, /, **params: Any) -> list[Row]:
        q = checked(query, params, writes=True)
        # cached analysis projections must see every change: the bump carries what it touched
        bump: list[Step] = []
        if q.name not in NO_BUMP and not _deferring():
            changes = Changes()
            changes.add(q, params)
            bump = [revision_bump(changes)]
        return self._write_steps([(q, params), *bump])

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Writer]:
        with self._unit() as unit:
            tx = StepWriter(unit)
            try:
                yield tx
            except BaseException as exc:
                if tx.wrote and not self.atomic_transactions and not _deferring():
                    try:
                        unit.run(*revision_bump(tx.changes))
                    except Exception as bump_exc:  # the original failure is the one to report
                        exc.add_note(f"修订号也未能更新: {bump_exc}")
                raise
            if tx.wrote and not _deferring():
                unit.run(*revision_bump(tx.changes))


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
