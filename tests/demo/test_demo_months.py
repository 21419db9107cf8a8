"""The demo county month by month (issue #16, demo/evolve.py): three successive month ends of
the tiny county imported in order, each recorded and dated by its month end, give an import
history, changes between imports, a gap ledger, ages and trend lines that agree with what the
generator says it changed (evolution.json) and with the independent oracle.

On each engine: the three months imported in order into one graph. After each import the
graph is read back into the oracle's model (tests/oracle/from_graph.py) and the engine's gap
lists, summary and coverage must equal the oracle's on that day; after the three, the ledger's
episodes, the changes, the year-end summary and the ages must equal the plain-Python replay
(tests/oracle/gap_history.py) of the oracle's gap items month by month, and the trend of the
three month ends the oracle's at each (docs/rules.md "Gap life", "Trend")."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from demo_readback import read_csv, read_xlsx_sheets
from tests.conftest import short_tmpdir
from tests.oracle.compare import coverage_diffs, gap_diffs, summary_diffs, trend_diffs
from tests.oracle.county_model import County
from tests.oracle.from_graph import county_from_graph
from tests.oracle.oracle import RULE_TYPES, Oracle
from tests.oracle.test_oracle_equivalence import COVERAGE_LEVELS
from tests.oracle.test_oracle_gap_history import check_ledger
from typer.testing import CliRunner

from orgraph import clock
from orgraph.analysis import changes, gap_ledger
from orgraph.analysis.engine import Engine
from orgraph.demo.evolve import (
    EDIT_KINDS,
    EVOLUTION_FILE,
    MonthsSummary,
    generate_months,
    last_month_end,
    month_end,
)
from orgraph.demo.periods import add_months
from orgraph.importer import history
from orgraph.importer.history import Origin
from orgraph.importer.pipeline import import_files
from orgraph.importer.report import ImportReport
from orgraph.policy import Policy
from orgraph.store import GraphStore

AS_OF = date(2026, 10, 31)
SEED = 7
KEY = b"demo-months-test-key"
ROSTER_SUFFIXES = (".xlsx", ".csv")


@pytest.fixture(scope="module")
def months(tmp_path_factory: pytest.TempPathFactory) -> tuple[MonthsSummary, dict[str, Any]]:
    out = tmp_path_factory.mktemp("demo_months")
    summary = generate_months(out, scale="tiny", seed=SEED, as_of=AS_OF, months=3)
    doc = json.loads((out / EVOLUTION_FILE).read_text(encoding="utf-8"))
    return summary, doc


def _days(doc: dict[str, Any]) -> list[str]:
    return [m["on"] for m in doc["months"]]


def _edits(doc: dict[str, Any], kind: str, after: int) -> list[dict[str, Any]]:
    """The edits of `kind` of the months after month `after` (1-based), in month order."""
    return [e for m in doc["months"][after:] for e in m[kind]]


# --------------------------------------------------------------------------- the generator


def test_months_are_folders_of_rosters_dated_inside_their_month(
    months: tuple[MonthsSummary, dict[str, Any]],
) -> None:
    summary, doc = months
    assert _days(doc) == ["2026-10-31", "2026-11-30", "2026-12-31"]
    assert [f.name for f in summary.folders] == _days(doc)
    first = {p.name for p in summary.folders[0].iterdir() if p.suffix in ROSTER_SUFFIXES}
    assert len(first) == 13
    for folder in summary.folders[1:]:
        assert {p.name for p in folder.iterdir() if p.suffix in ROSTER_SUFFIXES} == first
    assert all(not m[k] for k in EDIT_KINDS for m in doc["months"][:1])
    for prev, m in zip(doc["months"], doc["months"][1:], strict=False):
        for kind in EDIT_KINDS:
            assert m[kind], f"month {m['month']} has no {kind}"
        days = [
            e[k]
            for kind in ("left", "returned", "contacts_ended", "contacts_begun")
            for e in m[kind]
            for k in ("on", "until", "since")
            if k in e and not (kind == "contacts_ended" and k == "since")
        ]
        assert days and all(prev["on"] < d <= m["on"] for d in days), m["month"]
    # one edit per member a month, and every member named by a 人员编号
    for m in doc["months"][1:]:
        who = [e["member"] for k in ("left", "returned", "transferred") for e in m[k]]
        assert len(who) == len(set(who)) and all(w.startswith("330226D") for w in who)


def test_the_same_seed_gives_the_same_months(
    months: tuple[MonthsSummary, dict[str, Any]], tmp_path: Path
) -> None:
    summary, _ = months
    again = generate_months(tmp_path, scale="tiny", seed=SEED, as_of=date(2026, 11, 1), months=3)
    assert again.months == summary.months  # as_of snaps to the month end before it
    assert (tmp_path / EVOLUTION_FILE).read_bytes() == (summary.out / EVOLUTION_FILE).read_bytes()
    for a, b in zip(again.folders, summary.folders, strict=True):
        for p in sorted(b.iterdir()):
            if p.is_file():
                assert (a / p.name).read_bytes() == p.read_bytes(), p


def test_cli_writes_months(tmp_path: Path) -> None:
    import typer

    from orgraph.cli.demo_data import demo_data

    app = typer.Typer()
    app.command("demo-data")(demo_data)
    app.command("noop")(lambda: None)  # keep demo-data a named sub-command
    args = ["demo-data", "--scale", "tiny", "--seed", "4", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, [*args, "--months", "3", "--as-of", "2026-09-30"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / EVOLUTION_FILE).is_file()
    for day in ("2026-09-30", "2026-10-31", "2026-11-30"):
        assert (tmp_path / day / "党员花名册.xlsx").is_file()
        assert day in result.output
    bad = CliRunner().invoke(app, [*args, "--months", "0"])
    assert bad.exit_code != 0


def test_orgraph_demo_loads_the_last_months_in_order(tmp_path: Path) -> None:
    """`orgraph demo --months 3` (a real process, its own embedded database): the last three
    month ends up to today, imported in order, each recorded with its month end as `on`."""
    folder = short_tmpdir("og-months-")
    env = {**os.environ, "ORGRAPH_DATA_DIR": str(folder / "db")}
    orgraph = str(Path(sys.executable).with_name("orgraph"))
    try:
        args = ["demo", "--scale", "tiny", "--months", "3", "--out", str(tmp_path)]
        done = subprocess.run(
            [orgraph, *args], env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        listed = subprocess.run(
            [orgraph, "imports", "--json"], env=env, capture_output=True, text=True, timeout=60
        )
        assert listed.returncode == 0, listed.stderr
    finally:
        subprocess.run([orgraph, "db", "stop"], env=env, capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
    recorded = list(reversed(json.loads(listed.stdout)["items"]))
    last = last_month_end(clock.today())
    days = [month_end(add_months(last.replace(day=1), k)).isoformat() for k in (-2, -1, 0)]
    assert [e["on"] for e in recorded] == days
    assert [e["observation"] for e in recorded] == [1, 2, 3]
    assert {e["source"] for e in recorded} == {"demo"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [*days, EVOLUTION_FILE]
    assert [k["rejected"] for e in recorded for k in e["changes"].values()] == [0] * sum(
        len(e["changes"]) for e in recorded
    )


# --------------------------------------------------------------------------- imported


def _import(store: GraphStore, folder: Path) -> ImportReport:
    on = date.fromisoformat(folder.name)
    files = sorted(p for p in folder.iterdir() if p.suffix in ROSTER_SUFFIXES)
    report = import_files(store, files, key=KEY, today=on, on=on, origin=Origin("测试", "demo"))
    rejected = [
        f"{Path(f.path).name} row {i.row} {i.column}: {i.message}"
        for f in report.files
        for i in [*f.errors, *f.rejected]
    ]
    assert rejected == []
    return report


@pytest.mark.timeout(600)
def test_three_months_imported_in_order(
    store: GraphStore, months: tuple[MonthsSummary, dict[str, Any]]
) -> None:
    """Each month's import read back into the oracle's model (tests/oracle/from_graph.py): the
    engine's gap lists, summary and coverage equal the oracle's on that day; after the three,
    the ledger, the import history, the changes, the year-end summary and every item's age
    equal the replay of the oracle's gap items month by month (check_ledger), and the trend
    of the three month ends equals the oracle's at each of them."""
    summary, doc = months
    days = _days(doc)
    steps: list[tuple[str, County]] = []
    for n, folder in enumerate(summary.folders):
        _import(store, folder)
        if n == 0:  # the graph was fresh: month 1's own gap items, all first seen now
            assert {e["first_seen"] for e in gap_ledger.episodes(store)} == {days[0]}
        county = county_from_graph(store)
        steps.append((folder.name, county))
        engine, oracle = Engine(store, policy=Policy()), Oracle(county, {})
        diffs = summary_diffs(engine, oracle, None, folder.name)
        for rule in RULE_TYPES:
            diffs += gap_diffs(engine, oracle, rule, None, folder.name)
        for level in COVERAGE_LEVELS:
            diffs += coverage_diffs(engine, oracle, None, level, folder.name)
        assert diffs == [], "\n".join(diffs[:40])
    check_ledger(store, steps, today=date.fromisoformat(days[-1]), note=lambda _: None)
    episodes = gap_ledger.episodes(store)
    assert any(e["resolved_on"] for e in episodes)
    assert any(e["first_seen"] > days[0] for e in episodes)
    for level in ("township", "village"):
        diffs = trend_diffs(Engine(store), Oracle(steps[-1][1], {}), None, level, days[-1], 3)
        assert diffs == [], "\n".join(diffs[:40])

    recorded = list(reversed(history.imports(store)["items"]))
    ids = [e["id"] for e in recorded]
    for after in (0, 1):  # import 1 → 3 and import 2 → 3
        between = changes.between(store, ids[after], ids[2])
        _check_changes(between, doc, after)
        _check_names(between, summary.folders[-1])


def _check_names(doc: dict[str, Any], folder: Path) -> None:
    """Every listed household and member is named as the last month's rosters name it (农户.csv
    户主姓名; 党员花名册.xlsx 姓名 by 人员编号, read here without orgraph; a member keyed by a
    hashed ID number must bear a name the roster has), and nothing else is."""
    fields = doc["fields"]["items"]
    hh = {h for ids in doc["households"].values() for h in ids}
    hh |= {f["key"] for f in fields if f["kind"] == "households"}
    mm = {m["key"] for ms in doc["members"].values() for m in ms}
    mm |= {f["key"] for f in fields if f["kind"] == "members"}
    assert hh and mm
    _, rows = read_csv(folder / "农户.csv", "gb18030")
    heads = {r["户编号"]: r["户主姓名"] for r in rows}
    roster = [r for _, _, sheet in read_xlsx_sheets(folder / "党员花名册.xlsx", 2) for r in sheet]
    names = {str(r["人员编号"]): r["姓名"] for r in roster if r.get("人员编号")}
    assert doc["names"]["households"] == {h: heads[h] for h in sorted(hh)}
    got = doc["names"]["members"]
    assert sorted(got) == sorted(mm)
    for k, name in got.items():
        assert name == names[k] if k in names else name in {r["姓名"] for r in roster}, k


def _check_changes(doc: dict[str, Any], evo: dict[str, Any], after: int) -> None:
    """The changes after import `after + 1` up to import 3 against evolution.json."""
    members = doc["members"]
    assert {(x["key"], x["on"]) for x in members["left"]} == {
        (e["member"], e["on"]) for e in _edits(evo, "left", after + 1)
    }
    assert {(x["key"], x["on"]) for x in members["returned"]} == {
        (e["member"], e["on"]) for e in _edits(evo, "returned", after + 1)
    }
    # `transferred` is an outflow's 转出 (the mobility API's transfer, dated); a roster
    # cannot say it. A move to another branch is `moved`, from the field history.
    assert members["transferred"] == []
    moved: set[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = set()
    for e in _edits(evo, "transferred", after + 1):
        moved.add((e["member"], "branches", (e["from_branch"],), (e["to_branch"],)))
        if e["from_group"] != e["to_group"]:
            old = (e["from_group"],) if e["from_group"] else ()
            new = (e["to_group"],) if e["to_group"] else ()
            moved.add((e["member"], "grps", old, new))
    got = {
        (x["key"], x["field"], tuple(x["old"] or ()), tuple(x["new"] or ()))
        for x in members["moved"]
    }
    assert got == moved

    items = doc["fields"]["items"]
    assert doc["fields"]["total"] == len(items)  # all listed (fewer than the list's limit)
    assert {
        (f["key"], f["old"], f["new"])
        for f in items
        if f["kind"] == "households" and f["field"] == "area"
    } == {
        (e["household"], e["from_area"], e["to_area"])
        for e in _edits(evo, "households_moved", after + 1)
    }
    ended = {
        (f["key"].split("|")[0], f["key"].split("|")[3], f["new"])
        for f in items
        if f["kind"] == "contacts" and f["field"] == "until"
    }
    assert ended == {
        (e["member"], e["household"], e["until"]) for e in _edits(evo, "contacts_ended", after + 1)
    }
