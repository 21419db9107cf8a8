"""Areas and orgs: one node, its direct children, and the tree of a scope."""

from __future__ import annotations

from typing import Any

import numpy as np

from orgraph.records.visibility import Visible
from orgraph.store import GraphStore


def _members_per_org(seen: Visible) -> Any:
    """On-roll members belonging (BELONGS_TO) to each org."""
    p = seen.p
    return p.once(
        "api_members_per_org",
        lambda: np.bincount(
            [o for m, branches in enumerate(p.m_branches) if p.m_on_roll[m] for o in branches],
            minlength=len(p.org_id),
        ).astype(np.int64),
        ("org_id", "m_branches", "m_on_roll"),
    )


def _area_row(seen: Visible, a: int) -> dict[str, Any]:
    p = seen.p
    parent = p.area_parent[a]
    return {
        "code": p.area_code[a],
        "name": p.area_name[a],
        "level": p.area_level[a],
        "parent": p.area_code[parent] if seen.area(parent) else None,
    }


def areas(store: GraphStore, *, seen: Visible, indices: list[int]) -> list[dict[str, Any]]:
    """Visible areas with their coordinates, in code order."""
    p = seen.p
    shown = sorted((a for a in indices if seen.area(a)), key=lambda a: p.area_code[a])
    where = {
        r["code"]: r for r in store.read("record_areas", codes=[p.area_code[a] for a in shown])
    }
    return [
        {
            **_area_row(seen, a),
            "lon": where.get(p.area_code[a], {}).get("lon"),
            "lat": where.get(p.area_code[a], {}).get("lat"),
        }
        for a in shown
    ]


def _org_row(seen: Visible, o: int, counts: Any) -> dict[str, Any]:
    p = seen.p
    parent = p.org_parent[o]
    return {
        "id": p.org_id[o],
        "name": p.org_name[o],
        "kind": p.org_kind[o],
        "parent": p.org_id[parent] if seen.org(parent) else None,
        "area": seen.area_ref(p.org_area[o]),
        "members": int(counts[o]),
    }


def orgs(store: GraphStore, *, seen: Visible, indices: list[int]) -> list[dict[str, Any]]:
    """Visible orgs with where they are hosted (mobile branches), in id order."""
    p = seen.p
    shown = sorted((o for o in indices if seen.org(o)), key=lambda o: p.org_id[o])
    hosts = {
        r["id"]: {"code": r["code"], "name": r["name"]}
        for r in store.read("record_org_hosts", ids=[p.org_id[o] for o in shown])
    }
    counts = _members_per_org(seen)
    return [{**_org_row(seen, o, counts), "host_area": hosts.get(p.org_id[o])} for o in shown]


def tree(*, seen: Visible) -> dict[str, Any]:
    """Every visible org and area (no coordinates), for drawing the scope's tree."""
    counts = _members_per_org(seen)
    org_rows = [_org_row(seen, int(o), counts) for o in np.flatnonzero(seen.orgs)]
    area_rows = [_area_row(seen, int(a)) for a in np.flatnonzero(seen.areas)]
    return {
        "orgs": sorted(org_rows, key=lambda r: r["id"]),
        "areas": sorted(area_rows, key=lambda r: r["code"]),
    }
