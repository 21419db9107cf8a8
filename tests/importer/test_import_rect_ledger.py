"""The rectification ledger (整顿台账) and inspections (督查记录), docs/rules.md "The rectification
ledger", on each engine: good rows become episodes and inspections (by org id or name; problem
categories, results and follow-ups in a county's words), bad rows are named with column and
message, a second import changes nothing, an org listed again next year is a second episode, and
the three ledger rules read what was imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from importer_helpers import (
    AS_OF,
    ORGS,
    by_file,
    dump,
    import_demo,
    read_rows,
    run_import,
    write_csv,
)
from importer_helpers import text as cell

from orgraph.analysis.engine import Engine
from orgraph.store import GraphStore

LEDGER = [
    "党组织编号",
    "党组织名称",
    "列入日期",
    "问题类型",
    "一村一策制定日期",
    "县级联系领导",
    "乡镇包联责任人",
    "派驻单位",
    "整顿期限",
    "验收日期",
    "验收结果",
    "整顿状态",
]
INSPECTIONS = ["党组织编号", "党组织名称", "督查日期", "督查组", "发现问题", "整改情况"]


def _villages(demo_dir: Path) -> tuple[list[str], str, str]:
    orgs = read_rows(demo_dir / ORGS)
    branches = [cell(o["组织编号"]) for o in orgs if cell(o["组织类别"]) == "党支部"]
    group = next(cell(o["组织编号"]) for o in orgs if cell(o["组织类别"]) == "党小组")
    names = {cell(o["组织编号"]): cell(o["组织名称"]) for o in orgs}
    return branches[:4], group, names[branches[1]]


def _files(tmp: Path, demo_dir: Path) -> tuple[Path, Path, dict[str, Any]]:
    (a, b, c, d), group, b_name = _villages(demo_dir)
    ledger: list[list[Any]] = [
        LEDGER,
        # 2: listed in March, no plan in 30 days, inspected in Q2 only: no plan, Q3 missed
        [
            a,
            "",
            "2026-03-10",
            "书记能力弱、集体经济薄弱",
            "",
            "县长",
            "镇党委副书记",
            "县财政局",
            "2026-12-31",
            "",
            "",
            "整顿中",
        ],
        # 3: by name, planned in time, closed with 不合格: accepted failing
        [
            "",
            b_name,
            "2025-02-01",
            "班子不团结",
            "2025-02-20",
            "",
            "",
            "",
            "2025-12-31",
            "2026-01-10",
            "不合格",
            "",
        ],
        # 4: the same org listed again this year (a new episode), planned in time
        [
            "",
            b_name,
            "2026-04-01",
            "其他；村务公开不及时",
            "2026-04-15",
            "",
            "",
            "",
            "2027-03-31",
            "",
            "",
            "",
        ],
        # 5: closed with a passing result: nothing to say
        [
            c,
            "",
            "2025-03-01",
            "组织生活不正常",
            "2025-03-10",
            "",
            "",
            "",
            "2025-12-31",
            "2025-12-20",
            "合格",
            "已销号",
        ],
        [group, "", "2026-01-01", "", "", "", "", "", "", "", "", ""],  # 6: a party group
        [d, "", "2026-05-01", "", "", "", "", "", "2026-01-01", "", "", ""],  # 7: deadline<listed
        [d, "", "2026-05-01", "", "", "", "", "", "", "", "很好", ""],  # 8: result dropped, warned
        [a, "", "2026-03-10", "", "", "", "", "", "", "", "", ""],  # 9: repeats row 2
    ]
    inspections: list[list[Any]] = [
        INSPECTIONS,
        [a, "", "2026-05-20", "县委第一督查组", "三会一课记录不全", "整改中"],  # 2: Q2 of a
        [a, "", "2026-05-20", "县委第一督查组", "重复", ""],  # 3: repeats row 2
        ["NOSUCH", "", "2026-05-20", "县委第一督查组", "", ""],  # 4: unknown org
        ["", b_name, "2026-07-15", "县委第二督查组", "", "已整改"],  # 5: Q3 of b's 2026 episode
    ]
    led = write_csv(tmp / "软弱涣散村整顿台账.csv", ledger)
    ins = write_csv(tmp / "督查记录.csv", inspections)
    return led, ins, {"a": a, "b": b, "c": c}


def test_rect_ledger_and_inspections(store: GraphStore, demo_dir: Path, tmp_path: Path) -> None:
    import_demo(store, demo_dir)
    led, ins, o = _files(tmp_path, demo_dir)
    files = by_file(run_import(store, [ins, led]))  # any order: the ledger goes first
    f, g = files[led.name], files[ins.name]
    assert (f.kind, g.kind) == ("rectifications", "inspections")
    assert (f.created, g.created) == (5, 2)
    bad = {i.row: (i.column, i.message) for i in f.rejected}
    assert set(bad) == {6, 7, 9}, bad
    assert "党小组" in bad[6][1]
    assert bad[7] == ("整顿期限", "整顿期限早于列入日期")
    warned = {i.row: (i.column, i.message) for i in f.warnings}
    assert warned[8] == ("验收结果", "无法识别的验收结果“很好”，应为合格、基本合格或不合格")
    assert "与第2行重复" in bad[9][1]
    bad_i = {i.row: (i.column, i.message) for i in g.rejected}
    assert set(bad_i) == {3, 4}, bad_i
    assert warned[4] == ("问题类型", "未识别的问题类型“村务公开不及时”（按“其他”记录）")

    rects = {r["id"]: r for r in dump(store).label("Rectification")}
    first = rects[f"{o['a']}|2026-03-10"]
    assert first["problems"] == ["secretary_weak", "economy_weak"]
    assert first["status"] == "open" and first["sent_unit"] == "县财政局"
    assert rects[f"{o['b']}|2025-02-01"]["status"] == "done"  # accepted: closed
    assert rects[f"{o['b']}|2026-04-01"]["status"] == "open"  # listed again: a new episode
    assert len(dump(store).label("Inspection")) == 2

    again = by_file(run_import(store, [led, ins]))
    assert (again[led.name].created, again[led.name].updated, again[led.name].unchanged) == (
        0,
        0,
        5,
    )
    assert (again[ins.name].created, again[ins.name].unchanged) == (0, 2)

    e = Engine(store)
    plan = {
        (i["id"], i["opened_on"]) for i in e.gaps("rectification_no_plan", as_of=AS_OF)["items"]
    }
    assert (o["a"], "2026-03-10") in plan
    assert (o["b"], "2026-04-01") not in plan
    insp = {
        (i["id"], i["opened_on"]): i
        for i in e.gaps("rectification_no_inspection", as_of=AS_OF)["items"]
    }
    assert insp[(o["a"], "2026-03-10")]["missed"] == ["2026-Q3"]  # Q2 inspected; Q1 not whole
    assert insp[(o["a"], "2026-03-10")]["last"] == "2026-05-20"
    # b's 2026 episode: listed Apr 1 (Q2 whole, not inspected), Q3 inspected
    assert insp[(o["b"], "2026-04-01")]["missed"] == ["2026-Q2"]
    failing = {
        (i["id"], i["opened_on"]): i
        for i in e.gaps("rectification_accepted_failing", as_of=AS_OF)["items"]
    }
    assert failing[(o["b"], "2025-02-01")]["result"] == "fail"
    assert (o["c"], "2025-03-01") not in failing
    # before its acceptance date, a closed episode is not yet a finding
    early = e.gaps("rectification_accepted_failing", as_of="2026-01-05")["items"]
    assert (o["b"], "2025-02-01") not in {(i["id"], i["opened_on"]) for i in early}

    # The 党组织 roster again: a row's 整顿 columns name one episode or none, so the ledger's
    # other episodes (b listed again, a and c recorded by the ledger alone) change no org row.
    # (The org lookup used to read one episode per org at random: such orgs came out "updated"
    # on every import.)
    orgs = by_file(run_import(store, [demo_dir / ORGS]))[ORGS]
    assert (orgs.created, orgs.updated, orgs.rejected) == (0, 0, [])
    after = {r["id"]: r for r in dump(store).label("Rectification")}
    assert after == rects  # and no episode was changed or dropped
