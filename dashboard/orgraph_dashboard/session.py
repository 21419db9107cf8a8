"""Who is logged in, and every API call the pages make.

The token lives in `st.session_state` only. Answers are cached for a few seconds so that
moving between pages stays fast, and every cache key holds the token: one user's answers are
never served to another (nor to the same person after logging in again).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any, Concatenate, NoReturn, ParamSpec, TypeVar, cast

import streamlit as st

from orgraph import clock
from orgraph.client import Me, OrgraphClient, configured_url
from orgraph.errors import (
    Forbidden,
    NotFound,
    OrgraphError,
    StoreUnavailable,
    Unauthorized,
)
from orgraph_dashboard.strings import MSG

CACHE_TTL = 30  # seconds: short, so an import shows up on the next page view
T = TypeVar("T")
P = ParamSpec("P")

_TOKEN = "og_token"
_TOKEN_AT = "og_token_at"
_TOKEN_TTL = "og_token_ttl"
_ME = "og_me"
_FLASH = "og_flash"
_CLIENT = "og_client"


def api_url() -> str:
    """The API base: `orgraph dashboard --api-url` passes it down as ORGRAPH_API_URL."""
    return configured_url()


def client() -> OrgraphClient:
    """This browser session's client (one per session: it holds that session's token)."""
    url = api_url()
    held = st.session_state.get(_CLIENT)
    if isinstance(held, tuple) and held[0] == url and isinstance(held[1], OrgraphClient):
        c = held[1]
    else:
        c = OrgraphClient(url, timeout=30.0)
        st.session_state[_CLIENT] = (url, c)
    c.token = st.session_state.get(_TOKEN)
    return c


def token() -> str | None:
    t = st.session_state.get(_TOKEN)
    return t if isinstance(t, str) else None


def me() -> Me | None:
    m = st.session_state.get(_ME)
    return cast(Me, m) if isinstance(m, dict) else None


def logged_in() -> bool:
    return token() is not None and me() is not None


def login(username: str, password: str) -> Me:
    c = client()
    c.token = None
    answer = c.login(username, password)
    st.session_state[_TOKEN] = answer["access_token"]
    st.session_state[_TOKEN_AT] = time.time()
    st.session_state[_TOKEN_TTL] = float(answer.get("expires_in") or 1800)
    info = c.me()
    st.session_state[_ME] = info
    return info


def logout(message: str | None = None) -> None:
    for k in (_TOKEN, _TOKEN_AT, _TOKEN_TTL, _ME):
        st.session_state.pop(k, None)
    for k in [k for k in st.session_state if str(k).startswith("pg_")]:
        del st.session_state[k]
    if message:
        st.session_state[_FLASH] = message


def pop_flash() -> str | None:
    msg = st.session_state.pop(_FLASH, None)
    return msg if isinstance(msg, str) else None


def expire() -> NoReturn:
    """The API no longer accepts the token: back to the login page, with a message."""
    logout(MSG["expired"])
    st.rerun()


def keep_alive() -> None:
    """Slide the idle expiry: past half its life, trade the token for a fresh one."""
    t0 = st.session_state.get(_TOKEN_AT)
    ttl = st.session_state.get(_TOKEN_TTL, 1800.0)
    if token() is None or not isinstance(t0, float) or time.time() - t0 < ttl / 2:
        return
    try:
        answer = client().refresh()
    except Unauthorized:
        expire()
    except OrgraphError:
        return  # the next real call reports it
    st.session_state[_TOKEN] = answer["access_token"]
    st.session_state[_TOKEN_AT] = time.time()


def as_of() -> str:
    """The date every figure is computed for (the sidebar's 统计日期), ISO text."""
    d = st.session_state.get("og_as_of")
    return (d if isinstance(d, dt.date) else clock.today()).isoformat()


# -- cached API calls -------------------------------------------------------------------------


def _method(call: Callable[..., Any]) -> str:
    """The name of a method of OrgraphClient, which the cache keys hold: any other callable
    (a lambda, a wrapper) would key its answers under a name that is not the endpoint's."""
    name = getattr(call, "__name__", "")
    if getattr(OrgraphClient, name, None) is not call:
        raise TypeError(f"{call!r} is not a method of OrgraphClient")
    return name


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=512)
def _cached(
    base_url: str,
    token: str | None,
    method: str,
    kwargs: tuple[tuple[str, Any], ...],
    _client: OrgraphClient,
    _call: Callable[..., Any],
) -> Any:
    # base_url, token, method and kwargs make the key; the client and the method object are
    # excluded (underscore): `method` is the method's name.
    return _call(_client, **dict(kwargs))


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=64)
def _cached_many(
    base_url: str,
    token: str | None,
    method: str,
    calls: tuple[tuple[tuple[str, Any], ...], ...],
    _client: OrgraphClient,
    _call: Callable[..., Any],
) -> Any:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(8, max(1, len(calls)))) as pool:
        return list(pool.map(lambda kw: _call(_client, **dict(kw)), calls))


def fetch_many(
    call: Callable[Concatenate[OrgraphClient, ...], T], calls: list[dict[str, Any]]
) -> list[T]:
    """Several answers of one endpoint (`OrgraphClient.area_children`, …), fetched side by
    side (a map needs the children of every township), cached together like `fetch`."""
    c = client()
    key = tuple(tuple(sorted(kw.items())) for kw in calls)
    return list(_cached_many(c.base_url, c.token, _method(call), key, c, call))


def fetch(call: Callable[Concatenate[OrgraphClient, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
    """One API answer, cached briefly per user: `fetch(OrgraphClient.coverage, level=…)`
    calls this session's client. Arguments go by keyword (the cache key holds them sorted,
    so a positional one would key the same question twice). Raises the client's errors."""
    if args:
        raise TypeError("session.fetch takes the client method's arguments by keyword only")
    c = client()
    return cast(
        T, _cached(c.base_url, c.token, _method(call), tuple(sorted(kwargs.items())), c, call)
    )


def guarded(fn: Callable[[], T]) -> T | None:
    """Run an API-backed step; translate the errors a person can act on into messages.

    An expired token reruns into the login page; a store or API outage, a 404 or a 403
    becomes a message and None, so the rest of the page still renders.
    """
    try:
        return fn()
    except Unauthorized:
        expire()
    except StoreUnavailable as exc:
        st.error(f"{MSG['api_down']}（{exc}）")
    except NotFound:
        st.warning(MSG["not_found"])
    except Forbidden as exc:
        st.warning(str(exc) or MSG["forbidden"])
    except OrgraphError as exc:
        st.error(str(exc))
    return None


def try_fetch(
    call: Callable[Concatenate[OrgraphClient, P], T], *args: P.args, **kwargs: P.kwargs
) -> T | None:
    """`fetch` inside `guarded`: None, with a message on the page, when the call fails."""
    return guarded(lambda: fetch(call, *args, **kwargs))
