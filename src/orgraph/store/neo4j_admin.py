"""Neo4j's own command-line tools, run from the jars: the launcher and neo4j-admin.

The server runs exactly as the official distribution runs it: the stock launcher
`Neo4jCommand console --dry-run` prints the JVM command (entry point CommunityEntryPoint, the
jvm flags of neo4j.conf), which `LocalNeo4j` starts as a detached child. neo4j-admin sets the
initial password and dumps and loads the database; Neo4j Community dumps a stopped database
only (docs/neo4j.md, "The local server").
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from orgraph.errors import StoreUnavailable, ValidationFailed

DATABASE = "neo4j"  # Community has one user database
LAUNCHER = "org.neo4j.server.startup.Neo4jCommand"
ADMIN = "org.neo4j.server.startup.Neo4jAdminCommand"
ENTRY_POINT = "CommunityEntryPoint"  # in the server's command line: how its pid is recognised


def check_dump(src: Path) -> None:
    """Refuse a file that is unreadable, empty or a FalkorDB snapshot before stopping anything."""
    try:
        with open(src, "rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        raise ValidationFailed(f"无法读取备份文件 {src}: {exc.strerror}") from exc
    if head.startswith(b"REDIS") or not head:
        raise ValidationFailed(f"{src} 不是 Neo4j 备份 (neo4j-admin database dump) 文件")


@dataclass(frozen=True)
class Neo4jTools:
    """The tools of one server home, run with `java` on the jars in `lib`."""

    java: str
    lib: Path
    home: Path
    env: dict[str, str]
    # Called only to hide the password from an error message, so that merely running a tool
    # never makes a password file.
    password: Callable[[], str]

    def command(self, main: str, *args: str) -> list[str]:
        return [self.java, "-cp", f"{self.lib}/*", main, *args]

    def server_command(self) -> list[str]:
        """The exact JVM command of the official distribution, from the stock launcher."""
        out = subprocess.run(
            self.command(LAUNCHER, "console", "--dry-run"),
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.home,
            check=False,
            timeout=120,
        )
        lines = [ln for ln in out.stdout.splitlines() if ENTRY_POINT in ln]
        if out.returncode != 0 or not lines:
            raise StoreUnavailable(
                f"Neo4j 启动器拒绝了配置 (exit {out.returncode}):\n"
                f"{(out.stdout + out.stderr).strip()[-1500:]}"
            )
        return shlex.split(lines[-1])

    def admin(self, *args: str) -> str:
        """Run `neo4j-admin args…`; its output, or StoreUnavailable with the output's tail."""
        try:
            out = subprocess.run(
                self.command(ADMIN, *args),
                capture_output=True,
                text=True,
                env=self.env,
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

    def set_initial_password(self, password: str) -> None:
        self.admin("dbms", "set-initial-password", password)

    def dump(self, dest: Path) -> int:
        """`neo4j-admin database dump` of the stopped database into dest (0600, replaced
        atomically); dest's size."""
        with tempfile.TemporaryDirectory(dir=self.home) as tmp:
            self.admin(
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

    def load(self, src: Path) -> None:
        """`neo4j-admin database load` of the dump file src over the stopped database."""
        with tempfile.TemporaryDirectory(dir=self.home) as tmp:
            shutil.copyfile(src, Path(tmp) / f"{DATABASE}.dump")
            self.admin(
                "database",
                "load",
                DATABASE,
                f"--from-path={tmp}",
                "--overwrite-destination=true",
            )
