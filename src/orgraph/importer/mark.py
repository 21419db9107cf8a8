"""A re-import of files an import has already found unchanged, onto a graph that has not changed
since (docs/design.md#importer, "A re-import of the same files").

An import's report is a function of its inputs (the files' names and bytes in order, the kind
given, the day, the ID key, the size limit, ``--snapshot``, and the code and libraries that
read and diff them) and of the graph it reads. An import that wrote nothing left the graph as
it found it, so the same inputs over that graph give the same report again, and again write
nothing: its report is a fixed point. Such an import leaves a *mark* in the graph: the digest
of its inputs, the revision it read, and its report. An import whose inputs have that digest
while the graph is still at that revision answers with that report without reading a row.

An import that wrote leaves no mark: an import is not always idempotent (two files giving one
household two heads write both every time; an org renamed in the roster is known by its new
name only on the next run), so what a second run reports is known only by running it. Nor does
an import during which anyone else wrote, or whose files changed while it read them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from orgraph import catalog
from orgraph.analysis.projection import revision
from orgraph.importer.history import sha256_of
from orgraph.importer.report import FileReport, ImportReport
from orgraph.roster import Issue
from orgraph.store import GraphStore

# A report longer than this (JSON characters; a file with tens of thousands of warnings) is
# not kept on the graph's meta node: the next import reads every row instead.
REPORT_MAX = 1 << 20


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The code an import's report depends on: orgraph's sources, its Cypher catalog and the
    versions of the libraries it requires (the readers, the geocoder's tables). Another
    version of any of them never reuses a mark."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    for name, q in sorted(catalog.shipped().items()):
        h.update(name.encode())
        h.update(q.text.encode())
    for req in sorted(metadata.requires("orgraph") or []):
        dist = re.split(r"[\s\[<>=!~;]", req, maxsplit=1)[0]
        try:
            h.update(f"{dist}=={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:  # an extra not installed
            h.update(f"{dist}: none".encode())
    return h.hexdigest()


def inputs_digest(
    paths: Sequence[Path],
    *,
    names: Sequence[str] | None,
    kind: str | None,
    key: bytes,
    today: dt.date,
    max_bytes: int | None,
    snapshot: bool,
) -> str | None:
    """The digest of everything an import's report depends on besides the graph (`names`: the
    files as their owner knows them, when not the paths' names: a sheet of a CSV is named
    after its file); None when a file cannot be read (the import then says why)."""
    h = hashlib.sha256()
    h.update(code_digest().encode())
    # The ID key itself never reaches the graph: a digest of it, salted with a purpose.
    h.update(hashlib.sha256(b"orgraph import mark\0" + key).digest())
    h.update(
        json.dumps(
            [kind, today.isoformat(), max_bytes, snapshot, [p.name for p in paths], names],
            ensure_ascii=False,
        ).encode()
    )
    try:
        for path in paths:
            h.update(sha256_of(path).encode())
    except OSError:
        return None
    return h.hexdigest()


def graph_rev(store: GraphStore) -> str | None:
    """The graph's revision token (None: never written)."""
    return revision(store)[0]


def reuse(
    store: GraphStore, inputs: str, paths: Sequence[Path], *, dry_run: bool
) -> ImportReport | None:
    """The report of an import with these inputs when the graph's mark says it would change
    nothing: an import with the same inputs found nothing to write and the graph is still at
    the revision it read. None: the rows must be read."""
    rows = store.read("import_mark")
    if not rows or rows[0]["inputs"] != inputs or rows[0]["report"] is None:
        return None
    rev = rows[0]["rev"]
    if rev is None or rev != graph_rev(store):
        return None
    doc = json.loads(rows[0]["report"])
    report = ImportReport(dry_run=dry_run, reused=True)
    for f in doc["files"]:
        report.files.append(
            FileReport(
                path=str(paths[f["file"]]),
                sheet=f["sheet"],
                kind=f["kind"],
                rows=f["rows"],
                unchanged=f["unchanged"],
                rejected=_issues(f["rejected"]),
                warnings=_issues(f["warnings"]),
                errors=_issues(f["errors"]),
                columns=f["columns"],
            )
        )
    return report


def clear(store: GraphStore) -> None:
    """No mark: the next import reads every row."""
    store.write("set_import_mark", inputs=None, rev=None, report=None)


def leave(
    store: GraphStore,
    inputs: str | None,
    report: ImportReport,
    paths: Sequence[Path],
    *,
    read_at: str | None,
    wrote: bool,
    inputs_after: str | None,
) -> None:
    """After a real import that ended well (its lock still held): mark the graph with the
    import's inputs and report when the import wrote nothing (`wrote`), the graph is still at
    the revision it read before it read anything (`read_at`: nobody else wrote meanwhile) and
    the files were the same after it read them (`inputs_after`). Else the mark stays removed
    (it was removed when the import began)."""
    if wrote or inputs is None or inputs_after != inputs or read_at is None:
        return
    if graph_rev(store) != read_at:
        return
    doc = _kept(report, paths)
    text = json.dumps(doc, ensure_ascii=False) if doc is not None else None
    if text is None or len(text) > REPORT_MAX:
        return
    store.write("set_import_mark", inputs=inputs, rev=read_at, report=text)


def _kept(report: ImportReport, paths: Sequence[Path]) -> dict[str, Any] | None:
    """The report as the mark keeps it, each sheet by the index of its file; None when the
    report says something was written (not a fixed point) or names a path not in `paths`."""
    index = {str(p): i for i, p in enumerate(paths)}
    files = []
    if report.off_roll:
        return None
    for f in report.files:
        if f.path not in index or f.created or f.updated:
            return None
        files.append({**f.as_dict(), "file": index[f.path], "columns": f.columns})
    return {"files": files}


def _issues(rows: list[dict[str, Any]]) -> list[Issue]:
    return [Issue(r["sheet"], r["row"], r["column"], r["value"], r["message"]) for r in rows]
