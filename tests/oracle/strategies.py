"""Hypothesis strategies: small random counties that hit the edges of docs/rules.md.

Dates come from a short pool around AS_OF (the day before, the day itself, the day after...)
so that boundaries (a contact ending exactly on as_of, a return on as_of, a 70th birthday on
as_of, a term ending on as_of) turn up often. Roster imports run with IMPORT_TODAY, later
than every date of the pool, so no "date in the future" check rejects a row.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from .county_model import (
    Area,
    Contact,
    County,
    Household,
    Member,
    Org,
    Outflow,
)

AS_OF = "2025-06-15"
IMPORT_TODAY = dt.date(2026, 12, 31)

DATES = ("2019-01-01", "2024-12-31", "2025-06-14", AS_OF, "2025-06-16", "2026-03-01")
# Birth dates: 70 on AS_OF exactly, the day after, the day before, a 29 February, young ones.
BIRTHS = ("1955-06-15", "1955-06-16", "1955-06-14", "1956-02-29", "1940-10-01",
          "1980-03-10", "1995-07-01")
AS_OFS = (AS_OF, "2025-06-14", "2025-06-16", "2026-02-28", "2026-03-01", "2024-12-31")
ROLES = ("county_leader", "township_cadre", "village_committee", "secretary",
         "deputy_secretary", "committee_member", "group_leader", "first_secretary")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华"

COUNTY = "330226000000"


def rare(draw: st.DrawFn, n: int) -> bool:
    """True once in n + 1 draws; shrinks to False (the plain case)."""
    return draw(st.integers(0, n)) == n


def _name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 3) % len(GIVEN)]


maybe_date = st.one_of(st.none(), st.sampled_from(DATES))


@st.composite
def counties(draw: st.DrawFn, max_members: int = 30) -> County:
    c = County()
    c.areas.append(Area(COUNTY, "宁海县", "county"))
    # The county committee serves the county (or, sometimes, nothing at all).
    county_org = Org("D0", "中共宁海县委", "committee",
                     area=None if rare(draw, 5) else COUNTY,
                     term_end=draw(maybe_date))
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
        c.orgs.append(Org(tid, f"{'东西南'[t]}溪镇党委", draw(st.sampled_from(
            ("committee", "committee", "working_committee"))),
            parent="D0", area=None if rare(draw, 5) else tcode,
            term_end=draw(maybe_date)))
        branch_like.append(tid)
        for v in range(draw(st.integers(0, 3))):
            vcode = f"330226{100 + t:03d}{201 + v:03d}"
            c.areas.append(Area(vcode, f"{'东西南'[t]}{'上中下'[v]}村", "village", tcode))
            villages.append(vcode)
            vh = []
            for k in range(draw(st.integers(0, 3))):
                hcode = f"{vcode}{k + 1:02d}"
                c.areas.append(Area(hcode, f"{'东西南'[t]}{'上中下'[v]}村{k + 1}组", "hamlet",
                                    vcode))
                hamlets.append(hcode)
                vh.append(hcode)
            # 0–2 orgs serve the village (two orgs serving one village happens).
            for b in range(draw(st.sampled_from((0, 2))) if rare(draw, 5) else 1):
                bid = f"D{t + 1}{v + 1}{b}"
                kind = draw(st.sampled_from(("branch", "branch", "branch", "joint_branch",
                                             "general_branch")))
                area = vcode
                r = draw(st.integers(0, 11))
                if vh and r >= 10:
                    area = draw(st.sampled_from(vh))  # a branch serving one hamlet
                elif r == 9 and len(villages) > 1:
                    area = draw(st.sampled_from(villages))  # maybe across township lines
                c.orgs.append(_with_rect(draw, Org(
                    bid, f"{c.area(vcode).name}党支部{b}", kind, parent=tid, area=area,
                    term_end=draw(maybe_date))))
                branch_like.append(bid)
                if kind == "general_branch" and draw(st.booleans()):
                    sub = f"{bid}S"
                    # A branch under the general branch serving no area: home area inherited.
                    c.orgs.append(_with_rect(draw, Org(
                        sub, f"{c.area(vcode).name}第一党支部", "branch", parent=bid,
                        term_end=draw(maybe_date))))
                    branch_like.append(sub)
                for g in range(draw(st.integers(0, 3))):
                    gid = f"{bid}G{g}"
                    # A party group sometimes serves a hamlet of its village.
                    garea = draw(st.sampled_from(vh)) if vh and rare(draw, 4) \
                        else None
                    c.orgs.append(Org(gid, f"{c.area(vcode).name}第{g + 1}党小组",
                                      draw(st.sampled_from(("group", "group", "temp_group"))),
                                      parent=bid, area=garea, term_end=draw(maybe_date)))
                    groups.append(gid)
        if rare(draw, 4):
            mid = f"D{t + 1}M"
            c.orgs.append(Org(mid, f"{'东西南'[t]}溪镇流动党员党支部", draw(st.sampled_from(
                ("mobile_branch", "temp_branch"))), parent=tid, term_end=draw(maybe_date)))
            branch_like.append(mid)
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
        m.mgmt_class = draw(st.sampled_from((None, None, "young_at_home", "frontline", "mobile",
                                             "elderly_weak")))
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
        if (m.branch and "village_committee" not in m.roles
                and any(c.org(g).parent == m.branch for g in groups) and rare(draw, 3)):
            m.roles.append("village_committee")  # a 村两委 member of a branch with groups
        if hh_ids and draw(st.booleans()):
            m.household = draw(st.sampled_from(hh_ids))
        m.on_roll = not rare(draw, 7)
        c.members.append(m)
    # A snapshot only marks members off roll in branches its file still names.
    for m in c.members:
        if not m.on_roll and (m.branch is None or not any(
                o.on_roll and o.branch == m.branch for o in c.members)):
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
            for kind, role in (("township", "county_leader"), ("village", "township_cadre"),
                               ("hamlet", "village_committee"), ("group", "village_committee")):
                pool = [t for k, t in targets if k == kind]
                if not pool or not by_role[role]:
                    continue
                for _ in range(draw(st.integers(0, len(pool) + 1))):
                    _add_contact(draw, c, seen, draw(st.sampled_from(by_role[role])), kind,
                                 draw(st.sampled_from(pool)))

    # outflows: away, returned, returned on as_of, leaving on as_of
    for m in c.members:
        if rare(draw, 3):
            lefts = draw(st.lists(st.sampled_from(DATES), min_size=1, max_size=2, unique=True))
            for left in lefts:
                back = draw(st.one_of(st.none(), st.sampled_from(
                    [d for d in DATES if d >= left])))
                host = draw(st.sampled_from((None, None, "东莞市长安镇流动党员党支部",
                                             *[o.id for o in c.orgs[:3]])))
                c.outflows.append(Outflow(m.member_no, left, back, host_org=host))
    problems = c.check()
    assert not problems, problems
    return c


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


def _add_contact(draw: st.DrawFn, c: County, seen: set[tuple[str, str, str, str]],
                 member: str, kind: str, target: str) -> None:
    since = draw(st.one_of(st.none(), st.sampled_from(DATES)))
    until = draw(st.one_of(st.none(), st.none(), st.sampled_from(
        [d for d in DATES if not since or d >= since])))
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
