"""Every error becomes one `application/problem+json` answer with a Chinese `detail`.

OrgraphError subclasses carry their HTTP status; request validation errors list the fields
at fault; unknown routes and methods get problems too; anything unexpected is a logged 500
whose body says nothing about the internals.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from orgraph.errors import (
    OrgraphError,
    StoreUnavailable,
    Unauthorized,
    UploadTimeout,
    ValidationFailed,
)
from orgraph_api.responses import Problem

log = logging.getLogger("orgraph.api")

TITLES = {
    400: "请求无效",
    401: "未登录或登录已过期",
    403: "无权执行此操作",
    404: "未找到",
    405: "不支持该请求方法",
    406: "无法提供所要求的格式",
    409: "数据冲突",
    413: "上传内容过大",
    415: "不支持的内容类型",
    422: "输入有误",
    423: "账号已锁定",
    429: "请求过于频繁",
    500: "服务器内部错误",
    503: "图数据库暂不可用",
    504: "处理超时",
}
SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    422: "invalid-input",
    423: "locked",
    429: "too-many-requests",
    500: "internal-error",
    503: "unavailable",
    504: "timeout",
}
# Seconds a client should wait before retrying while the store is down or loading.
RETRY_AFTER = "5"


def problem(
    status: int,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    refused: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Problem:
    body: dict[str, Any] = {
        "type": f"/problems/{SLUGS.get(status, str(status))}",
        "title": TITLES.get(status, "错误"),
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    if refused is not None:
        body["refused"] = refused
    return Problem(body, status_code=status, headers=headers)


def _field_message(err: dict[str, Any]) -> str:
    """Pydantic's error, in Chinese (our own validators already speak Chinese)."""
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "必填"
    if kind == "extra_forbidden":
        return "不允许的字段"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "应为整数"
    if kind in ("float_parsing", "float_type"):
        return "应为数字"
    if kind in ("bool_parsing", "bool_type"):
        return "应为 true 或 false"
    if kind in ("less_than_equal", "less_than"):
        return f"不能大于 {ctx.get('le', ctx.get('lt'))}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能小于 {ctx.get('ge', ctx.get('gt'))}"
    if kind == "string_too_long":
        return f"长度不能超过 {ctx.get('max_length')} 个字符"
    if kind == "string_too_short":
        return f"长度不能少于 {ctx.get('min_length')} 个字符"
    if kind in ("too_long", "too_short"):
        return "条目数量超出范围"
    if kind == "string_pattern_mismatch":
        return "格式不对"
    if kind in ("literal_error", "enum"):
        return f"应为以下之一: {ctx.get('expected', '')}"
    if kind.startswith("date") or kind.startswith("datetime"):
        return "日期格式应为 YYYY-MM-DD"
    if kind in ("string_type", "string_unicode"):
        return "应为文本"
    if kind in ("list_type", "tuple_type", "set_type"):
        return "应为列表"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "应为 JSON 对象"
    if kind == "json_invalid":
        return "JSON 格式错误"
    if kind == "value_error":
        msg = str(err.get("msg", ""))
        return msg.removeprefix("Value error, ") or "取值无效"
    return "取值无效"


def validation_problem(exc: RequestValidationError) -> Problem:
    errors = []
    for err in exc.errors():
        loc = [str(x) for x in err.get("loc", ())]
        where = loc[0] if loc else ""
        name = (
            ".".join(loc[1:])
            if where in ("body", "query", "path", "header", "form", "cookie")
            else ".".join(loc)
        )
        errors.append(
            {"field": name or where or "body", "in": where, "message": _field_message(err)}
        )
    fields = "、".join(dict.fromkeys(e["field"] for e in errors))
    return problem(422, f"请求参数有误: {fields}", errors=errors)


def _headers_for(exc: OrgraphError) -> dict[str, str] | None:
    if isinstance(exc, StoreUnavailable):
        return {"Retry-After": RETRY_AFTER}
    if isinstance(exc, Unauthorized) and exc.http_status == 401:
        return {"WWW-Authenticate": "Bearer"}
    return None


def _allowed(request: Request) -> list[str]:
    """Every method some route of this path takes (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.routes:
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(request.url.path):
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def install(app: FastAPI) -> None:
    @app.exception_handler(OrgraphError)
    async def _orgraph(request: Request, exc: OrgraphError) -> Problem:
        status = exc.http_status
        if status >= 500 and not isinstance(exc, StoreUnavailable | UploadTimeout):
            log.error(
                "internal error on %s %s: %s (%s)",
                request.method,
                request.url.path,
                exc,
                exc.engine_detail,
            )
            return problem(500, "服务器内部错误，已记录，请联系管理员")
        if exc.engine_detail:  # the engine's own words go to the log, not to the user
            log.warning("%s %s: %s (%s)", request.method, request.url.path, exc, exc.engine_detail)
        return problem(
            status,
            str(exc) or TITLES.get(status, "错误"),
            refused=exc.refused if isinstance(exc, ValidationFailed) else None,
            headers=_headers_for(exc),
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Problem:
        return validation_problem(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Problem:
        status = exc.status_code
        headers = dict(exc.headers) if exc.headers else {}
        if status == 400:
            # FastAPI's "error parsing the body" (not JSON, not UTF-8, broken multipart): bad
            # input like any other, so the same 422 and the same shape.
            return problem(
                422,
                "请求体无法解析 (应为 UTF-8 编码的 JSON 或表单)",
                errors=[{"field": "body", "in": "body", "message": "无法解析"}],
            )
        if status == 405:
            headers["Allow"] = ", ".join(_allowed(request))
        if isinstance(exc.detail, str) and not exc.detail.isascii():
            detail = exc.detail  # ours, already in Chinese
        else:
            detail = {
                404: "请求的地址不存在",
                405: "该地址不支持此请求方法",
                413: "上传内容超过大小限制",
            }.get(status) or TITLES.get(status, "请求无效")
        return problem(status, detail, headers=headers or None)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Problem:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "服务器内部错误，已记录，请联系管理员")
