"""Write rosters the way a county hands them over: XLSX (write-only, byte-stable) and CSV."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

FIXED_TIME = datetime(2026, 1, 1, 8, 0, 0)
_ZIP_TIME = (2026, 1, 1, 8, 0, 0)

Cell = Any


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: optional merged title row, header, rows (see `write_xlsx`)."""

    name: str
    header: Sequence[str]
    rows: Iterable[Sequence[Cell]]
    title: str | None = None
    serial: bool = False
    text_columns: Sequence[str] = ()
    widths: dict[str, float] | None = None


def write_xlsx(
    path: Path,
    sheet: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    title: str | None = None,
    serial: bool = False,
    text_columns: Sequence[str] = (),
    widths: dict[str, float] | None = None,
) -> int:
    """One sheet: optional merged title row, header, rows. Returns the number of data rows.

    Columns named in `text_columns` are written as strings in text format ('@'), so ID and
    phone numbers keep every digit when someone edits the file in Excel. A `序号` column
    (1, 2, ... per sheet) comes first when `serial` is set.
    """
    return write_xlsx_sheets(
        path,
        [
            Sheet(
                sheet,
                header,
                rows,
                title=title,
                serial=serial,
                text_columns=text_columns,
                widths=widths,
            )
        ],
    )[0]


def write_xlsx_sheets(path: Path, sheets: Sequence[Sheet]) -> list[int]:
    """Several sheets, in order, into one workbook. Returns the data rows of each sheet."""
    wb = Workbook(write_only=True)
    counts = [_fill(wb, s) for s in sheets]
    save_stable(wb, path)
    return counts


def _fill(wb: Workbook, spec: Sheet) -> int:
    ws = wb.create_sheet(spec.name)
    cols = (["序号"] if spec.serial else []) + list(spec.header)
    text_idx = {cols.index(c) for c in spec.text_columns}
    for k, name in enumerate(cols, start=1):
        w = (spec.widths or {}).get(name, max(8.0, 2.2 * len(name) + 2))
        ws.column_dimensions[get_column_letter(k)].width = w
    if spec.title:
        ws.merged_cells.add(f"A1:{get_column_letter(len(cols))}1")
        tc = WriteOnlyCell(ws, value=spec.title)
        tc.font = Font(bold=True, size=14)
        tc.alignment = Alignment(horizontal="center")
        ws.append([tc])
    head = []
    for name in cols:
        hc = WriteOnlyCell(ws, value=name)
        hc.font = Font(bold=True)
        head.append(hc)
    ws.append(head)
    n = 0
    for row in spec.rows:
        n += 1
        values: list[Cell] = [n, *row] if spec.serial else list(row)
        for k in text_idx:
            v = values[k]
            if isinstance(v, str) and v:
                tc = WriteOnlyCell(ws, value=v)
                tc.number_format = "@"
                values[k] = tc
        ws.append([None if v == "" else v for v in values])
    return n


def save_stable(wb: Workbook, path: Path) -> None:
    """Save with fixed document properties and zip timestamps: same content, same bytes."""
    wb.properties.creator = "orgraph demo"
    wb.properties.lastModifiedBy = "orgraph demo"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    archive = zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED, allowZip64=True)
    ExcelWriter(wb, archive).save()  # closes the archive
    buf.seek(0)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            out.writestr(zi, src.read(info.filename), compresslevel=6)


def csv_cell(v: Cell) -> str:
    if v is None:
        return ""
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float):
        return f"{v:.6f}"
    return str(v)


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Cell]], *, encoding: str
) -> int:
    """CSV with CRLF line ends (as Excel writes them). Returns the number of data rows."""
    n = 0
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(header)
        for row in rows:
            w.writerow([csv_cell(v) for v in row])
            n += 1
    return n
