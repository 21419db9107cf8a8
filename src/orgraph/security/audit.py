"""Append-only audit log: one JSON line per write or sensitive read, one file per day.

Files are only ever opened for appending, each line goes out in one write() and is fsync'd
before record() returns, so a crash loses no acknowledged entry and concurrent writers (threads
or the API and the CLI at once) never interleave inside a line. Nothing rewrites a line; the
only deletion is prune(), of whole days older than the retention period (≥ 180 days,
docs/design.md#audit).
"""

from __future__ import annotations

import json
import os
import re
import stat
import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from orgraph.config import Settings
from orgraph.errors import ConfigError, ValidationFailed

_FILE_RE = re.compile(r"audit-(\d{4}-\d{2}-\d{2})\.jsonl")
# One lock per folder, shared by every AuditLog of this process.
_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _folder_lock(folder: Path) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(folder, threading.Lock())


def _moment(now: datetime | None) -> datetime:
    """An aware timestamp: `now` as given when aware, else in the machine's time zone."""
    if now is None:
        return datetime.now().astimezone()
    return now if now.tzinfo is not None else now.astimezone()


class AuditLog:
    def __init__(self, folder: Path, *, retention_days: int = 180) -> None:
        if retention_days < 180:
            # docs/design.md#audit: at least 180 days are kept; refusing beats silently losing.
            raise ConfigError("审计日志至少保留 180 天 (ORGRAPH_AUDIT_RETENTION_DAYS)")
        self.folder = Path(folder).expanduser().resolve()
        self.retention_days = retention_days
        self._lock = _folder_lock(self.folder)
        self._last_day: date | None = None

    def path_for(self, day: date) -> Path:
        return self.folder / f"audit-{day.isoformat()}.jsonl"

    def record(
        self,
        *,
        user: str | None,
        action: str,
        target: str | None,
        scope: str | None,
        client: str | None,
        result: str,
        detail: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> None:
        """Append one entry; returns once it is on disk."""
        if not action or not result:
            raise ValidationFailed("审计记录必须包含操作 (action) 和结果 (result)")
        ts = _moment(now)
        entry = {
            "ts": ts.isoformat(timespec="milliseconds"),
            "user": user,
            "action": action,
            "target": target,
            "scope": scope,
            "client": client,
            "result": result,
            "detail": detail or {},
        }
        line = (
            json.dumps(entry, ensure_ascii=False, default=str, separators=(",", ":")) + "\n"
        ).encode()
        day = ts.date()
        path = self.path_for(day)
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            # 0700/0600 whatever made them before (an existing folder keeps its mode through
            # mkdir, an existing file through open): the log names users, targets, clients.
            if stat.S_IMODE(self.folder.stat().st_mode) != 0o700:
                os.chmod(self.folder, 0o700)
            created = not path.exists()
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                if stat.S_IMODE(os.fstat(fd).st_mode) & 0o077:
                    os.fchmod(fd, 0o600)
                written = os.write(fd, line)
                if written != len(line):  # only a full disk does this to a regular file
                    raise OSError(f"audit log {path}: short write ({written}/{len(line)})")
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:
                self._sync_folder()
            new_day = day != self._last_day
            self._last_day = day
        if new_day:
            self.prune(ts)

    def _sync_folder(self) -> None:
        # A new file's directory entry must reach the disk too, or a crash can lose the file.
        fd = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def days(self) -> list[date]:
        """The days that have a log file, oldest first."""
        if not self.folder.is_dir():
            return []
        found = []
        for p in self.folder.iterdir():
            m = _FILE_RE.fullmatch(p.name)
            if m:
                try:
                    found.append(date.fromisoformat(m.group(1)))
                except ValueError:
                    continue
        return sorted(found)

    def prune(self, now: datetime | None = None) -> list[Path]:
        """Delete the day files older than `retention_days` (a file exactly that old stays);
        returns what was deleted."""
        cutoff = _moment(now).date() - timedelta(days=self.retention_days)
        deleted = []
        with self._lock:
            for day in self.days():
                if day < cutoff:
                    path = self.path_for(day)
                    path.unlink(missing_ok=True)
                    deleted.append(path)
        return deleted

    def read(self, day: date | str | None = None) -> list[dict[str, Any]]:
        """The entries of one day (default: today), in the order written."""
        if day is None:
            day = _moment(None).date()
        elif isinstance(day, str):
            try:
                day = date.fromisoformat(day)
            except ValueError:
                raise ValidationFailed(f"日期“{day}”格式不对，应为 YYYY-MM-DD") from None
        path = self.path_for(day)
        if not path.exists():
            return []
        with path.open(encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]


def default_audit_log(settings: Settings) -> AuditLog:
    return AuditLog(settings.data_path / "audit", retention_days=settings.audit_retention_days)
