"""Who may see what, computed independently of orgraph's own scope code: straight from a
dump of the graph (tests/cypher/testing.cypher) by the rules of docs/rules.md § Scope.

`forbidden(ref)` is every string a user scoped at `ref` must never receive: keys, ids,
phones (raw and masked) of members outside, ids of households, areas and orgs outside, and
the names of members and household heads outside when no visible person has the same name.
Destinations (external areas and orgs, mobile and temporary branches) are not secret.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from orgraph.security.masking import mask_phone
from orgraph.store import GraphStore

DESTINATION_KINDS = {"mobile_branch", "temp_branch", "temp_group", "external"}


@dataclass
class Sets:
    areas: set[str] = field(default_factory=set)
    orgs: set[str] = field(default_factory=set)
    members: set[str] = field(default_factory=set)
    households: set[str] = field(default_factory=set)


@dataclass
class Truth:
    area_parent: dict[str, str | None]
    area_external: dict[str, bool]
    org_parent: dict[str, str | None]
    org_serves: dict[str, str | None]
    org_kind: dict[str, str]
    org_external: dict[str, bool]
    org_name: dict[str, str]
    members: dict[str, dict[str, Any]]
    belongs: dict[str, set[str]]
    lives: dict[str, set[str]]
    households: dict[str, tuple[str | None, str | None]]  # id → (area, head name)

    @classmethod
    def read(cls, store: GraphStore) -> Truth:
        nodes = store.read("testing_nodes")
        rels = store.read("testing_rels")
        t = cls({}, {}, {}, {}, {}, {}, {}, {}, defaultdict(set), defaultdict(set), {})
        for n in nodes:
            props = n["props"]
            if n["label"] == "Area":
                t.area_parent.setdefault(props["code"], None)
                t.area_external[props["code"]] = bool(props.get("external"))
            elif n["label"] == "Org":
                t.org_parent.setdefault(props["id"], None)
                t.org_serves.setdefault(props["id"], None)
                t.org_kind[props["id"]] = props.get("kind") or ""
                t.org_name[props["id"]] = props.get("name") or props["id"]
                t.org_external[props["id"]] = (
                    bool(props.get("external")) or props.get("kind") == "external"
                )
            elif n["label"] == "Member":
                t.members[props["key"]] = props
            elif n["label"] == "Household":
                t.households[props["id"]] = (None, props.get("head_name"))
        for r in rels:
            a, b = r["from_key"], r["to_key"]
            if r["rel"] == "PART_OF":
                t.area_parent[a] = b
            elif r["rel"] == "UNDER":
                t.org_parent[a] = b
            elif r["rel"] == "SERVES":
                t.org_serves[a] = b
            elif r["rel"] == "BELONGS_TO":
                t.belongs[a].add(b)
            elif r["rel"] == "LIVES_IN":
                t.lives[a].add(b)
            elif r["rel"] == "IN" and r["from_label"] == "Household":
                t.households[a] = (b, t.households[a][1])
        return t

    # -- scope ------------------------------------------------------------------------------

    def _area_below(self, roots: set[str]) -> set[str]:
        out = set(roots)
        grew = True
        while grew:
            more = {c for c, p in self.area_parent.items() if p in out and c not in out}
            out |= more
            grew = bool(more)
        return out

    def _org_below(self, roots: set[str]) -> set[str]:
        out = set(roots)
        grew = True
        while grew:
            more = {c for c, p in self.org_parent.items() if p in out and c not in out}
            out |= more
            grew = bool(more)
        return out

    def is_root_area(self, code: str) -> bool:
        return self.area_parent.get(code) is None and not self.area_external.get(code, True)

    def scope(self, ref: str) -> Sets:
        every_org = {o for o, ext in self.org_external.items() if not ext}
        if ref in self.area_parent and not self.area_external[ref]:
            areas = self._area_below({ref})
            whole = self.area_parent[ref] is None
            orgs = (
                every_org
                if whole
                else self._org_below({o for o, a in self.org_serves.items() if a in areas})
            )
        else:
            orgs = self._org_below({ref})
            areas = self._area_below({a for o in orgs if (a := self.org_serves[o])})
            served = self.org_serves.get(ref)
            whole = (
                self.org_parent[ref] is None and served is not None and self.is_root_area(served)
            )
            if whole:
                orgs = every_org
        orgs -= {o for o in orgs if self.org_external[o]}
        households = {h for h, (a, _) in self.households.items() if a in areas}
        members = set()
        for key in self.members:
            branches = self.belongs.get(key, set())
            if branches:
                if branches & orgs:
                    members.add(key)
            elif whole or self.lives.get(key, set()) & households:
                members.add(key)
        return Sets(areas, orgs, members, households)

    # -- what must not be seen --------------------------------------------------------------

    def forbidden(self, ref: str) -> set[str]:
        s = self.scope(ref)
        visible_names = {str(self.members[k].get("name")) for k in s.members}
        visible_names |= {str(self.households[h][1]) for h in s.households}
        visible_names |= {
            self.org_name[o] for o in self.org_name if o in s.orgs or self.is_destination(o)
        }
        visible_phones = {mask_phone(self.members[k].get("phone")) for k in s.members}
        out: set[str] = set()
        for key, props in self.members.items():
            if key in s.members:
                continue
            out.add(key)
            if props.get("phone"):
                out.add(str(props["phone"]))
                masked = mask_phone(props["phone"])
                if masked and masked not in visible_phones:
                    out.add(masked)
            if props.get("name") and props["name"] not in visible_names:
                out.add(str(props["name"]))
        for h, (_, head) in self.households.items():
            if h not in s.households:
                out.add(h)
                if head and head not in visible_names:
                    out.add(head)
        out |= {a for a, ext in self.area_external.items() if not ext and a not in s.areas}
        for o in self.org_kind:
            if o not in s.orgs and not self.is_destination(o):
                out.add(o)
                if self.org_name[o] not in visible_names:
                    out.add(self.org_name[o])
        return out

    def is_destination(self, org: str) -> bool:
        return self.org_external[org] or self.org_kind[org] in DESTINATION_KINDS
