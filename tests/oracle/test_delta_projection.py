"""After any sequence of single-record writes, the projection an engine kept up to date from the
change log equals one freshly loaded from the graph, array by array (docs/design.md#change-log),
and the engine got there without a reload.

A generated county is imported; then hypothesis draws a sequence of writes, through the
services the API and CLI call (orgraph.mobility.services, orgraph.records.life) and through
the catalog blocks the record services write with (each with the parameters they pass), over
existing and new members, households, meetings, orgs and places. After every few writes the
engine answers a summary (so it catches up there and then) and its projection is compared
with a fresh `projection.load`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgraph.analysis import projection as proj
from orgraph.analysis.engine import MAX_PAGE_SIZE, Engine
from orgraph.analysis.projection_compare import equal
from orgraph.analysis.rules import RULES
from orgraph.errors import OrgraphError
from orgraph.mobility import services
from orgraph.store import GraphStore

from .harness import load
from .strategies import IMPORT_TODAY, counties

TODAY = IMPORT_TODAY
DAYS = ["2024-01-15", "2025-03-01", "2025-09-30", "2026-02-10", "2026-05-01"]


def _pick(draw: st.DrawFn, values: list[str], new: str) -> str:
    """An existing key or, sometimes, a new one."""
    if not values or draw(st.integers(0, 4)) == 0:
        return new
    return draw(st.sampled_from(values))


@st.composite
def write(draw: st.DrawFn, p: proj.Projection, n: int) -> tuple[str, dict[str, Any]]:
    """One write: (what, its parameters), over the keys the projection holds now."""
    members = list(p.m_key)
    households = list(p.hh_id)
    orgs = [o for i, o in enumerate(p.org_id) if not p.org_external[i]]
    areas = [a for i, a in enumerate(p.area_code) if not p.area_external[i]]
    day = draw(st.sampled_from(DAYS))
    kind = draw(
        st.sampled_from(
            [
                "member",
                "new_member",
                "off_roll",
                "household",
                "new_household",
                "contact",
                "end_contact",
                "responsibility",
                "departure",
                "return",
                "report",
                "attend",
                "transfer",
                "meeting",
                "dues",
                "mobile_branch",
                "place",
                "rectification",
                "org_edit",
                "area_edit",
                "first_secretary",
                "ledger",
                "inspection",
                "group_record",
            ]
        )
    )
    m = draw(st.sampled_from(members)) if members else f"NEW-M{n}"
    h = _pick(draw, households, f"NEW-H{n}")
    o = draw(st.sampled_from(orgs))
    a = draw(st.sampled_from(areas))
    args: dict[str, Any] = {"member": m, "household": h, "org": o, "area": a, "day": day, "n": n}
    if kind in ("member", "new_member"):
        args["member"] = m if kind == "member" else f"NEW-M{n}"
        args["roles"] = draw(st.sampled_from([[], ["secretary"], ["group_leader"]]))
        args["category"] = draw(st.sampled_from(["full", "probationary"]))
    if kind == "org_edit":  # another kind; maybe re-parented under a top org (no cycle)
        i = p.org_index[o]
        here = (
            p.org_id[p.org_parent[i]] if p.org_parent[i] >= 0 else None,
            p.area_code[p.org_area[i]] if p.org_area[i] >= 0 else None,
        )
        tops = [x for j, x in enumerate(p.org_id) if p.org_parent[j] < 0 and x in orgs]
        moved = (next((x for x in tops if x != o), None), a)
        args["parent"], args["area"] = moved if draw(st.booleans()) else here
        args["new_kind"] = draw(st.sampled_from(["branch", "general_branch", "group", "committee"]))
        args["weak"] = draw(st.booleans())
    if kind == "first_secretary":
        args["until"] = draw(st.sampled_from([None, *DAYS]))
    if kind == "meeting":
        k = [x for x in p.k_id if x.startswith(o + "|")]
        args["meeting_on"] = draw(st.sampled_from(DAYS))
        people = members or [m]
        args["attending"] = draw(st.lists(st.sampled_from(people), max_size=4, unique=True))
        args["absent"] = [
            x
            for x in draw(st.lists(st.sampled_from(people), max_size=2))
            if x not in args["attending"]
        ]
        reuse: bool = bool(k) and draw(st.booleans())
        args["existing"] = draw(st.sampled_from(k)) if reuse else None
    return kind, args


def apply(store: GraphStore, kind: str, a: dict[str, Any]) -> None:
    m, h, o, day, n = a["member"], a["household"], a["org"], a["day"], a["n"]
    if kind in ("member", "new_member"):
        props = {
            "name": f"党员{n}",
            "on_roll": True,
            "category": a["category"],
            "roles": a["roles"],
        }
        store.write("upsert_members", rows=[{"key": m, "props": props}])
        with store.transaction() as tx:
            tx.write("unlink_members", keys=[m])
            tx.write(
                "link_members",
                rows=[
                    {
                        "key": m,
                        "household": h,
                        "branches": [o],
                        "since": day,
                        "roles": a["roles"],
                        "grps": [],
                    }
                ],
            )
    elif kind == "off_roll":
        store.write("record_end_member", key=m, on=day, reason="transfer_out")
    elif kind == "household":
        store.write(
            "upsert_households",
            rows=[{"id": h, "props": {"head_name": f"户主{n}"}, "area": a["area"]}],
        )
    elif kind == "new_household":
        store.write("record_create_household", id=f"NEW-H{n}", area=a["area"], props={"size": 3})
    elif kind == "contact":
        store.write(
            "upsert_household_contacts",
            rows=[{"member": m, "target": h, "since": day, "until": None}],
        )
    elif kind == "end_contact":
        store.write("record_end_contacts", member=m, household=h, until=day)
    elif kind == "responsibility":
        store.write(
            "upsert_area_responsibilities",
            rows=[{"member": m, "target": a["area"], "since": day, "until": None}],
        )
    elif kind == "departure":
        services.register_departure(store, member=m, left_on=day, destination="上海市", today=TODAY)
    elif kind == "return":
        services.record_return(store, member=m, on=day, today=TODAY)
    elif kind == "report":
        services.record_report(store, member=m, on=day, today=TODAY)
    elif kind == "attend":
        services.attend(store, member=m, org=o, since=day, today=TODAY)
    elif kind == "transfer":
        services.transfer(store, member=m, to_org=o, on=day, today=TODAY)
    elif kind == "meeting":
        mid = a["existing"] or f"{o}|支部党员大会|{a['meeting_on']}|"
        with store.transaction() as tx:
            props = {"type": "支部党员大会", "on": a["meeting_on"], "listed": True}
            tx.write("upsert_meetings", rows=[{"id": mid, "org": o, "props": props}])
            tx.write("unlink_meeting_people", rows=[{"id": mid}])
            tx.write(
                "link_meeting_attendees", rows=[{"id": mid, "member": x} for x in a["attending"]]
            )
            tx.write("link_meeting_absentees", rows=[{"id": mid, "member": x} for x in a["absent"]])
    elif kind == "dues":
        props = {"paid_to": day[:7], "paid_on": day}
        store.write("upsert_dues", rows=[{"id": f"{m}|{day[:7]}", "member": m, "props": props}])
    elif kind == "mobile_branch":
        services.create_mobile_branch(
            store,
            id=f"MB{n}",
            name=f"驻沪流动党员党支部{n}",
            kind="mobile_branch",
            host_area="310000",
            approved_by=o,
            established_on=day,
            today=TODAY,
        )
    elif kind == "org_edit":
        with store.transaction() as tx:
            props = {"kind": a["new_kind"], "weak": a["weak"]}
            tx.write("upsert_orgs", rows=[{"id": o, "props": props}])
            tx.write(
                "link_orgs",
                rows=[{"id": o, "parent": a["parent"], "area": a["area"], "host": None}],
            )
    elif kind == "first_secretary":
        row = {
            "id": f"{m}|{o}|{day}",
            "member": m,
            "org": o,
            "props": {"since": day, "until": a["until"], "sent_by": f"单位{n}", "org_text": None},
        }
        store.write("upsert_first_secretaries", rows=[row])
    elif kind == "ledger":
        props = {
            "opened_on": day,
            "problems": ["economy_weak"],
            "plan_on": None,
            "status": "open",
            "result": None,
            "accepted_on": None,
        }
        store.write("upsert_rect_ledger", rows=[{"id": f"{o}|{day}", "org": o, "props": props}])
    elif kind == "inspection":
        props = {"on": day, "inspector": f"督查组{n}", "findings": None, "follow_up": "open"}
        row = {"id": f"{o}|{day}|督查组{n}", "org": o, "props": props}
        store.write("upsert_inspections", rows=[row])
    elif kind == "group_record":
        props = {"month": day[:7], "summary": n % 2 == 0, "inspected_on": day, "score": 90}
        store.write(
            "upsert_group_records", rows=[{"id": f"{o}|{day[:7]}", "org": o, "props": props}]
        )
    elif kind == "area_edit":
        store.write("upsert_areas", rows=[{"code": a["area"], "props": {"name": f"改名{n}"}}])
    elif kind == "place":
        store.write(
            "upsert_places",
            rows=[
                {
                    "code": f"9{n:05d}",
                    "name": f"某地{n}",
                    "level": "county",
                    "lon": None,
                    "lat": None,
                    "province": None,
                    "parent": None,
                }
            ],
        )
    elif kind == "rectification":
        store.write(
            "upsert_rectifications",
            rows=[
                {
                    "org": o,
                    "id": f"R{o}|{day}",
                    "opened_on": day,
                    "deadline": None,
                    "status": "open",
                }
            ],
        )


def answers(eng: Engine) -> dict[str, Any]:
    """What the engine answers for the whole county at TODAY: every gap list whole, the
    coverage rollup, contact proposals, members away, the life grid. These read every value a
    projection caches (Projection.once), so a value kept across a catch-up that should have been
    recomputed gives an answer that differs from a fresh engine's."""
    out: dict[str, Any] = {"summary": eng.summary(as_of=TODAY)}
    for t in RULES:
        out[t] = eng.gaps(t, as_of=TODAY, page_size=MAX_PAGE_SIZE)
    out["coverage"] = eng.coverage(level="village", as_of=TODAY)
    out["screening"] = eng.screening(as_of=TODAY)
    out["proposal"] = eng.proposal(as_of=TODAY, page_size=None)
    out["destinations"] = eng.destinations(as_of=TODAY)
    out["mobile_branches"] = eng.mobile_branches(as_of=TODAY)
    out["life"] = eng.life_grid(as_of=TODAY)
    p = eng.projection()
    for a in [i for i, lv in enumerate(p.area_level) if lv == "township"][:2]:
        ref = p.area_code[a]  # a scope's masks may be kept across a catch-up too
        out[ref] = (
            eng.summary(scope=ref, as_of=TODAY),
            eng.coverage(scope=ref, as_of=TODAY),
            eng.group_ranking(ref, as_of=TODAY),
        )
    out["first_secretaries"] = eng.first_secretary_villages(as_of=TODAY)
    return out


def check(store: GraphStore, draw: Callable[[st.SearchStrategy[Any]], Any], writes: int) -> None:
    eng = Engine(store)
    answers(eng)
    assert eng.loads == 1
    applied = 0
    for n in range(writes):
        kind, args = draw(write(eng.projection(), n))
        try:
            apply(store, kind, args)
        except OrgraphError:
            continue  # refused (e.g. a return with nothing open): nothing was written
        applied += 1
        if draw(st.integers(0, 2)) == 0 or n == writes - 1:
            got = answers(eng)
            kept = eng.projection()
            other = Engine(store, snapshots=False)
            want = answers(other)
            fresh = other.projection()
            assert kept.revision == fresh.revision
            assert eng.loads == 1, f"reloaded after {kind}: {eng.reload_reason}"
            assert equal(kept, fresh) == [], f"after {kind} {args}"
            # the values kept across the catch-up, and the answers read from them
            assert got == want, f"after {kind} {args}"
    assert eng.loads == 1, f"the engine reloaded instead of catching up: {eng.reload_reason}"
    assert applied == 0 or eng.deltas >= 1


@pytest.mark.parametrize("engine_examples", [("falkordb", 10), ("neo4j", 3)], ids=lambda e: e[0])
def test_kept_projection_equals_a_fresh_load(
    engine_examples: tuple[str, int], request: pytest.FixtureRequest
) -> None:
    name, examples = engine_examples
    store: GraphStore = request.getfixturevalue(f"{name}_graph")

    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(county=counties(max_members=12), data=st.data())
    def prop(county: Any, data: st.DataObject) -> None:
        load(store, county)
        check(store, data.draw, 20)

    prop()
