"""The dashboard's pure parts: Chinese formats, tables from API items, offline outlines,
chart options (no browser, no API)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from orgraph.roster.codes import CATEGORY, GENDER, MGMT_CLASS, ORG_KIND, RECT_STATUS, TARGET_KIND
from orgraph_dashboard import charts, geo
from orgraph_dashboard.strings import cell, pct, table_rows, zh_date


def test_chinese_dates_and_numbers() -> None:
    assert zh_date("2026-11-01") == "2026年11月1日"
    assert zh_date(dt.date(2026, 11, 22), weekday=True) == "2026年11月22日（星期日）"
    assert zh_date(None) == "" and zh_date("不是日期") == "不是日期"
    assert pct(0.1824) == "18.2%" and pct(None) == "—"


def test_table_rows_fill_missing_columns_and_translate() -> None:
    rows = table_rows(
        [
            {"id": "h1", "hamlet": {"code": "1", "name": "第1组"}, "covered": False},
            {"id": "h2", "covered": True, "target_kind": "group"},
        ]
    )
    assert rows[0] == {"编号": "h1", "村民小组": "第1组", "已联系": "否", "类型": ""}
    assert rows[1] == {"编号": "h2", "村民小组": "", "已联系": "是", "类型": "党小组"}
    assert cell(["a", {"name": "b"}]) == "a、b"


def test_county_outline_is_packaged_and_small() -> None:
    outline = geo.region_outline("330226")
    assert outline is not None and geo.outline_name(outline) == "宁海县"
    xs = [
        pt[0]
        for poly in outline["features"][0]["geometry"]["coordinates"]
        for ring in poly
        for pt in ring
    ]
    assert 121.0 < min(xs) < max(xs) < 122.2  # 宁海县 lies around 121.4°E
    assert len(json.dumps(outline)) < 60_000  # simplified: cheap to send to the browser
    assert geo.region_outline("000000") is None
    provinces = geo.china_provinces()
    assert provinces is not None and len(json.dumps(provinces)) < 400_000


def _row(code: str, coverage: float | None, households: int = 10) -> dict[str, object]:
    return {
        "code": code,
        "name": f"村{code}",
        "coverage": coverage,
        "households": households,
        "covered": 0,
        "lon": 121.5,
        "lat": 29.2,
    }


def test_coverage_bar_puts_the_worst_on_top() -> None:
    opts = charts.coverage_bar([_row("1", 0.5), _row("2", 0.1), _row("3", 0.9)], level="village")
    # ECharts draws the first category at the bottom of a vertical category axis
    assert opts["yAxis"]["data"] == ["村3", "村1", "村2"]
    assert opts["xAxis"]["max"] == 100
    low = charts.coverage_bar([_row("1", 0.15), _row("2", 0.24)], level="township")
    assert low["xAxis"]["max"] == 40


def test_village_map_colours_and_sizes() -> None:
    opts = charts.village_map([_row("1", 0.5, 100), _row("2", None, 25)], map_name="宁海县")
    data = opts["series"][0]["data"]
    assert opts["geo"]["map"] == "宁海县" and opts["series"][0]["coordinateSystem"] == "geo"
    assert data[0]["value"] == [121.5, 29.2, 50.0, 100]
    assert data[0]["symbolSize"] > data[1]["symbolSize"]


def test_flow_map_skips_places_without_coordinates() -> None:
    flows = [
        {
            "origin": {"name": "长街镇", "lon": 121.6, "lat": 29.1},
            "destination": {"name": "上海市", "lon": 121.47, "lat": 31.23},
            "count": 5,
        },
        {
            "origin": {"name": "长街镇", "lon": 121.6, "lat": 29.1},
            "destination": {"name": "某地", "lon": None, "lat": None},
            "count": 2,
        },
    ]
    opts = charts.flow_map(flows, map_name="china")
    assert len(opts["series"][0]["data"]) == 1
    assert opts["series"][1]["data"][0]["value"] == [121.47, 31.23, 5]


def test_org_tree_collapses_below_the_second_level() -> None:
    orgs: list[dict[str, Any]] = [
        {"id": "A", "name": "县委", "kind": "committee", "parent": None, "members": 1},
        {"id": "B", "name": "镇党委", "kind": "committee", "parent": "A", "members": 2},
        {"id": "C", "name": "村支部", "kind": "branch", "parent": "B", "members": 3},
    ]
    opts, leaves = charts.org_tree(orgs)
    root = opts["series"][0]["data"][0]
    assert root["name"] == "县委" and root["children"][0]["collapsed"] is True
    assert leaves == 1


def test_every_code_the_importer_writes_shows_in_chinese() -> None:
    """The importer's codes (not a copy of them) are what the dashboard translates: a
    management class written as `frontline` or `mobile` once showed as English."""
    for table in (MGMT_CLASS, CATEGORY, TARGET_KIND, ORG_KIND, GENDER, RECT_STATUS):
        for code in set(table.values()):
            shown = cell(code)
            assert shown != code and not str(shown).isascii(), (code, shown)
    assert table_rows([{"mgmt_class": "frontline"}, {"mgmt_class": "mobile"}]) == [
        {"分类": "产业一线"},
        {"分类": "流动创业"},
    ]
