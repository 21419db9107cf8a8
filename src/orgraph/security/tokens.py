"""Signed access tokens (HS256 JWT) that expire after a period of inactivity.

"Idle" expiry: a token lives `idle_minutes`; the API hands out a fresh one on /auth/refresh
(or with each answer), so a session that keeps working stays logged in and one left alone
expires.

Revocation (#18): each token carries the account's `token_version` ("ver"); the user store
raises it on a password change and on disable/enable, and the API compares it on every request
and on refresh, so those revoke every token issued before.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import jwt

from orgraph.config import Settings
from orgraph.errors import ConfigError, Unauthorized
from orgraph.vocab import USER_ROLES

ALGORITHM = "HS256"
# RFC 7518 §3.2: an HS256 key must be at least as long as the hash output.
MIN_SECRET_BYTES = 32
EXPIRED = "登录已过期，请重新登录"
INVALID = "登录凭证无效，请重新登录"
_REQUIRED = ("sub", "role", "scope", "iat", "exp", "jti", "ver")


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int  # seconds
    expires_at: datetime


@dataclass(frozen=True)
class Claims:
    username: str
    role: str
    scope: str
    expires_at: datetime
    issued_at: datetime | None = None
    token_id: str = ""
    token_version: int = 0


class Subject(Protocol):
    """What a token is issued for: a User, or the Claims of a token being renewed."""

    @property
    def username(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def scope(self) -> str: ...
    @property
    def token_version(self) -> int: ...


class TokenService:
    def __init__(self, secret: bytes, *, idle_minutes: int = 30) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ConfigError(
                f"令牌签名密钥 (ORGRAPH_JWT_SECRET) 至少需要 {MIN_SECRET_BYTES} 个字节；"
                "留空则自动生成"
            )
        if idle_minutes < 1:
            raise ConfigError("令牌有效期 (ORGRAPH_TOKEN_IDLE_MINUTES) 至少 1 分钟")
        self._secret = secret
        self.idle_minutes = idle_minutes

    def issue(self, user: Subject, *, now: datetime | None = None) -> IssuedToken:
        """A token for `user` (a User, or Claims when renewing) valid for `idle_minutes`."""
        moment = (datetime.now(UTC) if now is None else now.astimezone(UTC)).replace(microsecond=0)
        expires = moment + timedelta(minutes=self.idle_minutes)
        payload = {
            "sub": user.username,
            "role": user.role,
            "scope": user.scope,
            "iat": int(moment.timestamp()),
            "exp": int(expires.timestamp()),
            "jti": uuid.uuid4().hex,
            "ver": user.token_version,
        }
        token = jwt.encode(payload, self._secret, algorithm=ALGORITHM)
        return IssuedToken(token, self.idle_minutes * 60, expires)

    def renew(self, claims: Claims, *, now: datetime | None = None) -> IssuedToken:
        """A fresh token for the holder of valid `claims` (sliding idle expiry)."""
        return self.issue(claims, now=now)

    def verify(self, token: str, *, now: datetime | None = None) -> Claims:
        """The claims of a valid, unexpired token; Unauthorized otherwise."""
        if not isinstance(token, str) or not token:
            raise Unauthorized(INVALID)
        try:
            # Expiry is checked below against `now`, so tests need no sleeping.
            data: dict[str, Any] = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                options={
                    "require": list(_REQUIRED),
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.PyJWTError:
            raise Unauthorized(INVALID) from None
        if not all(isinstance(data[k], str) and data[k] for k in ("sub", "role", "scope", "jti")):
            raise Unauthorized(INVALID)
        if data["role"] not in USER_ROLES:
            raise Unauthorized(INVALID)
        if not all(
            isinstance(data[k], int) and not isinstance(data[k], bool)
            for k in ("iat", "exp", "ver")
        ):
            raise Unauthorized(INVALID)
        moment = datetime.now(UTC) if now is None else now.astimezone(UTC)
        if data["exp"] <= moment.timestamp():
            raise Unauthorized(EXPIRED)
        return Claims(
            username=data["sub"],
            role=data["role"],
            scope=data["scope"],
            expires_at=datetime.fromtimestamp(data["exp"], UTC),
            issued_at=datetime.fromtimestamp(data["iat"], UTC),
            token_id=data["jti"],
            token_version=data["ver"],
        )


def load_secret(settings: Settings) -> bytes:
    """ORGRAPH_JWT_SECRET when set; otherwise a random key kept in `<data>/jwt.key` (0600),
    made on first call and reused, so tokens survive a restart of the API."""
    configured = settings.jwt_secret.get_secret_value()
    if configured:
        return configured.encode()
    path = settings.data_path / "jwt.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".jwt.key.")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(MIN_SECRET_BYTES))
                f.flush()
                os.fsync(f.fileno())
            # link() refuses to replace: when two processes race, the first key wins and
            # both read it back below.
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        os.chmod(path, 0o600)
    key = path.read_bytes()
    if len(key) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"令牌密钥文件 {path} 已损坏 (少于 {MIN_SECRET_BYTES} 字节)："
            "删除它后重启即可生成新密钥 (所有用户需重新登录)"
        )
    return key
