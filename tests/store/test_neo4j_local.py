"""`orgraph db ...` on a real local Neo4j (ORGRAPH_STORE_URI=neo4j-local), and its errors.

One module-scoped server goes through the whole life a user gives it, one test after the
other: a first start over a stale pid file, a second start, status, a backup and restore round
trip, stop. A Neo4j start costs 10-20 s and a stop about 10 s, so the server starts three
times in all (first start, and the restart after each dump). Along the way its files are held
to owner-only (issue #18, as tests/store/test_file_modes.py does for the embedded store): the
data folder is made 0755 beforehand and the module runs under umask 022; the first start leaves
every file 0600 and every folder 0700, and so does the restart of a backup after the folder
was loosened as an earlier version left it. The checks for a missing java or mvn, or a failed
download, start no server.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.engines import free_port, short_tmpdir
from tests.store.test_file_modes import loose, loosen
from typer.testing import CliRunner, Result

from orgraph.cli import app
from orgraph.config import Settings, get_settings
from orgraph.errors import ConfigError, EmbeddedUnsupported, StoreUnavailable, ValidationFailed
from orgraph.store import local_server, open_store
from orgraph.store.neo4j_server import (
    NEO4J_VERSION,
    LocalNeo4j,
    bolt_port_free,
    find_java,
    install_jars,
)
from orgraph.store.servers import ManagedEmbedded

pytestmark = pytest.mark.neo4j

HEAP, PAGECACHE = "512m", "256m"


def neo_env(data: Path, port: int, **extra: str | None) -> dict[str, str | None]:
    return {
        "ORGRAPH_STORE_URI": "neo4j-local",
        "ORGRAPH_DATA_DIR": str(data),
        "ORGRAPH_NEO4J_BOLT_PORT": str(port),
        "ORGRAPH_NEO4J_HEAP": HEAP,
        "ORGRAPH_NEO4J_PAGECACHE": PAGECACHE,
        "ORGRAPH_START_TIMEOUT": "240",
        **extra,
    }


def cli(env: dict[str, str | None], *args: str) -> Result:
    get_settings.cache_clear()  # settings are read once per process: read them under env
    try:
        return CliRunner().invoke(app, list(args), env=env)
    finally:
        get_settings.cache_clear()


def settings_of(env: dict[str, str | None]) -> Settings:
    saved = {k: os.environ.get(k) for k in env}
    try:
        for k, v in env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        return Settings()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _areas(n: int, start: int = 0) -> list[dict[str, object]]:
    return [
        {"code": f"A{i:07d}", "props": {"name": f"村{i}", "level": "village"}}
        for i in range(start, start + n)
    ]


# -- one real server through its life -------------------------------------------------------


@pytest.fixture(scope="module")
def life() -> Iterator[dict[str, str | None]]:
    folder = short_tmpdir("og-n4l-")
    data = folder / "db"
    data.mkdir(mode=0o755)  # made by hand beforehand (`mkdir -m755`)
    os.chmod(data, 0o755)
    env = neo_env(data, free_port())
    old = os.umask(0o022)  # the usual umask: the store must not rely on a strict one
    try:
        yield env
    finally:
        os.umask(old)
        LocalNeo4j(data).kill()  # whatever state a failed test left it in
        shutil.rmtree(folder, ignore_errors=True)


def data_of(env: dict[str, str | None]) -> Path:
    return Path(str(env["ORGRAPH_DATA_DIR"]))


def server_of(env: dict[str, str | None]) -> LocalNeo4j:
    server = local_server(settings_of(env))
    assert isinstance(server, LocalNeo4j)
    return server


def test_start_over_a_stale_pid_file_then_a_second_start(life: dict[str, str | None]) -> None:
    server = server_of(life)
    server.pidfile.parent.mkdir(parents=True)
    server.pidfile.write_text(f"{dead_pid()}\n")  # left by a crash
    stopped = cli(life, "db", "status")
    assert stopped.exit_code == 1 and "已停止" in stopped.stdout

    first = cli(life, "db", "start")
    assert first.exit_code == 0, first.output
    assert "已启动" in first.stdout and server.uri in first.stdout
    assert f"正在启动 Neo4j {NEO4J_VERSION}" in first.stderr  # progress goes to stderr
    pid = server.pid()
    assert pid is not None and server.pidfile.read_text().strip() == str(pid)

    second = cli(life, "db", "start")
    assert second.exit_code == 0 and "已在运行" in second.stdout and str(pid) in second.stdout
    assert server.pid() == pid
    assert oct(server.password_file.stat().st_mode & 0o777) == "0o600"
    assert not loose(data_of(life)), loose(data_of(life))  # the 0755 folder made 0700 too


def test_status_shows_engine_version_pid_memory_and_counts(life: dict[str, str | None]) -> None:
    assert cli(life, "migrate").exit_code == 0
    result = cli(life, "db", "status", "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["engine"] == "neo4j-local" and info["state"] == "running"
    assert info["version"] == NEO4J_VERSION and info["agent"] == f"Neo4j/{NEO4J_VERSION}"
    assert info["pid"] == server_of(life).pid()
    assert info["rss_bytes"] > 100 << 20  # a JVM with a 512 MB heap
    assert info["nodes"] == 0 and info["schema_version"] == info["schema_target"] > 0
    assert info["bolt"].startswith("bolt://127.0.0.1:")

    human = cli(life, "db", "status")
    assert human.exit_code == 0
    for text in ("neo4j-local", "运行中", f"Neo4j/{NEO4J_VERSION}", "内存 (RSS)", "节点数: 0"):
        assert text in human.stdout


@pytest.mark.timeout(900)
def test_backup_and_restore_round_trip(life: dict[str, str | None], tmp_path: Path) -> None:
    settings = settings_of(life)
    store = open_store(settings, autostart=False)
    try:
        store.write("upsert_areas", rows=_areas(100))
    finally:
        store.close()
    dump = tmp_path / "orgraph.dump"
    loosen(data_of(life))  # as an earlier version left it: the restart below tightens it
    backup = cli(life, "db", "backup", str(dump))
    assert backup.exit_code == 0, backup.output
    assert "已备份到" in backup.stdout and dump.stat().st_size > 0
    assert "社区版只能备份已停止的数据库" in backup.stderr  # the user is told why it paused
    assert server_of(life).pid() is not None  # running again
    assert not loose(data_of(life)), loose(data_of(life))

    store = open_store(settings, autostart=False)
    try:
        store.write("upsert_areas", rows=_areas(50, 1000))  # after the backup
        assert store.read("count_nodes") == [{"nodes": 150}]
    finally:
        store.close()
    refused = cli(life, "db", "restore", str(dump))
    assert refused.exit_code == 8 and "--force" in refused.stderr

    restored = cli(life, "db", "restore", str(dump), "--force")
    assert restored.exit_code == 0, restored.output
    assert "已从" in restored.stdout and "100 个节点" in restored.stdout
    aside = next(server_of(life).home.glob("replaced-*.dump"))  # the replaced data, kept
    assert aside.stat().st_size > 0 and str(aside) in restored.stdout
    # Owner-only (#18): the backup, the replaced data and whatever the restore wrote.
    assert not loose(dump, server_of(life).home), loose(dump, server_of(life).home)
    store = open_store(settings, autostart=False)
    try:
        assert store.read("count_nodes") == [{"nodes": 100}]
    finally:
        store.close()


def test_stop(life: dict[str, str | None]) -> None:
    server = server_of(life)
    assert server.pid() is not None
    assert "已停止" in cli(life, "db", "stop").stdout
    assert server.pid() is None and not server.pidfile.exists()
    assert bolt_port_free(server.port)  # nothing listens any more
    status = cli(life, "db", "status", "--json")
    assert status.exit_code == 0 and json.loads(status.stdout)["state"] == "stopped"
    assert cli(life, "db", "status").exit_code == 1
    assert "未在运行" in cli(life, "db", "stop").stdout


# -- what needs no server ---------------------------------------------------------------------


@pytest.fixture
def folder() -> Iterator[Path]:
    path = short_tmpdir("og-n4x-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def bin_dir(folder: Path, **scripts: str) -> Path:
    """A folder for PATH holding only the given programs (a script text, or a real program's
    name to link)."""
    path = folder / "bin"
    path.mkdir(exist_ok=True)
    for name, text in scripts.items():
        if text.startswith("#!"):
            (path / name).write_text(text)
            (path / name).chmod(0o755)
        else:
            real = shutil.which(text)
            assert real, f"{text} is needed for this test"
            (path / name).symlink_to(real)
    return path


def test_settings_select_the_local_neo4j(folder: Path) -> None:
    env = neo_env(folder / "db", 17123, ORGRAPH_NEO4J_CACHE_DIR=str(folder / "cache"))
    settings = settings_of(env)
    assert settings.engine == "neo4j-local"
    server = local_server(settings)
    assert isinstance(server, LocalNeo4j)
    assert (server.port, server.heap, server.pagecache) == (17123, HEAP, PAGECACHE)
    assert server.cache == (folder / "cache").resolve()
    assert server.home == (folder / "db" / "neo4j").resolve()
    assert server.start_timeout == 240
    assert isinstance(
        local_server(
            settings_of({"ORGRAPH_STORE_URI": "embedded", "ORGRAPH_DATA_DIR": str(folder)})
        ),
        ManagedEmbedded,
    )
    assert local_server(settings_of({"ORGRAPH_STORE_URI": "bolt://db:7687"})) is None
    defaults = Settings(store_uri="neo4j-local")
    assert (defaults.neo4j_bolt_port, defaults.neo4j_heap, defaults.neo4j_pagecache) == (
        7687,
        "2g",
        "1g",
    )
    with pytest.raises(ConfigError, match="neo4j-local"):
        _ = Settings(store_uri="neo4j-locale").engine


def test_db_commands_refuse_an_external_store() -> None:
    result = cli({"ORGRAPH_STORE_URI": "bolt://127.0.0.1:1"}, "db", "start")
    assert result.exit_code == 2 and "外部" in result.stderr


def test_java_missing_is_a_clear_message(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = bin_dir(folder)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(EmbeddedUnsupported, match=r"找不到 Java.*Java not found"):
        find_java()
    monkeypatch.undo()
    result = cli(
        neo_env(folder / "db", free_port(), PATH=str(empty), JAVA_HOME=None), "db", "start"
    )
    assert result.exit_code == EmbeddedUnsupported.exit_code
    assert "找不到 Java" in result.stderr and "JAVA_HOME" in result.stderr
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback


def test_wrong_java_version_is_a_clear_message(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = bin_dir(folder, java="#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(path))
    with pytest.raises(EmbeddedUnsupported, match=r"Java 17 或 21.*Java 11"):
        find_java()


def test_mvn_missing_with_an_empty_cache(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = bin_dir(folder, java="java")
    cache = folder / "cache"
    monkeypatch.setenv("PATH", str(path))
    with pytest.raises(EmbeddedUnsupported, match=r"找不到 Maven.*Maven \(mvn\) not found"):
        install_jars(cache)
    monkeypatch.undo()
    result = cli(
        neo_env(
            folder / "db",
            free_port(),
            PATH=str(path),
            JAVA_HOME=None,
            ORGRAPH_NEO4J_CACHE_DIR=str(cache),
        ),
        "db",
        "start",
    )
    assert result.exit_code == EmbeddedUnsupported.exit_code
    assert "找不到 Maven" in result.stderr and "apt install maven" in result.stderr
    assert isinstance(result.exception, SystemExit)


def test_a_failed_download_is_a_clear_message(folder: Path) -> None:
    path = bin_dir(
        folder,
        java="java",
        mvn=(
            "#!/bin/sh\necho '[ERROR] Could not transfer artifact org.neo4j:neo4j:pom:5.26.30'\n"
            "exit 1\n"
        ),
    )
    cache = folder / "cache"
    out = subprocess.run(
        [sys.executable, "-m", "orgraph.store.neo4j_server", "install"],
        env={**os.environ, "PATH": str(path), "ORGRAPH_NEO4J_CACHE_DIR": str(cache)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == StoreUnavailable.exit_code
    assert f"下载 Neo4j {NEO4J_VERSION} 失败" in out.stderr
    assert "Could not transfer artifact" in out.stderr and "Traceback" not in out.stderr
    assert not (cache / "complete").exists() and not (cache / "lib").exists()


def test_install_is_a_no_op_once_done() -> None:
    """scripts/setup.sh runs it every time: fast when the jars are there (stamp)."""
    out = subprocess.run(
        [sys.executable, "-m", "orgraph.store.neo4j_server", "install"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert NEO4J_VERSION in out.stdout and "下载" not in out.stderr


def test_status_of_a_pid_file_naming_another_program(folder: Path) -> None:
    server = LocalNeo4j(folder / "db")
    server.pidfile.parent.mkdir(parents=True)
    server.pidfile.write_text(str(os.getpid()))  # alive, but no Neo4j
    assert server.pid() is None and server.status().state == "stopped"


def test_restore_rejects_a_file_that_is_not_a_dump(folder: Path) -> None:
    server = LocalNeo4j(folder / "db")
    rdb = folder / "b.rdb"
    rdb.write_bytes(b"REDIS0011 a FalkorDB snapshot")
    with pytest.raises(ValidationFailed, match="不是 Neo4j 备份"):
        server.restore(rdb, graph_has_data=False, force=True)


def test_a_generated_password_never_reads_as_an_option(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """secrets.token_urlsafe starts with "-" one time in 64; neo4j-admin then took the password
    for an option and the first start failed ("Missing required parameter: '<password>'")."""
    import secrets

    from orgraph.store import neo4j_conf

    monkeypatch.setattr(secrets, "token_urlsafe", lambda n: "-x" * (n // 2))
    pw = neo4j_conf.password(folder / "home", folder / "home" / "password")
    assert not pw.startswith("-") and pw.endswith("-x" * 12)
    assert (folder / "home" / "password").read_text().strip() == pw
