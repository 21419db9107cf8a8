"""What one caller may see, as masks over one projection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from orgraph.analysis.projection import BoolArray, Projection
from orgraph.vocab import DESTINATION_KINDS

HIDDEN_NAME = "（范围外人员）"


@dataclass(frozen=True)
class Visible:
    p: Projection
    areas: BoolArray
    orgs: BoolArray
    members: BoolArray

    @classmethod
    def everything(cls, p: Projection) -> Visible:
        return cls(
            p,
            ~np.array(p.area_external, dtype=bool),
            ~np.array(p.org_external, dtype=bool),
            np.ones(len(p.m_key), dtype=bool),
        )

    def households(self) -> BoolArray:
        if not len(self.p.hh_area):
            return np.zeros(0, dtype=bool)
        ok = self.p.hh_area >= 0
        return np.asarray(ok & self.areas[np.where(ok, self.p.hh_area, 0)], dtype=bool)

    def area(self, a: int) -> bool:
        return a >= 0 and bool(self.areas[a])

    def org(self, o: int) -> bool:
        return o >= 0 and bool(self.orgs[o])

    def member(self, m: int) -> bool:
        return m >= 0 and bool(self.members[m])

    def household(self, h: int) -> bool:
        return h >= 0 and self.area(int(self.p.hh_area[h]))

    def member_key(self, key: str | None) -> bool:
        m = self.p.m_index.get(key or "")
        return m is not None and self.member(m)

    # -- references to other objects --------------------------------------------------------

    def area_ref(self, a: int) -> dict[str, str] | None:
        if not self.area(a):
            return None
        return {"code": self.p.area_code[a], "name": self.p.area_name[a]}

    def org_ref(self, o: int) -> dict[str, str] | None:
        if not self.org(o):
            return None
        return {"id": self.p.org_id[o], "name": self.p.org_name[o]}

    def destination_org_ref(self, o: int) -> dict[str, str] | None:
        """An org a member away reports to or attends: shown when in scope, and always when
        it is a destination org (mobile or temporary branch, or one outside the county)."""
        if o < 0:
            return None
        if self.org(o) or self.p.org_external[o] or self.p.org_kind[o] in DESTINATION_KINDS:
            return {"id": self.p.org_id[o], "name": self.p.org_name[o]}
        return None

    def area_context(self, a: int) -> dict[str, Any]:
        """The visible hamlet, village and township above (and at) area a."""
        out: dict[str, Any] = {"hamlet": None, "village": None, "township": None}
        i = a
        while i >= 0:
            level = self.p.area_level[i]
            if level in out and out[level] is None:
                out[level] = self.area_ref(i)
            i = self.p.area_parent[i]
        return out

    def person(self, person: dict[str, Any]) -> dict[str, Any]:
        """A person in an answer (chain, contacts): shown when visible, else withheld."""
        if self.member_key(person.get("id")):
            return {**person, "hidden": False}
        kept = {k: v for k, v in person.items() if k in ("at_home", "role")}
        return {**kept, "id": None, "name": HIDDEN_NAME, "hidden": True}


def redact_chain(doc: dict[str, Any], seen: Visible) -> dict[str, Any]:
    """Engine.chain's answer with the people outside the caller's scope withheld (a village
    sees that its township cadre exists, not who it is, unless the cadre is in scope)."""
    p = seen.p
    levels = []
    for lv in doc["levels"]:
        area = lv.get("area")
        a = p.area_index.get(area["code"], -1) if area else -1
        levels.append(
            {
                **lv,
                "area": seen.area_ref(a) if area else None,
                "people": [seen.person(x) for x in lv["people"]],
            }
        )
    house = dict(doc["household"])
    h = p.hh_index.get(house["id"])
    for level in ("hamlet", "village", "township"):
        house.pop(level, None)
    if h is not None:
        context = seen.area_context(int(p.hh_area[h]))
        house.update({k: v for k, v in context.items() if v is not None})
    return {**doc, "household": house, "levels": levels}


HIDDEN_ORG = "（范围外组织）"
HIDDEN_AREA = "（范围外区划）"


def redact_refs(value: Any, seen: Visible) -> Any:
    """A copy of an engine answer (or part of one) where every nested reference to an area,
    org, member or household outside the caller's scope is withheld. Destination areas and
    orgs (outside the county, mobile branches) stay: members away are reported by them."""
    if isinstance(value, list):
        return [redact_refs(v, seen) for v in value]
    if not isinstance(value, dict):
        return value
    p = seen.p
    code, ref = value.get("code"), value.get("id")
    if isinstance(code, str) and code in p.area_index:
        a = p.area_index[code]
        if not seen.area(a) and not p.area_external[a]:
            return {**_kept(value), "code": None, "name": HIDDEN_AREA, "hidden": True}
    elif isinstance(ref, str) and ref in p.org_index:
        if seen.destination_org_ref(p.org_index[ref]) is None:
            return {**_kept(value), "id": None, "name": HIDDEN_ORG, "hidden": True}
    elif isinstance(ref, str) and ref in p.m_index:
        if not seen.member_key(ref):
            return seen.person(_kept(value) | {"id": ref})
    elif isinstance(ref, str) and ref in p.hh_index and not seen.household(p.hh_index[ref]):
        return {**_kept(value), "id": None, "hidden": True}
    return {k: redact_refs(v, seen) for k, v in value.items()}


def _kept(value: dict[str, Any]) -> dict[str, Any]:
    """What a withheld reference keeps: its kind of link, never who or where."""
    return {k: v for k, v in value.items() if k in ("role", "at_home", "level", "kind")}


def redact_items(doc: dict[str, Any], seen: Visible, key: str = "items") -> dict[str, Any]:
    """An engine answer with a list of items: each item's own id stays (the engine chose it
    for the scope), the references inside it are redacted."""
    items = [
        {k: (v if k == "id" else redact_refs(v, seen)) for k, v in item.items()}
        for item in doc.get(key, [])
    ]
    return {**doc, key: items}
