"""Parse and validate roster files: raw sheets → normalised records plus a Chinese report.

Rules (the contract the importer builds on):

- A whole-file problem (empty, too big, zip bomb, encrypted, corrupt, unknown format) raises
  :class:`orgraph.roster.errors.RosterFileError`. A sheet-level problem (no header, missing
  required column) goes to ``ParsedSheet.errors`` and that sheet yields no records.
- A row problem never affects other rows. Problems in a required or key column reject the
  row (``rejected``); problems in an optional column are ``warnings`` and that value is left
  out of the record, the row is kept.
- Row numbers are the ones Excel shows (1-based, title rows counted).
- Blank rows, repeated header rows and trailing 合计/备注/制表人 rows are not records and are
  not counted in ``rows_total``; so ``rows_total == len(records) + len(rejected rows)``.
- Within one sheet, a second row with the same key (member_no, ID hash, household_id, area
  code, org_id, ...) is rejected naming the first row.
- Raw ID numbers never leave this module: records carry ``id_hash`` (HMAC-SHA256 with the
  caller's key) and ``id_masked``; issue values of ID cells are masked, and any 15–18 digit
  run in any issue value is masked too. Phone numbers are masked in issue values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from orgraph.roster.cells import Parsed, cell_text
from orgraph.roster.columns import SPECS, ColumnSpec, KindSpec, kind_spec, one_of_label
from orgraph.roster.dates import PRECISION_NOTE, parse_date
from orgraph.roster.geocode import geocode
from orgraph.roster.header import HeaderResult, find_header, normalize_header
from orgraph.roster.idnumber import check_id, hash_id, mask_any, mask_id, scrub
from orgraph.roster.readers import DEFAULT_MAX_BYTES, Cell, RawSheet, read_workbook
from orgraph.roster.values import CONVERTERS


class Issue(NamedTuple):
    sheet: str
    row: int | None  # Excel row number (1-based); None for a sheet-level problem
    column: str | None  # the header as written in the file (or the Chinese label)
    value: str | None  # the offending cell as text; ID numbers and phones masked
    message: str  # Chinese


@dataclass(slots=True)
class Record:
    row: int
    values: dict[str, Any]


@dataclass(slots=True)
class ParsedSheet:
    path: str
    sheet: str
    kind: str | None
    rows_total: int = 0
    records: list[Record] = field(default_factory=list)
    rejected: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)  # sheet-level: nothing imported
    header_row: int | None = None  # Excel row number of the (last) header row
    columns: dict[str, str] = field(default_factory=dict)  # key → header as written
    format: str = ""
    encoding: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({i.row for i in self.rejected if i.row is not None})


NON_MEMBER_CATEGORIES = frozenset(
    {"积极分子", "入党积极分子", "发展对象", "入党申请人", "申请人", "群众", "团员", "共青团员"}
)


def _norm(raw: object) -> str:
    return re.sub(r"\s+", "", cell_text(raw))


MEMBER_KINDS = frozenset({"members", "contacts", "outflows", "reports"})
_SKIP_ROW = re.compile(
    r"^(合\s*计|总\s*计|小\s*计|共\s*计|备\s*注|说\s*明|注\s*[:：]|注\s*\d|填表说明|填表人|填报人|"
    r"制表人|制表|审核人|审核|负责人|单位负责人|填报单位|填报日期|制表日期|统计日期)"
)

# Per kind: (key fields, message label) for duplicate detection.
_DUP_KEYS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "members": ((("member_no",), "人员编号相同"), (("id_hash",), "公民身份号码相同")),
    "areas": ((("code",), "区划代码相同"),),
    "orgs": ((("org_id",), "组织编号相同"),),
    "households": ((("household_id",), "户编号相同"),),
    "contacts": ((("member_key", "target_kind", "target_id", "since"), "同一党员的同一联系对象"),),
    "outflows": ((("member_key", "left_on"), "同一党员的同一外出时间"),),
    "reports": ((("member_key", "on", "channel", "org"), "同一党员同日同方式的报到"),),
}


def _show(raw: object, col: ColumnSpec | None) -> str | None:
    if raw is None:
        return None
    text = cell_text(raw).strip()
    if col is not None and col.type == "id_number":
        return mask_any(text)
    if col is not None and col.type == "phone":
        digits = re.sub(r"\D", "", text)
        return (digits[:3] + "****" + digits[-4:]) if len(digits) >= 7 else "****"
    if len(text) > 60:
        text = text[:60] + "…"
    return scrub(text)


@dataclass(slots=True)
class _Col:
    index: int
    spec: ColumnSpec
    header: str
    key_column: bool
    convert: Callable[[object], Parsed]
    # Parsed results by cell text: converters are pure, most columns repeat values.
    cache: dict[str, Parsed] = field(default_factory=dict)


_CACHE_MAX = 4096


def _is_blank_row(row: list[Cell]) -> bool:
    for c in row:
        if c is None or c == "":
            continue
        if isinstance(c, str) and not c.strip():
            continue
        return False
    return True


_BLANK = "\0blank"


def _lead(row: list[Cell]) -> str | None:
    """_BLANK for a blank row; else the first non-blank cell if it is text, else None."""
    for c in row:
        if type(c) is str:
            if not c or c.isspace():
                continue
            return c.strip()
        if c is None:
            continue
        return None
    return _BLANK


def _first_text(row: list[Cell]) -> str | None:
    for c in row:
        if c is None or c == "":
            continue
        if isinstance(c, str):
            s = c.strip()
            if not s:
                continue
            return s
        return None
    return None


def parse_sheet(
    sheet: RawSheet,
    kind: str | None = None,
    *,
    key: bytes,
    path: str = "",
    today: date | None = None,
    header: HeaderResult | None = None,
) -> ParsedSheet:
    """Validate one raw sheet (see the module docstring for the rules)."""
    today = today or date.today()
    if kind is not None:
        kind = kind_spec(kind).kind
    hdr = header if header is not None else find_header(sheet, kind)
    out = ParsedSheet(path, sheet.name, kind, format=sheet.format, encoding=sheet.encoding)
    if hdr is None:
        out.rows_total = sum(1 for r in sheet.rows if not _is_blank_row(r))
        what = f"“{SPECS[kind].label}”" if kind else "名册"
        out.errors.append(
            Issue(sheet.name, None, None, None, f"未找到{what}的表头行（前30行中没有可识别的列名）")
        )
        return out
    assert hdr.kind is not None
    spec = SPECS[hdr.kind]
    out.kind = spec.kind
    out.header_row = hdr.last_row + 1
    for col in hdr.unknown:
        out.warnings.append(
            Issue(sheet.name, out.header_row, col.header, None, f"未识别的列“{col.header}”，已忽略")
        )
    for first, dup in hdr.duplicates:
        out.warnings.append(
            Issue(
                sheet.name,
                out.header_row,
                dup.header,
                None,
                f"列“{dup.header}”与“{first.header}”含义相同，已忽略",
            )
        )
    mapped = hdr.key_columns()
    out.columns = {k: c.header for k, c in mapped.items()}
    data_rows = range(hdr.data_start, len(sheet.rows))
    if hdr.missing:
        out.rows_total = sum(1 for i in data_rows if not _is_blank_row(sheet.rows[i]))
        for label in hdr.missing:
            out.errors.append(
                Issue(sheet.name, out.header_row, label, None, f"缺少必填列“{label}”")
            )
        return out
    one_of_keys = {k for g in spec.one_of for k in g}
    cols = [
        _Col(
            c.index,
            spec.column(k),
            c.header,
            spec.column(k).required or k in one_of_keys,
            CONVERTERS.get(spec.column(k).type, CONVERTERS["text"]),
        )
        for k, c in mapped.items()
    ]
    header_texts = {c.index: normalize_header(c.header.split("/")[-1]) for c in cols}
    probe = cols[0]
    probe_text = header_texts[probe.index]
    probe_raw = {
        cell_text(sheet.rows[r][probe.index]).strip()
        for r in (hdr.first_row, hdr.last_row)
        if probe.index < len(sheet.rows[r])
    }
    seen: dict[tuple[str, ...], dict[tuple[Any, ...], int]] = {}
    ctx = _RowContext(sheet, spec, cols, today, key, seen)
    for i in data_rows:
        row = sheet.rows[i]
        lead = _lead(row)
        if lead is _BLANK:
            continue
        if lead is not None and _SKIP_ROW.match(lead):
            continue
        pv = row[probe.index] if probe.index < len(row) else None
        if (
            isinstance(pv, str)
            and pv.strip() in probe_raw
            and normalize_header(pv) == probe_text
            and all(
                normalize_header(row[c.index] if c.index < len(row) else "")
                == header_texts[c.index]
                for c in cols
            )
        ):
            continue  # the header repeated (page breaks in exports)
        out.rows_total += 1
        _parse_row(out, ctx, row, i + 1)
    if out.rows_total == 0:
        out.warnings.append(Issue(sheet.name, out.header_row, None, None, "表中没有数据行"))
    return out


class _RowContext:
    """Per-sheet constants of the row loop."""

    def __init__(
        self,
        sheet: RawSheet,
        spec: KindSpec,
        cols: list[_Col],
        today: date,
        key: bytes,
        seen: dict[tuple[str, ...], dict[tuple[Any, ...], int]],
    ) -> None:
        self.sheet = sheet
        self.name = sheet.name
        self.kind = spec.kind
        self.cols = cols
        self.today = today
        self.key = key
        self.seen = seen
        self.formula_no_value = sheet.formula_no_value
        self.groups = [
            (g, one_of_label(g, spec), {c.header for c in cols if c.spec.key in g})
            for g in spec.one_of
        ]


def _parse_row(out: ParsedSheet, ctx: _RowContext, row: list[Cell], rownum: int) -> None:
    name = ctx.name
    values: dict[str, Any] = {}
    errors: list[Issue] = []
    warnings: list[Issue] = []
    id_info = None
    nrow = len(row)
    for col in ctx.cols:
        raw = row[col.index] if col.index < nrow else None
        cs = col.spec
        tr = type(raw)
        if (
            (not raw or raw.isspace())  # type: ignore[union-attr]
            if tr is str
            else (raw is None or (tr is float and raw != raw))
        ):
            if (rownum - 1, col.index) in ctx.formula_no_value:
                msg = f"“{col.header}”是公式但文件中没有计算结果，请在Excel中打开并保存后重新导入"
                (errors if col.key_column else warnings).append(
                    Issue(name, rownum, col.header, None, msg)
                )
            elif cs.required:
                errors.append(Issue(name, rownum, col.header, None, f"必填项“{col.header}”为空"))
            continue
        typ = cs.type
        if typ == "id_number":
            res = check_id(raw, today=ctx.today)
            if res.error is not None:
                errors.append(Issue(name, rownum, col.header, _show(raw, cs), res.error))
                continue
            assert res.normalized is not None
            id_info = res
            values["id_hash"] = hash_id(res.normalized, ctx.key)
            values["id_masked"] = mask_id(res.normalized)
            for w in res.warnings:
                warnings.append(Issue(name, rownum, col.header, _show(raw, cs), w))
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
            errors.append(
                Issue(
                    name,
                    rownum,
                    col.header,
                    _show(raw, cs),
                    f"人员类别为“{_norm(raw)}”，不是党员，未导入",
                )
            )
            continue
        if p.error is not None:
            issue = Issue(name, rownum, col.header, _show(raw, cs), p.error)
            (errors if col.key_column else warnings).append(issue)
            continue
        for w in p.warnings:
            warnings.append(Issue(name, rownum, col.header, _show(raw, cs), w))
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
    for group, label, headers in ctx.groups:
        filled = any(k in values or (k == "id_number" and "id_hash" in values) for k in group)
        if not filled and not any(e.column in headers for e in errors):
            errors.append(Issue(name, rownum, label, None, f"“{label}”至少填写一项"))
    kind = ctx.kind
    if not errors:
        _post(kind, values, id_info, ctx.cols, name, rownum, errors, warnings)
    if not errors:
        _check_duplicates(kind, values, ctx.cols, name, rownum, ctx.seen, errors)
    if errors:
        out.rejected.extend(errors)
        out.warnings.extend(warnings)
        return
    if warnings:
        out.warnings.extend(warnings)
    out.records.append(Record(rownum, values))


_MAYBE_ID = re.compile(r"\d{14}|\d[eE]\+?1[4-7]")


def _header_of(cols: list[_Col], key: str) -> str:
    for c in cols:
        if c.spec.key == key:
            return c.header
    for spec in SPECS.values():
        for cs in spec.columns:
            if cs.key == key:
                return cs.label
    return key


def _post(
    kind: str,
    values: dict[str, Any],
    id_info: Any,
    cols: list[_Col],
    sheet: str,
    rownum: int,
    errors: list[Issue],
    warnings: list[Issue],
) -> None:
    if kind in MEMBER_KINDS:
        if "member_no" in values:
            values["member_key"] = values["member_no"]
        elif "id_hash" in values:
            values["member_key"] = "h:" + values["id_hash"]
    if kind == "members" and id_info is not None:
        born = id_info.birth_date.isoformat()
        if "birth_date" not in values:
            values["birth_date"] = born
            values["birth_date_source"] = "id_number"
        else:
            given: str = values["birth_date"]
            precision = values.get("birth_date_precision", "day")
            same = (
                given[:7] == born[:7]
                if precision == "month"
                else (given[:4] == born[:4] if precision == "year" else given == born)
            )
            if not same:
                warnings.append(
                    Issue(
                        sheet,
                        rownum,
                        _header_of(cols, "birth_date"),
                        given,
                        "出生日期与身份证号中的出生日期不一致",
                    )
                )
        if "gender" not in values:
            values["gender"] = id_info.gender
        elif values["gender"] != id_info.gender:
            warnings.append(
                Issue(sheet, rownum, _header_of(cols, "gender"), None, "性别与身份证号不一致")
            )
    if kind == "members":
        j, f = values.get("joined_on"), values.get("full_on")
        if j and f and f < j:
            warnings.append(
                Issue(sheet, rownum, _header_of(cols, "full_on"), f, "转正日期早于入党日期")
            )
        b = values.get("birth_date")
        if b and j and j < b:
            warnings.append(
                Issue(sheet, rownum, _header_of(cols, "joined_on"), j, "入党日期早于出生日期")
            )
    if kind == "outflows":
        left, back = values.get("left_on"), values.get("returned_on")
        if left and back and back < left:
            errors.append(
                Issue(sheet, rownum, _header_of(cols, "returned_on"), back, "返回时间早于外出时间")
            )
    if kind == "contacts":
        s, u = values.get("since"), values.get("until")
        if s and u and u < s:
            errors.append(
                Issue(sheet, rownum, _header_of(cols, "until"), u, "结束日期早于开始日期")
            )
    if kind in ("areas",) and values.get("parent_code") == values.get("code"):
        errors.append(
            Issue(
                sheet,
                rownum,
                _header_of(cols, "parent_code"),
                values.get("parent_code"),
                "上级代码不能与本级代码相同",
            )
        )
    if kind == "orgs" and values.get("parent_org_id") == values.get("org_id"):
        errors.append(
            Issue(
                sheet,
                rownum,
                _header_of(cols, "parent_org_id"),
                values.get("parent_org_id"),
                "上级组织编号不能与本组织编号相同",
            )
        )
    for text_key, code_key in (
        ("destination", "destination_code"),
        ("host_area", "host_area_code"),
    ):
        text = values.get(text_key)
        if not text:
            continue
        place = geocode(text)
        if place is None:
            warnings.append(
                Issue(
                    sheet,
                    rownum,
                    _header_of(cols, text_key),
                    scrub(text)[:60],
                    "无法将该地点定位到县或市（已保留原文）",
                )
            )
        else:
            values[code_key] = place.code6


def _check_duplicates(
    kind: str,
    values: dict[str, Any],
    cols: list[_Col],
    sheet: str,
    rownum: int,
    seen: dict[tuple[str, ...], dict[tuple[Any, ...], int]],
    errors: list[Issue],
) -> None:
    pending: list[tuple[dict[tuple[Any, ...], int], tuple[Any, ...]]] = []
    for fields, label in _DUP_KEYS.get(kind, ()):
        if fields[0] not in values:
            continue
        k = tuple([_hashable(values.get(f)) for f in fields])
        bucket = seen.get(fields)
        if bucket is None:
            bucket = seen[fields] = {}
        first = bucket.get(k)
        if first is not None:
            col, shown = _dup_display(fields[0], values, cols)
            errors.append(Issue(sheet, rownum, col, shown, f"与第{first}行重复（{label}）"))
        else:
            pending.append((bucket, k))
    if not errors:
        for bucket, k in pending:
            bucket[k] = rownum


def _dup_display(field0: str, values: dict[str, Any], cols: list[_Col]) -> tuple[str, str | None]:
    if field0 == "member_key":
        field0 = "member_no" if "member_no" in values else "id_hash"
    if field0 == "id_hash":
        return _header_of(cols, "id_number"), values.get("id_masked")
    return _header_of(cols, field0), _show(values.get(field0), None)


def _hashable(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def parse_file(
    path: str | Path,
    kind: str | None = None,
    *,
    key: bytes,
    today: date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[ParsedSheet]:
    """Read and validate every roster sheet of a file.

    ``kind`` (English or Chinese, e.g. "members"/"党员花名册") applies to every sheet that
    has a header for it; without it each sheet's kind is detected from its headers and name.
    Empty sheets and hidden sheets are skipped; a sheet that cannot be recognised gives a
    warning (several sheets) or an error (the only non-empty sheet). Raises RosterFileError
    when the file cannot be read at all.
    """
    p = Path(path)
    raw_sheets = read_workbook(p, max_bytes=max_bytes)
    if kind is not None:
        kind = kind_spec(kind).kind
    candidates = [s for s in raw_sheets if s.visible and not all(_is_blank_row(r) for r in s.rows)]
    if not candidates:
        return [
            ParsedSheet(
                str(p),
                raw_sheets[0].name if raw_sheets else p.name,
                kind,
                errors=[
                    Issue(
                        raw_sheets[0].name if raw_sheets else p.name,
                        None,
                        None,
                        None,
                        "文件中没有数据",
                    )
                ],
                format=raw_sheets[0].format if raw_sheets else "",
            )
        ]
    headers = [(s, find_header(s, kind)) for s in candidates]
    found = [(s, h) for s, h in headers if h is not None]
    results: list[ParsedSheet] = []
    if not found:
        return [parse_sheet(candidates[0], kind, key=key, path=str(p), today=today)]
    for s, h in headers:
        if h is None:
            if len(candidates) == 1:
                results.append(parse_sheet(s, kind, key=key, path=str(p), today=today))
            else:
                results.append(
                    ParsedSheet(
                        str(p),
                        s.name,
                        None,
                        format=s.format,
                        encoding=s.encoding,
                        warnings=[
                            Issue(
                                s.name,
                                None,
                                None,
                                None,
                                "未识别的工作表（没有找到名册表头），已跳过",
                            )
                        ],
                    )
                )
            continue
        results.append(parse_sheet(s, kind, key=key, path=str(p), today=today, header=h))
    return results


__all__ = [
    "PRECISION_NOTE",
    "Issue",
    "ParsedSheet",
    "Record",
    "parse_file",
    "parse_sheet",
]
