"""The embedded FalkorDB's lifecycle: start, stop, stale files, timeouts, backup, crash."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import threading
import time
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
from orgraph.store.embedded import EmbeddedServer
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


def test_acknowledged_writes_survive_kill_9(own_server: EmbeddedServer) -> None:
    """A writer streams single-row writes; the server is SIGKILLed mid-stream, 3 times over."""
    own_server.start()
    writer = _store(own_server)
    migrate(writer)
    acked: list[int] = []
    for trial in range(3):
        stop = threading.Event()

        def stream(writer: FalkorStore, stop: threading.Event, base: int) -> None:
            i = base
            while not stop.is_set():
                try:
                    writer.write("upsert_areas", rows=_areas(1, i))
                except StoreUnavailable:
                    return
                acked.append(i)  # only after the server acknowledged it
                i += 1

        t = threading.Thread(target=stream, args=(writer, stop, trial * 1_000_000))
        t.start()
        time.sleep(0.6)
        assert own_server.kill() is not None
        stop.set()
        t.join(10)
        assert not t.is_alive()
        own_server.start()
        reader = _store(own_server)
        present = {r["code"] for r in reader.read("all_area_codes")}
        reader.close()
        lost = [i for i in acked if f"A{i:07d}" not in present]
        assert not lost, f"trial {trial}: {len(lost)} acknowledged writes lost, e.g. {lost[:5]}"
        # A fresh connection pool for the next trial: the old one points at a dead server.
        writer.close()
        writer = _store(own_server)
    assert len(acked) > 100, "the stream wrote too little to prove anything"
    writer.close()


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
