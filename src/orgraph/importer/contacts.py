"""Contacts (联系关系): a member's contact with a household becomes CONTACTS, with a hamlet,
village, township or party group RESPONSIBLE_FOR (docs/design.md#data-model)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from orgraph.importer.diff import NO_DATE, ImportStep, Item, batches, column_label
from orgraph.importer.report import FileReport
from orgraph.roster import Issue, Record
from orgraph.roster.codes import HAMLET_OR_GROUP
from orgraph.vocab import AREA_LEVEL_ZH, GROUP_KINDS

# The catalog block that writes each target label's link.
_QUERY = {
    "Household": "upsert_household_contacts",
    "Area": "upsert_area_responsibilities",
    "Org": "upsert_org_responsibilities",
}


class ContactSteps(ImportStep):
    # The stored link of each item key `_contact_states` read (what drop_twin_links matches).
    _link_of: dict[str, dict[str, Any]]

    def contacts(self, rep: FileReport, records: list[Record]) -> None:
        self.lk.load_households(
            self.store,
            [r.values["target_id"] for r in records if r.values.get("target_kind") == "household"],
        )
        items = []
        for rec in records:
            v = rec.values
            member = self._resolve_member(rep, rec)
            if member is None:
                continue
            found = self._contact_target(rep, rec)
            if found is None:
                continue
            rel, label, target = found
            since = v.get("since") or NO_DATE
            key = f"{member}|{rel}|{label}|{target}|{since}"
            write = {"member": member, "target": target, "since": since, "until": v.get("until")}
            items.append(
                Item(rec.row, key, {"until": v.get("until")}, {**write, "query": _QUERY[label]})
            )
        members = sorted({it.write["member"] for it in items})
        existing, twins = self._contact_states(members)
        if twins:
            self._drop_twins(rep, items, twins)
            if not self.dry_run:
                existing, _ = self._contact_states(members)
        todo = self._count(rep, items, existing)

        def rows(query: str) -> list[dict[str, Any]]:
            return [
                {k: t.write[k] for k in ("member", "target", "since", "until")}
                for t in todo
                if t.write["query"] == query
            ]

        rep.household_contacts = rows("upsert_household_contacts")
        self._write("upsert_household_contacts", rep.household_contacts, "contacts")
        self._write(
            "upsert_area_responsibilities", rows("upsert_area_responsibilities"), "contacts"
        )
        self._write("upsert_org_responsibilities", rows("upsert_org_responsibilities"), "contacts")

    def _contact_target(self, rep: FileReport, rec: Record) -> tuple[str, str, str] | None:
        """(relationship, target label, target id) of a contacts row, or None (rejected)."""
        v = rec.values
        kind, target = v["target_kind"], v["target_id"]
        if kind == "household":
            ok, rel, label, what = target in self.lk.households, "CONTACTS", "Household", "农户"
        elif kind == "group":
            gid, _ = self.lk.org(target, kinds=GROUP_KINDS, what="党小组")
            ok, rel, label, what = gid is not None, "RESPONSIBLE_FOR", "Org", "党小组"
            target = gid or target
        elif kind == HAMLET_OR_GROUP:
            return self._hamlet_or_group(rep, rec, target)
        else:
            area = self.lk.areas.get(target)
            ok = area is not None and area.get("level") == kind
            rel, label, what = "RESPONSIBLE_FOR", "Area", AREA_LEVEL_ZH[kind]
        if not ok:
            self._reject(rep, rec, "target_id", target, f"联系对象{what} {target} 不存在")
            return None
        return rel, label, target

    def _hamlet_or_group(
        self, rep: FileReport, rec: Record, target: str
    ) -> tuple[str, str, str] | None:
        """A 组 target: a hamlet (村民小组) by its area code, or a party group (党小组) by its
        org id, since many counties assign 村干部包组 to party groups and write 组 for both
        (docs/design.md#importer). An id that is both is ambiguous and rejected naming both."""
        area = self.lk.areas.get(target)
        hamlet = area is not None and area.get("level") == "hamlet"
        org = self.lk.orgs.get(target)
        group = org is not None and org.get("kind") in GROUP_KINDS
        if hamlet and group:
            assert area is not None and org is not None
            self._reject(
                rep,
                rec,
                "target_id",
                target,
                f"联系对象编号 {target} 既是村民小组“{area.get('name') or target}”，"
                f"又是党小组“{org.get('name') or target}”：请把联系对象类型“组”写明为“村民小组”"
                "或“党小组”",
            )
            return None
        if group:
            return "RESPONSIBLE_FOR", "Org", target
        if hamlet:
            return "RESPONSIBLE_FOR", "Area", target
        self._reject(rep, rec, "target_id", target, f"联系对象村民小组或党小组 {target} 不存在")
        return None

    def _contact_states(
        self, members: list[str]
    ) -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
        """The stored contacts and responsibilities of these members, by item key; and the
        keys held by more than one link (twins), with their number of links."""
        existing: dict[str, dict[str, Any]] = {}
        links: Counter[str] = Counter()
        self._link_of = {}
        for chunk in batches(members, 5000):
            for row in self.store.read("contact_states", keys=list(chunk)):
                key = (
                    f"{row['member']}|{row['rel']}|{row['label']}|{row['target']}|"
                    f"{row['since'] or NO_DATE}"
                )
                existing[key] = {"until": row["until"]}
                links[key] += 1
                self._link_of[key] = {
                    "member": row["member"],
                    "rel": row["rel"],
                    "label": row["label"],
                    "target": row["target"],
                    "since": row["since"] or NO_DATE,
                }
        return existing, {k: n for k, n in links.items() if n > 1}

    def _drop_twins(self, rep: FileReport, items: list[Item], twins: dict[str, int]) -> None:
        """Links stored twice or more under one key (left by concurrent writers before #18's
        write lock) become one, and the rows naming them say so: a re-import repairs them
        instead of calling them unchanged (docs/design.md#importer)."""
        told: set[str] = set()
        for it in items:
            n = twins.get(it.key)
            if n is not None and it.key not in told:
                told.add(it.key)
                done = "将合并为一条" if self.dry_run else "已合并为一条"
                rep.warnings.append(
                    Issue(
                        rep.sheet,
                        it.row,
                        rep.columns.get("target_id") or column_label("target_id"),
                        it.write["target"],
                        f"这条联系关系在图中重复存储了 {n} 次，{done}",
                    )
                )
        self._write("drop_twin_links", [self._link_of[k] for k in sorted(twins)], "contacts")
