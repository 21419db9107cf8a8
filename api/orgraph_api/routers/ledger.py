"""Recording the ledgers by hand: one inspection (督查记录) of an organisation, one 第一书记
appointment (docs/rules.md "The rectification ledger (整顿台账) and inspections (督查记录)",
"第一书记"). Scoped, audited, one transaction each: the next answer reflects them. And the
village view of the 第一书记: every village organisation in scope with its first secretaries
in office."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from orgraph.clock import today
from orgraph.records import ledger
from orgraph.records.models import FirstSecretaryBody, InspectionBody
from orgraph.records.visibility import Visible, redact_appointment, redact_refs
from orgraph_api.deps import Scoped, Svc, audited, writer
from orgraph_api.errors_doc import errors
from orgraph_api.params import AsOfQ, ScopeQ
from orgraph_api.responses import Json
from orgraph_api.schemas import FirstSecretaryVillagesOut, Out

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


APPOINTMENT_LISTS = ("first_secretaries", "absent", "ending")


def _village_row(row: dict[str, Any], seen: Visible) -> dict[str, Any]:
    """One row of the village view as the caller may see it: the appointments' members
    outside the scope withheld with their appointment ids (`member|org|since`), and those ids
    withheld in `absent` / `ending` too (null, so that the counts stay)."""
    shown = [redact_appointment(x, seen) for x in row["first_secretaries"]]
    hidden = {
        x["id"] for x, y in zip(row["first_secretaries"], shown, strict=True) if y["id"] is None
    }
    out = {k: redact_refs(v, seen) for k, v in row.items() if k not in APPOINTMENT_LISTS}
    out["first_secretaries"] = shown
    for key in ("absent", "ending"):
        out[key] = [None if i in hidden else i for i in row[key]]
    return out


@router.get(
    "/first_secretaries/villages",
    summary="各村第一书记在任情况",
    response_model=FirstSecretaryVillagesOut,
    responses=errors(404, 422),
    description="范围内每个村级党组织 (同软弱涣散排查) 一行: 所在村 (含经纬度)、乡镇、是否已列为"
    "软弱涣散、统计日期在任的第一书记，以及其中联户、参会无记录 (absent) 和即将期满无人接任 "
    "(ending) 的派驻编号。no_data 为 true 表示尚未导入第一书记名册 (未导入)，不表示各村都没有"
    "第一书记。范围外的派驻人员不显示姓名，其派驻编号为 null。",
)
def first_secretary_villages(
    svc: Svc, view: Scoped, scope: ScopeQ = None, as_of: AsOfQ = None
) -> Json:
    ref = view.resolve(scope)
    doc = svc.answers.ask(
        view.revision, svc.engine.first_secretary_villages, scope=ref, as_of=as_of
    )
    seen = view.seen()
    return Json({**doc, "rows": [_village_row(r, seen) for r in doc["rows"]]})
