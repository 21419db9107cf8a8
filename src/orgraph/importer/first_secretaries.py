"""第一书记 appointments (roster 第一书记): a member sent to a village Party organisation, by a
sending unit, from a date (until a date), docs/rules.md "第一书记"."""

from __future__ import annotations

from typing import Any

from orgraph.importer.diff import ImportStep, Item, batches
from orgraph.importer.report import FileReport
from orgraph.roster import Record
from orgraph.vocab import GROUP_KINDS

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
            field = "org" if v.get("org") else "org_name"
            ref = v[field]
            org, err = self.lk.org(ref, what="村党组织")
            kind = self.lk.orgs[org].get("kind") if org is not None else None
            if org is None or kind == "external" or kind in GROUP_KINDS:
                why = err or (
                    f"“{ref}”是党小组，第一书记应派驻村党组织"
                    if kind in GROUP_KINDS
                    else f"“{ref}”不是本县党组织"
                )
                self._reject(rep, rec, field, ref, why)
                continue
            member = self._resolve_member(rep, rec)
            if member is None:
                continue
            fid = first_secretary_id(member, org, v["since"])
            if self._repeated(rep, rec, first, fid, field, ref, "同一人同日派驻同一党组织"):
                continue
            props: dict[str, Any] = {k: v.get(k) for k in FIRST_SECRETARY_PROPS}
            props["org_text"] = ref if ref != org else None
            write = {"id": fid, "member": member, "org": org, "props": props}
            items.append(Item(rec.row, fid, dict(props), write))
        existing: dict[str, dict[str, Any]] = {}
        for chunk in batches([it.key for it in items], 20_000):
            for row in self.store.read("first_secretary_states", ids=list(chunk)):
                existing[row["id"]] = {k: row[k] for k in FIRST_SECRETARY_PROPS}
        todo = self._count(rep, items, existing)
        self._write("upsert_first_secretaries", [t.write for t in todo], "first_secretaries")
