"""The members-away situations an example holds, as hypothesis event tags: the proof that the
generated counties reach the cases the issue names (returns, transfers, several outflows per
member, reports on the boundary days, destinations outside China's county list, members
without any report, clusters at exactly cluster_min_full with and without a branch, branches
established after D...)."""

from __future__ import annotations

from .mobile import city, days, place_code
from .oracle import Oracle


def situations(o: Oracle, dates: list[str]) -> list[str]:
    tags: set[str] = set()
    c = o.c
    for a in c.actions:
        if a.kind == "transfer":
            tags.add(
                "transfer inside the county" if a.org in o.orgs else "transfer out of the county"
            )
        else:
            tags.add(a.kind)
    per_member: dict[str, int] = {}
    for f in c.outflows:
        per_member[f.member] = per_member.get(f.member, 0) + 1
        if place_code(f.destination) is None:
            tags.add("destination not placeable (abroad or unknown)")
        if f.transferred_on:
            tags.add("episode ended by a transfer")
    if any(n > 1 for n in per_member.values()):
        tags.add("several outflows per member")
    for d in dates:
        s = o.scope(None)
        for m in o.away_in(s, d):
            cur = o.current(m, d)
            assert cur is not None
            reports = [r.on for r in o.reports_of(m)]
            if not reports:
                tags.add("member away without any report")
            if d in reports:
                tags.add("report on D")
            if any(r < cur.left_on for r in reports):
                tags.add("report before the departure")
            q = o.quiet_days(m, d)
            for name in ("silent_days", "lost_days"):
                for k in (-1, 0, 1):
                    if q == o.p[name] + k:
                        tags.add(f"quiet_days = {name} {k:+d}")
            if days(cur.left_on, d) == o.p["transfer_days"]:
                tags.add("days_away = transfer_days")
            if o.flagged(m):
                tags.add("flagged lost and away")
            earlier = [
                x
                for x in c.attends
                if x.member == m.member_no
                and x.since < cur.left_on
                and (not x.until or x.until > d)
            ]
            if earlier and not o.attached(m, d):
                tags.add("open ATTENDS from an earlier episode only")
            if (
                sum(
                    1
                    for f in c.outflows
                    if f.member == m.member_no
                    and f.left_on <= d
                    and (not f.returned_on or f.returned_on > d)
                    and (not f.transferred_on or f.transferred_on > d)
                )
                > 1
            ):
                tags.add("overlapping open episodes")
        for m in o.members_in(s):
            if m.on_roll and o.flagged(m) and not o.away(m, d):
                tags.add("flagged lost but at home")
        for code, ms in o._clusters(s, d).items():
            if any(
                org.established_on
                and org.established_on > d
                and (ct := city(place_code(org.host_area)))
                and ct.code6 == code
                for org in o.orgs.values()
            ):
                tags.add("members away in a city whose mobile branch is established after D")
            full = sum(o.full(m) for m in ms)
            if full == o.p["cluster_min_full"]:
                tags.add(
                    "cluster at exactly cluster_min_full, "
                    + ("with a mobile branch" if o.branches_in_city(code, d) else "no branch")
                )
        for org in o.orgs.values():
            if org.host_area and org.established_on and org.established_on > d:
                tags.add("mobile branch established after D")
    return sorted(tags)
