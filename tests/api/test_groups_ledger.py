"""The township ranking of party groups and the 流动红旗, and recording the ledgers by hand (one
inspection, one 第一书记 appointment), over HTTP against the real API on the tiny demo county
(docs/rules.md "Township ranking of party groups and the 流动红旗", "The rectification ledger
(整顿台账) and inspections (督查记录)", "第一书记"): the ranking scoped to the caller's township,
its Excel list with Chinese headers; a recorded inspection or appointment in the very next
answer (a change-log delta, not a reload); bad input refused in Chinese, nothing written."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from pathlib import Path
from typing import Any

import httpx
from openpyxl import load_workbook

from orgraph.client import OrgraphClient
from orgraph.policy import Policy
from orgraph.records import ranking_sheet
from orgraph.security.audit import AuditLog
from orgraph.store import GraphStore
from tests.api.conftest import API, AS_OF, PASSWORD, login, user_store
from tests.ranking_by_hand import recompute

TOWNSHIP = "330226101"
OTHER_TOWNSHIP = "330226203"
DAY = AS_OF.isoformat()
NOT_YOURS = "不存在或不在您的管辖范围内"


def _ok(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def _refused(r: httpx.Response, status: int, words: str) -> str:
    """A refusal with the project's problem body and a Chinese detail containing words."""
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    detail: str = body["detail"]
    said = detail + "".join(e["message"] for e in body.get("errors", []))
    assert words in said, body
    assert not detail.isascii(), detail
    return detail


def _ranking(c: httpx.Client, township: str = TOWNSHIP, **params: Any) -> dict[str, Any]:
    doc: dict[str, Any] = _ok(
        c.get("/groups/ranking", params={"township": township, "as_of": DAY, **params})
    )
    return doc


def _gaps(c: httpx.Client, type: str, **params: Any) -> dict[str, Any]:
    doc: dict[str, Any] = _ok(
        c.get("/gaps", params={"type": type, "as_of": DAY, "page_size": 500, **params})
    )
    return doc


def _health(url: str) -> dict[str, Any]:
    fresh: dict[str, Any] = _ok(httpx.get(f"{url}{API}/health", timeout=30))["projection"]
    return fresh


# -- the ranking -------------------------------------------------------------------------------


def test_a_township_ranks_its_groups_and_only_its_own(
    clients: dict[str, httpx.Client], url: str
) -> None:
    county = _ranking(clients["county"])
    assert county["township"]["code"] == TOWNSHIP and county["quarter"] == "2026-Q3"
    assert county["as_of"] == DAY and county["rows"], "the demo township has party groups"
    rows = county["rows"]
    assert [(-r["points"], r["id"]) for r in rows] == sorted((-r["points"], r["id"]) for r in rows)
    for r in rows:
        assert r["rank"] == 1 + sum(1 for x in rows if x["points"] > r["points"])
        assert r["id"].startswith("D" + TOWNSHIP), r["id"]
    flag = county["red_flag"]
    if flag is not None:
        assert flag["id"] == rows[0]["id"] and flag["points"] >= Policy().red_flag_min_points
    else:
        assert rows[0]["points"] < Policy().red_flag_min_points

    # The township user: its own township, the same answer; another township is outside its
    # scope (404 in the words of any object outside it), so is any township for a village.
    assert _ranking(clients["township"]) == county
    assert _ranking(clients["county"], OTHER_TOWNSHIP)["township"]["code"] == OTHER_TOWNSHIP
    params = {"township": OTHER_TOWNSHIP, "as_of": DAY}
    _refused(clients["township"].get("/groups/ranking", params=params), 404, NOT_YOURS)
    _refused(clients["township"].get("/groups/ranking/export", params=params), 404, NOT_YOURS)
    _refused(clients["village"].get("/groups/ranking", params=params), 404, NOT_YOURS)

    # A quarter not yet over, or not a quarter: 422 in Chinese; an explicit quarter answers.
    q2 = _ranking(clients["county"], quarter="2026-Q2")
    assert q2["quarter"] == "2026-Q2" and {r["id"] for r in q2["rows"]} == {r["id"] for r in rows}
    for bad, words in (("2026-Q4", "尚未结束"), ("2026-Q5", "季度"), ("下季度", "季度")):
        r = clients["county"].get(
            "/groups/ranking", params={"township": TOWNSHIP, "quarter": bad, "as_of": DAY}
        )
        _refused(r, 422, words)
    _refused(clients["county"].get("/groups/ranking", params={"as_of": DAY}), 422, "")
    # a code that is not a township
    r = clients["county"].get("/groups/ranking", params={"township": "330226101201", "as_of": DAY})
    _refused(r, 404, "乡镇")

    # the typed client reads the same answer
    with OrgraphClient(url, token=_token(clients["county"])) as api:
        assert api.group_ranking(TOWNSHIP, as_of=DAY) == county
        got = api.export_group_ranking(TOWNSHIP, as_of=DAY)
        assert got.filename.endswith(".xlsx") and got.content[:2] == b"PK"


def _token(c: httpx.Client) -> str:
    return str(c.headers["Authorization"]).removeprefix("Bearer ")


def test_the_ranking_export_is_the_list_a_township_publishes(
    clients: dict[str, httpx.Client], live: tuple[str, Any, Path]
) -> None:
    doc = _ranking(clients["township"])
    r = clients["township"].get(
        "/groups/ranking/export", params={"township": TOWNSHIP, "as_of": DAY}
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["党小组季度排名", "计分办法"]
    ws = wb["党小组季度排名"]
    cells = [list(row) for row in ws.iter_rows(values_only=True)]
    assert doc["township"]["name"] in str(cells[0][0]) and "2026年第3季度" in str(cells[0][0])
    line = str(cells[1][0])
    if doc["red_flag"] is None:
        assert line == "本季度无党小组达到流动红旗分数线"
    else:
        assert line.startswith("流动红旗") and doc["red_flag"]["name"] in line
    assert tuple(cells[3][:12]) == (
        "名次",
        "党小组",
        "所属支部",
        "月总结月数",
        "是否督查",
        "党小组会月数",
        "人数",
        "人数合规",
        "在家党员数",
        "联户达标人数",
        "得分",
        "上年度考评",
    )
    body = cells[4:]
    assert len(body) == len(doc["rows"])
    for row, want in zip(body, doc["rows"], strict=True):
        assert row[0] == want["rank"] and row[1] == want["name"] and row[10] == want["points"]
        if not doc["records"]:  # no group records: 未导入, never 0
            assert row[3] == row[4] == "未导入"
    # #14 acceptance: the points, ranks and 流动红旗 follow from the exported figures by hand
    assert [name for name, _ in recompute(r.content)] == [w["name"] for w in doc["rows"]]
    key = [list(row) for row in wb["计分办法"].iter_rows(values_only=True)]
    assert key[0] == ["计分项", "说明", "分值"]
    fields = {row[0]: row for row in key[1:]}
    assert set(fields) == set(ranking_sheet.POINT_FIELDS)
    for name, row in fields.items():
        assert row[2] == getattr(Policy(), name) and not str(row[1]).isascii(), row
    entries = AuditLog(live[2] / "audit").read()
    assert any(
        e["action"] == "groups.export" and e["result"] == "ok" and e["target"] == TOWNSHIP
        for e in entries
    )


# -- recording an inspection -------------------------------------------------------------------


def _inspection_day(quarter: str) -> str:
    """A day in the middle month of a quarter label."""
    year, n = quarter.split("-Q")
    return dt.date(int(year), 3 * int(n) - 1, 15).isoformat()


def test_an_inspection_reaches_the_next_answer_as_a_delta(
    writers: dict[str, httpx.Client], write_live: tuple[str, Path], write_store: GraphStore
) -> None:
    url = write_live[0]
    c = writers["township"]
    before = _gaps(c, "rectification_no_inspection")
    assert not before["no_data"] and before["items"], "the demo has rectifications uninspected"
    item = before["items"][0]
    org, missed = item["id"], item["missed"]
    on = _inspection_day(missed[-1])
    ranking = _ranking(c)
    first = _health(url)

    body = {"org": org, "on": on, "inspector": "县委组织部督查组", "findings": "未制定一村一策"}
    done = _ok(c.post("/inspections", json={**body, "follow_up": "整改中"}), 201)
    assert done["id"] == f"{org}|{on}|县委组织部督查组" and done["created"] is True
    assert done["follow_up"] == "open"

    after = _gaps(c, "rectification_no_inspection")
    now = {i["id"]: i for i in after["items"]}
    if missed == [missed[-1]]:
        assert org not in now
    else:
        assert now[org]["missed"] == missed[:-1] and now[org]["last"] == on
    second = _health(url)
    assert second["loads"] == first["loads"] and second["deltas"] > first["deltas"], second
    # The ranking's 督查 is a group record's inspected_on (党小组工作记录), not an inspection
    # of the branch: the ranking does not move.
    assert _ranking(c) == ranking

    again = _ok(c.post("/inspections", json={**body, "follow_up": "done"}), 201)
    assert again["id"] == done["id"] and again["created"] is False
    stored = write_store.read("inspection_states", ids=[done["id"]])
    assert [r["follow_up"] for r in stored] == ["done"]
    entries = AuditLog(write_live[1] / "audit").read()
    assert any(
        e["action"] == "inspection.record" and e["result"] == "ok" and e["target"] == org
        for e in entries
    )


def test_a_bad_inspection_is_refused_in_chinese_and_writes_nothing(
    writers: dict[str, httpx.Client], write_store: GraphStore
) -> None:
    c, county = writers["township"], writers["county"]
    ranking = _ranking(c)
    group = ranking["rows"][0]["id"]
    branch = ranking["rows"][0]["branch"]["id"]
    other = _ranking(county, OTHER_TOWNSHIP)["rows"][0]["branch"]["id"]
    ok = {"org": branch, "on": "2026-08-15", "inspector": "错误测试组"}
    before = _gaps(county, "rectification_no_inspection")
    for bad, status, words in (
        ({**ok, "org": group}, 422, "党小组"),
        ({**ok, "org": other}, 404, NOT_YOURS),
        ({**ok, "org": "NO-SUCH-ORG"}, 404, NOT_YOURS),
        ({**ok, "on": "2099-01-01"}, 422, "晚于今天"),
        ({**ok, "on": "2026/08/15"}, 422, "日期"),
        ({**ok, "follow_up": "不知道"}, 422, "整改情况"),
        ({**ok, "inspector": "  "}, 422, ""),
        ({**ok, "extra": 1}, 422, ""),
    ):
        _refused(c.post("/inspections", json=bad), status, words)
    r = writers["viewer"].post("/inspections", json={**ok, "org": "D330226101201"})
    _refused(r, 403, "")
    ids = [
        f"{o}|{d}|{who}"
        for o in (branch, group, other, "NO-SUCH-ORG", "D330226101201")
        for d in ("2026-08-15", "2099-01-01")
        for who in ("错误测试组",)
    ]
    assert write_store.read("inspection_states", ids=ids) == []
    assert _gaps(county, "rectification_no_inspection") == before


# -- recording a 第一书记 ------------------------------------------------------------------------


def _weak_org(c: httpx.Client) -> dict[str, Any]:
    """A listed (软弱涣散) village organisation with no 第一书记 in office at DAY."""
    gaps = _gaps(c, "weak_no_first_secretary")
    screening = _ok(c.get("/screening", params={"as_of": DAY}))
    listed = [i for i in screening["items"] if i["listed"]]
    if not gaps["no_data"]:
        ids = {i["id"] for i in gaps["items"]}
        listed = [i for i in listed if i["org"]["id"] in ids]
    assert listed, "the demo has a weak village without a 第一书记"
    return dict(listed[-1])


def test_a_first_secretary_shows_in_the_chain_and_the_weak_list(
    writers: dict[str, httpx.Client], write_live: tuple[str, Path], write_store: GraphStore
) -> None:
    url, data = write_live
    county = writers["county"]
    weak = _weak_org(county)
    org, village, township = weak["org"]["id"], weak["village"]["code"], weak["township"]["code"]
    # a member from another township: outside the scope of the village's township user
    away = TOWNSHIP if township != TOWNSHIP else OTHER_TOWNSHIP
    member = _ok(county.get("/members", params={"scope": away, "page_size": 5}))["items"][0]
    household = _ok(county.get("/households", params={"scope": village, "page_size": 1}))["items"]
    assert household, village
    hid = household[0]["id"]
    first = _health(url)

    body = {"member": member["id"], "org": org, "since": "2026-09-01", "sent_by": "县农业农村局"}
    done = _ok(county.post("/first_secretaries", json=body), 201)
    assert done["id"] == f"{member['id']}|{org}|2026-09-01" and done["created"] is True

    gaps = _gaps(county, "weak_no_first_secretary")
    assert not gaps["no_data"] and org not in {i["id"] for i in gaps["items"]}
    chain = _ok(county.get(f"/households/{hid}/chain", params={"as_of": DAY}))
    level = next(lv for lv in chain["levels"] if lv["level"] == "village")
    mine = [f for f in level["first_secretaries"] if f["id"] == done["id"]]
    assert len(mine) == 1, level
    assert mine[0]["member"] == {"id": member["id"], "name": member["name"], "hidden": False}
    assert mine[0]["org"]["id"] == org and mine[0]["sent_by"] == "县农业农村局"
    assert mine[0]["since"] == "2026-09-01" and mine[0]["until"] is None
    second = _health(url)
    assert second["loads"] == first["loads"] and second["deltas"] > first["deltas"], second

    # The township user of the village sees that a 第一书记 is in office, not who (the member
    # is outside its scope), nor the appointment's id, which names the member.
    user_store(data).add("fs-viewer", PASSWORD, role="township_admin", scope=township)
    with contextlib.closing(login(url, "fs-viewer")) as local:
        seen = _ok(local.get(f"/households/{hid}/chain", params={"as_of": DAY}))
        level = next(lv for lv in seen["levels"] if lv["level"] == "village")
        hidden = [f for f in level["first_secretaries"] if f["since"] == "2026-09-01"]
        assert hidden and hidden[0]["member"]["hidden"] is True and hidden[0]["id"] is None
        assert member["id"] not in r_text(local, hid) and member["name"] not in r_text(local, hid)

    # before since: not in office, the weak list names the org again
    early = _gaps(county, "weak_no_first_secretary", as_of="2026-08-01")
    assert org in {i["id"] for i in early["items"]}
    # ending it before DAY: the org is listed again at DAY
    _ok(county.post("/first_secretaries", json={**body, "until": "2026-10-01"}), 201)
    assert org in {i["id"] for i in _gaps(county, "weak_no_first_secretary")["items"]}
    stored = write_store.read("first_secretary_states", ids=[done["id"]])
    assert [(r["since"], r["until"]) for r in stored] == [("2026-09-01", "2026-10-01")]
    entries = AuditLog(data / "audit").read()
    assert any(
        e["action"] == "first_secretary.record" and e["result"] == "ok" and e["target"] == org
        for e in entries
    )


def r_text(c: httpx.Client, hid: str) -> str:
    return c.get(f"/households/{hid}/chain", params={"as_of": DAY}).text


def test_a_bad_first_secretary_is_refused_in_chinese_and_writes_nothing(
    writers: dict[str, httpx.Client], write_store: GraphStore
) -> None:
    c, county = writers["township"], writers["county"]
    ranking = _ranking(c)
    group, branch = ranking["rows"][0]["id"], ranking["rows"][0]["branch"]["id"]
    mine = _ok(c.get("/members", params={"page_size": 1}))["items"][0]["id"]
    theirs = _ok(county.get("/members", params={"scope": OTHER_TOWNSHIP, "page_size": 1}))["items"][
        0
    ]["id"]
    ok = {"member": mine, "org": branch, "since": "2026-03-01"}
    for bad, status, words in (
        ({**ok, "org": group}, 422, "党小组"),
        ({**ok, "member": theirs}, 404, NOT_YOURS),
        ({**ok, "member": "NOSUCH1"}, 404, NOT_YOURS),
        ({**ok, "org": "NO-SUCH-ORG"}, 404, NOT_YOURS),
        ({**ok, "until": "2026-02-28"}, 422, "早于派驻日期"),
        ({**ok, "since": "2026-3-1"}, 422, "日期"),
        ({k: v for k, v in ok.items() if k != "since"}, 422, ""),
    ):
        _refused(c.post("/first_secretaries", json=bad), status, words)
    _refused(writers["viewer"].post("/first_secretaries", json=ok), 403, "")
    ids = [f"{m}|{o}|2026-03-01" for m in (mine, theirs, "NOSUCH1") for o in (branch, group)]
    assert write_store.read("first_secretary_states", ids=ids) == []
