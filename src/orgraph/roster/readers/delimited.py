"""CSV (and tab- or semicolon-separated text): one sheet, named after the file."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from orgraph.roster.errors import RosterFileError
from orgraph.roster.readers.sheet import Cell, RawSheet
from orgraph.roster.readers.text import decode_or_fail, plausible


def read_csv(p: Path, data: bytes) -> RawSheet:
    text, enc = _decode_csv(p, data)
    text = text.lstrip("\ufeff")
    first_lines = text[:65536].splitlines()[:30]
    delim = sniff_delimiter(first_lines)
    try:
        rows: list[list[Cell]] = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))  # type: ignore[arg-type]
    except csv.Error as exc:
        raise RosterFileError(f"“{p.name}”的CSV格式有误：{exc}", path=str(p)) from exc
    return RawSheet(p.stem or "CSV", rows, "csv", encoding=enc, delimiter=delim)


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


def _not_a_table(p: Path) -> RosterFileError:
    return RosterFileError(
        f"“{p.name}”不是可识别的表格文件（不是Excel、CSV或网页表格）", path=str(p)
    )


def _decode_csv(p: Path, data: bytes) -> tuple[str, str]:
    """Anything the sniffer did not recognise ends up here: text that decodes but is mostly
    not roster characters is another kind of file, not a CSV."""
    head = data[:8192]
    has_bom = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in head and not has_bom:
        # UTF-16 without a BOM, or binary data.
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if plausible(text[:20000]) >= 0.95:
                return text, enc
        raise _not_a_table(p)
    text, enc = decode_or_fail(p, data)
    sample = text[:20000]
    if "\x00" in sample or plausible(sample) < 0.6:
        raise _not_a_table(p)
    return text, enc
