"""Log-in, tokens (expiry, refresh, tampering), lockout, disabled accounts, and their audit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import jwt
import pytest

from orgraph.security import TokenService, UserStore, load_secret
from orgraph.security.audit import AuditLog
from tests.api.conftest import API, PASSWORD, login
from tests.live_api import api_settings


def _tokens(data_dir: Path) -> TokenService:
    return TokenService(load_secret(api_settings(data_dir)), idle_minutes=30)


def test_login_gives_a_bearer_token_that_expires_in_30_minutes(url: str) -> None:
    r = httpx.post(f"{url}{API}/auth/token", data={"username": "county", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 1800
    me = httpx.get(f"{url}{API}/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["username"] == "county"


def test_me_describes_role_scope_and_rights(clients: dict[str, httpx.Client]) -> None:
    me = clients["village"].get("/me").json()
    assert me == {
        "username": "village",
        "display_name": "测试village",
        "role": "village_secretary",
        "role_zh": "村党组织书记",
        "scope": {"ref": "330226203203", "name": "陈家洋村", "kind": "area"},
        "can_reveal": False,
        "can_write": True,
        "can_import": False,
    }
    branch = clients["branch"].get("/me").json()
    assert branch["scope"] == {
        "ref": "D330226203203",
        "name": "宁海县越溪乡陈家洋村党支部",
        "kind": "org",
    }
    assert clients["county"].get("/me").json()["can_import"] is True


@pytest.mark.parametrize(
    "username, password",
    [("county", "wrong-Passw0rd"), ("nobody", PASSWORD), ("", ""), ("x" * 60, PASSWORD)],
)
def test_bad_credentials_are_401_with_one_message(url: str, username: str, password: str) -> None:
    r = httpx.post(f"{url}{API}/auth/token", data={"username": username, "password": password})
    if not username:
        assert r.status_code == 422
        return
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == "用户名或密码错误"


def test_no_token_or_a_bad_one_is_401(url: str, live: tuple[str, UserStore, Path]) -> None:
    r = httpx.get(f"{url}{API}/members")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.json()["detail"] == "未登录：请先登录获取令牌"
    forged = jwt.encode(
        {
            "sub": "county",
            "role": "county_admin",
            "scope": "330226",
            "iat": 1,
            "exp": 4_000_000_000,
            "jti": "x",
        },
        "not-the-key" * 4,
        algorithm="HS256",
    )
    for token in ("garbage", forged):
        r = httpx.get(f"{url}{API}/members", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401 and "登录凭证无效" in r.json()["detail"]


def test_expired_token_is_refused_and_refresh_slides(
    url: str, live: tuple[str, UserStore, Path]
) -> None:
    _, users, data_dir = live
    user = users.get("township")
    assert user is not None
    tokens = _tokens(data_dir)
    old = tokens.issue(user, now=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31))
    r = httpx.get(f"{url}{API}/me", headers={"Authorization": f"Bearer {old.access_token}"})
    assert r.status_code == 401 and r.json()["detail"] == "登录已过期，请重新登录"
    young = tokens.issue(user, now=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=29))
    fresh = httpx.post(
        f"{url}{API}/auth/refresh", headers={"Authorization": f"Bearer {young.access_token}"}
    )
    assert fresh.status_code == 200
    claims = tokens.verify(fresh.json()["access_token"])
    assert claims.expires_at > young.expires_at + dt.timedelta(minutes=1)


def test_five_failures_lock_the_account_for_30_minutes(
    url: str, live: tuple[str, UserStore, Path]
) -> None:
    _, users, data_dir = live
    users.add("locky", PASSWORD, role="viewer", scope="330226101201")
    for _ in range(4):
        r = httpx.post(f"{url}{API}/auth/token", data={"username": "locky", "password": "no"})
        assert r.status_code == 401
    r = httpx.post(f"{url}{API}/auth/token", data={"username": "locky", "password": "no"})
    assert r.status_code == 423 and "锁定" in r.json()["detail"]
    right = httpx.post(f"{url}{API}/auth/token", data={"username": "locky", "password": PASSWORD})
    assert right.status_code == 423, "the right password must not open a locked account"
    entries = [e for e in AuditLog(data_dir / "audit").read() if e["target"] == "locky"]
    assert [e["result"] for e in entries] == ["denied"] * 4 + ["locked", "locked"]
    assert all(e["action"] == "login" and e["client"] == "127.0.0.1" for e in entries)


def test_disabled_or_changed_account_takes_effect_at_once(
    url: str, live: tuple[str, UserStore, Path]
) -> None:
    _, users, _ = live
    users.add("leaver", PASSWORD, role="viewer", scope="330226101201")
    client = login(url, "leaver")
    assert client.get("/me").status_code == 200
    users.set_disabled("leaver", True)
    assert client.get("/me").status_code == 401
    users.set_disabled("leaver", False)
    assert client.get("/me").status_code == 200


def test_login_success_is_audited(url: str, live: tuple[str, UserStore, Path]) -> None:
    login(url, "viewer")
    entries = AuditLog(live[2] / "audit").read()
    ok = [e for e in entries if e["action"] == "login" and e["user"] == "viewer"]
    assert ok and ok[-1]["result"] == "ok" and ok[-1]["scope"] == "330226101201"
