"""Cadres for hamlets and party groups without one, and a group for members without one
(docs/rules.md "Cadres for hamlets and party groups", "Members without a group")."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from orgraph.analysis.context import Ctx, Ref
from orgraph.analysis.proposals import member_places, places, scope_villages
from orgraph.analysis.rules import RULES
from orgraph.vocab import GROUP_KINDS

Unit = tuple[str, int]  # ("a", hamlet area) or ("o", group org)


def _unit(c: Ctx, ref: Ref) -> Unit:
    kind, i = ref
    if kind == "o":
        home = c.graph.org_home_area[i]
        if home >= 0 and c.graph.area_level[home] == "hamlet":
            return ("a", home)
    return (kind, i)


def _unit_village(c: Ctx, u: Unit) -> int:
    """The unit's village when it is a village of the scope (in its areas), else -1."""
    pl = places(c.graph)
    area = u[1] if u[0] == "a" else c.graph.org_home_area[u[1]]
    v = int(pl.village[area]) if area >= 0 else -1
    return v if v >= 0 and c.scope.areas[v] else -1


def _unit_id(c: Ctx, u: Unit) -> str:
    return c.graph.area_code[u[1]] if u[0] == "a" else c.graph.org_id[u[1]]


def _unit_brief(c: Ctx, u: Unit) -> dict[str, Any]:
    p = c.graph
    if u[0] == "a":
        return {"id": p.area_code[u[1]], "name": p.area_name[u[1]], "kind": "hamlet"}
    return {"id": p.org_id[u[1]], "name": p.org_name[u[1]], "kind": "group"}


def _loads(c: Ctx) -> dict[int, int]:
    """Per member: distinct units among its active responsibilities to hamlets and groups."""
    p, d = c.graph, c.day
    units: dict[int, set[Unit]] = defaultdict(set)
    for k in np.flatnonzero(d.active_resp):
        m, t = int(p.r_member[k]), int(p.r_target[k])
        if p.r_is_org[k]:
            if p.org_kind[t] in GROUP_KINDS:
                units[m].add(_unit(c, ("o", t)))
        elif p.area_level[t] == "hamlet":
            units[m].add(("a", t))
    return {m: len(u) for m, u in units.items()}


def cadres(c: Ctx) -> dict[str, Any]:
    p, d = c.graph, c.day
    m_village, m_hamlet = member_places(c)
    open_units: dict[Unit, list[Ref]] = defaultdict(list)
    for ref in RULES["hamlet_no_cadre"].find(c):
        open_units[_unit(c, ref)].append(ref)
    loads = _loads(c)
    role = np.array(["village_committee" in r for r in p.m_roles], dtype=bool)
    eligible = np.flatnonzero(
        c.members & p.m_on_roll & d.at_home & role & scope_villages(c, m_village)
    )
    cap = c.policy.cadre_groups_max
    by_village: dict[int, list[int]] = defaultdict(list)
    for m in sorted((int(m) for m in eligible), key=lambda m: p.m_key[m]):
        by_village[int(m_village[m])].append(m)
    units_by_village: dict[int, list[Unit]] = defaultdict(list)
    for u in sorted(open_units, key=lambda u: _unit_id(c, u)):
        units_by_village[_unit_village(c, u)].append(u)

    chosen: dict[Unit, int] = {}
    for v, units in units_by_village.items():
        people = [m for m in by_village.get(v, []) if cap - loads.get(m, 0) > 0]
        if v >= 0 and people:
            chosen.update(_assign(c, units, people, loads, cap, m_hamlet))
    new: dict[int, int] = defaultdict(int)
    for m in chosen.values():
        new[m] += 1

    def village_brief(u: Unit) -> dict[str, Any] | None:
        v = _unit_village(c, u)
        return {"code": p.area_code[v], "name": p.area_name[v]} if v >= 0 else None

    def order(u: Unit) -> tuple[str, str]:
        v = _unit_village(c, u)
        return (p.area_code[v] if v >= 0 else "", _unit_id(c, u))

    items, unassigned = [], []
    for u in sorted(open_units, key=order):
        # the open items are hamlets or groups, named like units
        briefs = [_unit_brief(c, r) for r in open_units[u]]
        targets = sorted(briefs, key=lambda t: (t["kind"], t["id"]))
        if u in chosen:
            m = chosen[u]
            load = loads.get(m, 0)
            ham = u[1] if u[0] == "a" else -1
            items.append(
                {
                    "unit": _unit_brief(c, u),
                    "targets": targets,
                    "village": village_brief(u),
                    "cadre": {"id": p.m_key[m], "name": p.m_name[m]},
                    "locality": "hamlet" if ham >= 0 and m_hamlet[m] == ham else "village",
                    "load_before": load,
                    "load_after": load + new[m],
                }
            )
        else:
            v = _unit_village(c, u)
            reason = "cadres_full" if v >= 0 and by_village.get(v) else "no_cadre"
            unassigned.append(
                {
                    "unit": _unit_brief(c, u),
                    "targets": targets,
                    "village": village_brief(u),
                    "reason": reason,
                }
            )
    return {"items": items, "unassigned": unassigned}


def _assign(
    c: Ctx,
    units: list[Unit],
    people: list[int],
    loads: dict[int, int],
    cap: int,
    m_hamlet: Any,
) -> dict[Unit, int]:
    """Min-cost maximum assignment of units to cadres in one village."""
    top = max(cap, 1) + 1
    w_loc = len(units) * top + 1
    import networkx as nx  # here, not at the top: ~0.1 s of every new process's start

    g = nx.DiGraph()
    for i, m in enumerate(people):
        load = loads.get(m, 0)
        for k in range(1, cap - load + 1):
            g.add_edge("s", ("u", i, k), capacity=1, weight=load + k)
            g.add_edge(("u", i, k), ("m", i), capacity=1, weight=0)
        for j, u in enumerate(units):
            ham = u[1] if u[0] == "a" else -1
            near = ham >= 0 and m_hamlet[m] == ham
            g.add_edge(("m", i), ("x", j), capacity=1, weight=0 if near else w_loc)
    for j in range(len(units)):
        g.add_edge(("x", j), "t", capacity=1, weight=0)
    flow = nx.max_flow_min_cost(g, "s", "t")
    out: dict[Unit, int] = {}
    for i, m in enumerate(people):
        for node, units_sent in flow.get(("m", i), {}).items():
            if units_sent > 0:
                out[units[node[1]]] = m
    return out


def groups(c: Ctx) -> dict[str, Any]:
    p = c.graph
    _, m_hamlet = member_places(c)
    size = np.zeros(len(p.org_id), dtype=np.int64)
    for m, gs in enumerate(p.m_groups):
        if p.m_on_roll[m]:
            for g in set(gs):
                size[g] += 1
    under: dict[int, list[int]] = defaultdict(list)
    for o in sorted(range(len(p.org_id)), key=lambda o: p.org_id[o]):
        if p.org_kind[o] in GROUP_KINDS and not p.org_external[o] and p.org_parent[o] >= 0:
            under[p.org_parent[o]].append(o)
    limit = c.policy.group_max
    items = []
    members = [m for _, m in RULES["member_no_group"].find(c)]
    for m in sorted(members, key=lambda m: p.m_key[m]):
        branch = sorted(set(p.m_branches[m]))[0]
        choices = under.get(branch, [])
        ham = int(m_hamlet[m])
        here = [g for g in choices if ham >= 0 and p.org_home_area[g] == ham and size[g] < limit]
        room = [g for g in choices if size[g] < limit]
        if here:
            group, reason = here[0], "hamlet"
        elif room:
            group, reason = min(room, key=lambda g: (size[g], p.org_id[g])), "smallest"
        else:
            group, reason = -1, "groups_full"
        items.append(
            {
                "member": c.member_brief(m),
                "group": {"id": p.org_id[group], "name": p.org_name[group]} if group >= 0 else None,
                "reason": reason,
                "size_before": int(size[group]) if group >= 0 else None,
            }
        )
        if group >= 0:
            size[group] += 1
    return {"items": items}
