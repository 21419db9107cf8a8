"""`orgraph imports` (the graph's import history, newest first), `orgraph imports show ID`
(one import with its whole report, as `orgraph import --report` wrote it): importer/history.py,
docs/design.md#import-history; `orgraph trend` (coverage month by month, docs/rules.md
"Trend"), `orgraph changes` and `orgraph year-end` (the year-end summary workbook, docs/rules.md
"Year-end summary")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from orgraph.analysis import year_end as year_end_summary
from orgraph.analysis.engine import LEVELS, MAX_TREND_MONTHS, Engine
from orgraph.cli.analysis import AsOfOpt, Format, FormatOpt, ScopeOpt, emit
from orgraph.cli.common import console, handles_errors, print_json, store_session
from orgraph.config import get_settings
from orgraph.importer import history
from orgraph.records import year_end_sheet
from orgraph.vocab import ROSTER_KIND_ZH

app = typer.Typer(help="导入记录: 每次导入的时间、导入人、文件 (大小、SHA-256) 和结果")

SOURCE_ZH = {"cli": "命令行", "api": "网页/接口", "demo": "演示数据"}


def _kinds(entry: dict[str, Any]) -> str:
    parts = []
    for kind, n in entry["changes"].items():
        done = [f"新增 {n['created']}"] if n["created"] else []
        done += [f"更新 {n['updated']}"] if n["updated"] else []
        done += [f"不在册 {n['off_roll']}"] if n.get("off_roll") else []
        done += [f"拒绝 {n['rejected']}"] if n["rejected"] else []
        if done:
            parts.append(f"{ROSTER_KIND_ZH.get(kind, kind)}: {'，'.join(done)}")
    return "；".join(parts) or "无变化"


@app.callback(invoke_without_command=True)
@handles_errors
def list_(
    ctx: typer.Context,
    page: Annotated[int, typer.Option("--page", min=1, help="第几页")] = 1,
    page_size: Annotated[
        int, typer.Option("--page-size", min=1, max=history.PAGE_MAX, help="每页条数")
    ] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """列出导入记录 (最新的在前)。"""
    if ctx.invoked_subcommand is not None:
        return
    with store_session(get_settings()) as store:
        doc = history.imports(store, page=page, page_size=page_size)
    if as_json:
        print_json(doc)
        return
    if not doc["items"]:
        console.print("尚无导入记录 (试导入不记录)")
        return
    table = Table(title=f"导入记录 (共 {doc['total']} 次)")
    for col in ("编号", "时间 (UTC)", "导入人", "来源", "文件", "结果"):
        table.add_column(col)
    for e in doc["items"]:
        files = "\n".join(f"{f['name']} ({f['size']:,} 字节)" for f in e["files"])
        table.add_row(
            e["id"],
            e["at"][:19].replace("T", " "),
            e["by"],
            SOURCE_ZH.get(e["source"], e["source"]) + (" 全量" if e["snapshot"] else ""),
            files,
            _kinds(e),
        )
    console.print(table)


@app.command()
@handles_errors
def show(
    import_id: Annotated[str, typer.Argument(help="导入记录编号 (orgraph imports 列出)")],
    out: Annotated[
        Path | None, typer.Option("--out", help="把完整的导入报告写成 JSON 文件")
    ] = None,
) -> None:
    """一次导入的完整记录和报告。"""
    with store_session(get_settings()) as store:
        doc = history.import_report(store, import_id)
    if out is None:
        print_json(doc)
        return
    out.write_text(json.dumps(doc["report"], ensure_ascii=False, indent=2), encoding="utf-8")
    console.print(f"导入 {doc['id']} 的完整报告: {out}")


def trend(
    scope: ScopeOpt = None,
    level: Annotated[str, typer.Option("--level", help="township | village | hamlet")] = "township",
    months: Annotated[
        int, typer.Option("--months", min=1, max=MAX_TREND_MONTHS, help="月数 (1–24)")
    ] = 12,
    as_of: AsOfOpt = None,
    counts: Annotated[bool, typer.Option("--counts", help="JSON 中同时给出各类缺口数量")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """逐月联系覆盖率: 每个月末 (最后一列为统计日期) 各区划的覆盖率。"""
    if level not in LEVELS:
        raise typer.BadParameter(f"可用: {', '.join(LEVELS)}", param_hint="--level")
    with store_session() as store:
        doc = Engine(store).trend(
            scope=scope, level=level, months=months, as_of=as_of, counts=counts
        )
    dates = [p["date"] for p in doc["points"]]
    rows: dict[str, dict[str, Any]] = {}
    for point in doc["points"]:
        for r in point["rows"]:
            row = rows.setdefault(r["code"], {"code": r["code"], "name": r["name"]})
            row[point["date"]] = "—" if r["coverage"] is None else f"{r['coverage']:.1%}"
    emit(
        list(rows.values()),
        fmt,
        f"逐月联系覆盖率 ({dates[0]} — {dates[-1]}；所属支部、职务等按现在的记录)",
        doc,
        {"code": "代码", **{d: d[:7] if d != doc["as_of"] else d for d in dates}},
    )


@app.command()
@handles_errors
def fields(
    key: Annotated[str, typer.Argument(help="党员的键、户编号或党组织编号")],
) -> None:
    """一个对象被历次导入改动过的字段 (旧值 → 新值)，最早的在前。"""
    with store_session(get_settings()) as store:
        print_json(history.field_history(store, key))


def changes(
    since: Annotated[
        str, typer.Argument(help="起点: 导入记录编号、last、previous 或日期 YYYY-MM-DD")
    ],
    until: Annotated[
        str | None, typer.Argument(help="终点: 导入记录编号、last、previous 或日期 (默认今天)")
    ] = None,
    scope: ScopeOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """两次导入或两个日期之间的变化: 缺口新出现与解决、农户、党员、党组织、改动的字段
    (--scope: 只列范围内的)。"""
    with store_session(get_settings()) as store:
        doc = Engine(store).changes(since, until, scope=scope)
    if as_json:
        print_json(doc)
        return
    shown = {k: doc[k].get("id") or doc[k]["on"] for k in ("from", "to")}
    table = Table(title=f"变化 ({doc['scope']}): {shown['from']} → {shown['to']}")
    for col in ("缺口类型", "新出现", "已解决"):
        table.add_column(col)
    for g in doc["gaps"]:
        table.add_row(g["label"], str(g["opened"]), str(g["closed"]))
    console.print(table)
    hh, mm = doc["households"], doc["members"]
    console.print(
        f"农户: 新增未联系 {len(hh['newly_uncovered'])}，新联系上 {len(hh['newly_covered'])}；"
        f"党员: 外出 {len(mm['left'])}，返回 {len(mm['returned'])}，转出 {len(mm['transferred'])}，"
        f"调整支部或党小组 {len(mm['moved'])}；新建党组织 {len(doc['orgs']['created'])}；"
        f"导入改动字段 {doc['fields']['total']} 处"
    )


def year_end(
    year: Annotated[int, typer.Option("--year", help="年份 (2000 至今年；本年度统计到今天)")],
    out: Annotated[Path, typer.Option("--out", help="写出的 Excel 文件 (.xlsx)")],
) -> None:
    """年度汇总: 各乡镇年初、年末覆盖率，年内缺口新出现与解决，外出党员情况，逐月覆盖率和图表。"""
    if out.suffix.lower() != ".xlsx":
        raise typer.BadParameter("导出文件须为 .xlsx", param_hint="--out")
    with store_session(get_settings()) as store:
        doc = year_end_summary.summary(Engine(store), year)
    out.write_bytes(year_end_sheet.to_xlsx(doc))
    county = doc["county"]
    console.print(
        f"{doc['year']} 年度汇总 ({doc['start']} 至 {doc['end']}): {len(doc['townships'])} 个乡镇，"
        f"缺口新出现 {county['gaps_opened']}、已解决 {county['gaps_closed']}；已写出 {out}"
    )
    if doc["ledger"]["note"]:
        console.print(doc["ledger"]["note"])


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="imports")
    root.command()(handles_errors(trend))
    root.command()(handles_errors(changes))
    root.command(name="year-end")(handles_errors(year_end))
