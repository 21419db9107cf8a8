"""变化: what changed between two recorded imports or two days (docs/rules.md "Changes between
two points"): gap items opened and closed by type, households newly uncovered or covered,
members who left, returned, were transferred or moved to another branch or group, orgs
created, and every field an import replaced. In the user's scope ("In a scope"): every user
sees what lies in theirs. The import list and one entity's field history stay the county
administrators' (docs/api.md): others pick the points `previous` / `last` (上一次导入, 最近一次
导入) or days."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from orgraph import clock
from orgraph.client import Me, OrgraphClient
from orgraph.errors import NotFound
from orgraph_dashboard import session, ui
from orgraph_dashboard.strings import (
    change_field,
    change_key,
    change_value,
    gap_label,
    import_label,
    num,
    zh_date,
)

IMPORT, DAY = "import", "day"
MODE_ZH = {IMPORT: "导入记录", DAY: "日期"}
DAYS_BACK = 30  # the default range without two imports: the last 30 days
IMPORTS_LISTED = 500  # the pickers' imports (the API's largest page), newest first
FIELDS_SHOWN = 200  # field changes in the table (the API gives the first 500)
ENTITY_KEY = "pg_chg_key"  # one entity's field history
CAPTION = (
    "{scope}两次导入之间（或两个日期之间）的变化：缺口新出现和解决、农户联系、党员去向、"
    "新建党组织和被导入改动的字段。"
)
# The points a user who cannot read the import list picks (docs/rules.md "Changes between two
# points": `last` / `previous`), newest first as the import list is.
LAST, PREVIOUS = "last", "previous"
KEYWORDS = {LAST: "最近一次导入", PREVIOUS: "上一次导入"}


def _picker(side: str, label: str, labels: dict[str, str], default: str | dt.date) -> str:
    """One end of the range: an import (an id or a keyword of KEYWORDS, shown by `labels`,
    newest first) or a day (ISO text). `default`: an import or a day."""
    modes = [IMPORT, DAY] if labels else [DAY]
    mode_key, import_key, day_key = (
        f"pg_chg_{side}_mode",
        f"pg_chg_{side}_imp",
        f"pg_chg_{side}_day",
    )
    if st.session_state.get(mode_key) not in modes:
        st.session_state[mode_key] = DAY if isinstance(default, dt.date) else IMPORT
    mode = st.radio(label, modes, key=mode_key, horizontal=True, format_func=MODE_ZH.__getitem__)
    if mode == IMPORT:
        if st.session_state.get(import_key) not in labels:
            st.session_state[import_key] = (
                default if isinstance(default, str) else next(iter(labels))
            )
        picked: str = st.selectbox(
            f"{label}（导入记录）",
            list(labels),
            key=import_key,
            format_func=labels.__getitem__,
            label_visibility="collapsed",
        )
        return picked
    if not isinstance(st.session_state.get(day_key), dt.date):
        st.session_state[day_key] = default if isinstance(default, dt.date) else clock.today()
    day = st.date_input(
        f"{label}（日期）", key=day_key, format="YYYY/MM/DD", label_visibility="collapsed"
    )
    return (day if isinstance(day, dt.date) else clock.today()).isoformat()


def _defaults(labels: dict[str, str]) -> tuple[str | dt.date, str | dt.date]:
    """The previous import → the last one (the second and first of `labels`, newest first);
    without two imports, 30 days ago → today."""
    if len(labels) >= 2:
        last, previous = list(labels)[:2]
        return previous, last
    today = clock.today()
    return today - dt.timedelta(days=DAYS_BACK), today


def _imports(me: Me) -> tuple[list[dict[str, Any]], dict[str, str]] | None:
    """The recorded imports the user may read and what the pickers offer, newest first: a
    county administrator's import list (ids shown by import_label); for anyone else KEYWORDS
    when at least two imports are recorded (the point `previous` is 404 otherwise), else
    nothing (days only). None, with a message, when the API fails."""
    if me.get("can_import"):
        listing = session.try_fetch(OrgraphClient.imports, page=1, page_size=IMPORTS_LISTED)
        if listing is None:
            return None
        items: list[dict[str, Any]] = listing["items"]
        return items, {e["id"]: import_label(e) for e in items}

    def probe() -> dict[str, str]:
        # the default answer itself: fetched once more below from the cache, not the API
        try:
            session.fetch(OrgraphClient.changes, since=PREVIOUS, until=LAST)
        except NotFound:
            return {}
        return dict(KEYWORDS)

    offered = session.guarded(probe)
    return None if offered is None else ([], offered)


def render() -> None:
    who = session.me()  # the caption names the scope every list below is limited to
    me = ui.header("changes", caption=CAPTION.format(scope=who["scope"]["name"] if who else ""))
    got = _imports(me)
    if got is None:
        return
    imports, labels = got
    if not labels:
        st.info(
            "还没有导入记录：命令行、“数据导入”页或演示数据导入之后才能按导入比较。"
            "下面按日期比较（缺口的新出现、解决从缺口台账开始记录之日起才有）。"
            if me.get("can_import")
            else "导入记录不足两次：下面按日期比较最近 30 天"
            "（缺口的新出现、解决从缺口台账开始记录之日起才有）。"
        )
    elif len(labels) == 1:
        st.info("只有一次导入记录：默认按日期比较最近 30 天，也可以选这次导入作为起点或终点。")
    first, last = _defaults(labels)
    left, right = st.columns(2, gap="large")
    with left:
        since = _picker("from", "从", labels, first)
    with right:
        until = _picker("to", "到", labels, last)
    doc = session.try_fetch(OrgraphClient.changes, since=since, until=until)
    if doc is None:
        return
    # the answer's points are imports with id, at and on (no `by`): they name the imports a
    # user without the import list sees; the list's entries (with `by`) win where known
    by_id = {p["id"]: p for p in (doc["from"], doc["to"]) if p.get("kind") == IMPORT}
    by_id.update({e["id"]: e for e in imports})
    st.caption(f"{_range_caption(doc, by_id)}{_scope_note(doc, me)}")
    _figures(doc)
    _gaps(doc["gaps"])
    names = doc.get("names") or {}
    _households(doc["households"], names.get("households") or {})
    _members(doc["members"], names.get("members") or {})
    _orgs(doc["orgs"]["created"])
    _fields(doc["fields"], by_id)
    if me.get("can_import"):
        _one_entity(by_id)
    else:  # GET /history/fields/{key} is the county administrators' (docs/api.md)
        st.markdown("##### 一个对象的改动历史")
        st.caption(f"查看一个对象的改动历史需要县级管理员权限；您当前的角色是“{me['role_zh']}”。")


def _range_caption(doc: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> str:
    def shown(p: dict[str, Any]) -> str:
        if p.get("kind") == IMPORT and p.get("id") in by_id:
            return f"导入“{import_label(by_id[p['id']])}”"
        return zh_date(p.get("on"))

    a, b = doc["from"], doc["to"]
    if doc["by"] == IMPORT:
        return f"按导入先后比较：{shown(a)}之后，到{shown(b)}为止的各次导入。"
    return (
        f"按日期比较：{shown(a)}之后，到{shown(b)}为止（导入记录按其花名册日期计；"
        "外出、返回、转出按登记的日期）。缺口按缺口台账的首次发现、解决日期计："
        "台账开始记录那天已经存在的缺口，也计为那天新出现。"
    )


def _scope_note(doc: dict[str, Any], me: Me) -> str:
    """Whose changes these are: the answer's `scope` (a code or org id; docs/rules.md "In a
    scope"), named when it is the user's own."""
    code, own = doc.get("scope"), me["scope"]
    name = f"{own['name']}（{own['ref']}）" if code in (None, own["ref"]) else str(code)
    return f"范围：{name}，各项只列范围内的农户、党员和党组织。"


def _figures(doc: dict[str, Any]) -> None:
    gaps, hh, members = doc["gaps"], doc["households"], doc["members"]
    cells = st.columns(6)
    cells[0].metric("新出现缺口", num(sum(g["opened"] for g in gaps)))
    cells[1].metric("已解决缺口", num(sum(g["closed"] for g in gaps)))
    cells[2].metric("新增未联系农户", num(len(hh["newly_uncovered"])))
    cells[3].metric("新联系上农户", num(len(hh["newly_covered"])))
    cells[4].metric("党员变动", num(sum(len(v) for v in members.values())))
    cells[5].metric("改动字段", num(doc["fields"]["total"]))


def _gaps(gaps: list[dict[str, Any]]) -> None:
    st.markdown("##### 缺口（按类型）")
    if not gaps:
        st.info("这段时间没有缺口新出现或解决。")
        return
    rows = [
        {"缺口类型": g.get("label") or gap_label(g["type"]), **_counts(g)}
        for g in sorted(gaps, key=lambda g: (-g["opened"] - g["closed"], g["type"]))
    ]
    st.dataframe(
        rows, hide_index=True, width="stretch", key="chg_gaps", height=min(38 + 35 * len(rows), 560)
    )


def _counts(g: dict[str, Any]) -> dict[str, int]:
    return {"新出现": int(g["opened"]), "已解决": int(g["closed"])}


def _households(hh: dict[str, list[str]], heads: dict[str, str]) -> None:
    st.markdown("##### 农户联系")
    left, right = st.columns(2, gap="large")
    for col, key, title, note in (
        (left, "newly_uncovered", "新增未联系农户", "这段时间失去联系党员、到终点仍无人联系的农户"),
        (right, "newly_covered", "新联系上的农户", "这段时间有了联系党员、到终点仍有人联系的农户"),
    ):
        ids = hh.get(key) or []
        with col:
            st.markdown(f"**{title}：{num(len(ids))} 户**")
            st.caption(note)
            if ids:
                with st.expander(f"查看{title}名单（{num(len(ids))} 户）"):
                    st.dataframe(
                        [{"户编号": h, "户主": heads.get(h, "")} for h in ids],
                        hide_index=True,
                        width="stretch",
                        key=f"chg_hh_{key}",
                    )


MEMBER_TABS = (
    ("left", "外出", "外出日期"),
    ("returned", "返回", "返回日期"),
    ("transferred", "转出", "转出日期"),
    ("moved", "调整支部或党小组", ""),
)


def _members(members: dict[str, list[dict[str, Any]]], names: dict[str, str]) -> None:
    st.markdown("##### 党员")
    tabs = st.tabs([f"{name}（{num(len(members.get(k) or []))}）" for k, name, _ in MEMBER_TABS])
    for tab, (key, name, day) in zip(tabs, MEMBER_TABS, strict=True):
        items = members.get(key) or []
        with tab:
            if not items:
                st.caption(f"没有{name}的党员。")
                continue
            if key == "moved":
                rows = [
                    {
                        "人员编号": m["key"],
                        "姓名": names.get(m["key"], ""),
                        "调整项": change_field("members", m["field"]).split(" · ")[-1],
                        "原": change_value(m["field"], m.get("old")),
                        "现": change_value(m["field"], m.get("new")),
                    }
                    for m in items
                ]
            else:
                rows = [
                    {"人员编号": m["key"], "姓名": m.get("name") or "", day: m.get("on") or ""}
                    for m in items
                ]
            st.dataframe(rows, hide_index=True, width="stretch", key=f"chg_members_{key}")


def _orgs(created: list[dict[str, Any]]) -> None:
    st.markdown(f"##### 新建党组织（{num(len(created))}）")
    if not created:
        st.caption("没有新建的党组织（花名册不标注撤销，因此只列新建）。")
        return
    st.dataframe(
        [{"组织编号": o["id"], "组织名称": o.get("name") or ""} for o in created],
        hide_index=True,
        width="stretch",
        key="chg_orgs",
    )


def _fields(fields: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> None:
    total = int(fields["total"])
    st.markdown(f"##### 导入改动的字段（{num(total)}）")
    if not total:
        st.caption("这段时间的导入没有改动已有的记录。")
        return
    by_field = [
        {"类别 · 字段": change_field(*name.split(".", 1)), "条数": n}
        for name, n in sorted(fields["by_field"].items(), key=lambda x: (-x[1], x[0]))
    ]
    st.dataframe(by_field, hide_index=True, width="stretch", key="chg_by_field")
    items = fields["items"][:FIELDS_SHOWN]
    rows = [
        {
            "导入": _import_day(by_id.get(f["import"]), f["import"]),
            "类别 · 字段": change_field(f["kind"], f["field"]),
            "编号": change_key(f["kind"], f["key"]),
            "原值": change_value(f["field"], f.get("old")),
            "新值": change_value(f["field"], f.get("new")),
        }
        for f in items
    ]
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        key="chg_fields",
        height=min(38 + 35 * len(rows), 560),
    )
    more = f"，表中列出前 {num(len(rows))} 条" if total > len(rows) else ""
    st.caption(
        f"共 {num(total)} 条{more}（按导入先后）。身份证号、手机号只记改动，不保留旧值新值。"
    )


def _one_entity(by_id: dict[str, dict[str, Any]]) -> None:
    """Every value the imports replaced on one member, household or org (GET
    /history/fields/{key}), oldest first."""
    st.markdown("##### 一个对象的改动历史")
    key = st.text_input(
        "人员编号、户编号或组织编号", key=ENTITY_KEY, placeholder="例如 330226D0000001"
    ).strip()
    if not key:
        return
    doc = session.try_fetch(OrgraphClient.field_history, key=key)
    if doc is None:
        return
    items: list[dict[str, Any]] = doc["items"]
    if not items:
        st.info(f"历次导入没有改动过“{key}”的记录（新增的行不计，只记被改动的字段）。")
        return
    st.dataframe(
        [
            {
                "导入": _import_day(by_id.get(f["import"]), f["import"]),
                "花名册日期": f.get("on") or "",
                "类别 · 字段": change_field(f["kind"], f["field"]),
                "原值": change_value(f["field"], f.get("old")),
                "新值": change_value(f["field"], f.get("new")),
            }
            for f in items
        ],
        hide_index=True,
        width="stretch",
        key="chg_entity",
    )


def _import_day(entry: dict[str, Any] | None, import_id: str) -> str:
    return import_label(entry) if entry else import_id


render()
