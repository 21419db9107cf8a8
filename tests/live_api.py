"""The API served over real HTTP for tests (and the dashboard's tests): uvicorn in a thread.

    with live_api(store, data_dir) as url:       # "http://127.0.0.1:PORT"
        httpx.get(f"{url}/api/v1/health")

`make_user(data_dir, ...)` adds an account to the users database the app of that data folder
reads (argon2 hashing makes each call take ~0.1 s).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import uvicorn

from orgraph.config import Settings
from orgraph.security import AuditLog, User, UserStore, default_user_store
from orgraph.store import GraphStore
from orgraph_api.app import create_app

START_TIMEOUT = 20.0


def api_settings(data_dir: Path) -> Settings:
    """Settings of a test API whose users, token key and audit log live in data_dir."""
    return Settings(data_dir=Path(data_dir), jwt_secret="", roster_max_mb=50)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def live_api(
    store: GraphStore | None,
    data_dir: Path,
    *,
    settings: Settings | None = None,
    users: UserStore | None = None,
    audit: AuditLog | None = None,
) -> Iterator[str]:
    """Serve the API over `store` on a free loopback port; yields its base URL. With no
    store, the app opens the one `settings` configure, as `orgraph serve` does."""
    app = create_app(settings or api_settings(data_dir), store=store, users=users, audit=audit)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=free_port(),
        log_level="warning",
        lifespan="on",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the test API did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def make_user(
    data_dir: Path,
    username: str,
    password: str,
    role: str,
    scope: str,
    *,
    display_name: str | None = None,
) -> User:
    """Add an account to the users database of the API whose data folder is data_dir."""
    return default_user_store(api_settings(data_dir)).add(
        username, password, role=role, scope=scope, display_name=display_name
    )
