from __future__ import annotations

import datetime as dt

import pytest

from orgraph.roster import cells, codes, dates, values

TODAY = dt.date(2024, 6, 30)


@pytest.mark.parametrize(
    ("raw", "iso", "precision"),
    [
        (dt.date(1990, 3, 7), "1990-03-07", "day"),
        (dt.datetime(1990, 3, 7, 12, 30), "1990-03-07", "day"),
        (32939, "1990-03-07", "day"),
        (32939.0, "1990-03-07", "day"),
        ("32939", "1990-03-07", "day"),
        ("1990.03", "1990-03-01", "month"),
        ("1990.3", "1990-03-01", "month"),
        ("1990.10", "1990-10-01", "month"),
        (1990.03, "1990-03-01", "month"),
        (1990.12, "1990-12-01", "month"),
        ("1990年3月", "1990-03-01", "month"),
        ("1990 年 3 月", "1990-03-01", "month"),
        ("1990年3月7日", "1990-03-07", "day"),
        ("1990年03月07号", "1990-03-07", "day"),
        ("１９９０年３月７日", "1990-03-07", "day"),
        ("199003", "1990-03-01", "month"),
        (199003, "1990-03-01", "month"),
        ("19900307", "1990-03-07", "day"),
        (19900307, "1990-03-07", "day"),
        ("1990/3/7", "1990-03-07", "day"),
        ("1990-03-07", "1990-03-07", "day"),
        ("1990-03-07 00:00:00", "1990-03-07", "day"),
        ("1990-03-07T08:00", "1990-03-07", "day"),
        ("1990.3.7", "1990-03-07", "day"),
        ("1990-3", "1990-03-01", "month"),
        ("1990/03", "1990-03-01", "month"),
        ("1990", "1990-01-01", "year"),
        ("1990年", "1990-01-01", "year"),
        (1990, "1990-01-01", "year"),
    ],
)
def test_dates(raw: object, iso: str, precision: str) -> None:
    p = dates.parse_date(raw, not_after=TODAY)
    assert p.error is None, p.error
    assert p.value.isoformat() == iso
    assert p.precision == precision


@pytest.mark.parametrize(
    ("raw", "msg"),
    [
        ("1990-02-30", "不存在"),
        ("1990-02-29", "不存在"),
        ("1990.13", "月份无效"),
        ("199013", "月份无效"),
        ("1990-00-10", "月份无效"),
        ("2025-01-01", "晚于今天"),
        ("1899-12-31", "超出合理范围"),
        ("2200-01-01", "超出合理范围"),
        (1990.1, "1月还是10月"),
        ("去年", "无法识别"),
        ("03/07/1990", "无法识别"),
        ("90.03", "无法识别"),
        (dt.time(8, 0), "时间"),
        (True, "逻辑值"),
        (-5, "无法识别"),
        (9999999, "无法识别"),
    ],
)
def test_bad_dates(raw: object, msg: str) -> None:
    p = dates.parse_date(raw, not_after=TODAY)
    assert p.error is not None and msg in p.error, p


def test_leap_day_ok() -> None:
    assert dates.parse_date("2000-02-29").value == dt.date(2000, 2, 29)


@pytest.mark.parametrize(
    ("raw", "out", "warn"),
    [
        ("15528921840", "15528921840", False),
        (15528921840.0, "15528921840", False),
        (15528921840, "15528921840", False),
        ("155 2892 1840", "15528921840", False),
        ("155-2892-1840", "15528921840", False),
        ("+86 155 2892 1840", "15528921840", False),
        ("0579-85123456", "0579-85123456", False),
        (57985123456.0, "057985123456", True),
        ("85123456", "85123456", False),
        ("12345", "12345", True),
        ("1552892184", "1552892184", True),
        ("无", "无", True),
    ],
)
def test_phones(raw: object, out: str, warn: bool) -> None:
    p = values.parse_phone(raw)
    assert p.error is None
    assert p.value == out
    assert bool(p.warnings) == warn


def test_phone_not_integral() -> None:
    assert values.parse_phone(1.5).error


@pytest.mark.parametrize(
    ("raw", "out"),
    [
        ("是", True),
        ("否", False),
        ("Y", True),
        ("n", False),
        ("1", True),
        ("0", False),
        (1, True),
        (0.0, False),
        ("true", True),
        ("FALSE", False),
        (True, True),
        ("√", True),
        (" 是 ", True),
    ],
)
def test_bools(raw: object, out: bool) -> None:
    assert values.parse_bool(raw).value is out


def test_bool_bad() -> None:
    assert values.parse_bool("也许").error and values.parse_bool(2).error


@pytest.mark.parametrize(
    ("fn", "raw", "out"),
    [
        (codes.parse_category, "正式党员", "full"),
        (codes.parse_category, "预备党员", "probationary"),
        (codes.parse_category, "预", "probationary"),
        (codes.parse_gender, "男", "male"),
        (codes.parse_gender, "女", "female"),
        (codes.parse_gender, 2, "female"),
        (codes.parse_mgmt_class, "在家青壮年", "young_at_home"),
        (codes.parse_mgmt_class, "产业一线党员", "frontline"),
        (codes.parse_mgmt_class, "流动创业", "mobile"),
        (codes.parse_mgmt_class, "老弱", "elderly_weak"),
        (codes.parse_org_kind, "党委", "committee"),
        (codes.parse_org_kind, "党工委", "working_committee"),
        (codes.parse_org_kind, "党总支", "general_branch"),
        (codes.parse_org_kind, "党支部", "branch"),
        (codes.parse_org_kind, "联合党支部", "joint_branch"),
        (codes.parse_org_kind, "党小组", "group"),
        (codes.parse_org_kind, "流动党员党支部", "mobile_branch"),
        (codes.parse_org_kind, "临时党支部", "temp_branch"),
        (codes.parse_org_kind, "临时党小组", "temp_group"),
        (codes.parse_org_kind, "村党总支", "general_branch"),
        (codes.parse_org_kind, "branch", "branch"),
        (codes.parse_area_level, "县", "county"),
        (codes.parse_area_level, "区", "county"),
        (codes.parse_area_level, "市", "county"),
        (codes.parse_area_level, "乡镇", "township"),
        (codes.parse_area_level, "街道", "township"),
        (codes.parse_area_level, "社区", "village"),
        (codes.parse_area_level, "村", "village"),
        (codes.parse_area_level, "村民小组", "hamlet"),
        (codes.parse_area_level, "网格", "hamlet"),
        (codes.parse_area_level, "楼栋", "hamlet"),
        (codes.parse_target_kind, "户", "household"),
        (codes.parse_target_kind, "组", "hamlet_or_group"),
        (codes.parse_target_kind, "村民小组", "hamlet"),
        (codes.parse_target_kind, "党小组", "group"),
        (codes.parse_target_kind, "村", "village"),
        (codes.parse_target_kind, "乡镇", "township"),
        (codes.parse_target_kind, "household", "household"),
        (codes.parse_channel, "电话", "phone"),
        (codes.parse_channel, "微信", "wechat"),
        (codes.parse_channel, "现场", "in_person"),
        (codes.parse_channel, "网上", "online"),
        (codes.parse_rect_status, "整顿中", "open"),
        (codes.parse_rect_status, "已完成", "done"),
        (codes.parse_ethnicity, "汉", "汉族"),
        (codes.parse_ethnicity, "维吾尔族", "维吾尔族"),
        (values.parse_int, "3人", 3),
        (values.parse_int, 4.0, 4),
        (values.parse_code, 330782001001.0, "330782001001"),
        (values.parse_code, " H-001 ", "H-001"),
        (values.parse_name, "张  三", "张三"),
        (values.parse_name, "阿卜杜拉 · 艾买提", "阿卜杜拉·艾买提"),
        (values.parse_name, "John  Smith", "John Smith"),
    ],
)
def test_code_lists(fn, raw: object, out: object) -> None:  # type: ignore[no-untyped-def]
    p = fn(raw)
    assert p.error is None, p.error
    assert p.value == out


@pytest.mark.parametrize(
    ("fn", "raw"),
    [
        (codes.parse_category, "积极分子"),
        (codes.parse_gender, "未知"),
        (codes.parse_org_kind, "协会"),
        (codes.parse_area_level, "省"),
        (codes.parse_target_kind, "朋友"),
        (values.parse_int, "两口"),
        (values.parse_int, -1),
        (values.parse_code, 1.10101199003078e17),
        (values.parse_code, "1.10101E+17"),
        (values.parse_code, 3.5),
        (values.parse_name, 12345),
        (values.parse_lon, "东经"),
        (values.parse_lat, 95.0),
    ],
)
def test_code_list_errors(fn, raw: object) -> None:  # type: ignore[no-untyped-def]
    assert fn(raw).error


def test_roles() -> None:
    p = codes.parse_roles("书记;村两委；党小组长、第一书记,县级领导，乡镇干部")
    assert p.value == [
        "secretary",
        "village_committee",
        "group_leader",
        "first_secretary",
        "county_leader",
        "township_cadre",
    ]
    assert not p.warnings
    p = codes.parse_roles("支部书记兼村委会主任、组织委员")
    assert p.value == ["secretary", "village_committee", "committee_member"]
    p = codes.parse_roles("网格员;书记")
    assert p.value == ["网格员", "secretary"] and p.warnings


def test_tags() -> None:
    assert codes.parse_tags("低保;特困；空巢、留守儿童,退役军人;低保").value == [
        "低保",
        "特困",
        "空巢",
        "留守儿童",
        "退役军人",
    ]


def test_coords() -> None:
    assert values.parse_lon("120.07").value == pytest.approx(120.07)
    assert values.parse_lat(29.3).value == pytest.approx(29.3)
    assert values.parse_lon(29.3).warnings  # probably swapped


def test_cell_text() -> None:
    assert cells.cell_text(15528921840.0) == "15528921840"
    assert cells.cell_text(dt.datetime(2020, 1, 2)) == "2020-01-02"
    assert cells.cell_text(None) == ""
    assert cells.cell_text(1.5) == "1.5"
