"""The roster layer's malformed-file corpus (tests/roster/roster_corpus.py), imported into a
real graph: no exception escapes but the documented whole-file errors, every rejected row is
in the report with its row number, and every valid row reaches the graph.

The corpus refers to 义乌市 areas, 城东村党支部 and members M0000… that the demo county
does not have, so each test first loads a small base roster holding exactly those.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import roster_corpus as rc
from importer_helpers import KEY, Dump, by_file, diff, dump, reimport, run_import, write_csv
from tests.sampling import neo4j_sample

from orgraph import clock
from orgraph.errors import ValidationFailed
from orgraph.importer.report import FileReport
from orgraph.roster import RosterFileError, parse_file
from orgraph.roster.validate import ParsedSheet
from orgraph.store import GraphStore

# The large generated case is read by the same reader whatever the engine; on FalkorDB only
# (its 500 members take Neo4j's importer seconds a time, twice): test_large_corpus_file_….
LARGE = (rc.case_csv_large_with_damaged_rows,)
BUILDERS = [b for b in rc.BUILDERS if b not in LARGE]
NAMES = [b.__name__.removeprefix("case_") for b in BUILDERS]
TODAY = clock.today()  # the corpus's future-date cases are written relative to today

# Rows the importer itself (not the roster layer) must reject, per (case, sheet): references
# the base roster does not hold. Everything else that parses must be imported.
IMPORTER_REJECTS: dict[tuple[str, str], set[int]] = {}


def _load_base(store: GraphStore, folder: Path) -> None:
    folder.mkdir()
    paths = [write_csv(folder / name, rows) for name, rows in rc.BASE.items()]
    report = run_import(store, paths, today=TODAY)
    assert report.totals()["rejected"] == 0 and report.totals()["created"] == sum(
        len(r) - 1 for r in rc.BASE.values()
    ), report.as_dict()


def _check_sheet(case: rc.Case, sheet: ParsedSheet, f: FileReport, g: Dump) -> None:
    assert (f.sheet, f.kind, f.rows) == (sheet.sheet, sheet.kind, sheet.rows_total)
    assert f.errors == sheet.errors
    # Every row the roster layer rejected is in the report, with its row number and reason.
    assert set(sheet.rejected) <= set(f.rejected)
    assert all(i.row is not None and i.message for i in f.rejected), f.rejected
    assert set(sheet.warnings) <= set(f.warnings)
    if not sheet.ok or sheet.kind is None:
        assert f.accepted == 0
        return
    rejected_rows = {i.row for i in f.rejected}
    by_importer = rejected_rows - set(sheet.rejected_rows)
    assert by_importer == IMPORTER_REJECTS.get((case.name, sheet.sheet), set()), f.rejected
    assert f.accepted + len(rejected_rows) == f.rows
    for rec in sheet.records:
        if rec.row not in by_importer:
            assert rc.in_graph(sheet.kind, rec.values, g), (rec.row, rec.values)


# Every case on FalkorDB, every third on Neo4j (tests/sampling.py): the cases differ in the file
# the reader gets, and what reaches the graph is the same UNWIND batches of plain values.
@pytest.mark.parametrize("builder", BUILDERS, ids=NAMES)
@neo4j_sample("builder", BUILDERS[::3])
def test_corpus_file_at_import_level(builder: Any, store: GraphStore, tmp_path: Path) -> None:
    _check_case(builder, store, tmp_path)


@pytest.mark.parametrize("builder", LARGE, ids=[b.__name__.removeprefix("case_") for b in LARGE])
def test_large_corpus_file_at_import_level(
    builder: Any, falkor_store: GraphStore, tmp_path: Path
) -> None:
    _check_case(builder, falkor_store, tmp_path)


def _check_case(builder: Any, store: GraphStore, tmp_path: Path) -> None:
    _load_base(store, tmp_path / "base")
    folder = tmp_path / "case"
    folder.mkdir()
    case: rc.Case = builder(folder)
    kw: dict[str, Any] = {"max_bytes": case.max_bytes} if case.max_bytes else {}
    before = dump(store)
    if case.file_error:
        with pytest.raises(RosterFileError) as exc:
            run_import(store, [case.path], kind=case.kind, today=TODAY, **kw)
        assert isinstance(exc.value, ValidationFailed)
        assert case.file_error in exc.value.message
        assert diff(before, dump(store)) == ([], [], [], [])
        return
    report = run_import(store, [case.path], kind=case.kind, today=TODAY, **kw)
    sheets = parse_file(case.path, case.kind, key=KEY, today=TODAY, **kw)
    assert [f.sheet for f in report.files] == [s.sheet for s in sheets]
    g = dump(store)
    for sheet, f in zip(sheets, report.files, strict=True):
        _check_sheet(case, sheet, f, g)
    # Importing the same file again changes nothing; the graph's import mark gives the same
    # report without reading a row (importer/mark.py).
    again = reimport(store, [case.path], kind=case.kind, today=TODAY, **kw)
    assert again.totals()["created"] == again.totals()["updated"] == 0, again.as_dict()
    assert diff(g, dump(store)) == ([], [], [], [])


def test_a_whole_file_error_aborts_the_call_before_any_write(
    store: GraphStore, tmp_path: Path
) -> None:
    good = write_csv(tmp_path / "areas.csv", rc.BASE["areas.csv"])
    bomb = rc.case_zip_bomb(tmp_path).path
    with pytest.raises(RosterFileError):
        run_import(store, [good, bomb], today=TODAY)
    assert dump(store).nodes == []
    assert by_file(run_import(store, [good], today=TODAY))["areas.csv"].created == 5
