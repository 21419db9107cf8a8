"""What one caller may see: their scope resolved against one projection (`Jurisdiction`), and
the masks an answer is redacted with (`Visible`).

A user's scope is an area code or an org id (docs/design.md#scopes). Every object is checked
against it: an area or org by the scope's masks, a member by the engine's members-in-scope
mask, a household by its area. Anything outside answers 404 with the same words as an object
that does not exist, so a probe learns nothing about other parts of the county
(docs/api.md#scope-who-sees-what).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from orgraph.analysis.engine import Engine
from orgraph.analysis.projection import BoolArray, Projection
from orgraph.analysis.scope import resolve
from orgraph.errors import Forbidden, NotFound, StoreUnavailable
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


def outside(what: str, ref: str) -> NotFound:
    """The 404 for an object outside the caller's scope: the words of a missing one."""
    return NotFound(f"{what}“{ref}”不存在或不在您的管辖范围内")


# A create whose member number, ID number, household id or org id is taken by a record the
# caller may not see (issue #18). "已存在" would confirm that the person is a Party member, or
# that the number is in use, somewhere outside the caller's scope; this answer says neither and
# is the same for every kind of value. It is a refusal like any write outside the scope (403),
# and the audit log keeps it (result "denied"), so a county administrator sees such probes.
NOT_YOURS = "该编号或身份证号不能由您登记：请联系上级党组织或县级管理员核实"


def not_yours() -> Forbidden:
    """The answer to a create that collides with a record outside the caller's scope."""
    return Forbidden(NOT_YOURS)


@dataclass(frozen=True)
class Heading:
    """What an answer calls a scope: its ref, the area's or org's name, and which it is."""

    ref: str
    name: str
    kind: Literal["area", "org"]


class Jurisdiction:
    """A caller's scope resolved against the current projection, once per request.

    Objects are named by id and come back as opaque handles (indices into this projection)
    that the record functions take with the `Visible` of the same request; nothing outside
    this module and the records reads the projection itself.
    """

    def __init__(self, engine: Engine, ref: str, *, stale_ok: bool = True) -> None:
        """`stale_ok`: while the engine reloads the graph whole, this view may come from the
        last complete revision (reads); False for a request that writes, whose checks must see
        the graph as it is (docs/design.md#change-log)."""
        self._stale_ok = stale_ok
        self._engine = engine
        self.ref = ref
        try:
            p, scope, members = engine.scope(ref, stale_ok=stale_ok)
        except NotFound:
            # The user's own area or org is gone (re-imported tree): they see nothing.
            raise outside("您的管辖范围", ref) from None
        self._p: Projection = p
        self._scope = scope
        self._members: BoolArray = members

    @property
    def revision(self) -> str | None:
        """The graph revision this view was resolved at (what engine answers are kept by)."""
        return self._p.revision

    # -- scopes -----------------------------------------------------------------------------

    def resolve(self, requested: str | None) -> str:
        """The scope ref to answer for: the caller's own by default, or one inside it."""
        if requested is None or requested == "" or requested == self.ref:
            return self.ref
        try:
            # Resolved on this view's projection, so both masks index the same entities.
            inner = resolve(self._p, requested)
        except NotFound:
            raise outside("范围", requested) from None
        if not inner.within(self._scope):
            raise outside("范围", requested)
        return requested

    def heading(self, requested: str | None = None) -> Heading:
        """The caller's scope, or one inside it, as answers name it."""
        ref, p = self.resolve(requested), self._p
        a = p.area_index.get(ref)
        if a is not None and not p.area_external[a]:
            return Heading(ref, p.area_name[a], "area")
        return Heading(ref, p.org_name[p.org_index[ref]], "org")

    # -- single objects ---------------------------------------------------------------------

    def area(self, code: str) -> int:
        a = self._p.area_index.get(code)
        if a is None or self._p.area_external[a] or not self._scope.areas[a]:
            raise outside("区划", code)
        return a

    def org(self, org_id: str) -> int:
        o = self._p.org_index.get(org_id)
        if o is None or self._p.org_external[o] or not self._scope.orgs[o]:
            raise outside("党组织", org_id)
        return o

    def member(self, key: str) -> int:
        m = self._p.m_index.get(key)
        if m is None or not self._members[m]:
            raise outside("党员", key)
        return m

    def member_duties(self, key: str) -> frozenset[str]:
        """The duties a member in scope holds now (rank checks on writes, docs/api.md)."""
        return frozenset(self._p.m_roles[self.member(key)])

    def sees_org(self, org_id: str) -> bool:
        """Whether the caller may see an org of this id (no 404: for conflict checks): in
        scope, or a destination org, which answers show everyone (`destination_org_ref`)."""
        o = self._p.org_index.get(org_id, -1)
        return self.seen().destination_org_ref(o) is not None

    def household(self, household_id: str) -> int:
        h = self._p.hh_index.get(household_id)
        if h is None or not self._household_visible(h):
            raise outside("农户", household_id)
        return h

    def _household_visible(self, h: int) -> bool:
        a = int(self._p.hh_area[h])
        return a >= 0 and bool(self._scope.areas[a])

    def child_areas(self, code: str) -> list[int]:
        """The direct children of an area in scope (the records hide what is outside)."""
        return list(self._p.area_children[self.area(code)])

    def child_orgs(self, org_id: str) -> list[int]:
        """The direct children of an org in scope (the records hide what is outside)."""
        return list(self._p.org_children[self.org(org_id)])

    def destination_org(self, org_id: str) -> str:
        """An org a member away may report to or attend: in scope, or a destination org
        (mobile branch, an org outside the county); anything else answers like a missing
        one."""
        if self.seen().destination_org_ref(self._p.org_index.get(org_id, -1)) is None:
            raise outside("党组织", org_id)
        return org_id

    def transfer_target(self, org_id: str) -> str:
        """Where a member may be transferred: an org in scope, an org outside the county, or
        one the graph does not know (out of the county, by name). An org of the county
        outside the scope answers like a missing one: the level above transfers there."""
        o = self._p.org_index.get(org_id, -1)
        if o >= 0 and not self.seen().org(o) and not self._p.org_external[o]:
            raise outside("党组织", org_id)
        return org_id

    # -- what a caller sees -----------------------------------------------------------------

    def seen(self, requested: str | None = None) -> Visible:
        """Masks of what this answer may show: the caller's scope, or a scope inside it
        (intersected with the caller's, so a mistake in resolving can only show less)."""
        ref = self.resolve(requested)
        p, own, own_members = self._p, self._scope, self._members
        if ref == self.ref:
            areas, orgs, members = own.areas, own.orgs, own_members
        else:
            p2, inner, inner_members = self._engine.scope(ref, stale_ok=self._stale_ok)
            if p2 is not p:  # a write landed since this request began: use the new graph
                p, own, own_members = self._engine.scope(self.ref, stale_ok=self._stale_ok)
                p2, inner, inner_members = self._engine.scope(ref, stale_ok=self._stale_ok)
                if p2 is not p:
                    raise StoreUnavailable("数据正在更新，请稍后重试")
            areas, orgs = inner.areas & own.areas, inner.orgs & own.orgs
            members = inner_members & own_members
        return Visible(
            p,
            areas & ~np.array(p.area_external, dtype=bool),
            orgs & ~np.array(p.org_external, dtype=bool),
            members,
        )


def redact_chain(doc: dict[str, Any], seen: Visible) -> dict[str, Any]:
    """Engine.chain's answer with the people outside the caller's scope withheld (a village
    sees that its township cadre exists, not who it is, unless the cadre is in scope)."""
    p = seen.p
    levels = []
    for lv in doc["levels"]:
        area = lv.get("area")
        a = p.area_index.get(area["code"], -1) if area else -1
        out = {
            **lv,
            "area": seen.area_ref(a) if area else None,
            "people": [seen.person(x) for x in lv["people"]],
        }
        if "first_secretaries" in lv:
            out["first_secretaries"] = [
                redact_appointment(x, seen) for x in lv["first_secretaries"]
            ]
        levels.append(out)
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
    for the scope), the references inside it are redacted — but an id that begins with the key
    of a member withheld (a 第一书记 appointment's `member|org|since`) goes with the member."""
    items = []
    for item in doc.get(key, []):
        out = {k: (v if k == "id" else redact_refs(v, seen)) for k, v in item.items()}
        if _names_hidden_member(item, out):
            out["id"] = None
        items.append(out)
    return {**doc, key: items}


def _names_hidden_member(item: dict[str, Any], redacted: dict[str, Any]) -> bool:
    member, ref = item.get("member"), item.get("id")
    return (
        isinstance(member, dict)
        and isinstance(ref, str)
        and isinstance(member.get("id"), str)
        and bool(redacted["member"].get("hidden"))
        and ref.startswith(f"{member['id']}|")
    )


def redact_appointment(appointment: dict[str, Any], seen: Visible) -> dict[str, Any]:
    """A 第一书记 appointment in an answer (the chain's village level): the member withheld
    as any person outside the scope, the org and places as any reference, and the
    appointment's id (`member|org|since`) with the member."""
    out = {k: (v if k == "id" else redact_refs(v, seen)) for k, v in appointment.items()}
    if "member" in appointment:
        out["member"] = seen.person(appointment["member"])
        if out["member"]["hidden"] or (out.get("org") or {}).get("hidden"):
            out["id"] = None
    return out
