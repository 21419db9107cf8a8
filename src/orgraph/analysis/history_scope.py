"""Which things a history answer lists lie in a scope (docs/rules.md "Changes between two
points", "In a scope"): gap items by what they name, members, orgs and replaced values, over
the current projection (where things are now, as every scoped answer reads them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from orgraph.analysis.projection import Projection
from orgraph.analysis.scope import Scope
from orgraph.vocab import GAP_TYPES

# What each rule's item id names (vocab: household, member, area, org, rectification,
# meeting, appointment, city).
ITEM_KIND = {g.type: g.item for g in GAP_TYPES}

# A replaced value's kind → which part of its key (split on "|") names the thing that places
# it, and what that thing is. Contacts are placed by their member or by their target.
FIELD_OWNER: dict[str, tuple[int, str]] = {
    "members": (0, "member"),
    "outflows": (0, "member"),
    "reports": (0, "member"),
    "dues": (0, "member"),
    "households": (0, "household"),
    "areas": (0, "area"),
    "orgs": (0, "org"),
    "meetings": (0, "org"),
    "rectifications": (0, "org"),
    "inspections": (0, "org"),
    "group_records": (0, "org"),
    "first_secretaries": (1, "org"),
}


# What a scoped answer shows instead of a replaced value that names a county member,
# household, area or org outside the scope (a member moved in from another township keeps
# its move, not the other township's ids).
HIDDEN = "（范围外）"


def item_ref(p: Projection, type_: str, item: str) -> tuple[str, str] | None:
    """What a gap item's id (as the ledger keeps it) names, which places it: ("household",
    id), ("member", key), ("area", code) or ("org", id); None for a city away from the county
    (or a kind not known here). Also the year-end's locator (analysis/year_end.py)."""
    kind = ITEM_KIND.get(type_)
    parts = item.split("|")
    if kind in ("household", "member", "org"):
        return kind, item
    if kind == "area":  # hamlet_no_cadre also names party groups
        return ("org", item) if item in p.org_index else ("area", item)
    if kind in ("rectification", "meeting"):
        return "org", parts[0]
    if kind == "appointment" and len(parts) > 1:  # member|org|since
        return "org", parts[1]
    return None


@dataclass
class InScope:
    """Membership tests against one resolved scope on one projection."""

    p: Projection
    scope: Scope
    members: Any  # BoolArray: the scope's members (Scope.members)
    _households: Any = field(init=False)

    def __post_init__(self) -> None:
        self._households = self.scope.households(self.p)

    # Each test: a thing the graph holds now is in the scope as every scoped answer places it
    # (a member only in an org away from the county is in no scope, the county's included); a
    # thing the graph no longer holds is in the whole county's only.

    def member(self, key: str) -> bool:
        m = self.p.m_index.get(key)
        return self.scope.whole if m is None else bool(self.members[m])

    def household(self, hid: str) -> bool:
        h = self.p.hh_index.get(hid)
        return self.scope.whole if h is None else bool(self._households[h])

    def area(self, code: str) -> bool:
        a = self.p.area_index.get(code)
        return self.scope.whole if a is None else bool(self.scope.areas[a])

    def org(self, oid: str) -> bool:
        o = self.p.org_index.get(oid)
        return self.scope.whole if o is None else bool(self.scope.orgs[o])

    def named(self, what: str, ref: str) -> bool:
        if what == "member":
            return self.member(ref)
        if what == "household":
            return self.household(ref)
        if what == "area":
            return self.area(ref)
        if what == "org":
            return self.org(ref)
        return False

    def shown(self, value: Any) -> Any:
        """A replaced value as a scoped answer shows it: every county id outside the scope
        (a member, household, area or org; destinations and orgs away are not the county's)
        becomes HIDDEN, in a list item by item."""
        if isinstance(value, list):
            return [self.shown(v) for v in value]
        if isinstance(value, str) and self._outside(value):
            return HIDDEN
        return value

    def _outside(self, ref: str) -> bool:
        p = self.p
        if ref in p.m_index:
            return not self.member(ref)
        if ref in p.hh_index:
            return not self.household(ref)
        a = p.area_index.get(ref)
        if a is not None:
            return not p.area_external[a] and not self.area(ref)
        o = p.org_index.get(ref)
        if o is not None:
            return not p.org_external[o] and not self.org(ref)
        return False

    def key(self, key: str) -> str:
        """A replaced value's key as a scoped answer shows it: each part (split on "|") that
        is a county id outside the scope reads HIDDEN (a contact kept for its household names
        a member from elsewhere; a 第一书记 kept for its village, the member sent)."""
        return "|".join(HIDDEN if self._outside(part) else part for part in key.split("|"))

    def item(self, type_: str, item: str) -> bool:
        """A gap item (its ledger id) of rule `type_`; a city away from the county is the
        whole county's only."""
        ref = item_ref(self.p, type_, item)
        return self.scope.whole if ref is None else self.named(*ref)

    def field(self, kind: str, key: str) -> bool:
        """A value the field history kept, by its kind and key."""
        parts = key.split("|")
        if kind == "contacts":  # member|rel|label|target|since
            if self.member(parts[0]):
                return True
            label = {"Household": "household", "Area": "area", "Org": "org"}
            return len(parts) > 3 and self.named(label.get(parts[2], ""), parts[3])
        owner = FIELD_OWNER.get(kind)
        if owner is None or owner[0] >= len(parts):
            return self.scope.whole
        return self.named(owner[1], parts[owner[0]])
