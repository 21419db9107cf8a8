"""Members (党员): list, read, create, update, take off the roll."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from orgraph.clock import today
from orgraph.records import members
from orgraph.records.models import MemberCreate, MemberEnd, MemberUpdate
from orgraph_api.deps import Scoped, Svc, audited, may_assign, may_reveal, writer
from orgraph_api.errors_doc import errors
from orgraph_api.params import NO_NUL, KeyP, PageQ, PageSizeQ, RevealQ, ScopeQ, SearchQ
from orgraph_api.responses import Json
from orgraph_api.schemas import MemberOut, MemberPage, WriteOut

router = APIRouter(prefix="/members", tags=["党员"])


@router.get(
    "",
    summary="党员列表",
    response_model=MemberPage,
    responses=errors(404, 422),
    description="范围内的党员，按键排序。手机号一律打码；身份证号只有打码形式。"
    "branch 可以是党支部或党小组编号。",
)
def list_members(
    svc: Svc,
    view: Scoped,
    scope: ScopeQ = None,
    q: SearchQ = None,
    branch: Annotated[
        str | None, Query(max_length=64, pattern=NO_NUL, description="党支部或党小组编号")
    ] = None,
    away: Annotated[bool | None, Query(description="今天是否外出 (有未结束的外出登记)")] = None,
    on_roll: Annotated[bool | None, Query(description="是否在册")] = None,
    page: PageQ = 1,
    page_size: PageSizeQ = 50,
) -> Json:
    seen = view.seen(scope)
    b = view.org(branch) if branch is not None else None
    return Json(
        members.list_members(
            svc.store,
            seen=seen,
            q=q,
            branch=b,
            away=away,
            on_roll=on_roll,
            on=today(),
            page=page,
            page_size=page_size,
        )
    )


@router.get(
    "/{key}",
    summary="一名党员",
    response_model=MemberOut,
    responses=errors(403, 404, 422),
    description="出生日期只显示年份；reveal=true 时 (仅县级、乡镇管理员) 显示完整手机号和完整"
    "出生日期，并记入审计日志。",
)
def get_member(svc: Svc, view: Scoped, key: KeyP, reveal: RevealQ = False) -> Json:
    caller = view.principal
    if not may_reveal(caller, reveal):
        return Json(members.get_member(svc.store, seen=view.seen(), m=view.member(key), on=today()))
    with audited(svc, caller, action="member.reveal", target=key):
        return Json(
            members.get_member(
                svc.store, seen=view.seen(), m=view.member(key), on=today(), reveal=True
            )
        )


@router.post(
    "",
    summary="新增党员",
    response_model=WriteOut,
    status_code=201,
    responses=errors(403, 404, 409, 422),
    description="请求体字段固定，多余字段 422。"
    "党员键为人员编号；没有人员编号时为身份证号的"
    "带密钥散列 (原号码不保存)。所在党支部须在管辖范围内。",
)
def create_member(svc: Svc, view: Scoped, body: MemberCreate) -> WriteOut:
    caller = view.principal
    fields = sorted(body.model_fields_set - {"id_number"})
    with audited(
        svc, caller, action="member.create", target=body.member_no, detail={"fields": fields}
    ) as detail:
        writer(caller)
        may_assign(view, body.roles)  # duties at or below the caller's rank only (#18)
        key = members.create_member(
            svc.store,
            seen=view.seen(),
            body=body,
            id_key=svc.settings.id_hash_key.get_secret_value().encode(),
        )
        detail["key"] = key
    return WriteOut(id=key, changed=len(body.model_fields_set))


@router.patch(
    "/{key}",
    summary="修改党员信息",
    response_model=WriteOut,
    responses=errors(403, 404, 409, 422),
    description="只改请求体中给出的字段；人员编号和身份证号不能修改。"
    "改所在党支部时新旧支部都须在管辖范围内。",
)
def update_member(svc: Svc, view: Scoped, key: KeyP, body: MemberUpdate) -> WriteOut:
    caller = view.principal
    with audited(
        svc,
        caller,
        action="member.update",
        target=key,
        detail={"fields": sorted(body.model_fields_set)},
    ):
        writer(caller)
        if "roles" in body.model_fields_set:
            may_assign(view, body.roles, key)  # duties at or below the caller's rank (#18)
        changed = members.update_member(svc.store, seen=view.seen(), m=view.member(key), body=body)
    return WriteOut(id=key, changed=changed)


@router.post(
    "/{key}/end",
    summary="党员不在册 (转出、去世、除名)",
    response_model=WriteOut,
    responses=errors(403, 404, 409, 422),
    description="标记为不在册并记下日期和原因；不删除任何记录。",
)
def end_member(svc: Svc, view: Scoped, key: KeyP, body: MemberEnd) -> WriteOut:
    caller = view.principal
    with audited(
        svc,
        caller,
        action="member.end",
        target=key,
        detail={"on": body.on.isoformat(), "reason": body.reason},
    ):
        writer(caller)
        members.end_member(svc.store, seen=view.seen(), m=view.member(key), body=body)
    return WriteOut(id=key, changed=1)
