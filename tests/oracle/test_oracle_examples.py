"""Hand-written edge cases of docs/rules.md, each checked against a stated expectation for
both the oracle and the engine (so a wrong oracle cannot hide behind agreement)."""

from __future__ import annotations

import pytest

from orgraph.store import GraphStore

from .compare import gap_diffs
from .county_model import Contact, Household, Org, Outflow
from .examples import DAY_AFTER, DAY_BEFORE, V2, C, T, V, agree, base, ids, member, run
from .strategies import AS_OF


def test_empty_village_has_null_coverage(oracle_store: GraphStore) -> None:
    c = base()
    engine, oracle = run(oracle_store, c)
    for rows in (
        engine.coverage(level="village", as_of=AS_OF)["rows"],
        oracle.coverage(None, "village", AS_OF),
    ):
        row = next(r for r in rows if r["code"] == V2)
        assert row["households"] == 0 and row["covered"] == 0 and row["coverage"] is None
    agree(engine, oracle, c)


@pytest.mark.parametrize(
    ("since", "until", "covered"),
    [
        (None, AS_OF, False),  # ended exactly on as_of: inactive
        (None, DAY_AFTER, True),
        (AS_OF, None, True),  # starts on as_of: active
        (DAY_AFTER, None, False),  # starts tomorrow: not yet
        (AS_OF, AS_OF, False),  # a one-day link that ends the day it starts: never active
    ],
)
def test_contact_dates_at_the_boundary(
    oracle_store: GraphStore, since: str | None, until: str | None, covered: bool
) -> None:
    c = base()
    c.members.append(member("M0001"))
    c.contacts.append(Contact("M0001", "household", "H1", since, until))
    engine, oracle = run(oracle_store, c)
    want = ["H2"] if covered else ["H1", "H2"]
    assert ids(engine.gaps("household_uncovered", as_of=AS_OF, page_size=100)) == want
    assert list(oracle.gaps("household_uncovered", None, AS_OF)) == want
    agree(engine, oracle, c)


@pytest.mark.parametrize(
    ("left", "back", "home"),
    [
        (DAY_BEFORE, AS_OF, True),  # returned on as_of: at home
        (DAY_BEFORE, DAY_AFTER, False),
        (AS_OF, None, False),  # left on as_of: away
        (DAY_AFTER, None, True),
    ],
)
def test_outflow_dates_at_the_boundary(
    oracle_store: GraphStore, left: str, back: str | None, home: bool
) -> None:
    c = base()
    c.members.append(member("M0001"))
    c.contacts.append(Contact("M0001", "household", "H1"))
    c.outflows.append(Outflow("M0001", left, back))
    engine, oracle = run(oracle_store, c)
    for got in (
        ids(engine.gaps("household_contact_away", as_of=AS_OF, page_size=100)),
        list(oracle.gaps("household_contact_away", None, AS_OF)),
    ):
        assert got == ([] if home else ["H1"])
    row = engine.coverage(level="village", as_of=AS_OF)["rows"][0]
    assert (row["members_home"], row["members_away"]) == ((1, 0) if home else (0, 1))
    agree(engine, oracle, c)


@pytest.mark.parametrize(
    ("birth", "exempt", "age"),
    [
        ("1955-06-15", True, 70),  # 70th birthday on as_of
        ("1955-06-16", False, 69),  # 70 tomorrow
        ("1955-06-14", True, 70),
    ],
)
def test_age_70_on_the_birthday_is_exempt(
    oracle_store: GraphStore, birth: str, exempt: bool, age: int
) -> None:
    c = base()
    c.members.append(member("M0001", birth_date=birth))
    c.contacts.append(Contact("M0001", "household", "H1"))
    engine, oracle = run(oracle_store, c)
    for items in (
        engine.gaps("exempt_member_assigned", as_of=AS_OF)["items"],
        [{"id": k, **v} for k, v in oracle.gaps("exempt_member_assigned", None, AS_OF).items()],
    ):
        assert [(it["id"], it["age"]) for it in items] == ([("M0001", age)] if exempt else [])
    # A non-exempt member with one household is under the contact minimum (3).
    for got in (
        ids(engine.gaps("member_contact_load", as_of=AS_OF)),
        list(oracle.gaps("member_contact_load", None, AS_OF)),
    ):
        assert got == ([] if exempt else ["M0001"])
    agree(engine, oracle, c)


def test_elderly_weak_class_is_exempt_at_any_age(oracle_store: GraphStore) -> None:
    c = base()
    c.members.append(member("M0001", birth_date="1990-01-01", mgmt_class="elderly_weak"))
    c.contacts.append(Contact("M0001", "household", "H1"))
    engine, oracle = run(oracle_store, c)
    assert ids(engine.gaps("exempt_member_assigned", as_of=AS_OF)) == ["M0001"]
    assert list(oracle.gaps("exempt_member_assigned", None, AS_OF)) == ["M0001"]
    agree(engine, oracle, c)


def test_contacts_away_counts_distinct_members(oracle_store: GraphStore) -> None:
    """An away member with two active contacts (different since) to the same household
    counts once in contacts_away."""
    c = base()
    c.members += [member("M0001"), member("M0002")]
    c.contacts += [
        Contact("M0001", "household", "H1", None),
        Contact("M0001", "household", "H1", "2024-12-31"),
        Contact("M0002", "household", "H1"),
    ]
    c.outflows += [Outflow("M0001", "2024-12-31"), Outflow("M0002", "2024-12-31")]
    engine, oracle = run(oracle_store, c)
    for items in (
        engine.gaps("household_contact_away", as_of=AS_OF)["items"],
        [{"id": k, **v} for k, v in oracle.gaps("household_contact_away", None, AS_OF).items()],
    ):
        assert [(it["id"], it["contacts_away"]) for it in items] == [("H1", 2)]
    agree(engine, oracle, c)


def test_off_roll_cadre_does_not_count(oracle_store: GraphStore) -> None:
    c = base()
    c.members += [member("M0001", roles=["township_cadre"], on_roll=False), member("M0002")]
    c.contacts.append(Contact("M0001", "village", V))
    engine, oracle = run(oracle_store, c)
    for got in (
        ids(engine.gaps("village_no_cadre", as_of=AS_OF)),
        list(oracle.gaps("village_no_cadre", None, AS_OF)),
    ):
        assert got == [V, V2]
    agree(engine, oracle, c)


def test_chain_of_a_household_under_a_village_has_no_hamlet_level(oracle_store: GraphStore) -> None:
    c = base()
    c.members += [
        member("M0001", roles=["township_cadre"]),
        member("M0002"),
        member("M0003", roles=["village_committee"]),
    ]
    c.contacts += [
        Contact("M0001", "village", V),
        Contact("M0002", "household", "H1"),
        Contact("M0002", "household", "H2"),
    ]
    engine, oracle = run(oracle_store, c)
    for ch in (engine.chain("H1", as_of=AS_OF), oracle.chain("H1", AS_OF)):
        assert [lv["level"] for lv in ch["levels"]] == ["household", "village", "township"]
        assert ch["broken_at"] == "township"
    for ch in (engine.chain("H2", as_of=AS_OF), oracle.chain("H2", AS_OF)):
        assert ch["broken_at"] == "hamlet"
    agree(engine, oracle, c)


def test_whole_county_scopes(oracle_store: GraphStore) -> None:
    """A branchless member living nowhere is in scope only for the whole county: no scope, the
    root area, or a root org serving the root area (D0) — not a root org serving no area
    (DX), nor a township."""
    c = base()
    c.orgs.append(Org("DX", "县直机关联合党支部", "joint_branch"))
    c.members += [member("M0001", branch=None), member("M0002", branch="DX")]
    engine, oracle = run(oracle_store, c)
    for scope, want in (
        (None, ["M0001"]),
        (C, ["M0001"]),
        ("D0", ["M0001"]),
        ("DX", []),
        (T, []),
        ("D1", []),
    ):
        assert list(oracle.gaps("member_no_branch", scope, AS_OF)) == want, scope
        assert ids(engine.gaps("member_no_branch", scope=scope, as_of=AS_OF)) == want, scope
        assert gap_diffs(engine, oracle, "member_no_branch", scope, AS_OF) == []


def test_paging_keeps_the_order_and_the_total(oracle_store: GraphStore) -> None:
    c = base()
    c.households += [Household(f"H{i}", V, f"户{i}") for i in range(3, 8)]
    engine, oracle = run(oracle_store, c)
    want = list(oracle.gaps("household_uncovered", None, AS_OF))
    pages = [
        engine.gaps("household_uncovered", as_of=AS_OF, page=k, page_size=2)
        for k in (1, 2, 3, 4, 5)
    ]
    assert [p["total"] for p in pages] == [len(want)] * 5
    assert [it["id"] for p in pages for it in p["items"]] == want
    assert pages[-1]["items"] == []
