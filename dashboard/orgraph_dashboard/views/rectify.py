"""整顿与考评, first part: the 软弱涣散 screening (docs/rules.md "软弱涣散 screening (排查)").

Every village organisation of the scope with the eight indicators the county reads when it
screens: the counts (screened, candidates, and the "货不对板" check: listed without anything
the data shows, the data shows something but not listed), the candidates with their reasons,
every indicator of one organisation with its figures, and how often each reason comes up.
The list is for people to grade (分类定级); it scores no person (R32).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit_echarts import st_echarts

from orgraph.client import OrgraphClient
from orgraph.vocab import GAP_ZH, RECT_STATUS_ZH, SCREEN_INDICATOR_ZH
from orgraph_dashboard import charts, session, ui
from orgraph_dashboard.strings import num, zh_date

Row = dict[str, Any]

SCOPE = "pg_rect_scope"
ORG = "pg_rect_org"
ALL = "pg_rect_all"

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
        return f"覆盖率 {float(v) * 100:.1f}%"
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
        if not d.get("households"):
            return "村内无农户数据"
        return f"农户 {num(d.get('households'))} 户，已联系 {num(d.get('covered'))} 户"
    if key == "chain_breaks":
        breaks = []
        for b in d.get("breaks") or []:
            level = str(b.get("level", ""))
            breaks.append(f"{BREAK_LEVEL_ZH.get(level, level)}：{b.get('name') or b.get('id', '')}")
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
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
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


render()
