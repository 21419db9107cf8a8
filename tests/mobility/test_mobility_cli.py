"""`orgraph mobility ...` through typer's CliRunner against the tiny demo county."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from orgraph.analysis.engine import Engine
from orgraph.cli import app
from orgraph.config import get_settings
from orgraph.store import GraphStore
from tests.engines import GraphHost
from tests.mobility.test_lifecycle import days_ago, home_member


@pytest.fixture
def graph_env(
    graph_host: GraphHost, county: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[GraphStore]:
    for k, v in graph_host.env(county).items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("ORGRAPH_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield county
    get_settings.cache_clear()


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, ["mobility", *args])


def test_where_members_are(graph_env: GraphStore) -> None:
    engine = Engine(graph_env)
    res = cli("destinations", "--format", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == json.loads(json.dumps(engine.destinations()))
    table = cli("destinations")
    assert "外出党员去向" in table.stdout and "省" in table.stdout
    flows = json.loads(cli("flows", "--format", "json").stdout)
    assert flows["flows"] == engine.flows()["flows"]
    csv_out = cli("flows", "--format", "csv").stdout.splitlines()
    assert csv_out[0].split(",") == ["流出乡镇", "流入城市", "人数"]
    assert len(csv_out) == len(flows["flows"]) + 1


def test_lifecycle_through_the_cli(graph_env: GraphStore) -> None:
    m = home_member(graph_env, 10)
    out = cli(
        "depart",
        m,
        "--to",
        "广东省深圳市南山区",
        "--on",
        days_ago(40),
        "--employer",
        "深圳某科技有限公司",
        "--contact",
        "李书记",
    )
    assert out.exit_code == 0, out.output
    assert "已登记外出" in out.stdout
    assert cli("report", m, "--on", days_ago(3), "--channel", "微信").exit_code == 0
    assert cli("attend", m, "--org", "D330226", "--on", days_ago(30)).exit_code == 0
    back = cli("return", m, "--on", days_ago(1), "--format", "json")
    assert json.loads(back.stdout)["returned_on"] == days_ago(1)
    timeline = cli("member", m)
    assert timeline.exit_code == 0
    lines = [ln.strip() for ln in timeline.stdout.splitlines()[1:]]
    assert [ln.split()[1] for ln in lines] == [
        "外出",
        "参加组织生活",
        "报到",
        "结束组织生活",
        "返回",
    ]
    again = cli("return", m, "--on", days_ago(0))
    assert again.exit_code == 7 and "没有未结束的外出登记" in again.stderr
    unknown = cli("member", "no-such-member")
    assert unknown.exit_code == 6 and "不存在" in unknown.stderr


def test_branches_through_the_cli(graph_env: GraphStore) -> None:
    made = cli(
        "branch",
        "add",
        "LD-T1",
        "--name",
        "驻成都流动党员党支部",
        "--host",
        "510100",
        "--approved-by",
        "D330226",
        "--on",
        days_ago(5),
    )
    assert made.exit_code == 0, made.output
    listed = json.loads(cli("branch", "list", "--format", "json").stdout)
    assert "LD-T1" in {b["id"] for b in listed["branches"]}
    members = cli("branch", "members", "LD-T1")
    assert members.exit_code == 0 and "0 人" in members.stdout
    bad = cli(
        "branch",
        "add",
        "LD-T2",
        "--name",
        "x",
        "--host",
        "510100",
        "--approved-by",
        "D330226",
        "--kind",
        "club",
    )
    assert bad.exit_code == 7 and "组织类别" in bad.stderr
