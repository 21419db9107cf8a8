"""The 第一书记 roster (docs/rules.md "第一书记") on each engine: good rows become appointments
(by 人员编号 or 身份证号, by org id or name), every bad row is named with its column and a Chinese
message, a second import changes nothing, a dry run writes nothing, and the three rules read the
appointments as written (an appointment ending soon, one whose member has no contact in the
village, a weak village whose only appointment has ended)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from importer_helpers import (
    AS_OF,
    MEMBERS,
    ORGS,
    by_file,
    dump,
    import_demo,
    member_key,
    read_rows,
    run_import,
    text,
    write_csv,
)

from orgraph.analysis.engine import Engine
from orgraph.store import GraphStore

HEADER = [
    "人员编号",
    "姓名",
    "公民身份号码",
    "村党组织编号",
    "村党组织",
    "派出单位",
    "任职开始日期",
    "任职结束日期",
]


def _pick(demo_dir: Path) -> dict[str, Any]:
    """Two weak village branches, a party group, and two members who live outside them."""
    orgs = read_rows(demo_dir / ORGS)
    weak = [o for o in orgs if text(o["软弱涣散"]) == "是" and text(o["组织类别"]) == "党支部"]
    group = next(o for o in orgs if text(o["组织类别"]) == "党小组")
    weak_ids = {text(o["组织编号"]) for o in weak}
    members = [
        m
        for m in read_rows(demo_dir / MEMBERS)
        if text(m.get("人员编号")) and text(m.get("所在党支部")) not in weak_ids
    ]
    by_id = [
        m
        for m in read_rows(demo_dir / MEMBERS)
        if not text(m.get("人员编号")) and text(m.get("所在党支部")) not in weak_ids
    ]
    assert len(weak) >= 2 and members and by_id
    return {"weak": weak[:2], "group": group, "a": members[0], "b": by_id[0]}


def _roster(path: Path, p: dict[str, Any]) -> Path:
    a, b = p["a"], p["b"]
    w1, w2 = (text(o["组织编号"]) for o in p["weak"])
    w2_name = text(p["weak"][1]["组织名称"])
    rows: list[list[Any]] = [
        HEADER,
        # 2: in office at AS_OF, ending in 49 days, nobody after: first_secretary_ending
        [
            text(a["人员编号"]),
            text(a["姓名"]),
            "",
            w1,
            "",
            "县委组织部",
            "2025-01-10",
            "2026-12-20",
        ],
        # 3: by ID number and org name, ended before AS_OF: weak w2 has nobody in office
        [
            "",
            text(b["姓名"]),
            text(b["公民身份号码"]),
            "",
            w2_name,
            "县财政局",
            "2022-01-01",
            "2024-01-01",
        ],
        # 4: by ID number, in office for years, no contact in w2's village: absent
        ["", text(b["姓名"]), text(b["公民身份号码"]), w2, "", "县财政局", "2024-02-01", ""],
        ["NOBODY01", "无名氏", "", w1, "", "县委组织部", "2025-01-10", ""],  # 5: unknown member
        [text(a["人员编号"]), "", "", text(p["group"]["组织编号"]), "", "", "2025-01-10", ""],  # 6
        [text(a["人员编号"]), "", "", w1, "", "", "2025-05-10", "2025-01-10"],  # 7: end < start
        [
            text(a["人员编号"]),
            text(a["姓名"]),
            "",
            w1,
            "",
            "县委组织部",
            "2025-01-10",
            "2026-12-20",
        ],
        [text(a["人员编号"]), "", "", "", "没有这个村党支部", "", "2025-01-10", ""],  # 9
    ]
    return write_csv(path / "第一书记.csv", rows)


def test_first_secretary_roster(store: GraphStore, demo_dir: Path, tmp_path: Path) -> None:
    import_demo(store, demo_dir)
    p = _pick(demo_dir)
    roster = _roster(tmp_path, p)

    dry = run_import(store, [roster], dry_run=True)
    assert dump(store).label("FirstSecretary") == []
    assert by_file(dry)["第一书记.csv"].created == 3

    f = by_file(run_import(store, [roster]))["第一书记.csv"]
    assert f.kind == "first_secretaries"
    assert (f.created, f.updated, f.unchanged) == (3, 0, 0)
    rejected = {i.row: (i.column, i.message) for i in f.rejected}
    assert set(rejected) == {5, 6, 7, 8, 9}, rejected
    assert rejected[5] == ("人员编号", "花名册中没有这名党员：请先导入党员花名册")
    assert rejected[6][0] == "村党组织编号" and "党小组" in rejected[6][1]
    assert rejected[7] == ("任职结束日期", "结束日期早于开始日期")
    assert "与第2行重复" in rejected[8][1]
    assert rejected[9][0] == "村党组织" and "不存在" in rejected[9][1]

    nodes = sorted(dump(store).label("FirstSecretary"), key=lambda n: str(n["id"]))
    a_key, b_key = member_key(p["a"]), member_key(p["b"])
    w1, w2 = (text(o["组织编号"]) for o in p["weak"])
    ids = {
        "ending": f"{a_key}|{w1}|2025-01-10",
        "ended": f"{b_key}|{w2}|2022-01-01",
        "absent": f"{b_key}|{w2}|2024-02-01",
    }
    assert sorted(n["id"] for n in nodes) == sorted(ids.values())
    by_id = {n["id"]: n for n in nodes}
    assert by_id[ids["ended"]]["org_text"] == text(p["weak"][1]["组织名称"])
    assert by_id[ids["ending"]]["sent_by"] == "县委组织部"

    again = by_file(run_import(store, [roster]))["第一书记.csv"]
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)

    engine = Engine(store)
    ending = engine.gaps("first_secretary_ending", as_of=AS_OF)
    items = {i["id"]: i for i in ending["items"]}
    assert ids["ending"] in items and items[ids["ending"]]["days_left"] == 49
    assert ids["absent"] not in items  # no end date: never ending

    absent = {i["id"]: i for i in engine.gaps("first_secretary_absent", as_of=AS_OF)["items"]}
    assert absent[ids["absent"]]["missing"] == ["contacts"]
    assert absent[ids["absent"]]["meetings"] is None  # no meetings imported: no data
    assert absent[ids["absent"]]["sent_by"] == "县财政局"

    weak = engine.gaps("weak_no_first_secretary", as_of=AS_OF)
    listed = {i["id"]: i for i in weak["items"]}
    assert w1 not in listed and w2 not in listed  # both have someone in office
    # before anyone was appointed the records had not begun: no data, not "nobody"
    early = engine.gaps("weak_no_first_secretary", as_of="2021-06-01")
    assert early["no_data"] is True and early["total"] == 0
    # after the ending one leaves, w1 is listed with its last first secretary
    later = {
        i["id"]: i for i in engine.gaps("weak_no_first_secretary", as_of="2027-01-01")["items"]
    }
    assert later[w1]["last"] == {
        "member": {"id": a_key, "name": text(p["a"]["姓名"])},
        "until": "2026-12-20",
    }

    # the village view: w1 and w2 rows carry their first secretaries and the two findings
    view = {r["org"]["id"]: r for r in engine.first_secretary_villages(as_of=AS_OF)["rows"]}
    assert [f["id"] for f in view[w1]["first_secretaries"]] == [ids["ending"]]
    assert view[w1]["ending"] == [ids["ending"]] and view[w1]["listed"] is True
    assert [f["id"] for f in view[w2]["first_secretaries"]] == [ids["absent"]]
    assert view[w2]["absent"] == [ids["absent"]]
    assert view[w2]["village"]["lon"] is not None
