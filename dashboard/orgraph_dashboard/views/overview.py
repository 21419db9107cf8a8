"""总览: the key figures of the user's scope, coverage by township (or village), gaps by type,
and coverage month by month. The figures' arrows compare with the previous import when at
least two imports are recorded (the gap items opened and closed between `previous` and `last`
in the user's scope, docs/rules.md "Changes between two points", "In a scope"), else with 30
days earlier."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import streamlit as st
from streamlit_echarts import st_echarts

from orgraph.client import OrgraphClient
from orgraph.errors import Forbidden, NotFound
from orgraph.vocab import CHILD_LEVEL, LEVEL_ZH
from orgraph_dashboard import charts, session, ui
from orgraph_dashboard.strings import gap_label, import_label, num, past_note, pct, zh_date

COMPARE_DAYS = 30
PREVIOUS, LAST = "previous", "last"  # the newest recorded imports (docs/rules.md "Changes…")
TREND_MONTHS = 12
TREND_CAPTION = "每月末的覆盖率；所属支部、职务等没有日期的信息按现在的记录计算。"


def coverage_for_children(as_of: str) -> dict[str, Any] | None:
    """Coverage of the scope and of its children one level down (townships of a county…)."""
    first = session.fetch(OrgraphClient.coverage, level="township", as_of=as_of)
    level = first["rows"][0]["level"]
    child = CHILD_LEVEL.get(level, "village")
    if child == "township":
        return dict(first)
    return dict(session.fetch(OrgraphClient.coverage, level=child, as_of=as_of))


def earlier(as_of: str, days: int = COMPARE_DAYS) -> str:
    return (dt.date.fromisoformat(as_of) - dt.timedelta(days=days)).isoformat()


def _delta(
    now: float | int | None, before: float | int | None, *, percent: bool = False
) -> str | None:
    if now is None or before is None or now == before:
        return None
    d = now - before
    if percent:
        return f"{d * 100:+.1f} 个百分点" if round(d * 100, 1) else None
    return f"{d:+,}"


@dataclass(frozen=True)
class Compared:
    """What the arrows compare with: the head row of then (coverage), and the gap total of
    then (30 days earlier) or the gap items opened and closed between the last two imports."""

    head: dict[str, Any]
    caption: str
    gaps_total: int | None = None
    changes: dict[str, Any] | None = None  # /history/changes from `previous` to `last`


Figures = tuple[dict[str, Any], dict[str, Any], Compared | None]

# The head row's figures shown as metrics, two rows of four: (label, field, how to show it,
# arrow colour: "off" for sizes, "normal" where up is good, "inverse" where up is bad).
Colour = Literal["normal", "inverse", "off"]
HEAD_METRICS: tuple[tuple[str, str, Callable[[Any], str], Colour], ...] = (
    ("农户", "households", num, "off"),
    ("已联系农户", "covered", num, "normal"),
    ("覆盖率", "coverage", pct, "normal"),
    ("联系党员均外出的农户", "uncovered_contact_away", num, "inverse"),
    ("在册党员", "members", num, "off"),
    ("在家党员", "members_home", num, "off"),
    ("外出党员", "members_away", num, "off"),
)


def since_previous_import(as_of: str) -> dict[str, Any] | None:
    """The changes from the previous recorded import to the last one in the user's scope
    (docs/rules.md "Changes between two points": the points `previous` and `last`, open to
    every user; its `from` / `to` carry each import's id, at and on), when there are at least
    two and the figures are of the last one's day or later; else None (the arrows then
    compare with 30 days earlier). One call for everyone: the import list stays the county
    administrators'."""
    try:
        doc = dict(session.fetch(OrgraphClient.changes, since=PREVIOUS, until=LAST))
    except (NotFound, Forbidden):  # fewer than two imports (or an API from before #16's
        return None  # scoped changes, county administrators' only): 30 days earlier
    if as_of < str(doc["to"].get("on") or ""):
        return None
    return doc


def _by_import(changes: dict[str, Any]) -> Compared:
    prev, last = changes["from"], changes["to"]
    old = session.fetch(OrgraphClient.coverage, level="county", as_of=prev["on"])
    opened = sum(int(g["opened"]) for g in changes["gaps"])
    closed = sum(int(g["closed"]) for g in changes["gaps"])
    caption = (
        f"箭头为与上一次导入相比的变化：比较的是导入“{import_label(prev)}”和导入"
        f"“{import_label(last)}”。缺口合计的箭头为这两次导入之间新出现 {num(opened)} 条、"
        f"已解决 {num(closed)} 条之差；农户、覆盖率等与 {zh_date(prev['on'])}"
        "（上一次导入的花名册日期）相比。"
    )
    return Compared(head=dict(old["rows"][0]), caption=caption, changes=changes)


def _by_days(as_of: str) -> Compared:
    before = earlier(as_of)
    old_cov = session.fetch(OrgraphClient.coverage, level="county", as_of=before)
    old_sum = session.fetch(OrgraphClient.gaps_summary, as_of=before)
    return Compared(
        head=dict(old_cov["rows"][0]),
        caption=f"箭头为与 {zh_date(before)}（{COMPARE_DAYS} 天前）相比的变化。",
        gaps_total=sum(old_sum["counts"].values()),
    )


def _load(as_of: str) -> Figures:
    cov = coverage_for_children(as_of)
    assert cov is not None
    summ = dict(session.fetch(OrgraphClient.gaps_summary, as_of=as_of))
    compared: Compared | None = None
    try:  # the comparison is a nicety: never let it break the page
        changes = since_previous_import(as_of)
        compared = _by_import(changes) if changes else _by_days(as_of)
    except Exception:
        compared = None
    return cov, summ, compared


def _metrics(head: dict[str, Any], gaps: int, compared: Compared | None) -> None:
    old = compared.head if compared else {}
    cells = [*st.columns(4), *st.columns(4)]
    for cell, (label, field, show, colour) in zip(cells, HEAD_METRICS, strict=False):
        delta = _delta(head[field], old.get(field), percent=field == "coverage")
        cell.metric(label, show(head[field]), delta, delta_color=colour)
    if compared is not None and compared.changes is not None:
        net = sum(int(g["opened"]) - int(g["closed"]) for g in compared.changes["gaps"])
        gap_delta = f"{net:+,}" if net else None
    else:
        gap_delta = _delta(gaps, compared.gaps_total if compared else None)
    cells[len(HEAD_METRICS)].metric("缺口合计", num(gaps), gap_delta, delta_color="inverse")


OPENED, CLOSED = "较上次导入新出现", "较上次导入已解决"


def _gap_table(
    counts: dict[str, int],
    labels: dict[str, str],
    head: dict[str, Any],
    missing: set[str],
    changes: dict[str, Any] | None,
) -> None:
    st.markdown("##### 缺口（按类型）")
    moved = {g["type"]: g for g in (changes or {}).get("gaps", [])}

    def since_last(t: str) -> dict[str, Any]:
        if changes is None:
            return {}
        g = moved.get(t) or {}
        return {OPENED: int(g.get("opened") or 0), CLOSED: int(g.get("closed") or 0)}

    table: list[dict[str, Any]] = [
        {"缺口类型": gap_label(t, labels), "数量": n, **since_last(t)}
        for t, n in sorted(counts.items(), key=lambda x: -x[1])
        if t not in missing
    ]
    # types whose records (组织生活, 党费) are not imported: 未导入, never 0
    table += [
        {"缺口类型": gap_label(t, labels), "数量": None, **since_last(t)}
        for t in counts
        if t in missing
    ]
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(table), 640),
        key="ov_gaps",
        column_config={
            "数量": st.column_config.NumberColumn(format="localized", help="空白: 未导入记录"),
            OPENED: st.column_config.NumberColumn(help="上一次导入到最近一次导入之间"),
            CLOSED: st.column_config.NumberColumn(help="上一次导入到最近一次导入之间"),
        },
    )
    hist: dict[str, int] = head.get("load") or {}
    if any(hist.values()):
        st.markdown("##### 在家党员联系农户数分布")
        st_echarts(charts.load_histogram(hist), height="240px", key="ov_load")


def _trend(level: str, as_of: str) -> None:
    """Coverage month by month of the scope and of the children the bar chart shows."""
    st.markdown("##### 逐月覆盖率")
    try:
        doc = dict(
            session.fetch(OrgraphClient.trend, level=level, months=TREND_MONTHS, as_of=as_of)
        )
        options = charts.coverage_trend(doc)
        areas = len(charts.trend_areas(doc))
    except Exception:  # like the comparison, a nicety: never let it break the page
        st.caption("逐月覆盖率暂时无法获取。")
        return
    if not doc.get("points"):
        st.info("没有逐月覆盖率数据。")
        return
    st_echarts(options, height="380px", key="ov_trend")
    # undated facts (branch, roles…) are read as they are now (docs/rules.md "Trend")
    notes = [TREND_CAPTION if doc.get("undated_as_now") else "每月末的覆盖率。"]
    notes.append(f"最后一点为 {zh_date(doc['points'][-1]['date'])}。")
    if areas > charts.TREND_MAX_AREAS:
        name = LEVEL_ZH.get(level, level)
        notes.append(
            f"共 {areas} 个{name}，图中只画出最后一点覆盖率最低的 "
            f"{charts.TREND_MAX_AREAS} 个{name}和合计。"
        )
    st.caption(" ".join(notes))


def render() -> None:
    ui.header("overview")
    as_of = session.as_of()
    got = session.guarded(lambda: _load(as_of))
    if got is None:
        return
    cov, summ, compared = got
    head = cov["rows"][0]
    counts: dict[str, int] = summ["counts"]
    st.markdown(f"#### {head['name']}（{LEVEL_ZH.get(head['level'], head['level'])}）")
    _metrics(head, sum(counts.values()), compared)
    if compared:
        st.caption(compared.caption)
    if note := past_note(summ):  # a past 统计日期 reads today's branches, roles, areas…
        st.caption(note)

    left, right = st.columns([3, 2], gap="large")
    with left:
        rows = [r for r in cov["rows"][1:] if r.get("households")]
        if rows:
            st_echarts(
                charts.coverage_bar(rows, level=cov["level"]),
                height=charts.bar_height(len(rows)),
                key="ov_cov",
            )
        else:
            st.info("范围内没有下级区划的农户数据。")
    with right:
        missing = set(summ.get("no_data") or ())
        _gap_table(
            counts, summ.get("labels") or {}, head, missing, compared.changes if compared else None
        )
        if missing:
            st.caption(
                f"{len(missing)} 类缺口所需的组织生活/党费记录尚未导入，数量空白，不代表没有问题。"
            )
    _trend(cov["level"], as_of)


render()
