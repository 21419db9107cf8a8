"""Organisational life and dues over HTTP (docs/rules.md "Organisational life and dues"):
recording a meeting with its attendance and a dues payment (scoped, validated, audited,
atomic, idempotent), and reading them back through the grid, the lists, the member's history
and the gap endpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from orgraph.security.audit import AuditLog
from tests.api.conftest import AS_OF

TOWNSHIP = "330226101"
OTHER_TOWNSHIP = "330226203"
DAY = AS_OF.isoformat()
MEETING_DAY = "2026-10-15"  # in the month before AS_OF: a checked month


def _ok(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def _branch_and_members(c: httpx.Client, scope: str | None = None) -> tuple[str, list[str]]:
    """A branch of the caller's scope (from the grid) and its members."""
    grid = _ok(c.get("/life/grid", params={"as_of": DAY, **({"scope": scope} if scope else {})}))
    branch = next(r["org"]["id"] for r in grid["rows"] if r["org"]["kind"] == "branch")
    members = _ok(c.get("/members", params={"scope": branch, "page_size": 500}))["items"]
    assert len(members) >= 2, branch
    return branch, sorted(m["id"] for m in members)


def _meetings(c: httpx.Client, org: str) -> list[dict[str, Any]]:
    return list(_ok(c.get("/meetings", params={"org": org, "page_size": 500}))["items"])


def test_recording_a_meeting_shows_in_the_grid_lists_and_history(
    writers: dict[str, httpx.Client], write_live: tuple[str, Path]
) -> None:
    c = writers["township"]
    branch, members = _branch_and_members(c)
    absent, present = members[0], members[1]
    body = {"type": "主题党日", "on": MEETING_DAY, "topic": "学习党章", "absentees": [absent]}
    first = _ok(c.post(f"/orgs/{branch}/meetings", json=body), 201)
    assert first["created"] is True and first["type"] == "theme_day"
    assert first["id"] == f"{branch}|theme_day|{MEETING_DAY}|学习党章"
    again = _ok(c.post(f"/orgs/{branch}/meetings", json=body), 201)
    assert again["created"] is False and again["id"] == first["id"]
    listed = [m for m in _meetings(c, branch) if m["id"] == first["id"]]
    assert len(listed) == 1 and listed[0]["absentees_listed"] == 1, listed

    grid = _ok(c.get("/life/grid", params={"as_of": DAY}))
    assert grid["no_data"] is False and grid["months"][-1] == "2026-10"
    row = next(r for r in grid["rows"] if r["org"]["id"] == branch)
    assert row["cells"][-1]["state"] == "met" and row["cells"][-1]["count"] >= 1

    history = _ok(c.get(f"/members/{absent}/life", params={"as_of": DAY}))
    mine = [m for m in history["meetings"] if m["id"] == first["id"]]
    assert mine and mine[0]["attended"] is False
    history = _ok(c.get(f"/members/{present}/life", params={"as_of": DAY}))
    mine = [m for m in history["meetings"] if m["id"] == first["id"]]
    assert mine and mine[0]["attended"] is True and history["last_life"] >= MEETING_DAY

    entries = AuditLog(write_live[1] / "audit").read()
    assert any(
        e["action"] == "meeting.record" and e["result"] == "ok" and e["target"] == branch
        for e in entries
    )


def test_a_meeting_outside_the_scope_or_naming_unknown_people_writes_nothing(
    writers: dict[str, httpx.Client],
) -> None:
    c, county = writers["township"], writers["county"]
    branch, members = _branch_and_members(c)
    other, _ = _branch_and_members(county, OTHER_TOWNSHIP)
    before_other, before = len(_meetings(county, other)), len(_meetings(c, branch))
    body = {"type": "党员大会", "on": MEETING_DAY, "expected": 10, "present": 8}
    assert c.post(f"/orgs/{other}/meetings", json=body).status_code == 404
    r = c.post(
        f"/orgs/{branch}/meetings",
        json={**body, "attendees": [members[0], "NOSUCH1"], "absentees": ["NOSUCH2"]},
    )
    problem = _ok(r, 422)
    assert {x["member"] for x in problem["refused"]} == {"NOSUCH1", "NOSUCH2"}
    assert "NOSUCH1" in problem["detail"]
    for bad in (
        {**body, "on": "2099-01-01"},
        {**body, "type": "座谈会"},
        {**body, "attendees": [members[0]], "absentees": [members[0]]},
        {**body, "present": -1},
    ):
        assert c.post(f"/orgs/{branch}/meetings", json=bad).status_code == 422, bad
    assert writers["viewer"].post(f"/orgs/{branch}/meetings", json=body).status_code in (403, 404)
    assert len(_meetings(county, other)) == before_other
    assert len(_meetings(c, branch)) == before


def test_recording_dues_is_scoped_validated_and_read_back(
    writers: dict[str, httpx.Client],
) -> None:
    c, county = writers["township"], writers["county"]
    _, members = _branch_and_members(c)
    _, others = _branch_and_members(county, OTHER_TOWNSHIP)
    key = members[0]
    done = _ok(
        c.post(f"/members/{key}/dues", json={"paid_to": "2026年10月", "paid_on": "2026-10-20"}),
        201,
    )
    assert done["paid_to"] == "2026-10" and done["id"] == f"{key}|2026-10"
    rows = _ok(c.get("/dues", params={"member": key}))["items"]
    # the member may have paid ahead (the demo has prepaid months): find the row written
    written = [r for r in rows if r["paid_to"] == "2026-10"]
    assert [(r["member"]["id"], r["on"]) for r in written] == [(key, "2026-10-20")]
    history = _ok(c.get(f"/members/{key}/life", params={"as_of": DAY}))
    assert history["paid_to"] >= "2026-10" and history["months_owed"] == 0
    assert c.post(f"/members/{key}/dues", json={"paid_to": "2026-13"}).status_code == 422
    assert c.post(f"/members/{key}/dues", json={"paid_to": "2026"}).status_code == 422
    assert c.post(f"/members/{others[0]}/dues", json={"paid_to": "2026-10"}).status_code == 404
    assert c.get("/dues", params={"member": others[0]}).status_code == 404


def test_new_gap_types_answer_through_the_gap_endpoints(writers: dict[str, httpx.Client]) -> None:
    c = writers["county"]
    summary = _ok(c.get("/gaps/summary", params={"as_of": DAY}))
    for t in ("branch_no_theme_day", "member_no_life", "dues_arrears", "propose_removal"):
        assert t in summary["counts"] and t in summary["labels"]
        page = _ok(c.get("/gaps", params={"type": t, "as_of": DAY}))
        assert page["no_data"] == (t in summary["no_data"])
        assert page["total"] == summary["counts"][t]
