"""The login page through AppTest: log in, the user shown, wrong password, log out."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.dashboard.apptest import APP, login
from tests.dashboard.conftest import ADMIN, TOWN, LiveDashboard


def test_login_shows_user_role_and_scope(live: LiveDashboard) -> None:
    at = login(ADMIN)
    assert not at.exception
    assert [t.value for t in at.title] == ["总览"]
    side = " ".join(m.value for m in at.sidebar.markdown) + " ".join(
        c.value for c in at.sidebar.caption
    )
    assert "王主任" in side and "县级管理员" in side and "宁海县" in side
    at.switch_page("views/login.py").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"用户": "王主任", "角色": "县级管理员", "管理范围": "宁海县"}


def test_wrong_password_stays_on_login(live: LiveDashboard) -> None:
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    at.text_input(key="login_user").input(TOWN[0])
    at.text_input(key="login_password").input("Wrong-pass-1")
    at.button[0].click().run()
    assert not at.exception
    assert "用户名或密码错误。" in [e.value for e in at.error]
    assert "og_token" not in at.session_state


def test_logout_and_expired_token_go_back_to_login(live: LiveDashboard) -> None:
    at = login(TOWN)
    assert [t.value for t in at.title] == ["总览"]
    at.sidebar.button(key="og_logout").click().run()
    assert not at.exception
    assert "已退出登录。" in [i.value for i in at.info]
    at = login(TOWN)
    at.session_state["og_token"] = "expired-or-revoked"
    at.run()
    assert not at.exception
    assert "登录已过期，请重新登录。" in [i.value for i in at.info]
    assert [b.label for b in at.button] == ["登录"]


def test_an_old_token_is_refreshed_before_it_expires(live: LiveDashboard) -> None:
    at = login(TOWN)
    old = at.session_state["og_token"]
    at.session_state["og_token_at"] = at.session_state["og_token_at"] - 3600.0
    at.run()
    assert not at.exception
    assert at.session_state["og_token"] != old
    assert [t.value for t in at.title] == ["总览"]
