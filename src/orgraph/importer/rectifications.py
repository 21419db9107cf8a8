"""The rectification ledger (整顿台账) and the county's inspections (督查记录), docs/rules.md
"The rectification ledger (整顿台账) and inspections (督查记录)"."""

from __future__ import annotations

from typing import Any

from orgraph.importer.diff import ImportStep, Item
from orgraph.importer.report import FileReport
from orgraph.roster import Record

LEDGER_PROPS = (
    "opened_on",
    "problems",
    "plan_on",
    "county_leader",
    "township_team",
    "sent_unit",
    "deadline",
    "accepted_on",
    "result",
    "status",
    "org_text",
)
INSPECTION_PROPS = ("on", "inspector", "findings", "follow_up", "org_text")


class RectificationSteps(ImportStep):
    def _ledger_org(self, rep: FileReport, rec: Record) -> tuple[str, str] | None:
        """The org a ledger or inspection row names, and the cell as written; None (row
        rejected) for an unknown or external org or a party group."""
        org = self._county_org(rep, rec, "党组织", "整顿和督查的对象应为党组织")
        ref = rec.values.get("org") or rec.values["org_name"]
        return (org, ref) if org is not None else None

    def rectifications(self, rep: FileReport, records: list[Record]) -> None:
        items = []
        first: dict[str, int] = {}
        for rec in records:
            found = self._ledger_org(rep, rec)
            if found is None:
                continue
            org, ref = found
            v = rec.values
            rid = f"{org}|{v['opened_on']}"
            field = "org" if v.get("org") else "org_name"
            if self._repeated(rep, rec, first, rid, field, ref, "同一党组织同一列入日期"):
                continue
            props: dict[str, Any] = {k: v.get(k) for k in LEDGER_PROPS}
            props["problems"] = v.get("problems") or None
            props["org_text"] = ref if ref != org else None
            # An episode accepted (验收日期) without a status given is closed (销号); else open.
            props["status"] = v.get("status") or ("done" if v.get("accepted_on") else "open")
            write = {"id": rid, "org": org, "props": props}
            items.append(Item(rec.row, rid, dict(props), write))
        self._diff_write(
            rep,
            items,
            "rect_ledger_states",
            LEDGER_PROPS,
            "upsert_rect_ledger",
            "rectifications",
            stored=lambda state: {**state, "problems": state["problems"] or None},
        )

    def inspections(self, rep: FileReport, records: list[Record]) -> None:
        items = []
        first: dict[str, int] = {}
        for rec in records:
            found = self._ledger_org(rep, rec)
            if found is None:
                continue
            org, ref = found
            v = rec.values
            iid = f"{org}|{v['on']}|{v.get('inspector') or ''}"
            field = "org" if v.get("org") else "org_name"
            if self._repeated(rep, rec, first, iid, field, ref, "同一党组织同日同一督查人"):
                continue
            props: dict[str, Any] = {k: v.get(k) for k in INSPECTION_PROPS}
            props["org_text"] = ref if ref != org else None
            write = {"id": iid, "org": org, "props": props}
            items.append(Item(rec.row, iid, dict(props), write))
        self._diff_write(
            rep,
            items,
            "inspection_states",
            INSPECTION_PROPS,
            "upsert_inspections",
            "inspections",
        )
