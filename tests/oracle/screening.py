"""The oracle of docs/rules.md "软弱涣散 screening (排查)", literally.

Computed from the settled county model (county_model.settle) with plain Python; nothing here
reads the graph or imports orgraph.analysis. What the screening reuses from the other rules
is the oracle's own: `village_no_cadre` and `hamlet_no_cadre` (oracle.py), `lost_contact` /
`mobile_silent`'s predicates (mobile.py), the branch and group life rules' `missed` lists and
`life_begin` (life.py), and a household's coverage (oracle.py).

Readings chosen where docs/rules.md leaves room (each is in the oracle's report):
- `listed`: the org's `weak` flag, or the `rectification_open` indicator has at least one rect
  ("any of its rectification_open rects": the indicator's, so a rect of a branch below a 党总支
  lists the 党总支). `LISTED_BY_OWN_RECT_ONLY` switches to the org's own rects.
- An indicator that is null (no data) has `value` null as well as `flag` null.
- `few_full_members` and `members_lost`'s `members` is a count (like `lost` and `silent`).
- `screened` and `candidates` are counts; `no_data` is in the indicators' order.
- `scope` is the scope as asked, the county's code when none is given.
- A rect's empty `opened_on` is null in the answer; its `org` is a reference (`id`, `name`),
  like the items' `org`.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from .county_model import GROUP_KINDS, County, Member
from .life_types import BRANCH_RULES
from .oracle import Oracle

# The indicators in the order of docs/rules.md (it also breaks ties between equal weights).
INDICATORS = (
    "secretary_vacant",
    "term_expired",
    "life_irregular",
    "few_full_members",
    "members_lost",
    "household_coverage",
    "chain_breaks",
    "rectification_open",
)
SCREEN_POLICY: dict[str, Any] = {
    "screen_life_missed": 3,
    "screen_lost_pct": 10,
    "screen_coverage_pct": 80,
    "screen_chain_breaks_max": 0,
    "screen_weight_secretary_vacant": 5,
    "screen_weight_term_expired": 4,
    "screen_weight_life_irregular": 4,
    "screen_weight_few_full_members": 3,
    "screen_weight_members_lost": 3,
    "screen_weight_household_coverage": 2,
    "screen_weight_chain_breaks": 2,
    "screen_weight_rectification_open": 1,
}
# Not screened: groups and the mobile orgs (external orgs are never in a county's scope).
NOT_SCREENED = GROUP_KINDS | {"mobile_branch", "temp_branch", "external"}
LISTED_BY_OWN_RECT_ONLY = False


class Screening:
    def __init__(
        self, county: County, policy: dict[str, Any] | None = None, oracle: Oracle | None = None
    ) -> None:
        self.o = oracle or Oracle(county, {**SCREEN_POLICY, **(policy or {})})
        self.p = {**SCREEN_POLICY, **self.o.p}
        self.c = self.o.c  # settled
        self.orgs = self.o.orgs
        self._per_day: dict[str, dict[str, Any]] = {}

    # -- which organisations ------------------------------------------------------------------

    def screened(self, scope: str | None) -> list[str]:
        """Orgs of the scope that are not external, groups or mobile, serve a village directly,
        and whose parent (when any) does not serve that same village; by id."""
        s = self.o.scope(scope)
        out = []
        for oid in sorted(s.orgs):
            o = self.orgs[oid]
            if o.kind in NOT_SCREENED or o.area is None:
                continue
            if self.o.areas[o.area].level != "village":
                continue
            if o.parent is not None and self.orgs[o.parent].area == o.area:
                continue
            out.append(oid)
        return out

    def below(self, oid: str) -> list[str]:
        """O(o): the org and every org under it, by id."""
        return sorted({oid} | set(nx.descendants(self.o.org_tree, oid)))

    def members_of(self, oid: str) -> list[Member]:
        """On-roll members with a BELONGS_TO to an org of O(o), once each, by key."""
        orgs = set(self.below(oid))
        return sorted(
            (m for m in self.c.members if m.on_roll and any(b in orgs for b in self.o.branches(m))),
            key=lambda m: m.member_no,
        )

    # -- what every organisation's indicators read at D (whole county) ------------------------

    def day(self, d: str) -> dict[str, Any]:
        if d not in self._per_day:
            life = self.o.life
            begun = life.life_begin(d) is not None
            missed: dict[str, dict[str, int]] = {}  # org id → {type: n}
            if begun:
                for t in BRANCH_RULES:
                    for oid, it in life.gaps(t, None, d).items():
                        if it["missed"]:
                            missed.setdefault(oid, {})[t] = len(it["missed"])
            self._per_day[d] = {
                "life_begun": begun,
                "missed": missed,
                "village_no_cadre": set(self.o.gaps("village_no_cadre", None, d)),
                "hamlet_no_cadre": self.o.gaps("hamlet_no_cadre", None, d),
            }
        return self._per_day[d]

    # -- indicators ---------------------------------------------------------------------------

    def _ind(self, key: str, value: Any, threshold: int, flag: bool | None, **detail: Any) -> Any:
        return {"key": key, "value": value, "threshold": threshold, "flag": flag, "detail": detail}

    def indicators(self, oid: str, d: str) -> list[dict[str, Any]]:
        p, o = self.p, self.o
        org = self.orgs[oid]
        assert org.area is not None
        village = org.area
        orgs = self.below(oid)
        members = self.members_of(oid)
        day = self.day(d)
        out = []

        secretaries = [m for m in members if "secretary" in m.roles]
        n = sum(1 for m in secretaries if o.at_home(m, d))
        out.append(
            self._ind(
                "secretary_vacant",
                n,
                1,
                n == 0,
                secretaries=[
                    {"id": m.member_no, "name": m.name, "away": o.away(m, d)} for m in secretaries
                ],
            )
        )

        expired = [
            self.orgs[x]
            for x in orgs
            if self.orgs[x].kind not in GROUP_KINDS
            and self.orgs[x].kind != "external"
            and self.orgs[x].term_end
            and (self.orgs[x].term_end or "") < d
        ]
        out.append(
            self._ind(
                "term_expired",
                len(expired),
                1,
                len(expired) >= 1,
                orgs=[{"id": x.id, "name": x.name, "term_end": x.term_end} for x in expired],
            )
        )

        if day["life_begun"]:
            per_type: dict[str, int] = {}
            for x in orgs:
                for t, k in day["missed"].get(x, {}).items():
                    per_type[t] = per_type.get(t, 0) + k
            total = sum(per_type.values())
            out.append(
                self._ind(
                    "life_irregular",
                    total,
                    p["screen_life_missed"],
                    total >= p["screen_life_missed"],
                    missed=dict(sorted(per_type.items())),
                )
            )
        else:
            out.append(self._ind("life_irregular", None, p["screen_life_missed"], None, missed={}))

        full = sum(1 for m in members if o.full(m))
        out.append(
            self._ind(
                "few_full_members",
                full,
                p["branch_min_full"],
                full < p["branch_min_full"],
                members=len(members),
            )
        )

        lost = sum(1 for m in members if o.lost(m, d))
        silent = sum(1 for m in members if not o.lost(m, d) and o.silent(m, d))
        n = lost + silent
        out.append(
            self._ind(
                "members_lost",
                n,
                p["screen_lost_pct"],
                n >= 1 and n * 100 >= p["screen_lost_pct"] * len(members),
                members=len(members),
                lost=lost,
                silent=silent,
            )
        )

        sub = o.subtree(village)
        households = [h.id for h in self.c.households if h.area in sub]
        hh = len(households)
        covered = sum(1 for h in households if o._household_state(h, d)[0])
        eligible = [m for m in members if o.at_home(m, d) and not o.exempt(m, d)]
        met = sum(1 for m in eligible if len(o.contact_households(m, d)) >= p["contact_min"])
        n = len(eligible)
        out.append(
            self._ind(
                "household_coverage",
                met / n if n else None,
                p["screen_coverage_pct"],
                met * 100 < p["screen_coverage_pct"] * n if n else None,
                eligible=n,
                met=met,
                households=hh,
                covered=covered,
            )
        )

        breaks = []
        if village in day["village_no_cadre"]:
            breaks.append({"level": "village", "code": village, "name": o.areas[village].name})
        hamlets = day["hamlet_no_cadre"]
        for k in sorted(hamlets):
            it = hamlets[k]
            if it["target_kind"] == "hamlet" and k in sub:
                breaks.append({"level": "hamlet", "code": k, "name": it["name"]})
            elif it["target_kind"] == "group" and k in orgs:
                breaks.append({"level": "group", "id": k, "name": it["name"]})
        out.append(
            self._ind(
                "chain_breaks",
                len(breaks),
                p["screen_chain_breaks_max"],
                len(breaks) > p["screen_chain_breaks_max"],
                breaks=breaks,
            )
        )

        rects = self.open_rects(orgs, d)
        out.append(self._ind("rectification_open", len(rects), 1, len(rects) >= 1, rects=rects))
        assert [i["key"] for i in out] == list(INDICATORS)
        return out

    def open_rects(self, orgs: list[str], d: str) -> list[dict[str, Any]]:
        """Rectifications of the orgs with status ≠ done, opened (or undated) by D."""
        rects: list[dict[str, Any]] = []
        for x in orgs:
            r = self.orgs[x]
            if not r.has_rectification:
                continue
            status = r.rect_status or "open"
            if status == "done" or (r.rect_opened_on and r.rect_opened_on > d):
                continue
            rects.append(
                {
                    "org": {"id": x, "name": r.name},
                    "opened_on": r.rect_opened_on or None,
                    "deadline": r.rect_deadline,
                    "status": status,
                    "overdue": bool(r.rect_deadline) and (r.rect_deadline or "") < d,
                }
            )
        for e in self.c.rects:
            status = e.effective_status
            if e.org in orgs and status != "done" and e.opened_on <= d:
                rects.append(
                    {
                        "org": {"id": e.org, "name": self.orgs[e.org].name},
                        "opened_on": e.opened_on,
                        "deadline": e.deadline,
                        "status": status,
                        "overdue": bool(e.deadline) and (e.deadline or "") < d,
                    }
                )
        rects.sort(key=lambda r: (r["org"]["id"], r["deadline"] or "", r["opened_on"] or ""))
        return rects

    # -- items and the answer -----------------------------------------------------------------

    def weight(self, key: str) -> int:
        return int(self.p["screen_weight_" + key])

    def item(self, oid: str, d: str) -> dict[str, Any]:
        o = self.o
        org = self.orgs[oid]
        assert org.area is not None
        inds = self.indicators(oid, d)
        flagged = [i["key"] for i in inds if i["flag"] is True]
        reasons = sorted(flagged, key=lambda k: (-self.weight(k), INDICATORS.index(k)))
        rect_ind = inds[INDICATORS.index("rectification_open")]
        rects = rect_ind["detail"]["rects"]
        if LISTED_BY_OWN_RECT_ONLY:
            rects = [r for r in rects if r["org"]["id"] == oid]
        township = o.ancestor_at(org.area, "township")
        return {
            "org": {"id": oid, "name": org.name, "kind": org.kind},
            "village": {"code": org.area, "name": o.areas[org.area].name},
            "township": None
            if township is None
            else {"code": township, "name": o.areas[township].name},
            "listed": bool(org.weak) or bool(rects),
            "indicators": inds,
            "reasons": reasons,
            "priority": sum(self.weight(k) for k in reasons),
            "candidate": bool(reasons),
        }

    def screening(self, scope: str | None, d: str) -> dict[str, Any]:
        items = [self.item(oid, d) for oid in self.screened(scope)]
        cands = sorted(
            (it for it in items if it["candidate"]),
            key=lambda it: (-it["priority"], it["org"]["id"]),
        )
        others = sorted((it for it in items if not it["candidate"]), key=lambda it: it["org"]["id"])
        no_data = (
            [
                k
                for n, k in enumerate(INDICATORS)
                if all(it["indicators"][n]["flag"] is None for it in items)
            ]
            if items
            else []
        )
        by_id = sorted(items, key=lambda it: it["org"]["id"])
        return {
            "scope": scope if scope is not None else self.o.county_code,
            "as_of": d,
            "screened": len(items),
            "candidates": len(cands),
            "no_data": no_data,
            "listed_without_reasons": [
                it["org"]["id"]
                for it in by_id
                if it["listed"] and set(it["reasons"]) <= {"rectification_open"}
            ],
            "unlisted_candidates": [
                it["org"]["id"] for it in by_id if it["candidate"] and not it["listed"]
            ],
            "items": cands + others,
        }


# -- comparison -------------------------------------------------------------------------------

TOP_FIELDS = (
    "scope",
    "as_of",
    "screened",
    "candidates",
    "no_data",
    "listed_without_reasons",
    "unlisted_candidates",
)
ITEM_FIELDS = ("village", "township", "listed", "reasons", "priority", "candidate")


def _same_value(key: str, got: Any, want: Any) -> bool:
    if key == "household_coverage" and isinstance(got, int | float) and want is not None:
        return not isinstance(got, bool) and abs(got - want) < 1e-9
    return bool(got == want) and type(got) is type(want)


def screening_diffs(got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    """The engine's screening answer against the oracle's, as readable differences (empty when
    they agree): every top-level field, the items' order, and every field of every item."""
    where = f"screening scope={want['scope']} as_of={want['as_of']}"
    out = []
    for f in TOP_FIELDS:
        if f not in got:
            out.append(f"{where}: no field {f}")
        elif got[f] != want[f]:
            out.append(f"{where}: {f} engine={got[f]!r} oracle={want[f]!r}")
    g_ids = [it["org"]["id"] for it in got.get("items", [])]
    w_ids = [it["org"]["id"] for it in want["items"]]
    if g_ids != w_ids:
        out.append(f"{where}: items engine={g_ids} oracle={w_ids}")
    by_id = {it["org"]["id"]: it for it in got.get("items", [])}
    for w in want["items"]:
        oid = w["org"]["id"]
        g = by_id.get(oid)
        if g is None:
            continue
        at = f"{where} {oid}"
        if {k: g["org"].get(k) for k in ("id", "name", "kind")} != w["org"]:
            out.append(f"{at}: org engine={g['org']} oracle={w['org']}")
        for f in ITEM_FIELDS:
            if f not in g:
                out.append(f"{at}: no field {f}")
            elif g[f] != w[f]:
                out.append(f"{at}: {f} engine={g[f]!r} oracle={w[f]!r}")
        g_keys = [i.get("key") for i in g.get("indicators", [])]
        if g_keys != list(INDICATORS):
            out.append(f"{at}: indicators engine={g_keys}")
            continue
        for gi, wi in zip(g["indicators"], w["indicators"], strict=True):
            k = wi["key"]
            if not _same_value(k, gi.get("value"), wi["value"]):
                out.append(f"{at} {k}: value engine={gi.get('value')!r} oracle={wi['value']!r}")
            for f in ("threshold", "flag", "detail"):
                if gi.get(f) != wi[f]:
                    out.append(f"{at} {k}: {f} engine={gi.get(f)!r} oracle={wi[f]!r}")
    return out
