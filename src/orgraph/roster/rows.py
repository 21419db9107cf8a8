"""The row loop: one data row's cells → a record, or the row's rejection.

This is the importer's hot loop (every cell of every roster passes here), so the common
path stays inline in :func:`parse_row`: a converted value is cached per column by cell text,
and only the rare cases (a blank required or formula cell, the ID number, a non-member,
a cell with an error or a warning) call out. Raw ID numbers stop here: the record carries
``id_hash`` and ``id_masked``, issues a masked value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from orgraph.roster.cells import Parsed, cell_text
from orgraph.roster.columns import ColumnSpec, KindSpec, one_of_label
from orgraph.roster.dates import parse_date
from orgraph.roster.idnumber import IdCheck, check_id, hash_id, mask_id, scrub
from orgraph.roster.parsed import Issue, ParsedSheet, Record, show
from orgraph.roster.readers import Cell, RawSheet
from orgraph.roster.row_checks import Seen, check_duplicates, check_row
from orgraph.roster.values import parse_code

NON_MEMBER_CATEGORIES = frozenset(
    {"积极分子", "入党积极分子", "发展对象", "入党申请人", "申请人", "群众", "团员", "共青团员"}
)
_MAYBE_ID = re.compile(r"\d{14}|\d[eE]\+?1[4-7]")
_CACHE_MAX = 4096
_ID_CACHE_MAX = 200_000


@dataclass(slots=True)
class Col:
    index: int
    spec: ColumnSpec
    header: str
    key_column: bool
    convert: Callable[[object], Parsed]
    # Parsed results by cell text: converters are pure, most columns repeat values.
    cache: dict[str, Parsed] = field(default_factory=dict)


class RowContext:
    """Per-sheet constants of the row loop."""

    def __init__(
        self,
        sheet: RawSheet,
        spec: KindSpec,
        cols: list[Col],
        today: date,
        key: bytes,
        seen: Seen,
    ) -> None:
        self.sheet = sheet
        self.name = sheet.name
        self.kind = spec.kind
        self.cols = cols
        self.headers = {c.spec.key: c.header for c in cols}
        self.today = today
        self.key = key
        self.seen = seen
        self.formula_no_value = sheet.formula_no_value
        self.groups = [
            (g, one_of_label(g, spec), {c.header for c in cols if c.spec.key in g})
            for g in spec.one_of
        ]
        # ID cells by text: (check, hash, masked); ledgers repeat a member's number on every
        # row, and checking and hashing it was a third of reading a dues file.
        self.ids: dict[str, tuple[IdCheck, str | None, str | None]] = {}


def parse_row(out: ParsedSheet, ctx: RowContext, row: list[Cell], rownum: int) -> None:
    """Parse one data row (Excel row ``rownum``) into ``out``: a record, or its rejection."""
    name = ctx.name
    values: dict[str, Any] = {}
    errors: list[Issue] = []
    warnings: list[Issue] = []
    id_info: IdCheck | None = None
    nrow = len(row)
    check_blank = bool(ctx.formula_no_value)
    for col in ctx.cols:
        raw = row[col.index] if col.index < nrow else None
        cs = col.spec
        tr = type(raw)
        if (
            (not raw or raw.isspace())  # type: ignore[union-attr]
            if tr is str
            else (raw is None or (tr is float and raw != raw))
        ):
            if check_blank or cs.required:
                _blank_cell(ctx, col, rownum, errors, warnings)
            continue
        typ = cs.type
        if typ == "id_number":
            id_info = _id_cell(ctx, col, raw, rownum, values, errors, warnings) or id_info
            continue
        if typ == "member_refs":
            _refs_cell(ctx, col, raw, rownum, values, errors)
            continue
        cache = col.cache
        hit = cache.get(raw) if tr is str else None  # type: ignore[arg-type]
        if hit is not None:
            p = hit
        else:
            if typ == "date":
                p = parse_date(raw, not_after=ctx.today if cs.past_only else None)
            else:
                p = col.convert(raw)
            if tr is str and len(cache) < _CACHE_MAX:
                cache[raw] = p  # type: ignore[index]
        if cs.key == "category" and _norm(raw) in NON_MEMBER_CATEGORIES:
            shown, what = show(raw, cs), _norm(raw)
            errors.append(
                Issue(name, rownum, col.header, shown, f"人员类别为“{what}”，不是党员，未导入")
            )
            continue
        if (p.error is not None or p.warnings) and _cell_issues(
            ctx, col, raw, rownum, p, errors, warnings
        ):
            continue
        v = p.value
        if typ == "text" or typ == "name":
            if v and _MAYBE_ID.search(v):
                v = scrub(v)  # never keep an ID number typed into a free-text column
        elif typ == "date":
            if p.precision != "day":
                values[cs.key + "_precision"] = p.precision
            v = v.isoformat()
        if v == "" or v == []:
            continue
        values[cs.key] = v
    _finish_row(out, ctx, rownum, values, id_info, errors, warnings)


def _norm(raw: object) -> str:
    return re.sub(r"\s+", "", cell_text(raw))


def _blank_cell(
    ctx: RowContext, col: Col, rownum: int, errors: list[Issue], warnings: list[Issue]
) -> None:
    """A blank cell: a formula without a cached value, or a required cell, is an issue."""
    if (rownum - 1, col.index) in ctx.formula_no_value:
        msg = f"“{col.header}”是公式但文件中没有计算结果，请在Excel中打开并保存后重新导入"
        (errors if col.key_column else warnings).append(
            Issue(ctx.name, rownum, col.header, None, msg)
        )
    elif col.spec.required:
        errors.append(Issue(ctx.name, rownum, col.header, None, f"必填项“{col.header}”为空"))


def _checked_id(ctx: RowContext, raw: Cell) -> tuple[IdCheck, str | None, str | None]:
    """An ID number's check, keyed hash and masked form (None, None when invalid), cached
    per sheet by cell text."""
    hit = ctx.ids.get(raw) if type(raw) is str else None  # type: ignore[arg-type]
    if hit is None:
        res = check_id(raw, today=ctx.today)
        hashed = masked = None
        if res.error is None:
            assert res.normalized is not None
            hashed, masked = hash_id(res.normalized, ctx.key), mask_id(res.normalized)
        hit = (res, hashed, masked)
        if type(raw) is str and len(ctx.ids) < _ID_CACHE_MAX:
            ctx.ids[raw] = hit  # type: ignore[index]
    return hit


def _id_cell(
    ctx: RowContext,
    col: Col,
    raw: Cell,
    rownum: int,
    values: dict[str, Any],
    errors: list[Issue],
    warnings: list[Issue],
) -> IdCheck | None:
    """An ID number cell: its keyed hash and masked form into the values; the check, or None
    when the number is invalid (an error)."""
    res, hashed, masked = _checked_id(ctx, raw)
    if res.error is not None:
        errors.append(Issue(ctx.name, rownum, col.header, show(raw, col.spec), res.error))
        return None
    values["id_hash"] = hashed
    values["id_masked"] = masked
    for w in res.warnings:
        warnings.append(Issue(ctx.name, rownum, col.header, show(raw, col.spec), w))
    return res


_ID_LIKE = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")
_HAS_HAN = re.compile(r"[\u4e00-\u9fff]")
# A member list: split on the usual separators, on spaces and on line breaks; what follows a
# number in brackets is a reason ("DY0102（外出务工）") and is dropped.
_REF_SPLIT = re.compile(r"[;；、,，/|\s\u3000]+")
_REASON = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
# A whole cell saying "nobody".
_NOBODY = frozenset(
    {"无", "全到", "全部参加", "全部到会", "均参加", "无缺席", "没有", "-", "—", "--", "/", "0"}
)


def _refs_cell(
    ctx: RowContext,
    col: Col,
    raw: Cell,
    rownum: int,
    values: dict[str, Any],
    errors: list[Issue],
) -> None:
    """A list of members (参加人员/缺席人员): 人员编号 or 身份证号, each turned into the member
    key the importer resolves (an ID number into "h:" and its keyed hash, as for a member
    column; its masked form kept for messages). A name, or an invalid ID number, rejects the
    row: a person the import cannot identify would silently change who attended."""
    text = unicodedata.normalize("NFKC", cell_text(raw)).strip()
    if text in _NOBODY:
        return
    keys: list[str] = []
    masked: dict[str, str] = {}
    for token in _REF_SPLIT.split(_REASON.sub(" ", text)):
        if not token:
            continue
        if _ID_LIKE.match(token):
            res, hashed, shown = _checked_id(ctx, token)
            if hashed is None or shown is None:
                msg = f"{res.error or '身份证号无效'}（{mask_id(token)}）"
                errors.append(Issue(ctx.name, rownum, col.header, mask_id(token), msg))
                continue
            key = "h:" + hashed
            masked[key] = shown
            keys.append(key)
        elif _HAS_HAN.search(token):
            errors.append(
                Issue(
                    ctx.name,
                    rownum,
                    col.header,
                    token[:20],
                    f"“{token[:20]}”不是人员编号或身份证号：请填写人员编号或身份证号，用分号分隔",
                )
            )
        else:
            p = parse_code(token)
            if p.error is not None:
                errors.append(Issue(ctx.name, rownum, col.header, token[:20], p.error))
            elif p.value:
                keys.append(p.value)
    if keys:
        values[col.spec.key] = sorted(set(keys))
    if masked:
        values[col.spec.key + "_masked"] = masked


def _cell_issues(
    ctx: RowContext,
    col: Col,
    raw: Cell,
    rownum: int,
    p: Parsed,
    errors: list[Issue],
    warnings: list[Issue],
) -> bool:
    """Record a parsed cell's error or warnings; True when it failed (the value is left out:
    an error in a key column rejects the row, elsewhere it is a warning)."""
    if p.error is not None:
        issue = Issue(ctx.name, rownum, col.header, show(raw, col.spec), p.error)
        (errors if col.key_column else warnings).append(issue)
        return True
    for w in p.warnings:
        warnings.append(Issue(ctx.name, rownum, col.header, show(raw, col.spec), w))
    return False


def _finish_row(
    out: ParsedSheet,
    ctx: RowContext,
    rownum: int,
    values: dict[str, Any],
    id_info: IdCheck | None,
    errors: list[Issue],
    warnings: list[Issue],
) -> None:
    """Row-level checks once every cell parsed, then the row's fate."""
    name = ctx.name
    for group, label, headers in ctx.groups:
        filled = any(k in values or (k == "id_number" and "id_hash" in values) for k in group)
        if not filled and not any(e.column in headers for e in errors):
            errors.append(Issue(name, rownum, label, None, f"“{label}”至少填写一项"))
    kind = ctx.kind
    if not errors:
        check_row(kind, values, id_info, ctx.headers, name, rownum, errors, warnings)
    if not errors:
        check_duplicates(kind, values, ctx.headers, name, rownum, ctx.seen, errors)
    if errors:
        out.rejected.extend(errors)
        out.warnings.extend(warnings)
        return
    if warnings:
        out.warnings.extend(warnings)
    out.records.append(Record(rownum, values))
