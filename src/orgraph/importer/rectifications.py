"""The rectification ledger (整顿台账) and the county's inspections (督查记录), docs/rules.md
"The rectification ledger (整顿台账) and inspections (督查记录)"."""

from __future__ import annotations

from collections.abc import Callable
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
    def _org_items(
        self,
        rep: FileReport,
        records: list[Record],
        key: Callable[[str, dict[str, Any]], str],
        props: Callable[[dict[str, Any]], dict[str, Any]],
        repeated: str,
    ) -> list[Item]:
        """One item per row naming a county org (not a group): keyed by `key(org, values)`,
        written with `props(values)` and the org as written; a row repeating an earlier key is
        rejected (`repeated` says what repeats)."""
        items = []
        first: dict[str, int] = {}
        for rec in records:
            v = rec.values
            org = self._county_org(rep, rec, "党组织", "整顿和督查的对象应为党组织")
            if org is None:
                continue
            field = "org" if v.get("org") else "org_name"
            ref = v[field]
            k = key(org, v)
            if self._repeated(rep, rec, first, k, field, ref, repeated):
                continue
            row = {**props(v), "org_text": ref if ref != org else None}
            items.append(Item(rec.row, k, dict(row), {"id": k, "org": org, "props": row}))
        return items

    def rectifications(self, rep: FileReport, records: list[Record]) -> None:
        def props(v: dict[str, Any]) -> dict[str, Any]:
            out: dict[str, Any] = {k: v.get(k) for k in LEDGER_PROPS}
            out["problems"] = v.get("problems") or None
            # An episode accepted (验收日期) without a status given is closed (销号); else open.
            out["status"] = v.get("status") or ("done" if v.get("accepted_on") else "open")
            return out

        items = self._org_items(
            rep,
            records,
            lambda org, v: f"{org}|{v['opened_on']}",
            props,
            "同一党组织同一列入日期",
        )
        self._diff_write(
            rep,
            items,
            "rect_ledger_states",
            LEDGER_PROPS,
            "upsert_rect_ledger",
            "rectifications",
            stored=lambda state: {**state, "problems": state["problems"] or None},
            written=self.episodes,
        )

    def inspections(self, rep: FileReport, records: list[Record]) -> None:
        items = self._org_items(
            rep,
            records,
            lambda org, v: f"{org}|{v['on']}|{v.get('inspector') or ''}",
            lambda v: {k: v.get(k) for k in INSPECTION_PROPS},
            "同一党组织同日同一督查人",
        )
        self._diff_write(
            rep,
            items,
            "inspection_states",
            INSPECTION_PROPS,
            "upsert_inspections",
            "inspections",
        )
