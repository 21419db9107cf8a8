"""Household contacts (党员联户)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from orgraph.clock import today
from orgraph.records import contacts
from orgraph.records.models import ContactCreate, ContactEnd
from orgraph_api.deps import Scoped, Svc, audited, writer
from orgraph_api.errors_doc import errors
from orgraph_api.params import NO_NUL, PageQ, PageSizeQ, ScopeQ
from orgraph_api.responses import Json
from orgraph_api.schemas import ContactPage, WriteOut

router = APIRouter(prefix="/contacts", tags=["联系关系"])


@router.get(
    "",
    summary="联系关系列表",
    response_model=ContactPage,
    responses=errors(404, 422),
    description="一名党员或一户的全部联系关系 (含已结束的)，开始日期新的在前；"
    "两者都不给时为范围 (scope) 内全部农户的联系关系。",
)
def list_contacts(
    view: Scoped,
    scope: ScopeQ = None,
    member: Annotated[
        str | None, Query(max_length=80, pattern=NO_NUL, description="党员键")
    ] = None,
    household: Annotated[
        str | None, Query(max_length=80, pattern=NO_NUL, description="户编号")
    ] = None,
    page: PageQ = 1,
    page_size: PageSizeQ = 50,
) -> Json:
    m = view.member(member) if member is not None else None
    h = view.household(household) if household is not None else None
    return Json(
        contacts.list_contacts(
            seen=view.seen(scope), member=m, household=h, on=today(), page=page, page_size=page_size
        )
    )


@router.post(
    "",
    summary="新增联系关系",
    response_model=WriteOut,
    status_code=201,
    responses=errors(403, 404, 422),
    description="党员和农户都须在管辖范围内；since 默认今天。"
    "同一党员、农户、开始日期重复提交"
    "只更新结束日期。",
)
def add_contact(svc: Svc, view: Scoped, body: ContactCreate) -> WriteOut:
    caller = view.principal
    target = f"{body.member}→{body.household}"
    with audited(svc, caller, action="contact.create", target=target):
        writer(caller)
        contacts.add_contact(svc.store, seen=view.seen(), body=body, on=today())
    return WriteOut(id=target, changed=1)


@router.post(
    "/end",
    summary="结束联系关系",
    response_model=WriteOut,
    responses=errors(403, 404, 422),
    description="结束该党员与该户在 until (默认今天) 仍有效的联系关系。",
)
def end_contact(svc: Svc, view: Scoped, body: ContactEnd) -> WriteOut:
    caller = view.principal
    target = f"{body.member}→{body.household}"
    with audited(svc, caller, action="contact.end", target=target):
        writer(caller)
        ended = contacts.end_contact(svc.store, seen=view.seen(), body=body, on=today())
    return WriteOut(id=target, changed=ended)
