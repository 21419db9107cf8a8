"""Contact proposals (docs/rules.md "Contact proposals"), independently of orgraph.analysis.

Over the plain county model, through the basic predicates of oracle.Oracle (scope, members in
scope, at home, exempt, home area, active contacts, covered households), this module builds the
proposal instance of a scope at a date (open households, unplaced ones, eligible members with
their load, base and extra places, candidate pairs with their locality) and computes:

- the optimum of the four lexicographic objectives, per independent part (a village, or a
  township with `proposal_cross_village`), as a min-cost maximum flow over the *pairs*
  (networkx; scipy is not installed): source → household (1) → member (1, locality cost) →
  the member's k-th new place (1, cost e+k, plus a weight for an extra place) → sink. The
  weights make each objective outweigh the whole range of the ones after it; the objective
  values are then recomputed from the pairs the flow chose. `brute_force` enumerates every
  proposal of a tiny instance and checks this solver in test_oracle_proposals.py;
- the problems of a proposal the engine returns (feasibility, item fields, order, `extra`,
  loads, locality);
- the "what it takes" rows (village, township, scope) from a proposal's pairs.

Readings chosen where docs/rules.md leaves room:
- The village rows: the villages among the scope's areas that the scope's households or
  eligible members have (docs/rules.md "villages of S"); a township is named only when it is
  among the scope's areas.
- With `proposal_cross_village`, two villages are neighbours only when both have a township and
  it is the same one; villages with no township are parts of their own.
- A village with no township is summed into the scope's row but into no township row; its row
  has `township` null.
- `contact_max_needed` counts every eligible member of the village (also those with no places).
"""

from __future__ import annotations

import copy
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from .county_model import Contact, County
from .oracle import Oracle, Scope

LOCALITY_COST = {"hamlet": 0, "village": 1, "township": 2}
PROPOSAL_POLICY: dict[str, Any] = {"proposal_cross_village": False, "proposal_cadre_extra": 0}
SUMMED = (
    "households",
    "covered_before",
    "open",
    "proposed",
    "covered_after",
    "members_eligible",
    "base_places",
    "remaining",
    "members_needed",
)

Pair = tuple[str, str]  # (member key, household id)


@dataclass(frozen=True)
class Open:
    id: str
    village: str
    hamlet: str | None
    township: str | None


@dataclass(frozen=True)
class Eligible:
    key: str
    village: str
    hamlet: str | None
    township: str | None
    load: int
    base: int
    extra: int

    @property
    def places(self) -> int:
        return self.base + self.extra


@dataclass(frozen=True, order=True)
class Objectives:
    """The four objective values of a proposal (objective 1 is maximised, the others
    minimised)."""

    pairs: int
    extra: int
    locality: int
    load: int

    def better_than(self, other: Objectives) -> bool:
        return (-self.pairs, self.extra, self.locality, self.load) < (
            -other.pairs,
            other.extra,
            other.locality,
            other.load,
        )


@dataclass
class Instance:
    d: str
    scope: Scope
    cross_village: bool
    contact_max: int
    # Every household of the scope: id → (its village or None, covered at D).
    households: dict[str, tuple[str | None, bool]]
    open: dict[str, Open]
    unplaced: int
    members: dict[str, Eligible]  # every eligible member (places may be 0)

    def part(self, village: str, township: str | None) -> tuple[str, str]:
        if self.cross_village and township is not None:
            return ("township", township)
        return ("village", village)

    def locality(self, m: Eligible, h: Open) -> str | None:
        """The pair's locality, or None when (m, h) is no candidate pair."""
        if m.places <= 0:
            return None
        if m.village == h.village:
            return "hamlet" if m.hamlet is not None and m.hamlet == h.hamlet else "village"
        if self.cross_village and m.township is not None and m.township == h.township:
            return "township"
        return None

    def parts(self) -> dict[tuple[str, str], tuple[list[Eligible], list[Open]]]:
        out: dict[tuple[str, str], tuple[list[Eligible], list[Open]]] = defaultdict(
            lambda: ([], [])
        )
        for m in self.members.values():
            out[self.part(m.village, m.township)][0].append(m)
        for h in self.open.values():
            out[self.part(h.village, h.township)][1].append(h)
        return dict(out)

    def objectives(self, pairs: Iterable[Pair]) -> Objectives:
        """The objective values of a (feasible) set of pairs."""
        n: dict[str, int] = defaultdict(int)
        loc = 0
        count = 0
        for mk, hk in pairs:
            count += 1
            n[mk] += 1
            where = self.locality(self.members[mk], self.open[hk])
            assert where is not None, (mk, hk)
            loc += LOCALITY_COST[where]
        extra = sum(max(0, k - self.members[mk].base) for mk, k in n.items())
        load = sum(sum(self.members[mk].load + i for i in range(1, k + 1)) for mk, k in n.items())
        return Objectives(count, extra, loc, load)


def solve(
    members: Sequence[Eligible], households: Sequence[Open], inst: Instance
) -> tuple[Objectives, list[Pair]]:
    """An optimal proposal of one part, by a min-cost maximum flow over its pairs."""
    cand = {
        (m.key, h.id): LOCALITY_COST[loc]
        for m in members
        for h in households
        if (loc := inst.locality(m, h)) is not None
    }
    if not cand:
        return Objectives(0, 0, 0, 0), []
    # Weights: the load objective is below b4 for any proposal, the locality objective below
    # 2 * |households| + 1; each weight exceeds everything the later objectives can add up to.
    b4 = sum(m.load + k for m in members for k in range(1, m.places + 1)) + 1
    w3 = b4
    w2 = 2 * len(households) * w3 + b4
    g: Any = nx.DiGraph()
    g.add_node("s")
    g.add_node("t")
    for (mk, hk), cost in cand.items():
        g.add_edge("s", ("h", hk), capacity=1, weight=0)
        g.add_edge(("h", hk), ("m", mk), capacity=1, weight=cost * w3)
    for m in members:
        for k in range(1, m.places + 1):
            w = (w2 if k > m.base else 0) + m.load + k
            g.add_edge(("m", m.key), ("u", m.key, k), capacity=1, weight=w)
            g.add_edge(("u", m.key, k), "t", capacity=1, weight=0)
    flow = nx.max_flow_min_cost(g, "s", "t")
    pairs = sorted(
        (node[1], hk)
        for hk in {hk for (_, hk) in cand}
        for node, f in flow[("h", hk)].items()
        if f > 0
    )
    found = inst.objectives(pairs)
    cost = nx.cost_of_flow(g, flow)
    assert cost == w2 * found.extra + w3 * found.locality + found.load, (cost, found)
    return found, pairs


def brute_force(
    members: Sequence[Eligible], households: Sequence[Open], inst: Instance
) -> Objectives:
    """The lexicographic optimum by enumerating every proposal (tiny instances only)."""
    options: list[list[str | None]] = [
        [None, *(m.key for m in members if inst.locality(m, h) is not None)] for h in households
    ]
    places = {m.key: m.places for m in members}
    best = Objectives(0, 0, 0, 0)
    for choice in itertools.product(*options):
        taken: dict[str, int] = defaultdict(int)
        for mk in choice:
            if mk is not None:
                taken[mk] += 1
        if any(k > places[mk] for mk, k in taken.items()):
            continue
        got = inst.objectives(
            (mk, h.id) for mk, h in zip(choice, households, strict=True) if mk is not None
        )
        if got.better_than(best):
            best = got
    return best


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


class ProposalOracle:
    def __init__(self, county: County, policy: Mapping[str, Any] | None = None) -> None:
        self.o = Oracle(county, {**PROPOSAL_POLICY, **(policy or {})})
        self.p = self.o.p

    # -- places ---------------------------------------------------------------------------

    def village(self, area: str | None) -> str | None:
        return None if area is None else self.o.ancestor_at(area, "village")

    def hamlet(self, area: str | None) -> str | None:
        return None if area is None else self.o.ancestor_at(area, "hamlet")

    def township(self, area: str | None) -> str | None:
        return None if area is None else self.o.ancestor_at(area, "township")

    def brief(self, code: str | None) -> dict[str, str] | None:
        return None if code is None else {"code": code, "name": self.o.area_name(code)}

    # -- the instance ---------------------------------------------------------------------

    def instance(self, scope: str | None, d: str) -> Instance:
        o = self.o
        s = o.scope(scope)
        households: dict[str, tuple[str | None, bool]] = {}
        opens: dict[str, Open] = {}
        unplaced = 0
        for h in o.c.households:
            if h.area not in s.areas:
                continue
            covered, _ = o._household_state(h.id, d)
            v = self.village(h.area)
            # docs/rules.md: only the villages among the scope's areas count (no area outside
            # the scope is named); the others' uncovered households are unplaced.
            v = v if v in s.areas else None
            households[h.id] = (v, covered)
            if covered:
                continue
            if v is None:
                unplaced += 1
            else:
                opens[h.id] = Open(h.id, v, self.hamlet(h.area), self.township(h.area))
        members: dict[str, Eligible] = {}
        cmax = self.p["contact_max"]
        for m in o.members_in(s):
            if not m.on_roll or not o.at_home(m, d) or o.exempt(m, d):
                continue
            v = self.village(o.home_area(m))
            if v is None or v not in s.areas:
                continue
            ham = None
            if m.household is not None:
                hh = self.hamlet(o.households[m.household].area)
                if hh is not None and self.village(hh) == v:
                    ham = hh
            e = len(o.contact_households(m, d))
            base = max(0, cmax - e)
            # docs/rules.md: a 村两委 member may go up to contact_max + proposal_cadre_extra.
            top = cmax + self.p["proposal_cadre_extra"] if "village_committee" in m.roles else cmax
            extra = max(0, top - e) - base
            members[m.member_no] = Eligible(m.member_no, v, ham, self.township(v), e, base, extra)
        return Instance(
            d,
            s,
            bool(self.p["proposal_cross_village"]),
            cmax,
            households,
            opens,
            unplaced,
            members,
        )

    def optimum(self, inst: Instance) -> dict[tuple[str, str], tuple[Objectives, list[Pair]]]:
        """Per part: the optimal objective values and one optimal proposal."""
        return {part: solve(ms, hs, inst) for part, (ms, hs) in sorted(inst.parts().items())}

    def by_part(self, inst: Instance, pairs: Sequence[Pair]) -> dict[tuple[str, str], Objectives]:
        """The objective values of a feasible proposal, per part (every part of the
        instance, also those without pairs)."""
        grouped: dict[tuple[str, str], list[Pair]] = {part: [] for part in inst.parts()}
        for mk, hk in pairs:
            h = inst.open[hk]
            grouped[inst.part(h.village, h.township)].append((mk, hk))
        return {part: inst.objectives(ps) for part, ps in sorted(grouped.items())}

    # -- the engine's items ---------------------------------------------------------------

    def item_problems(self, inst: Instance, items: Sequence[Mapping[str, Any]]) -> list[str]:
        """What is wrong with the engine's items, as readable lines (empty: a feasible
        proposal whose every field is as docs/rules.md says)."""
        o = self.o
        out: list[str] = []
        pairs = [(it["member"]["id"], it["household"]["id"]) for it in items]
        n: dict[str, int] = defaultdict(int)
        seen: set[str] = set()
        ok = True
        for mk, hk in pairs:
            where = f"pair ({mk}, {hk})"
            if mk not in inst.members:
                out.append(f"{where}: member not eligible")
                ok = False
                continue
            if hk not in inst.open:
                out.append(f"{where}: household not open")
                ok = False
                continue
            if inst.locality(inst.members[mk], inst.open[hk]) is None:
                out.append(f"{where}: not a candidate pair")
                ok = False
            if hk in seen:
                out.append(f"{where}: household proposed twice")
                ok = False
            seen.add(hk)
            n[mk] += 1
        for mk, k in sorted(n.items()):
            if mk in inst.members and k > inst.members[mk].places:
                out.append(f"member {mk}: {k} pairs > {inst.members[mk].places} places")
                ok = False
        if not ok:
            return out
        order = [(inst.open[hk].village, mk, hk) for mk, hk in pairs]
        if order != sorted(order) or len(set(order)) != len(order):
            out.append("items not sorted by (village code, member key, household id)")
        rank: dict[str, int] = defaultdict(int)
        for it, (mk, hk) in zip(items, pairs, strict=True):
            m, h = inst.members[mk], inst.open[hk]
            rank[mk] += 1
            model = o.members[mk]
            branch = o.orgs.get(model.branch or "")
            want = {
                "member": {
                    "id": mk,
                    "name": model.name,
                    "branch": None if branch is None else {"id": branch.id, "name": branch.name},
                },
                "household": {"id": hk, "head_name": o.households[hk].head_name},
                "village": self.brief(h.village),
                "hamlet": self.brief(h.hamlet),
                "member_hamlet": self.brief(m.hamlet),
                "locality": inst.locality(m, h),
                "extra": rank[mk] > m.base,
                "load_before": m.load,
                "load_after": m.load + n[mk],
            }
            for field, v in want.items():
                if it.get(field) != v:
                    out.append(f"pair ({mk}, {hk}): {field} is {it.get(field)!r}, docs say {v!r}")
            if set(it) != set(want):
                out.append(f"pair ({mk}, {hk}): fields {sorted(it)} != {sorted(want)}")
        return out

    # -- what it takes --------------------------------------------------------------------

    def rows(
        self, inst: Instance, pairs: Sequence[Pair]
    ) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
        """(scope row, township rows, village rows) with `proposed` from these pairs."""
        cmax = inst.contact_max
        villages: set[str] = {v for v, _ in inst.households.values() if v is not None}
        villages |= {m.village for m in inst.members.values()}
        figures: dict[str, dict[str, Any]] = {v: dict.fromkeys(SUMMED, 0) for v in villages}
        loads: dict[str, list[int]] = {v: [] for v in villages}
        for v, covered in inst.households.values():
            if v is not None:
                figures[v]["households"] += 1
                figures[v]["covered_before"] += covered
        for h in inst.open.values():
            figures[h.village]["open"] += 1
        for _, hk in pairs:
            figures[inst.open[hk].village]["proposed"] += 1
        for m in inst.members.values():
            figures[m.village]["members_eligible"] += 1
            figures[m.village]["base_places"] += m.base
            loads[m.village].append(m.load)
        vrows: list[dict[str, Any]] = []
        for v in sorted(villages):
            f = figures[v]
            f["covered_after"] = f["covered_before"] + f["proposed"]
            f["remaining"] = f["open"] - f["proposed"]
            f["members_needed"] = -(-f["remaining"] // cmax) if f["remaining"] > 0 else 0
            needed = None
            if f["remaining"] > 0 and loads[v]:
                c = cmax + 1
                while sum(max(0, c - e) for e in loads[v]) < f["open"]:
                    c += 1
                needed = c
            f["contact_max_needed"] = needed
            if f["remaining"] > 0:
                f["shortfall"] = "structural"
            elif f["open"] > 0:
                f["shortfall"] = "organisational"
            else:
                f["shortfall"] = "none"
            vrows.append(
                {
                    "code": v,
                    "name": self.o.area_name(v),
                    "level": "village",
                    # only a township among the scope's areas is named
                    "township": self.brief(t)
                    if (t := self.township(v)) in inst.scope.areas
                    else None,
                    **self._ratios(f),
                }
            )
        by_township: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in vrows:
            if r["township"] is not None:
                by_township[r["township"]["code"]].append(r)
        trows = [
            {
                "code": t,
                "name": self.o.area_name(t),
                "level": "township",
                **self._sum(rs),
            }
            for t, rs in sorted(by_township.items())
        ]
        total = {**self._sum(vrows), "unplaced": inst.unplaced}
        return total, trows, vrows

    @staticmethod
    def _ratios(f: dict[str, Any]) -> dict[str, Any]:
        return {
            **f,
            "coverage_before": _ratio(f["covered_before"], f["households"]),
            "coverage_after": _ratio(f["covered_after"], f["households"]),
        }

    def _sum(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        f: dict[str, Any] = {k: sum(r[k] for r in rows) for k in SUMMED}
        needed = [r["contact_max_needed"] for r in rows if r["contact_max_needed"] is not None]
        f["contact_max_needed"] = max(needed) if needed else None
        kinds = {r["shortfall"] for r in rows}
        f["shortfall"] = (
            "structural"
            if "structural" in kinds
            else "organisational"
            if "organisational" in kinds
            else "none"
        )
        return self._ratios(f)


def with_contacts(county: County, pairs: Iterable[Pair], since: str) -> County:
    """The county after writing the pairs as contacts from `since` with no end (the upsert
    keys a contact by member, household and since: an existing one is reopened)."""
    c = copy.deepcopy(county)
    for mk, hk in pairs:
        same = [
            x
            for x in c.contacts
            if (x.member, x.target_kind, x.target, x.since) == (mk, "household", hk, since)
        ]
        if same:
            same[0].until = None
        else:
            c.contacts.append(Contact(mk, "household", hk, since, None))
    return c


def row_diffs(what: str, got: Mapping[str, Any], want: Mapping[str, Any]) -> list[str]:
    """Field-by-field differences of one row (`township` absent counts as null)."""
    out = []
    for k in sorted(set(got) | set(want)):
        g = got.get(k)
        if k not in want:
            out.append(f"{what}: unexpected field {k}={g!r}")
        elif g != want[k] or (k not in got and k != "township"):
            out.append(f"{what}: {k} is {g!r}, oracle says {want[k]!r}")
    return out
