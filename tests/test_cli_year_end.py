"""`orgraph year-end --year Y --out FILE` through typer's CliRunner (docs/rules.md "Year-end
summary"): the tiny demo county re-imported by the CLI on two roster days (a household moved
between them), the workbook written and checked as over HTTP (tests/api/test_year_end.py)
against the engine's own coverage, summaries, trend and the changes over the year; bad years
and file names refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook

from orgraph import clock
from orgraph.analysis import changes
from orgraph.analysis.engine import Engine
from orgraph.demo import DemoSummary
from orgraph.store import GraphStore
from tests.api.test_year_end import check_workbook
from tests.mobility.conftest import county, tiny_files
from tests.mobility.test_mobility_cli import graph_env
from tests.test_cli_history import DAY1, DAY2, _moved_households, cli

__all__ = ["county", "graph_env", "tiny_files"]  # fixtures this module uses

YEAR = 2026


def test_year_end_workbook(
    graph_env: GraphStore, tiny_files: tuple[Path, DemoSummary], tmp_path: Path
) -> None:
    folder, _ = tiny_files
    files = sorted(str(p) for p in folder.iterdir() if p.suffix in (".xlsx", ".csv"))
    assert cli("import", *files, "--on", DAY1).exit_code == 0
    edited = tmp_path / "农户.csv"
    _moved_households(folder, edited)
    assert cli("import", str(edited), "--on", DAY2).exit_code == 0

    out = tmp_path / "年度汇总.xlsx"
    got = cli("year-end", "--year", str(YEAR), "--out", str(out))
    assert got.exit_code == 0, got.output
    assert f"{YEAR} 年度汇总" in got.stdout and "缺口台账自 2026-10-01 起记录" in got.stdout

    engine = Engine(graph_env)
    start, end = f"{YEAR}-01-01", min(dt.date(YEAR, 12, 31), clock.today()).isoformat()
    cov = {
        k: engine.coverage(level="township", as_of=d)["rows"]
        for k, d in (("start", start), ("end", end))
    }
    summaries = {"": engine.summary(as_of=end)}
    for t in cov["end"][1:]:
        summaries[t["code"]] = engine.summary(scope=t["code"], as_of=end)
    check_workbook(
        load_workbook(out),
        coverage=cov,
        summaries=summaries,
        at_start=engine.summary(as_of=start)["counts"],
        at_end=summaries[""]["counts"],
        changes=changes.between(graph_env, f"{YEAR - 1}-12-31", end),
        months=engine.trend(level="township", months=int(end[5:7]), as_of=end)["points"],
        ledger_note=True,
    )

    bad = cli("year-end", "--year", "1999", "--out", str(out))
    assert bad.exit_code == 7 and "年份应在 2000" in bad.output
    later = cli("year-end", "--year", str(clock.today().year + 1), "--out", str(out))
    assert later.exit_code == 7
    csv_out = cli("year-end", "--year", str(YEAR), "--out", str(tmp_path / "x.csv"))
    assert csv_out.exit_code != 0 and ".xlsx" in csv_out.output
