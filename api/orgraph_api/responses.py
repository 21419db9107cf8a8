"""Response classes: JSON rendered by orjson, problem+json for errors.

FastAPI's own encoder walks every value in Python; the engine's answers are plain dicts and
lists already, and orjson writes them ~20x faster (docs/design.md#api: a 600-row rollup at ~90 req/s
against ~2–3k req/s), so big answers are returned as `Json(...)` directly.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


class Json(JSONResponse):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=_OPTIONS)


class Problem(Json):
    """RFC 9457 problem details."""

    media_type = "application/problem+json"
