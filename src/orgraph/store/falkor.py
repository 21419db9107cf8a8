"""FalkorDB adapter, spoken to over RESP with the falkordb client (never its Bolt port)."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from typing import Any

import redis
import redis.exceptions as rx
from falkordb.graph import Graph
from redis.backoff import NoBackoff
from redis.lock import Lock
from redis.retry import Retry

from orgraph.catalog import Query
from orgraph.errors import (
    BadQuery,
    ConstraintConflict,
    QueryTimeout,
    StoreLoading,
    StoreUnavailable,
)
from orgraph.store.base import BaseStore, Row, Step, Unit, checked

# How long a migration waits for FalkorDB to finish building one index or constraint.
SCHEMA_WAIT_S = 120.0

_INDEX_RE = re.compile(r"CREATE\s+INDEX\s+FOR\s+\(\w+:(\w+)\)\s+ON\s+\(\w+\.(\w+)\)", re.I)


class _NotPlain(Exception):
    pass


# Compact-format types whose value is already plain: null, string, integer. Rows of these
# decode inline, without a call per value (the importer's diff reads ~1M values).
_PLAIN = frozenset({1, 2, 3})


def _value(v: list[Any]) -> Any:
    """One value of FalkorDB's compact result format → plain Python."""
    t, x = v
    if t == 2 or t == 3:  # string, integer
        return x
    if t == 1:
        return None
    if t == 6:
        return [e[1] if e[0] in _PLAIN else _value(e) for e in x]
    if t == 4:
        return x == "true"
    if t == 5:
        return float(x)
    if t == 10:
        return {x[i]: _value(x[i + 1]) for i in range(0, len(x), 2)}
    raise _NotPlain(f"type {t}")


def _quoted(v: str) -> str:
    if not v:
        return '""'
    if "\\" in v:
        v = v.replace("\\", "\\\\")
    if '"' in v:
        v = v.replace('"', '\\"')
    return '"' + v + '"'


_KEYS: dict[str, str] = {}


def _key(k: Any) -> str:
    """`key`: of a map literal (checked as the falkordb client checks it)."""
    text = _KEYS.get(k)
    if text is None:
        name = k.decode() if isinstance(k, bytes) else str(k)
        if name == "" or "`" in name:
            raise ValueError(f"Cypher map key cannot be empty or contain a backtick: {name!r}")
        text = "`" + name + "`:"
        if len(_KEYS) < 10_000:
            _KEYS[k] = text
    return text


def _literal(v: Any) -> str:
    """A parameter value as the Cypher literal of the falkordb client's params header (the
    same text as `falkordb.helpers.stringify_param_value`, tests/store/test_falkor_literal.py),
    built ~1.4x faster: an import's rows are maps of plain values, whose strings, nulls and
    numbers are written here without a call each (a city's import spent 15 s here)."""
    t = type(v)
    if t is str:
        return _quoted(v)
    if v is None:
        return "null"
    if t is dict:
        out = []
        for k, x in v.items():
            kt = _KEYS.get(k) or _key(k)
            tx = type(x)
            if tx is str:
                out.append(f'{kt}"{x}"' if "\\" not in x and '"' not in x else kt + _quoted(x))
            elif x is None:
                out.append(kt + "null")
            elif tx is int or tx is float:
                out.append(f"{kt}{x}")
            else:
                out.append(kt + _literal(x))
        return "{" + ",".join(out) + "}"
    if t is list or t is tuple:
        return "[" + ",".join([_literal(x) for x in v]) + "]"
    if isinstance(v, str):
        return _quoted(v)
    if isinstance(v, list | tuple):
        return "[" + ",".join([_literal(x) for x in v]) + "]"
    if isinstance(v, dict):
        return "{" + ",".join([_key(k) + _literal(x) for k, x in v.items()]) + "}"
    return str(v)


def params_header(params: dict[str, Any]) -> str:
    """The CYPHER header that passes the parameters of a query."""
    return "CYPHER " + "".join(f"{_key(k)[:-1]}={_literal(v)} " for k, v in params.items())


def translate(exc: Exception, what: str) -> Exception:
    """Map a redis/FalkorDB exception to orgraph's own."""
    msg = str(exc)
    if isinstance(exc, rx.BusyLoadingError) or "LOADING" in msg[:10]:
        return StoreLoading("图数据库正在从磁盘加载数据，请稍候再试")
    if isinstance(exc, rx.TimeoutError):
        return QueryTimeout(f"图数据库在规定时间内没有响应 ({what})")
    if isinstance(exc, rx.ConnectionError | ConnectionError | OSError):
        return StoreUnavailable("无法连接图数据库: 连接被拒绝或已中断").with_detail(
            f"{what}: {msg}"
        )
    low = msg.lower()
    if "timed out" in low or "timeout" in low:
        return QueryTimeout(f"查询超时 ({what})")
    if "unique constraint" in low or "constraint violation" in low:
        return ConstraintConflict(f"违反唯一性约束 ({what})").with_detail(msg)
    return BadQuery(f"图数据库拒绝了查询 {what}: {msg}")


class _Steps:
    """The unit of a FalkorStore.transaction(): each step runs at once, as its own GRAPH.QUERY."""

    def __init__(self, store: FalkorStore) -> None:
        self._store = store

    def run(self, q: Query, params: dict[str, Any], /) -> list[Row]:
        return self._store._run(q, params)


class FalkorStore(BaseStore):
    engine = "falkordb"
    # each GRAPH.QUERY is atomic on its own, a transaction() is not (see `_unit`)
    atomic_transactions = False

    def __init__(
        self,
        *,
        graph: str,
        unix_socket: str | None = None,
        host: str = "127.0.0.1",
        port: int = 6379,
        password: str | None = None,
        socket_timeout: float = 30.0,
        connect_timeout: float = 3.0,
        query_timeout_ms: int = 60_000,
    ) -> None:
        kwargs: dict[str, Any] = {
            "socket_timeout": socket_timeout,
            "socket_connect_timeout": connect_timeout,
            "password": password,
            "decode_responses": True,
            # A down server must fail fast, not be retried behind the caller's back.
            "retry": Retry(NoBackoff(), 0),
        }
        # The falkordb.FalkorDB constructor talks to the server at once (to detect sentinel or
        # cluster mode), so a down store would fail at construction. A plain redis client is
        # lazy: the store can be created while the server is down and recover when it is back.
        if unix_socket:
            self._conn = redis.Redis(unix_socket_path=unix_socket, **kwargs)
            self.where = f"unix://{unix_socket}"
        else:
            self._conn = redis.Redis(host=host, port=port, **kwargs)
            self.where = f"falkor://{host}:{port}"
        self.graph_name = graph
        self._graph = Graph(self._conn, graph)
        self.query_timeout_ms = query_timeout_ms

    @property
    def connection(self) -> redis.Redis:
        return self._conn

    def _run(self, q: Query, params: dict[str, Any]) -> list[Row]:
        """One checked block, as GRAPH.RO_QUERY unless it is marked `// @write`."""
        name = q.name
        readonly = not q.writes
        # The falkordb client's result parser handles nodes, edges and paths value by value in
        # Python; orgraph's queries return plain projections only, which decode ~4x faster here.
        query = params_header(params) + q.text
        cmd = "GRAPH.RO_QUERY" if readonly else "GRAPH.QUERY"
        try:
            with contextlib.nullcontext() if readonly else self._serial():
                response = self._conn.execute_command(  # type: ignore[no-untyped-call]
                    cmd, self.graph_name, query, "--compact", "timeout", self.query_timeout_ms
                )
        except rx.ResponseError as exc:
            if readonly and "empty key" in str(exc):
                return []  # the graph does not exist yet: a read of nothing finds nothing
            raise translate(exc, name) from exc
        except Exception as exc:  # the client raises redis and plain exceptions alike
            raise translate(exc, name) from exc
        if response and isinstance(response[-1], Exception):
            raise translate(response[-1], name)
        if len(response) < 3:
            return []  # a write without RETURN: statistics only
        header, rows = response[0], response[1]
        cols = [str(h[1]) for h in header]
        try:
            return [
                {c: v[1] if v[0] in _PLAIN else _value(v) for c, v in zip(cols, row, strict=True)}
                for row in rows
            ]
        except _NotPlain as exc:
            raise BadQuery(f"查询 {name} 返回了节点或关系 ({exc}): 查询应返回投影") from None

    def _serial(self) -> Lock:
        """One write query at a time per graph, across processes and machines (issue #18):
        FalkorDB let two concurrent relationship MERGEs miss each other and twin a whole batch,
        so every writer takes a lock in the server itself (SET NX PX, released by token) for
        the length of its query; a crashed writer's lock expires after the query timeout."""
        return Lock(
            self._conn,
            f"orgraph:write:{self.graph_name}",
            timeout=self.query_timeout_ms / 1000 + 10,
            sleep=0.002,
            blocking_timeout=self.query_timeout_ms / 1000 + 20,
        )

    def _read(self, q: Query, params: dict[str, Any]) -> list[Row]:
        return self._run(q, params)

    def _write_steps(self, steps: list[Step]) -> list[Row]:
        """Each step is its own GRAPH.QUERY, in order (the write, then its revision bump)."""
        first, *rest = steps
        rows = self._run(*first)
        for step in rest:
            self._run(*step)
        return rows

    @contextlib.contextmanager
    def _unit(self) -> Iterator[Unit]:
        """Several writes as one unit, as far as FalkorDB allows: NOT atomic.

        FalkorDB has no multi-statement transactions; each GRAPH.QUERY is atomic on its own
        (commands run one at a time, so no reader sees half a statement). Each step therefore
        runs at once and returns its rows; if a later step fails, the earlier ones stay
        written. (A redis MULTI/EXEC would not help: the rows come back only at EXEC, and a
        command that fails inside EXEC does not undo the others.) `BaseStore.transaction`
        bumps the revision when the block ends, if any step wrote, also when it ends with an
        exception, so that cached projections notice a partial change.
        """
        yield _Steps(self)

    def explain(self, query: str, /, **params: Any) -> list[str]:
        """FalkorDB's execution plan of a catalog block, one operation a line."""
        q = checked(query, params)
        try:
            plan = self._graph.explain(q.text, params)
        except Exception as exc:
            raise translate(exc, query) from exc
        return (
            [str(line).strip() for line in plan.plan]
            if hasattr(plan, "plan")
            else [str(line).strip() for line in plan]
        )

    def ping(self) -> None:
        try:
            self.connection.ping()
        except Exception as exc:
            raise translate(exc, "PING") from exc

    def apply_schema(self, stmt: Query) -> None:
        """A CREATE INDEX block; a block named *_unique_* also gets a unique constraint.

        FalkorDB creates constraints through GRAPH.CONSTRAINT, not Cypher, and requires the
        exact-match index first, so one block carries both.
        """
        m = _INDEX_RE.search(stmt.text)
        if not m:
            raise BadQuery(f"FalkorDB 架构语句无法识别 ({stmt.source}): {stmt.text!r}")
        label, prop = m.group(1), m.group(2)
        try:
            if (label, (prop,)) not in self._indexed():
                self._graph.query(m.group(0))
            if "_unique_" in stmt.name:
                unique = {
                    (c["label"], tuple(c["properties"]))
                    for c in self._graph.list_constraints()
                    if c["type"] == "UNIQUE"
                }
                if (label, (prop,)) not in unique:
                    self._graph.create_node_unique_constraint(label, prop)
        except Exception as exc:
            raise translate(exc, "schema") from exc
        self._wait_operational(label, prop, unique="_unique_" in stmt.name)

    def _wait_operational(self, label: str, prop: str, *, unique: bool) -> None:
        """FalkorDB builds an index and a unique constraint in the background: until they
        are OPERATIONAL the planner scans the whole label and the constraint does not hold
        (two concurrent MERGEs could both create). Wait for both, briefly (an empty or small
        label takes milliseconds; a large one is indexed as the migration's own cost)."""
        deadline = time.monotonic() + SCHEMA_WAIT_S
        while True:
            try:
                rows = self._graph.list_indices().result_set
                constraints = self._graph.list_constraints() if unique else []
            except Exception as exc:
                raise translate(exc, "schema") from exc
            index = [r[7] for r in rows if r[0] == label and prop in r[1]]
            ready = bool(index) and all(status == "OPERATIONAL" for status in index)
            if ready and unique:
                ready = any(
                    c["type"] == "UNIQUE"
                    and c["label"] == label
                    and c["properties"] == [prop]
                    and c["status"] == "OPERATIONAL"
                    for c in constraints
                )
            if ready:
                return
            if time.monotonic() > deadline:
                raise StoreUnavailable(
                    f"FalkorDB 的索引 {label}.{prop} 在 {SCHEMA_WAIT_S:.0f} 秒内未建好，"
                    "请稍后重试迁移"
                )
            time.sleep(0.02)

    def _indexed(self) -> set[tuple[str, tuple[str, ...]]]:
        try:
            return {(r[0], tuple(r[1])) for r in self._graph.list_indices().result_set}
        except rx.ResponseError as exc:
            if "empty key" in str(exc):
                return set()  # no graph yet, so no index either
            raise

    def compact(self) -> None:
        try:
            self.connection.bgrewriteaof()
        except rx.ResponseError as exc:
            # Already rewriting (or a save is running and it got scheduled): fine either way.
            if "in progress" not in str(exc) and "scheduled" not in str(exc):
                raise translate(exc, "BGREWRITEAOF") from exc
        except Exception as exc:
            raise translate(exc, "BGREWRITEAOF") from exc

    def drop_all(self) -> None:
        try:
            self.connection.delete(self.graph_name)
        except Exception as exc:
            raise translate(exc, "drop") from exc

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a dead connection is no error to raise
            self.connection.close()
