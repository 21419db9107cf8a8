"""The gap ledger replayed in plain Python (docs/rules.md "Gap life"), from the oracle's gap
items of each observation: episodes opened on the first day an item holds, closed on the
first day it no longer does, a new episode when it holds again; days never go back. Imports
nothing from orgraph.analysis."""

from __future__ import annotations

import datetime as dt
from typing import Any

Item = tuple[str, str]


def replay(observations: list[tuple[str, set[Item]]]) -> list[dict[str, Any]]:
    """Every episode, in the order opened, as {type, item, first_seen, resolved_on}."""
    out: list[dict[str, Any]] = []
    current: dict[Item, dict[str, Any]] = {}
    last = ""
    for day, holding in observations:
        day = max(day, last)
        for item in sorted(holding):
            if item not in current:
                ep = {"type": item[0], "item": item[1], "first_seen": day, "resolved_on": None}
                current[item] = ep
                out.append(ep)
        for item in [i for i in current if i not in holding]:
            current.pop(item)["resolved_on"] = day
        last = day
    return out


def age_at(episodes: list[dict[str, Any]], began: str | None, item: Item, d: str) -> dict[str, Any]:
    """The age at day d of an item that holds at d: its episode covering d, else unknown."""
    if began is None or d < began:
        return {
            "first_seen": None,
            "age_days": None,
            "age_at_least": False,
            "age_unknown": "before_ledger",
        }
    for ep in episodes:
        if (ep["type"], ep["item"]) != item or ep["first_seen"] > d:
            continue
        if ep["resolved_on"] is None or ep["resolved_on"] > d:
            days = (dt.date.fromisoformat(d) - dt.date.fromisoformat(ep["first_seen"])).days
            return {
                "first_seen": ep["first_seen"],
                "age_days": days,
                "age_at_least": ep["first_seen"] == began,
                "age_unknown": None,
            }
    return {
        "first_seen": None,
        "age_days": None,
        "age_at_least": False,
        "age_unknown": "not_observed",
    }
