"""A scope (an area code or an org id) as masks over the projection's areas, orgs, members."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from orgraph.analysis.projection import BoolArray, Projection
from orgraph.errors import NotFound


@dataclass
class Scope:
    ref: str | None  # as given; None = the whole county
    label: str  # what answers call it: the code or id, or the county's code
    areas: BoolArray
    orgs: BoolArray
    whole: bool

    def members(self, p: Projection) -> BoolArray:
        """Members whose branch is in scope; branchless ones by where they live (or all)."""
        # Column-wise over the flattened lists (a loop over a city's 80k members took 65 ms).
        n = len(p.m_key)
        owner, branch = _flat(p.m_branches, n)
        out = np.zeros(n, dtype=bool)
        out[owner[self.orgs[branch]]] = True
        branchless = np.ones(n, dtype=bool)
        branchless[owner] = False
        if self.whole:
            return out | branchless
        owner, house = _flat(p.m_households, n)
        area = np.asarray(p.hh_area)[house]
        lives_in = np.zeros(n, dtype=bool)
        # a household of no known area (-1) is in no scope's areas (the loop this replaced
        # read -1 as the last area)
        lives_in[owner[(area >= 0) & self.areas[area]]] = True
        return out | (branchless & lives_in)

    def households(self, p: Projection) -> BoolArray:
        if not len(p.hh_area):
            return np.zeros(0, dtype=bool)
        return np.asarray(self.areas[p.hh_area] & (p.hh_area >= 0), dtype=bool)

    def within(self, outer: Scope) -> bool:
        """Whether every area and org of this scope is in `outer` (both resolved on one
        projection, so their masks index the same entities)."""
        return not ((self.areas & ~outer.areas).any() or (self.orgs & ~outer.orgs).any())


# The fields a resolved scope, and its members mask, are computed from: an engine keeps both
# across a catch-up that left these fields the same objects (analysis/engine.py).
SCOPE_READS = (
    "area_code",
    "area_index",
    "area_children",
    "area_parent",
    "area_external",
    "org_index",
    "org_children",
    "org_parent",
    "org_area",
    "org_external",
    "m_key",
    "m_branches",
    "m_households",
    "hh_area",
)


def _flat(lists: list[list[int]], n: int) -> tuple[Any, Any]:
    """(owner, value) for every value of every list: lists[owner[i]] holds value[i]."""
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=n)
    values = np.fromiter(itertools.chain.from_iterable(lists), dtype=np.int64)
    return np.repeat(np.arange(n, dtype=np.int64), lengths), values


def _subtree(children: list[list[int]], roots: list[int], size: int) -> BoolArray:
    mask = np.zeros(size, dtype=bool)
    stack = list(roots)
    while stack:
        i = stack.pop()
        if not mask[i]:
            mask[i] = True
            stack.extend(children[i])
    return mask


def resolve(p: Projection, ref: str | None) -> Scope:
    na, no = len(p.area_code), len(p.org_id)
    every_org = ~np.array(p.org_external, dtype=bool)  # the whole county holds every org
    if ref is None or ref == "":
        roots = p.roots
        areas = _subtree(p.area_children, roots, na)
        label = p.area_code[roots[0]] if len(roots) == 1 else "*"
        return Scope(None, label, areas, every_org, whole=True)
    a = p.area_index.get(ref)
    if a is not None and not p.area_external[a]:
        areas = _subtree(p.area_children, [a], na)
        whole = p.area_parent[a] < 0
        return Scope(ref, ref, areas, every_org if whole else _orgs_serving(p, areas), whole)
    o = p.org_index.get(ref)
    if o is not None and not p.org_external[o]:
        orgs = _subtree(p.org_children, [o], no)
        served = [p.org_area[i] for i in np.flatnonzero(orgs) if p.org_area[i] >= 0]
        top = p.org_parent[o] < 0 and p.org_area[o] >= 0 and p.area_parent[p.org_area[o]] < 0
        return Scope(
            ref, ref, _subtree(p.area_children, served, na), every_org if top else orgs, whole=top
        )
    raise NotFound(f"范围“{ref}”不存在：请填写区划代码或党组织编号")


def _orgs_serving(p: Projection, areas: BoolArray) -> BoolArray:
    roots = [i for i, a in enumerate(p.org_area) if a >= 0 and areas[a]]
    return _subtree(p.org_children, roots, len(p.org_id))
