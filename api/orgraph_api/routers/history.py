"""The graph's history: the imports it has recorded (docs/design.md#import-history; under
/history, not /imports, whose POST /imports/{kind} would also match a record's path) and the
coverage month by month (docs/rules.md "Trend"), the changes between two points and the
year-end summary workbook (docs/rules.md "Year-end summary")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from orgraph.analysis.engine import MAX_TREND_MONTHS
from orgraph.errors import Forbidden
from orgraph.importer import history
from orgraph.records import year_end_sheet
from orgraph.security import can_import
from orgraph.security.masking import mask_birth_date
from orgraph.vocab import YEAR_END_FIRST
from orgraph_api import exports
from orgraph_api.deps import Caller, Scoped, Svc
from orgraph_api.errors_doc import download, errors
from orgraph_api.params import NO_NUL, AsOfQ, PageQ, ScopeQ
from orgraph_api.responses import Json
from orgraph_api.routers.analysis import Level
from orgraph_api.schemas import ChangesOut, FieldHistoryOut, ImportRecordOut, ImportsOut, TrendOut

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
    page: PageQ = 1,
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


@router.get(
    "/trend",
    summary="逐月趋势",
    response_model=TrendOut,
    responses=errors(404, 422),
    description="统计日期之前每个月的月末 (最后一点为统计日期本身) 的联系覆盖 (与 /coverage "
    "相同的行) 和 counts=true 时各类缺口数量。有日期的联系、外出、报到、会议等按当时计算；"
    "所属支部、职务、在册等没有日期的事实按现在的记录 (undated_as_now)。",
)
def trend(
    svc: Svc,
    view: Scoped,
    scope: ScopeQ = None,
    level: Annotated[Level, Query(description="汇总到哪一级")] = "township",
    months: Annotated[int, Query(ge=1, le=MAX_TREND_MONTHS, description="月数")] = 12,
    as_of: AsOfQ = None,
    counts: Annotated[bool, Query(description="同时给出各类缺口数量 (较慢)")] = False,
) -> Json:
    ref = view.resolve(scope)
    return Json(
        svc.answers.ask(
            view.revision,
            svc.engine.trend,
            scope=ref,
            level=level,
            months=months,
            as_of=as_of,
            counts=counts,
        )
    )


@router.get(
    "/changes",
    summary="两次导入或两个日期之间的变化",
    response_model=ChangesOut,
    responses=errors(404, 422),
    description="from、to 为导入记录编号、last (最近一次导入)、previous (上一次导入) 或日期 "
    "(YYYY-MM-DD；to 默认今天)。两个都是导入时按导入先后比较 (其间各次导入的观测)，否则按日期 "
    "(from 之后、to 当天为止)。给出: 各类缺口新出现、已解决的条数；新增未联系农户、新联系上的"
    "农户；外出、返回、转出的党员，调整支部或党小组的党员；新建的党组织；导入改动的每个字段 "
    "(旧值 → 新值，前 500 条)。按用户的范围 (或其中的 scope) 计算：只列范围内的农户、党员、"
    "党组织及其缺口。",
)
def get_changes(
    svc: Svc,
    view: Scoped,
    since: Annotated[
        str,
        Query(
            alias="from",
            max_length=64,
            pattern=NO_NUL,
            description="起点: 导入编号、last、previous 或日期",
        ),
    ],
    until: Annotated[
        str | None,
        Query(
            alias="to",
            max_length=64,
            pattern=NO_NUL,
            description="终点: 导入编号、last、previous 或日期",
        ),
    ] = None,
    scope: ScopeQ = None,
) -> Json:
    doc = svc.engine.changes(since, until, scope=view.resolve(scope))
    return Json(doc if can_import(view.principal.role) else masked_birth_dates(doc))


def masked_birth_dates(doc: dict[str, Any]) -> dict[str, Any]:
    """The changes as a user below the county administrators sees them: a replaced birth
    date by its year only, as every member record shows it without an audited reveal
    (docs/design.md#masking; docs/rules.md "In a scope")."""
    items = [
        {**f, "old": mask_birth_date(f["old"]), "new": mask_birth_date(f["new"])}
        if f["field"] == "birth_date"
        else f
        for f in doc["fields"]["items"]
    ]
    return {**doc, "fields": {**doc["fields"], "items": items}}


@router.get(
    "/fields/{key}",
    summary="一个对象被导入改动过的字段",
    response_model=FieldHistoryOut,
    responses=errors(403),
    description="党员 (人员编号对应的键)、农户、党组织等被历次导入改动的字段: 哪次导入、何时、"
    "谁导入、旧值 → 新值，最早的在前。身份证号、手机号只记改动，不留旧值新值。仅限县级管理员。",
)
def get_field_history(svc: Svc, caller: Caller, key: str) -> Json:
    _history_reader(caller)
    return Json(history.field_history(svc.store, key))


@router.get(
    "/year-end",
    summary="年度汇总 (XLSX)",
    responses=download(403, 422),
    response_class=Response,
    description="一年的党建工作汇总，可附在年度党建报告后: 各乡镇汇总 (每个乡镇一行，另有未定位和"
    "全县: 年初、年末农户数、已联系户数和联系覆盖率及其变化，年内新出现、已解决的缺口，年末在册、"
    "外出、长期未报到、失联党员，年内外出、返回、转出组织关系的党员)、缺口类型 (全县各类缺口年内"
    "新出现、已解决和年初、年末条数)、逐月覆盖率 (各乡镇每月末) 和图表。年份 2000 至今年；本年度"
    "统计到今天。按全县计算，仅限县级管理员。",
)
def export_year_end(
    svc: Svc,
    caller: Caller,
    year: Annotated[int, Query(ge=YEAR_END_FIRST, le=9999, description="年份")],
) -> Response:
    _history_reader(caller)
    doc = svc.engine.year_end(year)
    body = year_end_sheet.to_xlsx(doc)
    return exports.file_response(body, "xlsx", f"年度汇总_{year}.xlsx", f"year_end_{year}.xlsx")
