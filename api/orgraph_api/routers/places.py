"""The org/area tree of a scope, single areas and orgs, and their direct children."""

from __future__ import annotations

from fastapi import APIRouter

from orgraph.records import places
from orgraph_api.deps import Scoped, Svc
from orgraph_api.errors_doc import errors
from orgraph_api.params import AreaP, OrgP, ScopeQ
from orgraph_api.responses import Json
from orgraph_api.schemas import AreaList, AreaOut, OrgList, OrgOut, ScopeOut, TreeOut

router = APIRouter(tags=["区划与党组织"])


@router.get(
    "/tree",
    summary="管辖范围的组织树",
    response_model=TreeOut,
    responses=errors(404, 422),
    description="范围内的全部党组织 (含在册党员数) 和区划。范围顶端的 parent 为 null。",
)
def tree(view: Scoped, scope: ScopeQ = None) -> Json:
    seen = view.seen(scope)
    h = view.heading(scope)
    head = ScopeOut(ref=h.ref, name=h.name, kind=h.kind)
    return Json({"scope": head.model_dump(), **places.tree(seen=seen)})


@router.get(
    "/areas/{code}",
    summary="一个区划",
    response_model=AreaOut,
    responses=errors(404, 422),
    description="区划的名称、层级、上级和坐标。",
)
def area(svc: Svc, view: Scoped, code: AreaP) -> Json:
    seen = view.seen()
    (row,) = places.areas(svc.store, seen=seen, indices=[view.area(code)])
    return Json(row)


@router.get(
    "/areas/{code}/children",
    summary="区划的直接下级",
    response_model=AreaList,
    responses=errors(404, 422),
    description="按代码排序。",
)
def area_children(svc: Svc, view: Scoped, code: AreaP) -> Json:
    seen = view.seen()
    return Json({"items": places.areas(svc.store, seen=seen, indices=view.child_areas(code))})


@router.get(
    "/orgs/{org_id}",
    summary="一个党组织",
    response_model=OrgOut,
    responses=errors(404, 422),
    description="党组织的名称、类别、上级、所在区划、驻在地 (流动党员党支部) 和在册党员数。",
)
def org(svc: Svc, view: Scoped, org_id: OrgP) -> Json:
    seen = view.seen()
    (row,) = places.orgs(svc.store, seen=seen, indices=[view.org(org_id)])
    return Json(row)


@router.get(
    "/orgs/{org_id}/children",
    summary="党组织的直接下级",
    response_model=OrgList,
    responses=errors(404, 422),
    description="按编号排序。",
)
def org_children(svc: Svc, view: Scoped, org_id: OrgP) -> Json:
    seen = view.seen()
    return Json({"items": places.orgs(svc.store, seen=seen, indices=view.child_orgs(org_id))})
