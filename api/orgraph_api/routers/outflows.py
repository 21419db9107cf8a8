"""Outflow episodes (流动党员外出登记) and reports (报到) of the members in scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from orgraph.records import outflows
from orgraph.records.models import IsoDate
from orgraph_api.deps import Scoped, Svc
from orgraph_api.errors_doc import errors
from orgraph_api.params import NO_NUL, PageQ, PageSizeQ, ScopeQ
from orgraph_api.responses import Json
from orgraph_api.schemas import Page

router = APIRouter(tags=["流动党员"])

MemberQ = Annotated[str | None, Query(max_length=80, pattern=NO_NUL, description="只看这名党员")]


@router.get(
    "/outflows",
    summary="外出登记列表",
    response_model=Page,
    responses=errors(404, 422),
    description="范围内党员的外出登记，外出时间新的在前。"
    "open 筛选今天 (或 as_of) 是否仍在外；"
    "外出联系电话打码。",
)
def list_outflows(
    svc: Svc,
    view: Scoped,
    scope: ScopeQ = None,
    member: MemberQ = None,
    open: Annotated[bool | None, Query(description="是否仍在外 (未返回)")] = None,
    as_of: Annotated[IsoDate | None, Query(description="判断是否在外的日期，默认今天")] = None,
    page: PageQ = 1,
    page_size: PageSizeQ = 50,
) -> Json:
    seen = view.seen(scope)
    m = view.member(member) if member is not None else None
    return Json(
        outflows.list_outflows(
            svc.store,
            seen=seen,
            member=m,
            open_on=as_of,
            is_open=open,
            page=page,
            page_size=page_size,
        )
    )


@router.get(
    "/reports",
    summary="报到记录列表",
    response_model=Page,
    responses=errors(404, 422),
    description="范围内党员的报到、报平安记录，日期新的在前，可按日期区间筛选。",
)
def list_reports(
    svc: Svc,
    view: Scoped,
    scope: ScopeQ = None,
    member: MemberQ = None,
    since: Annotated[IsoDate | None, Query(description="起始日期 (含)")] = None,
    until: Annotated[IsoDate | None, Query(description="截止日期 (含)")] = None,
    page: PageQ = 1,
    page_size: PageSizeQ = 50,
) -> Json:
    seen = view.seen(scope)
    m = view.member(member) if member is not None else None
    return Json(
        outflows.list_reports(
            svc.store, seen=seen, member=m, since=since, until=until, page=page, page_size=page_size
        )
    )
