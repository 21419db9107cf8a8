"""What every answer carries for browsers (#18), and the interactive docs served offline.

- `SecurityHeaders`: `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`,
  `Referrer-Policy: no-referrer`, a Content-Security-Policy (for data: nothing may load or
  frame it; for the docs page: only this server's own files), and `Cache-Control: no-store`
  on everything but the docs' static files (answers hold personal data).
- `/api/v1/docs`: Swagger UI from the files the `fastapi-offline` package ships, served
  here (no CDN, no inline script: its start-up script is a file of ours), like the dashboard,
  which works offline.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ASSETS = Path(fastapi_offline.__file__).parent / "static"

DATA_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Swagger UI sets style attributes and draws icons from data: URIs; nothing else is allowed.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
ASSET_CACHE = "public, max-age=86400"
REVISION_HEADER = "X-Orgraph-Revision"


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, docs_prefix: str) -> None:
        self.app = app
        self.docs_prefix = docs_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        docs = path == self.docs_prefix or path.startswith(self.docs_prefix + "/")
        asset = path.startswith(self.docs_prefix + "/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "no-referrer"
                headers["Cross-Origin-Resource-Policy"] = "same-origin"
                headers["Content-Security-Policy"] = DOCS_CSP if docs else DATA_CSP
                headers["Cache-Control"] = ASSET_CACHE if asset else "no-store"
                if not asset:
                    headers["Pragma"] = "no-cache"
                revision = scope.get("state", {}).get("revision")
                if revision:  # set by deps.view for answers read from the projection
                    headers[REVISION_HEADER] = revision
            await send(message)

        await self.app(scope, receive, with_headers)


def _page(prefix: str, title: str) -> str:
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="{prefix}/swagger-ui.css">
<link rel="icon" href="{prefix}/favicon.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{prefix}/swagger-ui-bundle.js"></script>
<script src="{prefix}/start.js"></script>
</body>
</html>
"""


def _start_script(openapi_url: str) -> str:
    return f"""window.ui = SwaggerUIBundle({{
  url: {openapi_url!r},
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
}});
"""


def install_docs(app: FastAPI, *, docs_url: str, openapi_url: str, title: str) -> None:
    """Swagger UI at docs_url, its files under docs_url/…, all from this server."""
    page = _page(docs_url, f"{title} - Swagger UI")
    script = _start_script(openapi_url)

    @app.get(docs_url, include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get(f"{docs_url}/start.js", include_in_schema=False)
    def start_js() -> Response:
        return Response(script, media_type="text/javascript; charset=utf-8")

    app.mount(docs_url, StaticFiles(directory=ASSETS), name="docs-assets")
