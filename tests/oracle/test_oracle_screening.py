"""The 软弱涣散 screening (docs/rules.md "软弱涣散 screening (排查)") agrees with the independent
oracle (screening.py).

Each generated example writes a random small county as roster files, imports it into one graph
(reset per example) and compares the engine's `screening` with the oracle's, for the whole
county and one random sub-scope on the two dates the county was built around, under a random
policy (screen_life_missed 0–4, screen_lost_pct and screen_coverage_pct 0–100,
screen_chain_breaks_max 0–2, branch_min_full, random or equal weights, which exercise the tie
order): every top-level field, the items' order and every field of every item.

The shared county strategy gives no 软弱涣散 flag nor 整顿台账 episode and rarely a secretary
or a branch below a village organisation serving a village, so `screen_counties` adds them (a
quarter of the draws stay plain); each example also checks that the graph holds exactly the
model (the flags and episodes included). The hand-written examples below state their answer
for the edges the rules name and compare the two in full. 25 examples on FalkorDB and 5 on
Neo4j per run (an example costs ~0.3–2 s on FalkorDB, 4–17 s on a loaded Neo4j: a graph reset
and an import); ORACLE_EXAMPLES=n runs n examples on both engines.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from orgraph.analysis.engine import Engine
from orgraph.policy import Policy
from orgraph.store import GraphStore

from .county_model import (
    Area,
    Contact,
    County,
    Household,
    Meeting,
    Member,
    Org,
    Outflow,
    Rect,
)
from .examples import DAY_BEFORE, V2, C, H, T, V, base, member
from .harness import examples, graph_facts, import_county, load, model_facts, problems, reset
from .screening import INDICATORS, NOT_SCREENED, Screening, screening_diffs
from .strategies import AS_OF, DATES, counties, rare, scopes, shift

# -- generated counties ------------------------------------------------------------------------


@st.composite
def screen_policies(draw: st.DrawFn) -> dict[str, Any]:
    """Thresholds around the small counties' figures; weights random, or all equal (the tie
    order of docs/rules.md decides), sometimes zero (a reason worth nothing still lists)."""
    if rare(draw, 5):
        return {}
    if rare(draw, 4):
        # Lenient: only a secretary, a term or a rectification can flag an organisation, so
        # listed organisations without reasons turn up.
        return {
            "screen_life_missed": 99,
            "screen_lost_pct": 100,
            "screen_coverage_pct": 0,
            "screen_chain_breaks_max": 99,
            "branch_min_full": 0,
        }
    p: dict[str, Any] = {
        "screen_life_missed": draw(st.integers(0, 4), label="screen_life_missed"),
        "screen_lost_pct": draw(
            st.one_of(st.sampled_from((0, 10, 25, 34, 50, 100)), st.integers(0, 100)),
            label="screen_lost_pct",
        ),
        "screen_coverage_pct": draw(
            st.one_of(st.sampled_from((0, 50, 67, 80, 100)), st.integers(0, 100)),
            label="screen_coverage_pct",
        ),
        "screen_chain_breaks_max": draw(st.integers(0, 2), label="screen_chain_breaks_max"),
        "branch_min_full": draw(st.integers(0, 4), label="branch_min_full"),
        "contact_min": draw(st.integers(0, 3), label="contact_min"),
        "life_months_back": draw(st.sampled_from((12, 3, 1))),
        "lost_days": draw(st.sampled_from((180, 179, 181))),
    }
    if draw(st.booleans()):
        w = draw(st.integers(0, 3))
        p |= {f"screen_weight_{k}": w for k in INDICATORS}
    else:
        p |= {f"screen_weight_{k}": draw(st.integers(0, 5)) for k in INDICATORS}
    return p


def village_orgs(c: County) -> list[Org]:
    areas = {a.code: a for a in c.areas}
    return [
        o
        for o in c.orgs
        if o.kind not in NOT_SCREENED and o.area is not None and areas[o.area].level == "village"
    ]


ACCEPTED = ("2025-06-14", "2025-06-15", "2026-03-01")


@st.composite
def screen_counties(draw: st.DrawFn) -> County:
    """A generated county, then (unless the draw shrinks to plain): 软弱涣散 flags on village
    organisations, secretaries among their members, rectifications opened on or after the
    as_of dates, and branches below a village organisation that serve its own village (not
    screened) or another village (screened too, its members counted in both)."""
    c = draw(counties())
    if rare(draw, 3):
        return c
    villages = [a.code for a in c.areas if a.level == "village"]
    for o in village_orgs(c):
        o.weak = draw(st.sampled_from((None, None, False, True)))
        if o.has_rectification and rare(draw, 2):
            # not a day counties() drew a ledger episode of this org on (one episode per day)
            ledger = {r.opened_on for r in c.rects if r.org == o.id}
            days = [d for d in (*c.as_ofs, *(shift(d, 1) for d in c.as_ofs)) if d not in ledger]
            if days:
                o.rect_opened_on = draw(st.sampled_from(days))
        if rare(draw, 3):
            kind = draw(st.sampled_from(("branch", "joint_branch")))
            area = draw(st.sampled_from([o.area, *villages]))
            sub = Org(f"{o.id}T", f"{o.name}第二支部", kind, parent=o.id, area=area)
            sub.term_end = draw(st.sampled_from((None, AS_OF, "2019-01-01")))
            sub.weak = draw(st.sampled_from((None, True)))
            c.orgs.append(sub)
            for m in c.members:
                if m.branch == o.id and rare(draw, 1):
                    m.branch, m.group = sub.id, None
    # 整顿台账 episodes: listed again, accepted, or opened after an as_of date.
    opened = sorted({"2019-01-01", "2024-12-31", *c.as_ofs, *(shift(d, 1) for d in c.as_ofs)})
    for o in village_orgs(c):
        taken = {o.rect_opened_on or ""} if o.has_rectification else set()
        taken |= {r.opened_on for r in c.rects if r.org == o.id}  # counties() drew some already
        for _ in range(draw(st.integers(0, 2)) if rare(draw, 2) else 0):
            on = draw(st.sampled_from(opened))
            if on in taken:
                continue
            taken.add(on)
            c.rects.append(
                Rect(
                    o.id,
                    on,
                    # The ledger refuses a deadline or an acceptance before the listing.
                    deadline=draw(st.sampled_from((None, *(x for x in DATES if x >= on)))),
                    status=draw(st.sampled_from((None, None, "open", "done"))),
                    accepted_on=draw(
                        st.sampled_from((None, None, *(x for x in ACCEPTED if x >= on)))
                    ),
                )
            )
    below: dict[str, set[str]] = {}
    for o in village_orgs(c):
        ids = {o.id}
        while more := {x.id for x in c.orgs if x.parent in ids} - ids:
            ids |= more
        below[o.id] = ids
    for m in c.members:
        mine = any(m.branch in ids for ids in below.values())
        if mine and "secretary" not in m.roles and rare(draw, 1):
            m.roles = [*m.roles, "secretary"]
    # A snapshot only marks members off roll in branches its file still names.
    for m in c.members:
        if not m.on_roll and not any(x.on_roll and x.branch == m.branch for x in c.members):
            m.on_roll = True
    problems = c.check()
    assert not problems, problems
    return c


def tags(sc: Screening, dates: list[str]) -> list[str]:
    out = set()
    for d in dates:
        ans = sc.screening(None, d)
        if not ans["screened"]:
            out.add("nothing screened")
        for k in ans["no_data"]:
            out.add(f"no data: {k}")
        if ans["listed_without_reasons"]:
            out.add("listed without reasons")
        if ans["unlisted_candidates"]:
            out.add("unlisted candidates")
        prios = [it["priority"] for it in ans["items"] if it["candidate"]]
        if len(prios) != len(set(prios)):
            out.add("candidates of equal priority")
        for it in ans["items"]:
            for ind in it["indicators"]:
                if ind["flag"]:
                    out.add(f"{ind['key']} flagged")
            if len(it["reasons"]) >= 2:
                out.add("two or more reasons")
    return sorted(out)


def check_county(
    store: GraphStore, county: County, policy: dict[str, Any], data: st.DataObject
) -> None:
    scope = data.draw(scopes(county), label="scope")
    dates = sorted(set(county.as_ofs))
    sc = Screening(county, policy)
    for tag in tags(sc, dates):
        event(tag)
    reset(store)
    first, second = import_county(store, county)
    refused = problems(first) + (problems(second) if second is not None else [])
    assert refused == [], refused
    # The writer and the importer lost nothing (the weak flags and the ledger's episodes too).
    assert graph_facts(store) == model_facts(county)
    engine = Engine(store, policy=Policy(**policy))
    diffs: list[str] = []
    for d in dates:
        for s in (None, scope):
            diffs += screening_diffs(engine.screening(scope=s, as_of=d), sc.screening(s, d))
    assert diffs == [], "\n".join(diffs[:40])


@pytest.mark.timeout(600)
@examples(25)
@given(county=screen_counties(), policy=screen_policies(), data=st.data())
def test_screening_equals_oracle_falkordb_25_counties(
    falkordb_graph: GraphStore, county: County, policy: dict[str, Any], data: st.DataObject
) -> None:
    check_county(falkordb_graph, county, policy, data)


@pytest.mark.neo4j
@pytest.mark.timeout(600)
@examples(3)
@given(county=screen_counties(), policy=screen_policies(), data=st.data())
def test_screening_equals_oracle_neo4j_3_counties(
    neo4j_graph: GraphStore, county: County, policy: dict[str, Any], data: st.DataObject
) -> None:
    check_county(neo4j_graph, county, policy, data)


# -- hand-written examples ---------------------------------------------------------------------
#
# tests/oracle/examples.base(): 县委 D0 (county C) > 东溪镇党委 D1 (township T) > branch B
# (village V, hamlet H, households H1 in V and H2 in H) > party group G; village V2 has no
# households. D = 2025-06-15.

D = AS_OF
V3 = "330226100203"


def run(
    store: GraphStore, county: County, policy: dict[str, Any] | None = None
) -> tuple[Any, Screening]:
    assert county.check() == []
    load(store, county)
    return Engine(store, policy=Policy(**(policy or {}))), Screening(county, policy)


def answers(
    engine: Any, sc: Screening, scope: str | None = None, d: str = D
) -> list[tuple[str, dict[str, Any]]]:
    """The oracle's and the engine's answers, once they agree in full."""
    got, want = engine.screening(scope=scope, as_of=d), sc.screening(scope, d)
    diffs = screening_diffs(got, want)
    assert diffs == [], "\n".join(diffs)
    return [("oracle", want), ("engine", got)]


def indicator(item: dict[str, Any], key: str) -> dict[str, Any]:
    return next(i for i in item["indicators"] if i["key"] == key)


def healthy() -> County:
    """B with nothing to flag: a secretary at home, three full members, each holding the
    contact_min of 3 households (H1, H2 and H3 under the hamlet H, all covered), a township
    cadre for V, a 村两委 member for H and for G."""
    c = base()
    c.households.append(Household("H3", H, "户三"))
    c.members += [
        member("M0001", roles=["secretary", "village_committee"]),
        member("M0002", roles=["township_cadre"]),
        member("M0003"),
    ]
    c.contacts += [Contact(m, "household", h) for m in ("M0001", "M0002", "M0003") for h in HH]
    c.contacts += [
        Contact("M0002", "village", V),
        Contact("M0001", "hamlet", H),
        Contact("M0001", "group", "G"),
    ]
    return c


HH = ("H1", "H2", "H3")


def test_healthy_branch_is_no_candidate(oracle_store: GraphStore) -> None:
    c = healthy()
    c.org("B").weak = False
    engine, sc = run(oracle_store, c)
    assert graph_facts(oracle_store) == model_facts(c)
    for who, ans in answers(engine, sc):
        assert [it["org"]["id"] for it in ans["items"]] == ["B"], who
        (it,) = ans["items"]
        assert it["reasons"] == [] and it["priority"] == 0 and not it["candidate"], who
        assert (ans["screened"], ans["candidates"]) == (1, 0), who
        # No meeting at all: organisational life is no data, never compliance.
        assert ans["no_data"] == ["life_irregular"], who
        life = indicator(it, "life_irregular")
        assert (life["value"], life["flag"], life["detail"]) == (None, None, {"missed": {}}), who
        assert indicator(it, "household_coverage")["detail"] == {
            "eligible": 3,
            "met": 3,
            "households": 3,
            "covered": 3,
        }, who
        assert (it["listed"], ans["listed_without_reasons"], ans["unlisted_candidates"]) == (
            False,
            [],
            [],
        ), who


def test_general_branch_is_screened_not_its_branches(oracle_store: GraphStore) -> None:
    """A 村党总支 serving V with a branch that also serves V and one serving nothing: only the
    党总支 is screened, and its members are the branches' members."""
    c = healthy()
    c.orgs = [o for o in c.orgs if o.id not in ("B", "G")]
    c.orgs += [
        Org("B", "上村党总支", "general_branch", parent="D1", area=V),
        Org("B1", "上村第一党支部", "branch", parent="B", area=V, term_end=DAY_BEFORE),
        Org("B2", "上村第二党支部", "branch", parent="B"),
        Org("G", "上村第一党小组", "group", parent="B1"),
    ]
    for m, b in zip(c.members, ("B1", "B2", "B"), strict=True):
        m.branch = b
    engine, sc = run(oracle_store, c)
    for who, ans in answers(engine, sc):
        assert [it["org"]["id"] for it in ans["items"]] == ["B"], who
        (it,) = ans["items"]
        assert it["org"] == {"id": "B", "name": "上村党总支", "kind": "general_branch"}, who
        assert indicator(it, "few_full_members")["value"] == 3, who
        term = indicator(it, "term_expired")
        assert term["detail"] == {
            "orgs": [{"id": "B1", "name": "上村第一党支部", "term_end": DAY_BEFORE}]
        }, who
        assert it["reasons"] == ["term_expired"] and it["priority"] == 4, who
    # The scope of the branch alone screens nothing (its parent serves the same village).
    for who, ans in answers(engine, sc, "B1"):
        assert (ans["screened"], ans["items"], ans["no_data"]) == (0, [], []), who


def test_village_without_households_has_no_coverage(oracle_store: GraphStore) -> None:
    c = healthy()
    c.orgs.append(Org("B3", "中村党支部", "branch", parent="D1", area=V2))
    # B3's only member is 85 (exempt): nobody to take a household
    c.members.append(member("M0004", branch="B3", roles=["secretary"], birth_date="1940-01-01"))
    engine, sc = run(oracle_store, c)
    for who, ans in answers(engine, sc, V2):
        (it,) = ans["items"]
        cov = indicator(it, "household_coverage")
        assert (cov["value"], cov["flag"]) == (None, None), who
        assert cov["detail"] == {"eligible": 0, "met": 0, "households": 0, "covered": 0}
        assert it["village"] == {"code": V2, "name": "中村"}, who
        assert it["township"] == {"code": T, "name": "东溪镇"}, who
        assert ans["no_data"] == ["life_irregular", "household_coverage"], who
    # In the whole county, B has households: coverage is not "no data" for every org.
    for who, ans in answers(engine, sc):
        assert ans["no_data"] == ["life_irregular"], who


def test_listed_org_without_reasons(oracle_store: GraphStore) -> None:
    """B is listed as 软弱涣散 and the data show nothing; B3 (in V2) is listed only through
    its open rectification, its only reason; B4 is a candidate nobody listed."""
    c = healthy()
    c.org("B").weak = True
    c.orgs += [
        Org("B3", "中村党支部", "branch", parent="D1", area=V2, rect_deadline="2026-03-01"),
        Org("B4", "下村党支部", "branch", parent="D1", area=V3),
    ]
    c.areas.append(Area(V3, "下村", "village", T))
    c.members += [
        member("M0004", branch="B3", roles=["secretary", "township_cadre"]),
        member("M0005", branch="B3"),
        member("M0006", branch="B3"),
    ]
    c.contacts.append(Contact("M0004", "village", V2))
    # B3's members take households in V (a village without households of its own)
    c.contacts += [Contact(m, "household", h) for m in ("M0004", "M0005", "M0006") for h in HH]
    policy = {"branch_min_full": 0, "screen_chain_breaks_max": 1}
    engine, sc = run(oracle_store, c, policy)
    for who, ans in answers(engine, sc):
        assert ans["listed_without_reasons"] == ["B", "B3"], who
        assert ans["unlisted_candidates"] == ["B4"], who
        items = {it["org"]["id"]: it for it in ans["items"]}
        assert items["B"]["listed"] and items["B"]["reasons"] == [], who
        assert items["B3"]["listed"] and items["B3"]["reasons"] == ["rectification_open"], who
        rects = indicator(items["B3"], "rectification_open")["detail"]["rects"]
        assert rects == [
            {
                "org": {"id": "B3", "name": "中村党支部"},
                "opened_on": None,
                "deadline": "2026-03-01",
                "status": "open",
                "overdue": False,
            }
        ], who
        # B4: no secretary (5); V3 without a township cadre is one break, not over 1.
        assert items["B4"]["reasons"] == ["secretary_vacant"], who
        assert [it["org"]["id"] for it in ans["items"]] == ["B4", "B3", "B"], who


def test_secretary_away_is_vacant(oracle_store: GraphStore) -> None:
    c = healthy()
    c.outflows.append(Outflow("M0001", DAY_BEFORE))
    engine, sc = run(oracle_store, c)
    for who, ans in answers(engine, sc):
        (it,) = ans["items"]
        sec = indicator(it, "secretary_vacant")
        assert (sec["value"], sec["threshold"], sec["flag"]) == (0, 1, True), who
        assert sec["detail"] == {"secretaries": [{"id": "M0001", "name": "党员1", "away": True}]}
        assert it["reasons"][0] == "secretary_vacant" and it["candidate"], who
    # The day before D the secretary has not left yet.
    for who, ans in answers(engine, sc, d=shift(DAY_BEFORE, -1)):
        sec = indicator(ans["items"][0], "secretary_vacant")
        assert (sec["value"], sec["flag"]) == (1, False), who


def test_equal_weights_keep_the_order_of_the_rules(oracle_store: GraphStore) -> None:
    """Every weight 1: B's reasons are in the order of docs/rules.md; B3 and B5, of equal
    priority, are by org id."""
    c = base()
    c.areas.append(Area(V3, "下村", "village", T))
    c.members += [member("M0001", lost_contact=True)]
    c.orgs.append(Org("B5", "下村党支部", "branch", parent="D1", area=V3))
    c.orgs.append(Org("B3", "中村党支部", "branch", parent="D1", area=V2))
    c.members.append(member("M0002", branch="B3", lost_contact=True))
    c.members.append(member("M0003", branch="B5", lost_contact=True))
    policy: dict[str, Any] = {f"screen_weight_{k}": 1 for k in INDICATORS}
    engine, sc = run(oracle_store, c, policy)
    for who, ans in answers(engine, sc):
        items = {it["org"]["id"]: it for it in ans["items"]}
        assert items["B"]["reasons"] == [
            "secretary_vacant",
            "few_full_members",
            "members_lost",
            "household_coverage",
            "chain_breaks",
        ], who
        lost = indicator(items["B"], "members_lost")
        assert lost["detail"] == {"members": 1, "lost": 1, "silent": 0}, who
        # B3, B5: no secretary, one full member, lost, holding no household, the village
        # with no cadre: 5 reasons.
        assert items["B3"]["priority"] == items["B5"]["priority"] == 5, who
        assert [it["org"]["id"] for it in ans["items"]] == ["B", "B3", "B5"], who


def test_groups_and_mobile_orgs_are_not_screened(oracle_store: GraphStore) -> None:
    c = healthy()
    c.orgs += [
        Org("GM", "上村临时党小组", "temp_group", parent="D1", area=V2),
        Org("MB", "流动党员党支部", "mobile_branch", parent="D1", area=V2),
        Org("HB", "上村1组党支部", "branch", parent="D1", area=H),
    ]
    engine, sc = run(oracle_store, c)
    for who, ans in answers(engine, sc):
        assert [it["org"]["id"] for it in ans["items"]] == ["B"], who


def test_contact_duty_counts_members_at_home_and_not_exempt() -> None:
    """The oracle alone: five members at home (M0004's households are in V2: they count,
    wherever they are), one aged (exempt) and one away, both holding none: 4 of the 5 hold
    the contact_min of 3, 80% is not under 80%; the village's context counts H3, filed under
    the hamlet H, and nothing covered by the member away (M0009 → H4)."""
    c = healthy()
    c.households += [Household(f"V2H{i}", V2, "中村户") for i in range(3)]
    c.households.append(Household("H4", H, "户四"))
    c.members += [
        member("M0004"),
        member("M0005"),
        member("M0006", birth_date="1940-01-01"),
        Member("M0009", "党员9", branch="B"),
    ]
    c.contacts += [Contact("M0004", "household", f"V2H{i}") for i in range(3)]
    c.contacts += [Contact("M0005", "household", h) for h in HH[:2]]
    c.outflows.append(Outflow("M0009", DAY_BEFORE))
    c.contacts.append(Contact("M0009", "household", "H4"))
    it = Screening(c).screening(None, D)["items"][0]
    cov = indicator(it, "household_coverage")
    assert cov["detail"] == {"eligible": 5, "met": 4, "households": 4, "covered": 3}
    assert (cov["value"], cov["flag"]) == (0.8, False)
    it = Screening(c, {"screen_coverage_pct": 81}).screening(None, D)["items"][0]
    assert indicator(it, "household_coverage")["flag"] is True
    it = Screening(c, {"contact_min": 2}).screening(None, D)["items"][0]
    assert indicator(it, "household_coverage")["value"] == 1.0


def test_contact_duty_on_both_engines(oracle_store: GraphStore) -> None:
    """One member at home holding 2 households of contact_min 3: 0 of 1, a reason; at a
    contact_min of 2 the same member meets it; away, nobody is eligible: no data."""
    c = base()
    c.members += [member("M0001", roles=["secretary"]), member("M0003")]
    c.outflows.append(Outflow("M0003", DAY_BEFORE))
    c.contacts += [Contact("M0001", "household", "H1"), Contact("M0001", "household", "H2")]
    engine, sc = run(oracle_store, c)
    for who, ans in answers(engine, sc):
        cov = indicator(ans["items"][0], "household_coverage")
        assert cov["detail"] == {"eligible": 1, "met": 0, "households": 2, "covered": 2}, who
        assert (cov["value"], cov["flag"]) == (0.0, True), who
    engine, sc = run(oracle_store, c, {"contact_min": 2})
    for who, ans in answers(engine, sc):
        cov = indicator(ans["items"][0], "household_coverage")
        assert (cov["value"], cov["flag"]) == (1.0, False), who
    c.outflows.append(Outflow("M0001", DAY_BEFORE))
    engine, sc = run(oracle_store, c)
    for who, ans in answers(engine, sc):
        cov = indicator(ans["items"][0], "household_coverage")
        assert (cov["value"], cov["flag"], cov["detail"]["eligible"]) == (None, None, 0), who


def test_missed_life_periods_add_up_over_the_orgs(oracle_store: GraphStore) -> None:
    """One 主题党日 of B in June 2024 begins the records: at D the checked months are 2024-06 …
    2025-05, the quarters 2024-Q3 … 2025-Q1, the year 2024. B (under 7 members: no 支委会
    rule) and its group G miss every other period."""
    c = healthy()
    c.meetings.append(Meeting("B", "theme_day", "2024-06-01"))
    engine, sc = run(oracle_store, c, {"screen_life_missed": 31})
    for who, ans in answers(engine, sc):
        (it,) = ans["items"]
        life = indicator(it, "life_irregular")
        assert life["detail"] == {
            "missed": {
                "branch_few_lectures": 3,
                "branch_no_appraisal": 1,
                "branch_no_general_meeting": 3,
                "branch_no_life_meeting": 1,
                "branch_no_theme_day": 11,
                "group_no_meeting": 12,
            }
        }, who
        assert (life["value"], life["threshold"], life["flag"]) == (31, 31, True), who
        assert ans["no_data"] == [], who
    # The day the records begin, nothing is checked yet: 0 missed, not "no data".
    for who, ans in answers(engine, sc, d="2024-06-01"):
        life = indicator(ans["items"][0], "life_irregular")
        assert (life["value"], life["flag"], life["detail"]) == (0, False, {"missed": {}}), who


def test_village_under_the_county_has_no_township(oracle_store: GraphStore) -> None:
    c = healthy()
    c.areas.append(Area("330226000201", "县城村", "village", C))
    c.orgs.append(Org("BC", "县城村党支部", "branch", parent="D0", area="330226000201"))
    engine, sc = run(oracle_store, c)
    for who, ans in answers(engine, sc, "330226000201"):
        (it,) = ans["items"]
        assert it["village"] == {"code": "330226000201", "name": "县城村"}, who
        assert it["township"] is None, who


def test_open_rectifications_of_the_orgs_below(oracle_store: GraphStore) -> None:
    """The org's own columns give an undated episode; the ledger lists it again (and once more
    below, for its group's branch-mate B1): open episodes of O(o) by org, deadline, opened_on
    (empty first); a done one, an accepted one and one opened after D are left out."""
    c = healthy()
    b = c.org("B")
    b.rect_deadline, b.rect_status = "2025-12-31", "open"
    c.orgs.append(Org("B1", "上村第二党支部", "branch", parent="B"))
    c.rects += [
        Rect("B", "2025-01-01", deadline="2025-12-31"),
        Rect("B", "2024-01-01", deadline="2025-03-31", status="open"),
        Rect("B", "2023-01-01", deadline="2023-12-31", status="done"),
        Rect("B", "2022-01-01", accepted_on="2023-01-01"),
        Rect("B", "2025-06-16", deadline="2025-12-31"),
        Rect("B1", "2025-06-15"),
    ]
    engine, sc = run(oracle_store, c)
    assert graph_facts(oracle_store) == model_facts(c)  # the ledger's episodes were imported
    for who, ans in answers(engine, sc):
        (it,) = ans["items"]
        rects = indicator(it, "rectification_open")["detail"]["rects"]
        assert [(r["org"]["id"], r["opened_on"], r["deadline"], r["overdue"]) for r in rects] == [
            ("B", "2024-01-01", "2025-03-31", True),
            ("B", None, "2025-12-31", False),
            ("B", "2025-01-01", "2025-12-31", False),
            ("B1", "2025-06-15", None, False),
        ], who
        assert it["listed"] and it["reasons"] == ["rectification_open"], who
        assert ans["listed_without_reasons"] == ["B"], who


def test_open_rectification_below_lists_the_org(oracle_store: GraphStore) -> None:
    """B is not flagged weak and has no rectification of its own; a branch below it has an open
    one: B is listed (docs/rules.md: "one of the orgs of O(o) has a rectification ...")."""
    c = healthy()
    c.orgs.append(Org("B1", "上村第二党支部", "branch", parent="B", rect_deadline="2026-03-01"))
    engine, sc = run(oracle_store, c)
    for who, ans in answers(engine, sc):
        (it,) = ans["items"]
        assert it["listed"] and it["reasons"] == ["rectification_open"], who
        assert (ans["listed_without_reasons"], ans["unlisted_candidates"]) == (["B"], []), who
