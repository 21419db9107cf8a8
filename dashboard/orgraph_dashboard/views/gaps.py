"""缺口清单: every gap type with its count; a filterable table per type; XLSX/CSV download
through the API's export (so the file carries the same scope and masking as the screen)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import streamlit as st

from orgraph.client import OrgraphClient
from orgraph.errors import OrgraphError
from orgraph_dashboard import session, ui
from orgraph_dashboard.strings import gap_label, num, past_note, table_rows, zh_date

PAGE_SIZE = 500
TYPE_KEY = "pg_gaps_type"
OLD_KEY, OLD_DAYS_KEY = "pg_gaps_old", "pg_gaps_old_days"  # 只看持续 N 天以上
GAP_OLD_DAYS = 90  # the policy's gap_old_days, when the API does not give it


def old_days() -> int:
    """The policy's "长期未解决" threshold (docs/rules.md "Gap life"), the filter's default."""
    try:
        policy = session.fetch(OrgraphClient.policy)
    except OrgraphError:
        return GAP_OLD_DAYS
    value = policy.get("gap_old_days")
    return value if isinstance(value, int) and value >= 0 else GAP_OLD_DAYS


def _filter(rows: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    words = text.split()
    if not words:
        return rows
    return [r for r in rows if all(any(w in str(v) for v in r.values()) for w in words)]


def _exporter(gap: str, as_of: str, fmt: Literal["xlsx", "csv"]) -> Callable[[], bytes]:
    """The file is made only when the button is clicked (a county list can be 80k rows)."""
    c = session.client()
    token = c.token

    def run() -> bytes:
        c.token = token
        return c.export_gaps(gap, as_of=as_of, format=fmt).content

    return run


def render() -> None:
    ui.header("gaps")
    as_of = session.as_of()
    summ = session.try_fetch(OrgraphClient.gaps_summary, as_of=as_of)
    if summ is None:
        return
    counts: dict[str, int] = summ["counts"]
    labels: dict[str, str] = summ.get("labels") or {}
    missing = set(summ.get("no_data") or ())  # records not imported: not "no gap"
    if note := past_note(summ):  # a past 统计日期 reads today's branches, roles, areas…
        st.caption(note)
    types = list(counts)
    if st.session_state.get(TYPE_KEY) not in types:
        st.session_state[TYPE_KEY] = next((t for t in types if counts[t]), types[0])

    left, right = st.columns([1, 3], gap="large")
    with left:
        st.markdown(f"##### 缺口类型（合计 {num(sum(counts.values()))}）")
        gap = st.radio(
            "缺口类型",
            types,
            key=TYPE_KEY,
            label_visibility="collapsed",
            format_func=lambda t: (
                f"{gap_label(t, labels)}（" + ("未导入" if t in missing else num(counts[t])) + "）"
            ),
        )
    with right:
        if gap in missing:
            st.subheader(gap_label(gap, labels))
            st.warning("尚未导入此项所需的组织生活记录或党费记录，无法检查（不是没有问题）。")
            return
        _gap_table(gap, gap_label(gap, labels), counts[gap], as_of)


def _age_wanted() -> int | None:
    """The "只看持续 N 天以上" filter as it stands (its widgets are drawn below the title):
    N when it is ticked (passed as min_age_days), else None."""
    if not isinstance(st.session_state.get(OLD_DAYS_KEY), int):
        st.session_state[OLD_DAYS_KEY] = old_days()
    return int(st.session_state[OLD_DAYS_KEY]) if st.session_state.get(OLD_KEY) else None


def _age_filter() -> None:
    c1, c2, _ = st.columns([2, 1, 3], vertical_alignment="bottom")
    c1.checkbox(
        f"只看持续 {int(st.session_state[OLD_DAYS_KEY])} 天以上",
        key=OLD_KEY,
        help="按缺口台账的首次发现日期计算；天数未知的不列出。",
    )
    c2.number_input("持续天数", min_value=0, max_value=36_500, step=1, key=OLD_DAYS_KEY)


def _gap_table(gap: str, label: str, count: int, as_of: str) -> None:
    min_age = _age_wanted()
    page_key = f"pg_gaps_page_{gap}"
    asked = st.session_state.get(page_key)
    page = asked if isinstance(asked, int) and asked >= 1 else 1
    answer = None
    if count:
        answer = session.try_fetch(
            OrgraphClient.gaps,
            type=gap,
            as_of=as_of,
            page=page,
            page_size=PAGE_SIZE,
            min_age_days=min_age,
        )
        if answer is None:
            return
        if page > 1 and not answer["items"]:  # fewer pages under the filter: back to the first
            st.session_state[page_key] = page = 1
            answer = session.try_fetch(
                OrgraphClient.gaps,
                type=gap,
                as_of=as_of,
                page=1,
                page_size=PAGE_SIZE,
                min_age_days=min_age,
            )
            if answer is None:
                return
    total = int(answer["total"]) if answer is not None else 0
    if min_age is None:
        st.subheader(f"{label}：{num(count)} 条")
    else:
        st.subheader(f"{label}：持续 {min_age} 天以上 {num(total)} 条（共 {num(count)} 条）")
    _age_filter()
    pages = max(1, -(-total // PAGE_SIZE))
    c1, c2, c3, c4 = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
    text = c1.text_input(
        "在本页中筛选（名称、编号、乡镇、村…，空格分隔多个词）", key=f"pg_gaps_q_{gap}"
    )
    if pages > 1:
        c2.number_input("页", min_value=1, max_value=pages, step=1, key=page_key)
    else:
        st.session_state.pop(page_key, None)
    stamp = as_of.replace("-", "")
    c3.download_button(
        "下载 Excel",
        _exporter(gap, as_of, "xlsx"),
        file_name=f"{label}_{stamp}.xlsx",
        key=f"dl_xlsx_{gap}",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        width="stretch",
    )
    c4.download_button(
        "下载 CSV",
        _exporter(gap, as_of, "csv"),
        file_name=f"{label}_{stamp}.csv",
        key=f"dl_csv_{gap}",
        mime="text/csv",
        on_click="ignore",
        width="stretch",
    )
    if answer is None:
        st.success("没有发现此类缺口。")
        return
    if not answer["items"]:
        st.info(f"没有持续 {min_age} 天以上的此类缺口。")
        return
    rows = _filter(table_rows(answer["items"]), text)
    st.dataframe(rows, hide_index=True, width="stretch", height=560, key=f"pg_gaps_tbl_{gap}")
    first = (page - 1) * PAGE_SIZE
    shown = f"第 {first + 1}–{first + len(answer['items'])} 条" if pages > 1 else "全部"
    st.caption(
        f"{shown}，共 {num(answer['total'])} 条"
        + (f"（持续 {min_age} 天以上）" if min_age is not None else "")
        + (f"；筛选后 {len(rows)} 条" if text.strip() else "")
        + f"。统计日期 {zh_date(answer.get('as_of') or as_of)}。"
        + "首次发现、已持续天数按缺口台账（“≥”：台账开始时已存在，至少这么久）。"
        + ("下载的是完整名单（不按持续天数筛选）。" if min_age is not None else "")
    )


render()
