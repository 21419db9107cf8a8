"""`orgraph propose`: who should take which uncovered household (docs/rules.md "Contact
proposals"), coverage before → after, and the roster file to review and import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orgraph.analysis.engine import Engine
from orgraph.cli.analysis import AsOfOpt, Format, FormatOpt, ScopeOpt, emit
from orgraph.cli.common import console, handles_errors, print_json, store_session
from orgraph.errors import ValidationFailed
from orgraph.roster import contact_roster
from orgraph.vocab import CADRE_REASON_ZH, GROUP_REASON_ZH, LOCALITY_ZH, SHORTFALL_ZH


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def propose(
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="contacts: 党员联户; cadres: 村两委包组 (无人负责的村民小组/党小组); "
            "groups: 未编入党小组的党员入组",
        ),
    ] = "contacts",
    scope: ScopeOpt = None,
    as_of: AsOfOpt = None,
    level: Annotated[
        str, typer.Option("--level", help="township | village: 按乡镇或按村列出调整前后")
    ] = "township",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="把建议写成联系关系花名册 (.xlsx 或 .csv)，审定后可用 orgraph import 导入"
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """联户调整建议: 把没人联系的农户就近、均衡地分给可安排的在家党员，并算出还差多少。"""
    if kind not in ("contacts", "cadres", "groups"):
        raise typer.BadParameter("可用: contacts, cadres, groups", param_hint="--kind")
    if level not in ("township", "village"):
        raise typer.BadParameter("可用: township, village", param_hint="--level")
    if out is not None and out.suffix.lower() not in (".xlsx", ".csv"):
        raise ValidationFailed(f"输出文件“{out.name}”应为 .xlsx 或 .csv")
    if kind == "groups" and out is not None:
        raise ValidationFailed("入组建议没有花名册格式，请用 --format csv 输出清单")
    if kind != "contacts":
        _duties(kind, scope=scope, as_of=as_of, out=out, fmt=fmt)
        return
    with store_session() as store:
        engine = Engine(store)
        doc = engine.proposal(scope=scope, as_of=as_of, page_size=None)
    if out is not None:
        write = contact_roster.to_xlsx if out.suffix.lower() == ".xlsx" else contact_roster.to_csv
        out.write_bytes(write(doc["items"], doc["as_of"]))
    if fmt is Format.json:
        print_json(doc)
        return
    rows = [
        {
            "code": r["code"],
            "name": r["name"],
            "households": r["households"],
            "coverage_before": _pct(r["coverage_before"]),
            "proposed": r["proposed"],
            "coverage_after": _pct(r["coverage_after"]),
            "remaining": r["remaining"],
            "members_needed": r["members_needed"],
            "contact_max_needed": r["contact_max_needed"],
            "shortfall": SHORTFALL_ZH[r["shortfall"]],
        }
        for r in [{**doc["total"], "code": doc["scope"], "name": "合计"}, *doc[level + "s"]]
    ]
    emit(
        rows,
        fmt,
        f"联户调整建议 ({doc['scope']}, 截至 {doc['as_of']}, 联户上限 "
        f"{doc['policy']['contact_max']}): 建议新增 {doc['items_total']} 对",
        doc,
        {"code": "代码", "households": "农户数"},
    )
    if doc["total"]["unplaced"]:
        console.print(f"另有 {doc['total']['unplaced']} 户未归入任何村，无法建议。")
    if out is not None:
        console.print(f"已写出 {len(doc['items'])} 行到 {out} (审定后: orgraph import {out})")


def _duties(
    kind: str, *, scope: str | None, as_of: str | None, out: Path | None, fmt: Format
) -> None:
    with store_session() as store:
        doc = Engine(store).duty_proposal(scope=scope, as_of=as_of)
    if fmt is Format.json:
        print_json(doc)
        return
    when = f"({doc['scope']}, 截至 {doc['as_of']})"
    if kind == "groups":
        rows = [
            {
                "member": i["member"]["id"],
                "name": i["member"]["name"],
                "branch": i["member"]["branch"],
                "group": f"{i['group']['name']} ({i['group']['id']})" if i["group"] else "",
                "reason": GROUP_REASON_ZH[i["reason"]],
                "size_before": i["size_before"],
            }
            for i in doc["groups"]["items"]
        ]
        emit(
            rows,
            fmt,
            f"入组建议 {when}",
            doc,
            {"member": "人员编号", "group": "建议党小组", "size_before": "现有人数"},
        )
        return
    cadres = doc["cadres"]
    if out is not None:
        write = contact_roster.to_xlsx if out.suffix.lower() == ".xlsx" else contact_roster.to_csv
        out.write_bytes(write(cadres["items"], doc["as_of"], cadres=True))
    rows = [
        {
            "unit": i["unit"]["id"],
            "name": i["unit"]["name"],
            "village": i["village"],
            "targets": "、".join(f"{t['name']} ({t['id']})" for t in i["targets"]),
            "cadre": f"{i['cadre']['name']} ({i['cadre']['id']})" if "cadre" in i else "",
            "locality": LOCALITY_ZH[i["locality"]] if "locality" in i else "",
            "reason": CADRE_REASON_ZH[i["reason"]] if "reason" in i else "",
        }
        for i in [*cadres["items"], *cadres["unassigned"]]
    ]
    emit(
        rows,
        fmt,
        f"包组建议 {when}: 建议 {len(cadres['items'])} 处，无法安排 {len(cadres['unassigned'])} 处",
        doc,
        {"unit": "编号", "targets": "负责对象", "cadre": "建议村两委成员"},
    )
    if out is not None:
        console.print(f"已写出到 {out} (审定后: orgraph import {out})")


def register(app: typer.Typer) -> None:
    app.command()(handles_errors(propose))
