"""What an answer at a past day can read (docs/rules.md "What an answer at a past day can
read"): the dated facts at that day, the undated ones as they are now. `past` says so, counts
the values of undated facts that recorded imports replaced after the day (the field history),
and gives the day the recorded history begins."""

from __future__ import annotations

import datetime as dt
from typing import Any

from orgraph import clock
from orgraph.store import GraphStore
from orgraph.vocab import PAST_FIELDS

# What the note names: the undated facts most answers turn on (the whole list is in rules.md).
UNDATED_ZH = "所在支部、党小组、职务、类别、在册状态、农户区划等不带日期的信息"


def past(store: GraphStore, day: str, *, today: dt.date | None = None) -> dict[str, Any]:
    """`past` of an answer at `day` (ISO): undated_as_now, replaced_after, history_from and
    the note. Read from the graph now, never from an answer cached for a revision (today moves
    without one, and an import writes its field history after its revision)."""
    now = (today or clock.today()).isoformat()
    imports = store.read("import_days")
    history_from: str | None = imports[0]["on"] if imports else None
    # a FieldChange's `on` is its import's (importer/history.py), so only the imports of a
    # later roster day are read, by the FieldChange.import index
    later = [r["id"] for r in imports if r["on"] is not None and r["on"] > day]
    replaced = 0
    if later:
        rows = store.read("replaced_values_after", ids=later, day=day, fields=list(PAST_FIELDS))
        replaced = int(rows[0]["n"]) if rows else 0
    undated_as_now = day < now
    return {
        "undated_as_now": undated_as_now,
        "replaced_after": replaced,
        "history_from": history_from,
        "note": _note(day, replaced, history_from) if undated_as_now else None,
    }


def _note(day: str, replaced: int, history_from: str | None) -> str:
    head = f"注：{day} 的答案按当时的日期类信息计算；{UNDATED_ZH}按当前值计"
    if history_from is None:
        return head + "（没有导入记录，无法得知这些信息当时的值）"
    if day < history_from:
        return (
            head + f"（导入记录始于 {history_from}，无法得知此前的情况；"
            f"其后的导入至少替换了 {replaced} 个值）"
        )
    if replaced == 0:
        return head + f"（其后的导入没有替换这些值；导入记录始于 {history_from}）"
    return head + f"（其后的导入替换了 {replaced} 个值；导入记录始于 {history_from}）"
