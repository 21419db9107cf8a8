"""Projection snapshots (issue #12, docs/design.md#snapshots): a projection saved to a folder
loads back equal field by field, with arrays memory-mapped read-only; a damaged, foreign or
missing snapshot loads as None and is never an error; saves are atomic, owner-only and keep
the two newest snapshots; and the engine answers the same from a loaded snapshot."""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from orgraph.analysis import projection as proj
from orgraph.analysis import snapshot
from orgraph.analysis.engine import Engine
from orgraph.analysis.projection import Projection
from orgraph.analysis.projection_compare import CACHES, equal, same
from orgraph.config import Settings
from orgraph.store import GraphStore
from tests.projection.conftest import AS_OF


def odd_projection(revision: str | None = "rev-1") -> Projection:
    """A small projection with the values an encoding gets wrong: None among strings, empty
    strings, the separators themselves, NaN and None among floats, empty rows, sets."""
    p = Projection(revision=revision)
    p.area_code = ["A", "B", "C\x00D"]
    p.area_name = ["", "县\x1f", "\ud800x"]  # a lone surrogate, too
    p.area_level = ["county", "township", "village"]
    p.area_external = [False, True, False]
    p.area_parent = [-1, 0, 0]
    p.area_index = {"A": 0, "B": 1, "C\x00D": 2}
    p.area_children = [[1, 2], [], []]
    p.area_lon = [121.5, None, math.nan]
    p.area_lat = [-0.0, 1e300, None]
    p.org_id = ["o1", "o2"]
    p.org_name = ["一", "二"]
    p.org_kind = ["branch", ""]
    p.org_parent = [-1, 0]
    p.org_area = [0, -1]
    p.org_home_area = [0, 0]
    p.org_term_end = [None, ""]
    p.org_external = [False, False]
    p.org_index = {"o1": 0, "o2": 1}
    p.org_children = [[1], []]
    p.org_host = [None, None]
    p.org_established = np.array([0, 20200101], np.int64)
    p.rects = [(0, "2026-01-01", None, "open"), (1, None, None, None)]
    p.hh_id = ["h1", "h2", "h3"]
    p.hh_head = {0: "张三"}  # a cache: not saved
    p.hh_area = np.array([1, 2, -1], np.int64)
    p.hh_index = {"h3": 2, "h1": 0, "h2": 1}  # insertion order is not the list's
    p.m_key = ["m1"]
    p.m_name = ["李四"]
    p.m_on_roll = np.array([True])
    p.m_roles = [frozenset({"b", "a"})]
    p.m_mgmt = [None]
    p.m_index = {"m1": 0}
    p.m_branches = [[1, 0]]  # order kept
    p.m_groups = [[]]
    p.m_households = [[0, 1, 2]]
    p.m_joined = ["2001-07-01"]
    p.k_id = ["k1"]
    p.k_index = {"k1": 0}
    p.k_topic = [None]
    p.k_type = [""]
    p.c_member = np.array([0, 0], np.int64)
    # the 整顿台账, 督查记录, 党小组 and 第一书记 columns (per rect; one record, one appointment)
    p.rect_plan, p.rect_accepted, p.rect_result = [None, None], ["2026-01-10", None], ["fail", None]
    p.rect_problems = [frozenset({"economy_weak", "other"}), frozenset()]
    p.rect_leader, p.rect_team, p.rect_unit = ["县长", None], [None, None], ["县财政局", None]
    p.insp_id, p.insp_org, p.insp_on = (
        ["o1|2026-05-20|"],
        np.array([0], np.int64),
        np.array([20260520], np.int64),
    )
    p.insp_inspector, p.insp_findings, p.insp_follow_up = [None], ["记录不全"], ["open"]
    p.gr_org, p.gr_month = np.array([1], np.int64), np.array([24321], np.int64)
    p.gr_summary, p.gr_inspected = np.array([True]), np.array([0], np.int64)
    p.gr_score, p.gr_grade = [None], ["excellent"]
    p.fs_member, p.fs_org = np.array([0], np.int64), np.array([1], np.int64)
    p.fs_since, p.fs_until = np.array([20250301], np.int64), np.array([99_999_999], np.int64)
    p.fs_sent_by = ["县委组织部"]
    p.org_weak = [True, False]
    p.derived["x"] = 1  # a cache: not saved
    return p


# -- round trips ------------------------------------------------------------------------------


def test_round_trip_of_odd_values(tmp_path: Path) -> None:
    p = odd_projection()
    path = snapshot.save(p, tmp_path)
    assert path == tmp_path / "snapshot-rev-1"
    q = snapshot.load(tmp_path, "rev-1")
    assert q is not None
    assert equal(p, q) == []
    assert q.derived == {} and q.hh_head == {}
    assert equal(p, q, caches=True) == ["hh_head", "derived"]
    assert q.area_name[2] == "\ud800x" and q.org_term_end == [None, ""]
    lon = q.area_lon[2]
    assert lon is not None and math.isnan(lon) and q.area_lat[2] is None
    assert type(q.area_external[0]) is bool and type(q.area_parent[0]) is int
    assert q.rects == p.rects and all(type(r) is tuple for r in q.rects)
    assert q.m_roles == [frozenset({"a", "b"})] and type(q.m_roles[0]) is frozenset
    assert q.rect_problems == [frozenset({"economy_weak", "other"}), frozenset()]
    assert q.gr_score == [None] and q.rect_result == ["fail", None]
    assert q.org_weak == [True, False] and q.fs_sent_by == ["县委组织部"]
    assert q.hh_index == {"h1": 0, "h2": 1, "h3": 2}


def test_round_trip_of_an_empty_projection(tmp_path: Path) -> None:
    p = Projection(revision=None)
    snapshot.save(p, tmp_path)
    q = snapshot.load(tmp_path, None)
    assert q is not None and equal(p, q) == []
    assert snapshot.latest(tmp_path) is None and snapshot.revisions(tmp_path) == [None]


def test_every_array_is_read_only_and_large_ones_are_mapped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = odd_projection()
    p.hh_area = np.arange(snapshot.MMAP_MIN, dtype=np.int64)  # 8 × MMAP_MIN bytes
    snapshot.save(p, tmp_path)
    q = snapshot.load(tmp_path)
    assert q is not None and equal(p, q) == []
    arrays = [f.name for f in dataclasses.fields(q) if isinstance(getattr(q, f.name), np.ndarray)]
    assert arrays and all(not getattr(q, a).flags.writeable for a in arrays)
    assert isinstance(q.hh_area.base, np.memmap) and type(q.hh_area) is np.ndarray
    assert not isinstance(q.c_member.base, np.memmap)  # small: read, not mapped
    with pytest.raises(ValueError, match="read-only"):
        q.hh_area[0] = 1
    grown = np.concatenate([q.hh_area, [7]])  # what a patch does: a new array
    assert grown.flags.writeable and type(grown) is np.ndarray


def test_index_not_derivable_from_a_list_is_stored(tmp_path: Path) -> None:
    p = odd_projection()
    p.m_index = {"m1": 0, "gone": 5}  # not {key: position} of m_key
    snapshot.save(p, tmp_path)
    manifest = json.loads((tmp_path / "snapshot-rev-1" / "manifest.json").read_text())
    assert manifest["fields"]["m_index"]["kind"] == "dict"
    assert manifest["fields"]["area_index"] == {
        "type": "dict[str, int]",
        "kind": "index",
        "of": "area_code",
    }
    q = snapshot.load(tmp_path)
    assert q is not None and equal(p, q) == []


def test_repeated_values_are_stored_once_and_shared(tmp_path: Path) -> None:
    p = odd_projection()
    n = 4 * snapshot.CAT_MIN
    p.m_key = [f"m{i}" for i in range(n)]
    p.m_index = {k: i for i, k in enumerate(p.m_key)}
    p.m_mgmt = [None if i % 3 else ("elderly_weak" if i % 2 else "\x00") for i in range(n)]
    p.m_roles = [frozenset({"a", "b"} if i % 2 else ()) for i in range(n)]
    path = snapshot.save(p, tmp_path)
    fields = json.loads((path / "manifest.json").read_text())["fields"]
    assert [fields[f]["kind"] for f in ("m_key", "m_mgmt", "m_roles")] == ["str", "cat", "cat"]
    q = snapshot.load(tmp_path)
    assert q is not None and equal(p, q) == []
    assert q.m_roles[1] is q.m_roles[3] and q.m_mgmt[3] is q.m_mgmt[9]
    codes = path / "m_roles.codes.npy"
    np.save(codes, np.load(codes) + 5)  # codes past the distinct values
    assert snapshot.load(tmp_path, verify=False) is None


def test_equal_names_the_fields_that_differ() -> None:
    p, q = odd_projection(), odd_projection()
    assert equal(p, q) == []
    q.area_lon[2] = None
    q.area_parent = [-1, 0, False]  # False == 0, but not the same type
    q.hh_area = q.hh_area.astype(np.int32)
    q.m_roles = [frozenset({"a"})]
    assert equal(p, q) == ["area_parent", "area_lon", "hh_area", "m_roles"]
    assert not same([1], [True]) and not same({"a": 1}, {"a": 1.0}) and same(math.nan, math.nan)


# -- fields added later -----------------------------------------------------------------------


@dataclass
class Wider(Projection):
    """Projection with the kinds of fields another change may add."""

    extra_seq: int = 0
    extra_ratio: float | None = None
    extra_array: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    extra_names: list[str | None] = field(default_factory=list)
    extra_pairs: list[tuple[str, int]] = field(default_factory=list)
    extra_sets: list[frozenset[int]] = field(default_factory=list)
    extra_counts: list[int | None] = field(default_factory=list)
    extra_lookup: dict[str, float] = field(default_factory=dict)


def test_fields_added_later_are_saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = snapshot.save(odd_projection("old"), tmp_path)
    monkeypatch.setattr(snapshot, "Projection", Wider)
    p = Wider(**{f.name: getattr(odd_projection(), f.name) for f in dataclasses.fields(Projection)})
    p.revision, p.extra_seq, p.extra_ratio = "wide", 7, 0.5
    p.extra_array = np.array([[1.5, math.nan]])
    p.extra_names = [None, "x"]
    p.extra_pairs = [("a", 1), ("", -2)]
    p.extra_sets = [frozenset({3, 1}), frozenset()]
    p.extra_counts = [None, 2**62]
    p.extra_lookup = {"z": 1.0, "a": math.inf}
    snapshot.save(p, tmp_path)
    q = snapshot.load(tmp_path, "wide")
    assert isinstance(q, Wider) and equal(p, q) == []
    assert q.extra_seq == 7 and q.extra_lookup == p.extra_lookup
    assert same(q.extra_array, p.extra_array) and q.extra_pairs == [("a", 1), ("", -2)]
    # a snapshot saved before the fields were added is not this projection's: None
    assert old.exists() and snapshot.load(tmp_path, "old") is None


@dataclass
class WithCache(Projection):
    memo: set[str] = field(default_factory=set, metadata={"cache": True})


def test_a_field_declared_a_cache_is_not_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot, "Projection", WithCache)
    p = WithCache(revision="r", memo={"x"})
    snapshot.save(p, tmp_path)  # a set[str] has no encoding, but a cache is not encoded
    q = snapshot.load(tmp_path)
    assert isinstance(q, WithCache) and q.memo == set() and equal(p, q) == []
    assert equal(p, q, caches=True) == ["memo"]


@dataclass
class Unsupported(Projection):
    extra: set[str] = field(default_factory=set)


def test_a_field_of_an_unknown_type_fails_the_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot, "Projection", Unsupported)
    with pytest.raises(TypeError, match="field extra: type set\\[str\\] has no snapshot"):
        snapshot.save(Unsupported(revision="r"), tmp_path)
    assert os.listdir(tmp_path) == []  # nothing half-written left behind


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("area_code", ["a", None], "None is a NoneType"),
        ("area_parent", [1, True], "True is a bool"),
        ("area_lon", [1], "1 is a int"),
        ("m_branches", [(1,)], "is not a list"),
        ("org_established", [1, 2], "expected a numpy array"),
        ("area_parent", [2**70], "outside int64"),
    ],
)
def test_a_value_of_the_wrong_type_fails_the_save(
    tmp_path: Path, name: str, value: object, message: str
) -> None:
    p = odd_projection()
    setattr(p, name, value)
    with pytest.raises(TypeError, match=message):
        snapshot.save(p, tmp_path)
    assert os.listdir(tmp_path) == []


# -- damage -----------------------------------------------------------------------------------


def _damage_npy(path: Path) -> None:
    data = bytearray((path / "hh_area.npy").read_bytes())
    data[-1] ^= 1
    (path / "hh_area.npy").write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    with open(path / "hh_id.str", "r+b") as fh:
        fh.truncate(2)


def _manifest(path: Path, change: dict[str, object]) -> None:
    doc = json.loads((path / "manifest.json").read_text())
    doc.update(change)
    (path / "manifest.json").write_text(json.dumps(doc))


def _respec(path: Path, name: str, **change: object) -> None:
    fields = json.loads((path / "manifest.json").read_text())["fields"]
    fields[name].update(change)
    _manifest(path, {"fields": fields})


DAMAGE: dict[str, Callable[[Path], object]] = {
    "a flipped bit": _damage_npy,
    "a truncated file": _truncate,
    "a missing file": lambda p: (p / "m_branches.off.npy").unlink(),
    "no manifest": lambda p: (p / "manifest.json").unlink(),
    "a garbled manifest": lambda p: (p / "manifest.json").write_text("{not json"),
    "an empty manifest": lambda p: (p / "manifest.json").write_text("{}"),
    "another format": lambda p: _manifest(p, {"format": snapshot.FORMAT + 1}),
    "another revision inside": lambda p: _manifest(p, {"revision": "rev-2"}),
    "another field set": lambda p: _manifest(p, {"fields": {}}),
    "a spec naming no file": lambda p: _respec(p, "hh_area", file="nope.npy"),
    "a spec of another kind": lambda p: _respec(p, "m_branches", kind="str"),
}


@pytest.mark.parametrize("how", list(DAMAGE))
def test_a_damaged_snapshot_loads_as_none(
    tmp_path: Path, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = snapshot.save(odd_projection(), tmp_path)
    DAMAGE[how](path)
    with caplog.at_level(logging.INFO, logger="orgraph.analysis.snapshot"):
        assert snapshot.load(tmp_path, "rev-1") is None
        assert snapshot.load(tmp_path) is None
    if how != "no manifest":
        assert caplog.records, "a damaged snapshot is logged"


def test_damage_in_content_found_only_with_verify(tmp_path: Path) -> None:
    path = snapshot.save(odd_projection(), tmp_path)
    _damage_npy(path)
    q = snapshot.load(tmp_path, verify=False)  # sizes still match: read as it is
    assert q is not None and equal(q, odd_projection()) == ["hh_area"]


def test_damage_while_decoding_loads_as_none(tmp_path: Path) -> None:
    path = snapshot.save(odd_projection(), tmp_path)
    (path / "hh_id.str").write_bytes(b"h1\x00h2\x00\xff")  # same size, not UTF-8
    assert snapshot.load(tmp_path, verify=False) is None
    (path / "hh_id.str").write_bytes(b"h1\x00h2\x00h3")
    (path / "m_branches.off.npy").write_bytes(b"\x93NUMPY garbage" * 10)
    assert snapshot.load(tmp_path, verify=False) is None


def test_missing_snapshots_load_as_none(tmp_path: Path) -> None:
    assert snapshot.load(tmp_path / "nowhere") is None
    assert snapshot.load(tmp_path, "rev-1") is None
    assert snapshot.latest(tmp_path / "nowhere") is None
    snapshot.save(odd_projection("rev-1"), tmp_path)
    assert snapshot.load(tmp_path, "rev-2") is None
    assert snapshot.load(tmp_path, None) is None  # revision None is a revision, not "newest"


# -- saves: atomic, pruned, owner-only ----------------------------------------------------------


def test_saves_keep_the_two_newest(tmp_path: Path) -> None:
    for rev in ("r1", "r2", "r3"):
        snapshot.save(odd_projection(rev), tmp_path)
    assert snapshot.revisions(tmp_path) == ["r3", "r2"]
    assert sorted(os.listdir(tmp_path)) == ["snapshot-r2", "snapshot-r3"]
    snapshot.save(odd_projection("r2"), tmp_path)  # saved again: the newest now
    assert snapshot.latest(tmp_path) == "r2"
    q = snapshot.load(tmp_path)
    assert q is not None and q.revision == "r2"
    snapshot.save(odd_projection("r4"), tmp_path)
    assert snapshot.revisions(tmp_path) == ["r4", "r2"]


def test_a_broken_snapshot_of_the_same_revision_is_replaced(tmp_path: Path) -> None:
    path = snapshot.save(odd_projection(), tmp_path)
    (path / "manifest.json").write_text("{")
    assert snapshot.save(odd_projection(), tmp_path) == path
    q = snapshot.load(tmp_path, "rev-1")
    assert q is not None and equal(q, odd_projection()) == []
    assert [n for n in os.listdir(tmp_path) if n.startswith(".")] == []


def test_leftovers_of_crashed_saves_are_removed(tmp_path: Path) -> None:
    stale, fresh = tmp_path / ".tmp-stale", tmp_path / ".tmp-fresh"
    for leftover in (stale, fresh):
        leftover.mkdir()
        (leftover / "hh_id.str").write_bytes(b"x")
    old = os.stat(stale).st_mtime - snapshot.STALE_TMP_S - 10
    os.utime(stale, (old, old))
    snapshot.save(odd_projection(), tmp_path)
    assert not stale.exists() and fresh.exists()  # a save under way elsewhere is left alone


def test_unsafe_revisions_are_hashed_into_a_name(tmp_path: Path) -> None:
    for rev in ("../../etc", "a/b", ".hidden", "x" * 300, "空"):
        path = snapshot.save(odd_projection(rev), tmp_path)
        assert path.parent == tmp_path and path.name.startswith("snapshot-%")
        q = snapshot.load(tmp_path, rev)
        assert q is not None and q.revision == rev


def test_files_are_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "projection"
    old = os.umask(0o022)
    try:
        path = snapshot.save(odd_projection(), folder)
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o700
    modes = {stat.S_IMODE((path / n).stat().st_mode) for n in os.listdir(path)}
    assert modes == {0o600}


def test_snapshot_dir_is_under_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert snapshot.snapshot_dir(settings) == tmp_path.resolve() / "projection"


def test_caches_are_the_projection_s_own() -> None:
    names = {f.name for f in dataclasses.fields(Projection)}
    assert names >= CACHES


# -- the demo county, through a real graph ----------------------------------------------------


def test_demo_county_round_trip_and_answers(
    county: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A loaded snapshot of the tiny county equals the projection it was saved from, and the
    engine gives the same answers from it, every array memory-mapped read-only (so an answer
    that wrote into one would fail here)."""
    p = proj.load(county)
    assert p.revision is not None and len(p.hh_id) > 0
    monkeypatch.setattr(snapshot, "MMAP_MIN", 0)
    snapshot.save(p, tmp_path)
    q = snapshot.load(tmp_path, p.revision)
    assert q is not None and equal(p, q) == []
    assert isinstance(q.c_member.base, np.memmap) and not q.c_member.flags.writeable

    from_graph, from_snapshot = Engine(county), Engine(county)
    from_graph._proj = proj.load(county)
    from_snapshot._proj = q  # same revision as the graph's: the engine keeps it
    assert from_snapshot.projection() is q
    scopes = [None, q.area_code[q.roots[0]]] if q.roots else [None]
    for scope in scopes:
        for name in ("summary", "destinations", "flows", "mobile_branches"):
            got = getattr(from_snapshot, name)(scope=scope, as_of=AS_OF)
            assert got == getattr(from_graph, name)(scope=scope, as_of=AS_OF), name
        for level in ("township", "village"):
            got = from_snapshot.coverage(scope=scope, level=level, as_of=AS_OF)
            assert got == from_graph.coverage(scope=scope, level=level, as_of=AS_OF)
    counts = from_graph.summary(as_of=AS_OF)["counts"]
    for gap in [t for t, n in counts.items() if n][:12]:
        assert from_snapshot.gaps(gap, as_of=AS_OF) == from_graph.gaps(gap, as_of=AS_OF), gap
    hid = q.hh_id[0]
    assert from_snapshot.chain(hid, as_of=AS_OF) == from_graph.chain(hid, as_of=AS_OF)
    assert from_snapshot.projection() is q  # nothing above reloaded


# -- the engine starting from snapshots (docs/design.md#snapshots) ------------------------------


def test_an_engine_starts_from_the_snapshot_another_saved(
    county: GraphStore, tmp_path: Path
) -> None:
    """The first engine loads the graph and saves a snapshot; the next one starts from it, with
    no load from the graph, and holds what a fresh load holds."""
    first = Engine(county, snapshots=tmp_path)
    answer = first.summary(as_of=AS_OF)
    first.saved()
    assert (first.loads, first.snapshot_loads) == (1, 0)
    assert snapshot.latest(tmp_path) == first.projection().revision

    second = Engine(county, snapshots=tmp_path)
    assert second.summary(as_of=AS_OF) == answer
    assert (second.loads, second.snapshot_loads, second.deltas) == (0, 1, 0)
    assert equal(second.projection(), proj.load(county)) == []


def test_an_engine_catches_an_older_snapshot_up_from_the_change_log(
    county: GraphStore, tmp_path: Path
) -> None:
    """A snapshot older than the graph is brought up to date from the log; a snapshot the log
    does not continue from (another graph's) is left for a load from the graph."""
    first = Engine(county, snapshots=tmp_path)
    first.projection()
    first.saved()
    p = first.projection()
    member, household = p.m_key[0], p.hh_id[-1]
    county.write(
        "upsert_household_contacts",
        rows=[{"member": member, "target": household, "since": "2026-01-05", "until": None}],
    )
    county.write("record_end_member", key=p.m_key[-1], on="2026-02-01", reason="deceased")

    later = Engine(county, snapshots=tmp_path)
    kept = later.projection()
    assert (later.loads, later.snapshot_loads, later.deltas) == (0, 1, 1)
    assert equal(kept, proj.load(county)) == []

    other = tmp_path / "other"
    stranger = proj.load(county)
    stranger.revision = "a-graph-the-log-never-saw"
    snapshot.save(stranger, other)
    fresh = Engine(county, snapshots=other)
    assert equal(fresh.projection(), proj.load(county)) == []
    assert (fresh.loads, fresh.snapshot_loads) == (1, 0)


def test_saved_caches_come_back_only_to_the_code_that_computed_them(
    county: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The caches that declare what they read and are arrays (attendance, a column's sort, the
    per-org member lists) are saved with a snapshot and loaded back read-only with their reads,
    so a new process does not compute them first; a dict cache is not saved; and a snapshot
    saved by other analysis code (another digest) comes back without them. An engine started
    from the snapshot, caught up after a write, answers as a fresh load does."""
    from orgraph.analysis import life
    from orgraph.analysis.projection import rows_of

    p = proj.load(county)
    life.precompute(p)
    rows_of(p, "c_member", 0)
    life._by_org_type(p)  # a dict: not saved
    saved = {"life_attendance", "life_org_people", "life_pairs", "rows_of:c_member"}
    assert saved <= set(p.derived)
    monkeypatch.setattr(snapshot, "MMAP_MIN", 0)
    snapshot.save(p, tmp_path)
    q = snapshot.load(tmp_path, p.revision)
    assert q is not None and equal(p, q) == []
    assert saved <= set(q.derived) and "life_by_org_type" not in q.derived
    for name in saved:
        assert q.derived_reads[name] == p.derived_reads[name]
        mine, theirs = p.derived[name], q.derived[name]
        assert type(mine) is type(theirs) and len(mine) == len(theirs), name
        for a, b in zip(mine, theirs, strict=True):
            assert np.array_equal(a, b), name
    who, which = q.derived["life_attendance"]
    assert not who.flags.writeable and not which.flags.writeable

    monkeypatch.setattr(snapshot, "code_digest", lambda: "other analysis code")
    other = snapshot.load(tmp_path, p.revision)
    assert other is not None and other.derived == {} and equal(p, other) == []
    monkeypatch.undo()

    county.write(
        "upsert_household_contacts",
        rows=[{"member": p.m_key[0], "target": p.hh_id[-1], "since": "2026-01-05", "until": None}],
    )
    later = Engine(county, snapshots=tmp_path)
    answer = later.summary(as_of=AS_OF)
    assert (later.loads, later.snapshot_loads, later.deltas) == (0, 1, 1)
    assert "life_attendance" in later.projection().derived  # contacts: not what it read
    assert answer == Engine(county, snapshots=False).summary(as_of=AS_OF)


def test_caches_saved_by_other_code_are_saved_again(
    county: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an upgrade (another code digest) a snapshot's caches are ignored on load; the
    first engine started from it saves them again beside the same fields, in files of their
    own (the old ones stay until the snapshot is pruned: a reader may hold the old manifest),
    so that the next new process finds them again."""
    from orgraph.analysis import life

    p = proj.load(county)
    life.precompute(p)
    monkeypatch.setattr(snapshot, "code_digest", lambda: "older analysis code")
    path = snapshot.save(p, tmp_path)
    monkeypatch.undo()
    old_caches = {name for name in os.listdir(path) if name.startswith("derived-")}
    assert old_caches
    before = snapshot.load(tmp_path, p.revision)
    assert before is not None and before.derived == {}

    first = Engine(county, snapshots=tmp_path)
    answer = first.summary(as_of=AS_OF)
    first.saved()
    assert (first.loads, first.snapshot_loads) == (0, 1)
    after = snapshot.load(tmp_path, p.revision)
    assert after is not None and equal(p, after) == []
    assert "life_attendance" in after.derived
    manifest = json.loads((path / "manifest.json").read_text())
    assert set(os.listdir(path)) == set(manifest["files"]) | {"manifest.json"} | old_caches
    assert old_caches.isdisjoint(manifest["files"])
    second = Engine(county, snapshots=tmp_path)
    assert second.summary(as_of=AS_OF) == answer
    assert (second.loads, second.snapshot_loads) == (0, 1)


def test_long_string_columns_are_decoded_on_first_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list[str] column of DEFER_MIN strings or more loads deferred: not decoded until it is
    read, then the same list for every copy that shares it (a catch-up copies the projection);
    `same` tells shared fields apart without reading them; its index builds from it on use."""
    import copy

    from orgraph.analysis.projection import same

    monkeypatch.setattr(snapshot, "DEFER_MIN", 2)
    p = odd_projection()
    snapshot.save(p, tmp_path)
    q = snapshot.load(tmp_path, "rev-1")
    assert q is not None
    assert "hh_id" not in vars(q) and "area_code" not in vars(q)  # ≥ 2 plain strings: deferred
    assert "org_term_end" in vars(q)  # strings and None: decoded at once
    r = copy.copy(q)
    assert same(q, r, "hh_id") and "hh_id" not in vars(q) and "hh_id" not in vars(r)
    assert r.hh_index["h3"] == 2  # the index reads the column
    assert r.hh_id == p.hh_id and q.hh_id is r.hh_id and same(q, r, "hh_id")
    r.hh_id = [*r.hh_id, "h4"]  # a catch-up's change: r's own list now
    assert not same(q, r, "hh_id") and q.hh_id == p.hh_id
    assert equal(p, q) == []


def test_a_deferred_column_with_a_wrong_count_is_refused_at_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deferred column is still checked when the snapshot loads (its strings counted), so
    a damaged snapshot is refused by `load`, never by a later read."""
    monkeypatch.setattr(snapshot, "DEFER_MIN", 2)
    path = snapshot.save(odd_projection(), tmp_path)
    _respec(path, "hh_id", n=4)
    assert snapshot.load(tmp_path, "rev-1", verify=False) is None


def test_a_deferred_column_reads_after_its_snapshot_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deferred column keeps the bytes it was checked from: a process that loaded a
    snapshot later pruned (other processes saved newer ones) still reads its columns."""
    import shutil

    monkeypatch.setattr(snapshot, "DEFER_MIN", 2)
    path = snapshot.save(odd_projection(), tmp_path)
    q = snapshot.load(tmp_path, "rev-1")
    assert q is not None and "hh_id" not in vars(q)
    shutil.rmtree(path)
    assert q.hh_id == ["h1", "h2", "h3"] and q.hh_index["h2"] == 1


def test_same_does_not_change_its_answer_when_a_column_is_decoded_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two projections sharing a deferred column compare the same before, during and after
    either decodes it; a column replaced in one of them compares different."""
    import copy

    from orgraph.analysis.projection import same

    monkeypatch.setattr(snapshot, "DEFER_MIN", 2)
    snapshot.save(odd_projection(), tmp_path)
    q = snapshot.load(tmp_path, "rev-1")
    assert q is not None
    r = copy.copy(q)
    assert same(q, r, "hh_id")
    assert q.hh_id == ["h1", "h2", "h3"]  # q decodes; r has not read it
    assert same(q, r, "hh_id") and same(r, q, "hh_id") and "hh_id" not in vars(r)
    r.hh_id = list(r.hh_id)  # an equal list, but r's own
    assert not same(q, r, "hh_id")
