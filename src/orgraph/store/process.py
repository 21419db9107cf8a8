"""Processes of the servers orgraph runs itself (embedded FalkorDB, local Neo4j): is a pid
still that server, and waiting for one to exit."""

from __future__ import annotations

import os
import signal
import time


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (exited, not yet reaped, still answers kill 0)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def runs(pid: int, marker: bytes) -> bool:
    """The process's command line holds marker: a stale pid file may name a pid the system
    has since given to another program."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return marker in fh.read()
    except FileNotFoundError:
        return False
    except OSError:
        return True  # no /proc (macOS): trust the pid


def wait_exit(pid: int, timeout: float, poll: float = 0.05) -> bool:
    """Wait until the process has exited; False when it still runs after timeout seconds."""
    deadline = time.monotonic() + timeout
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(poll)
    return True


def terminate(pid: int, grace: float) -> None:
    """SIGTERM, and SIGKILL when the process still runs after grace seconds."""
    os.kill(pid, signal.SIGTERM)
    if not wait_exit(pid, grace):
        kill(pid)


def kill(pid: int) -> None:
    """SIGKILL, as a crash would, and wait for the process to go."""
    os.kill(pid, signal.SIGKILL)
    wait_exit(pid, 10)
