"""Call every read endpoint as one user and collect what came back (for the scope tests)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from openpyxl import load_workbook

from orgraph.vocab import GAP_TYPE_NAMES as RULE_TYPES
from tests.api.scope_truth import Sets, Truth

NOT_FOUND_TAIL = "不存在或不在您的管辖范围内"
MOBILE_KINDS = {"mobile_branch", "temp_branch", "temp_group"}


@dataclass
class Sweep:
    answers: list[tuple[str, Any]] = field(default_factory=list)  # (request, parsed body)
    calls: int = 0

    def get(self, client: httpx.Client, path: str, **params: Any) -> Any:
        r = client.get(path, params=params)
        self.calls += 1
        assert r.status_code == 200, (path, params, r.status_code, r.text)
        body = r.json()
        self.answers.append((f"{path} {params}", body))
        return body

    def pages(self, client: httpx.Client, path: str, **params: Any) -> list[Any]:
        items, page = [], 1
        while True:
            doc = self.get(client, path, page=page, page_size=500, **params)
            items += doc["items"]
            if page * 500 >= doc["total"]:
                return items
            page += 1

    def export(self, client: httpx.Client, path: str = "/gaps/export", **params: Any) -> None:
        r = client.get(path, params={**params, "format": "csv"})
        self.calls += 1
        assert r.status_code == 200, r.text
        if r.headers["content-type"].startswith("text/csv"):
            rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        else:  # a file offered as XLSX only (the printable grid)
            ws = load_workbook(io.BytesIO(r.content)).active
            assert ws is not None
            rows = [
                ["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)
            ]
        self.answers.append((f"{path} {params}", [c.strip() for row in rows for c in row]))

    def proposal(self, client: httpx.Client, **params: Any) -> list[Any]:
        """Every page of the contact proposal's pairs (its total is `items_total`)."""
        items, page = [], 1
        while True:
            doc = self.get(client, "/proposals/contacts", page=page, page_size=500, **params)
            items += doc["items"]
            if page * 500 >= doc["items_total"]:
                return items
            page += 1

    def missing(self, client: httpx.Client, path: str, probe: str, **params: Any) -> None:
        """An object outside the scope: 404, and the answer names nothing but the probe."""
        r = client.get(path, params=params)
        self.calls += 1
        assert r.status_code == 404, (path, params, r.status_code, r.text)
        detail = r.json()["detail"]
        assert detail.endswith(f"“{probe}”{NOT_FOUND_TAIL}"), detail
        assert set(r.json()) == {"type", "title", "status", "detail"}


def strings(value: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from strings(v, f"{where}[{i}]")


def sweep(
    client: httpx.Client, truth: Truth, ref: str, *, reveal: bool, as_of: str, mobility: bool = True
) -> Sweep:
    """Every read endpoint for a user scoped at ref, plus probes of objects outside it."""
    sw = Sweep()
    own = truth.scope(ref)
    everything = Sets(
        set(truth.area_parent), set(truth.org_kind), set(truth.members), set(truth.households)
    )
    me = sw.get(client, "/me")
    sw.get(client, "/tree")
    members = sw.pages(client, "/members")
    assert {m["id"] for m in members} == own.members
    households = sw.pages(client, "/households")
    assert {h["id"] for h in households} == own.households
    sw.pages(client, "/outflows")
    sw.pages(client, "/reports")
    townships: list[str] = []
    for level in ("county", "township", "village", "hamlet"):
        rows = sw.get(client, "/coverage", level=level, as_of=as_of)["rows"]
        if level == "township":
            townships = sorted({r["code"] for r in rows if r["level"] == "township" and r["code"]})
    sw.get(client, "/history/trend", level="village", months=3, as_of=as_of, counts=True)
    # The import history is the county administrators' (it names the county's files): others
    # are refused whatever their scope.
    r = client.get("/history/imports")
    sw.calls += 1
    if me["can_import"]:
        assert r.status_code == 200, r.text
        sw.answers.append(("/history/imports", r.json()))
        for entry in r.json()["items"][:1]:
            sw.get(client, f"/history/imports/{entry['id']}")
            sw.get(client, "/history/changes", **{"from": entry["id"]})
        sw.get(client, "/history/fields/" + (sorted(own.households) or ["none"])[0])
        year = client.get("/history/year-end", params={"year": 2026})
        sw.calls += 1
        assert year.status_code == 200, (year.status_code, year.text)
    else:
        assert r.status_code == 403, (r.status_code, r.text)
        # the changes are answered in the user's scope (docs/rules.md "Changes between two
        # points", "In a scope"); the field history and the year-end are county-wide: refused
        # as the import history
        doc = sw.get(client, "/history/changes", **{"from": "2020-01-01"})
        # a replaced value's key is compound (member|rel|label|target|since, …): each part
        # must be checked, not only the whole string
        keys = [part for f in doc["fields"]["items"] for part in f["key"].split("|")]
        sw.answers.append(("/history/changes keys", keys))
        for path in (
            "/history/fields/x",
            "/history/year-end?year=2026",
        ):
            refused = client.get(path)
            sw.calls += 1
            assert refused.status_code == 403, (path, refused.status_code, refused.text)
    summary = sw.get(client, "/gaps/summary", as_of=as_of)
    for t in RULE_TYPES:
        sw.pages(client, "/gaps", type=t, as_of=as_of)
        if summary["counts"].get(t):
            sw.export(client, type=t, as_of=as_of)
    pairs = sw.proposal(client, as_of=as_of)
    assert {p["member"]["id"] for p in pairs} <= own.members
    assert {p["household"]["id"] for p in pairs} <= own.households
    sw.export(client, "/proposals/contacts/export", as_of=as_of)
    sw.get(client, "/proposals/duties", as_of=as_of)
    sw.get(client, "/life/grid", as_of=as_of)
    sw.export(client, "/life/grid/export", as_of=as_of)
    sw.pages(client, "/meetings")
    sw.pages(client, "/dues")
    sw.export(client, "/proposals/duties/export", as_of=as_of)
    sw.get(client, "/screening", as_of=as_of)
    sw.export(client, "/screening/export", as_of=as_of)
    sw.get(client, "/first_secretaries/villages", as_of=as_of)
    # The group ranking is asked for one township: each township the coverage rolls up to
    # answers when it lies wholly in the scope, else is refused like any object outside it.
    for code in townships:
        r = client.get("/groups/ranking", params={"township": code, "as_of": as_of})
        sw.calls += 1
        if r.status_code == 404:
            assert r.json()["detail"].endswith(f"“{code}”{NOT_FOUND_TAIL}"), r.text
            continue
        assert r.status_code == 200, (code, r.status_code, r.text)
        sw.answers.append((f"/groups/ranking {code}", r.json()))
        sw.export(client, "/groups/ranking/export", township=code, as_of=as_of)
    for key in sorted(own.members)[:3]:
        sw.get(client, f"/members/{key}", reveal=reveal)
        sw.get(client, "/contacts", member=key)
        sw.pages(client, "/outflows", member=key)
        sw.get(client, f"/members/{key}/life", as_of=as_of)
        sw.pages(client, "/dues", member=key)
        if mobility:
            sw.get(client, f"/mobility/members/{key}/timeline")
    for hid in sorted(own.households)[:3]:
        sw.get(client, f"/households/{hid}", reveal=reveal)
        sw.get(client, f"/households/{hid}/chain", as_of=as_of)
        sw.get(client, "/contacts", household=hid)
    for code in sorted(own.areas)[:2]:
        sw.get(client, f"/areas/{code}")
        sw.get(client, f"/areas/{code}/children")
    for oid in sorted(own.orgs)[:2]:
        sw.get(client, f"/orgs/{oid}")
        sw.get(client, f"/orgs/{oid}/children")
    if mobility:
        sw.get(client, "/mobility/destinations", as_of=as_of)
        sw.get(client, "/mobility/flows", as_of=as_of)
        sw.get(client, "/mobile-branches", as_of=as_of)
        for oid in sorted(o for o in own.orgs if truth.org_kind[o] in MOBILE_KINDS):
            sw.get(client, f"/mobile-branches/{oid}/members", as_of=as_of)
    # Probes: the first few objects of each kind outside the scope.
    for key in sorted(everything.members - own.members)[:2]:
        sw.missing(client, f"/members/{key}", key)
        sw.missing(client, "/contacts", key, member=key)
        sw.missing(client, f"/members/{key}/life", key)
        sw.missing(client, "/dues", key, member=key)
    for hid in sorted(everything.households - own.households)[:2]:
        sw.missing(client, f"/households/{hid}", hid)
        sw.missing(client, f"/households/{hid}/chain", hid)
    outside_areas = sorted(a for a in everything.areas - own.areas if not truth.area_external[a])
    for code in outside_areas[:2]:
        sw.missing(client, f"/areas/{code}", code)
        sw.missing(client, "/gaps/summary", code, scope=code)
        sw.missing(client, "/history/trend", code, scope=code)
        sw.missing(client, "/history/changes", code, scope=code, **{"from": "2020-01-01"})
        sw.missing(client, "/proposals/contacts", code, scope=code)
        sw.missing(client, "/groups/ranking", code, township=code, as_of=as_of)
    outside_orgs = sorted(o for o in everything.orgs - own.orgs if not truth.org_external[o])
    for oid in outside_orgs[:2]:
        sw.missing(client, f"/orgs/{oid}", oid)
        sw.missing(client, "/members", oid, scope=oid)
        sw.missing(client, "/proposals/duties", oid, scope=oid)
        sw.missing(client, "/meetings", oid, org=oid)
        sw.missing(client, "/life/grid", oid, scope=oid)
        sw.missing(client, "/screening", oid, scope=oid)
        sw.missing(client, "/first_secretaries/villages", oid, scope=oid)
    return sw


def leaks(sw: Sweep, forbidden: set[str]) -> list[str]:
    found = []
    for request, body in sw.answers:
        for where, s in strings(body):
            if s in forbidden:
                found.append(f"{request} {where} = {s!r}")
    return found
