"""Log-in, tokens (expiry, refresh, tampering), lockout, disabled accounts, and their audit."""

from __future__ import annotations

import contextlib
import datetime as dt
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest
from pwdlib import PasswordHash

from orgraph.config import Settings
from orgraph.security import TokenService, UserStore, load_secret
from orgraph.security.audit import AuditLog
from orgraph.security.passwords import default_hasher
from orgraph.store import GraphStore
from tests.api.conftest import API, CHEAP_HASH, PASSWORD, login
from tests.live_api import api_settings, live_api


def _tokens(data_dir: Path) -> TokenService:
    return TokenService(load_secret(api_settings(data_dir)), idle_minutes=30)


def test_login_gives_a_bearer_token_that_expires_in_30_minutes(url: str) -> None:
    r = httpx.post(f"{url}{API}/auth/token", data={"username": "county", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 1800
    # The first /me of a run loads the projection (on a busy machine, beyond httpx's 5 s).
    me = httpx.get(
        f"{url}{API}/me", headers={"Authorization": f"Bearer {body['access_token']}"}, timeout=60
    )
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


def test_five_failures_hold_the_account_with_the_same_answer(
    url: str, live: tuple[str, UserStore, Path]
) -> None:
    _, users, data_dir = live
    users.add("locky", PASSWORD, role="viewer", scope="330226101201")
    for _ in range(5):
        r = httpx.post(f"{url}{API}/auth/token", data={"username": "locky", "password": "no"})
        assert r.status_code == 401 and r.json()["detail"] == "用户名或密码错误"
    held = users.get("locky")
    assert held is not None and held.locked_until is not None
    right = httpx.post(f"{url}{API}/auth/token", data={"username": "locky", "password": PASSWORD})
    assert right.status_code == 401, "the right password must not open a held account"
    assert right.json()["detail"] == "用户名或密码错误"
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
    assert client.get("/me").status_code == 401, "enabling again does not revive old tokens"
    assert login(url, "leaver").get("/me").status_code == 200


def test_login_success_is_audited(url: str, live: tuple[str, UserStore, Path]) -> None:
    login(url, "viewer")
    entries = AuditLog(live[2] / "audit").read()
    ok = [e for e in entries if e["action"] == "login" and e["user"] == "viewer"]
    assert ok and ok[-1]["result"] == "ok" and ok[-1]["scope"] == "330226101201"


# -- #18: no username enumeration, no lockout at will, revocation, rank-bound duties ----------

BAD = "用户名或密码错误"
WRONG = "Wrong-Passw0rd"


@contextlib.contextmanager
def _own_api(
    store: GraphStore,
    data_dir: Path,
    *,
    hasher: PasswordHash = CHEAP_HASH,
    settings: dict[str, int] | None = None,
) -> Iterator[tuple[str, UserStore]]:
    """An API of its own (its own users, audit and per-address throttle), so the failures a
    test makes count against nobody else's budget."""
    users = UserStore(data_dir / "users.sqlite3", hasher=hasher)
    cfg = Settings(data_dir=data_dir, jwt_secret="", **(settings or {}))  # type: ignore[arg-type]
    with live_api(store, data_dir, settings=cfg, users=users) as url:
        yield url, users


def _from(address: str) -> httpx.Client:
    """A client whose requests come from `address` (any 127.x.y.z reaches the loopback)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)


def _log_in(client: httpx.Client, url: str, username: str, password: str) -> httpx.Response:
    return client.post(f"{url}{API}/auth/token", data={"username": username, "password": password})


def _answer(r: httpx.Response) -> tuple[int, str, str | None, str | None]:
    return r.status_code, r.text, r.headers.get("www-authenticate"), r.headers.get("retry-after")


def test_known_and_unknown_names_answer_alike_before_and_after_a_lockout(
    demo_store: GraphStore, tmp_path: Path
) -> None:
    with _own_api(demo_store, tmp_path) as (url, users), _from("127.0.0.1") as c:
        users.add("known1", PASSWORD, role="viewer", scope="330226101201")
        users.add("off1", PASSWORD, role="viewer", scope="330226101201")
        users.set_disabled("off1", True)
        expected = _log_in(c, url, "nobody1", WRONG)
        assert expected.status_code == 401 and expected.json()["detail"] == BAD
        for _ in range(7):
            assert _answer(_log_in(c, url, "known1", WRONG)) == _answer(expected)
            assert _answer(_log_in(c, url, "nobody1", WRONG)) == _answer(expected)
        # The account is held now: the right password answers exactly like a wrong one
        # (it was 423 "账号已锁定" before #18, which told a probe the name exists).
        assert _answer(_log_in(c, url, "known1", PASSWORD)) == _answer(expected)
        # A disabled account does not tell that the password was right ("账号已停用").
        assert _answer(_log_in(c, url, "off1", PASSWORD)) == _answer(expected)
        results = [e["result"] for e in AuditLog(tmp_path / "audit").read()]
        assert {"denied", "locked"} <= set(results), "the audit log still tells them apart"


def test_one_address_is_throttled_and_cannot_lock_others_out(
    demo_store: GraphStore, tmp_path: Path
) -> None:
    settings = {"login_throttle_failures": 3, "login_throttle_minutes": 15}
    with (
        _own_api(demo_store, tmp_path, settings=settings) as (url, users),
        _from("127.0.0.2") as attacker,
        _from("127.0.0.1") as owner,
    ):
        users.add("victim", PASSWORD, role="viewer", scope="330226101201")
        for _ in range(3):
            assert _log_in(attacker, url, "victim", WRONG).status_code == 401
        # The fourth attempt from that address is throttled whatever the name: 429 with a
        # Retry-After, the same for a real and an unknown user, before any password is checked.
        throttled = [_log_in(attacker, url, name, PASSWORD) for name in ("victim", "nobody2")]
        assert [r.status_code for r in throttled] == [429, 429]
        assert _answer(throttled[0]) == _answer(throttled[1])
        assert 0 < int(throttled[0].headers["retry-after"]) <= 15 * 60
        # The account was not locked by it: its owner, from another address, gets in.
        assert _log_in(owner, url, "victim", PASSWORD).status_code == 200
        audit = AuditLog(tmp_path / "audit").read()
        assert [e["result"] for e in audit if e["client"] == "127.0.0.2"][-2:] == ["throttled"] * 2


def test_many_addresses_hold_an_account_briefly_and_the_store_remembers(
    demo_store: GraphStore, tmp_path: Path
) -> None:
    with _own_api(demo_store, tmp_path) as (url, users):
        users.add("target", PASSWORD, role="viewer", scope="330226101201")
        for i in range(5):  # five addresses, one failure each: under every address limit
            with _from(f"127.0.1.{i + 1}") as c:
                assert _log_in(c, url, "target", WRONG).status_code == 401
        with _from("127.0.0.1") as owner:
            r = _log_in(owner, url, "target", PASSWORD)
        assert r.status_code == 401 and r.json()["detail"] == BAD
        # The back-off lives in the user store (every worker sees it) and starts short: one
        # minute after the fifth failure in a row, doubling with each further one.
        held = users.get("target")
        assert held is not None and held.locked_until is not None
        left = held.locked_until - dt.datetime.now(dt.UTC)
        assert dt.timedelta(0) < left <= dt.timedelta(minutes=1)


def test_a_password_reset_or_disable_revokes_every_token(
    url: str, live: tuple[str, UserStore, Path]
) -> None:
    _, users, _ = live
    users.add("resetme", PASSWORD, role="viewer", scope="330226101201")
    old = login(url, "resetme")
    assert old.get("/me").status_code == 200
    users.set_password("resetme", "Another-Passw0rd")
    for r in (old.get("/me"), old.post("/auth/refresh")):
        assert r.status_code == 401 and r.json()["detail"] == "登录凭证无效，请重新登录"
    new = login(url, "resetme", "Another-Passw0rd")
    assert new.get("/me").status_code == 200
    refreshed = new.post("/auth/refresh")
    assert refreshed.status_code == 200
    # Disabling revokes too, for good: enabling the account again does not revive the tokens.
    users.set_disabled("resetme", True)
    users.set_disabled("resetme", False)
    assert new.get("/me").status_code == 401
    stale = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    assert httpx.post(f"{url}{API}/auth/refresh", headers=stale).status_code == 401
    assert login(url, "resetme", "Another-Passw0rd").get("/me").status_code == 200


def test_refused_log_ins_take_as_long_as_a_wrong_password(
    demo_store: GraphStore, tmp_path: Path
) -> None:
    """The probe measured a locked account answering in 6.5 ms against ~190 ms. At the real
    argon2 cost, the median of unknown, held and disabled log-ins must be within ×3 of a
    wrong password's (medians of interleaved attempts, so a busy machine slows all alike)."""
    settings = {"login_throttle_failures": 10_000}
    with _own_api(demo_store, tmp_path, hasher=default_hasher(), settings=settings) as (url, users):
        for name in ("wrongpw", "heldpw", "offpw"):
            users.add(name, PASSWORD, role="viewer", scope="330226101201")
        users.set_disabled("offpw", True)
        with httpx.Client(timeout=60) as c:

            def hold() -> None:
                while (u := users.get("heldpw")) is None or u.locked_until is None:
                    assert _log_in(c, url, "heldpw", WRONG).status_code in (401, 423)

            kinds = {
                "unknown": ("nobody3", WRONG),
                "wrong": ("wrongpw", WRONG),
                "held": ("heldpw", PASSWORD),
                "disabled": ("offpw", PASSWORD),
            }
            times: dict[str, list[float]] = {k: [] for k in kinds}
            for round_ in range(8):
                for kind, (name, password) in kinds.items():
                    users.unlock("wrongpw")
                    hold()
                    t = time.perf_counter()
                    r = _log_in(c, url, name, password)
                    if round_:  # the first round warms up (the dummy hash is made on first use)
                        times[kind].append(time.perf_counter() - t)
                    assert r.status_code in (401, 423), (kind, r.text)
        medians = {k: statistics.median(v) for k, v in times.items()}
        for kind in ("unknown", "held", "disabled"):
            ratio = medians[kind] / medians["wrong"]
            assert 1 / 3 < ratio < 3, (kind, medians)


def test_duties_above_the_callers_rank_cannot_be_given_or_taken(
    writers: dict[str, httpx.Client],
) -> None:
    village, township, county = writers["village"], writers["township"], writers["county"]
    new = {"name": "职务测试", "branch": "D330226203203"}
    for duty in ("county_leader", "township_cadre"):
        r = village.post("/members", json={**new, "member_no": f"R-{duty}", "roles": [duty]})
        assert r.status_code == 403, r.text
        assert village.get(f"/members/R-{duty}").status_code == 404, "nothing was written"
    r = village.post("/members", json={**new, "member_no": "R-ok", "roles": ["secretary"]})
    assert r.status_code == 201, r.text
    r = village.patch("/members/R-ok", json={"roles": ["secretary", "county_leader"]})
    assert r.status_code == 403 and "县级领导" in r.json()["detail"]
    # A county administrator may; the village secretary may then neither take it away nor
    # touch the roles otherwise, though other fields stay theirs to edit.
    assert county.patch("/members/R-ok", json={"roles": ["county_leader"]}).status_code == 200
    assert village.patch("/members/R-ok", json={"roles": []}).status_code == 403
    assert village.patch("/members/R-ok", json={"education": "本科"}).status_code == 200
    assert county.get("/members/R-ok").json()["roles"] == ["county_leader"]
    # A township administrator, in their own township, up to township_cadre.
    tw = {"name": "职务测试", "branch": "D330226101201"}
    r = township.post("/members", json={**tw, "member_no": "R-tw", "roles": ["township_cadre"]})
    assert r.status_code == 201, r.text
    r = township.patch("/members/R-tw", json={"roles": ["county_leader"]})
    assert r.status_code == 403
