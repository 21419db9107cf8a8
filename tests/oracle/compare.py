"""Engine answers against oracle answers: readable differences, empty when they agree.

Engine items carry nested references ({"code", "name"} for areas, {"id", "name"} for orgs and
members); they are reduced to the code or id before comparing with the oracle's flat fields,
and every such reference must name what it points at (a county area or org, a member, or a
place of the packaged division table). Nested records (a cluster's members and suggested
secretary, the destinations tree) are compared field by field.
"""

from __future__ import annotations

import calendar
import math
from typing import Any

from .ledger import EPISODE_RULES, LEDGER_FIELDS
from .life_types import LIFE_FIELDS
from .oracle import CHAIN_LEVELS, RULE_TYPES, Oracle

# Per rule: the oracle item fields compared with the engine's (the item's key numbers and refs).
FIELDS: dict[str, tuple[str, ...]] = {
    "household_uncovered": ("head_name", "area", "village", "township", "contacts_away"),
    "household_contact_away": ("head_name", "area", "village", "township", "contacts_away"),
    "member_contact_load": ("name", "branch", "households", "min", "max"),
    "exempt_member_assigned": ("name", "age", "mgmt_class", "households"),
    "township_no_leader": ("name",),
    "village_no_cadre": ("name", "township"),
    "hamlet_no_cadre": ("target_kind", "name", "village"),
    "cadre_group_load": ("name", "branch", "groups"),
    "group_size": ("name", "branch", "members"),
    "branch_too_small": ("name", "full_members", "members"),
    "branch_too_large": ("name", "members"),
    "member_no_branch": ("name",),
    "member_multi_branch": ("name", "branches"),
    "member_no_group": ("name", "branch"),
    "rectification_overdue": ("name", "deadline", "days_overdue"),
    "term_expired": ("name", "kind", "term_end"),
    "mobile_unattached": ("name", "branch", "destination", "city", "left_on", "days_away"),
    "mobile_silent": ("name", "branch", "destination", "city", "last_report", "quiet_days"),
    "lost_contact": ("name", "branch", "reason", "away", "last_report", "quiet_days"),
    "mobile_cluster_without_branch": (
        "name",
        "province",
        "count",
        "full_members",
        "members",
        "suggested_secretary",
    ),
    "mobile_no_contact_person": ("name", "branch", "destination", "city", "left_on"),
    "should_transfer": (
        "name",
        "branch",
        "destination",
        "city",
        "employer",
        "left_on",
        "days_away",
    ),
    **LIFE_FIELDS,
}
FIELDS = {t: {**FIELDS, **LEDGER_FIELDS}[t] for t in RULE_TYPES}  # in the engine's order
# Nested records compared as dicts of these keys (not reduced to their id).
RECORDS = {
    "members": ("id", "name", "full", "joined_on"),
    "suggested_secretary": ("id", "name", "joined_on"),
}
assert tuple(FIELDS) == RULE_TYPES

COVERAGE_FIELDS = (
    "name",
    "level",
    "households",
    "covered",
    "coverage",
    "members",
    "members_home",
    "members_away",
    "load",
    "uncovered_contact_away",
    "away_attached",
    "away_silent",
    "away_lost",
)


def ref(v: Any) -> Any:
    """A nested engine reference reduced to its code or id; lists element-wise."""
    if isinstance(v, dict):
        if "code" in v:
            return v["code"]
        if "id" in v:
            return v["id"]
        return v
    if isinstance(v, list):
        return [ref(x) for x in v]
    return v


def field_value(f: str, v: Any) -> Any:
    """An engine item field in the oracle's form."""
    keys = RECORDS.get(f)
    if keys is None:
        return ref(v)
    if isinstance(v, list):
        return [{k: x.get(k) for k in keys} for x in v]
    if isinstance(v, dict):
        return {k: v.get(k) for k in keys}
    return v


def id_diffs(
    where: str, got: dict[str, Any], want: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """An engine gap page's items by id, and what is wrong with its ids: a total that is not
    its item count, items out of id order, ids only one side has."""
    out = []
    items = {it["id"]: it for it in got["items"]}
    if got["total"] != len(got["items"]):
        out.append(f"{where}: total {got['total']} != {len(got['items'])} items")
    if [it["id"] for it in got["items"]] != sorted(items):
        out.append(f"{where}: items not sorted by id")
    if set(items) != set(want):
        out.append(
            f"{where}: ids engine-only {sorted(set(items) - set(want))}, "
            f"oracle-only {sorted(set(want) - set(items))}"
        )
    return items, out


def gap_diffs(engine: Any, oracle: Oracle, rule: str, scope: str | None, d: str) -> list[str]:
    got = engine.gaps(rule, scope=scope, as_of=d, page=1, page_size=10_000)
    want = oracle.gaps(rule, scope, d)
    where = f"{rule} scope={scope} as_of={d}"
    pre = []
    if rule in EPISODE_RULES:  # one item per episode: told apart by id|opened_on
        ids = [it["id"] for it in got["items"]]
        if ids != sorted(ids):
            pre.append(f"{where}: items not sorted by id")
        keyed = [{**it, "id": f"{it['id']}|{it.get('opened_on') or ''}"} for it in got["items"]]
        got = {**got, "items": sorted(keyed, key=lambda it: str(it["id"]))}
    items, out = id_diffs(where, got, want)
    out = pre + out
    for k in sorted(set(items) & set(want)):
        for f in FIELDS[rule]:
            g, w = field_value(f, items[k].get(f)), want[k].get(f)
            if g != w:
                out.append(f"{where} id={k}: {f} engine={g!r} oracle={w!r}")
        out += [f"{where} id={k}: {msg}" for msg in _names(oracle, items[k])]
    return out


def _names(oracle: Oracle, item: dict[str, Any]) -> list[str]:
    """Nested references ({code, name} / {id, name}) name what they point at."""
    out = []
    places = oracle.place_names()
    for f, v in item.items():
        for x in v if isinstance(v, list) else [v]:
            if not isinstance(x, dict) or "name" not in x:
                continue
            if "code" in x and x["code"] in oracle.areas:
                want = oracle.areas[x["code"]].name
            elif "code" in x and x["code"] in places:
                want = places[x["code"]]
            elif "id" in x and x["id"] in oracle.orgs:
                want = oracle.orgs[x["id"]].name
            elif "id" in x and x["id"] in oracle.members:
                want = oracle.members[x["id"]].name
            else:
                out.append(f"{f}: reference {x!r} to nothing in the county")
                continue
            if x["name"] != want:
                out.append(f"{f}: name {x['name']!r} != {want!r}")
    return out


def summary_diffs(engine: Any, oracle: Oracle, scope: str | None, d: str) -> list[str]:
    got = engine.summary(scope=scope, as_of=d)["counts"]
    want = oracle.summary(scope, d)
    return [
        f"summary scope={scope} as_of={d} {t}: engine={got.get(t)} oracle={want[t]}"
        for t in RULE_TYPES
        if got.get(t) != want[t]
    ]


def _same(f: str, g: Any, w: Any) -> bool:
    if f == "coverage" and g is not None and w is not None:
        # The engine rounds to 4 decimals.
        return math.isclose(g, w, abs_tol=5e-5 + 1e-12)
    if f == "load" and isinstance(g, dict) and isinstance(w, dict):
        return all(g.get(b, 0) == w.get(b, 0) for b in set(g) | set(w))
    return bool(g == w)


def coverage_diffs(engine: Any, oracle: Oracle, scope: str | None, level: str, d: str) -> list[str]:
    got = engine.coverage(scope=scope, level=level, as_of=d)["rows"]
    return rows_diffs(got, oracle, scope, level, d)


def month_ends(d: str, months: int) -> list[str]:
    """docs/rules.md "Trend": the last day of each of the months − 1 calendar months before
    d's month (calendar.monthrange), oldest first, then d."""
    year, month = int(d[:4]), int(d[5:7])
    out = []
    for k in range(months - 1, 0, -1):
        y, m = divmod(year * 12 + month - 1 - k, 12)
        out.append(f"{y:04d}-{m + 1:02d}-{calendar.monthrange(y, m + 1)[1]:02d}")
    return [*out, d]


def trend_diffs(
    engine: Any, oracle: Oracle, scope: str | None, level: str, d: str, months: int
) -> list[str]:
    """The trend's points are the month ends, and at each the coverage rows and the gap
    counts are the oracle's as of that day."""
    got = engine.trend(scope=scope, level=level, months=months, as_of=d, counts=True)
    where = f"trend scope={scope} level={level} months={months} as_of={d}"
    dates = [p["date"] for p in got["points"]]
    if dates != month_ends(d, months):
        return [f"{where}: points {dates} != {month_ends(d, months)}"]
    out = []
    for point in got["points"]:
        day = point["date"]
        out += rows_diffs(point["rows"], oracle, scope, level, day)
        want = oracle.summary(scope, day)
        out += [
            f"{where} at {day} {t}: engine={point['counts'].get(t)} oracle={want[t]}"
            for t in RULE_TYPES
            if point["counts"].get(t) != want[t]
        ]
    return out


def rows_diffs(
    got: list[dict[str, Any]], oracle: Oracle, scope: str | None, level: str, d: str
) -> list[str]:
    want = oracle.coverage(scope, level, d)
    where = f"coverage scope={scope} level={level} as_of={d}"
    out = []
    if not got or got[0].get("code") != want[0]["code"]:
        out.append(
            f"{where}: first row {got[0].get('code') if got else None} != scope {want[0]['code']}"
        )
    g_rows = {r["code"]: r for r in got}
    w_rows = {r["code"]: r for r in want}
    if [r["code"] for r in got] != [r["code"] for r in want]:
        out.append(
            f"{where}: rows engine {[r['code'] for r in got]} oracle {[r['code'] for r in want]}"
        )
    for code in sorted(set(g_rows) & set(w_rows)):
        for f in COVERAGE_FIELDS:
            g, w = g_rows[code].get(f), w_rows[code].get(f)
            if not _same(f, g, w):
                out.append(f"{where} code={code}: {f} engine={g!r} oracle={w!r}")
    return out


def chain_diffs(engine: Any, oracle: Oracle, hid: str, d: str) -> list[str]:
    got = engine.chain(hid, as_of=d)
    want = oracle.chain(hid, d)
    where = f"chain {hid} as_of={d}"
    out = []
    if got["broken_at"] != want["broken_at"]:
        out.append(f"{where}: broken_at engine={got['broken_at']!r} oracle={want['broken_at']!r}")
    g_levels = {lv["level"]: lv for lv in got["levels"]}
    w_levels = {lv["level"]: lv for lv in want["levels"]}
    g_order = [lv["level"] for lv in got["levels"]]
    w_order = [lv["level"] for lv in want["levels"]]
    if g_order != w_order:
        out.append(f"{where}: levels engine={g_order} oracle={w_order}")
    for lvl in CHAIN_LEVELS:
        if lvl in g_levels and lvl in w_levels:
            # The engine lists every on-roll contact at the household level, flagged at_home;
            # the chain's people there are the at-home ones.
            g = sorted({p["id"] for p in g_levels[lvl]["people"] if p.get("at_home", True)})
            if g != w_levels[lvl]["people"]:
                out.append(f"{where} {lvl}: people engine={g} oracle={w_levels[lvl]['people']}")
    return out


def _tree_diffs(where: str, got: Any, want: Any) -> list[str]:
    """Differences between an engine answer and the oracle's, over the oracle's keys: dicts
    key by key (engine-only keys ignored), lists element by element, references reduced to
    their code or id, coordinates to 1e-6."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{where}: engine={got!r} oracle={want!r}"]
        out = []
        for k, w in want.items():
            out += _tree_diffs(f"{where}.{k}", got.get(k), w)
        return out
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return [f"{where}: engine={got!r} oracle={want!r}"]
        out = []
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            out += _tree_diffs(f"{where}[{i}]", g, w)
        return out
    if isinstance(want, float) and isinstance(got, int | float):
        return (
            []
            if math.isclose(got, want, abs_tol=1e-6)
            else [f"{where}: engine={got!r} oracle={want!r}"]
        )
    g = ref(got)
    return [] if g == want else [f"{where}: engine={g!r} oracle={want!r}"]


def destinations_diffs(engine: Any, oracle: Oracle, scope: str | None, d: str) -> list[str]:
    got = engine.destinations(scope=scope, as_of=d)
    return _tree_diffs(f"destinations scope={scope} as_of={d}", got, oracle.destinations(scope, d))


def flows_diffs(engine: Any, oracle: Oracle, scope: str | None, d: str) -> list[str]:
    got = engine.flows(scope=scope, as_of=d)
    return _tree_diffs(f"flows scope={scope} as_of={d}", got, oracle.flows(scope, d))
