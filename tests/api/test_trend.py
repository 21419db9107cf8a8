"""Coverage month by month over HTTP on the tiny demo county (docs/rules.md "Trend"): each
point is the month's last day (the last one the day asked for) and its rows and counts are the
API's own /coverage and /gaps/summary of that day; scoped like every answer; bad months 422."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.conftest import AS_OF
from tests.oracle.compare import month_ends

DAY = AS_OF.isoformat()
TOWNSHIP = "330226101"


def _trend(c: httpx.Client, **params: Any) -> dict[str, Any]:
    r = c.get("/history/trend", params={"as_of": DAY, **params})
    assert r.status_code == 200, r.text
    doc: dict[str, Any] = r.json()
    return doc


def test_each_point_is_that_days_coverage_and_summary(clients: dict[str, httpx.Client]) -> None:
    county = clients["county"]
    doc = _trend(county, months=4, level="village", counts="true")
    assert (doc["scope"], doc["level"], doc["months"], doc["undated_as_now"]) == (
        "330226",
        "village",
        4,
        True,
    )
    assert [p["date"] for p in doc["points"]] == month_ends(DAY, 4)
    for p in doc["points"]:
        cov = county.get("/coverage", params={"as_of": p["date"], "level": "village"}).json()
        assert p["rows"] == cov["rows"], p["date"]
        summary = county.get("/gaps/summary", params={"as_of": p["date"]}).json()
        assert p["counts"] == summary["counts"], p["date"]
    # the tiny county's contacts began at different times: coverage is not flat
    covered = [p["rows"][0]["covered"] for p in _trend(county, months=24)["points"]]
    assert len(set(covered)) > 1, covered
    assert all(p.get("counts") is None for p in _trend(county, months=2)["points"])


def test_scoped_and_refused_like_every_answer(clients: dict[str, httpx.Client]) -> None:
    mine = _trend(clients["township"], months=3)  # a township user: its own scope
    asked = _trend(clients["county"], months=3, scope=TOWNSHIP)
    assert mine == asked and mine["scope"] == TOWNSHIP
    for p in mine["points"]:
        assert all(r["code"].startswith(TOWNSHIP) for r in p["rows"])
    r = clients["township"].get("/history/trend", params={"scope": "330226203"})
    assert r.status_code == 404 and "不存在或不在您的管辖范围内" in r.json()["detail"]
    for months in (0, 25):
        r = clients["county"].get("/history/trend", params={"months": months})
        assert r.status_code == 422, r.text
    r = clients["county"].get("/history/trend", params={"as_of": "2026-13-01"})
    assert r.status_code == 422 and "as_of" in r.json()["detail"]
