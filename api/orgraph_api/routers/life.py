"""Organisational life (组织生活) and dues (党费), docs/rules.md "Organisational life and dues":
the branch × month grid, a member's history, the meeting and payment lists, and recording a
meeting (with attendance) or a payment."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from orgraph.clock import today
from orgraph.errors import NotFound, ValidationFailed
from orgraph.records import life
from orgraph.records.life_sheet import grid_xlsx
from orgraph.records.models import DuesBody, IsoDate, MeetingBody
from orgraph.records.visibility import redact_refs
from orgraph.vocab import MEETING_TYPE_ZH
from orgraph_api import exports
from orgraph_api.access import View
from orgraph_api.deps import Scoped, Svc, audited, writer
from orgraph_api.errors_doc import download, errors
from orgraph_api.params import NO_NUL, AsOfQ, KeyP, OrgP, PageQ, PageSizeQ, ScopeQ
from orgraph_api.responses import Json
from orgraph_api.schemas import LifeGridOut, MemberLifeOut, Out, Page

router = APIRouter(tags=["组织生活"])

TYPES = "/".join(f"{k} ({v})" for k, v in MEETING_TYPE_ZH.items())
TypeQ = Annotated[
    str | None, Query(max_length=40, pattern=NO_NUL, description=f"会议类型: {TYPES}")
]
OrgQ = Annotated[str | None, Query(max_length=64, pattern=NO_NUL, description="只看这个党组织")]
MemberQ = Annotated[str | None, Query(max_length=80, pattern=NO_NUL, description="只看这名党员")]


@router.get(
    "/life/grid",
    summary="组织生活开展情况 (支部 × 月)",
    response_model=LifeGridOut,
    responses=errors(404, 422),
    description="范围内每个党支部、党小组在回看月份里的开展情况: met 已开展 / missed 未开展 / "
    "no_quorum 党员大会未达法定人数 / none 不检查 (记录开始前或组织成立前)。"
    "党支部看 type 指定的会议 (默认主题党日)，党小组看党小组会。",
)
def grid(
    svc: Svc, view: Scoped, scope: ScopeQ = None, as_of: AsOfQ = None, type: TypeQ = None
) -> Json:
    ref = view.resolve(scope)
    code = life.meeting_type(type) if type else None
    return Json(
        _redacted(
            svc.answers.ask(view.revision, svc.engine.life_grid, scope=ref, as_of=as_of, type=code),
            view,
        )
    )


def _redacted(doc: dict[str, Any], view: View) -> dict[str, Any]:
    """The grid with the villages and townships above the caller's scope withheld (a village
    user's rows name their own village, not its township)."""
    return {**doc, "rows": redact_refs(doc["rows"], view.seen())}


@router.get(
    "/life/grid/export",
    summary="导出组织生活开展情况表",
    responses=download(404, 422),
    response_class=Response,
    description="支部 × 月的开展情况写成 Excel，每格用文字 (已开展/未开展/未达法定人数/不检查)，"
    "可直接打印。",
)
def export_grid(
    svc: Svc, view: Scoped, scope: ScopeQ = None, as_of: AsOfQ = None, type: TypeQ = None
) -> Response:
    ref = view.resolve(scope)
    code = life.meeting_type(type) if type else None
    with audited(svc, view.principal, action="life.export", target="grid", scope=ref):
        doc = _redacted(svc.engine.life_grid(scope=ref, as_of=as_of, type=code), view)
    zh = MEETING_TYPE_ZH[doc["type"]]
    title = f"组织生活开展情况_{zh}_{doc['scope']}_{doc['as_of']}"
    body = grid_xlsx(doc, title=f"组织生活开展情况 ({zh}) 截至 {doc['as_of']}")
    return exports.file_response(body, "xlsx", title + ".xlsx", f"life_grid_{doc['as_of']}.xlsx")


@router.get(
    "/members/{key}/life",
    summary="一名党员的组织生活和党费",
    response_model=MemberLifeOut,
    responses=errors(404, 422),
    description="截至 as_of 参加或缺席的会议 (新的在前)、交纳党费记录，以及规则读取的数字: "
    "最近参加组织生活、未参加月数、党费缴至、欠缴月数。",
)
def member_life(svc: Svc, view: Scoped, key: KeyP, as_of: AsOfQ = None) -> Json:
    view.member(key)
    doc = redact_refs(svc.engine.member_life(key, as_of=as_of), view.seen())
    for meeting in doc["meetings"]:  # a meeting of an org out of sight keeps its date only
        if meeting["org"].get("hidden"):
            meeting["id"] = meeting["topic"] = None
    return Json(doc)


@router.get(
    "/meetings",
    summary="组织生活记录",
    response_model=Page,
    responses=errors(404, 422),
    description="范围内党组织的会议，日期新的在前，可按组织、类型、日期区间筛选。",
)
def list_meetings(
    svc: Svc,
    view: Scoped,
    scope: ScopeQ = None,
    org: OrgQ = None,
    type: TypeQ = None,
    since: Annotated[IsoDate | None, Query(description="起始日期 (含)")] = None,
    until: Annotated[IsoDate | None, Query(description="截止日期 (含)")] = None,
    page: PageQ = 1,
    page_size: PageSizeQ = 50,
) -> Json:
    seen = view.seen(scope)
    o = view.org(org) if org is not None else None
    return Json(
        life.list_meetings(
            svc.store,
            seen=seen,
            org=o,
            type=type,
            since=since,
            until=until,
            page=page,
            page_size=page_size,
        )
    )


@router.get(
    "/dues",
    summary="党费交纳记录",
    response_model=Page,
    responses=errors(404, 422),
    description="范围内党员的党费交纳记录 (缴至月份、缴纳日期)，新的在前。金额只记录，不核对。",
)
def list_dues(
    view: Scoped,
    scope: ScopeQ = None,
    member: MemberQ = None,
    page: PageQ = 1,
    page_size: PageSizeQ = 50,
) -> Json:
    seen = view.seen(scope)
    m = view.member(member) if member is not None else None
    return Json(life.list_dues(seen=seen, member=m, page=page, page_size=page_size))


WRITE_ERRORS = errors(403, 404, 422)


def _people(view: View, keys: list[str]) -> None:
    """Every attendee and absentee must be a member the caller can see; all that are not are
    named at once (422), so one request fixes them all."""
    refused = []
    for key in sorted(set(keys)):
        try:
            view.member(key)
        except NotFound:
            refused.append({"member": key, "message": "不存在或不在您的管辖范围内"})
    if refused:
        names = "、".join(r["member"] for r in refused[:10])
        raise ValidationFailed(
            f"有 {len(refused)} 名参加或缺席人员不存在或不在您的管辖范围内: {names}"
            + ("等" if len(refused) > 10 else ""),
            refused=refused,
        )


@router.post(
    "/orgs/{org_id}/meetings",
    summary="登记一次组织生活",
    response_model=Out,
    status_code=201,
    responses=WRITE_ERRORS,
    description="按组织、类型、日期、主题识别一次会议: 再次登记同一次会议即更正它 "
    "(参加、缺席名单整体替换)。只填缺席人员时视为其余应到人员均已参加。"
    "范围外的组织 404；不存在或范围外的人员逐一列在 refused 中 (422)，一条也不写。",
)
def add_meeting(svc: Svc, view: Scoped, org_id: OrgP, body: MeetingBody) -> dict[str, Any]:
    caller = view.principal
    with audited(
        svc, caller, action="meeting.record", target=org_id, detail={"type": body.type}
    ) as detail:
        writer(caller)
        view.org(org_id)
        _people(view, [*body.attendees, *body.absentees])
        done = life.record_meeting(
            svc.store,
            org=org_id,
            type=body.type,
            on=body.on,
            topic=body.topic,
            expected=body.expected,
            present=body.present,
            attendees=body.attendees,
            absentees=body.absentees,
            host=body.host,
            today=today(),
        )
        detail["id"] = done["id"]
        return done


@router.post(
    "/members/{key}/dues",
    summary="登记党费交纳",
    response_model=Out,
    status_code=201,
    responses=WRITE_ERRORS,
    description="党员交纳党费至某月 (如 2026-09)。同一党员同一缴至月份再次登记即更正。",
)
def add_dues(svc: Svc, view: Scoped, key: KeyP, body: DuesBody) -> dict[str, Any]:
    caller = view.principal
    with audited(svc, caller, action="dues.record", target=key, detail={"paid_to": body.paid_to}):
        writer(caller)
        view.member(key)
        return life.record_dues(
            svc.store,
            member=key,
            paid_to=body.paid_to,
            paid_on=body.paid_on,
            amount=body.amount,
            today=today(),
        )
