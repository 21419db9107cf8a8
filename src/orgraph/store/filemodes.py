"""Owner-only files for everything that holds data (docs/design.md#security, issue #18).

The servers orgraph starts (FalkorDB, Neo4j), the tools it runs (neo4j-admin) and the files it
writes itself (backups, restores) create their files under umask 077, and a data folder made
by an earlier version, or by hand with `mkdir -m755`, is brought to 0700/0600 before a server
starts in it: the process umask alone does not reach files that already exist.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


@contextlib.contextmanager
def owner_only() -> Iterator[None]:
    """Run a block (and the processes it starts, which inherit it) under umask 077."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def tighten(root: Path) -> None:
    """root and everything under it: directories 0700, other files 0600 at most (an
    executable bit is dropped for group and others only). Symlinks are not followed."""
    if not root.exists():
        return
    _chmod(root)
    for folder, dirs, files in os.walk(root):
        for name in (*dirs, *files):
            _chmod(Path(folder) / name)


def _chmod(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError, PermissionError):
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            return
        mode = stat.S_IMODE(st.st_mode)
        want = DIR_MODE if stat.S_ISDIR(st.st_mode) else mode & 0o700
        if mode != want:
            os.chmod(path, want)


def private_dir(path: Path) -> Path:
    """Make (or keep) a folder, 0700 whatever it was."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    os.chmod(path, DIR_MODE)
    return path


def private_copy(src: Path, dest: Path) -> None:
    """Copy a file to dest (through dest.part, replaced atomically), 0600 from the start."""
    tmp = dest.with_name(dest.name + ".part")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as out, open(src, "rb") as fh:
        shutil.copyfileobj(fh, out, 1 << 20)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, dest)
