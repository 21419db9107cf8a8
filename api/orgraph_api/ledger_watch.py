"""The gap ledger observes every write made through the API (docs/rules.md "Gap life"): after
a request that may have written (any method but GET, HEAD and OPTIONS) succeeds, and before
its answer leaves, so the next request already reads ages that include it. An observation of
a revision the ledger has seen (a refused write, a log-in) costs one read and writes nothing.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from orgraph.errors import OrgraphError

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
log = logging.getLogger(__name__)


class ObserveWrites:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE:
            await self.app(scope, receive, send)
            return

        async def observed(message: Message) -> None:
            if message["type"] == "http.response.start" and 200 <= message["status"] < 300:
                services = getattr(scope["app"].state, "services", None)
                if services is not None:
                    try:
                        await run_in_threadpool(services.engine.observe_gaps)
                    except OrgraphError as exc:  # the write stands; the next one observes both
                        log.warning("gap ledger not brought up to date: %s", exc)
            await send(message)

        await self.app(scope, receive, observed)
