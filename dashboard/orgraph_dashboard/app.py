"""Entry point of `streamlit run`: page setup, the sidebar and the navigation.

Before logging in only the login page exists; afterwards every page, with the user's name,
role and scope in the sidebar.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from orgraph import clock
from orgraph_dashboard import geo, session
from orgraph_dashboard.strings import APP_TITLE, MSG, PAGE, zh_date

HERE = Path(__file__).parent
VIEWS = HERE / "views"


def _page(name: str, icon: str, *, default: bool = False, title: str | None = None) -> st.Page:
    return st.Page(
        VIEWS / f"{name}.py", title=title or PAGE[name], icon=icon, url_path=name, default=default
    )


def _sidebar() -> None:
    me = session.me()
    if me is None:
        return
    with st.sidebar:
        st.markdown(f"**{me['display_name'] or me['username']}**")
        st.caption(f"{me['role_zh']} · {me['scope']['name']}")
        st.date_input(
            MSG["as_of"],
            value=clock.today(),
            key="og_as_of",
            format="YYYY/MM/DD",
            max_value=clock.today() + dt.timedelta(days=366),
        )
        st.caption(zh_date(session.as_of(), weekday=True))
        if st.button(MSG["logout"], key="og_logout", width="stretch"):
            session.logout(MSG["logged_out"])
            st.rerun()


def main() -> None:
    st.set_page_config(
        page_title=APP_TITLE, page_icon="🏛️", layout="wide", initial_sidebar_state="expanded"
    )
    if session.logged_in():
        session.keep_alive()
        me = session.me()
        geo.warm_up(geo.county_of_scope(me["scope"]["ref"]) if me else None)
        pages = [
            _page("overview", ":material/dashboard:", default=True),
            _page("map", ":material/map:"),
            _page("network", ":material/account_tree:"),
            _page("gaps", ":material/checklist:"),
            _page("proposals", ":material/handshake:"),
            _page("life", ":material/groups:"),
            _page("mobility", ":material/flight_takeoff:"),
            _page("chain", ":material/link:"),
            _page("rectify", ":material/fact_check:"),
            _page("changes", ":material/compare_arrows:"),
            _page("imports", ":material/upload_file:"),
            _page("login", ":material/person:", title=PAGE["account"]),
        ]
    else:
        pages = [_page("login", ":material/login:", default=True)]
    nav = st.navigation(pages)
    _sidebar()
    nav.run()
    _done_marker(nav.title)


def _done_marker(page: str) -> None:
    """An empty element written last: browser tests wait for it to know the page is done
    (the run counter tells this run's marker from the last one's)."""
    n = int(st.session_state.get("og_runs", 0)) + 1
    st.session_state["og_runs"] = n
    st.markdown(
        f'<div class="og-done" data-page="{page}" data-run="{n}"></div>', unsafe_allow_html=True
    )


main()
