"""Readable differences between two JSON-like answers (empty when they are equal)."""

from __future__ import annotations

from typing import Any


def diffs(
    a: Any, b: Any, path: str = "", out: list[str] | None = None, limit: int = 30
) -> list[str]:
    out = [] if out is None else out
    if len(out) >= limit:
        return out
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: only in {'falkordb' if k in a else 'neo4j'}")
            else:
                diffs(a[k], b[k], f"{path}.{k}", out, limit)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items on falkordb, {len(b)} on neo4j")
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            diffs(x, y, f"{path}[{i}]", out, limit)
    elif type(a) is not type(b) or a != b:
        # 1 and 1.0 are different answers in JSON: the types must agree too.
        out.append(f"{path}: falkordb {a!r} ≠ neo4j {b!r}")
    return out
