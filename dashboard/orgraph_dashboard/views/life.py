"""组织生活: organisational life and Party dues (docs/rules.md "Organisational life and dues").

The branch × month grid of the scope (each cell in words and a mark, never colour alone), its
printable Excel; the gap lists of meetings, members, dues and the lost-contact ladder with
their Excel files; a member's own record; and — for users who may write — forms to record a
meeting or a dues payment. A rule whose records are not imported says so ("未导入"), never
"0" nor "无问题"; the ladder's rows are proposals for the branch to decide, never decisions."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any

import streamlit as st

from orgraph import clock
from orgraph.client import GapSummary, OrgraphClient, problem_of
from orgraph.errors import ValidationFailed
from orgraph.vocab import (
    FIELD_ZH,
    INHERITED_MEETING_TYPES,
    LIFE_CELL_ZH,
    MEETING_TYPE_ZH,
    ORG_KIND_ZH,
)
from orgraph_dashboard import session, ui
from orgraph_dashboard.strings import AGE_KEYS, aged_rows, gap_label, num, zh_date

Row = dict[str, Any]

SCOPE = "pg_life_scope"
TYPE = "pg_life_type"
KIND = "pg_life_kind"
MISSED_ONLY = "pg_life_missed"
SECTION = "pg_life_section"
GRID_PAGE = "pg_life_page"
MEMBER_Q = "pg_life_member_q"
MEMBER_PICK = "pg_life_member"
PICKED_ROW = "pg_life_picked"  # the member-list row last opened in the history
DONE = "pg_life_done"  # what the last form wrote, shown once after the page reloads
DEFAULT_TYPE = "theme_day"
GRID_ROWS = 100  # organisations per page of the grid
LIST_SIZE = 200  # rows of a gap list shown on the page (the Excel has them all)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MARK = {"met": "✓", "missed": "✗", "no_quorum": "⚠", "none": "—"}
# background, text: the mark and the words carry the meaning, the colour only helps
CELL_COLOUR = {
    "met": ("#e3f1e6", "#1b5e20"),
    "missed": ("#fbe0dc", "#9f1d12"),
    "no_quorum": ("#fff1cc", "#7a4d00"),
    "none": ("#f2f2f2", "#666666"),
}

SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "会议",
        (
            "branch_no_general_meeting",
            "branch_no_committee_meeting",
            "branch_no_theme_day",
            "branch_few_lectures",
            "branch_no_life_meeting",
            "branch_no_appraisal",
            "group_no_meeting",
            "meeting_no_quorum",
        ),
    ),
    ("党员", ("member_no_life", "member_life_lapse")),
    ("党费", ("dues_arrears", "dues_lapse")),
    ("处置建议", ("propose_suspension", "propose_removal")),
)
LIFE_TYPES = SECTIONS[0][1] + SECTIONS[1][1]
DUES_TYPES = SECTIONS[2][1]
MEMBER_TYPES = SECTIONS[1][1] + SECTIONS[2][1] + SECTIONS[3][1]

NO_LIFE = "未导入组织生活记录"
NO_DUES = "未导入党费记录"
NO_RECORDS = "未导入组织生活记录和党费记录"
LADDER_NOTE = (
    "以下是按党章第九条和《中国共产党党员教育管理工作条例》列出的建议名单，不是处理决定："
    "是否停止党籍、是否按自行脱党予以除名，建议由党支部研究决定，"
    "经支部党员大会讨论、报上级党组织批准。在此之前，名单中的同志党籍不受影响。"
)

# The columns of each gap list, in order (keys of the API's items).
ORG_COLUMNS = ("name", "kind", "township", "village", "missed", "periods", "last")
MEMBER_COLUMNS = ("name", "id", "branch")
COLUMNS: dict[str, tuple[str, ...]] = {
    "branch_no_general_meeting": ORG_COLUMNS,
    "branch_no_committee_meeting": (*ORG_COLUMNS, "members"),
    "branch_no_theme_day": ORG_COLUMNS,
    "branch_few_lectures": (*ORG_COLUMNS, "min"),
    "branch_no_life_meeting": ORG_COLUMNS,
    "branch_no_appraisal": ORG_COLUMNS,
    "group_no_meeting": (*ORG_COLUMNS, "branch"),
    "meeting_no_quorum": ("on", "org", "topic", "basis", "expected", "present"),
    "member_no_life": (*MEMBER_COLUMNS, "last_life", "months"),
    "member_life_lapse": (*MEMBER_COLUMNS, "last_life", "months"),
    "dues_arrears": (*MEMBER_COLUMNS, "paid_to", "since", "months"),
    "dues_lapse": (*MEMBER_COLUMNS, "paid_to", "since", "months"),
    "propose_suspension": (
        *MEMBER_COLUMNS,
        "reason",
        "lost_since",
        "suspend_from",
        "last_life",
        "last_dues",
    ),
    "propose_removal": (
        *MEMBER_COLUMNS,
        "suspended_on",
        "remove_from",
        "last_life",
        "last_dues",
    ),
}
# The page's own headers where it says more than the Excel's (FIELD_ZH, the rest)
HEADERS = {
    "id": "人员编号",
    "kind": "类别",
    "since": "欠缴起始月",
    "reason": "失联认定",
    "min": "每期至少",
    "expected": "应到",
    "present": "实到",
    "on": "会议日期",
}
MONTHS_HEADER = {"member_no_life": "未参加月数", "member_life_lapse": "未参加月数"}
DATES = {"last", "on", "last_life", "lost_since", "suspend_from", "last_dues", "suspended_on"}
DATES |= {"remove_from"}
NONE_TEXT = {"last": "无记录", "last_life": "无记录", "last_dues": "无记录", "paid_to": "无记录"}
BASIS_ZH = {"figures": "应到、实到人数", "list": "参加人员名单", "absentees": "缺席人员名单"}
REASON_ZH = {"flagged": "花名册标记失联", "quiet": "外出长期未报到"}


# -- formats ----------------------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def zh_period(label: str | None) -> str:
    """A period label of the API in Chinese: 2026-10 → 2026年10月, 2026-Q3 → 2026年第3季度,
    2025 → 2025年; anything else as it is."""
    if not label:
        return ""
    if m := _MONTH.match(label):
        return f"{m[1]}年{int(m[2])}月"
    if m := _QUARTER.match(label):
        return f"{m[1]}年第{m[2]}季度"
    if m := _YEAR.match(label):
        return f"{m[1]}年"
    return label


def cell_text(state: str) -> str:
    """✓已开展 / ✗未开展 / ⚠未达法定人数 / —不检查: a mark and words, readable in black and
    white and by a screen reader."""
    return f"{MARK.get(state, '')}{LIFE_CELL_ZH.get(state, state)}"


def _name(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("id") or value.get("code") or "")
    return "" if value is None else str(value)


def _value(key: str, value: Any) -> Any:
    if value is None:
        return NONE_TEXT.get(key, "")
    if key in DATES:
        return zh_date(str(value))
    if key in ("paid_to", "since"):
        return zh_period(str(value))
    if key == "missed":
        return "、".join(zh_period(str(v)) for v in value)
    if key == "kind":
        return ORG_KIND_ZH.get(str(value), str(value))
    if key == "basis":
        return BASIS_ZH.get(str(value), str(value))
    if key == "reason":
        return REASON_ZH.get(str(value), str(value))
    if isinstance(value, dict):
        return _name(value)
    return value


def header(gap: str, key: str) -> str:
    if key == "months":
        return MONTHS_HEADER.get(gap, "欠缴月数")
    if key == "name" and gap in MEMBER_TYPES:
        return "姓名"
    return HEADERS.get(key) or FIELD_ZH.get(key, key)


def gap_rows(gap: str, items: list[Row]) -> list[Row]:
    """A gap list's items as table rows: Chinese headers, dates and periods in Chinese, and
    each item's 首次发现 and 已持续天数 (docs/rules.md "Gap life")."""
    cols = COLUMNS.get(gap) or tuple(
        dict.fromkeys(k for it in items for k in it if k not in AGE_KEYS)
    )
    return aged_rows([{header(gap, k): _value(k, it.get(k)) for k in cols} for it in items], items)


def no_data_text(gap: str) -> str:
    if gap in DUES_TYPES:
        return NO_DUES
    if gap in LIFE_TYPES:
        return NO_LIFE
    return NO_RECORDS


# -- the grid ---------------------------------------------------------------------------------


def grid_rows(doc: Row) -> list[Row]:
    """The grid as rows of text (what the HTML table and a test read): 党组织, 村(社区), 乡镇,
    then one column per month (2026年10月) holding ✓已开展 and the like."""
    months = [zh_period(m) for m in doc["months"]]
    out = []
    for r in doc["rows"]:
        row: Row = {
            "党组织": r["org"]["name"],
            "村(社区)": _name(r.get("village")),
            "乡镇": _name(r.get("township")),
        }
        for label, c in zip(months, r["cells"], strict=True):
            row[label] = cell_text(c["state"])
        out.append(row)
    return out


def grid_html(doc: Row, rows: list[Row]) -> str:
    """The grid as an HTML table: sticky headers, each cell a mark, its words and a colour."""
    e = html.escape
    months = doc["months"]
    head = "".join(f'<th class="og-m">{_month_head(m)}</th>' for m in months)
    body = []
    for r in rows:
        cells = []
        for c in r["cells"]:
            bg, fg = CELL_COLOUR.get(c["state"], CELL_COLOUR["none"])
            tip = f"{zh_period(c['month'])}共开展组织生活 {c.get('count', 0)} 次"
            cells.append(
                f'<td class="og-c og-{e(c["state"])}" style="background:{bg};color:{fg}" '
                f'title="{e(tip)}">{e(cell_text(c["state"]))}</td>'
            )
        body.append(
            f'<tr><th class="og-org" title="{e(r["org"]["id"])}">{e(r["org"]["name"])}</th>'
            f"<td>{e(_name(r.get('village')))}</td><td>{e(_name(r.get('township')))}</td>"
            + "".join(cells)
            + "</tr>"
        )
    return (
        "<style>"
        ".og-life-wrap{max-height:620px;overflow:auto;border:1px solid #ddd;border-radius:6px}"
        ".og-life{border-collapse:separate;border-spacing:0;font-size:12.5px;width:100%;"
        "line-height:1.35}"
        ".og-life th,.og-life td{padding:3px 5px;border-bottom:1px solid #e6e6e6;"
        "white-space:nowrap;text-align:left}"
        ".og-life thead th{position:sticky;top:0;background:#fafafa;z-index:1;"
        "border-bottom:1px solid #bbb;vertical-align:bottom}"
        ".og-life thead th.og-m{text-align:center}"
        ".og-life th.og-org{font-weight:500;white-space:normal;min-width:11em;max-width:17em}"
        ".og-life td.og-c{text-align:center}"
        "</style>"
        '<div class="og-life-wrap"><table class="og-life">'
        f"<thead><tr><th>党组织</th><th>村(社区)</th><th>乡镇</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _month_head(label: str) -> str:
    """2026年10月 on two lines (年 above 月), so that twelve months fit beside the names."""
    if m := _MONTH.match(label):
        return f"{m[1]}年<br>{int(m[2])}月"
    return html.escape(zh_period(label))


def legend_html() -> str:
    spans = []
    for state in ("met", "missed", "no_quorum", "none"):
        bg, fg = CELL_COLOUR[state]
        spans.append(
            f'<span style="background:{bg};color:{fg};padding:2px 8px;border-radius:4px;'
            f'margin-right:8px">{html.escape(cell_text(state))}</span>'
        )
    return '<div style="font-size:13px;margin:4px 0 8px">' + "".join(spans) + "</div>"


def _is_group(r: Row) -> bool:
    return str(r["org"].get("kind", "")) in ("group", "temp_group")


# -- the page ---------------------------------------------------------------------------------


def render() -> None:
    me = ui.header("life")
    as_of = session.as_of()
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    with c1:
        picked = session.guarded(lambda: (ui.scope_picker(SCOPE, as_of, label="范围（乡镇/村）"),))
    if picked is None:  # the error is on the page already
        return
    scope = picked[0]
    if st.session_state.get(TYPE) not in MEETING_TYPE_ZH:
        st.session_state[TYPE] = DEFAULT_TYPE
    kind = c3.radio("显示", ["党支部", "党小组"], key=KIND, horizontal=True)
    mtype: str = c2.selectbox(
        "党支部检查的会议类型",
        list(MEETING_TYPE_ZH),
        key=TYPE,
        format_func=lambda t: MEETING_TYPE_ZH[t],
        disabled=kind == "党小组",
        help="党支部按月检查所选会议；党小组始终检查党小组会",
    )
    summ = session.try_fetch(OrgraphClient.gaps_summary, scope=scope, as_of=as_of)
    doc = session.try_fetch(OrgraphClient.life_grid, scope=scope, as_of=as_of, type=mtype)
    if summ is None or doc is None:
        return
    # `no_data` is in the API's answer; the client's GapSummary does not name it (yet)
    raw: Any = dict(summ).get("no_data")
    no_data = {str(t) for t in raw} if isinstance(raw, list) else set()
    _grid(doc, scope, as_of, groups=kind == "党小组")
    _sections(summ, no_data, scope, as_of)
    _member_history(as_of)
    if me.get("can_write"):
        _forms(doc)
    else:
        st.caption(f"您的角色（{me['role_zh']}）只能查看和下载，不能登记组织生活或党费。")


def _grid(doc: Row, scope: str | None, as_of: str, *, groups: bool) -> None:
    zh = MEETING_TYPE_ZH.get(doc["type"], doc["type"])
    what = "党小组会" if groups else zh
    st.markdown(f"##### 组织生活开展情况（{'党小组' if groups else '党支部'} × 月：{what}）")
    if doc["no_data"]:
        st.info(
            f"{NO_LIFE}：截至 {zh_date(doc['as_of'])} 本范围还没有任何组织生活记录，"
            "无法检查，下表各月均为“不检查”。请在“数据导入”中导入组织生活记录。",
            icon=":material/info:",
        )
    rows = [r for r in doc["rows"] if _is_group(r) == groups]
    only = st.checkbox("只看有未开展月份的组织", key=MISSED_ONLY)
    if only:
        rows = [r for r in rows if any(c["state"] in ("missed", "no_quorum") for c in r["cells"])]
    _grid_figures(doc, rows)
    pages = max(1, -(-len(rows) // GRID_ROWS))
    if int(st.session_state.get(GRID_PAGE, 1)) > pages:  # fewer rows since (a filter, a scope)
        st.session_state[GRID_PAGE] = pages
    top = st.columns([3, 1, 1], vertical_alignment="bottom")
    page = (
        int(top[1].number_input("页", min_value=1, max_value=pages, value=1, key=GRID_PAGE))
        if pages > 1
        else 1
    )
    stamp = as_of.replace("-", "")
    top[2].download_button(
        "下载开展情况表（Excel）",
        _grid_exporter(scope, as_of, doc["type"]),
        file_name=f"组织生活开展情况_{zh}_{doc['scope']}_{stamp}.xlsx",
        key="life_dl_grid",
        mime=XLSX,
        on_click="ignore",
        width="stretch",
        help="支部 × 月的开展情况，每格写明已开展/未开展/未达法定人数/不检查，可直接打印",
    )
    with top[0]:
        st.markdown(legend_html(), unsafe_allow_html=True)
    if not rows:
        st.info("本范围没有需要检查的党小组。" if groups else "本范围没有需要检查的党支部。")
        return
    shown = rows[(page - 1) * GRID_ROWS : page * GRID_ROWS]
    st.markdown(grid_html(doc, shown), unsafe_allow_html=True)
    first = (page - 1) * GRID_ROWS
    st.caption(
        (f"第 {first + 1}–{first + len(shown)} 个，" if pages > 1 else "")
        + f"共 {num(len(rows))} 个组织。统计日期 {zh_date(doc['as_of'])}，"
        f"检查此前已结束的 {len(doc['months'])} 个月。"
        + (
            "党小组看党小组会。"
            if groups
            else f"党支部看{zh}"
            + ("（含上级党组织为其召开的）。" if doc["type"] in INHERITED_MEETING_TYPES else "。")
        )
        + "“未达法定人数”：当月党员大会到会人数未过半；“不检查”：记录开始前或组织成立前的月份。"
        "鼠标停在格上可看当月开展组织生活的总次数。"
    )


def _grid_figures(doc: Row, rows: list[Row]) -> None:
    if not doc["months"]:
        return
    last = doc["months"][-1]
    states = [c["state"] for r in rows for c in r["cells"]]
    latest = [r["cells"][-1]["state"] for r in rows if r["cells"]]
    checked = [s for s in latest if s != "none"]
    m = st.columns(4)
    m[0].metric("组织数", num(len(rows)))
    m[1].metric(
        f"{zh_period(last)}已开展",
        f"{num(checked.count('met'))} / {num(len(checked))}" if checked else "不检查",
        help="最近一个已结束的月份里开展了所查会议的组织数 / 当月检查的组织数"
        "（当月党员大会未达法定人数的不计入已开展）",
    )
    m[2].metric("未开展（组织·月）", num(states.count("missed")))
    m[3].metric("未达法定人数（组织·月）", num(states.count("no_quorum")))


def _grid_exporter(scope: str | None, as_of: str, mtype: str) -> Callable[[], bytes]:
    """The file is made only when the button is clicked."""
    c = session.client()
    token = c.token

    def run() -> bytes:
        c.token = token
        return c.export_life_grid(scope=scope, as_of=as_of, type=mtype).content

    return run


def _gap_exporter(gap: str, scope: str | None, as_of: str) -> Callable[[], bytes]:
    c = session.client()
    token = c.token

    def run() -> bytes:
        c.token = token
        return c.export_gaps(gap, scope=scope, as_of=as_of, format="xlsx").content

    return run


# -- the gap lists ----------------------------------------------------------------------------


def _sections(summ: GapSummary, no_data: set[str], scope: str | None, as_of: str) -> None:
    """One section at a time (a radio, not tabs: tabs would fetch and draw all 14 lists)."""
    counts: dict[str, int] = summ["counts"]
    labels: dict[str, str] = summ.get("labels") or {}
    st.markdown("##### 问题清单")
    names = [name for name, _ in SECTIONS]
    if st.session_state.get(SECTION) not in names:
        st.session_state[SECTION] = names[0]
    shown = {name: _tab_label(name, types, counts, no_data) for name, types in SECTIONS}
    name = st.radio(
        "问题清单",
        names,
        key=SECTION,
        horizontal=True,
        label_visibility="collapsed",
        format_func=lambda n: shown[n],
    )
    types = dict(SECTIONS)[name]
    wanted = [t for t in types if counts.get(t) and t not in no_data]
    pages = session.guarded(
        lambda: session.fetch_many(
            OrgraphClient.gaps,
            [
                {"type": t, "scope": scope, "as_of": as_of, "page": 1, "page_size": LIST_SIZE}
                for t in wanted
            ],
        )
    )
    if pages is None:
        return
    lists = dict(zip(wanted, pages, strict=True))
    with st.container(border=True):
        if name == "处置建议":
            st.info(LADDER_NOTE, icon=":material/gavel:")
        for gap in types:
            label = gap_label(gap, labels)
            _gap_block(gap, label, counts.get(gap, 0), no_data, lists, scope, as_of)
    st.caption(f"统计日期 {zh_date(as_of)}。各清单的 Excel 为完整名单，可直接打印。")


def _tab_label(name: str, types: tuple[str, ...], counts: dict[str, int], no: set[str]) -> str:
    if all(t in no for t in types):
        return f"{name}（未导入）"
    return f"{name}（{num(sum(counts.get(t, 0) for t in types if t not in no))}）"


def _gap_block(
    gap: str,
    label: str,
    count: int,
    no_data: set[str],
    lists: dict[str, Any],
    scope: str | None,
    as_of: str,
) -> None:
    missing = gap in no_data
    head, button = st.columns([4, 1], vertical_alignment="bottom")
    head.markdown(
        f"**{label}**：" + (f":gray[{no_data_text(gap)}]" if missing else f"{num(count)} 条")
    )
    button.download_button(
        "下载 Excel",
        _gap_exporter(gap, scope, as_of),
        file_name=f"{label}_{as_of.replace('-', '')}.xlsx",
        key=f"life_dl_{gap}",
        mime=XLSX,
        on_click="ignore",
        width="stretch",
        disabled=missing or not count,
    )
    if missing:
        st.info(
            f"{no_data_text(gap)}，无法检查此项（不是没有问题）。请在“数据导入”中导入后再看。",
            icon=":material/info:",
        )
        return
    if not count:
        st.success("经检查，没有此类问题。")
        return
    page = lists.get(gap)
    if page is None:
        return
    items = list(page["items"])
    rows = gap_rows(gap, items)
    kw: dict[str, Any] = {
        "hide_index": True,
        "width": "stretch",
        "height": min(38 + 35 * len(rows), 320),
        "key": f"life_tbl_{gap}",
    }
    if gap not in MEMBER_TYPES:
        st.dataframe(rows, **kw)
    else:  # a member's row opens that member's record below
        event = st.dataframe(rows, on_select="rerun", selection_mode="single-row", **kw)
        picked = event.selection.rows
        if picked and picked[0] < len(items):
            open_member(gap, str(items[picked[0]]["id"]))
    note = "点选一行可在下方查看该党员的记录。" if gap in MEMBER_TYPES else ""
    if page["total"] > len(rows):
        note = f"仅显示前 {len(rows)} 条，共 {num(page['total'])} 条，完整名单请下载 Excel。" + note
    if note:
        st.caption(note)


def open_member(gap: str, key: str) -> None:
    """Show this member's record below (the search box is drawn after the lists): once per
    new pick, so that a kept selection does not overwrite what the user types afterwards."""
    if st.session_state.get(PICKED_ROW) != f"{gap}|{key}":
        st.session_state[PICKED_ROW] = f"{gap}|{key}"
        st.session_state[MEMBER_Q] = key
        st.session_state[MEMBER_PICK] = key


# -- a member's record ------------------------------------------------------------------------


def _member_history(as_of: str) -> None:
    st.markdown("##### 党员个人组织生活和党费记录")
    q = st.text_input(
        "党员姓名或人员编号",
        key=MEMBER_Q,
        placeholder="例如 330226D0000001 或 张三",
    ).strip()
    if not q:
        st.caption("输入姓名或人员编号，查看该党员参加组织生活和交纳党费的记录。")
        return
    if q.startswith("h:"):  # a member picked from a list who has no 人员编号: its key
        doc = session.try_fetch(OrgraphClient.member_life, member_key=q, as_of=as_of)
        if doc is not None:
            show_member_life(doc)
        return
    found = session.try_fetch(OrgraphClient.members, q=q, page_size=50)
    if found is None:
        return
    items = found["items"]
    if not items:
        st.warning(f"没有找到“{q}”。")
        return
    labels = {m["id"]: f"{m.get('name') or ''}　{m['id']}　{_name(m.get('branch'))}" for m in items}
    ids = list(labels)
    if st.session_state.get(MEMBER_PICK) not in ids:
        st.session_state[MEMBER_PICK] = ids[0]
    key = st.selectbox(
        f"找到 {found['total']} 人" + ("（显示前 50 人）" if found["total"] > 50 else ""),
        ids,
        key=MEMBER_PICK,
        format_func=lambda i: labels.get(i, i),
    )
    doc = session.try_fetch(OrgraphClient.member_life, member_key=key, as_of=as_of)
    if doc is None:
        return
    show_member_life(doc)


def show_member_life(doc: Row) -> None:
    m = doc["member"]
    st.markdown(f"**{m.get('name') or ''}**（{m['id']}）　{_name(m.get('branch'))}")
    if doc.get("suspended_on"):
        st.warning(f"花名册记载：{zh_date(doc['suspended_on'])}起停止党籍。")
    if doc.get("exempt"):
        st.caption(
            "该党员因年老体弱等免于参加集中组织生活（送学上门），不列入未参加组织生活的检查。"
        )
    cols = st.columns([4, 2, 3, 2])  # the dates are wider than the counts
    life_months, owed = doc.get("life_months"), doc.get("months_owed")
    cols[0].metric("最近参加组织生活", zh_date(doc.get("last_life")) or "无记录")
    cols[1].metric(
        "未参加月数",
        "未导入" if life_months is None else f"{life_months} 个月",
        help="自最近一次参加组织生活（或入党、记录开始）以来的整月数",
    )
    cols[2].metric("党费缴至", zh_period(doc.get("paid_to")) or "无记录")
    cols[3].metric(
        "欠缴月数",
        "未导入" if owed is None else f"{owed} 个月",
        help="党费缴至月份之后、统计日期所在月之前的月数",
    )
    left, right = st.columns([3, 1], gap="large")
    with left:
        st.markdown("组织生活")
        meetings = [
            {
                "日期": zh_date(k["on"]),
                "类型": MEETING_TYPE_ZH.get(k["type"], k["type"]),
                "参加情况": "参加" if k["attended"] else "缺席",
                "党组织": _name(k.get("org")) or "（范围外）",
                "主题": k.get("topic") or "",
            }
            for k in doc["meetings"]
        ]
        if meetings:
            st.dataframe(
                meetings,
                hide_index=True,
                width="stretch",
                height=min(38 + 35 * len(meetings), 420),
                key="life_member_meetings",
            )
        else:
            st.info("没有该党员参加或缺席组织生活的记录。")
    with right:
        st.markdown("党费")
        dues = [
            {"缴至月份": zh_period(d["paid_to"]), "缴纳日期": zh_date(d.get("on"))}
            for d in doc["dues"]
        ]
        if dues:
            st.dataframe(
                dues,
                hide_index=True,
                width="stretch",
                height=min(38 + 35 * len(dues), 420),
                key="life_member_dues",
            )
        else:
            st.info("没有该党员交纳党费的记录。")
    st.caption(f"统计日期 {zh_date(doc['as_of'])}，新的在前。")


# -- recording --------------------------------------------------------------------------------

_SPLIT = re.compile(r"[\s,，、;；]+")


def member_keys(text: str) -> list[str]:
    """人员编号 typed one per line or separated by commas, 、 or spaces."""
    return list(dict.fromkeys(k for k in _SPLIT.split(text) if k))


def _forms(doc: Row) -> None:
    st.markdown("##### 登记")
    done = st.session_state.pop(DONE, None)
    if done:
        st.success(done)
    left, right = st.columns(2, gap="large")
    with left, st.form("life_meeting_form", border=True):
        _meeting_form(doc)
    with right, st.form("life_dues_form", border=True):
        _dues_form()


def _meeting_form(doc: Row) -> None:
    st.markdown("**登记一次组织生活**")
    orgs = {r["org"]["id"]: r["org"]["name"] for r in doc["rows"]}
    org = st.selectbox("党组织", list(orgs), format_func=lambda o: orgs.get(o, o), key="life_f_org")
    a, b = st.columns(2)
    mtype = a.selectbox(
        "会议类型",
        list(MEETING_TYPE_ZH),
        index=list(MEETING_TYPE_ZH).index(DEFAULT_TYPE),
        format_func=lambda t: MEETING_TYPE_ZH[t],
        key="life_f_type",
    )
    on = b.date_input(
        "会议日期",
        value=clock.today(),
        max_value=clock.today(),
        format="YYYY/MM/DD",
        key="life_f_on",
    )
    topic = st.text_input("会议主题", key="life_f_topic")
    c, d, e = st.columns(3)
    expected = c.number_input("应到人数", min_value=0, value=None, step=1, key="life_f_expected")
    present = d.number_input("实到人数", min_value=0, value=None, step=1, key="life_f_present")
    host = e.text_input("主持人/讲课人", key="life_f_host")
    absent = st.text_area(
        "缺席人员（人员编号，每行一个或用逗号分隔）",
        key="life_f_absent",
        height=80,
        help="只填缺席人员时，视为其余应到党员均已参加",
    )
    sent = st.form_submit_button(
        "登记", type="primary", disabled=not orgs, key="life_f_meeting_submit"
    )
    if not (sent and org):
        return
    body: Row = {
        "type": mtype,
        "on": on.isoformat() if isinstance(on, dt.date) else None,
        "topic": topic.strip() or None,
        "expected": None if expected is None else int(expected),
        "present": None if present is None else int(present),
        "host": host.strip() or None,
        "absentees": member_keys(absent),
    }
    body = {k: v for k, v in body.items() if v is not None}
    answer = _write(lambda: session.client().add_meeting(org, body))
    if answer is not None:
        verb = "已登记" if answer.get("created") else "已更正"
        _written(
            f"{verb}：{orgs[org]} {zh_date(answer.get('on'))} "
            f"{MEETING_TYPE_ZH.get(str(answer.get('type')), '')}"
            + (f"“{answer['topic']}”" if answer.get("topic") else "")
            + "。",
            ("life_f_topic", "life_f_absent", "life_f_expected", "life_f_present"),
        )


def _dues_form() -> None:
    st.markdown("**登记党费交纳**")
    key = st.text_input("人员编号", key="life_f_member")
    a, b = st.columns(2)
    paid_to = a.text_input("缴至月份", placeholder="例如 2026-09 或 2026年9月", key="life_f_to")
    paid_on = b.date_input(
        "缴纳日期",
        value=clock.today(),
        max_value=clock.today(),
        format="YYYY/MM/DD",
        key="life_f_paid_on",
    )
    amount = st.text_input("金额（元，只记录）", key="life_f_amount")
    sent = st.form_submit_button("登记", type="primary", key="life_f_dues_submit")
    if not sent:
        return
    if not key.strip() or not paid_to.strip():
        st.error("请填写人员编号和缴至月份。")
        return
    body: Row = {"paid_to": paid_to.strip()}
    if isinstance(paid_on, dt.date):
        body["paid_on"] = paid_on.isoformat()
    if amount.strip():
        body["amount"] = amount.strip()
    answer = _write(lambda: session.client().add_dues(key.strip(), body))
    if answer is not None:
        verb = "已登记" if answer.get("created") else "已更正"
        _written(
            f"{verb}：{key.strip()} 党费缴至 {zh_period(str(answer.get('paid_to')))}。",
            ("life_f_member", "life_f_to", "life_f_amount"),
        )


def _attempt(call: Callable[[], Any]) -> Row:
    """The write's answer, or {"refused": (message, [(who, why), …])} when the API refused
    it (then nothing was written). Other errors are raised for `session.guarded`."""
    try:
        return dict(call())
    except ValidationFailed as exc:
        info = problem_of(exc)
        rows = [(e.field, e.message) for e in info.errors] if info else []
        return {"refused": (str(exc), rows)}


def _write(call: Callable[[], Any]) -> Row | None:
    """Run a write; a refusal names what to fix (every unknown person at once)."""
    answer = session.guarded(lambda: _attempt(call))
    if answer is None or "refused" not in answer:
        return answer
    message, rows = answer["refused"]
    st.error(f"未登记：{message}")
    if rows:
        st.dataframe(
            [{"人员编号": who, "原因": why or "不存在或不在您的管辖范围内"} for who, why in rows],
            hide_index=True,
            width="stretch",
        )
    return None


def _written(message: str, fields: tuple[str, ...]) -> None:
    st.session_state[DONE] = message
    for k in fields:  # a fresh form for the next record
        st.session_state.pop(k, None)
    st.cache_data.clear()  # the grid, the lists and the member's record have changed
    st.rerun()


render()
