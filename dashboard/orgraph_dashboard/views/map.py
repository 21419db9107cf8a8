"""覆盖地图: villages on the county outline, coloured by coverage and sized by households;
choosing one (click or list) shows its uncovered households."""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit_echarts import Map, st_echarts

from orgraph.client import OrgraphClient
from orgraph_dashboard import charts, geo, session, ui
from orgraph_dashboard.strings import num, pct

PICK = "pg_map_village"


def village_points(as_of: str) -> list[dict[str, Any]]:
    """Villages of the scope with coverage and lon/lat (from their parents' children)."""
    cov = session.fetch(OrgraphClient.coverage, level="village", as_of=as_of)
    rows = [r for r in cov["rows"][1:]]
    if not rows and cov["rows"][0]["level"] == "village":
        rows = [cov["rows"][0]]
    where: dict[str, tuple[float, float]] = {}
    parents = sorted({r.get("parent") or "" for r in rows} - {""})
    answers = session.fetch_many(OrgraphClient.area_children, [{"code": p} for p in parents])
    for children in answers:
        for child in children:
            if child.get("lon") is not None and child.get("lat") is not None:
                where[child["code"]] = (float(child["lon"]), float(child["lat"]))
    for r in rows:
        if r["code"] not in where:
            a = session.fetch(OrgraphClient.area, code=r["code"])
            if a.get("lon") is not None and a.get("lat") is not None:
                where[r["code"]] = (float(a["lon"]), float(a["lat"]))
    return [
        {**r, "lon": where[r["code"]][0], "lat": where[r["code"]][1]}
        for r in rows
        if r["code"] in where
    ]


def _on_pick() -> None:
    sel: Any = st.session_state.get("map_chart")
    try:
        idx = sel["selection"]["point_indices"]
    except (TypeError, KeyError):
        return
    codes = st.session_state.get("pg_map_codes") or []
    if idx and 0 <= idx[0] < len(codes):
        st.session_state[PICK] = codes[idx[0]]


def render() -> None:
    ui.header("map")
    as_of = session.as_of()
    points = session.guarded(lambda: village_points(as_of))
    if points is None:
        return
    if not points:
        st.info("范围内没有带经纬度的村(社区)，无法绘制地图。请在行政区划表中填写经度、纬度。")
        return
    outline = geo.region_outline(geo.county_code(points[0]["code"]))
    map_name = geo.outline_name(outline) or None
    st.session_state["pg_map_codes"] = [p["code"] for p in points]
    left, right = st.columns([3, 2], gap="large")
    with left:
        opts = charts.village_map(points, map_name=map_name)
        kwargs: dict[str, Any] = {}
        if outline and map_name:
            kwargs["map"] = Map(map_name, outline)
        st_echarts(
            opts,
            height="620px",
            key="map_chart",
            on_select=_on_pick,
            selection_mode="points",
            **kwargs,
        )
        st.caption(
            f"{len(points)} 个村(社区)。点的颜色表示农户联系覆盖率，大小表示农户数；"
            "点击地图上的村或在右侧选择，查看未联系农户。"
            + ("" if outline else "（未找到本县边界数据，仅显示各村位置。）")
        )
    with right:
        ordered = sorted(
            points, key=lambda p: (p["coverage"] if p["coverage"] is not None else 2.0, p["code"])
        )
        names = {
            p["code"]: f"{p['name']}（{pct(p['coverage'])}，{num(p['households'])} 户）"
            for p in ordered
        }
        codes = [p["code"] for p in ordered]
        if st.session_state.get(PICK) not in codes:
            st.session_state[PICK] = codes[0]
        code = st.selectbox(
            "村(社区)（按覆盖率从低到高）", codes, key=PICK, format_func=lambda c: names.get(c, c)
        )
        _village_detail(next(p for p in points if p["code"] == code), as_of)


def _village_detail(p: dict[str, Any], as_of: str) -> None:
    c = st.columns(3)
    c[0].metric("农户", num(p["households"]))
    c[1].metric("覆盖率", pct(p["coverage"]))
    c[2].metric("未联系农户", num(p["households"] - p["covered"]))
    page = session.guarded(
        lambda: session.fetch(
            OrgraphClient.gaps,
            type="household_uncovered",
            scope=p["code"],
            as_of=as_of,
            page_size=500,
        )
    )
    if page is None:
        return
    st.markdown(f"##### 未联系农户（{num(page['total'])} 户）")
    ui.table(page["items"], height=380, key="map_uncovered", hide=("area", "village", "township"))
    if page["total"] > len(page["items"]):
        st.caption(f"仅显示前 {len(page['items'])} 户，完整名单请到“缺口清单”下载。")


render()
