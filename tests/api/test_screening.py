"""The 软弱涣散 screening (排查) over HTTP on the tiny demo county (docs/rules.md "软弱涣散
screening (排查)"): scoped like the other answers, an org's indicators the same from any scope,
refused outside the caller's scope, and the Excel export with its Chinese headers, one row per
screened organisation; the typed client reads the same answers."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from orgraph.client import OrgraphClient
from orgraph.policy import Policy
from orgraph.records import screening_sheet
from orgraph.security import UserStore
from orgraph.security.audit import AuditLog
from orgraph.vocab import SCREEN_INDICATOR_ZH, SCREEN_INDICATORS
from tests.api.conftest import AS_OF, PASSWORD

TOWNSHIP = "330226101"
OTHER_TOWNSHIP = "330226203"
DAY = AS_OF.isoformat()
NOT_YOURS = "不存在或不在您的管辖范围内"


def _screening(c: httpx.Client, **params: Any) -> dict[str, Any]:
    r = c.get("/screening", params={"as_of": DAY, **params})
    assert r.status_code == 200, r.text
    doc: dict[str, Any] = r.json()
    return doc


def _consistent(doc: dict[str, Any]) -> None:
    """The answer's own figures agree with its items (docs/rules.md)."""
    items = doc["items"]
    weights = {k: int(getattr(Policy(), f"screen_weight_{k}")) for k in SCREEN_INDICATORS}
    assert doc["screened"] == len(items)
    assert doc["candidates"] == sum(i["candidate"] for i in items)
    assert len({i["org"]["id"] for i in items}) == len(items)
    for i in items:
        assert [x["key"] for x in i["indicators"]] == list(SCREEN_INDICATORS)
        flagged = [x["key"] for x in i["indicators"] if x["flag"]]
        assert sorted(i["reasons"]) == sorted(flagged)
        assert [weights[k] for k in i["reasons"]] == sorted(
            (weights[k] for k in i["reasons"]), reverse=True
        )
        assert i["priority"] == sum(weights[k] for k in i["reasons"])
        assert i["candidate"] == bool(i["reasons"])
    order = [(not i["candidate"], -i["priority"], i["org"]["id"]) for i in items]
    assert order == sorted(order)
    assert doc["unlisted_candidates"] == sorted(
        i["org"]["id"] for i in items if i["candidate"] and not i["listed"]
    )


def test_county_and_township_screenings_agree(clients: dict[str, httpx.Client]) -> None:
    county = _screening(clients["county"])
    assert county["scope"] == "330226" and county["as_of"] == DAY
    assert county["screened"] > 0 and county["candidates"] > 0, "the demo has weak villages"
    _consistent(county)

    mine = _screening(clients["township"])  # a township user: its own scope by default
    asked = _screening(clients["county"], scope=TOWNSHIP)  # the county asking for it
    assert mine["scope"] == asked["scope"] == TOWNSHIP
    assert mine == asked
    _consistent(mine)
    assert 0 < mine["screened"] < county["screened"]
    assert all(i["township"]["code"] == TOWNSHIP for i in mine["items"])
    assert all(i["village"]["code"].startswith(TOWNSHIP) for i in mine["items"])

    by_org = {i["org"]["id"]: i for i in county["items"]}
    assert {i["org"]["id"] for i in mine["items"]} <= set(by_org)
    for i in mine["items"]:  # an org's figures never depend on the scope asked for
        assert i == by_org[i["org"]["id"]]
    assert set(mine["unlisted_candidates"]) <= set(county["unlisted_candidates"])
    assert set(mine["listed_without_reasons"]) <= set(county["listed_without_reasons"])
    ours = [i for i in county["items"] if (i["township"] or {}).get("code") == TOWNSHIP]
    assert [i["org"]["id"] for i in ours] == [i["org"]["id"] for i in mine["items"]]


def test_a_scope_outside_the_callers_is_refused(clients: dict[str, httpx.Client]) -> None:
    for path in ("/screening", "/screening/export"):
        r = clients["township"].get(path, params={"as_of": DAY, "scope": OTHER_TOWNSHIP})
        assert r.status_code == 404, r.text
        assert r.json()["detail"] == f"范围“{OTHER_TOWNSHIP}”{NOT_YOURS}"
        r = clients["village"].get(path, params={"as_of": DAY, "scope": "330226"})
        assert r.status_code == 404, r.text
    # A village user sees its village's organisation, not the township above it.
    village = _screening(clients["village"])
    assert village["screened"] >= 1
    for i in village["items"]:
        assert i["village"]["code"] == "330226203203"
        assert i["township"]["hidden"] is True and i["township"]["code"] is None


def test_the_export_opens_with_chinese_headers_and_a_row_per_org(
    clients: dict[str, httpx.Client], live: tuple[str, UserStore, Path]
) -> None:
    doc = _screening(clients["county"])
    r = clients["county"].get("/screening/export", params={"as_of": DAY})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["排查名单", "指标说明"]
    rows = list(wb["排查名单"].iter_rows(values_only=True))
    head = list(rows[0])
    assert head[:8] == [
        "党组织",
        "组织编号",
        "所在村",
        "乡镇",
        "是否已列为软弱涣散",
        "是否候选",
        "优先级",
        "原因",
    ]
    assert [h.split(" (")[0] for h in head[8:]] == list(SCREEN_INDICATOR_ZH.values())
    body = rows[1:]
    assert len(body) == doc["screened"]
    assert [row[1] for row in body] == [i["org"]["id"] for i in doc["items"]]
    cov = 8 + SCREEN_INDICATORS.index("household_coverage")
    for row, item in zip(body, doc["items"], strict=True):
        assert row[0] == item["org"]["name"] and row[2] == item["village"]["name"]
        assert row[4] == ("是" if item["listed"] else "否")
        assert row[5] == ("是" if item["candidate"] else "否") and row[6] == item["priority"]
        assert (row[7] or "") == "；".join(SCREEN_INDICATOR_ZH[k] for k in item["reasons"])
        values = [x["value"] for x in item["indicators"]]
        want = [screening_sheet.NO_DATA if v is None else v for v in values]
        assert len(row[8:]) == len(want)
        for got, w in zip(row[8:], want, strict=True):  # a float cell may come back 1 ulp off
            assert got == (pytest.approx(w) if isinstance(w, float) else w)
        if item["indicators"][SCREEN_INDICATORS.index("household_coverage")]["value"] is not None:
            assert wb["排查名单"].cell(row=body.index(row) + 2, column=cov + 1).number_format == (
                "0.0%"
            )
    key = list(wb["指标说明"].iter_rows(values_only=True))
    assert list(key[0]) == ["指标", "说明", "取值", "列为原因的条件", "阈值", "权重", "政策依据"]
    assert [k[0] for k in key[1:]] == list(SCREEN_INDICATORS)
    assert [k[1] for k in key[1:]] == list(SCREEN_INDICATOR_ZH.values())
    first = {x["key"]: x for x in doc["items"][0]["indicators"]}
    assert [k[4] for k in key[1:]] == [first[k]["threshold"] for k in SCREEN_INDICATORS]
    assert key[1][5] == Policy().screen_weight_secretary_vacant
    assert "screen_weight_life_irregular" in key[3][6] and "screen_life_missed" in key[3][6]
    entries = AuditLog(live[2] / "audit").read()
    assert any(
        e["action"] == "screening.export" and e["user"] == "county" and e["result"] == "ok"
        for e in entries
    )


def test_the_client_reads_the_screening_and_its_file(
    url: str, clients: dict[str, httpx.Client]
) -> None:
    with OrgraphClient(url) as c:
        c.login("township", PASSWORD)
        assert c.screening(as_of=DAY) == _screening(clients["township"])
        f = c.export_screening(as_of=DAY)
    assert f.filename == f"软弱涣散排查_{TOWNSHIP}_{DAY}.xlsx"
    assert load_workbook(io.BytesIO(f.content)).sheetnames == ["排查名单", "指标说明"]
