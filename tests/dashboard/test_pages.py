"""Every page through AppTest as a logged-in user: it renders without an exception and the
figures it shows are the API's own answers for the same user and date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from orgraph import clock
from orgraph.client import OrgraphClient
from orgraph.vocab import CHAIN_LEVEL_ZH, MGMT_CLASS_ZH
from orgraph_dashboard.strings import gap_label, num, pct
from tests.dashboard.apptest import frame, login, open_page, timed_page
from tests.dashboard.conftest import ADMIN, TOWN, VIEWER, VILLAGE, LiveDashboard
from tests.dashboard.history_checks import check_changes

TODAY = clock.today().isoformat()
PAGE_LIMIT = 2.0  # seconds per page (issue #7); AppTest runs in-process with the API


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_figures_equal_the_api(admin_app: AppTest, api: OrgraphClient) -> None:
    seconds = timed_page(admin_app, "overview", PAGE_LIMIT)
    assert seconds < PAGE_LIMIT
    head = api.coverage(level="township", as_of=TODAY)["rows"][0]
    summary = api.gaps_summary(as_of=TODAY)
    shown = metrics(admin_app)
    assert shown["农户"] == num(head["households"])
    assert shown["已联系农户"] == num(head["covered"])
    assert shown["覆盖率"] == pct(head["coverage"])
    assert shown["在册党员"] == num(head["members"])
    assert shown["在家党员"] == num(head["members_home"])
    assert shown["外出党员"] == num(head["members_away"])
    assert shown["缺口合计"] == num(sum(summary["counts"].values()))
    gaps = frame(admin_app, "缺口类型", "数量")
    got = dict(zip(gaps["缺口类型"], gaps["数量"], strict=True))
    labels = summary.get("labels") or {}
    missing = set(summary.get("no_data") or ())  # records not imported: blank, never 0
    blank_as_none = {k: None if v != v else v for k, v in got.items()}  # NaN != NaN
    assert blank_as_none == {
        gap_label(t, labels): None if t in missing else n for t, n in summary["counts"].items()
    }


def test_overview_of_a_township_lists_villages(live: LiveDashboard) -> None:
    at = login(TOWN)
    api = live.client(TOWN)
    cov = api.coverage(level="village", as_of=TODAY)
    assert cov["rows"][0]["level"] == "township"
    # the same process just showed the county to the county admin: nothing of it is reused
    county = live.client(ADMIN).coverage(level="township", as_of=TODAY)["rows"][0]
    assert county["households"] != cov["rows"][0]["households"]
    assert metrics(at)["农户"] == num(cov["rows"][0]["households"])


def test_map_points_and_uncovered_households(admin_app: AppTest, api: OrgraphClient) -> None:
    seconds = timed_page(admin_app, "map", PAGE_LIMIT)
    assert seconds < PAGE_LIMIT
    villages = api.coverage(level="village", as_of=TODAY)["rows"][1:]
    caption = " ".join(c.value for c in admin_app.caption)
    assert f"{len(villages)} 个村(社区)" in caption
    assert "未找到本县边界数据" not in caption  # the packaged outline of 宁海县 was used
    worst = min(
        villages, key=lambda r: (r["coverage"] if r["coverage"] is not None else 2, r["code"])
    )
    assert admin_app.selectbox(key="pg_map_village").value == worst["code"]
    shown = metrics(admin_app)
    assert shown["未联系农户"] == num(worst["households"] - worst["covered"])
    gaps = api.gaps("household_uncovered", scope=worst["code"], as_of=TODAY, page_size=500)
    table = frame(admin_app, "编号", "户主")
    assert len(table) == min(gaps["total"], 500)
    assert list(table["编号"]) == [it["id"] for it in gaps["items"]]
    # choosing another village shows its own list
    other = max(villages, key=lambda r: r["households"] - r["covered"])
    admin_app.selectbox(key="pg_map_village").select(other["code"]).run()
    assert not admin_app.exception
    assert metrics(admin_app)["未联系农户"] == num(other["households"] - other["covered"])


def test_network_tree_and_branch_graph(admin_app: AppTest, api: OrgraphClient) -> None:
    seconds = timed_page(admin_app, "network", PAGE_LIMIT)
    assert seconds < PAGE_LIMIT
    tree = api.tree()
    kinds = " ".join(c.value for c in admin_app.caption)
    assert f"党小组 {num(sum(o['kind'] == 'group' for o in tree['orgs']))} 个" in kinds
    admin_app.button_group(key="pg_net_view").set_value("支部关系图").run()
    assert not admin_app.exception
    branches = sorted(
        (
            o
            for o in tree["orgs"]
            if o["kind"]
            in ("branch", "joint_branch", "general_branch", "mobile_branch", "temp_branch")
        ),
        key=lambda o: o["id"],
    )
    pick = admin_app.selectbox(key="pg_net_branch")
    assert pick.options and len(pick.options) == len(branches)
    first = next(o for o in branches if o["id"] == pick.value)
    assert len((first.get("area") or {}).get("code") or "") == 12  # a village branch first
    shown = metrics(admin_app)
    members = api.members(branch=first["id"], on_roll=True, page_size=200)
    uncovered = api.gaps("household_uncovered", scope=first["id"], as_of=TODAY)
    overloaded = api.gaps("member_contact_load", scope=first["id"], as_of=TODAY)
    assert shown["党员"] == num(members["total"])
    assert shown["未联系农户"] == num(uncovered["total"])
    assert shown["联户数不合规党员"] == num(overloaded["total"])
    groups = [
        o
        for o in tree["orgs"]
        if o.get("parent") == first["id"] and o["kind"] in ("group", "temp_group")
    ]
    assert shown["党小组"] == num(len(groups))


def test_gaps_counts_table_and_export(admin_app: AppTest, api: OrgraphClient) -> None:
    seconds = timed_page(admin_app, "gaps", PAGE_LIMIT)
    assert seconds < PAGE_LIMIT
    summary = api.gaps_summary(as_of=TODAY)
    radio = admin_app.radio(key="pg_gaps_type")
    missing = set(summary.get("no_data") or ())  # records not imported: 未导入, never 0
    assert list(radio.options) == [
        f"{gap_label(t, summary.get('labels'))}（{'未导入' if t in missing else num(n)}）"
        for t, n in summary["counts"].items()
    ]
    for gap in (
        "household_uncovered",
        "member_contact_load",
        "township_no_leader",
        "exempt_member_assigned",
    ):
        radio.set_value(gap).run()
        assert not admin_app.exception
        page = api.gaps(gap, as_of=TODAY, page_size=500)
        label = gap_label(gap, summary.get("labels"))
        assert admin_app.subheader[0].value == f"{label}：{num(summary['counts'][gap])} 条"
        if page["total"]:
            table = frame(admin_app, "编号")
            assert len(table) == len(page["items"])
        if gap == "exempt_member_assigned":  # management classes show in Chinese, never codes
            shown = set(frame(admin_app, "分类")["分类"])
            assert shown <= {*MGMT_CLASS_ZH.values(), ""}, shown
            codes = {i["mgmt_class"] for i in page["items"] if i["mgmt_class"]}
            assert {MGMT_CLASS_ZH[c] for c in codes} <= shown
        radio = admin_app.radio(key="pg_gaps_type")
    # the filter narrows the table to the rows that mention the text
    radio.set_value("household_uncovered").run()
    items = api.gaps("household_uncovered", as_of=TODAY, page_size=500)["items"]
    needle = items[0]["id"]
    admin_app.text_input(key="pg_gaps_q_household_uncovered").input(needle).run()
    table = frame(admin_app, "编号")
    assert list(table["编号"]) == [it["id"] for it in items if needle in it["id"]]


def test_a_past_day_says_what_it_reads(api: OrgraphClient) -> None:
    """On a past 统计日期 the gap list and the overview show the API's note on what the answer
    read as it is now (docs/rules.md "What an answer at a past day can read"); today, none."""
    at = login(ADMIN)  # its own session: the module's keeps today
    day = clock.today() - dt.timedelta(days=40)
    note = api.gaps_summary(as_of=day.isoformat())["past"]["note"]
    assert note and note.startswith(f"注：{day.isoformat()} 的答案")
    for page in ("gaps", "overview"):
        open_page(at, page)
        at.date_input(key="og_as_of").set_value(day).run()
        assert not at.exception, at.exception
        assert note in [c.value for c in at.caption], page
        at.date_input(key="og_as_of").set_value(clock.today()).run()
        assert not any(c.value.startswith("注：") for c in at.caption), page


def test_export_through_the_client(api: OrgraphClient) -> None:
    got = api.export_gaps("household_uncovered", as_of=TODAY, format="csv")
    assert got.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, so Excel reads Chinese
    total = api.gaps("household_uncovered", as_of=TODAY)["total"]
    assert got.content.decode("utf-8-sig").strip().count("\n") == total
    xlsx = api.export_gaps("household_uncovered", as_of=TODAY, format="xlsx")
    assert xlsx.content[:2] == b"PK" and xlsx.filename.endswith(".xlsx")


def _has_mobility_routes(api: OrgraphClient) -> bool:
    paths = api.request("GET", "/openapi.json").json().get("paths", {})
    return any(p.startswith("/api/v1/mobility/") for p in paths)


def test_mobility_figures_equal_the_api(admin_app: AppTest, api: OrgraphClient) -> None:
    if not _has_mobility_routes(api):
        seconds = timed_page(admin_app, "mobility", PAGE_LIMIT)
        assert "流动党员数据接口尚未开放，请稍后再试。" in [i.value for i in admin_app.info]
        pytest.skip(
            "THE API HAS NO /mobility ROUTES YET (issue #5): only the page's "
            "graceful message was checked"
        )
    seconds = timed_page(admin_app, "mobility", PAGE_LIMIT)
    assert seconds < PAGE_LIMIT
    dest = api.destinations(as_of=TODAY)
    shown = metrics(admin_app)
    assert shown["外出党员"] == num(dest["total"])
    assert shown["长期未报到"] == num(api.gaps("mobile_silent", as_of=TODAY)["total"])
    assert shown["失联党员"] == num(api.gaps("lost_contact", as_of=TODAY)["total"])
    clusters = api.gaps("mobile_cluster_without_branch", as_of=TODAY)
    assert shown["待建流动党支部"] == num(clusters["total"])
    assert shown["已建流动党支部"] == num(len(api.mobile_branches(as_of=TODAY)["branches"]))
    cities = frame(admin_app, "城市", "人数")
    assert int(cities["人数"].sum()) == sum(p["count"] for p in dest["provinces"])


def test_chain_search_and_broken_level(admin_app: AppTest, api: OrgraphClient) -> None:
    seconds = timed_page(admin_app, "chain", PAGE_LIMIT)
    assert seconds < PAGE_LIMIT
    broken = api.gaps("household_uncovered", as_of=TODAY, page_size=1)["items"][0]
    name = broken["head_name"]
    admin_app.text_input(key="pg_chain_q").input(broken["id"]).run()
    assert not admin_app.exception
    chain = api.chain(broken["id"], as_of=TODAY)
    assert chain["broken_at"] == "household"
    assert [e.value for e in admin_app.error] == [
        f"联系链在“{CHAIN_LEVEL_ZH['household']}”一级断开。"
    ]
    assert name in " ".join(m.value for m in admin_app.markdown)
    # by the head's name: every household of that name is offered
    admin_app.text_input(key="pg_chain_q").input(name).run()
    found = api.households(q=name, page_size=50)
    assert admin_app.selectbox(key="pg_chain_household").options is not None
    assert len(admin_app.selectbox(key="pg_chain_household").options) == len(found["items"])


def test_imports_dry_run_report(
    admin_app: AppTest, api: OrgraphClient, live: LiveDashboard
) -> None:
    seconds = timed_page(admin_app, "imports", PAGE_LIMIT)
    assert seconds < PAGE_LIMIT
    bad = live.demo / "with_errors"
    paths = (
        sorted(p for p in bad.iterdir() if p.suffix in (".xlsx", ".csv"))[:2]
        if bad.is_dir()
        else []
    )
    if not paths:
        paths = [live.demo / "农户.csv"]
    files = [(p.name, p.read_bytes()) for p in paths]
    admin_app.session_state["pg_import_files"] = files
    admin_app.run()
    admin_app.button(key="import_check").click().run()
    assert not admin_app.exception
    report: dict[str, Any] = api.import_files("auto", files, dry_run=True)
    t = report["totals"]
    shown = metrics(admin_app)
    assert shown["数据行"] == num(t["rows"])
    assert shown["通过"] == num(t["accepted"])
    assert shown["拒绝的行"] == num(t["rejected"])
    assert admin_app.subheader[0].value == "检查结果（未写入）"
    if t["rejected"]:
        problems = frame(admin_app, "行号", "原因")
        rows = {(r["行号"], r["原因"]) for _, r in problems.iterrows() if r["级别"] == "拒绝"}
        want = {(i["row"], i["message"]) for f in report["files"] for i in f["rejected"]}
        assert rows == want


def test_imports_confirmed_after_the_check(
    admin_app: AppTest, api: OrgraphClient, live: LiveDashboard
) -> None:
    """Re-importing a roster the graph already holds: the real write path, nothing changes."""
    open_page(admin_app, "imports")
    roster = live.demo / "农户.csv"
    admin_app.session_state["pg_import_files"] = [(roster.name, roster.read_bytes())]
    if "pg_import_report" in admin_app.session_state:
        del admin_app.session_state["pg_import_report"]
    admin_app.run()
    assert admin_app.button(key="import_confirm").disabled
    admin_app.button(key="import_check").click().run()
    assert not admin_app.button(key="import_confirm").disabled
    before = api.coverage(level="county", as_of=TODAY)["rows"][0]
    admin_app.button(key="import_confirm").click().run()
    assert not admin_app.exception
    assert admin_app.subheader[0].value == "导入结果"
    shown = metrics(admin_app)
    rows = shown["数据行"]
    assert rows != "0" and shown["通过"] == rows and shown["新增 / 更新"] == "0 / 0"
    assert api.coverage(level="county", as_of=TODAY)["rows"][0] == before


def test_imports_need_the_admin_role(live: LiveDashboard) -> None:
    at = login(VIEWER)
    open_page(at, "imports")
    assert any("县级管理员" in i.value for i in at.info)
    assert "import_check" not in [b.key for b in at.button]


@pytest.mark.parametrize("who", [TOWN, VILLAGE], ids=["township_admin", "village_secretary"])
def test_every_page_for_smaller_scopes(live: LiveDashboard, who: tuple[str, str]) -> None:
    """A township (area scope) and a village branch (org scope): every page renders with
    no exception and no error message, and shows only that scope."""
    at = login(who)
    me = live.client(who).me()
    pages = (
        "overview",
        "map",
        "network",
        "gaps",
        "proposals",
        "mobility",
        "chain",
        "changes",
        "imports",
    )
    for page in (*pages, "login"):
        open_page(at, page)
        assert not at.error, (page, [e.value for e in at.error])
        assert not at.warning, (page, [w.value for w in at.warning])
        if page == "imports":  # the county administrators' page: a message
            assert any("县级管理员" in i.value for i in at.info), page
        elif page != "login":
            assert at.caption[0].value.startswith(me["scope"]["name"])
        if page == "changes":  # in the user's scope (docs/rules.md "In a scope"), no refusal
            assert not any("县级管理员" in i.value for i in at.info)
            assert any(f"范围：{me['scope']['name']}" in c.value for c in at.caption)


def test_changes_without_two_imports(live: LiveDashboard, api: OrgraphClient) -> None:
    """变化 on the package's graph (its demo imported without a record; the import test above
    may have imported once through the page): without two imports the page says so and
    compares the last 30 days (the browser test sees "no import" on its own graph too);
    tests/dashboard/test_history_pages.py has two."""
    imports = api.imports()["items"]
    n = len(imports)
    at = login(ADMIN)
    open_page(at, "changes")
    assert not at.error, [e.value for e in at.error]
    infos = " ".join(i.value for i in at.info)
    if n >= 2:  # imported twice by other tests of this module: the last two are compared
        assert at.selectbox(key="pg_chg_from_imp").value == imports[1]["id"]
        assert at.selectbox(key="pg_chg_to_imp").value == imports[0]["id"]
        check_changes(at, dict(api.changes(imports[1]["id"], imports[0]["id"])))
        return
    assert ("还没有导入记录" if n == 0 else "只有一次导入记录") in infos
    modes = at.radio(key="pg_chg_from_mode")
    assert list(modes.options) == (["日期"] if n == 0 else ["导入记录", "日期"])
    assert modes.value == "day" and at.radio(key="pg_chg_to_mode").value == "day"
    since = clock.today() - dt.timedelta(days=30)
    assert at.date_input(key="pg_chg_from_day").value == since
    assert at.date_input(key="pg_chg_to_day").value == clock.today()
    check_changes(at, dict(api.changes(since.isoformat(), TODAY)))
