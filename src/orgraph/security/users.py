"""API users in a small SQLite file beside the graph data: who may log in, as what, where.

Users live outside the graph on purpose: the graph is imported from rosters (and may be wiped
and restored), while accounts, password hashes and lockout counters must survive that.
One connection per call (WAL) so the API may call from several threads and processes; the
read-modify-write of the failure counter runs in a BEGIN IMMEDIATE transaction so concurrent
wrong passwords are all counted.
"""

from __future__ import annotations

import builtins
import contextlib
import math
import os
import re
import secrets
import sqlite3
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pwdlib import PasswordHash

from orgraph.config import Settings
from orgraph.errors import (
    AccountLocked,
    ConstraintConflict,
    NotFound,
    StoreUnavailable,
    Unauthorized,
    ValidationFailed,
)
from orgraph.security.passwords import check_strength, default_hasher
from orgraph.security.roles import check_role
from orgraph.vocab import USER_ROLE_ZH

BAD_LOGIN = "用户名或密码错误"
DISABLED = "账号已停用，请联系管理员"

USERNAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{2,31}")
MAX_SCOPE = 64
MAX_DISPLAY_NAME = 64
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username      TEXT PRIMARY KEY COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    scope         TEXT NOT NULL,
    display_name  TEXT,
    disabled      INTEGER NOT NULL DEFAULT 0,
    failed_count  INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT,
    last_login    TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
"""
_COLUMNS = (
    "username, password_hash, role, scope, display_name, disabled, failed_count, "
    "locked_until, last_login"
)


@dataclass(frozen=True)
class User:
    username: str
    role: str
    scope: str
    display_name: str | None
    disabled: bool
    # When a lockout is in force at the time the user was read; None otherwise.
    locked_until: datetime | None = None
    last_login: datetime | None = None

    @property
    def role_zh(self) -> str:
        return USER_ROLE_ZH.get(self.role, self.role)


def _utc(now: datetime | None) -> datetime:
    """`now` in UTC (a naive datetime is taken as local time, as Python does)."""
    return datetime.now(UTC) if now is None else now.astimezone(UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _minutes_left(until: datetime, moment: datetime) -> int:
    return max(1, math.ceil((until - moment).total_seconds() / 60))


def check_username(username: str) -> str:
    if not isinstance(username, str) or not USERNAME_RE.fullmatch(username):
        raise ValidationFailed(
            "用户名须为 3–32 个字符，只能包含英文字母、数字和 _ . @ -，并以字母或数字开头"
        )
    return username


class UserStore:
    """Accounts in the SQLite file `path` (mode 0600), created on first use."""

    def __init__(
        self,
        path: Path,
        *,
        lockout_failures: int = 5,
        lockout_minutes: int = 30,
        hasher: PasswordHash | None = None,
    ) -> None:
        if lockout_failures < 1 or lockout_minutes < 1:
            raise ValidationFailed("锁定阈值和锁定时长必须为正数")
        self.path = Path(path)
        self.lockout_failures = lockout_failures
        self.lockout_minutes = lockout_minutes
        self.hasher = hasher or default_hasher()
        self._lock = threading.Lock()
        self._ready = False
        self._dummy_hash: str | None = None

    # -- plumbing -------------------------------------------------------------------------

    def _ensure(self) -> None:
        with self._lock:
            if self._ready:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # Create the file ourselves so it is never world-readable, not even for a moment;
            # SQLite gives its -wal and -shm files the same mode as the database.
            fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
            os.close(fd)
            if stat.S_IMODE(self.path.stat().st_mode) & 0o077:
                os.chmod(self.path, 0o600)
            conn = self._open()
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(_SCHEMA)
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            except sqlite3.DatabaseError as exc:
                raise StoreUnavailable(f"用户数据库 {self.path} 无法打开: {exc}") from exc
            finally:
                conn.close()
            self._ready = True

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.row_factory = sqlite3.Row
        return conn

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self._ensure()
        conn = self._open()
        try:
            yield conn
        except sqlite3.IntegrityError:
            raise
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailable(f"用户数据库 {self.path} 暂时不可用: {exc}") from exc
        finally:
            conn.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _fetch(self, conn: sqlite3.Connection, username: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = conn.execute(
            f"SELECT {_COLUMNS} FROM users WHERE username = ?", (username,)
        ).fetchone()
        return row

    @staticmethod
    def _user(row: sqlite3.Row, moment: datetime | None = None) -> User:
        until = _parse(row["locked_until"])
        if until is not None and until <= _utc(moment):
            until = None
        return User(
            username=row["username"],
            role=row["role"],
            scope=row["scope"],
            display_name=row["display_name"],
            disabled=bool(row["disabled"]),
            locked_until=until,
            last_login=_parse(row["last_login"]),
        )

    def _require(self, conn: sqlite3.Connection, username: str) -> sqlite3.Row:
        row = self._fetch(conn, username)
        if row is None:
            raise NotFound(f"用户“{username}”不存在")
        return row

    def _dummy(self) -> str:
        # Unknown users still pay for one argon2 verify, against a hash of the same cost.
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    # -- accounts -------------------------------------------------------------------------

    def add(
        self,
        username: str,
        password: str,
        *,
        role: str,
        scope: str,
        display_name: str | None = None,
        now: datetime | None = None,
    ) -> User:
        check_username(username)
        check_role(role)
        scope = (scope or "").strip()
        if not scope or len(scope) > MAX_SCOPE:
            raise ValidationFailed("范围不能为空：请填写区划代码或党组织编号")
        display_name = (display_name or "").strip() or None
        if display_name is not None and len(display_name) > MAX_DISPLAY_NAME:
            raise ValidationFailed(f"姓名不能超过 {MAX_DISPLAY_NAME} 个字符")
        check_strength(password, username=username)
        hashed = self.hasher.hash(password)
        stamp = _stamp(_utc(now))
        try:
            with self._write() as conn:
                conn.execute(
                    "INSERT INTO users (username, password_hash, role, scope, display_name, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (username, hashed, role, scope, display_name, stamp, stamp),
                )
        except sqlite3.IntegrityError:
            raise ConstraintConflict(f"用户“{username}”已存在") from None
        return User(username, role, scope, display_name, False)

    def get(self, username: str, *, now: datetime | None = None) -> User | None:
        """The user (`locked_until` set when locked at `now`), or None."""
        with self._connect() as conn:
            row = self._fetch(conn, username)
        return None if row is None else self._user(row, now)

    def list(self, *, now: datetime | None = None) -> builtins.list[User]:
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM users ORDER BY username COLLATE NOCASE"
            ).fetchall()
        return [self._user(r, now) for r in rows]

    def set_password(self, username: str, password: str, *, now: datetime | None = None) -> None:
        """A new password (checked for strength); also lifts a lockout."""
        with self._connect() as conn:
            canonical = self._require(conn, username)["username"]
        check_strength(password, username=canonical)
        hashed = self.hasher.hash(password)
        with self._write() as conn:
            self._require(conn, username)
            conn.execute(
                "UPDATE users SET password_hash = ?, failed_count = 0, locked_until = NULL, "
                "updated_at = ? WHERE username = ?",
                (hashed, _stamp(_utc(now)), username),
            )

    def set_disabled(self, username: str, disabled: bool, *, now: datetime | None = None) -> User:
        with self._write() as conn:
            self._require(conn, username)
            conn.execute(
                "UPDATE users SET disabled = ?, updated_at = ? WHERE username = ?",
                (int(disabled), _stamp(_utc(now)), username),
            )
            row = self._require(conn, username)
        return self._user(row, now)

    def unlock(self, username: str, *, now: datetime | None = None) -> User:
        with self._write() as conn:
            self._require(conn, username)
            conn.execute(
                "UPDATE users SET failed_count = 0, locked_until = NULL, "
                "updated_at = ? WHERE username = ?",
                (_stamp(_utc(now)), username),
            )
            row = self._require(conn, username)
        return self._user(row, now)

    # -- log-in ---------------------------------------------------------------------------

    def authenticate(self, username: str, password: str, *, now: datetime | None = None) -> User:
        """The user when the password is right. Unauthorized (one message for unknown users
        and wrong passwords), AccountLocked after `lockout_failures` failures in a row."""
        moment = _utc(now)
        row = None
        if isinstance(username, str) and USERNAME_RE.fullmatch(username):
            with self._connect() as conn:
                row = self._fetch(conn, username)
        if row is None or not isinstance(password, str):
            with contextlib.suppress(Exception):
                self.hasher.verify(str(password), self._dummy())
            raise Unauthorized(BAD_LOGIN)
        until = _parse(row["locked_until"])
        if until is not None and until > moment:
            raise AccountLocked(f"账号已锁定，请 {_minutes_left(until, moment)} 分钟后再试")

        try:
            ok, rehashed = self.hasher.verify_and_update(password, row["password_hash"])
        except Exception:  # an unreadable hash must not let anyone in, nor crash the API
            ok, rehashed = False, None

        # Decide inside one write transaction: another thread may have counted a failure
        # (or locked the account) while this one was hashing.
        failure: Unauthorized | None = None
        with self._write() as conn:
            row = self._fetch(conn, username)
            if row is None:
                failure = Unauthorized(BAD_LOGIN)
            elif (until := _parse(row["locked_until"])) is not None and until > moment:
                failure = AccountLocked(f"账号已锁定，请 {_minutes_left(until, moment)} 分钟后再试")
            elif not ok:
                failures = row["failed_count"] + 1
                if failures >= self.lockout_failures:
                    until = moment + timedelta(minutes=self.lockout_minutes)
                    conn.execute(
                        "UPDATE users SET failed_count = 0, locked_until = ? WHERE username = ?",
                        (_stamp(until), username),
                    )
                    failure = AccountLocked(
                        f"连续 {failures} 次登录失败，账号已锁定，"
                        f"请 {self.lockout_minutes} 分钟后再试"
                    )
                else:
                    conn.execute(
                        "UPDATE users SET failed_count = ? WHERE username = ?", (failures, username)
                    )
                    failure = Unauthorized(BAD_LOGIN)
            elif row["disabled"]:
                failure = Unauthorized(DISABLED)
            else:
                conn.execute(
                    "UPDATE users SET failed_count = 0, locked_until = NULL, last_login = ?, "
                    "password_hash = COALESCE(?, password_hash) WHERE username = ?",
                    (_stamp(moment), rehashed, username),
                )
                row = self._require(conn, username)
        if failure is not None:
            raise failure
        assert row is not None
        return self._user(row, moment)


def default_user_store(settings: Settings) -> UserStore:
    """The users of this installation: `users.sqlite3` in the data folder."""
    return UserStore(
        settings.data_path / "users.sqlite3",
        lockout_failures=settings.lockout_failures,
        lockout_minutes=settings.lockout_minutes,
    )
