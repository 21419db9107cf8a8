"""The gap ledger (docs/rules.md "Gap life"): every gap item's episodes — the day an observation
first saw it (`first_seen`) and the day one saw it gone (`resolved_on`) — kept in the graph and
brought up to date by observations at the end of imports and after writes, never by replaying
history on a request. Ages are read back from it for any day.

An observation reads the county's gap items from the engine's projection, the ledger's open
episodes from the graph, and writes the difference in one transaction that first claims the
observation's number: two processes observing the same write cannot both write it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orgraph import clock
from orgraph.analysis.context import Ctx, Ref
from orgraph.analysis.projection import revision
from orgraph.analysis.rules import RULES, ref_id
from orgraph.store import GraphStore
from orgraph.vocab import GAP_TYPES

if TYPE_CHECKING:
    from orgraph.analysis.engine import Engine

BATCH = 5000
UNKNOWN_BEFORE = "before_ledger"
UNKNOWN_UNSEEN = "not_observed"


# Rules with one item per rectification episode: an org's item ids repeat across its
# episodes, so the ledger tells them apart by id|opened_on (docs/rules.md "Gap life").
EPISODE_TYPES = frozenset(g.type for g in GAP_TYPES if g.item == "rectification")


def key(type_: str, item: str) -> str:
    return f"{type_}|{item}"


def ledger_id(c: Ctx, type_: str, ref: Ref) -> str:
    """The item's id in the ledger: its id, and for an episode rule its episode's start."""
    if type_ in EPISODE_TYPES:
        return f"{ref_id(c.graph, ref)}|{c.graph.rects[ref[1]][1] or ''}"
    return ref_id(c.graph, ref)


def item_id(type_: str, item: dict[str, Any]) -> str:
    """The ledger id of an item of a gaps answer (Engine.gaps)."""
    if type_ in EPISODE_TYPES:
        return f"{item['id']}|{item.get('opened_on') or ''}"
    return str(item["id"])


@dataclass(frozen=True)
class Observation:
    """What one observation wrote: its number, its day, the episodes it opened and closed."""

    seq: int
    on: str
    opened: int
    closed: int

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "on": self.on, "opened": self.opened, "closed": self.closed}


def items(c: Ctx) -> set[tuple[str, str]]:
    """Every gap item (type, id) of every rule in the context's scope at its day."""
    return {(t, ledger_id(c, t, r)) for t, rule in RULES.items() for r in rule.find(c)}


def state(store: GraphStore) -> dict[str, Any] | None:
    """The ledger's stamp: `seq` (observations so far), `rev` (the revision last observed),
    `began` and `last_on` (its first and last observation's days); None before the first."""
    rows = store.read("ledger_state")
    return dict(rows[0]) if rows else None


def observe(
    engine: Engine, on: dt.date | None = None, *, import_: bool = False
) -> Observation | None:
    """Observe the graph as it is now, on day `on` (default today; never before the ledger's
    last observation). None when there is nothing to observe: the ledger has observed this
    revision (an import: on this day), or another process observed meanwhile, or there is no
    ledger yet and this is not an import (only a recorded import begins one: a graph nothing
    was imported into has no history)."""
    store = engine.store
    stamp = state(store)
    if stamp is None and not import_:
        return None
    day = on or clock.today()
    if stamp is not None and stamp["last_on"] and day.isoformat() < stamp["last_on"]:
        day = dt.date.fromisoformat(stamp["last_on"])
    if _seen(stamp, revision(store)[0], day, import_):
        return None  # before the projection is brought up: a no-change re-import, a log-in
    p = engine.projection(stale_ok=False)
    if _seen(stamp, p.revision, day, import_):
        return None
    c, iso = engine._ctx(None, day, stale_ok=False)
    if c.graph is not p:  # a write landed between the two reads: the next observation sees it
        return None
    now = items(c)
    opened: dict[tuple[str, str], str] = {
        (r["type"], r["item"]): r["uid"] for r in store.read("ledger_open_items")
    }
    prev = int(stamp["seq"]) if stamp is not None else 0
    seq = prev + 1
    new = sorted(now - opened.keys())
    gone = sorted(uid for k, uid in opened.items() if k not in now)
    with store.transaction() as tx:
        if not tx.write("ledger_claim", prev_seq=prev, seq=seq, rev=p.revision, on=iso):
            return None
        for chunk in _chunks(new):
            rows = [
                {"uid": f"{key(t, i)}|{seq}", "key": key(t, i), "type": t, "item": i}
                for t, i in chunk
            ]
            tx.write("ledger_open", rows=rows, on=iso, seq=seq)
        for uids in _chunks(gone):
            tx.write("ledger_close", uids=list(uids), on=iso, seq=seq)
        tx.write("ledger_done", seq=seq)
    return Observation(seq, iso, len(new), len(gone))


def _seen(stamp: dict[str, Any] | None, rev: str | None, day: dt.date, import_: bool) -> bool:
    """Whether the ledger has observed revision `rev` (an import: on `day` too)."""
    if stamp is None or stamp["rev"] != rev:
        return False
    return not import_ or stamp["last_on"] == day.isoformat()


def _chunks(rows: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


# Episodes by type, then item: (first_seen, resolved_on) each.
Episodes = dict[str, dict[str, list[tuple[str, str | None]]]]


def by_type(rows: Iterable[dict[str, Any]]) -> Episodes:
    out: Episodes = {}
    for r in rows:
        out.setdefault(r["type"], {}).setdefault(r["item"], []).append(
            (r["first_seen"], r["resolved_on"])
        )
    return out


def ages(
    store: GraphStore,
    type_: str,
    ids: Iterable[str],
    on: str,
    *,
    kept: tuple[dict[str, Any], Episodes] | None = None,
) -> dict[str, dict[str, Any]]:
    """The age at day `on` (ISO) of each item of `type_` named in `ids` (docs/rules.md "Age at
    a day D"): first_seen, age_days, age_at_least, age_unknown. `kept`: the ledger's stamp
    and every episode, held by the caller (Engine.gap_episodes; the age filter needs every
    item's age); without it the named items' episodes are read by key."""
    wanted = list(dict.fromkeys(ids))
    stamp = kept[0] if kept is not None else state(store)
    if stamp is None or on < stamp["began"]:
        return {i: _unknown(UNKNOWN_BEFORE) for i in wanted}
    if kept is not None:
        mine = kept[1].get(type_, {})
        seen = {
            i: first
            for i in wanted
            for first, resolved in mine.get(i, ())
            if first <= on and (resolved is None or resolved > on)
        }
    else:
        rows = store.read("gap_episodes_of", keys=[key(type_, i) for i in wanted], on=on)
        seen = {r["item"]: r["first_seen"] for r in rows}
    day = dt.date.fromisoformat(on)
    out: dict[str, dict[str, Any]] = {}
    for i in wanted:
        first = seen.get(i)
        if first is None:
            out[i] = _unknown(UNKNOWN_UNSEEN)
            continue
        out[i] = {
            "first_seen": first,
            "age_days": (day - dt.date.fromisoformat(first)).days,
            "age_at_least": first == stamp["began"],
            "age_unknown": None,
        }
    return out


def _unknown(why: str) -> dict[str, Any]:
    return {"first_seen": None, "age_days": None, "age_at_least": False, "age_unknown": why}


def episodes(store: GraphStore) -> list[dict[str, Any]]:
    """Every episode of the ledger (for the oracle's replay and the exports), by key then day."""
    rows = store.read("gap_episodes_all")
    return sorted((dict(r) for r in rows), key=lambda r: (r["type"], r["item"], r["first_seen"]))


def with_ages(
    store: GraphStore, doc: dict[str, Any], known: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A gaps answer (Engine.gaps) with each item's age at its `as_of` (read from the ledger
    now, so an answer cached for the revision still shows today's ledger); `known`: ages
    read already."""
    ids = [item_id(doc["type"], it) for it in doc["items"]]
    got = known or ages(store, doc["type"], ids, doc["as_of"])
    return {**doc, "items": [{**it, **got[i]} for i, it in zip(ids, doc["items"], strict=True)]}
