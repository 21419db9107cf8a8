"""Upload size limit (ORGRAPH_ROSTER_MAX_MB) for the import routes, checked before parsing.

A declared Content-Length above the limit is refused at once; a body without one (chunked)
is counted while it streams in and refused as soon as it passes the limit, so an oversized
upload never fills the disk with spooled parts.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from orgraph_api.problems import problem


def too_large_message(max_bytes: int) -> str:
    return f"上传内容超过 {max_bytes // (1024 * 1024)} MB 的限制 (ORGRAPH_ROSTER_MAX_MB)"


class TooLarge(HTTPException):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(status_code=413, detail=too_large_message(max_bytes))


class UploadLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int, prefix: str) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await problem(413, too_large_message(self.max_bytes))(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise TooLarge(self.max_bytes)
            return message

        await self.app(scope, counted, send)


class RejectNul:
    """A NUL byte in the path or query string is refused (422) before any route runs: the
    store's wire protocol cannot carry it inside a query parameter."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = bytes(scope.get("query_string", b"")).lower()
            if b"%00" in query or b"\x00" in query or "\x00" in str(scope.get("path", "")):
                await problem(
                    422,
                    "请求参数中不能包含空字符 (NUL)",
                    errors=[{"field": "query", "in": "query", "message": "不能包含空字符"}],
                )(scope, receive, send)
                return
        await self.app(scope, receive, send)
