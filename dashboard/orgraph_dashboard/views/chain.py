"""户联系链: find a household by its id or its head's name and see who answers for it:
户 ← 联系党员 ← 村干部 ← 乡镇干部 ← 县级领导, with the level where the chain breaks."""

from __future__ import annotations

from typing import Any

import streamlit as st

from orgraph.client import Chain, ChainLevel, OrgraphClient
from orgraph.vocab import CHAIN_LEVEL_ZH, ROLE_ZH
from orgraph_dashboard import session, ui
from orgraph_dashboard.strings import zh_date

PICK = "pg_chain_household"


def _people(level: ChainLevel) -> str:
    out = []
    for p in level.get("people", []):
        name = p.get("name") or p.get("id", "")
        if level["level"] == "household" and not p.get("at_home", True):
            name += "（外出）"
        out.append(name)
    return "、".join(out) or "无人负责"


def _household_label(h: dict[str, Any]) -> str:
    where = "".join(
        str(h[k].get("name", "")) if isinstance(h.get(k), dict) else ""
        for k in ("township", "village")
    )
    return f"{h.get('head_name') or '（户主未知）'}　{h['id']}　{where}"


def render() -> None:
    ui.header("chain")
    as_of = session.as_of()
    q = st.text_input(
        "户编号或户主姓名", key="pg_chain_q", placeholder="例如 330226101201-0007 或 张三"
    )
    if not q.strip():
        st.info("输入户编号或户主姓名查询。")
        return
    found = session.try_fetch(OrgraphClient.households, q=q.strip(), page_size=50)
    if found is None:
        return
    items = found["items"]
    if not items:
        st.warning(f"没有找到“{q.strip()}”。")
        return
    ids = [h["id"] for h in items]
    labels = {h["id"]: _household_label(h) for h in items}
    if st.session_state.get(PICK) not in ids:
        st.session_state[PICK] = ids[0]
    hid = st.selectbox(
        f"找到 {found['total']} 户" + ("（显示前 50 户）" if found["total"] > 50 else ""),
        ids,
        key=PICK,
        format_func=lambda i: labels.get(i, i),
    )
    chain = session.try_fetch(OrgraphClient.chain, household_id=hid, as_of=as_of)
    if chain is None:
        return
    show_chain(chain)


def show_chain(chain: Chain) -> None:
    h = chain["household"]
    broken = chain.get("broken_at")
    st.markdown(f"#### {h.get('head_name') or ''}户（{h['id']}）")
    if broken:
        st.error(f"联系链在“{CHAIN_LEVEL_ZH.get(broken, broken)}”一级断开。")
    else:
        st.success("联系链完整：每一级都有人负责。")
    levels = list(reversed(chain["levels"]))  # county leader first, household last
    cols = st.columns(len(levels))
    for col, level in zip(cols, levels, strict=True):
        with col.container(border=True):
            ok = level["ok"]
            mark = ":green[:material/check_circle:]" if ok else ":red[:material/cancel:]"
            st.markdown(f"{mark} **{CHAIN_LEVEL_ZH.get(level['level'], level['level'])}**")
            area = level.get("area")
            if area:
                st.caption(area.get("name", ""))
            text = _people(level)
            st.markdown(text if ok else f":red[**{text}**]")
            roles = {r for p in level.get("people", []) if (r := p.get("role"))}
            if roles:
                st.caption("、".join(ROLE_ZH.get(r, r) for r in sorted(roles)))
    st.caption(
        f"统计日期 {zh_date(chain.get('as_of'))}。从左到右：县级领导包乡镇 → 乡镇干部包村 → "
        "村干部包组 → 党员包户。"
    )


render()
