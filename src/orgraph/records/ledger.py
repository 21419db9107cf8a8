"""Recording one inspection (督查记录) or one 第一书记 appointment by hand, as the rosters do
in bulk (docs/rules.md "The rectification ledger (整顿台账) and inspections (督查记录)" and
"第一书记"): the same ids, properties and write blocks as the importer, so a record entered
here and a row imported later are one record. Each write is one transaction, so the change log
carries it and every engine's next answer reflects it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from orgraph import clock
from orgraph.errors import NotFound, ValidationFailed
from orgraph.importer.first_secretaries import FIRST_SECRETARY_PROPS, first_secretary_id
from orgraph.importer.rectifications import INSPECTION_PROPS
from orgraph.records.life import unknown_members
from orgraph.roster.codes import parse_follow_up
from orgraph.store import GraphStore
from orgraph.vocab import FOLLOW_UP_ZH, GROUP_KINDS


def _ledger_org(store: GraphStore, org: str, what: str) -> dict[str, Any]:
    """The org a ledger record is about: it exists (404), is the county's own and not a party
    group (422, in the importer's words)."""
    rows = store.read("record_org", id=org)
    if not rows:
        raise NotFound(f"党组织“{org}”不存在")
    kind = rows[0]["kind"]
    if kind == "external":
        raise ValidationFailed(f"“{org}”不是本县党组织")
    if kind in GROUP_KINDS:
        raise ValidationFailed(f"“{org}”是党小组，{what}")
    return dict(rows[0])


def follow_up(value: str | None) -> str | None:
    """An inspection's follow-up given as its code (open/done) or in words (整改中/已整改)."""
    if value is None or not value.strip():
        return None
    parsed = parse_follow_up(value.strip())
    if parsed.error is not None:
        raise ValidationFailed(
            f"整改情况“{value.strip()[:20]}”无效，可用: {'/'.join(FOLLOW_UP_ZH.values())}"
        )
    return str(parsed.value)


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def record_inspection(
    store: GraphStore,
    *,
    org: str,
    on: dt.date,
    inspector: str,
    findings: str | None = None,
    follow_up_: str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Record (or correct) one inspection of an organisation: identified by org, date and
    inspector (`org|on|inspector`), as the 督查记录 roster's rows."""
    today = today or clock.today()
    _ledger_org(store, org, "督查的对象应为党组织")
    if on > today:
        raise ValidationFailed(f"督查日期{on.isoformat()}晚于今天，不能登记未来的事")
    who = _text(inspector)
    if who is None:
        raise ValidationFailed("督查人不能为空")
    code = follow_up(follow_up_)
    iid = f"{org}|{on.isoformat()}|{who}"
    existed = bool(store.read("inspection_states", ids=[iid]))
    props: dict[str, Any] = {
        "on": on.isoformat(),
        "inspector": who,
        "findings": _text(findings),
        "follow_up": code,
        "org_text": None,
    }
    assert set(props) == set(INSPECTION_PROPS)
    with store.transaction() as tx:
        tx.write("upsert_inspections", rows=[{"id": iid, "org": org, "props": props}])
    return {"id": iid, "org": org, **props, "created": not existed}


def record_first_secretary(
    store: GraphStore,
    *,
    member: str,
    org: str,
    since: dt.date,
    until: dt.date | None = None,
    sent_by: str | None = None,
) -> dict[str, Any]:
    """Record (or correct) one 第一书记 appointment: a member sent to a village Party
    organisation from `since` (until `until`), identified by `member|org|since`."""
    _ledger_org(store, org, "第一书记应派驻村党组织")
    if unknown_members(store, [member]):
        raise NotFound(f"党员“{member}”不存在")
    if until is not None and until < since:
        raise ValidationFailed(f"派驻截止日期{until.isoformat()}早于派驻日期{since.isoformat()}")
    fid = first_secretary_id(member, org, since.isoformat())
    existed = bool(store.read("first_secretary_states", ids=[fid]))
    props: dict[str, Any] = {
        "since": since.isoformat(),
        "until": until.isoformat() if until is not None else None,
        "sent_by": _text(sent_by),
        "org_text": None,
    }
    assert set(props) == set(FIRST_SECRETARY_PROPS)
    with store.transaction() as tx:
        tx.write(
            "upsert_first_secretaries",
            rows=[{"id": fid, "member": member, "org": org, "props": props}],
        )
    return {"id": fid, "member": member, "org": org, **props, "created": not existed}
