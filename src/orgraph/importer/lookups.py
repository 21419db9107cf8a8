"""What the graph already holds, plus what this import adds, for resolving references.

Rosters name things loosely: a member's branch by name or id, a contact's member by member_no
or ID number. Resolution is done here, once, against the graph and the files of the same call,
so file order within one call does not matter.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from orgraph.store import GraphStore


@dataclass
class Lookups:
    areas: dict[str, dict[str, Any]] = field(default_factory=dict)  # code → state
    orgs: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → state
    org_ids_by_name: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    member_by_key: dict[str, str] = field(default_factory=dict)  # any key → canonical key
    member_by_hash: dict[str, str] = field(default_factory=dict)  # id hash → canonical key
    households: dict[str, str | None] = field(default_factory=dict)  # id → area code

    @classmethod
    def load(cls, store: GraphStore) -> Lookups:
        lk = cls()
        for row in store.read("lookup_areas"):
            lk.areas[row["code"]] = row
        for row in store.read("lookup_orgs"):
            lk.add_org(row["id"], row)
        for row in store.read("lookup_members"):
            lk.add_member(row["key"], row["id_hash"], row["member_no"])
        return lk

    def add_org(self, org_id: str, state: dict[str, Any]) -> None:
        old = self.orgs.get(org_id)
        if old and old.get("name"):
            self.org_ids_by_name[old["name"]].discard(org_id)
        self.orgs[org_id] = state
        if state.get("name"):
            self.org_ids_by_name[state["name"]].add(org_id)

    def add_member(self, key: str, id_hash: str | None, member_no: str | None = None) -> None:
        """Register a member under its node key, its current 人员编号 and its ID hash (the node
        key stays the first number seen, so a changed 人员编号 must resolve too)."""
        self.member_by_key[key] = key
        if member_no:
            self.member_by_key[member_no] = key
        if id_hash:
            self.member_by_hash[id_hash] = key
            self.member_by_key["h:" + id_hash] = key

    def load_households(self, store: GraphStore, ids: list[str]) -> None:
        missing = [i for i in dict.fromkeys(ids) if i not in self.households]
        for start in range(0, len(missing), 20_000):
            for row in store.read("existing_households", ids=missing[start : start + 20_000]):
                self.households[row["id"]] = row["area"]

    # -- resolution: (value, error message) ---------------------------------------------------

    def org(
        self,
        ref: str,
        *,
        kinds: frozenset[str] | None = None,
        parent: str | None = None,
        what: str = "党组织",
    ) -> tuple[str | None, str | None]:
        """An org by id, else by unique name (among the parent's children when given)."""
        if ref in self.orgs and (kinds is None or self.orgs[ref].get("kind") in kinds):
            return ref, None
        ids = set(self.org_ids_by_name.get(ref, ()))
        if kinds is not None:
            ids = {i for i in ids if self.orgs[i].get("kind") in kinds}
        if parent is not None and len(ids) > 1:
            ids = {i for i in ids if self.orgs[i].get("parent") == parent}
        if len(ids) == 1:
            return ids.pop(), None
        if not ids:
            return None, f"{what}“{ref}”不存在：请先导入党组织，或检查名称/编号"
        return None, f"{what}名称“{ref}”对应多个组织，请改填组织编号"

    def member(self, key: str | None, id_hash: str | None) -> str | None:
        if key and key in self.member_by_key:
            return self.member_by_key[key]
        if id_hash and id_hash in self.member_by_hash:
            return self.member_by_hash[id_hash]
        return None
