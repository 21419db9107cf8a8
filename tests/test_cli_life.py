"""`orgraph life grid|member|meeting|dues` through typer's CliRunner against the tiny demo
county on both engines: the engine's answers, the printable grid, and recording a meeting or a
payment with every bad input refused (exit 7 or 6) and nothing written."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from orgraph.analysis.engine import Engine
from orgraph.cli import app
from orgraph.store import GraphStore
from orgraph.vocab import GAP_ZH, LIFE_LEDGER_GAP_TYPES
from tests.mobility.conftest import TODAY, county, tiny_files
from tests.mobility.test_mobility_cli import graph_env

__all__ = ["county", "graph_env", "tiny_files"]  # fixtures this module uses

DAY = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=15)  # last month, a checked one


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, ["life", *args])


def _branch_and_members(store: GraphStore) -> tuple[str, list[str]]:
    p = Engine(store).projection()
    branch = next(
        p.org_id[o]
        for o in sorted(range(len(p.org_id)), key=lambda o: p.org_id[o])
        if p.org_kind[o] == "branch" and sum(o in b for b in p.m_branches) >= 3
    )
    o = p.org_index[branch]
    return branch, sorted(p.m_key[m] for m, b in enumerate(p.m_branches) if o in b)


def test_recording_a_meeting_and_dues_then_reading_them_back(
    graph_env: GraphStore, tmp_path: Path
) -> None:
    branch, members = _branch_and_members(graph_env)
    args = ["meeting", branch, "--type", "党课", "--on", DAY.isoformat(), "--topic", "专题党课"]
    first = cli(*args, "--absentee", members[0], "--host", "书记")
    assert first.exit_code == 0 and "已登记" in first.stdout, first.output
    again = cli(*args, "--absentee", members[0], "--host", "书记")
    assert again.exit_code == 0 and "已更正" in again.stdout, again.output
    paid = cli("dues", members[1], "--paid-to", f"{DAY.year}年{DAY.month}月")
    assert paid.exit_code == 0 and f"{DAY:%Y-%m}" in paid.stdout, paid.output

    engine = Engine(graph_env)
    doc = json.loads(cli("member", members[0], "--format", "json").stdout)
    assert doc == json.loads(json.dumps(engine.member_life(members[0])))
    mine = [k for k in doc["meetings"] if k["id"] == f"{branch}|lecture|{DAY}|专题党课"]
    assert mine and mine[0]["attended"] is False
    doc = json.loads(cli("member", members[1], "--format", "json").stdout)
    assert doc["paid_to"] >= f"{DAY:%Y-%m}"
    assert any(k["attended"] for k in doc["meetings"] if k["id"].startswith(f"{branch}|lecture"))

    grid = json.loads(cli("grid", "--type", "党课", "--format", "json").stdout)
    assert grid == json.loads(json.dumps(engine.life_grid(type="lecture")))
    row = next(r for r in grid["rows"] if r["org"]["id"] == branch)
    assert row["cells"][-1] == {
        "month": f"{DAY:%Y-%m}",
        "state": "met",
        "count": row["cells"][-1]["count"],
    }
    table = cli("grid", "--type", "lecture")
    assert table.exit_code == 0 and "✓已开展" in table.stdout, table.output
    out = tmp_path / "grid.xlsx"
    assert cli("grid", "--out", str(out)).exit_code == 0
    ws = load_workbook(out).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:5] == ("党组织", "组织编号", "类别", "村(社区)", "乡镇")
    assert rows[1][-1] == f"{DAY.year}年{DAY.month}月"
    assert {c for r in rows[2:] for c in r[5:]} <= {"已开展", "未开展", "未达法定人数", "不检查"}


def test_bad_input_is_refused_and_writes_nothing(graph_env: GraphStore) -> None:
    branch, members = _branch_and_members(graph_env)
    before = len(Engine(graph_env).projection().k_id)
    ok = ["meeting", branch, "--type", "党员大会", "--on", DAY.isoformat()]
    for args, code, message in (
        ([*ok, "--absentee", "NOSUCH9"], 7, "花名册中没有这些人员: NOSUCH9"),
        ([*ok, "--attendee", members[0], "--absentee", members[0]], 7, "既在参加人员又在缺席"),
        (["meeting", branch, "--type", "座谈会"], 7, "会议类型“座谈会”无效"),
        (["meeting", branch, "--type", "党课", "--on", "2999-01-01"], 7, "晚于今天"),
        (["meeting", "NO-SUCH-ORG", "--type", "党课"], 6, "党组织“NO-SUCH-ORG”不存在"),
        (["dues", members[0], "--paid-to", "2026-13"], 7, "月份无效"),
        (["dues", "NOSUCH9", "--paid-to", "2026-09"], 6, "党员“NOSUCH9”不存在"),
    ):
        r = cli(*args)
        assert r.exit_code == code and message in r.output, (args, r.exit_code, r.output)
    assert len(Engine(graph_env).projection().k_id) == before


def test_no_records_yet_is_said_not_counted_as_compliance(graph_env: GraphStore) -> None:
    summary = CliRunner().invoke(app, ["gaps", "--as-of", "2000-01-01"])
    assert summary.exit_code == 0, summary.output
    lines = [
        ln for ln in summary.stdout.splitlines() if any(t in ln for t in LIFE_LEDGER_GAP_TYPES)
    ]
    assert len(lines) == len(LIFE_LEDGER_GAP_TYPES)
    assert all("未导入" in ln for ln in lines), lines  # every one of them needs a ledger
    one = CliRunner().invoke(app, ["gaps", "--type", "dues_lapse", "--as-of", "2000-01-01"])
    assert one.exit_code == 0 and "尚未导入" in one.stdout and GAP_ZH["dues_lapse"] in one.stdout
    grid = cli("grid", "--as-of", "2000-01-01")
    assert grid.exit_code == 0 and "尚未导入组织生活记录" in grid.stdout
