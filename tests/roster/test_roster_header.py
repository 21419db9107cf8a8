from __future__ import annotations

from collections.abc import Sequence

import pytest

from orgraph.roster.header import IGNORED, find_header, match_header, normalize_header
from orgraph.roster.readers import Cell, RawSheet


def sheet(
    rows: Sequence[Sequence[Cell]],
    name: str = "Sheet1",
    merged: list[tuple[int, int, int, int]] | None = None,
) -> RawSheet:
    return RawSheet(name, [list(r) for r in rows], "xlsx", merged or [])


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        (" 姓  名 ", "姓名"),
        ("身份证号（必填）", "身份证号"),
        ("身份证号(必填)", "身份证号"),
        ("*姓名", "姓名"),
        ("＊姓名", "姓名"),
        ("入党时间：", "入党时间"),
        ("ＰＨＯＮＥ", "phone"),
        ("Member No", "memberno"),
        ("姓\n名", "姓名"),
    ],
)
def test_normalize_header(raw: str, norm: str) -> None:
    assert normalize_header(raw) == norm


@pytest.mark.parametrize(
    ("text", "kind", "key"),
    [
        ("公民身份号码", "members", "id_number"),
        ("身份证号", "members", "id_number"),
        ("身份证号码", "members", "id_number"),
        ("出生年月", "members", "birth_date"),
        ("联系电话", "members", "phone"),
        ("手机号码", "members", "phone"),
        ("党籍状态", "members", "category"),
        ("预/正", "members", "category"),
        ("失联时间", "members", "lost_contact_on"),
        ("member_no", "members", "member_no"),
        ("membername", "members", None),
        ("序号", "members", IGNORED),
        ("出生日期(yyyy-mm-dd)", "members", "birth_date"),
        ("整顿期限", "orgs", "rectification_deadline"),
        ("整顿状态", "orgs", "rectification_status"),
        ("联系电话", "outflows", "phone_away"),
        ("联系对象类型", "contacts", "target_kind"),
        ("日期", "reports", "on"),
        ("爱好", "members", None),
    ],
)
def test_match_header(text: str, kind: str, key: str | None) -> None:
    assert match_header(normalize_header(text), kind) == key


def test_title_rows_and_serial_column() -> None:
    s = sheet(
        [
            ["XX党支部党员花名册（截至2024年6月）", "", "", ""],
            ["填报单位：城东村", "", "", ""],
            ["", "", "", ""],
            ["序号", "姓名", "身份证号", "性别"],
            [1, "张三", "x", "男"],
        ],
        merged=[(0, 0, 0, 3)],
    )
    h = find_header(s)
    assert h is not None
    assert (h.kind, h.first_row, h.last_row, h.data_start) == ("members", 3, 3, 4)
    assert [c.key for c in h.columns] == [IGNORED, "name", "id_number", "gender"]
    assert not h.missing and not h.unknown


def test_two_level_header_group_over_children() -> None:
    s = sheet(
        [
            ["党员花名册", "", "", "", ""],
            ["序号", "姓名", "身份证号", "流动情况", ""],
            ["", "", "", "外出时间", "外出地点"],
            [1, "张三", "x", "2023-01-01", "浙江义乌"],
        ],
        merged=[(0, 0, 0, 4), (1, 3, 1, 4), (1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 2, 2)],
    )
    h = find_header(s, "members")
    assert h is not None
    assert (h.first_row, h.last_row) == (1, 2)
    keys = h.key_columns()
    assert keys["left_on"].header == "流动情况/外出时间"
    assert keys["destination"].index == 4
    assert keys["name"].index == 1


def test_two_level_header_where_children_score_higher() -> None:
    s = sheet(
        [
            ["姓名", "联系对象", "", "开始日期"],
            ["", "类型", "编号", ""],
            ["张三", "户", "H1", "2024-01-01"],
        ],
        name="包户",
        merged=[(0, 1, 0, 2), (0, 0, 1, 0), (0, 3, 1, 3)],
    )
    h = find_header(s)
    assert h is not None
    assert h.kind == "contacts"
    assert {"target_kind", "target_id", "since", "name"} <= set(h.key_columns())
    assert h.missing == ["公民身份号码或人员编号"]


def test_data_row_is_not_a_sub_header() -> None:
    s = sheet(
        [
            ["姓名", "人员编号", "所在党小组"],
            ["张三", "M1", "党小组"],
        ]
    )
    h = find_header(s)
    assert h is not None and h.last_row == 0


@pytest.mark.parametrize(
    ("name", "headers", "kind"),
    [
        ("党员花名册", ["姓名", "身份证号", "外出时间", "外出地点"], "members"),
        ("流动党员", ["姓名", "身份证号", "外出时间", "外出地点"], "outflows"),
        ("Sheet1", ["姓名", "身份证号", "性别", "民族", "外出时间", "外出地点"], "members"),
        ("Sheet1", ["人员编号", "外出时间", "外出地点", "外出原因"], "outflows"),
        ("Sheet1", ["组织编号", "组织名称", "组织类别"], "orgs"),
        ("Sheet1", ["区划代码", "名称", "层级"], "areas"),
        ("Sheet1", ["户编号", "所在区划代码", "户主姓名"], "households"),
        ("Sheet1", ["人员编号", "报到日期", "报到方式"], "reports"),
        ("党员", ["组织编号", "组织名称", "组织类别"], "orgs"),  # headers beat a wrong name
    ],
)
def test_kind_detection(name: str, headers: list[str], kind: str) -> None:
    h = find_header(sheet([headers, ["x"] * len(headers)], name=name))
    assert h is not None and h.kind == kind


def test_missing_and_unknown_and_duplicates() -> None:
    h = find_header(sheet([["姓名", "性别", "爱好", "手机号码", "联系电话"]]), "members")
    assert h is not None
    assert h.missing == ["公民身份号码或人员编号"]
    assert [c.header for c in h.unknown] == ["爱好"]
    assert [(a.header, b.header) for a, b in h.duplicates] == [("手机号码", "联系电话")]


def test_no_header() -> None:
    assert find_header(sheet([["说明"], ["这不是表"]])) is None
    assert find_header(sheet([])) is None
