"""Small pieces every page shares: the header, the scope picker, metrics, tables."""

from __future__ import annotations

from typing import Any

import streamlit as st

from orgraph.client import CoverageRow, Me, OrgraphClient
from orgraph.vocab import CHILD_LEVEL, LEVEL_ZH
from orgraph_dashboard import session
from orgraph_dashboard.strings import PAGE, table_rows, zh_date

OWN_SCOPE = ""  # the picker's value for the user's own scope (the API's default)


def header(page: str, caption: str | None = None) -> Me:
    """Title of a page that needs a logged-in user (the navigation only offers it then)."""
    me = session.me()
    if me is None:
        st.stop()
    st.title(PAGE[page])
    scope = me["scope"]["name"]
    st.caption(caption or f"{scope} · 统计日期 {zh_date(session.as_of())}")
    return me


def scope_areas(as_of: str) -> list[CoverageRow]:
    """The areas one level below the user's scope that a page may narrow to: the townships
    of a county, the villages of a township (none below a village or an organisation)."""
    first = session.fetch(OrgraphClient.coverage, level="township", as_of=as_of)
    child = CHILD_LEVEL.get(first["rows"][0]["level"])
    if child == "township":
        return first["rows"][1:]
    if child == "village":
        return session.fetch(OrgraphClient.coverage, level=child, as_of=as_of)["rows"][1:]
    return []


def scope_picker(key: str, as_of: str, *, label: str = "范围") -> str | None:
    """A select box of the user's own scope and the areas just below it (never anything
    outside it: the API lists only what the user's scope holds). The chosen area's code, or
    None for the user's own scope, ready to pass as `scope=`."""
    me = session.me()
    if me is None:
        st.stop()
    areas = scope_areas(as_of)
    names = {OWN_SCOPE: f"{me['scope']['name']}（全部）"}
    for a in areas:
        names[a["code"]] = f"{a['name']}（{LEVEL_ZH.get(a['level'], a['level'])}）"
    if st.session_state.get(key) not in names:
        st.session_state[key] = OWN_SCOPE
    picked = st.selectbox(label, list(names), key=key, format_func=lambda c: names.get(c, c))
    return picked or None


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
