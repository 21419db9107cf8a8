"""Applying a reviewed contact proposal (docs/rules.md "Contact proposals", "Applying"): every
pair is checked first, then the new ones are written in one write, or nothing is."""

from __future__ import annotations

import datetime as dt
from typing import Any

from orgraph.analysis.engine import Engine
from orgraph.errors import ValidationFailed

MAX_PAIRS = 20_000
SHOWN = 20  # problems named in the message; all of them are in `errors`


def apply_pairs(
    engine: Engine,
    pairs: list[tuple[str, str]],
    *,
    scope: str,
    on: dt.date,
) -> dict[str, Any]:
    """Write the pairs as contacts from `on`; {"as_of", "created", "kept"} or ValidationFailed
    naming every pair that cannot be written in `refused` (then nothing is)."""
    if not pairs:
        raise ValidationFailed("没有要应用的联户建议")
    if len(pairs) > MAX_PAIRS:
        raise ValidationFailed(f"一次最多应用 {MAX_PAIRS} 对，请分批")
    found = engine.check_pairs(pairs, scope=scope, as_of=on)
    problems = found["problems"]
    if problems:
        shown = "；".join(p["message"] for p in problems[:SHOWN])
        more = f" 等 {len(problems)} 处" if len(problems) > SHOWN else ""
        raise ValidationFailed(
            f"有 {len(problems)} 处不能应用，未做任何修改: {shown}{more}", refused=problems
        )
    rows = [
        {"member": m, "target": h, "since": found["as_of"], "until": None} for m, h in found["new"]
    ]
    if rows:
        engine.store.write("upsert_household_contacts", rows=rows)
    return {"as_of": found["as_of"], "created": len(rows), "kept": len(found["kept"])}
