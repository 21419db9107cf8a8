"""Store construction: one place that turns Settings into a GraphStore."""

from __future__ import annotations

from urllib.parse import unquote, urlparse

from orgraph.config import Settings
from orgraph.store.base import GraphStore, Row
from orgraph.store.embedded import EmbeddedServer

__all__ = ["GraphStore", "Row", "embedded_server", "open_store"]


def embedded_server(settings: Settings) -> EmbeddedServer:
    return EmbeddedServer(
        settings.data_path,
        timeout_max_ms=settings.query_timeout_max_ms,
        timeout_default_ms=settings.query_timeout_default_ms,
        start_timeout=settings.start_timeout,
        socket_timeout=settings.socket_timeout,
        connect_timeout=settings.connect_timeout,
    )


def open_store(settings: Settings, *, autostart: bool = True) -> GraphStore:
    """The configured store; an embedded one is started first when it is not running."""
    from orgraph.store.falkor import FalkorStore

    engine = settings.engine
    if engine in ("embedded", "falkor"):
        u = urlparse(settings.store_uri)
        socket_path: str | None = None
        if engine == "embedded":
            server = embedded_server(settings)
            if autostart:
                server.start()
            socket_path = str(server.socket)
        elif u.scheme == "unix":
            socket_path = unquote(u.path)
        return FalkorStore(
            graph=settings.graph_name,
            unix_socket=socket_path,
            host=u.hostname or "127.0.0.1",
            port=u.port or 6379,
            password=unquote(u.password) if u.password else None,
            socket_timeout=settings.socket_timeout,
            connect_timeout=settings.connect_timeout,
            query_timeout_ms=settings.query_timeout_default_ms,
        )
    from orgraph.store.neo4j_store import Neo4jStore

    return Neo4jStore(
        uri=settings.store_uri,
        user=settings.neo4j_user,
        password=settings.neo4j_password.get_secret_value(),
        database=settings.neo4j_database,
        connect_timeout=settings.connect_timeout,
        query_timeout_ms=settings.query_timeout_default_ms,
    )
