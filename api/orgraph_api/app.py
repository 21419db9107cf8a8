"""The FastAPI application: `create_app()` builds it, `orgraph serve` runs it.

The store, the engine, users, tokens and the audit log are made once, in the lifespan, and
reach routes through dependencies; tests pass their own store, users and audit log.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from orgraph import __version__
from orgraph.analysis.engine import Engine
from orgraph.config import Settings, get_settings
from orgraph.errors import StoreUnavailable
from orgraph.policy import get_policy
from orgraph.roster import workers
from orgraph.security import (
    AuditLog,
    TokenService,
    UserStore,
    default_audit_log,
    default_user_store,
    load_secret,
)
from orgraph.store import GraphStore
from orgraph.store.migrations import migrate
from orgraph_api import problems
from orgraph_api.answers import AnswerCache
from orgraph_api.deps import API_PREFIX
from orgraph_api.ledger_watch import ObserveWrites
from orgraph_api.responses import Json
from orgraph_api.routers import ROUTERS
from orgraph_api.services import Services, open_stores
from orgraph_api.uploads import RejectNul, UploadLimit
from orgraph_api.web import SecurityHeaders, install_docs

OPENAPI_URL = f"{API_PREFIX}/openapi.json"
DESCRIPTION = """\
基层党组织网络与流动党员管理 (orgraph) 的 HTTP 接口。

* 登录: `POST /api/v1/auth/token` (OAuth2 密码模式) 换取令牌，之后每个请求带
  `Authorization: Bearer <令牌>`。令牌空闲 30 分钟过期，用 `/auth/refresh` 续期。
* 范围: 每个用户只能看到自己管辖的区划或党组织及其下级；范围外的对象一律 404。
  `scope` 参数可以是管辖范围内的区划代码或党组织编号，默认是用户自己的范围。
* 个人信息: 手机号默认打码；有权限的角色加 `reveal=true` 可看完整号码，并记入审计日志。
* 错误: `application/problem+json`，`detail` 为中文说明；校验错误 422 并在 `errors` 中列出字段。
* 分页: `page` 从 1 开始，`page_size` 默认 50、最大 500。
"""


def create_app(
    settings: Settings | None = None,
    *,
    store: GraphStore | None = None,
    users: UserStore | None = None,
    audit: AuditLog | None = None,
) -> FastAPI:
    """The API. Without `store`, the configured one is opened (an embedded server started)
    when the app starts and closed when it stops; a given store is used as it is."""
    cfg = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened: list[GraphStore] = []
        workers.start()  # the fork server that uploads are read under (#18)
        if store is None:
            request_store, bulk_store = open_stores(cfg)
            opened = [request_store, bulk_store]
            # A fresh install answers at once; a store that is down now is retried per request.
            with contextlib.suppress(StoreUnavailable):
                migrate(bulk_store)
        else:
            request_store = bulk_store = store
        app.state.services = Services(
            settings=cfg,
            store=request_store,
            bulk_store=bulk_store,
            engine=Engine(request_store, policy=get_policy()),
            users=users or default_user_store(cfg),
            tokens=TokenService(load_secret(cfg), idle_minutes=cfg.token_idle_minutes),
            audit=audit or default_audit_log(cfg),
            answers=AnswerCache(cfg.answer_cache_size),
        )
        try:
            yield
        finally:
            for s in opened:
                s.close()

    app = FastAPI(
        title="orgraph API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        default_response_class=Json,
        openapi_url=OPENAPI_URL,
        docs_url=None,  # served by web.install_docs, from this server's own files
        redoc_url=None,
        # No redirect from /x/ to /x: Starlette builds its Location from the request's Host
        # header (#18), and no client needs it.
        redirect_slashes=False,
    )
    problems.install(app)
    app.add_middleware(
        UploadLimit, max_bytes=cfg.roster_max_mb * 1024 * 1024, prefix=f"{API_PREFIX}/imports"
    )
    app.add_middleware(ObserveWrites)  # inside the others: sees the route's own status
    app.add_middleware(RejectNul)
    app.add_middleware(SecurityHeaders, docs_prefix=f"{API_PREFIX}/docs")  # outermost
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    install_docs(app, docs_url=f"{API_PREFIX}/docs", openapi_url=OPENAPI_URL, title=app.title)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with every error answer typed as what it is on the wire:
    `application/problem+json` with the ProblemOut schema (FastAPI files a response model
    under application/json)."""
    if app.openapi_schema is None:
        doc = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        for methods in doc.get("paths", {}).values():
            for op in methods.values():
                for code, answer in op.get("responses", {}).items():
                    if code[:1] in "45":
                        answer["content"] = {
                            "application/problem+json": {
                                "schema": {"$ref": "#/components/schemas/ProblemOut"}
                            }
                        }
        schemas = doc.get("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = doc
    return app.openapi_schema
