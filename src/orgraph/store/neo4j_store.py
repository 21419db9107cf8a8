"""Neo4j 5 adapter through the official driver's execute_query, with read/write routing."""

from __future__ import annotations

import uuid
from typing import Any

import neo4j
import neo4j.exceptions as nx

from orgraph.catalog import Query
from orgraph.errors import BadQuery, ConstraintConflict, QueryTimeout, StoreUnavailable
from orgraph.store.base import Row, checked, plain


def translate(exc: Exception, what: str) -> Exception:
    if isinstance(exc, nx.ServiceUnavailable | nx.SessionExpired | nx.AuthError | OSError):
        return StoreUnavailable(f"无法连接 Neo4j: {exc}")
    if isinstance(exc, nx.ConstraintError):
        return ConstraintConflict(f"违反唯一性约束 ({what}): {exc}")
    code = getattr(exc, "code", "") or ""
    if "TransactionTimedOut" in code or "Timeout" in code:
        return QueryTimeout(f"查询超时 ({what})")
    if isinstance(exc, nx.TransientError):
        return StoreUnavailable(f"Neo4j 暂时不可用 ({what}): {exc}")
    return BadQuery(f"Neo4j 拒绝了查询 {what}: {exc}")


class Neo4jStore:
    engine = "neo4j"

    def __init__(
        self,
        *,
        uri: str,
        user: str,
        password: str,
        database: str = "neo4j",
        connect_timeout: float = 3.0,
        query_timeout_ms: int = 60_000,
    ) -> None:
        self._driver = neo4j.GraphDatabase.driver(
            uri,
            auth=(user, password),
            connection_timeout=connect_timeout,
            connection_acquisition_timeout=connect_timeout * 2,
            max_transaction_retry_time=connect_timeout,
        )
        self.database = database
        self.where = uri
        self.query_timeout_s = query_timeout_ms / 1000

    def _run(self, name: str, params: dict[str, Any], routing: neo4j.RoutingControl) -> list[Row]:
        q = checked(name, params)
        try:
            records, _, keys = self._driver.execute_query(
                neo4j.Query(q.text, timeout=self.query_timeout_s),  # type: ignore[arg-type]
                params,
                database_=self.database,
                routing_=routing,
            )
        except Exception as exc:
            raise translate(exc, name) from exc
        return [{k: plain(r[k]) for k in keys} for r in records]

    def read(self, query: str, /, **params: Any) -> list[Row]:
        return self._run(query, params, neo4j.RoutingControl.READ)

    def write(self, query: str, /, **params: Any) -> list[Row]:
        rows = self._run(query, params, neo4j.RoutingControl.WRITE)
        if query != "bump_revision":  # cached analysis projections must see every change
            self.write("bump_revision", token=uuid.uuid4().hex)
        return rows

    def ping(self) -> None:
        try:
            self._driver.verify_connectivity()
        except Exception as exc:
            raise translate(exc, "ping") from exc

    def apply_schema(self, stmt: Query) -> None:
        try:
            self._driver.execute_query(stmt.text, database_=self.database)  # type: ignore[arg-type]
        except Exception as exc:
            raise translate(exc, stmt.name) from exc

    def compact(self) -> None:
        """Neo4j checkpoints on its own; nothing to do."""

    def drop_all(self) -> None:
        """Tests and restore: delete all data in batches (schema stays; migrations re-check it)."""
        while self.write("drop_all_batch", limit=10_000)[0]["deleted"]:
            pass

    def close(self) -> None:
        self._driver.close()
