"""Coverage, gaps, their summary and their export, and the 软弱涣散 screening (排查) and its
export: the engine's answers for a scope."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from orgraph.analysis.engine import LEVELS
from orgraph.records import screening_sheet
from orgraph.records.visibility import redact_items
from orgraph.vocab import GAP_TYPE_NAMES, GAP_ZH, LIFE_LEDGER_GAP_TYPES, SCREEN_INDICATOR_ZH
from orgraph_api import exports
from orgraph_api.deps import Scoped, Svc, audited
from orgraph_api.errors_doc import download, errors
from orgraph_api.params import AsOfQ, FormatQ, PageQ, PageSizeQ, ScopeQ
from orgraph_api.responses import Json
from orgraph_api.schemas import CoverageOut, GapPageOut, GapSummaryOut, ScreeningOut

router = APIRouter(tags=["覆盖与缺口"])

GapType = StrEnum("GapType", {t: t for t in GAP_TYPE_NAMES})  # type: ignore[misc]
Level = Literal["county", "township", "village", "hamlet"]
assert set(LEVELS) == {"county", "township", "village", "hamlet"}
EXPORT_PAGE = 10_000  # the engine's largest page
GAP_TYPES_DOC = "缺口类型: " + "、".join(f"{t} ({GAP_ZH[t]})" for t in GAP_TYPE_NAMES)


@router.get(
    "/coverage",
    summary="联系覆盖率",
    response_model=CoverageOut,
    responses=errors(404, 422),
    description="范围自身一行在前，然后是范围内该层级的每个区划: 农户数、已联系户、覆盖率、"
    "在册/在家/外出党员数和联户数分布。",
)
def coverage(
    svc: Svc,
    view: Scoped,
    scope: ScopeQ = None,
    level: Annotated[Level, Query(description="汇总到哪一级")] = "village",
    as_of: AsOfQ = None,
) -> Json:
    ref = view.resolve(scope)
    return Json(
        svc.answers.ask(view.revision, svc.engine.coverage, scope=ref, level=level, as_of=as_of)
    )


@router.get(
    "/gaps/summary",
    summary="各类缺口数量",
    response_model=GapSummaryOut,
    responses=errors(404, 422),
    description="范围内每一类缺口的数量，labels 为中文名。",
)
def gaps_summary(svc: Svc, view: Scoped, scope: ScopeQ = None, as_of: AsOfQ = None) -> Json:
    ref = view.resolve(scope)
    doc = svc.answers.ask(view.revision, svc.engine.summary, scope=ref, as_of=as_of)
    # what a past day can read, read now: today moves without a revision (docs/rules.md
    # "What an answer at a past day can read")
    doc = svc.engine.with_past(doc)
    return Json({**doc, "labels": {t: GAP_ZH.get(t, t) for t in doc["counts"]}})


@router.get(
    "/gaps",
    summary="一类缺口的清单",
    response_model=GapPageOut,
    responses=errors(404, 422),
    description=GAP_TYPES_DOC + "。条目按编号排序。",
)
def gaps(
    svc: Svc,
    view: Scoped,
    type: Annotated[GapType, Query(description="缺口类型")],
    scope: ScopeQ = None,
    as_of: AsOfQ = None,
    page: PageQ = 1,
    page_size: PageSizeQ = 50,
    min_age_days: Annotated[
        int | None,
        Query(ge=0, le=36_500, description="只列出已持续至少这么多天的缺口 (按缺口台账)"),
    ] = None,
) -> Json:
    ref = view.resolve(scope)
    if min_age_days is not None:  # every item's age first: not from the per-revision cache
        doc = svc.engine.gaps(
            type.value,
            scope=ref,
            as_of=as_of,
            page=page,
            page_size=page_size,
            min_age_days=min_age_days,
        )
    else:
        doc = svc.answers.ask(
            view.revision,
            svc.engine.gaps,
            type=type.value,
            scope=ref,
            as_of=as_of,
            page=page,
            page_size=page_size,
        )
        # the ages are read now: the ledger moves without a revision (docs/rules.md "Gap life")
        doc = svc.engine.gap_ages(doc)
    # like the ages, read now (docs/rules.md "What an answer at a past day can read")
    doc = svc.engine.with_past(doc)
    return Json(redact_items(doc, view.seen()))


@router.get(
    "/gaps/export",
    summary="导出缺口清单 (XLSX 或 CSV)",
    responses=download(404, 422),
    response_class=Response,
    description="整份清单 (不分页)。CSV 为带 BOM 的 UTF-8；以 = + - @ 开头的单元格加 ' 前缀"
    "防止被当作公式；编号、代码、电话列保持文本。",
)
def export(
    svc: Svc,
    view: Scoped,
    type: Annotated[GapType, Query(description="缺口类型")],
    scope: ScopeQ = None,
    as_of: AsOfQ = None,
    format: FormatQ = "xlsx",
) -> Response:
    ref = view.resolve(scope)
    with audited(
        svc,
        view.principal,
        action="gaps.export",
        target=type.value,
        scope=ref,
        detail={"format": format},
    ) as detail:
        first = svc.engine.gaps(
            type.value, scope=ref, as_of=as_of, page=1, page_size=EXPORT_PAGE, ages=True
        )
        items = list(first["items"])
        for page in range(2, (first["total"] + EXPORT_PAGE - 1) // EXPORT_PAGE + 1):
            items += svc.engine.gaps(
                type.value,
                scope=ref,
                as_of=first["as_of"],
                page=page,
                page_size=EXPORT_PAGE,
                ages=True,
            )["items"]
        items = redact_items({"items": items}, view.seen())["items"]
        detail["rows"] = len(items)
    title = GAP_ZH.get(type.value, type.value)
    name = f"{title}_{first['scope']}_{first['as_of']}.{format}"
    ascii_name = f"{type.value}_{first['scope']}_{first['as_of']}.{format}"
    body = (
        exports.to_csv(items)
        if format == "csv"
        else exports.to_xlsx(items, title=title, chinese_dates=type.value in LIFE_LEDGER_GAP_TYPES)
    )
    return exports.file_response(body, format, name, ascii_name)


SCREENING_TAG = "软弱涣散排查"
INDICATORS_DOC = "指标 (按此顺序): " + "、".join(
    f"{k} ({v})" for k, v in SCREEN_INDICATOR_ZH.items()
)


@router.get(
    "/screening",
    summary="软弱涣散排查",
    tags=[SCREENING_TAG],
    response_model=ScreeningOut,
    responses=errors(404, 422),
    description="范围内每个村级党组织 (直接服务一个村、上级组织不服务同一村) 的各项指标、"
    "阈值和背后的数字；至少一项超过阈值的列为候选，原因按政策权重排序，优先级为原因权重之和。"
    "指标按全县数据计算，与查询范围无关。只是排查: 定级、列入由人决定。" + INDICATORS_DOC + "。",
)
def screening(svc: Svc, view: Scoped, scope: ScopeQ = None, as_of: AsOfQ = None) -> Json:
    ref = view.resolve(scope)
    doc = svc.answers.ask(view.revision, svc.engine.screening, scope=ref, as_of=as_of)
    return Json(redact_items(doc, view.seen()))


@router.get(
    "/screening/export",
    summary="导出软弱涣散排查名单 (XLSX)",
    tags=[SCREENING_TAG],
    responses=download(404, 422),
    response_class=Response,
    description="两张表: 排查名单 (每个排查的党组织一行: 党组织、组织编号、所在村、乡镇、"
    "是否已列为软弱涣散、是否候选、优先级、原因，以及每项指标的数值，无数据的写“无数据”) 和"
    "指标说明 (每项指标的说明、列为原因的条件、阈值、权重和政策依据)。",
)
def export_screening(svc: Svc, view: Scoped, scope: ScopeQ = None, as_of: AsOfQ = None) -> Response:
    ref = view.resolve(scope)
    with audited(
        svc, view.principal, action="screening.export", target="screening", scope=ref
    ) as detail:
        doc = redact_items(svc.engine.screening(scope=ref, as_of=as_of), view.seen())
        detail["rows"] = len(doc["items"])
    body = screening_sheet.to_xlsx(doc, svc.engine.policy)
    tail = f"_{doc['scope']}_{doc['as_of']}.xlsx"
    return exports.file_response(body, "xlsx", "软弱涣散排查" + tail, "screening" + tail)
