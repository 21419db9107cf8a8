"""The rules and answers about members away (docs/rules.md "Members away (流动党员)")."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from orgraph.analysis.context import Ctx, Ref
from orgraph.analysis.projection import Projection, member_home, ordinal
from orgraph.roster.geocode import Place, city_of
from orgraph.vocab import MOBILE_KINDS


def iso(d: int) -> str:
    return f"{d // 10000:04d}-{d // 100 % 100:02d}-{d % 100:02d}"


def city(p: Projection, code: str | None) -> Place | None:
    """The prefecture-level city of a division code, memoised per projection."""
    if not code:
        return None
    memo: dict[str, Place | None] = p.once("cities", dict, ())  # of the code alone
    if code not in memo:
        memo[code] = city_of(code[:6])
    return memo[code]


def _place_ref(p: Projection, code: str | None) -> dict[str, str] | None:
    if not code:
        return None
    a = p.area_index.get(code)
    return {"code": code, "name": p.area_name[a] if a is not None else code}


def _city_ref(place: Place | None) -> dict[str, str] | None:
    return {"code": place.code6, "name": place.name} if place else None


# -- masks over members -----------------------------------------------------------------------


def away(c: Ctx) -> Any:
    """On-roll members in scope who are away at D."""
    return c.members & c.graph.m_on_roll & c.day.away


def lost(c: Ctx) -> Any:
    """On-roll members in scope flagged lost, or away and quiet for lost_days or more."""
    quiet_long = c.day.away & (c.day.quiet >= c.policy.lost_days)
    return c.members & c.graph.m_on_roll & (c.graph.m_lost_flag | quiet_long)


def silent(c: Ctx) -> Any:
    q = c.day.quiet
    return away(c) & ~c.graph.m_lost_flag & (q >= c.policy.silent_days) & (q < c.policy.lost_days)


def _episode(c: Ctx, m: int) -> int:
    return int(c.day.current[m])


def member_city(c: Ctx, m: int) -> Place | None:
    k = _episode(c, m)
    return city(c.graph, c.graph.o_dest[k]) if k >= 0 else None


def _fixed(c: Ctx, employer: str | None) -> bool:
    text = (employer or "").strip()
    return bool(text) and not any(w in text for w in c.policy.not_fixed_employers)


def branch_cities(c: Ctx) -> dict[str, list[int]]:
    """City code → mobile branches hosted there and established by D (any scope)."""
    p = c.graph
    out: dict[str, list[int]] = defaultdict(list)
    for o, kind in enumerate(p.org_kind):
        if kind in MOBILE_KINDS and not p.org_external[o] and p.org_established[o] <= c.day.as_of:
            place = city(p, p.org_host[o])
            if place is not None:
                out[place.code6].append(o)
    return out


# -- rules ------------------------------------------------------------------------------------


def _members(mask: Any) -> list[Ref]:
    return [("m", int(m)) for m in np.flatnonzero(mask)]


def unattached_mask(c: Ctx) -> Any:
    return away(c) & ~c.day.attached


def unattached(c: Ctx) -> list[Ref]:
    return _members(unattached_mask(c))


def silent_members(c: Ctx) -> list[Ref]:
    return _members(silent(c))


def lost_members(c: Ctx) -> list[Ref]:
    return _members(lost(c))


def no_contact_person(c: Ctx) -> list[Ref]:
    current, contact = c.day.current.tolist(), c.graph.o_contact  # a loop over the members away
    return [("m", m) for _, m in _members(away(c)) if not (contact[current[m]] or "").strip()]


def should_transfer(c: Ctx) -> list[Ref]:
    long = away(c) & (days_away(c) >= c.policy.transfer_days)
    current, employer = c.day.current.tolist(), c.graph.o_employer
    fixed: dict[str | None, bool] = {}  # by employer text: most repeat
    out = []
    for ref in _members(long):
        text = employer[current[ref[1]]]
        if text not in fixed:
            fixed[text] = _fixed(c, text)
        if fixed[text]:
            out.append(ref)
    return out


def days_away(c: Ctx) -> Any:
    """Per member: days since the current departure, -1 when not away."""

    def make() -> Any:
        s = c.day
        left = np.where(
            s.away,
            c.graph.o_left[np.maximum(s.current, 0)] if len(c.graph.o_left) else s.as_of,
            s.as_of,
        )
        return np.where(s.away, ordinal(s.as_of) - ordinal(left), -1)

    return c.once("days_away", make)


def _clusters(c: Ctx) -> dict[str, list[int]]:
    """Destination city code → on-roll members in scope away there."""
    found: dict[str, list[int]] = c.once("clusters", lambda: _group_by_city(c))
    return found


def _group_by_city(c: Ctx) -> dict[str, list[int]]:
    p = c.graph
    current, dest = c.day.current.tolist(), p.o_dest  # a loop over the members away
    out: dict[str, list[int]] = defaultdict(list)
    places: dict[str | None, Place | None] = {}  # by destination: most repeat
    for _, m in _members(away(c)):
        code = dest[current[m]]
        if code not in places:
            places[code] = city(p, code)
        place = places[code]
        if place is not None:
            out[place.code6].append(m)
    return out


def cluster_without_branch(c: Ctx) -> list[Ref]:
    hosted = branch_cities(c)
    cities: list[str] = c.graph.once("city_codes", list, ())  # ids: of nothing
    out = []
    for code, members in _clusters(c).items():
        full = int(c.graph.m_full[members].sum())
        if full >= c.policy.cluster_min_full and code not in hosted:
            if code not in cities:
                cities.append(code)
            out.append(("c", cities.index(code)))
    return out


# -- items ------------------------------------------------------------------------------------


def _where(c: Ctx, m: int) -> dict[str, Any]:
    k = _episode(c, m)
    if k < 0:
        return {"destination": None, "city": None}
    return {
        "destination": _place_ref(c.graph, c.graph.o_dest[k]),
        "city": _city_ref(member_city(c, m)),
        "destination_text": c.graph.o_dest_text[k],
    }


def _last_report(c: Ctx, m: int) -> str | None:
    d = int(c.day.last_report[m])
    return iso(d) if d > 0 else None


def unattached_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    m = ref[1]
    k = _episode(c, m)
    return {
        **c.member_brief(m),
        **_where(c, m),
        "left_on": iso(int(c.graph.o_left[k])),
        "days_away": int(days_away(c)[m]),
    }


def silent_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    m = ref[1]
    return {
        **c.member_brief(m),
        **_where(c, m),
        "last_report": _last_report(c, m),
        "quiet_days": int(c.day.quiet[m]),
    }


def lost_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    m = ref[1]
    is_away = bool(c.day.away[m])
    return {
        **c.member_brief(m),
        **_where(c, m),
        "reason": "flagged" if c.graph.m_lost_flag[m] else "quiet",
        "away": is_away,
        "last_report": _last_report(c, m) if is_away else None,
        "quiet_days": int(c.day.quiet[m]) if is_away else None,
    }


def no_contact_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    m = ref[1]
    return {
        **c.member_brief(m),
        **_where(c, m),
        "left_on": iso(int(c.graph.o_left[_episode(c, m)])),
    }


def transfer_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    m = ref[1]
    k = _episode(c, m)
    return {
        **c.member_brief(m),
        **_where(c, m),
        "employer": c.graph.o_employer[k],
        "left_on": iso(int(c.graph.o_left[k])),
        "days_away": int(days_away(c)[m]),
    }


def _joined_key(c: Ctx, m: int) -> tuple[int, str, str]:
    joined = c.graph.m_joined[m]
    return (0 if joined else 1, joined or "", c.graph.m_key[m])


def cluster_item(c: Ctx, ref: Ref) -> dict[str, Any]:
    p = c.graph
    code = p.once("city_codes", list, ())[ref[1]]
    members = sorted(_clusters(c)[code], key=lambda m: p.m_key[m])
    full = [m for m in members if p.m_full[m]]
    place = city_of(code)
    secretary = min(full, key=lambda m: _joined_key(c, m)) if full else None
    return {
        "id": code,
        "name": place.name if place else code,
        "province": place.province if place else None,
        "count": len(members),
        "full_members": len(full),
        "members": [
            {
                "id": p.m_key[m],
                "name": p.m_name[m],
                "full": bool(p.m_full[m]),
                "joined_on": p.m_joined[m],
            }
            for m in members
        ],
        "suggested_secretary": None
        if secretary is None
        else {
            "id": p.m_key[secretary],
            "name": p.m_name[secretary],
            "joined_on": p.m_joined[secretary],
        },
    }


def cluster_id(p: Projection, i: int) -> str:
    return str(p.once("city_codes", list, ())[i])


# -- where members are ------------------------------------------------------------------------


def destinations(c: Ctx) -> dict[str, Any]:
    p = c.graph
    gone = away(c)
    lost_mask, silent_mask = lost(c), silent(c)
    hosted = branch_cities(c)
    groups = _clusters(c)
    provinces: dict[str, dict[str, Any]] = {}
    for code, members in groups.items():
        place = city_of(code)
        if place is None:
            continue
        prov = provinces.setdefault(
            place.province_code,
            {"code": place.province_code, "name": place.province, "count": 0, "cities": []},
        )
        prov["count"] += len(members)
        prov["cities"].append(
            {
                "code": code,
                "name": place.name,
                "lon": place.lon,
                "lat": place.lat,
                "count": len(members),
                "full_members": sum(int(p.m_full[m]) for m in members),
                "attached": sum(int(c.day.attached[m]) for m in members),
                "silent": sum(int(silent_mask[m]) for m in members),
                "lost": sum(int(lost_mask[m]) for m in members),
                "branches": [
                    c.org_brief(o) for o in sorted(hosted.get(code, []), key=lambda o: p.org_id[o])
                ],
            }
        )
    for prov in provinces.values():
        prov["cities"].sort(key=lambda x: (-x["count"], x["code"]))
    total = int(gone.sum())
    placed = sum(len(v) for v in groups.values())
    return {
        "total": total,
        "unplaced": total - placed,
        "provinces": sorted(provinces.values(), key=lambda x: (-x["count"], x["code"])),
    }


def origin(p: Projection, m: int) -> int:
    """The township on the path from a member's home area to the county; -1 for none."""
    home = member_home(p)
    a = int(home[m])
    if a < 0:
        return -1
    i = a
    while i >= 0:
        if p.area_level[i] == "township":
            return i
        i = p.area_parent[i]
    return a


def flows(c: Ctx) -> dict[str, Any]:
    p = c.graph
    counts: dict[tuple[int, str], int] = defaultdict(int)
    unplaced = 0
    for _, m in _members(away(c)):
        o, place = origin(p, m), member_city(c, m)
        if o < 0 or place is None:
            unplaced += 1
            continue
        counts[(o, place.code6)] += 1
    rows: list[dict[str, Any]] = []
    for (o, code), n in counts.items():
        place = city_of(code)
        assert place is not None
        rows.append(
            {
                "origin": {
                    "code": p.area_code[o],
                    "name": p.area_name[o],
                    "lon": p.area_lon[o],
                    "lat": p.area_lat[o],
                },
                "destination": {
                    "code": code,
                    "name": place.name,
                    "lon": place.lon,
                    "lat": place.lat,
                    "province": place.province,
                },
                "count": n,
            }
        )
    rows.sort(key=lambda r: (-r["count"], r["origin"]["code"], r["destination"]["code"]))
    return {"flows": rows, "unplaced": unplaced}


def status(c: Ctx, m: int) -> str:
    """A member's report status at D: home, ok, silent or lost (flagged or quiet too long)."""
    if not c.day.away[m]:
        return "lost" if c.graph.m_lost_flag[m] else "home"
    q = int(c.day.quiet[m])
    if c.graph.m_lost_flag[m] or q >= c.policy.lost_days:
        return "lost"
    return "silent" if q >= c.policy.silent_days else "ok"
