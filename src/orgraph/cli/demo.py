"""`orgraph demo`: generate the demo county and load it into the store in one step."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from orgraph.cli.common import console, handles_errors, store_session
from orgraph.cli.imports import show
from orgraph.config import get_settings
from orgraph.demo import generate
from orgraph.demo.cli import demo_data
from orgraph.importer.history import Origin, local_user
from orgraph.importer.pipeline import import_files
from orgraph.store.base import count_nodes
from orgraph.store.migrations import migrate

ROSTER_SUFFIXES = (".xlsx", ".xls", ".csv")


def register(app: typer.Typer) -> None:
    app.command("demo-data")(handles_errors(demo_data))

    @app.command()
    @handles_errors
    def demo(
        out: Annotated[Path, typer.Option("--out", help="演示数据文件目录")] = Path("demo-data"),
        scale: Annotated[str, typer.Option("--scale", help="tiny | county | city")] = "county",
        seed: Annotated[int, typer.Option("--seed", help="随机种子")] = 1,
        if_empty: Annotated[
            bool, typer.Option("--if-empty", help="数据库已有数据时什么也不做")
        ] = False,
    ) -> None:
        """生成演示县 (宁海县) 的花名册等文件并导入数据库 (截至今天)。"""
        if scale not in ("tiny", "county", "city"):
            raise typer.BadParameter("scale 只能是 tiny、county 或 city", param_hint="--scale")
        settings = get_settings()
        if if_empty:
            with store_session(settings) as store:
                nodes = count_nodes(store)
            if nodes:
                console.print(f"数据库已有 {nodes} 个节点，跳过演示数据导入")
                return
        today = dt.date.today()
        summary = generate(out, scale=scale, seed=seed, as_of=today)  # type: ignore[arg-type]
        console.print(
            f"已生成演示数据 {out} ({scale}, 种子 {seed}, 截至 {today}): "
            f"{sum(summary.files.values())} 行, {summary.seconds} 秒"
        )
        files = sorted(p for p in out.iterdir() if p.suffix in ROSTER_SUFFIXES)
        with store_session(settings) as store:
            migrate(store)
            result = import_files(
                store,
                files,
                today=today,
                key=settings.id_hash_key.get_secret_value().encode(),
                origin=Origin(by=local_user(), source="demo"),
            )
        show(result)
