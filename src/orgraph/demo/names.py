"""People's names for the demo: the surnames and given-name characters of 宁海, and the pools
the builder draws names from.

Surnames are weighted: 宁海's own (LOCAL_SURNAMES) plus faker's national table scaled to a
quarter of their weight, so local names dominate as they do on a real roster. Given names are
faker's or one or two characters from MALE_CHARS / FEMALE_CHARS.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from faker.providers.person.zh_CN import Provider as _ZhPerson

LOCAL_SURNAMES: tuple[tuple[str, float], ...] = (
    ("胡", 6),
    ("王", 6),
    ("陈", 5),
    ("叶", 4),
    ("葛", 3),
    ("童", 3),
    ("周", 3),
    ("杨", 3),
    ("应", 2.5),
    ("林", 2.5),
    ("潘", 2),
    ("邬", 2),
    ("严", 1.5),
    ("娄", 1.5),
    ("卢", 1.5),
    ("储", 1),
    ("柴", 1),
    ("俞", 1.5),
    ("鲍", 1),
    ("袁", 1),
    ("张", 3),
    ("李", 2),
    ("吴", 2),
    ("郑", 1.5),
    ("徐", 2),
    ("金", 1.5),
    ("孙", 1),
    ("赵", 1),
    ("刘", 1),
    ("黄", 1.5),
    ("何", 1),
    ("蒋", 1),
    ("朱", 1.5),
    ("许", 1),
    ("方", 1),
    ("邵", 1),
    ("魏", 0.5),
    ("仇", 0.5),
    ("舒", 0.5),
    ("薛", 0.5),
    ("冯", 0.5),
    ("邢", 0.5),
    ("竺", 0.5),
    ("史", 0.5),
)

MALE_CHARS = tuple(
    "国建明华伟军平德志文永海林强勇杰斌峰辉波刚忠兴祥福荣宏仁根才松春友成昌良宝金贤浩宇鑫磊涛晨俊凯振卫东锋彬亮飞安"
)
FEMALE_CHARS = tuple(
    "秀英芳丽红娟玲萍燕霞美琴兰珍凤娥敏静洁婷雪梅菊月仙素彩云莉倩琳佳悦欣颖慧雅蓉春"
)
# Rare characters (GBK cannot encode them, GB18030 can) used for a few household heads.
RARE_GIVEN = ("㛃", "𠮷", "䶮", "昇")

# How many given names are drawn once, up front, for household heads (households.py draws
# indexes into this pool with numpy, far faster than a name per household).
GIVEN_POOL_SIZE = 4000


def given_name(r: random.Random, male: bool) -> str:
    if r.random() < 0.35:
        pool = _ZhPerson.first_names_male if male else _ZhPerson.first_names_female
        return str(r.choice(pool))
    chars = MALE_CHARS if male else FEMALE_CHARS
    if r.random() < 0.22:
        return r.choice(chars)
    return r.choice(chars) + r.choice(chars)


@dataclass(frozen=True)
class NamePool:
    """Weighted surnames and a pool of given names, drawn once per build."""

    surnames: list[str]
    surname_p: npt.NDArray[np.float64]  # probability of each surname (numpy draws)
    surname_cum: list[float]  # cumulative probabilities (one `random` draw per surname)
    given: list[str]

    @classmethod
    def draw(cls, r: random.Random) -> NamePool:
        sur = list(LOCAL_SURNAMES)
        total_local = sum(w for _, w in sur)
        faker_total = sum(_ZhPerson.last_names.values())
        for s, w in _ZhPerson.last_names.items():
            sur.append((s, w / faker_total * total_local * 0.25))
        merged: dict[str, float] = {}
        for s, w in sur:
            merged[s] = merged.get(s, 0.0) + w
        surnames = list(merged)
        weights = np.array([merged[s] for s in surnames])
        p = weights / weights.sum()
        given = [given_name(r, r.random() < 0.6) for _ in range(GIVEN_POOL_SIZE)]
        return cls(surnames, p, list(np.cumsum(p)), given)

    def surname(self, r: random.Random) -> str:
        x = r.random()
        lo, hi = 0, len(self.surname_cum) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self.surname_cum[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        return self.surnames[lo]
