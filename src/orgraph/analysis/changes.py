"""What changed between two imports or two days (docs/rules.md "Changes between two points"):
gap items opened and closed (from the gap ledger), households newly uncovered or covered,
members who left, returned or were transferred (their dated episodes), members moved to
another branch or group and orgs created (the field history), and every replaced value."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from typing import Any, Protocol

from orgraph import clock
from orgraph.errors import NotFound, ValidationFailed
from orgraph.store import GraphStore
from orgraph.vocab import GAP_ZH

LIST_MAX = 500
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NEVER = ""  # before every ISO day
_UNTIL = "9999-12-31"
# Points that name the newest recorded imports (the overview compares the last two).
LAST, PREVIOUS = "last", "previous"


class Within(Protocol):
    """Which listed things lie in the answer's scope (analysis/history_scope.InScope)."""

    def item(self, type_: str, item: str) -> bool: ...

    def member(self, key: str) -> bool: ...

    def field(self, kind: str, key: str) -> bool: ...

    def shown(self, value: Any) -> Any: ...

    def key(self, key: str) -> str: ...


def _point(store: GraphStore, ref: str | None, *, today: dt.date) -> dict[str, Any]:
    """A point in history: an import (its id, or `last` / `previous`: the newest recorded
    import, the one before it) or a day (YYYY-MM-DD; None: today)."""
    if ref in (LAST, PREVIOUS):
        ids = [r["id"] for r in store.read("imports_between", after=_NEVER, upto=_UNTIL)]
        back = 1 if ref == LAST else 2
        if len(ids) < back:
            raise NotFound(f"导入记录不足 {back} 次：没有“{ref}”这次导入")
        ref = ids[-back]
    if ref is None or _DAY.match(ref):
        try:
            day = dt.date.fromisoformat(ref) if ref else today
        except ValueError:
            raise ValidationFailed(f"日期“{ref}”格式不对，应为 YYYY-MM-DD") from None
        return {"kind": "day", "on": day.isoformat()}
    rows = store.read("import_record", id=ref)
    if not rows:
        raise NotFound(f"没有编号为“{ref[:40]}”的导入记录")
    r = rows[0]
    return {"kind": "import", "id": r["id"], "at": r["at"], "on": r["on"], "obs": r["obs"] or 0}


def between(
    store: GraphStore,
    since: str,
    until: str | None = None,
    *,
    today: dt.date | None = None,
    within: Within | None = None,
    scope: str | None = None,
) -> dict[str, Any]:
    """The changes after `since` up to `until` (import ids or days; `until` default today);
    with `within`, only what lies in the scope labelled `scope`."""
    a = _point(store, since, today=today or clock.today())
    b = _point(store, until, today=today or clock.today())
    by_import = a["kind"] == b["kind"] == "import"
    later = a["at"] > b["at"] if by_import else a["on"] > b["on"]
    if later:
        raise ValidationFailed("起点晚于终点：请把较早的导入或日期放在前面")
    episodes = _episodes(store, a, b, by_import)
    fields = _fields(store, a, b, by_import)
    if within is not None:
        episodes = [e for e in episodes if within.item(e["type"], e["item"])]
        fields = [
            {
                **f,
                "key": within.key(f["key"]),
                "old": within.shown(f["old"]),
                "new": within.shown(f["new"]),
            }
            for f in fields
            if within.field(f["kind"], f["key"])
        ]
    households = _households(episodes)
    members = _members(store, a["on"], b["on"], fields)
    if within is not None:
        for k in ("left", "returned", "transferred"):
            members[k] = [m for m in members[k] if within.member(m["key"])]
    return {
        "scope": scope,
        "from": _shown(a),
        "to": _shown(b),
        "by": "import" if by_import else "day",
        "gaps": _gap_counts(episodes),
        "households": households,
        "members": members,
        "names": _names(store, households, members, fields[:LIST_MAX]),
        "orgs": {
            "created": [
                {"id": f["key"], "name": f["new"]}
                for f in fields
                if f["kind"] == "orgs" and f["field"] == "created"
            ]
        },
        "fields": {
            "total": len(fields),
            "by_field": dict(sorted(Counter(f"{f['kind']}.{f['field']}" for f in fields).items())),
            "items": fields[:LIST_MAX],
        },
    }


def _shown(p: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in p.items() if k != "obs"}


def _episodes(
    store: GraphStore, a: dict[str, Any], b: dict[str, Any], by_import: bool
) -> list[dict[str, Any]]:
    """The gap episodes opened or closed between the points, each with `opened` / `closed`
    (inside the range) and `open_at_end` (still open at the second point)."""
    if by_import:
        rows = store.read(
            "gap_episodes_changed", after=a["obs"], upto=b["obs"], since=_UNTIL, until=_UNTIL
        )
        lo, hi = a["obs"], b["obs"]
        out = []
        for r in rows:
            closed_seq = r["closed_seq"]
            out.append(
                {
                    **_ep(r),
                    "opened": lo < r["opened_seq"] <= hi,
                    "closed": closed_seq is not None and lo < closed_seq <= hi,
                    "open_at_end": closed_seq is None or closed_seq > hi,
                }
            )
        return out
    rows = store.read("gap_episodes_changed", after=-1, upto=-1, since=a["on"], until=b["on"])
    lo_d, hi_d = a["on"], b["on"]
    return [
        {
            **_ep(r),
            "opened": lo_d < r["first_seen"] <= hi_d,
            "closed": r["resolved_on"] is not None and lo_d < r["resolved_on"] <= hi_d,
            "open_at_end": r["resolved_on"] is None or r["resolved_on"] > hi_d,
        }
        for r in rows
    ]


def _ep(r: dict[str, Any]) -> dict[str, Any]:
    return {k: r[k] for k in ("type", "item", "first_seen", "resolved_on")}


def _gap_counts(episodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    opened = Counter(e["type"] for e in episodes if e["opened"])
    closed = Counter(e["type"] for e in episodes if e["closed"])
    return [
        {"type": t, "label": GAP_ZH.get(t, t), "opened": opened[t], "closed": closed[t]}
        for t in sorted(opened.keys() | closed.keys())
    ]


def _households(episodes: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Households uncovered at the end whose episode began in the range, and households whose
    episode closed in the range with none open at the end."""
    mine = [e for e in episodes if e["type"] == "household_uncovered"]
    open_end = {e["item"] for e in mine if e["open_at_end"]}
    return {
        "newly_uncovered": sorted({e["item"] for e in mine if e["opened"] and e["open_at_end"]}),
        "newly_covered": sorted({e["item"] for e in mine if e["closed"]} - open_end),
    }


def _fields(
    store: GraphStore, a: dict[str, Any], b: dict[str, Any], by_import: bool
) -> list[dict[str, Any]]:
    if by_import:
        ids = [r["id"] for r in store.read("imports_between", after=a["at"], upto=b["at"])]
        rows = [
            {"import": i, **r} for i in ids for r in store.read("import_field_changes", import_id=i)
        ]
    else:
        rows = store.read("field_changes_between", since=a["on"], until=b["on"])
    return [field_change(r) for r in rows]


def _members(
    store: GraphStore, since: str, until: str, fields: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Departures, returns and transfers dated in (since, until]; branch and group moves."""
    left, returned, transferred = [], [], []
    for r in store.read("outflow_events_between", since=since, until=until):
        who = {"key": r["key"], "name": r["name"]}
        if since < r["left_on"] <= until:
            left.append({**who, "on": r["left_on"]})
        if r["returned_on"] and since < r["returned_on"] <= until:
            returned.append({**who, "on": r["returned_on"]})
        if r["transferred_on"] and since < r["transferred_on"] <= until:
            transferred.append({**who, "on": r["transferred_on"]})
    moved = [
        {"key": f["key"], "field": f["field"], "old": f["old"], "new": f["new"]}
        for f in fields
        if f["kind"] == "members" and f["field"] in MOVE_FIELDS
    ]
    return {"left": left, "returned": returned, "transferred": transferred, "moved": moved}


def _names(
    store: GraphStore,
    households: dict[str, list[str]],
    members: dict[str, list[dict[str, Any]]],
    fields: list[dict[str, Any]],
) -> dict[str, dict[str, str]]:
    """Who the listed ids are, as the graph names them now: each listed household's head
    (户主) and each listed member's name, so a reader need not look every id up."""
    hh = {h for ids in households.values() for h in ids}
    hh |= {f["key"] for f in fields if f["kind"] == "households"}
    mm = {m["key"] for ms in members.values() for m in ms}
    mm |= {f["key"] for f in fields if f["kind"] == "members"}
    heads = store.read("household_heads", ids=sorted(hh))
    names = store.read("member_names", keys=sorted(mm))
    return {
        "households": {r["id"]: r["head_name"] or "" for r in sorted(heads, key=lambda r: r["id"])},
        "members": {r["key"]: r["name"] or "" for r in sorted(names, key=lambda r: r["key"])},
    }


# The member state's fields (importer/members.py) that place a member in the tree.
MOVE_FIELDS = frozenset({"branches", "grps"})


def field_change(row: dict[str, Any]) -> dict[str, Any]:
    """A field history row as answers give it: the values decoded, the order number left out."""
    out = {k: v for k, v in row.items() if k not in ("old", "new", "n")}
    for k in ("old", "new"):
        out[k] = json.loads(row[k]) if row[k] is not None else None
    return out
