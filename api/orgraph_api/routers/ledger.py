"""Recording the ledgers by hand: one inspection (督查记录) of an organisation, one 第一书记
appointment (docs/rules.md "The rectification ledger (整顿台账) and inspections (督查记录)",
"第一书记"). Scoped, audited, one transaction each: the next answer reflects them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from orgraph.records import ledger
from orgraph.records.models import FirstSecretaryBody, InspectionBody
from orgraph_api.deps import Scoped, Svc, audited, writer
from orgraph_api.errors_doc import errors
from orgraph_api.params import today
from orgraph_api.schemas import Out

router = APIRouter(tags=["整顿台账与第一书记"])

WRITE_ERRORS = errors(403, 404, 422)


@router.post(
    "/inspections",
    summary="登记一次督查",
    response_model=Out,
    status_code=201,
    responses=WRITE_ERRORS,
    description="按党组织、督查日期、督查人识别一次督查: 再次登记同一次督查即更正它 "
    "(发现的问题、整改情况)。党组织须在您的管辖范围内 (404)，不能是党小组 (422)；"
    "督查日期不能晚于今天 (422)。",
)
def add_inspection(svc: Svc, view: Scoped, body: InspectionBody) -> dict[str, Any]:
    caller = view.principal
    with audited(
        svc, caller, action="inspection.record", target=body.org, detail={"on": str(body.on)}
    ) as detail:
        writer(caller)
        view.org(body.org)
        done = ledger.record_inspection(
            svc.store,
            org=body.org,
            on=body.on,
            inspector=body.inspector,
            findings=body.findings,
            follow_up_=body.follow_up,
            today=today(),
        )
        detail["id"] = done["id"]
        return done


@router.post(
    "/first_secretaries",
    summary="登记第一书记派驻",
    response_model=Out,
    status_code=201,
    responses=WRITE_ERRORS,
    description="按党员、村党组织、派驻日期识别一次派驻: 再次登记即更正 (截止日期、派出单位)。"
    "党员和党组织须在您的管辖范围内 (404)；党组织不能是党小组 (422)；截止日期不能早于派驻日期 "
    "(422)。",
)
def add_first_secretary(svc: Svc, view: Scoped, body: FirstSecretaryBody) -> dict[str, Any]:
    caller = view.principal
    with audited(
        svc,
        caller,
        action="first_secretary.record",
        target=body.org,
        detail={"member": body.member, "since": str(body.since)},
    ) as detail:
        writer(caller)
        view.org(body.org)
        view.member(body.member)
        done = ledger.record_first_secretary(
            svc.store,
            member=body.member,
            org=body.org,
            since=body.since,
            until=body.until,
            sent_by=body.sent_by,
        )
        detail["id"] = done["id"]
        return done
