"""`orgraph dashboard`: the Streamlit dashboard (zh-CN), talking to the API only."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from orgraph.cli.common import console
from orgraph.config import get_settings


def app_file() -> Path:
    """The dashboard's main script (what `streamlit run` is given)."""
    import orgraph_dashboard

    return Path(orgraph_dashboard.__file__).parent / "app.py"


def streamlit_command(*, host: str, port: int, max_upload_mb: int) -> list[str]:
    """`streamlit run` with the settings a deployment on an intranet needs: no telemetry,
    no browser to open, nothing fetched from outside, no file watching."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_file()),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
        "--server.maxUploadSize",
        str(max_upload_mb),
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "minimal",
        "--client.showErrorDetails",
        "none",
        "--theme.base",
        "light",
        "--theme.primaryColor",
        "#c0392b",
    ]


def streamlit_env(api_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["ORGRAPH_API_URL"] = api_url
    # Telemetry stays off even if a user config turns it on.
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    return env


def register(app: typer.Typer) -> None:
    @app.command()
    def dashboard(
        host: Annotated[str, typer.Option("--host", help="监听地址")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="端口")] = 8501,
        api_url: Annotated[
            str | None,
            typer.Option(
                "--api-url", help="orgraph API 地址 (默认 ORGRAPH_API_URL 或 http://127.0.0.1:8000)"
            ),
        ] = None,
    ) -> None:
        """启动数据看板 (Streamlit)，通过 API 读取数据。"""
        settings = get_settings()
        url = api_url or settings.api_url
        console.print(f"数据看板: http://{host}:{port}  (API: {url})")
        cmd = streamlit_command(host=host, port=port, max_upload_mb=settings.roster_max_mb)
        sys.stdout.flush()
        # exec, not a child: a service manager's stop signal (or Ctrl-C) reaches Streamlit
        # itself, and no orphaned server is left behind
        os.execve(cmd[0], cmd, streamlit_env(url))
