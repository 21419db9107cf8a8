"""A local Neo4j Community server that orgraph assembles from Maven Central and runs itself.

`LocalNeo4j` owns one server's process and lifecycle: start (over a stale pid file), wait until
Bolt accepts its credentials, status, stop, and backup and restore around neo4j-admin. The
parts it is built from live beside it (docs/neo4j.md, "The local server"):

- `neo4j_install`: Java 17 or 21 and the jars from Maven Central (`install_jars`, the version);
- `neo4j_conf`: neo4j.conf, the launcher's environment, the memory check, the password;
- `neo4j_admin`: the launcher's `--dry-run` (the JVM command to start) and neo4j-admin.

`python -m orgraph.store.neo4j_server install` checks Java and downloads the jars once
(scripts/setup.sh).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from orgraph.errors import EmbeddedUnsupported, StoreNotEmpty, StoreUnavailable, ValidationFailed
from orgraph.store import neo4j_conf, process
from orgraph.store.filemodes import owner_only, private_dir, tighten
from orgraph.store.neo4j_admin import DATABASE, ENTRY_POINT, Neo4jTools, check_dump
from orgraph.store.neo4j_install import (
    NEO4J_VERSION,
    Progress,
    default_cache,
    find_java,
    flock,
    install_jars,
    main,
)

# What other modules, the tests, the benchmarks and scripts/setup.sh use from here.
__all__ = [
    "NEO4J_VERSION",
    "LocalNeo4j",
    "Neo4jStatus",
    "bolt_port_free",
    "default_cache",
    "find_java",
    "install_jars",
    "main",
]

State = Literal["running", "starting", "stopped", "unresponsive"]
AUTH_FAILED = "认证失败"  # how _probe's answer marks wrong credentials


@dataclass(frozen=True)
class Neo4jStatus:
    state: State
    pid: int | None
    bolt: str
    data_dir: str
    version: str = NEO4J_VERSION
    message: str = ""
    rss_bytes: int | None = None
    heap: str = ""
    pagecache: str = ""
    agent: str = ""  # what the server says it is (driver's get_server_info), e.g. Neo4j/5.26.30

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def bolt_port_free(port: int) -> bool:
    """True when a listener could bind the port. SO_REUSEADDR as Neo4j's own (Netty) bind:
    connections of a server just stopped linger in TIME_WAIT and must not count as in use."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _rss(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


class LocalNeo4j:
    """One Neo4j server whose data, logs, config and password live in `<data_dir>/neo4j`."""

    def __init__(
        self,
        data_dir: Path,
        *,
        bolt_port: int = 7687,
        heap: str = "2g",
        pagecache: str = "1g",
        cache: Path | None = None,
        start_timeout: float = 120.0,
        query_timeout_max_ms: int = 120_000,
        tx_log_retention: str = "2 days",
    ) -> None:
        self.home = data_dir.expanduser().resolve() / "neo4j"
        self.cache = (cache or default_cache()).expanduser().resolve()
        self.port = bolt_port
        self.heap = heap
        self.pagecache = pagecache
        self.start_timeout = start_timeout
        self.query_timeout_max_ms = query_timeout_max_ms
        self.tx_log_retention = tx_log_retention
        self.conf_dir = self.home / "conf"
        self.pidfile = self.home / "run" / "neo4j.pid"
        self.password_file = self.home / "password"
        self.console_log = self.home / "logs" / "console.log"
        self.user = "neo4j"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        """Where clients reach it, for messages."""
        return f"Bolt {self.uri}"

    # -- configuration and tools --------------------------------------------------------------

    def password(self) -> str:
        """The generated password of user neo4j (made on first use, kept 0600)."""
        return neo4j_conf.password(self.home, self.password_file)

    def _write_conf(self) -> None:
        text = neo4j_conf.conf_text(
            self.home,
            lib=self.cache / "lib",
            port=self.port,
            heap=self.heap,
            pagecache=self.pagecache,
            transaction_timeout_ms=self.query_timeout_max_ms,
            tx_log_retention=self.tx_log_retention,
        )
        neo4j_conf.write_conf(self.home, text)

    def _tools(self, *, progress: Progress | None = None) -> Neo4jTools:
        """Java and the jars (checked, downloaded once), ready to run Neo4j's tools."""
        java = find_java()
        lib = install_jars(self.cache, progress=progress)
        return Neo4jTools(java, lib, self.home, neo4j_conf.launcher_env(self.home), self.password)

    # -- inspection ---------------------------------------------------------------------------

    def pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None
        alive = process.alive(pid) and process.runs(pid, ENTRY_POINT.encode())
        return pid if alive else None

    def _probe(self, timeout: float = 2.0) -> tuple[str | None, str]:
        """(None when Bolt accepts our credentials, otherwise why not; the server's agent)."""
        from orgraph.store.neo4j_driver import neo4j

        try:
            with neo4j.GraphDatabase.driver(
                self.uri,
                auth=(self.user, self.password()),
                connection_timeout=timeout,
                max_connection_pool_size=1,
            ) as drv:
                agent = drv.get_server_info().agent
        except neo4j.exceptions.AuthError as exc:
            return f"{AUTH_FAILED} (auth failed): {exc}", ""
        except Exception as exc:
            return str(exc) or type(exc).__name__, ""
        return None, agent

    def status(self) -> Neo4jStatus:
        pid = self.pid()
        if pid is None:
            return Neo4jStatus(
                state="stopped",
                pid=None,
                bolt=self.uri,
                data_dir=str(self.home),
                heap=self.heap,
                pagecache=self.pagecache,
            )
        why, agent = self._probe()
        state: State = "running" if why is None else "starting"
        if why and AUTH_FAILED in why:
            state = "unresponsive"
        return Neo4jStatus(
            state=state,
            pid=pid,
            bolt=self.uri,
            data_dir=str(self.home),
            heap=self.heap,
            pagecache=self.pagecache,
            rss_bytes=_rss(pid),
            message=why or "",
            agent=agent,
        )

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.console_log.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(text[-lines:])

    # -- lifecycle ----------------------------------------------------------------------------

    def _lock(self) -> contextlib.AbstractContextManager[None]:
        """Serialise start/stop/backup/restore between processes sharing this data folder.
        flock is per open file, so a holder calls the *_locked methods, never start/stop."""
        return flock(self.home / "lifecycle.lock")

    def start(self, *, wait: bool = True, progress: Progress | None = None) -> bool:
        """Start the server unless it runs already; True when this call started it."""
        with self._lock():
            return self._start_locked(wait=wait, progress=progress)

    def _start_locked(self, *, wait: bool = True, progress: Progress | None = None) -> bool:
        if self.pid() is not None:
            if wait:
                self.wait_ready(progress=progress)
            return False
        with contextlib.suppress(FileNotFoundError):
            self.pidfile.unlink()  # stale: its process is gone (or is no Neo4j)
        tools = self._tools(progress=progress)
        neo4j_conf.check_memory(self.heap, self.pagecache)
        if not bolt_port_free(self.port):
            raise StoreUnavailable(
                f"端口 127.0.0.1:{self.port} 已被其他程序占用，无法启动 Neo4j。"
                f"请设置 ORGRAPH_NEO4J_BOLT_PORT。Port {self.port} is in use."
            )
        self._write_conf()
        # Owner-only (issue #18): what an earlier run or version left readable, and whatever
        # neo4j-admin and the server create (their umask is 077).
        private_dir(self.home.parent)
        tighten(self.home)
        first = not (self.home / "data" / "dbms").exists()
        pw = self.password()
        if first:
            with owner_only():
                tools.set_initial_password(pw)
        argv = tools.server_command()
        if progress:
            progress(
                f"正在启动 Neo4j {NEO4J_VERSION} ({self.uri}，堆 {self.heap}，"
                f"页缓存 {self.pagecache})… (starting Neo4j)"
            )
        launched = time.monotonic()
        proc = self._launch(argv, tools.env)
        with owner_only():
            self.pidfile.write_text(f"{proc.pid}\n")
        if wait:
            self.wait_ready(launched=launched, progress=progress, proc=proc)
        return True

    def _launch(self, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        """Start the JVM detached (its own session), output appended to the console log."""
        old = os.umask(0o077)  # store files readable by the owner only
        try:
            with open(self.console_log, "ab") as log:
                return subprocess.Popen(
                    argv,
                    cwd=self.home,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        except OSError as exc:
            raise EmbeddedUnsupported(f"无法启动 Neo4j: {exc}") from exc
        finally:
            os.umask(old)

    def wait_ready(
        self,
        timeout: float | None = None,
        *,
        launched: float | None = None,
        progress: Progress | None = None,
        proc: subprocess.Popen[bytes] | None = None,
    ) -> None:
        """Block until Bolt answers with our credentials; progress every 5 s."""
        begun = launched if launched is not None else time.monotonic()
        deadline = begun + (timeout if timeout is not None else self.start_timeout)
        told = begun
        why = ""
        while True:
            if proc is not None and proc.poll() is not None:
                raise StoreUnavailable(
                    f"Neo4j 启动后退出了 (exit {proc.returncode})。日志末尾:\n{self.log_tail()}"
                )
            if proc is None and self.pid() is None:
                raise StoreUnavailable(f"Neo4j 未在运行。日志末尾:\n{self.log_tail()}")
            why = self._probe()[0] or ""
            if not why:
                return
            if AUTH_FAILED in why:
                raise StoreUnavailable(
                    f"Neo4j 拒绝了 {self.password_file} 中的密码: {why}。"
                    "如果数据目录来自别处，请把它的密码写入该文件。"
                )
            now = time.monotonic()
            if now > deadline:
                raise StoreUnavailable(
                    f"Neo4j 未在 {deadline - begun:.0f} 秒内就绪 (Bolt {self.uri}: {why})。"
                    f"可调大 ORGRAPH_START_TIMEOUT。日志末尾:\n{self.log_tail()}"
                )
            if progress and now - told >= 5:
                progress(f"等待 Neo4j 启动… {now - begun:.0f} 秒 (waiting for Neo4j)")
                told = now
            time.sleep(0.25)

    def stop(self, timeout: float = 120.0) -> bool:
        """Shut down cleanly (SIGTERM: Neo4j checkpoints and exits); True when one ran."""
        with self._lock():
            return self._stop_locked(timeout)

    def _stop_locked(self, timeout: float = 120.0) -> bool:
        pid = self.pid()
        if pid is None:
            with contextlib.suppress(FileNotFoundError):
                self.pidfile.unlink()
            return False
        process.terminate(pid, timeout)
        with contextlib.suppress(FileNotFoundError):
            self.pidfile.unlink()
        return True

    def kill(self) -> int | None:
        """SIGKILL the server, as a crash would (tests)."""
        pid = self.pid()
        if pid is not None:
            process.kill(pid)
        return pid

    # -- backup and restore -------------------------------------------------------------------

    def _dump_locked(self, dest: Path) -> int:
        """`neo4j-admin database dump` of the stopped database into dest; dest's size."""
        tools = self._tools()
        self._write_conf()
        with owner_only():  # neo4j-admin's files, and the dump: 0600 (issue #18)
            size = tools.dump(dest)
        os.chmod(dest, 0o600)
        return size

    def backup(self, dest: Path, *, progress: Progress | None = None) -> int:
        """`neo4j-admin database dump` into dest (Community dumps a stopped database only,
        so a running server is stopped for the dump and started again); dest's size.
        The lifecycle lock is held throughout: no other process starts it meanwhile."""
        dest = dest.expanduser().resolve()
        if dest.is_dir():
            raise ValidationFailed(f"备份路径是一个目录，请给出文件名: {dest}")
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # when orgraph makes it
        with self._lock():
            was_running = self.pid() is not None
            if was_running:
                if progress:
                    progress(
                        "Neo4j 社区版只能备份已停止的数据库: 暂停服务，备份后自动重启… "
                        "(Community Edition dumps a stopped database: stopping it briefly)"
                    )
                self._stop_locked()
            try:
                return self._dump_locked(dest)
            finally:
                if was_running:
                    self._start_locked(progress=progress)

    def restore(
        self, src: Path, *, graph_has_data: bool, force: bool, progress: Progress | None = None
    ) -> Path | None:
        """Replace the database by a dump. The data it replaces is dumped aside first (its
        path is returned) unless the database was empty. The server runs afterwards."""
        src = src.expanduser().resolve()
        check_dump(src)
        if graph_has_data and not force:
            raise StoreNotEmpty("当前数据库不为空，恢复会覆盖现有数据。确认无误后加 --force 重试")
        with self._lock():
            if self.pid() is not None and progress:
                progress("恢复需要先停止 Neo4j… (stopping Neo4j to load the dump)")
            self._stop_locked()
            aside: Path | None = None
            if graph_has_data and (self.home / "data" / "databases" / DATABASE).exists():
                aside = self.home / f"replaced-{time.strftime('%Y%m%d-%H%M%S')}.dump"
                if progress:
                    progress(f"先把现有数据备份到 {aside}…")
                self._dump_locked(aside)
            tools = self._tools()
            self._write_conf()
            try:
                with owner_only():
                    tools.load(src)
            except StoreUnavailable as exc:
                kept = f" 原数据已另存为 {aside}。" if aside else ""
                raise ValidationFailed(f"{src} 无法载入 Neo4j: {exc}{kept}") from exc
            self._start_locked(progress=progress)
        return aside


if __name__ == "__main__":
    raise SystemExit(main())
