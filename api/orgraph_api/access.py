"""Who may see what: the caller's scope as masks over the current projection.

A user's scope is an area code or an org id (docs/api.md#scope-who-sees-what). Every object
is checked against it: an area or org by the scope's masks, a member by the engine's
members-in-scope mask, a household by its area. Anything outside answers 404 with the same
words as an object that does not exist, so a probe learns nothing about other parts of the
county.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from orgraph.analysis.engine import Engine
from orgraph.analysis.projection import Projection
from orgraph.analysis.scope import Scope, resolve
from orgraph.errors import NotFound, StoreUnavailable
from orgraph.records.visibility import Visible


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, as the user store knows it now."""

    username: str
    role: str
    scope: str
    display_name: str | None
    client: str | None  # remote address, for the audit log


def outside(what: str, ref: str) -> NotFound:
    return NotFound(f"{what}“{ref}”不存在或不在您的管辖范围内")


class View:
    """The caller's scope resolved against one projection (one per request)."""

    def __init__(self, engine: Engine, principal: Principal) -> None:
        self.engine = engine
        self.principal = principal
        try:
            p, scope, members = engine.scope(principal.scope)
        except NotFound:
            # The user's own area or org is gone (re-imported tree): they see nothing.
            raise outside("您的管辖范围", principal.scope) from None
        self.p: Projection = p
        self.scope: Scope = scope
        self.members: Any = members  # bool mask over p.m_key

    # -- scopes -----------------------------------------------------------------------------

    def resolve(self, requested: str | None) -> str:
        """The scope ref to answer for: the caller's own by default, or one inside it."""
        if requested is None or requested == "" or requested == self.principal.scope:
            return self.principal.scope
        try:
            # Resolved on this view's projection, so both masks index the same entities.
            inner = resolve(self.p, requested)
        except NotFound:
            raise outside("范围", requested) from None
        if (inner.areas & ~self.scope.areas).any() or (inner.orgs & ~self.scope.orgs).any():
            raise outside("范围", requested)
        return requested

    # -- single objects ---------------------------------------------------------------------

    def area(self, code: str) -> int:
        a = self.p.area_index.get(code)
        if a is None or self.p.area_external[a] or not self.scope.areas[a]:
            raise outside("区划", code)
        return a

    def org(self, org_id: str) -> int:
        o = self.p.org_index.get(org_id)
        if o is None or self.p.org_external[o] or not self.scope.orgs[o]:
            raise outside("党组织", org_id)
        return o

    def member(self, key: str) -> int:
        m = self.p.m_index.get(key)
        if m is None or not self.members[m]:
            raise outside("党员", key)
        return m

    def household(self, household_id: str) -> int:
        h = self.p.hh_index.get(household_id)
        if h is None or not self.household_visible(h):
            raise outside("农户", household_id)
        return h

    # -- masks ------------------------------------------------------------------------------

    def household_visible(self, h: int) -> bool:
        a = int(self.p.hh_area[h])
        return a >= 0 and bool(self.scope.areas[a])

    def member_visible(self, m: int) -> bool:
        return bool(self.members[m])

    def area_visible(self, a: int) -> bool:
        return a >= 0 and bool(self.scope.areas[a]) and not self.p.area_external[a]

    def org_visible(self, o: int) -> bool:
        return o >= 0 and bool(self.scope.orgs[o]) and not self.p.org_external[o]

    def households_mask(self) -> Any:
        return np.asarray(self.scope.households(self.p), dtype=bool)

    # -- what a caller sees -----------------------------------------------------------------

    def seen(self, requested: str | None = None) -> Visible:
        """Masks of what this answer may show: the caller's scope, or a scope inside it
        (intersected with the caller's, so a mistake in resolving can only show less)."""
        ref = self.resolve(requested)
        p, own, own_members = self.p, self.scope, self.members
        if ref == self.principal.scope:
            areas, orgs, members = own.areas, own.orgs, own_members
        else:
            p2, inner, inner_members = self.engine.scope(ref)
            if p2 is not p:  # a write landed since this request began: use the new graph
                p, own, own_members = self.engine.scope(self.principal.scope)
                p2, inner, inner_members = self.engine.scope(ref)
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
