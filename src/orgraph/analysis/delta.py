"""Bring a projection up to date from the change log instead of reloading it
(docs/design.md#change-log).

A change names the members, households and meetings a write touched, and whether the (small)
org or area tables changed. Catching up re-reads exactly those entities with the `delta_*`
blocks (the `proj_*` blocks restricted to some keys, same shapes, read by the same loaders) and
splices their rows into a copy of the projection:

- areas, orgs: the whole table is re-read (a few thousand rows) and the indexes that point into
  it are remapped;
- households, meetings: their own rows are replaced or inserted in key order; the members
  linked to them before or after the change are re-read too;
- members: every member-keyed table (links, contacts, responsibilities, outflows, reports,
  attendance, meeting attendance, dues) holds each member's rows together, in key order, so a
  member's rows are cut out and the re-read ones put in their place.

The result equals a fresh `projection.load` of the same graph, array by array
(tests/oracle/test_delta_projection.py). Anything the splice does not handle (an entity deleted,
a log too long) raises `Reload`, and the engine loads the projection whole.

The projection a reader holds is never modified: catching up builds a new one, sharing the
arrays it did not change.
"""

from __future__ import annotations

import bisect
import copy
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from orgraph.analysis import projection as proj
from orgraph.analysis.projection import Projection, same
from orgraph.store import GraphStore
from orgraph.store.changes import Changes

# Member-keyed tables: the member column first; every row of one member sits together, and
# members follow each other in index order (projection._canonical sorts by key first).
EDGE_TABLES: dict[str, tuple[str, ...]] = {
    "contacts": ("c_member", "c_house", "c_since", "c_until"),
    "responsibilities": ("r_member", "r_target", "r_is_org", "r_since", "r_until"),
    "outflows": (
        "o_member",
        "o_left",
        "o_returned",
        "o_end",
        "o_dest",
        "o_dest_text",
        "o_contact",
        "o_employer",
    ),
    "reports": ("rp_member", "rp_on"),
    "attends": ("at_member", "at_org", "at_since", "at_until"),
    "meeting_people": ("kp_member", "kp_meeting", "kp_attended"),
    "dues": ("d_member", "d_month", "d_on"),
    "first_secretaries": ("fs_member", "fs_org", "fs_since", "fs_until", "fs_sent_by"),
}
MEMBER_FIELDS = (
    "m_key",
    "m_name",
    "m_on_roll",
    "m_birth",
    "m_full",
    "m_elderly",
    "m_mgmt",
    "m_roles",
    "m_joined",
    "m_lost_flag",
    "m_suspended",
)
MEMBER_LINKS = ("m_branches", "m_groups", "m_households")
HOUSEHOLD_FIELDS = ("hh_id", "hh_area")
MEETING_FIELDS = (
    "k_id",
    "k_org",
    "k_type",
    "k_topic",
    "k_on",
    "k_expected",
    "k_present",
    "k_listed",
)
AREA_FIELDS = (
    "area_code",
    "area_name",
    "area_level",
    "area_external",
    "area_parent",
    "area_index",
    "area_children",
    "area_lon",
    "area_lat",
)
ORG_FIELDS = (
    "org_id",
    "org_name",
    "org_kind",
    "org_parent",
    "org_area",
    "org_home_area",
    "org_term_end",
    "org_external",
    "org_index",
    "org_children",
    "org_host",
    "org_established",
    "org_weak",
    "rects",
    "rect_plan",
    "rect_accepted",
    "rect_result",
    "rect_problems",
    "rect_leader",
    "rect_team",
    "rect_unit",
    "insp_id",
    "insp_org",
    "insp_on",
    "insp_inspector",
    "insp_findings",
    "insp_follow_up",
    "gr_org",
    "gr_month",
    "gr_summary",
    "gr_inspected",
    "gr_score",
    "gr_grade",
)


class Reload(Exception):
    """The change cannot be spliced in; load the projection whole."""


def catch_up(
    p: Projection, store: GraphStore, changes: Changes, revision: str | None, seq: int
) -> Projection:
    """A new projection: `p` with every entity `changes` names re-read from the store."""
    if changes.everything:
        raise Reload("a change to everything")
    q = copy.copy(p)
    q.revision, q.seq = revision, seq
    q.derived, q.derived_reads, q.hh_head = {}, {}, {}
    members = set(changes.keys["member"])
    if "areas" in changes.tables:
        _reload_areas(q, store)
    if changes.tables:  # org rows name areas: re-read them after an area change too
        _reload_orgs(q, store)
    if changes.keys["household"]:
        members |= _households(q, store, sorted(changes.keys["household"]))
    if changes.keys["meeting"]:
        members |= _meetings(q, store, sorted(changes.keys["meeting"]))
    if members:
        _members(q, store, sorted(members))
    _keep_caches(p, q, households=bool(changes.keys["household"]))
    return q


def _keep_caches(p: Projection, q: Projection, *, households: bool) -> None:
    """Carry over p's derived values whose declared fields q still shares with p (the splice
    keeps a table's arrays when a change leaves its rows as they were): a report, a departure,
    a contact rebuilds only what reads those tables, not the meetings' attendance and the
    other per-projection figures. The household heads fetched for pages stay while no
    household changed (the head's name is the household's, read by the page)."""
    for name, reads in dict(p.derived_reads).items():  # a C-level copy: readers may add
        if name in p.derived and all(same(q, p, f) for f in reads):
            q.derived[name] = p.derived[name]
            q.derived_reads[name] = reads
    if not households and same(q, p, "hh_id"):
        q.hh_head = p.hh_head


# -- areas and orgs: small tables, re-read whole ----------------------------------------------


def _mapping(old_keys: Sequence[str], new_index: dict[str, int]) -> np.ndarray:
    """Old position → new position of every old key (Reload when one is gone)."""
    out = np.fromiter((new_index.get(k, -1) for k in old_keys), np.int64, len(old_keys))
    if len(out) and out.min() < 0:
        raise Reload("an entity was deleted")
    return out


def _remap(values: Any, mapping: np.ndarray) -> np.ndarray:
    """Indexes through a mapping; -1 (no entity) stays -1."""
    a = np.asarray(values, dtype=np.int64)
    if not len(a):
        return a.copy()
    return np.where(a >= 0, mapping[np.maximum(a, 0)], -1)


def _remap_where(values: np.ndarray, where: np.ndarray, mapping: np.ndarray) -> np.ndarray:
    """`values` with the entries where `where` holds remapped (a column pointing into two
    tables: responsibilities point at areas or at orgs)."""
    out = np.array(values, dtype=np.int64)
    out[where] = _remap(out[where], mapping)
    return out


def _remap_lists(lists: list[list[int]], mapping: np.ndarray) -> list[list[int]]:
    m = mapping.tolist()
    return [[m[i] for i in lst] for lst in lists]


def _take(q: Projection, fresh: Projection, names: Sequence[str]) -> None:
    """q's fields set to fresh's, keeping q's own object where the value is the same (so the
    caches computed from it stay valid, `_keep_caches`)."""
    for name in names:
        old, new = getattr(q, name), getattr(fresh, name)
        if isinstance(old, np.ndarray) or isinstance(new, np.ndarray):
            kept = _same_array(old, new)
        else:  # lists and dicts of plain values: == in C (a NaN only costs the cache)
            kept = type(old) is type(new) and old == new
        if not kept:
            setattr(q, name, new)


def _same_array(a: Any, b: Any) -> bool:
    return (
        isinstance(a, np.ndarray)
        and isinstance(b, np.ndarray)
        and a.dtype == b.dtype
        and a.shape == b.shape
        and bool(np.array_equal(a, b))
    )


def _reload_areas(q: Projection, store: GraphStore) -> None:
    fresh = Projection(revision=None)
    proj._load_areas(fresh, proj._one(store.read("proj_areas"), "areas"))
    mapping = _mapping(q.area_code, fresh.area_index)
    _take(q, fresh, AREA_FIELDS)
    if np.array_equal(mapping, np.arange(len(mapping))):
        return  # no area inserted: every index into the table still holds
    q.hh_area = _remap(q.hh_area, mapping)
    q.r_target = _remap_where(q.r_target, ~np.asarray(q.r_is_org, dtype=bool), mapping)


def _reload_orgs(q: Projection, store: GraphStore) -> None:
    fresh = Projection(revision=None)
    fresh.area_index = q.area_index
    fresh.area_code = q.area_code
    proj._load_orgs(fresh, proj._one(store.read("proj_orgs"), "orgs"))
    proj._load_rectifications(fresh, proj._one(store.read("proj_rectifications"), "rects"))
    proj._load_inspections(fresh, proj._one(store.read("proj_inspections"), "inspections"))
    proj._load_group_records(fresh, proj._one(store.read("proj_group_records"), "records"))
    mapping = _mapping(q.org_id, fresh.org_index)
    _take(q, fresh, ORG_FIELDS)
    if np.array_equal(mapping, np.arange(len(mapping))):
        return  # no org inserted: every index into the table still holds
    q.m_branches = _remap_lists(q.m_branches, mapping)
    q.m_groups = _remap_lists(q.m_groups, mapping)
    q.at_org = _remap(q.at_org, mapping)
    q.fs_org = _remap(q.fs_org, mapping)
    q.k_org = _remap(q.k_org, mapping)
    q.r_target = _remap_where(q.r_target, np.asarray(q.r_is_org, dtype=bool), mapping)


# -- inserting entities in key order -----------------------------------------------------------


def _insert(
    q: Projection,
    keys_field: str,
    index_field: str,
    fields: Sequence[str],
    new: Projection,
) -> np.ndarray | None:
    """Put the entities of `new` (loaded by the same loader, in key order) into q's table:
    existing ones are overwritten in place, new ones inserted in key order. Returns the
    old → new position mapping when anything was inserted (None otherwise)."""
    old_keys: list[str] = getattr(q, keys_field)
    index: dict[str, int] = getattr(q, index_field)
    new_keys: list[str] = getattr(new, keys_field)
    at = [index.get(k, -1) for k in new_keys]
    added = [j for j, i in enumerate(at) if i < 0]
    kept = [j for j, i in enumerate(at) if i >= 0]
    kept_at = [at[j] for j in kept]
    for name in fields:  # a column whose rows are as they were stays the same object
        col = getattr(q, name)
        vals = getattr(new, name)
        if isinstance(col, np.ndarray):
            got = np.asarray(vals)[kept]
            if not np.array_equal(col[kept_at], got):
                col = col.copy()
                col[kept_at] = got
                setattr(q, name, col)
        elif any(col[at[j]] != vals[j] for j in kept):
            col = list(col)
            for j in kept:
                col[at[j]] = vals[j]
            setattr(q, name, col)
    if not added:
        return None
    positions = [bisect.bisect_left(old_keys, new_keys[j]) for j in added]
    for name in fields:
        col = getattr(q, name)
        vals = getattr(new, name)
        if isinstance(col, np.ndarray):
            setattr(q, name, np.insert(col, positions, np.asarray(vals)[added]))
        else:
            setattr(q, name, _list_insert(col, positions, [vals[j] for j in added]))
    keys: list[str] = getattr(q, keys_field)
    setattr(q, index_field, {k: i for i, k in enumerate(keys)})
    n = len(old_keys)
    return np.arange(n, dtype=np.int64) + np.searchsorted(
        np.asarray(positions, np.int64), np.arange(n), side="right"
    )


def _list_insert(col: list[Any], positions: list[int], values: list[Any]) -> list[Any]:
    """np.insert for a list: values[j] goes before old position positions[j] (ascending)."""
    out: list[Any] = []
    start = 0
    for pos, v in zip(positions, values, strict=True):
        out.extend(col[start:pos])
        out.append(v)
        start = pos
    out.extend(col[start:])
    return out


# -- households and meetings ---------------------------------------------------------------------


def _linked(q: Projection, member_col: str, target_col: str, targets: list[int]) -> set[str]:
    """Keys of the members whose rows in a member-keyed table point at any of `targets`."""
    m = getattr(q, member_col)[np.isin(getattr(q, target_col), targets)]
    return {q.m_key[i] for i in np.unique(m).tolist()}


def _keys(rows: list[dict[str, Any]]) -> set[str]:
    return set(rows[0]["keys"] or []) if rows else set()


def _households(q: Projection, store: GraphStore, ids: list[str]) -> set[str]:
    """Re-read households; the members linked to them, before or after, to re-read too."""
    known = [q.hh_index[h] for h in ids if h in q.hh_index]
    before = _linked(q, "c_member", "c_house", known)
    wanted = set(known)
    before |= {q.m_key[m] for m, hs in enumerate(q.m_households) if wanted.intersection(hs)}
    new = Projection(revision=None)
    new.area_index = q.area_index
    proj._load_households(new, store.read("delta_households", ids=ids))
    if len(new.hh_id) < len(known):
        raise Reload("a household was deleted")
    mapping = _insert(q, "hh_id", "hh_index", HOUSEHOLD_FIELDS, new)
    if mapping is not None:
        q.c_house = _remap(q.c_house, mapping)
        q.m_households = _remap_lists(q.m_households, mapping)
    return before | _keys(store.read("delta_household_members", ids=ids))


def _meetings(q: Projection, store: GraphStore, ids: list[str]) -> set[str]:
    """Re-read meetings; the members who attended or missed them, before or after."""
    known = [q.k_index[k] for k in ids if k in q.k_index]
    before = _linked(q, "kp_member", "kp_meeting", known)
    new = Projection(revision=None)
    new.org_index = q.org_index
    proj._load_meetings(new, proj._one(store.read("delta_meetings", ids=ids), "meetings"))
    if len(new.k_id) < len(known):
        raise Reload("a meeting was deleted")
    mapping = _insert(q, "k_id", "k_index", MEETING_FIELDS, new)
    if mapping is not None:
        q.kp_meeting = _remap(q.kp_meeting, mapping)
    return before | _keys(store.read("delta_meeting_members", ids=ids))


# -- members and their rows ----------------------------------------------------------------------

# Each member-keyed table's loader: the projection's, fed the table's part of
# delta_member_rows (a list per entry, as the loader unpacks them).
_EDGE_LOADS: dict[str, Callable[[Projection, Any], None]] = {
    "contacts": proj._load_contacts,
    "responsibilities": proj._load_responsibilities,
    "outflows": proj._load_outflows,
    "reports": proj._load_reports,
    "attends": proj._load_attendance,
    "meeting_people": proj._load_meeting_people,
    "dues": proj._load_dues,
    "first_secretaries": proj._load_first_secretaries,
}


def _member_rows(store: GraphStore, keys: list[str]) -> dict[str, list[Any]]:
    """Every member-keyed table's rows of the given members, by table, in canonical order
    (as `proj._one`): one statement for them all (cypher/analysis.cypher, delta_member_rows)."""
    rows = store.read("delta_member_rows", keys=keys)
    parts = {row["part"]: row["rows"] for row in rows}
    wanted = ("members", "links", *_EDGE_LOADS)
    if len(rows) != len(wanted) or set(parts) != set(wanted):  # a branch gives one row
        raise Reload(f"delta_member_rows gave the parts {sorted(row['part'] for row in rows)}")
    return {part: proj._canonical(parts[part] or []) for part in wanted}


def _members(q: Projection, store: GraphStore, keys: list[str]) -> None:
    parts = _member_rows(store, keys)
    new = Projection(revision=None)
    proj._load_members(new, parts["members"])
    if len(new.m_key) < sum(1 for k in keys if k in q.m_index):
        raise Reload("a member was deleted")
    # the members' links, loaded against q's tables (households, orgs) as a fresh load would
    links = Projection(revision=None)
    links.m_key, links.m_index = new.m_key, new.m_index
    links.org_index, links.org_id, links.hh_index = q.org_index, q.org_id, q.hh_index
    proj._load_member_links(links, parts["links"])
    for name in MEMBER_LINKS:
        setattr(new, name, getattr(links, name))
    mapping = _insert(q, "m_key", "m_index", MEMBER_FIELDS + MEMBER_LINKS, new)
    if mapping is not None:
        for columns in EDGE_TABLES.values():
            setattr(q, columns[0], _remap(getattr(q, columns[0]), mapping))
    touched = np.asarray(sorted(q.m_index[k] for k in new.m_key), np.int64)
    # the touched members' rows, with q's indexes (members, households, orgs, meetings)
    rows = copy.copy(q)
    for table, loader in _EDGE_LOADS.items():
        if table == "outflows":  # the loader appends to these lists
            rows.o_dest, rows.o_dest_text, rows.o_contact, rows.o_employer = [], [], [], []
        loader(rows, parts[table])
        _splice(q, EDGE_TABLES[table], touched, rows)


def _splice(q: Projection, columns: tuple[str, ...], touched: np.ndarray, new: Projection) -> None:
    """Replace the rows of the touched members in one member-keyed table by `new`'s rows
    (the same table, holding only theirs, in key order)."""
    member = getattr(q, columns[0])
    keep = ~_rows_of(member, touched)
    if _unchanged(q, columns, keep, new):
        return  # the table stays the same objects (`_keep_caches`)
    at = np.searchsorted(member[keep], getattr(new, columns[0]), side="left")
    for name in columns:
        col = getattr(q, name)
        vals = getattr(new, name)
        if isinstance(col, np.ndarray):
            setattr(q, name, np.insert(col[keep], at, np.asarray(vals, dtype=col.dtype)))
        else:
            kept = [v for v, k in zip(col, keep.tolist(), strict=True) if k]
            setattr(q, name, _list_insert(kept, at.tolist(), list(vals)))


def _rows_of(member: np.ndarray, touched: np.ndarray) -> np.ndarray:
    """The rows of the touched members in a member-keyed table (sorted by member): found by
    bisection, not by testing every row (a city's tables hold millions)."""
    lo = np.searchsorted(member, touched, side="left")
    hi = np.searchsorted(member, touched, side="right")
    out = np.zeros(len(member), dtype=bool)
    for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
        out[a:b] = True
    return out


def _unchanged(q: Projection, columns: tuple[str, ...], keep: np.ndarray, new: Projection) -> bool:
    """The touched members' rows in q (where `keep` is false) are exactly `new`'s rows, in
    order: the splice would give the same table back."""
    cut = ~keep
    if int(cut.sum()) != len(getattr(new, columns[0])):
        return False
    for name in columns:
        col, vals = getattr(q, name), getattr(new, name)
        if isinstance(col, np.ndarray):
            if not np.array_equal(col[cut], np.asarray(vals, dtype=col.dtype)):
                return False
        elif [v for v, c in zip(col, cut.tolist(), strict=True) if c] != list(vals):
            return False
    return True
