"""Text decoding for the text formats (CSV, HTML tables, SpreadsheetML): the encodings
government systems export, tried in an order that never mistakes one for another."""

from __future__ import annotations

import codecs
from pathlib import Path

from orgraph.roster.errors import RosterFileError


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
    mixed = decode_mixed(data)
    if mixed is not None:
        return mixed
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    if b"\x00" not in body[:8192]:
        try:  # a BOM followed by GBK text is GBK (issue #18: the BOM made it unreadable)
            return body.decode("gb18030"), "gb18030"
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


def line_kind(line: bytes) -> str:
    """How one line of bytes decodes: "nul" (it holds a NUL byte), "ascii", "utf-8",
    "gb18030", or "?" (neither)."""
    if b"\x00" in line:
        return "nul"
    if line.isascii():
        return "ascii"
    for enc in ("utf-8", "gb18030"):
        try:
            line.decode(enc)
        except UnicodeDecodeError:
            continue
        return enc
    return "?"


def decode_mixed(data: bytes) -> tuple[str, str] | None:
    """Text some of whose lines are UTF-8 and others GB18030 (a GBK row pasted into a UTF-8
    file, issue #18), each line decoded in its own encoding; (text, the encoding most lines
    with Chinese use). None when the file is not such a mix."""
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    lines = body.splitlines(keepends=True)
    kinds = [line_kind(ln) for ln in lines]
    utf8, gbk = kinds.count("utf-8"), kinds.count("gb18030")
    if not utf8 or not gbk:
        return None
    main = "utf-8" if utf8 >= gbk else "gb18030"
    text = "".join(
        ln.decode(k if k in ("utf-8", "gb18030") else main, "replace")
        for ln, k in zip(lines, kinds, strict=True)
    )
    return text, main


def decode_or_fail(p: Path, data: bytes) -> tuple[str, str]:
    """:func:`decode_text`, or the file's RosterFileError."""
    try:
        return decode_text(data)
    except UnicodeDecodeError as exc:
        raise RosterFileError(
            f"“{p.name}”无法识别文字编码（不是UTF-8或GBK/GB18030），"
            "请另存为“CSV UTF-8”或Excel后再导入",
            path=str(p),
        ) from exc


def plausible(text: str) -> float:
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
