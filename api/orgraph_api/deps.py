"""Dependencies every route shares: the app's services, the caller, their scope, the audit."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from orgraph.errors import Forbidden, OrgraphError, Unauthorized
from orgraph.security import can_import, can_reveal, can_write
from orgraph.security.roles import check_duty_change
from orgraph.security.tokens import INVALID
from orgraph_api.access import Principal, View
from orgraph_api.services import Services

API_PREFIX = "/api/v1"

oauth2 = OAuth2PasswordBearer(
    tokenUrl=f"{API_PREFIX}/auth/token",
    auto_error=False,
    description="用 /auth/token 换取的令牌 (Bearer JWT)",
)


async def services(request: Request) -> Services:
    # async: a sync dependency costs a hop through the thread pool, and this one only reads.
    svc: Services = request.app.state.services
    return svc


Svc = Annotated[Services, Depends(services)]


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def authenticate(request: Request, svc: Services, token: str | None) -> Principal:
    if not token:
        raise Unauthorized("未登录：请先登录获取令牌")
    claims = svc.tokens.verify(token)
    # The account as it is now: a disabled user or a changed role or scope takes effect at
    # once, not when the token expires; a password change or a disable/enable (token_version)
    # revokes every token issued before it, for requests and refreshes alike (#18).
    user = svc.users.get(claims.username)
    if user is None or user.disabled or user.token_version != claims.token_version:
        raise Unauthorized(INVALID)
    return Principal(
        username=user.username,
        role=user.role,
        scope=user.scope,
        display_name=user.display_name,
        client=client_address(request),
        token_version=user.token_version,
    )


Token = Annotated[str | None, Depends(oauth2)]


def principal(request: Request, svc: Svc, token: Token) -> Principal:
    return authenticate(request, svc, token)


Caller = Annotated[Principal, Depends(principal)]


def view(request: Request, svc: Svc, token: Token) -> View:
    # One thread-pool hop for the caller and their scope together (routes reach the caller
    # as view.principal).
    # a request that writes checks against the graph as it is, never the last revision a
    # reader may answer from while a reload runs
    reading = request.method in ("GET", "HEAD")
    v = View(svc.engine, authenticate(request, svc, token), stale_ok=reading)
    # which revision the answer comes from (a reader may answer from the last complete one
    # while a reload runs, docs/design.md#change-log): the X-Orgraph-Revision header
    request.state.revision = v.revision
    return v


Scoped = Annotated[View, Depends(view)]


def writer(caller: Caller) -> Principal:
    if not can_write(caller.role):
        raise Forbidden("您的角色只能查看，不能修改数据")
    return caller


def importer(caller: Caller) -> Principal:
    if not can_import(caller.role):
        raise Forbidden("只有县级管理员可以导入花名册")
    return caller


def may_assign(view: View, roles: Iterable[str] | None, member: str | None = None) -> None:
    """Forbidden when the caller would give or take a member duty above their rank (#18):
    `roles` the duties asked for (None: unchanged), `member` the key of an existing member,
    whose current duties are compared (docs/design.md#security)."""
    if roles is None and member is None:
        return
    before = view.member_duties(member) if member is not None else frozenset()
    check_duty_change(view.principal.role, before, roles or ())


def may_reveal(caller: Principal, reveal: bool) -> bool:
    """Whether this read shows phones unmasked (asked for, and the role allows it)."""
    if reveal and not can_reveal(caller.role):
        raise Forbidden("您的角色不能查看完整手机号")
    return reveal


def audit(
    svc: Services,
    caller: Principal,
    *,
    action: str,
    target: str | None,
    scope: str | None = None,
    result: str = "ok",
    detail: dict[str, Any] | None = None,
) -> None:
    svc.audit.record(
        user=caller.username,
        action=action,
        target=target,
        scope=scope or caller.scope,
        client=caller.client,
        result=result,
        detail=detail,
    )


@contextlib.contextmanager
def audited(
    svc: Services,
    caller: Principal,
    *,
    action: str,
    target: str | None,
    scope: str | None = None,
    detail: dict[str, Any] | None = None,
) -> Iterator[dict[str, Any]]:
    """Record a write (or sensitive read) once it is done: "ok", or "denied"/"failed" with the
    reason when it raised. The block may add to the yielded detail."""
    extra = dict(detail or {})
    try:
        yield extra
    except OrgraphError as exc:
        result = "denied" if exc.http_status in (401, 403, 404) else "failed"
        audit(
            svc,
            caller,
            action=action,
            target=target,
            scope=scope,
            result=result,
            detail={**extra, "error": str(exc)},
        )
        raise
    audit(svc, caller, action=action, target=target, scope=scope, detail=extra)
