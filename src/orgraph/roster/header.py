"""Find the header of a raw sheet and map its columns to canonical keys.

Handles: title rows above the header (merged "XX党支部党员花名册（截至…）"), a two-level
merged header (a group cell such as "流动情况" over 外出时间/外出地点, other headers merged
down over both rows), a 序号 column, headers written "姓  名", "身份证号（必填）", "*姓名",
full-width text; and the kind of roster, when not given, from the headers and the sheet name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from orgraph.roster.cells import cell_text
from orgraph.roster.columns import (
    IGNORED_HEADERS,
    KINDS,
    KINDS_BY_SHEET,
    SPECS,
    KindSpec,
    one_of_label,
)
from orgraph.roster.readers import Cell, RawSheet

SCAN_ROWS = 30
IGNORED = "__ignored__"

_REQUIRED_MARK = re.compile(r"\((?:必填|必填项|必须填写|必录|选填|可选|非必填|可不填)\)")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")


def normalize_header(text: object) -> str:
    """Trim, drop all whitespace, NFKC (full-width → half-width, （）→()), drop "(必填)"-style
    marks and "*", trailing ":"; lower-case (English headers)."""
    s = unicodedata.normalize("NFKC", cell_text(text))
    s = re.sub(r"\s+", "", s)
    s = _REQUIRED_MARK.sub("", s)
    s = s.replace("*", "").replace("★", "").replace("☆", "").strip(":")
    return s.lower()


def _english_form(s: str) -> str:
    return s.replace("_", "").replace("-", "").replace(" ", "")


@cache
def synonyms_of(kind: str) -> dict[str, str]:
    """Normalised header → key for one kind (English keys included)."""
    spec = SPECS[kind]
    table: dict[str, str] = {}
    for col in spec.columns:
        table.setdefault(_english_form(col.key), col.key)
        for syn in col.synonyms:
            table.setdefault(normalize_header(syn), col.key)
    return table


@cache
def _all_synonyms() -> frozenset[str]:
    out: set[str] = set(IGNORED_HEADERS)
    for k in KINDS:
        out.update(synonyms_of(k))
    return frozenset(out)


def match_header(text: str, kind: str) -> str | None:
    """Key for a header (already normalised) in a kind; IGNORED for 序号; None if unknown."""
    if not text:
        return None
    if text in IGNORED_HEADERS:
        return IGNORED
    table = synonyms_of(kind)
    for cand in (text, _english_form(text), _PAREN.sub("", text)):
        if cand in table:
            return table[cand]
        if cand in IGNORED_HEADERS:
            return IGNORED
    return None


def _known_any(text: str) -> bool:
    if not text:
        return False
    if text in _all_synonyms():
        return True
    return _english_form(text) in _all_synonyms() or _PAREN.sub("", text) in _all_synonyms()


@dataclass(frozen=True, slots=True)
class ColumnMap:
    index: int  # 0-based column
    key: str | None  # canonical key, IGNORED, or None (unknown)
    header: str  # the header as the user wrote it (trimmed; "组/子列" for two-level)


@dataclass(slots=True)
class HeaderResult:
    kind: str | None
    kind_source: str  # "given" | "sheet" | "headers" | "none"
    first_row: int  # 0-based index of the (top) header row
    last_row: int  # 0-based index of the last header row; data starts after it
    columns: list[ColumnMap] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # Chinese labels of missing columns
    unknown: list[ColumnMap] = field(default_factory=list)
    duplicates: list[tuple[ColumnMap, ColumnMap]] = field(default_factory=list)

    @property
    def data_start(self) -> int:
        return self.last_row + 1

    def key_columns(self) -> dict[str, ColumnMap]:
        return {c.key: c for c in self.columns if c.key and c.key != IGNORED}


def _filled_top(
    rows: list[list[Cell]], merged: list[tuple[int, int, int, int]], limit: int
) -> tuple[list[list[str]], set[tuple[int, int]]]:
    """Raw header texts of the first rows, merged ranges filled from their origin cell.
    Returns the grid and the set of cells that belong to a horizontal merge (group cells)."""
    grid = [[cell_text(c).strip() for c in row] for row in rows[:limit]]
    group: set[tuple[int, int]] = set()
    for r0, c0, r1, c1 in merged:
        if r0 >= limit or r0 >= len(grid) or c0 >= len(grid[r0]):
            continue
        origin = grid[r0][c0]
        for r in range(r0, min(r1, limit - 1, len(grid) - 1) + 1):
            for c in range(c0, c1 + 1):
                if c < len(grid[r]):
                    if not grid[r][c]:
                        grid[r][c] = origin
                    if c1 > c0:
                        group.add((r, c))
    return grid, group


def _row_score(texts: list[str], kinds: tuple[str, ...]) -> int:
    best = 0
    for k in kinds:
        keys = {match_header(t, k) for t in texts}
        keys.discard(None)
        keys.discard(IGNORED)
        best = max(best, len(keys))
    return best


def _is_sub_row(
    top: list[str], bottom: list[str], raw_top: list[str], groups: set[int], kinds: tuple[str, ...]
) -> bool:
    """``bottom`` is the second level of a two-row header under ``top``."""
    known_under_group = 0
    for c, b in enumerate(bottom):
        if not b:
            continue
        nb = normalize_header(b)
        t = top[c] if c < len(top) else ""
        under_group = c in groups or not (raw_top[c] if c < len(raw_top) else "")
        if _known_any(nb) and under_group:
            known_under_group += 1
        elif under_group and t:
            continue  # an unknown sub-header under a group: reported later as unknown
        elif _known_any(nb) and any(match_header(normalize_header(t + b), k) for k in kinds):
            known_under_group += 1
        else:
            return False
    return known_under_group > 0


def _column_candidates(
    top: list[str], bottom: list[str] | None, width: int
) -> list[tuple[list[str], str]]:
    out: list[tuple[list[str], str]] = []
    for c in range(width):
        t = top[c] if c < len(top) else ""
        b = bottom[c] if bottom is not None and c < len(bottom) else ""
        if b and b != t:
            cands = [normalize_header(b), normalize_header(t + b)] if t else [normalize_header(b)]
            shown = f"{t}/{b}" if t else b
        else:
            cands = [normalize_header(t)]
            shown = t
        out.append((cands, shown))
    return out


def _map(cands: list[tuple[list[str], str]], kind: str) -> list[ColumnMap]:
    cols: list[ColumnMap] = []
    for i, (texts, shown) in enumerate(cands):
        key = None
        for t in texts:
            key = match_header(t, kind)
            if key is not None:
                break
        cols.append(ColumnMap(i, key, shown))
    return cols


def _missing(spec: KindSpec, keys: set[str]) -> list[str]:
    miss = [c.label for c in spec.columns if c.required and c.key not in keys]
    for group in spec.one_of:
        if not any(k in keys for k in group):
            miss.append(one_of_label(group, spec))
    return miss


def sheet_kind_hint(name: str) -> str | None:
    n = normalize_header(name)
    for k in KINDS_BY_SHEET:
        if any(h in n for h in SPECS[k].sheet_hints):
            return k
    return None


def find_header(sheet: RawSheet, kind: str | None = None) -> HeaderResult | None:
    """Locate the header rows and map columns. None when no row looks like a header."""
    kinds: tuple[str, ...] = (kind,) if kind else KINDS
    limit = min(SCAN_ROWS, len(sheet.rows))
    grid, group_cells = _filled_top(sheet.rows, sheet.merged, limit)
    raw = [[cell_text(c).strip() for c in row] for row in sheet.rows[:limit]]
    rows = _header_rows(grid, raw, group_cells, kinds, limit)
    if rows is None:
        return None
    top_i, bottom_i = rows
    width = max(len(grid[top_i]), len(raw[bottom_i]) if bottom_i is not None else 0)
    top = grid[top_i]
    if bottom_i is not None:
        # Only horizontal group text propagates down; cells merged vertically already
        # carry their text in `top`.
        cands = _column_candidates(top, raw[bottom_i], width)
    else:
        cands = _column_candidates(top, None, width)
    source = "given"
    if kind is None:
        detected = _detect_kind(cands, sheet.name)
        if detected is None:
            return None
        kind, source = detected
    result = HeaderResult(kind, source, top_i, bottom_i if bottom_i is not None else top_i)
    _fill_columns(result, _map(cands, kind))
    return result


def _header_rows(
    grid: list[list[str]],
    raw: list[list[str]],
    group_cells: set[tuple[int, int]],
    kinds: tuple[str, ...],
    limit: int,
) -> tuple[int, int | None] | None:
    """(top, bottom) header row indexes: the best-scoring row, with the row below it (or
    above it) when the two form a two-level header; bottom is None for one level."""
    best_row, best_score = -1, 0
    for r in range(limit):
        score = _row_score([normalize_header(t) for t in grid[r]], kinds)
        if score > best_score:
            best_row, best_score = r, score
    if best_row < 0 or best_score < 2:
        return None
    nxt = best_row + 1
    prev = best_row - 1
    if nxt < limit and _is_sub_row(
        grid[best_row],
        raw[nxt],
        raw[best_row],
        {c for (r, c) in group_cells if r == best_row},
        kinds,
    ):
        return best_row, nxt
    if (
        prev >= 0
        and _is_sub_row(
            grid[prev], raw[best_row], raw[prev], {c for (r, c) in group_cells if r == prev}, kinds
        )
        and _row_score([normalize_header(t) for t in grid[prev]], kinds) > 0
    ):
        return prev, best_row
    return best_row, None


def _detect_kind(cands: list[tuple[list[str], str]], sheet_name: str) -> tuple[str, str] | None:
    """(kind, source) of a sheet whose kind was not given: complete kinds first, then the
    one the sheet's name hints at, then the most columns matched."""
    hint = sheet_kind_hint(sheet_name)
    ranked: list[tuple[tuple[bool, bool, int, int], str]] = []
    for i, k in enumerate(KINDS):
        cols = _map(cands, k)
        keys = {c.key for c in cols if c.key and c.key != IGNORED}
        if not keys:
            continue
        complete = not _missing(SPECS[k], keys)
        ranked.append(((complete, k == hint, len(keys), -i), k))
    if not ranked:
        return None
    ranked.sort(reverse=True)
    kind = ranked[0][1]
    return kind, "sheet" if kind == hint else "headers"


def _fill_columns(result: HeaderResult, columns: list[ColumnMap]) -> None:
    """The mapped columns into the result: unknown headers listed, a second column of the
    same key kept as unknown (listed as a duplicate), the required columns missing."""
    assert result.kind is not None
    seen: dict[str, ColumnMap] = {}
    for col in columns:
        if col.key is None:
            if col.header:
                result.unknown.append(col)
            result.columns.append(col)
            continue
        if col.key != IGNORED and col.key in seen:
            result.duplicates.append((seen[col.key], col))
            result.columns.append(ColumnMap(col.index, None, col.header))
            continue
        seen[col.key] = col
        result.columns.append(col)
    result.missing = _missing(SPECS[result.kind], set(seen))
