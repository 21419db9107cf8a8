"""The outflow lifecycle as plain service functions over a store.

Each call validates everything first and raises a Chinese-worded OrgraphError before writing
anything. The writes reuse the roster import's statements, so an outflow registered here and
the same row imported from 流动党员外出登记 leave the same graph (same ids: `member|left_on`).
A call that writes several statements writes them in one `store.transaction()`: on Neo4j all
of them or none. FalkorDB has no multi-statement transactions, so there a failure half-way
keeps the earlier statements; the statements are ordered so that repeating a departure or a
return completes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from orgraph import clock
from orgraph.errors import ConstraintConflict, NotFound, ValidationFailed
from orgraph.importer.places import place_rows
from orgraph.records.visibility import not_yours
from orgraph.roster.codes import CHANNEL
from orgraph.roster.geocode import geocode
from orgraph.store import GraphStore
from orgraph.vocab import GROUP_KINDS, MOBILE_KINDS, ORG_KIND_ZH, ORG_KINDS

APPROVING_LEVELS = frozenset({"county", "city", "province"})
_NEVER = "9999-12-31"


def _date(value: str | dt.date | None, what: str, *, today: dt.date | None = None) -> str:
    """An ISO date no later than today; today when None."""
    today = today or clock.today()
    if value is None or value == "":
        return today.isoformat()
    if isinstance(value, dt.date):
        d = value
    else:
        try:
            d = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationFailed(f"{what}“{value}”格式不对，应为 YYYY-MM-DD") from None
    if d > today:
        raise ValidationFailed(f"{what}{d.isoformat()}晚于今天，不能登记未来的事")
    return d.isoformat()


def _text(value: str | None, what: str, limit: int = 200) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if len(text) > limit:
        raise ValidationFailed(f"{what}过长 (最多 {limit} 个字符)")
    return text or None


def _member(store: GraphStore, member: str) -> dict[str, Any]:
    rows = store.read("member_mobility_state", member=member)
    if not rows:
        raise NotFound(f"党员“{member}”不存在")
    row = rows[0]
    row["episodes"] = [
        {"id": e[0], "left_on": e[1], "end": min(e[2] or _NEVER, e[3] or _NEVER)}
        for e in row["episodes"]
        if e and e[0] is not None
    ]
    return row


def _open_on(episodes: list[dict[str, Any]], on: str) -> dict[str, Any] | None:
    """The episode open on a date (the latest departure), if any."""
    found = [e for e in episodes if e["left_on"] <= on < e["end"]]
    return max(found, key=lambda e: e["left_on"]) if found else None


def _org(store: GraphStore, org: str, what: str) -> dict[str, Any]:
    rows = store.read("org_standing", id=org)
    if not rows:
        raise NotFound(f"{what}“{org}”不存在，请填写党组织编号")
    hops = [(r["hops"], r["level"]) for r in rows if r["level"] is not None]
    return {**rows[0], "level": min(hops)[1] if hops else None}


def _destination(destination: str) -> tuple[str | None, str, list[dict[str, Any]]]:
    """A destination given as a division code or as text → (area code or None, text, the
    upsert_places rows to write once every other check has passed)."""
    text = destination.strip()
    if not text:
        raise ValidationFailed("外出地点不能为空")
    code_in = text if text.isdigit() else None
    place = None if code_in else geocode(text)
    code, rows = place_rows(code_in or (place.code6 if place else None))
    if code_in and code is None:
        raise ValidationFailed(f"区划代码“{text}”不存在，请填写 6/9/12 位区划代码或地名")
    return code, text, rows


def _new_places(store: GraphStore, places: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The upsert_places rows to write: all of them unless every place is stored already with
    its PART_OF link, when writing them would change nothing. Writing nothing keeps the area
    table out of the change log, so engines catch up without re-reading it
    (docs/design.md#change-log)."""
    if not places:
        return []
    codes = [p["code"] for p in places]
    stored = {r["code"]: r["parent"] for r in store.read("places_stored", codes=codes)}
    done = all(
        p["code"] in stored
        and (p["parent"] in (None, p["code"]) or stored[p["code"]] == p["parent"])
        for p in places
    )
    return [] if done else places


def register_departure(
    store: GraphStore,
    *,
    member: str,
    left_on: str | dt.date | None,
    destination: str,
    reason: str | None = None,
    employer: str | None = None,
    phone_away: str | None = None,
    card_no: str | None = None,
    contact_person: str | None = None,
    host_org: str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """登记外出: a new outflow episode. Refused while an earlier one is still open."""
    m = _member(store, member)
    if not m["on_roll"]:
        raise ValidationFailed(f"党员“{m['name']}”已不在册，不能登记外出")
    left = _date(left_on, "外出时间", today=today)
    for e in m["episodes"]:
        if e["left_on"] == left:
            raise ConstraintConflict(f"党员“{m['name']}”在 {left} 已有外出登记")
        if e["end"] > left:
            raise ConstraintConflict(
                f"党员“{m['name']}”有 {e['left_on']} 的外出登记尚未结束，请先登记返回或转接"
            )
    props = {
        "left_on": left,
        "returned_on": None,
        "reason": _text(reason, "外出原因"),
        "employer": _text(employer, "工作单位"),
        "phone_away": _text(phone_away, "外出联系电话", 40),
        "card_no": _text(card_no, "活动证编号", 60),
        "contact_person": _text(contact_person, "联系人", 60),
        "flow_type": None,
        "host_org_text": None,
        "member": member,
    }
    host = None
    if host_org:
        host = _org(store, host_org.strip(), "流入地党组织")["id"]
    dest, text, places = _destination(destination)
    props["destination_text"] = text
    oid = f"{member}|{left}"
    places = _new_places(store, places)
    with store.transaction() as tx_store:
        if places:
            tx_store.write("upsert_places", rows=places)
        tx_store.write(
            "upsert_outflows",
            rows=[{"id": oid, "member": member, "props": props, "dest": dest, "host": host}],
        )
    return {
        "id": oid,
        "member": member,
        "left_on": left,
        "destination": dest,
        "destination_text": text,
        "host_org": host,
        "placed": dest is not None,
    }


def record_report(
    store: GraphStore,
    *,
    member: str,
    on: str | dt.date | None,
    channel: str | None = None,
    org: str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """登记报到/报平安 of a member on a date, through a channel, optionally to an org."""
    _member(store, member)
    day = _date(on, "报到日期", today=today)
    ch = None
    if channel:
        ch = CHANNEL.get(channel.strip().lower())
        if ch is None:
            raise ValidationFailed(f"报到方式“{channel}”无效，可用: 电话/微信/现场/网上/书面")
    org_id = _org(store, org.strip(), "报到党组织")["id"] if org else None
    rid = f"{member}|{day}|{ch or ''}|{org_id or ''}"
    store.write(
        "upsert_reports",
        rows=[
            {
                "id": rid,
                "member": member,
                "org": org_id,
                "props": {"on": day, "channel": ch, "org_text": org_id, "member": member},
            }
        ],
    )
    return {"id": rid, "member": member, "on": day, "channel": ch, "org": org_id}


def attend(
    store: GraphStore,
    *,
    member: str,
    org: str,
    since: str | dt.date | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """A member away takes part in the life of an org at the destination from a date."""
    _member(store, member)
    o = _org(store, org, "党组织")
    day = _date(since, "参加组织生活日期", today=today)
    store.write("add_attendance", member=member, org=o["id"], since=day)
    return {"member": member, "org": o["id"], "since": day}


def record_return(
    store: GraphStore, *, member: str, on: str | dt.date | None, today: dt.date | None = None
) -> dict[str, Any]:
    """登记返回: ends the episode open on that date and the attendance begun in it."""
    m = _member(store, member)
    day = _date(on, "返回时间", today=today)
    ep = _open_on(m["episodes"], day)
    if ep is None or ep["left_on"] == day:
        raise ValidationFailed(f"党员“{m['name']}”在 {day} 没有未结束的外出登记，无法登记返回")
    with store.transaction() as tx_store:
        # attendance first: ending the episode is what makes a repeated call find nothing open
        tx_store.write("end_attendance", member=member, since=ep["left_on"], on=day)
        tx_store.write("end_outflow", member=member, id=ep["id"], props={"returned_on": day})
    return {"id": ep["id"], "member": member, "left_on": ep["left_on"], "returned_on": day}


def transfer(
    store: GraphStore,
    *,
    member: str,
    to_org: str,
    on: str | dt.date | None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """组织关系转接: moves the member's formal affiliation to `to_org` and ends the open
    episode. `to_org` is a county org id, or the name of an org outside the county, in which
    case the member leaves the county's roll (kept, with the transfer in its history)."""
    m = _member(store, member)
    if not m["on_roll"]:
        raise ValidationFailed(f"党员“{m['name']}”已不在册，不能转接组织关系")
    day = _date(on, "转接日期", today=today)
    target = to_org.strip()
    if not target:
        raise ValidationFailed("请填写转入的党组织")
    rows = store.read("org_standing", id=target)
    if rows and not rows[0]["external"]:
        if rows[0]["kind"] in GROUP_KINDS | {"external"}:
            raise ValidationFailed(f"“{rows[0]['name']}”是党小组，组织关系只能转入党支部")
        org_id, name, inside = target, rows[0]["name"], True
    else:
        name = rows[0]["name"] if rows else target
        org_id, inside = (target if rows else "X:" + target), False
    ep = _open_on(m["episodes"], day)
    tid = f"{member}|{day}"
    with store.transaction() as tx_store:
        if not rows:
            tx_store.write(
                "upsert_external_orgs", rows=[{"id": org_id, "name": name, "host": None}]
            )
        if ep is not None:  # also on the departure day: the episode then never counts as away
            tx_store.write("end_attendance", member=member, since=ep["left_on"], on=day)
        tx_store.write(
            "record_transfer",
            member=member,
            id=tid,
            props={
                "on": day,
                "to_org": org_id,
                "to_name": name,
                "inside": inside,
                "outflow": ep["id"] if ep else None,
            },
        )
        tx_store.write(
            "move_affiliation",
            member=member,
            org=org_id,
            on_roll=inside,
            reason=None if inside else "transferred_out",
            off_on=None if inside else day,
        )
        if ep is not None:  # last (FalkorDB): a repeat still finds the episode it ends
            tx_store.write("end_outflow", member=member, id=ep["id"], props={"transferred_on": day})
    return {
        "id": tid,
        "member": member,
        "on": day,
        "to_org": org_id,
        "to_name": name,
        "on_roll": inside,
        "ended_outflow": ep["id"] if ep else None,
    }


def create_mobile_branch(
    store: GraphStore,
    *,
    id: str,
    name: str,
    kind: str,
    host_area: str,
    approved_by: str,
    established_on: str | dt.date | None = None,
    today: dt.date | None = None,
    sees_org: Callable[[str], bool] | None = None,
) -> dict[str, Any]:
    """成立流动党员党支部 / 临时党支部 / 临时党小组 hosted in a destination city, under an
    approving committee at county level or above. sees_org: whether the caller may see an org
    (the API's scope); an id taken by an org it may not see is refused without saying that it
    exists (records.visibility.not_yours, issue #18)."""
    if kind not in MOBILE_KINDS:
        allowed = ", ".join(k for k in ORG_KINDS if k in MOBILE_KINDS)
        raise ValidationFailed(f"组织类别“{kind}”无效，可用: {allowed}")
    oid, title = (id or "").strip(), _text(name, "组织名称", 100)
    if not oid or not title:
        raise ValidationFailed("组织编号和组织名称都不能为空")
    if store.read("org_standing", id=oid):
        if sees_org is not None and not sees_org(oid):
            raise not_yours()
        raise ConstraintConflict(f"组织编号“{oid}”已存在")
    boss = _org(store, approved_by.strip(), "批准组建的党组织")
    top = boss["level"] is None and not boss["has_parent"]
    if boss["external"] or not (boss["level"] in APPROVING_LEVELS or top):
        raise ValidationFailed(
            f"“{boss['name']}”不是县级及以上党组织，不能批准成立{ORG_KIND_ZH[kind]}"
        )
    host, text, places = _destination(host_area)
    if host is None:
        raise ValidationFailed(f"无法识别驻在地“{text}”，请填写区划代码或“省市县”名称")
    day = _date(established_on, "成立日期", today=today)
    with store.transaction() as tx_store:
        tx_store.write("upsert_places", rows=places)
        tx_store.write(
            "upsert_orgs",
            rows=[
                {
                    "id": oid,
                    "props": {
                        "name": title,
                        "kind": kind,
                        "established_on": day,
                        "host_area_text": text,
                    },
                }
            ],
        )
        tx_store.write(
            "link_orgs", rows=[{"id": oid, "parent": boss["id"], "area": None, "host": host}]
        )
    return {
        "id": oid,
        "name": title,
        "kind": kind,
        "host_area": host,
        "approved_by": boss["id"],
        "established_on": day,
    }


def add_branch_member(
    store: GraphStore,
    *,
    branch: str,
    member: str,
    since: str | dt.date | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Attach a member away to a mobile branch (ATTENDS from a date)."""
    o = _org(store, branch, "流动党员党支部")
    if o["kind"] not in MOBILE_KINDS or o["external"]:
        raise ValidationFailed(f"“{o['name']}”不是流动党员党支部或临时党组织")
    return attend(store, member=member, org=o["id"], since=since, today=today)
