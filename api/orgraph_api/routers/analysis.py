"""Coverage, gaps, their summary and their export: the engine's answers for a scope."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from orgraph.analysis.engine import LEVELS
from orgraph.records.visibility import redact_items
from orgraph.vocab import GAP_TYPE_NAMES, GAP_ZH, LIFE_LEDGER_GAP_TYPES
from orgraph_api import exports
from orgraph_api.deps import Scoped, Svc, audited
from orgraph_api.errors_doc import download, errors
from orgraph_api.params import AsOfQ, FormatQ, PageQ, PageSizeQ, ScopeQ
from orgraph_api.responses import Json
from orgraph_api.schemas import CoverageOut, GapPageOut, GapSummaryOut

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
) -> Json:
    ref = view.resolve(scope)
    doc = svc.answers.ask(
        view.revision,
        svc.engine.gaps,
        type=type.value,
        scope=ref,
        as_of=as_of,
        page=page,
        page_size=page_size,
    )
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
        first = svc.engine.gaps(type.value, scope=ref, as_of=as_of, page=1, page_size=EXPORT_PAGE)
        items = list(first["items"])
        for page in range(2, (first["total"] + EXPORT_PAGE - 1) // EXPORT_PAGE + 1):
            items += svc.engine.gaps(
                type.value, scope=ref, as_of=first["as_of"], page=page, page_size=EXPORT_PAGE
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
