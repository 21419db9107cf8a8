"""第一书记 appointments (roster 第一书记): a member sent to a village Party organisation, by a
sending unit, from a date (until a date), docs/rules.md "第一书记"."""

from __future__ import annotations

from typing import Any

from orgraph.importer.diff import ImportStep, Item
from orgraph.importer.report import FileReport
from orgraph.roster import Record

FIRST_SECRETARY_PROPS = ("since", "until", "sent_by", "org_text")


def first_secretary_id(member: str, org: str, since: str) -> str:
    """member|org|since: a second term in the same village is a new appointment."""
    return f"{member}|{org}|{since}"


class FirstSecretarySteps(ImportStep):
    def first_secretaries(self, rep: FileReport, records: list[Record]) -> None:
        items = []
        first: dict[str, int] = {}
        for rec in records:
            v = rec.values
            org = self._county_org(rep, rec, "村党组织", "第一书记应派驻村党组织")
            if org is None:
                continue
            member = self._resolve_member(rep, rec)
            if member is None:
                continue
            fid = first_secretary_id(member, org, v["since"])
            field = "org" if v.get("org") else "org_name"
            ref = v[field]
            if self._repeated(rep, rec, first, fid, field, ref, "同一人同日派驻同一党组织"):
                continue
            props: dict[str, Any] = {k: v.get(k) for k in FIRST_SECRETARY_PROPS}
            props["org_text"] = ref if ref != org else None
            write = {"id": fid, "member": member, "org": org, "props": props}
            items.append(Item(rec.row, fid, dict(props), write))
        self._diff_write(
            rep,
            items,
            "first_secretary_states",
            FIRST_SECRETARY_PROPS,
            "upsert_first_secretaries",
            "first_secretaries",
        )
