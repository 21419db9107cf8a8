"""Log-in (OAuth2 password flow) and token renewal.

A refused log-in answers 401 with one message whatever the cause (unknown name, wrong
password, account held after failures, disabled account), after the same argon2 work
(`UserStore.authenticate`); an address with too many refused log-ins in a sliding window gets
429 with Retry-After before any name is looked at (`LoginThrottle`, kept per app in its
state). docs/api.md#logging-in, docs/design.md#security.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request

from orgraph.security import IssuedToken
from orgraph.security.throttle import LoginThrottle
from orgraph.security.users import LoginRefused
from orgraph_api.deps import Caller, Svc, audit, client_address
from orgraph_api.errors_doc import errors, public_errors
from orgraph_api.schemas import ProblemOut, TokenOut
from orgraph_api.services import Services

router = APIRouter(prefix="/auth", tags=["登录"])

THROTTLED = "登录失败次数过多，请稍后再试"
_THROTTLE_LOCK = threading.Lock()
_THROTTLED_DOC: dict[int | str, dict[str, Any]] = {
    429: {
        "model": ProblemOut,
        "description": "本地址登录失败次数过多 (Retry-After 给出需等待的秒数)",
        "content": {"application/problem+json": {}},
    }
}


def _out(token: IssuedToken) -> TokenOut:
    return TokenOut(access_token=token.access_token, expires_in=token.expires_in)


def login_throttle(request: Request, svc: Services) -> LoginThrottle:
    """The app's per-address throttle, made on first use (one per app, in this process)."""
    state = request.app.state
    with _THROTTLE_LOCK:
        throttle: LoginThrottle | None = getattr(state, "login_throttle", None)
        if throttle is None:
            cfg = svc.settings
            throttle = LoginThrottle(cfg.login_throttle_failures, cfg.login_throttle_minutes * 60.0)
            state.login_throttle = throttle
    return throttle


@router.post(
    "/token",
    summary="登录，换取令牌",
    response_model=TokenOut,
    responses={**public_errors(401, 422), **_THROTTLED_DOC},
    description="OAuth2 密码模式: 表单字段 username、password。令牌空闲 "
    "ORGRAPH_TOKEN_IDLE_MINUTES (默认 30) 分钟后过期，可用 /auth/refresh 续期。"
    "用户名不存在、密码错误、账号暂停登录或已停用一律答复 401「用户名或密码错误」。"
    "默认设置下，同一账号连续 5 次失败后暂停登录 1 分钟，此后每再失败一次时长加倍，最长 30 分钟 "
    "(ORGRAPH_LOCKOUT_FAILURES / _MINUTES)；同一地址 15 分钟内失败 20 次后答复 429 并给出 "
    "Retry-After (ORGRAPH_LOGIN_THROTTLE_FAILURES / _MINUTES)。成功和失败都记入审计日志。",
)
def token(
    request: Request,
    svc: Svc,
    username: Annotated[str, Form(min_length=1, max_length=64, description="用户名")],
    password: Annotated[str, Form(min_length=1, max_length=256, description="密码")],
) -> TokenOut:
    client = client_address(request)
    throttle = login_throttle(request, svc)

    def audit(result: str, who: str = username, scope: str | None = None, **detail: object) -> None:
        svc.audit.record(
            user=who,
            action="login",
            target=who,
            scope=scope,
            client=client,
            result=result,
            detail=detail or None,
        )

    wait = throttle.retry_after(client)
    if wait:
        audit("throttled", retry_after=wait)
        raise HTTPException(429, detail=THROTTLED, headers={"Retry-After": str(wait)})
    try:
        user = svc.users.authenticate(username, password)
    except LoginRefused as exc:
        throttle.failed(client)
        audit("locked" if exc.reason == "locked" else "denied", reason=exc.reason)
        raise
    audit("ok", who=user.username, scope=user.scope)
    return _out(svc.tokens.issue(user))


@router.post(
    "/refresh",
    summary="续期令牌",
    response_model=TokenOut,
    responses=errors(),
    description="用仍有效的令牌换一个新的 (滑动空闲过期)。改密码、停用或重新启用账号后，"
    "此前签发的令牌一律失效，也不能续期。",
)
def refresh(svc: Svc, caller: Caller) -> TokenOut:
    audit(svc, caller, action="refresh", target=caller.username)
    return _out(svc.tokens.issue(caller))
