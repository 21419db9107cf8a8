"""CSV (and tab- or semicolon-separated text): one sheet, named after the file.

A damaged line costs its own row, never the file (issue #18, docs/design.md#rosters): the text
is decoded line by line when the file as a whole is not one encoding (a GBK row in a UTF-8
file, a BOM followed by GBK, a NUL byte), and a quote that is never closed is found and the
reading goes on from the next line. Such rows go to ``RawSheet.bad_rows`` with the reason;
the validator rejects them by the row number the user sees.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from pathlib import Path

from orgraph.roster.errors import RosterFileError
from orgraph.roster.idnumber import scrub
from orgraph.roster.readers.sheet import MAX_CELL_CHARS, Cell, RawSheet, flag_row
from orgraph.roster.readers.text import decode_or_fail, line_kind, plausible

# The csv module's own limit (128 KB a field) raised csv.Error and lost the whole file; a field
# is now read whole and an overlong cell is refused by its row (sheet.MAX_CELL_CHARS).
csv.field_size_limit(2**31 - 1)

_ENC_ZH = {"utf-8": "UTF-8", "gb18030": "GBK/GB18030"}


def read_csv(p: Path, data: bytes) -> RawSheet:
    lines, enc, bad_lines, notes = _decode_csv(p, data)
    if lines:
        lines[0] = lines[0].lstrip("\ufeff")
    delim, width = sniff_delimiter_width([ln.rstrip("\r\n") for ln in lines[:30]])
    rows, bad_rows, row_notes = _parse(lines, delim, width, bad_lines, notes)
    return RawSheet(
        p.stem or "CSV",
        rows,
        "csv",
        encoding=enc,
        delimiter=delim,
        bad_rows=bad_rows,
        row_notes=row_notes,
        cells_checked=True,  # _parse flags overlong cells; a NUL never gets past decoding
    )


def sniff_delimiter(lines: list[str]) -> str:
    """Comma, tab or semicolon: the one that splits most of the first lines consistently."""
    return sniff_delimiter_width(lines)[0]


def sniff_delimiter_width(lines: list[str]) -> tuple[str, int]:
    """The delimiter (see :func:`sniff_delimiter`) and the usual number of fields a line has
    (1 when no delimiter splits the lines)."""
    best, best_score = ",", (-1, -1)
    for d in (",", "\t", ";"):
        counts = [ln.count(d) for ln in lines if ln.strip()]
        nonzero = [c for c in counts if c > 0]
        if not nonzero:
            continue
        mode = max(set(nonzero), key=lambda c: (nonzero.count(c), c))  # a tie: the wider
        score = (nonzero.count(mode), mode)
        if score > best_score:
            best, best_score = d, score
    return best, max(best_score[1], 0) + 1


# ---- records: a runaway quote costs its own row


def _parse(
    lines: list[str],
    delim: str,
    width: int,
    bad_lines: dict[int, str],
    notes: dict[int, str],
) -> tuple[list[list[Cell]], dict[int, str], dict[int, str]]:
    """Lines → rows. Row k is the k-th record (a quoted cell may span lines, as in Excel). A
    record that a quote opened and never closed swallows the lines after it; it is refused by
    its first line and reading starts again on the next line. Issues of a line go to its
    record."""
    if not any('"' in ln for ln in lines):  # no quote: one line, one record (the usual case)
        rows: list[list[Cell]] = list(csv.reader(lines, delimiter=delim))  # type: ignore[arg-type]
        bad_rows = dict(bad_lines)
        for r in bad_rows:
            rows[r] = []
        for r, ln in enumerate(lines):
            if len(ln) > MAX_CELL_CHARS and r not in bad_rows:
                flag_row(bad_rows, r, rows[r])
        return rows, bad_rows, {r: m for r, m in notes.items() if r not in bad_rows}
    rows = []
    bad_rows = {}
    row_notes: dict[int, str] = {}
    pos = 0
    n = len(lines)
    while pos < n:
        reader = csv.reader(_lines_from(lines, pos), delimiter=delim)
        start = pos
        restart = False
        for rec in reader:
            end = pos + reader.line_num  # lines [start, end) made this record
            r = len(rows)
            if end - start > 1 and _runaway(rec, lines, start, end, delim, width):
                rows.append([])
                bad_rows[r] = (
                    f"本行有未闭合的引号（单元格“{_opened_cell(lines[start], delim)}”），"
                    "其后各行被并入同一个单元格；本行未导入，已从下一行接着读取"
                )
                pos = start + 1
                restart = True
                break
            rows.append(rec)  # type: ignore[arg-type]
            if end - start > 1 or len(lines[start]) > MAX_CELL_CHARS:
                flag_row(bad_rows, r, rows[r])
            for i in range(start, end):
                if i in bad_lines and r not in bad_rows:
                    bad_rows[r] = bad_lines[i]
                    rows[r] = []
                elif i in notes and r not in row_notes:
                    row_notes[r] = notes[i]
            start = end
        if not restart:
            break
    return rows, bad_rows, row_notes


def _lines_from(lines: list[str], pos: int) -> Iterator[str]:
    for i in range(pos, len(lines)):
        yield lines[i]


def _runaway(
    rec: list[str], lines: list[str], start: int, end: int, delim: str, width: int
) -> bool:
    """A record over several lines is a runaway quote, not a cell with line breaks, when it has
    not the fields a row has, or when a line it swallowed whole (not its first, where the quote
    opened, nor its last, where it closed: a first-column cell's break puts a row's delimiters
    there) is a whole row by itself."""
    if width < 2:
        return False
    if len(rec) < width:
        return True
    return any(lines[i].count(delim) >= width - 1 for i in range(start + 1, end - 1))


def _opened_cell(line: str, delim: str) -> str:
    """The cell whose quote never closed, as far as the first line shows it (up to the next
    delimiter, 20 characters, any ID number masked): what the user looks for in the file."""
    at = line.find('"')
    text = line[at:] if at >= 0 else line
    text = text.split(delim, 1)[0].strip()
    return scrub(text[:20]) + ("…" if len(text) > 20 else "")


# ---- decoding: a line in another encoding, or with a NUL byte, costs its own row


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def split_lines(text: str) -> list[str]:
    """Lines with their ends, split where the csv module splits them (CR, LF, CRLF; not at
    the other breaks str.splitlines knows, which may sit inside a cell)."""
    return _LINE.findall(text)


def _not_a_table(p: Path) -> RosterFileError:
    return RosterFileError(
        f"“{p.name}”不是可识别的表格文件（不是Excel、CSV或网页表格）", path=str(p)
    )


def _decode_csv(p: Path, data: bytes) -> tuple[list[str], str, dict[int, str], dict[int, str]]:
    """(lines with their ends, encoding, bad lines by index → why, lines to check → why).
    Anything the sniffer did not recognise ends up here: text that decodes but is mostly not
    roster characters is another kind of file, not a CSV."""
    head = data[:8192]
    has_bom = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in head and not has_bom:
        # UTF-16 without a BOM; else binary data, or text with a stray NUL (by line, below).
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if plausible(text[:20000]) >= 0.95:
                return split_lines(text), enc, {}, {}
    if has_bom:
        text, enc = decode_or_fail(p, data)
        return _checked(p, split_lines(text), enc, {}, {})
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    if b"\x00" not in body:
        try:
            return _checked(p, split_lines(body.decode("utf-8")), "utf-8", {}, {})
        except UnicodeDecodeError:
            pass
    return _by_line(p, data, body)


def _by_line(
    p: Path, data: bytes, body: bytes
) -> tuple[list[str], str, dict[int, str], dict[int, str]]:
    """Decode each line as UTF-8 or GB18030, the file's encoding being the one most lines
    with Chinese need; a line in the other one is read with a warning, a line in neither or
    with a NUL byte is a bad line."""
    raw = body.splitlines(keepends=True)
    kinds = [line_kind(ln) for ln in raw]
    utf8, gbk, bad = kinds.count("utf-8"), kinds.count("gb18030"), kinds.count("?")
    nul = kinds.count("nul")
    if utf8 == 0 and nul == 0 and bad == 0:  # GBK throughout (the lines are decoded already)
        return _checked(p, [ln.decode("gb18030") for ln in raw], "gb18030", {}, {})
    if utf8 == 0 and nul == 0 and (gbk == 0 or bad > gbk):
        # Not a mix: one encoding throughout (a rarer one charset detection knows).
        text, enc = decode_or_fail(p, data)
        return _checked(p, split_lines(text.lstrip("\ufeff")), enc, {}, {})
    if nul + bad > len(raw) / 2:
        raise _not_a_table(p)
    main = "utf-8" if utf8 >= gbk else "gb18030"
    lines: list[str] = []
    bad_lines: dict[int, str] = {}
    notes: dict[int, str] = {}
    for i, (ln, kind) in enumerate(zip(raw, kinds, strict=True)):
        if kind == "nul":
            lines.append("\n")
            bad_lines[i] = "本行含有空字符（NUL），文件可能已损坏；本行未导入，请核对后重新录入"
        elif kind == "?":
            lines.append("\n")
            bad_lines[i] = (
                f"本行的文字无法按{_ENC_ZH[main]}或其他常用编码识别；本行未导入，请核对后重新录入"
            )
        else:
            enc = "utf-8" if kind == "ascii" else kind
            lines.append(ln.decode(enc))
            if kind not in ("ascii", main):
                notes[i] = (
                    f"本行的文字编码（{_ENC_ZH[kind]}）与文件其余各行（{_ENC_ZH[main]}）不同，"
                    "已按本行的编码读取，请核对"
                )
    return _checked(p, lines, main, bad_lines, notes)


def _checked(
    p: Path, lines: list[str], enc: str, bad_lines: dict[int, str], notes: dict[int, str]
) -> tuple[list[str], str, dict[int, str], dict[int, str]]:
    sample = "".join(ln for i, ln in enumerate(lines[:2000]) if i not in bad_lines)[:20000]
    if "\x00" in sample or plausible(sample) < 0.6:
        raise _not_a_table(p)
    return lines, enc, bad_lines, notes
