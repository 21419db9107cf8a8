"""`orgraph gaps | coverage | chain | policy | screening`: the answers, as tables, JSON or CSV
(the screening also as its Excel workbook)."""

from __future__ import annotations

import csv
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from orgraph.analysis.engine import LEVELS, Engine
from orgraph.cli.common import console, err_console, handles_errors, print_json, store_session
from orgraph.policy import get_policy
from orgraph.records import screening_sheet
from orgraph.vocab import (
    CHAIN_DUTY_ZH,
    FIELD_ZH,
    GAP_TYPE_NAMES,
    GAP_ZH,
    LEVEL_ZH,
    SCREEN_INDICATOR_ZH,
)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


ScopeOpt = Annotated[str | None, typer.Option("--scope", help="区划代码或党组织编号 (默认全县)")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="统计日期 YYYY-MM-DD (默认今天)")]
FormatOpt = Annotated[Format, typer.Option("--format", help="table | json | csv")]


DICT_COLUMNS = (
    "area",
    "village",
    "township",
    "branch",
    "destination",
    "city",
    "suggested_secretary",
    "origin",
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return str(value.get("name") or value.get("id") or value.get("code") or "")
    if isinstance(value, list):
        return "、".join(_cell(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def emit(
    rows: list[dict[str, Any]],
    fmt: Format,
    title: str,
    doc: dict[str, Any],
    labels: dict[str, str] | None = None,
) -> None:
    names = {**FIELD_ZH, **(labels or {})}
    if fmt is Format.json:
        print_json(doc)
        return
    keys: list[str] = []
    for r in rows:
        keys += [
            k
            for k in r
            if (k not in keys and not isinstance(r[k], dict | list))
            or (k not in keys and k in DICT_COLUMNS)
        ]
    if fmt is Format.csv:
        out = csv.writer(sys.stdout)
        out.writerow([names.get(k, k) for k in keys])
        for r in rows:
            out.writerow([_cell(r.get(k)) for k in keys])
        return
    if not rows:
        console.print(f"{title}: 无")
        return
    table = Table(title=title, show_lines=False)
    for k in keys:
        table.add_column(names.get(k, k), overflow="fold")
    for r in rows:
        table.add_row(*(_cell(r.get(k)) for k in keys))
    console.print(table)


def gaps(
    type: Annotated[
        str | None,
        typer.Option(
            "--type", help="缺口类型 (不填则显示各类数量汇总): " + ", ".join(GAP_TYPE_NAMES)
        ),
    ] = None,
    scope: ScopeOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
    page: Annotated[int, typer.Option("--page", min=1)] = 1,
    page_size: Annotated[int, typer.Option("--page-size", min=1, max=10_000)] = 10_000,
    min_age_days: Annotated[
        int | None,
        typer.Option("--min-age-days", min=0, help="只列出已持续至少这么多天的缺口 (按缺口台账)"),
    ] = None,
) -> None:
    """列出缺口 (谁没人负责) 和每条已持续的天数；不带 --type 时显示各类缺口数量。"""
    with store_session() as store:
        engine = Engine(store)
        if type is None:
            doc = engine.with_past(engine.summary(scope=scope, as_of=as_of))
            # A rule whose records are not imported has no count: "未导入", never 0 (no gap).
            rows = [
                {"type": t, "name": GAP_ZH[t], "count": "未导入" if t in doc["no_data"] else n}
                for t, n in doc["counts"].items()
            ]
            if fmt is Format.json:
                print_json(doc)
                return
            emit(
                rows,
                fmt,
                f"缺口汇总 ({doc['scope']}, 截至 {doc['as_of']})",
                doc,
                {"type": "类型", "count": "数量"},
            )
            _past_note(doc, fmt)
            return
        doc = engine.with_past(
            engine.gaps(
                type,
                scope=scope,
                as_of=as_of,
                page=page,
                page_size=page_size,
                min_age_days=min_age_days,
                ages=True,
            )
        )
    missing = " — 尚未导入这条规则所读的记录，不能判断" if doc.get("no_data") else ""
    emit(
        doc["items"],
        fmt,
        f"{GAP_ZH.get(type, type)}: 共 {doc['total']} 条 ({doc['scope']}, 截至 {doc['as_of']})"
        + (f"，已持续 {min_age_days} 天以上" if min_age_days is not None else "")
        + missing,
        doc,
    )
    _past_note(doc, fmt)


def _past_note(doc: dict[str, Any], fmt: Format) -> None:
    """The answer's note when a past day reads today's undated facts (docs/rules.md "What an
    answer at a past day can read"): under the table; on stderr beside a CSV, which it would
    break; in the JSON as `past`."""
    note = doc["past"]["note"]
    if note is None or fmt is Format.json:
        return
    (err_console if fmt is Format.csv else console).print(note, highlight=False, soft_wrap=True)


def coverage(
    scope: ScopeOpt = None,
    level: Annotated[str, typer.Option("--level", help="township | village | hamlet")] = "township",
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """农户联系覆盖率，按乡镇/村/村民小组汇总。"""
    if level not in LEVELS:
        raise typer.BadParameter(f"可用: {', '.join(LEVELS)}", param_hint="--level")
    with store_session() as store:
        doc = Engine(store).coverage(scope=scope, level=level, as_of=as_of)
    if fmt is Format.json:
        print_json(doc)
        return
    rows = [
        {
            "code": r["code"],
            "name": r["name"],
            "level": LEVEL_ZH.get(r["level"]),
            "households": r["households"],
            "covered": r["covered"],
            "coverage": "—" if r["coverage"] is None else f"{r['coverage']:.1%}",
            "members": r["members"],
            "members_home": r["members_home"],
            "members_away": r["members_away"],
        }
        for r in doc["rows"]
    ]
    emit(
        rows,
        fmt,
        f"联系覆盖 (截至 {doc['as_of']})",
        doc,
        {
            "code": "代码",
            "covered": "已联系户",
            "coverage": "覆盖率",
            "households": "农户数",
            "members_home": "在家党员",
            "members_away": "外出党员",
        },
    )


def chain(
    household_id: Annotated[str, typer.Argument(help="户编号")],
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """一户的联系链: 联系党员 ← 村干部 ← 乡镇干部 ← 县级领导，并标出断在哪一级。"""
    with store_session() as store:
        doc = Engine(store).chain(household_id, as_of=as_of)
    if fmt is not Format.table:
        print_json(doc)
        return
    h = doc["household"]
    console.print(
        f"户 {h['id']} {h.get('head_name') or ''} "
        f"({_cell(h.get('township'))} {_cell(h.get('village'))} "
        f"{_cell(h.get('hamlet'))})，截至 {doc['as_of']}"
    )
    names = CHAIN_DUTY_ZH
    for lv in doc["levels"]:
        who = (
            "、".join(
                p["name"] + ("" if p.get("at_home", True) else "(外出)") for p in lv["people"]
            )
            or "无人"
        )
        mark = "[green]✓[/green]" if lv["ok"] else "[red]✗ 断链[/red]"
        console.print(f"  {mark} {names[lv['level']]}: {who}")
        if lv.get("first_secretaries"):
            console.print(
                "      第一书记: "
                + "、".join(
                    f"{f['member']['name']} ({f.get('sent_by') or '派出单位未填'})"
                    for f in lv["first_secretaries"]
                )
            )
    if doc["broken_at"]:
        console.print(f"[red]联系链断在: {names[doc['broken_at']]}[/red]")


def policy(fmt: FormatOpt = Format.table) -> None:
    """显示正在使用的各项阈值、默认值和依据 (ORGRAPH_POLICY_FILE 可覆盖)。"""
    rows = get_policy().describe()
    if fmt is Format.json:
        print_json(rows)
        return
    emit(
        rows,
        fmt,
        "阈值",
        {"rows": rows},
        {"value": "当前值", "default": "默认值", "rule": "规则", "source": "依据"},
    )


def screening(
    scope: ScopeOpt = None,
    as_of: AsOfOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出完整的 JSON 答案")] = False,
    export: Annotated[
        Path | None,
        typer.Option("--export", help="另写成 Excel 文件 (.xlsx): 排查名单和指标说明"),
    ] = None,
) -> None:
    """软弱涣散排查: 各村级党组织的指标，列出至少一项超过阈值的候选及原因 (按政策权重排序)。
    只是排查，定级、列入由人决定。"""
    if export is not None and export.suffix.lower() != ".xlsx":
        raise typer.BadParameter("导出文件须为 .xlsx", param_hint="--export")
    with store_session() as store:
        engine = Engine(store)
        doc = engine.screening(scope=scope, as_of=as_of)
    if export is not None:
        export.write_bytes(screening_sheet.to_xlsx(doc, engine.policy))
    if as_json:
        print_json(doc)
        return
    rows = [
        {
            "org": i["org"]["name"],
            "id": i["org"]["id"],
            "village": i["village"],
            "township": i["township"],
            "listed": i["listed"],
            "priority": i["priority"],
            "reasons": screening_sheet.reasons_zh(i),
        }
        for i in doc["items"]
        if i["candidate"]
    ]
    emit(
        rows,
        Format.table,
        f"软弱涣散排查 ({doc['scope']}, 截至 {doc['as_of']}): 排查 {doc['screened']} 个"
        f"村级党组织，候选 {doc['candidates']} 个",
        doc,
        {
            "org": "党组织",
            "id": "组织编号",
            "listed": "已列为软弱涣散",
            "priority": "优先级",
            "reasons": "原因",
        },
    )
    if doc["no_data"]:
        console.print(
            "无数据 (不能判断，不视为达标): "
            + "、".join(SCREEN_INDICATOR_ZH.get(k, k) for k in doc["no_data"])
        )
    if doc["unlisted_candidates"]:
        console.print(
            f"候选但尚未列为软弱涣散: {len(doc['unlisted_candidates'])} 个 ("
            + "、".join(doc["unlisted_candidates"])
            + ")"
        )
    if doc["listed_without_reasons"]:
        console.print(
            "已列为软弱涣散、但数据未显示原因 (请复核定级): "
            + "、".join(doc["listed_without_reasons"])
        )
    if export is not None:
        console.print(f"已写出 {len(doc['items'])} 行到 {export}")


def register(app: typer.Typer) -> None:
    for command in (gaps, coverage, chain, policy, screening):
        app.command()(handles_errors(command))
