from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import roster_corpus as rc

from orgraph.roster import SPECS, kind_spec, parse_file
from orgraph.roster.errors import UnknownKind
from orgraph.roster.idnumber import hash_id


def test_member_record_shape(tmp_path: Path) -> None:
    rows = [
        [
            "姓名",
            "身份证号",
            "人员编号",
            "手机号码",
            "出生年月",
            "分类管理类别",
            "是否流动党员",
            "是否失联党员",
            "失联时间",
            "所在党小组",
            "家庭户编号",
        ],
        [
            "张三",
            rc.IDS[0],
            "",
            "15528921840",
            "1960.01",
            "老弱",
            "否",
            "是",
            "2023-05",
            "第一党小组",
            "H1",
        ],
        ["李四", rc.IDS[1], "M9", "", "", "在家青壮年", "是", "", "", "", ""],
    ]
    p = rc.write_csv(tmp_path / "m.csv", rows)
    s = parse_file(p, "党员花名册", key=b"secret")[0]
    a, b = (r.values for r in s.records)
    assert a["member_key"] == "h:" + hash_id(rc.IDS[0], b"secret") == "h:" + a["id_hash"]
    assert a["id_masked"] == rc.IDS[0][:6] + "********" + rc.IDS[0][-4:]
    assert "id_number" not in a and rc.IDS[0] not in repr(a)
    assert a["birth_date"] == "1960-01-01" and a["birth_date_precision"] == "month"
    assert a["mgmt_class"] == "elderly_weak" and a["is_mobile"] is False
    assert a["lost_contact"] is True and a["lost_contact_on"] == "2023-05-01"
    assert a["group"] == "第一党小组" and a["household_id"] == "H1"
    assert b["member_key"] == "M9" and b["member_no"] == "M9"
    assert b["birth_date"] == "1961-02-02" and b["birth_date_source"] == "id_number"
    assert b["gender"] in ("male", "female")


def test_issue_values_mask_phones(tmp_path: Path) -> None:
    rows = [["姓名", "人员编号", "手机号码"], ["张三", "M1", "1552892184"]]
    s = parse_file(rc.write_csv(tmp_path / "p.csv", rows), key=b"k")[0]
    assert s.warnings[0].value == "155****2184"


def test_kind_aliases() -> None:
    assert kind_spec("党员花名册").kind == "members"
    assert kind_spec("Members").kind == "members"
    assert kind_spec("流动党员").kind == "outflows"
    with pytest.raises(UnknownKind):
        kind_spec("cats")


def test_every_kind_has_required_columns_and_unique_synonyms() -> None:
    for spec in SPECS.values():
        assert spec.required_keys or spec.one_of
        seen: dict[str, str] = {}
        for col in spec.columns:
            for syn in col.synonyms:
                assert seen.setdefault(syn, col.key) == col.key, (spec.kind, syn)


def test_one_bad_row_does_not_poison_the_rest(tmp_path: Path) -> None:
    rows = [rc.MEMBER_HEADER]
    for i in range(30):
        over = {}
        if i % 3 == 0:
            over = {"公民身份号码": rc.bad_checksum(rc.IDS[i])}
        rows.append(rc.member_row(i, **over))
    s = parse_file(rc.write_csv(tmp_path / "m.csv", rows), key=b"k")[0]
    assert len(s.records) == 20 and s.rejected_rows == [2 + i for i in range(0, 30, 3)]


def test_kind_given_picks_matching_sheet(tmp_path: Path) -> None:
    p = rc.write_xlsx(
        tmp_path / "w.xlsx",
        {
            "说明": [["说明"], ["请勿修改表头"]],
            "Sheet2": [["组织编号", "组织名称", "组织类别"], ["O1", "党支部", "党支部"]],
        },
    )
    sheets = parse_file(p, "orgs", key=b"k")
    by = {s.sheet: s for s in sheets}
    assert by["Sheet2"].kind == "orgs" and len(by["Sheet2"].records) == 1
    assert by["说明"].records == [] and by["说明"].warnings


def test_today_is_injectable(tmp_path: Path) -> None:
    rows = [["人员编号", "日期"], ["M1", "2024-03-01"]]
    p = rc.write_csv(tmp_path / "r.csv", rows)
    assert parse_file(p, "reports", key=b"k", today=dt.date(2024, 1, 1))[0].rejected
    assert not parse_file(p, "reports", key=b"k", today=dt.date(2024, 6, 1))[0].rejected
