"""The rectification ledger (整顿台账) and the county's inspections (督查记录), docs/rules.md
"The rectification ledger (整顿台账) and inspections (督查记录)"."""

from __future__ import annotations

from typing import Any

from orgraph.importer.diff import ImportStep, Item, batches
from orgraph.importer.report import FileReport
from orgraph.roster import Record
from orgraph.vocab import GROUP_KINDS

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
        """The org a ledger or inspection row names (by id or unique name) and the cell as
        written; None (row rejected) for an unknown, external org or a party group."""
        field = "org" if rec.values.get("org") else "org_name"
        ref = rec.values[field]
        org, err = self.lk.org(ref, what="党组织")
        kind = self.lk.orgs[org].get("kind") if org is not None else None
        if org is None or kind == "external" or kind in GROUP_KINDS:
            why = err or (
                f"“{ref}”是党小组，整顿和督查的对象应为党组织"
                if kind in GROUP_KINDS
                else f"“{ref}”不是本县党组织"
            )
            self._reject(rep, rec, field, ref, why)
            return None
        return org, ref

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
        existing: dict[str, dict[str, Any]] = {}
        for chunk in batches([it.key for it in items], 20_000):
            for row in self.store.read("rect_ledger_states", ids=list(chunk)):
                state = {k: row[k] for k in LEDGER_PROPS}
                state["problems"] = row["problems"] or None
                existing[row["id"]] = state
        todo = self._count(rep, items, existing)
        self._write("upsert_rect_ledger", [t.write for t in todo], "rectifications")

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
        existing: dict[str, dict[str, Any]] = {}
        for chunk in batches([it.key for it in items], 20_000):
            for row in self.store.read("inspection_states", ids=list(chunk)):
                existing[row["id"]] = {k: row[k] for k in INSPECTION_PROPS}
        todo = self._count(rep, items, existing)
        self._write("upsert_inspections", [t.write for t in todo], "inspections")
