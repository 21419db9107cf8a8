"""Members away (流动党员): where they are, how they flow, each one's timeline, mobile
branches, and the outflow lifecycle (登记外出、报到、参加组织生活、返回、转接)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from orgraph.clock import today
from orgraph.errors import NotFound
from orgraph.mobility import services
from orgraph.records.models import (
    AttendBody,
    BranchMemberBody,
    DepartureBody,
    MobileBranchBody,
    ReportBody,
    ReturnBody,
    TransferBody,
)
from orgraph.records.visibility import redact_refs
from orgraph_api.deps import Scoped, Svc, audited, writer
from orgraph_api.errors_doc import errors
from orgraph_api.params import AsOfQ, KeyP, OrgP, ScopeQ
from orgraph_api.responses import Json
from orgraph_api.schemas import (
    DestinationsOut,
    FlowsOut,
    MobileBranchesOut,
    MobileBranchOut,
    Out,
    TimelineOut,
)

router = APIRouter(tags=["流动党员"])


@router.get(
    "/mobility/destinations",
    summary="外出党员去向",
    response_model=DestinationsOut,
    responses=errors(404, 422),
    description="范围内外出党员按流入省、市统计: 人数、正式党员、已参加组织生活、"
    "长期未报到、失联，以及当地的流动党员党支部。",
)
def destinations(svc: Svc, view: Scoped, scope: ScopeQ = None, as_of: AsOfQ = None) -> Json:
    ref = view.resolve(scope)
    doc = svc.answers.ask(view.revision, svc.engine.destinations, scope=ref, as_of=as_of)
    return Json(redact_refs(doc, view.seen()))


@router.get(
    "/mobility/flows",
    summary="外出党员流向",
    response_model=FlowsOut,
    responses=errors(404, 422),
    description="从各流出乡镇到各流入城市的人数 (流向图)。管辖范围外的乡镇不显示名称。",
)
def flows(svc: Svc, view: Scoped, scope: ScopeQ = None, as_of: AsOfQ = None) -> Json:
    ref = view.resolve(scope)
    doc = svc.answers.ask(view.revision, svc.engine.flows, scope=ref, as_of=as_of)
    return Json(redact_refs(doc, view.seen()))


@router.get(
    "/mobility/members/{key}/timeline",
    summary="一名党员的流动轨迹",
    response_model=TimelineOut,
    responses=errors(404, 422),
    description="外出、参加组织生活、报到、返回、转接，按时间排序。",
)
def timeline(svc: Svc, view: Scoped, key: KeyP) -> Json:
    view.member(key)
    return Json(redact_refs(svc.engine.timeline(key), view.seen()))


@router.get(
    "/mobile-branches",
    summary="流动党员党支部",
    response_model=MobileBranchesOut,
    responses=errors(404, 422),
    description="范围内的流动党员党支部、临时党支部、临时党小组，及其成员的报到情况。",
)
def mobile_branches(svc: Svc, view: Scoped, scope: ScopeQ = None, as_of: AsOfQ = None) -> Json:
    ref = view.resolve(scope)
    doc = svc.answers.ask(view.revision, svc.engine.mobile_branches, scope=ref, as_of=as_of)
    return Json(redact_refs(doc, view.seen()))


@router.get(
    "/mobile-branches/{org_id}/members",
    summary="流动党员党支部的成员",
    response_model=MobileBranchOut,
    responses=errors(404, 422),
    description="参加该支部组织生活的党员: 外出地、最近报到、未报到天数和状态。"
    "管辖范围外的党员只显示为“（范围外人员）”。",
)
def mobile_branch(svc: Svc, view: Scoped, org_id: OrgP, as_of: AsOfQ = None) -> Json:
    view.org(org_id)
    try:
        doc = svc.engine.mobile_branch(org_id, as_of=as_of)
    except NotFound:
        raise NotFound(f"党组织“{org_id}”不存在或不在您的管辖范围内") from None
    return Json(redact_refs(doc, view.seen()))


# -- writes ---------------------------------------------------------------------------------

WRITE_ERRORS = errors(403, 404, 409, 422)


def _done(result: dict[str, Any]) -> dict[str, Any]:
    # A dict, not a Json response: FastAPI then applies the route's status code (201).
    return result


@router.post(
    "/members/{key}/outflows",
    summary="登记外出",
    response_model=Out,
    status_code=201,
    responses=WRITE_ERRORS,
    description="新的外出登记；上一次外出尚未结束时 409。外出地点可填区划代码或文字 "
    "(离线地名库识别)。",
)
def add_outflow(svc: Svc, view: Scoped, key: KeyP, body: DepartureBody) -> dict[str, Any]:
    caller = view.principal
    with audited(
        svc,
        caller,
        action="outflow.create",
        target=key,
        detail={"left_on": body.left_on.isoformat()},
    ):
        writer(caller)
        view.member(key)
        if body.host_org:
            view.destination_org(body.host_org)
        return _done(
            services.register_departure(
                svc.store,
                member=key,
                left_on=body.left_on,
                destination=body.destination,
                reason=body.reason,
                employer=body.employer,
                phone_away=body.phone_away,
                card_no=body.card_no,
                contact_person=body.contact_person,
                host_org=body.host_org,
                today=today(),
            )
        )


@router.post(
    "/members/{key}/reports",
    summary="登记报到/报平安",
    response_model=Out,
    status_code=201,
    responses=WRITE_ERRORS,
    description="同一天同一方式重复登记不重复计数。",
)
def add_report(svc: Svc, view: Scoped, key: KeyP, body: ReportBody) -> dict[str, Any]:
    caller = view.principal
    with audited(svc, caller, action="report.create", target=key):
        writer(caller)
        view.member(key)
        if body.org:
            view.destination_org(body.org)
        return _done(
            services.record_report(
                svc.store,
                member=key,
                on=body.on or today(),
                channel=body.channel,
                org=body.org,
                today=today(),
            )
        )


@router.post(
    "/members/{key}/return",
    summary="登记返回",
    response_model=Out,
    responses=WRITE_ERRORS,
    description="结束当天仍未结束的外出登记及其间的组织生活；没有未结束的外出时 422。",
)
def record_return(svc: Svc, view: Scoped, key: KeyP, body: ReturnBody) -> dict[str, Any]:
    caller = view.principal
    with audited(svc, caller, action="outflow.return", target=key):
        writer(caller)
        view.member(key)
        return _done(
            services.record_return(svc.store, member=key, on=body.on or today(), today=today())
        )


@router.post(
    "/members/{key}/attend",
    summary="登记参加组织生活",
    response_model=Out,
    responses=WRITE_ERRORS,
    description="在流入地党组织 (管辖范围内的，或流动党员党支部、县外党组织)参加组织生活。",
)
def attend(svc: Svc, view: Scoped, key: KeyP, body: AttendBody) -> dict[str, Any]:
    caller = view.principal
    with audited(svc, caller, action="member.attend", target=key, detail={"org": body.org}):
        writer(caller)
        view.member(key)
        view.destination_org(body.org)
        return _done(
            services.attend(
                svc.store, member=key, org=body.org, since=body.since or today(), today=today()
            )
        )


@router.post(
    "/members/{key}/transfer",
    summary="组织关系转接",
    response_model=Out,
    responses=WRITE_ERRORS,
    description="转入管辖范围内的党支部，或县外党组织 (填名称，党员随之不在册)。"
    "转入管辖范围外的县内组织须由上级办理 (404)。",
)
def transfer(svc: Svc, view: Scoped, key: KeyP, body: TransferBody) -> dict[str, Any]:
    caller = view.principal
    with audited(svc, caller, action="member.transfer", target=key, detail={"to_org": body.to_org}):
        writer(caller)
        view.member(key)
        view.transfer_target(body.to_org)
        return _done(
            services.transfer(
                svc.store, member=key, to_org=body.to_org, on=body.on or today(), today=today()
            )
        )


@router.post(
    "/mobile-branches",
    summary="成立流动党员党支部",
    response_model=Out,
    status_code=201,
    responses=WRITE_ERRORS,
    description="在流入地成立流动党员党支部、临时党支部或临时党小组；批准组建的党组织须为"
    "管辖范围内的县级及以上党组织。",
)
def create_mobile_branch(svc: Svc, view: Scoped, body: MobileBranchBody) -> dict[str, Any]:
    caller = view.principal
    with audited(
        svc, caller, action="mobile_branch.create", target=body.id, detail={"kind": body.kind}
    ):
        writer(caller)
        view.org(body.approved_by)
        return _done(
            services.create_mobile_branch(
                svc.store,
                id=body.id,
                name=body.name,
                kind=body.kind,
                host_area=body.host_area,
                approved_by=body.approved_by,
                established_on=body.established_on or today(),
                today=today(),
                sees_org=view.sees_org,
            )
        )


@router.post(
    "/mobile-branches/{org_id}/members",
    summary="流动党员加入流动党员党支部",
    response_model=Out,
    status_code=201,
    responses=WRITE_ERRORS,
    description="党员须在管辖范围内，支部须在管辖范围内。",
)
def add_branch_member(
    svc: Svc, view: Scoped, org_id: OrgP, body: BranchMemberBody
) -> dict[str, Any]:
    caller = view.principal
    with audited(
        svc,
        caller,
        action="mobile_branch.add_member",
        target=org_id,
        detail={"member": body.member},
    ):
        writer(caller)
        view.org(org_id)
        view.member(body.member)
        return _done(
            services.add_branch_member(
                svc.store,
                branch=org_id,
                member=body.member,
                since=body.since or today(),
                today=today(),
            )
        )
