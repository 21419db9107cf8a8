"""The graph's history (docs/design.md#import-history): the imports it has recorded. Under
/history, not /imports, whose POST /imports/{kind} would also match a record's path."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from orgraph.errors import Forbidden
from orgraph.importer import history
from orgraph.security import can_import
from orgraph_api.deps import Caller, Svc
from orgraph_api.errors_doc import errors
from orgraph_api.responses import Json
from orgraph_api.schemas import ImportRecordOut, ImportsOut

router = APIRouter(prefix="/history", tags=["历史"])


def _history_reader(caller: Caller) -> None:
    if not can_import(caller.role):
        raise Forbidden("只有县级管理员可以查看导入记录")


@router.get(
    "/imports",
    summary="导入记录",
    response_model=ImportsOut,
    responses=errors(403),
    description="每次实际导入 (命令行、本接口、演示数据) 的时间、导入人、来源、文件 (名称、"
    "大小、SHA-256、类别) 和各类别的新增、更新、未变、拒绝行数，最新的在前；试导入不记录。"
    "仅限县级管理员。",
)
def list_imports(
    svc: Svc,
    caller: Caller,
    page: Annotated[int, Query(ge=1, description="第几页")] = 1,
    page_size: Annotated[int, Query(ge=1, le=history.PAGE_MAX, description="每页条数")] = 50,
) -> Json:
    _history_reader(caller)
    return Json(history.imports(svc.store, page=page, page_size=page_size))


@router.get(
    "/imports/{import_id}",
    summary="一次导入的完整报告",
    response_model=ImportRecordOut,
    responses=errors(403, 404),
    description="导入记录和导入时的完整报告 (与当时 POST /imports 的答复相同)。仅限县级管理员。",
)
def get_import(svc: Svc, caller: Caller, import_id: str) -> Json:
    _history_reader(caller)
    return Json(history.import_report(svc.store, import_id))
