"""The engine's organisational-life answers against the life oracle's (life.py): readable
differences, empty when they agree. Nested engine references ({"code", "name"}, {"id",
"name"}) are reduced to their code or id and must name what they point at."""

from __future__ import annotations

from typing import Any

from .compare import _names, id_diffs, ref
from .life import LifeRules
from .life_types import LIFE_FIELDS, LIFE_RULE_TYPES

FIELDS = LIFE_FIELDS
assert tuple(FIELDS) == LIFE_RULE_TYPES


def item_diffs(engine: Any, life: LifeRules, rule: str, scope: str | None, d: str) -> list[str]:
    got = engine.gaps(rule, scope=scope, as_of=d, page=1, page_size=10_000)
    want = life.gaps(rule, scope, d)
    where = f"{rule} scope={scope} as_of={d}"
    items, out = id_diffs(where, got, want)
    for k in sorted(set(items) & set(want)):
        for f in FIELDS[rule]:
            if f not in items[k]:
                out.append(f"{where} id={k}: no field {f}")
                continue
            g, w = ref(items[k][f]), want[k].get(f)
            if g != w:
                out.append(f"{where} id={k}: {f} engine={g!r} oracle={w!r}")
        out += [f"{where} id={k}: {msg}" for msg in _names(life.o, items[k])]
    return out


def summary_diffs(engine: Any, life: LifeRules, scope: str | None, d: str) -> list[str]:
    got = engine.summary(scope=scope, as_of=d)
    want = life.summary(scope, d)
    where = f"summary scope={scope} as_of={d}"
    out = [
        f"{where} {t}: engine={got['counts'].get(t)} oracle={n}"
        for t, n in want["counts"].items()
        if got["counts"].get(t) != n
    ]
    want_no_data = sorted([*want["no_data"], *life.o.ledger.no_data(d)])  # and ledger.py's
    if sorted(got.get("no_data", [])) != want_no_data:
        out.append(f"{where}: no_data engine={got.get('no_data')} oracle={want_no_data}")
    return out


def grid_diffs(
    engine: Any, life: LifeRules, scope: str | None, d: str, type_: str | None
) -> list[str]:
    got = engine.life_grid(scope=scope, as_of=d, type=type_)
    want = life.life_grid(scope, d, type_)
    where = f"life_grid scope={scope} as_of={d} type={type_}"
    out = []
    if got["months"] != want["months"]:
        out.append(f"{where}: months engine={got['months']} oracle={want['months']}")
    g_ids = [r["org"]["id"] for r in got["rows"]]
    w_ids = [r["org"]["id"] for r in want["rows"]]
    if g_ids != w_ids:
        out.append(f"{where}: rows engine={g_ids} oracle={w_ids}")
    w_rows = {r["org"]["id"]: r for r in want["rows"]}
    for row in got["rows"]:
        w = w_rows.get(row["org"]["id"])
        if w is None:
            continue
        oid = w["org"]["id"]
        if {k: row["org"].get(k) for k in ("id", "name", "kind")} != w["org"]:
            out.append(f"{where} {oid}: org engine={row['org']} oracle={w['org']}")
        g_cells = [(c["month"], c["state"], c["count"]) for c in row["cells"]]
        w_cells = [(c["month"], c["state"], c["count"]) for c in w["cells"]]
        for gc, wc in zip(g_cells, w_cells, strict=False):
            if gc != wc:
                out.append(f"{where} {oid}: cell engine={gc} oracle={wc}")
        if len(g_cells) != len(w_cells):
            out.append(f"{where} {oid}: {len(g_cells)} cells != {len(w_cells)}")
    return out


def compare_life(
    engine: Any,
    life: LifeRules,
    scopes_: list[str | None],
    dates: list[str],
    grid_types: list[str | None],
) -> list[str]:
    out: list[str] = []
    for d in dates:
        for sc in scopes_:
            for rule in LIFE_RULE_TYPES:
                out += item_diffs(engine, life, rule, sc, d)
            out += summary_diffs(engine, life, sc, d)
            for t in grid_types:
                out += grid_diffs(engine, life, sc, d, t)
    return out
