"""orgraph.clock: the day the product treats as today (ORGRAPH_TODAY, else the machine's)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from orgraph import clock
from orgraph.errors import ConfigError


def test_unset_is_the_machine_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORGRAPH_TODAY", raising=False)
    before = dt.date.today()  # the real clock, on purpose: what an unset variable means
    got = clock.today()
    assert got in (before, dt.date.today())  # midnight may fall between the two reads


def test_empty_is_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORGRAPH_TODAY", " ")
    before = dt.date.today()
    assert clock.today() in (before, dt.date.today())


def test_set_is_that_day_read_at_each_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORGRAPH_TODAY", "2020-02-29")
    assert clock.today() == dt.date(2020, 2, 29)
    monkeypatch.setenv("ORGRAPH_TODAY", " 2026-12-05 ")  # changed in-process: followed
    assert clock.today() == dt.date(2026, 12, 5)


@pytest.mark.parametrize(
    "bad", ["2026-13-01", "2026-02-30", "05/12/2026", "20261205", "2026-W49-6", "tomorrow"]
)
def test_a_malformed_day_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    """Never the machine's date in its place: a run that meant to pin the day would not."""
    monkeypatch.setenv("ORGRAPH_TODAY", bad)
    with pytest.raises(ConfigError) as err:
        clock.today()
    said = str(err.value)
    assert "ORGRAPH_TODAY" in said and repr(bad) in said and "YYYY-MM-DD" in said
    assert err.value.exit_code == 2  # as every bad setting (ConfigError)


def test_the_session_pins_one_day() -> None:
    """tests/conftest.py sets the day once, before any test module is imported."""
    assert clock.today() == dt.date.fromisoformat(os.environ["ORGRAPH_TODAY"])


def test_a_process_the_tests_start_inherits_the_pinned_day() -> None:
    code = "from orgraph import clock; print(clock.today())"
    env = {**os.environ, "ORGRAPH_TODAY": "2020-02-29"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2020-02-29"
    # …and the session's pin, when the test leaves the environment as it is
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == os.environ["ORGRAPH_TODAY"], done.stderr
