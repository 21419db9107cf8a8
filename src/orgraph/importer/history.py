"""Import history (docs/design.md#import-history): every real import — `orgraph import`, an
upload to the API, the demo loader, an applied proposal workbook (imported like any roster) —
leaves one :Import node in the graph: when, by whom, from where, which files (name, size,
sha256, kinds), its counts per kind and its whole report, so the report can be fetched again
later. A dry run leaves none. The node is written at the end of the import, while its lock
is held, and changes nothing the analysis reads (no revision bump: store/base.py NO_BUMP).
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orgraph.analysis.changes import field_change
from orgraph.errors import NotFound
from orgraph.importer.report import ImportReport
from orgraph.store import GraphStore

PAGE_MAX = 500
FIELD_BATCH = 5000
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Origin:
    """Who imports, from where, and the files' names as that person knows them (an upload's
    own name, not the spool path); None: the paths' names."""

    by: str
    source: str
    names: tuple[str, ...] | None = None


def local_user() -> str:
    """The operating-system user running a command-line import (who imported)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return f"uid {os.getuid()}"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def changes(report: ImportReport) -> dict[str, dict[str, int]]:
    """Per roster kind: rows created, updated, unchanged and rejected, over every sheet."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for f in report.files:
        out[f.kind or "unknown"].update(
            created=f.created, updated=f.updated, unchanged=f.unchanged, rejected=len(f.rejected)
        )
    if report.off_roll:
        out["members"]["off_roll"] = report.off_roll
    zero = dict.fromkeys(("created", "updated", "unchanged", "rejected"), 0)
    return {kind: {**zero, **out[kind]} for kind in sorted(out)}


def as_named(report: ImportReport, paths: Sequence[Path], names: Sequence[str]) -> dict[str, Any]:
    """The report's dict with each file's path replaced by its name as the person knows it
    (an upload's own name, never the server's spool path or the importing machine's)."""
    shown = {str(p): n for p, n in zip(paths, names, strict=True)}
    doc = report.as_dict()
    for f in doc["files"]:
        f["path"] = shown.get(f["path"], Path(f["path"]).name)
    return doc


def record(
    store: GraphStore,
    report: ImportReport,
    paths: Sequence[Path],
    origin: Origin,
    *,
    snapshot: bool,
    at: dt.datetime | None = None,
    on: dt.date | None = None,
    obs: int | None = None,
    replaced: Sequence[dict[str, Any]] = (),
) -> str:
    """Write the :Import node of a finished import, and the values it replaced (field
    history); its id. `on`: the day its rosters describe; `obs`: the gap ledger's
    observation number after it (docs/rules.md "Gap life")."""
    names = list(origin.names) if origin.names is not None else [p.name for p in paths]
    kinds = {
        str(p): ",".join(sorted({f.kind or "" for f in report.files if f.path == str(p)}))
        for p in paths
    }
    doc = as_named(report, paths, names)
    when = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    import_id = f"{when:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
    props = {
        "at": when.isoformat(timespec="microseconds"),
        "by": origin.by,
        "source": origin.source,
        "snapshot": snapshot,
        "seconds": round(report.seconds, 3),
        "file_names": names,
        "file_sizes": [p.stat().st_size for p in paths],
        "file_sha256": [sha256_of(p) for p in paths],
        "file_kinds": [kinds[str(p)] for p in paths],
        "totals": json.dumps(report.totals(), ensure_ascii=False),
        "changes": json.dumps(changes(report), ensure_ascii=False),
        "report": json.dumps(doc, ensure_ascii=False),
        "on": (on or when.date()).isoformat(),
        "obs": obs,
    }
    store.write("record_import", id=import_id, props=props)
    rows = [
        {
            **r,
            "n": n,
            "old": json.dumps(r["old"], ensure_ascii=False),
            "new": json.dumps(r["new"], ensure_ascii=False),
        }
        for n, r in enumerate(replaced)
    ]
    for start in range(0, len(rows), FIELD_BATCH):
        store.write(
            "record_field_changes",
            rows=rows[start : start + FIELD_BATCH],
            import_id=import_id,
            at=props["at"],
            on=props["on"],
            by=origin.by,
        )
    return import_id


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    files = [
        {"name": n, "size": s, "sha256": h, "kinds": [k for k in (kind or "").split(",") if k]}
        for n, s, h, kind in zip(
            row["names"] or [],
            row["sizes"] or [],
            row["sha256"] or [],
            row["kinds"] or [],
            strict=True,
        )
    ]
    return {
        "id": row["id"],
        "at": row["at"],
        "by": row["by"],
        "source": row["source"],
        "snapshot": bool(row["snapshot"]),
        "seconds": row["seconds"],
        "on": row["on"],
        "observation": row["obs"],
        "files": files,
        "totals": json.loads(row["totals"] or "{}"),
        "changes": json.loads(row["changes"] or "{}"),
    }


def imports(store: GraphStore, *, page: int = 1, page_size: int = 50) -> dict[str, Any]:
    """The recorded imports, newest first, one page."""
    page_size = max(1, min(page_size, PAGE_MAX))
    page = max(1, page)
    rows = store.read("list_imports", skip=(page - 1) * page_size, limit=page_size)
    total = int(store.read("count_imports")[0]["n"])
    return {
        "total": total,
        "page": page,
        "page_size": page_size,
        "items": [_entry(r) for r in rows],
    }


def import_report(store: GraphStore, import_id: str) -> dict[str, Any]:
    """One recorded import with its whole report, as it was written."""
    rows = store.read("import_record", id=import_id)
    if not rows:
        raise NotFound(f"没有编号为“{import_id[:40]}”的导入记录")
    return {**_entry(rows[0]), "report": json.loads(rows[0]["report"])}


def field_history(store: GraphStore, key: str) -> dict[str, Any]:
    """The values imports replaced on one entity (by key), oldest first (docs/rules.md
    "Field history")."""
    return {"key": key, "items": [field_change(r) for r in store.read("field_history", key=key)]}
