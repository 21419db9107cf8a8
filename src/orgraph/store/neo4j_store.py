"""Neo4j 5 adapter through the official driver.

Blocks are routed by their `// @write` marker (`BaseStore` checks it): reads go through
execute_query with READ routing, writes through write transactions. Every write is one
transaction together with its revision bump (`BaseStore.write` hands both steps to
`_write_steps`): a single `write` through execute_write (retried by the driver on transient
errors, which is safe because the unit is exactly the statement and the bump), several steps
through `transaction()`, one explicit driver transaction (never retried: the caller's block
cannot be replayed).

A driver transaction takes its timeout at begin (`Query(text, timeout=...)` is refused by
`Transaction.run` in driver 6), so the query timeout bounds the whole transaction.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures import wait as wait_for
from typing import Any, TypeVar

from orgraph.catalog import Query
from orgraph.errors import (
    BadQuery,
    ConstraintConflict,
    OrgraphError,
    QueryTimeout,
    StoreUnavailable,
)
from orgraph.store.base import BaseStore, Row, Step, Unit, checked, plain
from orgraph.store.neo4j_driver import neo4j, nx

_Tx = neo4j.Transaction | neo4j.ManagedTransaction
T = TypeVar("T")
Bounded = Callable[[str, Callable[[], list[Row]]], list[Row]]
_WORKERS = 16  # threads for calls in flight; more than the API serves at once
_RETRY_S = 0.5  # the driver's retry budget for reads and single writes: one retry
_CLOSE_WAIT_S = 5.0  # how long `close` lets calls in flight end before closing their sockets
log = logging.getLogger(__name__)


def translate(exc: BaseException, what: str) -> Exception:
    """Map a Neo4j driver exception to orgraph's own."""
    if isinstance(exc, OrgraphError):
        return exc
    code = getattr(exc, "code", "") or ""
    if isinstance(exc, nx.AuthError) or code.startswith("Neo.ClientError.Security.Authentication"):
        return StoreUnavailable(
            f"Neo4j 拒绝了登录: 用户名或密码不对 ({what})，请检查 ORGRAPH_NEO4J_USER 和 "
            "ORGRAPH_NEO4J_PASSWORD"
        ).with_detail(exc)
    if "TransactionTimedOut" in code or "Timeout" in code:
        # TransactionTimedOut, TransactionTimedOutClientConfiguration, LockAcquisitionTimeout
        return QueryTimeout(f"Neo4j 查询超时 ({what})").with_detail(exc)
    if code.endswith((".LockClientStopped", ".Transaction.Terminated")):
        # what a transaction that timed out while waiting for a lock reports (measured), as
        # does one an operator terminated or a server shutting down
        return QueryTimeout(
            f"Neo4j 事务已被终止 (超时、被管理员终止或数据库正在关闭) ({what})"
        ).with_detail(exc)
    if isinstance(exc, nx.ConstraintError):
        return ConstraintConflict(f"违反唯一性约束 ({what})").with_detail(exc)
    if isinstance(exc, nx.IncompleteCommit):
        return StoreUnavailable(
            f"提交时与 Neo4j 的连接中断，无法确定写入是否生效 ({what})"
        ).with_detail(exc)
    if isinstance(
        exc, nx.ServiceUnavailable | nx.SessionExpired | nx.ConnectionPoolError | OSError
    ):
        return StoreUnavailable("无法连接图数据库 Neo4j: 连接被拒绝或已中断").with_detail(
            f"{what}: {exc}"
        )
    if isinstance(exc, nx.TransientError):
        return StoreUnavailable("图数据库 Neo4j 暂时不可用").with_detail(f"{what}: {exc}")
    if isinstance(exc, nx.DriverError) and not isinstance(
        exc, nx.TransactionError | nx.ResultError
    ):
        return StoreUnavailable("无法连接图数据库 Neo4j").with_detail(f"{what}: {exc}")
    return BadQuery(f"Neo4j 拒绝了查询 {what}: {exc}")


def _records(tx: _Tx, q: Query, params: dict[str, Any]) -> tuple[list[str], list[neo4j.Record]]:
    """Run one statement in a transaction and fetch all its records (driver errors raw)."""
    result = tx.run(q.text, params)  # type: ignore[arg-type]
    records = list(result)
    return list(result.keys()), records


def _rows(keys: list[str], records: list[neo4j.Record]) -> list[Row]:
    return [{k: plain(r[k]) for k in keys} for r in records]


class _TxSteps:
    """The unit of a Neo4jStore.transaction(): every step runs in one explicit driver
    transaction, each call bounded by the store's write timeout."""

    def __init__(self, tx: neo4j.Transaction, bounded: Bounded) -> None:
        self._tx = tx
        self._bounded = bounded

    def run(self, q: Query, params: dict[str, Any], /) -> list[Row]:
        def call() -> list[Row]:
            keys, records = _records(self._tx, q, params)
            return _rows(keys, records)

        try:
            return self._bounded(q.name, call)
        except Exception as exc:
            raise translate(exc, q.name) from exc


class Neo4jStore(BaseStore):
    engine = "neo4j"
    atomic_transactions = True  # a transaction() commits or rolls back as a whole

    def __init__(
        self,
        *,
        uri: str,
        user: str,
        password: str,
        database: str = "neo4j",
        connect_timeout: float = 3.0,
        query_timeout_ms: int = 60_000,
        socket_timeout: float | None = 30.0,
    ) -> None:
        # A down server must fail within seconds: each connection attempt gives up after
        # connect_timeout, waiting for a pooled connection after twice that, and the driver
        # retries a read or a single write (transient errors, a refused connection) once,
        # about a second later: its retry loop sleeps ~1 s, 2 s, 4 s... while less than
        # max_transaction_retry_time has passed, so 3 s there meant ~6 s against a dead port.
        self._driver = neo4j.GraphDatabase.driver(
            uri,
            auth=(user, password),
            connection_timeout=connect_timeout,
            connection_acquisition_timeout=connect_timeout * 2,
            max_transaction_retry_time=_RETRY_S,
            # "label does not exist" and the like on an empty graph: no warnings in the logs
            notifications_min_severity="OFF",
        )
        self.database = database
        self.where = uri
        self.query_timeout_s = query_timeout_ms / 1000
        # The driver has no read timeout: once connected, a server that stops answering (a
        # hung JVM, a frozen VM, a network that drops packets) blocks the caller for ever
        # (measured: a SIGSTOPped server held a read until it was resumed). Every call runs
        # in a worker thread and the caller waits at most socket_timeout seconds, as
        # FalkorStore's socket timeout does; a call that gave up may still finish on the
        # server, as with any client timeout. A hung server ties up at most _WORKERS threads.
        self.socket_timeout = socket_timeout
        # A write (an import's 5,000-row batch) may work up to the server's own transaction
        # timeout, which ends it there: the client waits that long and a little more before
        # calling the server hung. With the read limit instead, a batch that took 30 s on a
        # busy server (two JVMs and the importer on two cores) failed an import the server
        # would have finished; a store whose timeouts are cut to a request's deadline (the
        # API's) keeps its short limit, since its query timeout is cut as well.
        self.write_timeout = (
            None if socket_timeout is None else max(socket_timeout, self.query_timeout_s + 5)
        )
        self._calls = ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="neo4j-call")
        self._inflight: set[Future[Any]] = set()
        # reentrant: a call `close` cancels runs its done callback (`_settled`) at once, in
        # the thread that holds this lock to cancel it
        self._inflight_lock = threading.RLock()

    def _bounded(self, what: str, fn: Callable[[], T]) -> T:
        """fn() in a worker thread, given up after socket_timeout seconds (QueryTimeout)."""
        return self._within(self.socket_timeout, what, fn)

    def _bounded_write(self, what: str, fn: Callable[[], T]) -> T:
        """fn() (a write or a step of a transaction), given up after write_timeout seconds."""
        return self._within(self.write_timeout, what, fn)

    def _within(self, limit: float | None, what: str, fn: Callable[[], T]) -> T:
        if limit is None:
            return fn()
        with self._inflight_lock:  # with close's look at what is in flight, not between
            future = self._calls.submit(fn)
            self._inflight.add(future)
        future.add_done_callback(self._settled)
        try:
            return future.result(timeout=limit)
        except FutureTimeout:
            future.cancel()
            raise QueryTimeout(
                f"Neo4j 在 {limit:g} 秒内没有响应 ({what})，数据库可能已挂起或过载"
            ) from None

    def _read(self, q: Query, params: dict[str, Any]) -> list[Row]:
        def call() -> list[Row]:
            records, _, keys = self._driver.execute_query(
                neo4j.Query(q.text, timeout=self.query_timeout_s),  # type: ignore[arg-type]
                params,
                database_=self.database,
                routing_=neo4j.RoutingControl.READ,
            )
            return _rows(list(keys), records)

        try:
            return self._bounded(q.name, call)
        except Exception as exc:
            raise translate(exc, q.name) from exc

    def _write_steps(self, steps: list[Step]) -> list[Row]:
        """One managed write transaction (retried by the driver on transient errors): every
        step, the write and then its revision bump, commits or none does."""
        name = steps[0][0].name

        @neo4j.unit_of_work(timeout=self.query_timeout_s)
        def work(tx: neo4j.ManagedTransaction) -> tuple[list[str], list[neo4j.Record]]:
            out = _records(tx, *steps[0])
            for step in steps[1:]:
                _records(tx, *step)
            return out

        def call() -> list[Row]:
            with self._session() as session:
                keys, records = session.execute_write(work)
            return _rows(keys, records)

        try:
            return self._bounded_write(name, call)
        except Exception as exc:
            raise translate(exc, name) from exc

    def _session(self) -> neo4j.Session:
        """A write session whose bookmarks go to the manager execute_query reads with: on a
        cluster, a read routed to another member after this write waits until that member
        has it (causal consistency), so a read sees this process's own last write. Across
        processes the revision check still reads the newest revision a member has; the change
        log brings the projection up to it."""
        return self._driver.session(
            database=self.database,
            default_access_mode=neo4j.WRITE_ACCESS,
            bookmark_manager=self._driver.execute_query_bookmark_manager,
        )

    @contextlib.contextmanager
    def _unit(self) -> Iterator[Unit]:
        """One explicit driver transaction: every step runs in it (`BaseStore.transaction`
        runs the revision bump last in it, if any step wrote); it commits when the block ends
        normally and rolls back on any exception, so a failure half-way leaves nothing
        written."""
        session = self._session()
        try:
            try:
                tx = self._bounded(
                    "transaction", lambda: session.begin_transaction(timeout=self.query_timeout_s)
                )
            except Exception as exc:
                raise translate(exc, "transaction") from exc
            try:
                yield _TxSteps(tx, self._bounded_write)
                try:
                    self._bounded_write("commit", tx.commit)
                except Exception as exc:
                    raise translate(exc, "commit") from exc
            except BaseException as exc:
                with contextlib.suppress(Exception):  # a broken connection has rolled back
                    tx.rollback()
                if isinstance(exc, nx.Neo4jError | nx.DriverError):
                    raise translate(exc, "transaction") from exc
                raise
        finally:
            with contextlib.suppress(Exception):
                session.close()

    def ping(self) -> None:
        try:
            self._bounded("ping", self._driver.verify_connectivity)
        except Exception as exc:
            raise translate(exc, "ping") from exc

    def apply_schema(self, stmt: Query) -> None:
        try:
            self._bounded(
                stmt.name, lambda: self._driver.execute_query(stmt.text, database_=self.database)
            )  # type: ignore[arg-type]
        except Exception as exc:
            raise translate(exc, stmt.name) from exc

    def compact(self) -> None:
        """Neo4j checkpoints on its own; nothing to do."""

    def drop_all(self) -> None:
        """Tests and restore: delete all nodes and relationships in batches, without bumping
        the revision (a bump would create a node and the loop would never end). The schema
        stays; migrations re-check it."""
        while True:
            params: dict[str, Any] = {"limit": 10_000}
            rows = self._write_steps([(checked("drop_all_batch", params, writes=True), params)])
            if not rows or not rows[0]["deleted"]:
                return

    def _settled(self, future: Future[Any]) -> None:
        with self._inflight_lock:
            self._inflight.discard(future)

    def close(self) -> None:
        """Close the driver once the calls in flight have ended (at most _CLOSE_WAIT_S): the
        driver closes every pooled connection, in use or not, and one closed while another
        thread reads from it raised BufferError out of `close` (an engine's statements
        planned in a thread of their own, analysis/engine.py, met a CLI command that closed
        its store as soon as it had answered). A call still running after the wait (a hung
        server) may still make the driver's close fail: logged, not raised, as the store is
        being let go."""
        with self._inflight_lock:  # no call is submitted after this
            self._calls.shutdown(wait=False, cancel_futures=True)
            running = list(self._inflight)
        wait_for(running, timeout=_CLOSE_WAIT_S)
        try:
            self._driver.close()
        except BufferError:
            log.warning("Neo4j driver closed with a call still in flight", exc_info=True)
