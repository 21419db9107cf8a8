"""The members-away part of the oracle: docs/rules.md "Members away (流动党员)", literally.

A mixin of `Oracle` (oracle.py), over the settled county (`county_model.settle`: the roster
plus the attend / return / transfer actions). The only thing taken from orgraph is the packaged
division table (`orgraph.roster.geocode`: which city, province, name and centroid a code has),
which is data, not rule logic.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from orgraph.roster.geocode import Place, city_of, place_by_code

from .county_model import MOBILE_KINDS, County, Member, Org, Outflow, Report

MOBILE_RULES = (
    "mobile_unattached",
    "mobile_silent",
    "lost_contact",
    "mobile_cluster_without_branch",
    "mobile_no_contact_person",
    "should_transfer",
)

MOBILE_POLICY: dict[str, Any] = {
    "silent_days": 90,
    "lost_days": 180,
    "cluster_min_full": 3,
    "transfer_days": 180,
    "not_fixed_employers": (
        "个体经营",
        "灵活就业",
        "打零工",
        "自由职业",
        "待业",
        "无固定",
        "不固定",
    ),
}


def days(a: str, b: str) -> int:
    """Calendar days from a to b."""
    return (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days


def place_code(text: str | None) -> str | None:
    """The division code a destination / 驻在地 text stands for: the model writes either a code
    the table knows (as itself) or text it cannot place."""
    if text and text.isdigit():
        place = place_by_code(text)
        assert place is not None and place.code6 == text, text
        return text
    return None


def city(code: str | None) -> Place | None:
    return city_of(code) if code else None


def sort_by_count(rows: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    """Most first, then by the given code fields."""
    return sorted(rows, key=lambda r: (-r["count"], *(r[k] for k in keys)))


class MobileRules:
    """Members-away predicates and rules; `Oracle` provides the county and the scope."""

    c: County  # settled
    p: dict[str, Any]
    orgs: dict[str, Org]
    members: dict[str, Member]

    # provided by Oracle
    def scope(self, scope: str | None) -> Any:
        raise NotImplementedError

    def members_in(self, s: Any) -> list[Member]:
        raise NotImplementedError

    def home_area(self, m: Member) -> str | None:
        raise NotImplementedError

    def ancestor_at(self, code: str, level: str) -> str | None:
        raise NotImplementedError

    def area_name(self, code: str) -> str:
        raise NotImplementedError

    @staticmethod
    def full(m: Member) -> bool:
        raise NotImplementedError

    # -- predicates -----------------------------------------------------------------------

    def episodes(self, m: Member) -> list[Outflow]:
        return [f for f in self.c.outflows if f.member == m.member_no]

    def current(self, m: Member, d: str) -> Outflow | None:
        """The episode open at D with the latest left_on (None: not away)."""
        open_ = [
            f
            for f in self.episodes(m)
            if f.left_on <= d
            and (not f.returned_on or f.returned_on > d)
            and (not f.transferred_on or f.transferred_on > d)
        ]
        return max(open_, key=lambda f: f.left_on, default=None)

    def away(self, m: Member, d: str) -> bool:
        return self.current(m, d) is not None

    def last_report(self, m: Member, d: str) -> str | None:
        cur = self.current(m, d)
        if cur is None:
            return None
        ons = [r.on for r in self.reports_of(m) if cur.left_on <= r.on <= d]
        return max(ons, default=None)

    def reports_of(self, m: Member) -> list[Report]:
        return [r for r in self.c.reports if r.member == m.member_no]

    def quiet_days(self, m: Member, d: str) -> int | None:
        cur = self.current(m, d)
        if cur is None:
            return None
        return days(self.last_report(m, d) or cur.left_on, d)

    def attached(self, m: Member, d: str) -> bool:
        cur = self.current(m, d)
        if cur is None:
            return False
        return any(
            a.member == m.member_no
            and a.since
            and cur.left_on <= a.since <= d
            and (not a.until or a.until > d)
            for a in self.c.attends
        )

    @staticmethod
    def flagged(m: Member) -> bool:
        return bool(m.lost_contact)

    def silent(self, m: Member, d: str) -> bool:
        q = self.quiet_days(m, d)
        return (
            q is not None
            and not self.flagged(m)
            and self.p["silent_days"] <= q < self.p["lost_days"]
        )

    def lost(self, m: Member, d: str) -> bool:
        """Flagged, or away and quiet for lost_days or more (away or not: lost_contact)."""
        q = self.quiet_days(m, d)
        return self.flagged(m) or (q is not None and q >= self.p["lost_days"])

    def destination(self, m: Member, d: str) -> str | None:
        cur = self.current(m, d)
        return place_code(cur.destination) if cur else None

    def dest_city(self, m: Member, d: str) -> Place | None:
        return city(self.destination(m, d))

    def fixed_employer(self, employer: str | None) -> bool:
        e = (employer or "").strip()
        return bool(e) and not any(w in e for w in self.p["not_fixed_employers"])

    def mobile_branches(self, d: str) -> list[Org]:
        """Mobile branches at D (any scope), by id."""
        return [
            o
            for o in sorted(self.orgs.values(), key=lambda o: o.id)
            if o.kind in MOBILE_KINDS
            and (not o.established_on or o.established_on <= d)
            and place_code(o.host_area) is not None
        ]

    def branches_in_city(self, code: str, d: str) -> list[Org]:
        out = []
        for o in self.mobile_branches(d):
            host = city(place_code(o.host_area))
            if host is not None and host.code6 == code:
                out.append(o)
        return out

    def away_in(self, s: Any, d: str) -> list[Member]:
        """On-roll members in scope away at D."""
        return [m for m in self.members_in(s) if m.on_roll and self.away(m, d)]

    # -- rules ----------------------------------------------------------------------------

    def _where(self, m: Member, d: str) -> dict[str, Any]:
        ct = self.dest_city(m, d)
        return {
            "name": m.name,
            "branch": m.branch,
            "destination": self.destination(m, d),
            "city": ct.code6 if ct else None,
        }

    def _mobile_unattached(self, s: Any, d: str) -> dict[str, dict[str, Any]]:
        out = {}
        for m in self.away_in(s, d):
            if not self.attached(m, d):
                cur = self.current(m, d)
                assert cur is not None
                out[m.member_no] = {
                    **self._where(m, d),
                    "left_on": cur.left_on,
                    "days_away": days(cur.left_on, d),
                }
        return out

    def _mobile_silent(self, s: Any, d: str) -> dict[str, dict[str, Any]]:
        return {
            m.member_no: {
                **self._where(m, d),
                "last_report": self.last_report(m, d),
                "quiet_days": self.quiet_days(m, d),
            }
            for m in self.away_in(s, d)
            if self.silent(m, d)
        }

    def _lost_contact(self, s: Any, d: str) -> dict[str, dict[str, Any]]:
        out = {}
        for m in self.members_in(s):
            if not m.on_roll or not self.lost(m, d):
                continue
            out[m.member_no] = {
                "name": m.name,
                "branch": m.branch,
                "reason": "flagged" if self.flagged(m) else "quiet",
                "away": self.away(m, d),
                "last_report": self.last_report(m, d),
                "quiet_days": self.quiet_days(m, d),
            }
        return out

    def _clusters(self, s: Any, d: str) -> dict[str, list[Member]]:
        by_city: dict[str, list[Member]] = {}
        for m in self.away_in(s, d):
            ct = self.dest_city(m, d)
            if ct is not None:
                by_city.setdefault(ct.code6, []).append(m)
        return by_city

    def _mobile_cluster_without_branch(self, s: Any, d: str) -> dict[str, dict[str, Any]]:
        out = {}
        for code, ms in self._clusters(s, d).items():
            full = [m for m in ms if self.full(m)]
            if len(full) < self.p["cluster_min_full"] or self.branches_in_city(code, d):
                continue
            ct = city_of(code)
            assert ct is not None
            sec = min(
                full,
                key=lambda m: (m.joined_on is None, m.joined_on or "", m.member_no),
                default=None,
            )
            out[code] = {
                "name": ct.name,
                "province": ct.province,
                "count": len(ms),
                "full_members": len(full),
                "members": [
                    {
                        "id": m.member_no,
                        "name": m.name,
                        "full": self.full(m),
                        "joined_on": m.joined_on,
                    }
                    for m in sorted(ms, key=lambda m: m.member_no)
                ],
                "suggested_secretary": None
                if sec is None
                else {"id": sec.member_no, "name": sec.name, "joined_on": sec.joined_on},
            }
        return out

    def _mobile_no_contact_person(self, s: Any, d: str) -> dict[str, dict[str, Any]]:
        out = {}
        for m in self.away_in(s, d):
            cur = self.current(m, d)
            assert cur is not None
            if not (cur.contact_person or "").strip():
                out[m.member_no] = {**self._where(m, d), "left_on": cur.left_on}
        return out

    def _should_transfer(self, s: Any, d: str) -> dict[str, dict[str, Any]]:
        out = {}
        for m in self.away_in(s, d):
            cur = self.current(m, d)
            assert cur is not None
            n = days(cur.left_on, d)
            if n >= self.p["transfer_days"] and self.fixed_employer(cur.employer):
                out[m.member_no] = {
                    **self._where(m, d),
                    "employer": cur.employer,
                    "left_on": cur.left_on,
                    "days_away": n,
                }
        return out

    # -- where members are ----------------------------------------------------------------

    def destinations(self, scope: str | None, d: str) -> dict[str, Any]:
        away = self.away_in(self.scope(scope), d)
        cities: dict[str, dict[str, Any]] = {}
        provinces: dict[str, dict[str, Any]] = {}
        unplaced = 0
        for m in away:
            ct = self.dest_city(m, d)
            if ct is None:
                unplaced += 1
                continue
            row = cities.get(ct.code6)
            if row is None:
                row = cities[ct.code6] = {
                    "code": ct.code6,
                    "name": ct.name,
                    "lon": ct.lon,
                    "lat": ct.lat,
                    "count": 0,
                    "full_members": 0,
                    "attached": 0,
                    "silent": 0,
                    "lost": 0,
                    "branches": [
                        {"id": o.id, "name": o.name} for o in self.branches_in_city(ct.code6, d)
                    ],
                }
                prov = provinces.setdefault(
                    ct.province_code,
                    {"code": ct.province_code, "name": ct.province, "count": 0, "cities": []},
                )
                prov["cities"].append(row)
            row["count"] += 1
            row["full_members"] += self.full(m)
            row["attached"] += self.attached(m, d)
            row["silent"] += self.silent(m, d)
            row["lost"] += self.lost(m, d)
            provinces[ct.province_code]["count"] += 1
        for prov in provinces.values():
            prov["cities"] = sort_by_count(prov["cities"], "code")
        return {
            "total": len(away),
            "unplaced": unplaced,
            "provinces": sort_by_count(list(provinces.values()), "code"),
        }

    def origin(self, m: Member) -> str | None:
        """The township on the path from the member's home area to the county (the home area
        itself when it is above township level)."""
        home = self.home_area(m)
        if home is None:
            return None
        return self.ancestor_at(home, "township") or home

    def flows(self, scope: str | None, d: str) -> dict[str, Any]:
        counts: dict[tuple[str, str], int] = {}
        unplaced = 0
        for m in self.away_in(self.scope(scope), d):
            ct, origin = self.dest_city(m, d), self.origin(m)
            if ct is None or origin is None:
                unplaced += 1
                continue
            counts[origin, ct.code6] = counts.get((origin, ct.code6), 0) + 1
        rows = []
        for (o, code), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            ct = city_of(code)
            assert ct is not None
            rows.append(
                {
                    "origin": {"code": o, "name": self.area_name(o)},
                    "destination": {
                        "code": code,
                        "name": ct.name,
                        "lon": ct.lon,
                        "lat": ct.lat,
                        "province": ct.province,
                    },
                    "count": n,
                }
            )
        return {"flows": rows, "unplaced": unplaced}

    def away_figures(self, areas: set[str] | frozenset[str], d: str) -> dict[str, int]:
        """Coverage's away columns over the on-roll members away whose home area is in
        `areas`."""
        away = [
            m
            for m in self.c.members
            if m.on_roll and self.home_area(m) in areas and self.away(m, d)
        ]
        return {
            "away_attached": sum(self.attached(m, d) for m in away),
            "away_silent": sum(self.silent(m, d) for m in away),
            "away_lost": sum(self.lost(m, d) for m in away),
        }

    def place_names(self) -> dict[str, str]:
        """Names of the places outside the county an answer may refer to (destinations, their
        cities and provinces, branch host cities), from the packaged table."""
        out: dict[str, str] = {}
        texts = [f.destination for f in self.c.outflows]
        texts += [o.host_area for o in self.orgs.values() if o.host_area]
        for t in texts:
            code = place_code(t)
            if code is None:
                continue
            place = place_by_code(code)
            ct = city_of(code)
            assert place is not None and ct is not None
            out[code] = place.name
            out[ct.code6] = ct.name
            out[ct.province_code] = ct.province
        return out
