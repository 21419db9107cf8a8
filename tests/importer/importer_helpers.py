"""Helpers of the importer's integration tests.

The demo files are read back here with openpyxl and csv, never through orgraph's roster
layer, so that expectations are computed independently of the code under test. Graph state
is read through the read-only blocks of tests/cypher/testing.cypher.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
from collections import Counter
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from tests.import_reports import same_report

from orgraph.importer.pipeline import import_files
from orgraph.importer.report import FileReport, ImportReport
from orgraph.store import GraphStore

KEY = b"importer-test-key"
AS_OF = date(2026, 11, 1)

AREAS = "行政区划.xlsx"
ORGS = "党组织.xlsx"
MEMBERS = "党员花名册.xlsx"
HOUSEHOLDS = "农户.csv"
CONTACTS = "联系关系.csv"
OUTFLOWS = "流动党员外出登记.xlsx"
REPORTS = "报到记录.csv"
# The order docs/design.md#rosters lists the kinds in (dependencies first).
FILES = (AREAS, ORGS, MEMBERS, HOUSEHOLDS, CONTACTS, OUTFLOWS, REPORTS)
KIND_OF = {
    AREAS: "areas",
    ORGS: "orgs",
    MEMBERS: "members",
    HOUSEHOLDS: "households",
    CONTACTS: "contacts",
    OUTFLOWS: "outflows",
    REPORTS: "reports",
}
CSV_ENCODINGS = {HOUSEHOLDS: "gb18030", CONTACTS: "utf-8-sig", REPORTS: "utf-8"}

Row = dict[str, Any]

# -- reading roster files independently ----------------------------------------------------


def read_rows(path: Path, encoding: str | None = None) -> list[Row]:
    """Data rows of a roster file as {header: value}; each row also carries "_row", the Excel
    row number. The header row is the first row containing 姓名/编号/代码 headers."""
    if path.suffix == ".xlsx":
        wb = load_workbook(path, read_only=True)
        raw = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        wb.close()
    else:
        enc = encoding or CSV_ENCODINGS.get(path.name, "utf-8-sig")
        with path.open(encoding=enc, newline="") as f:
            raw = [list(r) for r in csv.reader(f)]
    head_at = next(
        i
        for i, r in enumerate(raw)
        if any(isinstance(c, str) and ("编号" in c or "代码" in c or c == "姓名") for c in r)
    )
    header = [str(h) if h is not None else "" for h in raw[head_at]]
    out = []
    for i, r in enumerate(raw[head_at + 1 :], start=head_at + 2):
        if all(c in (None, "") for c in r):
            continue
        cells = [None if c == "" else c for c in r] + [None] * (len(header) - len(r))
        row = dict(zip(header, cells, strict=False))
        row["_row"] = i
        out.append(row)
    return out


def raw_ids(paths: list[Path]) -> set[str]:
    """Every ID number typed into a 公民身份号码 column of the inputs, as the text a cell
    holds (a numeric cell that lost digits gives its digits and its float repr)."""
    out: set[str] = set()
    for p in paths:
        enc = "gbk" if p.parent.name == "with_errors" and p.name == HOUSEHOLDS else None
        for r in read_rows(p, enc):
            v = r.get("公民身份号码")
            if isinstance(v, float):
                out.add(f"{v:.0f}")
                out.add(repr(v))
            elif v:
                out.add(str(v).strip())
    return {i for i in out if len(re.sub(r"\D", "", i)) >= 15}


def demo_rows(demo_dir: Path) -> dict[str, list[Row]]:
    return {name: read_rows(demo_dir / name) for name in FILES}


def text(v: Any) -> str:
    """A cell as the text a person would read ('' for empty)."""
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def id_hash(id_number: str) -> str:
    return hmac.new(KEY, id_number.strip().upper().encode(), hashlib.sha256).hexdigest()


def member_key(row: Row) -> str:
    """The graph key (docs/design.md#data-model): 人员编号, else the keyed ID-number hash."""
    no = text(row.get("人员编号"))
    return no if no else "h:" + id_hash(text(row["公民身份号码"]))


# -- writing edited copies -------------------------------------------------------------------


def edit_xlsx(
    src: Path,
    dst: Path,
    edits: dict[tuple[str, str], Any] | None = None,
    *,
    key_column: str = "人员编号",
    drop: AbstractSet[str] = frozenset(),
) -> None:
    """Copy an XLSX roster, setting {(key value, column): new value} and dropping the rows
    whose key_column value is in `drop`."""
    wb = load_workbook(src)
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows())
    head_at = next(i for i, r in enumerate(rows) if any(c.value == key_column for c in r))
    cols = {c.value: c.column - 1 for c in rows[head_at] if c.value}
    gone = []
    for r in rows[head_at + 1 :]:
        k = text(r[cols[key_column]].value)
        for (key, column), value in (edits or {}).items():
            if k == key:
                r[cols[column]].value = value
        if k in drop:
            gone.append(r[0].row)
    for rownum in sorted(gone, reverse=True):
        ws.delete_rows(rownum)
    wb.save(dst)


def edit_csv(
    src: Path, dst: Path, edits: dict[tuple[str, str], str], *, key_column: str, encoding: str
) -> None:
    """Copy a CSV roster, setting {(key value, column): new value}."""
    with src.open(encoding=encoding, newline="") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    for r in rows[1:]:
        for (key, column), value in edits.items():
            if r[head.index(key_column)] == key:
                r[head.index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    dst.write_bytes(buf.getvalue().encode(encoding))


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8-sig") -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


# -- importing -------------------------------------------------------------------------------


def run_import(store: GraphStore, paths: list[Path], **kw: Any) -> ImportReport:
    kw.setdefault("today", AS_OF)
    return import_files(store, paths, key=KEY, **kw)


def reimport(store: GraphStore, paths: list[Path], **kw: Any) -> ImportReport:
    """Import the files again, reading every row (`recheck`: the importer's own idempotence is
    what the caller checks), then once more, from the mark that import left if it wrote
    nothing (importer/mark.py), which must give the same report without reading a row."""
    again = run_import(store, paths, recheck=True, **kw)
    assert not again.reused
    kept = run_import(store, paths, **kw)
    assert kept.reused, "the files and the graph did not change: the mark should be used"
    assert same_report(kept, again)
    return again


def import_demo(
    store: GraphStore, demo_dir: Path, names: tuple[str, ...] = FILES, **kw: Any
) -> ImportReport:
    return run_import(store, [demo_dir / n for n in names], **kw)


def by_file(report: ImportReport) -> dict[str, FileReport]:
    out = {Path(f.path).name: f for f in report.files}
    assert len(out) == len(report.files), "one sheet per file expected"
    return out


def counts(f: FileReport) -> dict[str, int]:
    return {
        "rows": f.rows,
        "created": f.created,
        "updated": f.updated,
        "unchanged": f.unchanged,
        "rejected": len({i.row for i in f.rejected}),
    }


# -- reading the graph -----------------------------------------------------------------------


@dataclass
class Dump:
    nodes: list[tuple[str, dict[str, Any]]]
    rels: list[tuple[str, str, Any, str, Any, dict[str, Any]]]

    def label(self, label: str) -> list[dict[str, Any]]:
        return [p for lb, p in self.nodes if lb == label]

    def rel(self, rel: str) -> list[tuple[Any, Any, dict[str, Any]]]:
        return [(a, b, p) for t, _, a, _, b, p in self.rels if t == rel]

    def canonical(self) -> tuple[Counter[str], Counter[str]]:
        """Multisets of every node and relationship, for exact comparisons."""
        nodes = Counter(
            json.dumps([lb, p], sort_keys=True, ensure_ascii=False) for lb, p in self.nodes
        )
        rels = Counter(json.dumps(list(r), sort_keys=True, ensure_ascii=False) for r in self.rels)
        return nodes, rels

    def as_text(self) -> str:
        return json.dumps([self.nodes, self.rels], ensure_ascii=False, default=str)


def dump(store: GraphStore) -> Dump:
    nodes = [(r["label"], r["props"]) for r in store.read("testing_nodes")]
    rels = [
        (r["rel"], r["from_label"], r["from_key"], r["to_label"], r["to_key"], r["props"])
        for r in store.read("testing_rels")
    ]
    return Dump(nodes, rels)


def diff(before: Dump, after: Dump) -> tuple[list[str], list[str], list[str], list[str]]:
    """(nodes gone, nodes new, rels gone, rels new) as canonical JSON strings."""
    bn, br = before.canonical()
    an, ar = after.canonical()
    return (
        sorted((bn - an).elements()),
        sorted((an - bn).elements()),
        sorted((br - ar).elements()),
        sorted((ar - br).elements()),
    )


def node_count(store: GraphStore) -> int:
    rows = store.read("count_nodes")
    # FalkorDB answers no row at all (not 0) for a graph that was never written.
    return int(rows[0]["nodes"]) if rows else 0


CJK = re.compile(r"[\u4e00-\u9fff]")


def issue_columns(column: str | None) -> set[str]:
    """The column names an issue's column stands for ("人员编号/公民身份号码" names both)."""
    if not column:
        return set()
    return {column, *re.split(r"[/或]", column)}
