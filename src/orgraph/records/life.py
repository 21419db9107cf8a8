"""Meetings (组织生活) and dues payments (党费): lists over the caller's orgs and members, and
the two writes (record a meeting with its attendance, record a payment), each one atomic
(docs/rules.md "Organisational life and dues")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from orgraph import clock
from orgraph.analysis.life import meeting_people, month_label
from orgraph.errors import NotFound, ValidationFailed
from orgraph.importer.life import meeting_id
from orgraph.records.paging import answer, day_int, iso, page_of
from orgraph.records.visibility import Visible
from orgraph.roster.codes import MEETING_TYPE
from orgraph.roster.dates import parse_month
from orgraph.store import GraphStore
from orgraph.vocab import MEETING_TYPE_ZH


def list_meetings(
    store: GraphStore,
    *,
    seen: Visible,
    org: int | None = None,
    type: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    """Meetings held by visible orgs, newest first, with their figures and how many were
    listed present or absent."""
    p = seen.p
    keep = seen.orgs[p.k_org] if len(p.k_org) else np.zeros(0, dtype=bool)
    if org is not None:
        keep = keep & (p.k_org == org)
    if type is not None:
        keep = keep & (np.array(p.k_type, dtype=object) == meeting_type(type))
    if since is not None:
        keep = keep & (p.k_on >= day_int(since))
    if until is not None:
        keep = keep & (p.k_on <= day_int(until))
    idx = sorted((int(k) for k in np.flatnonzero(keep)), key=lambda k: (-int(p.k_on[k]), p.k_id[k]))
    chosen = page_of(idx, page, page_size)
    hosts = {
        r["id"]: r["host"]
        for r in store.read("record_meeting_hosts", ids=[p.k_id[k] for k in chosen])
    }
    hidden = _hidden_names(seen)
    items = []
    for k in chosen:
        _, attended = meeting_people(p, k)
        o = int(p.k_org[k])
        items.append(
            {
                "id": p.k_id[k],
                "org": {"id": p.org_id[o], "name": p.org_name[o]},
                "type": p.k_type[k],
                "on": iso(int(p.k_on[k])),
                "topic": p.k_topic[k],
                "expected": _count(int(p.k_expected[k])),
                "present": _count(int(p.k_present[k])),
                "attendees_listed": int(attended.sum()),
                "absentees_listed": int((~attended).sum()),
                "host": None if hosts.get(p.k_id[k]) in hidden else hosts.get(p.k_id[k]),
            }
        )
    return answer(items, len(idx), page, page_size)


def _hidden_names(seen: Visible) -> set[str]:
    """Names only members out of the caller's sight bear: a host (主持人, free text) who is
    one of them is withheld, as everything else about people outside the scope."""
    p = seen.p
    visible = {p.m_name[m] for m in np.flatnonzero(seen.members)}
    return {p.m_name[m] for m in np.flatnonzero(~seen.members)} - visible


def _count(n: int) -> int | None:
    return n if n >= 0 else None


def list_dues(
    *, seen: Visible, member: int | None = None, page: int = 1, page_size: int = 50
) -> dict[str, Any]:
    """Dues payments of visible members, latest payment first."""
    p = seen.p
    keep = seen.members[p.d_member] if len(p.d_member) else np.zeros(0, dtype=bool)
    if member is not None:
        keep = keep & (p.d_member == member)
    idx = sorted(
        (int(i) for i in np.flatnonzero(keep)),
        key=lambda i: (-int(p.d_on[i]), -int(p.d_month[i]), p.m_key[int(p.d_member[i])]),
    )
    items = [
        {
            "member": {"id": p.m_key[m], "name": p.m_name[m]},
            "paid_to": month_label(int(p.d_month[i])),
            "on": iso(int(p.d_on[i])),
        }
        for i in page_of(idx, page, page_size)
        for m in [int(p.d_member[i])]
    ]
    return answer(items, len(idx), page, page_size)


# -- writes -----------------------------------------------------------------------------------


def meeting_type(value: str) -> str:
    """A meeting type given as its code or any roster spelling."""
    code = MEETING_TYPE.get(value.strip().lower()) or MEETING_TYPE.get(value.strip())
    if code is None:
        raise ValidationFailed(f"会议类型“{value}”无效，可用: {'/'.join(MEETING_TYPE_ZH.values())}")
    return code


def _day(value: dt.date | None, what: str, today: dt.date) -> str:
    d = value or today
    if d > today:
        raise ValidationFailed(f"{what}{d.isoformat()}晚于今天，不能登记未来的事")
    return d.isoformat()


def unknown_members(store: GraphStore, keys: list[str]) -> list[str]:
    found = {r["key"] for r in store.read("record_member_keys", keys=sorted(set(keys)))}
    return sorted(set(keys) - found)


def record_meeting(
    store: GraphStore,
    *,
    org: str,
    type: str,
    on: dt.date | None,
    topic: str | None = None,
    expected: int | None = None,
    present: int | None = None,
    attendees: list[str] | None = None,
    absentees: list[str] | None = None,
    host: str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Record (or correct) one meeting and its attendance in one transaction: the meeting is
    identified by org, type, date and topic, and its attendance lists are replaced."""
    today = today or clock.today()
    rows = store.read("record_org", id=org)
    if not rows or rows[0]["kind"] == "external":
        raise NotFound(f"党组织“{org}”不存在")
    code = meeting_type(type)
    day = _day(on, "会议日期", today)
    attending, absent = sorted(set(attendees or ())), sorted(set(absentees or ()))
    both = set(attending) & set(absent)
    if both:
        raise ValidationFailed(f"同一人既在参加人员又在缺席人员中: {'、'.join(sorted(both))}")
    for n, what in ((expected, "应到人数"), (present, "实到人数")):
        if n is not None and n < 0:
            raise ValidationFailed(f"{what}不能为负数")
    unknown = unknown_members(store, attending + absent)
    if unknown:
        raise ValidationFailed(f"花名册中没有这些人员: {'、'.join(unknown)}")
    topic = (topic or "").strip() or None
    mid = meeting_id(org, code, day, topic)
    existed = bool(store.read("meeting_states", ids=[mid]))
    props = {
        "type": code,
        "on": day,
        "topic": topic,
        "expected": expected,
        "present": present,
        "host": (host or "").strip() or None,
        "org_text": None,
        "listed": bool(attending),
    }
    with store.transaction() as tx:
        tx.write("upsert_meetings", rows=[{"id": mid, "org": org, "props": props}])
        tx.write("unlink_meeting_people", rows=[{"id": mid}])
        if attending:
            tx.write("link_meeting_attendees", rows=[{"id": mid, "member": m} for m in attending])
        if absent:
            tx.write("link_meeting_absentees", rows=[{"id": mid, "member": m} for m in absent])
    return {
        "id": mid,
        "org": org,
        **props,
        "attendees": attending,
        "absentees": absent,
        "created": not existed,
    }


def record_dues(
    store: GraphStore,
    *,
    member: str,
    paid_to: str,
    paid_on: dt.date | None = None,
    amount: str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Record (or correct) one dues payment: the member paid up to a month."""
    today = today or clock.today()
    if unknown_members(store, [member]):
        raise NotFound(f"党员“{member}”不存在")
    month = parse_month(paid_to)
    if month.error is not None:
        raise ValidationFailed(f"缴至月份: {month.error}")
    on = _day(paid_on, "缴纳日期", today) if paid_on is not None else None
    did = f"{member}|{month.value}"
    existed = bool(store.read("dues_states", ids=[did]))
    props = {"paid_to": month.value, "paid_on": on, "amount": (amount or "").strip() or None}
    store.write("upsert_dues", rows=[{"id": did, "member": member, "props": props}])
    return {"id": did, "member": member, **props, "created": not existed}
