"""Importing a model county into a graph, and checking the graph holds exactly the model.

After the import, the county's actions (attend, record_return, transfer: not roster columns)
are applied through orgraph.mobility.services, in order.

`graph_facts` reads the graph back through the read-only blocks of tests/cypher/testing.cypher and
`model_facts` derives the same facts from the settled model: equal facts mean the writer, the
importer and the services between them lost nothing, so any engine/oracle difference is the
rules' business.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, settings

from orgraph.importer.pipeline import import_files
from orgraph.importer.report import ImportReport
from orgraph.mobility import services
from orgraph.store import GraphStore
from orgraph.store.migrations import migrate

from .county_model import EXTERNAL_PREFIX, Action, County, settle, write_rosters
from .mobile import place_code
from .strategies import IMPORT_TODAY

KEY = b"oracle-test-key"


def problems(report: ImportReport) -> list[str]:
    """Rejected rows and sheet errors of an import, as readable lines."""
    out = []
    for f in report.files:
        for i in [*f.errors, *f.rejected]:
            out.append(f"{Path(f.path).name} row {i.row} {i.column}={i.value!r}: {i.message}")
    return out


def import_county(store: GraphStore, county: County) -> tuple[ImportReport, ImportReport | None]:
    """Write the county's rosters to a temporary folder and import them: the full roster
    first, then (when some members are off roll) the on-roll members with snapshot=True; then
    apply the county's actions."""
    with tempfile.TemporaryDirectory(prefix="og-oracle-") as tmp:
        files = write_rosters(county, Path(tmp))
        first = import_files(store, files.first, key=KEY, today=IMPORT_TODAY)
        second = None
        if files.snapshot is not None:
            second = import_files(
                store, [files.snapshot], key=KEY, snapshot=True, today=IMPORT_TODAY
            )
    for action in county.actions:
        apply(store, action)
    return first, second


def apply(store: GraphStore, a: Action) -> dict[str, Any]:
    if a.kind == "attend":
        assert a.org is not None
        return services.attend(store, member=a.member, org=a.org, since=a.on, today=IMPORT_TODAY)
    if a.kind == "record_return":
        return services.record_return(store, member=a.member, on=a.on, today=IMPORT_TODAY)
    if a.kind == "transfer":
        assert a.org is not None
        return services.transfer(store, member=a.member, to_org=a.org, on=a.on, today=IMPORT_TODAY)
    raise ValueError(a.kind)


def reset(store: GraphStore) -> None:
    store.drop_all()
    migrate(store)


Fact = tuple[Any, ...]


def graph_facts(store: GraphStore) -> set[Fact]:
    facts: set[Fact] = set()
    for row in store.read("testing_nodes"):
        p = row["props"]
        if row["label"] == "Member":
            facts.add(
                (
                    "member",
                    p["key"],
                    bool(p.get("on_roll")),
                    p.get("category"),
                    p.get("birth_date"),
                    p.get("mgmt_class"),
                    tuple(sorted(p.get("roles") or [])),
                    p.get("joined_on"),
                    bool(p.get("lost_contact")),
                    p.get("suspended_on"),
                )
            )
        elif row["label"] == "Meeting":
            facts.add(
                (
                    "meeting",
                    p["id"],
                    p.get("type"),
                    p.get("on"),
                    p.get("topic") or None,
                    p.get("expected"),
                    p.get("present"),
                    p.get("host"),
                    bool(p.get("listed")),
                )
            )
        elif row["label"] == "Dues":
            facts.add(
                ("dues", p["id"], p.get("paid_to"), p.get("paid_on"), _amount(p.get("amount")))
            )
        elif row["label"] == "Org" and p.get("kind") != "external":
            facts.add(
                (
                    "org",
                    p["id"],
                    p.get("kind"),
                    p.get("term_end"),
                    p.get("established_on"),
                    bool(p.get("weak")),
                )
            )
        elif row["label"] == "Area" and not p.get("external"):
            facts.add(("area", p["code"], p.get("level")))
        elif row["label"] == "Household":
            facts.add(("household", p["id"]))
        elif row["label"] == "Rectification":
            facts.add(("rect", p.get("opened_on") or None, p.get("deadline"), p.get("status")))
        elif row["label"] == "Outflow":
            facts.add(
                (
                    "outflow",
                    p.get("member"),
                    p.get("left_on"),
                    p.get("returned_on"),
                    p.get("transferred_on"),
                    p.get("employer"),
                    p.get("contact_person"),
                )
            )
        elif row["label"] == "Report":
            facts.add(("report", p.get("member"), p.get("on"), p.get("channel"), p.get("org_text")))
    for row in store.read("testing_rels"):
        rel, a, b = row["rel"], row["from_key"], row["to_key"]
        props = row["props"] or {}
        if rel in ("CONTACTS", "RESPONSIBLE_FOR"):
            facts.add((rel, a, b, props.get("since") or None, props.get("until")))
        elif rel == "ATTENDS":
            facts.add((rel, a, b, props.get("since"), props.get("until")))
        elif rel in ("HELD_BY", "ATTENDED", "ABSENT_FROM", "PAID"):
            facts.add((rel, a, b))
        elif rel in ("PART_OF", "UNDER", "SERVES", "BELONGS_TO", "IN_GROUP", "LIVES_IN", "IN"):
            if rel != "PART_OF" or row["from_label"] != "Area" or _county_code(a):
                facts.add((rel, a, b))
        elif (rel == "TO" and row["from_label"] == "Outflow") or (
            rel == "HOSTED_IN" and not str(a).startswith(EXTERNAL_PREFIX)
        ):
            facts.add((rel, a, b))
    return facts


def _amount(v: Any) -> float | None:
    """A dues amount as a number (kept as text or as a number: either reads back the same)."""
    return None if v is None or v == "" else float(v)


def _county_code(code: str) -> bool:
    """The test counties' own codes are 12 or 14 digits; destinations are 6-digit places."""
    return len(code) != 6


def model_facts(county: County) -> set[Fact]:
    c = settle(county)
    facts: set[Fact] = set()
    for m in c.members:
        facts.add(
            (
                "member",
                m.member_no,
                m.on_roll,
                m.category,
                m.birth_date,
                m.mgmt_class,
                tuple(sorted(m.roles)),
                m.joined_on,
                bool(m.lost_contact),
                m.suspended_on,
            )
        )
        if m.branch:
            facts.add(("BELONGS_TO", m.member_no, m.branch))
        if m.group:
            facts.add(("IN_GROUP", m.member_no, m.group))
        if m.household:
            facts.add(("LIVES_IN", m.member_no, m.household))
    for o in c.orgs:
        facts.add(("org", o.id, o.kind, o.term_end, o.established_on, bool(o.weak)))
        if place_code(o.host_area):
            facts.add(("HOSTED_IN", o.id, o.host_area))
        if o.parent:
            facts.add(("UNDER", o.id, o.parent))
        if o.area:
            facts.add(("SERVES", o.id, o.area))
        if o.has_rectification:
            facts.add(("rect", o.rect_opened_on, o.rect_deadline, o.rect_status or "open"))
    for e in c.rects:
        facts.add(("rect", e.opened_on, e.deadline, e.effective_status))
    for a in c.areas:
        facts.add(("area", a.code, a.level))
        if a.parent:
            facts.add(("PART_OF", a.code, a.parent))
    for h in c.households:
        facts.add(("household", h.id))
        facts.add(("IN", h.id, h.area))
    for x in c.contacts:
        rel = "CONTACTS" if x.target_kind == "household" else "RESPONSIBLE_FOR"
        facts.add((rel, x.member, x.target, x.since, x.until))
    for f in c.outflows:
        facts.add(
            (
                "outflow",
                f.member,
                f.left_on,
                f.returned_on,
                f.transferred_on,
                f.employer,
                f.contact_person,
            )
        )
        if place_code(f.destination):
            facts.add(("TO", f.id, f.destination))
    for r in c.reports:
        facts.add(("report", r.member, r.on, r.channel, r.org))
    for at in c.attends:
        facts.add(("ATTENDS", at.member, at.org, at.since, at.until))
    for k in c.meetings:
        facts.add(
            (
                "meeting",
                k.id,
                k.type,
                k.on,
                k.topic,
                k.expected,
                k.present,
                k.host,
                k.attendees is not None,
            )
        )
        facts.add(("HELD_BY", k.id, k.org))
        facts |= {("ATTENDED", no, k.id) for no in k.attendees or ()}
        facts |= {("ABSENT_FROM", no, k.id) for no in k.absentees or ()}
    for pay in c.dues:
        facts.add(("dues", pay.id, pay.paid_to, pay.paid_on, _amount(pay.amount)))
        facts.add(("PAID", pay.member, pay.id))
    return facts


def examples(default: int) -> settings:
    """Hypothesis settings of a generated-county property: `default` examples, or
    ORACLE_EXAMPLES. No "explain" phase: it reruns the failing example under a tracer, which
    is slow here."""
    return settings(
        max_examples=int(os.environ.get("ORACLE_EXAMPLES", str(default))),
        deadline=None,
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def load(store: GraphStore, county: County) -> None:
    """Reset the graph and import the county into it, with no row refused."""
    reset(store)
    first, second = import_county(store, county)
    assert problems(first) == [] and (second is None or problems(second) == [])
