"""Hypothesis strategies: small random counties that hit the edges of docs/rules.md.

Dates come from a short pool around AS_OF (the day before, the day itself, the day after...)
so that boundaries (a contact ending exactly on as_of, a return on as_of, a 70th birthday on
as_of, a term ending on as_of) turn up often. Roster imports run with IMPORT_TODAY, later
than every date of the pool, so no "date in the future" check rejects a row.

Each county is built around two dates, AS_OF and a second one drawn from AS_OFS
(`County.as_ofs`): the dates of members away (departures, reports, returns, transfers,
attendance, mobile branches' establishment) lie at the rule boundaries from either (the day
itself, ±1, 90 and 180 days before ±1, a year before), so quiet_days and days_away land on
silent_days / lost_days / transfer_days exactly and one day either side.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from orgraph.roster.geocode import geocode, place_by_code

from .county_model import (
    BRANCH_KINDS,
    MEETING_TYPE_LABEL,
    Action,
    Area,
    Contact,
    County,
    Dues,
    Household,
    Meeting,
    Member,
    Org,
    Outflow,
    Report,
    open_episode,
    settle,
)
from .ledger_strategies import add_ledger
from .life import add_months, month_first, month_index, month_label, month_last

AS_OF = "2025-06-15"
IMPORT_TODAY = dt.date(2026, 12, 31)

DATES = ("2019-01-01", "2024-12-31", "2025-06-14", AS_OF, "2025-06-16", "2026-03-01")
# Birth dates: 70 on AS_OF exactly, the day after, the day before, a 29 February, young ones.
BIRTHS = (
    "1955-06-15",
    "1955-06-16",
    "1955-06-14",
    "1956-02-29",
    "1940-10-01",
    "1980-03-10",
    "1995-07-01",
)
AS_OFS = (AS_OF, "2025-06-14", "2025-06-16", "2026-02-28", "2026-03-01", "2024-12-31")
ROLES = (
    "county_leader",
    "township_cadre",
    "village_committee",
    "secretary",
    "deputy_secretary",
    "committee_member",
    "group_leader",
    "first_secretary",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华"

COUNTY = "330226000000"

# Destinations: division codes (districts of one city, cities, a municipality and its district,
# county-level cities directly under a province, a county-level city under a prefecture),
# text the geocoder cannot place, and places abroad.
PLACES = ("440305", "440304", "440300", "441900", "310115", "310000", "429004", "330782")
UNPLACED = ("外地务工", "新加坡", "日本东京", "迪拜")
for _code in PLACES:
    _place = place_by_code(_code)
    assert _place is not None and _place.code6 == _code, _code
for _text in UNPLACED:
    assert geocode(_text) is None, _text
EMPLOYERS = (
    None,
    "华为技术有限公司",
    "个体经营",
    "宁波舟山港集团",
    "无固定单位",
    "建筑工地打零工",
    "义乌小商品城灵活就业",
)
CONTACT_PEOPLE = (None, "王建国", "李秀英")
EXTERNAL_HOSTS = ("深圳市南山区流动党员联合党支部", "东莞市长安镇流动党员党支部")
JOINED = (None, "1985-07-01", "2001-07-01", "2001-07-01", "2018-06-30")
CHANNELS = (None, "phone", "wechat", "in_person", "online")
OFFSETS = (0, -1, 1, -89, -90, -91, -179, -180, -181, -365)


def shift(d: str, n: int) -> str:
    return (dt.date.fromisoformat(d) + dt.timedelta(days=n)).isoformat()


def mobile_dates(*as_ofs: str) -> list[str]:
    """Dates at the members-away boundaries of each as_of, and one long ago."""
    return sorted({shift(d, k) for d in as_ofs for k in OFFSETS} | {"2019-01-01"})


def rare(draw: st.DrawFn, n: int) -> bool:
    """True once in n + 1 draws; shrinks to False (the plain case)."""
    return draw(st.integers(0, n)) == n


def _name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 3) % len(GIVEN)]


maybe_date = st.one_of(st.none(), st.sampled_from(DATES))


@st.composite
def counties(draw: st.DrawFn, max_members: int = 30) -> County:
    c = County()
    c.as_ofs = [AS_OF, draw(st.sampled_from(AS_OFS), label="as_of")]
    mdates = mobile_dates(*c.as_ofs)
    # Half the departures go to one city, so clusters of 3 full members happen; mobile
    # branches are often hosted there (or in another district of its city).
    hot = draw(st.sampled_from(PLACES))
    host_areas = st.one_of(
        st.none(),
        st.just(hot),
        st.just(hot),
        st.sampled_from(PLACES),
        st.sampled_from(UNPLACED[:2]),
    )
    # Established long before, on, the day after or a month after an as_of date.
    established = st.one_of(
        st.none(),
        st.sampled_from(mdates),
        st.sampled_from([shift(d, k) for d in c.as_ofs for k in (0, 1, 30)]),
    )
    c.areas.append(Area(COUNTY, "宁海县", "county"))
    # The county committee serves the county (or, sometimes, nothing at all).
    county_org = Org(
        "D0",
        "中共宁海县委",
        "committee",
        area=None if rare(draw, 5) else COUNTY,
        term_end=draw(maybe_date),
    )
    c.orgs.append(county_org)
    villages: list[str] = []
    hamlets: list[str] = []
    branch_like: list[str] = []
    groups: list[str] = []
    n_town = draw(st.integers(1, 3))
    for t in range(n_town):
        tcode = f"330226{100 + t:03d}000"
        c.areas.append(Area(tcode, f"{'东西南'[t]}溪镇", "township", COUNTY))
        tid = f"D{t + 1}"
        c.orgs.append(
            Org(
                tid,
                f"{'东西南'[t]}溪镇党委",
                draw(st.sampled_from(("committee", "committee", "working_committee"))),
                parent="D0",
                area=None if rare(draw, 5) else tcode,
                term_end=draw(maybe_date),
            )
        )
        branch_like.append(tid)
        for v in range(draw(st.integers(0, 3))):
            vcode = f"330226{100 + t:03d}{201 + v:03d}"
            c.areas.append(Area(vcode, f"{'东西南'[t]}{'上中下'[v]}村", "village", tcode))
            villages.append(vcode)
            vh = []
            for k in range(draw(st.integers(0, 3))):
                hcode = f"{vcode}{k + 1:02d}"
                c.areas.append(
                    Area(hcode, f"{'东西南'[t]}{'上中下'[v]}村{k + 1}组", "hamlet", vcode)
                )
                hamlets.append(hcode)
                vh.append(hcode)
            # 0–2 orgs serve the village (two orgs serving one village happens).
            for b in range(draw(st.sampled_from((0, 2))) if rare(draw, 5) else 1):
                bid = f"D{t + 1}{v + 1}{b}"
                kind = draw(
                    st.sampled_from(
                        ("branch", "branch", "branch", "joint_branch", "general_branch")
                    )
                )
                area = vcode
                r = draw(st.integers(0, 11))
                if vh and r >= 10:
                    area = draw(st.sampled_from(vh))  # a branch serving one hamlet
                elif r == 9 and len(villages) > 1:
                    area = draw(st.sampled_from(villages))  # maybe across township lines
                c.orgs.append(
                    _with_rect(
                        draw,
                        Org(
                            bid,
                            f"{c.area(vcode).name}党支部{b}",
                            kind,
                            parent=tid,
                            area=area,
                            term_end=draw(maybe_date),
                        ),
                    )
                )
                branch_like.append(bid)
                if kind == "general_branch" and draw(st.booleans()):
                    sub = f"{bid}S"
                    # A branch under the general branch serving no area: home area inherited.
                    c.orgs.append(
                        _with_rect(
                            draw,
                            Org(
                                sub,
                                f"{c.area(vcode).name}第一党支部",
                                "branch",
                                parent=bid,
                                term_end=draw(maybe_date),
                            ),
                        )
                    )
                    branch_like.append(sub)
                for g in range(draw(st.integers(0, 3))):
                    gid = f"{bid}G{g}"
                    # A party group sometimes serves a hamlet of its village.
                    garea = draw(st.sampled_from(vh)) if vh and rare(draw, 4) else None
                    c.orgs.append(
                        Org(
                            gid,
                            f"{c.area(vcode).name}第{g + 1}党小组",
                            draw(st.sampled_from(("group", "group", "temp_group"))),
                            parent=bid,
                            area=garea,
                            term_end=draw(maybe_date),
                        )
                    )
                    groups.append(gid)
        if rare(draw, 4):
            mid = f"D{t + 1}M"
            c.orgs.append(
                Org(
                    mid,
                    f"{'东西南'[t]}溪镇流动党员党支部",
                    draw(st.sampled_from(("mobile_branch", "temp_branch"))),
                    parent=tid,
                    term_end=draw(maybe_date),
                    host_area=draw(host_areas),
                    established_on=draw(established),
                )
            )
            branch_like.append(mid)
    # Mobile branches under the county committee, hosted in destination cities (or somewhere
    # the geocoder cannot place), established before or after the as_of dates.
    for k in range(draw(st.integers(0, 3))):
        kind = draw(
            st.sampled_from(("mobile_branch", "mobile_branch", "temp_branch", "temp_group"))
        )
        oid = f"DM{k}"
        name = f"宁海县驻外流动党员{'党小组' if kind == 'temp_group' else '党支部'}{k}"
        c.orgs.append(
            Org(
                oid,
                name,
                kind,
                parent="D0",
                host_area=draw(host_areas),
                established_on=draw(established),
            )
        )
        if kind in BRANCH_KINDS:
            branch_like.append(oid)
        else:
            groups.append(oid)
    if rare(draw, 9):
        # A branch under no org and serving no area: in no area's scope.
        c.orgs.append(Org("DX", "县直机关联合党支部", "joint_branch", term_end=draw(maybe_date)))
        branch_like.append("DX")

    # households: 0–8 per village, filed under the village or one of its hamlets
    h_areas: list[str] = []
    for vcode in villages:
        vh = [a.code for a in c.areas if a.parent == vcode]
        for _ in range(draw(st.integers(0, 8))):
            area = vcode if not vh or not draw(st.booleans()) else draw(st.sampled_from(vh))
            h_areas.append(area)
    for a in [a for a in c.areas if a.level in ("county", "township")]:
        if rare(draw, 5):
            h_areas.append(a.code)  # a household filed directly under a township (or county)
    for i, area in enumerate(h_areas):
        c.households.append(Household(f"H{i + 1:04d}", area, _name(i + 100)))
    hh_ids = [h.id for h in c.households]

    # members
    n_members = draw(st.integers(0, max_members))
    for i in range(n_members):
        m = Member(f"M{i + 1:04d}", _name(i))
        m.birth_date = draw(st.one_of(st.none(), st.sampled_from(BIRTHS)))
        m.category = draw(st.sampled_from((None, "full", "full", "full", "probationary")))
        m.mgmt_class = draw(
            st.sampled_from((None, None, "young_at_home", "frontline", "mobile", "elderly_weak"))
        )
        if rare(draw, 2):
            m.roles = draw(st.lists(st.sampled_from(ROLES), max_size=3, unique=True))
        if branch_like and not rare(draw, 9):
            m.branch = draw(st.sampled_from(branch_like))
            own = [g for g in groups if c.org(g).parent == m.branch]
            r = draw(st.integers(0, 9))
            if own and r < 7:
                m.group = draw(st.sampled_from(own))
            elif groups and r == 7:
                m.group = draw(st.sampled_from(groups))  # a group of another branch
        if (
            m.branch
            and "village_committee" not in m.roles
            and any(c.org(g).parent == m.branch for g in groups)
            and rare(draw, 3)
        ):
            m.roles.append("village_committee")  # a 村两委 member of a branch with groups
        # mypy infers DrawFn.__call__'s type variable from the `and`'s left operand (list[str])
        if hh_ids and draw(st.booleans()):  # type: ignore[arg-type]
            m.household = draw(st.sampled_from(hh_ids))
        m.on_roll = not rare(draw, 7)
        m.joined_on = draw(st.sampled_from(JOINED))
        m.lost_contact = draw(st.sampled_from((None, None, None, None, False, True)))
        c.members.append(m)
    # A snapshot only marks members off roll in branches its file still names.
    for m in c.members:
        if not m.on_roll and (
            m.branch is None or not any(o.on_roll and o.branch == m.branch for o in c.members)
        ):
            m.on_roll = True
    member_ids = [m.member_no for m in c.members]

    # contacts and responsibilities
    if member_ids:
        seen: set[tuple[str, str, str, str]] = set()
        targets: list[tuple[str, str]] = [("household", h) for h in hh_ids] * 3
        targets += [("hamlet", a) for a in hamlets]
        targets += [("village", a) for a in villages]
        targets += [("township", a.code) for a in c.areas if a.level == "township"]
        targets += [("group", g) for g in groups]
        if targets:
            for _ in range(draw(st.integers(0, 45))):
                kind, target = draw(st.sampled_from(targets))
                member = draw(st.sampled_from(member_ids))
                _add_contact(draw, c, seen, member, kind, target)
                if rare(draw, 6):
                    # Same member, same target, another start date.
                    _add_contact(draw, c, seen, member, kind, target)
            # Cadres: some contacts from members who hold the matching role.
            by_role = {r: [m.member_no for m in c.members if r in m.roles] for r in ROLES}
            for kind, role in (
                ("township", "county_leader"),
                ("village", "township_cadre"),
                ("hamlet", "village_committee"),
                ("group", "village_committee"),
            ):
                pool = [t for k, t in targets if k == kind]
                if not pool or not by_role[role]:
                    continue
                for _ in range(draw(st.integers(0, len(pool) + 1))):
                    _add_contact(
                        draw,
                        c,
                        seen,
                        draw(st.sampled_from(by_role[role])),
                        kind,
                        draw(st.sampled_from(pool)),
                    )

    _members_away(draw, c, mdates, hot)
    _life(draw, c)
    add_ledger(draw, c)
    problems = c.check()
    assert not problems, problems
    return c


def _members_away(draw: st.DrawFn, c: County, mdates: list[str], hot: str) -> None:
    """Outflow episodes, reports and the later actions (attend, return, transfer)."""
    destinations = st.one_of(
        st.just(hot), st.just(hot), st.sampled_from(PLACES), st.sampled_from(UNPLACED)
    )
    busy = rare(draw, 2)
    county_orgs = [o.id for o in c.orgs]
    mobile = [o.id for o in c.orgs if o.host_area is not None or o.id.endswith("M")]
    hosts = st.sampled_from((None, None, *EXTERNAL_HOSTS, *mobile, *county_orgs[:3]))
    for m in c.members:
        if not rare(draw, 1 if busy else 2):
            continue
        lefts = sorted(draw(st.lists(st.sampled_from(mdates), min_size=1, max_size=3, unique=True)))
        overlapping = rare(draw, 5)
        for i, left in enumerate(lefts):
            # Without overlap an episode is back by the next departure (or still open if last).
            nxt = lefts[i + 1] if i + 1 < len(lefts) and not overlapping else None
            backs = [d for d in mdates if d >= left and (nxt is None or d <= nxt)]
            back = draw(st.sampled_from(backs)) if nxt is not None or rare(draw, 1) else None
            c.outflows.append(
                Outflow(
                    m.member_no,
                    left,
                    back,
                    destination=draw(destinations),
                    host_org=draw(hosts),
                    employer=draw(st.sampled_from(EMPLOYERS)),
                    contact_person=draw(st.sampled_from(CONTACT_PEOPLE)),
                )
            )
        # Reports: on the as_of dates and their boundaries, on and just before departures.
        pool = sorted({*mdates, *(shift(x, -1) for x in lefts), *lefts})
        seen: set[tuple[str, str | None, str | None]] = set()
        for _ in range(draw(st.integers(0, 3))):
            r = (
                draw(st.sampled_from(pool)),
                draw(st.sampled_from(CHANNELS)),
                draw(st.sampled_from((None, None, "D1", "村委会"))),
            )
            if r not in seen:
                seen.add(r)
                c.reports.append(Report(m.member_no, *r))
    _actions(draw, c, mdates, hosts_pool=mobile or county_orgs)


# -- organisational life and dues ----------------------------------------------------------

TOPICS = (None, None, None, "学习党的二十大精神", "换届选举", "发展党员")
HOSTS = (None, "王书记", "县委党校李老师")
AMOUNTS = (None, "12.50", "30", "0.2")
MEETING_TYPES = tuple(MEETING_TYPE_LABEL)
# What an org of each kind holds (a group mostly its group meetings; a 党总支 or 党委 the
# meetings that count for its branches, and its own).
HELD = {
    # A group's 党员大会 is no quorum question and counts for no branch.
    "group": ("group_meeting", "group_meeting", "lecture", "talk", "general_meeting"),
    "temp_group": ("group_meeting", "theme_day"),
    "general_branch": ("general_meeting", "lecture", "theme_day", "committee_meeting"),
    "committee": ("general_meeting", "lecture", "theme_day", "life_meeting"),
    "working_committee": ("lecture", "theme_day"),
}


def life_window(as_ofs: list[str]) -> list[int]:
    """The months around the as_of dates: the 14 months before the earliest to the latest."""
    lo = min(month_index(d) for d in as_ofs) - 14
    hi = max(month_index(d) for d in as_ofs)
    return list(range(lo, hi + 1))


def life_dates(as_ofs: list[str]) -> list[str]:
    """Period boundaries around the as_of dates: the first, second and last day and the 15th of
    every month of the window (quarter and year ends among them: Mar 31, Dec 31, Jan 1), the
    as_of dates and the days either side."""
    out = set()
    for i in life_window(as_ofs):
        first = month_first(i)
        out |= {first, shift(first, 1), f"{month_label(i)}-15", month_last(i)}
    for d in as_ofs:
        out |= {d, shift(d, -1), shift(d, 1)}
    return sorted(out)


def _life(draw: st.DrawFn, c: County) -> None:
    """Meetings, dues payments, suspensions, joining and establishment dates inside the checked
    window: the records begin long ago, inside the window, or after the earlier as_of (that
    date has no data), or there are none."""
    if rare(draw, 4):
        return
    window = life_window(c.as_ofs)
    pool = life_dates(c.as_ofs)
    first_as_of = min(c.as_ofs)
    starts = (pool[0], month_first(window[3]), month_first(window[8]), shift(first_as_of, 1))
    life_start = draw(st.sampled_from(starts), label="life records begin")
    dates = [d for d in pool if d >= life_start]
    # Joined inside the window, suspended long ago or recently (24 months before an as_of
    # exactly, a day later, a 29 February), orgs established mid-window.
    suspensions = sorted(
        {"2019-01-01", "2024-02-28", "2024-02-29", "2024-03-01"}
        | {add_months(d, k) for d in c.as_ofs for k in (-24, -6, 0)}
        | {shift(add_months(d, -24), 1) for d in c.as_ofs}
    )
    for m in c.members:
        if rare(draw, 3):
            m.joined_on = draw(st.sampled_from(pool))
        if rare(draw, 6):
            m.suspended_on = draw(st.sampled_from(suspensions))
    month_starts = [month_first(i) for i in window]
    for o in c.orgs:
        if o.kind not in ("mobile_branch", "temp_branch", "temp_group") and rare(draw, 6):
            o.established_on = draw(
                st.sampled_from([*month_starts, *(shift(x, 1) for x in month_starts)])
            )
    if dates:
        for o in c.orgs:
            if rare(draw, 2):
                continue
            held = HELD.get(o.kind, MEETING_TYPES)
            for t in draw(st.lists(st.sampled_from(held), min_size=1, max_size=4, unique=True)):
                for on in _meeting_days(draw, t, dates):
                    _add_meeting(draw, c, o.id, t, on)
    if not rare(draw, 3):
        _dues(draw, c, window, pool)


def _meeting_days(draw: st.DrawFn, t: str, dates: list[str]) -> list[str]:
    """Days a type is held on: regularly (most periods of its kind, on a boundary day or
    mid-month) or a few scattered days."""
    if rare(draw, 2):
        return sorted(set(draw(st.lists(st.sampled_from(dates), max_size=3))))
    months = sorted({month_index(d) for d in dates})
    step = {"general_meeting": 3, "lecture": 3, "life_meeting": 12, "appraisal": 12}.get(t, 1)
    out = []
    for i in months:
        if (step == 3 and i % 3 != 0) or (step == 12 and i % 12 != 11):
            continue  # quarterly from a quarter's first month, yearly in December
        if rare(draw, 5):
            continue  # a missed period
        span = [d for d in dates if month_index(d) // step == i // step]
        if span:
            out.append(draw(st.sampled_from(span)))
    return sorted(set(out))


def _add_meeting(draw: st.DrawFn, c: County, org: str, t: str, on: str) -> None:
    below = {org}
    changed = True
    while changed:
        more = {o.id for o in c.orgs if o.parent in below} - below
        changed = bool(more)
        below |= more
    expected = [m.member_no for m in c.members if m.branch in below or m.group == org]
    everyone = [m.member_no for m in c.members]
    k = Meeting(org, t, on, draw(st.sampled_from(TOPICS)), host=draw(st.sampled_from(HOSTS)))
    if any(x.id == k.id for x in c.meetings):
        return
    r = draw(st.integers(0, 6))
    if r in (1, 6):  # figures, often exactly half or half + 1 present
        e = draw(st.one_of(st.integers(0, 7), st.just(len(expected))))
        k.expected = e
        k.present = draw(st.sampled_from((0, e // 2, e // 2 + 1, e)))
        if r == 6 and draw(st.booleans()):
            k.present = None  # only 应到
    if r in (2, 4, 6) and everyone:
        pool = expected if expected and not rare(draw, 4) else everyone
        k.attendees = draw(st.lists(st.sampled_from(pool), min_size=1, unique=True))
    if r in (3, 4) and everyone:
        pool = expected if expected and not rare(draw, 4) else everyone
        absent = draw(st.lists(st.sampled_from(pool), min_size=1, unique=True))
        absent = [x for x in absent if x not in (k.attendees or ())]
        k.absentees = absent or None
    c.meetings.append(k)
    if rare(draw, 8):  # the same org, type and day: told apart by the topic
        c.meetings.append(Meeting(org, t, on, "补充议题"))


def _dues(draw: st.DrawFn, c: County, window: list[int], pool: list[str]) -> None:
    """Payments up to months of the window (or a little later), paid on a day of the pool
    (before, on or after the as_of dates: a payment is known from its date) or undated."""
    # Sometimes after the latest as_of month: undated payments are not known yet there.
    start = draw(st.sampled_from([*window[:-1], window[-1] + 1]), label="dues records begin")
    months = [month_label(i) for i in range(start, window[-1] + 3)]
    for m in c.members:
        if rare(draw, 2):
            continue  # no payment at all
        for paid_to in draw(st.lists(st.sampled_from(months), max_size=3, unique=True)):
            c.dues.append(
                Dues(
                    m.member_no,
                    paid_to,
                    draw(st.one_of(st.none(), st.sampled_from(pool))),
                    draw(st.sampled_from(AMOUNTS)),
                    written_cn=rare(draw, 4),
                )
            )


def _actions(draw: st.DrawFn, c: County, mdates: list[str], hosts_pool: list[str]) -> None:
    """Attend, record_return and transfer calls, each valid when it is made."""
    away = sorted({f.member for f in c.outflows})
    branches = [o.id for o in c.orgs if o.kind in BRANCH_KINDS]
    for _ in range(draw(st.integers(0, 4))):
        if not away:
            return
        member = draw(st.sampled_from(away))
        kind = draw(st.sampled_from(("attend", "attend", "record_return", "transfer")))
        on = draw(st.sampled_from(mdates))
        w = settle(c)
        m = next(x for x in w.members if x.member_no == member)
        if kind == "attend":
            c.actions.append(Action("attend", member, on, draw(st.sampled_from(hosts_pool))))
        elif kind == "record_return":
            # A day on which an episode is open, after its departure.
            days = [
                d
                for d in mdates
                if (ep := open_episode(w, member, d)) is not None and ep.left_on < d
            ]
            if days:
                c.actions.append(Action("record_return", member, draw(st.sampled_from(days))))
        elif m.on_roll and branches:
            to = draw(
                st.one_of(
                    st.sampled_from(branches),
                    st.sampled_from((*EXTERNAL_HOSTS, "上海市浦东新区某党委")),
                )
            )
            # Mostly during an episode (which it ends), sometimes at home or on a departure day.
            days = [
                d
                for d in mdates
                if (ep := open_episode(w, member, d)) is not None and ep.left_on < d
            ]
            if days and not rare(draw, 3):
                on = draw(st.sampled_from(days))
            c.actions.append(Action("transfer", member, on, to))


def _with_rect(draw: st.DrawFn, o: Org) -> Org:
    r = draw(st.integers(0, 4))
    if r == 4:
        o.rect_opened_on = draw(st.sampled_from(DATES[:3]))
        o.rect_deadline = draw(st.sampled_from(DATES))
        o.rect_status = draw(st.sampled_from((None, "open", "done")))
    elif r == 3:
        o.rect_deadline = draw(st.sampled_from(DATES))  # no opening date
        o.rect_status = draw(st.sampled_from((None, "open", "done")))
    return o


def _add_contact(
    draw: st.DrawFn,
    c: County,
    seen: set[tuple[str, str, str, str]],
    member: str,
    kind: str,
    target: str,
) -> None:
    since = draw(st.one_of(st.none(), st.sampled_from(DATES)))
    until = draw(
        st.one_of(
            st.none(), st.none(), st.sampled_from([d for d in DATES if not since or d >= since])
        )
    )
    key = (member, kind, target, since or "")
    if key in seen:
        return
    seen.add(key)
    c.contacts.append(Contact(member, kind, target, since, until))


def scopes(c: County) -> st.SearchStrategy[str]:
    """A scope of the county: its own code, a township, village or hamlet code, a root org
    (no parent), or another org id."""
    groups = [[c.county_code]]
    for level in ("township", "village", "hamlet"):
        groups.append(sorted(a.code for a in c.areas if a.level == level))
    groups.append(sorted(o.id for o in c.orgs if o.parent is None))
    groups.append(sorted(o.id for o in c.orgs if o.parent is not None))
    return st.one_of([st.sampled_from(g) for g in groups if g])
