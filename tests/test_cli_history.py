"""`orgraph import --on`, `orgraph changes`, `orgraph imports fields` and `orgraph gaps
--min-age-days` through typer's CliRunner (docs/rules.md "Gap life", "Field history", "Changes
between two points"): the tiny demo county re-imported by the CLI on two roster days, a
household moved between them; a CLI write observed by the gap ledger; bad points refused; and
the note of `orgraph gaps --as-of` on a past day (docs/rules.md "What an answer at a past day
can read")."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from orgraph import clock
from orgraph.analysis import changes, gap_ledger
from orgraph.cli import app
from orgraph.demo import DemoSummary
from orgraph.importer import history
from orgraph.store import GraphStore
from tests.api.test_past_as_of import COUNTED, REPLACED, edited_rosters
from tests.mobility.conftest import county, tiny_files
from tests.mobility.test_lifecycle import days_ago, home_member
from tests.mobility.test_mobility_cli import graph_env

__all__ = ["county", "graph_env", "tiny_files"]  # fixtures this module uses

DAY1, DAY2 = "2026-10-01", "2026-11-01"


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), terminal_width=250)


COUNTY, OTHER_TOWNSHIP = "330226", "330226203"  # the tiny demo's county and a township


def _moved_households(folder: Path, out: Path) -> tuple[str, str, str]:
    """农户.csv with its first household moved to another hamlet of its village: (id, old
    area, new area)."""
    rows = list(csv.reader(io.StringIO((folder / "农户.csv").read_bytes().decode("gb18030"))))
    hid, area = rows[0].index("户编号"), rows[0].index("所在区划代码")
    first = rows[1]
    other = next(
        r[area] for r in rows[1:] if r[area][:12] == first[area][:12] and r[area] != first[area]
    )
    old, first[area] = first[area], other
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    out.write_bytes(buf.getvalue().encode("gb18030"))
    return first[hid], old, other


def test_two_roster_days_then_a_write(
    graph_env: GraphStore, tiny_files: tuple[Path, DemoSummary], tmp_path: Path
) -> None:
    folder, _ = tiny_files
    files = sorted(str(p) for p in folder.iterdir() if p.suffix in (".xlsx", ".csv"))
    first = cli("import", *files, "--on", DAY1)
    assert first.exit_code == 0, first.output
    edited = tmp_path / "农户.csv"
    hid, old, new = _moved_households(folder, edited)
    second = cli("import", str(edited), "--on", DAY2)
    assert second.exit_code == 0, second.output
    ids = [e["id"] for e in history.imports(graph_env)["items"]][::-1]
    assert [e["on"] for e in history.imports(graph_env)["items"]][::-1] == [DAY1, DAY2]

    got = cli("changes", ids[0], ids[1], "--json")
    assert got.exit_code == 0, got.output
    assert json.loads(got.stdout) == json.loads(
        json.dumps({**changes.between(graph_env, ids[0], ids[1]), "scope": COUNTY})
    )
    table = cli("changes", DAY1, DAY2)
    assert table.exit_code == 0, table.output
    assert f"变化 ({COUNTY}): {DAY1} → {DAY2}" in table.stdout
    assert "导入改动字段 1 处" in table.stdout
    # in a scope (docs/rules.md "In a scope"): the moved household's township sees its move,
    # another township nothing; `previous` → `last` are the two imports
    for town, seen in ((new[:9], 1), (OTHER_TOWNSHIP, 0)):
        scoped = cli("changes", "previous", "last", "--scope", town, "--json")
        assert scoped.exit_code == 0, scoped.output
        doc = json.loads(scoped.stdout)
        assert doc["scope"] == town and (doc["from"]["id"], doc["to"]["id"]) == tuple(ids)
        assert doc["fields"]["total"] == seen, (town, doc["fields"])

    fields = json.loads(cli("imports", "fields", hid).stdout)
    assert [(f["import"], f["field"], f["old"], f["new"]) for f in fields["items"]] == [
        (ids[1], "area", old, new)
    ]

    # ages: everything open since the first roster day, at least
    aged = cli(
        "gaps",
        "--type",
        "household_uncovered",
        "--as-of",
        DAY2,
        "--min-age-days",
        "31",
        "--format",
        "json",
    )
    assert aged.exit_code == 0, aged.output
    doc = json.loads(aged.stdout)
    assert doc["total"] > 0 and doc["min_age_days"] == 31
    assert all(it["first_seen"] == DAY1 and it["age_at_least"] for it in doc["items"])
    assert (
        "已持续 31 天以上"
        in cli(
            "gaps", "--type", "household_uncovered", "--as-of", DAY2, "--min-age-days", "31"
        ).stdout
    )

    # a CLI write is observed, dated today
    seq = gap_ledger.state(graph_env)["seq"]  # type: ignore[index]
    member = home_member(graph_env, 3)
    went = CliRunner().invoke(
        app, ["mobility", "depart", member, "--to", "广东省深圳市南山区", "--on", days_ago(100)]
    )
    assert went.exit_code == 0, went.output
    stamp = gap_ledger.state(graph_env)
    assert stamp is not None and stamp["seq"] == seq + 1
    assert stamp["last_on"] == clock.today().isoformat()

    assert cli("changes", "nope").exit_code == 6
    bad = cli("changes", "2026-13-01")
    assert bad.exit_code == 7 and "YYYY-MM-DD" in bad.output
    late = cli("changes", ids[1], ids[0])
    assert late.exit_code == 7 and "起点晚于终点" in late.output


def test_past_as_of_note(
    graph_env: GraphStore, tiny_files: tuple[Path, DemoSummary], tmp_path: Path
) -> None:
    """`orgraph gaps --as-of D` says what a past day can read (docs/rules.md "What an answer
    at a past day can read"): the note under the table (on stderr beside a CSV), `past` in the
    JSON; the county loaded by an import with no origin, then recorded imports on two roster
    days, the second with the edits of tests/api/test_past_as_of.py."""
    folder, _ = tiny_files

    def past_of(*args: str) -> dict[str, Any]:
        got = cli("gaps", *args, "--format", "json")
        assert got.exit_code == 0, got.output
        past: dict[str, Any] = json.loads(got.stdout)["past"]
        return past

    def note(day: str, tail: str) -> str:
        return (
            f"注：{day} 的答案按当时的日期类信息计算；所在支部、党小组、职务、类别、在册状态、"
            f"农户区划等不带日期的信息按当前值计（{tail}）"
        )

    unknown = note("2026-09-01", "没有导入记录，无法得知这些信息当时的值")
    assert past_of("--as-of", "2026-09-01") == {
        "undated_as_now": True,
        "replaced_after": 0,
        "history_from": None,
        "note": unknown,
    }
    files = sorted(str(p) for p in folder.iterdir() if p.suffix in (".xlsx", ".csv"))
    assert cli("import", *files, "--on", DAY1).exit_code == 0
    edits = tmp_path / "edits"
    edits.mkdir()
    second = cli("import", *(str(p) for p in edited_rosters(folder, edits)), "--on", DAY2)
    assert second.exit_code == 0, second.output
    assert changes.between(graph_env, DAY1, DAY2)["fields"]["by_field"] == REPLACED

    between = note("2026-10-15", f"其后的导入替换了 {COUNTED} 个值；导入记录始于 {DAY1}")
    for args in ((), ("--type", "household_uncovered")):
        assert past_of(*args, "--as-of", "2026-10-15") == {
            "undated_as_now": True,
            "replaced_after": COUNTED,
            "history_from": DAY1,
            "note": between,
        }
        table = cli("gaps", *args, "--as-of", "2026-10-15")
        assert table.exit_code == 0, table.output
        assert table.stdout.rstrip().endswith(between), table.stdout[-400:]
        as_csv = cli("gaps", *args, "--as-of", "2026-10-15", "--format", "csv")
        assert as_csv.exit_code == 0 and "注：" not in as_csv.stdout
        assert between in as_csv.stderr
        assert past_of(*args, "--as-of", DAY2)["replaced_after"] == 0
        now = cli("gaps", *args)
        assert now.exit_code == 0 and "注：" not in now.output
        assert past_of(*args) == {
            "undated_as_now": False,
            "replaced_after": 0,
            "history_from": DAY1,
            "note": None,
        }


def test_phones_away_are_noted_without_their_values(
    graph_env: GraphStore, tiny_files: tuple[Path, DemoSummary], tmp_path: Path
) -> None:
    """A re-import that changes an outflow's 外出联系电话 notes the change and keeps neither
    number (docs/rules.md "Field history": the phone while away is a person's phone), while
    the 工作单位 changed beside it is kept."""
    from openpyxl import load_workbook

    folder, _ = tiny_files
    files = sorted(str(p) for p in folder.iterdir() if p.suffix in (".xlsx", ".csv"))
    assert cli("import", *files, "--on", DAY1).exit_code == 0
    wb = load_workbook(folder / "流动党员外出登记.xlsx")
    ws = wb.active
    assert ws is not None
    head = [c.value for c in ws[1]]
    row = ws[2]
    member, left = row[head.index("人员编号")].value, row[head.index("外出时间")].value
    assert row[head.index("外出联系电话")].value and isinstance(left, dt.datetime)
    employer = row[head.index("工作单位")].value
    row[head.index("外出联系电话")].value = "13900000000"
    row[head.index("工作单位")].value = "新的工作单位有限公司"
    edited = tmp_path / "流动党员外出登记.xlsx"
    wb.save(edited)
    assert cli("import", str(edited), "--on", DAY2).exit_code == 0
    key = f"{member}|{left.date().isoformat()}"
    got = json.loads(cli("imports", "fields", key).stdout)["items"]
    assert sorted((f["field"], f["old"], f["new"]) for f in got) == [
        ("employer", employer, "新的工作单位有限公司"),
        ("phone_away", None, None),
    ]
