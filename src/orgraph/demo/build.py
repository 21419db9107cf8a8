"""Build an in-memory demo county (or city, or a tiny county for tests): the conductor.

`build` makes one `State` (state.py) and, for each county, calls the steps in a fixed order
(`build_county`): areas, members, households, orgs, duties, members away, planted cases,
第一书记 appointments (first_secretaries.py, on a random source of its own); then, for every
county, the organisational-life and dues ledgers (life.py, on a random source of its own),
then the 整顿台账, 督查记录 and 党小组工作记录 (ledgers.py, on a random source of its own).
The order is the random draws' order, so one seed gives one world, byte for byte; all dates
are relative to `as_of`, so planted cases stay true for any `as_of` (docs/design.md#demo).

Area codes are described in areas.py, 户编号 in households.py, 组织编号 in orgs.py.
"""

from __future__ import annotations

from datetime import date, timedelta

from orgraph.demo import (
    areas,
    duties,
    first_secretaries,
    households,
    ledgers,
    life,
    mobility,
    orgs,
    people,
    places,
    planted,
    weak_villages,
)
from orgraph.demo.model import (
    Area,
    GroupRecord,
    Household,
    Inspection,
    Meeting,
    Org,
    Payment,
    Rectification,
    World,
)
from orgraph.demo.places import CountySpec
from orgraph.demo.state import State, Village


def build(*, scale: str, seed: int, as_of: date) -> World:
    s = State(seed=seed, as_of=as_of, scale=scale)
    all_households: list[Household] = []
    parent_org: str | None = None
    if scale == "city":
        specs = list(places.NINGBO_COUNTIES)
        parent_org = f"D{places.CITY_CODE}"
        s.add_org(
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
            cities = sorted(s.r.sample(list(places.BRANCH_CITIES), s.r.randint(1, 3)))
        build_county(
            s, spec, tiny=tiny, parent_org=parent_org, branch_cities=cities, out=all_households
        )
    meetings, payments = life.build_life(s)
    ledger = ledgers.build_ledgers(s)
    return _assemble(
        s, title=title, households=all_households, life=(meetings, payments), ledger=ledger
    )


def build_county(
    s: State,
    spec: CountySpec,
    *,
    tiny: bool,
    parent_org: str | None,
    branch_cities: list[str],
    out: list[Household],
) -> None:
    """One county, step by step; its households are appended to `out`."""
    c = areas.build_areas(s, spec, tiny)
    s.counties.append(c)
    planted.plan(s, c, tiny)
    villages = c.villages
    for v in villages:
        s.village_by_code[v.area.code] = v
        people.village_members(s, c, v)
    people.choose_away(s, c, tiny)
    people.assign_classes(s, c)
    for v in villages:
        _fit_full_coverage(s, v)
        areas.add_hamlets(s, c, v)
        households.households_for(s, c, v, out)
        households.link_households(s, v)
    households.rare_head_names(s, villages)
    orgs.county_orgs(s, c, parent_org)
    for t in c.townships:
        orgs.village_orgs(s, c, t)
        for v in t.villages:
            duties.village_cadres(s, v)
    orgs.organs(s, c, tiny)
    duties.responsibilities(s, c)
    away = mobility.depart(s, c, tiny, branch_cities)
    planted.mobile_cases(s, c, away)
    weak_villages.plant_lost(s, c, tiny)
    mobility.report(s, c, away)
    weak_villages.keep_quiet_below(s, c, tiny)
    active = duties.household_contacts(s, c)
    planted.contact_cases(s, c, active)
    planted.multi_branch(s, c, 1 if tiny else 2)
    first_secretaries.appointments(s, c)
    weak_villages.record(s, c, tiny)
    for i in c.members:
        if s.members[i].away != (i in s.open_outflows):
            raise AssertionError("away flag and open outflows disagree")


def _fit_full_coverage(s: State, v: Village) -> None:
    """A village planned with full coverage keeps at most 4 households per eligible member,
    so that every household can have one; with no eligible member it is only partial."""
    if v.coverage != "full":
        return
    e = len(people.eligible(s, v.members))
    if e == 0:
        v.coverage = "partial"
    else:
        v.H = max(10, min(v.H, 4 * e))


def _assemble(
    s: State,
    *,
    title: str,
    households: list[Household],
    life: tuple[list[Meeting], list[Payment]],
    ledger: tuple[list[Rectification], list[Inspection], list[GroupRecord]],
) -> World:
    areas_: list[Area] = []
    for c in s.counties:
        areas_.append(c.area)
        for t in c.townships:
            areas_.append(t.area)
            for v in t.villages:
                areas_.append(v.area)
                areas_.extend(v.hamlets)
    # roster order: by org (tree order of the orgs file), members without a branch last
    rank = {o.org_id: k for k, o in enumerate(s.orgs)}
    members = sorted(s.members, key=lambda m: (rank.get(m.branch or "", len(rank)), m.idx))
    # one row per (member, target, since): the importer treats repeats as duplicates
    seen: set[tuple[int, str, str, date]] = set()
    contacts = []
    for x in s.contacts:
        k = (x.member, x.target_kind, x.target_id, x.since)
        if k not in seen:
            seen.add(k)
            contacts.append(x)
    s.contacts = contacts
    s.outflows.sort(key=lambda o: (o.member, o.left_on))
    s.reports.sort(key=lambda x: (x.on, x.member))
    second = sorted(
        ((s.members[i], oid) for i, oid in s.second_listings), key=lambda x: (rank[x[1]], x[0].idx)
    )
    # 第一书记: by org (the orgs file's order), then since
    s.appointments.sort(key=lambda a: (rank[a.org], a.since, a.member))
    return World(
        scale=s.scale,
        seed=s.seed,
        as_of=s.as_of,
        title=title,
        areas=areas_,
        orgs=s.orgs,
        members=members,
        households=households,
        contacts=s.contacts,
        outflows=s.outflows,
        reports=s.reports,
        planted=s.planted,
        counts=_counts(s, areas_, households, life, ledger),
        member_by_idx={m.idx: m for m in s.members},
        org_by_id=s.org_by_id,
        second_listings=second,
        meetings=life[0],
        payments=life[1],
        appointments=s.appointments,
        rectifications=ledger[0],
        inspections=ledger[1],
        group_records=ledger[2],
        screening=s.screening,
    )


def _counts(
    s: State,
    areas_: list[Area],
    households: list[Household],
    life: tuple[list[Meeting], list[Payment]],
    ledger: tuple[list[Rectification], list[Inspection], list[GroupRecord]],
) -> dict[str, int]:
    out: dict[str, int] = {}
    for a in areas_:
        out[f"areas.{a.level}"] = out.get(f"areas.{a.level}", 0) + 1
    for o in s.orgs:
        out[f"orgs.{o.kind}"] = out.get(f"orgs.{o.kind}", 0) + 1
    out["orgs.weak"] = sum(o.weak for o in s.orgs)
    out["households"] = len(households)
    out["members"] = len(s.members)  # distinct persons (the members workbook has more rows)
    out["members.listed_twice"] = len(s.second_listings)
    out["members.正式党员"] = sum(m.is_full for m in s.members)
    out["members.预备党员"] = len(s.members) - out["members.正式党员"]
    out["members.away"] = sum(m.away for m in s.members)
    out["members.lost_flag"] = sum(m.lost_flag for m in s.members)
    out["members.no_member_no"] = sum(not m.member_no for m in s.members)
    out["members.exempt"] = sum(s.exempt(m) for m in s.members)
    out["members.no_household"] = sum(not m.household_id for m in s.members)
    for role in ("县级领导", "乡镇干部", "村两委", "第一书记", "党小组长"):
        out[f"roles.{role}"] = sum(role in m.roles for m in s.members)
    for x in s.contacts:
        key = f"contacts.{x.target_kind}" + (".ended" if x.until else "")
        out[key] = out.get(key, 0) + 1
    out["outflows"] = len(s.outflows)
    out["outflows.open"] = sum(o.returned_on is None for o in s.outflows)
    out["reports"] = len(s.reports)
    meetings, payments = life
    out["members.suspended"] = sum(m.suspended_on is not None for m in s.members)
    out["meetings"] = len(meetings)
    for k in meetings:
        out[f"meetings.{k.type}"] = out.get(f"meetings.{k.type}", 0) + 1
    out["meetings.attendees"] = sum(len(k.attendees) for k in meetings)
    out["meetings.absentees"] = sum(len(k.absentees) for k in meetings)
    out["dues"] = len(payments)
    out["first_secretaries"] = len(s.appointments)
    out["first_secretaries.active"] = sum(a.active(s.as_of) for a in s.appointments)
    rects, inspections, records = ledger
    out["rectifications"] = len(rects)
    out["rectifications.open"] = sum(x.status == "整顿中" for x in rects)
    out["inspections"] = len(inspections)
    out["group_records"] = len(records)
    out["group_records.groups"] = len({x.group for x in records})
    return out
