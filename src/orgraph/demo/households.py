"""Households (农户): every village's households, drawn in bulk with numpy, and which household
each member lives in.

户编号 = village code + "-" + 4 digits (330226101201-0007). A household sits in one of the
village's hamlets, or (4%) only in the village when its hamlet is unknown.
"""

from __future__ import annotations

import numpy as np

from orgraph.demo import places
from orgraph.demo.model import Household
from orgraph.demo.names import RARE_GIVEN
from orgraph.demo.state import County, State, Village

# Household sizes 1–7 people.
SIZE_P = np.array([0.14, 0.27, 0.21, 0.18, 0.10, 0.06, 0.04])


def households_for(s: State, c: County, v: Village, out: list[Household]) -> None:
    g = s.g
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
    sur = g.choice(len(s.names.surnames), H, p=s.names.surname_p).tolist()
    given = g.integers(0, len(s.names.given), H).tolist()
    dx = np.round(g.normal(0, 0.0035, H), 6).tolist()
    dy = np.round(g.normal(0, 0.0035, H), 6).tolist()
    house_no = g.integers(1, 320, H).tolist()
    prefix = f"{c.spec.name}{v.township.area.name}{v.area.name}"
    roads = [s.r.choice(places.ROADS) for _ in ham]
    surnames, pool = s.names.surnames, s.names.given
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
        s.household_area[h.id] = area_code
        out.append(h)


def link_households(s: State, v: Village) -> None:
    """Put most members in a household of their village; some head it."""
    r = s.r
    heads: set[str] = set()
    prev: Household | None = None
    for i in v.members:
        m = s.members[i]
        if r.random() >= 0.88:
            prev = None
            continue
        h = prev if prev is not None and r.random() < 0.06 else r.choice(v.households)
        m.household_id = h.id
        if h.id not in heads and s.age(m) >= 30 and r.random() < 0.5:
            h.head_name = m.name
            heads.add(h.id)
        prev = h


def rare_head_names(s: State, villages: list[Village]) -> None:
    """A few household heads whose names GBK cannot encode (GB18030 can): 农户.csv must be
    written, and read back, as GB18030."""
    r = s.r
    for k, v in enumerate(r.sample(villages, min(3, len(villages)))):
        h = r.choice(v.households)
        h.head_name = s.names.surname(r) + RARE_GIVEN[k % len(RARE_GIVEN)]
