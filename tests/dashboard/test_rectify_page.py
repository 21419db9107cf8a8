"""整顿与考评 (the 软弱涣散 screening, docs/rules.md "软弱涣散 screening (排查)") through AppTest,
against the real API over HTTP: the counts, the candidates table and one organisation's
indicators are the API's answer for the same user, scope and date, in Chinese; a null
indicator reads 无数据 (never 未触发 nor 合格); the note says the list scores no person."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from orgraph import clock
from orgraph.client import OrgraphClient
from orgraph.vocab import RECT_LEDGER_GAP_TYPES, SCREEN_INDICATOR_ZH
from orgraph_dashboard import charts
from orgraph_dashboard.strings import num
from tests.dashboard.apptest import frame, login, open_page, timed_page
from tests.dashboard.conftest import ADMIN, TOWN, TOWNSHIP, VILLAGE, LiveDashboard

TODAY = clock.today()
PAGE = "rectify"
PAGE_LIMIT = 2.0  # seconds (issue #7), as the other pages
FLAGS = {True: "触发", False: "未触发", None: "无数据"}


def texts(at: AppTest) -> str:
    parts = [*at.title, *at.subheader, *at.markdown, *at.caption, *at.info, *at.warning]
    return "\n".join(str(p.value) for p in parts)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def reasons(item: dict[str, Any]) -> str:
    return "、".join(SCREEN_INDICATOR_ZH[k] for k in item["reasons"])


def _no_errors(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def _check(at: AppTest, doc: dict[str, Any]) -> None:
    """The page shows `doc` (the API's screening for the same user, scope and date)."""
    items = doc["items"]
    candidates = [it for it in items if it["candidate"]]
    shown = metrics(at)
    assert shown["排查村级党组织"] == f"{num(doc['screened'])} 个"
    assert shown["候选"] == f"{num(doc['candidates'])} 个"
    assert shown["已列入但数据无明显问题"] == f"{len(doc['listed_without_reasons'])} 个"
    assert shown["数据显示问题但未列入"] == f"{len(doc['unlisted_candidates'])} 个"
    page = texts(at)
    assert (
        f"排查村级党组织 **{num(doc['screened'])}** 个，候选 **{num(doc['candidates'])}** 个"
        in (page)
    )
    if not candidates:
        return
    table = frame(at, "党组织", "村", "乡镇", "已列为软弱涣散", "优先级", "原因")
    assert list(table["党组织"]) == [it["org"]["name"] for it in candidates]
    assert list(table["村"]) == [it["village"]["name"] for it in candidates]
    assert list(table["乡镇"]) == [(it["township"] or {}).get("name", "") for it in candidates]
    assert list(table["已列为软弱涣散"]) == ["是" if it["listed"] else "否" for it in candidates]
    assert list(table["优先级"]) == [it["priority"] for it in candidates]
    assert list(table["原因"]) == [reasons(it) for it in candidates]
    assert "候选组织" in page and "各项原因涉及的候选组织数" in page


def _indicators(at: AppTest, item: dict[str, Any]) -> Any:
    """Pick `item` in the select box; its indicator table, checked against the API's."""
    at.selectbox(key="pg_rect_org").select(item["org"]["id"]).run()
    _no_errors(at)
    table = frame(at, "指标", "数值", "阈值（触发条件）", "是否触发", "明细")
    assert list(table["指标"]) == [SCREEN_INDICATOR_ZH[k] for k in SCREEN_INDICATOR_ZH]
    assert list(table["是否触发"]) == [FLAGS[i["flag"]] for i in item["indicators"]]
    return table


def test_the_page_is_the_apis_screening(live: LiveDashboard, api: OrgraphClient) -> None:
    at = login(ADMIN)
    seconds = timed_page(at, PAGE, PAGE_LIMIT)
    _no_errors(at)
    assert at.title[0].value == "整顿与考评"
    assert at.subheader[0].value == "软弱涣散基层党组织排查"
    doc = api.screening(as_of=TODAY.isoformat())
    assert doc["screened"] > 0 and doc["candidates"] > 0  # the demo has some to show
    _check(at, doc)
    page = texts(at)
    assert "列入情况与数据比对（货不对板）" in page
    assert "分类定级" in page and "不对任何个人打分或排名" in page  # R32
    assert "登录、点击、学习时长" in page
    # the export is offered (the client has export_screening)
    assert any(b.proto.label == "下载排查名单（Excel）" for b in at.get("download_button"))
    # one organisation's indicators, with the figures behind them
    top = next(it for it in doc["items"] if it["candidate"])
    table = _indicators(at, top)
    for ind, detail in zip(top["indicators"], table["明细"], strict=True):
        if ind["key"] == "household_coverage" and ind["detail"].get("eligible"):
            d = ind["detail"]
            assert detail == (
                f"在家党员 {num(d['eligible'])} 名，联户达标 {num(d['met'])} 名；"
                f"本村农户 {num(d['households'])} 户，已联系 {num(d['covered'])} 户"
            )
        if ind["key"] == "chain_breaks":
            for b in ind["detail"]["breaks"]:
                assert b["name"] in detail
    # the 货不对板 lists name the API's organisations
    names = {it["org"]["id"]: it["org"]["name"] for it in doc["items"]}
    for ids in (doc["listed_without_reasons"], doc["unlisted_candidates"]):
        if ids:
            shown = [
                list(df.value["党组织"])
                for df in at.dataframe
                if list(df.value.columns) == ["党组织", "村", "乡镇", "原因"]
            ]
            assert [names[i] for i in ids] in shown
    # every screened organisation, when asked for
    at.toggle(key="pg_rect_all").set_value(True).run()
    _no_errors(at)
    table = frame(at, "党组织", "已列为软弱涣散", "优先级", "原因")
    assert list(table["党组织"]) == [it["org"]["name"] for it in doc["items"]]
    print(f"整顿与考评: {seconds:.2f} s")
    assert seconds < PAGE_LIMIT


def test_a_township_scope(live: LiveDashboard, api: OrgraphClient) -> None:
    """The scope picker narrows the screening to a township: the API's answer for it."""
    at = login(ADMIN)
    open_page(at, PAGE)
    at.selectbox(key="pg_rect_scope").select(TOWNSHIP).run()
    _no_errors(at)
    _check(at, api.screening(scope=TOWNSHIP, as_of=TODAY.isoformat()))


@pytest.mark.parametrize("who", [TOWN, VILLAGE], ids=["township_admin", "village_secretary"])
def test_smaller_scopes(live: LiveDashboard, who: tuple[str, str]) -> None:
    at = login(who)
    open_page(at, PAGE)
    _no_errors(at)
    assert not at.warning, [w.value for w in at.warning]
    _check(at, live.client(who).screening(as_of=TODAY.isoformat()))


def test_no_data_is_never_shown_as_compliance(live: LiveDashboard, api: OrgraphClient) -> None:
    """A date before the organisational-life records begin: life_irregular is null for every
    organisation, and the page says 无数据 (and why), never 未触发."""
    early = None
    for days in (400, 800, 1500):
        day = TODAY - dt.timedelta(days=days)
        doc = api.screening(as_of=day.isoformat())
        if "life_irregular" in doc["no_data"] and doc["items"]:
            early = day
            break
    if early is None:
        pytest.skip("the demo's life records begin before every date tried")
    at = login(ADMIN)
    open_page(at, PAGE)
    at.date_input(key="og_as_of").set_value(early).run()
    _no_errors(at)
    _check(at, doc)
    assert any("组织生活不正常" in w.value and "不代表合格" in w.value for w in at.warning)
    item = doc["items"][0]
    table = _indicators(at, item)
    row = list(table["指标"]).index(SCREEN_INDICATOR_ZH["life_irregular"])
    assert table["是否触发"][row] == "无数据"
    assert table["数值"][row] == "无数据"


def test_the_reasons_chart_names_every_indicator_in_order() -> None:
    counts = [(label, i) for i, label in enumerate(SCREEN_INDICATOR_ZH.values())]
    opts = charts.reason_bar(counts, no_data=frozenset({SCREEN_INDICATOR_ZH["life_irregular"]}))
    names = opts["yAxis"]["data"]
    assert names[0] == "书记缺职或长期不在岗" and opts["yAxis"]["inverse"]  # first on top
    assert names[2] == "组织生活不正常（无数据）"
    assert opts["series"][0]["data"] == list(range(len(SCREEN_INDICATOR_ZH)))


# -- 第一书记, 党小组考评, 整顿台账 (issue #14) ------------------------------------------------


def _section(at: AppTest, name: str) -> None:
    at.radio(key="pg_rect_section").set_value(name).run()
    _no_errors(at)


def _fs_figures(doc: dict[str, Any]) -> dict[str, str]:
    """The 第一书记 section's metrics, from the API's village view (未导入 without a roster)."""
    rows = doc["rows"]

    def fig(n: int, unit: str) -> str:
        return "未导入" if doc["no_data"] else f"{num(n)} {unit}"

    return {
        "村级党组织": f"{num(len(rows))} 个",
        "有第一书记在任": fig(sum(1 for r in rows if r["first_secretaries"]), "个"),
        "软弱涣散无第一书记": fig(
            sum(1 for r in rows if r["listed"] and not r["first_secretaries"]), "个"
        ),
        "联户、参会无记录": fig(sum(len(r["absent"]) for r in rows), "人"),
        "即将期满无人接任": fig(sum(len(r["ending"]) for r in rows), "人"),
    }


LEDGER = RECT_LEDGER_GAP_TYPES


def _ledger_heads(at: AppTest, summary: dict[str, Any]) -> None:
    """Each ledger type's line: its count, or 未导入 for a type in no_data (never 0)."""
    page = texts(at)
    for t in LEDGER:
        label = summary["labels"][t]
        shown = "未导入" if t in summary["no_data"] else f"{num(summary['counts'][t])} 条"
        assert f"**{label}**：{shown}" in page, (t, shown)


def test_the_first_secretaries_and_the_ledger(live: LiveDashboard, api: OrgraphClient) -> None:
    """The 第一书记 section is the API's village view (metrics, table, a map of the villages
    with coordinates); the 整顿台账 section lists each ledger type with the API's count and
    items; before any 第一书记 begins both say 未导入, never that none is missing."""
    at = login(ADMIN)
    open_page(at, PAGE)
    _section(at, "第一书记")
    doc = api.first_secretary_villages(as_of=TODAY.isoformat())
    assert not doc["no_data"] and doc["rows"]
    assert metrics(at) == _fs_figures(doc)
    table = frame(at, "村(社区)", "村党组织", "第一书记", "状态")
    rows = doc["rows"]
    assert list(table["村党组织"]) == [r["org"]["name"] for r in rows]
    assert list(table["第一书记"]) == [
        "、".join(f["member"]["name"] for f in r["first_secretaries"]) for r in rows
    ]
    want = [
        ("软弱涣散无第一书记" if r["listed"] else "未派驻")
        if not r["first_secretaries"]
        else "联户、参会无记录"
        if r["absent"]
        else "即将期满无人接任"
        if r["ending"]
        else "在任"
        for r in rows
    ]
    assert list(table["状态"]) == want
    # (which other statuses show depends on how far today is past the demo's date)
    assert "在任" in want
    placed = sum(1 for r in rows if r["village"]["lon"] is not None)
    assert placed and f"{placed} 个村(社区)。点的颜色表示第一书记情况" in texts(at)

    _section(at, "整顿台账")
    summary: dict[str, Any] = dict(api.gaps_summary(as_of=TODAY.isoformat()))
    _ledger_heads(at, summary)
    for t in ("weak_no_first_secretary", "first_secretary_absent", "first_secretary_ending"):
        items = api.gaps(t, as_of=TODAY.isoformat(), page_size=200)["items"]
        if not items:
            continue
        key = "党组织" if t == "weak_no_first_secretary" else "第一书记"
        names = [i["name"] if key == "党组织" else i["member"]["name"] for i in items]
        shown = [list(df.value[key]) for df in at.dataframe if key in df.value.columns]
        assert names in shown, t

    # before any appointment begins: 未导入 in both sections
    early = TODAY - dt.timedelta(days=2500)
    at.date_input(key="og_as_of").set_value(early).run()
    _no_errors(at)
    summary = dict(api.gaps_summary(as_of=early.isoformat()))  # no_data: the API's, not typed
    assert {"weak_no_first_secretary", "first_secretary_absent"} <= set(summary["no_data"])
    _ledger_heads(at, summary)
    _section(at, "第一书记")
    doc = api.first_secretary_villages(as_of=early.isoformat())
    assert doc["no_data"]
    assert metrics(at) == _fs_figures(doc)
    assert any("尚未导入第一书记名册" in w.value and "不表示" in w.value for w in at.warning)


def test_the_group_ranking(live: LiveDashboard, api: OrgraphClient) -> None:
    """A county user picks a township (nothing before), the quarter defaults to the latest
    completed one; the table, the 流动红旗 and the export are the API's; a township user sees
    its own township without picking; a village user is told the ranking is a township's."""
    at = login(ADMIN)
    open_page(at, PAGE)
    _section(at, "党小组考评")
    assert any("请选择一个乡镇" in i.value for i in at.info)
    assert not at.dataframe
    at.selectbox(key="pg_rect_township").select(TOWNSHIP).run()
    _no_errors(at)
    doc = api.group_ranking(TOWNSHIP, as_of=TODAY.isoformat())
    _ranking_shown(at, doc)
    assert any(b.proto.label == "下载排名表（Excel）" for b in at.get("download_button"))
    year, n = doc["quarter"].split("-Q")
    label = f"{year}-Q{int(n) - 1}" if n != "1" else f"{int(year) - 1}-Q4"
    assert at.selectbox(key="pg_rect_quarter").value == doc["quarter"]
    at.selectbox(key="pg_rect_quarter").select(label).run()
    _no_errors(at)
    _ranking_shown(at, api.group_ranking(TOWNSHIP, quarter=label, as_of=TODAY.isoformat()))

    town = login(TOWN)
    open_page(town, PAGE)
    _section(town, "党小组考评")
    _ranking_shown(town, live.client(TOWN).group_ranking(TOWNSHIP, as_of=TODAY.isoformat()))

    village = login(VILLAGE)
    open_page(village, PAGE)
    _section(village, "党小组考评")
    assert any("以乡镇为单位" in i.value for i in village.info)


def _ranking_shown(at: AppTest, doc: dict[str, Any]) -> None:
    rows = doc["rows"]
    assert rows, "the demo township has party groups"
    table = frame(at, "名次", "党小组", "得分")
    assert list(table["名次"]) == [r["rank"] for r in rows]
    assert list(table["党小组"]) == [r["name"] for r in rows]
    assert list(table["得分"]) == [r["points"] for r in rows]
    if doc["records"]:
        assert list(table["月总结月数"]) == [r["summaries"] for r in rows]
    else:  # no group records: 未导入, never 0
        assert set(table["月总结月数"]) == set(table["是否督查"]) == {"未导入"}
    flag = doc["red_flag"]
    shown = metrics(at)
    assert shown["党小组"] == f"{num(len(rows))} 个"
    assert shown["流动红旗"] == (flag["name"] if flag else "无")
    page = texts(at) + "\n".join(str(s.value) for s in at.success)
    if flag:
        assert f"流动红旗：{flag['name']}（{num(flag['points'])} 分）" in page
    else:
        assert "本季度没有党小组达到流动红旗分数线" in page
    assert f"{doc['quarter'][:4]}年第{doc['quarter'][-1]}季度 党小组排名" in page
