"""Coverage, gaps and contact chains for any part of the tree, on any date.

The Engine keeps one projection of the graph and reloads it when the graph's revision token
has changed (every store write sets a new one), so an answer is never older than the last
write. Per-date states and per-scope masks are cached for the projection's lifetime.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from enum import IntEnum
from typing import Any

import numpy as np

from orgraph.analysis import mobile
from orgraph.analysis import projection as proj
from orgraph.analysis.context import Ctx
from orgraph.analysis.projection import Projection
from orgraph.analysis.rules import RULES, ref_id
from orgraph.analysis.scope import Scope, resolve
from orgraph.analysis.state import DayState, compute
from orgraph.errors import NotFound, ValidationFailed
from orgraph.mobility.timeline import timeline
from orgraph.policy import Policy, get_policy
from orgraph.store import GraphStore
from orgraph.vocab import MOBILE_KINDS

LEVELS = ("county", "township", "village", "hamlet")
LOAD_BUCKETS = ("0", "1", "2", "3", "4", "5", "6+")
MAX_PAGE_SIZE = 10_000


def parse_as_of(as_of: str | dt.date | None) -> tuple[str, int]:
    if as_of is None:
        d = dt.date.today()
    elif isinstance(as_of, dt.date):
        d = as_of
    else:
        try:
            d = dt.date.fromisoformat(as_of)
        except ValueError:
            raise ValidationFailed(f"日期“{as_of}”格式不对，应为 YYYY-MM-DD") from None
    return d.isoformat(), d.year * 10_000 + d.month * 100 + d.day


class Engine:
    def __init__(self, store: GraphStore, *, policy: Policy | None = None) -> None:
        self.store = store
        self.policy = policy or get_policy()
        self._lock = threading.Lock()
        self._proj: Projection | None = None
        self._days: OrderedDict[int, DayState] = OrderedDict()
        self._scopes: dict[str | None, Scope] = {}
        self._members: dict[str | None, Any] = {}

    # -- caches -------------------------------------------------------------------------------

    def projection(self) -> Projection:
        """The current projection: one revision check, and a reload only after a write."""
        rows = self.store.read("graph_revision")
        rev = str(rows[0]["rev"]) if rows and rows[0]["rev"] is not None else None
        with self._lock:
            if self._proj is None or self._proj.revision != rev:
                self._proj = proj.load(self.store)
                self._days.clear()
                self._scopes.clear()
                self._members.clear()
            return self._proj

    def _day(self, p: Projection, as_of: int) -> DayState:
        with self._lock:
            state = self._days.get(as_of)
            if state is None:
                state = compute(p, as_of, self.policy)
                self._days[as_of] = state
                while len(self._days) > 16:
                    self._days.popitem(last=False)
            return state

    def _scope(self, p: Projection, ref: str | None) -> tuple[Scope, Any]:
        with self._lock:
            if ref not in self._scopes:
                scope = resolve(p, ref)
                self._scopes[ref] = scope
                self._members[ref] = scope.members(p)
            return self._scopes[ref], self._members[ref]

    def scope(self, ref: str | None) -> tuple[Projection, Scope, Any]:
        """The current projection, the scope `ref` resolves to, and its members mask
        (raises NotFound for an unknown or external ref). For access checks."""
        p = self.projection()
        sc, members = self._scope(p, ref)
        return p, sc, members

    def _ctx(self, scope: str | None, as_of: str | dt.date | None) -> tuple[Ctx, str]:
        iso, day = parse_as_of(as_of)
        p = self.projection()
        sc, members = self._scope(p, scope)
        return Ctx(p, self._day(p, day), sc, self.policy, members), iso

    # -- answers ------------------------------------------------------------------------------

    def gaps(
        self,
        type: str,
        *,
        scope: str | None = None,
        as_of: str | dt.date | None = None,
        page: int = 1,
        page_size: int = 100,
    ) -> dict[str, Any]:
        if type not in RULES:
            raise ValidationFailed(f"未知的缺口类型“{type}”。可用: {', '.join(RULES)}")
        if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValidationFailed(f"页码从 1 开始，每页 1–{MAX_PAGE_SIZE} 条")
        c, iso = self._ctx(scope, as_of)
        rule = RULES[type]
        refs = sorted(rule.find(c), key=lambda r: ref_id(c.graph, r))
        start = (page - 1) * page_size
        page_refs = refs[start : start + page_size]
        c.graph.load_heads(self.store, [i for kind, i in page_refs if kind == "h"])
        items = [rule.detail(c, r) for r in page_refs]
        return {
            "type": type,
            "scope": c.scope.label,
            "as_of": iso,
            "total": len(refs),
            "page": page,
            "page_size": page_size,
            "items": items,
        }

    def summary(
        self, *, scope: str | None = None, as_of: str | dt.date | None = None
    ) -> dict[str, Any]:
        c, iso = self._ctx(scope, as_of)
        return {
            "scope": c.scope.label,
            "as_of": iso,
            "counts": {t: rule.count(c) for t, rule in RULES.items()},
        }

    def coverage(
        self,
        *,
        scope: str | None = None,
        level: str = "village",
        as_of: str | dt.date | None = None,
    ) -> dict[str, Any]:
        if level not in LEVELS:
            raise ValidationFailed(f"层级“{level}”无效。可用: {', '.join(LEVELS)}")
        c, iso = self._ctx(scope, as_of)
        sums = self._rollup(c)
        p = c.graph
        tops = [
            i
            for i in np.flatnonzero(c.scope.areas)
            if p.area_parent[i] < 0 or not c.scope.areas[p.area_parent[i]]
        ]
        head = _row_sum(sums, tops)
        if len(tops) == 1:
            a = int(tops[0])
            own = {"code": p.area_code[a], "name": p.area_name[a], "level": p.area_level[a]}
        else:
            o = p.org_index.get(c.scope.ref or "")
            own = {
                "code": c.scope.label,
                "name": p.org_name[o] if o is not None else "全部",
                "level": "org" if o is not None else "all",
            }
        rows = [{**own, **_figures(head)}]
        for i in np.flatnonzero(c.scope.areas):
            a = int(i)
            if p.area_level[a] == level and a not in tops:
                rows.append(
                    {
                        "code": p.area_code[a],
                        "name": p.area_name[a],
                        "level": level,
                        "parent": p.area_code[p.area_parent[a]] if p.area_parent[a] >= 0 else None,
                        **_figures(sums[a]),
                    }
                )
        rows[1:] = sorted(rows[1:], key=lambda r: r["code"])
        return {"scope": c.scope.label, "as_of": iso, "level": level, "rows": rows}

    def _rollup(self, c: Ctx) -> Any:
        """Per area: its subtree's figures, as an (areas × Col) integer array."""
        p = c.graph
        cols = np.zeros((len(p.area_code), len(COLUMNS)), dtype=np.int64)
        _count_households(c, cols)
        _count_members(c, cols)
        for a, parent in p.once("deepest_first", lambda: _deepest_first(p)):
            cols[parent] += cols[a]
        return cols

    # -- members away ---------------------------------------------------------------------------

    def destinations(
        self, *, scope: str | None = None, as_of: str | dt.date | None = None
    ) -> dict[str, Any]:
        """Members away by destination province and city."""
        c, iso = self._ctx(scope, as_of)
        return {"scope": c.scope.label, "as_of": iso, **mobile.destinations(c)}

    def flows(
        self, *, scope: str | None = None, as_of: str | dt.date | None = None
    ) -> dict[str, Any]:
        """Members away from each origin township to each destination city."""
        c, iso = self._ctx(scope, as_of)
        return {"scope": c.scope.label, "as_of": iso, **mobile.flows(c)}

    def mobile_branches(
        self, *, scope: str | None = None, as_of: str | dt.date | None = None
    ) -> dict[str, Any]:
        """Mobile and temporary branches in scope with their members' report status."""
        c, iso = self._ctx(scope, as_of)
        p = c.graph
        rows = []
        for i in np.flatnonzero(c.scope.orgs):
            if p.org_kind[i] in MOBILE_KINDS and not p.org_external[i]:
                rows.append(self._branch_row(c, int(i)))
        rows.sort(key=lambda r: r["id"])
        return {"scope": c.scope.label, "as_of": iso, "branches": rows}

    def _branch_row(self, c: Ctx, o: int) -> dict[str, Any]:
        p = c.graph
        people = _attending(c, o)
        host = p.org_host[o]
        place = mobile.city(p, host)
        parent = p.org_parent[o]
        established = int(p.org_established[o])
        return {
            "id": p.org_id[o],
            "name": p.org_name[o],
            "kind": p.org_kind[o],
            "host": {"code": host, "name": p.area_name[p.area_index[host]]}
            if host in p.area_index
            else None,
            "city": {"code": place.code6, "name": place.name, "lon": place.lon, "lat": place.lat}
            if place
            else None,
            "approved_by": c.org_brief(parent) if parent >= 0 else None,
            "established_on": mobile.iso(established) if established else None,
            "members": len(people),
            "silent": sum(1 for m in people if mobile.status(c, m) == "silent"),
            "lost": sum(1 for m in people if mobile.status(c, m) == "lost"),
        }

    def mobile_branch(self, branch: str, *, as_of: str | dt.date | None = None) -> dict[str, Any]:
        """One mobile branch and the members attending it, with their report status."""
        c, iso = self._ctx(None, as_of)
        p = c.graph
        o = p.org_index.get(branch)
        if o is None or p.org_kind[o] not in MOBILE_KINDS or p.org_external[o]:
            raise NotFound(f"流动党员党支部“{branch}”不存在")
        members = []
        for m in sorted(_attending(c, o), key=lambda m: p.m_key[m]):
            k = int(c.day.current[m])
            last = int(c.day.last_report[m])
            members.append(
                {
                    **c.member_brief(m),
                    "since": _since(c, m, o),
                    "away": bool(c.day.away[m]),
                    "destination_text": p.o_dest_text[k] if k >= 0 else None,
                    "last_report": mobile.iso(last) if last else None,
                    "quiet_days": int(c.day.quiet[m]) if k >= 0 else None,
                    "status": mobile.status(c, m),
                }
            )
        return {"as_of": iso, "branch": self._branch_row(c, o), "members": members}

    def timeline(self, member: str) -> dict[str, Any]:
        """Every departure, attendance, report, return and transfer of a member, in order."""
        p = self.projection()
        m = p.m_index.get(member)
        if m is None:
            raise NotFound(f"党员“{member}”不存在")
        c, _ = self._ctx(None, None)
        return {
            "member": {**c.member_brief(m), "on_roll": bool(p.m_on_roll[m])},
            "events": timeline(self.store, member),
        }

    def chain(self, household_id: str, *, as_of: str | dt.date | None = None) -> dict[str, Any]:
        c, iso = self._ctx(None, as_of)
        p, s = c.graph, c.day
        h = p.hh_index.get(household_id)
        if h is None:
            raise NotFound(f"农户“{household_id}”不存在")
        p.load_heads(self.store, [h])
        area = int(p.hh_area[h])
        above: dict[str, int] = {}
        i = area
        while i >= 0:
            above.setdefault(p.area_level[i], i)
            i = p.area_parent[i]
        people: list[dict[str, Any]] = []
        for k in np.flatnonzero((p.c_house == h) & s.active_contact):
            m = int(p.c_member[k])
            if p.m_on_roll[m]:
                people.append(
                    {"id": p.m_key[m], "name": p.m_name[m], "at_home": bool(s.at_home[m])}
                )
        people = sorted({x["id"]: x for x in people}.values(), key=lambda x: x["id"])
        levels: list[dict[str, Any]] = [
            {
                "level": "household",
                "area": None,
                "people": people,
                "ok": any(x["at_home"] for x in people),
            }
        ]
        for level, role in (
            ("hamlet", "village_committee"),
            ("village", "township_cadre"),
            ("township", "county_leader"),
        ):
            a = above.get(level)
            if a is None:
                continue
            ok = s.active_resp & ~p.r_is_org & (p.r_target == a)
            who = sorted({int(m) for m in p.r_member[ok] if role in p.m_roles[int(m)]})
            levels.append(
                {
                    "level": level,
                    "area": {"code": p.area_code[a], "name": p.area_name[a]},
                    "people": [{"id": p.m_key[m], "name": p.m_name[m], "role": role} for m in who],
                    "ok": bool(who),
                }
            )
        broken = next((lv["level"] for lv in levels if not lv["ok"]), None)
        return {
            "household": {"id": household_id, "head_name": p.hh_head.get(h), **c.area_ctx(area)},
            "as_of": iso,
            "levels": levels,
            "broken_at": broken,
        }


def _attending(c: Ctx, o: int) -> list[int]:
    """Members with an ATTENDS link to org `o` active at D."""
    p, d = c.graph, c.day.as_of
    ok = (p.at_org == o) & (p.at_since <= d) & (p.at_until > d)
    return sorted({int(m) for m in p.at_member[ok]})


def _since(c: Ctx, m: int, o: int) -> str | None:
    p, d = c.graph, c.day.as_of
    ok = (p.at_org == o) & (p.at_member == m) & (p.at_since <= d) & (p.at_until > d)
    first = int(p.at_since[ok].min()) if ok.any() else 0
    return mobile.iso(first) if first else None


def _deepest_first(p: Projection) -> list[tuple[int, int]]:
    """(area, parent) pairs, children before parents, for summing subtrees upwards."""
    depth = []
    for a in range(len(p.area_code)):
        d, i = 0, p.area_parent[a]
        while i >= 0 and d < 64:
            d, i = d + 1, p.area_parent[i]
        depth.append(d)
    order = sorted(range(len(depth)), key=lambda a: -depth[a])
    return [(a, p.area_parent[a]) for a in order if p.area_parent[a] >= 0]


class Col(IntEnum):
    """The columns of the coverage rollup, one row per area (`Engine._rollup`)."""

    HOUSEHOLDS = 0
    COVERED = 1
    UNCOVERED_CONTACT_AWAY = 2  # uncovered, with a contact member away
    MEMBERS = 3  # on roll, counted in the home area of their first branch
    MEMBERS_HOME = 4
    MEMBERS_AWAY = 5
    LOAD = 6  # the first of len(LOAD_BUCKETS): at-home, not exempt, by households contacted
    AWAY_ATTACHED = LOAD + len(LOAD_BUCKETS)
    AWAY_SILENT = AWAY_ATTACHED + 1
    AWAY_LOST = AWAY_SILENT + 1


# Every column's name, in Col's order (the load buckets spelled out).
COLUMNS = (
    *(c.name.lower() for c in Col if c < Col.LOAD),
    *(f"load_{b}" for b in LOAD_BUCKETS),
    *(c.name.lower() for c in Col if c > Col.LOAD),
)


def _count_households(c: Ctx, cols: Any) -> None:
    """Each area's own households: all, covered, and uncovered with a contact away."""
    p, s = c.graph, c.day
    if not len(p.hh_area):
        return
    na = len(p.area_code)
    placed = p.hh_area >= 0
    area = p.hh_area[placed]
    cols[:, Col.HOUSEHOLDS] = np.bincount(area, minlength=na)
    cols[:, Col.COVERED] = np.bincount(area, weights=s.covered[placed], minlength=na)
    uncovered_away = ~s.covered[placed] & (s.contacts_away[placed] > 0)
    cols[:, Col.UNCOVERED_CONTACT_AWAY] = np.bincount(area, weights=uncovered_away, minlength=na)


def _count_members(c: Ctx, cols: Any) -> None:
    """Each area's own members on roll (in the home area of their first branch): at home,
    away, at-home contact load, and how the ones away stand."""
    p, s, pol = c.graph, c.day, c.policy
    home = p.once(
        "member_home",
        lambda: np.array(
            [p.org_home_area[b[0]] if b else -1 for b in p.m_branches], dtype=np.int64
        ),
    )
    counted = (home >= 0) & p.m_on_roll
    if not counted.any():
        return
    na = len(p.area_code)
    area = home[counted]
    cols[:, Col.MEMBERS] = np.bincount(area, minlength=na)
    cols[:, Col.MEMBERS_HOME] = np.bincount(area, weights=s.at_home[counted], minlength=na)
    cols[:, Col.MEMBERS_AWAY] = np.bincount(area, weights=s.away[counted], minlength=na)
    load = counted & s.at_home & ~s.exempt
    buckets = np.minimum(s.member_households[load], len(LOAD_BUCKETS) - 1)
    for b in range(len(LOAD_BUCKETS)):
        cols[:, Col.LOAD + b] = np.bincount(home[load][buckets == b], minlength=na)
    gone = counted & s.away
    lost = gone & (p.m_lost_flag | (s.quiet >= pol.lost_days))
    silent = gone & ~lost & (s.quiet >= pol.silent_days)
    for col, mask in (
        (Col.AWAY_ATTACHED, gone & s.attached),
        (Col.AWAY_SILENT, silent),
        (Col.AWAY_LOST, lost),
    ):
        cols[:, col] = np.bincount(home[mask], minlength=na)


def _row_sum(sums: Any, areas: list[Any]) -> Any:
    return (
        sums[np.array(areas, dtype=np.int64)].sum(axis=0)
        if areas
        else np.zeros(sums.shape[1], dtype=np.int64)
    )


def _figures(v: Any) -> dict[str, Any]:
    """One rollup row (indexed by Col) as the figures of a coverage answer."""
    households, covered = int(v[Col.HOUSEHOLDS]), int(v[Col.COVERED])
    return {
        "households": households,
        "covered": covered,
        "coverage": round(covered / households, 4) if households else None,
        "uncovered_contact_away": int(v[Col.UNCOVERED_CONTACT_AWAY]),
        "members": int(v[Col.MEMBERS]),
        "members_home": int(v[Col.MEMBERS_HOME]),
        "members_away": int(v[Col.MEMBERS_AWAY]),
        "load": {b: int(v[Col.LOAD + i]) for i, b in enumerate(LOAD_BUCKETS)},
        "away_attached": int(v[Col.AWAY_ATTACHED]),
        "away_silent": int(v[Col.AWAY_SILENT]),
        "away_lost": int(v[Col.AWAY_LOST]),
    }
