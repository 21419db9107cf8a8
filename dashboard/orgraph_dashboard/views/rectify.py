"""整顿与考评 (issue #14), four sections:

- 软弱涣散排查 (docs/rules.md "软弱涣散 screening (排查)"): every village organisation of the
  scope with the eight indicators the county reads when it screens: the counts (screened,
  candidates, and the "货不对板" check: listed without anything the data shows, the data shows
  something but not listed), the candidates with their reasons, every indicator of one
  organisation with its figures, and how often each reason comes up. The list is for people
  to grade (分类定级); it scores no person (R32).
- 第一书记 (docs/rules.md "第一书记", the village view): every village organisation with its
  第一书记 in office, absent, ending, or none for a weak one, as a table and on the map;
  未导入 when no roster was imported, never "none missing".
- 党小组考评 (docs/rules.md "Township ranking of party groups and the 流动红旗"): a township's
  ranking of its party groups for a completed quarter, the 流动红旗, and the list to publish.
- 整顿台账 (docs/rules.md "The rectification ledger (整顿台账) and inspections (督查记录)",
  "第一书记"): the ledger's gap lists with their counts, 未导入 for a type without records.

One section at a time (a radio, as on the 组织生活 page: tabs would fetch and draw them all).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit_echarts import Map, st_echarts

from orgraph.client import Me, OrgraphClient
from orgraph.vocab import (
    GAP_ZH,
    GROUP_GRADE_ZH,
    RANKING_COLUMNS_ZH,
    RECT_LEDGER_GAP_TYPES,
    RECT_RESULT_ZH,
    RECT_STATUS_ZH,
    SCREEN_INDICATOR_ZH,
)
from orgraph_dashboard import charts, geo, session, ui
from orgraph_dashboard.strings import aged_rows, gap_label, num, zh_date

Row = dict[str, Any]

SCOPE = "pg_rect_scope"
ORG = "pg_rect_org"
ALL = "pg_rect_all"
SECTION = "pg_rect_section"
FS_SCOPE = "pg_rect_fs_scope"
TOWNSHIP = "pg_rect_township"
QUARTER = "pg_rect_quarter"
LEDGER_SCOPE = "pg_rect_ledger_scope"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SECTIONS = ("软弱涣散排查", "第一书记", "党小组考评", "整顿台账")
NOT_IMPORTED = "未导入"  # the records behind a figure are missing: never "none", never 0

FLAG_ZH = {True: "触发", False: "未触发", None: "无数据"}
BREAK_LEVEL_ZH = {"village": "村", "hamlet": "组", "group": "党小组"}
NOTE = (
    "本名单由系统按组织的客观数据（书记在岗、换届、组织生活、党员队伍、联户、包联、整顿台账）"
    "逐项比对阈值筛出，只供党委研究分类定级时参考：是否列为软弱涣散、列为哪一类，由人研究决定。"
    "名单只对党组织，不对任何个人打分或排名，不使用登录、点击、学习时长等数据。"
    "优先级是所触发指标的权重之和，只用于排列先后。"
)


# -- words for one indicator ------------------------------------------------------------------


def flag_text(flag: bool | None) -> str:
    """触发 / 未触发 / 无数据: a null flag is missing data, never compliance."""
    return FLAG_ZH[flag]


def reasons_text(keys: list[str]) -> str:
    return "、".join(SCREEN_INDICATOR_ZH.get(k, k) for k in keys)


def value_text(ind: Row) -> str:
    key, v, d = ind["key"], ind.get("value"), ind.get("detail") or {}
    if v is None:
        return "无数据"
    if key == "secretary_vacant":
        return f"在家书记 {num(v)} 名"
    if key == "term_expired":
        return f"届满组织 {num(v)} 个"
    if key == "life_irregular":
        return f"未开展 {num(v)} 次"
    if key == "few_full_members":
        return f"正式党员 {num(v)} 名"
    if key == "members_lost":
        members = d.get("members") or 0
        share = f"（占 {v * 100 / members:.1f}%）" if members else ""
        return f"失联失管 {num(v)} 名{share}"
    if key == "household_coverage":
        return f"联户达标 {float(v) * 100:.1f}%"
    if key == "chain_breaks":
        return f"断点 {num(v)} 处"
    if key == "rectification_open":
        return f"未验收 {num(v)} 项"
    return str(v)


def threshold_text(ind: Row) -> str:
    """When the indicator triggers, in words (docs/rules.md's table)."""
    key, t = ind["key"], ind.get("threshold")
    if t is None:
        return ""
    if key == "secretary_vacant":
        return f"少于 {num(t)} 名"
    if key == "term_expired":
        return f"≥ {num(t)} 个"
    if key == "life_irregular":
        return f"≥ {num(t)} 次"
    if key == "few_full_members":
        return f"少于 {num(t)} 名"
    if key == "members_lost":
        return f"≥ 1 名且占党员 ≥ {num(t)}%"
    if key == "household_coverage":
        return f"低于 {num(t)}%"
    if key == "chain_breaks":
        return f"多于 {num(t)} 处"
    if key == "rectification_open":
        return f"≥ {num(t)} 项"
    return str(t)


def detail_text(ind: Row) -> str:
    """The figures behind an indicator, in a sentence."""
    key, d = ind["key"], ind.get("detail") or {}
    if key == "secretary_vacant":
        people = [
            f"{s.get('name') or s.get('id', '')}（{'外出' if s.get('away') else '在家'}）"
            for s in d.get("secretaries") or []
        ]
        return "书记：" + "、".join(people) if people else "无书记"
    if key == "term_expired":
        orgs = [
            f"{o.get('name') or o.get('id', '')}（{zh_date(o.get('term_end'))}届满）"
            for o in d.get("orgs") or []
        ]
        return "、".join(orgs) or "无"
    if key == "life_irregular":
        missed: dict[str, int] = d.get("missed") or {}
        if ind.get("value") is None:
            return "组织生活记录尚未覆盖到统计日期，无法检查"
        parts = [f"{GAP_ZH.get(t, t)} {num(n)} 次" for t, n in missed.items()]
        return "；".join(parts) or "无未开展"
    if key == "few_full_members":
        return f"党员 {num(d.get('members'))} 名"
    if key == "members_lost":
        return (
            f"党员 {num(d.get('members'))} 名，其中失联 {num(d.get('lost'))} 名、"
            f"流动党员长期未报到 {num(d.get('silent'))} 名"
        )
    if key == "household_coverage":
        if not d.get("eligible"):
            return "无在家可联户的党员"
        return (
            f"在家党员 {num(d.get('eligible'))} 名，联户达标 {num(d.get('met'))} 名；"
            f"本村农户 {num(d.get('households'))} 户，已联系 {num(d.get('covered'))} 户"
        )
    if key == "chain_breaks":
        breaks = []
        for b in d.get("breaks") or []:
            level = str(b.get("level", ""))
            what = b.get("name") or b.get("code") or b.get("id") or ""  # an area or a group
            breaks.append(f"{BREAK_LEVEL_ZH.get(level, level)}：{what}")
        return "；".join(breaks) or "无"
    if key == "rectification_open":
        rects = []
        for r in d.get("rects") or []:
            org = r.get("org") or {}
            status = RECT_STATUS_ZH.get(r.get("status") or "", r.get("status") or "")
            when = f"{zh_date(r.get('opened_on')) or '开始日期未填'}起"
            due = f"，期限 {zh_date(r.get('deadline'))}" if r.get("deadline") else "，未定期限"
            late = "，已逾期" if r.get("overdue") else ""
            rects.append(f"{org.get('name') or org.get('id', '')}：{status}，{when}{due}{late}")
        return "；".join(rects) or "无"
    return ""


def indicator_rows(item: Row) -> list[Row]:
    return [
        {
            "指标": SCREEN_INDICATOR_ZH.get(ind["key"], ind["key"]),
            "数值": value_text(ind),
            "阈值（触发条件）": threshold_text(ind),
            "是否触发": flag_text(ind.get("flag")),
            "明细": detail_text(ind),
        }
        for ind in item["indicators"]
    ]


def candidate_rows(items: list[Row]) -> list[Row]:
    return [
        {
            "党组织": it["org"].get("name") or it["org"]["id"],
            "村": (it.get("village") or {}).get("name", ""),
            "乡镇": (it.get("township") or {}).get("name", ""),
            "已列为软弱涣散": "是" if it.get("listed") else "否",
            "优先级": it.get("priority", 0),
            "原因": reasons_text(it.get("reasons") or []),
        }
        for it in items
    ]


def reason_counts(items: list[Row]) -> list[tuple[str, int]]:
    """Each indicator with the number of candidates it is a reason of (the indicators' order)."""
    return [
        (label, sum(key in (it.get("reasons") or ()) for it in items if it.get("candidate")))
        for key, label in SCREEN_INDICATOR_ZH.items()
    ]


# -- the page ---------------------------------------------------------------------------------


def _exporter(scope: str | None, as_of: str) -> Callable[[], bytes]:
    """The file is made only when the button is clicked."""
    c = session.client()
    token = c.token

    def run() -> bytes:
        c.token = token
        return c.export_screening(scope=scope, as_of=as_of).content

    return run


def _label(it: Row) -> str:
    v = (it.get("village") or {}).get("name", "")
    mark = "候选" if it.get("candidate") else "未触发"
    return f"{it['org'].get('name') or it['org']['id']}（{v}，{mark}）"


def render() -> None:
    me = ui.header("rectify")
    as_of = session.as_of()
    if st.session_state.get(SECTION) not in SECTIONS:
        st.session_state[SECTION] = SECTIONS[0]
    section = st.radio("内容", SECTIONS, key=SECTION, horizontal=True, label_visibility="collapsed")
    if section == "第一书记":
        _first_secretaries(as_of)
    elif section == "党小组考评":
        _ranking(as_of)
    elif section == "整顿台账":
        _ledger(as_of)
    else:
        _screening(me, as_of)


def _screening(me: Me, as_of: str) -> None:
    st.subheader("软弱涣散基层党组织排查")
    c1, c2 = st.columns([2, 3], vertical_alignment="bottom")
    with c1:
        picked = session.guarded(lambda: (ui.scope_picker(SCOPE, as_of, label="排查范围"),))
    if picked is None:  # the error is on the page already
        return
    scope = picked[0]
    doc = session.try_fetch(OrgraphClient.screening, scope=scope, as_of=as_of)
    if doc is None:
        return
    stamp = as_of.replace("-", "")
    c2.download_button(
        "下载排查名单（Excel）",
        _exporter(scope, as_of),
        file_name=f"软弱涣散排查名单_{doc.get('scope') or me['scope']['ref']}_{stamp}.xlsx",
        key="dl_screening",
        mime=XLSX,
        on_click="ignore",
    )
    st.info(NOTE, icon=":material/gavel:")
    items: list[Row] = list(doc.get("items") or [])
    _counts(doc, items)
    if not items:
        st.info("范围内没有需要排查的村级党组织。")
        return
    no_data = [k for k in doc.get("no_data") or [] if k in SCREEN_INDICATOR_ZH]
    if no_data:
        st.warning(
            f"以下指标在范围内所有组织都没有数据（相关记录尚未导入），无法判断，不代表合格："
            f"{reasons_text(no_data)}。"
        )
    _mismatch(doc, items)
    _candidates(items)
    _one(items)
    _reasons_chart(items, no_data)
    st.caption(
        f"统计日期 {zh_date(doc.get('as_of') or as_of)}。指标只看图谱中的数据；"
        "班子不团结、集体经济薄弱等情况须在整顿台账中由人登记。"
    )


def _counts(doc: Row, items: list[Row]) -> None:
    listed = sum(bool(it.get("listed")) for it in items)
    m = st.columns(5)
    m[0].metric("排查村级党组织", f"{num(doc.get('screened', len(items)))} 个")
    m[1].metric("候选", f"{num(doc.get('candidates', 0))} 个")
    m[2].metric("已列为软弱涣散", f"{num(listed)} 个")
    m[3].metric(
        "已列入但数据无明显问题",
        f"{num(len(doc.get('listed_without_reasons') or []))} 个",
        help="已列为软弱涣散（或有未验收的整顿），但除“整顿未验收”外没有触发任何指标",
    )
    m[4].metric(
        "数据显示问题但未列入",
        f"{num(len(doc.get('unlisted_candidates') or []))} 个",
        help="至少触发一项指标，但未列为软弱涣散",
    )
    st.markdown(
        f"排查村级党组织 **{num(doc.get('screened', len(items)))}** 个，"
        f"候选 **{num(doc.get('candidates', 0))}** 个。"
    )


def _mismatch(doc: Row, items: list[Row]) -> None:
    """The "货不对板" check: the listing against what the data shows."""
    by_id = {it["org"]["id"]: it for it in items}

    def names(ids: list[str]) -> list[Row]:
        return [
            {
                "党组织": (by_id.get(i) or {}).get("org", {}).get("name") or i,
                "村": ((by_id.get(i) or {}).get("village") or {}).get("name", ""),
                "乡镇": ((by_id.get(i) or {}).get("township") or {}).get("name", ""),
                "原因": reasons_text((by_id.get(i) or {}).get("reasons") or []),
            }
            for i in ids
        ]

    st.markdown("##### 列入情况与数据比对（货不对板）")
    left, right = st.columns(2, gap="large")
    for col, title, ids, empty in (
        (
            left,
            "已列入但数据无明显问题",
            list(doc.get("listed_without_reasons") or []),
            "没有：已列入的组织都有数据可见的问题。",
        ),
        (
            right,
            "数据显示问题但未列入",
            list(doc.get("unlisted_candidates") or []),
            "没有：触发指标的组织都已列入。",
        ),
    ):
        with col:
            st.markdown(f"**{title}（{num(len(ids))} 个）**")
            if ids:
                st.dataframe(names(ids), hide_index=True, width="stretch", key=f"pg_rect_{title}")
            else:
                st.caption(empty)


def _candidates(items: list[Row]) -> None:
    show_all = st.toggle("也显示未触发任何指标的组织", key=ALL)
    rows = [it for it in items if show_all or it.get("candidate")]
    st.markdown(f"##### {'排查组织' if show_all else '候选组织'}（{num(len(rows))} 个）")
    if not rows:
        st.success("范围内没有触发任何指标的村级党组织。")
        return
    st.dataframe(
        candidate_rows(rows),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(rows), 560),
        key="pg_rect_table",
        column_config={"原因": st.column_config.TextColumn(width="large")},
    )


def _one(items: list[Row]) -> None:
    st.markdown("##### 单个组织的各项指标")
    ids = [it["org"]["id"] for it in items]
    by_id = {it["org"]["id"]: it for it in items}
    if st.session_state.get(ORG) not in ids:
        st.session_state[ORG] = ids[0]
    oid: str = st.selectbox(
        "党组织", ids, key=ORG, format_func=lambda i: _label(by_id[i]) if i in by_id else i
    )
    it = by_id[oid]
    listed = "已列为软弱涣散" if it.get("listed") else "未列为软弱涣散"
    st.caption(
        f"{(it.get('township') or {}).get('name', '')}{(it.get('village') or {}).get('name', '')}"
        f" · {listed} · 优先级 {num(it.get('priority', 0))}"
        + (f" · 原因：{reasons_text(it.get('reasons') or [])}" if it.get("reasons") else "")
    )
    st.dataframe(
        indicator_rows(it),
        hide_index=True,
        width="stretch",
        key="pg_rect_indicators",
        column_config={"明细": st.column_config.TextColumn(width="large")},
    )


def _reasons_chart(items: list[Row], no_data: list[str]) -> None:
    counts = reason_counts(items)
    if not any(n for _, n in counts):
        return
    st.markdown("##### 各项原因涉及的候选组织数")
    missing = frozenset(SCREEN_INDICATOR_ZH[k] for k in no_data)
    st_echarts(
        charts.reason_bar(counts, no_data=missing),
        height=charts.bar_height(len(counts), per=32),
        key="pg_rect_reasons",
    )


# -- 第一书记 (docs/rules.md "第一书记": the village view) ----------------------------------------

FS_NO_DATA = (
    "尚未导入第一书记名册（或名册中的派驻日期都晚于统计日期），无法判断各村第一书记情况"
    "——这不表示各村都没有第一书记。请在“数据导入”中导入第一书记名册后再看。"
)
FS_NOTE = (
    "“联户、参会无记录”只表示台账中没有该第一书记在村联户或参加组织生活的记录，"
    "是需要了解情况的提示，不是结论；系统不要求任何人打卡签到。"
)
HIDDEN_PERSON = "（范围外人员）"


def fs_status(row: Row) -> str:
    """The village's 第一书记 in one phrase, worst first (a key of charts'
    FIRST_SECRETARY_COLOURS): none for a weak one, absent, ending, in office, none sent."""
    if not row.get("first_secretaries"):
        return "软弱涣散无第一书记" if row.get("listed") else "未派驻"
    if row.get("absent"):
        return "联户、参会无记录"
    if row.get("ending"):
        return "即将期满无人接任"
    return "在任"


def _person(x: Row) -> str:
    m = x.get("member") or {}
    return str(m.get("name") or m.get("id") or HIDDEN_PERSON)


def fs_rows(rows: list[Row]) -> list[Row]:
    """The village view as table rows, in the answer's order (by village code)."""
    out = []
    for r in rows:
        fs = list(r.get("first_secretaries") or [])
        out.append(
            {
                "村(社区)": (r.get("village") or {}).get("name", ""),
                "乡镇": (r.get("township") or {}).get("name", ""),
                "村党组织": (r.get("org") or {}).get("name", ""),
                "已列为软弱涣散": "是" if r.get("listed") else "否",
                "第一书记": "、".join(_person(x) for x in fs),
                "派出单位": "、".join(str(x.get("sent_by") or "") for x in fs),
                "派驻日期": "、".join(zh_date(x.get("since")) for x in fs),
                "期满日期": "、".join(zh_date(x.get("until")) or "未定" for x in fs),
                "状态": fs_status(r),
            }
        )
    return out


def fs_counts(doc: Row) -> dict[str, str]:
    """The section's metrics: 未导入 for each figure the roster feeds when it is missing."""
    rows: list[Row] = list(doc.get("rows") or [])
    missing = bool(doc.get("no_data"))

    def fig(n: int, unit: str) -> str:
        return NOT_IMPORTED if missing else f"{num(n)} {unit}"

    return {
        "村级党组织": f"{num(len(rows))} 个",
        "有第一书记在任": fig(sum(bool(r.get("first_secretaries")) for r in rows), "个"),
        "软弱涣散无第一书记": fig(
            sum(bool(r.get("listed")) and not r.get("first_secretaries") for r in rows), "个"
        ),
        "联户、参会无记录": fig(sum(len(r.get("absent") or []) for r in rows), "人"),
        "即将期满无人接任": fig(sum(len(r.get("ending") or []) for r in rows), "人"),
    }


def _first_secretaries(as_of: str) -> None:
    st.subheader("第一书记派驻情况")
    c1, _ = st.columns([2, 3], vertical_alignment="bottom")
    with c1:
        picked = session.guarded(lambda: (ui.scope_picker(FS_SCOPE, as_of, label="范围"),))
    if picked is None:
        return
    doc = session.try_fetch(OrgraphClient.first_secretary_villages, scope=picked[0], as_of=as_of)
    if doc is None:
        return
    rows: list[Row] = list(doc.get("rows") or [])
    m = st.columns(5)
    for col, (label, value) in zip(m, fs_counts(doc).items(), strict=True):
        col.metric(label, value)
    if doc.get("no_data"):
        st.warning(FS_NO_DATA, icon=":material/info:")
        return
    if not rows:
        st.info("范围内没有村级党组织。")
        return
    st.info(FS_NOTE, icon=":material/gavel:")
    table = fs_rows(rows)
    points = [
        {**r["village"], "status": t["状态"]}
        for r, t in zip(rows, table, strict=True)
        if (r.get("village") or {}).get("lon") is not None
        and (r.get("village") or {}).get("lat") is not None
    ]
    if points:
        left, right = st.columns([2, 3], gap="large")
        with left:
            _fs_map(points)
        with right:
            _fs_table(table)
    else:
        _fs_table(table)
        st.caption("范围内的村(社区)没有经纬度，无法绘制地图。")
    st.caption(f"统计日期 {zh_date(doc.get('as_of') or as_of)}。")


def _fs_table(table: list[Row]) -> None:
    st.markdown(f"##### 各村第一书记（{num(len(table))} 个村级党组织）")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(table), 560),
        key="pg_rect_fs_table",
    )


def _fs_map(points: list[Row]) -> None:
    outline = geo.region_outline(geo.county_code(str(points[0]["code"])))
    map_name = geo.outline_name(outline) or None
    kwargs: dict[str, Any] = {}
    if outline and map_name:
        kwargs["map"] = Map(map_name, outline)
    st_echarts(
        charts.first_secretary_map(points, map_name=map_name),
        height="520px",
        key="pg_rect_fs_map",
        **kwargs,
    )
    st.caption(
        f"{num(len(points))} 个村(社区)。点的颜色表示第一书记情况，点击图例可隐藏或显示一类。"
        + ("" if outline else "（未找到本县边界数据，仅显示各村位置。）")
    )


# -- 党小组考评 (docs/rules.md "Township ranking of party groups and the 流动红旗") ---------------


def quarter_zh(label: str) -> str:
    """'2026-Q3' → '2026年第3季度'."""
    year, _, n = label.partition("-Q")
    return f"{year}年第{n}季度" if n else label


def quarters(as_of: str, n: int = 8) -> list[str]:
    """The n latest quarters completed at as_of (last day before it), newest first."""
    d = dt.date.fromisoformat(as_of)
    q = (d.year * 12 + d.month - 1) // 3 - 1
    return [f"{(q - i) // 4:04d}-Q{(q - i) % 4 + 1}" for i in range(n) if q - i >= 0]


def appraisal_text(appraisal: Row | None) -> str:
    if not appraisal:
        return ""
    parts = [f"{appraisal.get('year')}年"]
    if appraisal.get("score") is not None:
        parts.append(f"{appraisal['score']}分")
    if appraisal.get("grade"):
        grade = str(appraisal["grade"])
        parts.append(GROUP_GRADE_ZH.get(grade, grade))
    return " ".join(parts)


def ranking_rows(doc: Row) -> list[Row]:
    """The ranking as table rows (the columns of the published list): a figure whose records
    are missing reads 未导入, never 0."""
    records, life = bool(doc.get("records")), bool(doc.get("life"))
    out = []
    for r in doc.get("rows") or []:
        cells = (
            r["rank"],
            r.get("name") or "",
            (r.get("branch") or {}).get("name") or "",
            r["summaries"] if records else NOT_IMPORTED,
            ("是" if r["inspected"] else "否") if records else NOT_IMPORTED,
            r["meeting_months"] if life else NOT_IMPORTED,
            r["members"],
            "是" if r["size_ok"] else "否",
            r["eligible"],
            r["contacts_ok"],
            r["points"],
            appraisal_text(r.get("appraisal")),
        )
        out.append(dict(zip(RANKING_COLUMNS_ZH, cells, strict=True)))
    return out


def red_flag_text(doc: Row) -> str:
    flag = doc.get("red_flag")
    if not flag:
        return "本季度没有党小组达到流动红旗分数线。"
    text = f"流动红旗：{flag['name']}（{num(flag['points'])} 分）"
    tied = [str(t.get("name") or "") for t in flag.get("tied") or []]
    if tied:
        text += f"。同分的还有：{'、'.join(tied)}，由乡镇党委研究确定。"
    return text


def _township_of(as_of: str) -> tuple[str, str] | None:
    """(code, name) of the township to rank: a township user's own; a county user picks one
    (None until picked); anyone below a township is told the ranking is a township's."""
    cov = session.fetch(OrgraphClient.coverage, level="township", as_of=as_of)
    top = cov["rows"][0]
    if top["level"] == "township":
        st.markdown(f"乡镇：**{top['name']}**")
        return top["code"], top["name"]
    if top["level"] != "county":
        st.info("党小组季度排名以乡镇为单位，由乡镇或县级用户查看。")
        return None
    names = {r["code"]: r["name"] for r in cov["rows"][1:] if r["level"] == "township"}
    if st.session_state.get(TOWNSHIP) not in names:
        st.session_state[TOWNSHIP] = None
    code = st.selectbox(
        "乡镇",
        list(names),
        key=TOWNSHIP,
        index=None,
        placeholder="请选择乡镇",
        format_func=lambda c: names.get(c, c),
    )
    if code is None:
        st.info("请选择一个乡镇，查看其党小组季度排名。")
        return None
    return code, names[code]


def _ranking_exporter(township: str, quarter: str, as_of: str) -> Callable[[], bytes]:
    c = session.client()
    token = c.token

    def run() -> bytes:
        c.token = token
        return c.export_group_ranking(township, quarter=quarter, as_of=as_of).content

    return run


def _ranking(as_of: str) -> None:
    st.subheader("党小组季度考评与流动红旗")
    c1, c2, c3 = st.columns([2, 2, 2], vertical_alignment="bottom")
    with c1:
        town = session.guarded(lambda: _township_of(as_of))
    if town is None:
        return
    options = quarters(as_of)
    if st.session_state.get(QUARTER) not in options:
        st.session_state[QUARTER] = options[0]
    quarter: str = c2.selectbox("季度", options, key=QUARTER, format_func=quarter_zh)
    doc = session.try_fetch(
        OrgraphClient.group_ranking, township=town[0], quarter=quarter, as_of=as_of
    )
    if doc is None:
        return
    c3.download_button(
        "下载排名表（Excel）",
        _ranking_exporter(town[0], quarter, as_of),
        file_name=f"党小组季度排名_{town[1]}_{quarter}.xlsx",
        key="dl_group_ranking",
        mime=XLSX,
        on_click="ignore",
    )
    rows = ranking_rows(doc)
    m = st.columns(3)
    m[0].metric("党小组", f"{num(len(rows))} 个")
    m[1].metric("流动红旗", (doc.get("red_flag") or {}).get("name") or "无")
    m[2].metric("最高得分", f"{num(max((r['points'] for r in doc['rows']), default=0))} 分")
    if doc.get("red_flag"):
        st.success(red_flag_text(doc), icon=":material/flag:")
    else:
        st.info(red_flag_text(doc))
    if not doc.get("records"):
        st.warning(
            "尚未导入党小组工作记录：月总结、督查两项显示“未导入”，不表示没有开展，"
            "得分中这两项为 0。"
        )
    if not doc.get("life"):
        st.warning(
            "尚未导入组织生活记录：党小组会一项显示“未导入”，不表示没有开展，得分中这一项为 0。"
        )
    st.markdown(f"##### {town[1]} {quarter_zh(doc['quarter'])} 党小组排名")
    if not rows:
        st.info("该乡镇没有党小组。")
        return
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(rows), 560),
        key="pg_rect_ranking",
    )
    st.caption(
        "得分按计分办法计算（月总结、督查、党小组会、人数合规、联户达标），同分同名次；"
        "上年度考评只作参考，不计分。下载的排名表附计分办法，可直接公布。"
    )


# -- 整顿台账 (docs/rules.md "The rectification ledger", "第一书记") ------------------------------

LEDGER_TYPES = RECT_LEDGER_GAP_TYPES
assert all(t in GAP_ZH for t in LEDGER_TYPES), "a ledger type the vocabulary does not name"
LEDGER_SIZE = 200  # rows shown per list; the Excel has them all
LEDGER_COLUMNS: dict[str, tuple[str, ...]] = {
    "rectification_overdue": ("name", "opened_on", "deadline", "status", "days_overdue"),
    "rectification_no_plan": ("name", "opened_on", "plan_on", "days"),
    "rectification_no_inspection": ("name", "opened_on", "missed", "last"),
    "rectification_accepted_failing": ("name", "opened_on", "accepted_on", "result"),
    "weak_no_first_secretary": ("name", "village", "township", "weak", "rects_open", "last"),
    "first_secretary_absent": (
        "member",
        "org",
        "village",
        "township",
        "since",
        "sent_by",
        "contacts",
        "meetings",
        "last_meeting",
        "missing",
    ),
    "first_secretary_ending": (
        "member",
        "org",
        "village",
        "township",
        "since",
        "until",
        "sent_by",
        "days_left",
    ),
}
LEDGER_HEADERS = {
    "name": "党组织",
    "member": "第一书记",
    "org": "派驻党组织",
    "village": "村(社区)",
    "township": "乡镇",
    "opened_on": "列入日期",
    "deadline": "整顿期限",
    "status": "整顿状态",
    "days_overdue": "逾期天数",
    "plan_on": "一村一策制定日期",
    "days": "列入天数",
    "missed": "未督查的季度",
    "last": "最近一次督查",
    "accepted_on": "验收日期",
    "result": "验收结果",
    "weak": "已列为软弱涣散",
    "rects_open": "未验收的整顿",
    "since": "派驻日期",
    "until": "期满日期",
    "sent_by": "派出单位",
    "contacts": "在村联系户数",
    "meetings": "近期参加组织生活次数",
    "last_meeting": "最近参加组织生活",
    "missing": "无记录的方面",
    "days_left": "剩余天数",
}
LEDGER_HEADER_OF = {("weak_no_first_secretary", "last"): "上一任第一书记"}
LEDGER_DATES = frozenset(
    {"opened_on", "deadline", "plan_on", "accepted_on", "since", "until", "last_meeting"}
)
LEDGER_NONE = {
    "opened_on": "未填",
    "deadline": "未定",
    "plan_on": "未制定",
    "accepted_on": "未验收",
    "result": "未录入",
    "until": "未定",
    "last_meeting": "无",
    "meetings": "无组织生活记录",
}
MISSING_ZH = {"contacts": "联户", "meetings": "参加组织生活"}


def ledger_value(gap: str, key: str, value: Any) -> Any:
    """One cell of a ledger list, in words: dates and quarters in Chinese, references by name."""
    if key == "last" and gap == "weak_no_first_secretary":
        if not value:
            return "无"
        who = _person(value)
        return f"{who}（{zh_date(value.get('until'))}期满）"
    if key == "last":
        return zh_date(value) if value else "从未督查"
    if value is None:
        return LEDGER_NONE.get(key, "")
    if key in LEDGER_DATES:
        return zh_date(str(value))
    if key == "status":
        return RECT_STATUS_ZH.get(str(value), str(value))
    if key == "result":
        return RECT_RESULT_ZH.get(str(value), str(value))
    if key == "missed":
        return "、".join(quarter_zh(str(q)) for q in value)
    if key == "missing":
        return "、".join(MISSING_ZH.get(str(k), str(k)) for k in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        return str(value.get("name") or value.get("id") or value.get("code") or "")
    return value


def ledger_rows(gap: str, items: list[Row]) -> list[Row]:
    cols = LEDGER_COLUMNS[gap]
    return [
        {
            LEDGER_HEADER_OF.get((gap, k)) or LEDGER_HEADERS.get(k, k): ledger_value(
                gap, k, it.get(k)
            )
            for k in cols
        }
        for it in items
    ]


def ledger_count(gap: str, counts: dict[str, int], no_data: set[str]) -> str:
    """A type's count, or 未导入 when its records are missing (never 0)."""
    return NOT_IMPORTED if gap in no_data else f"{num(counts.get(gap, 0))} 条"


def _gap_exporter(gap: str, scope: str | None, as_of: str) -> Callable[[], bytes]:
    c = session.client()
    token = c.token

    def run() -> bytes:
        c.token = token
        return c.export_gaps(gap, scope=scope, as_of=as_of).content

    return run


def _ledger(as_of: str) -> None:
    st.subheader("整顿台账与第一书记问题清单")
    c1, _ = st.columns([2, 3], vertical_alignment="bottom")
    with c1:
        picked = session.guarded(lambda: (ui.scope_picker(LEDGER_SCOPE, as_of, label="范围"),))
    if picked is None:
        return
    scope = picked[0]
    summ = session.try_fetch(OrgraphClient.gaps_summary, scope=scope, as_of=as_of)
    if summ is None:
        return
    counts: dict[str, int] = summ["counts"]
    labels: dict[str, str] = summ.get("labels") or {}
    raw: Any = dict(summ).get("no_data")
    no_data = {str(t) for t in raw} if isinstance(raw, list) else set()
    wanted = [t for t in LEDGER_TYPES if counts.get(t) and t not in no_data]
    pages = session.guarded(
        lambda: session.fetch_many(
            OrgraphClient.gaps,
            [
                {"type": t, "scope": scope, "as_of": as_of, "page": 1, "page_size": LEDGER_SIZE}
                for t in wanted
            ],
        )
    )
    if pages is None:
        return
    lists = dict(zip(wanted, pages, strict=True))
    for gap in LEDGER_TYPES:
        with st.container(border=True):
            _ledger_block(
                gap, gap_label(gap, labels), counts, no_data, lists.get(gap), scope, as_of
            )
    st.caption(
        f"统计日期 {zh_date(summ.get('as_of') or as_of)}。各清单的 Excel 为完整名单。"
        "“第一书记在村联户、参会无记录”是需要了解情况的提示，不是结论。"
    )


def _ledger_block(
    gap: str,
    label: str,
    counts: dict[str, int],
    no_data: set[str],
    page: Any,
    scope: str | None,
    as_of: str,
) -> None:
    missing = gap in no_data
    count = counts.get(gap, 0)
    head, button = st.columns([4, 1], vertical_alignment="bottom")
    head.markdown(f"**{label}**：{ledger_count(gap, counts, no_data)}")
    button.download_button(
        "下载 Excel",
        _gap_exporter(gap, scope, as_of),
        file_name=f"{label}_{as_of.replace('-', '')}.xlsx",
        key=f"rect_dl_{gap}",
        mime=XLSX,
        on_click="ignore",
        width="stretch",
        disabled=missing or not count,
    )
    if missing:
        st.info(
            "尚未导入此项所需的第一书记名册，无法检查（不是没有问题）。"
            "请在“数据导入”中导入后再看。",
            icon=":material/info:",
        )
        return
    if not count:
        st.success("经检查，没有此类问题。")
        return
    if page is None:
        return
    items = list(page["items"])
    rows = aged_rows(ledger_rows(gap, items), items)
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(rows), 320),
        key=f"rect_tbl_{gap}",
    )
    if page["total"] > len(rows):
        st.caption(f"仅显示前 {len(rows)} 条，共 {num(page['total'])} 条，完整名单请下载 Excel。")


render()
