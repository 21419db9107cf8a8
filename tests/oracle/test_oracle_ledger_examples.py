"""Hand-written edges of docs/rules.md "第一书记", "The rectification ledger" and "党小组
appraisal", each checked against a stated expectation on both the engine and the oracle, and
then for full agreement (every rule, the village view, the township ranking)."""

from __future__ import annotations

from typing import Any

import pytest

from orgraph.store import GraphStore

from .county_model import Contact, County, Meeting, Org, Rect
from .examples import DAY_AFTER, T, V, agree, base, ids, member, run
from .ledger import plus_days
from .ledger_compare import ledger_diffs, ranking_diffs
from .ledger_model import FirstSecretary, GroupRecord, Inspection
from .oracle import Oracle
from .strategies import AS_OF


def both(engine: Any, oracle: Oracle, rule: str, d: str = AS_OF) -> list[list[str]]:
    """The rule's item ids (with `|opened_on` for episodes) on the engine and the oracle."""
    got = engine.gaps(rule, as_of=d, page_size=100)["items"]
    if rule.startswith("rectification"):
        eng = [f"{it['id']}|{it['opened_on'] or ''}" for it in got]
    else:
        eng = [it["id"] for it in got]
    return [eng, list(oracle.gaps(rule, None, d))]


def agree_all(engine: Any, oracle: Oracle, c: County, d: str = AS_OF) -> None:
    agree(engine, oracle, c, d=d)
    diffs = ledger_diffs(engine, oracle, None, d) + ranking_diffs(engine, oracle, d)
    assert diffs == [], "\n".join(diffs)


@pytest.mark.parametrize(
    ("until", "successor", "ending", "weak_without"),
    [
        (AS_OF, None, [], ["B"]),  # ended exactly on D: not in office, the village has none
        (DAY_AFTER, None, ["M0001|B|2025-01-01"], []),  # one day left, nobody next
        (DAY_AFTER, DAY_AFTER, [], []),  # the successor starts on the until day
        (DAY_AFTER, "2025-06-17", ["M0001|B|2025-01-01"], []),  # a day's gap: no successor
    ],
)
def test_first_secretary_ending_and_successor(
    oracle_store: GraphStore,
    until: str,
    successor: str | None,
    ending: list[str],
    weak_without: list[str],
) -> None:
    c = base()
    c.orgs[2].weak = True
    c.members += [member("M0001"), member("M0002")]
    c.first_secretaries.append(FirstSecretary("M0001", "B", "2025-01-01", until, "县财政局"))
    if successor:
        c.first_secretaries.append(FirstSecretary("M0002", "B", successor))
    engine, oracle = run(oracle_store, c)
    assert both(engine, oracle, "first_secretary_ending") == [ending, ending]
    assert both(engine, oracle, "weak_no_first_secretary") == [weak_without, weak_without]
    if weak_without:
        item = engine.gaps("weak_no_first_secretary", as_of=AS_OF)["items"][0]
        assert item["last"]["until"] == AS_OF and item["last"]["member"]["id"] == "M0001"
    agree_all(engine, oracle, c)


def test_first_secretary_records_begin(oracle_store: GraphStore) -> None:
    """Before the first appointment's since, the three rules say no_data and find nothing."""
    c = base()
    c.orgs[2].weak = True
    c.members.append(member("M0001"))
    c.first_secretaries.append(FirstSecretary("M0001", "B", DAY_AFTER))
    engine, oracle = run(oracle_store, c)
    assert both(engine, oracle, "weak_no_first_secretary") == [[], []]
    assert both(engine, oracle, "weak_no_first_secretary", DAY_AFTER) == [[], []]
    assert both(engine, oracle, "weak_no_first_secretary", "2025-06-17") == [[], []]
    no_data = set(engine.summary(as_of=AS_OF)["no_data"])
    assert {"weak_no_first_secretary", "first_secretary_absent"} <= no_data
    assert oracle.ledger.no_data(AS_OF)[:3] == [
        "weak_no_first_secretary",
        "first_secretary_absent",
        "first_secretary_ending",
    ]
    assert engine.first_secretary_villages(as_of=AS_OF)["no_data"] is True
    agree_all(engine, oracle, c)


@pytest.mark.parametrize(
    ("since", "talk", "contact", "missing"),
    [
        ("2025-03-18", None, False, []),  # since = D − 89: not in office the whole window
        ("2025-03-17", None, True, ["meetings"]),  # since = D − 90: in office; no meeting
        ("2025-03-17", "2025-03-17", True, ["meetings"]),  # a talk on D − 90: outside
        ("2025-03-17", "2025-03-18", True, None),  # a talk on D − 89: presence
        ("2025-03-17", "2025-03-18", False, ["contacts"]),
    ],
)
def test_first_secretary_absent_window(
    oracle_store: GraphStore,
    since: str,
    talk: str | None,
    contact: bool,
    missing: list[str] | None,
) -> None:
    c = base()
    c.members += [member("M0001"), member("M0002", branch="D1")]
    c.first_secretaries.append(FirstSecretary("M0002", "B", since))
    c.meetings.append(Meeting("B", "theme_day", "2024-12-01", attendees=["M0001"]))
    if talk:
        c.meetings.append(Meeting("B", "talk", talk, attendees=["M0002"]))
    if contact:
        c.contacts.append(Contact("M0002", "household", "H2"))
    engine, oracle = run(oracle_store, c)
    aid = f"M0002|B|{since}"
    if since > plus_days(AS_OF, -90):
        want: list[str] = []
    else:
        want = [] if missing is None else [aid]
    assert both(engine, oracle, "first_secretary_absent") == [want, want]
    if want:
        item = engine.gaps("first_secretary_absent", as_of=AS_OF)["items"][0]
        assert item["missing"] == missing
        assert item["last_meeting"] == talk
        assert item["meetings"] == (0 if "meetings" in item["missing"] else 1)
    agree_all(engine, oracle, c)


@pytest.mark.parametrize(
    ("opened_days", "plan_days", "found"),
    [
        (30, None, False),  # opened exactly rect_plan_days before D: not yet due
        (31, None, True),
        (31, 30, False),  # a plan on the due day
        (31, 31, True),  # a plan a day late
        (31, -5, False),  # a plan made before the listing counts
    ],
)
def test_rectification_plan_due(
    oracle_store: GraphStore, opened_days: int, plan_days: int | None, found: bool
) -> None:
    c = base()
    opened = plus_days(AS_OF, -opened_days)
    plan = None if plan_days is None else plus_days(opened, plan_days)
    c.rects.append(Rect("B", opened, plan_on=plan))
    engine, oracle = run(oracle_store, c)
    want = [f"B|{opened}"] if found else []
    assert both(engine, oracle, "rectification_no_plan") == [want, want]
    agree_all(engine, oracle, c)


@pytest.mark.parametrize(
    ("opened", "inspected", "missed"),
    [
        ("2025-01-01", "2025-03-31", []),  # the quarter's last day counts
        ("2025-01-01", "2025-04-01", ["2025-Q1"]),  # the next quarter's first day does not
        ("2025-01-02", None, []),  # listed after Q1 began: Q1 is not checked; Q2 not completed
        ("2024-12-31", "2025-02-01", []),  # Q4 began before the listing; Q1 inspected
        ("2024-12-31", None, ["2025-Q1"]),
    ],
)
def test_rectification_inspection_quarters(
    oracle_store: GraphStore, opened: str, inspected: str | None, missed: list[str]
) -> None:
    c = base()
    c.orgs.append(Org("S", "上村第一党支部", "branch", parent="B"))
    c.rects.append(Rect("B", opened))
    if inspected:
        c.inspections.append(Inspection("S", inspected, "县委组织部督查组"))  # an org below
    engine, oracle = run(oracle_store, c)
    want = [f"B|{opened}"] if missed else []
    assert both(engine, oracle, "rectification_no_inspection") == [want, want]
    if missed:
        item = engine.gaps("rectification_no_inspection", as_of=AS_OF)["items"][0]
        assert item["missed"] == missed and item["last"] == inspected
    agree_all(engine, oracle, c)


def test_weak_branch_nested_under_general_branch(oracle_store: GraphStore) -> None:
    """A 总支 and its branch serving the same village: the 总支 is screened; the branch's weak
    flag does not list it, the branch's open rectification does."""
    c = base()
    c.orgs[2] = Org("B", "上村党总支", "general_branch", parent="D1", area=V)
    c.orgs.append(Org("S", "上村第一党支部", "branch", parent="B", area=V, weak=True))
    c.members.append(member("M0001"))
    c.first_secretaries.append(FirstSecretary("M0001", "D1", "2019-01-01"))
    engine, oracle = run(oracle_store, c)
    assert both(engine, oracle, "weak_no_first_secretary") == [[], []]
    agree_all(engine, oracle, c)
    c.rects.append(Rect("S", "2025-01-01"))
    engine, oracle = run(oracle_store, c)
    assert both(engine, oracle, "weak_no_first_secretary") == [["B"], ["B"]]
    assert engine.gaps("weak_no_first_secretary", as_of=AS_OF)["items"][0]["rects_open"] == 1
    rows = engine.first_secretary_villages(as_of=AS_OF)["rows"]
    assert [r["org"]["id"] for r in rows] == ["B"] and rows[0]["listed"] is True
    agree_all(engine, oracle, c)


def test_group_records_begin_mid_range(oracle_store: GraphStore) -> None:
    """Months before the records begin are not checked; a group without members has no
    leader."""
    c = base()
    c.orgs.append(Org("G2", "上村第二党小组", "group", parent="B"))
    c.members.append(member("M0001", group="G2", roles=["group_leader"]))
    for m in ("2025-03", "2025-05"):
        c.group_records.append(GroupRecord("G", m, summary=True, inspected_on=f"{m}-31"))
        c.group_records.append(GroupRecord("G2", m, summary=True))
    engine, oracle = run(oracle_store, c)
    assert both(engine, oracle, "group_no_leader") == [["G"], ["G"]]
    assert both(engine, oracle, "group_no_summary") == [["G", "G2"], ["G", "G2"]]
    for got in (
        engine.gaps("group_no_summary", as_of=AS_OF)["items"],
        list(oracle.gaps("group_no_summary", None, AS_OF).values()),
    ):
        assert [it["missed"] for it in got] == [["2025-04"], ["2025-04"]]
    # The only checked quarter (2025-Q1) ends after the records begin (2025-03-01).
    assert both(engine, oracle, "group_no_inspection") == [["G2"], ["G2"]]
    agree_all(engine, oracle, c)


def test_ranking_tie_and_red_flag(oracle_store: GraphStore) -> None:
    c = base()
    c.orgs.append(Org("G2", "上村第二党小组", "group", parent="B"))
    for g in ("G", "G2"):
        for m in ("2025-01", "2025-02", "2025-03"):
            c.group_records.append(GroupRecord(g, m, summary=True, inspected_on="2025-03-31"))
    c.group_records.append(GroupRecord("G", "2024-11", score=92, grade="excellent"))
    policy = {"red_flag_min_points": 40}
    engine, oracle = run(oracle_store, c, policy)
    got = engine.group_ranking(T, as_of=AS_OF)
    want = oracle.ledger.group_ranking(T, None, AS_OF)
    for r in (got, want):
        assert r["quarter"] == "2025-Q1"
        assert [x["rank"] for x in r["rows"]] == [1, 1]
        assert r["red_flag"]["id"] == "G" and r["red_flag"]["points"] == 40
    assert [x["id"] for x in got["red_flag"]["tied"]] == want["red_flag"]["tied"] == ["G2"]
    assert got["rows"][0]["appraisal"]["score"] == 92
    assert ids({"items": got["rows"]}) == ["G", "G2"]
    agree_all(engine, oracle, c)


def test_off_roll_first_secretary_is_not_expected_at_meetings(oracle_store: GraphStore) -> None:
    """An off-roll 第一书记 of branch B: B's theme day without an attendance list is not a
    meeting it attended ("expected at k": on-roll members), so its meetings are 0."""
    c = base()
    c.members += [member("M0001"), member("M0002", on_roll=False)]
    c.contacts.append(Contact("M0002", "household", "H1"))
    c.first_secretaries.append(FirstSecretary("M0002", "B", "2019-01-01"))
    c.meetings.append(Meeting("B", "theme_day", "2025-06-01"))
    engine, oracle = run(oracle_store, c)
    assert oracle.gaps("first_secretary_absent", None, AS_OF)["M0002|B|2019-01-01"]["missing"] == [
        "meetings"
    ]
    assert both(engine, oracle, "first_secretary_absent")[0] == ["M0002|B|2019-01-01"]
