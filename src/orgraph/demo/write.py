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


# --------------------------------------------------------------------------- fast XLSX

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PNS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_EPOCH = date(1899, 12, 30)
# cellXfs of _STYLES: 0 plain, 1 date, 2 bold (header), 3 title (bold 14, centred), 4 text '@'
_DATE, _BOLD, _TITLE, _TEXT = 1, 2, 3, 4
_STYLES = (
    f'<styleSheet xmlns="{_NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b val="1"/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b val="1"/><sz val="14"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/>'
    "</fill></fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" '
    'applyAlignment="1"><alignment horizontal="center"/></xf>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _x(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(ref: str, v: Cell, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if isinstance(v, datetime):
        v = v.date()
    if isinstance(v, date):
        return f'<c r="{ref}" s="{_DATE}"><v>{(v - _EPOCH).days}</v></c>'
    if isinstance(v, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(v)}</v></c>'
    if isinstance(v, int | float):
        return f'<c r="{ref}"{s}><v>{v!r}</v></c>'
    text = str(v)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_x(text)}</t></is></c>'


def write_xlsx_fast(path: Path, spec: Sheet) -> int:
    """One sheet, as `write_xlsx` lays it out (title, header, 序号, text columns, widths), the
    XML written directly: ten times faster than openpyxl for a sheet of many rows (the
    meetings ledger), byte-stable the same way. Returns the number of data rows."""
    cols = (["序号"] if spec.serial else []) + list(spec.header)
    letters = [get_column_letter(k) for k in range(1, len(cols) + 1)]
    text_idx = {cols.index(c) for c in spec.text_columns}
    parts: list[str] = []
    r = 0
    if spec.title:
        r += 1
        parts.append(f'<row r="{r}">{_cell(f"A{r}", spec.title, _TITLE)}</row>')
    r += 1
    parts.append(
        f'<row r="{r}">'
        + "".join(_cell(f"{letters[k]}{r}", name, _BOLD) for k, name in enumerate(cols))
        + "</row>"
    )
    n = 0
    for row in spec.rows:
        n += 1
        r += 1
        values: list[Cell] = [n, *row] if spec.serial else list(row)
        cells = [
            _cell(f"{letters[k]}{r}", v, _TEXT if k in text_idx and isinstance(v, str) else 0)
            for k, v in enumerate(values)
            if v is not None and v != ""
        ]
        parts.append(f'<row r="{r}">{"".join(cells)}</row>')
    width = spec.widths or {}
    widths = "".join(
        f'<col min="{k}" max="{k}" width="{width.get(c, max(8.0, 2.2 * len(c) + 2))}" '
        'customWidth="1"/>'
        for k, c in enumerate(cols, start=1)
    )
    merge = (
        f'<mergeCells count="1"><mergeCell ref="A1:{letters[-1]}1"/></mergeCells>'
        if spec.title
        else ""
    )
    sheet = (
        f'{_XML}<worksheet xmlns="{_NS}" xmlns:r="{_RNS}">'
        f'<dimension ref="A1:{letters[-1]}{r}"/><cols>{widths}</cols>'
        f"<sheetData>{''.join(parts)}</sheetData>{merge}</worksheet>"
    )
    stamp = FIXED_TIME.isoformat() + "Z"
    files = {
        "[Content_Types].xml": (
            f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            f'ContentType="{_CT}.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{_CT}.spreadsheetml.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'{_XML}<Relationships xmlns="{_PNS}">'
            f'<Relationship Id="rId1" Type="{_RNS}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
            'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            "</Relationships>"
        ),
        "docProps/core.xml": (
            f"{_XML}<cp:coreProperties "
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            "<dc:creator>orgraph demo</dc:creator>"
            "<cp:lastModifiedBy>orgraph demo</cp:lastModifiedBy>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
            "</cp:coreProperties>"
        ),
        "xl/workbook.xml": (
            f'{_XML}<workbook xmlns="{_NS}" xmlns:r="{_RNS}"><sheets>'
            f'<sheet name="{_x(spec.name)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{_XML}<Relationships xmlns="{_PNS}">'
            f'<Relationship Id="rId1" Type="{_RNS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_RNS}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": _XML + _STYLES,
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, text in files.items():
            zi = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            out.writestr(zi, text.encode("utf-8"), compresslevel=6)
    return n
