"""Hand-written edge cases of the members-away rules (docs/rules.md "Members away"), each
checked against a stated expectation for both the oracle and the engine, then compared in full
(every rule, coverage, chains, destinations, flows)."""

from __future__ import annotations

from typing import Any

import pytest

from orgraph.store import GraphStore

from .compare import FIELDS, field_value
from .county_model import Action, County, Org, Outflow, Report
from .examples import C, T, agree, base, member, run
from .oracle import Oracle
from .strategies import AS_OF, shift

M1, M2, M3, M4, M5 = "M0001", "M0002", "M0003", "M0004", "M0005"


def items(
    engine: Any, oracle: Oracle, rule: str, d: str = AS_OF, scope: str | None = None
) -> list[dict[str, dict[str, Any]]]:
    """The rule's items by id, from the engine (in the oracle's form) and from the oracle."""
    got = engine.gaps(rule, scope=scope, as_of=d, page_size=1000)["items"]
    return [
        {it["id"]: {f: field_value(f, it.get(f)) for f in FIELDS[rule]} for it in got},
        oracle.gaps(rule, scope, d),
    ]


def away_county(
    *outflows: Outflow,
    reports: tuple[Report, ...] = (),
    actions: tuple[Action, ...] = (),
    **member_kw: Any,
) -> County:
    c = base()
    c.members.append(member(M1, **member_kw))
    c.outflows += outflows
    c.reports += reports
    c.actions += actions
    return c


def days_before(n: int) -> str:
    return shift(AS_OF, -n)


@pytest.mark.parametrize(
    ("last", "silent", "lost"),
    [
        (0, False, False),  # a report on D
        (89, False, False),
        (90, True, False),  # quiet_days exactly silent_days
        (179, True, False),
        (180, False, True),  # exactly lost_days: lost, no longer silent
        (181, False, True),
    ],
)
def test_quiet_days_at_the_boundaries(
    oracle_store: GraphStore, last: int, silent: bool, lost: bool
) -> None:
    c = away_county(
        Outflow(M1, days_before(300), destination="440305", contact_person="王建国"),
        reports=(Report(M1, days_before(last), "phone"), Report(M1, days_before(400), "wechat")),
    )  # before departure
    engine, oracle = run(oracle_store, c)
    for found in items(engine, oracle, "mobile_silent"):
        assert found == (
            {
                M1: {
                    "name": "党员1",
                    "branch": "B",
                    "destination": "440305",
                    "city": "440300",
                    "last_report": days_before(last),
                    "quiet_days": last,
                }
            }
            if silent
            else {}
        )
    for found in items(engine, oracle, "lost_contact"):
        assert found == (
            {
                M1: {
                    "name": "党员1",
                    "branch": "B",
                    "reason": "quiet",
                    "away": True,
                    "last_report": days_before(last),
                    "quiet_days": last,
                }
            }
            if lost
            else {}
        )
    agree(engine, oracle, c)


@pytest.mark.parametrize(
    ("left", "silent", "lost"), [(89, False, False), (90, True, False), (180, False, True)]
)
def test_quiet_days_without_any_report_count_from_the_departure(
    oracle_store: GraphStore, left: int, silent: bool, lost: bool
) -> None:
    c = away_county(Outflow(M1, days_before(left), destination="441900"))
    engine, oracle = run(oracle_store, c)
    for found in items(engine, oracle, "mobile_silent"):
        assert [v["last_report"] for v in found.values()] == ([None] if silent else [])
    for found in items(engine, oracle, "lost_contact"):
        assert [(v["last_report"], v["quiet_days"]) for v in found.values()] == (
            [(None, left)] if lost else []
        )
    agree(engine, oracle, c)


@pytest.mark.parametrize(
    ("report", "last"),
    [
        (101, None),  # the day before the departure: does not count
        (100, days_before(100)),  # on the departure day: counts
    ],
)
def test_a_report_before_the_departure_does_not_count(
    oracle_store: GraphStore, report: int, last: str | None
) -> None:
    c = away_county(
        Outflow(M1, days_before(100)), reports=(Report(M1, days_before(report), "in_person"),)
    )
    engine, oracle = run(oracle_store, c)
    for found in items(engine, oracle, "mobile_silent"):
        assert [(v["last_report"], v["quiet_days"]) for v in found.values()] == [(last, 100)]
    agree(engine, oracle, c)


@pytest.mark.parametrize("how", ["roster", "service"])
def test_a_returned_member_is_not_away(oracle_store: GraphStore, how: str) -> None:
    """Returned on D (the roster's 返回时间, or record_return): at home, nothing away; the
    attendance begun in the episode ends with it."""
    back = AS_OF if how == "roster" else None
    actions = (Action("record_return", M1, AS_OF),) if how == "service" else ()
    c = away_county(
        Outflow(M1, days_before(200), back, host_org="深圳市南山区流动党员联合党支部"),
        actions=actions,
    )
    engine, oracle = run(oracle_store, c)
    assert oracle.c.attends[0].until == AS_OF
    for rule in (
        "mobile_unattached",
        "mobile_silent",
        "lost_contact",
        "mobile_no_contact_person",
        "should_transfer",
    ):
        for found in items(engine, oracle, rule):
            assert found == {}, rule
    # The day before the return: away, attended, quiet for 199 days (lost).
    for found in items(engine, oracle, "lost_contact", d=days_before(1)):
        assert list(found) == [M1]
    for found in items(engine, oracle, "mobile_unattached", d=days_before(1)):
        assert found == {}
    agree(engine, oracle, c)
    agree(engine, oracle, c, d=days_before(1))


def test_a_member_transferred_out_of_the_county_leaves_every_rule(oracle_store: GraphStore) -> None:
    c = away_county(
        Outflow(M1, days_before(300), employer="华为技术有限公司"),
        actions=(Action("transfer", M1, days_before(10), "深圳华为党委"),),
    )
    engine, oracle = run(oracle_store, c)
    assert oracle.members[M1].on_roll is False
    for d in (AS_OF, days_before(11)):
        for rule in (
            "mobile_unattached",
            "lost_contact",
            "should_transfer",
            "mobile_no_contact_person",
            "member_no_branch",
        ):
            for found in items(engine, oracle, rule, d=d):
                assert found == {}, (rule, d)
        agree(engine, oracle, c, d=d)
    assert engine.destinations(as_of=AS_OF)["total"] == 0


def test_a_member_transferred_to_a_mobile_branch_of_the_county(oracle_store: GraphStore) -> None:
    """Transferred into the county's own mobile branch: still on roll, at home from the
    transfer on, and counted under the new branch before it."""
    c = away_county(
        Outflow(M1, days_before(300), employer="华为技术有限公司"),
        actions=(Action("transfer", M1, days_before(10), "DM"),),
    )
    c.orgs.append(
        Org("DM", "驻深圳流动党员党支部", "mobile_branch", parent="D0", host_area="440305")
    )
    engine, oracle = run(oracle_store, c)
    for found in items(engine, oracle, "should_transfer", d=days_before(11)):
        assert {k: v["branch"] for k, v in found.items()} == {M1: "DM"}
    for found in items(engine, oracle, "should_transfer"):
        assert found == {}
    agree(engine, oracle, c)
    agree(engine, oracle, c, d=days_before(11))
    agree(engine, oracle, c, scope="D1", d=days_before(11))


@pytest.mark.parametrize(
    ("employer", "days", "due"),
    [
        ("华为技术有限公司", 180, True),
        ("华为技术有限公司", 179, False),
        ("个体经营户", 400, False),
        (None, 400, False),
        ("在工地打零工", 400, False),
    ],
)
def test_should_transfer(
    oracle_store: GraphStore, employer: str | None, days: int, due: bool
) -> None:
    c = away_county(Outflow(M1, days_before(days), destination="330782", employer=employer))
    engine, oracle = run(oracle_store, c)
    for found in items(engine, oracle, "should_transfer"):
        assert found == (
            {
                M1: {
                    "name": "党员1",
                    "branch": "B",
                    "destination": "330782",
                    "city": "330700",
                    "employer": employer,
                    "left_on": days_before(days),
                    "days_away": days,
                }
            }
            if due
            else {}
        )
    agree(engine, oracle, c)


def test_flagged_lost_but_at_home(oracle_store: GraphStore) -> None:
    c = away_county(lost_contact=True)
    engine, oracle = run(oracle_store, c)
    for found in items(engine, oracle, "lost_contact"):
        assert found == {
            M1: {
                "name": "党员1",
                "branch": "B",
                "reason": "flagged",
                "away": False,
                "last_report": None,
                "quiet_days": None,
            }
        }
    row = engine.coverage(level="township", as_of=AS_OF)["rows"][0]
    assert row["away_lost"] == 0  # flagged members count as lost only when away
    agree(engine, oracle, c)


def test_flagged_lost_and_away_is_lost_not_silent(oracle_store: GraphStore) -> None:
    c = away_county(Outflow(M1, days_before(100)), lost_contact=True)
    engine, oracle = run(oracle_store, c)
    for found in items(engine, oracle, "mobile_silent"):
        assert found == {}
    for found in items(engine, oracle, "lost_contact"):
        assert [(v["reason"], v["quiet_days"]) for v in found.values()] == [("flagged", 100)]
    assert engine.coverage(level="township", as_of=AS_OF)["rows"][0]["away_lost"] == 1
    agree(engine, oracle, c)


def test_a_destination_abroad_is_unplaced(oracle_store: GraphStore) -> None:
    c = away_county(Outflow(M1, days_before(10), destination="新加坡"))
    engine, oracle = run(oracle_store, c)
    for found in items(engine, oracle, "mobile_no_contact_person"):
        assert found == {
            M1: {
                "name": "党员1",
                "branch": "B",
                "destination": None,
                "city": None,
                "left_on": days_before(10),
            }
        }
    for got in (engine.destinations(as_of=AS_OF), oracle.destinations(None, AS_OF)):
        assert (got["total"], got["unplaced"], got["provinces"]) == (1, 1, [])
    for got in (engine.flows(as_of=AS_OF), oracle.flows(None, AS_OF)):
        assert (got["flows"], got["unplaced"]) == ([], 1)
    agree(engine, oracle, c)


@pytest.mark.parametrize(
    ("since", "attached"),
    [
        (None, False),  # only the ATTENDS of the earlier episode
        (days_before(50), True),  # on the current departure day
        (AS_OF, True),
        (shift(AS_OF, 1), False),  # from tomorrow
    ],
)
def test_attendance_of_an_earlier_episode_does_not_attach(
    oracle_store: GraphStore, since: str | None, attached: bool
) -> None:
    """Away from D−400 to D−300 (attending the host org, and a branch from D−350, never
    ended), then away again from D−50."""
    actions = [Action("attend", M1, days_before(350), "DM")]
    if since is not None:
        actions.append(Action("attend", M1, since, "DM"))
    c = away_county(
        Outflow(M1, days_before(400), days_before(300), host_org="DM"),
        Outflow(M1, days_before(50)),
        actions=tuple(actions),
    )
    c.orgs.append(
        Org("DM", "驻深圳流动党员党支部", "mobile_branch", parent="D0", host_area="440305")
    )
    engine, oracle = run(oracle_store, c)
    for found in items(engine, oracle, "mobile_unattached"):
        assert list(found) == ([] if attached else [M1])
    agree(engine, oracle, c)


def cluster_county(host: str | None, established_on: str | None = None) -> County:
    """Three full members and one probationary member away in 深圳 (two districts), one full
    member in 东莞; a mobile branch hosted at `host`."""
    c = base()
    c.members += [
        member(M1, joined_on="2001-07-01"),
        member(M2, joined_on="1985-07-01"),
        member(M3),
        member(M4, category="probationary", joined_on="1980-01-01"),
        member(M5, joined_on="1970-01-01"),
    ]
    for no, dest in (
        (M1, "440304"),
        (M2, "440305"),
        (M3, "440300"),
        (M4, "440304"),
        (M5, "441900"),
    ):
        c.outflows.append(Outflow(no, days_before(30), destination=dest))
    if host is not None:
        c.orgs.append(
            Org(
                "DM",
                "驻外流动党员党支部",
                "mobile_branch",
                parent="D0",
                host_area=host,
                established_on=established_on,
            )
        )
    return c


def test_a_cluster_of_exactly_three_full_members(oracle_store: GraphStore) -> None:
    c = cluster_county(None)
    engine, oracle = run(oracle_store, c)
    for found in items(engine, oracle, "mobile_cluster_without_branch"):
        assert found == {
            "440300": {
                "name": "深圳市",
                "province": "广东省",
                "count": 4,
                "full_members": 3,
                "members": [
                    {"id": M1, "name": "党员1", "full": True, "joined_on": "2001-07-01"},
                    {"id": M2, "name": "党员2", "full": True, "joined_on": "1985-07-01"},
                    {"id": M3, "name": "党员3", "full": True, "joined_on": None},
                    {"id": M4, "name": "党员4", "full": False, "joined_on": "1980-01-01"},
                ],
                # The earliest full member: not the probationary one who joined earlier.
                "suggested_secretary": {"id": M2, "name": "党员2", "joined_on": "1985-07-01"},
            }
        }
    agree(engine, oracle, c)
    agree(engine, oracle, c, scope=T)


@pytest.mark.parametrize(
    ("host", "established_on", "cluster"),
    [
        ("440305", None, False),  # a branch in 南山区: 深圳 has a branch
        ("440300", AS_OF, False),  # established on D
        ("440305", shift(AS_OF, 1), True),  # established tomorrow
        ("441900", None, True),  # a branch in 东莞 only
        ("新加坡", None, True),  # a host the geocoder cannot place: no HOSTED_IN
    ],
)
def test_a_mobile_branch_in_the_city_stops_the_cluster(
    oracle_store: GraphStore, host: str, established_on: str | None, cluster: bool
) -> None:
    c = cluster_county(host, established_on)
    engine, oracle = run(oracle_store, c)
    for found in items(engine, oracle, "mobile_cluster_without_branch"):
        assert list(found) == (["440300"] if cluster else [])
    # Whether a city has a branch does not depend on the scope.
    for found in items(engine, oracle, "mobile_cluster_without_branch", scope=T):
        assert list(found) == (["440300"] if cluster else [])
    for got in (engine.destinations(as_of=AS_OF), oracle.destinations(None, AS_OF)):
        city = got["provinces"][0]["cities"][0]
        assert city["code"] == "440300" and city["count"] == 4
        assert [b["id"] for b in city["branches"]] == (
            ["DM"] if host.startswith("4403") and not cluster else []
        )
    agree(engine, oracle, c)
    agree(engine, oracle, c, scope=T)


def test_a_cluster_without_full_members_has_no_secretary(oracle_store: GraphStore) -> None:
    """cluster_min_full = 0 (the policy allows it): a city with only a probationary member
    away is a cluster, with no suggested secretary."""
    c = away_county(Outflow(M1, days_before(30), destination="440304"), category="probationary")
    engine, oracle = run(oracle_store, c, {"cluster_min_full": 0})
    for found in items(engine, oracle, "mobile_cluster_without_branch"):
        assert [(k, v["full_members"], v["suggested_secretary"]) for k, v in found.items()] == [
            ("440300", 0, None)
        ]
    agree(engine, oracle, c)


def test_flows_from_the_township(oracle_store: GraphStore) -> None:
    c = cluster_county(None)
    engine, oracle = run(oracle_store, c)
    for got in (engine.flows(as_of=AS_OF), oracle.flows(None, AS_OF)):
        assert [
            (r["origin"]["code"], r["destination"]["code"], r["count"]) for r in got["flows"]
        ] == [(T, "440300", 4), (T, "441900", 1)]
        assert got["unplaced"] == 0
    agree(engine, oracle, c, scope=C)


def test_no_contact_person_only_for_the_current_episode(oracle_store: GraphStore) -> None:
    """Two open episodes (the earlier one never closed): the current one is the latest."""
    c = away_county(
        Outflow(M1, days_before(300), contact_person="王建国"),
        Outflow(M1, days_before(30), destination="310115"),
    )
    engine, oracle = run(oracle_store, c)
    for found in items(engine, oracle, "mobile_no_contact_person"):
        assert found == {
            M1: {
                "name": "党员1",
                "branch": "B",
                "destination": "310115",
                "city": "310000",
                "left_on": days_before(30),
            }
        }
    agree(engine, oracle, c)
