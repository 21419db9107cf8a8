"""A member's history away from home, read straight from the graph, in date order."""

from __future__ import annotations

import json
from typing import Any

from orgraph.store import GraphStore

# Same-day events in the order they happen: leave, join the org there, report, come back.
ORDER = {"departure": 0, "attend": 1, "report": 2, "leave_org": 3, "return": 4, "transfer": 5}


def timeline(store: GraphStore, member: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for o in store.read("timeline_outflows", member=member):
        dest = {"code": o["dest"], "name": o["dest_name"]} if o["dest"] else None
        events.append(
            {
                "kind": "departure",
                "on": o["left_on"],
                "outflow": o["id"],
                "destination": dest,
                "destination_text": o["destination_text"],
                "reason": o["reason"],
                "employer": o["employer"],
                "card_no": o["card_no"],
                "contact_person": o["contact_person"],
                "host_org": {"id": o["host"], "name": o["host_name"]} if o["host"] else None,
            }
        )
        if o["returned_on"]:
            events.append({"kind": "return", "on": o["returned_on"], "outflow": o["id"]})
    for r in store.read("timeline_reports", member=member):
        events.append(
            {
                "kind": "report",
                "on": r["on"],
                "channel": r["channel"],
                "org": {"id": r["org"], "name": r["org_name"]}
                if r["org"] or r["org_name"]
                else None,
            }
        )
    for a in store.read("timeline_attendance", member=member):
        org = {"id": a["org"], "name": a["org_name"]}
        if a["since"]:
            events.append({"kind": "attend", "on": a["since"], "org": org})
        if a["until"]:
            events.append({"kind": "leave_org", "on": a["until"], "org": org})
    for t in store.read("timeline_transfers", member=member):
        events.append(
            {
                "kind": "transfer",
                "on": t["on"],
                "from_orgs": list(t["from_orgs"] or []),
                "to_org": {"id": t["to_org"], "name": t["to_name"]},
            }
        )
    # Same day, same kind (two reports by different channels): the rest of the event decides,
    # so the order never depends on the order the engine returned the rows in.
    events.sort(
        key=lambda e: (
            e["on"] or "",
            ORDER[e["kind"]],
            json.dumps(e, sort_keys=True, ensure_ascii=False),
        )
    )
    return events
