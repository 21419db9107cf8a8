"""The answer cache: one engine call per question and revision, the question by keyword."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from orgraph_api.answers import AnswerCache


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
    today = dt.date.today().isoformat()
    assert list(cache._answers) == [
        ("r1", today, "coverage", ("as_of", None), ("level", "village"), ("scope", "330226101"))
    ]


def test_the_question_goes_by_keyword() -> None:
    def gaps(type: str, *, scope: str | None = None) -> dict[str, Any]:
        return {"type": type, "scope": scope}

    with pytest.raises(TypeError, match="keyword"):
        AnswerCache().ask("r1", gaps, "household_uncovered", scope=None)
