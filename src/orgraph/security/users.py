"""API users in a small SQLite file beside the graph data: who may log in, as what, where.

Users live outside the graph on purpose: the graph is imported from rosters (and may be wiped
and restored), while accounts, password hashes and lockout counters must survive that.
One connection per call (WAL) so the API may call from several threads and processes; the
read-modify-write of the failure counter runs in a BEGIN IMMEDIATE transaction so concurrent
wrong passwords are all counted.

Log-in (docs/design.md#security, #18): every refusal (unknown user, wrong password, account
held after failures, disabled account) is the same `LoginRefused` with the same message, and
each costs one argon2 verify before anything is decided, so neither the answer nor its timing
tells whether a name exists. After `lockout_failures` failures in a row the account is held
for a back-off that starts at one minute and doubles with each further failure, up to
`lockout_minutes`; attempts during a hold are refused and not counted. The hold is kept here,
so every API worker sees it. `token_version` grows on each password change and each disable or
enable; tokens carry it, and the API refuses a token whose version is not the account's.
"""

from __future__ import annotations

import builtins
import contextlib
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
# The first hold after `lockout_failures` failures in a row; each further failure doubles it.
FIRST_HOLD = timedelta(minutes=1)

USERNAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{2,31}")
MAX_SCOPE = 64
MAX_DISPLAY_NAME = 64
SCHEMA_VERSION = 2

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
    updated_at    TEXT NOT NULL,
    token_version INTEGER NOT NULL DEFAULT 0
);
"""
_COLUMNS = (
    "username, password_hash, role, scope, display_name, disabled, failed_count, "
    "locked_until, last_login, token_version"
)


class LoginRefused(Unauthorized):
    """Every refused log-in: one status (401) and one message whatever the cause. `reason`
    ("unknown", "wrong_password", "locked", "disabled") is for the audit log only."""

    def __init__(self, reason: str) -> None:
        super().__init__(BAD_LOGIN)
        self.reason = reason


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
    # Grows on each password change and disable/enable: tokens of an older version are dead.
    token_version: int = 0

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
                columns = {r["name"] for r in conn.execute("PRAGMA table_info(users)")}
                if "token_version" not in columns:  # a file of schema 1 (before #18)
                    conn.execute(
                        "ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0"
                    )
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
            raise StoreUnavailable("用户数据库暂时不可用，请稍后重试").with_detail(
                f"{self.path}: {exc}"
            ) from exc
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
            token_version=int(row["token_version"]),
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
        """A new password (checked for strength); also lifts a hold and revokes every token
        issued before (token_version + 1)."""
        with self._connect() as conn:
            canonical = self._require(conn, username)["username"]
        check_strength(password, username=canonical)
        hashed = self.hasher.hash(password)
        with self._write() as conn:
            self._require(conn, username)
            conn.execute(
                "UPDATE users SET password_hash = ?, failed_count = 0, locked_until = NULL, "
                "token_version = token_version + 1, updated_at = ? WHERE username = ?",
                (hashed, _stamp(_utc(now)), username),
            )

    def set_disabled(self, username: str, disabled: bool, *, now: datetime | None = None) -> User:
        """Disable or enable; either revokes every token issued before (token_version + 1),
        so enabling an account again does not revive the sessions it had."""
        with self._write() as conn:
            self._require(conn, username)
            conn.execute(
                "UPDATE users SET disabled = ?, token_version = token_version + 1, "
                "updated_at = ? WHERE username = ?",
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

    def hold_for(self, failures: int) -> timedelta:
        """How long `failures` failures in a row hold an account (zero below the threshold):
        one minute at the threshold, doubling with each further failure, at most
        `lockout_minutes`."""
        if failures < self.lockout_failures:
            return timedelta(0)
        cap = timedelta(minutes=self.lockout_minutes)
        doublings = min(failures - self.lockout_failures, 20)
        hold: timedelta = FIRST_HOLD * (1 << doublings)
        return min(cap, hold)

    def authenticate(self, username: str, password: str, *, now: datetime | None = None) -> User:
        """The user when the password is right and the account neither held nor disabled;
        LoginRefused otherwise, the same for every cause and after the same work: one argon2
        verify (against a dummy hash for an unknown user) comes before any decision."""
        moment = _utc(now)
        row = None
        if isinstance(username, str) and USERNAME_RE.fullmatch(username):
            with self._connect() as conn:
                row = self._fetch(conn, username)
        try:
            ok, rehashed = self.hasher.verify_and_update(
                str(password), row["password_hash"] if row is not None else self._dummy()
            )
        except Exception:  # an unreadable hash must not let anyone in, nor crash the API
            ok, rehashed = False, None
        ok = ok and row is not None and isinstance(password, str)

        # Decide inside one write transaction (for an unknown name too, so it costs the same):
        # another thread may have counted a failure, or held the account, while this one hashed.
        failure: LoginRefused | None = None
        with self._write() as conn:
            row = self._fetch(conn, username) if row is not None else None
            if row is None:
                failure = LoginRefused("unknown")
            elif (until := _parse(row["locked_until"])) is not None and until > moment:
                failure = LoginRefused("locked")  # not counted: a hold does not extend itself
            elif not ok:
                failures = row["failed_count"] + 1
                hold = self.hold_for(failures)
                conn.execute(
                    "UPDATE users SET failed_count = ?, locked_until = ? WHERE username = ?",
                    (failures, _stamp(moment + hold) if hold else None, username),
                )
                failure = LoginRefused("locked" if hold else "wrong_password")
            elif row["disabled"]:
                failure = LoginRefused("disabled")
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
