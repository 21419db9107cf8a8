"""Health, policy and the caller's own account."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from orgraph.security import can_import, can_reveal, can_write
from orgraph.vocab import USER_ROLE_ZH
from orgraph_api.deps import Caller, Scoped, Svc
from orgraph_api.errors_doc import errors, public_errors
from orgraph_api.responses import Json
from orgraph_api.schemas import HealthOut, MeOut, PolicyRows, ScopeOut

router = APIRouter(tags=["系统"])


@router.get(
    "/health",
    summary="服务与图数据库是否可用",
    response_model=HealthOut,
    responses=public_errors(),
    description="图数据库能答复查询时 200；停止、挂起或仍在加载数据时 3 秒内答复 503。"
    "无需登录，供负载均衡与监控使用。projection 说明本进程的分析数据是哪个修订号、"
    "整体加载与增量更新各几次。",
)
def health(svc: Svc) -> Json:
    svc.store.read("graph_revision")  # a real query: PING succeeds while the data loads
    return Json({"status": "ok", "store": "ok", "projection": svc.engine.freshness()})


@router.get(
    "/policy",
    summary="各项阈值",
    response_model=dict[str, Any],
    responses=errors(),
    description="正在使用的缺口规则阈值 (名称 → 数值)，县里可用 ORGRAPH_POLICY_FILE 覆盖。"
    "每项的默认值和依据见 /policy/rows。",
)
def policy(svc: Svc, caller: Caller) -> Json:
    return Json(svc.engine.policy.model_dump())


@router.get(
    "/policy/rows",
    summary="各项阈值及其依据",
    response_model=PolicyRows,
    responses=errors(),
    description="每项阈值的当前值、默认值、所属规则和政策依据。",
)
def policy_rows(svc: Svc, caller: Caller) -> Json:
    return Json({"rows": svc.engine.policy.describe()})


@router.get(
    "/me",
    summary="当前用户",
    response_model=MeOut,
    responses=errors(404),
    description="当前登录用户的角色、管辖范围 (区划或党组织) 和权限。",
)
def me(view: Scoped) -> MeOut:
    caller = view.principal
    h = view.heading()
    scope = ScopeOut(ref=h.ref, name=h.name, kind=h.kind)
    return MeOut(
        username=caller.username,
        display_name=caller.display_name or caller.username,
        role=caller.role,
        role_zh=USER_ROLE_ZH.get(caller.role, caller.role),
        scope=scope,
        can_reveal=can_reveal(caller.role),
        can_write=can_write(caller.role),
        can_import=can_import(caller.role),
    )
