"""`orgraph life ...`: organisational life (组织生活) and dues (党费): the branch × month grid,
a member's history, and recording a meeting or a payment (docs/rules.md "Organisational life
and dues")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from orgraph.analysis.engine import Engine
from orgraph.cli.analysis import AsOfOpt, Format, FormatOpt, ScopeOpt, emit
from orgraph.cli.common import console, handles_errors, print_json, store_session
from orgraph.errors import ValidationFailed
from orgraph.records import life
from orgraph.records.life_sheet import grid_xlsx
from orgraph.vocab import LIFE_CELL_ZH, MEETING_TYPE_ZH, ORG_KIND_ZH

app = typer.Typer(
    help="组织生活与党费: 支部×月开展情况、党员个人记录，登记会议和党费", no_args_is_help=True
)

TypeOpt = Annotated[
    str | None,
    typer.Option(
        "--type",
        help="支部按月检查的会议类型 (默认主题党日): " + "/".join(MEETING_TYPE_ZH.values()),
    ),
]
MARK = {"met": "✓", "missed": "✗", "no_quorum": "⚠", "none": "—"}
LEGEND = " ".join(MARK[k] + v for k, v in LIFE_CELL_ZH.items())


def _date(value: str | None, what: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{what}“{value}”格式不对，应为 YYYY-MM-DD") from None


@app.command()
@handles_errors
def grid(
    scope: ScopeOpt = None,
    as_of: AsOfOpt = None,
    type: TypeOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="写成可打印的 Excel 文件 (.xlsx)")
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """各党支部、党小组按月开展组织生活的情况: ✓已开展 ✗未开展 ⚠党员大会未达法定人数 —不检查。"""
    code = life.meeting_type(type) if type else None
    with store_session() as store:
        doc = Engine(store).life_grid(scope=scope, as_of=as_of, type=code)
    if out is not None:
        out.write_bytes(grid_xlsx(doc, title=f"组织生活开展情况 截至 {doc['as_of']}"))
        console.print(f"已写入 {out} ({len(doc['rows'])} 个组织)")
        return
    if fmt is Format.json:
        print_json(doc)
        return
    if doc["no_data"]:
        console.print(f"截至 {doc['as_of']} 尚未导入组织生活记录，无法检查")
        return
    rows = [
        {
            "org": r["org"]["name"],
            "kind": ORG_KIND_ZH.get(r["org"]["kind"], r["org"]["kind"]),
            **{c["month"]: MARK[c["state"]] for c in r["cells"]},
        }
        for r in doc["rows"]
    ]
    emit(
        rows,
        fmt,
        f"组织生活开展情况 ({MEETING_TYPE_ZH[doc['type']]}; {doc['scope']}, 截至 {doc['as_of']})"
        f"  {LEGEND}",
        doc,
        {"org": "党组织", "kind": "类别", **{m: m[2:].replace("-", "/") for m in doc["months"]}},
    )


@app.command()
@handles_errors
def member(
    key: Annotated[str, typer.Argument(help="党员的人员编号")],
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """一名党员参加组织生活和交纳党费的记录。"""
    with store_session() as store:
        doc = Engine(store).member_life(key, as_of=as_of)
    if fmt is not Format.table:
        print_json(doc)
        return
    m = doc["member"]
    console.print(
        f"{m['name']} ({m['id']})  最近参加组织生活: {doc['last_life'] or '无记录'}"
        f"  党费缴至: {doc['paid_to'] or '无记录'}"
        + (f"  欠缴 {doc['months_owed']} 个月" if doc["months_owed"] else "")
    )
    for k in doc["meetings"]:
        org = (k["org"] or {}).get("name", "")
        seen = "参加" if k["attended"] else "缺席"
        console.print(f"  {k['on']}  {MEETING_TYPE_ZH.get(k['type'], k['type'])}  {org}  {seen}")


@app.command()
@handles_errors
def meeting(
    org: Annotated[str, typer.Argument(help="党组织编号")],
    type: Annotated[str, typer.Option("--type", help="会议类型，如 党员大会、主题党日")],
    on: Annotated[str | None, typer.Option("--on", help="会议日期 YYYY-MM-DD (默认今天)")] = None,
    topic: Annotated[str | None, typer.Option("--topic", help="会议主题")] = None,
    expected: Annotated[int | None, typer.Option("--expected", min=0, help="应到人数")] = None,
    present: Annotated[int | None, typer.Option("--present", min=0, help="实到人数")] = None,
    attendee: Annotated[
        list[str] | None, typer.Option("--attendee", help="参加人员的人员编号 (可多次)")
    ] = None,
    absentee: Annotated[
        list[str] | None, typer.Option("--absentee", help="缺席人员的人员编号 (可多次)")
    ] = None,
    host: Annotated[str | None, typer.Option("--host", help="主持人/讲课人")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """登记一次组织生活 (同组织、类型、日期、主题再次登记即更正)。"""
    with store_session() as store:
        doc = life.record_meeting(
            store,
            org=org,
            type=type,
            on=_date(on, "会议日期"),
            topic=topic,
            expected=expected,
            present=present,
            attendees=attendee,
            absentees=absentee,
            host=host,
        )
    if fmt is Format.json:
        print_json(doc)
        return
    verb = "已登记" if doc["created"] else "已更正"
    console.print(f"{verb}: {doc['id']}")


@app.command()
@handles_errors
def dues(
    key: Annotated[str, typer.Argument(help="党员的人员编号")],
    paid_to: Annotated[str, typer.Option("--paid-to", help="缴至月份，如 2026-09 或 2026年9月")],
    on: Annotated[str | None, typer.Option("--on", help="缴纳日期 YYYY-MM-DD")] = None,
    amount: Annotated[str | None, typer.Option("--amount", help="金额 (只记录)")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """登记党费交纳 (同一党员同一缴至月份再次登记即更正)。"""
    with store_session() as store:
        doc = life.record_dues(
            store, member=key, paid_to=paid_to, paid_on=_date(on, "缴纳日期"), amount=amount
        )
    if fmt is Format.json:
        print_json(doc)
        return
    console.print(f"{'已登记' if doc['created'] else '已更正'}: {key} 党费缴至 {doc['paid_to']}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="life")
