"""One import at a time per graph: a lease lock kept in the graph itself
(docs/design.md#importer, issue #18).

The lock is the node `Meta {key: 'import_lock'}`; whoever holds it has written its random token
as `owner` and a lease end as `expires` (the database's own clock, `timestamp()`, so importers
on several machines with skewed clocks agree on when a lease ends). Because it lives in the
graph it holds across processes, machines and both engines, which a lock file would not.

- **Acquire** (`acquire_import_lock`): one write statement that takes the lock when it is free,
  its lease has run out, or it is already ours. On FalkorDB that is one write query (six
  simultaneous claimants: one winner in 60 of 60 rounds); on Neo4j the statement first sets
  `claimed`, which takes the node's write lock, so a second claimant waits for the first to
  commit and then reads its `owner`. `Meta.key` is unique on both engines, so two first
  claimants cannot create two lock nodes.
- **Wait**: while another importer holds the lock, the waiting one only *reads* its state
  (`import_lock_state`: a write would bump the graph's revision and drop every cached
  projection once a second), tells its caller in Chinese who holds it and for how long it has
  waited, and gives up after `wait_s` with `ImportBusy`.
- **Lease**: a heartbeat thread renews the lease every third of it; a holder that dies (kill -9,
  a lost machine) stops renewing and its lock goes stale after `lease_s`, when the next
  importer takes it over. A holder that finds its lease taken (it was paused longer than the
  lease) stops before its next write (`check`).
- **Release** in `finally`: the owner fields are cleared (the node stays: deleting it would
  fail a Neo4j claimant that is waiting on its lock).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from orgraph.errors import StoreUnavailable
from orgraph.store.base import GraphStore

log = logging.getLogger(__name__)

Waiting = Callable[[str], None]


class ImportBusy(StoreUnavailable):
    """Another import held the graph for longer than this one would wait, or took over this
    import's lock (503 / exit code 3: try again later)."""


def holder_name() -> str:
    """Who holds the lock, as another importer is told: host, process and start time."""
    return f"{socket.gethostname()} 进程 {os.getpid()} ({time.strftime('%Y-%m-%d %H:%M:%S')} 开始)"


class ImportLock:
    """The graph's import lock for one import call: `acquire()`, `check()` before writes,
    `release()` in a finally (or use :func:`import_lock`)."""

    def __init__(
        self,
        store: GraphStore,
        *,
        wait_s: float,
        lease_s: float,
        waiting: Waiting | None = None,
        poll_s: float = 1.0,
        tell_every_s: float = 10.0,
    ) -> None:
        self.store = store
        self.token = uuid.uuid4().hex
        self.holder = holder_name()
        self.wait_s = wait_s
        self.lease_ms = max(1000, int(lease_s * 1000))
        self.waiting = waiting or (lambda msg: log.warning("%s", msg))
        self.poll_s = poll_s
        self.tell_every_s = tell_every_s
        self.waited_s = 0.0
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None
        self._lost: str | None = None

    # -- acquire ------------------------------------------------------------------------------

    def _state(self) -> dict[str, Any] | None:
        rows = self.store.read("import_lock_state")
        return rows[0] if rows else None

    def _claim(self) -> dict[str, Any]:
        rows = self.store.write(
            "acquire_import_lock", token=self.token, holder=self.holder, lease_ms=self.lease_ms
        )
        return rows[0]

    def acquire(self) -> None:
        t0 = time.monotonic()
        told = -self.tell_every_s
        while True:
            state = self._state()
            if state is None or state["left_ms"] < 0 or state["owner"] == self.token:
                state = self._claim()
                if state["owner"] == self.token:
                    break
            waited = time.monotonic() - t0
            if waited >= self.wait_s:
                raise ImportBusy(
                    f"另一个导入 ({state['holder']}) 正在写入这个图，已等待 {waited:.0f} 秒仍未"
                    f"结束，本次导入已放弃，没有写入任何数据。请在它完成后重试，或调大等待时间 "
                    f"ORGRAPH_IMPORT_LOCK_WAIT_S (现为 {self.wait_s:g} 秒)。若那个导入已中断，"
                    f"它的锁会在租期 (ORGRAPH_IMPORT_LOCK_LEASE_S) 结束后自动失效。"
                )
            if waited - told >= self.tell_every_s:
                told = waited
                self.waiting(
                    f"另一个导入 ({state['holder']}) 正在写入这个图，等待它完成… "
                    f"已等待 {waited:.0f} 秒，最多等待 {self.wait_s:g} 秒"
                )
            time.sleep(max(0.0, min(self.poll_s, self.wait_s - waited)))
        self.waited_s = time.monotonic() - t0
        self._beat = threading.Thread(target=self._heartbeat, name="import-lock", daemon=True)
        self._beat.start()

    # -- hold ---------------------------------------------------------------------------------

    def renew(self) -> bool:
        """Extend the lease; False when another import has taken the lock over (this import
        then stops at its next write, `check`)."""
        rows = self.store.write("renew_import_lock", token=self.token, lease_ms=self.lease_ms)
        if not rows:
            self._lost = "本次导入的锁租期已过并被另一个导入接手"
        return bool(rows)

    def _heartbeat(self) -> None:
        every = self.lease_ms / 3000
        while not self._stop.wait(every):
            try:
                if not self.renew():
                    return
            except Exception as exc:  # a store hiccup: try again at the next beat
                log.warning("导入锁续期失败 (下次重试): %s", exc)

    def check(self) -> None:
        """Raise ImportBusy if this import no longer holds the lock (before every write)."""
        if self._lost:
            raise ImportBusy(
                f"{self._lost} (本进程停顿超过了租期 ORGRAPH_IMPORT_LOCK_LEASE_S)：导入已停止，"
                "已写入的批次保留，请重新导入同样的文件以补齐。"
            )

    # -- release ------------------------------------------------------------------------------

    def release(self) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=30)
        self.store.write("release_import_lock", token=self.token)


@contextlib.contextmanager
def import_lock(
    store: GraphStore,
    *,
    wait_s: float,
    lease_s: float,
    waiting: Waiting | None = None,
    poll_s: float = 1.0,
) -> Iterator[ImportLock]:
    """Hold the graph's import lock for the block (waiting up to wait_s for another import);
    released when the block ends, also by an exception."""
    lock = ImportLock(store, wait_s=wait_s, lease_s=lease_s, waiting=waiting, poll_s=poll_s)
    lock.acquire()
    try:
        yield lock
    finally:
        try:
            lock.release()
        except Exception as exc:  # the lease runs out on its own; the block's error matters more
            log.warning("导入锁释放失败 (租期结束后自动失效): %s", exc)
