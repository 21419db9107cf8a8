"""The error answers each route documents in OpenAPI (all `application/problem+json`)."""

from __future__ import annotations

from typing import Any

from orgraph_api.schemas import ProblemOut

_TEXT = {
    401: "未登录、令牌无效或已过期",
    403: "角色无权执行此操作",
    404: "对象不存在或不在您的管辖范围内",
    409: "与现有数据冲突 (已存在或已结束)",
    413: "上传文件超过大小限制",
    422: "参数或请求体校验失败 (errors 列出字段)",
    423: "账号已锁定",
    503: "图数据库不可用或正在加载 (3 秒内答复，稍后重试)",
    504: "读取上传文件超时 (ORGRAPH_UPLOAD_TIMEOUT_S)",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these statuses, plus 401 and 503 that every route can give."""
    wanted = sorted({401, 503, *codes})
    return {
        c: {
            "model": ProblemOut,
            "description": _TEXT[c],
            "content": {"application/problem+json": {}},
        }
        for c in wanted
    }


def public_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The same for routes that need no token."""
    return {
        c: {
            "model": ProblemOut,
            "description": _TEXT[c],
            "content": {"application/problem+json": {}},
        }
        for c in sorted({503, *codes})
    }


def download(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses` of a route that answers an XLSX or CSV file, with these error statuses."""
    return {
        **errors(*codes),
        200: {
            "description": "文件下载",
            "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                },
                "text/csv": {"schema": {"type": "string"}},
            },
        },
    }
