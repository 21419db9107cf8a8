"""`orgraph dashboard` starts Streamlit on the given address, headless, telemetry off."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from orgraph.cli.dashboard import app_file, streamlit_command
from tests.live_api import free_port


def test_streamlit_command_settings() -> None:
    cmd = streamlit_command(host="127.0.0.1", port=8501, max_upload_mb=50)
    opts = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert cmd[3:5] == ["run", str(app_file())] and app_file().is_file()
    assert opts["--browser.gatherUsageStats"] == "false"
    assert opts["--server.headless"] == "true"
    assert opts["--server.address"] == "127.0.0.1" and opts["--server.port"] == "8501"
    assert opts["--server.maxUploadSize"] == "50"


def test_orgraph_dashboard_serves_the_app(tmp_path: Path) -> None:
    port = free_port()
    exe = Path(sys.executable).parent / "orgraph"
    env = {**os.environ, "ORGRAPH_DATA_DIR": str(tmp_path)}
    log = tmp_path / "dashboard.log"
    proc = subprocess.Popen(
        [str(exe), "dashboard", "--port", str(port), "--api-url", "http://127.0.0.1:9"],
        cwd=tmp_path,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, log.read_text(errors="replace")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).text == "ok":
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the dashboard did not start within 30 s"
            time.sleep(0.2)
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert page.status_code == 200 and "<html" in page.text.lower()
        assert "数据看板" in log.read_text()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
