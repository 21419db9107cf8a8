"""Contact proposals (docs/rules.md "Contact proposals"): which eligible member should take
which uncovered household, solved per village (or township) as a min-cost maximum flow.

Households of one hamlet are interchangeable for every member, and so are members of one
hamlet with the same load and places, so the flow runs between *classes* (a village of 40
members and 400 open households is a network of a few dozen nodes, not 16,000 pairs) and is
then handed out to members and households in key order. The four objectives of docs/rules.md
become one cost with weights large enough that each dominates everything after it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from orgraph.analysis.context import Ctx
from orgraph.analysis.projection import BoolArray, IntArray, Projection

LOCALITIES = ("hamlet", "village", "township")  # cost 0, 1, 2


@dataclass(frozen=True)
class Places:
    """Per area: its village, hamlet and township (area indices, -1 for none)."""

    village: IntArray
    hamlet: IntArray
    township: IntArray


PLACES_READS = ("area_code", "area_level", "area_parent")  # what places() is computed from


def places(p: Projection) -> Places:
    def make() -> Places:
        n = len(p.area_code)
        up = {lv: np.full(n, -1, dtype=np.int64) for lv in ("village", "hamlet", "township")}
        for a in range(n):
            i = a
            while i >= 0:
                level = p.area_level[i]
                if level in up and up[level][a] < 0:
                    up[level][a] = i
                i = p.area_parent[i]
        return Places(up["village"], up["hamlet"], up["township"])

    found: Places = p.once("proposal_places", make, PLACES_READS)
    return found


@dataclass
class Pair:
    member: int
    household: int
    locality: int  # index into LOCALITIES
    extra: bool = False


@dataclass
class Solution:
    pairs: list[Pair]
    open: IntArray  # household indices
    unplaced: int
    eligible: IntArray  # member indices with a village (places may be 0)
    load: IntArray  # per member (the day's distinct households)
    base: IntArray  # per member
    extra: IntArray  # per member
    member_village: IntArray  # per member, -1
    member_hamlet: IntArray  # per member, -1
    new: dict[int, int] = field(default_factory=dict)  # member → pairs


def _member_places(c: Ctx, pl: Places) -> tuple[IntArray, IntArray]:
    p = c.graph
    nm = len(p.m_key)
    village = np.full(nm, -1, dtype=np.int64)
    hamlet = np.full(nm, -1, dtype=np.int64)
    for m in range(nm):
        if not p.m_branches[m]:
            continue
        home = p.org_home_area[p.m_branches[m][0]]
        if home < 0:
            continue
        v = int(pl.village[home])
        village[m] = v
        homes = [h for h in p.m_households[m] if p.hh_area[h] >= 0]
        if v >= 0 and homes:
            h = min(homes, key=lambda h: p.hh_id[h])
            ham = int(pl.hamlet[p.hh_area[h]])
            if ham >= 0 and pl.village[ham] == v:
                hamlet[m] = ham
    return village, hamlet


def _places(
    p: Projection, load: IntArray, cmax: int, cadre_extra: int
) -> tuple[IntArray, IntArray]:
    """Per member: base places up to contact_max, and extra places for 村两委 members up to
    contact_max + proposal_cadre_extra in all (docs/rules.md)."""
    base = np.maximum(0, cmax - load)
    cadre = np.array(["village_committee" in r for r in p.m_roles], dtype=bool)
    top = np.where(cadre, np.maximum(0, cmax + cadre_extra - load), base)
    return base, (top - base).astype(np.int64)


def household_villages(p: Projection) -> IntArray:
    """Per household: the village of its area (area index, -1 for none); computed once."""

    def make() -> IntArray:
        pl = places(p)
        return np.where(p.hh_area >= 0, pl.village[np.maximum(p.hh_area, 0)], -1)

    found: IntArray = p.once("proposal_household_villages", make, (*PLACES_READS, "hh_area"))
    return found


def scope_villages(c: Ctx, village: IntArray) -> BoolArray:
    """Per entry of `village` (area indices, -1 for none): a village of the scope, i.e. one in
    its areas (docs/rules.md: answers name no area outside the scope)."""
    return np.asarray((village >= 0) & c.scope.areas[np.maximum(village, 0)], dtype=bool)


def member_places(c: Ctx) -> tuple[IntArray, IntArray]:
    """Per member: its village and hamlet (area indices, -1 for none), docs/rules.md."""
    found: tuple[IntArray, IntArray] = c.graph.once(
        "proposal_member_places",
        lambda: _member_places(c, places(c.graph)),
        (*PLACES_READS, "m_key", "m_branches", "org_home_area", "m_households", "hh_area", "hh_id"),
    )
    return found


def solve(c: Ctx) -> Solution:
    p, d, policy = c.graph, c.day, c.policy
    pl = places(p)
    member_village, member_hamlet = member_places(c)
    hh_village = household_villages(p)
    ours = scope_villages(c, hh_village)
    uncovered = c.scope.households(p) & ~d.covered
    open_ = np.flatnonzero(uncovered & ours)
    unplaced = int((uncovered & ~ours).sum())

    eligible = np.flatnonzero(
        c.members & d.at_home & ~d.exempt & p.m_on_roll & scope_villages(c, member_village)
    )
    load = d.member_households
    base, extra = _places(p, load, policy.contact_max, policy.proposal_cadre_extra)

    def part_of(village: int) -> int:
        # Across villages only within a township: a village with none is a part of its own.
        t = int(pl.township[village])
        return t if policy.proposal_cross_village and t >= 0 else village

    houses: dict[int, list[int]] = defaultdict(list)
    for h in open_:
        houses[part_of(int(hh_village[h]))].append(int(h))
    people: dict[int, list[int]] = defaultdict(list)
    for m in eligible:
        if base[m] + extra[m] > 0:
            people[part_of(int(member_village[m]))].append(int(m))

    pairs: list[Pair] = []
    for part in sorted(set(houses) & set(people), key=lambda a: (a < 0, p.area_code[a])):
        pairs += _solve_part(
            p,
            pl,
            houses[part],
            people[part],
            load,
            base,
            extra,
            hh_village,
            member_village,
            member_hamlet,
        )
    pairs.sort(
        key=lambda x: (
            p.area_code[hh_village[x.household]],
            p.m_key[x.member],
            p.hh_id[x.household],
        )
    )
    new: dict[int, int] = defaultdict(int)
    for x in pairs:
        new[x.member] += 1
        # The member's pairs beyond its base places are its last ones in this order.
        x.extra = bool(new[x.member] > base[x.member])
    return Solution(
        pairs,
        open_,
        unplaced,
        eligible,
        load,
        base,
        extra,
        member_village,
        member_hamlet,
        dict(new),
    )


def _solve_part(
    p: Projection,
    pl: Places,
    houses: list[int],
    people: list[int],
    load: IntArray,
    base: IntArray,
    extra: IntArray,
    hh_village: IntArray,
    member_village: IntArray,
    member_hamlet: IntArray,
) -> list[Pair]:
    """One village (or township): classes, the flow, then members and households in order."""
    code = p.area_code
    # Household classes: (village code, hamlet code) → households by id.
    h_cls: dict[tuple[int, int], list[int]] = defaultdict(list)
    for h in sorted(houses, key=lambda h: p.hh_id[h]):
        a = int(p.hh_area[h])
        h_cls[(int(hh_village[h]), int(pl.hamlet[a]))].append(h)
    # Member classes: same village, hamlet, load, base and extra places → members by key.
    m_cls: dict[tuple[int, int, int, int, int], list[int]] = defaultdict(list)
    for m in sorted(people, key=lambda m: p.m_key[m]):
        key = (
            int(member_village[m]),
            int(member_hamlet[m]),
            int(load[m]),
            int(base[m]),
            int(extra[m]),
        )
        m_cls[key].append(m)

    def area_key(a: int) -> tuple[bool, str]:
        return (a < 0, code[a] if a >= 0 else "")

    h_keys = sorted(h_cls, key=lambda k: (area_key(k[0]), area_key(k[1])))
    m_keys = sorted(m_cls, key=lambda k: (area_key(k[0]), area_key(k[1]), k[2], k[3], k[4]))

    def locality(mk: tuple[int, ...], hk: tuple[int, int]) -> int:
        if mk[1] >= 0 and mk[1] == hk[1]:
            return 0
        return 1 if mk[0] == hk[0] else 2

    # Weights: each objective outweighs the whole range of the ones after it.
    total = len(houses)
    top = max(k[2] + k[3] + k[4] for k in m_keys)
    w_loc = total * top + 1
    w_extra = 2 * total * w_loc + total * top + 1

    # Each member class reaches its own hamlet directly (cost 0), any hamlet of its village
    # through the village's node (1), and any of the part's hamlets through the part's node
    # (2); the detour through a node is never cheaper than a direct edge, so an optimum
    # uses each for what it costs, and the network stays small.
    import networkx as nx  # here, not at the top: ~0.1 s of every new process's start

    g = nx.DiGraph()
    villages = sorted({hk[0] for hk in h_keys}, key=area_key)
    for i, mk in enumerate(m_keys):
        n = len(m_cls[mk])
        v, ham, e, b, x = mk
        for k in range(1, b + x + 1):
            g.add_edge("s", ("u", i, k), capacity=n, weight=(w_extra if k > b else 0) + e + k)
            g.add_edge(("u", i, k), ("m", i), capacity=n, weight=0)
        if ham >= 0 and (v, ham) in h_cls:
            g.add_edge(("m", i), ("h", h_keys.index((v, ham))), weight=0)
        if v in villages:
            g.add_edge(("m", i), ("v", v), weight=w_loc)
        if len(villages) > 1 or villages[0] != v:
            g.add_edge(("m", i), "far", weight=2 * w_loc)
    for j, hk in enumerate(h_keys):
        g.add_edge(("v", hk[0]), ("h", j), weight=0)
        if g.has_node("far"):
            g.add_edge("far", ("h", j), weight=0)
        g.add_edge(("h", j), "t", capacity=len(h_cls[hk]), weight=0)
    flow = nx.max_flow_min_cost(g, "s", "t")
    sent = _decompose(flow, m_keys, h_keys)

    queues = {hk: list(reversed(h_cls[hk])) for hk in h_keys}
    out: list[Pair] = []
    for i, mk in enumerate(m_keys):
        slots: list[tuple[int, tuple[int, int]]] = []
        # Own hamlet first, then by locality and code (docs/rules.md: ties by area code).
        for j in sorted(sent[i], key=lambda j: (locality(mk, h_keys[j]), j)):
            slots += [(locality(mk, h_keys[j]), h_keys[j])] * sent[i][j]
        members = m_cls[mk]
        q, r = divmod(len(slots), len(members))
        at = 0
        for rank, m in enumerate(members):
            take = q + (1 if rank < r else 0)
            for loc, hk in slots[at : at + take]:
                out.append(Pair(m, queues[hk].pop(), loc))
            at += take
    return out


def _decompose(
    flow: dict[Any, dict[Any, int]], m_keys: list[Any], h_keys: list[Any]
) -> list[dict[int, int]]:
    """Per member class: households sent to each household class. What reached a village or
    the part's node is handed on in class order; any split costs the same (docs/rules.md)."""
    sent: list[dict[int, int]] = [defaultdict(int) for _ in m_keys]
    pools: dict[Any, list[list[int]]] = {}  # node → [[household class, units left], ...]
    for i in range(len(m_keys)):
        for node, units in sorted(flow.get(("m", i), {}).items(), key=lambda t: str(t[0])):
            if units <= 0:
                continue
            if node[0] == "h":
                sent[i][node[1]] += units
                continue
            if node not in pools:
                pools[node] = [
                    [j, int(flow[node].get(("h", j), 0))]
                    for j in range(len(h_keys))
                    if flow[node].get(("h", j), 0) > 0
                ]
            pool = pools[node]
            while units > 0:
                j, left = pool[0]
                take = min(units, left)
                sent[i][j] += take
                units -= take
                if take == left:
                    pool.pop(0)
                else:
                    pool[0][1] -= take
    return sent


def _why_not_eligible(c: Ctx, m: int, member_village: IntArray) -> str | None:
    p, d = c.graph, c.day
    if not p.m_on_roll[m]:
        return "不在册"
    if d.away[m]:
        return "外出中"
    if d.exempt[m]:
        return "属于免于联户的党员 (年龄或老弱)"
    if member_village[m] < 0 or not c.scope.areas[member_village[m]]:
        return "所在党组织不属于范围内的任何村"
    return None


def check(c: Ctx, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Sort (member key, household id) pairs into new contacts, ones already in place, and
    problems, by the rules of docs/rules.md "Applying"; nothing is written here."""
    p, d, policy = c.graph, c.day, c.policy
    pl = places(p)
    member_village, _ = member_places(c)
    in_scope = c.scope.households(p)
    active = {
        (int(m), int(h))
        for m, h in zip(p.c_member[d.active_contact], p.c_house[d.active_contact], strict=True)
    }
    new: list[tuple[str, str]] = []
    kept: list[tuple[str, str]] = []
    problems: list[dict[str, str]] = []
    taken: dict[int, str] = {}
    count: dict[int, int] = defaultdict(int)

    def problem(mk: str, hk: str, message: str) -> None:
        problems.append({"member": mk, "household": hk, "message": message})

    for mk, hk in pairs:
        m, h = p.m_index.get(mk), p.hh_index.get(hk)
        if m is None or not c.members[m]:
            problem(mk, hk, f"党员“{mk}”不存在或不在范围内")
            continue
        if h is None or not in_scope[h]:
            problem(mk, hk, f"农户“{hk}”不存在或不在范围内")
            continue
        if (m, h) in active:
            kept.append((mk, hk))
            continue
        if h in taken:
            problem(mk, hk, f"农户“{hk}”在本次调整中已分给党员“{taken[h]}”")
            continue
        why = _why_not_eligible(c, m, member_village)
        if why:
            problem(mk, hk, f"党员“{mk}”{why}，不能安排联户")
            continue
        a = int(p.hh_area[h])
        v = int(pl.village[a]) if a >= 0 else -1
        if d.covered[h]:
            problem(mk, hk, f"农户“{hk}”已有在家党员联系")
            continue
        if v < 0 or not c.scope.areas[v]:
            problem(mk, hk, f"农户“{hk}”不属于范围内的任何村")
            continue
        mv = int(member_village[m])
        if v != mv and not (
            policy.proposal_cross_village
            and pl.township[v] >= 0
            and pl.township[v] == pl.township[mv]
        ):
            where = "同一乡镇的村" if policy.proposal_cross_village else "本村"
            problem(mk, hk, f"农户“{hk}”不在党员“{mk}”的{where}")
            continue
        taken[h] = mk
        count[m] += 1
        new.append((mk, hk))
    base, extra = _places(p, d.member_households, policy.contact_max, policy.proposal_cadre_extra)
    for m, n in count.items():
        room = int(base[m] + extra[m])
        if n > room:
            mk = p.m_key[m]
            problem(
                mk,
                "",
                f"党员“{mk}”已联系 {int(d.member_households[m])} 户，再加 {n} 户将超过上限"
                f" (最多还能加 {room} 户)",
            )
    return {"new": new, "kept": kept, "problems": problems}
