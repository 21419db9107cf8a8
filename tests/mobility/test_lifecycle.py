"""The outflow lifecycle through the services, on a real graph: every step changes what the
engine answers, and every refused call writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from orgraph import clock
from orgraph.analysis.engine import Engine
from orgraph.errors import ConstraintConflict, NotFound, ValidationFailed
from orgraph.mobility import services
from orgraph.store import GraphStore

TODAY = clock.today()


def days_ago(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


def home_member(store: GraphStore, skip: int = 0) -> str:
    """An on-roll member at home today, with a branch and no outflow history."""
    e = Engine(store)
    p, _, _ = e.scope(None)
    c, _ = e._ctx(None, None)
    with_history = set(p.o_member.tolist())
    found = [
        p.m_key[m]
        for m in np.flatnonzero(c.day.at_home)
        if p.m_branches[m] and m not in with_history and not p.m_lost_flag[m]
    ]
    return sorted(found)[skip]


def ids(store: GraphStore, rule: str) -> set[str]:
    return {i["id"] for i in Engine(store).gaps(rule, page_size=10_000)["items"]}


def revision(store: GraphStore) -> Any:
    return store.read("graph_revision")[0]["rev"]


def test_departure_report_attend_return_and_timeline(county: GraphStore) -> None:
    m = home_member(county)
    out = services.register_departure(
        county,
        member=m,
        left_on=days_ago(200),
        destination="广东省东莞市长安镇",
        reason="外出务工",
        employer="东莞长安精密电子有限公司",
        phone_away="13800000000",
    )
    assert out["destination"] == "441900" or out["destination"].startswith("4419")
    assert out["placed"]
    # away, unattached, no contact person, quiet for 200 days → lost; fixed employer ≥ 180 d
    assert m in ids(county, "mobile_unattached")
    assert m in ids(county, "mobile_no_contact_person")
    assert m in ids(county, "lost_contact") and m not in ids(county, "mobile_silent")
    assert m in ids(county, "should_transfer")

    services.record_report(county, member=m, on=days_ago(100), channel="微信")
    assert m in ids(county, "mobile_silent") and m not in ids(county, "lost_contact")
    services.record_report(county, member=m, on=days_ago(5), channel="电话")
    assert m not in ids(county, "mobile_silent")

    services.attend(county, member=m, org="D330226", since=days_ago(150))
    assert m not in ids(county, "mobile_unattached")

    back = services.record_return(county, member=m, on=days_ago(2))
    assert back["returned_on"] == days_ago(2)
    for rule in ("mobile_unattached", "mobile_no_contact_person", "should_transfer"):
        assert m not in ids(county, rule)
    # the attendance that began in the episode ended with it
    engine = Engine(county)
    p = engine.projection()
    k = p.m_index[m]
    assert (p.at_until[p.at_member == k] == int(days_ago(2).replace("-", ""))).all()

    # a member can go again after coming back; history is kept
    services.register_departure(
        county, member=m, left_on=days_ago(1), destination="330100", contact_person="王书记"
    )
    events = Engine(county).timeline(m)["events"]
    kinds = [e["kind"] for e in events]
    assert kinds == ["departure", "attend", "report", "report", "leave_org", "return", "departure"]
    assert [e["on"] for e in events] == sorted(e["on"] for e in events)
    assert m in ids(county, "mobile_unattached") and m not in ids(
        county, "mobile_no_contact_person"
    )


def test_refused_calls_write_nothing(county: GraphStore) -> None:
    m, other = home_member(county, 1), home_member(county, 9)
    services.register_departure(county, member=m, left_on=days_ago(30), destination="上海市")
    before = revision(county)
    cases: list[tuple[type[Exception], dict[str, Any], str]] = [
        (ConstraintConflict, {"left_on": days_ago(10)}, "尚未结束"),
        (ConstraintConflict, {"left_on": days_ago(30)}, "已有外出登记"),
        (ValidationFailed, {"left_on": (TODAY + dt.timedelta(days=3)).isoformat()}, "晚于今天"),
        (ValidationFailed, {"left_on": "2024-13-01"}, "格式不对"),
        (ValidationFailed, {"member": other, "destination": "999999"}, "区划代码"),
        (NotFound, {"member": "nobody"}, "不存在"),
        (NotFound, {"member": other, "host_org": "no-such-org"}, "不存在"),
        (ValidationFailed, {"member": other, "employer": "长" * 201}, "过长"),
    ]
    for exc, change, words in cases:
        args = {"member": m, "left_on": days_ago(5), "destination": "上海市", **change}
        with pytest.raises(exc, match=words):
            services.register_departure(county, **args)
    with pytest.raises(ValidationFailed, match="报到方式"):
        services.record_report(county, member=m, on=days_ago(1), channel="飞鸽传书")
    with pytest.raises(ValidationFailed, match="没有未结束的外出登记"):
        services.record_return(county, member=m, on=days_ago(40))
    with pytest.raises(NotFound):
        services.attend(county, member=m, org="no-such-org")
    assert revision(county) == before


def test_unplaceable_destination_is_kept_as_text(county: GraphStore) -> None:
    m = home_member(county, 2)
    out = services.register_departure(
        county, member=m, left_on=days_ago(20), destination="新加坡裕廊工业区"
    )
    assert not out["placed"] and out["destination"] is None
    doc = Engine(county).destinations()
    assert doc["unplaced"] >= 1
    item = next(
        i
        for i in Engine(county).gaps("mobile_unattached", page_size=10_000)["items"]
        if i["id"] == m
    )
    assert item["destination"] is None and item["destination_text"] == "新加坡裕廊工业区"


def test_transfer_inside_and_out_of_the_county(county: GraphStore) -> None:
    inside, leaving = home_member(county, 3), home_member(county, 4)
    engine = Engine(county)
    p = engine.projection()
    target = next(
        p.org_id[o]
        for o, k in enumerate(p.org_kind)
        if k == "branch"
        and p.org_id[o] not in {p.org_id[b] for b in p.m_branches[p.m_index[inside]]}
    )
    for m in (inside, leaving):
        services.register_departure(
            county,
            member=m,
            left_on=days_ago(300),
            destination="浙江省杭州市",
            employer="杭州某某科技有限公司",
        )
        assert m in ids(county, "should_transfer")
    moved = services.transfer(county, member=inside, to_org=target, on=days_ago(3))
    assert moved["on_roll"] and moved["ended_outflow"]
    gone = services.transfer(
        county, member=leaving, to_org="杭州市西湖区某某社区党委", on=days_ago(3)
    )
    assert not gone["on_roll"] and gone["to_org"].startswith("X:")

    engine = Engine(county)
    p = engine.projection()
    c, _ = engine._ctx(None, None)
    a, b = p.m_index[inside], p.m_index[leaving]
    assert [p.org_id[o] for o in p.m_branches[a]] == [target]
    assert not c.day.away[a] and not c.day.away[b]
    assert p.m_on_roll[a] and not p.m_on_roll[b]
    assert not c.members[b]  # a member transferred out is in no county scope
    assert inside not in ids(county, "should_transfer")
    assert leaving not in ids(county, "should_transfer")
    # the day before the transfer both were still away
    yesterday = Engine(county).gaps("should_transfer", as_of=days_ago(4), page_size=10_000)
    assert inside in {i["id"] for i in yesterday["items"]}
    kinds = [e["kind"] for e in engine.timeline(leaving)["events"]]
    assert kinds[-1] == "transfer" and "departure" in kinds
    with pytest.raises(ValidationFailed, match="不在册"):
        services.register_departure(county, member=leaving, left_on=days_ago(1), destination="上海")


def test_mobile_branch_closes_a_cluster_and_lists_its_members(county: GraphStore) -> None:
    members = [home_member(county, i) for i in range(5, 9)]
    for m in members:
        services.register_departure(
            county, member=m, left_on=days_ago(60), destination="江苏省常州市武进区"
        )
    engine = Engine(county)
    clusters = {
        i["id"]: i for i in engine.gaps("mobile_cluster_without_branch", page_size=10_000)["items"]
    }
    full = [x for x in clusters["320400"]["members"] if x["full"]]
    assert clusters["320400"]["full_members"] == len(full) >= 3
    first = min(full, key=lambda x: (x["joined_on"] is None, x["joined_on"] or "", x["id"]))
    assert clusters["320400"]["suggested_secretary"]["id"] == first["id"]

    p = engine.projection()
    village_branch = next(
        p.org_id[o]
        for o, k in enumerate(p.org_kind)
        if k == "branch" and p.org_area[o] >= 0 and p.area_level[p.org_area[o]] == "village"
    )
    with pytest.raises(ValidationFailed, match="不是县级及以上"):
        services.create_mobile_branch(
            county,
            id="LD-CZ",
            name="驻常州流动党员党支部",
            kind="mobile_branch",
            host_area="常州市",
            approved_by=village_branch,
        )
    with pytest.raises(ValidationFailed, match="驻在地"):
        services.create_mobile_branch(
            county,
            id="LD-CZ",
            name="驻常州流动党员党支部",
            kind="mobile_branch",
            host_area="火星基地",
            approved_by="D330226",
        )
    made = services.create_mobile_branch(
        county,
        id="LD-CZ",
        name="宁海县驻常州流动党员党支部",
        kind="mobile_branch",
        host_area="320412",
        approved_by="D330226",
        established_on=days_ago(10),
    )
    assert made["host_area"] == "320412"
    with pytest.raises(ConstraintConflict):
        services.create_mobile_branch(
            county,
            id="LD-CZ",
            name="重复",
            kind="mobile_branch",
            host_area="320412",
            approved_by="D330226",
        )
    # a branch hosted in a district of the city covers the whole city
    assert "320400" not in ids(county, "mobile_cluster_without_branch")
    # ... but not before it was established
    before = Engine(county).gaps(
        "mobile_cluster_without_branch", as_of=days_ago(20), page_size=10_000
    )
    assert "320400" in {i["id"] for i in before["items"]}

    services.add_branch_member(county, branch="LD-CZ", member=members[0], since=days_ago(9))
    with pytest.raises(ValidationFailed, match="不是流动党员党支部"):
        services.add_branch_member(county, branch="D330226", member=members[1])
    doc = Engine(county).mobile_branch("LD-CZ")
    assert [m["id"] for m in doc["members"]] == [members[0]]
    assert doc["members"][0]["status"] == "ok" and doc["branch"]["members"] == 1
    assert doc["branch"]["city"]["code"] == "320400"
    listed = Engine(county).mobile_branches()
    assert "LD-CZ" in {b["id"] for b in listed["branches"]}
    dest = Engine(county).destinations()
    city = next(c for pr in dest["provinces"] for c in pr["cities"] if c["code"] == "320400")
    assert city["count"] == 4 and city["attached"] == 1
    assert city["branches"] == [{"id": "LD-CZ", "name": "宁海县驻常州流动党员党支部"}]
    with pytest.raises(NotFound):
        Engine(county).mobile_branch("D330226")


def test_api_lists_agree_with_the_engine_on_who_is_away(county: GraphStore) -> None:
    """The API's member and outflow lists use the same 'open episode' as the rules: a
    transfer ends an absence just as a return does."""
    from orgraph.records.members import list_members
    from orgraph.records.outflows import list_outflows
    from orgraph.records.visibility import Visible

    m = home_member(county, 11)
    p = Engine(county).projection()
    target = next(p.org_id[o] for o, k in enumerate(p.org_kind) if k == "branch")
    services.register_departure(county, member=m, left_on=days_ago(50), destination="上海市")
    services.transfer(county, member=m, to_org=target, on=days_ago(2))
    engine = Engine(county)
    p = engine.projection()
    seen = Visible.everything(p)
    away = list_members(county, seen=seen, away=True, on=TODAY, page_size=500)
    engine_away = {p.m_key[i] for i in np.flatnonzero(engine._ctx(None, None)[0].day.away)}
    assert {i["id"] for i in away["items"]} == engine_away and m not in engine_away
    mine = list_outflows(county, seen=seen, member=p.m_index[m], page_size=50)
    assert [i["open"] for i in mine["items"]] == [False]
