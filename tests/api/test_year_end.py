"""The year-end summary workbook over HTTP (docs/rules.md "Year-end summary"): first on the
empty graph (no ledger: the workbook says so); then the tiny demo uploaded as of 2026-10-01 and
its contacts again as of 2026-11-01 with every contact of a covered household ended; GET
/history/year-end?year=2026 opened with openpyxl: its sheets, headers and charts, and its
numbers equal to the API's own /coverage, /gaps/summary, /history/changes and /history/trend
for the same days. County administrators only; a year outside 2000 … this year is 422."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any
from urllib.parse import quote

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from orgraph import clock
from orgraph.demo.generate import FILES
from orgraph.records import year_end_sheet as sheet
from orgraph.vocab import GAP_TYPE_NAMES
from tests.api.conftest import login
from tests.api.test_history_changes import CONTACTS, DAY1, DAY2, _csv, _ok, _read, _upload, api

__all__ = ["api"]  # the fixture this module uses (a graph and a live API of its own)

YEAR = 2026


def year_end_rows(wb: Workbook) -> list[dict[str, Any]]:
    """The rows of 各乡镇汇总 (townships, 未定位, 全县) by header, up to the blank line."""
    ws = wb[sheet.SUMMARY_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == list(sheet.SUMMARY_HEADERS)
    out = []
    for r in rows[1:]:
        if all(v is None for v in r):
            break
        out.append(dict(zip(sheet.SUMMARY_HEADERS, r, strict=True)))
    return out


def check_workbook(
    wb: Workbook,
    *,
    coverage: dict[str, list[dict[str, Any]]],
    summaries: dict[str, dict[str, Any]],
    at_start: dict[str, int],
    at_end: dict[str, int],
    changes: dict[str, Any],
    months: list[dict[str, Any]],
    ledger_note: bool,
) -> None:
    """The workbook against the answers of the same days: `coverage` (level township, as of
    start and end), `summaries` (each township's gap summary at end; "" the county's),
    `at_start` / `at_end` (the county's gap counts), `changes` (by day over the year),
    `months` (the trend's points)."""
    assert wb.sheetnames == [
        sheet.SUMMARY_SHEET,
        sheet.TYPES_SHEET,
        sheet.MONTHLY_SHEET,
        sheet.CHART_SHEET,
    ]
    rows = year_end_rows(wb)
    start, end = coverage["start"], coverage["end"]
    towns = end[1:]
    assert [r["区划代码"] for r in rows[:-2]] == [t["code"] for t in towns]
    assert [r["乡镇"] for r in rows[-2:]] == ["未定位 (县级或县外)", "全县"]
    for r, s, e in zip(
        rows[:-2] + rows[-1:], [*start[1:], start[0]], [*towns, end[0]], strict=True
    ):
        assert (r["年初农户数"], r["年初已联系户数"], r["年初联系覆盖率"]) == (
            s["households"],
            s["covered"],
            s["coverage"],
        )
        assert (r["年末农户数"], r["年末已联系户数"], r["年末联系覆盖率"]) == (
            e["households"],
            e["covered"],
            e["coverage"],
        )
        assert (r["年末在册党员"], r["年末外出党员"]) == (e["members"], e["members_away"])
        code = "" if r["乡镇"] == "全县" else r["区划代码"]
        counts = summaries[code]["counts"]
        assert (r["年末长期未报到"], r["年末失联党员"]) == (
            counts["mobile_silent"],
            counts["lost_contact"],
        )
        if s["households"] and e["households"]:
            want = round((e["covered"] / e["households"] - s["covered"] / s["households"]) * 100, 1)
            assert r["覆盖率变化 (百分点)"] == want
    county, parts = rows[-1], rows[:-1]
    opened = sum(g["opened"] for g in changes["gaps"])
    closed = sum(g["closed"] for g in changes["gaps"])
    members = changes["members"]
    assert (county["年内新出现缺口"], county["年内已解决缺口"]) == (opened, closed)
    assert (county["年内外出"], county["年内返回"], county["年内转出组织关系"]) == (
        len(members["left"]),
        len(members["returned"]),
        len(members["transferred"]),
    )
    for header in ("年内新出现缺口", "年内已解决缺口", "年内外出", "年内返回", "年内转出组织关系"):
        assert sum(r[header] for r in parts) == county[header], header

    notes = [r[0] for r in wb[sheet.SUMMARY_SHEET].iter_rows(values_only=True)][len(rows) + 2 :]
    assert notes[0].startswith("统计期: ")
    assert any("缺口台账自" in n for n in notes) == ledger_note

    types = list(wb[sheet.TYPES_SHEET].iter_rows(values_only=True))
    assert list(types[0]) == list(sheet.TYPES_HEADERS)
    by_type = {g["type"]: g for g in changes["gaps"]}
    got = [r for r in types[1:] if r[0] in GAP_TYPE_NAMES]
    assert [r[0] for r in got] == list(GAP_TYPE_NAMES)
    for t, _label, o, c, s0, e0 in got:
        g = by_type.get(t, {"opened": 0, "closed": 0})
        assert (o, c, s0, e0) == (g["opened"], g["closed"], at_start[t], at_end[t]), t

    monthly = list(wb[sheet.MONTHLY_SHEET].iter_rows(values_only=True))
    assert list(monthly[0][:2]) == list(sheet.MONTHLY_FIRST)
    assert len(monthly[0]) == 2 + len(months)
    assert monthly[0][2] == "1月"
    for i, r in enumerate(monthly[1:]):
        assert r[1] == months[0]["rows"][i]["code"]
        assert list(r[2:]) == [pt["rows"][i]["coverage"] for pt in months]

    charts = wb[sheet.CHART_SHEET]._charts
    assert len(charts) == 2
    assert {type(c).__name__ for c in charts} == {"LineChart", "BarChart"}


def test_year_end_workbook(api: tuple[str, Path], demo_dir: Path) -> None:
    url, _ = api
    c = login(url, "county")
    empty = c.get("/history/year-end", params={"year": YEAR}, timeout=180)
    assert empty.status_code == 200, empty.text
    lines = [
        r[0]
        for r in load_workbook(io.BytesIO(empty.content))[sheet.SUMMARY_SHEET].iter_rows(
            values_only=True
        )
    ]
    assert any(str(x).startswith("尚无缺口台账") for x in lines), lines
    _upload(
        c,
        [("files", (n, (demo_dir / n).read_bytes(), "application/octet-stream")) for n in FILES],
        DAY1,
    )
    before = _ok(c, "/gaps", type="household_uncovered", as_of=DAY1, page_size=500)["items"]
    contacts = _read(demo_dir / CONTACTS)
    head = contacts[0]
    kind, target, until = (head.index(k) for k in ("联系对象类型", "联系对象编号", "结束日期"))
    covered = sorted(
        {r[target] for r in contacts[1:] if r[kind] == "户" and not r[until]}
        - {it["id"] for it in before}
    )
    for row in contacts[1:]:
        if row[kind] == "户" and row[target] == covered[0] and not row[until]:
            row[until] = "2026-10-15"
    _upload(c, [_csv(CONTACTS, contacts)], DAY2)

    today = clock.today()
    start, end = f"{YEAR}-01-01", min(dt.date(YEAR, 12, 31), today).isoformat()
    r = c.get("/history/year-end", params={"year": YEAR}, timeout=180)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    disposition = r.headers["content-disposition"]
    assert f'filename="year_end_{YEAR}.xlsx"' in disposition
    assert f"filename*=UTF-8''{quote(f'年度汇总_{YEAR}.xlsx')}" in disposition
    wb = load_workbook(io.BytesIO(r.content))

    cov = {
        k: _ok(c, "/coverage", level="township", as_of=d)["rows"]
        for k, d in (("start", start), ("end", end))
    }
    summaries = {"": _ok(c, "/gaps/summary", as_of=end)}
    for t in cov["end"][1:]:
        summaries[t["code"]] = _ok(c, "/gaps/summary", scope=t["code"], as_of=end)
    at_start = _ok(c, "/gaps/summary", as_of=start)["counts"]
    year_changes = _ok(c, "/history/changes", **{"from": f"{YEAR - 1}-12-31", "to": end})
    assert sum(g["opened"] for g in year_changes["gaps"]) > 0
    trend = _ok(c, "/history/trend", level="township", months=int(end[5:7]), as_of=end)
    check_workbook(
        wb,
        coverage=cov,
        summaries=summaries,
        at_start=at_start,
        at_end=summaries[""]["counts"],
        changes=year_changes,
        months=trend["points"],
        ledger_note=True,  # the ledger began on DAY1, after the year's start
    )

    # refused: not a county administrator; a year outside 2000 … this year
    resp = login(url, "township").get("/history/year-end", params={"year": YEAR})
    assert resp.status_code == 403 and "县级管理员" in resp.json()["detail"], resp.text
    for bad in (1999, today.year + 1):
        resp = c.get("/history/year-end", params={"year": bad})
        assert resp.status_code == 422, (bad, resp.text)
    assert c.get("/history/year-end").status_code == 422
