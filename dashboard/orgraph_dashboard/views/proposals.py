"""调整建议: who should take which household no member at home looks after (docs/rules.md
"Contact proposals"): coverage before → after for the scope and each village, what it would
take where households remain, and the proposed pairs to review: untick, download as the
联系关系 roster, and — for users who may write — apply the ticked ones. These are proposals,
not decisions: the 党员大会 approves the list and it is published before it is applied."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any, Literal

import streamlit as st

from orgraph.client import OrgraphClient, problem_of
from orgraph.errors import ValidationFailed
from orgraph.vocab import FIELD_ZH, LOCALITY_ZH, SHORTFALL_ZH
from orgraph_dashboard import session, ui
from orgraph_dashboard.strings import MSG, num, pct, zh_date

PAGE_SIZE = 500  # the API's largest page of pairs
SCOPE = "pg_prop_scope"
TOWNSHIP = "pg_prop_township"
VILLAGE = "pg_prop_village"
PAGE = "pg_prop_page"
ROUND = "pg_prop_round"  # counts the applies: each one gets a fresh (all ticked) table
DONE = "pg_prop_done"  # what the last apply did, shown once after the page reloads
EDITOR = "pg_prop_pairs"  # the table's key begins so (the rest names what it shows)
SEEN = "pg_prop_seen"  # the key of the table shown last
APPLY = "prop_apply"
EVERY = ""  # a filter's value for "no filter"
TICK = "应用"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEMBER_KEY = "人员编号"  # as the 联系关系 roster heads it

Row = dict[str, Any]


def _zh(field: str) -> str:
    return FIELD_ZH.get(field, field)


# -- which pairs: the answer's items are sorted by village code first -------------------------


def village_spans(villages: list[Row]) -> dict[str, tuple[int, int]]:
    """Where each village's pairs lie in the whole list of pairs, as (first, count): the API
    sorts the pairs by their household's village code, and each village row counts its pairs
    (`proposed`), so a village's pairs are one run at a known place in the list."""
    spans: dict[str, tuple[int, int]] = {}
    start = 0
    for v in sorted(villages, key=lambda r: r["code"]):
        spans[v["code"]] = (start, int(v["proposed"]))
        start += int(v["proposed"])
    return spans


def positions(doc: Row, codes: list[str] | None) -> list[int]:
    """Positions in the whole list of the pairs in these villages (None: every pair)."""
    if codes is None:
        return list(range(int(doc["items_total"])))
    spans = village_spans(doc["villages"])
    out: list[int] = []
    for code in sorted(c for c in codes if c in spans):
        first, n = spans[code]
        out += range(first, first + n)
    return out


def pairs_at(doc: Row, scope: str | None, as_of: str, wanted: list[int]) -> list[Row]:
    """The pairs at these positions, from the API's pages of PAGE_SIZE (page 1 is `doc`)."""
    pages: dict[int, list[Row]] = {1: list(doc["items"])}
    for p in sorted({i // PAGE_SIZE + 1 for i in wanted} - {1}):
        pages[p] = list(
            session.fetch(
                OrgraphClient.proposal, scope=scope, as_of=as_of, page=p, page_size=PAGE_SIZE
            )["items"]
        )
    out = []
    for i in wanted:
        page = pages[i // PAGE_SIZE + 1]
        if i % PAGE_SIZE < len(page):
            out.append(page[i % PAGE_SIZE])
    return out


# -- the page ---------------------------------------------------------------------------------


def render() -> None:
    me = ui.header("proposals")
    as_of = session.as_of()
    picked = session.guarded(lambda: (ui.scope_picker(SCOPE, as_of, label="调整范围"),))
    if picked is None:  # the error is on the page already
        return
    scope = picked[0]
    doc = session.try_fetch(
        OrgraphClient.proposal, scope=scope, as_of=as_of, page=1, page_size=PAGE_SIZE
    )
    if doc is None:
        return
    st.info(MSG["proposal_note"], icon=":material/gavel:")
    _totals(doc)
    villages: list[Row] = list(doc["villages"])
    township = _township_filter(doc)
    if township:
        villages = [v for v in villages if (v.get("township") or {}).get("code") == township]
    _village_table(villages, doc, township)
    _pairs(doc, scope, as_of, villages, township, can_write=bool(me.get("can_write")))
    if not me.get("can_write"):
        st.caption(MSG["proposal_read_only"].format(role=me["role_zh"]))


def _points(before: float | None, after: float | None) -> str | None:
    if before is None or after is None or round((after - before) * 100, 1) == 0:
        return None
    return f"{(after - before) * 100:+.1f} 个百分点"


def _totals(doc: Row) -> None:
    t, policy = doc["total"], doc["policy"]
    cmax = policy["contact_max"]
    # the last cell is wider: the kind of shortfall is a few words, not a number
    a, b = st.columns(4), st.columns([1, 1, 1, 2])
    a[0].metric(_zh("coverage_before"), pct(t["coverage_before"]))
    a[1].metric(
        _zh("coverage_after"),
        pct(t["coverage_after"]),
        _points(t["coverage_before"], t["coverage_after"]),
    )
    a[2].metric(_zh("open"), num(t["open"]), help="没有在家党员联系、可以安排的农户数")
    a[3].metric(_zh("proposed"), num(t["proposed"]), help="建议新建立联系的农户数")
    b[0].metric(
        _zh("remaining"),
        num(t["remaining"]),
        help="按建议安排后仍没有在家党员联系的农户数",
    )
    b[1].metric(
        _zh("members_needed"),
        num(t["members_needed"]),
        help=f"联完剩余农户还需要的、尚未联户的在家党员人数（每人按上限 {cmax} 户）",
    )
    need = t.get("contact_max_needed")
    b[2].metric(
        _zh("contact_max_needed"),
        "—" if need is None else f"{need} 户",
        help=f"若不增加党员，联户上限（现为 {cmax} 户）至少要提到多少，才能联完待联系户",
    )
    b[3].metric(
        _zh("shortfall"),
        SHORTFALL_ZH.get(t["shortfall"], t["shortfall"]),
        help="结构性：党员都联到上限也联不完；组织性：党员够，只是尚未安排；无缺口：没有待联系户",
    )
    cross = "可安排到同乡镇的邻村" if policy.get("proposal_cross_village") else "只在本村内安排"
    extra = int(policy.get("proposal_cadre_extra") or 0)
    st.caption(
        f"统计日期 {zh_date(doc['as_of'])}。每名党员最多联系 {cmax} 户；{cross}"
        + (f"；村（社）党组织成员可再多联 {extra} 户（两委补位）" if extra else "")
        + "。"
        + (f"另有 {num(t['unplaced'])} 户未归入任何村，无法提出建议。" if t.get("unplaced") else "")
    )


def _township_filter(doc: Row) -> str:
    towns = {t["code"]: t for t in doc["townships"]}
    if len(towns) < 2:
        return EVERY
    if st.session_state.get(TOWNSHIP) not in (EVERY, *towns):
        st.session_state[TOWNSHIP] = EVERY
    picked: str = st.selectbox(
        "乡镇",
        [EVERY, *towns],
        key=TOWNSHIP,
        format_func=lambda c: (
            "全部乡镇"
            if c == EVERY
            else f"{towns[c]['name']}（{SHORTFALL_ZH.get(towns[c]['shortfall'], '')}）"
        ),
    )
    return picked


VILLAGE_COLUMNS = (
    "households",
    "coverage_before",
    "coverage_after",
    "open",
    "proposed",
    "remaining",
    "members_eligible",
    "members_needed",
    "contact_max_needed",
    "shortfall",
)


def village_rows(villages: list[Row]) -> list[Row]:
    """The village table: Chinese headers, the shortfall spelt out (never a colour alone)."""
    rows = []
    for v in villages:
        row: Row = {
            _zh("township"): (v.get("township") or {}).get("name", ""),
            _zh("village"): v["name"],
            _zh("code"): v["code"],
        }
        for f in VILLAGE_COLUMNS:
            value = v.get(f)
            if f == "shortfall":
                value = SHORTFALL_ZH.get(str(value), value)
            elif f == "contact_max_needed":  # text: a grid shows a missing number as "None"
                value = "—" if value is None else str(value)
            row["农户数" if f == "households" else _zh(f)] = value
        rows.append(row)
    return rows


def _village_table(villages: list[Row], doc: Row, township: str) -> None:
    st.markdown(f"##### 各村调整前后（{num(len(villages))} 个村）")
    if township:
        t = next(r for r in doc["townships"] if r["code"] == township)
        st.caption(
            f"{t['name']}：{_zh('coverage_before')} {pct(t['coverage_before'])} → "
            f"{_zh('coverage_after')} {pct(t['coverage_after'])}；"
            f"建议新增 {num(t['proposed'])} 户，"
            f"仍缺 {num(t['remaining'])} 户，还需党员 {num(t['members_needed'])} 人；"
            f"{SHORTFALL_ZH.get(t['shortfall'], t['shortfall'])}。"
        )
    rows = village_rows(villages)
    if not rows:
        st.info(MSG["no_data"])
        return
    count = st.column_config.NumberColumn(format="localized")
    share = st.column_config.NumberColumn(format="percent")
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(rows), 460),
        key="prop_villages",
        column_config={
            _zh("coverage_before"): share,
            _zh("coverage_after"): share,
            "农户数": count,
            **{_zh(f): count for f in ("open", "proposed", "remaining", "members_eligible")},
            _zh("members_needed"): count,
            _zh("contact_max_needed"): st.column_config.TextColumn(
                help="不增加党员时，联户上限至少要提到多少户（—：无需提高）"
            ),
            _zh("shortfall"): st.column_config.TextColumn(width="medium"),
        },
    )
    st.caption(
        "缺口性质：结构性 — 村里的在家党员都联到上限也联不完，需要增加党员（还需党员）"
        "或提高上限（上限需提到）；组织性 — 党员够，只是还没安排联系；无缺口 — 没有待联系户。"
    )


# -- the pairs --------------------------------------------------------------------------------


def pair_rows(items: list[Row]) -> list[Row]:
    """The pairs as editor rows: ticked, with the reasons in Chinese."""
    rows = []
    for it in items:
        m, h = it["member"], it["household"]
        branch = m.get("branch")
        rows.append(
            {
                TICK: True,
                _zh("village"): it["village"]["name"],
                _zh("hamlet"): (it.get("hamlet") or {}).get("name", ""),
                _zh("household"): h["id"],
                _zh("head_name"): h.get("head_name") or "",
                _zh("member"): m.get("name") or "",
                MEMBER_KEY: m["id"],
                _zh("branch"): branch.get("name", "") if isinstance(branch, dict) else branch or "",
                _zh("member_hamlet"): (it.get("member_hamlet") or {}).get("name", ""),
                _zh("locality"): LOCALITY_ZH.get(it["locality"], it["locality"]),
                _zh("load_before"): it["load_before"],
                _zh("load_after"): it["load_after"],
                _zh("extra"): "是" if it.get("extra") else "否",
            }
        )
    return rows


def _village_filter(villages: list[Row]) -> str:
    with_pairs = {v["code"]: v for v in villages if v["proposed"]}
    if st.session_state.get(VILLAGE) not in (EVERY, *with_pairs):
        st.session_state[VILLAGE] = EVERY
    picked: str = st.selectbox(
        "村(社区)",
        [EVERY, *with_pairs],
        key=VILLAGE,
        format_func=lambda c: (
            "全部" if c == EVERY else f"{with_pairs[c]['name']}（{with_pairs[c]['proposed']} 对）"
        ),
    )
    return picked


def _exporter(scope: str | None, as_of: str, fmt: Literal["xlsx", "csv"]) -> Callable[[], bytes]:
    """The roster is made only when the button is clicked (a county's can be thousands)."""
    c = session.client()
    token = c.token

    def run() -> bytes:
        c.token = token
        return c.export_proposal(scope=scope, as_of=as_of, format=fmt).content

    return run


def _pairs(
    doc: Row,
    scope: str | None,
    as_of: str,
    villages: list[Row],
    township: str,
    *,
    can_write: bool,
) -> None:
    st.markdown(f"##### 建议的联户（共 {num(doc['items_total'])} 对）")
    done = st.session_state.pop(DONE, None)
    if done:
        st.success(MSG["proposal_applied"].format(created=done["created"], kept=done["kept"]))
    c1, c2, c3, c4 = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
    with c1:
        village = _village_filter(villages)
    codes = [village] if village else [v["code"] for v in villages] if township else None
    wanted = positions(doc, codes)
    pages = max(1, -(-len(wanted) // PAGE_SIZE))
    page = (
        int(c2.number_input("页", min_value=1, max_value=pages, value=1, step=1, key=PAGE))
        if pages > 1
        else 1
    )
    stamp = as_of.replace("-", "")
    files: tuple[tuple[Any, Literal["xlsx", "csv"], str, str], ...] = (
        (c3, "xlsx", "下载名单（Excel）", XLSX),
        (c4, "csv", "下载名单（CSV）", "text/csv"),
    )
    for col, fmt, label, mime in files:
        col.download_button(
            label,
            _exporter(scope, as_of, fmt),
            file_name=f"联户调整建议_{doc['scope']}_{stamp}.{fmt}",
            key=f"prop_dl_{fmt}",
            mime=mime,
            on_click="ignore",
            width="stretch",
            disabled=not doc["items_total"],
        )
    st.caption(
        f"下载的是本范围的整份建议（{num(doc['items_total'])} 对），列与“联系关系”花名册相同，"
        "经党员大会审定、公示后，可在“数据导入”中原样导入（与在此应用效果相同）。"
    )
    if not doc["items_total"]:
        st.success("没有可以提出的联户建议：待联系户已全部有人联系，或本村没有可安排的党员。")
        return
    shown = wanted[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    items = session.guarded(lambda: pairs_at(doc, scope, as_of, shown))
    if items is None:
        return
    if codes is not None:  # the spans rest on the API's order: never show another village
        keep = set(codes)
        items = [it for it in items if it["village"]["code"] in keep]
    # The table's key names the pairs it shows: a changed list (another user applied some, the
    # date moved, a filter) is a fresh table, never the old ticks laid on other rows by position.
    view = "\n".join(
        [doc["scope"], as_of, str(st.session_state.get(ROUND, 0))]
        + [f"{it['member']['id']}|{it['household']['id']}" for it in items]
    )
    key = f"{EDITOR}_{hashlib.sha1(view.encode()).hexdigest()[:12]}"
    reviewed = st.session_state.get(SEEN) == key  # the table the user ticked is this one
    st.session_state[SEEN] = key
    disabled = [c for c in pair_rows(items[:1])[0] if c != TICK] if items else True
    edited = st.data_editor(
        pair_rows(items),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(items), 560),
        key=key,
        num_rows="fixed",
        disabled=disabled,
        column_config={
            TICK: st.column_config.CheckboxColumn(
                TICK, help="取消勾选则不应用这一对", width="small"
            ),
            _zh("locality"): st.column_config.TextColumn(
                help="同村民小组：党员与农户在同一个村民小组；同村：同村不同组；同乡镇邻村：跨村"
            ),
            _zh("extra"): st.column_config.TextColumn(
                help="是：超出该党员的联户上限，由村（社）党组织成员补位联系"
            ),
        },
    )
    ticked = [it for it, row in zip(items, edited, strict=True) if row[TICK]]
    first = (page - 1) * PAGE_SIZE
    st.caption(
        (f"第 {first + 1}–{first + len(items)} 对，" if pages > 1 else "")
        + f"本页 {num(len(items))} 对，已勾选 {num(len(ticked))} 对。"
    )
    _apply_button(ticked, scope, as_of, can_write=can_write, reviewed=reviewed)


def _apply_button(
    ticked: list[Row], scope: str | None, as_of: str, *, can_write: bool, reviewed: bool
) -> None:
    clicked = st.button(
        "应用所选",
        key=APPLY,
        type="primary",
        disabled=not can_write or not ticked,
        help=f"把本页勾选的各对建立为联系关系，开始日期 {zh_date(as_of)}；"
        "有任何一对不能应用时一对也不写"
        if can_write
        else "您的角色不能修改数据",
    )
    if not (clicked and can_write and ticked):
        return
    if not reviewed:  # the list changed under the click: nothing the user has not seen
        st.warning(MSG["proposal_changed"])
        return
    with st.spinner(f"正在应用 {len(ticked)} 对…"):
        answer = session.guarded(lambda: apply_pairs(ticked, scope, as_of))
    if answer is None:  # refused for a reason shown already (no right, outage…)
        return
    if "created" in answer:
        st.session_state[DONE] = answer
        st.session_state[ROUND] = int(st.session_state.get(ROUND, 0)) + 1
        st.cache_data.clear()  # coverage and every proposal have changed
        st.rerun()
    st.error(MSG["proposal_refused"].format(n=len(answer["problems"])))
    st.dataframe(
        failing_rows(ticked, answer["problems"]),
        hide_index=True,
        width="stretch",
        key="prop_failed",
        column_config={"原因": st.column_config.TextColumn(width="large")},
    )


def apply_pairs(ticked: list[Row], scope: str | None, as_of: str) -> Row:
    """{"as_of", "created", "kept"} when written; {"problems": [message, …]} when the API
    refused the pairs (then nothing was written). Other errors are raised."""
    pairs = [(it["member"]["id"], it["household"]["id"]) for it in ticked]
    try:
        return dict(session.client().apply_proposal(pairs, scope=scope, as_of=as_of))
    except ValidationFailed as exc:
        info = problem_of(exc)
        messages = [e.message for e in info.errors] if info and info.errors else [str(exc)]
        return {"problems": messages}


QUOTED = re.compile(r"“([^”]*)”")


def failing_rows(ticked: list[Row], problems: list[str]) -> list[Row]:
    """Each refusal with the ticked pairs it names: a message that quotes a household is about
    that household's pair; one that quotes only a member, about all of that member's pairs."""
    rows: list[Row] = []
    households = {it["household"]["id"] for it in ticked}
    for message in problems:
        quoted = set(QUOTED.findall(message))
        named = quoted & households
        hits = (
            [it for it in ticked if it["household"]["id"] in named]
            if named
            else [it for it in ticked if it["member"]["id"] in quoted]
        )
        if not hits:  # names nothing ticked (should not happen): the message alone
            rows.append({"原因": message})
        for it in hits:
            rows.append(
                {
                    _zh("member"): it["member"].get("name", ""),
                    MEMBER_KEY: it["member"]["id"],
                    _zh("household"): it["household"]["id"],
                    _zh("head_name"): it["household"].get("head_name") or "",
                    "原因": message,
                }
            )
    return rows


render()
