"""Offline geocoding of destination text with cpca's packaged ``adcodes.csv``.

The table (3,511 rows: 12-digit adcode, name, lon, lat) is read once with the csv module via
importlib.resources, lazily, so importing this module costs nothing and pandas is never
imported. Matching is a plain substring scan over province / city / county names and their
short forms:

- Province and city short forms ("广东", "东莞", "延边") match anywhere.
- A county-level *city* matches by short form anywhere ("义乌", "晋江").
- A county or district short form ("浦东" for 浦东新区, "长安" for 长安区) only counts when the
  text also names its province or city ("上海浦东" → 310115), because bare district names
  collide with town names ("东莞长安镇" is not 西安's 长安区).
- A name followed by 镇/乡/街道/村 is a town or village, never a county.

Result: a county-level :class:`Place` when exactly one county fits, else a city-level place
when exactly one city fits, else None (unknown or ambiguous: the caller warns and keeps the
text). A province alone gives None except for the four municipalities.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache

MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@dataclass(frozen=True, slots=True)
class Place:
    code6: str
    name: str
    province: str
    province_code: str
    city: str
    city_code: str
    lon: float | None
    lat: float | None
    level: str  # "county" | "city"


@dataclass(frozen=True, slots=True)
class _Entry:
    code6: str
    name: str
    lon: float | None
    lat: float | None
    rank: int  # 0 province, 1 city, 2 county


class _Table:
    def __init__(self, rows: list[tuple[str, str, str, str]], nations: list[str]) -> None:
        self.by_code: dict[str, _Entry] = {}
        for code, name, lon, lat in rows:
            c6 = code[:6]
            rank = 0 if c6.endswith("0000") else 1 if c6.endswith("00") else 2
            self.by_code[c6] = _Entry(
                c6, name, float(lon) if lon else None, float(lat) if lat else None, rank
            )
        self._nations = nations

    @cached_property
    def names(self) -> dict[str, list[tuple[str, bool]]]:
        """Name → codes, with a flag: True when the name may only match with context. Built
        on first use: `city_of` and `place_by_code` (the engine's) need only `by_code`, and
        the short forms were most of the table's 80 ms."""
        names: dict[str, list[tuple[str, bool]]] = {}

        def add(name: str, code6: str, needs_ctx: bool) -> None:
            lst = names.setdefault(name, [])
            if all(c != code6 for c, _ in lst):
                lst.append((code6, needs_ctx))

        ethnic = sorted((n for n in self._nations if n.endswith("族")), key=len, reverse=True)
        for e in self.by_code.values():
            if e.name in _PLACEHOLDERS:
                continue
            add(e.name, e.code6, False)
            for short, needs_ctx in _short_forms(e, ethnic):
                add(short, e.code6, needs_ctx)
        return names

    @cached_property
    def max_len(self) -> int:
        return max(len(n) for n in self.names)


def _strip_ethnic(name: str, suffix: str, ethnic: list[str]) -> str:
    base = name[: -len(suffix)]
    changed = True
    while changed:
        changed = False
        for n in ethnic:
            for form in (n, n[:-1]):
                if len(form) >= 1 and base.endswith(form) and len(base) > len(form) + 1:
                    base = base[: -len(form)]
                    changed = True
                    break
            if changed:
                break
    return base


def _short_forms(e: _Entry, ethnic: list[str]) -> list[tuple[str, bool]]:
    n = e.name
    out: list[tuple[str, bool]] = []
    if e.rank == 0:
        for suf in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市"):
            if n.endswith(suf) and len(n) > len(suf):
                out.append((n[: -len(suf)], False))
                break
        return out
    if e.rank == 1:
        for suf in ("自治州", "地区", "盟", "市"):
            if n.endswith(suf) and len(n) > len(suf):
                base = _strip_ethnic(n, suf, ethnic) if suf == "自治州" else n[: -len(suf)]
                if len(base) >= 2:
                    out.append((base, False))
                break
        return out
    if n.endswith("市") and len(n) >= 3:
        out.append((n[:-1], False))
    for suf in ("自治县", "自治旗", "新区", "林区", "特区", "县", "区", "旗"):
        if n.endswith(suf) and len(n) > len(suf):
            base = _strip_ethnic(n, suf, ethnic) if suf.startswith("自治") else n[: -len(suf)]
            if len(base) >= 2:
                out.append((base, True))
            break
    return out


def cpca_resource(name: str) -> str:
    """Text of a file in cpca's ``resources`` folder, found without importing cpca (its
    ``__init__`` imports pandas)."""
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("cpca is not installed")
    for base in spec.submodule_search_locations:
        p = Path(base) / "resources" / name
        if p.is_file():
            return p.read_text("utf-8")
    raise FileNotFoundError(name)


_read_resource = cpca_resource


@lru_cache(maxsize=1)
def _table() -> _Table:
    text = _read_resource("adcodes.csv")
    reader = csv.reader(io.StringIO(text))
    next(reader, None)
    rows = [(r[0], r[1], r[2], r[3]) for r in reader if len(r) >= 4 and r[0][:6].isdigit()]
    try:
        nations = [ln.strip() for ln in _read_resource("56_nations.csv").splitlines()]
    except Exception:  # pragma: no cover
        nations = []
    return _Table(rows, nations)


def known_codes() -> frozenset[str]:
    """All 6-digit codes in the packaged table."""
    return frozenset(_table().by_code)


def _parents(code6: str) -> tuple[str, str]:
    return code6[:2] + "0000", code6[:4] + "00"


def city_of(code6: str) -> Place | None:
    """The prefecture-level city containing ``code6`` (its code, name and centroid). For the
    municipalities (北京/天津/上海/重庆) the municipality itself; for county-level units
    directly under a province (仙桃, 济源, 石河子…) the unit itself."""
    t = _table()
    code6 = code6[:6]
    if len(code6) != 6 or not code6.isdigit():
        return None
    prov_code, city_code = _parents(code6)
    prov = t.by_code.get(prov_code)
    if prov is None:
        return None
    target: _Entry | None
    if prov_code[:2] in MUNICIPALITIES:
        target = prov
    else:
        city = t.by_code.get(city_code)
        if city is None or city.name in _PLACEHOLDERS or code6 == prov_code:
            target = t.by_code.get(code6) if code6 != prov_code else None
            if target is None or target.rank == 0:
                return None
        else:
            target = city
    return Place(
        code6=target.code6,
        name=target.name,
        province=prov.name,
        province_code=prov.code6,
        city=target.name,
        city_code=target.code6,
        lon=target.lon,
        lat=target.lat,
        level="city",
    )


def place_by_code(code: str) -> Place | None:
    """A 6/9/12-digit division code → its county (or city, if the county is unknown)."""
    code = re.sub(r"\s+", "", code)
    if not code.isdigit() or len(code) not in (6, 9, 12):
        return None
    t = _table()
    c6 = code[:6]
    e = t.by_code.get(c6)
    if e is None or e.name in _PLACEHOLDERS:
        city = city_of(c6)
        return city
    if e.rank == 0:
        return city_of(c6) if c6[:2] in MUNICIPALITIES else None
    city = city_of(c6)
    if city is None:
        return None
    if e.rank == 1:
        return city
    return Place(
        code6=e.code6,
        name=e.name,
        province=city.province,
        province_code=city.province_code,
        city=city.city,
        city_code=city.city_code,
        lon=e.lon if e.lon is not None else city.lon,
        lat=e.lat if e.lat is not None else city.lat,
        level="county",
    )


_TOWN_AFTER = ("镇", "乡", "街道", "村", "路", "街", "大道", "社区")


def _matches(text: str) -> list[tuple[int, int, str, bool]]:
    """All (start, end, code6, needs_context) name hits in text."""
    t = _table()
    hits: list[tuple[int, int, str, bool]] = []
    n = len(text)
    for i in range(n):
        for j in range(min(n, i + t.max_len), i + 1, -1):
            lst = t.names.get(text[i:j])
            if lst is None:
                continue
            rest = text[j:]
            for code6, needs_ctx in lst:
                e = t.by_code[code6]
                if e.rank == 2 and rest.startswith(_TOWN_AFTER) and text[i:j] != e.name:
                    continue
                hits.append((i, j, code6, needs_ctx))
    return hits


def _counties(
    hits: list[tuple[int, int, str, bool]], prov: str | None, cities: set[str]
) -> set[str]:
    """The counties the hits name, within the province and cities named (if any); a short
    form that needs context counts only beside a province or city of its own province."""
    t = _table()
    city_spans = {(i, j) for i, j, c, _ in hits if c in cities}
    counties: set[str] = set()
    for i, j, c, needs_ctx in hits:
        if t.by_code[c].rank != 2:
            continue
        if prov is not None and c[:2] != prov[:2]:
            continue
        if cities and not any(c[:4] == ct[:4] for ct in cities):
            continue  # a county of another city than the one named
        if needs_ctx:
            if (i, j) in city_spans:
                continue  # "乌鲁木齐" names the city, not 乌鲁木齐县
            ctx_spans = {
                (a, b)
                for a, b, cc, _ in hits
                if t.by_code[cc].rank < 2 and (a, b) != (i, j) and cc[:2] == c[:2]
            }
            if not ctx_spans:
                continue
        counties.add(c)
    return counties


def _bare_city_ambiguous(hits: list[tuple[int, int, str, bool]], cities: set[str]) -> bool:
    """A bare city short form that is also a district elsewhere ("朝阳": 辽宁朝阳市 or
    北京朝阳区) is ambiguous."""
    t = _table()
    ((ci, cj),) = [(i, j) for i, j, c, _ in hits if c in cities][:1] or [(0, 0)]
    others = [
        c
        for i, j, c, _ in hits
        if (i, j) == (ci, cj) and t.by_code[c].rank == 2 and c[:4] != next(iter(cities))[:4]
    ]
    return bool(others)


@lru_cache(maxsize=4096)
def geocode(text: str) -> Place | None:
    """Destination free text ("广东东莞长安镇", "浙江义乌", "上海浦东") or a 6/9/12-digit code
    → a county-level Place, else a city-level Place, else None (unknown/ambiguous)."""
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    if not s:
        return None
    if s.isdigit():
        return place_by_code(s)
    t = _table()
    hits = _matches(s)
    if not hits:
        return None
    provinces = {c for _, _, c, _ in hits if t.by_code[c].rank == 0}
    cities = {c for _, _, c, _ in hits if t.by_code[c].rank == 1}
    if len(provinces) > 1:
        # "吉林省吉林市": a province name that is also a city; keep provinces containing a city.
        provinces = {p for p in provinces if any(c[:2] == p[:2] for c in cities)} or provinces
    if len(provinces) > 1:
        return None
    prov = next(iter(provinces), None)
    if prov is not None:
        cities = {c for c in cities if c[:2] == prov[:2]}
    counties = _counties(hits, prov, cities)
    if prov is None and len(cities) == 1 and not counties and _bare_city_ambiguous(hits, cities):
        return None
    if len(counties) > 1:
        # Prefer counties named in full or by their city-form short name ("义乌") over
        # context-only short forms.
        strong = {c for _, _, c, nc in hits if c in counties and not nc}
        if len(strong) == 1:
            counties = strong
    if len(counties) == 1:
        return place_by_code(next(iter(counties)))
    if len(cities) == 1:
        return city_of(next(iter(cities)))
    if len(counties) > 1:
        parents = {city_of(c) for c in counties}
        if len(parents) == 1:
            return next(iter(parents))
        return None
    if prov is not None and prov[:2] in MUNICIPALITIES and not cities:
        return city_of(prov)
    return None
