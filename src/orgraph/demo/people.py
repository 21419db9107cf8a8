"""Members: who they are (name, age, ID number, education, phone), which of a village's members
work away, and how each is classed for management (分类管理).
"""

from __future__ import annotations

from datetime import date, timedelta

from orgraph.demo import ids, places
from orgraph.demo.model import Member
from orgraph.demo.names import given_name
from orgraph.demo.state import EXEMPT_AGE, County, State, Village, add_years

# Age bands of members (lo, hi, weight): a village's members are older than a community's.
RURAL_BANDS = ((20, 34, 12), (35, 49, 17), (50, 59, 19), (60, 69, 22), (70, 79, 19), (80, 95, 11))
URBAN_BANDS = ((22, 34, 20), (35, 49, 25), (50, 59, 20), (60, 69, 17), (70, 79, 12), (80, 92, 6))


def _birth_for_age(s: State, age: int) -> date:
    end = add_years(s.as_of, -age)
    start = add_years(s.as_of, -(age + 1)) + timedelta(days=1)
    return start + timedelta(days=s.r.randint(0, (end - start).days))


def _id_number(s: State, county: str, birth: date, male: bool) -> str:
    r = s.r
    region = county if r.random() < 0.85 else r.choice(places.BIRTHPLACES)
    while True:
        seq = r.randint(0, 499) * 2 + (1 if male else 0)
        idn = ids.make_id(region, birth, seq)
        if idn not in s.id_numbers:
            s.id_numbers.add(idn)
            return idn


def phone(s: State) -> str:
    r = s.r
    head = r.choice(("13", "15", "18", "17", "19", "13", "15"))
    return head + f"{r.randint(0, 999999999):09d}"


def _education(s: State, age: int, organ: bool) -> str:
    r = s.r
    if organ:
        return r.choices(("本科", "硕士研究生", "大专"), (70, 20, 10))[0]
    if age >= 70:
        return r.choices(("小学", "初中", "高中", "中专"), (45, 35, 15, 5))[0]
    if age >= 50:
        return r.choices(("小学", "初中", "高中", "中专", "大专", "本科"), (15, 40, 25, 10, 8, 2))[
            0
        ]
    if age >= 35:
        return r.choices(("初中", "高中", "中专", "大专", "本科"), (25, 25, 10, 25, 15))[0]
    return r.choices(("高中", "大专", "本科", "硕士研究生"), (10, 30, 50, 10))[0]


def new_member(
    s: State,
    county: str,
    village: str | None,
    *,
    age: int,
    male: bool,
    probationary: bool = False,
    organ: bool = False,
    member_no_p: float = 0.92,
) -> Member:
    r = s.r
    birth = _birth_for_age(s, age)
    name = s.names.surname(r) + given_name(r, male)
    idn = _id_number(s, county, birth, male)
    if probationary:
        joined = s.days_ago(20, 340)
        full_on = None
    else:
        ja_max = min(age - 1.5, 60.0)
        ja = 18.0 if ja_max <= 18.5 else r.triangular(18.0, ja_max, min(26.0, ja_max))
        joined = birth + timedelta(days=int(ja * 365.25) + r.randint(0, 30))
        full_on = joined + timedelta(days=365 + r.randint(0, 40))
    member_no = ""
    if r.random() < member_no_p:
        s.member_no_seq += 1
        member_no = f"{county}D{s.member_no_seq:07d}"
    eth = r.choices([e for e, _ in places.ETHNICITIES], [w for _, w in places.ETHNICITIES])[0]
    tel = "" if age >= 85 and r.random() < 0.5 else phone(s)
    m = Member(
        idx=len(s.members),
        name=name,
        id_number=idn,
        member_no=member_no,
        gender="男" if male else "女",
        ethnicity=eth,
        birth=birth,
        education=_education(s, age, organ),
        category="预备党员" if probationary else "正式党员",
        joined_on=joined,
        full_on=full_on,
        county=county,
        village=village,
        phone=tel,
    )
    s.members.append(m)
    return m


def organ_member(s: State, c: County, lo: int, hi: int, roles: list[str]) -> int:
    """A member of a county or township organ (机关), aged lo–hi; returns their idx."""
    r = s.r
    m = new_member(
        s,
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


def village_members(s: State, c: County, v: Village) -> None:
    r = s.r
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
        m = new_member(
            s, c.spec.code, v.area.code, age=age, male=r.random() < male_p, probationary=prob
        )
        v.members.append(m.idx)
        c.members.append(m.idx)


def choose_away(s: State, c: County, tiny: bool) -> None:
    r = s.r
    cands: list[int] = []
    for t in c.townships:
        for v in t.villages:
            if v.tags & {"small", "joint"}:
                continue
            cands.extend(i for i in v.members if 20 <= s.age(s.members[i]) <= 58)
    total = len(c.members) * 1.04  # organ members are added later
    target = round(total * 0.12)
    if tiny:
        target = max(target, 12)
    target = min(target, len(cands))
    for i in r.sample(cands, target):
        s.members[i].away = True


def assign_classes(s: State, c: County) -> None:
    r = s.r
    for i in c.members:
        m = s.members[i]
        a = s.age(m)
        if m.away:
            m.mgmt_class = "流动创业"
        elif a >= EXEMPT_AGE:
            m.mgmt_class = "老弱" if r.random() < 0.92 else ""
        elif a >= 60:
            m.mgmt_class = r.choices(("在家青壮年", "产业一线", "老弱", ""), (60, 20, 8, 12))[0]
        else:
            m.mgmt_class = r.choices(("在家青壮年", "产业一线"), (70, 30))[0]


def eligible(s: State, idxs: list[int]) -> list[int]:
    """At-home, non-exempt members among idxs (who should hold 3–5 household contacts)."""
    return [i for i in idxs if not s.members[i].away and not s.exempt(s.members[i])]
