"""Read any roster file into raw sheets: rows of cells exactly as the reader gives them.

The format is sniffed from the first bytes, never from the extension:

=================================  ==================  =================================
first bytes                        format              reader
=================================  ==================  =================================
``PK\\x03\\x04``                      xlsx (ods)          python-calamine (after zip checks)
``D0 CF 11 E0``                    xls                 python-calamine
``<?xml`` + SpreadsheetML ns       spreadsheetml       xml.etree.ElementTree
``<html`` / ``<table``             html                html.parser
anything else                      csv                 csv (utf-8-sig → gb18030 → detect)
=================================  ==================  =================================

Row 0 of every RawSheet is Excel's row 1 (title rows and blank rows above the data are kept),
so ``index + 1`` is the row number the user sees. Numbers stay numbers (int/float), text
stays text; formula cells carry the cached value the file holds, and are never evaluated.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Literal
from xml.etree import ElementTree as ET

from orgraph.roster.errors import RosterFileError

Cell = str | int | float | bool | date | datetime | time | timedelta | None
Format = Literal["xlsx", "xls", "ods", "spreadsheetml", "html", "csv"]
Merge = tuple[int, int, int, int]  # first row, first col, last row, last col (0-based, inclusive)

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# Zip guard: total declared uncompressed size, per-entry ratio, number of entries.
MAX_UNCOMPRESSED = 1024 * 1024 * 1024
MAX_RATIO = 200
RATIO_FLOOR = 10 * 1024 * 1024  # ratio only checked on entries larger than this
MAX_ENTRIES = 10_000


@dataclass(slots=True)
class RawSheet:
    name: str
    rows: list[list[Cell]]
    format: Format
    merged: list[Merge] = field(default_factory=list)
    # (row, col) of formula cells that hold no cached value (xlsx only).
    formula_no_value: frozenset[tuple[int, int]] = frozenset()
    visible: bool = True
    encoding: str | None = None  # text formats: the encoding used to decode
    delimiter: str | None = None  # csv only


def sniff(head: bytes) -> str:
    """Format name from the first bytes (a few KB): xlsx-zip | ole | spreadsheetml | html |
    text. Text detection is lenient; the CSV reader makes the final decision."""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    text = _head_text(head).lstrip().lower()
    if text.startswith("<?xml") or text.startswith("<?mso-application"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in text:
            return "spreadsheetml"
        if "<table" in text or "<html" in text:
            return "html"
        return "xml"
    if text.startswith(
        ("<html", "<!doctype html", "<table", "<meta", "<head", "<body", "<!--")
    ) and ("<table" in text or "<html" in text):
        return "html"
    return "text"


def _head_text(head: bytes) -> str:
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(enc, "ignore")
    if len(head) > 3 and head[1:2] == b"\x00" and head[3:4] == b"\x00":
        return head.decode("utf-16-le", "ignore")
    return head.decode("latin-1")


_OTHER_MAGIC = (
    (b"%PDF", "这是PDF文件，不是表格。请从系统中导出Excel或CSV后再导入"),
    (b"Rar!", "这是RAR压缩包，请解压后导入其中的Excel文件"),
    (b"7z\xbc\xaf\x27\x1c", "这是7z压缩包，请解压后导入其中的Excel文件"),
    (b"\x1f\x8b", "这是gzip压缩文件，请解压后导入"),
    (b"\x89PNG", "这是图片文件，不是表格"),
    (b"\xff\xd8\xff", "这是图片文件，不是表格"),
    (b"{\\rtf", "这是RTF文档，不是表格"),
)


def read_workbook(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[RawSheet]:
    """Read every sheet of a roster file. Raises RosterFileError for a file that cannot be
    read at all."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        msg = f"无法读取文件“{p.name}”：{exc.strerror or exc}"
        raise RosterFileError(msg, path=str(p)) from exc
    if size == 0:
        raise RosterFileError(f"文件“{p.name}”是空文件", path=str(p))
    if size > max_bytes:
        raise RosterFileError(
            f"文件“{p.name}”大小为{size / 1048576:.1f} MB，超过上限"
            f"{max_bytes / 1048576:.0f} MB，请拆分后分批导入",
            path=str(p),
        )
    with p.open("rb") as fh:
        head = fh.read(65536)
    for magic, msg in _OTHER_MAGIC:
        if head.startswith(magic):
            raise RosterFileError(f"“{p.name}”：{msg}", path=str(p))
    kind = sniff(head)
    try:
        if kind == "zip":
            return _read_zip(p)
        if kind == "ole":
            return _read_ole(p)
        data = p.read_bytes()
        if kind == "spreadsheetml":
            return _read_spreadsheetml(p, data)
        if kind == "html":
            return _read_html(p, data)
        if kind == "xml":
            raise RosterFileError(f"“{p.name}”是XML文件，但不是Excel 2003 XML表格", path=str(p))
        return [_read_csv(p, data)]
    except RosterFileError:
        raise
    except MemoryError as exc:
        raise RosterFileError(f"“{p.name}”太大，内存不足，无法读取", path=str(p)) from exc


# ---------------------------------------------------------------------------------------------
# xlsx / ods (zip) and xls (OLE) through calamine


def _check_zip(p: Path) -> Format:
    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise RosterFileError(f"“{p.name}”已损坏，无法作为Excel(.xlsx)打开", path=str(p)) from exc
    with zf:
        infos = zf.infolist()
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
        names = {i.filename for i in infos}
        if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
            if "xl/workbook.bin" in names and "xl/workbook.xml" not in names:
                return "xlsx"  # .xlsb: calamine reads it too
            return "xlsx"
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


def _read_zip(p: Path) -> list[RawSheet]:
    fmt = _check_zip(p)
    sheets = _read_calamine(p, fmt)
    if fmt == "xlsx":
        try:
            missing = _xlsx_formulas_without_value(p)
        except Exception:  # the check is best effort; calamine already read the file
            missing = {}
        for s in sheets:
            s.formula_no_value = frozenset(missing.get(s.name, ()))
    return sheets


def _read_ole(p: Path) -> list[RawSheet]:
    data = p.read_bytes()
    if (
        "EncryptedPackage".encode("utf-16-le") in data
        or "EncryptionInfo".encode("utf-16-le") in data
    ):
        raise RosterFileError(f"“{p.name}”设有打开密码，请取消密码保护后再导入", path=str(p))
    return _read_calamine(p, "xls")


def _read_calamine(p: Path, fmt: Format) -> list[RawSheet]:
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(p))
    except pc.PasswordError as exc:
        raise RosterFileError(f"“{p.name}”设有密码，请取消密码保护后再导入", path=str(p)) from exc
    except Exception as exc:
        raise RosterFileError(
            f"“{p.name}”已损坏或不是有效的Excel文件，无法读取（{_short(exc)}）", path=str(p)
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
                    f"“{p.name}”的工作表“{name}”已损坏，无法读取（{_short(exc)}）", path=str(p)
                ) from exc
            merged = [(a[0], a[1], b[0], b[1]) for a, b in merged_raw]
            out.append(RawSheet(name, rows, fmt, merged, visible=visible.get(name, True)))
    return out


def _short(exc: BaseException) -> str:
    s = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return s[:120]


_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CELL_RE = re.compile(r"([A-Z]+)(\d+)")


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _xlsx_formulas_without_value(p: Path) -> dict[str, set[tuple[int, int]]]:
    """Formula cells with no cached value, per sheet name. Only sheets whose XML contains a
    formula are parsed (a streamed byte search first)."""
    out: dict[str, set[tuple[int, int]]] = {}
    with zipfile.ZipFile(p) as zf:
        wb = ET.fromstring(zf.read("xl/workbook.xml"))
        try:
            rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        except KeyError:
            return out
        targets = {r.get("Id"): r.get("Target", "") for r in rels}
        for sh in wb.iter(f"{_NS_MAIN}sheet"):
            name = sh.get("name", "")
            target = targets.get(sh.get(f"{_NS_REL}id"), "")
            if not target:
                continue
            member = target.lstrip("/") if target.startswith("/") else "xl/" + target
            if member not in zf.namelist() or not _has_formula(zf, member):
                continue
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
                                cells.add((int(m.group(2)) - 1, _col_index(m.group(1))))
                    el.clear()
            if cells:
                out[name] = cells
    return out


def _has_formula(zf: zipfile.ZipFile, member: str) -> bool:
    tail = b""
    with zf.open(member) as fh:
        while chunk := fh.read(1 << 20):
            buf = tail + chunk
            if b"<f>" in buf or b"<f " in buf or b"<x:f" in buf:
                return True
            tail = buf[-4:]
    return False


# ---------------------------------------------------------------------------------------------
# text decoding


def decode_text(data: bytes) -> tuple[str, str]:
    """Bytes → (text, encoding). UTF-16 with BOM; then utf-8-sig (strict); then gb18030
    (a superset of GBK/GB2312); then charset-normalizer."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" not in data[:8192]:
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 4 * 1024 * 1024]).best()
    if best is not None:
        try:
            return data.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    raise UnicodeDecodeError("roster", data[:1], 0, 1, "无法识别的文本编码")


def _decode_or_fail(p: Path, data: bytes) -> tuple[str, str]:
    try:
        return decode_text(data)
    except UnicodeDecodeError as exc:
        raise RosterFileError(
            f"“{p.name}”无法识别文字编码（不是UTF-8或GBK/GB18030），"
            "请另存为“CSV UTF-8”或Excel后再导入",
            path=str(p),
        ) from exc


# ---------------------------------------------------------------------------------------------
# CSV


def sniff_delimiter(lines: list[str]) -> str:
    """Comma, tab or semicolon: the one that splits most of the first lines consistently."""
    best, best_score = ",", (-1, -1)
    for d in (",", "\t", ";"):
        counts = [ln.count(d) for ln in lines if ln.strip()]
        nonzero = [c for c in counts if c > 0]
        if not nonzero:
            continue
        mode = max(set(nonzero), key=nonzero.count)
        score = (nonzero.count(mode), mode)
        if score > best_score:
            best, best_score = d, score
    return best


def _plausible(text: str) -> float:
    """Share of characters that a roster may contain (CJK, ASCII, punctuation, spaces)."""
    if not text:
        return 1.0
    ok = 0
    for ch in text:
        o = ord(ch)
        if (
            0x20 <= o < 0x7F
            or ch in "\t\r\n"
            or 0x3000 <= o <= 0x303F
            or 0x3400 <= o <= 0x9FFF
            or 0xFF00 <= o <= 0xFFEF
            or 0x20000 <= o <= 0x3134F
            or 0x2000 <= o <= 0x206F
            or o in (0xB7, 0xFEFF)
        ):
            ok += 1
    return ok / len(text)


def _not_a_table(p: Path) -> RosterFileError:
    return RosterFileError(
        f"“{p.name}”不是可识别的表格文件（不是Excel、CSV或网页表格）", path=str(p)
    )


def _decode_csv(p: Path, data: bytes) -> tuple[str, str]:
    head = data[:8192]
    has_bom = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in head and not has_bom:
        # UTF-16 without a BOM, or binary data.
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _plausible(text[:20000]) >= 0.95:
                return text, enc
        raise _not_a_table(p)
    text, enc = _decode_or_fail(p, data)
    sample = text[:20000]
    if "\x00" in sample or _plausible(sample) < 0.6:
        raise _not_a_table(p)
    return text, enc


def _read_csv(p: Path, data: bytes) -> RawSheet:
    text, enc = _decode_csv(p, data)
    text = text.lstrip("\ufeff")
    first_lines = text[:65536].splitlines()[:30]
    delim = sniff_delimiter(first_lines)
    try:
        rows: list[list[Cell]] = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))  # type: ignore[arg-type]
    except csv.Error as exc:
        raise RosterFileError(f"“{p.name}”的CSV格式有误：{exc}", path=str(p)) from exc
    return RawSheet(p.stem or "CSV", rows, "csv", encoding=enc, delimiter=delim)


# ---------------------------------------------------------------------------------------------
# SpreadsheetML 2003 ("fake .xls" from Java/.NET systems)

_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.S)
_XML_ENC = re.compile(rb"^\s*(?:\xef\xbb\xbf)?<\?xml[^>]*encoding=[\"']([A-Za-z0-9_\-]+)[\"']")


def _read_spreadsheetml(p: Path, data: bytes) -> list[RawSheet]:
    if b"<!ENTITY" in data[:65536] or b"<!entity" in data[:65536]:
        raise RosterFileError(f"“{p.name}”包含不允许的XML实体声明，已拒绝读取", path=str(p))
    m = _XML_ENC.match(data)
    declared = m.group(1).decode("ascii").lower() if m else "utf-8"
    if declared in ("gb2312", "gbk", "gb18030", "cp936"):
        text = data.decode("gb18030", "replace")
    else:
        text, _ = _decode_or_fail(p, data)
    text = _XML_DECL.sub("", text.lstrip("\ufeff"), count=1)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise RosterFileError(f"“{p.name}”的XML表格已损坏（{exc}）", path=str(p)) from exc
    sheets: list[RawSheet] = []
    for ws in root.iter(f"{_SS}Worksheet"):
        name = ws.get(f"{_SS}Name") or f"Sheet{len(sheets) + 1}"
        rows: list[list[Cell]] = []
        merged: list[Merge] = []
        table = ws.find(f"{_SS}Table")
        if table is not None:
            r = -1
            for row in table.iter(f"{_SS}Row"):
                idx = row.get(f"{_SS}Index")
                r = int(idx) - 1 if idx else r + 1
                while len(rows) <= r:
                    rows.append([])
                cells = rows[r]
                c = -1
                for cell in row.findall(f"{_SS}Cell"):
                    cidx = cell.get(f"{_SS}Index")
                    c = int(cidx) - 1 if cidx else c + 1
                    while len(cells) <= c:
                        cells.append("")
                    d = cell.find(f"{_SS}Data")
                    cells[c] = _ss_value(d)
                    across = int(cell.get(f"{_SS}MergeAcross") or 0)
                    down = int(cell.get(f"{_SS}MergeDown") or 0)
                    if across or down:
                        merged.append((r, c, r + down, c + across))
                    c += across
        _pad(rows)
        sheets.append(RawSheet(name, rows, "spreadsheetml", merged))
    if not sheets:
        raise RosterFileError(f"“{p.name}”中没有工作表", path=str(p))
    return sheets


def _ss_value(d: ET.Element | None) -> Cell:
    if d is None:
        return ""
    text = "".join(d.itertext())
    typ = d.get(f"{_SS}Type", "String")
    if typ == "Number":
        t = text.strip()
        try:
            return int(t) if re.fullmatch(r"-?\d+", t) else float(t)
        except ValueError:
            return text
    if typ == "Boolean":
        return text.strip() in ("1", "true", "TRUE")
    if typ == "DateTime":
        try:
            dt = datetime.fromisoformat(text.strip())
        except ValueError:
            return text
        return dt.date() if dt.time() == time() else dt
    return text


def _pad(rows: list[list[Cell]]) -> None:
    width = max((len(r) for r in rows), default=0)
    for r in rows:
        if len(r) < width:
            r.extend([""] * (width - len(r)))


# ---------------------------------------------------------------------------------------------
# HTML tables ("fake .xls")

_META_CHARSET = re.compile(rb"charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-]+)", re.I)


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[list[list[str]], list[Merge]]] = []
        self._stack: list[tuple[list[list[str]], list[Merge], dict[tuple[int, int], str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = (1, 1)

    # grid helpers: cells occupied by an earlier rowspan are pre-filled
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._close_cell()
            self._stack.append(([], [], {}))
        elif not self._stack:
            return
        elif tag == "tr":
            self._close_cell()
            self._close_row()
            self._row = []
        elif tag in ("td", "th"):
            self._close_cell()
            if self._row is None:
                self._row = []
            a = dict(attrs)
            self._span = (_int_attr(a.get("rowspan")), _int_attr(a.get("colspan")))
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            return
        if tag in ("td", "th"):
            self._close_cell()
        elif tag == "tr":
            self._close_cell()
            self._close_row()
        elif tag == "table":
            self._close_cell()
            self._close_row()
            rows, merged, _ = self._stack.pop()
            self.tables.append((rows, merged))

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def _close_cell(self) -> None:
        if self._cell is None or self._row is None or not self._stack:
            self._cell = None
            return
        rows, merged, occupied = self._stack[-1]
        r = len(rows)
        c = len(self._row)
        while (r, c) in occupied:
            self._row.append(occupied.pop((r, c)))
            c += 1
        text = " ".join(" ".join(self._cell).split())
        rs, cs = self._span
        self._row.append(text)
        for _k in range(1, cs):
            self._row.append("")
        if rs > 1 or cs > 1:
            merged.append((r, c, r + rs - 1, c + cs - 1))
            for dr in range(1, rs):
                for dc in range(cs):
                    occupied[(r + dr, c + dc)] = ""
        self._cell = None

    def _close_row(self) -> None:
        if self._row is None or not self._stack:
            self._row = None
            return
        rows, _, occupied = self._stack[-1]
        r = len(rows)
        c = len(self._row)
        while (r, c) in occupied:
            self._row.append(occupied.pop((r, c)))
            c += 1
        rows.append(self._row)
        self._row = None


def _int_attr(v: str | None) -> int:
    try:
        return max(1, min(int((v or "1").strip()), 1000))
    except ValueError:
        return 1


def _read_html(p: Path, data: bytes) -> list[RawSheet]:
    m = _META_CHARSET.search(data[:4096])
    enc = m.group(1).decode("ascii").lower() if m else None
    text: str
    if enc in ("gb2312", "gbk", "gb18030", "cp936", "x-gbk"):
        text, enc = data.decode("gb18030", "replace"), "gb18030"
    else:
        text, enc = _decode_or_fail(p, data)
    parser = _TableParser()
    try:
        parser.feed(text)
        parser.close()
    except Exception as exc:  # html.parser is lenient; anything here is real corruption
        msg = f"“{p.name}”的网页表格无法解析（{_short(exc)}）"
        raise RosterFileError(msg, path=str(p)) from exc
    tables = [t for t in parser.tables if t[0]]
    if not tables:
        raise RosterFileError(f"“{p.name}”是网页文件，但其中没有表格", path=str(p))
    sheets: list[RawSheet] = []
    for i, (rows, merged) in enumerate(tables):
        cells: list[list[Cell]] = [list(r) for r in rows]
        _pad(cells)
        name = p.stem if len(tables) == 1 else f"{p.stem}-表{i + 1}"
        sheets.append(RawSheet(name, cells, "html", merged, encoding=enc))
    return sheets
