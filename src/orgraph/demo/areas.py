"""Areas: a county's townships, their villages and communities (with names, sizes and
coordinates), and each village's hamlets (村民小组 / 网格).

Area codes: county 6 digits (330226); township 9 = county + 001–099 街道 / 101–199 镇 /
201–299 乡; village 12 = township + 001–199 社区 / 201–399 村; hamlet 15 = village + 001…
("第N组" in a 村, "第N网格" in a 社区).
"""

from __future__ import annotations

import math

from orgraph.demo import places
from orgraph.demo.model import Area
from orgraph.demo.places import CountySpec
from orgraph.demo.state import County, State, Township, Village


def _village_name(s: State, used: set[str], community: bool) -> str:
    r = s.r
    for _ in range(200):
        if community:
            base = r.choice(places.COMMUNITY_WORDS)
            if r.random() < 0.15:
                base = base + r.choice(("新村", "花园", "家园"))
            name = base + "社区"
        else:
            x = r.random()
            if x < 0.33:
                base = s.names.surname(r) + "家"
                if r.random() < 0.25:
                    base += r.choice(places.VILLAGE_SUFFIX)
            elif x < 0.43:
                base = s.names.surname(r) + r.choice(places.VILLAGE_SUFFIX)
            elif x < 0.9:
                base = r.choice(places.VILLAGE_PREFIX) + r.choice(places.VILLAGE_SUFFIX)
            else:
                base = (
                    r.choice(places.VILLAGE_PREFIX)
                    + r.choice(places.VILLAGE_PREFIX)
                    + r.choice(places.VILLAGE_SUFFIX)
                )
            name = base + "村"
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("could not find a unique village name")


def _households_target(s: State, community: bool) -> int:
    h = math.exp(s.g.normal(math.log(310), 0.5)) * (1.2 if s.scale == "city" else 1.0)
    if community:
        return int(min(2500, max(200, h * 1.8)))
    return int(min(1500, max(60, h)))


def _members_target(s: State, h: int) -> int:
    rate = min(0.13, max(0.045, s.g.normal(0.08, 0.015)))
    return max(6, round(h * rate))


def _township_codes(s: State, spec: CountySpec) -> list[tuple[str, str, str, float, float]]:
    """(code, name, kind, lon, lat) for every township of the county."""
    out = []
    n_street, n_town, n_xiang = 0, 100, 200
    for name, lon, lat in spec.townships:
        if name.endswith("街道"):
            n_street += 1
            num, kind = n_street, "街道"
        elif name.endswith("乡"):
            n_xiang += 1
            num, kind = n_xiang, "乡"
        else:
            n_town += 1
            num, kind = n_town, "镇"
        if lon is None or lat is None:
            lon = spec.lon + s.r.uniform(-0.7, 0.7) * spec.spread
            lat = spec.lat + s.r.uniform(-0.7, 0.7) * spec.spread
        out.append((f"{spec.code}{num:03d}", name, kind, lon, lat))
    return out


def point_near(
    s: State, lon: float, lat: float, sd: float, spec: CountySpec
) -> tuple[float, float]:
    """A point about `sd` degrees from (lon, lat), kept inside the county's rough extent."""
    x = lon + s.g.normal(0, sd)
    y = lat + s.g.normal(0, sd)
    x = min(spec.lon + spec.spread, max(spec.lon - spec.spread, x))
    y = min(spec.lat + spec.spread, max(spec.lat - spec.spread, y))
    return round(x, 6), round(y, 6)


def build_areas(s: State, spec: CountySpec, tiny: bool) -> County:
    """The county, its townships and their villages (no hamlets yet: see `add_hamlets`)."""
    c = County(spec=spec, area=Area(spec.code, spec.name, "县", None, spec.lon, spec.lat))
    tws = _township_codes(s, spec)
    if tiny:
        tws = [t for t in tws if t[1] in places.TINY_TOWNSHIPS]
    for code, name, kind, lon, lat in tws:
        t = Township(
            area=Area(
                code,
                name,
                "街道" if kind == "街道" else "乡镇",
                spec.code,
                round(lon, 6),
                round(lat, 6),
            ),
            kind=kind,
        )
        c.townships.append(t)
        _add_villages(s, spec, t, _village_layout(s, tiny, name, kind), lon, lat)
    return c


def _village_layout(s: State, tiny: bool, name: str, kind: str) -> list[bool]:
    """One entry per village of a township: True for a community (社区), False for a 村."""
    if tiny:
        return [False] * (4 if name == "长街镇" else 3)
    if kind == "街道":
        n = s.r.randint(6, 11)
        ncomm = round(n * 0.6)
        return [True] * ncomm + [False] * (n - ncomm)
    if kind == "镇":
        return [True] * s.r.randint(0, 2) + [False] * s.r.randint(14, 24)
    return [False] * s.r.randint(8, 12)


def _add_villages(
    s: State, spec: CountySpec, t: Township, layout: list[bool], lon: float, lat: float
) -> None:
    code = t.area.code
    used: set[str] = set()
    n_comm, n_vil = 0, 200
    for community in layout:
        if community:
            n_comm += 1
            num = n_comm
        else:
            n_vil += 1
            num = n_vil
        vname = _village_name(s, used, community)
        vlon, vlat = point_near(s, lon, lat, spec.spread * 0.12, spec)
        H = _households_target(s, community)
        v = Village(
            area=Area(f"{code}{num:03d}", vname, "社区" if community else "村", code, vlon, vlat),
            township=t,
            community=community,
            H=H,
            M=_members_target(s, H),
        )
        t.villages.append(v)


def add_hamlets(s: State, c: County, v: Village) -> None:
    n = min(12, max(3, round(v.H / 45)))
    if v.community:
        n = min(10, n)
    unit = "网格" if v.community else "组"
    for k in range(1, n + 1):
        assert v.area.lon is not None and v.area.lat is not None
        lon, lat = point_near(s, v.area.lon, v.area.lat, 0.004, c.spec)
        v.hamlets.append(Area(f"{v.area.code}{k:03d}", f"第{k}{unit}", unit, v.area.code, lon, lat))
