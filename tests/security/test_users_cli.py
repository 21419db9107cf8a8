"""`orgraph user ...` through typer's CliRunner, against a real graph on each engine holding
the tiny demo county (scopes are checked against it)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from orgraph.analysis.engine import Engine
from orgraph.cli import app
from orgraph.config import get_settings
from orgraph.demo import generate
from orgraph.errors import Unauthorized
from orgraph.importer.pipeline import import_files
from orgraph.security import AuditLog, UserStore
from orgraph.security.users import BAD_LOGIN, LoginRefused
from orgraph.store import GraphStore
from tests.engines import GraphHost
from tests.security.conftest import GOOD

AS_OF = date(2026, 11, 1)


@pytest.fixture(scope="module")
def demo_graph(
    graph_host: GraphHost, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GraphStore]:
    out = tmp_path_factory.mktemp("demo")
    generate(out, scale="tiny", seed=5, as_of=AS_OF)
    with graph_host.fresh() as store:
        files = sorted(p for p in out.iterdir() if p.suffix in (".xlsx", ".csv"))
        report = import_files(store, files, key=b"security-test", today=AS_OF)
        assert report.totals()["created"] > 0 and not report.totals()["sheet_errors"]
        yield store


@pytest.fixture(scope="module")
def refs(demo_graph: GraphStore) -> dict[str, str]:
    """A township code, a village code, a branch id and (when the demo has one) an external
    destination area, read from the graph."""
    p = Engine(demo_graph).projection()
    own = [i for i, ext in enumerate(p.area_external) if not ext]
    found = {
        "township": next(p.area_code[i] for i in own if p.area_level[i] == "township"),
        "village": next(p.area_code[i] for i in own if p.area_level[i] == "village"),
        "branch": next(
            p.org_id[i] for i, k in enumerate(p.org_kind) if k == "branch" and not p.org_external[i]
        ),
    }
    external = [c for c, ext in zip(p.area_code, p.area_external, strict=True) if ext]
    if external:
        found["external"] = external[0]
    found["township_name"] = p.area_name[p.area_index[found["township"]]]
    return found


@pytest.fixture
def data_dir(
    graph_host: GraphHost, demo_graph: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    for k, v in graph_host.env(demo_graph).items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("ORGRAPH_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def cli(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(app, ["user", *args], input=input)


def _users(data_dir: Path) -> UserStore:
    return UserStore(data_dir / "users.sqlite3")


def test_add_with_password_on_stdin(data_dir: Path, refs: dict[str, str]) -> None:
    res = cli(
        "add",
        "zhang.san",
        "--role",
        "township_admin",
        "--scope",
        refs["township"],
        "--display-name",
        "张三",
        "--password-stdin",
        input=GOOD + "\n",
    )
    assert res.exit_code == 0, res.output + res.stderr
    assert "已创建用户 zhang.san" in res.stdout and refs["township_name"] in res.stdout
    user = _users(data_dir).authenticate("zhang.san", GOOD)
    assert (user.role, user.scope, user.display_name) == (
        "township_admin",
        refs["township"],
        "张三",
    )
    (entry,) = AuditLog(data_dir / "audit").read()
    assert entry["action"] == "user.add" and entry["target"] == "zhang.san"
    assert entry["client"].startswith("cli:") and GOOD not in json.dumps(entry)

    listed = cli("list", "--json")
    assert listed.exit_code == 0
    assert [(u["username"], u["scope"]) for u in json.loads(listed.stdout)] == [
        ("zhang.san", refs["township"])
    ]
    table = cli("list")
    assert "乡镇管理员" in table.stdout and "正常" in table.stdout


def test_add_prompts_twice_with_hidden_input(data_dir: Path, refs: dict[str, str]) -> None:
    res = cli(
        "add",
        "li.si",
        "--role",
        "village_secretary",
        "--scope",
        refs["branch"],
        input=f"{GOOD}\n{GOOD}\n",
    )
    assert res.exit_code == 0, res.output + res.stderr
    assert GOOD not in res.output  # hidden input is not echoed
    assert _users(data_dir).authenticate("li.si", GOOD).scope == refs["branch"]

    mismatch = cli(
        "add", "wang.wu", "--role", "viewer", "--scope", refs["village"], input=f"{GOOD}\n{GOOD}x\n"
    )
    assert mismatch.exit_code == 7 and "两次输入的密码不一致" in mismatch.stderr
    assert _users(data_dir).get("wang.wu") is None


def test_a_scope_that_is_not_in_the_graph_is_refused(data_dir: Path, refs: dict[str, str]) -> None:
    for scope in ["999999999999", "no-such-org"]:
        res = cli(
            "add",
            "zhao.liu",
            "--role",
            "viewer",
            "--scope",
            scope,
            "--password-stdin",
            input=GOOD + "\n",
        )
        assert res.exit_code == 6, res.output + res.stderr
        assert f"范围“{scope}”不存在" in res.stderr and "Traceback" not in res.output
    if "external" in refs:  # a destination outside the county is not a scope either
        res = cli(
            "add",
            "zhao.liu",
            "--role",
            "viewer",
            "--scope",
            refs["external"],
            "--password-stdin",
            input=GOOD + "\n",
        )
        assert res.exit_code == 6 and "不存在" in res.stderr
    assert _users(data_dir).list() == []


def test_bad_input_is_refused_in_chinese(data_dir: Path, refs: dict[str, str]) -> None:
    township = refs["township"]
    cases = [
        (["add", "a", "--role", "viewer", "--scope", township], "", 7, "用户名"),
        (["add", "zhao.liu", "--role", "root", "--scope", township], "", 7, "未知的角色"),
        (
            ["add", "zhao.liu", "--role", "viewer", "--scope", township, "--password-stdin"],
            "password\n",
            7,
            "三类",
        ),
        (
            ["add", "zhao.liu", "--role", "viewer", "--scope", township, "--password-stdin"],
            "\n",
            7,
            "没有读到密码",
        ),
        (["passwd", "nobody", "--password-stdin"], GOOD + "\n", 6, "不存在"),
        (["disable", "nobody"], "", 6, "不存在"),
        (["unlock", "nobody"], "", 6, "不存在"),
    ]
    for args, stdin, code, message in cases:
        res = cli(*args, input=stdin)
        assert res.exit_code == code and message in res.stderr, (args, res.stderr)
    assert _users(data_dir).list() == []

    ok = cli(
        "add",
        "zhao.liu",
        "--role",
        "viewer",
        "--scope",
        township,
        "--password-stdin",
        input=GOOD + "\n",
    )
    assert ok.exit_code == 0
    again = cli(
        "add",
        "Zhao.Liu",
        "--role",
        "viewer",
        "--scope",
        township,
        "--password-stdin",
        input=GOOD + "\n",
    )
    assert again.exit_code == 4 and "已存在" in again.stderr


def test_disable_enable_unlock_passwd(data_dir: Path, refs: dict[str, str]) -> None:
    assert (
        cli(
            "add",
            "zhang.san",
            "--role",
            "viewer",
            "--scope",
            refs["village"],
            "--password-stdin",
            input=GOOD + "\n",
        ).exit_code
        == 0
    )
    users = _users(data_dir)

    assert cli("disable", "zhang.san").exit_code == 0
    with pytest.raises(LoginRefused) as off:
        users.authenticate("zhang.san", GOOD)
    assert off.value.reason == "disabled" and str(off.value) == BAD_LOGIN
    assert "已停用" in cli("list").stdout
    assert cli("enable", "zhang.san").exit_code == 0
    users.authenticate("zhang.san", GOOD)

    for _ in range(5):
        with pytest.raises(Unauthorized):
            users.authenticate("zhang.san", "Wrong-pass-1")
    with pytest.raises(LoginRefused) as held:
        users.authenticate("zhang.san", GOOD)
    assert held.value.reason == "locked"
    assert "已锁定至" in cli("list").stdout
    res = cli("unlock", "zhang.san")
    assert res.exit_code == 0 and "已解除" in res.stdout
    users.authenticate("zhang.san", GOOD)

    res = cli("passwd", "zhang.san", "--password-stdin", input="Xin-mima-2027\n")
    assert res.exit_code == 0, res.stderr
    assert users.authenticate("zhang.san", "Xin-mima-2027").username == "zhang.san"
    weak = cli("passwd", "zhang.san", input="zhang.san\nzhang.san\n")
    assert weak.exit_code == 7
    assert [e["action"] for e in AuditLog(data_dir / "audit").read()] == [
        "user.add",
        "user.disable",
        "user.enable",
        "user.unlock",
        "user.passwd",
    ]


def test_a_scope_wider_than_the_role_is_refused(data_dir: Path, refs: dict[str, str]) -> None:
    """#18, ranks: a village secretary scoped to a whole township would write there."""
    res = cli(
        "add",
        "wide.secretary",
        "--role",
        "village_secretary",
        "--scope",
        refs["township"],
        "--password-stdin",
        input=GOOD + "\n",
    )
    assert res.exit_code == 7, res.output
    assert "村党组织书记的范围只能是村(社区)、村民小组级" in res.stderr
    assert _users(data_dir).get("wide.secretary") is None
    for role, scope in (("village_secretary", refs["village"]), ("township_admin", refs["branch"])):
        res = cli(
            "add",
            f"ok.{role}",
            "--role",
            role,
            "--scope",
            scope,
            "--password-stdin",
            input=GOOD + "\n",
        )
        assert res.exit_code == 0, res.output + res.stderr
    res = cli("passwd", "ok.village_secretary", "--password-stdin", input="Xin-mima-2027\n")
    assert res.exit_code == 0 and "令牌已全部失效" in res.stdout
