"""Build an in-memory demo county (or city, or a tiny county for tests).

Every random decision goes through one `random.Random` and one numpy `Generator`, both
seeded, and nothing iterates over a set or a str-keyed hash order, so one seed gives one
world. All dates are relative to `as_of`, so planted cases stay true for any `as_of`.

Area code scheme (documented in the package docstring too):
  county  6 digits   330226
  township 9 digits  county + 001–099 街道 / 101–199 镇 / 201–299 乡
  village 12 digits  township + 001–199 社区 / 201–399 村
  hamlet  15 digits  village + 001–… (村民小组 "第N组", or 网格 "第N网格" in a 社区)
Household 户编号: village code + "-" + 4-digit sequence (330226101201-0007).
Org 组织编号: "D" + the area code it serves, with suffixes (see `org ids` below).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from faker.providers.person.zh_CN import Provider as _ZhPerson

from orgraph.demo import ids, places
from orgraph.demo.expected import PlantedCase
from orgraph.demo.model import Area, Contact, Household, Member, Org, Outflow, Report, World
from orgraph.demo.places import CountySpec, Destination

CN_NUM = "一二三四五六七八九十"

RURAL_BANDS = ((20, 34, 12), (35, 49, 17), (50, 59, 19), (60, 69, 22), (70, 79, 19), (80, 95, 11))
URBAN_BANDS = ((22, 34, 20), (35, 49, 25), (50, 59, 20), (60, 69, 17), (70, 79, 12), (80, 92, 6))
SIZE_P = np.array([0.14, 0.27, 0.21, 0.18, 0.10, 0.06, 0.04])

EXEMPT_AGE = 70


def cn(k: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十."""
    if k <= 10:
        return CN_NUM[k - 1]
    if k < 20:
        return "十" + CN_NUM[k - 11]
    tens, ones = divmod(k, 10)
    return CN_NUM[tens - 1] + "十" + (CN_NUM[ones - 1] if ones else "")


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 Feb
        return d.replace(year=d.year + years, day=28)


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


# --------------------------------------------------------------------------- internals


@dataclass
class _Village:
    area: Area
    township: _Township
    community: bool
    H: int
    M: int
    tags: set[str] = field(default_factory=set)  # planted roles (membership tests only)
    coverage: str = "partial"  # partial / full / none
    hamlets: list[Area] = field(default_factory=list)
    members: list[int] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    top_org: str = ""
    branches: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    cadres: list[int] = field(default_factory=list)


@dataclass
class _Township:
    area: Area
    kind: str  # 街道 / 镇 / 乡
    villages: list[_Village] = field(default_factory=list)
    org_id: str = ""
    organ_branch: str = ""
    cadres: list[int] = field(default_factory=list)
    staff: list[int] = field(default_factory=list)
    cadre_villages: dict[int, list[_Village]] = field(default_factory=dict)


@dataclass
class _County:
    spec: CountySpec
    area: Area
    townships: list[_Township] = field(default_factory=list)
    committee: str = ""
    organ_committee: str = ""
    organ_branches: list[str] = field(default_factory=list)
    leaders: list[int] = field(default_factory=list)
    leader_township: dict[int, _Township] = field(default_factory=dict)
    first_secretaries: list[tuple[int, _Village]] = field(default_factory=list)
    staff: list[int] = field(default_factory=list)
    mobile: dict[str, Org] = field(default_factory=dict)  # city prefix → mobile branch
    joint_sets: list[list[_Village]] = field(default_factory=list)
    members: list[int] = field(default_factory=list)


# --------------------------------------------------------------------------- builder


class Builder:
    def __init__(self, *, seed: int, as_of: date, scale: str) -> None:
        self.seed = seed
        self.as_of = as_of
        self.scale = scale
        self.r = random.Random(seed)
        self.g = np.random.default_rng(seed)
        self.orgs: list[Org] = []
        self.org_by_id: dict[str, Org] = {}
        self.members: list[Member] = []
        self.contacts: list[Contact] = []
        self.outflows: list[Outflow] = []
        self.reports: list[Report] = []
        self.planted: list[PlantedCase] = []
        self.second_listings: list[tuple[int, str]] = []  # (member idx, branch org_id)
        self.counties: list[_County] = []
        self._id_numbers: set[str] = set()
        self._member_no_seq = 0
        self._card_seq = 0
        self._profiles: dict[int, str] = {}
        self._open: dict[int, Outflow] = {}
        self._hh_area: dict[str, str] = {}
        self._village_by_code: dict[str, _Village] = {}
        # name pools
        sur = list(places.LOCAL_SURNAMES)
        total_local = sum(w for _, w in sur)
        faker_total = sum(_ZhPerson.last_names.values())
        for s, w in _ZhPerson.last_names.items():
            sur.append((s, w / faker_total * total_local * 0.25))
        merged: dict[str, float] = {}
        for s, w in sur:
            merged[s] = merged.get(s, 0.0) + w
        self._surnames = list(merged)
        weights = np.array([merged[s] for s in self._surnames])
        self._sur_p = weights / weights.sum()
        self._sur_cum = list(np.cumsum(self._sur_p))
        self._given_pool = [self._given(self.r.random() < 0.6) for _ in range(4000)]

    # ------------------------------------------------------------------ small helpers

    def days_ago(self, lo: int, hi: int) -> date:
        return self.as_of - timedelta(days=self.r.randint(lo, hi))

    def _given(self, male: bool) -> str:
        r = self.r
        if r.random() < 0.35:
            pool = _ZhPerson.first_names_male if male else _ZhPerson.first_names_female
            return str(r.choice(pool))
        chars = places.MALE_CHARS if male else places.FEMALE_CHARS
        if r.random() < 0.22:
            return r.choice(chars)
        return r.choice(chars) + r.choice(chars)

    def _surname(self) -> str:
        x = self.r.random()
        lo, hi = 0, len(self._sur_cum) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self._sur_cum[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        return self._surnames[lo]

    def _birth_for_age(self, age: int) -> date:
        end = add_years(self.as_of, -age)
        start = add_years(self.as_of, -(age + 1)) + timedelta(days=1)
        return start + timedelta(days=self.r.randint(0, (end - start).days))

    def _id_number(self, county: str, birth: date, male: bool) -> str:
        r = self.r
        region = county if r.random() < 0.85 else r.choice(places.BIRTHPLACES)
        while True:
            seq = r.randint(0, 499) * 2 + (1 if male else 0)
            idn = ids.make_id(region, birth, seq)
            if idn not in self._id_numbers:
                self._id_numbers.add(idn)
                return idn

    def _phone(self) -> str:
        r = self.r
        head = r.choice(("13", "15", "18", "17", "19", "13", "15"))
        return head + f"{r.randint(0, 999999999):09d}"

    def _education(self, age: int, organ: bool) -> str:
        r = self.r
        if organ:
            return r.choices(("本科", "硕士研究生", "大专"), (70, 20, 10))[0]
        if age >= 70:
            return r.choices(("小学", "初中", "高中", "中专"), (45, 35, 15, 5))[0]
        if age >= 50:
            return r.choices(
                ("小学", "初中", "高中", "中专", "大专", "本科"), (15, 40, 25, 10, 8, 2)
            )[0]
        if age >= 35:
            return r.choices(("初中", "高中", "中专", "大专", "本科"), (25, 25, 10, 25, 15))[0]
        return r.choices(("高中", "大专", "本科", "硕士研究生"), (10, 30, 50, 10))[0]

    def new_member(
        self,
        county: str,
        village: str | None,
        *,
        age: int,
        male: bool,
        probationary: bool = False,
        organ: bool = False,
        member_no_p: float = 0.92,
    ) -> Member:
        r = self.r
        birth = self._birth_for_age(age)
        name = self._surname() + self._given(male)
        idn = self._id_number(county, birth, male)
        if probationary:
            joined = self.days_ago(20, 340)
            full_on = None
        else:
            ja_max = min(age - 1.5, 60.0)
            ja = 18.0 if ja_max <= 18.5 else r.triangular(18.0, ja_max, min(26.0, ja_max))
            joined = birth + timedelta(days=int(ja * 365.25) + r.randint(0, 30))
            full_on = joined + timedelta(days=365 + r.randint(0, 40))
        member_no = ""
        if r.random() < member_no_p:
            self._member_no_seq += 1
            member_no = f"{county}D{self._member_no_seq:07d}"
        eth = r.choices([e for e, _ in places.ETHNICITIES], [w for _, w in places.ETHNICITIES])[0]
        phone = "" if age >= 85 and r.random() < 0.5 else self._phone()
        m = Member(
            idx=len(self.members),
            name=name,
            id_number=idn,
            member_no=member_no,
            gender="男" if male else "女",
            ethnicity=eth,
            birth=birth,
            education=self._education(age, organ),
            category="预备党员" if probationary else "正式党员",
            joined_on=joined,
            full_on=full_on,
            county=county,
            village=village,
            phone=phone,
        )
        self.members.append(m)
        return m

    def age(self, m: Member) -> int:
        return age_on(m.birth, self.as_of)

    def exempt(self, m: Member) -> bool:
        return self.age(m) >= EXEMPT_AGE or m.mgmt_class == "老弱"

    def add_org(self, org: Org) -> Org:
        assert org.org_id not in self.org_by_id, org.org_id
        self.orgs.append(org)
        self.org_by_id[org.org_id] = org
        return org

    def plant(self, type_: str, kind: str, id_: str, note: str = "") -> None:
        self.planted.append(PlantedCase(type_, kind, id_, note))  # type: ignore[arg-type]

    # ------------------------------------------------------------------ areas

    def _village_name(self, used: set[str], community: bool) -> str:
        r = self.r
        for _ in range(200):
            if community:
                base = r.choice(places.COMMUNITY_WORDS)
                if r.random() < 0.15:
                    base = base + r.choice(("新村", "花园", "家园"))
                name = base + "社区"
            else:
                x = r.random()
                if x < 0.33:
                    base = self._surname() + "家"
                    if r.random() < 0.25:
                        base += r.choice(places.VILLAGE_SUFFIX)
                elif x < 0.43:
                    base = self._surname() + r.choice(places.VILLAGE_SUFFIX)
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

    def _households_target(self, community: bool) -> int:
        h = math.exp(self.g.normal(math.log(310), 0.5)) * (1.2 if self.scale == "city" else 1.0)
        if community:
            return int(min(2500, max(200, h * 1.8)))
        return int(min(1500, max(60, h)))

    def _members_target(self, h: int) -> int:
        rate = min(0.13, max(0.045, self.g.normal(0.08, 0.015)))
        return max(6, round(h * rate))

    def _township_codes(self, spec: CountySpec) -> list[tuple[str, str, str, float, float]]:
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
                lon = spec.lon + self.r.uniform(-0.7, 0.7) * spec.spread
                lat = spec.lat + self.r.uniform(-0.7, 0.7) * spec.spread
            out.append((f"{spec.code}{num:03d}", name, kind, lon, lat))
        return out

    def _point_near(
        self, lon: float, lat: float, sd: float, spec: CountySpec
    ) -> tuple[float, float]:
        x = lon + self.g.normal(0, sd)
        y = lat + self.g.normal(0, sd)
        x = min(spec.lon + spec.spread, max(spec.lon - spec.spread, x))
        y = min(spec.lat + spec.spread, max(spec.lat - spec.spread, y))
        return round(x, 6), round(y, 6)

    def build_areas(self, spec: CountySpec, tiny: bool) -> _County:
        c = _County(spec=spec, area=Area(spec.code, spec.name, "县", None, spec.lon, spec.lat))
        tws = self._township_codes(spec)
        if tiny:
            tws = [t for t in tws if t[1] in places.TINY_TOWNSHIPS]
        for code, name, kind, lon, lat in tws:
            t = _Township(
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
            if tiny:
                layout = [(False, 0)] * (4 if name == "长街镇" else 3)
            elif kind == "街道":
                n = self.r.randint(6, 11)
                ncomm = round(n * 0.6)
                layout = [(True, 0)] * ncomm + [(False, 0)] * (n - ncomm)
            elif kind == "镇":
                layout = [(True, 0)] * self.r.randint(0, 2) + [(False, 0)] * self.r.randint(14, 24)
            else:
                layout = [(False, 0)] * self.r.randint(8, 12)
            used: set[str] = set()
            n_comm, n_vil = 0, 200
            for community, _ in layout:
                if community:
                    n_comm += 1
                    num = n_comm
                else:
                    n_vil += 1
                    num = n_vil
                vname = self._village_name(used, community)
                vlon, vlat = self._point_near(lon, lat, spec.spread * 0.12, spec)
                H = self._households_target(community)
                v = _Village(
                    area=Area(
                        f"{code}{num:03d}", vname, "社区" if community else "村", code, vlon, vlat
                    ),
                    township=t,
                    community=community,
                    H=H,
                    M=self._members_target(H),
                )
                t.villages.append(v)
        return c

    def add_hamlets(self, c: _County, v: _Village) -> None:
        n = min(12, max(3, round(v.H / 45)))
        if v.community:
            n = min(10, n)
        unit = "网格" if v.community else "组"
        for k in range(1, n + 1):
            assert v.area.lon is not None and v.area.lat is not None
            lon, lat = self._point_near(v.area.lon, v.area.lat, 0.004, c.spec)
            v.hamlets.append(
                Area(f"{v.area.code}{k:03d}", f"第{k}{unit}", unit, v.area.code, lon, lat)
            )

    # ------------------------------------------------------------------ plan

    def plan(self, c: _County, tiny: bool) -> None:
        """Pick the villages that carry planted structural cases."""
        r = self.r
        villages = [v for t in c.townships for v in t.villages]
        if tiny:
            big, normal, small, none_v = c.townships[0].villages
            ja, jb, other = c.townships[1].villages
            big.H, big.M = 180, 56
            normal.H, normal.M = 90, 20
            small.H, small.M = 40, 3
            none_v.H, none_v.M = 80, 15
            ja.H, ja.M = 30, 2
            jb.H, jb.M = 30, 2
            other.H, other.M = 90, 14
            big.tags.add("big")
            normal.tags |= {"normal", "weak_overdue"}
            small.tags |= {"small", "no_cadre", "first_secretary"}
            none_v.tags |= {"term_expired"}
            none_v.coverage = "none"
            other.coverage = "full"
            other.tags.add("weak")
            c.joint_sets.append([ja, jb])
            ja.tags.add("joint")
            jb.tags.add("joint")
            return
        rural = [v for v in villages if not v.community]
        if len(rural) < 12:
            rural = villages
        pick = r.sample(rural, len(rural))
        big = next((v for v in pick if v.township.kind == "镇"), pick[0])
        big.tags.add("big")
        big.H, big.M = max(big.H, 480), 56
        free = [v for v in pick if v is not big]
        small = free.pop()
        small.tags.add("small")
        small.M = 3
        # two joint branches, each of two small villages in one township
        for _ in range(2):
            for t in r.sample(c.townships, len(c.townships)):
                cands = [v for v in t.villages if v in free]
                if len(cands) >= 4:
                    pair = cands[:2]
                    for v in pair:
                        free.remove(v)
                        v.tags.add("joint")
                        v.M = 2
                        v.H = min(v.H, 120)
                    c.joint_sets.append(pair)
                    break
        normal = next(v for v in free if 15 <= v.M <= 45)
        free.remove(normal)
        normal.tags.add("normal")
        rest = [v for v in villages if not v.tags]
        rest = r.sample(rest, len(rest))
        n_none = max(1, round(len(villages) * 0.10))
        n_full = max(1, round(len(villages) * 0.06))
        for v in rest[:n_none]:
            v.coverage = "none"
        for v in rest[n_none : n_none + n_full]:
            v.coverage = "full"
        pool = rest[n_none + n_full :]
        for v in pool[:2]:
            v.tags.add("no_cadre")
        for i, v in enumerate(pool[2:8]):
            v.tags.add("weak_overdue" if i < 2 else "weak")
            v.tags.add("first_secretary")
        for v in pool[8:12]:
            v.tags.add("term_expired")
        for v in pool[12:]:
            if r.random() < 0.05:
                v.tags.add("first_secretary")

    # ------------------------------------------------------------------ members

    def village_members(self, c: _County, v: _Village) -> None:
        r = self.r
        bands = URBAN_BANDS if v.community else RURAL_BANDS
        lo_hi = [(a, b) for a, b, _ in bands]
        weights = [w for _, _, w in bands]
        male_p = 0.6 if v.community else 0.74
        if "small" in v.tags:
            specs = [
                (r.randint(45, 66), False),
                (r.randint(50, 68), False),
                (r.randint(24, 35), True),
            ]
        elif "joint" in v.tags:
            specs = [(r.randint(48, 68), False), (r.randint(40, 66), False)]
        else:
            specs = []
            for _ in range(v.M):
                if r.random() < 0.05:
                    specs.append((r.randint(20, 45), True))
                else:
                    a, b = r.choices(lo_hi, weights)[0]
                    specs.append((r.randint(a, b), False))
        for age, prob in specs:
            m = self.new_member(
                c.spec.code, v.area.code, age=age, male=r.random() < male_p, probationary=prob
            )
            v.members.append(m.idx)
            c.members.append(m.idx)

    def choose_away(self, c: _County, tiny: bool) -> None:
        r = self.r
        cands: list[int] = []
        for t in c.townships:
            for v in t.villages:
                if v.tags & {"small", "joint"}:
                    continue
                cands.extend(i for i in v.members if 20 <= self.age(self.members[i]) <= 58)
        total = len(c.members) * 1.04  # organ members are added later
        target = round(total * 0.12)
        if tiny:
            target = max(target, 12)
        target = min(target, len(cands))
        for i in r.sample(cands, target):
            self.members[i].away = True

    def assign_classes(self, c: _County) -> None:
        r = self.r
        for i in c.members:
            m = self.members[i]
            a = self.age(m)
            if m.away:
                m.mgmt_class = "流动创业"
            elif a >= EXEMPT_AGE:
                m.mgmt_class = "老弱" if r.random() < 0.92 else ""
            elif a >= 60:
                m.mgmt_class = r.choices(("在家青壮年", "产业一线", "老弱", ""), (60, 20, 8, 12))[0]
            else:
                m.mgmt_class = r.choices(("在家青壮年", "产业一线"), (70, 30))[0]

    def eligible(self, idxs: list[int]) -> list[int]:
        """At-home, non-exempt members among idxs (who should hold 3–5 household contacts)."""
        return [i for i in idxs if not self.members[i].away and not self.exempt(self.members[i])]

    # ------------------------------------------------------------------ households

    def households_for(self, c: _County, v: _Village, out: list[Household]) -> None:
        g = self.g
        H = v.H
        ham = v.hamlets
        ham_idx = g.integers(0, len(ham), H).tolist()
        village_level = (g.random(H) < 0.04).tolist()
        sizes = (g.choice(7, H, p=SIZE_P) + 1).tolist()
        u = g.random((H, 5))
        t_dibao = (u[:, 0] < 0.035).tolist()
        t_tekun = (u[:, 1] < 0.008).tolist()
        t_kongchao = (u[:, 2] < 0.35).tolist()
        t_liushou = (u[:, 3] < 0.07).tolist()
        t_junren = (u[:, 4] < 0.04).tolist()
        sur = g.choice(len(self._surnames), H, p=self._sur_p).tolist()
        given = g.integers(0, len(self._given_pool), H).tolist()
        dx = np.round(g.normal(0, 0.0035, H), 6).tolist()
        dy = np.round(g.normal(0, 0.0035, H), 6).tolist()
        house_no = g.integers(1, 320, H).tolist()
        prefix = f"{c.spec.name}{v.township.area.name}{v.area.name}"
        roads = [self.r.choice(places.ROADS) for _ in ham]
        surnames, pool = self._surnames, self._given_pool
        vcode = v.area.code
        assert v.area.lon is not None and v.area.lat is not None
        for i in range(H):
            hi = ham_idx[i]
            hm = ham[hi]
            size = sizes[i]
            tags = []
            if t_dibao[i]:
                tags.append("低保")
            if t_tekun[i]:
                tags.append("特困")
            if size <= 2 and t_kongchao[i]:
                tags.append("空巢")
            if size >= 3 and t_liushou[i]:
                tags.append("留守儿童")
            if t_junren[i]:
                tags.append("退役军人")
            if village_level[i]:
                area_code = vcode
                base_lon, base_lat = v.area.lon, v.area.lat
                addr = f"{prefix}{house_no[i]}号"
            else:
                area_code = hm.code
                base_lon, base_lat = hm.lon or 0.0, hm.lat or 0.0
                if v.community:
                    addr = f"{prefix}{roads[hi]}{house_no[i]}号"
                else:
                    addr = f"{prefix}{hm.name}{house_no[i]}号"
            h = Household(
                id=f"{vcode}-{i + 1:04d}",
                area_code=area_code,
                village=vcode,
                head_name=surnames[sur[i]] + pool[given[i]],
                address=addr,
                size=size,
                tags=";".join(tags),
                lon=round(base_lon + dx[i], 6),
                lat=round(base_lat + dy[i], 6),
            )
            v.households.append(h)
            self._hh_area[h.id] = area_code
            out.append(h)

    def link_households(self, v: _Village) -> None:
        r = self.r
        heads: set[str] = set()
        prev: Household | None = None
        for i in v.members:
            m = self.members[i]
            if r.random() >= 0.88:
                prev = None
                continue
            h = prev if prev is not None and r.random() < 0.06 else r.choice(v.households)
            m.household_id = h.id
            if h.id not in heads and self.age(m) >= 30 and r.random() < 0.5:
                h.head_name = m.name
                heads.add(h.id)
            prev = h

    # ------------------------------------------------------------------ orgs

    def _term(self, years: int) -> tuple[date, date]:
        elected = self.days_ago(180, 420)
        return elected, add_years(elected, years)

    def village_orgs(self, c: _County, t: _Township) -> None:
        r = self.r
        cname, tname = c.spec.name, t.area.name
        joint_members: dict[int, tuple[str, list[_Village]]] = {}
        for n, group in enumerate(c.joint_sets, start=1):
            if group[0].township is t:
                joint_members[id(group[0])] = (f"D{t.area.code}-LH{n}", group)
        for v in t.villages:
            if "joint" in v.tags:
                key = id(v)
                if key not in joint_members:
                    continue  # the second village of a joint set: handled with the first
                oid, group = joint_members[key]
                _, term_end = self._term(5)
                names = "".join(x.area.name for x in group)
                self.add_org(
                    Org(
                        oid,
                        f"{cname}{tname}{names}联合党支部",
                        "联合党支部",
                        t.org_id,
                        group[0].area.code,
                        established_on=date(r.randint(2018, 2022), r.randint(1, 12), 1),
                        term_end=term_end,
                    )
                )
                for x in group:
                    x.top_org = oid
                    x.branches = [oid]
                    for i in x.members:
                        self.members[i].branch = oid
                continue
            self._one_village_org(c, t, v)

    def _sorted_by_hamlet(self, idxs: list[int]) -> list[int]:
        def key(i: int) -> tuple[str, int]:
            hid = self.members[i].household_id
            return (self._hh_area[hid] if hid else "~", i)

        return sorted(idxs, key=key)

    def _one_village_org(self, c: _County, t: _Township, v: _Village) -> None:
        r = self.r
        base = f"{c.spec.name}{t.area.name}{v.area.name}"
        oid = f"D{v.area.code}"
        _, term_end = self._term(5)
        if "term_expired" in v.tags:
            term_end = self.days_ago(30, 200)
        est = date(r.randint(1950, 1998), r.randint(1, 12), 1)
        members = list(v.members)
        if "normal" in v.tags:  # the member whose 所在党支部 cell is empty
            cand = [
                i
                for i in members
                if not self.members[i].away and 30 <= self.age(self.members[i]) <= 60
            ]
            loner = cand[0] if cand else members[0]
            members.remove(loner)
            self.plant(
                "member_no_branch",
                "member",
                self.members[loner].key,
                f"{v.area.name}: 所在党支部 为空",
            )
        weak = bool(v.tags & {"weak", "weak_overdue"})
        rect_opened = self.days_ago(200, 500) if weak else None
        rect_deadline = None
        if "weak_overdue" in v.tags:
            rect_deadline = self.days_ago(20, 120)
        elif weak:
            rect_deadline = self.as_of + timedelta(days=r.randint(30, 240))
        if len(members) > 50 and "big" not in v.tags:
            k = max(2, math.ceil(len(members) / 45))
            top = self.add_org(
                Org(
                    oid,
                    f"{base}党总支",
                    "党总支",
                    t.org_id,
                    v.area.code,
                    established_on=est,
                    term_end=term_end,
                )
            )
            ordered = self._sorted_by_hamlet(members)
            chunks = [ordered[j::k] for j in range(k)]  # balanced
            for j, chunk in enumerate(chunks, start=1):
                sub = self.add_org(
                    Org(
                        f"{oid}-{j}",
                        f"{base}党总支第{cn(j)}党支部",
                        "党支部",
                        oid,
                        v.area.code,
                        established_on=date(r.randint(2012, 2021), 7, 1),
                        term_end=term_end,
                    )
                )
                v.branches.append(sub.org_id)
                for i in chunk:
                    self.members[i].branch = sub.org_id
                self._groups(v, sub, chunk)
        else:
            top = self.add_org(
                Org(
                    oid,
                    f"{base}党支部",
                    "党支部",
                    t.org_id,
                    v.area.code,
                    established_on=est,
                    term_end=term_end,
                )
            )
            v.branches.append(oid)
            for i in members:
                self.members[i].branch = oid
            self._groups(v, top, members)
        if weak:
            top.weak = True
            top.rect_opened = rect_opened
            top.rect_deadline = rect_deadline
            if rect_deadline is not None and rect_deadline < self.as_of:
                self.plant(
                    "rectification_overdue",
                    "org",
                    top.org_id,
                    f"整顿期限 {rect_deadline.isoformat()}",
                )
        if "term_expired" in v.tags:
            self.plant("term_expired", "org", top.org_id, f"届满日期 {term_end.isoformat()}")
        v.top_org = top.org_id
        if "big" in v.tags:
            self.plant("branch_too_large", "org", top.org_id, f"{len(members)} 名党员")
        if "small" in v.tags:
            self.plant("branch_too_small", "org", top.org_id, "正式党员 2 名")

    def _groups(self, v: _Village, branch: Org, members: list[int]) -> None:
        ordered = self._sorted_by_hamlet(members)
        if "big" in v.tags:
            lone = next(i for i in ordered if not self.members[i].away)
            ordered.remove(lone)
            self.plant(
                "member_no_group",
                "member",
                self.members[lone].key,
                f"{branch.name} 有党小组, 该党员不在任何党小组",
            )
            rest = len(ordered) - 20
            sizes = [17, 3] + [rest // 3 + (1 if j < rest % 3 else 0) for j in range(3)]
        else:
            n = len(ordered)
            if n < 10:
                return
            k = max(2, round(n / 10))
            while n / k > 15:
                k += 1
            while k > 2 and n / k < 5:
                k -= 1
            sizes = [n // k + (1 if j < n % k else 0) for j in range(k)]
        pos = 0
        for j, size in enumerate(sizes, start=1):
            chunk = ordered[pos : pos + size]
            pos += size
            hamlets = Counter(
                self._hh_area[self.members[i].household_id]
                for i in chunk
                if self.members[i].household_id
            )
            hamlet_code = v.hamlets[0].code
            for code, _ in sorted(hamlets.items(), key=lambda kv: (-kv[1], kv[0])):
                if len(code) == 15:
                    hamlet_code = code
                    break
            gid = f"{branch.org_id}-G{j:02d}"
            self.add_org(
                Org(
                    gid,
                    f"{branch.name}第{cn(j)}党小组",
                    "党小组",
                    branch.org_id,
                    hamlet_code,
                    established_on=self.days_ago(200, 2000),
                )
            )
            v.groups.append(gid)
            for i in chunk:
                self.members[i].group = gid
            home = [i for i in chunk if not self.members[i].away and self.age(self.members[i]) < 75]
            if home:
                self.members[home[0]].roles.append("党小组长")
            if "big" in v.tags and size in (17, 3):
                self.plant("group_size", "org", gid, f"{size} 名党员")

    def village_cadres(self, v: _Village) -> None:
        r = self.r
        home = [i for i in v.members if not self.members[i].away and self.members[i].branch]
        prime = [i for i in home if 25 <= self.age(self.members[i]) <= 66]
        others = [i for i in home if i not in prime and self.age(self.members[i]) < 75]
        r.shuffle(prime)
        if "joint" in v.tags or "small" in v.tags:
            want = len(v.members)
        else:
            want = 3 if v.M < 20 else 4 if v.M < 40 else 5
            want = max(want, math.ceil(len(v.groups) / 2))
        chosen = (prime + others)[:want]
        if not chosen:
            chosen = home[:1] or v.members[:1]
        v.cadres = chosen
        for k, i in enumerate(chosen):
            roles = self.members[i].roles
            if k == 0:
                roles[:0] = ["书记", "村两委"]
            elif k == 1:
                roles[:0] = ["副书记" if v.M >= 30 else "委员", "村两委"]
            elif k <= 3:
                roles[:0] = ["委员", "村两委"]
            else:
                roles[:0] = ["村两委"]

    # ------------------------------------------------------------------ organs

    def organ_member(self, c: _County, lo: int, hi: int, roles: list[str]) -> int:
        r = self.r
        m = self.new_member(
            c.spec.code,
            None,
            age=r.randint(lo, hi),
            male=r.random() < 0.68,
            probationary=r.random() < 0.03 and not roles,
            organ=True,
            member_no_p=0.97,
        )
        m.roles.extend(roles)
        c.members.append(m.idx)
        return m.idx

    def organs(self, c: _County, tiny: bool) -> None:
        r = self.r
        spec = c.spec
        villages = [v for t in c.townships for v in t.villages]
        # township cadres and staff
        for t in c.townships:
            n_cadres = 2 if tiny else math.ceil(len(t.villages) / 2) + 1
            t.cadres = [self.organ_member(c, 28, 55, ["乡镇干部"]) for _ in range(n_cadres)]
            t.staff = [self.organ_member(c, 24, 58, []) for _ in range(r.randint(3, 7))]
            self.members[t.cadres[0]].roles.insert(0, "书记")
            bid = f"D{t.area.code}-JG"
            _, term_end = self._term(3)
            self.add_org(
                Org(
                    bid,
                    f"{spec.name}{t.area.name}机关党支部",
                    "党支部",
                    t.org_id,
                    t.area.code,
                    established_on=date(r.randint(1985, 2005), 7, 1),
                    term_end=term_end,
                )
            )
            t.organ_branch = bid
            for i in t.cadres + t.staff:
                self.members[i].branch = bid
        # county leaders, first secretaries, staff
        n_leaders = 2 if tiny else round(len(c.townships) * 1.1)
        c.leaders = [self.organ_member(c, 45, 58, ["县级领导"]) for _ in range(n_leaders)]
        for v in villages:
            if "first_secretary" in v.tags:
                c.first_secretaries.append((self.organ_member(c, 28, 50, ["第一书记"]), v))
        n_staff = 3 if tiny else max(3, round(len(villages) * 0.1))
        c.staff = [self.organ_member(c, 24, 58, []) for _ in range(n_staff)]
        organ = c.leaders + [i for i, _ in c.first_secretaries] + c.staff
        organ = r.sample(organ, len(organ))
        k = max(1, math.ceil(len(organ) / 15))
        for j in range(k):
            chunk = organ[j::k]
            bid = f"{c.organ_committee}{j + 1:02d}"
            _, term_end = self._term(3)
            name = places.COUNTY_ORGAN_BRANCHES[j % len(places.COUNTY_ORGAN_BRANCHES)]
            suffix = "" if j < len(places.COUNTY_ORGAN_BRANCHES) else str(j)
            self.add_org(
                Org(
                    bid,
                    f"{spec.name}{name[1:]}{suffix}党支部",
                    "党支部",
                    c.organ_committee,
                    spec.code,
                    established_on=date(r.randint(1980, 2010), 7, 1),
                    term_end=term_end,
                )
            )
            c.organ_branches.append(bid)
            for i in chunk:
                self.members[i].branch = bid
            self.members[chunk[0]].roles.append("书记")

    # ------------------------------------------------------------------ responsibility chain

    def responsibilities(self, c: _County, tiny: bool) -> None:
        r = self.r
        add = self.contacts.append
        # county leaders → townships; the last township has none (planted)
        gap_t = c.townships[-1]
        covered = c.townships[:-1]
        for k, i in enumerate(c.leaders):
            t = covered[k % len(covered)]
            c.leader_township[i] = t
            add(Contact(i, "乡镇", t.area.code, self.days_ago(300, 1500)))
        last = c.leaders[-1]
        add(
            Contact(
                last, "乡镇", gap_t.area.code, self.days_ago(1200, 1800), self.days_ago(60, 200)
            )
        )
        self.plant(
            "township_no_leader",
            "area",
            gap_t.area.code,
            f"{gap_t.area.name}: 无县级领导联系 (原联系领导已调整)",
        )
        # township cadres → villages
        for t in c.townships:
            targets = [v for v in t.villages if "no_cadre" not in v.tags]
            t.cadre_villages = {i: [] for i in t.cadres}
            for k, v in enumerate(targets):
                i = t.cadres[k % len(t.cadres)]
                t.cadre_villages[i].append(v)
                add(Contact(i, "村", v.area.code, self.days_ago(200, 1500)))
            for v in t.villages:
                if "no_cadre" in v.tags:
                    add(
                        Contact(
                            r.choice(t.cadres),
                            "村",
                            v.area.code,
                            self.days_ago(900, 1500),
                            self.days_ago(30, 300),
                        )
                    )
                    self.plant(
                        "village_no_cadre", "area", v.area.code, f"{v.area.name}: 无乡镇干部联系"
                    )
        for i, v in c.first_secretaries:
            add(Contact(i, "村", v.area.code, self.days_ago(100, 700)))
        # village cadres → hamlets and party groups
        for t in c.townships:
            for v in t.villages:
                self._village_chain(v)

    def _village_chain(self, v: _Village) -> None:
        add = self.contacts.append
        cadres = v.cadres
        if not cadres:
            return
        skip_hamlet = v.hamlets[len(v.hamlets) // 2].code if "normal" in v.tags else None
        k = 0
        for h in v.hamlets:
            if h.code == skip_hamlet:
                self.plant(
                    "hamlet_no_cadre", "area", h.code, f"{v.area.name}{h.name}: 无村干部联系"
                )
                continue
            add(Contact(cadres[k % len(cadres)], "组", h.code, self.days_ago(150, 600)))
            k += 1
        groups = list(v.groups)
        if not groups:
            return
        since = self.days_ago(150, 600)
        if "big" in v.tags:
            # cadre 0: 3 groups (too many); cadre 4: none (too few); every group covered
            plan = {0: [0, 1, 2], 1: [3], 2: [4], 3: [0]}
            for ci, gis in plan.items():
                for gi in gis:
                    add(Contact(cadres[ci], "党小组", groups[gi], since))
            self.plant(
                "cadre_group_load", "member", self.members[cadres[0]].key, "村两委 联系 3 个党小组"
            )
            if len(cadres) > 4:
                self.plant(
                    "cadre_group_load",
                    "member",
                    self.members[cadres[4]].key,
                    "村两委 联系 0 个党小组 (所在支部有党小组)",
                )
            return
        if "normal" in v.tags and len(groups) >= 2:
            gone = groups.pop()
            self.plant("hamlet_no_cadre", "org", gone, "党小组无村两委联系")
        if len(cadres) >= len(groups):
            for ci, i in enumerate(cadres):
                add(Contact(i, "党小组", groups[ci % len(groups)], since))
        else:
            for gi, gid in enumerate(groups):
                add(Contact(cadres[gi % len(cadres)], "党小组", gid, since))

    # ------------------------------------------------------------------ household contacts

    def household_contacts(self, c: _County) -> None:
        r = self.r
        add = self.contacts.append
        active: dict[str, int] = {}
        for t in c.townships:
            for v in t.villages:
                if v.coverage == "none" or not v.households:
                    continue
                elig = self.eligible(v.members)
                hh = [h.id for h in v.households]
                if v.coverage == "full" and elig:
                    load: dict[int, list[str]] = {i: [] for i in elig}
                    order = r.sample(hh, len(hh))
                    for k, hid in enumerate(order):
                        load[elig[k % len(elig)]].append(hid)
                    for i in elig:
                        while len(load[i]) < 3:
                            extra = r.choice(hh)
                            if extra not in load[i] or len(hh) < 3:
                                load[i].append(extra)
                    for i in elig:
                        for hid in load[i]:
                            add(Contact(i, "户", hid, self.days_ago(60, 1800)))
                            active[hid] = active.get(hid, 0) + 1
                else:
                    pool = r.sample(hh, len(hh))
                    pos = 0
                    for i in elig:
                        k = r.choice((3, 4, 4, 5))
                        take = pool[pos : pos + k]
                        pos += k
                        while len(take) < min(k, len(hh)):
                            extra = r.choice(hh)
                            if extra not in take:
                                take.append(extra)
                        for hid in take:
                            add(Contact(i, "户", hid, self.days_ago(60, 1800)))
                            active[hid] = active.get(hid, 0) + 1
                # history: ended contacts of at-home, aged and away members
                for i in v.members:
                    m = self.members[i]
                    if m.away:
                        o = self._open[i]
                        if r.random() < 0.35:
                            for hid in r.sample(hh, min(len(hh), r.randint(2, 3))):
                                since = o.left_on - timedelta(days=r.randint(200, 1500))
                                until = min(
                                    self.as_of - timedelta(days=1),
                                    o.left_on + timedelta(days=r.randint(0, 60)),
                                )
                                add(Contact(i, "户", hid, since, until))
                        elif r.random() < 0.3:
                            for hid in r.sample(hh, min(len(hh), r.randint(1, 3))):
                                since = o.left_on - timedelta(days=r.randint(30, 900))
                                add(Contact(i, "户", hid, since))
                    elif self.exempt(m) and r.random() < 0.3:
                        until = self.days_ago(100, 900)
                        since = until - timedelta(days=r.randint(400, 1500))
                        add(Contact(i, "户", r.choice(hh), since, until))
                    elif r.random() < 0.05:
                        until = self.days_ago(100, 1000)
                        since = until - timedelta(days=r.randint(300, 900))
                        add(Contact(i, "户", r.choice(hh), since, until))

        # organ members (结对帮扶): 3–5 households each, never in "none" villages
        def pick_village(options: list[_Village]) -> _Village | None:
            ok = [v for v in options if v.coverage != "none" and v.households]
            return r.choice(ok) if ok else None

        all_villages = [v for t in c.townships for v in t.villages]
        organ_targets: list[tuple[int, list[_Village]]] = []
        for t in c.townships:
            for i in t.cadres:
                organ_targets.append((i, t.cadre_villages.get(i) or t.villages))
            for i in t.staff:
                organ_targets.append((i, t.villages))
        for i in c.leaders:
            organ_targets.append((i, c.leader_township[i].villages))
        for i, v in c.first_secretaries:
            organ_targets.append((i, [v] if v.coverage != "none" else v.township.villages))
        for i in c.staff:
            organ_targets.append((i, all_villages))
        for i, options in organ_targets:
            m = self.members[i]
            if self.exempt(m):
                continue
            target = pick_village(options) or pick_village(all_villages)
            if target is None:
                continue
            tagged = [h.id for h in target.households if h.tags]
            rest = [h.id for h in target.households if not h.tags]
            k = r.choice((3, 4, 5))
            picks = r.sample(tagged, min(len(tagged), k))
            picks += r.sample(rest, min(len(rest), k - len(picks)))
            for hid in picks:
                add(Contact(i, "户", hid, self.days_ago(60, 1500)))
                active[hid] = active.get(hid, 0) + 1
        self._plant_contacts(c, active)

    def _plant_contacts(self, c: _County, active: dict[str, int]) -> None:
        r = self.r
        add = self.contacts.append
        villages = [v for t in c.townships for v in t.villages]
        partial = [
            v
            for v in villages
            if v.coverage == "partial"
            and v.households
            and len(self.eligible(v.members)) >= 3
            and "joint" not in v.tags
        ]
        cadres = {i for v in villages for i in v.cadres}
        # member_contact_load counts members of a village branch only: never the one whose
        # 所在党支部 is empty (member_no_branch)
        skip = cadres | {i for v in villages for i in v.members if self.members[i].branch is None}
        # uncovered: households of a village with no contacts at all
        none_v = next(v for v in villages if v.coverage == "none")
        for h in none_v.households[:3]:
            self.plant("household_uncovered", "household", h.id, f"{none_v.area.name}: 无联户党员")
        zero = self.eligible(none_v.members)
        if zero:
            self.plant("member_contact_load", "member", self.members[zero[0]].key, "联户 0 户")
        used: set[int] = set()
        county_members = set(c.members)
        rows_of: dict[int, list[Contact]] = {}
        for x in self.contacts:
            if x.target_kind == "户" and x.until is None and x.member in county_members:
                rows_of.setdefault(x.member, []).append(x)

        def own_rows(i: int) -> list[Contact]:
            return rows_of.get(i, [])

        # too few: keep one active household contact
        v_few = partial[0]
        few = next(i for i in self.eligible(v_few.members) if i not in skip)
        rows = own_rows(few)
        drop = {id(x) for x in rows[1:]}
        for x in rows[1:]:
            active[x.target_id] -= 1
        self.contacts[:] = [x for x in self.contacts if id(x) not in drop]
        used.add(few)
        self.plant("member_contact_load", "member", self.members[few].key, "联户 1 户")
        # too many: eight
        v_many = partial[1 % len(partial)]
        many = next(i for i in self.eligible(v_many.members) if i not in used and i not in skip)
        have = [x.target_id for x in own_rows(many)]
        for h in r.sample(v_many.households, len(v_many.households)):
            if len(have) >= 8:
                break
            if h.id not in have:
                have.append(h.id)
                add(Contact(many, "户", h.id, self.days_ago(60, 900)))
                active[h.id] = active.get(h.id, 0) + 1
        used.add(many)
        self.plant("member_contact_load", "member", self.members[many].key, f"联户 {len(have)} 户")
        # exempt members holding contacts: one aged ≥ 72, one 老弱 under 70
        aged = next(
            i
            for v in partial
            for i in v.members
            if not self.members[i].away and self.age(self.members[i]) >= 72
        )
        v_aged = next(v for v in partial if aged in v.members)
        for h in r.sample(v_aged.households, min(3, len(v_aged.households))):
            add(Contact(aged, "户", h.id, self.days_ago(60, 900)))
            active[h.id] = active.get(h.id, 0) + 1
        self.plant(
            "exempt_member_assigned",
            "member",
            self.members[aged].key,
            f"{self.age(self.members[aged])} 岁, 仍联户",
        )
        frail = next(
            i
            for v in partial
            for i in self.eligible(v.members)
            if i not in used
            and i not in cadres
            and 55 <= self.age(self.members[i]) < 70
            and own_rows(i)
        )
        self.members[frail].mgmt_class = "老弱"
        used.add(frail)
        self.plant(
            "exempt_member_assigned", "member", self.members[frail].key, "分类管理类别 老弱, 仍联户"
        )
        # households whose only contact is away
        for v in partial:
            away = [i for i in v.members if self.members[i].away]
            free = [h for h in v.households if active.get(h.id, 0) == 0]
            if away and len(free) >= 2:
                i = away[0]
                o = self._open[i]
                for h in free[:2]:
                    add(Contact(i, "户", h.id, o.left_on - timedelta(days=r.randint(30, 600))))
                    self.plant(
                        "household_contact_away",
                        "household",
                        h.id,
                        f"唯一联户党员 {self.members[i].name} 外出",
                    )
                    self.plant("household_uncovered", "household", h.id, "唯一联户党员外出")
                break
        else:
            raise RuntimeError("no village to plant household_contact_away")

    # ------------------------------------------------------------------ mobility

    def _dest(self) -> tuple[str, str]:
        r = self.r
        if r.random() < 0.03:
            return r.choice(places.UNRECOGNISABLE), ""
        d = r.choices(places.DESTINATIONS, [d.weight for d in places.DESTINATIONS])[0]
        return r.choice(d.variants), d.prefix

    def _dest_by_prefix(self, prefix: str) -> Destination:
        return next(d for d in places.DESTINATIONS if d.prefix == prefix)

    def _employer(self, reason: str, prefix: str, fixed: bool | None = None) -> str:
        r = self.r
        short = self._dest_by_prefix(prefix).short if prefix else ""
        company = f"{short}{r.choice(places.COMPANY_WORDS)}{r.choice(places.COMPANY_TRADES)}"
        if fixed is True:
            return company
        if reason == "外出务工":
            return company if r.random() < 0.72 else r.choice(places.NOT_FIXED_EMPLOYERS)
        if reason == "经商办企业":
            if r.random() < 0.5:
                return "个体经营"
            return f"{short}{r.choice(places.COMPANY_WORDS)}贸易有限公司"
        if reason == "求学":
            return f"{short}职业技术学院"
        return ""

    def _contact_person(self, c: _County, m: Member) -> str:
        v = self._village_of(c, m)
        people = [i for i in v.cadres if i != m.idx] if v else []
        if not people:
            return ""
        return self.members[self.r.choice(people)].name

    def _village_of(self, c: _County, m: Member) -> _Village | None:
        return self._village_by_code.get(m.village) if m.village else None

    def _card(self, c: _County, year: int) -> str:
        self._card_seq += 1
        return f"浙甬{c.spec.short}流〔{year}〕{self._card_seq % 10000:04d}号"

    def mobility(self, c: _County, tiny: bool, branch_cities: list[str]) -> None:
        r = self.r
        for n, prefix in enumerate(branch_cities, start=1):
            d = self._dest_by_prefix(prefix)
            est = self.days_ago(400, 3000)
            c.mobile[prefix] = self.add_org(
                Org(
                    f"D{c.spec.code}-LD{n:02d}",
                    f"{c.spec.name}驻{d.short}流动党员党支部",
                    "流动党员党支部",
                    c.committee,
                    c.spec.code,
                    host_area=d.city,
                    established_on=est,
                    term_end=self.as_of + timedelta(days=r.randint(100, 1000)),
                )
            )
        away = [i for i in c.members if self.members[i].away]
        for i in away:
            m = self.members[i]
            dest, prefix = self._dest()
            left = self.days_ago(10, 80) if r.random() < 0.12 else self.days_ago(90, 2900)
            left = max(left, m.joined_on + timedelta(days=10))
            reason = r.choices([x for x, _ in places.REASONS], [w for _, w in places.REASONS])[0]
            o = Outflow(
                member=i,
                left_on=left,
                destination=dest,
                city=prefix,
                reason=reason,
                employer=self._employer(reason, prefix),
                phone_away=m.phone if r.random() < 0.7 or not m.phone else self._phone(),
                card_no=self._card(c, left.year) if r.random() < 0.85 else "",
                host_org="",
                returned_on=None,
                contact_person="" if r.random() < 0.06 else self._contact_person(c, m),
            )
            self._set_host(c, o)
            self.outflows.append(o)
            self._open[i] = o
            if (self.as_of - left).days < 85:
                self._profiles[i] = "recent"
            elif (self.as_of - left).days >= 400 and r.random() < 0.015:
                self._profiles[i] = "flagged"
                m.lost_flag = True
            else:
                self._profiles[i] = r.choices(
                    ("monthly", "quarterly", "silent", "lost"), (45, 27, 15, 9)
                )[0]
        if tiny:  # the tiny county always has someone in the city with a mobile branch
            bp = branch_cities[0]
            if not any(o.city == bp for o in self._open.values() if o.member in c.members):
                o = self._open[away[-1]]
                o.destination = self._dest_by_prefix(bp).variants[0]
                o.city = bp
                self._set_host(c, o, attach=True)
        self._plant_mobile(c, away)
        for i in away:
            self._reports_open(c, i)
        # past episodes (returned), for some away and at-home members
        for i in c.members:
            m = self.members[i]
            if m.village is None:
                continue
            if m.away and r.random() < 0.2:
                self._past(c, m, self._open[i].left_on, r.randint(1, 2))
            elif not m.away and self.age(m) < 70 and r.random() < 0.08:
                self._past(c, m, self.days_ago(30, 400), r.randint(1, 3))

    def _set_host(self, c: _County, o: Outflow, attach: bool | None = None) -> None:
        r = self.r
        if o.city in c.mobile and (attach or (attach is None and r.random() < 0.8)):
            o.host_org = c.mobile[o.city].name
            return
        if attach is False:
            o.host_org = ""
            return
        if o.city and r.random() < 0.3:
            short = self._dest_by_prefix(o.city).short
            o.host_org = f"{short}{r.choice(places.HOST_ORG_KINDS)}"
        else:
            o.host_org = ""

    def _plant_mobile(self, c: _County, away: list[int]) -> None:
        r = self.r
        order = r.sample(away, len(away))
        full = [i for i in order if self.members[i].is_full]
        cluster = places.CLUSTER_CITY
        in_cluster = [i for i in full if self._open[i].city == cluster]
        d = self._dest_by_prefix(cluster)
        pool = [i for i in full if i not in in_cluster and self._open[i].city not in c.mobile]
        while len(in_cluster) < 3:
            i = pool.pop()
            o = self._open[i]
            o.destination = r.choice(d.variants)
            o.city = cluster
            o.employer = self._employer(o.reason, cluster)
            self._set_host(c, o, attach=False)
            in_cluster.append(i)
        self.plant(
            "mobile_cluster_without_branch",
            "city",
            d.city_code,
            f"{d.city}: {len(in_cluster)}+ 名正式党员外出, 无流动党员党支部",
        )
        # planted members: full members of long standing, so dates stay consistent
        rest = [
            i
            for i in order
            if self.members[i].is_full and (self.as_of - self.members[i].joined_on).days > 2000
        ]
        picks: dict[str, int] = {}
        for role in ("unattached", "silent", "lost", "flagged", "no_contact", "transfer"):
            picks[role] = rest.pop()
        o = self._open[picks["unattached"]]
        o.host_org = ""
        self.plant(
            "mobile_unattached", "member", self.members[o.member].key, "未在流入地参加组织生活"
        )
        for role in ("silent", "lost", "flagged"):
            i = picks[role]
            o = self._open[i]
            o.left_on = min(o.left_on, self.days_ago(420, 1500))
            self._profiles[i] = role
        self.plant(
            "mobile_silent", "member", self.members[picks["silent"]].key, "最近报到 95–170 天前"
        )
        self.plant("lost_contact", "member", self.members[picks["lost"]].key, "最近报到 ≥190 天前")
        self.members[picks["flagged"]].lost_flag = True
        self.plant("lost_contact", "member", self.members[picks["flagged"]].key, "花名册标记失联")
        o = self._open[picks["no_contact"]]
        o.contact_person = ""
        self.plant("mobile_no_contact_person", "member", self.members[o.member].key, "未明确联系人")
        o = self._open[picks["transfer"]]
        o.left_on = min(o.left_on, self.days_ago(400, 1500))
        o.reason = "外出务工"
        o.employer = self._employer("外出务工", o.city or "3101", fixed=True)
        if not o.city:
            o.destination, o.city = "上海市浦东新区", "3101"
        self.plant(
            "should_transfer",
            "member",
            self.members[o.member].key,
            f"外出 {(self.as_of - o.left_on).days} 天, 固定单位 {o.employer}",
        )

    def _report_org(self, c: _County, m: Member, o: Outflow) -> str:
        if (
            o.host_org
            and o.city in c.mobile
            and o.host_org == c.mobile[o.city].name
            and self.r.random() < 0.5
        ):
            return o.host_org
        return self._home_org_name(c, m)

    def _home_org_name(self, c: _County, m: Member) -> str:
        if m.branch:
            return self.org_by_id[m.branch].name
        v = self._village_of(c, m)
        return self.org_by_id[v.township.org_id].name if v else self.org_by_id[c.committee].name

    def _channel(self) -> str:
        return self.r.choices([x for x, _ in places.CHANNELS], [w for _, w in places.CHANNELS])[0]

    def _reports_open(self, c: _County, i: int) -> None:
        r = self.r
        m = self.members[i]
        o = self._open[i]
        profile = self._profiles[i]
        start = max(o.left_on + timedelta(days=r.randint(5, 30)), self.as_of - timedelta(days=730))
        step = (20, 40)
        if profile == "recent":
            if (self.as_of - o.left_on).days > 25 and r.random() < 0.6:
                self.reports.append(
                    Report(
                        i,
                        o.left_on + timedelta(days=r.randint(3, 20)),
                        self._channel(),
                        self._report_org(c, m, o),
                    )
                )
            return
        if profile == "monthly":
            end = self.days_ago(0, 25)
        elif profile == "quarterly":
            end, step = self.days_ago(0, 70), (45, 80)
        elif profile == "silent":
            end, step = self.days_ago(95, 170), (25, 70)
        elif profile == "lost":
            end, step = self.days_ago(190, 700), (30, 90)
        else:  # flagged
            end, step = self.days_ago(400, 900), (40, 120)
        d = end
        dates = []
        while d >= start:
            dates.append(d)
            d -= timedelta(days=r.randint(*step))
        for d in reversed(dates):
            self.reports.append(Report(i, d, self._channel(), self._report_org(c, m, o)))

    def _past(self, c: _County, m: Member, before: date, n: int) -> None:
        r = self.r
        cursor = before - timedelta(days=r.randint(30, 400))
        for _ in range(n):
            ret = cursor
            left = ret - timedelta(days=r.randint(60, 800))
            if left < max(date(2008, 1, 1), m.joined_on + timedelta(days=10)):
                return
            dest, prefix = self._dest()
            reason = r.choices([x for x, _ in places.REASONS], [w for _, w in places.REASONS])[0]
            o = Outflow(
                member=m.idx,
                left_on=left,
                destination=dest,
                city=prefix,
                reason=reason,
                employer=self._employer(reason, prefix),
                phone_away=m.phone,
                card_no=self._card(c, left.year) if r.random() < 0.8 else "",
                host_org="",
                returned_on=ret,
                contact_person=self._contact_person(c, m),
            )
            self._set_host(c, o)
            self.outflows.append(o)
            d = left + timedelta(days=r.randint(10, 60))
            while d < ret:
                self.reports.append(Report(m.idx, d, self._channel(), self._home_org_name(c, m)))
                d += timedelta(days=r.randint(60, 120))
            cursor = left - timedelta(days=r.randint(60, 700))

    # ------------------------------------------------------------------ second listings

    def plant_multi_branch(self, c: _County, n: int) -> None:
        """List `n` village members a second time, on a township organ branch's roster.

        The story: a villager taken on by the township government; the organ branch has
        reported them (补报), the village branch has not yet struck them off. The importer
        keeps both formal affiliations, so each is a `member_multi_branch` case. Picks are
        on-roll, at-home members of ordinary branches who carry no role and no other
        planted case, one per township (spread over the county); no random draw, so every
        other file stays exactly as it would be without this step.
        """
        used = {p.id for p in self.planted if p.kind == "member"}
        townships = [t for t in c.townships if t.organ_branch]
        step = max(1, len(townships) // n)
        for t in (townships[k * step % len(townships)] for k in range(n)):
            cands = [
                i
                for v in t.villages
                if not v.tags & {"big", "small", "joint"}
                for i in v.members
                if self._second_ok(self.members[i], used)
            ]
            if not cands:  # no fit in this township: any of the county's villages
                cands = [
                    i
                    for u in c.townships
                    for v in u.villages
                    if not v.tags & {"big", "small", "joint"}
                    for i in v.members
                    if self._second_ok(self.members[i], used)
                ]
            if not cands:
                raise RuntimeError("no member to list on a second branch's roster")
            i = cands[len(cands) // 2]
            m = self.members[i]
            used.add(m.key)
            self.second_listings.append((i, t.organ_branch))
            assert m.branch is not None
            self.plant(
                "member_multi_branch",
                "member",
                m.key,
                f"{self.org_by_id[m.branch].name} 与 "
                f"{self.org_by_id[t.organ_branch].name} 均列为所在党支部",
            )

    def _second_ok(self, m: Member, used: set[str]) -> bool:
        return (
            bool(m.member_no)
            and m.branch is not None
            and m.village is not None
            and not m.away
            and not m.lost_flag
            and not m.roles
            and m.key not in used
            and 25 <= self.age(m) <= 55
            and not self.exempt(m)
        )

    # ------------------------------------------------------------------ county

    def build_county(
        self,
        spec: CountySpec,
        *,
        tiny: bool,
        parent_org: str | None,
        branch_cities: list[str],
        households: list[Household],
    ) -> None:
        r = self.r
        c = self.build_areas(spec, tiny)
        self.counties.append(c)
        self.plan(c, tiny)
        villages = [v for t in c.townships for v in t.villages]
        for v in villages:
            self._village_by_code[v.area.code] = v
            self.village_members(c, v)
        self.choose_away(c, tiny)
        self.assign_classes(c)
        for v in villages:
            if v.coverage == "full":
                e = len(self.eligible(v.members))
                if e == 0:
                    v.coverage = "partial"
                else:
                    v.H = max(10, min(v.H, 4 * e))
            self.add_hamlets(c, v)
            self.households_for(c, v, households)
            self.link_households(v)
        # a few household heads whose names GBK cannot encode (GB18030 can)
        for k, v in enumerate(r.sample(villages, min(3, len(villages)))):
            h = r.choice(v.households)
            h.head_name = self._surname() + places.RARE_GIVEN[k % len(places.RARE_GIVEN)]
        # orgs: county committee and organs
        c.committee = f"D{spec.code}"
        _, term_end = self._term(5)
        self.add_org(
            Org(
                c.committee,
                f"中共{spec.name}委员会",
                "党委",
                parent_org,
                spec.code,
                established_on=date(1949, 5, r.randint(1, 28)),
                term_end=self.as_of + timedelta(days=r.randint(60, 400)),
            )
        )
        c.organ_committee = f"D{spec.code}-JG"
        self.add_org(
            Org(
                c.organ_committee,
                f"中共{spec.name}直属机关工作委员会",
                "党工委",
                c.committee,
                spec.code,
                established_on=date(1985, 7, 1),
                term_end=term_end,
            )
        )
        for t in c.townships:
            t.org_id = f"D{t.area.code}"
            word = "工作委员会" if t.kind == "街道" else "委员会"
            kind = "党工委" if t.kind == "街道" else "党委"
            self.add_org(
                Org(
                    t.org_id,
                    f"中共{spec.name}{t.area.name}{word}",
                    kind,
                    c.committee,
                    t.area.code,
                    established_on=date(r.randint(1950, 2002), 7, 1),
                    term_end=self.as_of + timedelta(days=r.randint(60, 400)),
                )
            )
        for t in c.townships:
            self.village_orgs(c, t)
            for v in t.villages:
                self.village_cadres(v)
        self.organs(c, tiny)
        self.responsibilities(c, tiny)
        self.mobility(c, tiny, branch_cities)
        self.household_contacts(c)
        self.plant_multi_branch(c, 1 if tiny else 2)
        for i in c.members:
            if self.members[i].away != (i in self._open):
                raise AssertionError("away flag and open outflows disagree")


def build(*, scale: str, seed: int, as_of: date) -> World:
    b = Builder(seed=seed, as_of=as_of, scale=scale)
    households: list[Household] = []
    parent_org: str | None = None
    if scale == "city":
        specs = list(places.NINGBO_COUNTIES)
        parent_org = f"D{places.CITY_CODE}"
        b.add_org(
            Org(
                parent_org,
                f"中共{places.CITY_NAME}委员会",
                "党委",
                None,
                None,
                established_on=date(1949, 5, 25),
                term_end=as_of + timedelta(days=300),
            )
        )
        title = places.CITY_NAME
    else:
        specs = [places.NINGHAI]
        title = places.NINGHAI.name
    tiny = scale == "tiny"
    for spec in specs:
        if spec.code == places.NINGHAI.code:
            cities = ["4419"] if tiny else list(places.BRANCH_CITIES)
        else:
            cities = sorted(b.r.sample(list(places.BRANCH_CITIES), b.r.randint(1, 3)))
        b.build_county(
            spec, tiny=tiny, parent_org=parent_org, branch_cities=cities, households=households
        )
    return _assemble(b, scale=scale, seed=seed, as_of=as_of, title=title, households=households)


def _assemble(
    b: Builder, *, scale: str, seed: int, as_of: date, title: str, households: list[Household]
) -> World:
    areas: list[Area] = []
    for c in b.counties:
        areas.append(c.area)
        for t in c.townships:
            areas.append(t.area)
            for v in t.villages:
                areas.append(v.area)
                areas.extend(v.hamlets)
    # roster order: by org (tree order of the orgs file), members without a branch last
    rank = {o.org_id: k for k, o in enumerate(b.orgs)}
    members = sorted(b.members, key=lambda m: (rank.get(m.branch or "", len(rank)), m.idx))
    # one row per (member, target, since): the importer treats repeats as duplicates
    seen: set[tuple[int, str, str, date]] = set()
    contacts = []
    for x in b.contacts:
        k = (x.member, x.target_kind, x.target_id, x.since)
        if k not in seen:
            seen.add(k)
            contacts.append(x)
    b.contacts = contacts
    b.outflows.sort(key=lambda o: (o.member, o.left_on))
    b.reports.sort(key=lambda x: (x.on, x.member))
    second = sorted(
        ((b.members[i], oid) for i, oid in b.second_listings), key=lambda x: (rank[x[1]], x[0].idx)
    )
    counts = _counts(b, areas, households)
    return World(
        scale=scale,
        seed=seed,
        as_of=as_of,
        title=title,
        areas=areas,
        orgs=b.orgs,
        members=members,
        households=households,
        contacts=b.contacts,
        outflows=b.outflows,
        reports=b.reports,
        planted=b.planted,
        counts=counts,
        member_by_idx={m.idx: m for m in b.members},
        org_by_id=b.org_by_id,
        second_listings=second,
    )


def _counts(b: Builder, areas: list[Area], households: list[Household]) -> dict[str, int]:
    out: dict[str, int] = {}
    for a in areas:
        out[f"areas.{a.level}"] = out.get(f"areas.{a.level}", 0) + 1
    for o in b.orgs:
        out[f"orgs.{o.kind}"] = out.get(f"orgs.{o.kind}", 0) + 1
    out["orgs.weak"] = sum(o.weak for o in b.orgs)
    out["households"] = len(households)
    out["members"] = len(b.members)  # distinct persons (the members workbook has more rows)
    out["members.listed_twice"] = len(b.second_listings)
    out["members.正式党员"] = sum(m.is_full for m in b.members)
    out["members.预备党员"] = len(b.members) - out["members.正式党员"]
    out["members.away"] = sum(m.away for m in b.members)
    out["members.lost_flag"] = sum(m.lost_flag for m in b.members)
    out["members.no_member_no"] = sum(not m.member_no for m in b.members)
    out["members.exempt"] = sum(b.exempt(m) for m in b.members)
    out["members.no_household"] = sum(not m.household_id for m in b.members)
    for role in ("县级领导", "乡镇干部", "村两委", "第一书记", "党小组长"):
        out[f"roles.{role}"] = sum(role in m.roles for m in b.members)
    for x in b.contacts:
        key = f"contacts.{x.target_kind}" + (".ended" if x.until else "")
        out[key] = out.get(key, 0) + 1
    out["outflows"] = len(b.outflows)
    out["outflows.open"] = sum(o.returned_on is None for o in b.outflows)
    out["reports"] = len(b.reports)
    return out
