"""组织生活 (docs/rules.md "Organisational life and dues") through AppTest, against the real API
over HTTP on each engine: the branch × month grid is the API's answer in words (✓已开展 …), for
the scope and meeting type picked; the gap lists carry the API's counts; a date before any
record says "未导入" (never 0 nor 无问题); a meeting recorded through the API shows in the grid,
changes with the type picked and shows in a member's record; a writer records a meeting and a
payment through the page's forms, a viewer gets no forms.

Reading tests use the package's graph (the tiny demo, whatever ledgers it carries); the tests
that write use a graph of this module's own, the demo without its 组织生活/党费 ledgers, so that
what they record is all there is."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from orgraph import clock
from orgraph.client import OrgraphClient
from orgraph.demo import generate
from orgraph.importer.pipeline import import_files
from orgraph.vocab import LIFE_CELL_ZH
from orgraph_dashboard.strings import gap_label, num, zh_date
from tests.dashboard.apptest import frame, login, open_page, timed_page
from tests.dashboard.conftest import (
    ADMIN,
    COUNTY,
    TOWN,
    TOWNSHIP,
    VIEWER,
    VILLAGE,
    LiveDashboard,
)
from tests.engines import GraphHost, short_tmpdir
from tests.live_api import api_settings, live_api, make_user

TODAY = clock.today()
PAGE = "life"
PAGE_LIMIT = 2.0  # seconds (issue #7), as in test_pages.py
MARK = {"met": "✓", "missed": "✗", "no_quorum": "⚠", "none": "—"}
LIFE_LEDGERS = ("组织生活记录", "党费")  # the demo's roster files of meetings and dues
SECTIONS = {
    "会议": (
        "branch_no_general_meeting",
        "branch_no_committee_meeting",
        "branch_no_theme_day",
        "branch_few_lectures",
        "branch_no_life_meeting",
        "branch_no_appraisal",
        "group_no_meeting",
        "meeting_no_quorum",
    ),
    "党员": ("member_no_life", "member_life_lapse"),
    "党费": ("dues_arrears", "dues_lapse"),
    "处置建议": ("propose_suspension", "propose_removal"),
}
NEW_TYPES = [t for types in SECTIONS.values() for t in types]
SECTION = "pg_life_section"


# -- a graph of this module's own: the demo without its life and dues ledgers ----------------


@pytest.fixture(scope="module")
def own(graph_host: GraphHost) -> Iterator[LiveDashboard]:
    data_dir = short_tmpdir("og-dash-life-")
    settings = api_settings(data_dir)
    try:
        with graph_host.fresh() as store:
            demo = data_dir / "demo"
            generate(demo, scale="tiny", seed=3)
            files = sorted(
                p
                for p in demo.iterdir()
                if p.suffix in (".xlsx", ".csv") and not p.stem.startswith(LIFE_LEDGERS)
            )
            import_files(store, files, key=settings.id_hash_key.get_secret_value().encode())
            make_user(data_dir, *ADMIN, "county_admin", COUNTY, display_name="王主任")
            make_user(data_dir, *TOWN, "township_admin", TOWNSHIP, display_name="李委员")
            make_user(data_dir, *VIEWER, "viewer", COUNTY)
            with live_api(store, data_dir) as url:
                old = os.environ.get("ORGRAPH_API_URL")
                os.environ["ORGRAPH_API_URL"] = url
                try:
                    yield LiveDashboard(url=url, demo=demo)
                finally:
                    if old is None:
                        os.environ.pop("ORGRAPH_API_URL", None)
                    else:
                        os.environ["ORGRAPH_API_URL"] = old
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


# -- reading the page -------------------------------------------------------------------------


class _Table(HTMLParser):
    """The text of every cell of the page's grid table, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def shown_grid(at: AppTest) -> list[list[str]]:
    """The grid as the page shows it: the header row, then one row per organisation."""
    tables = [m.value for m in at.markdown if 'class="og-life"' in m.value]
    assert len(tables) == 1, f"{len(tables)} grid tables on the page"
    parser = _Table()
    parser.feed(tables[0])
    return parser.rows


def zh_month(label: str) -> str:
    year, month = label.split("-")
    return f"{year}年{int(month)}月"


def _place(v: Any) -> str:
    return str(v.get("name") or "") if isinstance(v, dict) else ""


def expected_grid(doc: dict[str, Any], *, groups: bool = False) -> list[list[str]]:
    """The API's grid as the page must show it: every cell a mark and its words."""
    head = ["党组织", "村(社区)", "乡镇", *(zh_month(m) for m in doc["months"])]
    rows = [
        [
            r["org"]["name"],
            _place(r.get("village")),
            _place(r.get("township")),
            *(MARK[c["state"]] + LIFE_CELL_ZH[c["state"]] for c in r["cells"]),
        ]
        for r in doc["rows"]
        if (r["org"]["kind"] in ("group", "temp_group")) == groups
    ]
    return [head, *rows[:100]]


def texts(at: AppTest) -> str:
    """Every piece of text on the page, one string (markdown, captions, messages, tabs)."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for kind in (at.info, at.success, at.warning, at.error) for e in kind]
    parts += [o for r in at.radio if r.key == SECTION for o in r.options]
    return "\n".join(parts)


def sections(at: AppTest) -> list[str]:
    """The section picker's choices as shown: 会议（12）, 党费（未导入）…"""
    return list(at.radio(key=SECTION).options)


def open_section(at: AppTest, name: str) -> str:
    """Show one section of the lists; the page's text then."""
    at.radio(key=SECTION).set_value(name).run()
    _no_errors(at)
    return texts(at)


def no_data_of(summary: Any) -> set[str]:
    """The summary's `no_data` (the client's GapSummary does not name it)."""
    return set(summary.get("no_data") or [])


def set_date(at: AppTest, day: dt.date) -> None:
    at.date_input(key="og_as_of").set_value(day).run()
    assert not at.exception, at.exception


def _no_errors(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


# -- the package's graph: reading ------------------------------------------------------------


def test_the_grid_is_the_apis_answer_in_words(live: LiveDashboard) -> None:
    api = live.client(ADMIN)
    at = login(ADMIN)
    assert timed_page(at, PAGE, PAGE_LIMIT) < PAGE_LIMIT
    assert at.title[0].value == "组织生活"
    _no_errors(at)
    iso = TODAY.isoformat()
    doc = api.life_grid(as_of=iso)
    assert doc["type"] == "theme_day"
    assert at.selectbox(key="pg_life_type").value == "theme_day"  # 主题党日 by default
    assert shown_grid(at) == expected_grid(doc)
    page = texts(at)
    for words in ("✓已开展", "✗未开展", "⚠未达法定人数", "—不检查", "主题党日"):
        assert words in page, words  # the legend at least: never colour alone

    # the meeting type: the grid is the API's grid for that type
    at.selectbox(key="pg_life_type").select("general_meeting").run()
    _no_errors(at)
    assert shown_grid(at) == expected_grid(api.life_grid(as_of=iso, type="general_meeting"))
    assert "党员大会" in texts(at)
    # the groups: their own meetings, whatever the type picked
    at.radio(key="pg_life_kind").set_value("党小组").run()
    _no_errors(at)
    assert shown_grid(at) == expected_grid(api.life_grid(as_of=iso), groups=True)
    at.radio(key="pg_life_kind").set_value("党支部").run()

    # the scope picker narrows to a township: that township's grid
    at.selectbox(key="pg_life_scope").select(TOWNSHIP).run()
    _no_errors(at)
    town = api.life_grid(scope=TOWNSHIP, as_of=iso, type="general_meeting")
    assert shown_grid(at) == expected_grid(town)
    assert {_place(r.get("township")) for r in town["rows"]} <= {"长街镇", ""}


def test_the_lists_carry_the_apis_counts(live: LiveDashboard) -> None:
    api = live.client(ADMIN)
    summary = api.gaps_summary(as_of=TODAY.isoformat())
    no_data = no_data_of(summary)
    labels = summary.get("labels") or {}
    at = login(ADMIN)
    open_page(at, PAGE)
    _no_errors(at)
    shown = sections(at)
    for name, types in SECTIONS.items():
        if all(t in no_data for t in types):
            assert f"{name}（未导入）" in shown
        else:
            n = sum(summary["counts"][t] for t in types if t not in no_data)
            assert f"{name}（{num(n)}）" in shown
    for name, types in SECTIONS.items():
        page = open_section(at, name)
        for gap in types:
            label = gap_label(gap, labels)
            if gap in no_data:
                assert f"**{label}**：:gray[未导入" in page, gap
            else:
                assert f"**{label}**：{num(summary['counts'][gap])} 条" in page, gap
        # the ladder is a proposal for the branch to decide, never a decision
        assert ("建议由党支部研究决定" in page) == (name == "处置建议")
        for done in ("已停止党籍", "已除名", "已被除名"):
            assert done not in page
    # the first member list (党员3个月以上未参加组织生活): keys, dates in Chinese
    if "member_no_life" not in no_data and summary["counts"]["member_no_life"]:
        open_section(at, "党员")
        items = api.gaps("member_no_life", as_of=TODAY.isoformat(), page_size=200)["items"]
        table = frame(at, "姓名", "人员编号", "最近参加组织生活", "未参加月数")
        assert list(table["人员编号"]) == [i["id"] for i in items]
        assert list(table["最近参加组织生活"]) == [
            zh_date(i["last_life"]) if i["last_life"] else "无记录" for i in items
        ]
        assert list(table["未参加月数"]) == [i["months"] for i in items]
        # picking a row opens that member's record below
        at.session_state["life_tbl_member_no_life"] = {
            "selection": {"rows": [len(items) - 1], "columns": []}
        }
        at.run()
        _no_errors(at)
        assert at.text_input(key="pg_life_member_q").value == items[-1]["id"]
        if not items[-1]["id"].startswith("h:"):  # a member without 人员编号 opens directly
            assert at.selectbox(key="pg_life_member").value == items[-1]["id"]
        assert {m.label for m in at.metric} >= {"最近参加组织生活", "未参加月数", "欠缴月数"}


def test_a_viewer_reads_and_records_nothing(live: LiveDashboard) -> None:
    at = login(VIEWER)
    open_page(at, PAGE)
    _no_errors(at)
    assert shown_grid(at)[0][:3] == ["党组织", "村(社区)", "乡镇"]
    assert "life_f_meeting_submit" not in [b.key for b in at.button]
    assert "life_f_dues_submit" not in [b.key for b in at.button]
    role = live.client(VIEWER).me()["role_zh"]
    assert any(f"您的角色（{role}）只能查看和下载" in c.value for c in at.caption)


@pytest.mark.parametrize("who", [TOWN, VILLAGE], ids=["township_admin", "village_secretary"])
def test_smaller_scopes(live: LiveDashboard, who: tuple[str, str]) -> None:
    api = live.client(who)
    at = login(who)
    open_page(at, PAGE)
    _no_errors(at)
    assert not at.warning, [w.value for w in at.warning]
    assert at.caption[0].value.startswith(api.me()["scope"]["name"])
    assert shown_grid(at) == expected_grid(api.life_grid(as_of=TODAY.isoformat()))


# -- a graph of this module's own: no records, then records ----------------------------------


def test_no_records_is_never_shown_as_compliance(own: LiveDashboard) -> None:
    """Before the first meeting and payment (a date long before anything the tests record),
    every new rule says 未导入, the grid checks nothing, and nothing reads "0" or "无问题"."""
    early = TODAY - dt.timedelta(days=200)
    api = own.client(ADMIN)
    summary = api.gaps_summary(as_of=early.isoformat())
    no_data = no_data_of(summary)
    # every one of them needs a ledger (docs/rules.md), propose_removal too
    assert set(NEW_TYPES) <= no_data, "records before the date"
    at = login(ADMIN)
    open_page(at, PAGE)
    set_date(at, early)
    _no_errors(at)
    assert "未导入组织生活记录" in texts(at)
    shown = sections(at)
    for name in ("会议", "党员", "党费"):
        assert f"{name}（未导入）" in shown
    labels = summary.get("labels") or {}
    for name, types in SECTIONS.items():
        page = open_section(at, name)
        for gap in types:
            label = gap_label(gap, labels)
            if gap in no_data:
                assert f"**{label}**：:gray[{'未导入党费记录' if name == '党费' else '未导入'}" in (
                    page
                ), gap
                assert f"**{label}**：0 条" not in page, gap
        clean = [g for g in types if g not in no_data and not summary["counts"][g]]
        assert len([s for s in at.success if "没有此类问题" in s.value]) == len(clean)
    grid = shown_grid(at)
    assert len(grid) > 1 and all(c == "—不检查" for row in grid[1:] for c in row[3:])


def _month_day(months_back: int, day: int = 10) -> dt.date:
    """The given day of the month `months_back` months before this one."""
    first = TODAY.replace(day=1)
    for _ in range(months_back):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first.replace(day=day)


def _branch(api: OrgraphClient) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A village branch of the township with a few full members on roll."""
    for r in api.life_grid(as_of=TODAY.isoformat())["rows"]:
        if r["org"]["kind"] != "branch" or not r.get("village"):
            continue
        members = api.members(branch=r["org"]["id"], on_roll=True, page_size=50)["items"]
        full = [m for m in members if m.get("category") == "full" and not m.get("away")]
        if len(full) >= 3:
            return r["org"], full
    raise AssertionError("no village branch with three full members at home")


def test_a_recorded_meeting_shows_in_the_grid_and_the_members_record(own: LiveDashboard) -> None:
    api = own.client(TOWN)  # a township admin may write
    org, members = _branch(api)
    absent, present = members[0], members[1]
    theme_on, general_on = _month_day(1), _month_day(2)
    api.add_meeting(
        org["id"],
        {
            "type": "主题党日",
            "on": theme_on.isoformat(),
            "topic": "学习党章",
            "absentees": [absent["id"]],
        },
    )
    api.add_meeting(
        org["id"], {"type": "general_meeting", "on": general_on.isoformat(), "topic": "通报工作"}
    )
    iso = TODAY.isoformat()
    last, before = zh_month(theme_on.isoformat()[:7]), zh_month(general_on.isoformat()[:7])

    at = login(TOWN)
    open_page(at, PAGE)
    _no_errors(at)
    theme = api.life_grid(as_of=iso)
    assert not theme["no_data"]
    grid = shown_grid(at)
    assert grid == expected_grid(theme)
    row = dict(zip(grid[0], next(r for r in grid if r[0] == org["name"]), strict=True))
    assert row[last] == "✓已开展" and row[before] == "✗未开展"
    # another type, another grid: the general meeting's month is met, the theme day's not
    at.selectbox(key="pg_life_type").select("general_meeting").run()
    _no_errors(at)
    grid = shown_grid(at)
    assert grid == expected_grid(api.life_grid(as_of=iso, type="general_meeting"))
    row = dict(zip(grid[0], next(r for r in grid if r[0] == org["name"]), strict=True))
    assert row[before] == "✓已开展" and row[last] == "✗未开展"
    # life records exist now: no rule of theirs says 未导入 (dues, until one is recorded, do)
    no_data = no_data_of(api.gaps_summary(as_of=iso))
    assert not no_data & {*SECTIONS["会议"], *SECTIONS["党员"], *SECTIONS["处置建议"]}
    for name in ("会议", "党员", "处置建议"):
        assert "未导入组织生活记录" not in open_section(at, name)
    assert ("未导入党费记录" in open_section(at, "党费")) == ("dues_arrears" in no_data)

    # the absent member's record: the theme day missed, the general meeting attended
    at.text_input(key="pg_life_member_q").input(absent["id"]).run()
    _no_errors(at)
    assert at.selectbox(key="pg_life_member").value == absent["id"]
    history = frame(at, "日期", "党组织", "类型", "主题", "参加情况")
    assert list(history["日期"]) == [zh_date(theme_on), zh_date(general_on)]
    assert list(history["类型"]) == ["主题党日", "党员大会"]
    assert list(history["主题"]) == ["学习党章", "通报工作"]
    assert list(history["参加情况"]) == ["缺席", "参加"]
    assert set(history["党组织"]) == {org["name"]}
    shown = {m.label: m.value for m in at.metric}
    assert shown["最近参加组织生活"] == zh_date(general_on)
    life = api.member_life(absent["id"], as_of=iso)
    assert shown["未参加月数"] == f"{life['life_months']} 个月"
    owed = life["months_owed"]  # None (未导入) until a payment is recorded anywhere
    assert shown["欠缴月数"] == ("未导入" if owed is None else f"{owed} 个月")
    # and one who came to both
    at.text_input(key="pg_life_member_q").input(present["id"]).run()
    history = frame(at, "日期", "参加情况")
    assert list(history["参加情况"]) == ["参加", "参加"]
    assert {m.label: m.value for m in at.metric}["最近参加组织生活"] == zh_date(theme_on)


def test_a_writer_records_through_the_forms(own: LiveDashboard) -> None:
    api = own.client(TOWN)
    org, members = _branch(api)
    at = login(TOWN)
    open_page(at, PAGE)
    _no_errors(at)

    # a meeting naming someone unknown: refused, the key named, nothing written
    before = api.meetings(org=org["id"], page_size=100)["total"]
    at.selectbox(key="life_f_org").select(org["id"])
    at.selectbox(key="life_f_type").select("life_meeting")
    at.date_input(key="life_f_on").set_value(_month_day(1, day=20))
    at.text_input(key="life_f_topic").input("年度组织生活会")
    at.text_area(key="life_f_absent").input(f"{members[2]['id']}、NOBODY-0001")
    at.button(key="life_f_meeting_submit").click().run()
    assert not at.exception, at.exception
    assert any("NOBODY-0001" in e.value for e in at.error), [e.value for e in at.error]
    assert "NOBODY-0001" in list(frame(at, "人员编号", "原因")["人员编号"])
    assert api.meetings(org=org["id"], page_size=100)["total"] == before

    # corrected: written, reported, the form emptied
    at.text_area(key="life_f_absent").input(members[2]["id"])
    at.button(key="life_f_meeting_submit").click().run()
    _no_errors(at)
    assert any("已登记" in s.value and "组织生活会" in s.value for s in at.success)
    listed = api.meetings(org=org["id"], type="life_meeting", page_size=100)["items"]
    assert [(m["on"], m["topic"]) for m in listed] == [
        (_month_day(1, day=20).isoformat(), "年度组织生活会")
    ]
    assert at.text_input(key="life_f_topic").value == ""

    # a dues payment
    member = members[2]["id"]
    paid_to = _month_day(1).isoformat()[:7]
    at.text_input(key="life_f_member").input(member)
    at.text_input(key="life_f_to").input(paid_to)
    at.date_input(key="life_f_paid_on").set_value(_month_day(1, day=15))
    at.button(key="life_f_dues_submit").click().run()
    _no_errors(at)
    assert any(f"党费缴至 {zh_month(paid_to)}" in s.value for s in at.success)
    paid = api.dues(member=member, page_size=10)["items"]
    assert [d["paid_to"] for d in paid] == [paid_to]
    # the member's record shows it, with the meeting just recorded
    at.text_input(key="pg_life_member_q").input(member).run()
    _no_errors(at)
    shown = {m.label: m.value for m in at.metric}
    assert shown["党费缴至"] == zh_month(paid_to)
    assert shown["欠缴月数"] == "0 个月"
    assert list(frame(at, "缴至月份", "缴纳日期")["缴至月份"]) == [zh_month(paid_to)]
    history = frame(at, "日期", "类型", "参加情况")
    assert ("组织生活会", "缺席") in set(zip(history["类型"], history["参加情况"], strict=True))
