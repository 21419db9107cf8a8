"""An in-memory, array-shaped copy of what the gap rules read, loaded from the graph.

Whole-county aggregations by Cypher pattern take seconds on the embedded engine (and one
formulation returned wrong figures, docs/design.md#projection); the same answers from arrays take
milliseconds. The projection is rebuilt whenever the graph revision (bumped by every write)
changes, so answers are never stale.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from orgraph.analysis.hugepages import no_hugepage_advice
from orgraph.store import GraphStore

NEVER = 99_999_999  # an empty `until` / `returned_on`: the link never ends
ALWAYS = 0  # an empty `since`: the link has always been active

no_hugepage_advice()  # every process that holds a projection (analysis/hugepages.py)

# Codes the importer writes (orgraph.vocab: ORG_KIND_ZH, CATEGORY_ZH, MGMT_CLASS_ZH) that the
# projection turns into flags: an org outside the county, a probationary member, 老弱.
EXTERNAL_KIND = "external"
PROBATIONARY = "probationary"
ELDERLY_WEAK = "elderly_weak"

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class Deferred:
    """A field's value made on its first read, once however many copies of the projection
    share it (a catch-up's `copy.copy` does): snapshot.py defers its long string columns so
    that a new process decodes only those its first answer reads (a city's household and
    meeting ids were 0.19 s of a 0.47 s load, and no summary reads them).
    `Projection.defer` installs one; `same` compares fields without reading them."""

    __slots__ = ("_lock", "_make", "_value")

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make: Callable[[], Any] | None = make
        self._value: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        if self._make is not None:
            with self._lock:
                make = self._make
                if make is not None:
                    self._value = make()
                    self._make = None
        return self._value

    def holds(self, value: Any) -> bool:
        """Whether `value` is the value this made (False before it made one)."""
        return self._make is None and value is self._value


def same(a: Projection, b: Projection, name: str) -> bool:
    """Whether two projections hold the same object in field `name` (a catch-up keeps what
    reads only such fields), without making a deferred field's value."""
    return _token(a, name) is _token(b, name)


def _token(p: Projection, name: str) -> Any:
    """What stands for field `name` in identity comparisons: the Deferred while the field is
    not read or holds its value (whether or not another thread decodes it meanwhile), else
    the field's own object."""
    held = p.__dict__
    deferred = held.get("_deferred", {}).get(name)
    if deferred is not None and (name not in held or deferred.holds(held[name])):
        return deferred
    return held[name] if name in held else getattr(p, name)


def day(value: str | None, empty: int) -> int:
    """'YYYY-MM-DD' → YYYYMMDD as an int (orders like the date); empty → the given default."""
    if not value:
        return empty
    return int(value[:10].replace("-", ""))


def distinct(values: IntArray) -> IntArray:
    """Distinct values, sorted, by sorting (np.unique's hash path was 40x slower here, numpy
    2.4)."""
    if not len(values):
        return values
    v = np.sort(values)
    keep = np.empty(len(v), dtype=bool)
    keep[0] = True
    np.not_equal(v[1:], v[:-1], out=keep[1:])
    return v[keep]


def org_member_counts(
    links: list[list[int]], on_roll: Any, full: Any | None, orgs: int
) -> tuple[IntArray, IntArray]:
    """Per org: the on-roll members linked to it and the full ones among them (`full` None:
    zeros), each member counted once per org however often it is linked. Over the (member,
    org) pairs at once: a loop over a city's 82k members was the first summary's longest step."""
    lengths = np.fromiter((len(x) for x in links), np.int64, len(links))
    flat = np.fromiter(itertools.chain.from_iterable(links), np.int64, int(lengths.sum()))
    width = max(orgs, 1)
    pairs = distinct(np.repeat(np.arange(len(links), dtype=np.int64), lengths) * width + flat)
    member, org = pairs // width, pairs % width
    on = np.asarray(on_roll, dtype=bool)[member]
    total = np.bincount(org[on], minlength=orgs).astype(np.int64)
    if full is None:
        return total, np.zeros(orgs, dtype=np.int64)
    fulls = np.bincount(org[on & np.asarray(full, dtype=bool)[member]], minlength=orgs)
    return total, fulls.astype(np.int64)


class LazyIndex(dict[str, int]):
    """`{key: position}` of a key list, built on first use: a snapshot's household index (a
    dict of ~1M keys at city scale, ~0.35 s, ~1 s at 3M) is not needed by a summary or a gap
    page, so a new process does not build it before its first answer. Every method of dict
    builds it first; afterwards it is a plain dict in all but its type. A copy is a dict."""

    __slots__ = ("_keys",)

    def __init__(self, keys: list[str] | Callable[[], list[str]]) -> None:
        super().__init__()
        self._keys: list[str] | Callable[[], list[str]] | None = keys

    def _built(self) -> None:
        keys = self._keys
        if keys is not None:
            if callable(keys):  # a column deferred itself (Deferred): read now
                keys = keys()
            super().update(zip(keys, range(len(keys)), strict=True))
            self._keys = None

    def __contains__(self, key: object) -> bool:
        self._built()
        return super().__contains__(key)

    def __getitem__(self, key: str) -> int:
        self._built()
        return super().__getitem__(key)

    def __setitem__(self, key: str, value: int) -> None:
        self._built()
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self._built()
        super().__delitem__(key)

    def __iter__(self) -> Iterator[str]:
        self._built()
        return super().__iter__()

    def __reversed__(self) -> Iterator[str]:
        self._built()
        return super().__reversed__()

    def __len__(self) -> int:
        self._built()
        return super().__len__()

    def __eq__(self, other: object) -> bool:
        self._built()
        if isinstance(other, LazyIndex):
            other._built()
        return super().__eq__(other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        self._built()
        return super().__repr__()

    def __or__(self, other: Any) -> dict[str, int]:  # type: ignore[override]
        return {**self, **other}

    def __ror__(self, other: Any) -> dict[str, int]:  # type: ignore[override]
        return {**other, **self}

    def __ior__(self, other: Any) -> LazyIndex:  # type: ignore[override,misc]
        self.update(other)
        return self

    def __reduce__(self) -> Any:
        return (dict, (dict(self.items()),))

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        self._built()
        return super().get(key, default)

    def keys(self) -> Any:
        self._built()
        return super().keys()

    def values(self) -> Any:
        self._built()
        return super().values()

    def items(self) -> Any:
        self._built()
        return super().items()

    def copy(self) -> dict[str, int]:
        self._built()
        return dict(super().items())

    def pop(self, key: str, *default: Any) -> Any:
        self._built()
        return super().pop(key, *default)

    def popitem(self) -> tuple[str, int]:
        self._built()
        return super().popitem()

    def setdefault(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        self._built()
        return super().setdefault(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._built()
        super().update(*args, **kwargs)

    def clear(self) -> None:
        self._keys = None
        super().clear()


def rows_of(p: Projection, name: str, key: int) -> IntArray:
    """The rows whose int column `name` equals `key`, in row order: the column sorted once per
    projection (kept by a catch-up while the column is unchanged), then a bisection per call
    instead of a scan of the whole column."""

    def make() -> tuple[IntArray, IntArray]:
        column = np.asarray(getattr(p, name))
        order = np.argsort(column, kind="stable")
        return order, column[order]

    order, keys = p.once(f"rows_of:{name}", make, (name,))
    lo, hi = np.searchsorted(keys, [key, key + 1])
    found: IntArray = order[lo:hi]
    return found


def ordinal(days: Any) -> Any:
    """YYYYMMDD ints (scalar or array) → days since 1970-01-01, for calendar-day differences."""
    a = np.asarray(days, dtype=np.int64)
    month = (a // 10_000 - 1970) * 12 + (a // 100 % 100 - 1)
    first = month.astype("datetime64[M]").astype("datetime64[D]")
    return (first.astype(np.int64) + a % 100 - 1).astype(np.int64)


@dataclass
class Projection:
    revision: str | None
    seq: int = 0  # the last change of the log this projection reflects (docs/design.md#change-log)
    # areas
    area_code: list[str] = field(default_factory=list)
    area_name: list[str] = field(default_factory=list)
    area_level: list[str] = field(default_factory=list)
    area_external: list[bool] = field(default_factory=list)
    area_parent: list[int] = field(default_factory=list)  # index, -1 for none
    area_index: dict[str, int] = field(default_factory=dict)
    area_children: list[list[int]] = field(default_factory=list)
    area_lon: list[float | None] = field(default_factory=list)
    area_lat: list[float | None] = field(default_factory=list)
    # orgs
    org_id: list[str] = field(default_factory=list)
    org_name: list[str] = field(default_factory=list)
    org_kind: list[str] = field(default_factory=list)
    org_parent: list[int] = field(default_factory=list)
    org_area: list[int] = field(default_factory=list)  # served area index, -1
    org_home_area: list[int] = field(default_factory=list)  # nearest served area up the chain
    org_term_end: list[str | None] = field(default_factory=list)
    org_external: list[bool] = field(default_factory=list)
    org_index: dict[str, int] = field(default_factory=dict)
    org_children: list[list[int]] = field(default_factory=list)
    org_host: list[str | None] = field(default_factory=list)  # HOSTED_IN area code
    org_established: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    org_weak: list[bool] = field(default_factory=list)  # imported 软弱涣散 flag
    rects: list[tuple[int, str | None, str | None, str | None]] = field(default_factory=list)
    # the 整顿台账's columns of each rect (docs/rules.md "The rectification ledger")
    rect_plan: list[str | None] = field(default_factory=list)
    rect_accepted: list[str | None] = field(default_factory=list)
    rect_result: list[str | None] = field(default_factory=list)
    rect_problems: list[frozenset[str]] = field(default_factory=list)
    rect_leader: list[str | None] = field(default_factory=list)
    rect_team: list[str | None] = field(default_factory=list)
    rect_unit: list[str | None] = field(default_factory=list)
    # party-group records (党小组工作记录): group, month index, summary, inspection, appraisal
    gr_org: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    gr_month: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    gr_summary: BoolArray = field(default_factory=lambda: np.zeros(0, bool))
    gr_inspected: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))  # 0: none
    gr_score: list[int | None] = field(default_factory=list)
    gr_grade: list[str | None] = field(default_factory=list)
    # inspections (督查记录), by id
    insp_id: list[str] = field(default_factory=list)
    insp_org: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    insp_on: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    insp_inspector: list[str | None] = field(default_factory=list)
    insp_findings: list[str | None] = field(default_factory=list)
    insp_follow_up: list[str | None] = field(default_factory=list)
    # households
    hh_id: list[str] = field(default_factory=list)
    hh_head: dict[int, str | None] = field(default_factory=dict)  # filled per page
    hh_area: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    hh_index: dict[str, int] = field(default_factory=dict)
    # members
    m_key: list[str] = field(default_factory=list)
    m_name: list[str] = field(default_factory=list)
    m_on_roll: BoolArray = field(default_factory=lambda: np.zeros(0, bool))
    m_birth: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))  # 0: unknown
    m_full: BoolArray = field(default_factory=lambda: np.zeros(0, bool))
    m_elderly: BoolArray = field(default_factory=lambda: np.zeros(0, bool))
    m_mgmt: list[str | None] = field(default_factory=list)
    m_roles: list[frozenset[str]] = field(default_factory=list)
    m_index: dict[str, int] = field(default_factory=dict)
    m_branches: list[list[int]] = field(default_factory=list)
    m_groups: list[list[int]] = field(default_factory=list)
    m_households: list[list[int]] = field(default_factory=list)
    m_joined: list[str | None] = field(default_factory=list)
    m_lost_flag: BoolArray = field(default_factory=lambda: np.zeros(0, bool))
    m_suspended: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))  # 0: not
    # contacts: member → household
    c_member: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    c_house: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    c_since: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    c_until: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    # responsibilities: member → area (is_org False) or org (is_org True)
    r_member: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    r_target: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    r_is_org: BoolArray = field(default_factory=lambda: np.zeros(0, bool))
    r_since: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    r_until: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    # outflows
    o_member: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    o_left: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    o_returned: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    o_end: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))  # return or transfer
    o_dest: list[str | None] = field(default_factory=list)  # destination area code
    o_dest_text: list[str | None] = field(default_factory=list)
    o_contact: list[str | None] = field(default_factory=list)
    o_employer: list[str | None] = field(default_factory=list)
    # reports and attendance (ATTENDS)
    rp_member: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    rp_on: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    at_member: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    at_org: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    at_since: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))  # 0: no date
    at_until: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    # meetings (组织生活) and who attended or missed them; dues payments (党费)
    # 第一书记 appointments: member → village Party organisation (member-keyed, like dues)
    fs_member: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    fs_org: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    fs_since: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    fs_until: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    fs_sent_by: list[str | None] = field(default_factory=list)
    k_id: list[str] = field(default_factory=list)
    k_org: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    k_type: list[str] = field(default_factory=list)
    k_topic: list[str | None] = field(default_factory=list)
    k_on: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    k_expected: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))  # -1: none
    k_present: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))  # -1: none
    k_listed: BoolArray = field(default_factory=lambda: np.zeros(0, bool))
    k_index: dict[str, int] = field(default_factory=dict)
    kp_member: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    kp_meeting: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    kp_attended: BoolArray = field(default_factory=lambda: np.zeros(0, bool))
    d_member: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    d_month: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))  # year*12+month-1
    d_on: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))  # YYYYMMDD known

    # Derived inputs that depend on the projection only, computed once on first use; and the
    # fields each was computed from, where its maker declared them (a cache: never saved).
    derived: dict[str, Any] = field(default_factory=dict)
    derived_reads: dict[str, tuple[str, ...]] = field(
        default_factory=dict, metadata={"cache": True}
    )

    def once(self, name: str, make: Any, reads: tuple[str, ...] | None = None) -> Any:
        """`make()`, computed on first use. `reads`: every field the value is computed from,
        also through the caches `make` uses; a projection caught up from the change log keeps
        the value while none of them changed (docs/design.md#change-log, "what a catch-up
        keeps"). None: computed again after every change."""
        if name not in self.derived:
            if reads is not None and not _FIELDS.issuperset(reads):
                raise ValueError(f"{name}: no such projection field {set(reads) - _FIELDS}")
            value = make()
            if reads is not None:
                self.derived_reads.setdefault(name, reads)
            # two threads may make it at once: both answer with the one kept (a registry of
            # ids such as mobile's city codes must be one list)
            return self.derived.setdefault(name, value)
        return self.derived[name]

    def defer(self, name: str, value: Deferred) -> None:
        """Field `name` made on its first read (Deferred); until then it is not in __dict__."""
        self.__dict__.pop(name, None)
        self.__dict__.setdefault("_deferred", {})[name] = value

    if not TYPE_CHECKING:  # hidden from mypy, which would type every unknown attribute Any

        def __getattr__(self, name: str) -> Any:
            deferred = self.__dict__.get("_deferred")
            if deferred is not None and name in deferred:
                value = deferred[name].get()
                self.__dict__[name] = value
                return value
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def open_outflows(self, day: int) -> BoolArray:
        """Per outflow episode: open on `day` (YYYYMMDD), i.e. left and neither returned nor
        ended by a transfer (docs/rules.md "away at D")."""
        return np.asarray((self.o_left <= day) & (self.o_end > day), dtype=bool)

    def away(self, day: int) -> BoolArray:
        """Per member: has an episode open on `day`."""
        out = np.zeros(len(self.m_key), dtype=bool)
        out[self.o_member[self.open_outflows(day)]] = True
        return out

    def load_heads(self, store: GraphStore, households: list[int]) -> None:
        """Fetch the head-of-household names of a page of households."""
        want = [self.hh_id[h] for h in households if h not in self.hh_head]
        if want:
            for row in store.read("household_heads", ids=want):
                self.hh_head[self.hh_index[row["id"]]] = row["head_name"]

    @property
    def roots(self) -> list[int]:
        """County-level roots: areas with no parent that are not destinations."""
        return [i for i, p in enumerate(self.area_parent) if p < 0 and not self.area_external[i]]


_FIELDS = frozenset(f.name for f in fields(Projection))


def member_home(p: Projection) -> IntArray:
    """Per member: the home area of its first branch (-1 for none), computed once."""
    found: IntArray = p.once(
        "member_home",
        lambda: np.array(
            [p.org_home_area[b[0]] if b else -1 for b in p.m_branches], dtype=np.int64
        ),
        ("org_home_area", "m_branches"),
    )
    return found


def _one(rows: list[dict[str, Any]], column: str) -> list[Any]:
    """The list in the single row a collect() query returns (none for an empty graph), in a
    canonical order: engines return collect() in their own storage order (FalkorDB and Neo4j
    differ), and the projection's indexes break ties in answers, so equal graphs must give
    equal projections whatever the engine (docs/neo4j.md, "ordering")."""
    return _canonical(rows[0][column] or []) if rows else []


def _sort_key(row: Any) -> tuple[str, ...]:
    return tuple("" if v is None else str(v) for v in row)


def _canonical(rows: Any) -> list[Any]:
    return sorted(rows, key=_sort_key)


def load(store: GraphStore) -> Projection:
    """Read the graph into a Projection, retrying if a write lands while it is being read."""
    for _ in range(5):
        before = revision(store)
        proj = _load_once(store, *before)
        if revision(store) == before:
            return proj
    return proj  # a graph under constant writes: the last copy is as good as any


def revision(store: GraphStore) -> tuple[str | None, int]:
    """The graph's revision token and the sequence number of its last logged change."""
    rows = store.read("graph_revision")
    if not rows or rows[0]["rev"] is None:
        return None, 0
    return str(rows[0]["rev"]), int(rows[0]["seq"] or 0)


def _load_once(store: GraphStore, revision: str | None, seq: int = 0) -> Projection:
    """One reading of the graph, a catalog block per entity. The order matters: each loader
    turns the keys it reads into indexes of the entities loaded before it."""
    p = Projection(revision=revision, seq=seq)
    _load_areas(p, _one(store.read("proj_areas"), "areas"))
    _load_orgs(p, _one(store.read("proj_orgs"), "orgs"))
    _load_rectifications(p, _one(store.read("proj_rectifications"), "rects"))
    _load_inspections(p, _one(store.read("proj_inspections"), "inspections"))
    _load_group_records(p, _one(store.read("proj_group_records"), "records"))
    _load_households(p, store.read("proj_households"))
    _load_members(p, _one(store.read("proj_members"), "members"))
    _load_member_links(p, _one(store.read("proj_member_links"), "links"))
    contacts = _parallel(store.read("proj_contacts"), "members", "households", "since", "until")
    _load_contacts(p, contacts)
    _load_responsibilities(p, _one(store.read("proj_responsibilities"), "resp"))
    _load_outflows(p, _one(store.read("proj_outflows"), "outflows"))
    _load_reports(p, _parallel(store.read("proj_reports"), "members", "dates"))
    _load_attendance(p, _one(store.read("proj_attends"), "attends"))
    _load_meetings(p, _one(store.read("proj_meetings"), "meetings"))
    _load_meeting_people(
        p, _parallel(store.read("proj_meeting_people"), "members", "meetings", "attended")
    )
    _load_dues(p, _parallel(store.read("proj_dues"), "members", "months", "dates"))
    _load_first_secretaries(p, _one(store.read("proj_first_secretaries"), "appointments"))
    return p


def _parallel(rows: list[dict[str, Any]], *columns: str) -> list[tuple[Any, ...]]:
    """The parallel lists of a single-row block, zipped into tuples in canonical order (as
    `_one`): flat lists decode faster than nested ones, so some blocks return them."""
    lists = [rows[0][c] for c in columns] if rows else [[] for _ in columns]
    return _canonical(zip(*lists, strict=True))


def _position(index: dict[str, int], key: str | None) -> int:
    """key's position in index; -1 for no key or an unknown one."""
    return index.get(key, -1) if key else -1


def _children(parents: list[int]) -> list[list[int]]:
    children: list[list[int]] = [[] for _ in parents]
    for i, parent in enumerate(parents):
        if parent >= 0:
            children[parent].append(i)
    return children


def _load_areas(p: Projection, areas: list[Any]) -> None:
    parents = []  # codes, resolved once every area has its index
    for code, name, level, external, parent, lon, lat in areas:
        parents.append(parent)
        p.area_index[code] = len(p.area_code)
        p.area_code.append(code)
        p.area_name.append(name or code)
        p.area_level.append(level or "")
        p.area_external.append(bool(external))
        p.area_lon.append(_float(lon))
        p.area_lat.append(_float(lat))
    p.area_parent = [_position(p.area_index, code) for code in parents]
    p.area_children = _children(p.area_parent)


def _load_orgs(p: Projection, orgs: list[Any]) -> None:
    established, parents, areas = [], [], []  # parents resolved once every org has its index
    for oid, name, kind, parent, area, term_end, external, host, est, weak in orgs:
        parents.append(parent)
        areas.append(area)
        p.org_index[oid] = len(p.org_id)
        p.org_id.append(oid)
        p.org_name.append(name or oid)
        p.org_kind.append(kind or "")
        p.org_term_end.append(term_end)
        p.org_external.append(bool(external) or kind == EXTERNAL_KIND)
        p.org_host.append(host)
        established.append(day(est, ALWAYS))
        p.org_weak.append(weak is True)
    p.org_established = np.array(established, dtype=np.int64)
    p.org_parent = [_position(p.org_index, code) for code in parents]
    p.org_area = [_position(p.area_index, code) for code in areas]
    p.org_children = _children(p.org_parent)
    p.org_home_area = [_home_area(p, i) for i in range(len(orgs))]


def _load_rectifications(p: Projection, rects: list[Any]) -> None:
    kept = [r for r in rects if r[0] in p.org_index]
    p.rects = [(p.org_index[r[0]], r[1], r[2], r[3]) for r in kept]
    p.rect_plan = [r[4] for r in kept]
    p.rect_accepted = [r[5] for r in kept]
    p.rect_result = [r[6] for r in kept]
    p.rect_problems = [frozenset(r[7] or ()) for r in kept]
    p.rect_leader = [r[8] for r in kept]
    p.rect_team = [r[9] for r in kept]
    p.rect_unit = [r[10] for r in kept]


def _load_group_records(p: Projection, rows: list[Any]) -> None:
    kept = [r for r in rows if r[0] in p.org_index and r[1]]
    p.gr_org = np.array([p.org_index[r[0]] for r in kept], dtype=np.int64)
    p.gr_month = np.array([month_index(r[1]) for r in kept], dtype=np.int64)
    p.gr_summary = np.array([r[2] is True for r in kept], dtype=bool)
    p.gr_inspected = np.array([day(r[3], 0) for r in kept], dtype=np.int64)
    p.gr_score = [int(r[4]) if r[4] is not None else None for r in kept]
    p.gr_grade = [r[5] for r in kept]


def _load_inspections(p: Projection, rows: list[Any]) -> None:
    kept = [r for r in rows if r[1] in p.org_index]
    p.insp_id = [r[0] for r in kept]
    p.insp_org = np.array([p.org_index[r[1]] for r in kept], dtype=np.int64)
    p.insp_on = np.array([day(r[2], ALWAYS) for r in kept], dtype=np.int64)
    p.insp_inspector = [r[3] for r in kept]
    p.insp_findings = [r[4] for r in kept]
    p.insp_follow_up = [r[5] for r in kept]


def _load_households(p: Projection, rows: list[dict[str, Any]]) -> None:
    """Households by id, each with its area (the block returns one row per area)."""
    area = []
    for hid, code in sorted((hid, row["area"]) for row in rows for hid in row["ids"]):
        p.hh_index[hid] = len(p.hh_id)
        p.hh_id.append(hid)
        area.append(p.area_index.get(code, -1))
    p.hh_area = np.array(area, dtype=np.int64)


def _load_members(p: Projection, members: list[Any]) -> None:
    births, on_roll, full, elderly, lost, suspended = [], [], [], [], [], []
    for key, name, roll, birth, category, mgmt, roles, joined, lost_flag, susp in members:
        p.m_index[key] = len(p.m_key)
        p.m_key.append(key)
        p.m_name.append(name or key)
        on_roll.append(bool(roll))
        births.append(day(birth, 0))
        full.append(category != PROBATIONARY)
        elderly.append(mgmt == ELDERLY_WEAK)
        p.m_mgmt.append(mgmt)
        p.m_roles.append(frozenset(roles or ()))
        p.m_joined.append(joined or None)
        lost.append(bool(lost_flag))
        suspended.append(day(susp, 0))
    p.m_lost_flag = np.array(lost, dtype=bool)
    p.m_suspended = np.array(suspended, dtype=np.int64)
    p.m_on_roll = np.array(on_roll, dtype=bool)
    p.m_birth = np.array(births, dtype=np.int64)
    p.m_full = np.array(full, dtype=bool)
    p.m_elderly = np.array(elderly, dtype=bool)


def _load_member_links(p: Projection, links: list[Any]) -> None:
    """Each member's branches (组织关系), party groups and households."""
    n = len(p.m_key)
    p.m_branches = [[] for _ in range(n)]
    p.m_groups = [[] for _ in range(n)]
    p.m_households = [[] for _ in range(n)]
    for key, rel, target in links:
        m = p.m_index.get(key)
        if m is None:
            continue
        if rel == "BELONGS_TO" and target in p.org_index:
            p.m_branches[m].append(p.org_index[target])
        elif rel == "IN_GROUP" and target in p.org_index:
            p.m_groups[m].append(p.org_index[target])
        elif rel == "LIVES_IN" and target in p.hh_index:
            p.m_households[m].append(p.hh_index[target])
    for branches in p.m_branches:  # a deterministic "first" branch: the smallest org id
        branches.sort(key=lambda o: p.org_id[o])


def _load_contacts(p: Projection, contacts: list[tuple[Any, ...]]) -> None:
    """Member → household contacts (党员联户) between loaded members and households."""
    member, house, since, until = [], [], [], []
    for key, hid, start, end in contacts:
        if key in p.m_index and hid in p.hh_index:
            member.append(p.m_index[key])
            house.append(p.hh_index[hid])
            since.append(day(start, ALWAYS))
            until.append(day(end, NEVER))
    p.c_member, p.c_house = np.array(member, np.int64), np.array(house, np.int64)
    p.c_since, p.c_until = np.array(since, np.int64), np.array(until, np.int64)


def _load_responsibilities(p: Projection, resp: list[Any]) -> None:
    """Member → area (包乡镇/包村/包组) or → org (联系党小组) responsibilities."""
    member, target, is_org, since, until = [], [], [], [], []
    for key, label, ref, start, end in resp:
        index = p.org_index if label == "Org" else p.area_index
        if key in p.m_index and ref in index:
            member.append(p.m_index[key])
            target.append(index[ref])
            is_org.append(label == "Org")
            since.append(day(start, ALWAYS))
            until.append(day(end, NEVER))
    p.r_member, p.r_target = np.array(member, np.int64), np.array(target, np.int64)
    p.r_is_org = np.array(is_org, dtype=bool)
    p.r_since, p.r_until = np.array(since, np.int64), np.array(until, np.int64)


def _load_outflows(p: Projection, outflows: list[Any]) -> None:
    """Outflow episodes (外出登记) with a departure date; an episode ends at its return or at
    a transfer out, whichever comes first."""
    member, left, returned, end = [], [], [], []
    for key, left_on, returned_on, dest, moved, contact, employer, text in outflows:
        if key in p.m_index and left_on:
            member.append(p.m_index[key])
            left.append(day(left_on, ALWAYS))
            returned.append(day(returned_on, NEVER))
            end.append(min(returned[-1], day(moved, NEVER)))
            p.o_dest.append(dest)
            p.o_dest_text.append(text)
            p.o_contact.append(contact)
            p.o_employer.append(employer)
    p.o_member, p.o_left, p.o_returned, p.o_end = (
        np.array(x, np.int64) for x in (member, left, returned, end)
    )


def _load_reports(p: Projection, reports: list[tuple[Any, ...]]) -> None:
    """Reports (报到/报平安) that have a date."""
    member, on = [], []
    for key, date in reports:
        if key in p.m_index and date:
            member.append(p.m_index[key])
            on.append(day(date, ALWAYS))
    p.rp_member, p.rp_on = np.array(member, np.int64), np.array(on, np.int64)


def _load_attendance(p: Projection, attends: list[Any]) -> None:
    """Members taking part in an org's life (ATTENDS), e.g. a mobile branch at their
    destination."""
    member, org, since, until = [], [], [], []
    for key, oid, start, end in attends:
        if key in p.m_index and oid in p.org_index:
            member.append(p.m_index[key])
            org.append(p.org_index[oid])
            since.append(day(start, ALWAYS))
            until.append(day(end, NEVER))
    p.at_member, p.at_org, p.at_since, p.at_until = (
        np.array(x, np.int64) for x in (member, org, since, until)
    )


def month_index(value: str) -> int:
    """'YYYY-MM' (or a longer date) → year × 12 + month − 1, so months subtract."""
    return int(value[:4]) * 12 + int(value[5:7]) - 1


def _count_or_none(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and value == value else -1


def _load_meetings(p: Projection, meetings: list[Any]) -> None:
    """Meetings held by loaded orgs, with a date (docs/rules.md "Records")."""
    org, on, expected, present, listed = [], [], [], [], []
    for mid, oid, type_, date, exp, pres, lst, topic in meetings:
        if oid in p.org_index and date:
            p.k_index[mid] = len(p.k_id)
            p.k_id.append(mid)
            p.k_type.append(type_ or "")
            p.k_topic.append(topic or None)
            org.append(p.org_index[oid])
            on.append(day(date, ALWAYS))
            expected.append(_count_or_none(exp))
            present.append(_count_or_none(pres))
            listed.append(bool(lst))
    p.k_org, p.k_on, p.k_expected, p.k_present = (
        np.array(x, np.int64) for x in (org, on, expected, present)
    )
    p.k_listed = np.array(listed, dtype=bool)


def _load_meeting_people(p: Projection, people: list[tuple[Any, ...]]) -> None:
    member, meeting, attended = [], [], []
    for key, mid, att in people:
        if key in p.m_index and mid in p.k_index:
            member.append(p.m_index[key])
            meeting.append(p.k_index[mid])
            attended.append(bool(att))
    p.kp_member, p.kp_meeting = np.array(member, np.int64), np.array(meeting, np.int64)
    p.kp_attended = np.array(attended, dtype=bool)


def _load_dues(p: Projection, dues: list[tuple[Any, ...]]) -> None:
    """Dues payments: the month paid up to, and the date the payment is known from (its date,
    else the first day of that month)."""
    member, month, on = [], [], []
    for key, paid_to, paid_on in dues:
        if key in p.m_index and paid_to:
            member.append(p.m_index[key])
            month.append(month_index(paid_to))
            on.append(day(paid_on or paid_to[:7] + "-01", ALWAYS))
    p.d_member, p.d_month, p.d_on = (np.array(x, np.int64) for x in (member, month, on))


def _load_first_secretaries(p: Projection, rows: list[Any]) -> None:
    """第一书记 appointments whose member and org the projection holds; active at D like every
    dated link: since ≤ D < until (an empty until never ends)."""
    member, org, since, until, sent_by = [], [], [], [], []
    for key, oid, start, end, unit in rows:
        if key in p.m_index and oid in p.org_index:
            member.append(p.m_index[key])
            org.append(p.org_index[oid])
            since.append(day(start, ALWAYS))
            until.append(day(end, NEVER))
            sent_by.append(unit)
    p.fs_member, p.fs_org, p.fs_since, p.fs_until = (
        np.array(x, np.int64) for x in (member, org, since, until)
    )
    p.fs_sent_by = sent_by


def _float(value: Any) -> float | None:
    try:
        return float(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


def _home_area(p: Projection, org: int) -> int:
    seen = set()
    while org >= 0 and org not in seen:
        if p.org_area[org] >= 0:
            return p.org_area[org]
        seen.add(org)
        org = p.org_parent[org]
    return -1
