"""调整建议 (docs/rules.md "Contact proposals") through AppTest, against the real API over a
graph of its own on each engine (the tiny demo county): the figures shown are the API's answer
for the same user and date, with Chinese labels; the pairs are the API's, village by village;
a viewer cannot apply; a township admin applies a few ticked pairs and the page reports what
was written, or names the pairs the API refused.

The graph is this module's own (not the package's `live`): applying writes contacts."""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from orgraph import clock
from orgraph.client import OrgraphClient
from orgraph.vocab import LOCALITY_ZH, SHORTFALL_ZH
from orgraph_dashboard.strings import MSG, num, pct
from tests.dashboard.apptest import frame, login, open_page, timed_page
from tests.dashboard.conftest import ADMIN, TOWN, TOWNSHIP, VIEWER, LiveDashboard, _serve
from tests.engines import GraphHost, short_tmpdir

TODAY = clock.today().isoformat()
PAGE = "proposals"
PAGE_LIMIT = 2.0  # seconds (issue #7), as in test_pages.py
VILLAGE_COLUMNS = ("代码", "现覆盖率", "调整后覆盖率", "缺口性质")
PAIR_COLUMNS = ("应用", "户编号", "人员编号", "就近", "原联户数", "调整后联户数", "两委补位")


@pytest.fixture(scope="module")
def own(graph_host: GraphHost) -> Iterator[LiveDashboard]:
    data_dir = short_tmpdir("og-dash-prop-")
    try:
        yield from _serve(graph_host, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def whole(api: OrgraphClient, **kw: Any) -> dict[str, Any]:
    """The API's proposal with every page of pairs."""
    doc = dict(api.proposal(as_of=TODAY, page=1, page_size=500, **kw))
    items = list(doc["items"])
    page = 1
    while len(items) < doc["items_total"]:
        page += 1
        items += api.proposal(as_of=TODAY, page=page, page_size=500, **kw)["items"]
    return {**doc, "items": items}


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def shown_pairs(at: AppTest) -> list[tuple[str, str]]:
    (editor,) = at.data_editor
    df = editor.value
    assert all(c in df.columns for c in PAIR_COLUMNS), list(df.columns)
    return list(zip(df["人员编号"], df["户编号"], strict=True))


def pairs_of(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(i["member"]["id"], i["household"]["id"]) for i in items]


def _none(v: Any) -> Any:
    return None if isinstance(v, float) and math.isnan(v) else v


def check_figures(at: AppTest, doc: dict[str, Any]) -> None:
    """The metrics and the village table are the API's answer, labelled in Chinese."""
    t = doc["total"]
    shown = metrics(at)
    assert shown["现覆盖率"] == pct(t["coverage_before"])
    assert shown["调整后覆盖率"] == pct(t["coverage_after"])
    assert shown["待联系户"] == num(t["open"])
    assert shown["建议新增"] == num(t["proposed"])
    assert shown["仍缺户数"] == num(t["remaining"])
    assert shown["还需党员"] == num(t["members_needed"])
    need = t["contact_max_needed"]
    assert shown["上限需提到"] == ("—" if need is None else f"{need} 户")
    assert shown["缺口性质"] == SHORTFALL_ZH[t["shortfall"]]
    table = frame(at, *VILLAGE_COLUMNS)
    assert list(table["代码"]) == [v["code"] for v in doc["villages"]]
    assert list(table["村(社区)"]) == [v["name"] for v in doc["villages"]]
    for label, field in (
        ("农户数", "households"),
        ("现覆盖率", "coverage_before"),
        ("调整后覆盖率", "coverage_after"),
        ("建议新增", "proposed"),
        ("仍缺户数", "remaining"),
        ("还需党员", "members_needed"),
    ):
        assert [_none(x) for x in table[label]] == [v[field] for v in doc["villages"]], label
    assert list(table["上限需提到"]) == [
        "—" if v["contact_max_needed"] is None else str(v["contact_max_needed"])
        for v in doc["villages"]
    ]
    # the kind of shortfall is text in Chinese, never the API's code (nor a colour alone)
    assert list(table["缺口性质"]) == [SHORTFALL_ZH[v["shortfall"]] for v in doc["villages"]]


def test_the_county_sees_its_figures_and_pairs(own: LiveDashboard) -> None:
    api = own.client(ADMIN)
    doc = whole(api)
    assert doc["items_total"] > 0, "the tiny demo has coverage to gain"
    at = login(ADMIN)
    assert timed_page(at, PAGE, PAGE_LIMIT) < PAGE_LIMIT
    assert at.title[0].value == "调整建议"
    assert not at.error and not at.warning
    check_figures(at, doc)
    assert any("党员大会" in i.value for i in at.info)  # proposals, not decisions
    # every pair on one page here, in the API's order, all ticked, reasons in Chinese
    assert shown_pairs(at) == pairs_of(doc["items"][:500])
    df = at.data_editor[0].value
    assert df["应用"].all()
    assert set(df["就近"]) <= set(LOCALITY_ZH.values())
    assert list(df["原联户数"]) == [i["load_before"] for i in doc["items"][:500]]
    assert list(df["调整后联户数"]) == [i["load_after"] for i in doc["items"][:500]]
    assert set(df["两委补位"]) <= {"是", "否"}

    # a township: the village table and the village choices narrow to it
    towns = [t["code"] for t in doc["townships"] if t["proposed"]]
    assert len(doc["townships"]) > 1 and towns
    at.selectbox(key="pg_prop_township").select(towns[0]).run()
    assert not at.exception
    mine = [v for v in doc["villages"] if v["township"]["code"] == towns[0]]
    assert list(frame(at, *VILLAGE_COLUMNS)["代码"]) == [v["code"] for v in mine]
    codes = {v["code"] for v in mine}
    assert shown_pairs(at) == pairs_of([i for i in doc["items"] if i["village"]["code"] in codes])
    # one village: exactly its pairs, fetched through the API's pages
    busiest = max(mine, key=lambda v: v["proposed"])
    at.selectbox(key="pg_prop_village").select(busiest["code"]).run()
    want = [i for i in doc["items"] if i["village"]["code"] == busiest["code"]]
    assert len(want) == busiest["proposed"] > 0
    assert shown_pairs(at) == pairs_of(want)

    # the scope picker: a township as the scope is that township's own proposal
    at.selectbox(key="pg_prop_scope").select(towns[0]).run()
    assert not at.exception
    check_figures(at, whole(api, scope=towns[0]))


def test_a_township_user_sees_only_its_township(own: LiveDashboard) -> None:
    api = own.client(TOWN)
    doc = whole(api)
    assert doc["scope"] == TOWNSHIP
    at = login(TOWN)
    open_page(at, PAGE)
    assert not at.error and not at.warning
    assert at.caption[0].value.startswith(api.me()["scope"]["name"])
    check_figures(at, doc)
    assert {v["township"]["code"] for v in doc["villages"]} == {TOWNSHIP}
    assert "pg_prop_township" not in [s.key for s in at.selectbox]  # one township: no filter
    picker = at.selectbox(key="pg_prop_scope")
    villages = api.coverage(level="village", as_of=TODAY)["rows"][1:]
    assert list(picker.options)[1:] == [f"{v['name']}（村(社区)）" for v in villages]
    assert shown_pairs(at) == pairs_of(doc["items"])
    assert not at.button(key="prop_apply").disabled


def test_a_viewer_cannot_apply(own: LiveDashboard) -> None:
    at = login(VIEWER)
    open_page(at, PAGE)
    assert not at.error
    assert shown_pairs(at)  # a viewer reads the proposal…
    assert at.button(key="prop_apply").disabled  # …and cannot apply it
    role = own.client(VIEWER).me()["role_zh"]
    assert MSG["proposal_read_only"].format(role=role) in [c.value for c in at.caption]


def _tick_only(at: AppTest, rows: set[int]) -> None:
    """Untick every row of the pairs table but these (the edit state a person's clicks make)."""
    (editor,) = at.data_editor
    n = len(editor.value)
    assert editor.key is not None
    at.session_state[editor.key] = {
        "edited_rows": {i: {"应用": False} for i in range(n) if i not in rows},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception, at.exception


def test_applying_the_ticked_pairs_writes_them_only(own: LiveDashboard) -> None:
    api = own.client(TOWN)
    doc = whole(api)
    before = api.gaps_summary(as_of=TODAY)["counts"]["household_uncovered"]
    at = login(TOWN)
    open_page(at, PAGE)
    pairs = shown_pairs(at)
    assert len(pairs) >= 4
    _tick_only(at, {0, 2, 3})
    assert any("已勾选 3 对" in c.value for c in at.caption)
    at.button(key="prop_apply").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == [MSG["proposal_applied"].format(created=3, kept=0)]
    # exactly the three ticked pairs were written: they are contacts now, the others are not
    chosen = [pairs[0], pairs[2], pairs[3]]
    for member, household in pairs[:4]:
        active = {
            c["household"]["id"]
            for c in api.contacts(member=member, page_size=100)["items"]
            if c.get("household") and c.get("active", not c.get("until"))
        }
        assert (household in active) == ((member, household) in chosen), (member, household)
    assert api.gaps_summary(as_of=TODAY)["counts"]["household_uncovered"] == before - 3
    # the page reloaded the proposal: the figures are the new answer's, every row ticked again
    again = whole(api)
    assert again["total"]["covered_before"] == doc["total"]["covered_before"] + 3
    check_figures(at, again)
    assert shown_pairs(at) == pairs_of(again["items"])
    assert at.data_editor[0].value["应用"].all()


def test_a_refused_apply_names_the_pairs_and_writes_nothing(own: LiveDashboard) -> None:
    """Between showing the list and the click, someone else gave a listed household to another
    member: the API refuses the whole apply and the page names that pair."""
    api = own.client(TOWN)
    at = login(TOWN)
    open_page(at, PAGE)
    pairs = shown_pairs(at)
    by_village: dict[str, list[dict[str, Any]]] = {}
    for it in whole(api)["items"]:
        by_village.setdefault(it["village"]["code"], []).append(it)
    first, other = next(
        (a, b)
        for items in by_village.values()
        for a in items
        for b in items
        if a["member"]["id"] != b["member"]["id"]
    )
    taken = first["household"]["id"]
    assert api.apply_proposal([(other["member"]["id"], taken)], as_of=TODAY)["created"] == 1
    before = api.gaps_summary(as_of=TODAY)["counts"]["household_uncovered"]
    row = pairs.index((first["member"]["id"], taken))
    # and one pair that stays valid (not of the member who just took a household)
    fine = next(
        i
        for i, (m, _) in enumerate(pairs)
        if m not in (first["member"]["id"], other["member"]["id"])
    )
    keep = {row, fine}
    _tick_only(at, keep)
    at.button(key="prop_apply").click().run()
    assert not at.exception, at.exception
    assert not at.success
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "未做任何修改" in errors[0], errors
    failed = frame(at, "户编号", "原因")
    assert list(failed["户编号"]) == [taken]
    assert "已有在家党员联系" in failed["原因"][0]
    assert api.gaps_summary(as_of=TODAY)["counts"]["household_uncovered"] == before
