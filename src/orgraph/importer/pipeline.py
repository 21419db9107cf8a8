"""Roster import: parse every file, resolve references across kinds, diff against the graph,
write only what is new or changed in UNWIND batches, and report every row's fate.

Kinds are processed in dependency order (areas → orgs → households → members → contacts →
outflows → reports) whatever order the files came in. A row whose reference cannot be
resolved is rejected with the reason; the rest of its file is still imported.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orgraph.importer.lookups import Lookups
from orgraph.importer.places import place_rows
from orgraph.importer.report import FileReport, ImportReport
from orgraph.roster import Issue, ParsedSheet, Record, parse_file
from orgraph.roster.columns import SPECS
from orgraph.store import GraphStore
from orgraph.store.migrations import migrate
from orgraph.vocab import GROUP_KINDS, MEMBER_ORG_KINDS

ORDER = ("areas", "orgs", "households", "members", "contacts", "outflows", "reports")
BATCH = 5000
# Unknown start date of a contact or responsibility: sorts before every real date, so the link
# counts as active since ever. (MERGE keys cannot be null in Neo4j.)
NO_DATE = ""

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
    "job",
    "work_unit",
    "residence",
    "hukou",
    "native_place",
    "roles",
)
HOUSEHOLD_PROPS = ("head_name", "address", "size", "tags", "phone", "lon", "lat")
OUTFLOW_PROPS = (
    "left_on",
    "returned_on",
    "reason",
    "employer",
    "phone_away",
    "card_no",
    "contact_person",
    "flow_type",
)

Progress = Callable[[str, int, int], None]


def column_label(key: str) -> str:
    """The Chinese column name of a key, for files whose header did not carry it."""
    for spec in SPECS.values():
        for col in spec.columns:
            if col.key == key:
                return col.synonyms[0] if col.synonyms else key
    return key


@dataclass
class _Roster:
    """What the members sheets of one call listed, for a --snapshot comparison."""

    present: set[str] = field(default_factory=set)
    branches: set[str] = field(default_factory=set)
    rejected: list[tuple[str, int]] = field(default_factory=list)  # (sheet, Excel row)
    sheets: list[FileReport] = field(default_factory=list)


@dataclass
class _Item:
    """One accepted row: its key, the state to compare, and the row to write."""

    row: int
    key: str
    state: dict[str, Any]
    write: dict[str, Any]


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    """Drop absent values and order lists, so stored and incoming states compare equal."""
    return {k: v for k, v in d.items() if v is not None and v != [] and v != ""}


def _batches(rows: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class Importer:
    def __init__(
        self, store: GraphStore, *, dry_run: bool = False, progress: Progress | None = None
    ) -> None:
        self.store = store
        self.dry_run = dry_run
        self.progress = progress
        self.lk = Lookups.load(store)
        self.places: dict[str, dict[str, Any]] = {}
        # What this call has already accepted, per kind: a second file naming the same entity
        # diffs against it, so a dry run (which writes nothing) counts like a real run.
        self.seen: dict[str, dict[str, dict[str, Any]]] = {}

    # -- shared helpers -----------------------------------------------------------------------

    @staticmethod
    def _issue(rep: FileReport, rec: Record, key: str, value: Any, msg: str) -> Issue:
        """An issue naming the column as the file's header wrote it."""
        return Issue(
            rep.sheet,
            rec.row,
            rep.columns.get(key) or column_label(key),
            None if value is None else str(value),
            msg,
        )

    def _reject(self, rep: FileReport, rec: Record, key: str, value: Any, msg: str) -> None:
        rep.rejected.append(self._issue(rep, rec, key, value, msg))

    def _warn(self, rep: FileReport, rec: Record, key: str, value: Any, msg: str) -> None:
        rep.warnings.append(self._issue(rep, rec, key, value, msg))

    def _count(
        self, rep: FileReport, items: list[_Item], existing: dict[str, dict[str, Any]]
    ) -> list[_Item]:
        """Split into created / updated / unchanged; return the rows that need writing."""
        todo = []
        seen = self.seen.setdefault(rep.kind or "", {})
        for it in items:
            old = seen.get(it.key, existing.get(it.key))
            seen[it.key] = it.state
            if old is None:
                rep.created += 1
                todo.append(it)
            elif _clean({k: old.get(k) for k in it.state}) != _clean(it.state):
                rep.updated += 1
                todo.append(it)
            else:
                rep.unchanged += 1
        return todo

    def _write(self, query: str, rows: list[dict[str, Any]], label: str) -> None:
        if self.dry_run or not rows:
            return
        done = 0
        for chunk in _batches(rows):
            self.store.write(query, rows=list(chunk))
            done += len(chunk)
            if self.progress:
                self.progress(label, done, len(rows))

    def _place(self, code6: str | None) -> str | None:
        """Register a destination place (and its city) as an external area; its code."""
        code, rows = place_rows(code6)
        for row in rows:
            if row["code"] not in self.lk.areas:
                self.places.setdefault(row["code"], row)
        return code

    def _flush_places(self) -> None:
        new = [p for c, p in self.places.items() if c not in self.lk.areas]
        # Cities first, so a county's PART_OF finds its city.
        new.sort(key=lambda p: p["level"] != "city")
        self._write("upsert_places", new, "places")
        for p in new:
            self.lk.areas[p["code"]] = {
                "code": p["code"],
                "name": p["name"],
                "level": p["level"],
                "external": True,
            }

    # -- kinds ------------------------------------------------------------------------------

    def areas(self, rep: FileReport, records: list[Record]) -> None:
        records = self._rooted(
            rep, records, "code", "parent_code", set(self.lk.areas), "上级区划代码"
        )
        incoming = {r.values["code"]: r for r in records}
        items = []
        for rec in records:
            v = rec.values
            parent = v.get("parent_code")
            props = {
                "name": v["name"],
                "level": v["level"],
                "lon": v.get("lon"),
                "lat": v.get("lat"),
                "external": None,
            }
            items.append(
                _Item(
                    rec.row,
                    v["code"],
                    {**props, "parent": parent},
                    {"code": v["code"], "props": props, "parent": parent},
                )
            )
        existing = {k: self.lk.areas[k] for k in incoming if k in self.lk.areas}
        todo = self._count(rep, items, existing)
        self._write(
            "upsert_areas", [{"code": t.key, "props": t.write["props"]} for t in todo], "areas"
        )
        self._write(
            "link_area_parents",
            [{"code": t.key, "parent": t.write["parent"]} for t in todo],
            "areas",
        )
        for it in items:
            self.lk.areas[it.key] = {"code": it.key, **it.state}

    def _rooted(
        self,
        rep: FileReport,
        records: list[Record],
        key: str,
        parent_key: str,
        known: set[str],
        what: str,
        file_keys: set[str] | None = None,
    ) -> list[Record]:
        """Rows whose parent exists in the graph or is itself an accepted row of this file.

        A row whose parent row was rejected is rejected too (with the reason), rather than
        stored without its parent link.
        """
        by_key = {r.values[key]: r for r in records}
        ok: dict[str, bool] = {}

        def rooted(k: str, seen: frozenset[str] = frozenset()) -> bool:
            if k in ok:
                return ok[k]
            rec = by_key[k]
            parent = rec.values.get(parent_key)
            if not parent or (parent in known and parent not in by_key):
                ok[k] = True
            elif parent in by_key and parent not in seen:
                ok[k] = rooted(parent, seen | {k})
            else:
                ok[k] = False
            return ok[k]

        kept = []
        for rec in records:
            k = rec.values[key]
            if rooted(k):
                kept.append(rec)
                continue
            parent = rec.values.get(parent_key)
            in_file = parent in by_key or parent in (file_keys or set())
            reason = (
                f"{what} {parent} 所在行未能导入 (或上下级循环)"
                if in_file
                else f"{what} {parent} 不存在"
            )
            self._reject(rep, rec, parent_key, parent, reason)
        return kept

    def orgs(self, rep: FileReport, records: list[Record]) -> None:
        before = {k for k, v in self.lk.orgs.items() if not v.get("_new")}
        for rec in records:  # register names first, so parents can be referred to by name
            v = rec.values
            if v["org_id"] not in self.lk.orgs:
                self.lk.add_org(
                    v["org_id"],
                    {"id": v["org_id"], "name": v["name"], "kind": v["kind"], "_new": True},
                )
        own_ok = []
        for rec in records:  # own checks first: children of a rejected row are rejected too
            v = rec.values
            area = v.get("area_code")
            if area and area not in self.lk.areas:
                self._reject(rep, rec, "area_code", area, f"区划代码 {area} 不存在")
                continue
            if v.get("parent_org_id"):
                parent, err = self.lk.org(v["parent_org_id"], what="上级党组织")
                if err or parent is None:
                    self._reject(rep, rec, "parent_org_id", v["parent_org_id"], err or "")
                    continue
                v["parent_org_id"] = parent  # a name resolved to its id
            own_ok.append(rec)
        accepted = self._rooted(
            rep,
            own_ok,
            "org_id",
            "parent_org_id",
            before,
            "上级党组织",
            {r.values["org_id"] for r in records},
        )
        kept = {r.values["org_id"] for r in accepted}
        for rec in records:  # rejected rows must not stay resolvable by later rows
            oid = rec.values["org_id"]
            if oid not in kept and self.lk.orgs.get(oid, {}).get("_new"):
                del self.lk.orgs[oid]
                self.lk.org_ids_by_name[rec.values["name"]].discard(oid)
        records = accepted
        incoming = {r.values["org_id"]: r for r in records}
        items = []
        for rec in records:
            v = rec.values
            parent = v.get("parent_org_id")
            area = v.get("area_code")
            host = self._place(v.get("host_area_code"))
            if v.get("host_area") and host is None:
                self._warn(rep, rec, "host_area", v["host_area"], "无法识别驻在地，已保留原文")
            props = {
                "name": v["name"],
                "kind": v["kind"],
                "established_on": v.get("established_on"),
                "term_end": v.get("term_end"),
                "weak": v.get("weak"),
                "host_area_text": v.get("host_area"),
            }
            rect = None
            if v.get("rectification_opened_on") or v.get("rectification_deadline"):
                rect = {
                    "opened_on": v.get("rectification_opened_on") or NO_DATE,
                    "deadline": v.get("rectification_deadline"),
                    "status": v.get("rectification_status") or "open",
                }
            rc = rect or {}
            state = {
                **props,
                "parent": parent,
                "area": area,
                "host": host,
                "rect_opened_on": rc.get("opened_on"),
                "rect_deadline": rc.get("deadline"),
                "rect_status": rc.get("status"),
            }
            items.append(
                _Item(
                    rec.row,
                    v["org_id"],
                    state,
                    {
                        "id": v["org_id"],
                        "props": props,
                        "parent": parent,
                        "area": area,
                        "host": host,
                        "rect": rect,
                    },
                )
            )
        existing = {
            k: self.lk.orgs[k]
            for k in incoming
            if k in self.lk.orgs and not self.lk.orgs[k].get("_new")
        }
        todo = self._count(rep, items, existing)
        self._flush_places()
        self._write("upsert_orgs", [{"id": t.key, "props": t.write["props"]} for t in todo], "orgs")
        self._write(
            "link_orgs",
            [{k: t.write[k] for k in ("id", "parent", "area", "host")} for t in todo],
            "orgs",
        )
        rects = [
            {"org": t.key, "id": f"{t.key}|{t.write['rect']['opened_on']}", **t.write["rect"]}
            for t in todo
            if t.write["rect"]
        ]
        self._write("upsert_rectifications", rects, "orgs")
        for it in items:
            self.lk.add_org(it.key, {"id": it.key, **it.state})

    def households(self, rep: FileReport, records: list[Record]) -> None:
        items = []
        for rec in records:
            v = rec.values
            area = v["area_code"]
            if area not in self.lk.areas:
                self._reject(rep, rec, "area_code", area, f"区划代码 {area} 不存在")
                continue
            props = {k: v.get(k) for k in HOUSEHOLD_PROPS}
            items.append(
                _Item(
                    rec.row,
                    v["household_id"],
                    {**props, "area": area},
                    {"id": v["household_id"], "props": props, "area": area},
                )
            )
        existing: dict[str, dict[str, Any]] = {}
        ids = [it.key for it in items]
        for chunk in _batches(ids, 20_000):
            for row in self.store.read("household_states", ids=list(chunk)):
                existing[row.pop("id")] = row
        todo = self._count(rep, items, existing)
        self._write("upsert_households", [t.write for t in todo], "households")
        for it in items:
            self.lk.households[it.key] = it.state["area"]

    def members(self, sheets: list[tuple[FileReport, list[Record]]], roster: _Roster) -> None:
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
        merged: dict[str, _Item] = {}
        rows: list[tuple[FileReport, str]] = []  # every accepted row and the person it names
        for rep, records in sheets:
            for rec in records:
                found = self._member_row(rep, rec)
                if found is None:
                    continue
                key, props, branch, grp, household = found
                rows.append((rep, key))
                item = merged.get(key)
                if item is None:
                    merged[key] = _Item(
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
                    continue
                st = item.state
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
        existing = self._member_states(list(merged))
        outcome: dict[str, str] = {}
        for key, it in merged.items():
            old = existing.get(key)
            if old is None:
                outcome[key] = "created"
            elif _clean({k: old.get(k) for k in it.state}) != _clean(it.state):
                outcome[key] = "updated"
            else:
                outcome[key] = "unchanged"
        first: set[str] = set()
        for rep, key in rows:  # later rows of the same person count as updating it
            result = (
                outcome[key]
                if key not in first
                else ("unchanged" if outcome[key] == "unchanged" else "updated")
            )
            first.add(key)
            setattr(rep, result, getattr(rep, result) + 1)
        todo = [it for key, it in merged.items() if outcome[key] != "unchanged"]
        self._write(
            "upsert_members", [{"key": t.key, "props": t.write["props"]} for t in todo], "members"
        )
        if not self.dry_run:
            for chunk in _batches([t.key for t in todo if t.key in existing]):
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
        for it in merged.values():
            self.lk.add_member(it.key, it.state.get("id_hash"), it.state.get("member_no"))
        roster.present.update(merged)
        roster.branches.update(b for it in merged.values() for b in it.state["branches"])
        for rep, _ in sheets:
            roster.rejected += sorted(
                {(rep.sheet, i.row) for i in rep.rejected if i.row is not None}
            )
            roster.sheets.append(rep)

    def _member_row(
        self, rep: FileReport, rec: Record
    ) -> tuple[str, dict[str, Any], str | None, str | None, str | None] | None:
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

    def snapshot(self, roster: _Roster, today: str) -> int:
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
            for chunk in _batches(gone):
                self.store.write("mark_off_roll", keys=list(chunk), on=today)
        return len(gone)

    def _member_states(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for chunk in _batches(keys, 20_000):
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

    def _resolve_member(self, rep: FileReport, rec: Record) -> str | None:
        v = rec.values
        key = self.lk.member(v.get("member_key"), v.get("id_hash"))
        if key is None:
            shown = v.get("member_no") or v.get("id_masked") or v.get("name")
            self._reject(
                rep,
                rec,
                "member_no" if v.get("member_no") else "id_number",
                shown,
                "花名册中没有这名党员：请先导入党员花名册",
            )
        return key

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
            kind, target = v["target_kind"], v["target_id"]
            if kind == "household":
                ok, rel, label, what = target in self.lk.households, "CONTACTS", "Household", "农户"
            elif kind == "group":
                gid, _ = self.lk.org(target, kinds=GROUP_KINDS, what="党小组")
                ok, rel, label, what = gid is not None, "RESPONSIBLE_FOR", "Org", "党小组"
                target = gid or target
            else:
                area = self.lk.areas.get(target)
                ok = area is not None and area.get("level") == kind
                rel, label, what = (
                    "RESPONSIBLE_FOR",
                    "Area",
                    {"hamlet": "村民小组", "village": "村(社区)", "township": "乡镇"}[kind],
                )
            if not ok:
                self._reject(rep, rec, "target_id", target, f"联系对象{what} {target} 不存在")
                continue
            since = v.get("since") or NO_DATE
            key = f"{member}|{rel}|{label}|{target}|{since}"
            items.append(
                _Item(
                    rec.row,
                    key,
                    {"until": v.get("until")},
                    {
                        "member": member,
                        "target": target,
                        "since": since,
                        "until": v.get("until"),
                        "query": {
                            "Household": "upsert_household_contacts",
                            "Area": "upsert_area_responsibilities",
                            "Org": "upsert_org_responsibilities",
                        }[label],
                    },
                )
            )
        existing: dict[str, dict[str, Any]] = {}
        members = sorted({it.write["member"] for it in items})
        for chunk in _batches(members, 5000):
            for row in self.store.read("contact_states", keys=list(chunk)):
                key = (
                    f"{row['member']}|{row['rel']}|{row['label']}|{row['target']}|"
                    f"{row['since'] or NO_DATE}"
                )
                existing[key] = {"until": row["until"]}
        todo = self._count(rep, items, existing)

        def rows(query: str) -> list[dict[str, Any]]:
            return [
                {k: t.write[k] for k in ("member", "target", "since", "until")}
                for t in todo
                if t.write["query"] == query
            ]

        self._write("upsert_household_contacts", rows("upsert_household_contacts"), "contacts")
        self._write(
            "upsert_area_responsibilities", rows("upsert_area_responsibilities"), "contacts"
        )
        self._write("upsert_org_responsibilities", rows("upsert_org_responsibilities"), "contacts")

    def outflows(self, rep: FileReport, records: list[Record]) -> None:
        items = []
        externals: dict[str, dict[str, Any]] = {}
        for rec in records:
            v = rec.values
            member = self._resolve_member(rep, rec)
            if member is None:
                continue
            dest = self._place(v.get("destination_code"))
            if dest is None and v.get("destination_code"):  # unplaceable text: roster warned
                self._warn(
                    rep,
                    rec,
                    "destination",
                    v.get("destination"),
                    "无法识别外出地点，已保留原文 (不计入目的地统计)",
                )
            host = None
            if v.get("host_org"):
                host, _ = self.lk.org(v["host_org"], what="流入地党组织")
                if host is None:
                    # An org at the destination is not in the county's own org file: keep it
                    # as an external org so that attending it is still recorded.
                    host = "X:" + v["host_org"]
                    externals.setdefault(host, {"id": host, "name": v["host_org"], "host": dest})
            props = {k: v.get(k) for k in OUTFLOW_PROPS}
            props.update(
                destination_text=v.get("destination"),
                host_org_text=v.get("host_org"),
                member=member,
            )
            oid = f"{member}|{v['left_on']}"
            items.append(
                _Item(
                    rec.row,
                    oid,
                    {**props, "dest": dest, "host": host},
                    {"id": oid, "member": member, "props": props, "dest": dest, "host": host},
                )
            )
        existing: dict[str, dict[str, Any]] = {}
        for chunk in _batches([it.key for it in items], 20_000):
            for row in self.store.read("outflow_states", ids=list(chunk)):
                p = row["props"]
                existing[row["id"]] = {
                    **{
                        k: p.get(k)
                        for k in (*OUTFLOW_PROPS, "member", "destination_text", "host_org_text")
                    },
                    "dest": row["dest"],
                    "host": row["host"],
                }
        todo = self._count(rep, items, existing)
        self._flush_places()
        self._write(
            "upsert_external_orgs",
            [e for k, e in externals.items() if k not in self.lk.orgs],
            "outflows",
        )
        for k, e in externals.items():
            self.lk.add_org(k, {"id": k, "name": e["name"], "kind": "external"})
        self._write("upsert_outflows", [t.write for t in todo], "outflows")

    def reports(self, rep: FileReport, records: list[Record]) -> None:
        items = []
        for rec in records:
            v = rec.values
            member = self._resolve_member(rep, rec)
            if member is None:
                continue
            org = None
            if v.get("org"):
                org, err = self.lk.org(v["org"], what="报到党组织")
                if err:
                    self._warn(rep, rec, "org", v["org"], err + "，已保留原文")
            rid = f"{member}|{v['on']}|{v.get('channel') or ''}|{v.get('org') or ''}"
            props = {
                "on": v["on"],
                "channel": v.get("channel"),
                "org_text": v.get("org"),
                "member": member,
            }
            items.append(
                _Item(rec.row, rid, {}, {"id": rid, "member": member, "props": props, "org": org})
            )
        existing: dict[str, dict[str, Any]] = {}
        for chunk in _batches([it.key for it in items], 20_000):
            for row in self.store.read("existing_reports", ids=list(chunk)):
                existing[row["id"]] = {}
        todo = self._count(rep, items, existing)
        self._write("upsert_reports", [t.write for t in todo], "reports")


def import_files(
    store: GraphStore,
    paths: Sequence[Path],
    *,
    key: bytes,
    kind: str | None = None,
    dry_run: bool = False,
    snapshot: bool = False,
    today: dt.date | None = None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import roster files (any kinds, any order) and report on every row."""
    t0 = time.monotonic()
    today = today or dt.date.today()
    report = ImportReport(dry_run=dry_run)
    parsed: list[tuple[ParsedSheet, FileReport]] = []
    roster = _Roster()
    for path in paths:
        extra = {"max_bytes": max_bytes} if max_bytes else {}
        for sheet in parse_file(path, kind, key=key, today=today, **extra):
            rep = FileReport(
                path=str(path),
                sheet=sheet.sheet,
                kind=sheet.kind,
                columns=dict(sheet.columns),
                rows=sheet.rows_total,
                rejected=list(sheet.rejected),
                warnings=list(sheet.warnings),
                errors=list(sheet.errors),
            )
            report.files.append(rep)
            if sheet.ok and sheet.kind:
                parsed.append((sheet, rep))
            elif sheet.kind == "members":  # refused whole: still counts against a snapshot
                roster.sheets.append(rep)
    if not dry_run:
        migrate(store)  # a never-migrated graph would get no constraints and no indexes
    imp = Importer(store, dry_run=dry_run, progress=progress)
    for k in ORDER:
        if k == "members":
            imp.members(
                [(rep, sheet.records) for sheet, rep in parsed if sheet.kind == "members"], roster
            )
            continue
        for sheet, rep in parsed:
            if sheet.kind == k:
                getattr(imp, k)(rep, sheet.records)
    if snapshot:
        report.off_roll = imp.snapshot(roster, today.isoformat())
    if not dry_run and any(f.created or f.updated for f in report.files):
        store.compact()  # bulk writes: rewrite the log so the next restart is fast
    report.seconds = time.monotonic() - t0
    return report
