"""Planted cases: the deliberate imperfections that make every gap type of docs/rules.md appear
at least once, guaranteed under the default thresholds on `as_of` (listed in
demo_summary.json; see expected.py).

`plan` picks, before anything else is built, the villages that carry structural cases (a big
branch, a small one, joint branches, villages with no cadre, weak or expired branches, no or
full household coverage, a 第一书记 sent or not); orgs.py, duties.py and
first_secretaries.py plant those cases as they build. The other
cases are planted here, on what has been built: the contact-load cases after the household
contacts, the members-away cases between departures and reports, and the members listed on
two branches' rosters last.
"""

from __future__ import annotations

from datetime import timedelta

from orgraph.demo import places
from orgraph.demo.mobility import dest_by_prefix, employer, set_host
from orgraph.demo.model import Contact, Member
from orgraph.demo.people import eligible
from orgraph.demo.state import County, State, Village


def plan(s: State, c: County, tiny: bool) -> None:
    """Pick the villages that carry planted structural cases (their `tags`)."""
    r = s.r
    villages = c.villages
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
        normal.tags |= {"normal", "weak_overdue", "first_secretary"}
        small.tags |= {"small", "no_cadre", "first_secretary"}
        big.tags.add("first_secretary")
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
    _plan_joint(s, c, free)
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
        if i < 5:  # the last weak village has none in office (weak_no_first_secretary)
            v.tags.add("first_secretary")
    for v in pool[8:12]:
        v.tags.add("term_expired")
    # the screening's secretary_vacant (weak_villages.py): one branch, no 党总支 (> 50)
    vacant = next((v for v in pool[12:] if 8 <= v.M <= 40 and not v.community), None)
    if vacant is not None:
        vacant.tags.add("secretary_vacant")
    for v in pool[12:]:
        if r.random() < 0.05:
            v.tags.add("first_secretary")


def _plan_joint(s: State, c: County, free: list[Village]) -> None:
    """Two joint branches, each of two small villages in one township (taken from `free`)."""
    for _ in range(2):
        for t in s.r.sample(c.townships, len(c.townships)):
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


# --------------------------------------------------------------------------- contact load


def contact_cases(s: State, c: County, active: dict[str, int]) -> None:
    """household_uncovered, member_contact_load, exempt_member_assigned and
    household_contact_away, on the household contacts as drawn (`active`: open contacts per
    household, kept up to date here)."""
    villages = c.villages
    partial = [
        v
        for v in villages
        if v.coverage == "partial"
        and v.households
        and len(eligible(s, v.members)) >= 3
        and "joint" not in v.tags
    ]
    cadres = {i for v in villages for i in v.cadres}
    # member_contact_load counts members of a village branch only: never the one whose
    # 所在党支部 is empty (member_no_branch)
    skip = cadres | {i for v in villages for i in v.members if s.members[i].branch is None}
    _uncovered_village(s, villages)
    # each member's open household contacts as drawn, before any case below changes them
    county_members = set(c.members)
    rows_of: dict[int, list[Contact]] = {}
    for x in s.contacts:
        if x.target_kind == "户" and x.until is None and x.member in county_members:
            rows_of.setdefault(x.member, []).append(x)
    used: set[int] = set()
    # one member short of contact_min among five and more keeps the village's organisation
    # off the screening's 联户 indicator (80%: weak_villages.py)
    few = next((v for v in partial if len(eligible(s, v.members)) >= 5), partial[0])
    _too_few(s, few, skip, rows_of, active, used)
    _too_many(s, partial[1 % len(partial)], skip, rows_of, active, used)
    _exempt_assigned(s, partial, cadres, rows_of, active, used)
    _only_contact_away(s, partial, active)


def _uncovered_village(s: State, villages: list[Village]) -> None:
    """The first village planned with no contacts: its households, and a member with none."""
    none_v = next(v for v in villages if v.coverage == "none")
    for h in none_v.households[:3]:
        s.plant("household_uncovered", "household", h.id, f"{none_v.area.name}: 无联户党员")
    zero = eligible(s, none_v.members)
    if zero:
        s.plant("member_contact_load", "member", s.members[zero[0]].key, "联户 0 户")


def _too_few(
    s: State,
    v: Village,
    skip: set[int],
    rows_of: dict[int, list[Contact]],
    active: dict[str, int],
    used: set[int],
) -> None:
    """A member who keeps one active household contact."""
    few = next(i for i in eligible(s, v.members) if i not in skip)
    rows = rows_of.get(few, [])
    drop = {id(x) for x in rows[1:]}
    for x in rows[1:]:
        active[x.target_id] -= 1
    s.contacts[:] = [x for x in s.contacts if id(x) not in drop]
    used.add(few)
    s.plant("member_contact_load", "member", s.members[few].key, "联户 1 户")


def _too_many(
    s: State,
    v: Village,
    skip: set[int],
    rows_of: dict[int, list[Contact]],
    active: dict[str, int],
    used: set[int],
) -> None:
    """A member with eight households."""
    many = next(i for i in eligible(s, v.members) if i not in used and i not in skip)
    have = [x.target_id for x in rows_of.get(many, [])]
    for h in s.r.sample(v.households, len(v.households)):
        if len(have) >= 8:
            break
        if h.id not in have:
            have.append(h.id)
            s.contacts.append(Contact(many, "户", h.id, s.days_ago(60, 900)))
            active[h.id] = active.get(h.id, 0) + 1
    used.add(many)
    s.plant("member_contact_load", "member", s.members[many].key, f"联户 {len(have)} 户")


def _exempt_assigned(
    s: State,
    partial: list[Village],
    cadres: set[int],
    rows_of: dict[int, list[Contact]],
    active: dict[str, int],
    used: set[int],
) -> None:
    """Exempt members holding contacts: one aged ≥ 72, one classed 老弱 under 70."""
    aged = next(
        i for v in partial for i in v.members if not s.members[i].away and s.age(s.members[i]) >= 72
    )
    v_aged = next(v for v in partial if aged in v.members)
    for h in s.r.sample(v_aged.households, min(3, len(v_aged.households))):
        s.contacts.append(Contact(aged, "户", h.id, s.days_ago(60, 900)))
        active[h.id] = active.get(h.id, 0) + 1
    s.plant(
        "exempt_member_assigned",
        "member",
        s.members[aged].key,
        f"{s.age(s.members[aged])} 岁, 仍联户",
    )
    frail = next(
        i
        for v in partial
        for i in eligible(s, v.members)
        if i not in used
        and i not in cadres
        and 55 <= s.age(s.members[i]) < 70
        and rows_of.get(i, [])
    )
    s.members[frail].mgmt_class = "老弱"
    used.add(frail)
    s.plant("exempt_member_assigned", "member", s.members[frail].key, "分类管理类别 老弱, 仍联户")


def _only_contact_away(s: State, partial: list[Village], active: dict[str, int]) -> None:
    """Two households whose only contact member is away."""
    for v in partial:
        away = [i for i in v.members if s.members[i].away]
        free = [h for h in v.households if active.get(h.id, 0) == 0]
        if away and len(free) >= 2:
            i = away[0]
            o = s.open_outflows[i]
            for h in free[:2]:
                since = o.left_on - timedelta(days=s.r.randint(30, 600))
                s.contacts.append(Contact(i, "户", h.id, since))
                s.plant(
                    "household_contact_away",
                    "household",
                    h.id,
                    f"唯一联户党员 {s.members[i].name} 外出",
                )
                s.plant("household_uncovered", "household", h.id, "唯一联户党员外出")
            return
    raise RuntimeError("no village to plant household_contact_away")


# --------------------------------------------------------------------------- members away


def mobile_cases(s: State, c: County, away: list[int]) -> None:
    """mobile_cluster_without_branch, then one member away for each member case."""
    r = s.r
    order = r.sample(away, len(away))
    full = [i for i in order if s.members[i].is_full]
    _cluster_without_branch(s, c, full)
    # planted members: full members of long standing, so dates stay consistent
    rest = [
        i for i in order if s.members[i].is_full and (s.as_of - s.members[i].joined_on).days > 2000
    ]
    picks: dict[str, int] = {}
    for role in ("unattached", "silent", "lost", "flagged", "no_contact", "transfer"):
        picks[role] = rest.pop()
    o = s.open_outflows[picks["unattached"]]
    o.host_org = ""
    s.plant("mobile_unattached", "member", s.members[o.member].key, "未在流入地参加组织生活")
    for role in ("silent", "lost", "flagged"):
        i = picks[role]
        o = s.open_outflows[i]
        o.left_on = min(o.left_on, s.days_ago(420, 1500))
        s.profiles[i] = role
    s.plant("mobile_silent", "member", s.members[picks["silent"]].key, "最近报到 95–170 天前")
    s.plant("lost_contact", "member", s.members[picks["lost"]].key, "最近报到 ≥190 天前")
    s.members[picks["flagged"]].lost_flag = True
    s.plant("lost_contact", "member", s.members[picks["flagged"]].key, "花名册标记失联")
    o = s.open_outflows[picks["no_contact"]]
    o.contact_person = ""
    s.plant("mobile_no_contact_person", "member", s.members[o.member].key, "未明确联系人")
    o = s.open_outflows[picks["transfer"]]
    o.left_on = min(o.left_on, s.days_ago(400, 1500))
    o.reason = "外出务工"
    o.employer = employer(s, "外出务工", o.city or "3101", fixed=True)
    if not o.city:
        o.destination, o.city = "上海市浦东新区", "3101"
    s.plant(
        "should_transfer",
        "member",
        s.members[o.member].key,
        f"外出 {(s.as_of - o.left_on).days} 天, 固定单位 {o.employer}",
    )


def _cluster_without_branch(s: State, c: County, full: list[int]) -> None:
    """At least three full members away in the cluster city, which has no mobile branch."""
    cluster = places.CLUSTER_CITY
    in_cluster = [i for i in full if s.open_outflows[i].city == cluster]
    d = dest_by_prefix(cluster)
    pool = [i for i in full if i not in in_cluster and s.open_outflows[i].city not in c.mobile]
    while len(in_cluster) < 3:
        i = pool.pop()
        o = s.open_outflows[i]
        o.destination = s.r.choice(d.variants)
        o.city = cluster
        o.employer = employer(s, o.reason, cluster)
        set_host(s, c, o, attach=False)
        in_cluster.append(i)
    s.plant(
        "mobile_cluster_without_branch",
        "city",
        d.city_code,
        f"{d.city}: {len(in_cluster)}+ 名正式党员外出, 无流动党员党支部",
    )


# --------------------------------------------------------------------------- second listings


def multi_branch(s: State, c: County, n: int) -> None:
    """List `n` village members a second time, on a township organ branch's roster.

    The story: a villager taken on by the township government; the organ branch has
    reported them (补报), the village branch has not yet struck them off. The importer
    keeps both formal affiliations, so each is a `member_multi_branch` case. Picks are
    on-roll, at-home members of ordinary branches who carry no role and no other
    planted case, one per township (spread over the county); no random draw, so every
    other file stays exactly as it would be without this step.
    """
    used = {p.id for p in s.planted if p.kind == "member"}
    townships = [t for t in c.townships if t.organ_branch]
    step = max(1, len(townships) // n)
    for t in (townships[k * step % len(townships)] for k in range(n)):
        cands = [
            i
            for v in t.villages
            if not v.tags & {"big", "small", "joint"}
            for i in v.members
            if _second_ok(s, s.members[i], used)
        ]
        if not cands:  # no fit in this township: any of the county's villages
            cands = [
                i
                for u in c.townships
                for v in u.villages
                if not v.tags & {"big", "small", "joint"}
                for i in v.members
                if _second_ok(s, s.members[i], used)
            ]
        if not cands:
            raise RuntimeError("no member to list on a second branch's roster")
        i = cands[len(cands) // 2]
        m = s.members[i]
        used.add(m.key)
        s.second_listings.append((i, t.organ_branch))
        assert m.branch is not None
        s.plant(
            "member_multi_branch",
            "member",
            m.key,
            f"{s.org_by_id[m.branch].name} 与 {s.org_by_id[t.organ_branch].name} 均列为所在党支部",
        )


def _second_ok(s: State, m: Member, used: set[str]) -> bool:
    return (
        bool(m.member_no)
        and m.branch is not None
        and m.village is not None
        and not m.away
        and not m.lost_flag
        and not m.roles
        and m.key not in used
        and 25 <= s.age(m) <= 55
        and not s.exempt(m)
    )
