"""The answer cache: one engine call per question and revision, the question by keyword; with
ORGRAPH_ANSWER_CACHE_SIZE=0, one engine call per request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from orgraph import clock
from orgraph.analysis import engine as engine_mod
from orgraph.config import Settings
from orgraph.store import GraphStore
from orgraph_api.answers import SIZE, AnswerCache
from tests.api.conftest import AS_OF, add_users, login
from tests.live_api import api_settings, live_api


class Engine:
    """Two engine methods with the real ones' keyword signatures, counting their calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def coverage(
        self, *, scope: str | None = None, level: str = "village", as_of: str | None = None
    ) -> dict[str, Any]:
        self.calls.append(("coverage", {"scope": scope, "level": level, "as_of": as_of}))
        return {"scope": scope, "level": level}

    def summary(self, *, scope: str | None = None, as_of: str | None = None) -> dict[str, Any]:
        self.calls.append(("summary", {"scope": scope, "as_of": as_of}))
        return {"scope": scope}


def test_one_call_per_question_and_revision() -> None:
    cache, engine = AnswerCache(), Engine()
    first = cache.ask("r1", engine.coverage, scope="330226101", level="village", as_of=None)
    # the same question in another keyword order is the same question
    again = cache.ask("r1", engine.coverage, as_of=None, level="village", scope="330226101")
    assert again is first
    assert (cache.hits, cache.misses, len(engine.calls)) == (1, 1, 1)
    cache.ask("r2", engine.coverage, scope="330226101", level="village", as_of=None)
    cache.ask("r1", engine.coverage, scope="330226101", level="township", as_of=None)
    cache.ask("r1", engine.summary, scope="330226101", as_of=None)
    assert (cache.hits, cache.misses, len(engine.calls)) == (1, 4, 4)


def test_the_key_is_revision_date_method_and_sorted_question() -> None:
    cache, engine = AnswerCache(), Engine()
    cache.ask("r1", engine.coverage, scope="330226101", level="village", as_of=None)
    today = clock.today().isoformat()
    assert list(cache._answers) == [
        ("r1", today, "coverage", ("as_of", None), ("level", "village"), ("scope", "330226101"))
    ]


def test_the_key_follows_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """A question without a date is asked again when the product's day moves (orgraph.clock:
    ORGRAPH_TODAY), with no write in between."""
    cache, engine = AnswerCache(), Engine()
    monkeypatch.setenv("ORGRAPH_TODAY", "2026-11-01")
    first = cache.ask("r1", engine.summary, scope=None, as_of=None)
    assert cache.ask("r1", engine.summary, scope=None, as_of=None) is first
    monkeypatch.setenv("ORGRAPH_TODAY", "2026-11-02")
    cache.ask("r1", engine.summary, scope=None, as_of=None)
    assert (cache.hits, cache.misses, len(engine.calls)) == (1, 2, 2)
    question = ("summary", ("as_of", None), ("scope", None))
    assert list(cache._answers) == [
        ("r1", "2026-11-01", *question),
        ("r1", "2026-11-02", *question),
    ]


def test_the_app_answers_for_the_pinned_day(
    demo_store: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the real app over HTTP: without as_of, an answer is for ORGRAPH_TODAY, read at
    each request (not when the app started)."""
    add_users(tmp_path)
    with live_api(demo_store, tmp_path) as url:
        client = login(url, "county")
        for day in (AS_OF.isoformat(), "2027-03-15"):
            monkeypatch.setenv("ORGRAPH_TODAY", day)
            r = client.get("/gaps/summary")
            assert r.status_code == 200, r.text
            assert r.json()["as_of"] == day


def test_the_question_goes_by_keyword() -> None:
    def gaps(type: str, *, scope: str | None = None) -> dict[str, Any]:
        return {"type": type, "scope": scope}

    with pytest.raises(TypeError, match="keyword"):
        AnswerCache().ask("r1", gaps, "household_uncovered", scope=None)


def test_size_zero_asks_the_engine_every_time() -> None:
    """ORGRAPH_ANSWER_CACHE_SIZE=0: nothing is kept, every request is an engine call."""
    cache, engine = AnswerCache(0), Engine()
    answers = [
        cache.ask("r1", engine.coverage, scope="330226101", level="village", as_of=None)
        for _ in range(3)
    ]
    assert len(engine.calls) == 3 and (cache.hits, cache.misses) == (0, 3)
    assert answers[0] is not answers[1] and not cache._answers


def test_the_size_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORGRAPH_ANSWER_CACHE_SIZE", raising=False)
    assert Settings().answer_cache_size == SIZE
    monkeypatch.setenv("ORGRAPH_ANSWER_CACHE_SIZE", "0")
    assert Settings().answer_cache_size == 0
    monkeypatch.setenv("ORGRAPH_ANSWER_CACHE_SIZE", "-1")
    with pytest.raises(ValidationError):
        Settings()


@pytest.mark.parametrize(("size", "calls"), [(0, 3), (SIZE, 1)])
def test_the_app_asks_its_engine_per_the_setting(
    demo_store: GraphStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    size: int,
    calls: int,
) -> None:
    """Through the real app over HTTP: the same /coverage question three times at one revision
    is one engine call with the cache, three without."""
    asked: list[str | None] = []

    class Counting(engine_mod.Engine):
        def coverage(self, **question: Any) -> dict[str, Any]:
            asked.append(question.get("scope"))
            return super().coverage(**question)

    monkeypatch.setattr("orgraph_api.app.Engine", Counting)
    add_users(tmp_path)
    settings = api_settings(tmp_path).model_copy(update={"answer_cache_size": size})
    with live_api(demo_store, tmp_path, settings=settings) as url:
        client = login(url, "county")
        for _ in range(3):
            r = client.get("/coverage", params={"scope": "330226101", "as_of": AS_OF.isoformat()})
            assert r.status_code == 200, r.text
    assert len(asked) == calls
