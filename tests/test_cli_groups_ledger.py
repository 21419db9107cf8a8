"""`orgraph groups ranking` and `orgraph ledger inspect | first-secretary` through typer's
CliRunner against the tiny demo county on both engines: the ranking as a table, --json the
engine's answer, --export the workbook the API writes; recording an inspection or a 第一书记
reaches the engine's next answer, and bad input is refused (exit 7 or 6) with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from orgraph.analysis.engine import Engine
from orgraph.cli import app
from orgraph.errors import NotFound, ValidationFailed
from orgraph.records import ranking_sheet
from orgraph.store import GraphStore
from tests.mobility.conftest import TODAY, county, tiny_files
from tests.mobility.test_mobility_cli import graph_env

__all__ = ["county", "graph_env", "tiny_files"]  # fixtures this module uses

TOWNSHIP = "330226101"
DAY = TODAY.isoformat()


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), terminal_width=240)


def test_groups_ranking_table_json_export_and_errors(graph_env: GraphStore, tmp_path: Path) -> None:
    doc = Engine(graph_env).group_ranking(TOWNSHIP, as_of=DAY)
    assert doc["rows"], "the demo township has party groups"

    table = cli("groups", "ranking", TOWNSHIP, "--as-of", DAY)
    assert table.exit_code == 0, table.output
    assert ranking_sheet.title(doc) in table.stdout
    assert ranking_sheet.red_flag_line(doc) in table.stdout
    assert "名次" in table.stdout  # (an 80-column console folds the other cells)

    got = cli("groups", "ranking", TOWNSHIP, "--as-of", DAY, "--json", "--quarter", doc["quarter"])
    assert got.exit_code == 0, got.output
    assert json.loads(got.stdout) == json.loads(json.dumps(doc))

    out = tmp_path / "排名.xlsx"
    written = cli("groups", "ranking", TOWNSHIP, "--as-of", DAY, "--export", str(out))
    assert written.exit_code == 0, written.output
    wb = load_workbook(out)
    assert wb.sheetnames == [ranking_sheet.RANK_SHEET, ranking_sheet.KEY_SHEET]
    rows = list(wb[ranking_sheet.RANK_SHEET].iter_rows(values_only=True))
    assert rows[3][: len(ranking_sheet.HEADERS)] == ranking_sheet.HEADERS
    assert [r[1] for r in rows[4:]] == [r["name"] for r in doc["rows"]]

    missing = cli("groups", "ranking", "330226999")
    assert missing.exit_code == NotFound.exit_code and "乡镇" in missing.output
    early = cli("groups", "ranking", TOWNSHIP, "--quarter", "2999-Q1")
    assert early.exit_code == ValidationFailed.exit_code and "尚未结束" in early.output
    assert cli("groups", "ranking", TOWNSHIP, "--export", str(tmp_path / "x.csv")).exit_code == 2


def test_ledger_records_reach_the_next_answer_and_bad_input_writes_nothing(
    graph_env: GraphStore,
) -> None:
    engine = Engine(graph_env)
    gaps = engine.gaps("rectification_no_inspection", as_of=DAY, page_size=500)
    assert gaps["items"], "the demo has rectifications uninspected"
    item = gaps["items"][0]
    quarter = item["missed"][-1]
    year, n = quarter.split("-Q")
    on = f"{year}-{3 * int(n) - 1:02d}-15"

    done = cli("ledger", "inspect", item["id"], "--on", on, "--inspector", "县督查组")
    assert done.exit_code == 0, done.output
    assert f"已登记: 督查 {item['id']}|{on}|县督查组" in done.stdout
    after = Engine(graph_env).gaps("rectification_no_inspection", as_of=DAY, page_size=500)
    now = {i["id"]: i for i in after["items"]}
    assert item["id"] not in now or quarter not in now[item["id"]]["missed"]
    again = cli("ledger", "inspect", item["id"], "--on", on, "--inspector", "县督查组")
    assert again.exit_code == 0 and "已更正" in again.stdout

    p = engine.projection()
    group = next(p.org_id[o] for o in range(len(p.org_id)) if p.org_kind[o] == "group")
    for args, code, words in (
        (["inspect", group, "--on", on, "--inspector", "x"], ValidationFailed, "党小组"),
        (["inspect", item["id"], "--on", "2999-01-01", "--inspector", "x"], ValidationFailed, ""),
        (["inspect", item["id"], "--on", "2026/8/1", "--inspector", "x"], ValidationFailed, ""),
        (["inspect", "NO-SUCH-ORG", "--on", on, "--inspector", "x"], NotFound, "不存在"),
    ):
        r = cli("ledger", *args)
        assert r.exit_code == code.exit_code and words in r.output, (args, r.output)
    ids = [f"{item['id']}|{d}|x" for d in (on, "2999-01-01")] + [f"{group}|{on}|x"]
    assert graph_env.read("inspection_states", ids=ids) == []

    member = p.m_key[0]
    fs = cli(
        "ledger", "first-secretary", member, "--org", item["id"], "--since", "2026-01-01",
        "--sent-by", "县农业农村局",
    )  # fmt: skip
    assert fs.exit_code == 0, fs.output
    fid = f"{member}|{item['id']}|2026-01-01"
    assert f"已登记: 第一书记 {fid}" in fs.stdout
    village = Engine(graph_env).gaps("weak_no_first_secretary", as_of=DAY, page_size=500)
    assert not village["no_data"] and item["id"] not in {i["id"] for i in village["items"]}
    for args, code in (
        (["--org", item["id"], "--since", "2026-05-01", "--until", "2026-04-30"], ValidationFailed),
        (["--org", group, "--since", "2026-05-01"], ValidationFailed),
        (["--org", item["id"], "--since", "2026-5-1"], ValidationFailed),
    ):
        r = cli("ledger", "first-secretary", member, *args)
        assert r.exit_code == code.exit_code, (args, r.output)
    r = cli("ledger", "first-secretary", "NOSUCH1", "--org", item["id"], "--since", "2026-05-01")
    assert r.exit_code == NotFound.exit_code and "不存在" in r.output
    ids = [f"{m}|{o}|2026-05-01" for m in (member, "NOSUCH1") for o in (item["id"], group)]
    assert graph_env.read("first_secretary_states", ids=ids) == []
