"""`orgraph groups ranking` (a township's quarterly ranking of its party groups and the 流动红旗)
and `orgraph ledger inspect | first-secretary` (recording one inspection or one 第一书记
appointment by hand), docs/rules.md "党小组 appraisal", "The rectification ledger" and
"第一书记"."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orgraph.analysis.engine import Engine
from orgraph.cli.analysis import AsOfOpt, Format, emit
from orgraph.cli.common import console, handles_errors, print_json, store_session
from orgraph.cli.life import _date
from orgraph.errors import ValidationFailed
from orgraph.records import ledger, ranking_sheet
from orgraph.vocab import FOLLOW_UP_ZH

groups = typer.Typer(help="党小组: 乡镇季度排名与流动红旗", no_args_is_help=True)
app = typer.Typer(help="整顿台账与第一书记: 登记督查、登记第一书记派驻", no_args_is_help=True)

RANKING_LABELS = dict(
    zip(
        (
            "rank",
            "name",
            "branch",
            "summaries",
            "inspected",
            "meeting_months",
            "members",
            "size_ok",
            "eligible",
            "contacts_ok",
            "points",
            "appraisal",
        ),
        ranking_sheet.HEADERS,
        strict=True,
    )
)


@groups.command()
@handles_errors
def ranking(
    township: Annotated[str, typer.Argument(help="乡镇区划代码")],
    quarter: Annotated[
        str | None,
        typer.Option("--quarter", help="季度，如 2026-Q3 (默认统计日期前最近结束的季度)"),
    ] = None,
    as_of: AsOfOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出完整的 JSON 答案")] = False,
    export: Annotated[
        Path | None,
        typer.Option("--export", help="另写成可公布的 Excel 文件 (.xlsx): 排名和计分办法"),
    ] = None,
) -> None:
    """一个乡镇的党小组季度排名 (月总结、督查、党小组会、人数、联户) 和流动红旗。"""
    if export is not None and export.suffix.lower() != ".xlsx":
        raise typer.BadParameter("导出文件须为 .xlsx", param_hint="--export")
    with store_session() as store:
        engine = Engine(store)
        try:
            doc = engine.group_ranking(township, quarter=quarter, as_of=as_of)
        except ValueError:  # a date before 1900: no quarter to rank (the API says the same)
            raise ValidationFailed(f"统计日期{as_of}之前没有可排名的季度") from None
    if export is not None:
        export.write_bytes(ranking_sheet.to_xlsx(doc, engine.policy))
    if as_json:
        print_json(doc)
        return
    rows = [
        dict(zip(RANKING_LABELS, ranking_sheet.row_cells(doc, r), strict=True)) for r in doc["rows"]
    ]
    emit(
        rows,
        Format.table,
        ranking_sheet.title(doc) + f" (截至 {doc['as_of']})",
        doc,
        RANKING_LABELS,
    )
    console.print(ranking_sheet.red_flag_line(doc), soft_wrap=True)  # one line: copied as is
    if export is not None:
        console.print(f"已写出 {len(doc['rows'])} 行到 {export}")


@app.command()
@handles_errors
def inspect(
    org: Annotated[str, typer.Argument(help="被督查党组织编号")],
    on: Annotated[str, typer.Option("--on", help="督查日期 YYYY-MM-DD")],
    inspector: Annotated[str, typer.Option("--inspector", help="督查人或督查组")],
    findings: Annotated[str | None, typer.Option("--findings", help="发现的问题")] = None,
    follow_up: Annotated[
        str | None,
        typer.Option("--follow-up", help="整改情况: " + "/".join(FOLLOW_UP_ZH.values())),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table | json")] = Format.table,
) -> None:
    """登记一次督查 (同一党组织、日期、督查人再次登记即更正)。"""
    day = _date(on, "督查日期")
    assert day is not None
    with store_session() as store:
        doc = ledger.record_inspection(
            store, org=org, on=day, inspector=inspector, findings=findings, follow_up_=follow_up
        )
    if fmt is Format.json:
        print_json(doc)
        return
    console.print(f"{'已登记' if doc['created'] else '已更正'}: 督查 {doc['id']}")


@app.command("first-secretary")
@handles_errors
def first_secretary(
    member: Annotated[str, typer.Argument(help="派驻党员的人员编号")],
    org: Annotated[str, typer.Option("--org", help="派驻的村党组织编号")],
    since: Annotated[str, typer.Option("--since", help="派驻日期 YYYY-MM-DD")],
    until: Annotated[str | None, typer.Option("--until", help="派驻截止日期 YYYY-MM-DD")] = None,
    sent_by: Annotated[str | None, typer.Option("--sent-by", help="派出单位")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table | json")] = Format.table,
) -> None:
    """登记第一书记派驻 (同一党员、党组织、派驻日期再次登记即更正)。"""
    start = _date(since, "派驻日期")
    assert start is not None
    with store_session() as store:
        doc = ledger.record_first_secretary(
            store,
            member=member,
            org=org,
            since=start,
            until=_date(until, "派驻截止日期"),
            sent_by=sent_by,
        )
    if fmt is Format.json:
        print_json(doc)
        return
    console.print(f"{'已登记' if doc['created'] else '已更正'}: 第一书记 {doc['id']}")


def register(root: typer.Typer) -> None:
    root.add_typer(groups, name="groups")
    root.add_typer(app, name="ledger")
