"""Parse and validate roster files: raw sheets → normalised records plus a Chinese report.

Rules (the contract the importer builds on):

- A whole-file problem (empty, too big, zip bomb, encrypted, corrupt, unknown format) raises
  :class:`orgraph.roster.errors.RosterFileError`. A sheet-level problem (no header, missing
  required column) goes to ``ParsedSheet.errors`` and that sheet yields no records.
- A row problem never affects other rows. Problems in a required or key column reject the
  row (``rejected``); problems in an optional column are ``warnings`` and that value is left
  out of the record, the row is kept.
- Row numbers are the ones Excel shows (1-based, title rows counted).
- Blank rows, repeated header rows and trailing 合计/备注/制表人 rows are not records and are
  not counted in ``rows_total``; so ``rows_total == len(records) + len(rejected rows)``.
- Within one sheet, a second row with the same key (member_no, ID hash, household_id, area
  code, org_id, ...) is rejected naming the first row.
- Raw ID numbers never leave the row parser (:mod:`orgraph.roster.rows`): records carry
  ``id_hash`` (HMAC-SHA256 with the caller's key) and ``id_masked``; issue values of ID cells
  are masked, and any 15–18 digit run in any issue value is masked too. Phone numbers are
  masked in issue values.

This module finds each sheet's header and skips what is not a data row; the row loop is in
:mod:`orgraph.roster.rows`, the checks across a row's fields in :mod:`orgraph.roster.row_checks`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from orgraph import clock
from orgraph.roster.cells import cell_text
from orgraph.roster.columns import SPECS, KindSpec, kind_spec
from orgraph.roster.header import ColumnMap, HeaderResult, find_header, normalize_header
from orgraph.roster.parsed import Issue, ParsedSheet, Record, show
from orgraph.roster.readers import DEFAULT_MAX_BYTES, Cell, RawSheet, read_workbook
from orgraph.roster.rows import Col, RowContext, parse_row
from orgraph.roster.values import CONVERTERS

_SKIP_ROW = re.compile(
    r"^(合\s*计|总\s*计|小\s*计|共\s*计|备\s*注|说\s*明|注\s*[:：]|注\s*\d|填表说明|填表人|填报人|"
    r"制表人|制表|审核人|审核|负责人|单位负责人|填报单位|填报日期|制表日期|统计日期)"
)
_BLANK = "\0blank"


def parse_file(
    path: str | Path,
    kind: str | None = None,
    *,
    key: bytes,
    today: date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[ParsedSheet]:
    """Read and validate every roster sheet of a file.

    ``kind`` (English or Chinese, e.g. "members"/"党员花名册") applies to every sheet that
    has a header for it; without it each sheet's kind is detected from its headers and name.
    Empty sheets and hidden sheets are skipped; a sheet that cannot be recognised gives a
    warning (several sheets) or an error (the only non-empty sheet). Raises RosterFileError
    when the file cannot be read at all.
    """
    return read_rows(open_file(path, kind, max_bytes=max_bytes), key=key, today=today)


@dataclass
class Opened:
    """A file read and its sheets' headers found (`open_file`), its rows not yet checked
    (`read_rows`): everything that can refuse the file whole has happened."""

    path: Path
    kind: str | None
    raw_sheets: list[RawSheet]
    candidates: list[RawSheet]
    headers: list[tuple[RawSheet, HeaderResult | None]]

    @property
    def kinds(self) -> frozenset[str]:
        """Every kind its sheets may come out as (a sheet of one may still be refused)."""
        found = {h.kind for _, h in self.headers if h is not None and h.kind}
        return frozenset(found | ({self.kind} if self.kind else set()))


def open_file(
    path: str | Path, kind: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Opened:
    """Read a file and find its sheets' headers (the first half of `parse_file`)."""
    p = Path(path)
    raw_sheets = read_workbook(p, max_bytes=max_bytes)
    if kind is not None:
        kind = kind_spec(kind).kind
    candidates = [s for s in raw_sheets if s.visible and not all(_is_blank_row(r) for r in s.rows)]
    headers = [(s, find_header(s, kind)) for s in candidates]
    return Opened(p, kind, raw_sheets, candidates, headers)


def read_rows(opened: Opened, *, key: bytes, today: date | None = None) -> list[ParsedSheet]:
    """Check the rows of an opened file (the second half of `parse_file`)."""
    p, kind, candidates, headers = opened.path, opened.kind, opened.candidates, opened.headers
    if not candidates:
        return [_no_data(p, opened.raw_sheets, kind)]
    if not any(h is not None for _, h in headers):
        return [parse_sheet(candidates[0], kind, key=key, path=str(p), today=today)]
    results: list[ParsedSheet] = []
    for s, h in headers:
        if h is not None:
            results.append(parse_sheet(s, kind, key=key, path=str(p), today=today, header=h))
        elif len(candidates) == 1:
            results.append(parse_sheet(s, kind, key=key, path=str(p), today=today))
        else:
            results.append(_unrecognised(p, s))
    return results


def _no_data(p: Path, raw_sheets: list[RawSheet], kind: str | None) -> ParsedSheet:
    name = raw_sheets[0].name if raw_sheets else p.name
    return ParsedSheet(
        str(p),
        name,
        kind,
        errors=[Issue(name, None, None, None, "文件中没有数据")],
        format=raw_sheets[0].format if raw_sheets else "",
    )


def _unrecognised(p: Path, s: RawSheet) -> ParsedSheet:
    return ParsedSheet(
        str(p),
        s.name,
        None,
        format=s.format,
        encoding=s.encoding,
        warnings=[Issue(s.name, None, None, None, "未识别的工作表（没有找到名册表头），已跳过")],
    )


def parse_sheet(
    sheet: RawSheet,
    kind: str | None = None,
    *,
    key: bytes,
    path: str = "",
    today: date | None = None,
    header: HeaderResult | None = None,
) -> ParsedSheet:
    """Validate one raw sheet (see the module docstring for the rules)."""
    today = today or clock.today()
    if kind is not None:
        kind = kind_spec(kind).kind
    hdr = header if header is not None else find_header(sheet, kind)
    out = ParsedSheet(path, sheet.name, kind, format=sheet.format, encoding=sheet.encoding)
    if hdr is None:
        out.rows_total = sum(1 for r in sheet.rows if not _is_blank_row(r))
        what = f"“{SPECS[kind].label}”" if kind else "名册"
        message = f"未找到{what}的表头行（前30行中没有可识别的列名）"
        out.errors.append(Issue(sheet.name, None, None, None, message))
        return out
    assert hdr.kind is not None
    spec = SPECS[hdr.kind]
    out.kind = spec.kind
    out.header_row = hdr.last_row + 1
    _header_warnings(out, hdr)
    mapped = hdr.key_columns()
    out.columns = {k: c.header for k, c in mapped.items()}
    data_rows = range(hdr.data_start, len(sheet.rows))
    if hdr.missing:
        out.rows_total = sum(
            1 for i in data_rows if i in sheet.bad_rows or not _is_blank_row(sheet.rows[i])
        )
        for label in hdr.missing:
            issue = Issue(sheet.name, out.header_row, label, None, f"缺少必填列“{label}”")
            out.errors.append(issue)
        return out
    cols = _columns(spec, mapped)
    _fill_merged(out, sheet, hdr.data_start, cols)
    ctx = RowContext(sheet, spec, cols, today, key, {})
    repeats_header = _header_echo(sheet, hdr, cols)
    bad_rows, notes = sheet.bad_rows, sheet.row_notes
    for i in data_rows:
        row = sheet.rows[i]
        if i in bad_rows:  # the reader could not read it whole: refused by its row number
            out.rows_total += 1
            out.rejected.append(Issue(sheet.name, i + 1, None, None, bad_rows[i]))
            continue
        if i in notes:
            out.warnings.append(Issue(sheet.name, i + 1, None, None, notes[i]))
        lead = _lead(row)
        if lead is _BLANK:
            continue
        if lead is not None and _SKIP_ROW.match(lead):
            continue
        if repeats_header(row):
            continue  # the header repeated (page breaks in exports)
        out.rows_total += 1
        parse_row(out, ctx, row, i + 1)
    if out.rows_total == 0:
        out.warnings.append(Issue(sheet.name, out.header_row, None, None, "表中没有数据行"))
    return out


def _fill_merged(out: ParsedSheet, sheet: RawSheet, data_start: int, cols: list[Col]) -> None:
    """Merged cells below the header (所在党支部 merged over the rows of one branch, as
    government exports do): every row of the range takes the value of its top-left cell, as
    Excel shows it, with a warning naming the rows (issue #18: the rows below lost their
    branch, silently). Only the range's first column is filled: a value is never copied
    sideways into another column."""
    by_index = {c.index: c for c in cols}
    for r0, c0, r1, _c1 in sheet.merged:
        col = by_index.get(c0)
        if r0 < data_start or r1 <= r0 or col is None or r0 >= len(sheet.rows):
            continue
        top = sheet.rows[r0]
        value = top[c0] if c0 < len(top) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        last = min(r1, len(sheet.rows) - 1)
        for r in range(r0 + 1, last + 1):
            row = sheet.rows[r]
            if r in sheet.bad_rows or _is_blank_row(row):
                continue
            if c0 >= len(row):
                row.extend([""] * (c0 + 1 - len(row)))
            row[c0] = value
        message = (
            f"“{col.header}”第 {r0 + 1}–{last + 1} 行是合并单元格，"
            f"已把第 {r0 + 1} 行的值填入这几行，请核对"
        )
        out.warnings.append(Issue(sheet.name, r0 + 1, col.header, show(value, col.spec), message))


def _header_warnings(out: ParsedSheet, hdr: HeaderResult) -> None:
    """Columns the header has that are not used: unknown ones, and a second column of the
    same meaning."""
    for col in hdr.unknown:
        message = f"未识别的列“{col.header}”，已忽略"
        out.warnings.append(Issue(out.sheet, out.header_row, col.header, None, message))
    for first, dup in hdr.duplicates:
        message = f"列“{dup.header}”与“{first.header}”含义相同，已忽略"
        out.warnings.append(Issue(out.sheet, out.header_row, dup.header, None, message))


def _columns(spec: KindSpec, mapped: dict[str, ColumnMap]) -> list[Col]:
    """The sheet's columns with their converters; a key column is required or one of a
    required group (its error rejects the row)."""
    one_of_keys = {k for g in spec.one_of for k in g}
    return [
        Col(
            c.index,
            spec.column(k),
            c.header,
            spec.column(k).required or k in one_of_keys,
            CONVERTERS.get(spec.column(k).type, CONVERTERS["text"]),
        )
        for k, c in mapped.items()
    ]


def _header_echo(
    sheet: RawSheet, hdr: HeaderResult, cols: list[Col]
) -> Callable[[list[Cell]], bool]:
    """A test for a data row that repeats the header (exports repeat it after page breaks):
    the first column's cell as the header row had it, then every column's normalised text."""
    header_texts = {c.index: normalize_header(c.header.split("/")[-1]) for c in cols}
    probe = cols[0]
    probe_text = header_texts[probe.index]
    probe_raw = {
        cell_text(sheet.rows[r][probe.index]).strip()
        for r in (hdr.first_row, hdr.last_row)
        if probe.index < len(sheet.rows[r])
    }

    def repeats_header(row: list[Cell]) -> bool:
        pv = row[probe.index] if probe.index < len(row) else None
        return (
            isinstance(pv, str)
            and pv.strip() in probe_raw
            and normalize_header(pv) == probe_text
            and all(
                normalize_header(row[c.index] if c.index < len(row) else "")
                == header_texts[c.index]
                for c in cols
            )
        )

    return repeats_header


def _is_blank_row(row: list[Cell]) -> bool:
    for c in row:
        if c is None or c == "":
            continue
        if isinstance(c, str) and not c.strip():
            continue
        return False
    return True


def _lead(row: list[Cell]) -> str | None:
    """_BLANK for a blank row; else the first non-blank cell if it is text, else None."""
    for c in row:
        if type(c) is str:
            if not c or c.isspace():
                continue
            return c.strip()
        if c is None:
            continue
        return None
    return _BLANK


__all__ = [
    "Issue",
    "ParsedSheet",
    "Record",
    "parse_file",
    "parse_sheet",
]
