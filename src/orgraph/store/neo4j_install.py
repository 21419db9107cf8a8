"""What a local Neo4j needs on the machine: Java 17 or 21, and Neo4j's jars from Maven Central.

The jars come from `tools/neo4j/pom.xml` (org.neo4j:neo4j and its runtime dependencies, copied
by maven-dependency-plugin) into a machine-wide cache folder, once; a `complete` stamp makes
later runs free. `neo4j-record-storage-engine` is a runtime dependency of org.neo4j:neo4j, so
the pom copies the runtime scope: the compile scope yields a server with no storage engine
(docs/neo4j.md, "Findings, verified on a real run").

`python -m orgraph.store.neo4j_server install` runs `main` below (scripts/setup.sh), so a
missing java or mvn, or a failed download, shows at setup rather than at the first start.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from orgraph.errors import EmbeddedUnsupported, StoreUnavailable

# The pinned Neo4j line: 5.26 is the LTS and the last that runs on Java 17 (2025.x needs 21).
NEO4J_VERSION = "5.26.30"
POM = Path(__file__).resolve().parents[3] / "tools" / "neo4j" / "pom.xml"

Progress = Callable[[str], None]


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "orgraph" / f"neo4j-{NEO4J_VERSION}"


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


def _installed(cache: Path) -> bool:
    stamp = cache / "complete"
    return stamp.is_file() and stamp.read_text().strip() == NEO4J_VERSION


def install_jars(cache: Path, *, progress: Progress | None = None) -> Path:
    """The folder of Neo4j's runtime jars, downloaded with Maven into cache/lib once."""
    lib = cache / "lib"
    if _installed(cache):
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
    with flock(cache / "install.lock"):
        if _installed(cache):  # another process finished it while this one waited
            return lib
        if progress:
            progress(f"正在从 Maven Central 下载 Neo4j {NEO4J_VERSION} (约 125 MB，只需一次)…")
        part = cache / "lib.part"
        shutil.rmtree(part, ignore_errors=True)
        _download(mvn, part)
        shutil.rmtree(lib, ignore_errors=True)
        part.rename(lib)
        (cache / "complete").write_text(NEO4J_VERSION)
    return lib


def _download(mvn: str, into: Path) -> None:
    """Copy the jars into `into` with Maven; a failure is one StoreUnavailable with its tail."""
    try:
        out = subprocess.run(
            [
                mvn,
                "-q",
                "-B",
                "-f",
                str(POM),
                f"-Dneo4j.version={NEO4J_VERSION}",
                f"-Dneo4j.lib={into}",
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
    if not any(into.glob("neo4j-record-storage-engine-*.jar")):
        raise StoreUnavailable("下载的 Neo4j 缺少存储引擎 (neo4j-record-storage-engine)")


@contextlib.contextmanager
def flock(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` between processes (flock is per open file)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


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
