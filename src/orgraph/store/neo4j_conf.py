"""The configuration a local Neo4j runs with: its neo4j.conf, the launcher's environment, the
memory check and the generated password (docs/neo4j.md, "The local server").

Bolt listens on 127.0.0.1 only, HTTP is off, authentication is on with a generated password
kept 0600 in the data folder, and data, logs and the pid file live under `<data>/neo4j/`.
Measured facts this module depends on (docs/neo4j.md, "Findings, verified on a real run"):

- a set JAVA_OPTS replaces every `server.jvm.additional` line *and* the heap flags, so the
  launcher runs with JAVA_OPTS removed from its environment;
- a `plugins` folder must exist or the launcher stops with NoSuchFileException.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from orgraph.errors import ConfigError

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
# The folders under the server's home; the launcher refuses to start without `plugins`.
FOLDERS = ("conf", "data", "logs", "run", "plugins", "import", "dumps")
_SIZE_RE = re.compile(r"^\d+[kmgKMG]?$")


def conf_text(
    home: Path,
    *,
    lib: Path,
    port: int,
    heap: str,
    pagecache: str,
    transaction_timeout_ms: int,
    tx_log_retention: str,
) -> str:
    """neo4j.conf for a server whose folders are under `home` and whose jars are in `lib`."""
    lines = [
        "# Written by orgraph at every start (src/orgraph/store/neo4j_conf.py).",
        "server.default_listen_address=127.0.0.1",
        "server.default_advertised_address=127.0.0.1",
        f"server.bolt.listen_address=127.0.0.1:{port}",
        f"server.bolt.advertised_address=127.0.0.1:{port}",
        "server.http.enabled=false",
        "server.https.enabled=false",
        "dbms.security.auth_enabled=true",
        "dbms.usage_report.enabled=false",
        f"server.memory.heap.initial_size={heap}",
        f"server.memory.heap.max_size={heap}",
        f"server.memory.pagecache.size={pagecache}",
        f"server.directories.data={home / 'data'}",
        f"server.directories.logs={home / 'logs'}",
        f"server.directories.run={home / 'run'}",
        f"server.directories.plugins={home / 'plugins'}",
        f"server.directories.import={home / 'import'}",
        f"server.directories.dumps.root={home / 'dumps'}",
        f"server.directories.lib={lib}",
        # A server-side ceiling on every transaction, as FalkorDB's TIMEOUT_MAX.
        f"db.transaction.timeout={transaction_timeout_ms}ms",
        f"db.tx_log.rotation.retention_policy={tx_log_retention}",
        "db.tx_state.memory_allocation=ON_HEAP",
    ]
    lines += [f"server.jvm.additional={flag}" for flag in JVM_ADDITIONAL]
    return "\n".join(lines) + "\n"


def write_conf(home: Path, text: str) -> None:
    """Make the server's folders (0700) and replace conf/neo4j.conf (0600) by `text`."""
    for sub in FOLDERS:
        (home / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(home, 0o700)
    path = home / "conf" / "neo4j.conf"
    tmp = path.with_suffix(".part")
    tmp.write_text(text, encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def launcher_env(home: Path) -> dict[str, str]:
    """The environment Neo4j's launcher and neo4j-admin run in."""
    env = dict(os.environ)
    env.pop("JAVA_OPTS", None)  # it would replace every jvm flag of neo4j.conf, heap too
    env["NEO4J_HOME"] = str(home)
    env["NEO4J_CONF"] = str(home / "conf")
    return env


def check_memory(heap: str, pagecache: str) -> None:
    """Refuse heap + page cache above the memory available, before the JVM fails obscurely."""
    want = _bytes(heap) + _bytes(pagecache)
    free = _mem_available()
    if free is not None and want > free:
        raise ConfigError(
            f"Neo4j 的堆 ({heap}) 加页缓存 ({pagecache}) 超过了本机可用内存 "
            f"({free >> 20} MB)。请调小 ORGRAPH_NEO4J_HEAP / ORGRAPH_NEO4J_PAGECACHE。"
            "Heap + page cache exceed the memory available."
        )


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


def password(home: Path, path: Path) -> str:
    """The password kept at `path` (inside `home`); made on first use, 0600."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Never a leading "-": neo4j-admin (picocli) would read the password as an option and fail
    # with "Missing required parameter: '<password>'" (1 start in 64 did, in the test suite).
    pw = "og" + secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(pw + "\n")
    return pw
