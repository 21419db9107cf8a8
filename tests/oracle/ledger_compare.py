"""Engine answers against the ledger oracle's (ledger.py): the 第一书记 village view, the
township ranking of party groups with its 流动红旗, and which of the nine rules say no_data.
The nine rules' items are compared by compare.gap_diffs like every rule's."""

from __future__ import annotations

from typing import Any

from .compare import _tree_diffs
from .ledger import LEDGER_RULES, month_index, quarter_period
from .oracle import Oracle


def ranking_quarters(d: str) -> list[str | None]:
    """The default quarter (the latest completed at D) and the one two quarters before."""
    i = month_index(d) // 3 * 3 - 9
    return [None, quarter_period(i).label]


def ledger_diffs(engine: Any, oracle: Oracle, scope: str | None, d: str) -> list[str]:
    led = oracle.ledger
    out = []
    got = sorted(set(engine.summary(scope=scope, as_of=d)["no_data"]) & set(LEDGER_RULES))
    want = sorted(led.no_data(d))
    if got != want:
        out.append(f"no_data scope={scope} as_of={d}: engine={got} oracle={want}")
    out += _tree_diffs(
        f"first_secretary_villages scope={scope} as_of={d}",
        engine.first_secretary_villages(scope=scope, as_of=d),
        led.first_secretary_villages(scope, d),
    )
    return out


def ranking_diffs(engine: Any, oracle: Oracle, d: str) -> list[str]:
    out = []
    for t in sorted(a.code for a in oracle.c.areas if a.level == "township"):
        for q in ranking_quarters(d):
            out += _tree_diffs(
                f"group_ranking {t} quarter={q} as_of={d}",
                engine.group_ranking(t, quarter=q, as_of=d),
                oracle.ledger.group_ranking(t, q, d),
            )
    return out
