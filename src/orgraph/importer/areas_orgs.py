"""Areas and orgs: two trees, each row hanging under a parent the graph or the same file
holds. A row whose parent is missing, or was itself rejected, is rejected rather than stored
without its parent link (docs/design.md#importer)."""

from __future__ import annotations

from typing import Any

from orgraph.importer.diff import NO_DATE, ImportStep, Item
from orgraph.importer.report import FileReport
from orgraph.roster import Record


class AreaOrgSteps(ImportStep):
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
                Item(
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
        records = self._accept_orgs(rep, records)
        items = [self._org_item(rep, rec) for rec in records]
        existing = {
            it.key: _as_stored(self.lk.orgs[it.key], it.state)
            for it in items
            if it.key in self.lk.orgs and not self.lk.orgs[it.key].get("_new")
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
        for r in rects:
            self.episodes[r["id"]] = {k: r[k] for k in ("opened_on", "deadline", "status")}
        for it in items:
            old = self.lk.orgs.get(it.key) or {}
            self.lk.add_org(it.key, {"id": it.key, **it.state, "rects": _with_episode(old, it)})

    def _accept_orgs(self, rep: FileReport, records: list[Record]) -> list[Record]:
        """The org rows whose area and parent resolve, parents by id or by name."""
        before = {k for k, v in self.lk.orgs.items() if not v.get("_new")}
        for rec in records:  # register names first, so parents can be referred to by name
            v = rec.values
            if v["org_id"] not in self.lk.orgs:
                self.lk.add_org(
                    v["org_id"],
                    {"id": v["org_id"], "name": v["name"], "kind": v["kind"], "_new": True},
                )
        # own checks first: children of a rejected row are rejected too
        own_ok = [rec for rec in records if self._org_references_ok(rep, rec)]
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
        return accepted

    def _org_references_ok(self, rep: FileReport, rec: Record) -> bool:
        """Area and parent org exist (a parent named by name becomes its id); else rejected."""
        v = rec.values
        area = v.get("area_code")
        if area and area not in self.lk.areas:
            self._reject(rep, rec, "area_code", area, f"区划代码 {area} 不存在")
            return False
        if v.get("parent_org_id"):
            parent, err = self.lk.org(v["parent_org_id"], what="上级党组织")
            if err or parent is None:
                self._reject(rep, rec, "parent_org_id", v["parent_org_id"], err or "")
                return False
            v["parent_org_id"] = parent  # a name resolved to its id
        return True

    def _org_item(self, rep: FileReport, rec: Record) -> Item:
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
        rect: dict[str, Any] | None = None
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
        write = {"id": v["org_id"], "props": props, "parent": parent, "area": area, "host": host}
        return Item(rec.row, v["org_id"], state, {**write, "rect": rect})


# An org's stored rectification episodes, as lookup_orgs reads them: [opened_on, deadline,
# status] each. A roster row's 整顿 columns name one episode by its opening date (docs/rules.md,
# 整顿台账: episodes are keyed by org and 列入日期), so a row is compared with that episode
# only: an org listed again, or an episode the 整顿台账 alone recorded, is no change of a row
# that names another episode or none (the org import adds or updates episodes, never drops one).
Episode = list[Any]


def _as_stored(stored: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    """The stored org as the row's state would read it: the row's episode, or none."""
    view = {k: v for k, v in stored.items() if k != "rects"}
    want = state.get("rect_opened_on")
    ep: Episode | None = None
    if want is not None:
        ep = next((e for e in stored.get("rects") or () if e and e[0] == want), None)
    view["rect_opened_on"] = ep[0] if ep else None
    view["rect_deadline"] = ep[1] if ep else None
    view["rect_status"] = ep[2] if ep else None
    return view


def _with_episode(stored: dict[str, Any], it: Item) -> list[Episode]:
    """The org's episodes once this row is written: the row's replaces the one it names."""
    mine = it.write["rect"]
    kept = [e for e in stored.get("rects") or () if e and (not mine or e[0] != mine["opened_on"])]
    return kept + ([[mine["opened_on"], mine["deadline"], mine["status"]]] if mine else [])
