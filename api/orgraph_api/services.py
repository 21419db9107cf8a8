"""What the app holds for its lifetime: settings, the store, one Engine, users, tokens, audit.

Requests get a store whose every call gives up after STORE_DEADLINE seconds, so a store that
is down, hung or still loading answers 503 within 3 s instead of holding a worker. Imports
run long bulk writes, so they get a second store with the configured (long) timeouts.
"""

from __future__ import annotations

from dataclasses import dataclass

from orgraph.analysis.engine import Engine
from orgraph.config import Settings
from orgraph.security import AuditLog, TokenService, UserStore
from orgraph.store import GraphStore, local_server, open_store
from orgraph_api.answers import AnswerCache

# Seconds: one store call (socket read) of a request. The heaviest read of the county demo
# (the projection's member links) takes 0.25 s; 2.5 s leaves room and still answers in < 3 s.
STORE_DEADLINE = 2.5


@dataclass
class Services:
    settings: Settings
    store: GraphStore
    bulk_store: GraphStore  # imports: same graph, long timeouts
    engine: Engine
    users: UserStore
    tokens: TokenService
    audit: AuditLog
    answers: AnswerCache


def request_settings(settings: Settings) -> Settings:
    """The settings with store timeouts cut to the request deadline."""
    return settings.model_copy(
        update={
            "socket_timeout": min(settings.socket_timeout, STORE_DEADLINE),
            "connect_timeout": min(settings.connect_timeout, STORE_DEADLINE),
            "query_timeout_default_ms": min(
                settings.query_timeout_default_ms, int(STORE_DEADLINE * 1000)
            ),
        }
    )


def open_stores(settings: Settings) -> tuple[GraphStore, GraphStore]:
    """(request store, bulk store) for the configured engine.

    A local server (the embedded FalkorDB or the local Neo4j) is launched when it is not
    running, without waiting for it: until it answers, requests answer 503 rather than the app
    refusing to start.
    """
    server = local_server(settings)
    if server is not None:
        server.start(wait=False)
    return (
        open_store(request_settings(settings), autostart=False),
        open_store(settings, autostart=False),
    )
