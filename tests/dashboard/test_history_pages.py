"""The gap ledger and the import history on the dashboard, through AppTest against the real
API over a graph of its own on each engine: the tiny demo county imported twice with a record
(the second import ends a few households' only contact, adds a party group and moves a member
into it), so that 变化 has something to show, 缺口清单 has items of two ages, and 总览
compares with the previous import.

The graph is this module's own (not the package's `live`, whose demo is imported without a
record and so has no import history; test_pages.py checks 变化 there). Only `hist` is used
here: each _serve points ORGRAPH_API_URL at its API and puts back the one before when it
ends, which holds when the two graphs' lives nest (the package's made inside this module
would lose its URL when this module's ends)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from orgraph import clock
from orgraph.analysis.engine import Engine
from orgraph.client import OrgraphClient
from orgraph.demo import generate
from orgraph.importer.history import Origin
from orgraph.importer.pipeline import import_files
from orgraph.store import GraphStore
from orgraph_dashboard.strings import (
    age_text,
    change_value,
    gap_label,
    import_label,
    num,
    zh_date,
)
from tests.dashboard.apptest import frame, login, open_page, timed_page
from tests.dashboard.conftest import ADMIN, TOWN, TOWNSHIP, LiveDashboard, _serve
from tests.dashboard.history_checks import check_changes
from tests.engines import GraphHost, short_tmpdir

TODAY = clock.today()
FIRST_ON = TODAY - dt.timedelta(days=40)  # the roster day of the first recorded import
SECOND_ON = TODAY - dt.timedelta(days=12)  # …and of the second
ENDED = 3  # households whose only contact the second import ends
NEW_GROUP = ("D330226101201-G99", "宁海县长街镇北坪村党支部第九党小组")
BRANCH = "D330226101201"
MOVED = "330226D0000001"  # a member of BRANCH, moved into NEW_GROUP by the second import


def _edits(demo: Path, out: Path, uncovered: set[str]) -> list[str]:
    """The second import's files (the first's with a few changes) in `out`; the households
    whose only contact it ends (among those not `uncovered` at the first import's day)."""
    out.mkdir(parents=True, exist_ok=True)
    # 联系关系: end the only open contact of ENDED households, the day before SECOND_ON
    text = (demo / "联系关系.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    head, body = rows[0], rows[1:]
    kind, target, until = (
        head.index("联系对象类型"),
        head.index("联系对象编号"),
        head.index("结束日期"),
    )
    per_household: dict[str, list[list[str]]] = {}
    for r in body:
        if r[kind] == "户":
            per_household.setdefault(r[target], []).append(r)
    ended = sorted(  # covered at the first import's day, by this one contact only
        h
        for h, rs in per_household.items()
        if len(rs) == 1 and not rs[0][until] and h not in uncovered
    )
    ended = ended[:ENDED]
    for h in ended:
        per_household[h][0][until] = (SECOND_ON - dt.timedelta(days=1)).isoformat()
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([head, *body])
    (out / "联系关系.csv").write_text(buf.getvalue(), encoding="utf-8-sig")
    # 党组织: one more party group under BRANCH
    wb = openpyxl.load_workbook(demo / "党组织.xlsx")
    ws = wb.active
    assert ws is not None
    cols = [c.value for c in ws[1]]
    sample = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[3] == BRANCH)
    row = dict(zip(cols, sample, strict=True))
    row.update({"组织编号": NEW_GROUP[0], "组织名称": NEW_GROUP[1], "届满日期": None})
    ws.append([row[c] for c in cols])
    wb.save(out / "党组织.xlsx")
    # 党员花名册: MOVED into the new group
    wb = openpyxl.load_workbook(demo / "党员花名册.xlsx")
    ws = wb.active
    assert ws is not None
    cols = [c.value for c in ws[2]]
    key_col, group_col = cols.index("人员编号") + 1, cols.index("所在党小组") + 1
    for line in range(3, ws.max_row + 1):
        if ws.cell(line, key_col).value == MOVED:
            ws.cell(line, group_col).value = NEW_GROUP[1]
            break
    else:
        raise AssertionError(f"{MOVED} is not in the demo's roster")
    wb.save(out / "党员花名册.xlsx")
    return ended


ENDED_HOUSEHOLDS: list[str] = []
UNCOVERED_MAX = 500  # the tiny demo's uncovered households fit one page


def load_twice(store: GraphStore, out: Path, key: bytes) -> None:
    """The demo imported with a record on FIRST_ON, then the edits on SECOND_ON."""
    generate(out, scale="tiny", seed=3)
    files = sorted(p for p in out.iterdir() if p.suffix in (".xlsx", ".csv"))
    import_files(store, files, key=key, origin=Origin(by=ADMIN[0], source="demo"), on=FIRST_ON)
    first = Engine(store, snapshots=False).gaps(
        "household_uncovered", as_of=FIRST_ON, page_size=UNCOVERED_MAX
    )
    assert first["total"] <= UNCOVERED_MAX
    edits = out.parent / "edits"
    ENDED_HOUSEHOLDS[:] = _edits(out, edits, {i["id"] for i in first["items"]})
    import_files(
        store,
        sorted(edits.iterdir()),
        key=key,
        origin=Origin(by=ADMIN[0], source="api"),
        on=SECOND_ON,
    )


@pytest.fixture(scope="module")
def hist(graph_host: GraphHost) -> Iterator[LiveDashboard]:
    data_dir = short_tmpdir("og-dash-hist-")
    try:
        yield from _serve(graph_host, data_dir, load_twice)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def hapi(hist: LiveDashboard) -> OrgraphClient:
    return hist.client(ADMIN)


@pytest.fixture(scope="module")
def tapi(hist: LiveDashboard) -> OrgraphClient:
    """The township administrator of TOWNSHIP (长街镇, which holds BRANCH)."""
    return hist.client(TOWN)


@pytest.fixture
def on_hist(hist: LiveDashboard, monkeypatch: pytest.MonkeyPatch) -> LiveDashboard:
    """The dashboard talks to this module's API, whatever ORGRAPH_API_URL another graph's
    _serve left (the test's own setting, undone after it)."""
    monkeypatch.setenv("ORGRAPH_API_URL", hist.url)
    return hist


TODAY_ISO = TODAY.isoformat()
PAGE_LIMIT = 2.0  # seconds per page (issue #7), as in test_pages.py


def last_two(api: OrgraphClient) -> tuple[dict[str, Any], dict[str, Any]]:
    items = api.imports()["items"]
    assert len(items) == 2, items
    return items[1], items[0]


# -- 变化 ---------------------------------------------------------------------------------------


def test_changes_between_the_last_two_imports(on_hist: LiveDashboard, hapi: OrgraphClient) -> None:
    """By default the page compares the previous import with the last one, and shows what the
    second import did: the households it left without a contact, the group it created and
    the member it moved into it, the contacts it ended."""
    prev, last = last_two(hapi)
    at = login(ADMIN)
    seconds = timed_page(at, "changes", PAGE_LIMIT)
    assert seconds < PAGE_LIMIT
    assert not at.error, [e.value for e in at.error]
    assert at.radio(key="pg_chg_from_mode").value == "import"
    assert at.radio(key="pg_chg_to_mode").value == "import"
    picked_from, picked_to = at.selectbox(key="pg_chg_from_imp"), at.selectbox(key="pg_chg_to_imp")
    assert (picked_from.value, picked_to.value) == (prev["id"], last["id"])
    assert list(picked_from.options) == [import_label(last), import_label(prev)]
    doc = dict(hapi.changes(prev["id"], last["id"]))
    assert doc["by"] == "import"
    # what the second import did, known from the files it was given
    assert doc["households"]["newly_uncovered"] == ENDED_HOUSEHOLDS
    assert doc["orgs"]["created"] == [{"id": NEW_GROUP[0], "name": NEW_GROUP[1]}]
    assert [(m["key"], m["field"]) for m in doc["members"]["moved"]] == [(MOVED, "grps")]
    assert doc["fields"]["by_field"] == {
        "contacts.until": ENDED,
        "members.grps": 1,
        "orgs.created": 1,
    }
    opened = {g["type"]: g["opened"] for g in doc["gaps"]}
    assert opened["household_uncovered"] == ENDED
    check_changes(at, doc)
    captions = " ".join(c.value for c in at.caption)
    assert f"导入“{import_label(prev)}”之后" in captions
    assert "按导入先后比较" in captions
    # in Chinese: the field names, the moved member's group
    by_field = frame(at, "类别 · 字段", "条数")
    assert set(by_field["类别 · 字段"]) == {
        "联系关系 · 结束日期",
        "党员花名册 · 所在党小组",
        "党组织 · 新建",
    }
    moved = frame(at, "人员编号", "调整项", "原", "现")
    assert list(moved["调整项"]) == ["所在党小组"] and list(moved["现"]) == [NEW_GROUP[0]]
    ended = (SECOND_ON - dt.timedelta(days=1)).isoformat()
    fields = frame(at, "导入", "类别 · 字段", "编号", "原值", "新值")
    until = fields[fields["类别 · 字段"] == "联系关系 · 结束日期"]
    assert list(until["原值"]) == ["（空）"] * ENDED and list(until["新值"]) == [ended] * ENDED
    assert all(h in " ".join(until["编号"]) for h in ENDED_HOUSEHOLDS)
    assert set(fields["导入"]) == {import_label(last)}


def test_one_entitys_field_history(on_hist: LiveDashboard, hapi: OrgraphClient) -> None:
    """The member the second import moved: its field history is the API's, in Chinese."""
    _, last = last_two(hapi)
    at = login(ADMIN)
    open_page(at, "changes")
    at.text_input(key="pg_chg_key").input(MOVED).run()
    assert not at.exception and not at.error
    doc = hapi.field_history(MOVED)
    assert [(f["kind"], f["field"], f["import"]) for f in doc["items"]] == [
        ("members", "grps", last["id"])
    ]
    table = frame(at, "导入", "花名册日期", "类别 · 字段", "原值", "新值")
    assert table.to_dict("records") == [
        {
            "导入": import_label(last),
            "花名册日期": SECOND_ON.isoformat(),
            "类别 · 字段": "党员花名册 · 所在党小组",
            "原值": change_value("grps", doc["items"][0]["old"]),
            "新值": NEW_GROUP[0],
        }
    ]
    at.text_input(key="pg_chg_key").input("330226D9999999").run()
    assert any("没有改动过“330226D9999999”" in i.value for i in at.info)


def test_changes_by_day(on_hist: LiveDashboard, hapi: OrgraphClient) -> None:
    """Either end may be a day: the last 30 days hold the second import (its roster day), not
    the first; the page shows the API's answer for the days picked."""
    at = login(ADMIN)
    open_page(at, "changes")
    at.radio(key="pg_chg_from_mode").set_value("day").run()
    since = TODAY - dt.timedelta(days=30)
    at.date_input(key="pg_chg_from_day").set_value(since).run()
    at.radio(key="pg_chg_to_mode").set_value("day").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.date_input(key="pg_chg_to_day").value == TODAY
    doc = dict(hapi.changes(since.isoformat(), TODAY_ISO))
    assert doc["by"] == "day"
    assert doc["orgs"]["created"] == [{"id": NEW_GROUP[0], "name": NEW_GROUP[1]}]
    check_changes(at, doc)
    assert "按日期比较" in " ".join(c.value for c in at.caption)


def test_changes_reversed_range_says_why(on_hist: LiveDashboard, hapi: OrgraphClient) -> None:
    prev, last = last_two(hapi)
    at = login(ADMIN)
    open_page(at, "changes")
    at.selectbox(key="pg_chg_from_imp").set_value(last["id"]).run()
    at.selectbox(key="pg_chg_to_imp").set_value(prev["id"]).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["起点晚于终点：请把较早的导入或日期放在前面"]
    assert not at.metric


def test_a_township_sees_its_own_changes(
    on_hist: LiveDashboard, hapi: OrgraphClient, tapi: OrgraphClient
) -> None:
    """A township administrator (no import list) gets 上一次导入 → 最近一次导入 by default, and
    the page shows the township's own answer (docs/rules.md "In a scope"): the households the
    second import uncovered that lie in the township, the group created under BRANCH and the
    member moved into it; one entity's field history stays the county administrators'."""
    prev, last = last_two(hapi)
    at = login(TOWN)
    open_page(at, "changes")
    assert not at.exception and not at.error and not at.warning, [e.value for e in at.error]
    assert not any("查看变化需要" in i.value for i in at.info)
    assert at.radio(key="pg_chg_from_mode").value == "import"
    assert at.radio(key="pg_chg_to_mode").value == "import"
    picked_from, picked_to = at.selectbox(key="pg_chg_from_imp"), at.selectbox(key="pg_chg_to_imp")
    assert (picked_from.value, picked_to.value) == ("previous", "last")
    assert list(picked_from.options) == ["最近一次导入", "上一次导入"]
    doc = dict(tapi.changes("previous", "last"))
    assert doc["scope"] == TOWNSHIP and doc["by"] == "import"
    assert (doc["from"]["id"], doc["to"]["id"]) == (prev["id"], last["id"])
    # the same as the county administrator's answer narrowed to the township
    county_view = dict(hapi.changes(prev["id"], last["id"], scope=TOWNSHIP))
    assert {k: v for k, v in doc.items() if k not in ("from", "to")} == {
        k: v for k, v in county_view.items() if k not in ("from", "to")
    }
    # the households: those the second import uncovered that the township's gap list holds
    uncovered = hapi.gaps(
        "household_uncovered", scope=TOWNSHIP, as_of=TODAY_ISO, page_size=UNCOVERED_MAX
    )
    in_township = [h for h in ENDED_HOUSEHOLDS if h in {i["id"] for i in uncovered["items"]}]
    assert in_township and doc["households"]["newly_uncovered"] == in_township
    everywhere = hapi.changes(prev["id"], last["id"])["households"]["newly_uncovered"]
    assert set(in_township) <= set(everywhere)
    assert doc["orgs"]["created"] == [{"id": NEW_GROUP[0], "name": NEW_GROUP[1]}]
    assert [(m["key"], m["field"]) for m in doc["members"]["moved"]] == [(MOVED, "grps")]
    check_changes(at, doc)
    captions = " ".join(c.value for c in at.caption)
    assert f"导入“{import_label(doc['from'])}”之后" in captions
    assert f"范围：{tapi.me()['scope']['name']}（{TOWNSHIP}）" in captions
    fields = frame(at, "导入", "类别 · 字段", "编号", "原值", "新值")
    assert set(fields["导入"]) == {import_label(doc["to"])}  # not the bare import id
    # no field history of one entity for a township (GET /history/fields is 403 for it)
    assert "pg_chg_key" not in [t.key for t in at.text_input]
    assert any("改动历史需要县级管理员权限" in c.value for c in at.caption)
    # the days still work: the last 30 days, in the township
    at.radio(key="pg_chg_from_mode").set_value("day").run()
    since = TODAY - dt.timedelta(days=30)
    at.date_input(key="pg_chg_from_day").set_value(since).run()
    at.radio(key="pg_chg_to_mode").set_value("day").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    by_day = dict(tapi.changes(since.isoformat(), TODAY_ISO))
    assert by_day["scope"] == TOWNSHIP and by_day["by"] == "day"
    check_changes(at, by_day)
    assert "按日期比较" in " ".join(c.value for c in at.caption)


# -- 缺口清单: ages and the age filter ------------------------------------------------------------


def test_gap_ages_and_the_age_filter(on_hist: LiveDashboard, hapi: OrgraphClient) -> None:
    """Each item's 首次发现 and 已持续天数 are the API's (≥ for the items there when the ledger
    began, at the first import); the households the second import uncovered are 12 days old;
    "只看持续 N 天以上" passes N to the API."""
    at = login(ADMIN)
    open_page(at, "gaps")
    at.radio(key="pg_gaps_type").set_value("household_uncovered").run()
    page = hapi.gaps("household_uncovered", as_of=TODAY_ISO, page_size=500)
    table = frame(at, "编号", "首次发现", "已持续天数")
    assert list(table.columns[:4]) == ["编号", "户主", "首次发现", "已持续天数"]
    assert list(table["编号"]) == [i["id"] for i in page["items"]]
    assert list(table["首次发现"]) == [i["first_seen"] or "" for i in page["items"]]
    assert list(table["已持续天数"]) == [age_text(i) for i in page["items"]]
    ages = dict(zip(table["编号"], table["已持续天数"], strict=True))
    firsts = dict(zip(table["编号"], table["首次发现"], strict=True))
    young = (TODAY - SECOND_ON).days
    for h in ENDED_HOUSEHOLDS:
        assert (firsts[h], ages[h]) == (SECOND_ON.isoformat(), str(young))
    old = (TODAY - FIRST_ON).days
    assert f"≥ {old}" in ages.values()  # uncovered when the ledger began
    # the filter: off by default, its number the policy's threshold
    threshold = hapi.policy().get("gap_old_days", 90)
    assert at.number_input(key="pg_gaps_old_days").value == threshold
    assert at.checkbox(key="pg_gaps_old").label == f"只看持续 {threshold} 天以上"
    at.number_input(key="pg_gaps_old_days").set_value(young + 1).run()
    at.checkbox(key="pg_gaps_old").check().run()
    assert not at.exception and not at.error
    assert at.checkbox(key="pg_gaps_old").label == f"只看持续 {young + 1} 天以上"
    aged = hapi.gaps("household_uncovered", as_of=TODAY_ISO, page_size=500, min_age_days=young + 1)
    assert aged["total"] == page["total"] - ENDED  # nothing else opened since the first import
    label = at.radio(key="pg_gaps_type").value
    assert label == "household_uncovered"
    assert at.subheader[0].value.endswith(
        f"：持续 {young + 1} 天以上 {num(aged['total'])} 条（共 {num(page['total'])} 条）"
    )
    table = frame(at, "编号", "已持续天数")
    assert list(table["编号"]) == [i["id"] for i in aged["items"]]
    assert not set(ENDED_HOUSEHOLDS) & set(table["编号"])
    # past every item's age: nothing listed, and said so
    at.number_input(key="pg_gaps_old_days").set_value(old + 1).run()
    assert any(f"没有持续 {old + 1} 天以上" in i.value for i in at.info)


# -- 总览: compared with the previous import ----------------------------------------------------


def test_overview_compares_with_the_previous_import(
    on_hist: LiveDashboard, hapi: OrgraphClient
) -> None:
    prev, last = last_two(hapi)
    at = login(ADMIN)
    open_page(at, "overview")
    assert not at.error
    doc = hapi.changes("previous", "last")  # what the page asks: no import list needed
    assert (doc["from"]["id"], doc["to"]["id"]) == (prev["id"], last["id"])
    assert doc == hapi.changes(prev["id"], last["id"])
    captions = " ".join(c.value for c in at.caption)
    # the points carry no `by`: the label ends at 导入 (the import list's adds who)
    shown = f"比较的是导入“{import_label(doc['from'])}”和导入“{import_label(doc['to'])}”"
    assert shown in captions
    assert import_label(prev).startswith(f"{import_label(doc['from'])} · ")
    opened = sum(g["opened"] for g in doc["gaps"])
    closed = sum(g["closed"] for g in doc["gaps"])
    assert f"新出现 {num(opened)} 条、已解决 {num(closed)} 条" in captions
    by_label = {m.label: m for m in at.metric}
    net = opened - closed
    assert by_label["缺口合计"].delta == (f"{net:+,}" if net else None)
    # coverage figures against the previous import's roster day
    head = hapi.coverage(level="township", as_of=TODAY_ISO)["rows"][0]
    then = hapi.coverage(level="county", as_of=prev["on"])["rows"][0]
    assert head["covered"] != then["covered"]  # the second import ended contacts
    assert by_label["已联系农户"].delta == f"{head['covered'] - then['covered']:+,}"
    gaps = frame(at, "缺口类型", "数量", "较上次导入新出现", "较上次导入已解决")
    summary = hapi.gaps_summary(as_of=TODAY_ISO)
    labels = summary.get("labels") or {}
    per_type = {g["type"]: (g["opened"], g["closed"]) for g in doc["gaps"]}
    got = {
        r["缺口类型"]: (r["较上次导入新出现"], r["较上次导入已解决"])
        for r in gaps.to_dict("records")
    }
    assert got == {gap_label(t, labels): per_type.get(t, (0, 0)) for t in summary["counts"]}


def test_overview_of_a_township_compares_with_the_previous_import(
    on_hist: LiveDashboard, tapi: OrgraphClient
) -> None:
    """Every user's arrows compare with the previous import, in their own scope (docs/rules.md
    "Changes between two points": the overview compares `previous` with `last`); on a
    统计日期 before the last import's roster day, with 30 days earlier as before."""
    at = login(TOWN)
    open_page(at, "overview")
    assert not at.error
    doc = tapi.changes("previous", "last")
    assert doc["scope"] == TOWNSHIP
    prev, last = doc["from"], doc["to"]
    captions = " ".join(c.value for c in at.caption)
    assert f"比较的是导入“{import_label(prev)}”和导入“{import_label(last)}”" in captions
    assert "· ”" not in captions  # no trailing separator where `by` is missing
    opened = sum(g["opened"] for g in doc["gaps"])
    closed = sum(g["closed"] for g in doc["gaps"])
    assert f"新出现 {num(opened)} 条、已解决 {num(closed)} 条" in captions
    by_label = {m.label: m for m in at.metric}
    net = opened - closed
    assert by_label["缺口合计"].delta == (f"{net:+,}" if net else None)
    head = tapi.coverage(level="village", as_of=TODAY_ISO)["rows"][0]
    then = tapi.coverage(level="county", as_of=prev["on"])["rows"][0]
    assert head["code"] == then["code"] == TOWNSHIP
    delta = head["covered"] - then["covered"]
    assert by_label["已联系农户"].delta == (f"{delta:+,}" if delta else None)
    summary = tapi.gaps_summary(as_of=TODAY_ISO)
    labels = summary.get("labels") or {}
    per_type = {g["type"]: (g["opened"], g["closed"]) for g in doc["gaps"]}
    gaps = frame(at, "缺口类型", "数量", "较上次导入新出现", "较上次导入已解决")
    got = {
        r["缺口类型"]: (r["较上次导入新出现"], r["较上次导入已解决"])
        for r in gaps.to_dict("records")
    }
    assert got == {gap_label(t, labels): per_type.get(t, (0, 0)) for t in summary["counts"]}
    # a 统计日期 before the last import's roster day: 30 days earlier, as before
    day = SECOND_ON - dt.timedelta(days=1)
    at.date_input(key="og_as_of").set_value(day).run()
    assert not at.exception and not at.error
    earlier = zh_date(day - dt.timedelta(days=30))
    assert f"箭头为与 {earlier}（30 天前）相比的变化。" in [c.value for c in at.caption]
    assert "较上次导入新出现" not in frame(at, "缺口类型", "数量").columns


def test_member_lists_show_ages(on_hist: LiveDashboard, hapi: OrgraphClient) -> None:
    """流动党员's lists of members gone quiet or lost carry the same two age columns, the
    API's (the page builds its own rows)."""
    at = login(ADMIN)
    open_page(at, "mobility")
    assert not at.error
    shown = 0
    for gap in ("mobile_silent", "lost_contact"):
        items = hapi.gaps(gap, as_of=TODAY_ISO, page_size=500)["items"]
        if not items:
            continue
        tables = [
            df.value
            for df in at.dataframe
            if "已持续天数" in df.value.columns and len(df.value) == len(items)
        ]
        assert any(
            list(t["已持续天数"]) == [age_text(i) for i in items]
            and list(t["首次发现"]) == [i["first_seen"] or "" for i in items]
            for t in tables
        ), gap
        shown += 1
    assert shown, "the tiny demo has members away gone quiet or lost"
