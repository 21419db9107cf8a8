"""登录 / 账户: log in against the API; once in, who you are and logging out."""

from __future__ import annotations

import streamlit as st

from orgraph.errors import AccountLocked, OrgraphError, StoreUnavailable, Unauthorized
from orgraph_dashboard import session
from orgraph_dashboard.strings import APP_SUBTITLE, APP_TITLE, MSG, PAGE

JUST_IN = "og_just_logged_in"


def _login_form() -> None:
    st.title(APP_TITLE)
    st.caption(APP_SUBTITLE)
    flash = session.pop_flash()
    if flash:
        st.info(flash)
    left, _ = st.columns([2, 3])
    with left, st.form("login", border=True):
        st.subheader(MSG["login_title"])
        username = st.text_input(MSG["username"], key="login_user")
        password = st.text_input(MSG["password"], type="password", key="login_password")
        submitted = st.form_submit_button(MSG["login"], type="primary", width="stretch")
    if not submitted:
        return
    if not username or not password:
        left.warning("请输入用户名和密码。")
        return
    try:
        session.login(username.strip(), password)
    except AccountLocked as exc:
        left.error(str(exc) or "账户已锁定，请稍后再试。")
        return
    except Unauthorized:
        left.error(MSG["bad_login"])
        return
    except StoreUnavailable as exc:
        left.error(f"{MSG['api_down']}（{exc}）")
        return
    except OrgraphError as exc:
        left.error(str(exc))
        return
    st.session_state[JUST_IN] = True
    st.rerun()


def _account() -> None:
    if st.session_state.pop(JUST_IN, False):
        st.switch_page("views/overview.py")
    me = session.me()
    assert me is not None
    st.title(PAGE["account"])
    c1, c2, c3 = st.columns(3)
    c1.metric(MSG["user"], me["display_name"] or me["username"])
    c2.metric(MSG["role"], me["role_zh"])
    c3.metric(MSG["scope"], me["scope"]["name"])
    rights = [
        ("可查看完整手机号/身份证号", me.get("can_reveal")),
        ("可修改数据", me.get("can_write")),
        ("可导入花名册", me.get("can_import")),
    ]
    st.markdown(
        "\n".join(
            f"- {':green[:material/check_circle:]' if ok else ':gray[:material/block:]'} {label}"
            for label, ok in rights
        )
    )
    if st.button(MSG["logout"], type="primary", key="account_logout"):
        session.logout(MSG["logged_out"])
        st.rerun()


if session.logged_in():
    _account()
else:
    _login_form()
