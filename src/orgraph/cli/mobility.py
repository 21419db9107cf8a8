"""`orgraph mobility ...`: where members away are, their timelines, and the outflow lifecycle
(登记外出、报到、参加组织生活、返回、转接) and mobile branches."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from orgraph.analysis.engine import Engine
from orgraph.cli.analysis import AsOfOpt, Format, FormatOpt, ScopeOpt, emit
from orgraph.cli.common import console, handles_errors, print_json, store_session
from orgraph.mobility import services
from orgraph.vocab import MOBILE_STATUS_ZH, TIMELINE_EVENT_ZH

app = typer.Typer(
    help="流动党员: 去向、流向、个人轨迹，外出/报到/返回/转接登记，流动党员党支部",
    no_args_is_help=True,
)
branch_app = typer.Typer(help="流动党员党支部 / 临时党支部", no_args_is_help=True)
app.add_typer(branch_app, name="branch")

MemberArg = Annotated[str, typer.Argument(help="党员的人员编号 (或系统内的党员键)")]
OnOpt = Annotated[str | None, typer.Option("--on", help="日期 YYYY-MM-DD (默认今天)")]


@app.command()
@handles_errors
def destinations(
    scope: ScopeOpt = None, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table
) -> None:
    """外出党员去向: 按流入省、市统计人数 (含正式党员、已参加组织生活、长期未报到、失联)。"""
    with store_session() as store:
        doc = Engine(store).destinations(scope=scope, as_of=as_of)
    rows = [
        {
            "province": p["name"],
            "code": c["code"],
            "name": c["name"],
            "count": c["count"],
            "full_members": c["full_members"],
            "attached": c["attached"],
            "silent": c["silent"],
            "lost": c["lost"],
            "branches": c["branches"],
        }
        for p in doc["provinces"]
        for c in p["cities"]
    ]
    emit(
        rows,
        fmt,
        f"外出党员去向: 共 {doc['total']} 人，{doc['unplaced']} 人去向不明 "
        f"({doc['scope']}, 截至 {doc['as_of']})",
        doc,
        {
            "province": "省",
            "code": "代码",
            "name": "城市",
            "count": "外出人数",
            "attached": "已参加组织生活",
            "silent": "长期未报到",
            "lost": "失联",
            "branches": "流动党员党支部",
        },
    )


@app.command()
@handles_errors
def flows(scope: ScopeOpt = None, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table) -> None:
    """外出党员流向: 从各乡镇到各流入城市的人数 (用于流向图)。"""
    with store_session() as store:
        doc = Engine(store).flows(scope=scope, as_of=as_of)
    rows = [
        {"origin": f["origin"], "destination": f["destination"], "count": f["count"]}
        for f in doc["flows"]
    ]
    emit(
        rows,
        fmt,
        f"外出党员流向 ({doc['scope']}, 截至 {doc['as_of']}; "
        f"{doc['unplaced']} 人去向或所在乡镇不明)",
        doc,
        {"origin": "流出乡镇", "destination": "流入城市", "count": "人数"},
    )


@app.command()
@handles_errors
def member(key: MemberArg, fmt: FormatOpt = Format.table) -> None:
    """一名党员的外出轨迹: 外出、报到、参加组织生活、返回、转接，按时间排列。"""
    with store_session() as store:
        doc = Engine(store).timeline(key)
    if fmt is not Format.table:
        print_json(doc)
        return
    m = doc["member"]
    branch = (m.get("branch") or {}).get("name") or "无"
    console.print(
        f"{m['name']} ({m['id']})，所在党支部: {branch}" + ("" if m["on_roll"] else " [已不在册]")
    )
    for e in doc["events"]:
        console.print(f"  {e['on']}  {TIMELINE_EVENT_ZH[e['kind']]}  {_event_detail(e)}")
    if not doc["events"]:
        console.print("  (没有外出记录)")


def _event_detail(e: dict[str, Any]) -> str:
    if e["kind"] == "departure":
        where = (e.get("destination") or {}).get("name") or e.get("destination_text") or ""
        return "，".join(x for x in (where, e.get("employer"), e.get("reason")) if x)
    if e["kind"] in ("attend", "leave_org", "report"):
        return str((e.get("org") or {}).get("name") or "")
    if e["kind"] == "transfer":
        return "转入 " + str(e["to_org"].get("name") or e["to_org"]["id"])
    return ""


def _done(doc: dict[str, Any], fmt: Format, message: str) -> None:
    if fmt is Format.json:
        print_json(doc)
    else:
        console.print(message)


@app.command()
@handles_errors
def depart(
    key: MemberArg,
    to: Annotated[str, typer.Option("--to", help="外出地点: 区划代码或地名，如“广东东莞长安镇”")],
    on: OnOpt = None,
    reason: Annotated[str | None, typer.Option("--reason", help="外出原因")] = None,
    employer: Annotated[str | None, typer.Option("--employer", help="工作单位")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="外出联系电话")] = None,
    card: Annotated[str | None, typer.Option("--card", help="流动党员活动证编号")] = None,
    contact: Annotated[str | None, typer.Option("--contact", help="家乡联系人")] = None,
    host_org: Annotated[str | None, typer.Option("--host-org", help="流入地党组织编号")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """登记外出。"""
    with store_session() as store:
        doc = services.register_departure(
            store,
            member=key,
            left_on=on,
            destination=to,
            reason=reason,
            employer=employer,
            phone_away=phone,
            card_no=card,
            contact_person=contact,
            host_org=host_org,
        )
    note = "" if doc["placed"] else " (未能识别外出地点，已保留原文，不计入去向统计)"
    _done(doc, fmt, f"已登记外出: {key} 于 {doc['left_on']} 去 {doc['destination_text']}{note}")


@app.command()
@handles_errors
def report(
    key: MemberArg,
    on: OnOpt = None,
    channel: Annotated[
        str | None, typer.Option("--channel", help="电话/微信/现场/网上/书面")
    ] = None,
    org: Annotated[str | None, typer.Option("--org", help="报到的党组织编号")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """登记报到 / 报平安。"""
    with store_session() as store:
        doc = services.record_report(store, member=key, on=on, channel=channel, org=org)
    _done(doc, fmt, f"已登记报到: {key} 于 {doc['on']}")


@app.command()
@handles_errors
def attend(
    key: MemberArg,
    org: Annotated[str, typer.Option("--org", help="流入地党组织编号")],
    on: OnOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """登记在流入地参加组织生活。"""
    with store_session() as store:
        doc = services.attend(store, member=key, org=org, since=on)
    _done(doc, fmt, f"已登记: {key} 自 {doc['since']} 参加 {doc['org']} 的组织生活")


@app.command(name="return")
@handles_errors
def return_(key: MemberArg, on: OnOpt = None, fmt: FormatOpt = Format.table) -> None:
    """登记返回。"""
    with store_session() as store:
        doc = services.record_return(store, member=key, on=on)
    _done(doc, fmt, f"已登记返回: {key} 于 {doc['returned_on']} (外出自 {doc['left_on']})")


@app.command()
@handles_errors
def transfer(
    key: MemberArg,
    to: Annotated[str, typer.Option("--to", help="转入党组织编号，或县外党组织名称")],
    on: OnOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """转接组织关系 (结束外出登记；转出本县则不再在册，历史保留)。"""
    with store_session() as store:
        doc = services.transfer(store, member=key, to_org=to, on=on)
    _done(
        doc,
        fmt,
        f"已转接组织关系: {key} 于 {doc['on']} 转入 {doc['to_name']}"
        + ("" if doc["on_roll"] else " (转出本县，不再在册)"),
    )


@branch_app.command("add")
@handles_errors
def branch_add(
    id: Annotated[str, typer.Argument(help="组织编号")],
    name: Annotated[str, typer.Option("--name", help="组织名称")],
    host: Annotated[str, typer.Option("--host", help="驻在地: 区划代码或地名")],
    approved_by: Annotated[
        str, typer.Option("--approved-by", help="批准组建的县级及以上党组织编号")
    ],
    kind: Annotated[
        str, typer.Option("--kind", help="mobile_branch | temp_branch | temp_group")
    ] = "mobile_branch",
    on: OnOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """成立流动党员党支部 / 临时党支部 / 临时党小组。"""
    with store_session() as store:
        doc = services.create_mobile_branch(
            store,
            id=id,
            name=name,
            kind=kind,
            host_area=host,
            approved_by=approved_by,
            established_on=on,
        )
    _done(doc, fmt, f"已成立 {doc['name']} ({doc['id']})，驻 {doc['host_area']}")


@branch_app.command("join")
@handles_errors
def branch_join(
    branch: Annotated[str, typer.Argument(help="流动党员党支部编号")],
    key: MemberArg,
    on: OnOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """把外出党员编入流动党员党支部 (参加其组织生活)。"""
    with store_session() as store:
        doc = services.add_branch_member(store, branch=branch, member=key, since=on)
    _done(doc, fmt, f"已编入: {key} 自 {doc['since']} 参加 {branch}")


@branch_app.command("list")
@handles_errors
def branch_list(
    scope: ScopeOpt = None, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table
) -> None:
    """流动党员党支部及其成员报到情况。"""
    with store_session() as store:
        doc = Engine(store).mobile_branches(scope=scope, as_of=as_of)
    emit(
        doc["branches"],
        fmt,
        f"流动党员党支部 (截至 {doc['as_of']})",
        doc,
        {
            "host": "驻在地",
            "city": "所在城市",
            "approved_by": "批准组建",
            "established_on": "成立日期",
            "members": "成员数",
            "silent": "长期未报到",
            "lost": "失联",
        },
    )


@branch_app.command("members")
@handles_errors
def branch_members(
    branch: Annotated[str, typer.Argument(help="流动党员党支部编号")],
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """一个流动党员党支部的成员及报到情况。"""
    with store_session() as store:
        doc = Engine(store).mobile_branch(branch, as_of=as_of)
    rows = [{**m, "status": MOBILE_STATUS_ZH[m["status"]]} for m in doc["members"]]
    emit(
        rows,
        fmt,
        f"{doc['branch']['name']}: {len(rows)} 人 (截至 {doc['as_of']})",
        doc,
        {
            "since": "加入日期",
            "away": "外出中",
            "last_report": "最近报到",
            "quiet_days": "未报到天数",
            "status": "状态",
            "destination_text": "外出地点",
        },
    )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="mobility")
