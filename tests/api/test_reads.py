"""Every read endpoint over the tiny demo: answers, paging, filters, and the 404/422 rules."""

from __future__ import annotations

import httpx
import pytest

from orgraph.analysis.engine import Engine
from orgraph.store import GraphStore
from orgraph.vocab import GAP_TYPE_NAMES as RULE_TYPES
from tests.api.conftest import API, AS_OF

D = AS_OF.isoformat()


def test_health_needs_no_token(url: str) -> None:
    r = httpx.get(f"{url}{API}/health")
    assert r.status_code == 200 and r.json()["status"] == r.json()["store"] == "ok"
    assert set(r.json()["projection"]) >= {"revision", "seq", "loads", "deltas"}


def test_policy(clients: dict[str, httpx.Client]) -> None:
    doc = clients["viewer"].get("/policy").json()
    assert doc["contact_min"] == 3 and doc["branch_max"] == 50
    rows = clients["viewer"].get("/policy/rows").json()["rows"]
    assert {r["name"] for r in rows} >= {"contact_min", "exempt_age"}


def test_tree_of_a_township(clients: dict[str, httpx.Client]) -> None:
    doc = clients["township"].get("/tree").json()
    assert doc["scope"] == {"ref": "330226101", "name": "长街镇", "kind": "area"}
    codes = {a["code"] for a in doc["areas"]}
    assert "330226101" in codes and all(c.startswith("330226101") for c in codes)
    top = next(a for a in doc["areas"] if a["code"] == "330226101")
    assert top["parent"] is None  # the county above is outside the scope
    assert all(o["id"].startswith("D330226101") for o in doc["orgs"])
    branch = next(o for o in doc["orgs"] if o["id"] == "D330226101201")
    assert branch["members"] > 0 and branch["area"]["code"] == "330226101201"


def test_areas_and_orgs(clients: dict[str, httpx.Client]) -> None:
    c = clients["county"]
    village = c.get("/areas/330226203203").json()
    assert village["name"] == "陈家洋村" and village["level"] == "village"
    assert village["parent"] == "330226203" and isinstance(village["lon"], float)
    kids = c.get("/areas/330226203203/children").json()["items"]
    assert [k["code"] for k in kids] == sorted(k["code"] for k in kids)
    assert all(k["parent"] == "330226203203" and k["level"] == "hamlet" for k in kids)
    org = c.get("/orgs/D330226-LD01").json()
    assert org["kind"] == "mobile_branch" and org["host_area"]["name"] == "东莞市"
    kids = c.get("/orgs/D330226203203/children").json()["items"]
    assert {k["kind"] for k in kids} == {"group"}


def test_members_list_filters_and_paging(clients: dict[str, httpx.Client]) -> None:
    c = clients["township"]
    first = c.get("/members", params={"page_size": 10}).json()
    assert first["page_size"] == 10 and len(first["items"]) == 10 and first["total"] > 10
    second = c.get("/members", params={"page_size": 10, "page": 2}).json()
    ids = [m["id"] for m in first["items"] + second["items"]]
    assert ids == sorted(ids) and len(set(ids)) == 20
    row = first["items"][0]
    assert set(row) == {
        "id",
        "name",
        "gender",
        "category",
        "branch",
        "phone",
        "id_masked",
        "away",
        "on_roll",
    }
    assert "****" in row["phone"] and "********" in row["id_masked"]
    away = c.get("/members", params={"away": True, "page_size": 500}).json()
    assert away["total"] > 0 and all(m["away"] for m in away["items"])
    named = c.get("/members", params={"q": row["name"]}).json()
    assert row["id"] in {m["id"] for m in named["items"]}
    branch = c.get("/members", params={"branch": "D330226101201", "page_size": 500}).json()
    assert branch["total"] > 0
    assert all(m["branch"]["id"] == "D330226101201" for m in branch["items"])
    beyond = c.get("/members", params={"page": 999}).json()
    assert beyond["items"] == [] and beyond["total"] == first["total"]


def test_member_detail_masks_unless_revealed(clients: dict[str, httpx.Client]) -> None:
    c = clients["township"]
    key = c.get("/members", params={"page_size": 1}).json()["items"][0]["id"]
    masked = c.get(f"/members/{key}").json()
    assert "****" in masked["phone"] and masked["phone_revealed"] is False
    full = c.get(f"/members/{key}", params={"reveal": True}).json()
    assert full["phone"].isdigit() and len(full["phone"]) == 11 and full["phone_revealed"]
    assert full["phone"][:3] == masked["phone"][:3] and full["phone"][-4:] == masked["phone"][-4:]
    refused = clients["village"].get("/members/330226D0000094", params={"reveal": True})
    assert refused.status_code == 403


def test_households(clients: dict[str, httpx.Client], demo_store: GraphStore) -> None:
    c = clients["village"]
    doc = c.get("/households", params={"page_size": 500}).json()
    assert doc["total"] == len(doc["items"]) > 0
    assert all(h["village"]["code"] == "330226203203" for h in doc["items"])
    assert all(h["township"] is None for h in doc["items"])  # above the village's scope
    one = doc["items"][0]
    hit = c.get("/households", params={"q": one["head_name"]}).json()
    assert one["id"] in {h["id"] for h in hit["items"]}
    detail = c.get(f"/households/{one['id']}").json()
    assert detail["hamlet"]["code"].startswith("330226203203") and detail["address"]
    county = clients["county"].get("/households", params={"covered": False, "page_size": 1}).json()
    engine = Engine(demo_store)
    today_gaps = engine.gaps("household_uncovered", page_size=1)
    assert county["total"] == today_gaps["total"]


def test_chain_and_contacts(clients: dict[str, httpx.Client]) -> None:
    c = clients["county"]
    hid = c.get("/households", params={"covered": True, "page_size": 1}).json()["items"][0]["id"]
    chain = c.get(f"/households/{hid}/chain", params={"as_of": D}).json()
    assert chain["as_of"] == D and chain["levels"][0]["level"] == "household"
    people = chain["levels"][0]["people"]
    assert people and not people[0]["hidden"]
    contacts = c.get("/contacts", params={"household": hid}).json()
    assert {x["member"]["id"] for x in contacts["items"]} >= {p["id"] for p in people}
    member = people[0]["id"]
    mine = c.get("/contacts", params={"member": member}).json()
    assert hid in {x["household"]["id"] for x in mine["items"]}
    everything = c.get("/contacts", params={"page_size": 1}).json()
    village = c.get("/contacts", params={"scope": "330226203203", "page_size": 500}).json()
    assert everything["total"] > village["total"] > 0
    assert all(x["household"]["id"].startswith("330226203203") for x in village["items"])


def test_village_sees_who_is_above_only_as_withheld(clients: dict[str, httpx.Client]) -> None:
    c = clients["village"]
    hid = c.get("/households", params={"page_size": 1}).json()["items"][0]["id"]
    chain = c.get(f"/households/{hid}/chain", params={"as_of": D}).json()
    above = [
        p for lv in chain["levels"] if lv["level"] in ("village", "township") for p in lv["people"]
    ]
    assert above and all(p["hidden"] and p["id"] is None for p in above)
    township = next(lv for lv in chain["levels"] if lv["level"] == "township")
    assert township["area"] is None


def test_coverage_summary_gaps(clients: dict[str, httpx.Client], demo_store: GraphStore) -> None:
    c = clients["county"]
    engine = Engine(demo_store)
    cov = c.get("/coverage", params={"level": "township", "as_of": D}).json()
    assert cov == engine.coverage(level="township", as_of=D)
    summary = c.get("/gaps/summary", params={"as_of": D}).json()
    assert summary["counts"] == engine.summary(as_of=D)["counts"]
    assert summary["labels"]["household_uncovered"] == "农户无联系党员"
    for t in RULE_TYPES:
        page = c.get("/gaps", params={"type": t, "as_of": D, "page_size": 500}).json()
        assert page == engine.with_past(engine.gaps(t, as_of=D, page_size=500, ages=True))
    village = c.get("/gaps/summary", params={"scope": "330226203203", "as_of": D}).json()
    own = clients["village"].get("/gaps/summary", params={"as_of": D}).json()
    assert village == own


def test_outflows_and_reports(clients: dict[str, httpx.Client]) -> None:
    c = clients["county"]
    doc = c.get("/outflows", params={"page_size": 500}).json()
    assert doc["total"] == len(doc["items"]) > 0
    lefts = [o["left_on"] for o in doc["items"]]
    assert lefts == sorted(lefts, reverse=True)
    assert all(o["phone_away"] is None or "****" in o["phone_away"] for o in doc["items"])
    still = c.get("/outflows", params={"open": True, "as_of": D, "page_size": 500}).json()
    assert 0 < still["total"] < doc["total"] and all(
        o["returned_on"] is None or o["returned_on"] > D for o in still["items"]
    )
    key = doc["items"][0]["member"]["id"]
    assert c.get("/outflows", params={"member": key}).json()["total"] >= 1
    reports = c.get("/reports", params={"page_size": 5}).json()
    assert reports["total"] > 5 and len(reports["items"]) == 5
    ranged = c.get("/reports", params={"since": "2026-10-01", "until": "2026-10-31"}).json()
    assert all("2026-10-01" <= r["on"] <= "2026-10-31" for r in ranged["items"])


@pytest.mark.parametrize(
    "path, params, wanted",
    [
        ("/members", {"page_size": 501}, "page_size"),
        ("/members", {"page": 0}, "page"),
        ("/gaps", {"type": "no_such_gap"}, "type"),
        ("/gaps", {}, "type"),
        ("/coverage", {"level": "galaxy"}, "level"),
        ("/coverage", {"as_of": "2026-13-40"}, "as_of"),
        ("/members", {"away": "maybe"}, "away"),
        ("/gaps/export", {"type": "group_size", "format": "pdf"}, "format"),
    ],
)
def test_invalid_parameters_are_422_naming_the_field(
    clients: dict[str, httpx.Client], path: str, params: dict[str, str | int], wanted: str
) -> None:
    r = clients["county"].get(path, params=params)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert wanted in {e["field"] for e in body["errors"]}
    assert wanted in body["detail"] and body["detail"].startswith("请求参数有误")


def test_unknown_routes_and_methods_are_problems(clients: dict[str, httpx.Client]) -> None:
    r = clients["county"].get("/no/such/thing")
    assert r.status_code == 404 and r.json()["detail"] == "请求的地址不存在"
    r = clients["county"].delete("/members")
    assert r.status_code == 405 and r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "path",
    [
        "/members/330226D0000001",
        "/households/330226101201-0001",
        "/households/330226101201-0001/chain",
        "/areas/330226101",
        "/orgs/D330226101201",
        "/areas/330226101/children",
        "/orgs/D330226101201/children",
    ],
)
def test_objects_outside_the_scope_are_404_like_missing_ones(
    clients: dict[str, httpx.Client], path: str
) -> None:
    c = clients["village"]
    outside = c.get(path)
    missing = c.get(path.replace("330226", "999999"))
    assert outside.status_code == missing.status_code == 404
    assert "不存在或不在您的管辖范围内" in outside.json()["detail"]
    # The answer for an existing object outside reads like the one for a missing object.
    assert outside.json()["detail"].replace("330226", "999999") == missing.json()["detail"]
