"""Access tokens: issue, verify, idle expiry, tampering, wrong secret; the key file."""

from __future__ import annotations

import base64
import json
import stat
import threading
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from pydantic import SecretStr

from orgraph.config import Settings
from orgraph.errors import ConfigError, Unauthorized
from orgraph.security import Claims, TokenService, User, load_secret
from orgraph.security.tokens import EXPIRED, INVALID
from tests.security.conftest import T0

SECRET = b"k" * 32
USER = User("zhang.san", "township_admin", "330226101", "张三", False)


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_issue_and_verify() -> None:
    tokens = TokenService(SECRET, idle_minutes=30)
    issued = tokens.issue(USER, now=T0)
    assert issued.expires_in == 1800 and issued.expires_at == T0 + timedelta(minutes=30)
    claims = tokens.verify(issued.access_token, now=T0 + timedelta(minutes=29, seconds=59))
    assert (claims.username, claims.role, claims.scope) == (
        "zhang.san",
        "township_admin",
        "330226101",
    )
    assert claims.expires_at == issued.expires_at and claims.issued_at == T0
    header = jwt.get_unverified_header(issued.access_token)
    assert header["alg"] == "HS256"
    payload = jwt.decode(
        issued.access_token, SECRET, algorithms=["HS256"], options={"verify_exp": False}
    )
    assert set(payload) == {"sub", "role", "scope", "iat", "exp", "jti", "ver"}
    assert payload["ver"] == 0 and claims.token_version == 0
    assert tokens.issue(USER, now=T0).access_token != issued.access_token  # fresh jti


def test_a_token_expires_after_the_idle_period_and_renewal_slides_it() -> None:
    tokens = TokenService(SECRET, idle_minutes=30)
    issued = tokens.issue(USER, now=T0)
    with pytest.raises(Unauthorized, match=EXPIRED):
        tokens.verify(issued.access_token, now=T0 + timedelta(minutes=30))
    renewed = tokens.renew(
        tokens.verify(issued.access_token, now=T0 + timedelta(minutes=20)),
        now=T0 + timedelta(minutes=20),
    )
    assert tokens.verify(renewed.access_token, now=T0 + timedelta(minutes=45)).username
    with pytest.raises(Unauthorized, match=EXPIRED):
        tokens.verify(renewed.access_token, now=T0 + timedelta(minutes=50))


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # HS512 below
def test_tampered_forged_and_foreign_tokens_are_invalid() -> None:
    tokens = TokenService(SECRET)
    good = tokens.issue(USER).access_token
    head, body, sig = good.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    bad = [
        "",
        "x",
        "a.b.c",
        good + "x",
        good[:-2],
        # Role raised to county_admin, signature kept.
        f"{head}.{_b64({**payload, 'role': 'county_admin'})}.{sig}",
        # alg=none, the classic.
        f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{body}.",
        # Signed by someone with another key.
        TokenService(b"z" * 32).issue(USER).access_token,
        # Signed with the right key but missing claims, or with an unknown role.
        jwt.encode({"sub": "x", "exp": payload["exp"]}, SECRET, algorithm="HS256"),
        jwt.encode({**payload, "role": "root"}, SECRET, algorithm="HS256"),
        jwt.encode({**payload, "exp": str(payload["exp"])}, SECRET, algorithm="HS256"),
        jwt.encode(payload, SECRET, algorithm="HS512"),
        # Without the account's token version, or with one that is not a number (#18).
        jwt.encode({k: v for k, v in payload.items() if k != "ver"}, SECRET, algorithm="HS256"),
        jwt.encode({**payload, "ver": "0"}, SECRET, algorithm="HS256"),
        jwt.encode({**payload, "ver": True}, SECRET, algorithm="HS256"),
    ]
    for token in bad:
        with pytest.raises(Unauthorized) as err:
            tokens.verify(token)
        assert str(err.value) == INVALID, token


def test_weak_configuration_is_refused() -> None:
    with pytest.raises(ConfigError, match="32"):
        TokenService(b"short")
    with pytest.raises(ConfigError):
        TokenService(SECRET, idle_minutes=0)


def test_claims_renew_like_users() -> None:
    claims = Claims("zhang.san", "viewer", "X", T0)
    assert (
        TokenService(SECRET).verify(TokenService(SECRET).renew(claims).access_token).role
        == "viewer"
    )


def test_load_secret_prefers_the_setting(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, jwt_secret=SecretStr("s" * 40))
    assert load_secret(settings) == b"s" * 40
    assert not (tmp_path / "jwt.key").exists()


def test_load_secret_makes_a_private_key_once_and_reuses_it(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    key = load_secret(settings)
    path = tmp_path / "data" / "jwt.key"
    assert len(key) == 32 and path.read_bytes() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret(Settings(data_dir=tmp_path / "data")) == key
    # Tokens from before a restart stay valid after it.
    token = TokenService(key).issue(USER).access_token
    assert TokenService(load_secret(settings)).verify(token).username == "zhang.san"
    path.chmod(0o644)
    assert load_secret(settings) == key and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["jwt.key"]  # no temp files left


def test_racing_first_calls_agree_on_one_key(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    keys: list[bytes] = []
    start = threading.Barrier(8)

    def load() -> None:
        start.wait()
        keys.append(load_secret(settings))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(keys)) == 1 and len(keys) == 8


def test_a_truncated_key_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "jwt.key").write_bytes(b"abc")
    with pytest.raises(ConfigError, match=r"jwt\.key"):
        load_secret(Settings(data_dir=tmp_path))


def test_a_token_carries_the_account_token_version_and_renewal_keeps_it() -> None:
    tokens = TokenService(SECRET)
    user = User("zhang.san", "viewer", "X", None, False, token_version=7)
    claims = tokens.verify(tokens.issue(user).access_token)
    assert claims.token_version == 7
    assert tokens.verify(tokens.renew(claims).access_token).token_version == 7
