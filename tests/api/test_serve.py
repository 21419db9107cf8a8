"""`orgraph serve` starts the API (and the embedded store it needs) on the given port."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from orgraph.store.embedded import EmbeddedServer
from tests.conftest import short_tmpdir
from tests.live_api import free_port


def test_orgraph_serve_answers_health_on_its_port() -> None:
    folder = short_tmpdir("og-serve-")
    port = free_port()
    env = {
        **os.environ,
        "ORGRAPH_DATA_DIR": str(folder / "db"),
        "ORGRAPH_JWT_SECRET": "",
        "ORGRAPH_STORE_URI": "embedded",
    }
    cli = Path(sys.executable).with_name("orgraph")
    proc = subprocess.Popen(
        [str(cli), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
                if r.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            assert time.monotonic() < deadline, "orgraph serve did not come up"
            time.sleep(0.2)
        assert r.json()["status"] == r.json()["store"] == "ok"
        assert r.json()["projection"]["loads"] == 0  # nothing asked yet: nothing loaded
        docs = httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json").json()
        assert docs["info"]["title"] == "orgraph API"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        EmbeddedServer(folder / "db").stop(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
