"""The `orgraph` command line as a user runs it: a real process, a real embedded database."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import short_tmpdir

ORGRAPH = str(Path(sys.executable).with_name("orgraph"))


@pytest.fixture
def env() -> Iterator[dict[str, str]]:
    folder = short_tmpdir("og-cli-")
    environ = {**os.environ, "ORGRAPH_DATA_DIR": str(folder / "db")}
    yield environ
    subprocess.run([ORGRAPH, "db", "stop"], env=environ, capture_output=True, timeout=60)
    shutil.rmtree(folder, ignore_errors=True)


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ORGRAPH, *args], env=env, capture_output=True, text=True, timeout=120)


def test_db_lifecycle_and_migrate(env: dict[str, str], tmp_path: Path) -> None:
    stopped = run(env, "db", "status")
    assert stopped.returncode == 1 and "已停止" in stopped.stdout
    assert "已启动" in run(env, "db", "start").stdout
    assert "已在运行" in run(env, "db", "start").stdout
    first = run(env, "migrate")
    assert first.returncode == 0 and "升级到" in first.stdout
    second = run(env, "migrate")
    assert second.returncode == 0 and "未做改动" in second.stdout
    status = json.loads(run(env, "db", "status", "--json").stdout)
    assert status["state"] == "running" and status["schema_version"] == status["schema_target"]
    assert status["socket"].endswith("falkordb.sock")

    backup = tmp_path / "b.rdb"
    assert run(env, "db", "backup", str(backup)).returncode == 0 and backup.stat().st_size > 0
    assert "已停止" in run(env, "db", "stop").stdout
    assert run(env, "db", "status").returncode == 1


def test_commands_start_the_store_when_needed(env: dict[str, str]) -> None:
    out = run(env, "migrate")  # no `db start` first
    assert out.returncode == 0, out.stderr
    assert json.loads(run(env, "db", "status", "--json").stdout)["state"] == "running"


def test_restore_refuses_a_non_empty_store_without_force(
    env: dict[str, str], tmp_path: Path
) -> None:
    demo = tmp_path / "demo"
    assert run(env, "demo", "--scale", "tiny", "--out", str(demo)).returncode == 0
    backup = tmp_path / "b.rdb"
    assert run(env, "db", "backup", str(backup)).returncode == 0
    refused = run(env, "db", "restore", str(backup))
    assert refused.returncode == 8 and "--force" in refused.stderr
    ok = run(env, "db", "restore", str(backup), "--force")
    assert ok.returncode == 0 and "已从" in ok.stdout


def test_a_store_uri_it_cannot_parse_is_a_clear_error(env: dict[str, str]) -> None:
    bad = run({**env, "ORGRAPH_STORE_URI": "mysql://x"}, "migrate")
    assert bad.returncode == 2 and "ORGRAPH_STORE_URI" in bad.stderr
