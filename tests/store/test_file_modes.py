"""Files with data are the owner's alone (issue #18): whatever the data folder's mode (one
made beforehand with `mkdir -m755`, files an earlier version left 0644) and under the usual
umask 022, every file the store (embedded FalkorDB, local Neo4j), `orgraph db backup` and
`restore`, and the API (users, token key, audit log) create or keep ends up 0600, every folder
0700, and restore says where it kept the replaced data."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from tests.api.conftest import PASSWORD, user_store
from tests.engines import GraphHost, short_tmpdir
from tests.live_api import live_api
from typer.testing import CliRunner, Result

from orgraph.cli import app
from orgraph.config import Settings, get_settings
from orgraph.security.audit import AuditLog
from orgraph.store import GraphStore, open_store


def loose(*roots: Path, skip_roots: bool = False) -> list[str]:
    """Paths under roots (and the roots) that group or others may read, write or enter."""
    found = []
    for root in roots:
        paths = [root] if root.is_file() else [] if skip_roots else [root]
        if root.is_dir():
            for folder, dirs, files in os.walk(root):
                paths += [Path(folder) / n for n in (*dirs, *files)]
        for path in paths:
            st = path.lstat()
            if not stat.S_ISLNK(st.st_mode) and stat.S_IMODE(st.st_mode) & 0o077:
                found.append(f"{oct(stat.S_IMODE(st.st_mode))} {path}")
    return found


def loosen(root: Path) -> None:
    """What an earlier version, or a folder made by hand, left: 0755 folders, 0644 files."""
    for folder, dirs, files in os.walk(root):
        for n in dirs:
            os.chmod(Path(folder) / n, 0o755)
        for n in files:
            p = Path(folder) / n
            if not p.is_socket():
                os.chmod(p, 0o644)
    os.chmod(root, 0o755)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def cli(env: dict[str, str | None], *args: str) -> Result:
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, list(args), env={**env, "COLUMNS": "300"})
    finally:
        get_settings.cache_clear()


def settings_of(env: dict[str, str | None]) -> Settings:
    saved = {k: os.environ.get(k) for k in env}
    try:
        os.environ.update({k: v for k, v in env.items() if v is not None})
        return Settings()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _write_some(env: dict[str, str | None], n: int) -> None:
    store = open_store(settings_of(env), autostart=False)
    try:
        store.write(
            "upsert_areas",
            rows=[
                {"code": f"A{i:07d}", "props": {"name": f"村{i}", "level": "village"}}
                for i in range(n)
            ],
        )
    finally:
        store.close()


def _life(env: dict[str, str | None], data: Path, backups: Path) -> None:
    """start, write, stop; loosen as an earlier version left it; start, write, backup,
    restore: every file owner-only after each step that makes files. (The local Neo4j's
    files are checked the same way along the life of test_neo4j_local's server: a server
    of its own here cost ~70 s of CI for two more starts.)"""
    assert cli(env, "db", "start").exit_code == 0
    assert cli(env, "migrate").exit_code == 0
    _write_some(env, 20)
    assert not loose(data), loose(data)
    assert cli(env, "db", "stop").exit_code == 0
    loosen(data)
    started = cli(env, "db", "start")
    assert started.exit_code == 0, started.output
    _write_some(env, 30)
    assert not loose(data), loose(data)  # brought back to 0700/0600, new files 0600
    dump = backups / "orgraph.backup"
    done = cli(env, "db", "backup", str(dump))
    assert done.exit_code == 0, done.output
    assert not loose(backups), loose(backups)
    restored = cli(env, "db", "restore", str(dump), "--force")
    assert restored.exit_code == 0, restored.output
    aside = sorted(data.rglob("replaced-*"))
    assert aside, list(data.iterdir())
    assert str(aside[0]) in restored.stdout and "完整副本" in restored.stdout, restored.stdout
    assert not loose(data), loose(data)


def test_embedded_store_backup_and_restore_files_are_owner_only(umask_022: None) -> None:
    folder = short_tmpdir("og-fm-")
    data = folder / "db"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    (data / "falkordb.log").write_text("from an earlier run\n")  # 0644 under umask 022
    env: dict[str, str | None] = {"ORGRAPH_STORE_URI": "embedded", "ORGRAPH_DATA_DIR": str(data)}
    try:
        _life(env, data, folder / "backups")
    finally:
        cli(env, "db", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def test_api_files_are_owner_only(graph_host: GraphHost, umask_022: None) -> None:
    folder = short_tmpdir("og-fma-")
    data = folder / "api"
    data.mkdir(mode=0o755)
    # An audit folder and today's log an earlier version left readable.
    audit = data / "audit"
    audit.mkdir(mode=0o755)
    os.chmod(audit, 0o755)
    today = AuditLog(audit).path_for(datetime.now().astimezone().date())
    today.write_text("")
    os.chmod(today, 0o644)
    try:
        users = user_store(data)
        users.add("fmuser", PASSWORD, role="county_admin", scope="330226")
        store: GraphStore
        with graph_host.fresh() as store, live_api(store, data, users=users) as url:
            c = httpx.Client(base_url=url + "/api/v1", timeout=30)
            r = c.post("/auth/token", data={"username": "fmuser", "password": PASSWORD})
            assert r.status_code == 200, r.text  # a token key and an audit entry
            c.post("/auth/token", data={"username": "fmuser", "password": "wrong-Passw0rd"})
            c.close()
        made = sorted(p.name for p in data.rglob("*"))
        assert "audit" in made and any(n.endswith(".jsonl") for n in made), made
        # The folder itself was the caller's (0755 on purpose); everything made inside is not.
        assert not loose(data, skip_roots=True), loose(data, skip_roots=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
