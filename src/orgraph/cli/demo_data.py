"""`orgraph demo-data`: the CLI command (registered by orgraph/cli/demo.py), and
`python -m orgraph.demo`, which runs it on its own. It lives outside `orgraph.demo`, and loads
the generator only when it runs: importing that package loads Faker's locale data and
openpyxl, which every other `orgraph` command would pay for (tests/test_import_weight.py).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from orgraph.demo.generate import Scale


ScaleOpt = Annotated[str, typer.Option("--scale", help="tiny | county | city")]


def check_scale_and_months(scale: str, months: int) -> None:
    """The --scale and --months of `orgraph demo-data` and `orgraph demo`."""
    if scale not in ("tiny", "county", "city"):
        raise typer.BadParameter("scale 只能是 tiny、county 或 city", param_hint="--scale")
    if months < 1:
        raise typer.BadParameter("月数至少为 1", param_hint="--months")


def demo_data(
    out: Annotated[Path, typer.Option("--out", help="输出目录 (不存在则创建)")],
    scale: ScaleOpt = "county",
    seed: Annotated[int, typer.Option("--seed", help="随机种子: 相同种子生成相同文件")] = 1,
    as_of: Annotated[str, typer.Option("--as-of", help="数据截至日期 YYYY-MM-DD")] = "2026-11-01",
    with_errors: Annotated[
        bool, typer.Option("--with-errors", help="另写 with_errors/ 目录: 含格式错误的样例行")
    ] = False,
    months: Annotated[
        int,
        typer.Option(
            "--months",
            help="连续几个月末的花名册 (默认 1)；大于 1 时每个月末一个目录 (以日期命名)，"
            "第一个月末为 --as-of 当天或之前的月末，另写 evolution.json 列出每月的变动",
        ),
    ] = 1,
) -> None:
    """生成演示数据: 一个县 (宁海县) 或一个市 (宁波市) 的花名册、组织生活记录、党费等 13 个文件。"""
    check_scale_and_months(scale, months)
    try:
        on = date.fromisoformat(as_of)
    except ValueError:
        raise typer.BadParameter("日期格式应为 YYYY-MM-DD", param_hint="--as-of") from None
    from orgraph.demo.generate import generate  # the generator loads when a demo is made

    s: Scale = scale  # type: ignore[assignment]
    if months > 1:
        _months(out, scale=s, seed=seed, as_of=on, months=months, with_errors=with_errors)
        return
    summary = generate(out, scale=s, seed=seed, as_of=on, with_errors=with_errors)
    typer.echo(
        f"已生成 {scale} 演示数据到 {out} (种子 {seed}, 截至 {on}), 用时 {summary.seconds} 秒"
    )
    for name, n in summary.files.items():
        typer.echo(f"  {name}: {n} 行")
    if summary.error_files:
        parts = [f"{k} {v} 行" for k, v in summary.error_files.items()]
        typer.echo("  with_errors/: " + ", ".join(parts))
    typer.echo("预置问题: " + ", ".join(f"{k} {v}" for k, v in summary.planted_counts.items()))


def _months(
    out: Path, *, scale: Scale, seed: int, as_of: date, months: int, with_errors: bool
) -> None:
    from orgraph.demo.evolve import EVOLUTION_FILE, generate_months

    summary = generate_months(
        out, scale=scale, seed=seed, as_of=as_of, months=months, with_errors=with_errors
    )
    typer.echo(
        f"已生成 {scale} 演示数据 {months} 个月末到 {out} (种子 {seed}), "
        f"用时 {summary.seconds} 秒; 变动见 {out / EVOLUTION_FILE}"
    )
    for folder, files, edits in zip(summary.folders, summary.files, summary.edits, strict=True):
        changed = ", ".join(f"{EDIT_ZH[k]} {len(v)}" for k, v in edits.edits.items() if v)
        typer.echo(
            f"  {folder.name}/: {sum(files.values())} 行" + (f"; {changed}" if changed else "")
        )
    typer.echo("按月导入 (花名册日期为各月末):")
    for folder in summary.folders:
        typer.echo(f"  orgraph import {folder}/*.xlsx {folder}/*.csv --on {folder.name}")


EDIT_ZH = {
    "left": "外出",
    "returned": "返回",
    "transferred": "转支部",
    "contacts_ended": "联系结束",
    "contacts_begun": "新增联系",
    "households_moved": "农户迁组",
}


def main() -> None:
    typer.run(demo_data)
