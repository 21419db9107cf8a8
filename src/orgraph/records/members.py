"""Members: list (scope, search, branch, away, on roll), read one, create, update, end."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from orgraph.errors import ConstraintConflict, NotFound, ValidationFailed
from orgraph.records.models import MemberCreate, MemberEnd, MemberUpdate
from orgraph.records.paging import answer, day_int, page_of
from orgraph.records.visibility import Visible, not_yours
from orgraph.roster.idnumber import check_id, hash_id, mask_id
from orgraph.security.masking import mask_birth_date, mask_phone
from orgraph.store import GraphStore
from orgraph.store.base import Writer
from orgraph.vocab import GROUP_KINDS, MEMBER_ORG_KINDS

# Stored properties a create or update may set, all from validated body fields.
PROPS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "category",
    "joined_on",
    "full_on",
    "phone",
    "mgmt_class",
    "roles",
)


def away_mask(seen: Visible, on: dt.date) -> Any:
    """Members with an open outflow on the day."""
    return seen.p.away(day_int(on))


def _branch(seen: Visible, m: int) -> dict[str, str] | None:
    for o in seen.p.m_branches[m]:
        ref = seen.org_ref(o)
        if ref is not None:
            return ref
    return None


def _row(seen: Visible, m: int, rec: dict[str, Any], away: bool, *, reveal: bool) -> dict[str, Any]:
    phone = rec.get("phone")
    return {
        "id": rec["key"],
        "name": rec.get("name") or rec["key"],
        "gender": rec.get("gender"),
        "category": rec.get("category"),
        "branch": _branch(seen, m),
        "phone": (phone if reveal else mask_phone(phone)) if phone else None,
        "id_masked": rec.get("id_masked"),
        "away": away,
        "on_roll": rec.get("on_roll") is not False,
    }


def list_members(
    store: GraphStore,
    *,
    seen: Visible,
    q: str | None = None,
    branch: int | None = None,
    away: bool | None = None,
    on_roll: bool | None = None,
    on: dt.date,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    """Visible members matching every filter, sorted by key; phones masked."""
    p = seen.p
    keep = seen.members.copy()
    if on_roll is not None:
        keep &= p.m_on_roll == on_roll
    gone = away_mask(seen, on)
    if away is not None:
        keep &= gone == away
    idx = [int(m) for m in np.flatnonzero(keep)]
    if branch is not None:
        idx = [m for m in idx if branch in p.m_branches[m] or branch in p.m_groups[m]]
    if q:
        idx = [m for m in idx if q in p.m_name[m] or q in p.m_key[m]]
    idx.sort(key=lambda m: p.m_key[m])
    chosen = page_of(idx, page, page_size)
    recs = {r["key"]: r for r in store.read("record_members", keys=[p.m_key[m] for m in chosen])}
    items = [
        _row(seen, m, recs[p.m_key[m]], bool(gone[m]), reveal=False)
        for m in chosen
        if p.m_key[m] in recs
    ]
    return answer(items, len(idx), page, page_size)


def get_member(
    store: GraphStore, *, seen: Visible, m: int, on: dt.date, reveal: bool = False
) -> dict[str, Any]:
    """One visible member (index m of the projection) in full."""
    p = seen.p
    rows = store.read("record_members", keys=[p.m_key[m]])
    if not rows:
        raise NotFound(f"党员“{p.m_key[m]}”不存在或不在您的管辖范围内")
    rec = rows[0]
    out = _row(seen, m, rec, bool(away_mask(seen, on)[m]), reveal=reveal)
    born = rec.get("birth_date")
    household = rec.get("household")
    h = p.hh_index.get(household or "", -1)
    out.update(
        {
            "member_no": rec.get("member_no"),
            "ethnicity": rec.get("ethnicity"),
            # The year only, unless revealed (audited): the full date is the middle of the
            # masked ID number (docs/design.md#masking).
            "birth_date": born if reveal else mask_birth_date(born),
            "education": rec.get("education"),
            "joined_on": rec.get("joined_on"),
            "full_on": rec.get("full_on"),
            "mgmt_class": rec.get("mgmt_class"),
            "roles": list(rec.get("roles") or []),
            "groups": [r for r in (seen.org_ref(g) for g in p.m_groups[m]) if r is not None],
            "household": household if h >= 0 and seen.household(h) else None,
            "is_mobile": rec.get("is_mobile"),
            "lost_contact": rec.get("lost_contact"),
            "off_roll_on": rec.get("off_roll_on"),
            "off_roll_reason": rec.get("off_roll_reason"),
            "phone_revealed": bool(reveal and rec.get("phone")),
        }
    )
    return out


# -- writes ---------------------------------------------------------------------------------


def _props(body: MemberCreate | MemberUpdate, fields: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in PROPS:
        if name in fields:
            value = getattr(body, name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif name == "roles" and value is not None:
                value = sorted(set(value))
            out[name] = value
    return out


def check_links(
    seen: Visible,
    *,
    branch: str | None,
    group: str | None,
    household: str | None,
    parent: str | None = None,
) -> None:
    """The branch, group and household a member is linked to exist and are visible (else
    NotFound, like any object outside the scope) and are of the right kind."""
    p = seen.p
    if branch is not None:
        o = p.org_index.get(branch, -1)
        if not seen.org(o):
            raise NotFound(f"党组织“{branch}”不存在或不在您的管辖范围内")
        if p.org_kind[o] not in MEMBER_ORG_KINDS:
            raise ValidationFailed(f"“{branch}”不是党支部，不能作为所在党支部")
    if group is not None:
        g = p.org_index.get(group, -1)
        if not seen.org(g):
            raise NotFound(f"党组织“{group}”不存在或不在您的管辖范围内")
        if p.org_kind[g] not in GROUP_KINDS or p.org_parent[g] != p.org_index.get(
            parent or branch or "", -1
        ):
            raise ValidationFailed(f"“{group}”不是所在党支部的党小组")
    if household is not None:
        h = p.hh_index.get(household, -1)
        if not seen.household(h):
            raise NotFound(f"农户“{household}”不存在或不在您的管辖范围内")


def _link(
    tx_store: Writer,
    key: str,
    *,
    branches: list[str],
    groups: list[str],
    household: str | None,
    since: str,
    roles: list[str],
) -> None:
    tx_store.write(
        "link_members",
        rows=[
            {
                "key": key,
                "branches": branches,
                "grps": groups,
                "household": household,
                "since": since,
                "roles": roles,
            }
        ],
    )


def create_member(store: GraphStore, *, seen: Visible, body: MemberCreate, id_key: bytes) -> str:
    """Create a member in a visible branch; its key (人员编号, else h: + ID hash)."""
    check_links(seen, branch=body.branch, group=body.group, household=body.household)
    props = _props(body, set(body.model_fields_set) | {"name"})
    if body.id_number:
        checked = check_id(body.id_number, check_county=False)
        if checked.error or checked.normalized is None:
            raise ValidationFailed(f"公民身份号码有误: {checked.error}")
        digest = hash_id(checked.normalized, id_key)
        same = store.read("record_member_by_id_hash", id_hash=digest)
        if same:
            # Outside the scope: neither "exists" nor who (docs/design.md#scopes).
            if not any(seen.member_key(r["key"]) for r in same):
                raise not_yours()
            raise ConstraintConflict("已有同一公民身份号码的党员")
        props["id_hash"] = digest
        props["id_masked"] = mask_id(checked.normalized)
        if checked.birth_date and "birth_date" not in props:
            props["birth_date"] = checked.birth_date.isoformat()
        if checked.gender and "gender" not in props:
            props["gender"] = checked.gender
    elif not body.member_no:
        raise ValidationFailed("请填写人员编号或公民身份号码")
    key = body.member_no or "h:" + props["id_hash"]
    if key in seen.p.m_index or store.read("record_members", keys=[key]):
        if not seen.member_key(key):
            raise not_yours()
        raise ConstraintConflict(f"党员“{key}”已存在")
    props.update(member_no=body.member_no, on_roll=True, roles=props.get("roles") or [])
    with store.transaction() as tx_store:
        tx_store.write("record_create_member", key=key, props=props)
        _link(
            tx_store,
            key,
            branches=[body.branch],
            groups=[body.group] if body.group else [],
            household=body.household,
            since=props.get("joined_on") or "",
            roles=props["roles"],
        )
    return key


def update_member(store: GraphStore, *, seen: Visible, m: int, body: MemberUpdate) -> int:
    """Change the given fields of a visible member; how many fields were set. Everything is
    checked first; the property update and the relinking are then one transaction."""
    p = seen.p
    key = p.m_key[m]
    fields = set(body.model_fields_set)
    if "name" in fields and body.name is None:
        raise ValidationFailed("姓名不能为空")
    props = _props(body, fields)
    relink: dict[str, Any] | None = None
    if fields & {"branch", "group", "household", "roles"}:
        rows = store.read("record_members", keys=[key])
        current = rows[0] if rows else {}
        branches = [p.org_id[o] for o in p.m_branches[m]]
        groups = [p.org_id[o] for o in p.m_groups[m]]
        if "branch" in fields:
            if body.branch is None:
                raise ValidationFailed("所在党支部不能为空")
            if any(not seen.org(o) for o in p.m_branches[m]):
                raise ValidationFailed("该党员还有管辖范围外的组织关系，不能在此修改所在党支部")
            branches, groups = [body.branch], []
        if "group" in fields:
            groups = [body.group] if body.group else []
        household = body.household if "household" in fields else current.get("household")
        check_links(
            seen,
            branch=body.branch if "branch" in fields else None,
            group=body.group if "group" in fields else None,
            parent=branches[0] if branches else None,
            household=body.household if "household" in fields else None,
        )
        roles = props.get("roles", sorted(current.get("roles") or []))
        since = props["joined_on"] if "joined_on" in props else current.get("joined_on")
        relink = {
            "branches": branches,
            "groups": groups,
            "household": household,
            "since": since or "",
            "roles": roles,
        }
    if props or relink is not None:
        with store.transaction() as tx_store:
            if props:
                tx_store.write("upsert_members", rows=[{"key": key, "props": props}])
            if relink is not None:
                tx_store.write("unlink_members", keys=[key])
                _link(tx_store, key, **relink)
    return len(fields)


def end_member(store: GraphStore, *, seen: Visible, m: int, body: MemberEnd) -> None:
    key = seen.p.m_key[m]
    if not store.write("record_end_member", key=key, on=body.on.isoformat(), reason=body.reason):
        raise ConstraintConflict(f"党员“{key}”已不在册")
