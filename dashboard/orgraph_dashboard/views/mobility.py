"""流动党员: where members away are (flow map), who has gone silent or lost, and which
destination cities should get a mobile branch (with the suggested secretary)."""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit_echarts import Map, st_echarts

from orgraph.client import OrgraphClient
from orgraph.errors import NotFound
from orgraph_dashboard import charts, geo, session, ui
from orgraph_dashboard.strings import MSG, aged_rows, num, zh_date

LIST_SIZE = 500


def _load(as_of: str) -> dict[str, Any] | None:
    """Every answer the page needs; None when the API has no mobility routes (yet)."""
    try:
        dest = session.fetch(OrgraphClient.destinations, as_of=as_of)
    except NotFound:
        return None
    out: dict[str, Any] = {"dest": dest, "flows": session.fetch(OrgraphClient.flows, as_of=as_of)}
    for key, gap in (
        ("silent", "mobile_silent"),
        ("lost", "lost_contact"),
        ("clusters", "mobile_cluster_without_branch"),
    ):
        out[key] = session.fetch(OrgraphClient.gaps, type=gap, as_of=as_of, page_size=LIST_SIZE)
    try:
        out["branches"] = session.fetch(OrgraphClient.mobile_branches, as_of=as_of).get(
            "branches", []
        )
    except NotFound:
        out["branches"] = []
    return out


def _place(v: Any) -> str:
    return str(v.get("name") or v.get("code") or "") if isinstance(v, dict) else str(v or "")


def _member_rows(items: list[dict[str, Any]], *, lost: bool = False) -> list[dict[str, Any]]:
    rows = []
    for it in items:
        row = {
            "姓名": it.get("name", ""),
            "党支部": _place(it.get("branch")),
            "流入地": _place(it.get("city"))
            or _place(it.get("destination"))
            or it.get("destination_text")
            or "",
            "最近报到": zh_date(it.get("last_report")) or "无记录",
            "未报到天数": it.get("quiet_days"),
        }
        if lost:
            row["认定依据"] = "花名册标记失联" if it.get("reason") == "flagged" else "长期未报到"
        rows.append(row)
    return rows


def render() -> None:
    ui.header("mobility")
    as_of = session.as_of()
    got = session.guarded(lambda: _load(as_of) or {})
    if got is None:  # the error is on the page already
        return
    if not got:
        st.info(MSG["unavailable_mobility"])
        return
    dest, flows = got["dest"], got["flows"]
    cities = [c for p in dest.get("provinces", []) for c in p.get("cities", [])]
    m = st.columns(6)
    m[0].metric("外出党员", num(dest.get("total")))
    m[1].metric("流入城市", num(len(cities)))
    m[2].metric("长期未报到", num(got["silent"]["total"]))
    m[3].metric("失联党员", num(got["lost"]["total"]))
    m[4].metric(
        "待建流动党支部",
        num(got["clusters"]["total"]),
        help="流入同一城市的正式党员达到 3 人、当地还没有流动党员党支部的城市数",
    )
    m[5].metric("已建流动党支部", num(len(got["branches"])))

    left, right = st.columns([3, 2], gap="large")
    with left:
        rows = flows.get("flows", [])
        if rows:
            outline = geo.china_provinces()
            kwargs: dict[str, Any] = {"map": Map("china", outline)} if outline else {}
            st_echarts(
                charts.flow_map(rows, map_name="china" if outline else None),
                height="560px",
                key="mob_flows",
                **kwargs,
            )
            st.caption(
                "线条从户籍地乡镇指向流入城市，越粗人数越多。"
                + (
                    f"另有 {flows['unplaced']} 人外出地点无法定位。"
                    if flows.get("unplaced")
                    else ""
                )
            )
        else:
            st.info("统计日期没有外出党员。")
    with right:
        st.markdown("##### 流入城市")
        table = [
            {
                "城市": c["name"],
                "人数": c["count"],
                "已参加": c.get("attached"),
                "未报到": c.get("silent"),
                "失联": c.get("lost"),
                "当地支部": "有" if c.get("branches") else "无",
            }
            for c in sorted(cities, key=lambda c: -c["count"])
        ]
        if table:
            st.dataframe(table, hide_index=True, width="stretch", height=520, key="mob_cities")
            st.caption(
                "已参加：在流入地参加组织生活的人数；当地支部：该城市是否已有本县的流动党员党支部。"
            )

    tabs = st.tabs(
        [
            f"长期未报到（{got['silent']['total']}）",
            f"失联党员（{got['lost']['total']}）",
            f"建议组建的流动党员党支部（{got['clusters']['total']}）",
            f"已建流动党员党支部（{len(got['branches'])}）",
        ]
    )
    with tabs[0]:
        _members(got["silent"], lost=False, key="mob_silent")
    with tabs[1]:
        _members(got["lost"], lost=True, key="mob_lost")
    with tabs[2]:
        _proposals(got["clusters"])
    with tabs[3]:
        _branches(got["branches"])


def _members(page: dict[str, Any], *, lost: bool, key: str) -> None:
    rows = aged_rows(_member_rows(page["items"], lost=lost), page["items"])
    if not rows:
        st.success("没有。")
        return
    st.dataframe(rows, hide_index=True, width="stretch", key=key)
    if page["total"] > len(rows):
        st.caption(f"仅显示前 {len(rows)} 人，完整名单请到“缺口清单”下载。")


def _proposals(page: dict[str, Any]) -> None:
    if not page["items"]:
        st.success("各流入城市的外出党员均已有流动党员党支部覆盖，或人数不足 3 名正式党员。")
        return
    st.caption(
        "流入同一城市的正式党员达到 3 人而当地没有流动党员党支部的，建议组建；"
        "建议书记为其中入党最早的正式党员。"
    )
    rows = []
    for it in page["items"]:
        sec = it.get("suggested_secretary") or {}
        rows.append(
            {
                "流入城市": it.get("name"),
                "省份": it.get("province"),
                "外出党员": it.get("count"),
                "正式党员": it.get("full_members"),
                "建议书记": sec.get("name", ""),
                "书记入党日期": zh_date(sec.get("joined_on")),
                "成员": "、".join(m.get("name", "") for m in it.get("members", [])),
            }
        )
    st.dataframe(rows, hide_index=True, width="stretch", key="mob_proposals")


def _branches(rows: list[dict[str, Any]]) -> None:
    if not rows:
        st.info("范围内尚未建立流动党员党支部或临时党支部。")
        return
    st.dataframe(
        [
            {
                "名称": r.get("name"),
                "驻在地": _place(r.get("host")) or _place(r.get("city")),
                "批准组织": _place(r.get("approved_by")),
                "成立日期": zh_date(r.get("established_on")),
                "党员": r.get("members"),
                "未报到": r.get("silent"),
                "失联": r.get("lost"),
            }
            for r in rows
        ],
        hide_index=True,
        width="stretch",
        key="mob_branches",
    )


render()
