"""The audit log: one JSON line per event, append-only, one private file per day, pruning."""

from __future__ import annotations

import json
import stat
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from orgraph.config import Settings
from orgraph.errors import ConfigError
from orgraph.security import AuditLog, default_audit_log

CST = timezone(timedelta(hours=8))
NOON = datetime(2026, 11, 1, 12, 0, tzinfo=CST)


def _event(log: AuditLog, n: int, now: datetime = NOON) -> None:
    log.record(
        user="zhang.san",
        action="member.reveal",
        target=f"M{n}",
        scope="330226101",
        client="127.0.0.1",
        result="ok",
        detail={"field": "phone", "n": n},
        now=now,
    )


def test_a_record_is_one_json_line_with_a_zoned_timestamp(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit")
    _event(log, 1)
    log.record(
        user=None,
        action="auth.login",
        target=None,
        scope=None,
        client=None,
        result="denied",
        now=NOON,
    )
    path = tmp_path / "audit" / "audit-2026-11-01.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first == {
        "ts": "2026-11-01T12:00:00.000+08:00",
        "user": "zhang.san",
        "action": "member.reveal",
        "target": "M1",
        "scope": "330226101",
        "client": "127.0.0.1",
        "result": "ok",
        "detail": {"field": "phone", "n": 1},
    }
    assert datetime.fromisoformat(first["ts"]).tzinfo is not None
    assert log.read(date(2026, 11, 1))[1]["result"] == "denied"
    assert log.read("2026-11-01") == log.read(date(2026, 11, 1))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "audit").stat().st_mode) == 0o700


def test_default_timestamp_is_now_with_a_zone(tmp_path: Path) -> None:
    log = default_audit_log(Settings(data_dir=tmp_path))
    assert log.folder == tmp_path.resolve() / "audit" and log.retention_days == 180
    log.record(user="a", action="x", target=None, scope=None, client=None, result="ok")
    (entry,) = log.read()
    assert datetime.fromisoformat(entry["ts"]).utcoffset() is not None


def test_appends_across_instances_never_rewrite(tmp_path: Path) -> None:
    folder = tmp_path / "audit"
    _event(AuditLog(folder), 1)
    before = (folder / "audit-2026-11-01.jsonl").read_bytes()
    _event(AuditLog(folder), 2)  # e.g. the API restarted, or the CLI wrote meanwhile
    after = (folder / "audit-2026-11-01.jsonl").read_bytes()
    assert after.startswith(before) and after.count(b"\n") == 2
    assert [e["target"] for e in AuditLog(folder).read(date(2026, 11, 1))] == ["M1", "M2"]


def test_threads_never_interleave_inside_a_line(tmp_path: Path) -> None:
    logs = [AuditLog(tmp_path), AuditLog(tmp_path)]
    start = threading.Barrier(8)

    def write(t: int) -> None:
        start.wait()
        for i in range(25):
            _event(logs[t % 2], t * 100 + i)

    threads = [threading.Thread(target=write, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    entries = logs[0].read(date(2026, 11, 1))
    assert sorted(e["detail"]["n"] for e in entries) == sorted(
        t * 100 + i for t in range(8) for i in range(25)
    )


def test_rotates_by_day(tmp_path: Path) -> None:
    log = AuditLog(tmp_path)
    _event(log, 1, datetime(2026, 11, 1, 23, 59, 59, tzinfo=CST))
    _event(log, 2, datetime(2026, 11, 2, 0, 0, 1, tzinfo=CST))
    _event(log, 3, datetime(2026, 11, 2, 8, 0, tzinfo=CST))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "audit-2026-11-01.jsonl",
        "audit-2026-11-02.jsonl",
    ]
    assert [e["target"] for e in log.read(date(2026, 11, 1))] == ["M1"]
    assert [e["target"] for e in log.read(date(2026, 11, 2))] == ["M2", "M3"]
    assert log.read(date(2026, 11, 3)) == []
    assert log.days() == [date(2026, 11, 1), date(2026, 11, 2)]


def test_prune_keeps_180_days_and_deletes_only_older(tmp_path: Path) -> None:
    today = date(2026, 11, 1)
    for age in (0, 1, 179, 180, 181, 400):
        (tmp_path / f"audit-{today - timedelta(days=age)}.jsonl").write_text("{}\n")
    (tmp_path / "notes.txt").write_text("keep me")
    (tmp_path / "audit-2020-13-45.jsonl").write_text("not a date: left alone")
    deleted = AuditLog(tmp_path).prune(datetime(2026, 11, 1, 0, 0, 1, tzinfo=CST))
    assert sorted(p.name for p in deleted) == [
        f"audit-{today - timedelta(days=400)}.jsonl",
        f"audit-{today - timedelta(days=181)}.jsonl",
    ]
    assert [today - d for d in AuditLog(tmp_path).days()] == [
        timedelta(days=a) for a in (180, 179, 1, 0)
    ]
    assert (tmp_path / "notes.txt").exists() and (tmp_path / "audit-2020-13-45.jsonl").exists()


def test_the_first_write_of_a_day_prunes(tmp_path: Path) -> None:
    old = tmp_path / "audit-2026-05-01.jsonl"  # 184 days before 2026-11-01
    kept = tmp_path / "audit-2026-05-05.jsonl"  # exactly 180 days before
    old.write_text("{}\n")
    kept.write_text("{}\n")
    log = AuditLog(tmp_path)
    _event(log, 1)
    assert not old.exists() and kept.exists()
    old.write_text("{}\n")
    _event(log, 2)  # same day: no second scan
    assert old.exists()
    _event(log, 3, NOON + timedelta(days=1))  # a new day: 2026-05-05 is now 181 days old
    assert not old.exists() and not kept.exists()


def test_retention_below_180_days_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="180"):
        AuditLog(tmp_path, retention_days=30)
