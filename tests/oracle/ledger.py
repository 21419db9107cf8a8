"""The oracle of docs/rules.md "第一书记", "The rectification ledger (整顿台账) and inspections
(督查记录)" and "党小组 appraisal" (with the township ranking and the 流动红旗), over the county
model; nothing here reads the graph or imports orgraph.analysis.

Readings chosen where the doc leaves room:
- `weak_no_first_secretary`'s `last`: among appointments with the same latest `until`, the one
  with the largest appointment id.
- The three ledger rules' items share their org's id; they are told apart (and compared) by
  `id|opened_on` (an org-column episode without a date: `id|`).
- The village view's rows: by village code, then org id.
- A group's `branch` is the org it is directly `UNDER` (as `group_size`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx

from .county_model import GROUP_KINDS, Member

if TYPE_CHECKING:
    from .oracle import Oracle, Scope

LEDGER_POLICY: dict[str, Any] = {
    "rect_plan_days": 30,
    "first_secretary_days": 90,
    "first_secretary_notice_days": 60,
    "group_points_summary": 10,
    "group_points_inspection": 10,
    "group_points_meeting": 10,
    "group_points_size": 10,
    "group_points_contacts": 20,
    "red_flag_min_points": 80,
}
FS_RULES = ("weak_no_first_secretary", "first_secretary_absent", "first_secretary_ending")
RECT_RULES = (
    "rectification_no_plan",
    "rectification_no_inspection",
    "rectification_accepted_failing",
)
GROUP_RULES = ("group_no_leader", "group_no_summary", "group_no_inspection")
GROUP_RECORD_RULES = ("group_no_summary", "group_no_inspection")
# Rules with one item per episode (compared by `id|opened_on`).
EPISODE_RULES = ("rectification_overdue", *RECT_RULES)
# In the engine's order (orgraph.vocab.GAP_TYPES).
LEDGER_RULES = (*RECT_RULES, *GROUP_RULES, *FS_RULES)

_FS = ("member", "org", "village", "township", "since", "sent_by")
LEDGER_FIELDS: dict[str, tuple[str, ...]] = {
    "rectification_no_plan": ("name", "opened_on", "plan_on", "days"),
    "rectification_no_inspection": ("name", "opened_on", "missed", "last"),
    "rectification_accepted_failing": ("name", "opened_on", "accepted_on", "result"),
    "group_no_leader": ("name", "branch", "members", "village", "township"),
    "group_no_summary": ("name", "branch", "missed", "last"),
    "group_no_inspection": ("name", "branch", "missed", "last"),
    "weak_no_first_secretary": ("name", "village", "township", "weak", "rects_open", "last"),
    "first_secretary_absent": (*_FS, "contacts", "meetings", "last_meeting", "missing"),
    "first_secretary_ending": (*_FS, "until", "days_left"),
}
assert set(LEDGER_FIELDS) == set(LEDGER_RULES)
NOT_SCREENED = frozenset({*GROUP_KINDS, "mobile_branch", "temp_branch", "external"})


def days_between(a: str, b: str) -> int:
    """b − a in days."""
    return (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days


def plus_days(a: str, n: int) -> str:
    return (dt.date.fromisoformat(a) + dt.timedelta(days=n)).isoformat()


def month_index(d: str) -> int:
    return int(d[:4]) * 12 + int(d[5:7]) - 1


def month_label(i: int) -> str:
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def month_first(i: int) -> str:
    return f"{month_label(i)}-01"


def month_last(i: int) -> str:
    return plus_days(month_first(i + 1), -1)


@dataclass(frozen=True)
class Period:
    label: str
    first: str
    last: str

    def holds(self, on: str) -> bool:
        return self.first <= on <= self.last


def month_period(i: int) -> Period:
    return Period(month_label(i), month_first(i), month_last(i))


def quarter_period(i: int) -> Period:
    """The quarter whose first month is i."""
    return Period(f"{i // 12:04d}-Q{i % 12 // 3 + 1}", month_first(i), month_last(i + 2))


def active(since: str | None, until: str | None, d: str) -> bool:
    return (not since or since <= d) and (not until or until > d)


class LedgerRules:
    def __init__(self, oracle: Oracle) -> None:
        self.o = oracle
        self.c = oracle.c  # settled
        self.p = {**LEDGER_POLICY, **oracle.p}
        self.orgs = oracle.orgs
        self.members = oracle.members
        # Appointments the graph holds (member and org known).
        self.fs = [
            f for f in self.c.first_secretaries if f.member in self.members and f.org in self.orgs
        ]

    # -- shared -------------------------------------------------------------------------------

    def below(self, oid: str) -> set[str]:
        return {oid} | set(nx.descendants(self.o.org_tree, oid))

    def village(self, oid: str) -> str | None:
        home = self.o.org_home_area(oid)
        return None if home is None else self.o.ancestor_at(home, "village")

    def where(self, area: str | None) -> dict[str, str | None]:
        if area is None:
            return {"village": None, "township": None}
        return {
            "village": self.o.ancestor_at(area, "village"),
            "township": self.o.ancestor_at(area, "township"),
        }

    def episodes(self) -> list[dict[str, Any]]:
        """Every rectification: the org columns' and the ledger's."""
        out = []
        for o in self.c.orgs:
            if o.has_rectification:
                out.append(
                    {
                        "org": o.id,
                        "opened_on": o.rect_opened_on or None,
                        "deadline": o.rect_deadline,
                        "status": o.rect_status or "open",
                        "plan_on": None,
                        "accepted_on": None,
                        "result": None,
                    }
                )
        for r in self.c.rects:
            out.append(
                {
                    "org": r.org,
                    "opened_on": r.opened_on,
                    "deadline": r.deadline,
                    "status": r.effective_status,
                    "plan_on": r.plan_on,
                    "accepted_on": r.accepted_on,
                    "result": r.result,
                }
            )
        return out

    @staticmethod
    def is_open(e: dict[str, Any], d: str) -> bool:
        return bool(e["status"] != "done" and (not e["opened_on"] or e["opened_on"] <= d))

    def screened(self, s: Scope) -> list[str]:
        out = []
        for oid in sorted(s.orgs):
            o = self.orgs[oid]
            if o.kind in NOT_SCREENED or o.area is None or self.o.areas[o.area].level != "village":
                continue
            if o.parent is not None and self.orgs[o.parent].area == o.area:
                continue
            out.append(oid)
        return out

    def rects_open(self, oid: str, d: str) -> int:
        inside = self.below(oid)
        return sum(1 for e in self.episodes() if e["org"] in inside and self.is_open(e, d))

    def listed(self, oid: str, d: str) -> bool:
        return bool(self.orgs[oid].weak) or self.rects_open(oid, d) > 0

    # -- gaps ---------------------------------------------------------------------------------

    def no_data(self, d: str) -> list[str]:
        out: list[str] = []
        if not self.has_appointments(d):
            out += FS_RULES
        if self.records_begin(d) is None:
            out += GROUP_RECORD_RULES
        return out

    def gaps(self, rule: str, scope: str | None, d: str) -> dict[str, dict[str, Any]]:
        s = self.o.scope(scope)
        return dict(sorted(getattr(self, "_" + rule)(s, d).items()))

    # -- 第一书记 -------------------------------------------------------------------------------

    def has_appointments(self, d: str) -> bool:
        return any(f.since <= d for f in self.fs)

    def _brief(self, f: Any) -> dict[str, Any]:
        return {
            "member": f.member,
            "org": f.org,
            **self.where(self.village(f.org)),
            "since": f.since,
            "sent_by": f.sent_by,
        }

    def _weak_no_first_secretary(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        if not self.has_appointments(d):
            return {}
        out = {}
        for oid in self.screened(s):
            if not self.listed(oid, d):
                continue
            inside = self.below(oid)
            if any(f.org in inside and active(f.since, f.until, d) for f in self.fs):
                continue
            ended = [f for f in self.fs if f.org in inside and f.until and f.until <= d]
            last = max(ended, key=lambda f: (f.until, f.id), default=None)
            o = self.orgs[oid]
            out[oid] = {
                "name": o.name,
                **self.where(o.area),
                "weak": bool(o.weak),
                "rects_open": self.rects_open(oid, d),
                "last": None
                if last is None
                else {
                    "member": {"id": last.member, "name": self.members[last.member].name},
                    "until": last.until,
                },
            }
        return out

    def in_scope(self, s: Scope, d: str) -> list[Any]:
        if not self.has_appointments(d):
            return []
        return [f for f in self.fs if active(f.since, f.until, d) and f.org in s.orgs]

    def presence(self, f: Any, d: str) -> tuple[int, int | None, str | None]:
        v = self.village(f.org)
        contacts = 0
        if v is not None:
            area = self.o.subtree(v)
            contacts = sum(
                1
                for h in self.o.contact_households(self.members[f.member], d)
                if self.o.households[h].area in area
            )
        life = self.o.life
        inside = self.below(f.org)
        attended = sorted(
            k.on
            for k in self.c.meetings
            if k.org in inside and k.on <= d and f.member in life.attendance[k.id]
        )
        last = attended[-1] if attended else None
        if life.life_begin(d) is None:
            return contacts, None, last
        start = plus_days(d, -self.p["first_secretary_days"])
        return contacts, sum(1 for on in attended if on > start), last

    def _first_secretary_absent(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        start = plus_days(d, -self.p["first_secretary_days"])
        out = {}
        for f in self.in_scope(s, d):
            if f.since > start:
                continue
            contacts, meetings, last = self.presence(f, d)
            missing = [k for k, n in (("contacts", contacts), ("meetings", meetings)) if n == 0]
            if missing:
                out[f.id] = {
                    **self._brief(f),
                    "contacts": contacts,
                    "meetings": meetings,
                    "last_meeting": last,
                    "missing": missing,
                }
        return out

    def _first_secretary_ending(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        out = {}
        for f in self.in_scope(s, d):
            if not f.until or days_between(d, f.until) > self.p["first_secretary_notice_days"]:
                continue
            if any(
                g is not f and g.org == f.org and active(g.since, g.until, f.until) for g in self.fs
            ):
                continue
            out[f.id] = {
                **self._brief(f),
                "until": f.until,
                "days_left": days_between(d, f.until),
            }
        return out

    def first_secretary_villages(self, scope: str | None, d: str) -> dict[str, Any]:
        s = self.o.scope(scope)
        absent = set(self._first_secretary_absent(s, d))
        ending = set(self._first_secretary_ending(s, d))
        rows = []
        for oid in self.screened(s):
            v = self.orgs[oid].area
            assert v is not None
            here = sorted(
                f.id for f in self.fs if active(f.since, f.until, d) and self.village(f.org) == v
            )
            rows.append(
                {
                    "org": oid,
                    "village": v,
                    "township": self.o.ancestor_at(v, "township"),
                    "listed": self.listed(oid, d),
                    "first_secretaries": here,
                    "absent": [x for x in here if x in absent],
                    "ending": [x for x in here if x in ending],
                }
            )
        rows.sort(key=lambda r: (r["village"], r["org"]))
        return {"no_data": not self.has_appointments(d), "rows": rows}

    # -- the rectification ledger ---------------------------------------------------------------

    def _rects(self, s: Scope) -> list[dict[str, Any]]:
        return [e for e in self.episodes() if e["org"] in s.orgs]

    @staticmethod
    def rect_key(e: dict[str, Any]) -> str:
        return f"{e['org']}|{e['opened_on'] or ''}"

    def _rectification_no_plan(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        out = {}
        for e in self._rects(s):
            if not e["opened_on"] or not self.is_open(e, d):
                continue
            due = plus_days(e["opened_on"], self.p["rect_plan_days"])
            if due < d and (not e["plan_on"] or e["plan_on"] > due):
                out[self.rect_key(e)] = {
                    "name": self.orgs[e["org"]].name,
                    "opened_on": e["opened_on"],
                    "plan_on": e["plan_on"],
                    "days": days_between(e["opened_on"], d),
                }
        return out

    def _rectification_no_inspection(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        out = {}
        for e in self._rects(s):
            if not e["opened_on"] or not self.is_open(e, d):
                continue
            inside = self.below(e["org"])
            on = [i.on for i in self.c.inspections if i.org in inside]
            missed = []
            i = month_index(e["opened_on"]) // 3 * 3
            while month_last(i + 2) < d:
                q = quarter_period(i)
                if q.first >= e["opened_on"] and not any(q.holds(x) for x in on):
                    missed.append(q.label)
                i += 3
            if missed:
                out[self.rect_key(e)] = {
                    "name": self.orgs[e["org"]].name,
                    "opened_on": e["opened_on"],
                    "missed": missed,
                    "last": max((x for x in on if x <= d), default=None),
                }
        return out

    def _rectification_accepted_failing(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        out = {}
        for e in self._rects(s):
            if (
                e["status"] == "done"
                and (not e["accepted_on"] or e["accepted_on"] <= d)
                and e["result"] not in ("pass", "basic")
            ):
                out[self.rect_key(e)] = {
                    "name": self.orgs[e["org"]].name,
                    "opened_on": e["opened_on"],
                    "accepted_on": e["accepted_on"],
                    "result": e["result"],
                }
        return out

    # -- party groups ---------------------------------------------------------------------------

    def groups(self, s: Scope) -> list[str]:
        return sorted(oid for oid in s.orgs if self.orgs[oid].kind in GROUP_KINDS)

    def group_members(self, g: str) -> list[Member]:
        return [m for m in self.c.members if m.on_roll and m.branch and m.group == g]

    def records_begin(self, d: str) -> str | None:
        return min(
            (
                month_first(month_index(r.month))
                for r in self.c.group_records
                if month_first(month_index(r.month)) <= d
            ),
            default=None,
        )

    def _checked(self, g: str, periods: list[Any], d: str) -> list[Any]:
        begin = self.records_begin(d)
        est = self.orgs[g].established_on
        return [
            q
            for q in periods
            if begin is not None and q.last >= begin and (not est or est <= q.first)
        ]

    def records(self, g: str) -> list[Any]:
        return [r for r in self.c.group_records if r.org == g]

    def _group_no_leader(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        out = {}
        for g in self.groups(s):
            ms = self.group_members(g)
            if any("group_leader" in m.roles for m in ms):
                continue
            out[g] = {
                "name": self.orgs[g].name,
                "branch": self.orgs[g].parent,
                "members": len(ms),
                **self.where(self.o.org_home_area(g)),
            }
        return out

    def _group_no_summary(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        if self.records_begin(d) is None:
            return {}
        out = {}
        months = [month_period(i) for i in self.o.life.checked_months(d)]
        for g in self.groups(s):
            done = {r.month for r in self.records(g) if r.summary}
            missed = [q.label for q in self._checked(g, months, d) if q.label not in done]
            if missed:
                out[g] = {
                    "name": self.orgs[g].name,
                    "branch": self.orgs[g].parent,
                    "missed": missed,
                    "last": max((x for x in done if x <= d[:7]), default=None),
                }
        return out

    def _group_no_inspection(self, s: Scope, d: str) -> dict[str, dict[str, Any]]:
        if self.records_begin(d) is None:
            return {}
        out = {}
        quarters = self.o.life.checked_quarters(d)
        for g in self.groups(s):
            on = [r.inspected_on for r in self.records(g) if r.inspected_on]
            missed = [
                q.label for q in self._checked(g, quarters, d) if not any(q.holds(x) for x in on)
            ]
            if missed:
                out[g] = {
                    "name": self.orgs[g].name,
                    "branch": self.orgs[g].parent,
                    "missed": missed,
                    "last": max((x for x in on if x <= d), default=None),
                }
        return out

    # -- the township ranking -----------------------------------------------------------------

    def group_ranking(self, township: str, quarter: str | None, d: str) -> dict[str, Any]:
        if quarter is None:
            i = month_index(d) // 3 * 3 - 3  # the quarter before D's
        else:
            year, n = quarter.split("-Q")
            i = int(year) * 12 + (int(n) - 1) * 3
        q = quarter_period(i)
        assert q.last < d, "the quarter must be completed at D"
        first, last = q.first, q.last
        months = [month_label(i + k) for k in range(3)]
        p = self.p
        rows = []
        for g in sorted(self.orgs):
            if self.orgs[g].kind not in GROUP_KINDS:
                continue
            home = self.o.org_home_area(g)
            if home is None or self.o.ancestor_at(home, "township") != township:
                continue
            recs = self.records(g)
            summaries = len({r.month for r in recs if r.summary and r.month in months})
            inspected = any(r.inspected_on and first <= r.inspected_on <= last for r in recs)
            held = [k.on for k in self.c.meetings if k.org == g and k.type == "group_meeting"]
            meeting_months = sum(1 for mo in months if any(x[:7] == mo for x in held))
            ms = self.group_members(g)
            eligible = [m for m in ms if self.o.at_home(m, last) and not self.o.exempt(m, last)]
            ok = sum(
                1 for m in eligible if len(self.o.contact_households(m, last)) >= p["contact_min"]
            )
            size_ok = p["group_min"] <= len(ms) <= p["group_max"]
            points = (
                summaries * p["group_points_summary"]
                + (p["group_points_inspection"] if inspected else 0)
                + meeting_months * p["group_points_meeting"]
                + (p["group_points_size"] if size_ok else 0)
                + (p["group_points_contacts"] * ok // len(eligible) if eligible else 0)
            )
            year = str(int(first[:4]) - 1)
            graded = [r for r in recs if r.month[:4] == year and (r.score is not None or r.grade)]
            top = max(graded, key=lambda r: r.month, default=None)
            rows.append(
                {
                    "id": g,
                    "branch": self.orgs[g].parent,
                    "summaries": summaries,
                    "inspected": inspected,
                    "meeting_months": meeting_months,
                    "members": len(ms),
                    "eligible": len(eligible),
                    "contacts_ok": ok,
                    "points": points,
                    "appraisal": None if top is None else {"score": top.score, "grade": top.grade},
                }
            )
        rows.sort(key=lambda r: (-r["points"], r["id"]))
        for r in rows:
            r["rank"] = 1 + sum(1 for x in rows if x["points"] > r["points"])
        flag = None
        if rows and rows[0]["points"] >= p["red_flag_min_points"]:
            flag = {
                "id": rows[0]["id"],
                "points": rows[0]["points"],
                "tied": [r["id"] for r in rows[1:] if r["points"] == rows[0]["points"]],
            }
        return {
            "quarter": q.label,
            "records": self.records_begin(last) is not None,
            "life": self.o.life.life_begin(last) is not None,
            "rows": rows,
            "red_flag": flag,
        }
