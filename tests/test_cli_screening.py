"""`orgraph screening` through typer's CliRunner against the tiny demo county: the candidates
in Chinese, --json the engine's answer and the API's items over the same graph, --export the
workbook the API writes, and the exit codes of the other commands."""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from orgraph import clock
from orgraph.analysis.engine import Engine
from orgraph.cli import app
from orgraph.errors import NotFound
from orgraph.records import screening_sheet
from orgraph.store import GraphStore
from tests.api.conftest import login, served
from tests.mobility.conftest import county, tiny_files
from tests.mobility.test_mobility_cli import graph_env

__all__ = ["county", "graph_env", "tiny_files"]  # fixtures this module uses

DAY = clock.today().isoformat()  # the day the mobility county is imported on


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, ["screening", *args], terminal_width=200)


def test_screening_table_json_export_and_errors(graph_env: GraphStore, tmp_path: Path) -> None:
    doc = Engine(graph_env).screening(as_of=DAY)
    assert doc["candidates"] > 0, "the tiny demo has weak villages"

    table = cli("--as-of", DAY)
    assert table.exit_code == 0, table.output
    assert f"排查 {doc['screened']} 个村级党组织，候选 {doc['candidates']} 个" in table.stdout
    assert "原因" in table.stdout and "优先级" in table.stdout
    first = next(i for i in doc["items"] if i["candidate"])
    assert first["org"]["id"] in table.stdout

    got = cli("--as-of", DAY, "--json")
    assert got.exit_code == 0, got.output
    answer = json.loads(got.stdout)
    assert answer == json.loads(json.dumps(doc))
    with served(graph_env, tmp_path / "api") as (url, _), closing(login(url, "county")) as http:
        r = http.get("/screening", params={"as_of": DAY})
        assert r.status_code == 200, r.text
        assert answer["items"] == r.json()["items"]

    out = tmp_path / "排查.xlsx"
    written = cli("--as-of", DAY, "--export", str(out))
    assert written.exit_code == 0, written.output
    assert f"已写出 {doc['screened']} 行" in written.stdout
    wb = load_workbook(out)
    assert wb.sheetnames == [screening_sheet.LIST_SHEET, screening_sheet.KEY_SHEET]
    rows = list(wb[screening_sheet.LIST_SHEET].iter_rows(values_only=True))
    assert rows[0] == screening_sheet.LIST_HEADERS
    assert [r[1] for r in rows[1:]] == [i["org"]["id"] for i in doc["items"]]

    missing = cli("--scope", "no-such-scope")
    assert missing.exit_code == NotFound.exit_code and "不存在" in missing.output
    assert cli("--export", str(tmp_path / "排查.csv")).exit_code == 2
