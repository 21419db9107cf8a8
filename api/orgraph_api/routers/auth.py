"""Log-in (OAuth2 password flow) and token renewal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request

from orgraph.errors import Unauthorized
from orgraph.security import IssuedToken
from orgraph_api.deps import Caller, Svc, audit, client_address
from orgraph_api.errors_doc import errors, public_errors
from orgraph_api.schemas import TokenOut

router = APIRouter(prefix="/auth", tags=["登录"])


def _out(token: IssuedToken) -> TokenOut:
    return TokenOut(access_token=token.access_token, expires_in=token.expires_in)


@router.post(
    "/token",
    summary="登录，换取令牌",
    response_model=TokenOut,
    responses=public_errors(401, 422, 423),
    description="OAuth2 密码模式: 表单字段 username、password。令牌空闲 "
    "ORGRAPH_TOKEN_IDLE_MINUTES (默认 30) 分钟后过期，"
    "可用 /auth/refresh 续期。"
    "连续 5 次密码错误锁定 30 分钟 (423)。成功和失败都记入审计日志。",
)
def token(
    request: Request,
    svc: Svc,
    username: Annotated[str, Form(min_length=1, max_length=64, description="用户名")],
    password: Annotated[str, Form(min_length=1, max_length=256, description="密码")],
) -> TokenOut:
    client = client_address(request)
    try:
        user = svc.users.authenticate(username, password)
    except Unauthorized as exc:
        svc.audit.record(
            user=username,
            action="login",
            target=username,
            scope=None,
            client=client,
            result="locked" if exc.http_status == 423 else "denied",
            detail={"reason": str(exc)},
        )
        raise
    svc.audit.record(
        user=user.username,
        action="login",
        target=user.username,
        scope=user.scope,
        client=client,
        result="ok",
    )
    return _out(svc.tokens.issue(user))


@router.post(
    "/refresh",
    summary="续期令牌",
    response_model=TokenOut,
    responses=errors(),
    description="用仍有效的令牌换一个新的 (滑动空闲过期)。",
)
def refresh(svc: Svc, caller: Caller) -> TokenOut:
    audit(svc, caller, action="refresh", target=caller.username)
    return _out(svc.tokens.issue(caller))
