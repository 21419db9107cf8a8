"""A local Neo4j Community server that orgraph assembles from Maven Central and runs itself.

The jars come from `tools/neo4j/pom.xml` (org.neo4j:neo4j and its runtime dependencies, copied
by maven-dependency-plugin) into a machine-wide cache folder. The server runs exactly as the
official distribution runs it: the stock launcher `Neo4jCommand console --dry-run` prints the
JVM command (entry point CommunityEntryPoint, the jvm flags of neo4j.conf), which we start as a
detached child. Measured facts this module depends on (docs/neo4j.md):

- `neo4j-record-storage-engine` is a runtime dependency of org.neo4j:neo4j, so
  `-DincludeScope=runtime` is required (compile scope yields a server with no storage engine);
- a set JAVA_OPTS replaces every `server.jvm.additional` line *and* the heap flags, so the
  launcher runs with JAVA_OPTS removed from its environment;
- a `plugins` folder must exist or the launcher stops with NoSuchFileException.

Bolt listens on 127.0.0.1 only, HTTP is off, authentication is on with a generated password
kept 0600 in the data folder, and data, logs and the pid file live under `<data>/neo4j/`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from orgraph.errors import (
    ConfigError,
    EmbeddedUnsupported,
    StoreNotEmpty,
    StoreUnavailable,
    ValidationFailed,
)
from orgraph.store import process

# The pinned Neo4j line: 5.26 is the LTS and the last that runs on Java 17 (2025.x needs 21).
NEO4J_VERSION = "5.26.30"
DEPENDENCY_PLUGIN = "3.8.1"
DATABASE = "neo4j"  # Community has one user database
POM = Path(__file__).resolve().parents[3] / "tools" / "neo4j" / "pom.xml"

# The `server.jvm.additional` lines of the official 5.26 neo4j.conf: the --add-opens Java 17
# needs for Neo4j's direct buffers and Netty, and the GC and diagnostics flags it ships with.
JVM_ADDITIONAL = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+AlwaysPreTouch",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-XX:FlightRecorderOptions=stackdepth=256",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dlog4j.layout.jsonTemplate.maxStringLength=32768",
)

State = Literal["running", "starting", "stopped", "unresponsive"]
Progress = Callable[[str], None]
_SIZE_RE = re.compile(r"^\d+[kmgKMG]?$")


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


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "orgraph" / f"neo4j-{NEO4J_VERSION}"


def _bytes(size: str) -> int:
    if not _SIZE_RE.match(size):
        raise ConfigError(f"内存大小格式不对: {size!r} (例: 512m、2g)")
    mult = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(size[-1].lower(), 1)
    return int(size.rstrip("kmgKMG")) * mult


def _mem_available() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _rss(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def find_java() -> str:
    """The java to run Neo4j with (JAVA_HOME first), checked to be Java 17 or 21."""
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java or not os.access(java, os.X_OK):
        raise EmbeddedUnsupported(
            "找不到 Java: 本地 Neo4j 需要 Java 17 或 21 "
            "(Debian: apt install openjdk-17-jre-headless)，或设置 JAVA_HOME。"
            "Java not found: Neo4j 5.26 needs Java 17 or 21."
        )
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    m = re.search(r'version "(\d+)', out.stderr + out.stdout)
    major = int(m.group(1)) if m else 0
    if major not in (17, 21):
        raise EmbeddedUnsupported(
            f"Neo4j {NEO4J_VERSION} 需要 Java 17 或 21，{java} 是 Java {major or '?'}。"
            f"请设置 JAVA_HOME。Neo4j {NEO4J_VERSION} needs Java 17 or 21, found {major or '?'}."
        )
    return java


def install_jars(cache: Path, *, progress: Progress | None = None) -> Path:
    """The folder of Neo4j's runtime jars, downloaded with Maven into cache/lib once."""
    lib = cache / "lib"
    stamp = cache / "complete"
    if stamp.is_file() and stamp.read_text().strip() == NEO4J_VERSION:
        return lib
    mvn = shutil.which("mvn")
    if not mvn:
        raise EmbeddedUnsupported(
            "找不到 Maven (mvn): 首次使用本地 Neo4j 需要用 Maven 从 Maven Central 下载 Neo4j "
            "(Debian: apt install maven)。Maven (mvn) not found: it downloads Neo4j once."
        )
    if not POM.is_file():
        raise EmbeddedUnsupported(f"缺少 {POM}: 请从 orgraph 的源码目录运行")
    cache.mkdir(parents=True, exist_ok=True)
    with _flock(cache / "install.lock"):
        if stamp.is_file() and stamp.read_text().strip() == NEO4J_VERSION:
            return lib
        if progress:
            progress(f"正在从 Maven Central 下载 Neo4j {NEO4J_VERSION} (约 125 MB，只需一次)…")
        part = cache / "lib.part"
        shutil.rmtree(part, ignore_errors=True)
        try:
            out = subprocess.run(
                [
                    mvn,
                    "-q",
                    "-B",
                    "-f",
                    str(POM),
                    f"-Dneo4j.version={NEO4J_VERSION}",
                    f"-Dneo4j.lib={part}",
                    "package",
                ],
                capture_output=True,
                text=True,
                check=False,
                timeout=1800,
                cwd=tempfile.gettempdir(),
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise StoreUnavailable(
                f"下载 Neo4j {NEO4J_VERSION} 失败 ({exc})，请检查网络与 Maven Central 的访问。"
                "Downloading Neo4j with Maven failed."
            ) from exc
        if out.returncode != 0:
            tail = (out.stdout + out.stderr).strip()[-1200:]
            raise StoreUnavailable(
                f"下载 Neo4j {NEO4J_VERSION} 失败 (mvn 退出码 {out.returncode})，请检查网络与 "
                f"Maven Central 的访问。Downloading Neo4j failed:\n{tail}"
            )
        if not any(part.glob("neo4j-record-storage-engine-*.jar")):
            raise StoreUnavailable("下载的 Neo4j 缺少存储引擎 (neo4j-record-storage-engine)")
        shutil.rmtree(lib, ignore_errors=True)
        part.rename(lib)
        stamp.write_text(NEO4J_VERSION)
    return lib


@contextlib.contextmanager
def _flock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


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

    # -- configuration ------------------------------------------------------------------------

    def password(self) -> str:
        """The generated password of user neo4j (made on first use, kept 0600)."""
        try:
            return self.password_file.read_text().strip()
        except FileNotFoundError:
            pass
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        pw = secrets.token_urlsafe(24)
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(pw + "\n")
        return pw

    def _conf_text(self) -> str:
        h = self.home
        lines = [
            "# Written by orgraph at every start (src/orgraph/store/neo4j_server.py).",
            "server.default_listen_address=127.0.0.1",
            "server.default_advertised_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{self.port}",
            f"server.bolt.advertised_address=127.0.0.1:{self.port}",
            "server.http.enabled=false",
            "server.https.enabled=false",
            "dbms.security.auth_enabled=true",
            "dbms.usage_report.enabled=false",
            f"server.memory.heap.initial_size={self.heap}",
            f"server.memory.heap.max_size={self.heap}",
            f"server.memory.pagecache.size={self.pagecache}",
            f"server.directories.data={h / 'data'}",
            f"server.directories.logs={h / 'logs'}",
            f"server.directories.run={h / 'run'}",
            f"server.directories.plugins={h / 'plugins'}",
            f"server.directories.import={h / 'import'}",
            f"server.directories.dumps.root={h / 'dumps'}",
            f"server.directories.lib={self.cache / 'lib'}",
            # A server-side ceiling on every transaction, as FalkorDB's TIMEOUT_MAX.
            f"db.transaction.timeout={self.query_timeout_max_ms}ms",
            f"db.tx_log.rotation.retention_policy={self.tx_log_retention}",
            "db.tx_state.memory_allocation=ON_HEAP",
        ]
        lines += [f"server.jvm.additional={flag}" for flag in JVM_ADDITIONAL]
        return "\n".join(lines) + "\n"

    def _write_conf(self) -> None:
        for sub in ("conf", "data", "logs", "run", "plugins", "import", "dumps"):
            (self.home / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.home, 0o700)
        path = self.conf_dir / "neo4j.conf"
        tmp = path.with_suffix(".part")
        tmp.write_text(self._conf_text(), encoding="utf-8")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("JAVA_OPTS", None)  # it would replace every jvm flag of neo4j.conf, heap too
        env["NEO4J_HOME"] = str(self.home)
        env["NEO4J_CONF"] = str(self.conf_dir)
        return env

    def _launcher(self, java: str, lib: Path, main: str, *args: str) -> list[str]:
        return [java, "-cp", f"{lib}/*", main, *args]

    def _check_memory(self) -> None:
        want = _bytes(self.heap) + _bytes(self.pagecache)
        free = _mem_available()
        if free is not None and want > free:
            raise ConfigError(
                f"Neo4j 的堆 ({self.heap}) 加页缓存 ({self.pagecache}) 超过了本机可用内存 "
                f"({free >> 20} MB)。请调小 ORGRAPH_NEO4J_HEAP / ORGRAPH_NEO4J_PAGECACHE。"
                "Heap + page cache exceed the memory available."
            )

    # -- inspection ---------------------------------------------------------------------------

    def pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if process.alive(pid) and process.runs(pid, b"CommunityEntryPoint") else None

    def _probe(self, timeout: float = 2.0) -> tuple[str | None, str]:
        """(None when Bolt accepts our credentials, otherwise why not; the server's agent)."""
        import neo4j

        try:
            with neo4j.GraphDatabase.driver(
                self.uri,
                auth=(self.user, self.password()),
                connection_timeout=timeout,
                max_connection_pool_size=1,
            ) as drv:
                agent = drv.get_server_info().agent
        except neo4j.exceptions.AuthError as exc:
            return f"认证失败 (auth failed): {exc}", ""
        except Exception as exc:
            return str(exc) or type(exc).__name__, ""
        return None, agent

    def _bolt_answers(self, timeout: float = 2.0) -> str | None:
        """None when Bolt accepts our credentials; otherwise why not."""
        return self._probe(timeout)[0]

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
        if why and "认证失败" in why:
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
        return _flock(self.home / "lifecycle.lock")

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
        java = find_java()
        lib = install_jars(self.cache, progress=progress)
        self._check_memory()
        if not bolt_port_free(self.port):
            raise StoreUnavailable(
                f"端口 127.0.0.1:{self.port} 已被其他程序占用，无法启动 Neo4j。"
                f"请设置 ORGRAPH_NEO4J_BOLT_PORT。Port {self.port} is in use."
            )
        self._write_conf()
        first = not (self.home / "data" / "dbms").exists()
        pw = self.password()
        env = self._env()
        if first:
            self._admin(java, lib, env, "dbms", "set-initial-password", pw)
        argv = self._dry_run(java, lib, env)
        if progress:
            progress(
                f"正在启动 Neo4j {NEO4J_VERSION} ({self.uri}，堆 {self.heap}，"
                f"页缓存 {self.pagecache})… (starting Neo4j)"
            )
        launched = time.monotonic()
        old = os.umask(0o077)  # store files readable by the owner only
        try:
            with open(self.console_log, "ab") as log:
                proc = subprocess.Popen(
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
        self.pidfile.write_text(f"{proc.pid}\n")
        if wait:
            self.wait_ready(launched=launched, progress=progress, proc=proc)
        return True

    def _dry_run(self, java: str, lib: Path, env: dict[str, str]) -> list[str]:
        """The exact JVM command of the official distribution, from the stock launcher."""
        out = subprocess.run(
            self._launcher(
                java, lib, "org.neo4j.server.startup.Neo4jCommand", "console", "--dry-run"
            ),
            capture_output=True,
            text=True,
            env=env,
            cwd=self.home,
            check=False,
            timeout=120,
        )
        lines = [ln for ln in out.stdout.splitlines() if "CommunityEntryPoint" in ln]
        if out.returncode != 0 or not lines:
            raise StoreUnavailable(
                f"Neo4j 启动器拒绝了配置 (exit {out.returncode}):\n"
                f"{(out.stdout + out.stderr).strip()[-1500:]}"
            )
        return shlex.split(lines[-1])

    def _admin(self, java: str, lib: Path, env: dict[str, str], *args: str) -> str:
        try:
            out = subprocess.run(
                self._launcher(java, lib, "org.neo4j.server.startup.Neo4jAdminCommand", *args),
                capture_output=True,
                text=True,
                env=env,
                cwd=self.home,
                check=False,
                timeout=3600,
            )
        except subprocess.TimeoutExpired as exc:
            raise StoreUnavailable(f"neo4j-admin {args[0]} 一小时未结束，已放弃") from exc
        if out.returncode != 0:
            shown = [a if a != self.password() else "***" for a in args]
            raise StoreUnavailable(
                f"neo4j-admin {' '.join(shown)} 失败 (exit {out.returncode}):\n"
                f"{(out.stdout + out.stderr).strip()[-1500:]}"
            )
        return out.stdout

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
            why = self._bolt_answers() or ""
            if not why:
                return
            if "认证失败" in why:
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
        java, lib = find_java(), install_jars(self.cache)
        with tempfile.TemporaryDirectory(dir=self.home) as tmp:
            self._write_conf()
            self._admin(
                java,
                lib,
                self._env(),
                "database",
                "dump",
                DATABASE,
                f"--to-path={tmp}",
                "--overwrite-destination=true",
            )
            part = dest.with_name(dest.name + ".part")
            shutil.copyfile(Path(tmp) / f"{DATABASE}.dump", part)
            os.chmod(part, 0o600)
            os.replace(part, dest)
        return dest.stat().st_size

    def backup(self, dest: Path, *, progress: Progress | None = None) -> int:
        """`neo4j-admin database dump` into dest (Community dumps a stopped database only,
        so a running server is stopped for the dump and started again); dest's size.
        The lifecycle lock is held throughout: no other process starts it meanwhile."""
        dest = dest.expanduser().resolve()
        if dest.is_dir():
            raise ValidationFailed(f"备份路径是一个目录，请给出文件名: {dest}")
        dest.parent.mkdir(parents=True, exist_ok=True)
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
        try:
            with open(src, "rb") as fh:
                head = fh.read(64)
        except OSError as exc:
            raise ValidationFailed(f"无法读取备份文件 {src}: {exc.strerror}") from exc
        if head.startswith(b"REDIS") or not head:
            raise ValidationFailed(f"{src} 不是 Neo4j 备份 (neo4j-admin database dump) 文件")
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
            java, lib = find_java(), install_jars(self.cache)
            with tempfile.TemporaryDirectory(dir=self.home) as tmp:
                shutil.copyfile(src, Path(tmp) / f"{DATABASE}.dump")
                self._write_conf()
                try:
                    self._admin(
                        java,
                        lib,
                        self._env(),
                        "database",
                        "load",
                        DATABASE,
                        f"--from-path={tmp}",
                        "--overwrite-destination=true",
                    )
                except StoreUnavailable as exc:
                    kept = f" 原数据已另存为 {aside}。" if aside else ""
                    raise ValidationFailed(f"{src} 无法载入 Neo4j: {exc}{kept}") from exc
            self._start_locked(progress=progress)
        return aside


def main(argv: list[str] | None = None) -> int:
    """`python -m orgraph.store.neo4j_server install`: check Java and download the jars once
    (scripts/setup.sh), so a missing java or mvn, or a failed download, shows at setup."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if args != ["install"]:
        print("usage: python -m orgraph.store.neo4j_server install", file=sys.stderr)
        return 2
    from orgraph.config import get_settings
    from orgraph.errors import OrgraphError

    cache = get_settings().neo4j_cache_dir or default_cache()
    try:
        java = find_java()
        lib = install_jars(
            cache.expanduser().resolve(),
            progress=lambda msg: print(msg, file=sys.stderr, flush=True),
        )
    except OrgraphError as exc:
        print(f"错误 (error): {exc}", file=sys.stderr)
        return exc.exit_code
    print(f"Neo4j {NEO4J_VERSION}: {lib} ({java})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
