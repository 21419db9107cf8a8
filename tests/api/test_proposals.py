"""Contact proposals over HTTP (docs/rules.md "Contact proposals"): scoped reads, the roster
export that the importer reads back, and applying: scoped, audited, atomic, idempotent."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from orgraph.roster.contact_roster import HEADERS
from orgraph.security.audit import AuditLog
from tests.api.conftest import AS_OF

TOWNSHIP = "330226101"
OTHER_TOWNSHIP = "330226203"
DAY = AS_OF.isoformat()


def _proposal(c: httpx.Client, **params: Any) -> dict[str, Any]:
    """The whole proposal, every page of pairs."""
    doc: dict[str, Any] = {}
    items: list[dict[str, Any]] = []
    page = 1
    while not doc or len(items) < doc["items_total"]:
        r = c.get(
            "/proposals/contacts", params={"as_of": DAY, "page_size": 500, "page": page, **params}
        )
        assert r.status_code == 200, r.text
        doc = r.json()
        assert doc["items"] or not doc["items_total"]
        items += doc["items"]
        page += 1
    return {**doc, "items": items}


def _uncovered(c: httpx.Client, scope: str) -> int:
    r = c.get("/gaps/summary", params={"scope": scope, "as_of": DAY})
    assert r.status_code == 200, r.text
    return int(r.json()["counts"]["household_uncovered"])


def _pairs(doc: dict[str, Any]) -> list[dict[str, str]]:
    return [{"member": i["member"]["id"], "household": i["household"]["id"]} for i in doc["items"]]


def test_a_township_user_sees_and_exports_its_own_township_only(
    writers: dict[str, httpx.Client],
) -> None:
    c = writers["township"]
    doc = _proposal(c)
    assert doc["scope"] == TOWNSHIP and doc["as_of"] == DAY
    assert doc["items_total"] == len(doc["items"]) > 0, "the tiny demo has coverage to gain"
    assert {v["township"]["code"] for v in doc["villages"]} == {TOWNSHIP}
    assert all(i["village"]["code"].startswith(TOWNSHIP) for i in doc["items"])
    assert doc["total"]["proposed"] == doc["items_total"]
    assert doc["total"]["covered_after"] == doc["total"]["covered_before"] + doc["items_total"]
    for i in doc["items"]:
        assert i["load_after"] <= doc["policy"]["contact_max"], i

    assert c.get("/proposals/contacts", params={"scope": OTHER_TOWNSHIP}).status_code == 404
    assert c.get("/proposals/contacts/export", params={"scope": OTHER_TOWNSHIP}).status_code == 404

    r = c.get("/proposals/contacts/export", params={"as_of": DAY})
    assert r.status_code == 200, r.text
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert tuple(rows[0]) == HEADERS
    got = [(row[0], row[3]) for row in rows[1:]]
    assert got == [(p["member"], p["household"]) for p in _pairs(doc)]
    assert all(row[2] == "农户" and row[5] == DAY for row in rows[1:])


def test_the_exported_roster_imports_cleanly(writers: dict[str, httpx.Client]) -> None:
    doc = _proposal(writers["county"])
    r = writers["county"].get("/proposals/contacts/export", params={"as_of": DAY})
    r = writers["county"].post(
        "/imports/contacts",
        files={"files": ("建议.xlsx", r.content)},
        params={"dry_run": True},
    )
    assert r.status_code == 200, r.text
    (f,) = r.json()["files"]
    assert f["rejected"] == [] and f["errors"] == []
    assert f["created"] == doc["items_total"]


def test_a_bad_pair_writes_nothing_and_is_named(
    writers: dict[str, httpx.Client], write_live: tuple[str, Path]
) -> None:
    c = writers["township"]
    doc = _proposal(c)
    before = _uncovered(c, TOWNSHIP)
    outside = _proposal(writers["county"], scope=OTHER_TOWNSHIP)["items"][0]
    pairs = [*_pairs(doc)[:3], {"member": outside["member"]["id"], "household": "NO-SUCH"}]
    r = c.post("/proposals/contacts/apply", json={"as_of": DAY, "pairs": pairs})
    assert r.status_code == 422, r.text
    body = r.json()
    assert "未做任何修改" in body["detail"]
    assert "errors" not in body, "errors is for request validation; refused names the pairs"
    assert [e["member"] for e in body["refused"]] == [outside["member"]["id"]]
    assert "不在范围内" in body["refused"][0]["message"]
    assert _uncovered(c, TOWNSHIP) == before, "a refused apply must write nothing"

    same = _pairs(doc)[0]
    twice = [same, {"member": _pairs(doc)[1]["member"], "household": same["household"]}]
    r = c.post("/proposals/contacts/apply", json={"as_of": DAY, "pairs": twice})
    assert r.status_code == 422 and "已分给" in r.json()["refused"][0]["message"]

    assert writers["viewer"].post(
        "/proposals/contacts/apply", json={"as_of": DAY, "pairs": pairs[:1]}
    ).status_code in (403, 404)
    entries = AuditLog(write_live[1] / "audit").read()
    assert any(e["action"] == "proposals.apply" and e["result"] == "failed" for e in entries)


@pytest.mark.parametrize("scope", [TOWNSHIP])
def test_applying_closes_exactly_the_proposed_gaps_once(
    writers: dict[str, httpx.Client], scope: str
) -> None:
    c = writers["township"]
    doc = _proposal(c, scope=scope)
    before = _uncovered(c, scope)
    pairs = _pairs(doc)
    r = c.post("/proposals/contacts/apply", json={"as_of": DAY, "pairs": pairs})
    assert r.status_code == 200, r.text
    assert r.json() == {"as_of": DAY, "created": len(pairs), "kept": 0}
    assert _uncovered(c, scope) == before - len(pairs)
    again = _proposal(c, scope=scope)
    assert again["items_total"] == 0, "the proposal was already the most coverage possible"
    assert again["total"]["covered_before"] == doc["total"]["covered_after"]

    r = c.post("/proposals/contacts/apply", json={"as_of": DAY, "pairs": pairs})
    assert r.status_code == 200 and r.json() == {"as_of": DAY, "created": 0, "kept": len(pairs)}
    assert _uncovered(c, scope) == before - len(pairs)
    loads = (
        writers["county"]
        .get(
            "/gaps",
            params={"type": "member_contact_load", "scope": scope, "as_of": DAY, "page_size": 500},
        )
        .json()["items"]
    )
    ours = {p["member"] for p in pairs}
    over = [i for i in loads if i["id"] in ours and i["households"] > doc["policy"]["contact_max"]]
    assert over == [], "no member of the proposal may end above contact_max"


def test_duty_proposals_are_scoped_and_their_roster_imports(
    writers: dict[str, httpx.Client],
) -> None:
    county = writers["county"]
    r = county.get("/proposals/duties", params={"as_of": DAY})
    assert r.status_code == 200, r.text
    doc = r.json()
    gaps = county.get(
        "/gaps", params={"type": "hamlet_no_cadre", "as_of": DAY, "page_size": 500}
    ).json()
    open_ids = {i["id"] for i in gaps["items"]}
    placed = [t["id"] for i in doc["cadres"]["items"] for t in i["targets"]]
    unplaced = [t["id"] for i in doc["cadres"]["unassigned"] for t in i["targets"]]
    assert sorted(placed + unplaced) == sorted(open_ids), "every open hamlet or group, once"
    assert placed and doc["groups"]["items"], "the tiny demo has cadres and groups to propose"
    for item in doc["cadres"]["unassigned"]:
        assert item["reason"] in ("no_cadre", "cadres_full")
    no_group = county.get(
        "/gaps", params={"type": "member_no_group", "as_of": DAY, "page_size": 500}
    ).json()
    assert [i["member"]["id"] for i in doc["groups"]["items"]] == [
        i["id"] for i in no_group["items"]
    ]

    r = writers["township"].get("/proposals/duties", params={"as_of": DAY, "scope": OTHER_TOWNSHIP})
    assert r.status_code == 404
    mine = writers["township"].get("/proposals/duties", params={"as_of": DAY}).json()
    for item in mine["cadres"]["items"] + mine["cadres"]["unassigned"]:
        assert item["village"]["code"].startswith(TOWNSHIP)

    r = county.get("/proposals/duties/export", params={"as_of": DAY})
    assert r.status_code == 200, r.text
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert tuple(rows[0]) == HEADERS and len(rows) - 1 == len(placed)
    assert {row[2] for row in rows[1:]} <= {"村民小组", "党小组"}
    r = county.post(
        "/imports/contacts", files={"files": ("包组.xlsx", r.content)}, params={"dry_run": True}
    )
    assert r.status_code == 200, r.text
    (f,) = r.json()["files"]
    assert f["rejected"] == [] and f["errors"] == [] and f["created"] == len(placed)
