"""`orgraph demo`: generate the demo county and load it into the store in one step."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from orgraph import clock
from orgraph.cli.common import console, handles_errors, store_session
from orgraph.cli.demo_data import ScaleOpt, check_scale_and_months, demo_data
from orgraph.cli.imports import show
from orgraph.config import get_settings
from orgraph.store.base import count_nodes
from orgraph.store.migrations import migrate

if TYPE_CHECKING:
    from orgraph.demo.generate import Scale

ROSTER_SUFFIXES = (".xlsx", ".xls", ".csv")


def register(app: typer.Typer) -> None:
    app.command("demo-data")(handles_errors(demo_data))

    @app.command()
    @handles_errors
    def demo(
        out: Annotated[Path, typer.Option("--out", help="演示数据文件目录")] = Path("demo-data"),
        scale: ScaleOpt = "county",
        seed: Annotated[int, typer.Option("--seed", help="随机种子")] = 1,
        if_empty: Annotated[
            bool, typer.Option("--if-empty", help="数据库已有数据时什么也不做")
        ] = False,
        months: Annotated[
            int,
            typer.Option(
                "--months",
                help="按月导入最近 N 个月末的花名册 (默认 1: 截至今天的一份)；"
                "各月末一个目录，依次导入，花名册日期为各月末",
            ),
        ] = 1,
    ) -> None:
        """生成演示县 (宁海县) 的花名册等文件并导入数据库 (截至今天，或最近几个月末)。"""
        check_scale_and_months(scale, months)
        settings = get_settings()
        if if_empty:
            with store_session(settings) as store:
                nodes = count_nodes(store)
            if nodes:
                console.print(f"数据库已有 {nodes} 个节点，跳过演示数据导入")
                return
        from orgraph.demo import generate  # the generator loads when a demo is made
        from orgraph.importer.history import Origin, local_user
        from orgraph.importer.pipeline import import_files

        today = clock.today()
        if months > 1:
            _load_months(out, scale=scale, seed=seed, months=months, today=today)
            return
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


def _load_months(out: Path, *, scale: str, seed: int, months: int, today: dt.date) -> None:
    """The last `months` month ends up to today (demo/evolve.py), imported in order, each
    recorded and dated by its month end (the gap ledger's observations 1…N)."""
    from orgraph.demo.evolve import generate_months, last_month_end, month_end
    from orgraph.demo.periods import add_months
    from orgraph.importer.history import Origin, local_user
    from orgraph.importer.pipeline import import_files

    last = last_month_end(today)
    first = month_end(add_months(last.replace(day=1), 1 - months))
    s: Scale = scale  # type: ignore[assignment]
    summary = generate_months(out, scale=s, seed=seed, as_of=first, months=months)
    console.print(
        f"已生成演示数据 {out} ({scale}, 种子 {seed}, {months} 个月末 "
        f"{summary.months[0]} … {summary.months[-1]}): {summary.seconds} 秒"
    )
    settings = get_settings()
    with store_session(settings) as store:
        migrate(store)
        for folder, on in zip(summary.folders, summary.months, strict=True):
            console.print(f"导入 {folder.name} (花名册日期 {on})")
            files = sorted(p for p in folder.iterdir() if p.suffix in ROSTER_SUFFIXES)
            result = import_files(
                store,
                files,
                today=today,
                on=on,
                key=settings.id_hash_key.get_secret_value().encode(),
                origin=Origin(by=local_user(), source="demo"),
            )
            show(result)
