"""GET /first_secretaries/villages over HTTP against the real API on the tiny demo county, on
both engines (docs/rules.md "第一书记", the village view): every village organisation the
screening lists, with its 第一书记 in office and the ids the two appointment rules find; 未导入
(no_data) before any appointment begins, never "none missing"; scoped like every read route,
with a 第一书记 outside the caller's scope withheld together with the appointment's id."""

from __future__ import annotations

from typing import Any

import httpx

from orgraph.client import OrgraphClient
from tests.api.conftest import AS_OF

DAY = AS_OF.isoformat()
ROUTE = "/first_secretaries/villages"
TOWNSHIP = "330226101"
OTHER_TOWNSHIP = "330226203"
NOT_YOURS = "不存在或不在您的管辖范围内"


def _get(c: httpx.Client, **params: Any) -> dict[str, Any]:
    r = c.get(ROUTE, params={"as_of": DAY, **params})
    assert r.status_code == 200, r.text
    doc: dict[str, Any] = r.json()
    return doc


def _ids(c: httpx.Client, gap: str, **params: Any) -> set[str]:
    r = c.get("/gaps", params={"type": gap, "as_of": DAY, "page_size": 500, **params})
    assert r.status_code == 200, r.text
    return {str(i["id"]) for i in r.json()["items"]}


def test_the_village_view_agrees_with_the_screening_and_the_rules(
    clients: dict[str, httpx.Client], url: str
) -> None:
    county = clients["county"]
    doc = _get(county)
    assert doc["as_of"] == DAY and doc["no_data"] is False, "the demo imports 第一书记"
    rows = doc["rows"]
    screening = county.get("/screening", params={"as_of": DAY}).json()
    assert sorted(r["org"]["id"] for r in rows) == sorted(
        i["org"]["id"] for i in screening["items"]
    )
    assert [r["village"]["code"] for r in rows] == sorted(r["village"]["code"] for r in rows)
    listed = {i["org"]["id"]: i["listed"] for i in screening["items"]}
    assert all(r["listed"] == listed[r["org"]["id"]] for r in rows)
    assert any(r["first_secretaries"] for r in rows)
    assert any(r["village"]["lon"] is not None for r in rows), "the demo has coordinates"
    for r in rows:
        here = {f["id"] for f in r["first_secretaries"]}
        assert set(r["absent"]) <= here and set(r["ending"]) <= here, r
        for f in r["first_secretaries"]:
            assert f["member"]["hidden"] is False and f["org"]["id"] and f["since"] <= DAY
    # the ids the rules find are the ones the rows name (the demo plants both cases)
    absent = {i for r in rows for i in r["absent"]}
    ending = {i for r in rows for i in r["ending"]}
    assert absent == _ids(county, "first_secretary_absent") and absent
    assert ending == _ids(county, "first_secretary_ending") and ending
    weak = {r["org"]["id"] for r in rows if r["listed"] and not r["first_secretaries"]}
    assert weak and weak <= _ids(county, "weak_no_first_secretary")

    # the typed client reads the same answer
    token = str(county.headers["Authorization"]).removeprefix("Bearer ")
    with OrgraphClient(url, token=token) as api:
        assert api.first_secretary_villages(as_of=DAY) == doc

    # before any appointment begins: 未导入, and no village reads as having none missing
    early = _get(county, as_of="2015-01-01")
    assert early["no_data"] is True and early["rows"]
    assert all(not r["first_secretaries"] and not r["absent"] for r in early["rows"])
    # the first day of the calendar: the absence window reaching back before it is not a 500
    assert _get(county, as_of="0001-01-01")["no_data"] is True
    assert _ids(county, "first_secretary_absent", as_of="0001-01-01") == set()


def test_the_village_view_is_scoped(clients: dict[str, httpx.Client]) -> None:
    county = _get(clients["county"])
    by_org = {r["org"]["id"]: r for r in county["rows"]}
    mine = _get(clients["township"])
    assert mine["rows"] and all(r["township"]["code"] == TOWNSHIP for r in mine["rows"])
    assert [r["org"]["id"] for r in mine["rows"]] == [
        r["org"]["id"] for r in county["rows"] if (r["township"] or {}).get("code") == TOWNSHIP
    ]
    assert _get(clients["county"], scope=TOWNSHIP)["rows"] == [
        by_org[r["org"]["id"]] for r in mine["rows"]
    ]
    page = clients["township"].get("/members", params={"page_size": 500}).json()
    assert page["total"] <= 500
    members = {m["id"] for m in page["items"]}
    withheld = 0
    for r in mine["rows"]:
        whole = by_org[r["org"]["id"]]
        hidden = set()
        for f, g in zip(r["first_secretaries"], whole["first_secretaries"], strict=True):
            if g["member"]["id"] in members:
                assert f == {**g, "member": {**g["member"], "hidden": False}}
            else:  # a 第一书记 from outside the township: withheld, with the id naming them
                assert f["member"] == {"id": None, "name": "（范围外人员）", "hidden": True}
                assert f["id"] is None and f["since"] == g["since"]
                hidden.add(g["id"])
        withheld += len(hidden)
        for key in ("absent", "ending"):
            assert r[key] == [None if i in hidden else i for i in whole[key]]
    assert withheld, "the demo's 第一书记 come from county organs, outside a township"
    # outside the scope: 404 in the words of anything outside it
    r = clients["township"].get(ROUTE, params={"scope": OTHER_TOWNSHIP, "as_of": DAY})
    assert r.status_code == 404 and NOT_YOURS in r.json()["detail"], r.text
    # a village user: its village, the township above withheld
    village = _get(clients["village"])
    assert village["rows"]
    for row in village["rows"]:
        assert row["township"] is None or row["township"].get("hidden") is True
