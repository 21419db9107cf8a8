"""Contact proposals: the engine agrees with the independent oracle (proposals.py).

Each generated example imports a random small county and, for the whole county and one random
sub-scope on the county's two dates, with a random policy (contact_max 1–4, so places are
sometimes short and sometimes ample; cross-village on or off; 0–2 extra places for 村两委
members), checks the engine's proposal:

- every pair is a candidate pair, each household at most once, no member beyond its places,
  and every item field (locality, extra, loads, names, order) is as docs/rules.md says;
- per part (village, or township with cross-village) the four objective values equal the
  oracle's optimum (a min-cost maximum flow over the pairs, itself checked against brute force
  below);
- the village, township and scope rows equal the oracle's field by field;
- check_pairs takes the engine's own pairs as new, with no problem; written as contacts, they
  are all `kept` by check_pairs, a second proposal at the same date again equals the oracle's
  on the county with those contacts, starts from the first one's covered_after and is empty
  (extra places end at contact_max + proposal_cadre_extra in all: docs/rules.md).

Hand-written examples state the expected answer of small counties directly (and are compared
with the oracle too, on both engines). ORACLE_EXAMPLES=n runs n generated examples on both
engines instead of 50 (FalkorDB) and 25 (Neo4j).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from orgraph.analysis.engine import Engine
from orgraph.policy import Policy
from orgraph.store import GraphStore

from .county_model import Area, Contact, County, Household, Member, Org, Outflow
from .examples import V2, C, T, V, base, member, run
from .harness import examples, load
from .proposals import (
    Eligible,
    Instance,
    Objectives,
    Open,
    Pair,
    ProposalOracle,
    brute_force,
    row_diffs,
    solve,
    with_contacts,
)
from .strategies import AS_OF, counties, rare, scopes

H = "33022610020101"  # the hamlet of V in examples.base()
T2, V3 = "330226101000", "330226101201"

policies: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {
        "contact_min": st.just(1),
        "contact_max": st.integers(1, 4),
        "exempt_age": st.sampled_from((60, 70, 80)),
        "proposal_cross_village": st.booleans(),
        "proposal_cadre_extra": st.integers(0, 2),
    }
)


@st.composite
def proposal_counties(draw: st.DrawFn) -> County:
    """counties(), with half the members with a village living in it (so that own-hamlet
    pairs and their trade-offs against the other objectives turn up) and one in four members
    more in 村两委 (extra places)."""
    c = draw(counties())
    po = ProposalOracle(c)
    homes: dict[str, list[str]] = defaultdict(list)
    for h in c.households:
        v = po.village(h.area)
        if v is not None:
            homes[v].append(h.id)
    for m in c.members:
        v = po.village(po.o.home_area(po.o.members[m.member_no]))
        if v in homes and draw(st.booleans()):
            m.household = draw(st.sampled_from(homes[v]))
        if "village_committee" not in m.roles and rare(draw, 3):
            m.roles = [*m.roles, "village_committee"]
    assert c.check() == []
    return c


def pairs_of(answer: dict[str, Any]) -> list[Pair]:
    return [(it["member"]["id"], it["household"]["id"]) for it in answer["items"]]


def proposal_diffs(
    engine: Engine, po: ProposalOracle, scope: str | None, d: str
) -> tuple[list[str], dict[str, Any]]:
    """Everything in the engine's proposal that disagrees with the oracle, and the answer."""
    got = engine.proposal(scope=scope, as_of=d, page=1, page_size=10_000)
    where = f"scope={scope} as_of={d}"
    inst = po.instance(scope, d)
    out = [f"{where}: {p}" for p in po.item_problems(inst, got["items"])]
    if got["items_total"] != len(got["items"]):
        out.append(f"{where}: items_total {got['items_total']} != {len(got['items'])} items")
    if got["as_of"] != d:
        out.append(f"{where}: as_of {got['as_of']}")
    policy = {k: po.p[k] for k in ("contact_max", "proposal_cross_village", "proposal_cadre_extra")}
    if got["policy"] != policy:
        out.append(f"{where}: policy {got['policy']} != {policy}")
    if out:  # an infeasible proposal has no objective values to compare
        return out, got
    pairs = pairs_of(got)
    best = po.optimum(inst)
    for part, objectives in po.by_part(inst, pairs).items():
        if objectives != best[part][0]:
            out.append(f"{where}: part {part}: engine {objectives}, optimum {best[part][0]}")
    total, townships, villages = po.rows(inst, pairs)
    out += row_diffs(f"{where} total", got["total"], total)
    for what, rows, want in (
        ("township", got["townships"], townships),
        ("village", got["villages"], villages),
    ):
        codes, want_codes = [r.get("code") for r in rows], [r["code"] for r in want]
        if codes != want_codes:
            out.append(f"{where}: {what} rows {codes}, oracle {want_codes}")
            continue
        for r, w in zip(rows, want, strict=True):
            out += row_diffs(f"{where} {what} {w['code']}", r, w)
    return out, got


def tags(inst: Instance, answer: dict[str, Any]) -> list[str]:
    """What an example holds (hypothesis events: see them with
    --hypothesis-show-statistics)."""
    out = set()
    total = answer["total"]
    out.add(f"shortfall {total['shortfall']}")
    if total["unplaced"]:
        out.add("unplaced households")
    items = answer["items"]
    if any(it["extra"] for it in items):
        out.add("extra places used")
    for it in items:
        out.add(f"locality {it['locality']}")
    if any(m.places == 0 for m in inst.members.values()):
        out.add("an eligible member with no places")
    if total["contact_max_needed"] is not None:
        out.add("contact_max_needed")
    return sorted(out)


def check_county(
    store: GraphStore, county: County, policy: dict[str, Any], data: st.DataObject
) -> None:
    scope = data.draw(scopes(county), label="scope")
    dates = sorted(set(county.as_ofs))
    load(store, county)
    engine = Engine(store, policy=Policy(**policy))
    po = ProposalOracle(county, policy)
    diffs: list[str] = []
    answers: dict[tuple[str | None, str], dict[str, Any]] = {}
    for d in dates:
        for sc in (None, scope):
            found, answers[sc, d] = proposal_diffs(engine, po, sc, d)
            diffs += found
    assert diffs == [], "\n".join(diffs[:40])
    for (sc, d), answer in answers.items():
        for tag in tags(po.instance(sc, d), answer):
            event(tag)
        pairs = pairs_of(answer)
        checked = engine.check_pairs(pairs=pairs, scope=sc, as_of=d)
        assert checked["problems"] == [], (sc, d, checked["problems"])
        assert [tuple(x) for x in checked["new"]] == pairs and checked["kept"] == [], (sc, d)

    # Apply the whole county's proposal on one date, and ask again.
    d = data.draw(st.sampled_from(dates), label="apply on")
    before = answers[None, d]
    pairs = pairs_of(before)
    if pairs:
        store.write(
            "upsert_household_contacts",
            rows=[{"member": m, "target": h, "since": d, "until": None} for m, h in pairs],
        )
    after_county = with_contacts(county, pairs, d)
    po2 = ProposalOracle(after_county, policy)
    diffs, after = proposal_diffs(engine, po2, None, d)
    diffs += proposal_diffs(engine, po2, scope, d)[0]
    assert diffs == [], "\n".join(diffs[:40])
    assert after["total"]["covered_before"] == before["total"]["covered_after"]
    # A maximum proposal, applied, leaves nothing to propose (extra places end at
    # contact_max + proposal_cadre_extra in all, docs/rules.md "Who and what").
    if any(it["extra"] for it in before["items"]):
        event("a second proposal after extra places were used")
    assert after["items_total"] == 0
    assert after["total"]["covered_after"] == before["total"]["covered_after"]
    kept = engine.check_pairs(pairs=pairs, scope=None, as_of=d)
    assert kept["problems"] == [] and kept["new"] == []
    assert [tuple(x) for x in kept["kept"]] == pairs


@pytest.mark.timeout(1200)
@examples(30)
@given(county=proposal_counties(), policy=policies, data=st.data())
def test_proposal_equals_oracle_falkordb_30_counties(
    falkordb_graph: GraphStore, county: County, policy: dict[str, Any], data: st.DataObject
) -> None:
    check_county(falkordb_graph, county, policy, data)


@pytest.mark.neo4j
@pytest.mark.timeout(1200)
@examples(5)
@given(county=proposal_counties(), policy=policies, data=st.data())
def test_proposal_equals_oracle_neo4j_5_counties(
    neo4j_graph: GraphStore, county: County, policy: dict[str, Any], data: st.DataObject
) -> None:
    check_county(neo4j_graph, county, policy, data)


# -- the oracle's solver against brute force (no graph) ------------------------------------


@st.composite
def tiny_instances(draw: st.DrawFn) -> tuple[list[Eligible], list[Open], Instance]:
    """Up to 3 members and 6 open households over two villages of one township (and a third
    village elsewhere), hamlets a/b/none, random loads and places."""
    villages = ("v1", "v2", "v3")
    township = {"v1": "t1", "v2": "t1", "v3": "t2"}
    hamlets = {"v1": ("v1a", "v1b", None), "v2": ("v2a", None), "v3": (None,)}
    cmax = draw(st.integers(1, 4))
    members = []
    for i in range(draw(st.integers(0, 3))):
        v = draw(st.sampled_from(villages))
        e = draw(st.integers(0, 5))
        members.append(
            Eligible(
                f"m{i}",
                v,
                draw(st.sampled_from(hamlets[v])),
                township[v],
                e,
                max(0, cmax - e),
                draw(st.integers(0, 2)),
            )
        )
    households = []
    for i in range(draw(st.integers(0, 6))):
        v = draw(st.sampled_from(villages))
        households.append(Open(f"h{i}", v, draw(st.sampled_from(hamlets[v])), township[v]))
    inst = Instance(
        AS_OF,
        None,  # type: ignore[arg-type]  # the solver never looks at the scope
        draw(st.booleans()),
        cmax,
        {},
        {h.id: h for h in households},
        0,
        {m.key: m for m in members},
    )
    return members, households, inst


@settings(max_examples=300, deadline=None)
@given(tiny_instances())
def test_oracle_solver_equals_brute_force(
    case: tuple[list[Eligible], list[Open], Instance],
) -> None:
    members, households, inst = case
    found, pairs = solve(members, households, inst)
    assert found == brute_force(members, households, inst)
    assert inst.objectives(pairs) == found
    assert len({h for _, h in pairs}) == len(pairs)
    n = {m.key: sum(1 for mk, _ in pairs if mk == m.key) for m in members}
    assert all(n[m.key] <= m.places for m in members)


def test_objectives_order() -> None:
    """better_than: more pairs first, then fewer extra places, locality, load."""
    assert Objectives(2, 9, 9, 9).better_than(Objectives(1, 0, 0, 0))
    assert Objectives(2, 0, 9, 9).better_than(Objectives(2, 1, 0, 0))
    assert Objectives(2, 0, 1, 9).better_than(Objectives(2, 0, 2, 0))
    assert Objectives(2, 0, 1, 3).better_than(Objectives(2, 0, 1, 4))
    assert not Objectives(2, 0, 1, 3).better_than(Objectives(2, 0, 1, 3))


# -- hand-written examples -----------------------------------------------------------------


def propose(
    store: GraphStore, county: County, policy: dict[str, Any], scope: str | None = None
) -> tuple[Engine, dict[str, Any]]:
    """Import the county, and check the engine's proposal against the oracle's."""
    engine, _ = run(store, county, policy)
    diffs, answer = proposal_diffs(engine, ProposalOracle(county, policy), scope, AS_OF)
    assert diffs == [], "\n".join(diffs)
    return engine, answer


def row(answer: dict[str, Any], code: str) -> dict[str, Any]:
    rows = [*answer["villages"], *answer["townships"]]
    found: dict[str, Any] = next(r for r in rows if r["code"] == code)
    return found


def by_member(answer: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for it in answer["items"]:
        out.setdefault(it["member"]["id"], []).append(it)
    return out


def test_village_without_eligible_members_is_structural(oracle_store: GraphStore) -> None:
    """An exempt member (by age and by class) and an away member are never proposed, even
    when nobody else can take the households."""
    c = base()
    c.members += [
        member("M0001", birth_date="1940-10-01"),
        member("M0002", mgmt_class="elderly_weak"),
        member("M0003"),
    ]
    c.outflows.append(Outflow("M0003", "2025-06-14"))
    _, answer = propose(oracle_store, c, {"contact_max": 3})
    assert answer["items"] == []
    v = row(answer, V)
    assert (v["households"], v["open"], v["proposed"], v["remaining"]) == (2, 2, 0, 2)
    assert (v["members_eligible"], v["base_places"], v["members_needed"]) == (0, 0, 1)
    assert v["contact_max_needed"] is None and v["shortfall"] == "structural"
    assert [r["code"] for r in answer["villages"]] == [V]  # V2: no households, no members
    assert answer["total"]["shortfall"] == "structural"
    assert answer["total"]["contact_max_needed"] is None


def test_ample_places_are_organisational_and_even(oracle_store: GraphStore) -> None:
    """Seven households, H1 covered by M5 (load 1), six open; M1–M4 have no contacts and five
    places each: every household is taken, the loads end within one of each other (seven
    contacts over five members: 2, 2, 1, 1, 1 in some order), M1, who lives in hamlet H,
    takes H's household H2, and nobody uses an extra place."""
    c = base()
    c.households += [Household(f"H{i}", V, f"户{i}") for i in range(3, 8)]
    c.members += [member(f"M000{i}") for i in range(1, 6)]
    c.members[0].household = "H2"  # M0001 lives in hamlet H
    c.contacts.append(Contact("M0005", "household", "H1"))
    _, answer = propose(oracle_store, c, {"contact_max": 5})
    v = row(answer, V)
    assert (v["open"], v["proposed"], v["remaining"], v["members_needed"]) == (6, 6, 0, 0)
    assert v["shortfall"] == "organisational" and v["contact_max_needed"] is None
    assert (v["coverage_before"], v["coverage_after"]) == (round(1 / 7, 4), 1.0)
    loads = {m: its[0]["load_after"] for m, its in by_member(answer).items() if its}
    final = [loads.get(f"M000{i}", 1 if i == 5 else 0) for i in range(1, 6)]
    assert sum(final) == 7 and max(final) - min(final) <= 1, final
    hamlet = [it for it in answer["items"] if it["locality"] == "hamlet"]
    assert [(it["member"]["id"], it["household"]["id"]) for it in hamlet] == [("M0001", "H2")]
    assert not any(it["extra"] for it in answer["items"])


@pytest.mark.parametrize(
    ("n", "cadre", "structural"),
    [(2, 1, False), (3, 2, False), (4, 3, False), (5, 3, True)],
)
def test_cadre_extra_places_only_after_base_places(
    oracle_store: GraphStore, n: int, cadre: int, structural: bool
) -> None:
    """contact_max 1, two extra places for 村两委: the cadre M1 takes a second and third
    household only once the other member's (M2) base place and its own are used."""
    c = base()
    c.households += [Household(f"H{i}", V, f"户{i}") for i in range(3, n + 1)]
    c.members += [member("M0001", roles=["village_committee"]), member("M0002")]
    _, answer = propose(
        oracle_store, c, {"contact_max": 1, "contact_min": 1, "proposal_cadre_extra": 2}
    )
    got = by_member(answer)
    assert [it["extra"] for it in got["M0001"]] == [False] + [True] * (cadre - 1)
    assert [it["extra"] for it in got["M0002"]] == [False]
    assert got["M0001"][0]["load_after"] == cadre
    v = row(answer, V)
    assert v["shortfall"] == ("structural" if structural else "organisational")
    if structural:  # 5 households, two members with no load: 2c >= 5 from c = 3
        assert (v["remaining"], v["members_needed"], v["contact_max_needed"]) == (1, 1, 3)
    else:
        assert v["contact_max_needed"] is None and v["members_needed"] == 0


def test_household_without_village_is_unplaced(oracle_store: GraphStore) -> None:
    c = base()
    c.households += [Household("HT", T, "镇户"), Household("HC", C, "县户")]
    c.members.append(member("M0001"))
    _, answer = propose(oracle_store, c, {"contact_max": 5})
    assert answer["total"]["unplaced"] == 2
    assert sorted(it["household"]["id"] for it in answer["items"]) == ["H1", "H2"]
    assert [r["code"] for r in answer["villages"]] == [V]
    assert row(answer, T)["households"] == 2 and answer["total"]["households"] == 2


def two_townships() -> County:
    """base() plus branch B2 serving V2, and township T2 (org D2) with village V3 (branch B3):
    no eligible member in V, A in V2, Z in V3."""
    c = base()
    c.areas.append(Area(V3, "西上村", "village", T2))
    c.orgs += [
        Org("B2", "中村党支部", "branch", parent="D1", area=V2),
        Org("D2", "西溪镇党委", "committee", parent="D0", area=T2),
        Org("B3", "西上村党支部", "branch", parent="D2", area=V3),
    ]
    c.members += [Member("M0001", "甲", branch="B2"), Member("M0002", "乙", branch="B3")]
    return c


@pytest.mark.parametrize("cross", [False, True])
def test_cross_village_only_within_the_township(oracle_store: GraphStore, cross: bool) -> None:
    c = two_townships()
    _, answer = propose(
        oracle_store,
        c,
        {"contact_max": 1, "contact_min": 1, "proposal_cross_village": cross},
    )
    got = [(it["member"]["id"], it["locality"]) for it in answer["items"]]
    assert got == ([("M0001", "township")] if cross else [])
    v = row(answer, V)
    assert (v["proposed"], v["remaining"], v["shortfall"]) == (len(got), 2 - len(got), "structural")
    assert v["contact_max_needed"] is None  # V has no eligible member of its own
    assert [r["code"] for r in answer["villages"]] == [V, V2, V3]
    assert row(answer, V3)["shortfall"] == "none"
    assert row(answer, T2)["proposed"] == 0


def test_cross_village_needs_a_township(oracle_store: GraphStore) -> None:
    """Two villages filed directly under the county share no township: with cross-village on,
    the member of one takes no household of the other (docs/rules.md: "in different villages
    of the same township")."""
    va, vb = "330226000201", "330226000202"
    c = County()
    c.areas += [
        Area(C, "宁海县", "county"),
        Area(va, "甲村", "village", C),
        Area(vb, "乙村", "village", C),
    ]
    c.orgs += [
        Org("D0", "县委", "committee", area=C),
        Org("BB", "乙村党支部", "branch", parent="D0", area=vb),
    ]
    c.households.append(Household("H1", va, "户一"))
    c.members.append(Member("M0001", "甲", branch="BB"))
    _, answer = propose(oracle_store, c, {"proposal_cross_village": True})
    assert answer["items"] == []
    assert row(answer, va)["shortfall"] == "structural"


def test_extra_places_end_at_contact_max_plus_extra(oracle_store: GraphStore) -> None:
    """docs/rules.md: a 村两委 member goes up to contact_max + proposal_cadre_extra in all, so
    once a proposal that used its extra places is applied, the next one gives it nothing."""
    c = base()
    c.households += [Household(f"H{i}", V, f"户{i}") for i in range(3, 6)]
    c.members.append(member("M0001", roles=["village_committee"]))
    policy = {"contact_max": 1, "contact_min": 1, "proposal_cadre_extra": 1}
    engine, answer = propose(oracle_store, c, policy)
    first = pairs_of(answer)
    assert len(first) == 2 and [it["extra"] for it in answer["items"]] == [False, True]
    oracle_store.write(
        "upsert_household_contacts",
        rows=[{"member": m, "target": h, "since": AS_OF, "until": None} for m, h in first],
    )
    po = ProposalOracle(with_contacts(c, first, AS_OF), policy)
    diffs, again = proposal_diffs(engine, po, None, AS_OF)
    assert diffs == [], "\n".join(diffs)
    assert again["items"] == [] and row(again, V)["remaining"] == 3


def test_answer_is_plain_json(oracle_store: GraphStore) -> None:
    """The answer is plain dicts, lists, str, int, float, bool and None, as the engine's
    answers are (api/orgraph_api/responses.py): `orgraph proposals --format json` writes it
    with json.dumps(default=str), which would turn a numpy bool into the string "True"."""
    c = base()
    c.households.append(Household("H3", V, "户3"))
    c.members.append(member("M0001", roles=["village_committee"]))
    _, answer = propose(
        oracle_store, c, {"contact_max": 1, "contact_min": 1, "proposal_cadre_extra": 2}
    )
    assert [it["extra"] for it in answer["items"]] == [False, True, True]
    assert json.loads(json.dumps(answer, default=str)) == answer
