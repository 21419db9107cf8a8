"""Households (农户): list, read, create, update, and the contact chain of one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from orgraph.clock import today
from orgraph.records import households
from orgraph.records.models import HouseholdCreate, HouseholdUpdate
from orgraph.records.visibility import redact_chain
from orgraph_api.deps import Scoped, Svc, audited, may_reveal, writer
from orgraph_api.errors_doc import errors
from orgraph_api.params import NO_NUL, AsOfQ, HouseholdP, PageQ, PageSizeQ, RevealQ, ScopeQ
from orgraph_api.responses import Json
from orgraph_api.schemas import ChainOut, HouseholdOut, HouseholdPage, WriteOut

router = APIRouter(prefix="/households", tags=["农户"])


@router.get(
    "",
    summary="农户列表",
    response_model=HouseholdPage,
    responses=errors(404, 422),
    description="范围内的农户，按户编号排序；q 按户主姓名或户编号搜索；"
    "covered 筛选今天是否有在家党员联系。",
)
def list_households(
    svc: Svc,
    view: Scoped,
    scope: ScopeQ = None,
    q: Annotated[
        str | None, Query(max_length=64, pattern=NO_NUL, description="户主姓名或户编号 (包含即可)")
    ] = None,
    covered: Annotated[bool | None, Query(description="今天是否有在家党员联系")] = None,
    page: PageQ = 1,
    page_size: PageSizeQ = 50,
) -> Json:
    seen = view.seen(scope)
    return Json(
        households.list_households(
            svc.store,
            seen=seen,
            q=q,
            covered_only=covered,
            on=today(),
            page=page,
            page_size=page_size,
        )
    )


@router.get(
    "/{household_id}",
    summary="一户",
    response_model=HouseholdOut,
    responses=errors(403, 404, 422),
    description="户主、地址、人口、标签、所在村组；"
    "reveal=true 时 (有权限的角色) 显示完整电话"
    "并记入审计日志。",
)
def get_household(
    svc: Svc, view: Scoped, household_id: HouseholdP, reveal: RevealQ = False
) -> Json:
    caller = view.principal
    if not may_reveal(caller, reveal):
        return Json(
            households.get_household(
                svc.store, seen=view.seen(), h=view.household(household_id), on=today()
            )
        )
    with audited(svc, caller, action="household.reveal", target=household_id):
        return Json(
            households.get_household(
                svc.store, seen=view.seen(), h=view.household(household_id), on=today(), reveal=True
            )
        )


@router.get(
    "/{household_id}/chain",
    summary="一户的联系链",
    response_model=ChainOut,
    responses=errors(404, 422),
    description="党员包户 ← 村干部包组 ← 乡镇干部包村 ← 县级领导包乡镇，broken_at 为断链的"
    "最低一级 (完整时为 null)。管辖范围外的人员只显示“（范围外人员）”。",
)
def chain(svc: Svc, view: Scoped, household_id: HouseholdP, as_of: AsOfQ = None) -> Json:
    view.household(household_id)
    doc = svc.engine.chain(household_id, as_of=as_of)
    return Json(redact_chain(doc, view.seen()))


@router.post(
    "",
    summary="新增农户",
    response_model=WriteOut,
    status_code=201,
    responses=errors(403, 404, 409, 422),
    description="所在区划须为管辖范围内的村或村民小组；户编号已存在时 409。",
)
def create_household(svc: Svc, view: Scoped, body: HouseholdCreate) -> WriteOut:
    caller = view.principal
    with audited(
        svc,
        caller,
        action="household.create",
        target=body.id,
        detail={"fields": sorted(body.model_fields_set)},
    ):
        writer(caller)
        households.create_household(svc.store, seen=view.seen(), body=body)
    return WriteOut(id=body.id, changed=len(body.model_fields_set))


@router.patch(
    "/{household_id}",
    summary="修改农户信息",
    response_model=WriteOut,
    responses=errors(403, 404, 422),
    description="只改请求体中给出的字段；改所在区划时新区划也须在管辖范围内。",
)
def update_household(
    svc: Svc, view: Scoped, household_id: HouseholdP, body: HouseholdUpdate
) -> WriteOut:
    caller = view.principal
    with audited(
        svc,
        caller,
        action="household.update",
        target=household_id,
        detail={"fields": sorted(body.model_fields_set)},
    ):
        writer(caller)
        changed = households.update_household(
            svc.store, seen=view.seen(), h=view.household(household_id), body=body
        )
    return WriteOut(id=household_id, changed=changed)
