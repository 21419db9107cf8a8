"""Households: each in an area the graph or this call holds."""

from __future__ import annotations

from typing import Any

from orgraph.importer.diff import ImportStep, Item, batches
from orgraph.importer.report import FileReport
from orgraph.roster import Record

HOUSEHOLD_PROPS = ("head_name", "address", "size", "tags", "phone", "lon", "lat")


class HouseholdSteps(ImportStep):
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
                Item(
                    rec.row,
                    v["household_id"],
                    {**props, "area": area},
                    {"id": v["household_id"], "props": props, "area": area},
                )
            )
        existing: dict[str, dict[str, Any]] = {}
        ids = [it.key for it in items]
        for chunk in batches(ids, 20_000):
            for row in self.store.read("household_states", ids=list(chunk)):
                existing[row.pop("id")] = row
        todo = self._count(rep, items, existing)
        self._write_items("upsert_households", "create_households", todo, "households")
        for it in items:
            self.lk.households[it.key] = it.state["area"]
