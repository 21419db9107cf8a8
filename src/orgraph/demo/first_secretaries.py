"""第一书记: who the county sent to which village Party organisation (the 第一书记 roster),
and the planted cases of docs/rules.md "第一书记".

The county's first secretaries are the organ members orgs.py made for the villages
planted.plan tagged "first_secretary" (role 第一书记, a RESPONSIBLE_FOR to the village and
household contacts there, duties.py). Each gets an appointment to the village's top org, sent
by a county unit, from 1 to 2.5 years before as_of: a two-year term, or no end written (a term
extended). Past appointments of other organ members (ended, handed over) give a few villages
some history.

Planted, per county (guaranteed under the default policy on as_of):

  weak_no_first_secretary  a weak (软弱涣散) village organisation whose 第一书记 left 70 days
                           and more ago, with no successor (plan leaves it untagged)
  first_secretary_absent   a 第一书记 in office for more than a year whose household contacts
                           in the village have all ended and who attends none of its meetings
                           (life.py lists the others at their village's 主题党日)
  first_secretary_ending   a term ending 10–50 days after as_of, with no successor

Every other 第一书记 keeps household contacts in the village and is listed at the village's
主题党日 in the last 90 days (life.py); every other weak village has one in office. The
draws come from a random source of this step's own, so the files written before it stay as
they were.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from orgraph.demo.model import Appointment, Contact, appointment_id
from orgraph.demo.state import County, State, Village, add_years

# 派出单位: county units that send 第一书记 (the county's name is put in front)
SENDING_UNITS = (
    "县委组织部",
    "县财政局",
    "县农业农村局",
    "县人民医院",
    "县自然资源和规划局",
    "县交通运输局",
    "县民政局",
    "县发展和改革局",
    "县卫生健康局",
    "县教育局",
    "县市场监督管理局",
    "县供销合作社联合社",
    "县农商银行",
    "县供电公司",
)
WEAK = frozenset({"weak", "weak_overdue"})


def appointments(s: State, c: County) -> None:
    """The county's 第一书记 appointments and the three planted cases."""
    r = random.Random(f"{s.seed}|first_secretaries|{c.spec.code}")
    D = s.as_of

    def unit() -> str:
        return c.spec.name + r.choice(SENDING_UNITS)[1:]

    sent = c.first_secretaries
    if len(sent) < 2:
        raise RuntimeError("fewer than two 第一书记 to plant the appointment cases on")
    # the planted ones have a 人员编号 (their appointment id names it), when two have one
    keyed = [i for i, _ in sent if s.members[i].member_no]
    keyed = keyed if len(keyed) >= 2 else [i for i, _ in sent]
    village = {i: v for i, v in sent}
    # the ending term: in a weak village when there is one (the warning that matters)
    ending = next((i for i in keyed if village[i].tags & WEAK), keyed[0])
    rest = [i for i in keyed if i != ending]
    absent = next((i for i in rest if not village[i].tags & WEAK), rest[0])
    # terms extended, no end written: about a quarter of the others, at least one
    others = [i for i, _ in sent if i != ending]
    open_end = {i for i in others if r.random() < 0.25} or {others[-1]}
    contacts: dict[int, list[Contact]] = {}
    for x in s.contacts:
        if x.member in village:
            contacts.setdefault(x.member, []).append(x)
    for i, v in sent:
        if i == ending:
            until = D + timedelta(days=r.randint(10, 50))
            a = Appointment(i, v.top_org, unit(), add_years(until, -2), until)
        elif i in open_end:
            a = Appointment(i, v.top_org, unit(), D - timedelta(days=r.randint(365, 912)))
        else:  # a two-year term ending 70 days and more after as_of
            since = D - timedelta(days=r.randint(365, 655))
            a = Appointment(i, v.top_org, unit(), since, add_years(since, 2))
        a.present = i != absent
        s.appointments.append(a)
        _align_contacts(s, r, a, v, contacts.get(i, []))
    # history: the weak village with nobody in office, and two others, had one before
    staff = list(c.staff)
    weak_without = [v for v in c.villages if v.tags & WEAK and "first_secretary" not in v.tags]
    if not weak_without:
        raise RuntimeError("no weak village without a 第一书记 to plant weak_no_first_secretary")
    for v in weak_without:
        if not staff:
            break
        i = staff.pop(0)
        until = D - timedelta(days=r.randint(70, 400))
        a = _past(s, i, v, add_years(until, -2), until, unit())
        m = s.members[i]
        s.plant(
            "weak_no_first_secretary",
            "org",
            v.top_org,
            f"{v.area.name}: 软弱涣散, 第一书记 {m.name} {until.isoformat()} 离任后无人接任",
        )
        assert a.until is not None and a.until <= D
    current = {a.member: a for a in s.appointments if a.member in village}
    for i, v in r.sample(sent, min(2, len(sent))):
        if not staff:
            break
        until = current[i].since - timedelta(days=r.randint(0, 20))
        _past(s, staff.pop(0), v, add_years(until, -2), until, unit())
    # the planted cases on the current ones
    for i, a in current.items():
        m = s.members[i]
        if i == ending:
            assert a.until is not None
            days = (a.until - D).days
            s.plant(
                "first_secretary_ending",
                "appointment",
                appointment_id(m.key, a.org, a.since),
                f"{m.name}: 任职结束日期 {a.until.isoformat()} (还有 {days} 天), 无人接任",
            )
        if not a.present:
            _end_contacts(s, r, a, village[i], contacts.get(i, []))
            s.plant(
                "first_secretary_absent",
                "appointment",
                appointment_id(m.key, a.org, a.since),
                f"{m.name}: 在村无联户, 近 90 天未参加村党组织会议",
            )


def _past(s: State, i: int, v: Village, since: date, until: date, sent_by: str) -> Appointment:
    """An ended appointment of organ member i to village v, with its RESPONSIBLE_FOR."""
    a = Appointment(i, v.top_org, sent_by, since, until)
    s.appointments.append(a)
    s.contacts.append(Contact(i, "村", v.area.code, since, until))
    return a


def _village_houses(v: Village) -> set[str]:
    return {h.id for h in v.households}


def _align_contacts(
    s: State, r: random.Random, a: Appointment, v: Village, mine: list[Contact]
) -> None:
    """The 第一书记's RESPONSIBLE_FOR to the village begins with the appointment, household
    contacts there no earlier; one who has none in the village gets one. `mine`: the
    member's contacts."""
    houses = _village_houses(v)
    for x in mine:
        if x.target_kind == "村" and x.target_id == v.area.code:
            x.since = a.since
        elif x.target_kind == "户" and x.target_id in houses and x.until is None:
            x.since = max(x.since, a.since + timedelta(days=r.randint(7, 60)))
    held = [x for x in mine if x.target_kind == "户" and x.target_id in houses and x.until is None]
    if not held and a.present:
        if not v.households:
            raise RuntimeError(f"{v.area.name}: no household for its 第一书记 to contact")
        h = r.choice(v.households)
        x = Contact(a.member, "户", h.id, a.since + timedelta(days=30))
        s.contacts.append(x)
        mine.append(x)


def _end_contacts(
    s: State, r: random.Random, a: Appointment, v: Village, mine: list[Contact]
) -> None:
    """The planted absent 第一书记: every household contact in the village has ended (handed
    to village members) well before the last 90 days."""
    houses = _village_houses(v)
    for x in mine:
        if x.target_kind != "户" or x.target_id not in houses:
            continue
        if x.until is None or x.until > s.as_of:
            x.until = s.as_of - timedelta(days=r.randint(120, 300))
            if x.since >= x.until:
                x.since = max(a.since, x.until - timedelta(days=r.randint(30, 200)))
