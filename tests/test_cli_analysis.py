"""`orgraph gaps|coverage|chain|policy` through typer's CliRunner against the tiny demo county:
the same answers as the engine, with the vocabulary's Chinese headers."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from orgraph.analysis.engine import Engine
from orgraph.cli import app
from orgraph.policy import get_policy
from orgraph.roster import contact_roster
from orgraph.store import GraphStore
from orgraph.vocab import CHAIN_DUTY_ZH, FIELD_ZH, GAP_TYPE_NAMES, GAP_ZH
from tests.mobility.conftest import county, tiny_files
from tests.mobility.test_mobility_cli import graph_env

__all__ = ["county", "graph_env", "tiny_files"]  # fixtures this module uses


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_gap_summary_and_a_gap_list(graph_env: GraphStore) -> None:
    engine = Engine(graph_env)
    summary = json.loads(cli("gaps", "--format", "json").stdout)
    assert summary == json.loads(json.dumps(engine.with_past(engine.summary())))
    assert tuple(summary["counts"]) == GAP_TYPE_NAMES
    table = cli("gaps")
    assert table.exit_code == 0, table.output
    assert all(GAP_ZH[t] in table.stdout for t in GAP_TYPE_NAMES)
    rows = list(
        csv.reader(io.StringIO(cli("gaps", "--type", "member_no_group", "--format", "csv").stdout))
    )
    doc = engine.gaps("member_no_group", page_size=10_000)
    assert len(rows) == doc["total"] + 1 and rows[0][0] == FIELD_ZH["id"]
    assert [r[0] for r in rows[1:]] == [i["id"] for i in doc["items"]]
    wrong = cli("gaps", "--type", "no_such_rule")
    assert wrong.exit_code != 0 and "未知的缺口类型" in wrong.output


def test_coverage_chain_and_policy(graph_env: GraphStore) -> None:
    engine = Engine(graph_env)
    cov = json.loads(cli("coverage", "--level", "village", "--format", "json").stdout)
    assert cov == json.loads(json.dumps(engine.coverage(level="village")))
    table = cli("coverage", "--level", "village")
    assert table.exit_code == 0 and "联系覆盖" in table.stdout, table.output
    rows = list(
        csv.DictReader(io.StringIO(cli("coverage", "--level", "village", "--format", "csv").stdout))
    )
    assert [r["代码"] for r in rows] == [r["code"] for r in cov["rows"]]
    assert {r["层级"] for r in rows[1:]} == {"村(社区)"}
    household = engine.gaps("household_uncovered", page_size=1)["items"][0]["id"]
    chain = cli("chain", household)
    assert chain.exit_code == 0, chain.output
    assert f"联系链断在: {CHAIN_DUTY_ZH['household']}" in chain.stdout
    assert (
        json.loads(cli("chain", household, "--format", "json").stdout)["broken_at"] == "household"
    )
    names = [t["name"] for t in json.loads(cli("policy", "--format", "json").stdout)]
    assert names == [t["name"] for t in get_policy().describe()]


def test_propose_contacts_cadres_and_groups(graph_env: GraphStore, tmp_path: Path) -> None:
    engine = Engine(graph_env)
    doc = engine.proposal(page_size=None)
    assert doc["items_total"] > 0, "the tiny demo has coverage to gain"
    got = json.loads(cli("propose", "--format", "json").stdout)
    assert got == json.loads(json.dumps(doc))

    out = tmp_path / "建议.xlsx"
    table = cli("propose", "--level", "village", "--out", str(out))
    assert table.exit_code == 0, table.output
    assert "联户调整建议" in table.stdout and f"已写出 {doc['items_total']} 行" in table.stdout
    ws = load_workbook(out).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == contact_roster.HEADERS and len(rows) == doc["items_total"] + 1
    dry = cli("import", str(out), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "导入后联系覆盖" in dry.stdout

    duties = engine.duty_proposal()
    cadres = cli("propose", "--kind", "cadres", "--format", "csv")
    assert cadres.exit_code == 0, cadres.output
    lines = list(csv.reader(io.StringIO(cadres.stdout)))
    assert len(lines) - 1 == len(duties["cadres"]["items"]) + len(duties["cadres"]["unassigned"])
    groups = cli("propose", "--kind", "groups", "--format", "csv")
    lines = list(csv.reader(io.StringIO(groups.stdout)))
    assert [r[0] for r in lines[1:]] == [i["member"]["id"] for i in duties["groups"]["items"]]

    assert cli("propose", "--kind", "nothing").exit_code == 2
    bad = cli("propose", "--out", str(tmp_path / "x.pdf"))
    assert bad.exit_code == 7 and ".xlsx" in bad.output
