"""Members away through the API: the reads, and the outflow lifecycle writes, scope-bound."""

from __future__ import annotations

from pathlib import Path

import httpx

from orgraph.security.audit import AuditLog
from tests.api.conftest import AS_OF

D = AS_OF.isoformat()
MEMBER = "330226D0000094"  # an at-home member of 陈家洋村
BRANCH = "D330226-LD01"  # the county's mobile branch in 东莞


def test_reads(clients: dict[str, httpx.Client]) -> None:
    c = clients["county"]
    dest = c.get("/mobility/destinations", params={"as_of": D}).json()
    assert dest["total"] > 0 and dest["provinces"]
    flows = c.get("/mobility/flows", params={"as_of": D}).json()["flows"]
    assert flows and all(f["count"] > 0 for f in flows)
    branches = c.get("/mobile-branches", params={"as_of": D}).json()["branches"]
    assert [b["id"] for b in branches] == [BRANCH]
    members = c.get(f"/mobile-branches/{BRANCH}/members", params={"as_of": D}).json()
    assert members["branch"]["id"] == BRANCH and members["members"]
    key = members["members"][0]["id"]
    events = c.get(f"/mobility/members/{key}/timeline").json()["events"]
    assert events[0]["kind"] == "departure"


def test_village_sees_its_own_flows_only(clients: dict[str, httpx.Client]) -> None:
    c = clients["village"]
    flows = c.get("/mobility/flows", params={"as_of": D}).json()["flows"]
    assert flows and all(f["origin"]["code"] is None and f["origin"]["hidden"] for f in flows)
    assert c.get(f"/mobile-branches/{BRANCH}/members").status_code == 404
    assert c.get("/mobility/members/330226D0000001/timeline").status_code == 404


def test_outflow_lifecycle(writers: dict[str, httpx.Client], write_live: tuple[str, Path]) -> None:
    c = writers["village"]
    r = c.post(
        f"/members/{MEMBER}/outflows",
        json={
            "left_on": "2026-10-01",
            "destination": "广东东莞长安镇",
            "reason": "外出务工",
            "phone_away": "13600004444",
            "host_org": BRANCH,
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["destination"] == "441900"
    again = c.post(
        f"/members/{MEMBER}/outflows", json={"left_on": "2026-10-05", "destination": "441900"}
    )
    assert again.status_code == 409
    r = c.post(
        f"/members/{MEMBER}/reports", json={"on": "2026-10-20", "channel": "wechat", "org": BRANCH}
    )
    assert r.status_code == 201, r.text
    assert c.get("/members", params={"q": MEMBER, "away": True}).json()["total"] == 1
    outflows = c.get("/outflows", params={"member": MEMBER}).json()["items"]
    assert outflows[0]["phone_away"] == "136****4444" and outflows[0]["open"]
    r = c.post(f"/members/{MEMBER}/return", json={"on": "2026-11-10"})
    assert r.status_code == 200, r.text
    kinds = [e["kind"] for e in c.get(f"/mobility/members/{MEMBER}/timeline").json()["events"]]
    last = len(kinds) - 1 - kinds[::-1].index("departure")
    assert [k for k in kinds[last:] if k != "leave_org"] == [
        "departure",
        "attend",
        "report",
        "return",
    ]
    again = c.post(f"/members/{MEMBER}/return", json={"on": "2026-11-11"})
    assert again.status_code == 422
    actions = {
        e["action"]
        for e in AuditLog(write_live[1] / "audit").read()
        if e["user"] == "village" and e["result"] == "ok"
    }
    assert {"outflow.create", "report.create", "outflow.return"} <= actions


def test_writes_stay_in_scope(writers: dict[str, httpx.Client]) -> None:
    village = writers["village"]
    out = village.post("/members/330226D0000001/reports", json={"on": "2026-10-20"})
    assert out.status_code == 404
    other_branch = village.post(f"/members/{MEMBER}/attend", json={"org": "D330226101201"})
    assert other_branch.status_code == 404
    moved = village.post(f"/members/{MEMBER}/transfer", json={"to_org": "D330226101201"})
    assert moved.status_code == 404
    r = village.post(
        "/mobile-branches",
        json={
            "id": "D330226-LD09",
            "name": "宁海县驻苏州流动党员党支部",
            "kind": "mobile_branch",
            "host_area": "320500",
            "approved_by": "D330226",
        },
    )
    assert r.status_code == 404
    viewer = writers["viewer"]
    assert viewer.post("/members/330226D0000001/reports", json={}).status_code == 403


def test_county_makes_a_mobile_branch_and_a_transfer(writers: dict[str, httpx.Client]) -> None:
    c = writers["county"]
    r = c.post(
        "/mobile-branches",
        json={
            "id": "D330226-LD09",
            "name": "宁海县驻苏州流动党员党支部",
            "kind": "mobile_branch",
            "host_area": "320500",
            "approved_by": "D330226",
            "established_on": "2026-01-01",
        },
    )
    assert r.status_code == 201, r.text
    r = c.post("/mobile-branches/D330226-LD09/members", json={"member": "330226D0000038"})
    assert r.status_code == 201, r.text
    listed = c.get("/mobile-branches/D330226-LD09/members").json()["members"]
    assert [m["id"] for m in listed] == ["330226D0000038"]
    r = c.post(
        "/members/330226D0000061/attend", json={"org": "D330226-LD09", "since": "2026-02-01"}
    )
    assert r.status_code == 200, r.text
    events = c.get("/mobility/members/330226D0000061/timeline").json()["events"]
    assert {
        "kind": "attend",
        "on": "2026-02-01",
        "org": {"id": "D330226-LD09", "name": "宁海县驻苏州流动党员党支部"},
    } in events
    r = c.post(
        "/members/330226D0000038/transfer",
        json={"to_org": "上海市某街道党工委", "on": "2026-11-15"},
    )
    assert r.status_code == 200, r.text
    # Transferred out of the county: no longer anybody's member here (docs/rules.md scope).
    assert c.get("/members/330226D0000038").status_code == 404
