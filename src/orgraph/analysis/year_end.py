"""The year-end summary (年度汇总, docs/rules.md "Year-end summary"): per township, coverage at the
start and at the end of a year, the gap items opened and closed in it (the gap ledger's
episodes, each located to a township), the members away at its end and the departures, returns
and transfers dated in it; per gap type, county-wide; and the coverage month by month.

Built from the engine's own answers (coverage, summary, trend), the ledger's episodes and the
dated outflow episodes, read the way the changes between two days read them (changes.py). The
workbook is records/year_end_sheet.py."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orgraph import clock
from orgraph.analysis import gap_ledger
from orgraph.analysis.history_scope import item_ref
from orgraph.analysis.projection import Projection, member_home
from orgraph.errors import ValidationFailed
from orgraph.vocab import GAP_TYPE_NAMES, GAP_ZH
from orgraph.vocab import YEAR_END_FIRST as FIRST_YEAR

if TYPE_CHECKING:
    from orgraph.analysis.engine import Engine

UNLOCATED = "未定位 (县级或县外)"
COUNTY = "全县"


# The counters each row carries besides its coverage figures.
COUNTS = ("gaps_opened", "gaps_closed", "departures", "returns", "transfers")


def period(year: int, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The year's start and end (Y-12-31, or today when earlier); refuses a year outside
    2000 … this year."""
    now = today or clock.today()
    if not FIRST_YEAR <= year <= now.year:
        raise ValidationFailed(f"年份应在 {FIRST_YEAR}–{now.year} 之间")
    return dt.date(year, 1, 1), min(dt.date(year, 12, 31), now)


@dataclass
class Locator:
    """Locates a gap item, a member or an area to the township holding it (docs/rules.md
    "Year-end summary"), over one projection."""

    p: Projection

    def __post_init__(self) -> None:
        p = self.p
        self.home = member_home(p)
        self.town: list[str | None] = []
        for a in range(len(p.area_code)):
            i, found = a, None
            while i >= 0 and not p.area_external[i]:
                if p.area_level[i] == "township":
                    found = p.area_code[i]
                    break
                i = p.area_parent[i]
            self.town.append(found)

    def area(self, a: int) -> str | None:
        return self.town[a] if a >= 0 else None

    def area_code(self, code: str) -> str | None:
        return self.area(self.p.area_index.get(code, -1))

    def org(self, oid: str) -> str | None:
        o = self.p.org_index.get(oid)
        return self.area(self.p.org_home_area[o]) if o is not None else None

    def household(self, hid: str) -> str | None:
        h = self.p.hh_index.get(hid)
        return self.area(int(self.p.hh_area[h])) if h is not None else None

    def member(self, key: str) -> str | None:
        m = self.p.m_index.get(key)
        if m is None:
            return None
        home = int(self.home[m])
        if home >= 0:
            return self.area(home)
        houses = self.p.m_households[m]
        return self.area(int(self.p.hh_area[min(houses)])) if houses else None

    def item(self, type_: str, item: str) -> str | None:
        """The township of a ledger item (its id as the ledger keeps it), None when none
        (a city away from the county, or a kind history_scope.item_ref does not know)."""
        ref = item_ref(self.p, type_, item)
        if ref is None:
            return None
        what, key = ref
        if what == "household":
            return self.household(key)
        if what == "member":
            return self.member(key)
        return self.area_code(key) if what == "area" else self.org(key)


def township_of(p: Projection, type_: str, item: str) -> str | None:
    """The township code holding one gap item (a one-off: Locator for many)."""
    return Locator(p).item(type_, item)


def summary(engine: Engine, year: int, today: dt.date | None = None) -> dict[str, Any]:
    """The year-end summary of `year` (docs/rules.md "Year-end summary")."""
    now = today or clock.today()
    start, end = period(year, now)
    lo, s_iso, e_iso = (
        (start - dt.timedelta(days=1)).isoformat(),
        start.isoformat(),
        end.isoformat(),
    )
    store = engine.store
    loc = Locator(engine.projection())

    cov_start = engine.coverage(level="township", as_of=start)["rows"]
    cov_end = engine.coverage(level="township", as_of=end)["rows"]
    at_start = {r["code"]: r for r in cov_start}
    county_sum = {"start": engine.summary(as_of=start), "end": engine.summary(as_of=end)}

    counts: dict[str | None, Counter[str]] = {}
    episodes = store.read("gap_episodes_changed", after=-1, upto=-1, since=lo, until=e_iso)
    opened: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    for ep in episodes:
        where = counts.setdefault(loc.item(ep["type"], ep["item"]), Counter())
        if lo < ep["first_seen"] <= e_iso:
            where["gaps_opened"] += 1
            opened[ep["type"]] += 1
        if ep["resolved_on"] is not None and lo < ep["resolved_on"] <= e_iso:
            where["gaps_closed"] += 1
            closed[ep["type"]] += 1
    for r in store.read("outflow_events_between", since=lo, until=e_iso):
        where = counts.setdefault(loc.member(r["key"]), Counter())
        for field, name in (
            ("left_on", "departures"),
            ("returned_on", "returns"),
            ("transferred_on", "transfers"),
        ):
            if r[field] and lo < r[field] <= e_iso:
                where[name] += 1

    townships = []
    for row in cov_end[1:]:
        code = row["code"]
        got = engine.summary(scope=code, as_of=end)["counts"]
        townships.append(
            _row(code, row["name"], at_start.get(code), row, got, counts.get(code, Counter()))
        )
    total: Counter[str] = Counter()
    for c in counts.values():
        total.update(c)
    own = cov_end[0]
    county = _row(own["code"], COUNTY, cov_start[0], own, county_sum["end"]["counts"], total)
    unlocated = {
        "code": None,
        "name": UNLOCATED,
        **{k: counts.get(None, Counter())[k] for k in COUNTS},
    }

    stamp = gap_ledger.state(store)
    began = stamp["began"] if stamp else None
    trend = engine.trend(level="township", months=end.month, as_of=end)
    return {
        "year": year,
        "start": s_iso,
        "end": e_iso,
        "complete": end == dt.date(year, 12, 31),
        "made_on": now.isoformat(),
        "county": county,
        "townships": townships,
        "unlocated": unlocated,
        "ledger": {"began": began, "note": _ledger_note(began, s_iso, e_iso)},
        "gap_types": [
            {
                "type": t,
                "label": GAP_ZH.get(t, t),
                "opened": opened[t],
                "closed": closed[t],
                "at_start": county_sum["start"]["counts"].get(t, 0),
                "at_end": county_sum["end"]["counts"].get(t, 0),
            }
            for t in GAP_TYPE_NAMES
        ],
        "monthly": {
            "dates": [pt["date"] for pt in trend["points"]],
            "rows": _monthly(trend["points"]),
        },
        "undated_as_now": True,
    }


def _row(
    code: str,
    name: str,
    start: dict[str, Any] | None,
    end: dict[str, Any],
    gap_counts: dict[str, int],
    counted: Counter[str],
) -> dict[str, Any]:
    s = start or {"households": 0, "covered": 0, "coverage": None}
    change = None
    if s["households"] and end["households"]:
        change = round(
            (end["covered"] / end["households"] - s["covered"] / s["households"]) * 100, 1
        )
    return {
        "code": code,
        "name": name,
        "households_start": s["households"],
        "covered_start": s["covered"],
        "coverage_start": s["coverage"],
        "households_end": end["households"],
        "covered_end": end["covered"],
        "coverage_end": end["coverage"],
        "coverage_change_pp": change,
        "members": end["members"],
        "members_away": end["members_away"],
        "silent": gap_counts.get("mobile_silent", 0),
        "lost": gap_counts.get("lost_contact", 0),
        **{k: counted[k] for k in COUNTS},
    }


def _monthly(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per area of the trend (the county first, then each township): its coverage per point."""
    rows: dict[str, dict[str, Any]] = {}
    for n, point in enumerate(points):
        for i, r in enumerate(point["rows"]):
            row = rows.setdefault(
                r["code"],
                {"code": r["code"], "name": COUNTY if i == 0 else r["name"], "coverage": []},
            )
            row["coverage"].extend([None] * (n - len(row["coverage"])))
            row["coverage"].append(r["coverage"])
    return list(rows.values())


def _ledger_note(began: str | None, start: str, end: str) -> str | None:
    """What the gap counts cover when the ledger does not cover the whole period."""
    if began is None:
        return "尚无缺口台账 (没有记录的导入)：新出现、已解决的缺口数均为 0"
    if began > end:
        return f"缺口台账自 {began} 起记录，晚于本期：新出现、已解决的缺口数均为 0"
    if began > start:
        return (
            f"缺口台账自 {began} 起记录：新出现、已解决的缺口只统计 {began} 至 {end}，"
            f"{began} 已存在的缺口计为当天新出现"
        )
    return None
