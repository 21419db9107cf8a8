"""The import history (docs/design.md#import-history) on each engine: every real import with an
origin leaves one :Import record — when, by whom, from where, each file's name, size, SHA-256
and kinds, the totals and per-kind changes, the whole report — newest first and paged; a dry
run and an import without an origin leave none; a re-import that changes nothing still
publishes no revision; an unknown id is a Chinese 404."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from importer_helpers import FILES, MEMBERS, edit_xlsx, read_rows, run_import, text

from orgraph.errors import NotFound
from orgraph.importer import history
from orgraph.importer.history import Origin
from orgraph.store import GraphStore


def _revision(store: GraphStore) -> object:
    rows = store.read("graph_revision")
    return rows[0]["rev"] if rows else None


def test_every_real_import_is_recorded(store: GraphStore, demo_dir: Path) -> None:
    paths = [demo_dir / n for n in FILES]
    assert history.imports(store) == {"total": 0, "page": 1, "page_size": 50, "items": []}

    dry = run_import(store, paths, dry_run=True, origin=Origin("张三", "cli"))
    assert dry.import_id is None and "import_id" not in dry.as_dict()
    unrecorded = run_import(store, paths[:1])  # no origin: a library call of its own
    assert unrecorded.import_id is None
    assert history.imports(store)["total"] == 0

    start = dt.datetime.now(dt.UTC)
    first = run_import(store, paths, origin=Origin("张三", "cli"))
    revision = _revision(store)
    uploaded = tuple(f"上传{i}{p.suffix}" for i, p in enumerate(paths))
    second = run_import(store, paths, origin=Origin("county", "api", names=uploaded))
    assert _revision(store) == revision, "a re-import that changed nothing bumped the revision"
    assert first.import_id and second.import_id and first.import_id != second.import_id
    assert first.as_dict()["import_id"] == first.import_id

    doc = history.imports(store)
    assert doc["total"] == 2
    newest, oldest = doc["items"]
    assert (newest["id"], oldest["id"]) == (second.import_id, first.import_id)
    assert start <= dt.datetime.fromisoformat(oldest["at"]) <= dt.datetime.now(dt.UTC)
    assert oldest["at"] <= newest["at"]
    assert (oldest["by"], oldest["source"], oldest["snapshot"]) == ("张三", "cli", False)
    assert (newest["by"], newest["source"]) == ("county", "api")
    assert [f["name"] for f in oldest["files"]] == [p.name for p in paths]
    assert [f["name"] for f in newest["files"]] == list(uploaded)
    for entry in (oldest, newest):
        assert [f["size"] for f in entry["files"]] == [p.stat().st_size for p in paths]
        assert [f["sha256"] for f in entry["files"]] == [
            hashlib.sha256(p.read_bytes()).hexdigest() for p in paths
        ]
    for f, p in zip(oldest["files"], paths, strict=True):
        assert f["kinds"] == sorted({s.kind or "" for s in first.files if s.path == str(p)})
    assert oldest["totals"] == first.totals() and newest["totals"] == second.totals()
    assert sum(k["created"] for k in oldest["changes"].values()) == first.totals()["created"]
    assert oldest["changes"]["members"]["created"] > 0
    assert all(k["created"] == k["updated"] == 0 for k in newest["changes"].values())

    full = history.import_report(store, second.import_id)
    want = second.as_dict()
    del want["import_id"]  # given by the record, after the report was written
    for f in want["files"]:
        f["path"] = dict(zip(map(str, paths), uploaded, strict=True))[f["path"]]
    # the record is written before the import compacts the store's log: its time is up to then
    assert 0 < full["report"].pop("seconds") <= want.pop("seconds")
    assert full["report"] == want
    assert {k: full[k] for k in newest} == newest

    page2 = history.imports(store, page=2, page_size=1)
    assert (page2["total"], [e["id"] for e in page2["items"]]) == (2, [first.import_id])
    with pytest.raises(NotFound, match="没有编号为“nope”的导入记录"):
        history.import_report(store, "nope")


def test_a_snapshot_records_members_taken_off_the_roll(
    store: GraphStore, demo_dir: Path, tmp_path: Path
) -> None:
    run_import(store, [demo_dir / n for n in FILES])
    keys = [text(r["人员编号"]) for r in read_rows(demo_dir / MEMBERS) if r["人员编号"]]
    edit_xlsx(demo_dir / MEMBERS, tmp_path / "全量.xlsx", drop=set(keys[:2]))
    report = run_import(
        store, [tmp_path / "全量.xlsx"], snapshot=True, origin=Origin("张三", "cli")
    )
    assert report.off_roll == 2
    (entry,) = history.imports(store)["items"]
    assert entry["snapshot"] is True and entry["files"][0]["name"] == "全量.xlsx"
    assert entry["changes"]["members"]["off_roll"] == 2
