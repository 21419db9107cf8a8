"""A re-import of the same files onto a graph that has not changed since (docs/design.md#importer,
"A re-import of the same files").

An import's report is a function of its inputs (the files' bytes in order, the kind given,
the day, the ID key, the size limit, ``--snapshot``, and the code that reads and diffs them)
and of the graph it reads; and an import is idempotent: run again over the graph it left, it
writes nothing and reports every accepted row unchanged, with the same rejected rows, warnings
and sheet errors (tests/importer/test_import_mark.py compares it with a re-import that reads
every row, on both engines). So each real import leaves a *mark* in the graph: the digest of
its inputs, the revision it left the graph at, and the report a re-import would give. An
import whose inputs have that digest while the graph is still at that revision answers with
that report without reading a row.

The mark names a revision only when the graph at that revision is the import's own result: no
other writer's change may fall between the revision the import read first and the one it
published (a change in between would be undone by a real re-import, which the mark would not
know). Anything else leaves no mark, and the next import reads every row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from orgraph import catalog
from orgraph.importer.report import FileReport, ImportReport, issue_dict
from orgraph.roster import Issue
from orgraph.store import GraphStore

# A report longer than this (JSON characters; a file with tens of thousands of warnings) is
# not kept on the graph's meta node: the next import reads every row instead.
REPORT_MAX = 1 << 20
_CHUNK = 1 << 20
_PACKAGES = ("importer", "roster")


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The code an import's report depends on: the importer's and the roster reader's sources
    and the Cypher catalog. Another version of orgraph never reuses a mark."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for pkg in _PACKAGES:
        for path in sorted((root / pkg).rglob("*.py")):
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    for name, q in sorted(catalog.shipped().items()):
        h.update(name.encode())
        h.update(q.text.encode())
    return h.hexdigest()


def inputs_digest(
    paths: Sequence[Path],
    *,
    kind: str | None,
    key: bytes,
    today: dt.date,
    max_bytes: int | None,
    snapshot: bool,
) -> str | None:
    """The digest of everything an import's report depends on besides the graph; None when a
    file cannot be read (the import then says why, and leaves no mark)."""
    h = hashlib.sha256()
    h.update(code_digest().encode())
    # The ID key itself never reaches the graph: a digest of it, salted with a purpose.
    h.update(hashlib.sha256(b"orgraph import mark\0" + key).digest())
    h.update(json.dumps([kind, today.isoformat(), max_bytes, snapshot]).encode())
    for path in paths:
        f = hashlib.sha256()
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(_CHUNK):
                    f.update(chunk)
        except OSError:
            return None
        h.update(f.digest())
    return h.hexdigest()


def graph_rev(store: GraphStore) -> str | None:
    """The graph's revision token (None: never written)."""
    rows = store.read("graph_revision")
    return str(rows[0]["rev"]) if rows and rows[0]["rev"] is not None else None


def reuse(
    store: GraphStore, inputs: str, paths: Sequence[Path], *, dry_run: bool
) -> ImportReport | None:
    """The report of an import with these inputs when the graph's mark says it would change
    nothing: the last import had the same inputs and the graph is still at the revision it
    left. None: the rows must be read."""
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
    published: tuple[str, int] | None,
    exact: bool,
) -> None:
    """After a real import (its lock still held): mark the graph with the import's inputs and
    the report a re-import would give, when the revision the graph is now at is the import's
    own result (`read_at`: the revision before the import read anything; `published`: what
    its bump published, None if it wrote nothing); else remove the mark. `exact`: the import
    did nothing a re-import would report otherwise than as unchanged (e.g. it repaired links
    stored twice, which a re-import would not find again)."""
    rev = _own_revision(store, read_at, published)
    doc = _again(report, paths) if rev is not None and exact else None
    text = json.dumps(doc, ensure_ascii=False) if doc is not None else None
    if inputs is None or text is None or len(text) > REPORT_MAX:
        return  # the mark was cleared when the import began
    store.write("set_import_mark", inputs=inputs, rev=rev, report=text)


def _own_revision(
    store: GraphStore, read_at: str | None, published: tuple[str, int] | None
) -> str | None:
    """The revision the graph is at as the import left it, if no other writer's change fell
    between the revision it read first and the one it published; else None."""
    if published is None:  # it wrote nothing: the graph must not have moved while it read
        now = graph_rev(store)
        return now if now == read_at else None
    rev, seq = published
    rows = store.read("changes_since", seq=seq - 1, limit=1)
    if not rows or int(rows[0]["seq"]) != seq or rows[0]["prev"] != read_at:
        return None  # another change came first (or the log no longer holds the import's)
    return rev


def _again(report: ImportReport, paths: Sequence[Path]) -> dict[str, Any] | None:
    """The report a re-import of the same files over the graph this import left would give:
    every accepted row unchanged, the same rejected rows, warnings and sheet errors, nobody
    marked off roll (they are already). None when a sheet's path is not one of `paths`."""
    index = {str(p): i for i, p in enumerate(paths)}
    files = []
    for f in report.files:
        if f.path not in index:
            return None
        files.append(
            {
                "file": index[f.path],
                "sheet": f.sheet,
                "kind": f.kind,
                "rows": f.rows,
                "unchanged": f.accepted,
                "rejected": [issue_dict(i) for i in f.rejected],
                "warnings": [issue_dict(i) for i in f.warnings],
                "errors": [issue_dict(i) for i in f.errors],
                "columns": f.columns,
            }
        )
    return {"files": files}


def _issues(rows: list[dict[str, Any]]) -> list[Issue]:
    return [Issue(r["sheet"], r["row"], r["column"], r["value"], r["message"]) for r in rows]
