"""Organisational life (组织生活记录: meetings with their attendance) and dues payments (党费),
docs/rules.md "Organisational life and dues"."""

from __future__ import annotations

from typing import Any

from orgraph.importer.diff import ImportStep, Item, batches
from orgraph.importer.report import FileReport
from orgraph.roster import Record

MEETING_PROPS = ("type", "on", "topic", "expected", "present", "host", "org_text")
DUES_PROPS = ("paid_to", "paid_on", "amount")


def meeting_id(org: str, type_: str, on: str, topic: str | None) -> str:
    """org|type|on|topic: two meetings of one org and type on one day differ by topic."""
    return f"{org}|{type_}|{on}|{topic or ''}"


class LifeSteps(ImportStep):
    def meetings(self, rep: FileReport, records: list[Record]) -> None:
        items = []
        first: dict[str, int] = {}  # meeting id → the row that named it first in this sheet
        for rec in records:
            v = rec.values
            field = "org" if v.get("org") else "org_name"
            ref = v[field]
            org, err = self.lk.org(ref, what="组织")
            if org is None or self.lk.orgs[org].get("kind") == "external":
                self._reject(rep, rec, field, ref, err or f"“{ref}”不是本县党组织")
                continue
            people = self._people(rep, rec)
            if people is None:
                continue
            attendees, absentees = people
            props: dict[str, Any] = {k: v.get(k) for k in MEETING_PROPS}
            props["org_text"] = ref if ref != org else None
            props["listed"] = bool(attendees)
            mid = meeting_id(org, v["type"], v["on"], v.get("topic"))
            if self._repeated(rep, rec, first, mid, field, ref, "同一组织同日同类型同主题的会议"):
                continue
            state = {**props, "org": org, "attendees": attendees, "absentees": absentees}
            write = {"id": mid, "org": org, "props": props}
            items.append(Item(rec.row, mid, state, write))
        existing = self._meeting_states([it.key for it in items])
        todo = self._count(rep, items, existing)
        merged = self._write_items("upsert_meetings", "create_meetings", todo, "meetings")
        # A changed meeting's people are replaced; a new one has none to unlink. A meeting
        # an earlier file of this call wrote, or one that turned out to exist (`merged`),
        # keeps its links: those are MERGEd.
        existed = {row["id"] for row in merged}
        gone = [{"id": t.key} for t in todo if t.key in existing]
        self._write("unlink_meeting_people", gone, "meetings")
        for query, create, field in (
            ("link_meeting_attendees", "create_meeting_attendees", "attendees"),
            ("link_meeting_absentees", "create_meeting_absentees", "absentees"),
        ):
            pairs = [(t, m) for t in todo for m in t.state[field]]
            self._write(
                query,
                [{"id": t.key, "member": m} for t, m in pairs],
                "meetings",
                create=create,
                new=[t.new and t.key not in existed for t, _ in pairs],
            )

    def _people(self, rep: FileReport, rec: Record) -> tuple[list[str], list[str]] | None:
        """The attendees and absentees as member keys; None (row rejected, naming everyone
        the roster does not hold) when any is unknown."""
        out: list[list[str]] = []
        for field in ("attendees", "absentees"):
            keys, unknown = [], []
            masked = rec.values.get(field + "_masked") or {}
            for ref in rec.values.get(field) or ():
                key = self.lk.member(ref, None)
                if key is None:
                    unknown.append(masked.get(ref, ref))
                else:
                    keys.append(key)
            if unknown:
                self._reject(
                    rep,
                    rec,
                    field,
                    "；".join(unknown)[:60],
                    f"花名册中没有这些人员：{'、'.join(unknown[:10])}"
                    + ("等" if len(unknown) > 10 else "")
                    + "；请先导入党员花名册，或核对人员编号/身份证号",
                )
                return None
            out.append(sorted(set(keys)))
        return out[0], out[1]

    def _meeting_states(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        existing: dict[str, dict[str, Any]] = {}
        for chunk in batches(ids, 20_000):
            for row in self.store.read("meeting_states", ids=list(chunk)):
                existing[row["id"]] = {
                    **{k: row[k] for k in (*MEETING_PROPS, "listed")},
                    "org": row["org"],
                    "attendees": sorted(row["attendees"]),
                    "absentees": sorted(row["absentees"]),
                }
        return existing

    def dues(self, rep: FileReport, records: list[Record]) -> None:
        items = []
        first: dict[str, int] = {}
        for rec in records:
            v = rec.values
            member = self._resolve_member(rep, rec)
            if member is None:
                continue
            props = {k: v.get(k) for k in DUES_PROPS}
            did = f"{member}|{v['paid_to']}"
            field = "member_no" if v.get("member_no") else "id_number"
            shown = v.get("member_no") or v.get("id_masked")
            if self._repeated(rep, rec, first, did, field, shown, "同一党员缴至同一月份"):
                continue
            items.append(
                Item(rec.row, did, dict(props), {"id": did, "member": member, "props": props})
            )
        existing: dict[str, dict[str, Any]] = {}
        for chunk in batches([it.key for it in items], 20_000):
            for row in self.store.read("dues_states", ids=list(chunk)):
                existing[row["id"]] = {k: row[k] for k in DUES_PROPS}
        todo = self._count(rep, items, existing)
        self._write_items("upsert_dues", "create_dues", todo, "dues")
