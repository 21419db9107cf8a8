"""党小组工作记录: a party group's month (月总结, the township's 督查, the yearly 考评),
docs/rules.md "党小组 appraisal"."""

from __future__ import annotations

from typing import Any

from orgraph.importer.diff import ImportStep, Item
from orgraph.importer.report import FileReport
from orgraph.roster import Record
from orgraph.vocab import GROUP_KINDS

GROUP_RECORD_PROPS = ("month", "summary", "inspected_on", "finding", "score", "grade", "org_text")


class GroupRecordSteps(ImportStep):
    def group_records(self, rep: FileReport, records: list[Record]) -> None:
        items = []
        first: dict[str, int] = {}
        for rec in records:
            v = rec.values
            field = "org" if v.get("org") else "org_name"
            ref = v[field]
            org, err = self.lk.org(ref, kinds=GROUP_KINDS, what="党小组")
            if org is None:
                self._reject(rep, rec, field, ref, err or f"“{ref}”不是党小组")
                continue
            gid = f"{org}|{v['month']}"
            if self._repeated(rep, rec, first, gid, field, ref, "同一党小组同一月份"):
                continue
            props: dict[str, Any] = {k: v.get(k) for k in GROUP_RECORD_PROPS}
            props["org_text"] = ref if ref != org else None
            write = {"id": gid, "org": org, "props": props}
            items.append(Item(rec.row, gid, dict(props), write))
        self._diff_write(
            rep,
            items,
            "group_record_states",
            GROUP_RECORD_PROPS,
            "upsert_group_records",
            "group_records",
        )
