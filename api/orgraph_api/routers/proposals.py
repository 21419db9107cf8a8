"""Contact proposals (联户调整建议, docs/rules.md "Contact proposals"): read, export as a 联系关系
roster, and apply the reviewed pairs."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter
from starlette.responses import Response

from orgraph.clock import today
from orgraph.records.models import ProposalApply
from orgraph.records.proposals import apply_pairs
from orgraph.roster import contact_roster
from orgraph_api import exports
from orgraph_api.access import View
from orgraph_api.deps import Scoped, Svc, audited, writer
from orgraph_api.errors_doc import download, errors
from orgraph_api.params import AsOfQ, FileFormat, FormatQ, PageQ, PageSizeQ, ScopeQ
from orgraph_api.responses import Json
from orgraph_api.schemas import DutyProposalOut, ProposalApplied, ProposalOut
from orgraph_api.services import Services

router = APIRouter(prefix="/proposals", tags=["调整建议"])


@router.get(
    "/contacts",
    summary="联户调整建议",
    response_model=ProposalOut,
    responses=errors(404, 422),
    description="把范围内没有在家党员联系的农户，按就近 (同村民小组、同村)、均衡、不超过联户上限的"
    "原则分给可安排的在家党员；并按村、乡镇给出调整前后的覆盖率和仍缺的户数、还需的党员数。"
    "只是建议: 须经党员大会审定后导入或应用。",
)
def proposal(
    svc: Svc,
    view: Scoped,
    scope: ScopeQ = None,
    as_of: AsOfQ = None,
    page: PageQ = 1,
    page_size: PageSizeQ = 50,
) -> Json:
    ref = view.resolve(scope)
    doc = svc.answers.ask(
        view.revision,
        svc.engine.proposal,
        scope=ref,
        as_of=as_of,
        page=page,
        page_size=page_size,
    )
    return Json(doc)


@router.get(
    "/duties",
    summary="包组与入组建议",
    response_model=DutyProposalOut,
    responses=errors(404, 422),
    description="无人负责的村民小组、党小组 (同一村民小组和它的党小组算一处) 建议由本村哪位"
    "村两委成员负责 (就近、均衡、不超过包组上限)，安排不了的说明原因；未编入党小组的党员"
    "建议编入哪个党小组。只是建议，须经审定。",
)
def duties(svc: Svc, view: Scoped, scope: ScopeQ = None, as_of: AsOfQ = None) -> Json:
    ref = view.resolve(scope)
    return Json(svc.answers.ask(view.revision, svc.engine.duty_proposal, scope=ref, as_of=as_of))


@router.get(
    "/duties/export",
    summary="导出包组建议 (联系关系花名册)",
    responses=download(404, 422),
    response_class=Response,
    description="包组建议写成联系关系花名册 (联系对象类型为村民小组或党小组)，审定后可原样导入。",
)
def export_duties(
    svc: Svc, view: Scoped, scope: ScopeQ = None, as_of: AsOfQ = None, format: FormatQ = "xlsx"
) -> Response:
    return _roster(svc, view, "cadres", scope=scope, as_of=as_of, format=format)


def _roster(
    svc: Services,
    view: View,
    kind: Literal["contacts", "cadres"],
    *,
    scope: str | None,
    as_of: dt.date | None,
    format: FileFormat,
) -> Response:
    """A proposal as the 联系关系 roster the importer reads back (audited: who took a list of
    names out)."""
    ref = view.resolve(scope)
    with audited(
        svc,
        view.principal,
        action="proposals.export",
        target=kind,
        scope=ref,
        detail={"format": format},
    ) as detail:
        if kind == "contacts":
            doc = svc.engine.proposal(scope=ref, as_of=as_of, page_size=None)
            items, title = doc["items"], ("联户调整建议", "contact_proposal")
            detail["rows"] = len(items)
        else:
            doc = svc.engine.duty_proposal(scope=ref, as_of=as_of)
            items, title = doc["cadres"]["items"], ("包组建议", "cadre_proposal")
            detail["rows"] = sum(len(i["targets"]) for i in items)
    write = contact_roster.to_csv if format == "csv" else contact_roster.to_xlsx
    tail = f"_{doc['scope']}_{doc['as_of']}.{format}"
    return exports.file_response(
        write(items, doc["as_of"], cadres=kind == "cadres"),
        format,
        title[0] + tail,
        title[1] + tail,
    )


@router.get(
    "/contacts/export",
    summary="导出联户调整建议 (联系关系花名册)",
    responses=download(404, 422),
    response_class=Response,
    description="整份建议写成联系关系花名册 (人员编号、姓名、联系对象类型、联系对象编号、"
    "联系对象名称、开始日期，另加导入时不读的说明列)，审定后可原样导入。",
)
def export(
    svc: Svc, view: Scoped, scope: ScopeQ = None, as_of: AsOfQ = None, format: FormatQ = "xlsx"
) -> Response:
    return _roster(svc, view, "contacts", scope=scope, as_of=as_of, format=format)


@router.post(
    "/contacts/apply",
    summary="应用审定后的联户调整",
    response_model=ProposalApplied,
    responses=errors(403, 404, 422),
    description="把审定 (可删减) 后的 (党员, 户) 建立为联系关系，开始日期为 as_of (默认今天)。"
    "每一对先校验: 党员和户都在范围内，党员在册、在家、不属免于联户，户尚无在家党员联系，"
    "同村 (或政策允许时同乡镇)，联户数不超过上限；有任何一对不合格则一对也不写，"
    "refused 逐一列出。已存在的联系保持不变，重复应用不做任何修改。",
)
def apply(svc: Svc, view: Scoped, body: ProposalApply) -> ProposalApplied:
    caller = view.principal
    ref = view.resolve(body.scope)
    with audited(svc, caller, action="proposals.apply", target="contacts", scope=ref) as detail:
        writer(caller)
        done = apply_pairs(
            svc.engine,
            [(p.member, p.household) for p in body.pairs],
            scope=ref,
            on=body.as_of or today(),
        )
        detail.update(done)
    return ProposalApplied(**done)
