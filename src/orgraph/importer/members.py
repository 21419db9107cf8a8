"""Members: every members sheet of a call together, merged by person, and the --snapshot
comparison that marks off roll the members no sheet listed (docs/design.md#importer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from orgraph.importer.diff import NO_DATE, ImportStep, Item, batches, changed
from orgraph.importer.report import FileReport
from orgraph.roster import Issue, Record
from orgraph.vocab import GROUP_KINDS, MEMBER_ORG_KINDS

MEMBER_PROPS = (
    "name",
    "member_no",
    "id_hash",
    "id_masked",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "category",
    "joined_on",
    "full_on",
    "phone",
    "mgmt_class",
    "is_mobile",
    "lost_contact",
    "lost_contact_on",
    "suspended_on",
    "job",
    "work_unit",
    "residence",
    "hukou",
    "native_place",
    "roles",
)

# One accepted members row resolved: (key, props, branch, group, household).
MemberRow = tuple[str, dict[str, Any], str | None, str | None, str | None]


@dataclass
class Roster:
    """What the members sheets of one call listed, for a --snapshot comparison."""

    present: set[str] = field(default_factory=set)
    branches: set[str] = field(default_factory=set)
    rejected: list[tuple[str, int]] = field(default_factory=list)  # (sheet, Excel row)
    sheets: list[FileReport] = field(default_factory=list)


class MemberSteps(ImportStep):
    def members(self, sheets: list[tuple[FileReport, list[Record]]], roster: Roster) -> None:
        """All members sheets of the call together, merged by person.

        Counties collect rosters per branch; a person listed by two branches (a transfer not
        finished on one side) keeps both formal affiliations, so `member_multi_branch` shows
        it instead of the import silently moving the member.
        """
        hh_ids = [
            r.values["household_id"]
            for _, recs in sheets
            for r in recs
            if r.values.get("household_id")
        ]
        self.lk.load_households(self.store, hh_ids)
        merged, rows = self._merge_members(sheets)
        existing = self._member_states(list(merged))
        outcome = _outcomes(merged, existing)
        for key, fate in outcome.items():
            if fate == "updated":
                self.note_replaced("members", key, existing[key], merged[key].state)
        _count_rows(rows, outcome)
        todo = [it for key, it in merged.items() if outcome[key] != "unchanged"]
        self._write_members(todo, existing)
        for it in merged.values():
            self.lk.add_member(it.key, it.state.get("id_hash"), it.state.get("member_no"))
        roster.present.update(merged)
        roster.branches.update(b for it in merged.values() for b in it.state["branches"])
        for rep, _ in sheets:
            roster.rejected += sorted(
                {(rep.sheet, i.row) for i in rep.rejected if i.row is not None}
            )
            roster.sheets.append(rep)

    def _merge_members(
        self, sheets: list[tuple[FileReport, list[Record]]]
    ) -> tuple[dict[str, Item], list[tuple[FileReport, str]]]:
        """One item per person, and every accepted row with the person it names."""
        merged: dict[str, Item] = {}
        rows: list[tuple[FileReport, str]] = []
        for rep, records in sheets:
            for rec in records:
                found = self._member_row(rep, rec)
                if found is None:
                    continue
                key, props, branch, grp, household = found
                rows.append((rep, key))
                item = merged.get(key)
                if item is None:
                    merged[key] = Item(
                        rec.row,
                        key,
                        {
                            **props,
                            "key": key,
                            "branches": [branch] if branch else [],
                            "grps": [grp] if grp else [],
                            "household": household,
                        },
                        {
                            "key": key,
                            "props": props,
                            "since": rec.values.get("joined_on") or NO_DATE,
                        },
                    )
                else:
                    self._merge_again(rep, rec, item.state, found)
        return merged, rows

    def _merge_again(
        self, rep: FileReport, rec: Record, st: dict[str, Any], found: MemberRow
    ) -> None:
        """A person listed a second time: a different branch is kept as a second
        affiliation, with a warning; otherwise the first row wins."""
        _key, _props, branch, grp, household = found
        if branch and branch not in st["branches"]:
            self._warn(
                rep,
                rec,
                "branch",
                rec.values.get("branch"),
                "该党员已在另一份花名册中登记了不同的所在党支部，两个组织关系都已记录，"
                "请核实 (缺口类型 member_multi_branch)",
            )
            st["branches"] = sorted([*st["branches"], branch])
        else:
            self._warn(
                rep,
                rec,
                "name",
                rec.values.get("name"),
                "该党员在本次导入的另一份花名册中已出现，以先出现的一行为准",
            )
        if grp and grp not in st["grps"]:
            st["grps"] = sorted([*st["grps"], grp])
        st["household"] = st["household"] or household

    def _write_members(self, todo: list[Item], existing: dict[str, dict[str, Any]]) -> None:
        """Members new or changed: their properties, then their links replaced."""
        self._write(
            "upsert_members",
            [{"key": t.key, "props": t.write["props"]} for t in todo],
            "members",
            create="create_members",
            new=[t.key not in existing for t in todo],
        )
        if not self.dry_run:
            for chunk in batches([t.key for t in todo if t.key in existing]):
                self.store.write("unlink_members", keys=list(chunk))
        self._write(
            "link_members",
            [
                {
                    "key": t.key,
                    "branches": t.state["branches"],
                    "grps": t.state["grps"],
                    "household": t.state["household"],
                    "since": t.write["since"],
                    "roles": t.state["roles"],
                }
                for t in todo
            ],
            "members",
        )

    def _member_row(self, rep: FileReport, rec: Record) -> MemberRow | None:
        """Resolve one members row: (key, props, branch, group, household), or reject it."""
        v = rec.values
        key = self.lk.member(v.get("member_no"), v.get("id_hash")) or v["member_key"]
        branch = grp = None
        if v.get("branch"):
            branch, err = self.lk.org(v["branch"], kinds=MEMBER_ORG_KINDS, what="所在党支部")
            if err:
                self._reject(rep, rec, "branch", v["branch"], err)
                return None
        if v.get("group"):
            if branch is None:
                self._reject(rep, rec, "group", v["group"], "填写了党小组但没有所在党支部")
                return None
            grp, err = self.lk.org(v["group"], kinds=GROUP_KINDS, parent=branch, what="所在党小组")
            if err:
                self._reject(rep, rec, "group", v["group"], err)
                return None
        household = v.get("household_id")
        if household and household not in self.lk.households:
            self._warn(rep, rec, "household_id", household, "农户名单中没有这个户编号，未关联")
            household = None
        props: dict[str, Any] = {k: v.get(k) for k in MEMBER_PROPS}
        props["roles"] = sorted(props["roles"] or [])
        props["on_roll"] = True
        props["off_roll_on"] = None
        return key, props, branch, grp, household

    def _member_states(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for chunk in batches(keys, 20_000):
            for row in self.store.read("member_states", keys=list(chunk)):
                props = row["props"]
                out[row["key"]] = {
                    **{k: props.get(k) for k in MEMBER_PROPS},
                    "roles": sorted(props.get("roles") or []),
                    "on_roll": props.get("on_roll"),
                    "off_roll_on": props.get("off_roll_on"),
                    "key": row["key"],
                    "branches": sorted(row["branches"]),
                    "grps": sorted(row["grps"]),
                    "household": row["household"],
                }
        return out

    def snapshot(self, roster: Roster, today: str) -> int:
        """Mark off roll the on-roll members of the roster's branches that no sheet listed.

        Compared once over every members sheet of the call, so the file order does not matter.
        A rejected row is still a member on the roster: with any, marking the "missing" ones
        off roll would silently drop them, so the comparison is refused until the files are
        clean.
        """
        if not roster.sheets:
            return 0
        if roster.rejected or any(r.errors for r in roster.sheets):
            rows = "、".join(f"{sheet}第{row}行" for sheet, row in roster.rejected[:10])
            more = "等" if len(roster.rejected) > 10 else ""
            what = (
                f"有 {len(roster.rejected)} 行被拒绝 ({rows}{more})" if rows else "有工作表被拒绝"
            )
            roster.sheets[0].warnings.append(
                Issue(
                    roster.sheets[0].sheet,
                    None,
                    None,
                    None,
                    f"全量比对未执行：花名册{what}，无法确定哪些党员已不在册。"
                    "请修正后重新以 --snapshot 导入",
                )
            )
            return 0
        gone = [
            r["key"]
            for r in self.store.read(
                "members_on_roll_in_branches", branches=sorted(roster.branches)
            )
            if r["key"] not in roster.present
        ]
        if not self.dry_run:
            for chunk in batches(gone):
                self.store.write("mark_off_roll", keys=list(chunk), on=today)
        self.replaced += [
            {"kind": "members", "key": k, "field": "on_roll", "old": True, "new": False}
            for k in gone
        ]
        return len(gone)


def _outcomes(merged: dict[str, Item], existing: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Each person's fate against the stored state: created, updated or unchanged."""
    outcome: dict[str, str] = {}
    for key, it in merged.items():
        old = existing.get(key)
        if old is None:
            outcome[key] = "created"
        elif changed(old, it.state):
            outcome[key] = "updated"
        else:
            outcome[key] = "unchanged"
    return outcome


def _count_rows(rows: list[tuple[FileReport, str]], outcome: dict[str, str]) -> None:
    """Count every accepted row in its sheet's report: later rows of the same person count as
    updating it."""
    first: set[str] = set()
    for rep, key in rows:
        result = (
            outcome[key]
            if key not in first
            else ("unchanged" if outcome[key] == "unchanged" else "updated")
        )
        first.add(key)
        setattr(rep, result, getattr(rep, result) + 1)
