"""`orgraph trend` and `orgraph imports` through typer's CliRunner against the tiny demo county:
the month columns in Chinese, --format json the engine's answer and the API's over the same
graph, and the exit codes of bad options."""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

from typer.testing import CliRunner, Result

from orgraph import clock
from orgraph.analysis.engine import Engine
from orgraph.cli import app
from orgraph.store import GraphStore
from tests.api.conftest import login, served
from tests.mobility.conftest import county, tiny_files
from tests.mobility.test_mobility_cli import graph_env

__all__ = ["county", "graph_env", "tiny_files"]  # fixtures this module uses

DAY = clock.today().isoformat()  # the day the mobility county is imported on


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), terminal_width=250)


def test_trend_table_json_and_errors(graph_env: GraphStore, tmp_path: Path) -> None:
    doc = Engine(graph_env).trend(months=3, as_of=DAY)
    table = cli("trend", "--months", "3", "--as-of", DAY)
    assert table.exit_code == 0, table.output
    assert "逐月联系覆盖率" in table.stdout and "按现在的记录" in table.stdout
    for p in doc["points"][:-1]:
        assert p["date"][:7] in table.stdout
    for r in doc["points"][-1]["rows"]:
        assert r["code"] in table.stdout

    got = cli("trend", "--months", "3", "--as-of", DAY, "--format", "json")
    assert got.exit_code == 0, got.output
    assert json.loads(got.stdout) == json.loads(json.dumps(doc))
    with served(graph_env, tmp_path / "api") as (url, _), closing(login(url, "county")) as http:
        r = http.get("/history/trend", params={"as_of": DAY, "months": 3})
        assert r.status_code == 200 and r.json() == json.loads(got.stdout)

    assert cli("trend", "--months", "25").exit_code == 2
    bad = cli("trend", "--level", "planet")
    assert bad.exit_code == 2 and "township" in bad.output
    missing = cli("trend", "--scope", "999999")
    assert missing.exit_code == 6, missing.output


def test_imports_without_records(graph_env: GraphStore) -> None:
    """The mobility county is imported by the library (no origin): nothing recorded."""
    listed = cli("imports")
    assert listed.exit_code == 0 and "尚无导入记录" in listed.stdout
    assert json.loads(cli("imports", "--json").stdout)["total"] == 0
    gone = cli("imports", "show", "nope")
    assert gone.exit_code == 6 and "没有编号为“nope”的导入记录" in gone.output
