"""The per-address log-in throttle: a sliding window of refused log-ins (#18)."""

from __future__ import annotations

import pytest

from orgraph.errors import ConfigError
from orgraph.security import throttle
from orgraph.security.throttle import LoginThrottle


def test_an_address_is_throttled_after_its_failures_until_the_window_slides() -> None:
    t = LoginThrottle(3, 600)
    for now in (0.0, 100.0, 200.0):
        assert t.retry_after("10.0.0.1", now=now) == 0
        t.failed("10.0.0.1", now=now)
    assert t.retry_after("10.0.0.1", now=250.0) == 350  # the first failure ages out at 600
    assert t.retry_after("10.0.0.2", now=250.0) == 0, "other addresses are not affected"
    assert t.retry_after("10.0.0.1", now=600.0) == 0
    t.failed("10.0.0.1", now=600.0)
    assert t.retry_after("10.0.0.1", now=601.0) == 99  # the failure at 100 is next to go
    assert t.retry_after(None, now=0.0) == 0


def test_it_forgets_the_oldest_addresses_beyond_its_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle, "MAX_ADDRESSES", 3)
    t = LoginThrottle(1, 600)
    for i in range(5):
        t.failed(f"10.0.0.{i}", now=float(i))
    assert [t.retry_after(f"10.0.0.{i}", now=10.0) > 0 for i in range(5)] == [
        False,
        False,
        True,
        True,
        True,
    ]


def test_settings_must_be_positive() -> None:
    with pytest.raises(ConfigError, match="ORGRAPH_LOGIN_THROTTLE"):
        LoginThrottle(0, 600)
    with pytest.raises(ConfigError):
        LoginThrottle(5, 0)
