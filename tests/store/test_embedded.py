"""The embedded FalkorDB's lifecycle: start, stop, stale files, timeouts, backup, crash."""

from __future__ import annotations

import contextlib
import fnmatch
import os
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from orgraph.errors import (
    ConfigError,
    EmbeddedUnsupported,
    StoreLoading,
    StoreNotEmpty,
    StoreUnavailable,
    ValidationFailed,
)
from orgraph.store import embedded
from orgraph.store.embedded import WRITE_LOCKS, EmbeddedServer
from orgraph.store.falkor import FalkorStore
from orgraph.store.migrations import migrate


def _store(server: EmbeddedServer, graph: str = "g") -> FalkorStore:
    return FalkorStore(
        graph=graph, unix_socket=str(server.socket), socket_timeout=5, connect_timeout=2
    )


def _areas(n: int, start: int = 0) -> list[dict[str, object]]:
    return [
        {"code": f"A{i:07d}", "props": {"name": f"村{i}", "level": "village"}}
        for i in range(start, start + n)
    ]


def test_start_twice_status_and_stop(own_server: EmbeddedServer) -> None:
    assert own_server.status().state == "stopped"
    assert own_server.start() is True
    st = own_server.status()
    assert st.state == "running" and st.pid and st.aof_enabled
    assert own_server.start() is False  # a second start finds it running
    assert own_server.status().pid == st.pid
    assert oct(own_server.socket.stat().st_mode & 0o777) == "0o700"
    assert own_server.stop() is True
    assert own_server.status().state == "stopped"
    assert not own_server.socket.exists() and not own_server.pidfile.exists()
    assert own_server.stop() is False


def test_no_tcp_port_is_opened(own_server: EmbeddedServer) -> None:
    own_server.start()
    conn = own_server.client()
    try:
        assert conn.config_get("port")["port"] == "0"
    finally:
        conn.close()


def test_stale_pid_file_and_socket_are_cleaned(own_server: EmbeddedServer) -> None:
    own_server.dir.mkdir(parents=True, exist_ok=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    own_server.pidfile.write_text(str(dead.pid))
    leftover = socket.socket(socket.AF_UNIX)
    leftover.bind(str(own_server.socket))  # a socket file nobody listens on
    leftover.close()
    assert own_server.status().state == "stopped"
    assert own_server.start() is True
    assert own_server.status().state == "running"


def test_pid_file_naming_another_live_program_counts_as_stopped(
    own_server: EmbeddedServer,
) -> None:
    own_server.dir.mkdir(parents=True, exist_ok=True)
    own_server.pidfile.write_text(str(os.getpid()))  # alive, but not a redis-server
    assert own_server.status().state == "stopped"
    assert own_server.start() is True
    assert own_server.pid() != os.getpid()


def test_garbage_pid_file_counts_as_stopped(own_server: EmbeddedServer) -> None:
    own_server.dir.mkdir(parents=True, exist_ok=True)
    own_server.pidfile.write_text("not a pid")
    assert own_server.status().state == "stopped"
    assert own_server.start() is True


def test_data_survives_clean_restart_after_log_rewrite(own_server: EmbeddedServer) -> None:
    own_server.start()
    store = _store(own_server)
    migrate(store)
    store.write("upsert_areas", rows=_areas(5000))
    own_server.rewrite_log()
    own_server.stop()
    own_server.start()
    assert store.read("count_nodes") == [{"nodes": 5000}]
    store.close()


MIN_ACKED = 50  # writes each kill-9 trial must have acknowledged before its kill


def test_acknowledged_writes_survive_kill_9(own_server: EmbeddedServer) -> None:
    """A writer streams single-row writes; the server is SIGKILLed mid-stream, 3 times over.

    Each trial kills the server only once the stream has had MIN_ACKED writes acknowledged, and
    fails if it cannot get them: a trial that wrote nothing proves nothing. (Trials 2 and 3 used
    to write nothing: the killed writer's lock, kept by the log, stalled the next writer for
    70 s, and only the sum over the trials was checked.)"""
    own_server.start()
    writer = _store(own_server)
    migrate(writer)
    acked: list[int] = []

    def stream(
        writer: FalkorStore, stop: threading.Event, i: int, mine: list[int], ended: list[Exception]
    ) -> None:
        while not stop.is_set():
            try:
                writer.write("upsert_areas", rows=_areas(1, i))
            except Exception as exc:  # StoreUnavailable once the server is killed
                ended.append(exc)
                return
            mine.append(i)  # only after the server acknowledged it
            i += 1

    for trial in range(3):
        mine: list[int] = []
        ended: list[Exception] = []
        stop = threading.Event()
        t = threading.Thread(target=stream, args=(writer, stop, trial * 1_000_000, mine, ended))
        t0 = time.monotonic()
        t.start()
        while len(mine) < MIN_ACKED and t.is_alive() and time.monotonic() - t0 < 20:
            time.sleep(0.005)
        took = time.monotonic() - t0
        assert len(mine) >= MIN_ACKED, (
            f"trial {trial}: the stream had {len(mine)} writes acknowledged in {took:.1f} s, "
            f"not {MIN_ACKED}; it ended with {ended!r}"
        )
        assert own_server.kill() is not None
        stop.set()
        t.join(10)
        assert not t.is_alive()
        assert all(isinstance(e, StoreUnavailable) for e in ended), ended
        acked += mine
        own_server.start()
        conn = own_server.client()
        try:
            assert not conn.keys(WRITE_LOCKS), f"trial {trial}: a write lock outlived the restart"
        finally:
            conn.close()
        reader = _store(own_server)
        present = {r["code"] for r in reader.read("all_area_codes")}
        reader.close()
        lost = [i for i in acked if f"A{i:07d}" not in present]
        assert not lost, f"trial {trial}: {len(lost)} acknowledged writes lost, e.g. {lost[:5]}"
        # A fresh connection pool for the next trial: the old one points at a dead server.
        writer.close()
        writer = _store(own_server)
    writer.close()


@pytest.mark.parametrize("wait", [True, False])
def test_a_write_lock_held_at_a_crash_does_not_outlive_the_restart(
    own_server: EmbeddedServer, wait: bool
) -> None:
    """The server dies while a writer holds its write lock (in the log, like any key). After a
    restart, waiting for it or not (the API does not), a write goes through at once instead
    of waiting for the lock to expire (70 s)."""
    own_server.start()
    store = _store(own_server)
    migrate(store)
    held = store._serial()  # what a write takes around its query
    assert fnmatch.fnmatch(str(held.name), WRITE_LOCKS)
    assert held.acquire()
    own_server.kill()
    store.close()
    assert own_server.start(wait=wait) is True
    store = _store(own_server)
    t0 = time.monotonic()
    while True:
        try:
            store.write("upsert_areas", rows=_areas(1))
            break
        except (StoreUnavailable, StoreLoading):
            assert not wait, "start() returned before the server answered"
            assert time.monotonic() - t0 < 10
            time.sleep(0.05)
    assert time.monotonic() - t0 < 5
    store.close()


def test_a_write_lock_taken_since_the_launch_is_kept(own_server: EmbeddedServer) -> None:
    """Locks are dropped by the time their token was made: one a client of this server took
    (it may be writing) stays; one older than the launch goes."""
    own_server.start()
    store = _store(own_server)
    launched_at = time.time()
    lock = store._serial()
    assert lock.acquire()
    assert own_server._drop_stale_locks(launched_at) == 0
    assert lock.owned()
    assert own_server._drop_stale_locks(time.time() + 1) == 1
    assert not lock.owned()
    store.close()


def test_token_time() -> None:
    made = embedded.token_time(uuid.uuid1().hex.encode())
    assert made is not None and abs(made - time.time()) < 5
    assert embedded.token_time(uuid.uuid4().hex.encode()) is None
    assert embedded.token_time(b"not a token") is None
    assert embedded.token_time(b"\xff" * 32) is None


def test_start_without_waiting_returns_once_the_pid_file_is_written(
    own_server: EmbeddedServer,
) -> None:
    """The pid file appears a few ms after the launcher returns; a start in another process in
    that gap would launch a second server on the same data. start() keeps the lifecycle lock
    until the pid file names the new server."""
    assert own_server.start(wait=False) is True
    assert own_server.pid() is not None
    assert own_server.start(wait=False) is False
    own_server.wait_ready()


def test_bulk_writes_survive_kill_9_without_a_log_rewrite(own_server: EmbeddedServer) -> None:
    """Bulk batches are logged as effects: a crash before any rewrite replays them all (a
    replayed query could time out and be dropped, which lost acknowledged batches)."""
    own_server.start()
    conn = own_server.client()
    try:
        # redis-py leaves execute_command unannotated
        assert conn.execute_command("GRAPH.CONFIG", "GET", "EFFECTS_THRESHOLD")[1] == 0  # type: ignore[no-untyped-call]
    finally:
        conn.close()
    store = _store(own_server)
    migrate(store)
    for start in range(0, 20_000, 5000):
        store.write("upsert_areas", rows=_areas(5000, start))
    own_server.kill()
    own_server.start()
    assert store.read("count_nodes") == [{"nodes": 20_000}]
    store.close()


def test_a_stopped_server_answers_unavailable_fast(own_server: EmbeddedServer) -> None:
    own_server.start()
    store = _store(own_server)
    migrate(store)
    own_server.stop()
    t0 = time.monotonic()
    with pytest.raises(StoreUnavailable):
        store.read("count_nodes")
    assert time.monotonic() - t0 < 3


@pytest.fixture
def silent_peer() -> Iterator[tuple[Path, list[bytes]]]:
    """A unix socket that accepts connections and answers with scripted bytes (or nothing)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(dir="/tmp", prefix="og-peer-"))
    path = folder / "peer.sock"
    replies: list[bytes] = []
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(str(path))
    srv.listen(8)
    conns: list[socket.socket] = []
    done = threading.Event()

    def serve() -> None:
        srv.settimeout(0.1)
        while not done.is_set():
            try:
                c, _ = srv.accept()
            except TimeoutError:
                continue
            conns.append(c)
            c.settimeout(0.1)
            with contextlib.suppress(TimeoutError):
                c.recv(65536)
            if replies:
                c.sendall(replies[0])

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield path, replies
    done.set()
    t.join(2)
    for c in conns:
        c.close()
    srv.close()


def test_a_hanging_server_times_out_instead_of_hanging(
    silent_peer: tuple[Path, list[bytes]],
) -> None:
    path, _ = silent_peer
    store = FalkorStore(graph="g", unix_socket=str(path), socket_timeout=1, connect_timeout=1)
    t0 = time.monotonic()
    with pytest.raises(StoreUnavailable):
        store.read("count_nodes")
    assert time.monotonic() - t0 < 3


def test_a_loading_server_is_reported_as_loading(silent_peer: tuple[Path, list[bytes]]) -> None:
    path, replies = silent_peer
    replies.append(b"-LOADING Redis is loading the dataset in memory\r\n")
    store = FalkorStore(graph="g", unix_socket=str(path), socket_timeout=1, connect_timeout=1)
    with pytest.raises(StoreLoading, match="正在从磁盘加载"):
        store.read("count_nodes")


def test_backup_and_restore(own_server: EmbeddedServer, tmp_path: Path) -> None:
    own_server.start()
    store = _store(own_server, "orgraph")
    migrate(store)
    store.write("upsert_areas", rows=_areas(100))
    backup = tmp_path / "b.rdb"
    assert own_server.backup(backup) > 0
    store.write("upsert_areas", rows=_areas(50, 1000))  # after the backup
    with pytest.raises(StoreNotEmpty, match="--force"):
        own_server.restore(backup, graph_has_data=True, force=False)
    assert store.read("count_nodes") == [{"nodes": 150}]  # refusal changed nothing
    own_server.restore(backup, graph_has_data=True, force=True)
    store.close()
    store = _store(own_server, "orgraph")
    assert store.read("count_nodes") == [{"nodes": 100}]
    assert any(p.name.startswith("replaced-") for p in own_server.dir.iterdir())
    # The restored data is in the append-only log too: it survives a crash.
    own_server.kill()
    own_server.start()
    assert store.read("count_nodes") == [{"nodes": 100}]
    store.close()


def test_restore_rejects_a_file_that_is_not_a_backup(
    own_server: EmbeddedServer, tmp_path: Path
) -> None:
    own_server.start()
    bad = tmp_path / "bad.rdb"
    bad.write_bytes(b"PK\x03\x04 not a snapshot")
    with pytest.raises(ValidationFailed, match="不是 orgraph 备份"):
        own_server.restore(bad, graph_has_data=False, force=True)
    assert own_server.status().state == "running"  # untouched


def test_too_long_data_dir_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ORGRAPH_DATA_DIR"):
        EmbeddedServer(tmp_path / ("x" * 120))


def test_binary_that_cannot_run_names_the_neo4j_alternative(
    own_server: EmbeddedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "redis-server"
    fake.write_bytes(b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + b"\x02\x00\xb7\x00" + b"\x00" * 40)
    os.chmod(fake, 0o755)  # an ELF for another machine: exec fails with ENOEXEC
    monkeypatch.setattr(embedded, "binaries", lambda: (str(fake), str(fake)))
    with pytest.raises(EmbeddedUnsupported, match="Neo4j"):
        own_server.start()
