"""组织网络: the org tree of the scope, and for one branch an interactive graph
党组织 → 党小组 → 党员 → 农户, with uncovered households and overloaded members marked."""

from __future__ import annotations

import warnings
from typing import Any

import streamlit as st
from st_link_analysis import EdgeStyle, NodeStyle, st_link_analysis
from streamlit_echarts import st_echarts

from orgraph.client import GapPage, OrgraphClient
from orgraph.vocab import BRANCH_LEVEL_KINDS, GROUP_KINDS, ORG_KIND_ZH
from orgraph_dashboard import charts, session, ui
from orgraph_dashboard.strings import num

PICK = "pg_net_branch"
MAX_MEMBERS = 200
MAX_UNCOVERED_NODES = 30

NODE_STYLES = [
    NodeStyle("党组织", "#c0392b", "name", "account_balance"),
    NodeStyle("党小组", "#e67e22", "name", "group"),
    NodeStyle("党员", "#2166ac", "name", "person"),
    NodeStyle("党员（联户数不合规）", "#f1a340", "name", "person"),
    NodeStyle("党员（外出）", "#8c8c8c", "name", "flight"),
    NodeStyle("农户", "#4d9221", "name", "home"),
    NodeStyle("农户（未联系）", "#b2182b", "name", "home"),
    NodeStyle("村(社区)", "#5e5e5e", "name", "flag"),
]
# fcose (bundled with the component) without animation: the graph is laid out and fitted
# into view at once, instead of drifting for seconds
LAYOUT = {
    "name": "fcose",
    "animate": False,
    "fit": True,
    "padding": 24,
    "nodeDimensionsIncludeLabels": True,
    "nodeRepulsion": 6000,
    "idealEdgeLength": 60,
}
with warnings.catch_warnings():
    # st-link-analysis 0.4 warns about its deprecated `labeled` argument even when unused
    warnings.simplefilter("ignore")
    EDGE_STYLES = [
        EdgeStyle(label, directed=True) for label in ("下级", "党员", "联系", "所在", "服务")
    ]


class _Elements:
    """Cytoscape nodes (first description of an id wins) and edges, in the order added."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: list[dict[str, Any]] = []

    def node(self, nid: str, label: str, name: str, **extra: Any) -> None:
        self.nodes.setdefault(nid, {"data": {"id": nid, "label": label, "name": name, **extra}})

    def edge(self, src: str, dst: str, label: str) -> None:
        eid = f"e{len(self.edges)}"
        self.edges.append({"data": {"id": eid, "source": src, "target": dst, "label": label}})

    def member(self, m: dict[str, Any], overloaded: set[str]) -> None:
        label = (
            "党员（外出）"
            if m.get("away")
            else "党员（联户数不合规）"
            if m["id"] in overloaded
            else "党员"
        )
        self.node(f"m:{m['id']}", label, m["name"], member=m["id"])


def branch_graph(
    org: dict[str, Any], orgs: list[dict[str, Any]], as_of: str
) -> tuple[dict[str, Any], dict[str, int]]:
    """Cytoscape elements for one branch, and the counts shown above the graph."""
    g = _Elements()
    oid = f"o:{org['id']}"
    g.node(oid, "党组织", org["name"], kind=ORG_KIND_ZH.get(org["kind"], org["kind"]))
    groups = [o for o in orgs if o.get("parent") == org["id"] and o.get("kind") in GROUP_KINDS]
    overloaded = {
        it["id"]
        for it in session.fetch(
            OrgraphClient.gaps,
            type="member_contact_load",
            scope=org["id"],
            as_of=as_of,
            page_size=500,
        )["items"]
    }
    members = _members(g, oid, groups, overloaded)
    contacted = _contacts(g, members)
    uncovered = session.fetch(
        OrgraphClient.gaps, type="household_uncovered", scope=org["id"], as_of=as_of, page_size=500
    )
    if uncovered["items"]:
        _uncovered(g, oid, org, uncovered)
    counts = {
        "groups": len(groups),
        "members": len(members),
        "households": len(contacted),
        "uncovered": int(uncovered["total"]),
        "overloaded": len(overloaded),
    }
    return {"nodes": list(g.nodes.values()), "edges": g.edges}, counts


def _members(
    g: _Elements, oid: str, groups: list[dict[str, Any]], overloaded: set[str]
) -> list[dict[str, Any]]:
    """The party groups with their members, then the branch's members not in a group."""
    placed: set[str] = set()
    for grp in groups:
        g.node(f"o:{grp['id']}", "党小组", grp["name"], members=grp.get("members"))
        g.edge(oid, f"o:{grp['id']}", "下级")
    in_groups = session.fetch_many(
        OrgraphClient.members,
        [{"branch": grp["id"], "on_roll": True, "page_size": MAX_MEMBERS} for grp in groups],
    )
    for grp, answer in zip(groups, in_groups, strict=True):
        for m in answer["items"]:
            g.member(m, overloaded)
            g.edge(f"o:{grp['id']}", f"m:{m['id']}", "党员")
            placed.add(m["id"])
    branch = oid.removeprefix("o:")
    members: list[dict[str, Any]] = session.fetch(
        OrgraphClient.members, branch=branch, on_roll=True, page_size=MAX_MEMBERS
    )["items"]
    for m in members:
        g.member(m, overloaded)
        if m["id"] not in placed:
            g.edge(oid, f"m:{m['id']}", "党员")
    return members


def _contacts(g: _Elements, members: list[dict[str, Any]]) -> set[str]:
    """Each member's active household contacts; the households reached."""
    contacted: set[str] = set()
    answers = session.fetch_many(
        OrgraphClient.contacts, [{"member": m["id"], "page_size": 100} for m in members]
    )
    for m, answer in zip(members, answers, strict=True):
        for c in answer["items"]:
            h = c.get("household") or {}
            if not h.get("id") or not c.get("active", not c.get("until")):
                continue
            hid = f"h:{h['id']}"
            contacted.add(hid)
            g.node(hid, "农户", _short(h["id"]), household=h["id"])
            g.edge(f"m:{m['id']}", hid, "联系")
    return contacted


def _uncovered(g: _Elements, oid: str, org: dict[str, Any], uncovered: GapPage) -> None:
    area = org.get("area") or {}
    aid = f"a:{area.get('code') or org['id']}"
    g.node(aid, "村(社区)", area.get("name") or "所在区划")
    g.edge(oid, aid, "服务")
    # every uncovered household as its own node would bury the graph (a village can
    # have hundreds): the first ones individually, the rest as one node with the count
    for h in uncovered["items"][:MAX_UNCOVERED_NODES]:
        hid = f"h:{h['id']}"
        g.nodes[hid] = {
            "data": {
                "id": hid,
                "label": "农户（未联系）",
                "name": h.get("head_name") or _short(h["id"]),
                "household": h["id"],
            }
        }
        g.edge(hid, aid, "所在")
    rest = int(uncovered["total"]) - min(len(uncovered["items"]), MAX_UNCOVERED_NODES)
    if rest > 0:
        g.node("h:rest", "农户（未联系）", f"其余 {rest} 户未联系")
        g.edge("h:rest", aid, "所在")


def _short(household_id: str) -> str:
    """330226101201-0007 → 0007户: the whole id is on the info panel when clicked."""
    return f"{household_id.rsplit('-', 1)[-1]}户"


def render() -> None:
    ui.header("network")
    as_of = session.as_of()
    tree = session.try_fetch(OrgraphClient.tree)
    if tree is None:
        return
    orgs: list[dict[str, Any]] = tree["orgs"]
    # one view at a time (not tabs): the graph must be visible when it is laid out, or it
    # is fitted into a zero-sized box and opens off-screen
    view = (
        st.segmented_control(
            "视图",
            ["组织树", "支部关系图"],
            default="组织树",
            key="pg_net_view",
            label_visibility="collapsed",
        )
        or "组织树"
    )
    if view == "组织树":
        opts, leaves = charts.org_tree(orgs)
        st_echarts(opts, height=f"{max(420, min(1600, 28 * leaves + 40))}px", key="net_tree")
        kinds: dict[str, int] = {}
        for o in orgs:
            kinds[o["kind"]] = kinds.get(o["kind"], 0) + 1
        st.caption(
            "点击节点展开或收起下级。"
            + "；".join(f"{ORG_KIND_ZH.get(k, k)} {num(n)} 个" for k, n in sorted(kinds.items()))
        )
        return
    # village branches first: that is where households and contacts are
    branches = sorted(
        (o for o in orgs if o["kind"] in BRANCH_LEVEL_KINDS),
        key=lambda o: (len((o.get("area") or {}).get("code") or "") < 12, o["id"]),
    )
    if not branches:
        st.info("范围内没有党支部。")
        return
    by_id = {o["id"]: o for o in branches}
    if st.session_state.get(PICK) not in by_id:
        st.session_state[PICK] = branches[0]["id"]
    oid = st.selectbox(
        "选择党支部（或村）",
        list(by_id),
        key=PICK,
        format_func=lambda i: f"{by_id[i]['name']}（党员 {by_id[i]['members']} 人）",
    )
    _graph(by_id[oid], orgs, as_of)


def _graph(org: dict[str, Any], orgs: list[dict[str, Any]], as_of: str) -> None:
    oid = org["id"]
    got = session.guarded(lambda: branch_graph(org, orgs, as_of))
    if got is None:
        return
    elements, counts = got
    c = st.columns(5)
    c[0].metric("党小组", num(counts["groups"]))
    c[1].metric("党员", num(counts["members"]))
    c[2].metric("党员联系的农户", num(counts["households"]))
    c[3].metric("未联系农户", num(counts["uncovered"]))
    c[4].metric("联户数不合规党员", num(counts["overloaded"]))
    st_link_analysis(
        elements,
        layout=LAYOUT,
        node_styles=NODE_STYLES,
        edge_styles=EDGE_STYLES,
        height=640,
        key=f"net_graph_{oid}",
    )
    st.caption(
        "绿色房屋为本支部党员联系的农户，红色为没有在家党员联系的农户（最多逐户显示 "
        f"{MAX_UNCOVERED_NODES} 户，其余合为一个节点）；"
        "橙色为联系户数不在规定范围内的党员，灰色为外出党员。可拖动、缩放，点击节点查看详情。"
    )


render()
