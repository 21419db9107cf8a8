"""An independent implementation of docs/rules.md over the county model (county_model.py).

Nothing here reads the graph or imports orgraph.analysis: every rule, the coverage rollup and
the contact chain are computed from the plain objects the test's roster files were written
from (settled: with the attend / return / transfer actions applied), following docs/rules.md
literally. Trees (areas by PART_OF, orgs by UNDER) are networkx digraphs with edges
parent → child. The members-away rules are in mobile.py.

Readings chosen where docs/rules.md leaves room (each is listed in the oracle's report):
- "a branch has groups": a group directly `UNDER` it.
- An item's `village` / `township` of a household: the village / township area on the path from
  the household's area to the county (the area itself when it is one); for a party group, those
  of its home area (the area served by it or its nearest serving ancestor).
- Contact chain: like the hamlet level of a household filed under a village, the village level
  of a household filed directly under a township is left out.

Members away (mobile.py):
- `destinations`: provinces and cities are listed only where at least one member is; "by
  count, then code" is count descending, code ascending; a city's `branches` are by id and do
  not depend on the scope (like "has a mobile branch").
- `flows`: rows by count descending, then origin code, then city code; members whose home area
  is the county itself have the county as origin; `unplaced` counts the members away in scope
  with no home area or no destination city.
- `lost_contact`: `last_report` is null, like `quiet_days`, for a member not away (there is no
  current episode to report in).
- A mobile branch whose 驻在地 the geocoder cannot place has no `HOSTED_IN`, so it is no mobile
  branch of any city.
- `mobile_cluster_without_branch`: with `cluster_min_full` 0 a city of probationary members
  only has `suggested_secretary` null.
- A member transferred out of the county (off roll, its branch an org outside it) has no home
  area and is in no scope. A transfer moves the member's branch for every D, before the
  transfer date too (BELONGS_TO carries no end date).
- `should_transfer`: a not-fixed word counts anywhere in the employer text ("个体经营户").
- What the import and the services do to the world (county_model.settle): an outflow naming a
  host org attends it from left_on until returned_on; a return or a transfer ends the
  member's open ATTENDS begun at or after the ended episode's departure; a transfer on the
  departure day itself ends no episode (as the service does).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import networkx as nx

from .county_model import GROUP_KINDS, County, Member, settle
from .ledger import FS_RULES, GROUP_RULES, LEDGER_POLICY, LEDGER_RULES, RECT_RULES, LedgerRules
from .life_types import LIFE_POLICY, LIFE_RULE_TYPES
from .mobile import MOBILE_POLICY, MOBILE_RULES, MobileRules

if TYPE_CHECKING:
    from .life import LifeRules

DEFAULT_POLICY: dict[str, Any] = {
    "contact_min": 3,
    "contact_max": 5,
    "exempt_age": 70,
    "cadre_groups_min": 1,
    "cadre_groups_max": 2,
    "group_min": 5,
    "group_max": 15,
    "branch_min_full": 3,
    "branch_max": 50,
    **MOBILE_POLICY,
    **LIFE_POLICY,
    **LEDGER_POLICY,
}

RULE_TYPES = (
    "household_uncovered",
    "household_contact_away",
    "member_contact_load",
    "exempt_member_assigned",
    "township_no_leader",
    "village_no_cadre",
    "hamlet_no_cadre",
    "cadre_group_load",
    "group_size",
    *GROUP_RULES,  # ledger.py (LedgerRules), as the ones below
    "branch_too_small",
    "branch_too_large",
    "member_no_branch",
    "member_multi_branch",
    "member_no_group",
    "rectification_overdue",
    "term_expired",
    *RECT_RULES,
    *FS_RULES,
    *MOBILE_RULES,
    *LIFE_RULE_TYPES,  # life.py (LifeRules)
)

LOAD_BUCKETS = ("0", "1", "2", "3", "4", "5", "6+")
CHAIN_LEVELS = ("household", "hamlet", "village", "township")


def active(since: str | None, until: str | None, d: str) -> bool:
    """Active link at D: (since empty or since <= D) and (until empty or until > D)."""
    return (not since or since <= d) and (not until or until > d)


def age_at(birth: str | None, d: str) -> int | None:
    """Whole years from birth to D; the birthday on D counts."""
    if not birth:
        return None
    years = int(d[:4]) - int(birth[:4])
    if d[5:10] < birth[5:10]:
        years -= 1
    return years


@dataclass(frozen=True)
class Scope:
    areas: frozenset[str]
    orgs: frozenset[str]
    whole: bool


class Oracle(MobileRules):
    def __init__(self, county: County, policy: dict[str, Any] | None = None) -> None:
        self.source = county  # as written (LifeRules settles it again)
        self.c = settle(county)
        county = self.c
        self.p = {**DEFAULT_POLICY, **(policy or {})}
        self.areas = {a.code: a for a in county.areas}
        self.orgs = {o.id: o for o in county.orgs}
        self.members = {m.member_no: m for m in county.members}
        self.households = {h.id: h for h in county.households}
        self.area_tree = nx.DiGraph()
        self.area_tree.add_nodes_from(self.areas)
        for a in county.areas:
            if a.parent is not None:
                self.area_tree.add_edge(a.parent, a.code)
        self.org_tree = nx.DiGraph()
        self.org_tree.add_nodes_from(self.orgs)
        for o in county.orgs:
            if o.parent is not None:
                self.org_tree.add_edge(o.parent, o.id)
        self.county_code = county.county_code
        self._life: LifeRules | None = None
        self._ledger: LedgerRules | None = None

    # -- basic predicates ---------------------------------------------------------------------

    def at_home(self, m: Member, d: str) -> bool:
        return m.on_roll and not self.away(m, d)

    def exempt(self, m: Member, d: str) -> bool:
        if not m.on_roll:
            return False
        age = age_at(m.birth_date, d)
        return (age is not None and age >= self.p["exempt_age"]) or m.mgmt_class == "elderly_weak"

    @staticmethod
    def full(m: Member) -> bool:
        return m.category in (None, "full")

    def branches(self, m: Member) -> list[str]:
        return [m.branch, *m.more_branches] if m.branch is not None else []

    def has_groups(self, org_id: str) -> bool:
        return any(self.orgs[ch].kind in GROUP_KINDS for ch in self.org_tree.successors(org_id))

    def org_home_area(self, org_id: str) -> str | None:
        """The area the org serves, else the nearest ancestor's (via UNDER) that serves one."""
        cur: str | None = org_id
        seen = set()
        while cur is not None and cur not in seen and cur in self.orgs:
            seen.add(cur)
            o = self.orgs[cur]
            if o.area is not None:
                return o.area
            cur = o.parent
        return None

    def home_area(self, m: Member) -> str | None:
        bs = self.branches(m)
        if not bs:
            return None
        return self.org_home_area(min(bs))  # several branches: the smallest org id

    def area_name(self, code: str) -> str:
        return self.areas[code].name

    def subtree(self, code: str) -> set[str]:
        return {code} | cast(set[str], nx.descendants(self.area_tree, code))

    def ancestor_at(self, code: str, level: str) -> str | None:
        cur: str | None = code
        while cur is not None:
            if self.areas[cur].level == level:
                return cur
            cur = self.areas[cur].parent
        return None

    def household_links(self, hid: str, d: str) -> list[Member]:
        """Members of every active contact link to the household (one entry per link)."""
        return [
            self.members[c.member]
            for c in self.c.contacts
            if c.target_kind == "household" and c.target == hid and active(c.since, c.until, d)
        ]

    def contact_households(self, m: Member, d: str) -> set[str]:
        return {
            c.target
            for c in self.c.contacts
            if c.member == m.member_no
            and c.target_kind == "household"
            and active(c.since, c.until, d)
        }

    def responsible(self, target: str, kinds: tuple[str, ...], role: str, d: str) -> list[str]:
        """On-roll members with `role` holding an active responsibility for `target`."""
        out = []
        for c in self.c.contacts:
            if c.target_kind in kinds and c.target == target and active(c.since, c.until, d):
                m = self.members[c.member]
                if m.on_roll and role in m.roles:
                    out.append(m.member_no)
        return sorted(set(out))

    # -- scope ----------------------------------------------------------------------------

    def scope(self, scope: str | None) -> Scope:
        # "The whole county": no scope, a root area, or a root org serving a root area.
        if scope is None:
            areas = self.subtree(self.county_code)
            whole = True
        elif scope in self.areas:
            areas = self.subtree(scope)
            whole = self.areas[scope].parent is None
        elif scope in self.orgs:
            orgs = {scope} | nx.descendants(self.org_tree, scope)
            areas = set()
            for o in orgs:
                a = self.orgs[o].area
                if a is not None:
                    areas |= self.subtree(a)
            top = self.orgs[scope]
            whole = (
                top.parent is None and top.area is not None and self.areas[top.area].parent is None
            )
            if whole:  # the whole county holds every org, attached to an area or not
                orgs = {o.id for o in self.orgs.values() if o.kind != "external"}
            return Scope(frozenset(areas), frozenset(orgs), whole)
        else:
            raise KeyError(scope)
        orgs = set()
        for o in self.orgs.values():
            if o.area is not None and o.area in areas:
                orgs |= {o.id} | nx.descendants(self.org_tree, o.id)
        if whole:  # the whole county holds every org, attached to an area or not
            orgs = {o.id for o in self.orgs.values() if o.kind != "external"}
        return Scope(frozenset(areas), frozenset(orgs), whole)

    def members_in(self, s: Scope) -> list[Member]:
        out = []
        for m in self.c.members:
            bs = self.branches(m)
            if bs:
                if any(b in s.orgs for b in bs):
                    out.append(m)
            elif s.whole or (
                m.household is not None and self.households[m.household].area in s.areas
            ):
                out.append(m)
        return out

    def scope_orgs(self, s: Scope) -> list[Any]:
        return [self.orgs[o] for o in sorted(s.orgs) if self.orgs[o].kind != "external"]

    # -- rules ----------------------------------------------------------------------------

    def gaps(self, rule: str, scope: str | None, d: str) -> dict[str, dict[str, Any]]:
        """Items of one rule by id."""
        if rule in LIFE_RULE_TYPES:
            return self.life.gaps(rule, scope, d)
        if rule in LEDGER_RULES:
            return self.ledger.gaps(rule, scope, d)
        s = self.scope(scope)
        return dict(sorted(getattr(self, "_" + rule)(s, d).items()))

    @property
    def life(self) -> LifeRules:
        """The organisational-life rules (life.LifeRules) over this county and policy."""
        if self._life is None:
            from .life import LifeRules  # life.py builds on this module

            self._life = LifeRules(self.source, self.p, oracle=self)
        return self._life

    @property
    def ledger(self) -> LedgerRules:
        """The 第一书记, 整顿台账 and 党小组 rules (ledger.LedgerRules)."""
        if self._ledger is None:
            self._ledger = LedgerRules(self)
        return self._ledger

    def _household_state(self, hid: str, d: str) -> tuple[bool, int]:
        links = self.household_links(hid, d)
        covered = any(self.at_home(m, d) for m in links)
        # contacts_away: distinct on-roll members who are away and have an active contact.
        away = {m.member_no for m in links if m.on_roll and self.away(m, d)}
        return covered, len(away)

    def _household_item(self, hid: str, n_away: int) -> dict[str, Any]:
        h = self.households[hid]
        v, t = self.ancestor_at(h.area, "village"), self.ancestor_at(h.area, "township")
        return {
            "head_name": h.head_name,
            "area": h.area,
            "village": v,
            "township": t,
            "contacts_away": n_away,
        }

    def _household_uncovered(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        out = {}
        for h in self.c.households:
            if h.area not in s.areas:
                continue
            covered, n_away = self._household_state(h.id, d)
            if not covered:
                out[h.id] = self._household_item(h.id, n_away)
        return out

    def _household_contact_away(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self._household_uncovered(s, d).items() if v["contacts_away"] >= 1}

    def _member_contact_load(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        out = {}
        lo, hi = self.p["contact_min"], self.p["contact_max"]
        for m in self.members_in(s):
            if not self.at_home(m, d) or self.exempt(m, d):
                continue
            # 联户 is a rural duty: one of the member's branches serves a village or hamlet
            # (docs/rules.md, member_contact_load; a member in several branches is rural
            # through any of them, not only through its home area's branch)
            homes = [self.org_home_area(b) for b in self.branches(m)]
            if not any(
                h is not None and self.areas[h].level in ("village", "hamlet") for h in homes
            ):
                continue
            n = len(self.contact_households(m, d))
            if not lo <= n <= hi:
                out[m.member_no] = {
                    "name": m.name,
                    "branch": m.branch,
                    "households": n,
                    "min": lo,
                    "max": hi,
                }
        return out

    def _exempt_member_assigned(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        out = {}
        for m in self.members_in(s):
            if not self.exempt(m, d):
                continue
            n = len(self.contact_households(m, d))
            if n >= 1:
                out[m.member_no] = {
                    "name": m.name,
                    "age": age_at(m.birth_date, d),
                    "mgmt_class": m.mgmt_class,
                    "households": n,
                }
        return out

    def _areas_without(self, s: Scope, level: str, role: str, d: str) -> list[str]:
        return [
            a
            for a in sorted(s.areas)
            if self.areas[a].level == level and not self.responsible(a, (level,), role, d)
        ]

    def _township_no_leader(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        return {
            a: {"name": self.areas[a].name}
            for a in self._areas_without(s, "township", "county_leader", d)
        }

    def _village_no_cadre(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        return {
            a: {"name": self.areas[a].name, "township": self.ancestor_at(a, "township")}
            for a in self._areas_without(s, "village", "township_cadre", d)
        }

    def _hamlet_no_cadre(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {
            a: {
                "target_kind": "hamlet",
                "name": self.areas[a].name,
                "village": self.ancestor_at(a, "village"),
            }
            for a in self._areas_without(s, "hamlet", "village_committee", d)
        }
        for o in self.scope_orgs(s):
            if o.kind in GROUP_KINDS and not self.responsible(
                o.id, ("group",), "village_committee", d
            ):
                home = self.org_home_area(o.id)
                out[o.id] = {
                    "target_kind": "group",
                    "name": o.name,
                    "village": self.ancestor_at(home, "village") if home else None,
                }
        return out

    def _cadre_group_load(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        out = {}
        lo, hi = self.p["cadre_groups_min"], self.p["cadre_groups_max"]
        for m in self.members_in(s):
            if not m.on_roll or "village_committee" not in m.roles:
                continue
            if not any(self.has_groups(b) for b in self.branches(m)):
                continue
            groups = {
                c.target
                for c in self.c.contacts
                if c.member == m.member_no
                and c.target_kind == "group"
                and active(c.since, c.until, d)
            }
            if not lo <= len(groups) <= hi:
                out[m.member_no] = {"name": m.name, "branch": m.branch, "groups": len(groups)}
        return out

    def _group_size(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        out = {}
        lo, hi = self.p["group_min"], self.p["group_max"]
        for o in self.scope_orgs(s):
            if o.kind not in GROUP_KINDS:
                continue
            n = sum(1 for m in self.c.members if m.on_roll and m.branch and m.group == o.id)
            if not lo <= n <= hi:
                out[o.id] = {"name": o.name, "branch": o.parent, "members": n}
        return out

    def _branch_members(self, oid: str) -> list[Member]:
        return [m for m in self.c.members if m.on_roll and oid in self.branches(m)]

    def _branch_too_small(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        out = {}
        for o in self.scope_orgs(s):
            if o.kind != "branch":
                continue
            ms = self._branch_members(o.id)
            full = sum(1 for m in ms if self.full(m))
            if full < self.p["branch_min_full"]:
                out[o.id] = {"name": o.name, "full_members": full, "members": len(ms)}
        return out

    def _branch_too_large(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        out = {}
        for o in self.scope_orgs(s):
            if o.kind not in ("branch", "joint_branch"):
                continue
            n = len(self._branch_members(o.id))
            if n > self.p["branch_max"]:
                out[o.id] = {"name": o.name, "members": n}
        return out

    def _member_no_branch(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        return {
            m.member_no: {"name": m.name}
            for m in self.members_in(s)
            if m.on_roll and not self.branches(m)
        }

    def _member_multi_branch(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        return {
            m.member_no: {"name": m.name, "branches": self.branches(m)}
            for m in self.members_in(s)
            if m.on_roll and len(self.branches(m)) >= 2
        }

    def _member_no_group(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        out = {}
        for m in self.members_in(s):
            bs = self.branches(m)
            if m.on_roll and len(bs) == 1 and self.has_groups(bs[0]) and m.group is None:
                out[m.member_no] = {"name": m.name, "branch": bs[0]}
        return out

    def _rectification_overdue(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        # Every episode (the org columns' and the 整顿台账's), keyed `org|opened_on`.
        out = {}
        for e in self.ledger.episodes():
            o, deadline = self.orgs[e["org"]], e["deadline"]
            if o.id in s.orgs and e["status"] != "done" and deadline and deadline < d:
                days = (dt.date.fromisoformat(d) - dt.date.fromisoformat(deadline)).days
                out[self.ledger.rect_key(e)] = {
                    "name": o.name,
                    "deadline": deadline,
                    "days_overdue": days,
                }
        return out

    def _term_expired(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        return {
            o.id: {"name": o.name, "kind": o.kind, "term_end": o.term_end}
            for o in self.scope_orgs(s)
            if o.kind not in GROUP_KINDS and o.term_end and o.term_end < d
        }

    def summary(self, scope: str | None, d: str) -> dict[str, int]:
        return {t: len(self.gaps(t, scope, d)) for t in RULE_TYPES}

    # -- coverage -------------------------------------------------------------------------

    def figures(self, areas: set[str] | frozenset[str], d: str) -> dict[str, Any]:
        """Coverage figures over a set of areas (an area's subtree, or a scope's areas)."""
        hh = [h for h in self.c.households if h.area in areas]
        covered = 0
        uncovered_away = 0
        for h in hh:
            cov, n_away = self._household_state(h.id, d)
            covered += cov
            uncovered_away += (not cov) and n_away >= 1
        members = [m for m in self.c.members if m.on_roll and self.home_area(m) in areas]
        home = [m for m in members if not self.away(m, d)]
        load: Counter[str] = Counter({b: 0 for b in LOAD_BUCKETS})
        for m in home:
            if self.exempt(m, d):
                continue
            n = len(self.contact_households(m, d))
            load["6+" if n >= 6 else str(n)] += 1
        return {
            "households": len(hh),
            "covered": covered,
            "coverage": covered / len(hh) if hh else None,
            "members": len(members),
            "members_home": len(home),
            "members_away": len(members) - len(home),
            "load": dict(load),
            "uncovered_contact_away": uncovered_away,
            **self.away_figures(areas, d),
        }

    def coverage_row(self, code: str, d: str) -> dict[str, Any]:
        a = self.areas[code]
        return {
            "code": code,
            "name": a.name,
            "level": a.level,
            **self.figures(self.subtree(code), d),
        }

    def coverage(self, scope: str | None, level: str, d: str) -> list[dict[str, Any]]:
        """The scope's own row first, then the areas at `level` inside it, by code.

        The scope's own row: the row of its top area (the area itself for an area scope, the
        county by default) when it has exactly one; otherwise (an org scope serving several
        disjoint subtrees, or none) a row named after the org (`level` "org") whose figures
        cover all the scope's areas. Top areas are not listed again below it.
        """
        s = self.scope(scope)
        tops = sorted(a for a in s.areas if self.areas[a].parent not in s.areas)
        if len(tops) == 1:
            head = self.coverage_row(tops[0], d)
        else:
            assert scope in self.orgs, scope
            head = {
                "code": scope,
                "name": self.orgs[scope].name,
                "level": "org",
                **self.figures(s.areas, d),
            }
        rows = [head]
        rows += [
            self.coverage_row(a, d)
            for a in sorted(s.areas)
            if self.areas[a].level == level and a not in tops
        ]
        return rows

    # -- contact chain --------------------------------------------------------------------

    def chain(self, hid: str, d: str) -> dict[str, Any]:
        h = self.households[hid]
        levels: list[tuple[str, list[str]]] = []
        links = self.household_links(hid, d)
        levels.append(("household", sorted({m.member_no for m in links if self.at_home(m, d)})))
        if self.areas[h.area].level == "hamlet":
            levels.append(("hamlet", self.responsible(h.area, ("hamlet",), "village_committee", d)))
        # Like the hamlet level, a level whose area is not above the household is left out.
        village = self.ancestor_at(h.area, "village")
        if village is not None:
            levels.append(("village", self.responsible(village, ("village",), "township_cadre", d)))
        township = self.ancestor_at(h.area, "township")
        if township is not None:
            levels.append(
                ("township", self.responsible(township, ("township",), "county_leader", d))
            )
        broken = next((lvl for lvl, people in levels if not people), None)
        return {
            "household": hid,
            "levels": [{"level": lvl, "people": p} for lvl, p in levels],
            "broken_at": broken,
        }
