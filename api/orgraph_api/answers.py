"""Recent engine answers, kept by graph revision.

An engine answer (coverage, gaps, summary, members-away figures) is a pure function of the
graph's revision token and the question (scope, date, type, level, page); every store write
sets a new revision, so an answer kept under the old one can never be served again. Many
dashboard users open the same county pages at once: whole-county gap lists cost the engine
~140 ms each (it sorts every item before paging), coverage ~20 ms; repeating them is the
common case this cache removes. Redaction for the caller happens after, on every request.
`ORGRAPH_ANSWER_CACHE_SIZE` sets how many answers are kept; 0 keeps none (every request asks
the engine: what bench/api.py --no-answer-cache measures).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, ParamSpec

from orgraph import clock

SIZE = 128
Q = ParamSpec("Q")


class AnswerCache:
    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._answers: OrderedDict[Hashable, dict[str, Any]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def ask(
        self,
        revision: str | None,
        method: Callable[Q, dict[str, Any]],
        *args: Q.args,
        **question: Q.kwargs,
    ) -> dict[str, Any]:
        """`method(**question)` (an engine method, e.g. `engine.coverage`), kept under the
        revision, the method's name and the question. The question goes by keyword: a
        positional argument would be a second spelling of the same question, kept twice."""
        if args:
            raise TypeError("AnswerCache.ask takes the question by keyword only")
        key = (method.__name__, *sorted(question.items()))
        return self.get(revision, key, lambda: method(*args, **question))

    def get(
        self,
        revision: str | None,
        question: tuple[Hashable, ...],
        compute: Callable[[], dict[str, Any]],
    ) -> dict[str, Any]:
        """The answer to `question` at `revision`, computed at most once while it is kept.
        A missing date in the question means today (orgraph.clock), so the key carries that date."""
        if self.size <= 0:  # the cache is off: the engine answers every request
            with self._lock:
                self.misses += 1
            return compute()
        key = (revision, clock.today().isoformat(), *question)
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
                self.hits += 1
                return found
        answer = compute()  # outside the lock: two first askers may both compute, once each
        with self._lock:
            self.misses += 1
            self._answers[key] = answer
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return answer
