"""A township's quarterly ranking of its party groups and the 流动红旗, and its export
(docs/rules.md "Township ranking of party groups and the 流动红旗")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from orgraph.errors import ValidationFailed
from orgraph.records import ranking_sheet
from orgraph.records.visibility import redact_refs
from orgraph_api import exports
from orgraph_api.access import View
from orgraph_api.deps import Scoped, Svc, audited
from orgraph_api.errors_doc import download, errors
from orgraph_api.params import NO_NUL, AsOfQ
from orgraph_api.responses import Json
from orgraph_api.schemas import GroupRankingOut

router = APIRouter(tags=["党小组"])

TownshipQ = Annotated[
    str,
    Query(
        pattern=NO_NUL,
        max_length=64,
        description="乡镇区划代码 (乡镇用户只能查本乡镇，县级用户可查任一乡镇)",
        examples=["330226101"],
    ),
]
QuarterQ = Annotated[
    str | None,
    Query(
        pattern=NO_NUL,
        max_length=16,
        description="季度，如 2026-Q3；须在 as_of 前已结束，默认 as_of 前最近结束的季度",
        examples=["2026-Q3"],
    ),
]


def _ranking(
    svc: Svc, view: View, township: str, quarter: str | None, as_of: Any, *, cached: bool
) -> dict[str, Any]:
    """The ranking as the caller may see it: the township must lie within the caller's scope
    (404 otherwise, in the words of any object outside it)."""
    view.resolve(township)
    try:
        if cached:
            doc = svc.answers.ask(
                view.revision,
                svc.engine.group_ranking,
                township=township,
                quarter=quarter,
                as_of=as_of,
            )
        else:
            doc = svc.engine.group_ranking(township, quarter=quarter, as_of=as_of)
    except ValueError:
        # Engine.group_ranking's default quarter is not guarded for years before 1900 (its
        # explicit quarters are): a date that far back has no quarter to rank.
        raise ValidationFailed(f"统计日期{as_of}之前没有可排名的季度") from None
    seen = view.seen()
    return {
        **doc,
        "rows": redact_refs(doc["rows"], seen),
        "red_flag": redact_refs(doc["red_flag"], seen),
    }


@router.get(
    "/groups/ranking",
    summary="党小组季度排名与流动红旗",
    response_model=GroupRankingOut,
    responses=errors(404, 422),
    description="一个乡镇的党小组在一个已结束季度的得分和名次: 月总结月数、是否督查、党小组会"
    "月数、人数是否合规、在家党员联户达标人数，分值取自计分办法 (policy)；同分同名次。"
    "第一名达到流动红旗分数线时为 red_flag，同分的党小组列在 tied (由乡镇确定)。"
    "records/life 为 false 时相应数字为 0，表示未导入记录，不表示没有开展。",
)
def ranking(
    svc: Svc,
    view: Scoped,
    township: TownshipQ,
    quarter: QuarterQ = None,
    as_of: AsOfQ = None,
) -> Json:
    return Json(_ranking(svc, view, township, quarter, as_of, cached=True))


@router.get(
    "/groups/ranking/export",
    summary="导出党小组季度排名 (XLSX)",
    responses=download(404, 422),
    response_class=Response,
    description="乡镇可直接公布的排名表: 党小组季度排名 (标题行写明乡镇和季度，下一行写明"
    "流动红旗获得者或“本季度无党小组达到流动红旗分数线”，每个党小组一行) 和计分办法 "
    "(每个计分项的分值和说明)。",
)
def export_ranking(
    svc: Svc,
    view: Scoped,
    township: TownshipQ,
    quarter: QuarterQ = None,
    as_of: AsOfQ = None,
) -> Response:
    with audited(
        svc, view.principal, action="groups.export", target=township, scope=township
    ) as detail:
        doc = _ranking(svc, view, township, quarter, as_of, cached=False)
        detail["quarter"] = doc["quarter"]
        detail["rows"] = len(doc["rows"])
    body = ranking_sheet.to_xlsx(doc, svc.engine.policy)
    tail = f"_{township}_{doc['quarter']}.xlsx"
    return exports.file_response(body, "xlsx", "党小组季度排名" + tail, "group_ranking" + tail)
