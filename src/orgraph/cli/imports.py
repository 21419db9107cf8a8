"""`orgraph import`: roster files into the graph, with a report a person can act on."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn
from rich.table import Table

from orgraph.analysis.engine import Engine, parse_as_of
from orgraph.cli.common import console, handles_errors, store_session
from orgraph.config import get_settings
from orgraph.errors import ValidationFailed
from orgraph.importer.report import ImportReport
from orgraph.roster import KINDS
from orgraph.vocab import FIELD_ZH, ROSTER_KIND_ZH

SHOW_ISSUES = 20


def register(app: typer.Typer) -> None:
    @app.command("import")
    @handles_errors
    def import_(
        paths: Annotated[
            list[Path],
            # readable=False: the checks below say what is wrong in Chinese (Click's own said
            # "path … is not readable" in English, exit 2: issue #18).
            typer.Argument(help="花名册文件 (xlsx/xls/csv)，可多个", readable=False),
        ],
        kind: Annotated[
            str | None,
            typer.Option(
                "--kind", help=f"文件类别 ({'/'.join(KINDS)})；不填则按表头或工作表名识别"
            ),
        ] = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="只校验，不写入")] = False,
        snapshot: Annotated[
            bool,
            typer.Option("--snapshot", help="花名册为全量：名单中没有的党员标记为不在册 (不删除)"),
        ] = False,
        report: Annotated[
            Path | None, typer.Option("--report", help="把完整的导入报告写成 JSON 文件")
        ] = None,
        on: Annotated[
            str | None,
            typer.Option(
                "--on",
                help="花名册反映的日期 YYYY-MM-DD (默认今天)：缺口台账按此日记首次发现、已解决",
            ),
        ] = None,
        recheck: Annotated[
            bool,
            typer.Option(
                "--recheck",
                help="逐行重新核对：即使文件与上次导入相同、图也未变，也重新读取每一行",
            ),
        ] = False,
    ) -> None:
        """导入花名册、农户、联系关系、外出登记、报到记录等文件。"""
        # the importer loads when a command imports, not with every `orgraph` command
        from orgraph.importer.history import Origin, local_user
        from orgraph.importer.pipeline import import_files

        for p in paths:
            _check_readable(p)
        day = dt.date.fromisoformat(parse_as_of(on)[0])
        settings = get_settings()
        with (
            store_session(settings) as store,
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                console=console,
                transient=True,
            ) as bar,
        ):
            tasks: dict[str, TaskID] = {}

            def progress(label: str, done: int, total: int) -> None:
                if label not in tasks:
                    tasks[label] = bar.add_task(
                        f"写入 {ROSTER_KIND_ZH.get(label, label)}", total=total
                    )
                bar.update(tasks[label], completed=done, total=total)

            engine = Engine(store)
            result = import_files(
                store,
                paths,
                kind=kind,
                dry_run=dry_run,
                snapshot=snapshot,
                on=day,
                key=settings.id_hash_key.get_secret_value().encode(),
                max_bytes=settings.roster_max_mb * 1024 * 1024,
                progress=progress,
                waiting=console.print,  # another import holds the graph: say so while waiting
                origin=Origin(by=local_user(), source="cli"),
                engine=engine,
                recheck=recheck,
            )
            if dry_run and result.household_contacts():
                result.coverage = engine.preview_contacts(result.household_contacts())
        if report:
            report.write_text(
                json.dumps(result.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
            )
        show(result)
        if report:
            console.print(f"完整报告: {report}")
        totals = result.totals()
        if totals["rejected"] or totals["sheet_errors"]:
            raise typer.Exit(1)


def _check_readable(p: Path) -> None:
    """A path the import can open, or a Chinese message saying why not (exit 7, as any other
    refused input), before the store is opened."""
    try:
        if p.is_dir():
            raise ValidationFailed(f"“{p}”是文件夹，不是文件：请给出其中的花名册文件")
        with p.open("rb") as fh:
            fh.read(1)
    except (FileNotFoundError, NotADirectoryError):
        raise ValidationFailed(f"文件不存在: {p}") from None
    except PermissionError:
        raise ValidationFailed(f"没有读取文件“{p}”的权限，请检查文件权限") from None
    except OSError as exc:
        raise ValidationFailed(f"无法读取文件“{p}”：{exc.strerror or exc}") from None


TEXT_COLUMNS = ("path", "sheet", "kind")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def show(result: ImportReport) -> None:
    table = Table(title="导入结果 (仅校验，未写入)" if result.dry_run else "导入结果")
    for key in ("path", "sheet", "kind", "rows", "created", "updated", "unchanged"):
        table.add_column(FIELD_ZH[key], justify="left" if key in TEXT_COLUMNS else "right")
    table.add_column(FIELD_ZH["rejected"], justify="right")
    table.add_column(FIELD_ZH["warnings"], justify="right")
    for f in result.files:
        table.add_row(
            Path(f.path).name,
            f.sheet,
            ROSTER_KIND_ZH.get(f.kind or "", f.kind or "未识别"),
            str(f.rows),
            str(f.created),
            str(f.updated),
            str(f.unchanged),
            str(len({i.row for i in f.rejected})),
            str(len(f.warnings)),
        )
    console.print(table)
    issues = [(f, i, "拒绝") for f in result.files for i in (*f.errors, *f.rejected)]
    issues += [(f, i, "警告") for f in result.files for i in f.warnings]
    for f, i, what in issues[:SHOW_ISSUES]:
        where = (
            f"{Path(f.path).name} [{i.sheet}] 第{i.row}行"
            if i.row
            else f"{Path(f.path).name} [{i.sheet}]"
        )
        col = f" {i.column}" if i.column else ""
        val = f" “{i.value}”" if i.value else ""
        style = "red" if what == "拒绝" else "yellow"
        console.print(f"[{style}]{what}[/{style}] {where}{col}{val}: {i.message}", highlight=False)
    if len(issues) > SHOW_ISSUES:
        console.print(f"… 另有 {len(issues) - SHOW_ISSUES} 条，用 --report 输出完整报告")
    if result.coverage is not None:
        cov = result.coverage
        console.print(
            f"导入后联系覆盖 (截至 {cov['as_of']}): 已联系 {cov['covered_before']:,} 户 → "
            f"{cov['covered_after']:,} 户 (共 {cov['households']:,} 户, "
            f"{_pct(cov['coverage_before'])} → {_pct(cov['coverage_after'])})"
        )
    if result.off_roll:
        console.print(f"全量花名册: {result.off_roll} 名党员不在名单中，已标记为不在册")
    if result.reused:
        console.print(
            "文件与上次导入相同，图也未变：沿用上次导入的逐行结果，未重新读取"
            " (--recheck 可逐行重新核对)"
        )
    console.print(f"用时 {result.seconds:.1f} 秒")
