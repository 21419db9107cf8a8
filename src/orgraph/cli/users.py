"""`orgraph user ...`: API accounts (add, list, passwd, disable, enable, unlock)."""

from __future__ import annotations

import contextlib
import getpass
import json
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from orgraph.analysis.engine import Engine
from orgraph.cli.common import console, handles_errors, store_session
from orgraph.config import Settings, get_settings
from orgraph.errors import ConstraintConflict, NotFound, ValidationFailed
from orgraph.security.audit import default_audit_log
from orgraph.security.passwords import check_strength
from orgraph.security.roles import check_role, check_scope_level
from orgraph.security.users import User, check_username, default_user_store
from orgraph.vocab import BRANCH_LEVEL_KINDS, USER_ROLE_ZH, USER_ROLES

app = typer.Typer(help="管理 API 用户 (账号、角色、范围、密码、锁定)", no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(help="用户名 (登录名)")]
StdinOpt = Annotated[
    bool, typer.Option("--password-stdin", help="从标准输入读取密码 (一行)，不交互提示")
]


def _read_password(from_stdin: bool, username: str) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise ValidationFailed("标准输入中没有读到密码")
    else:
        password = typer.prompt("密码", hide_input=True)
        if typer.prompt("再次输入密码", hide_input=True) != password:
            raise ValidationFailed("两次输入的密码不一致")
    check_strength(password, username=username)
    return password


def _audit(settings: Settings, action: str, target: str, detail: dict[str, Any]) -> None:
    os_user = "?"
    with contextlib.suppress(Exception):  # no login name in some containers
        os_user = getpass.getuser()
    default_audit_log(settings).record(
        user=None,
        action=action,
        target=target,
        scope=None,
        client=f"cli:{os_user}",
        result="ok",
        detail=detail,
    )


def _scope_name(settings: Settings, ref: str) -> tuple[str, str | None]:
    """The area's or org's name and the level of its area (None when an org has none);
    NotFound (Chinese) when the graph has no such scope."""
    with store_session(settings) as store:
        p, _, _ = Engine(store).scope(ref)
    if (a := p.area_index.get(ref)) is not None:
        return p.area_name[a], p.area_level[a]
    if (o := p.org_index.get(ref)) is not None:
        name = p.org_name[o]
        if p.org_kind[o] in BRANCH_LEVEL_KINDS:
            return name, "village"  # one branch: the smallest unit, wherever it is
        area, seen = -1, set()
        while o >= 0 and o not in seen and area < 0:  # the org's area, or its parent's
            area = p.org_area[o]
            seen.add(o)
            o = p.org_parent[o]
        return name, p.area_level[area] if area >= 0 else None
    return ref, None


def _state(user: User) -> str:
    if user.disabled:
        return "已停用"
    if user.locked_until is not None:
        return f"已锁定至 {user.locked_until.astimezone():%Y-%m-%d %H:%M}"
    return "正常"


@app.command("add")
@handles_errors
def add(
    username: NameArg,
    role: Annotated[
        str,
        typer.Option(
            "--role", help="角色: " + ", ".join(f"{r} ({USER_ROLE_ZH[r]})" for r in USER_ROLES)
        ),
    ],
    scope: Annotated[str, typer.Option("--scope", help="可见范围: 区划代码或党组织编号")],
    display_name: Annotated[str | None, typer.Option("--display-name", help="姓名")] = None,
    password_stdin: StdinOpt = False,
) -> None:
    """新建用户；范围必须是图中已有的区划或党组织，且不高于角色的层级
    (乡镇管理员: 乡镇及以下；村党组织书记: 村及以下)。"""
    check_username(username)
    check_role(role)
    settings = get_settings()
    users = default_user_store(settings)
    if users.get(username) is not None:
        raise ConstraintConflict(f"用户“{username}”已存在")
    name, level = _scope_name(settings, scope.strip())
    check_scope_level(role, level)
    password = _read_password(password_stdin, username)
    user = users.add(username, password, role=role, scope=scope.strip(), display_name=display_name)
    _audit(settings, "user.add", username, {"role": role, "scope": user.scope})
    console.print(
        f"已创建用户 {username} ({USER_ROLE_ZH[role]}，范围: {name} {user.scope})", highlight=False
    )


@app.command("list")
@handles_errors
def list_(as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False) -> None:
    """列出全部用户。"""
    users = default_user_store(get_settings()).list()
    if as_json:
        rows = [
            {
                "username": u.username,
                "display_name": u.display_name,
                "role": u.role,
                "scope": u.scope,
                "disabled": u.disabled,
                "locked_until": u.locked_until.isoformat() if u.locked_until else None,
                "last_login": u.last_login.isoformat() if u.last_login else None,
            }
            for u in users
        ]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    if not users:
        console.print("还没有用户。用 orgraph user add 创建。")
        return
    table = Table(title=f"用户 ({len(users)})")
    for col in ("用户名", "姓名", "角色", "范围", "状态", "上次登录"):
        table.add_column(col)
    for u in users:
        table.add_row(
            u.username,
            u.display_name or "",
            u.role_zh,
            u.scope,
            _state(u),
            f"{u.last_login.astimezone():%Y-%m-%d %H:%M}" if u.last_login else "",
        )
    console.print(table)


@app.command("passwd")
@handles_errors
def passwd(username: NameArg, password_stdin: StdinOpt = False) -> None:
    """重设用户的密码 (同时解除锁定，此前签发的令牌全部失效)。"""
    settings = get_settings()
    users = default_user_store(settings)
    user = users.get(username)
    if user is None:
        raise NotFound(f"用户“{username}”不存在")
    users.set_password(user.username, _read_password(password_stdin, user.username))
    _audit(settings, "user.passwd", user.username, {})
    console.print(f"已重设用户 {user.username} 的密码，此前签发的令牌已全部失效", highlight=False)


def _set_disabled(username: str, disabled: bool) -> None:
    settings = get_settings()
    user = default_user_store(settings).set_disabled(username, disabled)
    _audit(settings, "user.disable" if disabled else "user.enable", user.username, {})
    console.print(
        f"已{'停用' if disabled else '启用'}用户 {user.username}，此前签发的令牌已全部失效",
        highlight=False,
    )


@app.command("disable")
@handles_errors
def disable(username: NameArg) -> None:
    """停用用户 (不能再登录，已签发的令牌立即失效)。"""
    _set_disabled(username, True)


@app.command("enable")
@handles_errors
def enable(username: NameArg) -> None:
    """重新启用被停用的用户 (停用前签发的令牌仍然无效，须重新登录)。"""
    _set_disabled(username, False)


@app.command("unlock")
@handles_errors
def unlock(username: NameArg) -> None:
    """解除因连续输错密码造成的锁定。"""
    settings = get_settings()
    user = default_user_store(settings).unlock(username)
    _audit(settings, "user.unlock", user.username, {})
    console.print(f"已解除用户 {user.username} 的锁定", highlight=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="user")
