"""Excel workbooks through python-calamine: xlsx (and xlsb, ods) after zip checks, real xls
(OLE). Formula cells carry the cached value the file holds and are never evaluated; for xlsx
the formula cells without one are listed, so the validator can say why a cell is empty."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from orgraph.roster.errors import RosterFileError
from orgraph.roster.readers.sheet import (
    Cell,
    Format,
    RawSheet,
    column_number,
    short_error,
    sparse_message,
    too_sparse,
)

# Zip guard: total declared uncompressed size, per-entry ratio, number of entries.
MAX_UNCOMPRESSED = 1024 * 1024 * 1024
MAX_RATIO = 200
RATIO_FLOOR = 10 * 1024 * 1024  # ratio only checked on entries larger than this
MAX_ENTRIES = 10_000


# Extent guard: calamine materialises every sheet as a dense rows × columns range from A1 to
# its furthest cell; a 5 KB xlsx with cells at XFD1 and A200000 asked for 3.3 billion cells and
# aborted the process (a Rust allocation failure no except catches). Such a sheet
# (sheet.too_sparse) is refused first.
_CHUNK = 4 << 20
_CELL_COL = re.compile(rb'<(?:[A-Za-z]+:)?c\b[^>]*?\sr="([A-Z]{1,4})')
_ROW_NUM = re.compile(rb'<(?:[A-Za-z]+:)?row\b[^>]*?\sr="([0-9]{1,9})"')
_ROW_TAG = re.compile(rb"<(?:[A-Za-z]+:)?row[\s>]")


def read_zip(p: Path) -> list[RawSheet]:
    """An xlsx/xlsb/ods file (a zip): every sheet."""
    fmt = check_zip(p)
    if fmt == "xlsx":
        check_extent(p)
    sheets = read_calamine(p, fmt)
    if fmt == "xlsx":
        try:
            missing = xlsx_formulas_without_value(p)
        except Exception:  # the check is best effort; calamine already read the file
            missing = {}
        for s in sheets:
            s.formula_no_value = frozenset(missing.get(s.name, ()))
    return sheets


def read_ole(p: Path) -> list[RawSheet]:
    """A real .xls (an OLE compound file): every sheet."""
    data = p.read_bytes()
    if (
        "EncryptedPackage".encode("utf-16-le") in data
        or "EncryptionInfo".encode("utf-16-le") in data
    ):
        raise RosterFileError(f"“{p.name}”设有打开密码，请取消密码保护后再导入", path=str(p))
    return read_calamine(p, "xls")


def check_zip(p: Path) -> Format:
    """The workbook format of a zip, after refusing zip bombs and other office files."""
    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise RosterFileError(f"“{p.name}”已损坏，无法作为Excel(.xlsx)打开", path=str(p)) from exc
    with zf:
        infos = zf.infolist()
        _check_entries(p, infos)
        names = {i.filename for i in infos}
        if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
            return "xlsx"  # .xlsb (workbook.bin only) too: calamine reads it
        if "content.xml" in names and any(n == "mimetype" for n in names):
            mt = zf.read("mimetype")[:100]
            if b"spreadsheet" in mt:
                return "ods"
        if "word/document.xml" in names:
            raise RosterFileError(f"“{p.name}”是Word文档，不是Excel表格", path=str(p))
        if "ppt/presentation.xml" in names:
            raise RosterFileError(f"“{p.name}”是PPT演示文稿，不是Excel表格", path=str(p))
        if "EncryptedPackage" in names:
            raise RosterFileError(f"“{p.name}”设有密码，请取消密码保护后再导入", path=str(p))
        raise RosterFileError(
            f"“{p.name}”是ZIP压缩包，不是Excel工作簿(.xlsx)。请解压后导入其中的表格文件",
            path=str(p),
        )


def _check_entries(p: Path, infos: list[zipfile.ZipInfo]) -> None:
    if not infos:
        raise RosterFileError(f"“{p.name}”是空的压缩包，不是Excel文件", path=str(p))
    if len(infos) > MAX_ENTRIES:
        raise RosterFileError(f"“{p.name}”包含的文件过多，疑似异常文件，已拒绝", path=str(p))
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > MAX_UNCOMPRESSED or (info.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
            raise RosterFileError(
                f"“{p.name}”解压后体积异常（疑似压缩炸弹），已拒绝读取", path=str(p)
            )


def read_calamine(p: Path, fmt: Format) -> list[RawSheet]:
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(p))
    except pc.PasswordError as exc:
        raise RosterFileError(f"“{p.name}”设有密码，请取消密码保护后再导入", path=str(p)) from exc
    except Exception as exc:
        raise RosterFileError(
            f"“{p.name}”已损坏或不是有效的Excel文件，无法读取（{short_error(exc)}）", path=str(p)
        ) from exc
    out: list[RawSheet] = []
    with wb:
        visible = {m.name: m.visible == pc.SheetVisibleEnum.Visible for m in wb.sheets_metadata}
        for name in wb.sheet_names:
            try:
                sheet = wb.get_sheet_by_name(name)
                rows: list[list[Cell]] = sheet.to_python(skip_empty_area=False)  # type: ignore[assignment]
                merged_raw = sheet.merged_cell_ranges or []
            except pc.PasswordError as exc:
                raise RosterFileError(
                    f"“{p.name}”设有密码，请取消密码保护后再导入", path=str(p)
                ) from exc
            except Exception as exc:
                raise RosterFileError(
                    f"“{p.name}”的工作表“{name}”已损坏，无法读取（{short_error(exc)}）",
                    path=str(p),
                ) from exc
            merged = [(a[0], a[1], b[0], b[1]) for a, b in merged_raw]
            out.append(RawSheet(name, rows, fmt, merged, visible=visible.get(name, True)))
    return out


_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CELL_RE = re.compile(r"([A-Z]+)(\d+)")


def xlsx_formulas_without_value(p: Path) -> dict[str, set[tuple[int, int]]]:
    """Formula cells with no cached value, per sheet name. Only sheets whose XML contains a
    formula are parsed (a streamed byte search first)."""
    out: dict[str, set[tuple[int, int]]] = {}
    with zipfile.ZipFile(p) as zf:
        for name, member in _sheet_members(zf):
            if not _has_formula(zf, member):
                continue
            cells = _formulas_without_value(zf, member)
            if cells:
                out[name] = cells
    return out


def _formulas_without_value(zf: zipfile.ZipFile, member: str) -> set[tuple[int, int]]:
    cells: set[tuple[int, int]] = set()
    with zf.open(member) as fh:
        for _ev, el in ET.iterparse(fh):
            if el.tag != f"{_NS_MAIN}c":
                continue
            f = el.find(f"{_NS_MAIN}f")
            if f is not None:
                v = el.find(f"{_NS_MAIN}v")
                is_ = el.find(f"{_NS_MAIN}is")
                if (v is None or not (v.text or "")) and is_ is None:
                    m = _CELL_RE.match(el.get("r", ""))
                    if m:
                        cells.add((int(m.group(2)) - 1, column_number(m.group(1)) - 1))
            el.clear()
    return cells


def check_extent(p: Path) -> None:
    """Refuse, naming the sheet and its furthest row and column, a worksheet whose dense range
    is absurd for the cells it holds (see MAX_DENSE_CELLS). Streams each sheet's XML."""
    with zipfile.ZipFile(p) as zf:
        for name, member in _sheet_members(zf):
            cells, last_row, last_col = _extent(zf, member)
            width = column_number(last_col) if last_col else 0
            if too_sparse(cells, last_row, width):
                raise RosterFileError(
                    sparse_message(p.name, name, cells, last_row, last_col), path=str(p)
                )


def _sheet_members(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, zip member) of every worksheet, in workbook order."""
    try:
        wb = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return []  # calamine says what is wrong with such a file
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    names = set(zf.namelist())
    out = []
    for sh in wb.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sh.get(f"{_NS_REL}id"), "")
        member = target.lstrip("/") if target.startswith("/") else "xl/" + target
        if target and member in names:
            out.append((sh.get("name", ""), member))
    return out


def _extent(zf: zipfile.ZipFile, member: str) -> tuple[int, int, str]:
    """(cells, last row number, last column letters) of a worksheet's XML, streamed."""
    cells, last_row, rows, widest = 0, 0, 0, ""
    carry = b""
    with zf.open(member) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            buf = carry + chunk
            cut = buf.rfind(b"<") if chunk else len(buf)
            part, carry = (buf[:cut], buf[cut:]) if cut > 0 else (buf, b"")
            cols = _CELL_COL.findall(part)
            cells += len(cols)
            for c in set(cols):
                if (len(c), c) > (len(widest), widest.encode()):
                    widest = c.decode()
            nums = _ROW_NUM.findall(part)
            if nums:
                last_row = max(last_row, max(int(n) for n in nums))
            rows += len(_ROW_TAG.findall(part))
            if not chunk:
                break
    return cells, max(last_row, rows), widest


def _has_formula(zf: zipfile.ZipFile, member: str) -> bool:
    tail = b""
    with zf.open(member) as fh:
        while chunk := fh.read(1 << 20):
            buf = tail + chunk
            if b"<f>" in buf or b"<f " in buf or b"<x:f" in buf:
                return True
            tail = buf[-4:]
    return False
