"""The `orgraph` command line."""

from __future__ import annotations

import typer

from orgraph import __version__
from orgraph.cli import (
    analysis,
    dashboard,
    db,
    demo,
    history,
    imports,
    ledger,
    life,
    mobility,
    proposals,
    serve,
    users,
)
from orgraph.cli.common import console, handles_errors, store_session
from orgraph.store.migrations import migrate as run_migrations

app = typer.Typer(
    help="orgraph: 基层党组织网络与流动党员管理 (graph-backed Party organization network)",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
imports.register(app)
history.register(app)
demo.register(app)
analysis.register(app)
proposals.register(app)
mobility.register(app)
life.register(app)
ledger.register(app)
users.register(app)
dashboard.register(app)
serve.register(app)


@app.command()
@handles_errors
def migrate() -> None:
    """应用数据库架构 (约束与索引)；重复运行不做任何改动。"""
    with store_session() as store:
        res = run_migrations(store)
    if res.changed:
        console.print(f"架构已从版本 {res.before} 升级到 {res.after} ({len(res.applied)} 条语句)")
    else:
        console.print(f"架构已是最新 (版本 {res.after})，未做改动")


@app.command()
def version() -> None:
    """显示版本。"""
    console.print(f"orgraph {__version__}")
