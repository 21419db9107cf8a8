"""Cadre (包组) and group (入组) proposals (docs/rules.md "Cadres for hamlets and party groups",
"Members without a group"), independently of orgraph.analysis.

Over the plain county model, through the basic predicates of oracle.Oracle (scope, members in
scope, at home, home area, active links, and its own `hamlet_no_cadre` / `member_no_group`
items), this module builds the cadre instance of a scope at a date — the open units with their
open items (targets), the eligible cadres with their load and places — and:

- computes the optimum of the three lexicographic objectives per village without any flow
  solver. Within a village every eligible cadre may take every unit, so
  1. the most units assigned is N = min(#units, Σ places);
  2. the most pairs at cost 0 is L = Σ over hamlets h of min(#units of h, Σ places of the
     cadres living in h) (take those first; the rest of the N pairs can go anywhere), so the
     smallest locality cost is N − L;
  3. a vector of per-cadre counts n_c is the count vector of an assignment reaching (N, N − L)
     exactly when 0 ≤ n_c ≤ places, Σ n_c = N, and each hamlet's cadres take at least
     min(#units of h, their places) (their local pairs); the smallest Σ_c Σ_{k≤n_c} (load + k)
     under those constraints is an exact min-plus knapsack over the cadres (per hamlet, then
     across hamlets with the lower bounds).
  `brute_force` enumerates every assignment of a tiny instance; test_oracle_duties.py holds
  `optimum` to it.
- checks the engine's cadre items against the instance (`cadre_problems`): feasibility (same
  village, eligible cadre, at most its places, each open unit exactly once across items and
  unassigned, targets exactly the unit's open items), every field, the order, the unassigned
  reasons, and the objective values per village equal to the optimum. Which optimal proposal
  the engine picks is not specified by docs/rules.md, so no pair is compared beyond that.
- replicates the group placement (deterministic) item by item (`group_items`).

Readings chosen where docs/rules.md leaves room:
- Unassigned units with no village (a party group whose home area has no village, or none)
  sort before every village (a missing village code sorts as the empty text).
- `targets` are compared as a set (their order is not specified); each is
  `{"kind", "id", "name"}` with the `target_kind` of the `hamlet_no_cadre` item.
- `village` of an item is `{"code", "name"}` of the unit's village (null for a unit with none).
- A cadre's load counts every active responsibility to a hamlet or a party group (group or
  temp_group), in the scope or not; responsibilities to villages or townships do not count.
- Eligible cadres are not filtered by age or 老弱 class (the docs' list has no "not exempt").
- "The branch's groups" are the groups directly `UNDER` the member's branch (as "has groups").
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .county_model import GROUP_KINDS, County, Member
from .oracle import Oracle, active

INF = float("inf")
ITEM_FIELDS = ("unit", "targets", "village", "cadre", "locality", "load_before", "load_after")


@dataclass(frozen=True)
class Unit:
    id: str  # a hamlet code, or a group id
    kind: str  # hamlet / group
    name: str
    village: str | None
    hamlet: str | None  # the hamlet of a hamlet unit; None for a lone group
    targets: tuple[tuple[str, str, str], ...]  # open items (kind, id, name), sorted


@dataclass(frozen=True)
class Cadre:
    key: str
    name: str
    village: str
    hamlet: str | None
    load: int
    places: int


@dataclass(frozen=True)
class Objectives:
    """The three objective values; key() is smaller when better."""

    assigned: int
    locality: int
    load: int

    def key(self) -> tuple[int, int, int]:
        return (-self.assigned, self.locality, self.load)


def locality_cost(c: Cadre, u: Unit) -> int:
    return 0 if c.hamlet is not None and c.hamlet == u.hamlet else 1


def objectives(pairs: Iterable[tuple[Cadre, Unit]]) -> Objectives:
    pairs = list(pairs)
    n: dict[str, int] = defaultdict(int)
    loads: dict[str, int] = {}
    for c, _ in pairs:
        n[c.key] += 1
        loads[c.key] = c.load
    load = sum(k * loads[m] + k * (k + 1) // 2 for m, k in n.items())
    return Objectives(len(pairs), sum(locality_cost(c, u) for c, u in pairs), load)


def _min_plus(a: Sequence[float], b: Sequence[float]) -> list[float]:
    out = [INF] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        if x == INF:
            continue
        for j, y in enumerate(b):
            if x + y < out[i + j]:
                out[i + j] = x + y
    return out


def optimum(units: Sequence[Unit], cadres: Sequence[Cadre], worst: bool = False) -> Objectives:
    """The optimal objective values of one village's instance (see the module docstring).

    worst: the largest load objective among the assignments optimal for the first two (when it
    equals the smallest, the third objective decides nothing in this instance)."""
    sign = -1 if worst else 1
    places = sum(c.places for c in cadres)
    n = min(len(units), places)
    per_hamlet: dict[str | None, list[Cadre]] = defaultdict(list)
    for c in cadres:
        per_hamlet[c.hamlet].append(c)
    units_in: dict[str, int] = defaultdict(int)
    for u in units:
        if u.hamlet is not None:
            units_in[u.hamlet] += 1
    local = 0
    total: list[float] = [0]
    for h, group in per_hamlet.items():
        own = min(units_in.get(h, 0), sum(c.places for c in group)) if h is not None else 0
        local += own
        best: list[float] = [0]
        for c in group:
            cost = [sign * (c.load * k + k * (k + 1) // 2) for k in range(c.places + 1)]
            best = _min_plus(best, cost)
        best = [INF if t < own else x for t, x in enumerate(best)]
        total = _min_plus(total, best)
    load = total[n]
    assert load != INF, (units, cadres)
    return Objectives(n, n - local, sign * int(load))


def brute_force(units: Sequence[Unit], cadres: Sequence[Cadre], worst: bool = False) -> Objectives:
    """The optimum by enumerating every assignment (each unit to a cadre or none); worst: as
    for `optimum`."""
    sign = -1 if worst else 1
    best: Objectives | None = None
    for choice in itertools.product(range(-1, len(cadres)), repeat=len(units)):
        taken = [0] * len(cadres)
        for i in choice:
            if i >= 0:
                taken[i] += 1
        if any(t > c.places for t, c in zip(taken, cadres, strict=True)):
            continue
        o = objectives((cadres[i], u) for i, u in zip(choice, units, strict=True) if i >= 0)
        if best is None or (o.key()[:2], sign * o.load) < (best.key()[:2], sign * best.load):
            best = o
    assert best is not None
    return best


@dataclass
class Instance:
    units: dict[str, Unit]  # by unit id
    cadres: dict[str, Cadre]  # eligible cadres by member key (places may be 0)

    def villages(self) -> list[str]:
        vs = {u.village for u in self.units.values() if u.village is not None}
        return sorted(vs | {c.village for c in self.cadres.values()})

    def of_village(self, v: str) -> tuple[list[Unit], list[Cadre]]:
        units = [u for _, u in sorted(self.units.items()) if u.village == v]
        cadres = [c for _, c in sorted(self.cadres.items()) if c.village == v]
        return units, cadres


class DutyOracle:
    def __init__(self, county: County, policy: Mapping[str, Any] | None = None) -> None:
        self.o = Oracle(county, dict(policy or {}))
        self.p = self.o.p

    # -- places ----------------------------------------------------------------------------

    def village(self, area: str | None) -> str | None:
        return self.o.ancestor_at(area, "village") if area is not None else None

    def hamlet(self, area: str | None) -> str | None:
        return self.o.ancestor_at(area, "hamlet") if area is not None else None

    def brief(self, code: str | None) -> dict[str, str] | None:
        return None if code is None else {"code": code, "name": self.o.areas[code].name}

    def member_village(self, m: Member) -> str | None:
        return self.village(self.o.home_area(m))

    def member_hamlet(self, m: Member) -> str | None:
        """The hamlet of the household the member lives in, when it lies in its village."""
        v = self.member_village(m)
        if v is None or m.household is None:
            return None
        h = self.hamlet(self.o.households[m.household].area)
        return h if h is not None and self.village(h) == v else None

    def unit_of_group(self, gid: str) -> str:
        """The unit a party group belongs to: its home area when that is a hamlet, else itself."""
        home = self.o.org_home_area(gid)
        if home is not None and self.o.areas[home].level == "hamlet":
            return home
        return gid

    # -- the cadre instance ----------------------------------------------------------------

    def load(self, m: Member, d: str) -> int:
        units = set()
        for c in self.o.c.contacts:
            if c.member != m.member_no or not active(c.since, c.until, d):
                continue
            if c.target_kind == "hamlet":
                units.add(c.target)
            elif c.target_kind == "group" and self.o.orgs[c.target].kind in GROUP_KINDS:
                units.add(self.unit_of_group(c.target))
        return len(units)

    def instance(self, scope: str | None, d: str) -> Instance:
        areas = self.o.scope(scope).areas

        def ours(v: str | None) -> str | None:
            # docs/rules.md: only a village among the scope's areas is a village of S
            return v if v in areas else None

        targets: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for tid, item in self.o.gaps("hamlet_no_cadre", scope, d).items():
            kind = item["target_kind"]
            uid = tid if kind == "hamlet" else self.unit_of_group(tid)
            targets[uid].append((kind, tid, item["name"]))
        units = {}
        for uid, ts in targets.items():
            if uid in self.o.areas:
                units[uid] = Unit(
                    uid,
                    "hamlet",
                    self.o.areas[uid].name,
                    ours(self.village(uid)),
                    uid,
                    tuple(sorted(ts)),
                )
            else:
                home = self.o.org_home_area(uid)
                units[uid] = Unit(
                    uid,
                    "group",
                    self.o.orgs[uid].name,
                    ours(self.village(home)),
                    None,
                    tuple(sorted(ts)),
                )
        cadres = {}
        cap = self.p["cadre_groups_max"]
        for m in self.o.members_in(self.o.scope(scope)):
            v = ours(self.member_village(m))
            if not self.o.at_home(m, d) or "village_committee" not in m.roles or v is None:
                continue
            e = self.load(m, d)
            cadres[m.member_no] = Cadre(
                m.member_no, m.name, v, self.member_hamlet(m), e, max(0, cap - e)
            )
        return Instance(units, cadres)

    def optima(self, inst: Instance) -> dict[str, Objectives]:
        return {v: optimum(*inst.of_village(v)) for v in inst.villages()}

    # -- checking the engine's cadre proposal ------------------------------------------------

    def cadre_problems(self, inst: Instance, answer: Mapping[str, Any]) -> list[str]:
        """What is wrong with the engine's `cadres` answer for this instance (empty: nothing)."""
        out: list[str] = []
        items, unassigned = answer["items"], answer["unassigned"]
        seen = [it["unit"]["id"] for it in [*items, *unassigned]]
        if sorted(seen) != sorted(inst.units):
            out.append(f"units {sorted(seen)}, open units {sorted(inst.units)}")
        n: dict[str, int] = defaultdict(int)
        for it in items:
            n[it["cadre"]["id"]] += 1
        pairs: dict[str, list[tuple[Cadre, Unit]]] = defaultdict(list)
        for it in items:
            uid, key = it["unit"]["id"], it["cadre"]["id"]
            u, c = inst.units.get(uid), inst.cadres.get(key)
            if u is None:
                out.append(f"item {uid}: not an open unit")
                continue
            out += self._unit_diffs(u, it)
            if c is None:
                out.append(f"item {uid}: {key} is not an eligible cadre")
                continue
            if c.village != u.village:
                out.append(f"item {uid}: cadre {key} of village {c.village}, unit of {u.village}")
            want = {
                "cadre": {"id": c.key, "name": c.name},
                "locality": "hamlet" if locality_cost(c, u) == 0 else "village",
                "load_before": c.load,
                "load_after": c.load + n[key],
            }
            for f, w in want.items():
                if it.get(f) != w:
                    out.append(f"item {uid}: {f} {it.get(f)!r}, oracle {w!r}")
            if set(it) != set(ITEM_FIELDS):
                out.append(f"item {uid}: fields {sorted(it)}")
            if u.village is not None:
                pairs[u.village].append((c, u))
        for key, k in n.items():
            c2 = inst.cadres.get(key)
            if c2 is not None and k > c2.places:
                out.append(f"cadre {key}: {k} units, {c2.places} places")
        for what, listed in (("items", items), ("unassigned", unassigned)):
            order = [self._order(inst, it["unit"]["id"]) for it in listed]
            if order != sorted(order):
                out.append(f"{what} not by village code, unit id: {order}")
        for it in unassigned:
            uid = it["unit"]["id"]
            u = inst.units.get(uid)
            if u is None:
                out.append(f"unassigned {uid}: not an open unit")
                continue
            out += self._unit_diffs(u, it)
            there = [
                c for c in inst.cadres.values() if u.village is not None and c.village == u.village
            ]
            reason = "cadres_full" if there else "no_cadre"
            if it.get("reason") != reason:
                out.append(f"unassigned {uid}: reason {it.get('reason')!r}, oracle {reason!r}")
            if any(n[c.key] < c.places for c in there):
                out.append(f"unassigned {uid}: a cadre of its village still has places")
            if set(it) != {"unit", "targets", "village", "reason"}:
                out.append(f"unassigned {uid}: fields {sorted(it)}")
        for v, best in self.optima(inst).items():
            got = objectives(pairs.get(v, []))
            if got != best:
                out.append(f"village {v}: objectives {got}, optimum {best}")
        return out

    @staticmethod
    def _order(inst: Instance, uid: str) -> tuple[str, str]:
        """Items by the (oracle's) village code of their unit, then unit id; no village first."""
        u = inst.units.get(uid)
        return ((u.village if u is not None else None) or "", uid)

    def _unit_diffs(self, u: Unit, it: Mapping[str, Any]) -> list[str]:
        out = []
        want_unit = {"id": u.id, "name": u.name, "kind": u.kind}
        if it.get("unit") != want_unit:
            out.append(f"unit {u.id}: {it.get('unit')!r}, oracle {want_unit!r}")
        targets = sorted((t["kind"], t["id"], t["name"]) for t in it.get("targets", []))
        if targets != list(u.targets) or any(
            set(t) != {"kind", "id", "name"} for t in it["targets"]
        ):
            out.append(f"unit {u.id}: targets {it.get('targets')!r}, oracle {u.targets!r}")
        if it.get("village") != self.brief(u.village):
            out.append(f"unit {u.id}: village {it.get('village')!r}, oracle {u.village!r}")
        return out

    # -- members without a group -------------------------------------------------------------

    def group_items(self, scope: str | None, d: str) -> list[dict[str, Any]]:
        """The group proposal's items, replicated in member-key order."""
        o = self.o
        limit = self.p["group_max"]
        size: dict[str, int] = defaultdict(int)
        for m in o.c.members:
            if m.on_roll and m.group is not None:
                size[m.group] += 1
        out = []
        for key in sorted(o.gaps("member_no_group", scope, d)):
            m = o.members[key]
            assert m.branch is not None
            groups = sorted(
                g for g in o.org_tree.successors(m.branch) if o.orgs[g].kind in GROUP_KINDS
            )
            ham = self.member_hamlet(m)
            here = [
                g
                for g in groups
                if ham is not None and o.org_home_area(g) == ham and size[g] < limit
            ]
            room = [g for g in groups if size[g] < limit]
            group: str | None
            if here:
                group, reason = here[0], "hamlet"
            elif room:
                group, reason = min(room, key=lambda g: (size[g], g)), "smallest"
            else:
                group, reason = None, "groups_full"
            out.append(
                {
                    "member": {
                        "id": m.member_no,
                        "name": m.name,
                        "branch": {"id": m.branch, "name": o.orgs[m.branch].name},
                    },
                    "group": None if group is None else {"id": group, "name": o.orgs[group].name},
                    "reason": reason,
                    "size_before": None if group is None else size[group],
                }
            )
            if group is not None:
                size[group] += 1
        return out


def group_diffs(got: Sequence[Mapping[str, Any]], want: Sequence[Mapping[str, Any]]) -> list[str]:
    out = []
    if [g["member"]["id"] for g in got] != [w["member"]["id"] for w in want]:
        out.append(
            f"group members {[g['member']['id'] for g in got]}, "
            f"oracle {[w['member']['id'] for w in want]}"
        )
    for g, w in zip(got, want, strict=False):
        if dict(g) != dict(w):
            out.append(f"group item {w['member']['id']}: {dict(g)!r}, oracle {dict(w)!r}")
    return out
