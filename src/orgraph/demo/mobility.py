"""Members away (流动党员): the county's mobile branches, an open outflow (外出登记) for every
member marked away, their reports (报到) by habit, and past, returned episodes.

Each member away gets a reporting habit (`State.profiles`): recent (left < 85 days ago),
monthly, quarterly, silent (last report 95–170 days ago), lost (≥ 190) or flagged (失联 on the
roster). planted.mobile_cases runs between `depart` and `report`, so the members it plants
report by the habit it gives them.
"""

from __future__ import annotations

from datetime import date, timedelta

from orgraph.demo import places
from orgraph.demo.model import Member, Org, Outflow, Report
from orgraph.demo.people import phone
from orgraph.demo.places import Destination
from orgraph.demo.state import County, State, Village


def _dest(s: State) -> tuple[str, str]:
    """(外出地点 as written, destination city prefix or "" when nobody could place it)."""
    r = s.r
    if r.random() < 0.03:
        return r.choice(places.UNRECOGNISABLE), ""
    d = r.choices(places.DESTINATIONS, [d.weight for d in places.DESTINATIONS])[0]
    return r.choice(d.variants), d.prefix


def dest_by_prefix(prefix: str) -> Destination:
    return next(d for d in places.DESTINATIONS if d.prefix == prefix)


def employer(s: State, reason: str, prefix: str, fixed: bool | None = None) -> str:
    r = s.r
    short = dest_by_prefix(prefix).short if prefix else ""
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


def _reason(s: State) -> str:
    return s.r.choices([x for x, _ in places.REASONS], [w for _, w in places.REASONS])[0]


def _village_of(s: State, m: Member) -> Village | None:
    return s.village_by_code.get(m.village) if m.village else None


def _contact_person(s: State, m: Member) -> str:
    """A cadre of the member's village (not the member), the 联系人 at home."""
    v = _village_of(s, m)
    people = [i for i in v.cadres if i != m.idx] if v else []
    if not people:
        return ""
    return s.members[s.r.choice(people)].name


def _card(s: State, c: County, year: int) -> str:
    s.card_seq += 1
    return f"浙甬{c.spec.short}流〔{year}〕{s.card_seq % 10000:04d}号"


def set_host(s: State, c: County, o: Outflow, attach: bool | None = None) -> None:
    """The org the member takes part in at the destination: the county's mobile branch there
    (always with attach=True, never with False, else 80%), some local org, or none."""
    r = s.r
    if o.city in c.mobile and (attach or (attach is None and r.random() < 0.8)):
        o.host_org = c.mobile[o.city].name
        return
    if attach is False:
        o.host_org = ""
        return
    if o.city and r.random() < 0.3:
        short = dest_by_prefix(o.city).short
        o.host_org = f"{short}{r.choice(places.HOST_ORG_KINDS)}"
    else:
        o.host_org = ""


def depart(s: State, c: County, tiny: bool, branch_cities: list[str]) -> list[int]:
    """The mobile branches, then an open outflow for every member away; returns them."""
    r = s.r
    for n, prefix in enumerate(branch_cities, start=1):
        d = dest_by_prefix(prefix)
        est = s.days_ago(400, 3000)
        c.mobile[prefix] = s.add_org(
            Org(
                f"D{c.spec.code}-LD{n:02d}",
                f"{c.spec.name}驻{d.short}流动党员党支部",
                "流动党员党支部",
                c.committee,
                c.spec.code,
                host_area=d.city,
                established_on=est,
                term_end=s.as_of + timedelta(days=r.randint(100, 1000)),
            )
        )
    away = [i for i in c.members if s.members[i].away]
    for i in away:
        _open_outflow(s, c, s.members[i])
    if tiny:  # the tiny county always has someone in the city with a mobile branch
        bp = branch_cities[0]
        if not any(o.city == bp for o in s.open_outflows.values() if o.member in c.members):
            o = s.open_outflows[away[-1]]
            o.destination = dest_by_prefix(bp).variants[0]
            o.city = bp
            set_host(s, c, o, attach=True)
    return away


def _open_outflow(s: State, c: County, m: Member) -> None:
    r = s.r
    dest, prefix = _dest(s)
    left = s.days_ago(10, 80) if r.random() < 0.12 else s.days_ago(90, 2900)
    left = max(left, m.joined_on + timedelta(days=10))
    reason = _reason(s)
    o = Outflow(
        member=m.idx,
        left_on=left,
        destination=dest,
        city=prefix,
        reason=reason,
        employer=employer(s, reason, prefix),
        phone_away=m.phone if r.random() < 0.7 or not m.phone else phone(s),
        card_no=_card(s, c, left.year) if r.random() < 0.85 else "",
        host_org="",
        returned_on=None,
        contact_person="" if r.random() < 0.06 else _contact_person(s, m),
    )
    set_host(s, c, o)
    s.outflows.append(o)
    s.open_outflows[m.idx] = o
    if (s.as_of - left).days < 85:
        s.profiles[m.idx] = "recent"
    elif (s.as_of - left).days >= 400 and r.random() < 0.015:
        s.profiles[m.idx] = "flagged"
        m.lost_flag = True
    else:
        habits = ("monthly", "quarterly", "silent", "lost")
        s.profiles[m.idx] = r.choices(habits, (45, 27, 15, 9))[0]


def report(s: State, c: County, away: list[int]) -> None:
    """Reports of the members away, then past episodes (returned) of some village members,
    away now or at home."""
    r = s.r
    for i in away:
        _reports_open(s, c, i)
    for i in c.members:
        m = s.members[i]
        if m.village is None:
            continue
        if m.away and r.random() < 0.2:
            _past(s, c, m, s.open_outflows[i].left_on, r.randint(1, 2))
        elif not m.away and s.age(m) < 70 and r.random() < 0.08:
            _past(s, c, m, s.days_ago(30, 400), r.randint(1, 3))


def _report_org(s: State, c: County, m: Member, o: Outflow) -> str:
    if (
        o.host_org
        and o.city in c.mobile
        and o.host_org == c.mobile[o.city].name
        and s.r.random() < 0.5
    ):
        return o.host_org
    return _home_org_name(s, c, m)


def _home_org_name(s: State, c: County, m: Member) -> str:
    if m.branch:
        return s.org_by_id[m.branch].name
    v = _village_of(s, m)
    return s.org_by_id[v.township.org_id].name if v else s.org_by_id[c.committee].name


def _channel(s: State) -> str:
    return s.r.choices([x for x, _ in places.CHANNELS], [w for _, w in places.CHANNELS])[0]


def _reports_open(s: State, c: County, i: int) -> None:
    r = s.r
    m = s.members[i]
    o = s.open_outflows[i]
    profile = s.profiles[i]
    start = max(o.left_on + timedelta(days=r.randint(5, 30)), s.as_of - timedelta(days=730))
    step = (20, 40)
    if profile == "recent":
        if (s.as_of - o.left_on).days > 25 and r.random() < 0.6:
            s.reports.append(
                Report(
                    i,
                    o.left_on + timedelta(days=r.randint(3, 20)),
                    _channel(s),
                    _report_org(s, c, m, o),
                )
            )
        return
    if profile == "monthly":
        end = s.days_ago(0, 25)
    elif profile == "quarterly":
        end, step = s.days_ago(0, 70), (45, 80)
    elif profile == "silent":
        end, step = s.days_ago(95, 170), (25, 70)
    elif profile == "lost":
        end, step = s.days_ago(190, 700), (30, 90)
    else:  # flagged
        end, step = s.days_ago(400, 900), (40, 120)
    d = end
    dates = []
    while d >= start:
        dates.append(d)
        d -= timedelta(days=r.randint(*step))
    for d in reversed(dates):
        s.reports.append(Report(i, d, _channel(s), _report_org(s, c, m, o)))


def _past(s: State, c: County, m: Member, before: date, n: int) -> None:
    """Up to `n` returned episodes before `before`, each with reports while away."""
    r = s.r
    cursor = before - timedelta(days=r.randint(30, 400))
    for _ in range(n):
        ret = cursor
        left = ret - timedelta(days=r.randint(60, 800))
        if left < max(date(2008, 1, 1), m.joined_on + timedelta(days=10)):
            return
        dest, prefix = _dest(s)
        reason = _reason(s)
        o = Outflow(
            member=m.idx,
            left_on=left,
            destination=dest,
            city=prefix,
            reason=reason,
            employer=employer(s, reason, prefix),
            phone_away=m.phone,
            card_no=_card(s, c, left.year) if r.random() < 0.8 else "",
            host_org="",
            returned_on=ret,
            contact_person=_contact_person(s, m),
        )
        set_host(s, c, o)
        s.outflows.append(o)
        d = left + timedelta(days=r.randint(10, 60))
        while d < ret:
            s.reports.append(Report(m.idx, d, _channel(s), _home_org_name(s, c, m)))
            d += timedelta(days=r.randint(60, 120))
        cursor = left - timedelta(days=r.randint(60, 700))
