"""`orgraph serve`: the HTTP API (FastAPI under uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from orgraph.cli.common import console, handles_errors


def register(app: typer.Typer) -> None:
    @app.command()
    @handles_errors
    def serve(
        host: Annotated[
            str, typer.Option("--host", help="监听地址 (默认只监听本机)")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", min=1, max=65535, help="端口")] = 8000,
    ) -> None:
        """启动 HTTP 接口 (/api/v1，文档在 /api/v1/docs)；内置数据库未运行时自动启动。"""
        import uvicorn

        from orgraph_api.app import create_app

        console.print(f"orgraph API: http://{host}:{port}/api/v1/docs")
        uvicorn.run(create_app(), host=host, port=port, log_level="info", proxy_headers=False)
