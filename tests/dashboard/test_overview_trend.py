"""总览's month-by-month coverage chart: the chart options built from a hand-made trend
answer, and the page's chart equal to the options built from the API's own answer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from orgraph import clock
from orgraph.client import OrgraphClient
from orgraph.errors import StoreUnavailable
from orgraph.vocab import CHILD_LEVEL
from orgraph_dashboard import charts
from tests.dashboard.apptest import login, open_page
from tests.dashboard.conftest import ADMIN, LiveDashboard

TODAY = clock.today().isoformat()
# views/overview.py's (a page module renders when imported: not importable here)
TREND_MONTHS = 12
TREND_CAPTION = "每月末的覆盖率；所属支部、职务等没有日期的信息按现在的记录计算。"


def _row(code: str, name: str, coverage: float | None, households: int = 10) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "households": households,
        "covered": 0 if coverage is None else round(coverage * households),
        "coverage": coverage,
        "members_away": 0,
        "away_silent": 0,
        "away_lost": 0,
    }


def _doc(children: list[list[float | None]]) -> dict[str, Any]:
    """Three points (two month ends, then the as-of date); children[i] = area i's coverage
    at each point."""
    dates = ["2026-09-30", "2026-10-31", "2026-11-15"]
    points = [
        {
            "date": d,
            "rows": [_row("330226", "宁海县", 0.5 + 0.1 * k)]
            + [_row(f"3302261{i:02d}", f"乡镇{i}", c[k]) for i, c in enumerate(children)],
        }
        for k, d in enumerate(dates)
    ]
    return {
        "scope": "330226",
        "as_of": dates[-1],
        "level": "township",
        "months": 3,
        "undated_as_now": True,
        "points": points,
    }


def test_coverage_trend_axis_series_and_gaps() -> None:
    opts = charts.coverage_trend(_doc([[0.25, None, 0.3333], [1.0, 0.9, 0.8]]))
    assert opts["xAxis"]["data"] == ["2026-09", "2026-10", "2026-11-15"]
    names = [s["name"] for s in opts["series"]]
    assert names == ["宁海县合计", "乡镇0", "乡镇1"]
    assert opts["legend"]["data"] == names
    assert all(s["type"] == "line" for s in opts["series"])
    assert opts["series"][0]["data"] == [50.0, 60.0, 70.0]
    assert opts["series"][1]["data"] == [25.0, None, 33.3]  # null coverage: a gap
    assert opts["series"][2]["data"] == [100.0, 90.0, 80.0]
    json.dumps(opts)  # plain JSON for the component


def test_coverage_trend_keeps_the_worst_children() -> None:
    n = charts.TREND_MAX_AREAS + 3
    # area i ends at coverage (n - i) / n: the last TREND_MAX_AREAS areas are the worst
    children: list[list[float | None]] = [[0.5, 0.5, (n - i) / n] for i in range(n)]
    opts = charts.coverage_trend(_doc(children))
    names = [s["name"] for s in opts["series"]]
    assert len(names) == 1 + charts.TREND_MAX_AREAS
    assert names[0] == "宁海县合计"
    assert names[1:] == [f"乡镇{i}" for i in range(3, n)]
    assert len(charts.trend_areas(_doc(children))) == n


def test_coverage_trend_without_points() -> None:
    opts = charts.coverage_trend({"points": [], "undated_as_now": True})
    assert opts["xAxis"]["data"] == []
    assert opts["series"][0]["data"] == []


def echarts_options(at: AppTest, key: str) -> dict[str, Any]:
    """The options an st_echarts call with this key sent to the browser (a v2 component:
    AppTest knows it only as a "bidi_component" element, its arguments as JSON)."""
    for el in at.get("bidi_component"):
        if el.proto.id.endswith(key):
            options: dict[str, Any] = json.loads(el.proto.json)["options"]
            return options
    raise AssertionError(f"no st_echarts chart with key {key}")


def test_overview_trend_equals_the_api(admin_app: AppTest, api: OrgraphClient) -> None:
    open_page(admin_app, "overview")
    head = api.coverage(level="township", as_of=TODAY)["rows"][0]
    level = CHILD_LEVEL.get(head["level"], "village")  # the level the bar chart shows
    doc = api.trend(level=level, months=TREND_MONTHS, as_of=TODAY)
    assert doc["undated_as_now"] is True
    assert len(doc["points"]) == TREND_MONTHS
    shown = echarts_options(admin_app, "ov_trend")
    assert shown == charts.coverage_trend(doc)
    assert shown["xAxis"]["data"][-1] == TODAY
    assert shown["series"][0]["name"] == f"{head['name']}合计"
    captions = " ".join(c.value for c in admin_app.caption)
    assert TREND_CAPTION in captions


def test_overview_without_the_trend_still_renders(
    live: LiveDashboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    def trend(self: OrgraphClient, **kwargs: Any) -> Any:  # the name session.fetch keys
        raise StoreUnavailable("trend down")

    monkeypatch.setattr(OrgraphClient, "trend", trend)
    at = login(ADMIN)  # a fresh token: no cached answer of the other tests
    open_page(at, "overview")
    assert not at.exception
    assert [m.label for m in at.metric][:1] == ["农户"]  # the figures are still shown
    assert [e for e in at.get("bidi_component") if e.proto.id.endswith("ov_cov")]
    assert not [e for e in at.get("bidi_component") if e.proto.id.endswith("ov_trend")]
    assert "逐月覆盖率暂时无法获取。" in [c.value for c in at.caption]
