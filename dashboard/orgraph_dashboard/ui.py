"""Small pieces every page shares: the header, metrics, tables."""

from __future__ import annotations

from typing import Any

import streamlit as st

from orgraph.client import Me
from orgraph_dashboard import session
from orgraph_dashboard.strings import PAGE, table_rows, zh_date


def header(page: str, caption: str | None = None) -> Me:
    """Title of a page that needs a logged-in user (the navigation only offers it then)."""
    me = session.me()
    if me is None:
        st.stop()
    st.title(PAGE[page])
    scope = me["scope"]["name"]
    st.caption(caption or f"{scope} · 统计日期 {zh_date(session.as_of())}")
    return me


def table(
    items: list[dict[str, Any]],
    *,
    height: int | None = None,
    key: str | None = None,
    hide: tuple[str, ...] = (),
) -> None:
    """API items as a table with Chinese headers."""
    rows = table_rows([{k: v for k, v in it.items() if k not in hide} for it in items])
    if not rows:
        st.info("暂无数据")
        return
    kw: dict[str, Any] = {"hide_index": True, "width": "stretch"}
    if height is not None:
        kw["height"] = height
    if key is not None:
        kw["key"] = key
    st.dataframe(rows, **kw)
