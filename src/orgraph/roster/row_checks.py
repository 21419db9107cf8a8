"""Checks across a row once its cells parsed: the member key, the ID number against the
birth date and gender, dates in order, an entity that is its own parent, places geocoded;
and, across rows, a second row with the same key (docs/design.md#rosters)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orgraph.roster.columns import SPECS
from orgraph.roster.geocode import geocode
from orgraph.roster.idnumber import IdCheck, scrub
from orgraph.roster.parsed import Issue, show

MEMBER_KINDS = frozenset(
    {"members", "contacts", "outflows", "reports", "dues", "first_secretaries"}
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
    "meetings": ((("org", "org_name", "type", "on", "topic"), "同一组织同日同类型同主题的会议"),),
    "dues": ((("member_key", "paid_to"), "同一党员缴至同一月份"),),
    "rectifications": ((("org", "org_name", "opened_on"), "同一党组织同一列入日期"),),
    "group_records": ((("org", "org_name", "month"), "同一党小组同一月份"),),
    "inspections": ((("org", "org_name", "on", "inspector"), "同一党组织同日同一督查人"),),
    "first_secretaries": (
        (("member_key", "org", "org_name", "since"), "同一人同日派驻同一党组织"),
    ),
}

# Rows seen so far per duplicate key: {fields: {key values: Excel row}}.
Seen = dict[tuple[str, ...], dict[tuple[Any, ...], int]]


def header_of(headers: Mapping[str, str], key: str) -> str:
    """A column's header as the file wrote it, else its Chinese label."""
    header = headers.get(key)
    if header is not None:
        return header
    for spec in SPECS.values():
        for cs in spec.columns:
            if cs.key == key:
                return cs.label
    return key


def check_row(
    kind: str,
    values: dict[str, Any],
    id_info: IdCheck | None,
    headers: Mapping[str, str],
    sheet: str,
    rownum: int,
    errors: list[Issue],
    warnings: list[Issue],
) -> None:
    """Complete and check one row's values in place: errors reject the row, warnings don't."""
    if kind in MEMBER_KINDS:
        if "member_no" in values:
            values["member_key"] = values["member_no"]
        elif "id_hash" in values:
            values["member_key"] = "h:" + values["id_hash"]
    at = (headers, sheet, rownum)
    if kind == "members":
        if id_info is not None:
            _match_id_number(values, id_info, at, warnings)
        _member_dates(values, at, warnings)
    elif kind == "outflows":
        _in_order(values, "left_on", "returned_on", "返回时间早于外出时间", at, errors)
    elif kind in ("contacts", "first_secretaries"):
        _in_order(values, "since", "until", "结束日期早于开始日期", at, errors)
    elif kind == "rectifications":
        _in_order(values, "opened_on", "accepted_on", "验收日期早于列入日期", at, errors)
        _in_order(values, "opened_on", "deadline", "整顿期限早于列入日期", at, errors)
    elif kind == "meetings":
        _meeting_people(values, at, errors, warnings)
    elif kind == "households":
        _household_size(values, at, warnings)
    elif kind == "areas":
        _own_parent(values, "code", "parent_code", "上级代码不能与本级代码相同", at, errors)
    elif kind == "orgs":
        _own_parent(
            values, "org_id", "parent_org_id", "上级组织编号不能与本组织编号相同", at, errors
        )
    _geocode_places(values, at, warnings)


# Where a row's issues point: the sheet's headers by key, the sheet name, the Excel row.
_At = tuple[Mapping[str, str], str, int]


def _meeting_people(
    values: dict[str, Any], at: _At, errors: list[Issue], warnings: list[Issue]
) -> None:
    """Nobody both attended and missed a meeting; more present than expected is a warning
    (the quorum rule reads the figures, docs/rules.md "Quorum")."""
    both = set(values.get("attendees") or ()) & set(values.get("absentees") or ())
    if both:
        shown = "、".join(sorted(k if not k.startswith("h:") else "身份证号" for k in both))
        errors.append(
            _issue(at, "absentees", shown[:40], "同一人既在参加人员又在缺席人员中，请核对")
        )
    expected, present = values.get("expected"), values.get("present")
    if expected is not None and present is not None and present > expected:
        warnings.append(
            _issue(at, "present", str(present), f"实到人数 {present} 大于应到人数 {expected}")
        )
    named = values.get("attendees") or values.get("absentees")
    if expected is not None and present is not None and present < expected and not named:
        # docs/rules.md "attended": a record naming nobody reads as "all expected came".
        warnings.append(
            _issue(
                at,
                "present",
                str(present),
                f"实到 {present} 人少于应到 {expected} 人，但未填写缺席人员或参加人员："
                "个人组织生活将按应到人员全部参加计算，请补填缺席人员",
            )
        )


# A household of more people than this is a typing error (1,000,000,000 passed unremarked,
# issue #18): the value is left out with a warning, the household is kept.
MAX_HOUSEHOLD_SIZE = 50


def _household_size(values: dict[str, Any], at: _At, warnings: list[Issue]) -> None:
    size = values.get("size")
    if size is not None and size > MAX_HOUSEHOLD_SIZE:
        del values["size"]
        message = (
            f"人口数 {size:,} 不合理（一户不超过 {MAX_HOUSEHOLD_SIZE} 人），已忽略该值，请核对"
        )
        warnings.append(_issue(at, "size", str(size), message))


def _issue(at: _At, key: str, value: str | None, message: str) -> Issue:
    headers, sheet, rownum = at
    return Issue(sheet, rownum, header_of(headers, key), value, message)


def _match_id_number(
    values: dict[str, Any], id_info: IdCheck, at: _At, warnings: list[Issue]
) -> None:
    """Birth date and gender come from the ID number when the row leaves them out, and are
    compared with it when it does not (to the precision the row gives)."""
    assert id_info.birth_date is not None  # a valid ID number has one
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
            warnings.append(_issue(at, "birth_date", given, "出生日期与身份证号中的出生日期不一致"))
    if "gender" not in values:
        values["gender"] = id_info.gender
    elif values["gender"] != id_info.gender:
        warnings.append(_issue(at, "gender", None, "性别与身份证号不一致"))


def _member_dates(values: dict[str, Any], at: _At, warnings: list[Issue]) -> None:
    j, f = values.get("joined_on"), values.get("full_on")
    if j and f and f < j:
        warnings.append(_issue(at, "full_on", f, "转正日期早于入党日期"))
    b = values.get("birth_date")
    if b and j and j < b:
        warnings.append(_issue(at, "joined_on", j, "入党日期早于出生日期"))


def _in_order(
    values: dict[str, Any], first: str, then: str, message: str, at: _At, errors: list[Issue]
) -> None:
    start, end = values.get(first), values.get(then)
    if start and end and end < start:
        errors.append(_issue(at, then, end, message))


def _own_parent(
    values: dict[str, Any], key: str, parent_key: str, message: str, at: _At, errors: list[Issue]
) -> None:
    if values.get(parent_key) == values.get(key):
        errors.append(_issue(at, parent_key, values.get(parent_key), message))


def _geocode_places(values: dict[str, Any], at: _At, warnings: list[Issue]) -> None:
    """A destination or a mobile branch's place, as text, gets its division code when cpca's
    table can place it; else the text stays and the row gets a warning."""
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
                _issue(at, text_key, scrub(text)[:60], "无法将该地点定位到县或市（已保留原文）")
            )
        else:
            values[code_key] = place.code6


def check_duplicates(
    kind: str,
    values: dict[str, Any],
    headers: Mapping[str, str],
    sheet: str,
    rownum: int,
    seen: Seen,
    errors: list[Issue],
) -> None:
    """Reject a row whose key an earlier row of the sheet had, naming that row; remember the
    keys of a row that is kept."""
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
            col, shown = _dup_display(fields[0], values, headers)
            errors.append(Issue(sheet, rownum, col, shown, f"与第{first}行重复（{label}）"))
        else:
            pending.append((bucket, k))
    if not errors:
        for bucket, k in pending:
            bucket[k] = rownum


def _dup_display(
    field0: str, values: dict[str, Any], headers: Mapping[str, str]
) -> tuple[str, str | None]:
    if field0 == "member_key":
        field0 = "member_no" if "member_no" in values else "id_hash"
    if field0 == "id_hash":
        return header_of(headers, "id_number"), values.get("id_masked")
    return header_of(headers, field0), show(values.get(field0), None)


def _hashable(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v
