"""What an answer at a past day can read (docs/rules.md "What an answer at a past day can
read"), over HTTP on both engines: `past` on /gaps and /gaps/summary. The tiny demo uploaded as
of DAY_A, then again as of DAY_B with one member given a role, one member moved to another
party group of their branch and one household moved to another hamlet (three undated values
the rules read), plus one member's education changed and one household contact ended (values
that do not count). The helpers that edit the rosters serve the CLI's test too
(tests/test_cli_history.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from orgraph import clock
from orgraph.config import Settings
from orgraph.demo.generate import FILES
from orgraph.demo.rosters import CONTACTS_FILE, ENCODINGS, HOUSEHOLDS_FILE, MEMBERS_FILE
from tests.api.conftest import KEY, add_users, load_demo, login, user_store
from tests.engines import GraphHost
from tests.live_api import live_api

DAY_A, DAY_B = "2026-10-01", "2026-11-01"
BETWEEN, BEFORE = "2026-10-15", "2026-09-01"
# the values edited_rosters replaces that the rules read (members.roles, members.grps,
# households.area), and every value it replaces, by field history name
COUNTED = 3
REPLACED = {
    "members.roles": 1,
    "members.grps": 1,
    "members.education": 1,
    "households.area": 1,
    "contacts.until": 1,
}


def _csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode(ENCODINGS[path.name]))))


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(ENCODINGS[path.name]))


def _edit_members(src: Path, out: Path) -> None:
    """One member (listed once) gets the role 党小组长 and another education; another
    (listed once, in a party group) moves to another party group of the same branch."""
    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[0]
    head = [c.value for c in ws[2]]  # a title row, then the header
    no, roles, edu, branch, group = (
        head.index(h) + 1 for h in ("人员编号", "职务", "学历", "所在党支部", "所在党小组")
    )
    twice = {r[no - 1] for s in wb.worksheets[1:] for r in s.iter_rows(min_row=3, values_only=True)}
    rows = [r for r in ws.iter_rows(min_row=3) if r[no - 1].value and r[no - 1].value not in twice]
    given = next(r for r in rows if not r[roles - 1].value)
    given[roles - 1].value = "党小组长"
    given[edu - 1].value = "大专" if given[edu - 1].value != "大专" else "本科"
    groups: dict[str, set[str]] = {}
    for r in rows:
        if r[group - 1].value:
            groups.setdefault(r[branch - 1].value, set()).add(r[group - 1].value)
    moved = next(
        r
        for r in rows
        if r is not given and r[group - 1].value and len(groups[r[branch - 1].value]) > 1
    )
    moved[group - 1].value = min(groups[moved[branch - 1].value] - {moved[group - 1].value})
    wb.save(out)


def edited_rosters(folder: Path, out: Path) -> list[Path]:
    """The members, households and contacts rosters of `folder` with the edits above (the
    module's docstring), written to `out`: REPLACED values replaced, COUNTED of them counted."""
    _edit_members(folder / MEMBERS_FILE, out / MEMBERS_FILE)
    households = _csv_rows(folder / HOUSEHOLDS_FILE)
    area = households[0].index("所在区划代码")
    first = households[1]
    first[area] = next(
        r[area]
        for r in households[1:]
        if r[area][:12] == first[area][:12] and r[area] != first[area]
    )
    _write_csv(out / HOUSEHOLDS_FILE, households)
    contacts = _csv_rows(folder / CONTACTS_FILE)
    kind, until = (contacts[0].index(k) for k in ("联系对象类型", "结束日期"))
    ended = next(r for r in contacts[1:] if r[kind] == "户" and not r[until])
    ended[until] = "2026-10-20"
    _write_csv(out / CONTACTS_FILE, contacts)
    return [out / MEMBERS_FILE, out / HOUSEHOLDS_FILE, out / CONTACTS_FILE]


@pytest.fixture(scope="module")
def api(
    graph_host: GraphHost, demo_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """The tiny demo loaded by an import with no origin: in the graph, not in its history."""
    data = tmp_path_factory.mktemp("past_api")
    settings = Settings(data_dir=data, jwt_secret="", id_hash_key=KEY.decode())
    add_users(data)
    with graph_host.fresh() as store:
        load_demo(store, demo_dir)
        with live_api(store, data, settings=settings, users=user_store(data)) as url:
            yield url, data


def _upload(c: httpx.Client, paths: list[Path], on: str) -> dict[str, Any]:
    # a whole import and its observation: over Bolt on a busy 2-core machine, more than 30 s
    files = [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in paths]
    r = c.post("/imports/auto", params={"dry_run": False, "on": on}, files=files, timeout=180)
    assert r.status_code == 200, r.text
    doc: dict[str, Any] = r.json()
    assert doc["totals"]["rejected"] == 0, doc["totals"]
    return doc


def _past(c: httpx.Client, as_of: str | None) -> dict[str, Any]:
    """`past` of the gap list and of the summary at as_of (None: the default, today), which
    must agree."""
    day = {} if as_of is None else {"as_of": as_of}
    page = c.get("/gaps", params={"type": "household_uncovered", **day})
    summary = c.get("/gaps/summary", params=day)
    assert page.status_code == summary.status_code == 200, (page.text, summary.text)
    aged = c.get("/gaps", params={"type": "household_uncovered", "min_age_days": 0, **day})
    assert aged.status_code == 200, aged.text
    past: dict[str, Any] = page.json()["past"]
    assert summary.json()["past"] == aged.json()["past"] == past
    return past


def test_past_on_gaps_and_summary(api: tuple[str, Path], demo_dir: Path, tmp_path: Path) -> None:
    url, _ = api
    c = login(url, "county")
    today = clock.today().isoformat()
    assert today > "2026-11-20"  # every day asked below is a past one

    # in the graph but nothing recorded yet: the history cannot say anything
    assert _past(c, BEFORE) == {
        "undated_as_now": True,
        "replaced_after": 0,
        "history_from": None,
        "note": f"注：{BEFORE} 的答案按当时的日期类信息计算；所在支部、党小组、职务、类别、"
        "在册状态、农户区划等不带日期的信息按当前值计（没有导入记录，无法得知这些信息当时的值）",
    }

    first = _upload(c, [demo_dir / n for n in FILES], DAY_A)
    assert first["totals"]["updated"] == 0  # the same rosters again: nothing replaced
    assert _past(c, BETWEEN) == {
        "undated_as_now": True,
        "replaced_after": 0,  # one import: it replaced nothing
        "history_from": DAY_A,
        "note": f"注：{BETWEEN} 的答案按当时的日期类信息计算；所在支部、党小组、职务、类别、"
        f"在册状态、农户区划等不带日期的信息按当前值计（其后的导入没有替换这些值；"
        f"导入记录始于 {DAY_A}）",
    }

    second = _upload(c, edited_rosters(demo_dir, tmp_path), DAY_B)
    assert second["totals"]["updated"] >= 4
    # the second import replaced exactly the values edited: the counted ones and the others
    changed = c.get("/history/changes", params={"from": DAY_A, "to": DAY_B})
    assert changed.status_code == 200, changed.text
    assert changed.json()["fields"]["by_field"] == REPLACED

    between = _past(c, BETWEEN)
    assert between == {
        "undated_as_now": True,
        "replaced_after": COUNTED,
        "history_from": DAY_A,
        "note": f"注：{BETWEEN} 的答案按当时的日期类信息计算；所在支部、党小组、职务、类别、"
        f"在册状态、农户区划等不带日期的信息按当前值计（其后的导入替换了 {COUNTED} 个值；"
        f"导入记录始于 {DAY_A}）",
    }
    # the day before the second import still counts its values; the day of it does not
    assert _past(c, "2026-10-31")["replaced_after"] == COUNTED
    # before the history: the count is a lower bound, and the note says the past is unknown
    before = _past(c, BEFORE)
    assert (before["undated_as_now"], before["replaced_after"], before["history_from"]) == (
        True,
        COUNTED,
        DAY_A,
    )
    assert (
        f"导入记录始于 {DAY_A}，无法得知此前的情况；其后的导入至少替换了 {COUNTED} 个值"
        in (before["note"])
    )
    for later in (DAY_B, "2026-11-20"):
        assert _past(c, later) == {
            "undated_as_now": True,
            "replaced_after": 0,
            "history_from": DAY_A,
            "note": f"注：{later} 的答案按当时的日期类信息计算；所在支部、党小组、职务、类别、"
            f"在册状态、农户区划等不带日期的信息按当前值计（其后的导入没有替换这些值；"
            f"导入记录始于 {DAY_A}）",
        }
    now = {"undated_as_now": False, "replaced_after": 0, "history_from": DAY_A, "note": None}
    assert _past(c, today) == _past(c, None) == now
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    assert _past(c, tomorrow) == now

    # a scoped caller gets the same county-wide figures (a count, naming nobody)
    assert _past(login(url, "township"), BETWEEN) == between
