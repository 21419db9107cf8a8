"""Store construction: one place that turns Settings into a GraphStore (and, for the engines
orgraph runs itself, into the server behind it). Every engine check lives here."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar
from urllib.parse import unquote, urlparse

from orgraph.config import Settings
from orgraph.store.base import GraphStore, Row
from orgraph.store.embedded import EmbeddedServer
from orgraph.store.servers import LocalServer, ManagedEmbedded

if TYPE_CHECKING:  # imported lazily: `python -m orgraph.store.neo4j_server` runs it as __main__
    from orgraph.store.neo4j_server import LocalNeo4j

__all__ = [
    "GraphStore",
    "LocalServer",
    "Row",
    "embedded_server",
    "local_neo4j",
    "local_server",
    "open_store",
]


_E = TypeVar("_E", bound=EmbeddedServer)


def _embedded(cls: type[_E], settings: Settings) -> _E:
    return cls(
        settings.data_path,
        timeout_max_ms=settings.query_timeout_max_ms,
        timeout_default_ms=settings.query_timeout_default_ms,
        start_timeout=settings.start_timeout,
        socket_timeout=settings.socket_timeout,
        connect_timeout=settings.connect_timeout,
    )


def embedded_server(settings: Settings) -> EmbeddedServer:
    return _embedded(EmbeddedServer, settings)


def local_neo4j(settings: Settings) -> LocalNeo4j:
    from orgraph.store.neo4j_server import LocalNeo4j

    return LocalNeo4j(
        settings.data_path,
        bolt_port=settings.neo4j_bolt_port,
        heap=settings.neo4j_heap,
        pagecache=settings.neo4j_pagecache,
        cache=settings.neo4j_cache_dir,
        start_timeout=settings.start_timeout,
        query_timeout_max_ms=settings.query_timeout_max_ms,
    )


def local_server(settings: Settings) -> LocalServer | None:
    """The server orgraph runs itself for the configured engine (embedded FalkorDB or local
    Neo4j), or None when the store is an external server."""
    engine = settings.engine
    if engine == "embedded":
        return _embedded(ManagedEmbedded, settings)
    if engine == "neo4j-local":
        return local_neo4j(settings)
    return None


def open_store(settings: Settings, *, autostart: bool = True) -> GraphStore:
    """The configured store; a local server (embedded or neo4j-local) is started first when it
    is not running, unless autostart is off."""
    engine = settings.engine
    if engine in ("embedded", "falkor"):
        from orgraph.store.falkor import FalkorStore

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

    uri, user, database = settings.store_uri, settings.neo4j_user, settings.neo4j_database
    password = settings.neo4j_password.get_secret_value()
    if engine == "neo4j-local":
        neo = local_neo4j(settings)
        if autostart:
            neo.start()
        # Community has one user database; the password is the one generated for the server.
        uri, user, password, database = neo.uri, neo.user, neo.password(), "neo4j"
    return Neo4jStore(
        uri=uri,
        user=user,
        password=password,
        database=database,
        connect_timeout=settings.connect_timeout,
        query_timeout_ms=settings.query_timeout_default_ms,
        socket_timeout=settings.socket_timeout,
    )
