"""Members away: outflow episodes (外出登记), with their destinations placed as external
areas and the orgs there kept as external orgs, and reports (报到) to an org."""

from __future__ import annotations

from typing import Any

from orgraph.importer.diff import ImportStep, Item, batches
from orgraph.importer.report import FileReport
from orgraph.roster import Record

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


class OutflowSteps(ImportStep):
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
            state = {**props, "dest": dest, "host": host}
            write = {"id": oid, "member": member, "props": props, "dest": dest, "host": host}
            items.append(Item(rec.row, oid, state, write))
        existing = self._outflow_states([it.key for it in items])
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

    def _outflow_states(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        existing: dict[str, dict[str, Any]] = {}
        for chunk in batches(ids, 20_000):
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
        return existing

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
                Item(rec.row, rid, {}, {"id": rid, "member": member, "props": props, "org": org})
            )
        existing: dict[str, dict[str, Any]] = {}
        for chunk in batches([it.key for it in items], 20_000):
            for row in self.store.read("existing_reports", ids=list(chunk)):
                existing[row["id"]] = {}
        todo = self._count(rep, items, existing)
        self._write_items("upsert_reports", "create_reports", todo, "reports")
