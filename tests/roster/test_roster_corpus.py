"""The malformed-file corpus: every file parses without crashing, every problem is reported
with the right row and column, valid rows are kept, and no raw ID number leaks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import roster_corpus as rc

from orgraph.roster import Issue, RosterFileError, parse_file
from orgraph.roster.validate import ParsedSheet

NAMES = [b.__name__.removeprefix("case_") for b in rc.BUILDERS]


def test_corpus_is_large_enough() -> None:
    assert len(rc.BUILDERS) >= 30


def _match(issues: list[Issue], row: int | None, column: str | None, text: str) -> bool:
    return any(
        (row is None or i.row == row)
        and (column is None or i.column == column)
        and text in i.message
        for i in issues
    )


@pytest.mark.parametrize("builder", rc.BUILDERS, ids=NAMES)
def test_corpus_case(builder: Callable[[Path], rc.Case], tmp_path: Path) -> None:
    case = builder(tmp_path)
    kwargs: dict[str, Any] = {"max_bytes": case.max_bytes} if case.max_bytes else {}
    if case.file_error:
        with pytest.raises(RosterFileError) as exc:
            parse_file(case.path, case.kind, key=rc.KEY, **kwargs)
        assert case.file_error in exc.value.message, exc.value.message
        return
    sheets: list[ParsedSheet] = parse_file(case.path, case.kind, key=rc.KEY, **kwargs)
    if case.sheets is not None:
        assert len(sheets) == case.sheets, [s.sheet for s in sheets]
    main = sheets[0]
    if case.fmt:
        assert main.format == case.fmt
    if case.kind_out:
        assert main.kind == case.kind_out
    if case.records is not None:
        assert len(main.records) == case.records, (main.records, main.rejected, main.errors)
    if case.rows_total is not None:
        assert main.rows_total == case.rows_total
    if main.ok:
        assert main.rows_total == len(main.records) + len(main.rejected_rows)
    for msg in case.sheet_errors:
        assert any(msg in e.message for e in main.errors), main.errors
    if not case.sheet_errors:
        assert main.ok, main.errors
    rejected = [i for s in sheets for i in s.rejected]
    warnings = [i for s in sheets for i in s.warnings]
    for row, col, text in case.rejected:
        assert _match(rejected, row, col, text), (row, col, text, rejected)
    # Every rejected row is one we expected (no collateral damage).
    expected_rows = {r for r, _, _ in case.rejected}
    assert {i.row for i in rejected} <= expected_rows, rejected
    for row, col, text in case.warnings:
        assert _match(warnings, row, col, text), (row, col, text, warnings)
    # Rejected rows never become records.
    rec_rows = {r.row for s in sheets for r in s.records}
    assert not rec_rows & {i.row for i in main.rejected}
    if case.extra:
        case.extra(sheets)


def _all_text(sheets: list[ParsedSheet]) -> str:
    parts: list[str] = []
    for s in sheets:
        for i in [*s.rejected, *s.warnings, *s.errors]:
            parts.append(repr(tuple(i)))
        for r in s.records:
            parts.append(repr(r.values))
    return "\n".join(parts)


def test_no_raw_id_anywhere(tmp_path: Path) -> None:
    """Across the whole corpus, no raw ID (valid, bad-checksum or float-ish) appears in any
    issue or record."""
    raw_ids = set(rc.IDS) | {rc.bad_checksum(i) for i in rc.IDS}
    raw_ids |= {i.lower() for i in raw_ids}
    out: list[str] = []
    for b in rc.BUILDERS:
        sub = tmp_path / b.__name__
        sub.mkdir()
        case = b(sub)
        try:
            out.append(
                _all_text(
                    parse_file(
                        case.path,
                        case.kind,
                        key=rc.KEY,
                        max_bytes=case.max_bytes or 50 * 1024 * 1024,
                    )
                )
            )
        except RosterFileError as exc:
            out.append(exc.message)
    blob = "\n".join(out)
    leaked = [i for i in raw_ids if i in blob]
    assert not leaked
    assert "1.10101199003078" not in blob


def test_the_small_files_of_issue_18_are_kept() -> None:
    """The small #18 cases read files kept in tests/fixtures/malformed_rosters/ (rewritten by
    `python tests/roster/roster_corpus.py`); the large ones are generated."""
    names = {b.__name__ for b in rc.KEPT}
    assert len(names) == 17 and len(rc.BUILDERS) >= 60
    kept = {p.name for p in rc.FIXTURES.iterdir() if not p.name.startswith(".")}
    assert len(kept) == len(names), kept
