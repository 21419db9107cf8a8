"""Read any roster file into raw sheets: rows of cells exactly as the reader gives them.

The format is sniffed from the first bytes, never from the extension:

==============================  ==============  ==============================================
first bytes                     format          module (reader)
==============================  ==============  ==============================================
``PK\\x03\\x04``                xlsx (ods)      excel (python-calamine, after zip checks)
``D0 CF 11 E0``                 xls             excel (python-calamine)
``<?xml`` + SpreadsheetML ns    spreadsheetml   spreadsheetml (xml.etree.ElementTree)
``<html`` / ``<table``          html            html_table (html.parser)
anything else                   csv             delimited (csv: utf-8-sig → gb18030 → detect)
==============================  ==============  ==============================================

Row 0 of every RawSheet is Excel's row 1 (title rows and blank rows above the data are kept),
so ``index + 1`` is the row number the user sees. Numbers stay numbers (int/float), text
stays text; formula cells carry the cached value the file holds, and are never evaluated.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from orgraph.roster.errors import RosterFileError
from orgraph.roster.readers.delimited import read_csv
from orgraph.roster.readers.excel import read_ole, read_zip
from orgraph.roster.readers.html_table import read_html
from orgraph.roster.readers.sheet import Cell, Format, Merge, RawSheet, flag_bad_cells
from orgraph.roster.readers.spreadsheetml import read_spreadsheetml

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


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
        sheets = _read_as(p, kind)
        for s in sheets:
            flag_bad_cells(s)
        return sheets
    except RosterFileError:
        raise
    except MemoryError as exc:
        raise RosterFileError(f"“{p.name}”太大，内存不足，无法读取", path=str(p)) from exc


def _read_as(p: Path, kind: str) -> list[RawSheet]:
    if kind == "zip":
        return read_zip(p)
    if kind == "ole":
        return read_ole(p)
    data = p.read_bytes()
    if kind == "spreadsheetml":
        return read_spreadsheetml(p, data)
    if kind == "html":
        return read_html(p, data)
    if kind == "xml":
        raise RosterFileError(f"“{p.name}”是XML文件，但不是Excel 2003 XML表格", path=str(p))
    return [read_csv(p, data)]


__all__ = [
    "DEFAULT_MAX_BYTES",
    "Cell",
    "Format",
    "Merge",
    "RawSheet",
    "read_workbook",
    "sniff",
]
