"""Hand-written boundaries of docs/rules.md "Organisational life and dues": each example states
its answer, holds the oracle (life.py) and the engine to it, then compares the two in full
(every new rule, the summary and the grid) at that date.

The county is tests/oracle/examples.base(): 县委 D0 > 东溪镇党委 D1 > branch B (serving village
V) > party group G. D = 2025-06-15 unless said: the checked months are 2024-06 … 2025-05, the
checked quarters 2024-Q3, 2024-Q4, 2025-Q1, the checked year 2024.
"""

from __future__ import annotations

from typing import Any

import pytest

from orgraph.analysis.engine import Engine
from orgraph.policy import Policy
from orgraph.store import GraphStore

from .compare import ref
from .county_model import County, Dues, Meeting, Org, Outflow
from .examples import T, V, base, member
from .harness import graph_facts, import_county, load, model_facts, problems
from .ledger import FS_RULES, GROUP_RECORD_RULES
from .life import DUES_RULES, LIFE_RULES, LifeRules
from .life_compare import compare_life
from .strategies import AS_OF

M1, M2, M3, M4, M5 = "M0001", "M0002", "M0003", "M0004", "M0005"
D = AS_OF


def run(
    store: GraphStore, county: County, policy: dict[str, Any] | None = None
) -> tuple[Any, LifeRules]:
    assert county.check() == []
    load(store, county)
    return Engine(store, policy=Policy(**(policy or {}))), LifeRules(county, policy)


def expect(
    engine: Any,
    life: LifeRules,
    rule: str,
    want: dict[str, dict[str, Any]],
    d: str = D,
    among: set[str] | None = None,
) -> None:
    """The rule's items (those in `among` when given) are `want`'s ids, with `want`'s field
    values, for the oracle and the engine alike."""
    got = engine.gaps(rule, as_of=d, page_size=1000)["items"]
    answers = {
        "oracle": {k: dict(v) for k, v in life.gaps(rule, None, d).items()},
        "engine": {it["id"]: {f: ref(x) for f, x in it.items()} for it in got},
    }
    for who, items in answers.items():
        if among is not None:
            items = {k: v for k, v in items.items() if k in among}
        assert sorted(items) == sorted(want), (who, rule, d, items)
        for k, fields in want.items():
            assert {f: items[k].get(f) for f in fields} == fields, (who, rule, d, k, items[k])


def agree(engine: Any, life: LifeRules, *dates: str) -> None:
    diffs = compare_life(engine, life, [None], list(dates or (D,)), [None])
    assert diffs == [], "\n".join(diffs[:40])


def monthly(org: str, t: str, first: int, last: int, day: str = "01") -> list[Meeting]:
    """One meeting a month, months numbered from 2024-01 (1) to 2025-12 (24)."""
    out = []
    for i in range(first, last + 1):
        y, m = 2024 + (i - 1) // 12, (i - 1) % 12 + 1
        out.append(Meeting(org, t, f"{y}-{m:02d}-{day}"))
    return out


def county(*meetings: Meeting, members: int = 1, **kw: Any) -> County:
    c = base()
    c.members += [member(f"M{i:04d}", **kw) for i in range(1, members + 1)]
    c.meetings += meetings
    return c


# -- periods ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "want"),
    [
        # June is completed on July 1 (its last day is D - 1) and has no theme day.
        ("2025-07-01", {"B": {"missed": ["2025-06"], "periods": 12, "last": "2025-05-01"}}),
        # On June 30 June is not completed; June 2024 ends before the records begin.
        ("2025-06-30", {}),
    ],
)
def test_month_completed_the_day_before_d(
    oracle_store: GraphStore, d: str, want: dict[str, Any]
) -> None:
    c = county(*monthly("B", "theme_day", 7, 17))  # 2024-07 … 2025-05
    engine, life = run(oracle_store, c)
    expect(engine, life, "branch_no_theme_day", want, d)
    agree(engine, life, d)


@pytest.mark.parametrize(
    ("ons", "missed", "periods", "last"),
    [
        (("2024-07-01", "2024-12-31", "2025-01-01"), [], 3, "2025-01-01"),
        (("2024-06-30", "2024-09-30", "2025-03-31"), ["2024-Q4"], 3, "2025-03-31"),
        # Records begin on Oct 1: 2024-Q3 ends before them; Apr 1 is in 2025-Q2.
        (("2024-10-01", "2025-04-01"), ["2025-Q1"], 2, "2025-04-01"),
    ],
)
def test_general_meeting_on_the_first_and_last_day_of_a_quarter(
    oracle_store: GraphStore, ons: tuple[str, ...], missed: list[str], periods: int, last: str
) -> None:
    c = county(*(Meeting("B", "general_meeting", on) for on in ons))
    engine, life = run(oracle_store, c)
    want = {"B": {"missed": missed, "periods": periods, "last": last}} if missed else {}
    expect(engine, life, "branch_no_general_meeting", want)
    agree(engine, life)


@pytest.mark.parametrize(
    ("established", "quarters", "months"),
    [
        ("2024-10-01", ["2024-Q4", "2025-Q1"], 8),  # the first day of the quarter: checked
        ("2024-10-02", ["2025-Q1"], 7),  # the second day: October and 2024-Q4 are not
    ],
)
def test_org_established_on_the_first_vs_the_second_day(
    oracle_store: GraphStore, established: str, quarters: list[str], months: int
) -> None:
    c = county(Meeting("B", "general_meeting", "2024-06-01"))
    c.orgs.append(Org("B2", "东溪镇机关党支部", "branch", parent="D1", established_on=established))
    engine, life = run(oracle_store, c)
    common = {"name": "东溪镇机关党支部", "kind": "branch", "village": None, "township": T}
    expect(
        engine,
        life,
        "branch_no_general_meeting",
        {"B2": {**common, "missed": quarters, "periods": len(quarters), "last": None}},
        among={"B2"},
    )
    expect(
        engine,
        life,
        "branch_no_theme_day",
        {"B2": {**common, "periods": months, "last": None}},
        among={"B2"},
    )
    agree(engine, life)


def test_parent_general_meeting_counts_for_its_branches_committee_meeting_does_not(
    oracle_store: GraphStore,
) -> None:
    c = county(
        *(
            Meeting("D1", "general_meeting", on)
            for on in ("2024-07-15", "2024-10-15", "2025-01-15")
        ),
        *monthly("D1", "committee_meeting", 6, 17, "15"),
        *(Meeting("D0", "lecture", on) for on in ("2024-08-01", "2024-11-01", "2025-02-01")),
    )
    engine, life = run(oracle_store, c, {"committee_min_members": 1})
    expect(engine, life, "branch_no_general_meeting", {})
    expect(engine, life, "branch_few_lectures", {})
    months = [f"2024-{m:02d}" for m in range(6, 13)] + [f"2025-{m:02d}" for m in range(1, 6)]
    expect(
        engine,
        life,
        "branch_no_committee_meeting",
        {"B": {"missed": months, "periods": 12, "last": None, "members": 1, "village": V}},
    )
    agree(engine, life)


def test_group_missing_a_month(oracle_store: GraphStore) -> None:
    c = county(*monthly("G", "group_meeting", 6, 12), *monthly("G", "group_meeting", 14, 17))
    engine, life = run(oracle_store, c)
    expect(
        engine,
        life,
        "group_no_meeting",
        {
            "G": {
                "missed": ["2025-01"],
                "periods": 12,
                "last": "2025-05-01",
                "branch": "B",
                "kind": "group",
                "village": V,
                "township": T,
            }
        },
    )
    agree(engine, life)


@pytest.mark.parametrize(
    ("period", "lectures", "want"),
    [
        ("quarter", ("2024-08-01", "2025-02-01"), {"missed": ["2024-Q4"], "periods": 3}),
        ("year", ("2024-08-01", "2025-02-01"), None),
        ("year", ("2023-12-31", "2025-01-01"), {"missed": ["2024"], "periods": 1}),
    ],
)
def test_lectures_by_quarter_or_year(
    oracle_store: GraphStore, period: str, lectures: tuple[str, ...], want: dict[str, Any] | None
) -> None:
    c = county(*(Meeting("B", "lecture", on) for on in lectures))
    engine, life = run(oracle_store, c, {"lecture_period": period})
    expect(engine, life, "branch_few_lectures", {"B": {**want, "min": 1}} if want else {})
    agree(engine, life)


# -- quorum -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "found"),
    [
        ({"expected": 10, "present": 5}, ("figures", 10, 5)),  # exactly half: no quorum
        ({"expected": 10, "present": 6}, None),  # half + 1
        ({"expected": 9, "present": 4}, ("figures", 9, 4)),
        ({"expected": 9, "present": 5}, None),
        ({"attendees": [M1, M2]}, ("list", 4, 2)),  # 4 voting: M1–M4 (M5 is probationary)
        ({"attendees": [M1, M2, M5]}, ("list", 4, 2)),
        ({"attendees": [M1, M2, M3]}, None),
        ({"absentees": [M1, M2]}, ("absentees", 4, 2)),
        ({"absentees": [M1, M5]}, None),
        ({}, None),  # nothing recorded: everyone voting was there
        # Only 应到 recorded: the list decides, and `expected` is the voting members.
        ({"expected": 10, "attendees": [M1, M2]}, ("list", 4, 2)),
    ],
)
def test_quorum(
    oracle_store: GraphStore, kw: dict[str, Any], found: tuple[str, int, int] | None
) -> None:
    c = county(Meeting("B", "general_meeting", "2025-03-10", **kw), members=5)
    c.members[4].category = "probationary"
    engine, life = run(oracle_store, c)
    want = {}
    if found:
        basis, expected, present = found
        want["B|general_meeting|2025-03-10|"] = {
            "org": "B",
            "on": "2025-03-10",
            "topic": None,
            "basis": basis,
            "expected": expected,
            "present": present,
        }
    expect(engine, life, "meeting_no_quorum", want)
    agree(engine, life)


@pytest.mark.parametrize(("suspended_on", "found"), [("2025-03-10", True), ("2025-03-11", False)])
def test_a_member_suspended_by_the_meeting_has_no_vote(
    oracle_store: GraphStore, suspended_on: str, found: bool
) -> None:
    """M3 suspended on the meeting's day: 2 of 3 voting came (quorum); a day later he still
    votes, and 2 of 4 is no quorum."""
    c = county(Meeting("B", "general_meeting", "2025-03-10", attendees=[M1, M2]), members=4)
    c.members[2].suspended_on = suspended_on
    engine, life = run(oracle_store, c)
    want = {"B|general_meeting|2025-03-10|": {"basis": "list", "expected": 4, "present": 2}}
    expect(engine, life, "meeting_no_quorum", {} if found else want)
    agree(engine, life)


@pytest.mark.parametrize(("on", "found"), [("2024-06-01", True), ("2024-05-31", False)])
def test_quorum_window_starts_with_the_earliest_checked_month(
    oracle_store: GraphStore, on: str, found: bool
) -> None:
    c = county(Meeting("D1", "general_meeting", on, "换届选举", expected=2, present=1))
    engine, life = run(oracle_store, c)
    key = f"D1|general_meeting|{on}|换届选举"
    expect(engine, life, "meeting_no_quorum", {key: {"topic": "换届选举"}} if found else {})
    agree(engine, life)


# -- members ----------------------------------------------------------------------------------


def test_attendance_by_list_absentees_and_figures(oracle_store: GraphStore) -> None:
    """A list names who came; without one, every expected member not named absent came."""
    c = county(
        Meeting("B", "general_meeting", "2024-09-01", attendees=[M1]),
        Meeting("B", "theme_day", "2025-01-10", absentees=[M2]),
        Meeting("B", "lecture", "2025-03-10", expected=3, present=3, attendees=[M3]),
        Meeting("B", "talk", "2025-05-10"),  # not organisational life
        Meeting("G", "group_meeting", "2025-04-01"),  # only M4 is in G
        members=4,
    )
    c.members[3].group = "G"
    engine, life = run(oracle_store, c)
    expect(
        engine,
        life,
        "member_no_life",
        {
            M1: {"last_life": "2025-01-10", "months": 5},
            M3: {"last_life": "2025-03-10", "months": 3},
        },
    )
    # M2 came to nothing: its months run from the records' beginning.
    expect(engine, life, "member_life_lapse", {M2: {"last_life": None, "months": 9}})
    agree(engine, life)


@pytest.mark.parametrize(
    ("joined", "life_months", "owed"),
    [
        ("2025-02-10", 4, 4),
        ("2025-02-16", 3, 4),  # D.day < joined day: one whole month less
        ("2025-03-16", 2, 3),
        (D, 0, 0),
    ],
)
def test_member_joined_mid_window(
    oracle_store: GraphStore, joined: str, life_months: int, owed: int
) -> None:
    c = county(Meeting("D1", "committee_meeting", "2024-06-01", attendees=[M2]), members=2)
    c.members[0].joined_on = joined
    c.dues.append(Dues(M2, "2024-06", "2024-06-03"))
    engine, life = run(oracle_store, c)
    life_want = {M1: {"months": life_months, "last_life": None}} if life_months >= 3 else {}
    expect(engine, life, "member_no_life", life_want, among={M1})
    since = joined[:7]
    dues_want = {M1: {"months": owed, "since": since, "paid_to": None}} if owed >= 3 else {}
    expect(engine, life, "dues_arrears", dues_want, among={M1})
    agree(engine, life)


# -- dues -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "arrears", "lapse"),
    [
        # The May payment is dated D + 1: not known yet; M2's undated July one neither.
        (
            D,
            {M1: {"paid_to": "2024-12", "since": "2025-01", "months": 5}},
            {M2: {"paid_to": None, "since": "2024-12", "months": 6}},
        ),
        ("2025-06-16", {}, {M2: {"paid_to": None, "since": "2024-12", "months": 6}}),
        # On July 1 M2's payment is known: paid up to July.
        ("2025-07-01", {}, {}),
    ],
)
def test_dues_paid_after_d_are_not_known(
    oracle_store: GraphStore,
    d: str,
    arrears: dict[str, Any],
    lapse: dict[str, Any],
) -> None:
    c = county(members=2)
    c.dues += [
        Dues(M1, "2024-12", "2024-12-05", "12.50"),
        Dues(M1, "2025-05", "2025-06-16"),
        Dues(M2, "2025-07", written_cn=True),
    ]
    engine, life = run(oracle_store, c)
    expect(engine, life, "dues_arrears", arrears, d)
    expect(engine, life, "dues_lapse", lapse, d)
    agree(engine, life, d)


@pytest.mark.parametrize(
    ("paid_to", "rule", "months"),
    [
        ("2025-03", None, 2),
        ("2025-02", "dues_arrears", 3),  # exactly dues_warn_months
        ("2024-12", "dues_arrears", 5),
        ("2024-11", "dues_lapse", 6),  # exactly dues_lapse_months
    ],
)
def test_months_owed_at_the_thresholds(
    oracle_store: GraphStore, paid_to: str, rule: str | None, months: int
) -> None:
    c = county(members=2)
    c.dues += [Dues(M1, paid_to, f"{paid_to}-20"), Dues(M2, "2025-05")]
    engine, life = run(oracle_store, c)
    for r in DUES_RULES:
        want = {M1: {"paid_to": paid_to, "months": months}} if r == rule else {}
        expect(engine, life, r, want, among={M1})
    agree(engine, life)


# -- the ladder -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("joined", "d", "suspend_from"),
    [
        ("2024-08-31", "2025-02-28", "2025-02-28"),  # Aug 31 + 6 months: Feb 28
        ("2024-08-31", "2025-02-27", None),
        ("2023-08-31", "2024-02-29", "2024-02-29"),  # a leap year
        ("2023-08-31", "2024-02-28", None),
    ],
)
def test_suspend_from_clamps_to_the_end_of_february(
    oracle_store: GraphStore, joined: str, d: str, suspend_from: str | None
) -> None:
    c = county(Meeting("D1", "committee_meeting", "2023-01-05", attendees=[M2]), members=2)
    c.members[0].joined_on = joined
    c.members[0].lost_contact = True
    engine, life = run(oracle_store, c)
    want = {}
    if suspend_from:
        want[M1] = {
            "reason": "flagged",
            "lost_since": joined,
            "suspend_from": suspend_from,
            "last_life": None,
            "last_dues": None,
        }
    expect(engine, life, "propose_suspension", want, d, among={M1})
    agree(engine, life, d)


def test_suspension_runs_from_the_earlier_records_begin(oracle_store: GraphStore) -> None:
    """Quiet away (not flagged): lost_since is the dues records' first day (2024-10-01), earlier
    than the meetings' (2025-01-10)."""
    c = county(Meeting("B", "theme_day", "2025-01-10", attendees=[M2]), members=2)
    c.outflows.append(Outflow(M1, "2024-01-01"))
    c.dues.append(Dues(M2, "2024-10"))
    engine, life = run(oracle_store, c)
    want = {
        M1: {
            "reason": "quiet",
            "lost_since": "2024-10-01",
            "suspend_from": "2025-04-01",
            "last_life": None,
            "last_dues": None,
        }
    }
    expect(engine, life, "propose_suspension", want, among={M1})
    agree(engine, life)


def test_suspended_member_is_not_proposed_again(oracle_store: GraphStore) -> None:
    c = county(Meeting("B", "theme_day", "2024-01-10", attendees=[M2]), members=2)
    c.members[0].lost_contact = True
    c.members[0].suspended_on = "2025-01-01"
    engine, life = run(oracle_store, c)
    expect(engine, life, "propose_suspension", {}, among={M1})
    # Nor counted in the member and dues rules while suspended.
    expect(engine, life, "member_life_lapse", {}, among={M1})
    agree(engine, life)


@pytest.mark.parametrize(
    ("suspended_on", "d", "remove_from"),
    [
        ("2023-06-15", D, "2025-06-15"),  # exactly removal_months
        ("2023-06-16", D, None),
        ("2024-02-29", "2026-02-28", "2026-02-28"),
        ("2024-02-29", "2026-02-27", None),
    ],
)
def test_removal_at_exactly_24_months(
    oracle_store: GraphStore, suspended_on: str, d: str, remove_from: str | None
) -> None:
    c = county(Meeting("B", "theme_day", "2023-01-10"), members=2)
    c.members[0].suspended_on = suspended_on
    engine, life = run(oracle_store, c)
    want = {}
    if remove_from:
        want[M1] = {
            "suspended_on": suspended_on,
            "remove_from": remove_from,
            "last_life": "2023-01-10",
            "last_dues": None,
        }
    expect(engine, life, "propose_removal", want, d)
    agree(engine, life, d)


@pytest.mark.parametrize(
    ("meetings", "dues", "removed"),
    [
        ((), (Dues(M1, "2023-06", "2023-06-15"),), True),  # paid on the suspension day
        ((), (Dues(M1, "2023-07", "2023-07-01"),), False),  # paid after it
        ((Meeting("B", "theme_day", "2024-03-01", attendees=[M1]),), (), False),
        ((Meeting("B", "talk", "2024-03-01", attendees=[M1]),), (), True),  # not life
    ],
)
def test_removal_needs_no_sign_after_the_suspension(
    oracle_store: GraphStore, meetings: tuple[Meeting, ...], dues: tuple[Dues, ...], removed: bool
) -> None:
    c = county(*meetings, members=1)
    c.members[0].suspended_on = "2023-06-15"
    c.dues += dues
    engine, life = run(oracle_store, c)
    expect(engine, life, "propose_removal", {M1: {}} if removed else {})
    agree(engine, life)


# -- no records ------------------------------------------------------------------------------


def test_no_records_is_no_data(oracle_store: GraphStore) -> None:
    c = county(members=3)
    c.members[0].lost_contact = True
    c.members[1].suspended_on = "2019-01-01"
    engine, life = run(oracle_store, c)
    no_data = [*LIFE_RULES, *DUES_RULES, "propose_suspension", "propose_removal"]
    # No 第一书记 roster and no 党小组工作记录 either (ledger.py).
    everything = [*no_data, *FS_RULES, *GROUP_RECORD_RULES]
    for got in (
        engine.summary(as_of=D)["no_data"],
        life.summary(None, D)["no_data"] + life.o.ledger.no_data(D),
    ):
        assert sorted(got) == sorted(everything)
    # The removal proposal too: with no ledger, "no sign of life since" cannot be shown.
    for rule in no_data:
        expect(engine, life, rule, {})
    for grid in (engine.life_grid(as_of=D), life.life_grid(None, D)):
        assert [r["org"]["id"] for r in grid["rows"]] == ["B", "G"]
        assert {c["state"] for r in grid["rows"] for c in r["cells"]} == {"none"}
    agree(engine, life)


def test_records_that_begin_after_d_are_no_data(oracle_store: GraphStore) -> None:
    c = county(Meeting("B", "theme_day", "2025-06-16"), members=1)
    c.dues.append(Dues(M1, "2025-01", "2025-01-05"))
    engine, life = run(oracle_store, c)
    for got in (
        engine.summary(as_of=D)["no_data"],
        life.summary(None, D)["no_data"] + life.o.ledger.no_data(D),
    ):
        assert sorted(got) == sorted([*LIFE_RULES, *FS_RULES, *GROUP_RECORD_RULES])
    expect(engine, life, "dues_arrears", {M1: {"months": 4, "since": "2025-02"}})
    agree(engine, life, D, "2025-07-01")


# -- the grid ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "b_states"),
    [
        (None, ["none", "missed", "missed", "met", "no_quorum", "missed"]),
        ("general_meeting", ["none", "missed", "missed", "missed", "no_quorum", "missed"]),
        ("talk", ["none", "met", "missed", "missed", "no_quorum", "missed"]),
    ],
)
def test_life_grid(oracle_store: GraphStore, type_: str | None, b_states: list[str]) -> None:
    c = county(
        Meeting("B", "talk", "2025-01-01"),
        Meeting("G", "group_meeting", "2025-02-10"),
        Meeting("B", "theme_day", "2025-03-05"),
        Meeting("B", "general_meeting", "2025-04-30", expected=4, present=2),
        members=2,
    )
    engine, life = run(oracle_store, c, {"life_months_back": 6})
    months = ["2024-12", "2025-01", "2025-02", "2025-03", "2025-04", "2025-05"]
    # Only its own meetings count for a group: B's theme day and general meeting do not.
    g_states = ["none", "missed", "met", "missed", "missed", "missed"]
    for grid in (engine.life_grid(as_of=D, type=type_), life.life_grid(None, D, type_)):
        assert grid["months"] == months
        rows = {r["org"]["id"]: r for r in grid["rows"]}
        assert list(rows) == ["B", "G"]
        org = rows["B"]["org"]
        assert (org["id"], org["name"], org["kind"]) == ("B", "上村党支部", "branch")
        assert [x["state"] for x in rows["B"]["cells"]] == b_states
        assert [x["count"] for x in rows["B"]["cells"]] == [0, 1, 0, 1, 1, 0]
        assert [x["state"] for x in rows["G"]["cells"]] == g_states
        assert [x["count"] for x in rows["G"]["cells"]] == [0, 0, 1, 0, 0, 0]
    diffs = compare_life(engine, life, [None], [D], [type_])
    assert diffs == [], "\n".join(diffs)


# -- more readings ----------------------------------------------------------------------------


def test_a_talk_alone_begins_the_records(oracle_store: GraphStore) -> None:
    """life_begin is the earliest meeting of any type: a talk too (it is no organisational life
    for the member rules, but it is a record)."""
    c = county(Meeting("B", "talk", "2024-06-01"))
    engine, life = run(oracle_store, c)
    months = [f"2024-{m:02d}" for m in range(6, 13)] + [f"2025-{m:02d}" for m in range(1, 6)]
    expect(engine, life, "branch_no_theme_day", {"B": {"missed": months, "periods": 12}})
    # The talk was no organisational life: M1's months run from the records' beginning.
    expect(engine, life, "member_life_lapse", {M1: {"last_life": None, "months": 12}})
    agree(engine, life)


@pytest.mark.parametrize(
    ("d", "held", "want"),
    [
        ("2025-01-01", "2024-12-31", None),  # the checked year is completed the day before D
        ("2025-01-01", "2025-01-01", {"missed": ["2024"], "periods": 1}),
        ("2024-12-31", "2024-12-31", {"missed": ["2023"], "periods": 1}),
    ],
)
def test_checked_year_at_the_turn_of_the_year(
    oracle_store: GraphStore, d: str, held: str, want: dict[str, Any] | None
) -> None:
    c = county(
        Meeting("B", "theme_day", "2023-01-01"),
        Meeting("B", "life_meeting", held),
        Meeting("B", "appraisal", "2024-06-30"),
    )
    engine, life = run(oracle_store, c)
    expect(engine, life, "branch_no_life_meeting", {"B": want} if want else {}, d)
    # The 2024 appraisal is in the checked year at D = 2025-01-01, not at D = 2024-12-31.
    appraisal = {"B": {"missed": ["2023"], "last": "2024-06-30"}} if d < "2025" else {}
    expect(engine, life, "branch_no_appraisal", appraisal, d)
    agree(engine, life, d)


def test_suspended_and_probationary_members_in_the_quorum(oracle_store: GraphStore) -> None:
    """voting is the on-roll full members not suspended on the meeting's day; a probationary
    member is not voting either."""
    c = county(Meeting("B", "general_meeting", "2025-03-10", attendees=[M1]), members=4)
    c.members[2].suspended_on = "2024-01-01"
    c.members[3].category = "probationary"
    engine, life = run(oracle_store, c)
    key = "B|general_meeting|2025-03-10|"
    want = {key: {"basis": "list", "expected": 2, "present": 1}}  # 1 of 2 voting (M1, M2)
    expect(engine, life, "meeting_no_quorum", want)
    c.meetings[0].attendees = [M1, M2]
    engine, life = run(oracle_store, c)
    expect(engine, life, "meeting_no_quorum", {})
    c.meetings[0].attendees = [M1, M4]
    engine, life = run(oracle_store, c)
    expect(engine, life, "meeting_no_quorum", want)
    agree(engine, life)


def test_member_away_attending_a_mobile_branch_was_expected(oracle_store: GraphStore) -> None:
    """Expected at a meeting: members of the org or below, its group's members, and members
    whose ATTENDS to it is active on the meeting's day."""
    c = county(
        Meeting("B", "theme_day", "2024-06-01", attendees=[M2]),  # the records begin
        Meeting("DM", "theme_day", "2025-03-10"),  # no list: every expected member came
        members=2,
    )
    dm = Org("DM", "驻深圳流动党员党支部", "mobile_branch", parent="D0", host_area="440305")
    c.orgs.append(dm)
    c.outflows.append(Outflow(M1, "2025-01-05", host_org="DM"))
    engine, life = run(oracle_store, c)
    expect(
        engine, life, "member_no_life", {M1: {"last_life": "2025-03-10", "months": 3}}, among={M1}
    )
    # On a day before the member attended, the mobile branch's meeting was not the member's.
    c.outflows[0].left_on = "2025-03-11"
    engine, life = run(oracle_store, c)
    expect(engine, life, "member_life_lapse", {M1: {"last_life": None, "months": 12}}, among={M1})
    agree(engine, life)


def test_reimport_updates_meetings_and_payments(oracle_store: GraphStore) -> None:
    """A meeting is org|type|on|topic and a payment member|paid_to: importing a row with the
    same key again updates it (figures, host, lists, date, amount); another topic is another
    meeting. The graph then holds exactly the model."""
    c = county(
        Meeting("B", "general_meeting", "2025-03-10", expected=4, present=1, attendees=[M1]),
        Meeting("B", "lecture", "2025-03-10", host="王书记", absentees=[M2]),
        members=3,
    )
    c.dues.append(Dues(M1, "2025-01", "2025-01-05", "10"))
    load(oracle_store, c)
    assert graph_facts(oracle_store) == model_facts(c)
    c.meetings = [
        Meeting("B", "general_meeting", "2025-03-10", expected=4, present=3, attendees=[M2, M3]),
        Meeting("B", "lecture", "2025-03-10", host="李老师", absentees=[M3]),
        Meeting("B", "lecture", "2025-03-10", "第二讲", host="李老师"),
    ]
    c.dues = [Dues(M1, "2025-01", "2025-01-06", "12.5")]
    first, _ = import_county(oracle_store, c)
    assert problems(first) == []
    assert graph_facts(oracle_store) == model_facts(c)
    engine, life = Engine(oracle_store, policy=Policy()), LifeRules(c)
    expect(engine, life, "meeting_no_quorum", {})
    agree(engine, life)
