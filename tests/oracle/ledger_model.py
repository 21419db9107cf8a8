"""The county model's 第一书记 appointments, 督查记录 inspections and 党小组工作记录 group records
(docs/rules.md "第一书记", "The rectification ledger", "党小组 appraisal"), and their roster
files. The ledger's episodes are county_model.Rect (with its 一村一策 date and 验收结果)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .county_model import County

RESULT_LABEL = {"pass": "合格", "basic": "基本合格", "fail": "不合格"}
FOLLOW_UP_LABEL = {"open": "整改中", "done": "已整改"}
GRADE_LABEL = {"excellent": "优秀", "good": "良好", "fair": "一般", "poor": "较差"}


@dataclass
class FirstSecretary:
    """A 第一书记 appointment: `member` sent to `org` by `sent_by` from `since` until `until`."""

    member: str
    org: str
    since: str
    until: str | None = None
    sent_by: str | None = None

    @property
    def id(self) -> str:
        return f"{self.member}|{self.org}|{self.since}"


@dataclass
class Inspection:
    """A 督查记录 row: a visit to `org` on `on` by `inspector`."""

    org: str
    on: str
    inspector: str
    findings: str | None = None
    follow_up: str | None = None  # open / done

    @property
    def id(self) -> str:
        return f"{self.org}|{self.on}|{self.inspector}"


@dataclass
class GroupRecord:
    """One month (`YYYY-MM`) of a party group's 党小组工作记录."""

    org: str
    month: str
    summary: bool | None = None
    inspected_on: str | None = None
    finding: str | None = None
    score: int | None = None
    grade: str | None = None  # excellent / good / fair / poor

    @property
    def id(self) -> str:
        return f"{self.org}|{self.month}"


FIRST_SECRETARIES_FILE = "第一书记.csv"
FIRST_SECRETARIES_HEADER = ("人员编号", "村党组织编号", "派出单位", "任职开始日期", "任职结束日期")
INSPECTIONS_FILE = "督查记录.csv"
INSPECTIONS_HEADER = ("党组织编号", "督查日期", "督查人", "发现问题", "整改情况")
GROUP_RECORDS_FILE = "党小组工作记录.csv"
GROUP_RECORDS_HEADER = (
    "党小组编号",
    "月份",
    "月总结",
    "督查日期",
    "督查发现",
    "考评得分",
    "考评等次",
)
Writer = Callable[[Path, Sequence[str], Iterable[Sequence[str | None]]], Path]


def ledger_problems(c: County) -> list[str]:
    """What the importer would reject or merge among the three kinds (County.check's part)."""
    from .county_model import GROUP_KINDS

    out = []
    orgs = {o.id: o for o in c.orgs}
    members = {m.member_no for m in c.members}
    for kind, ids in (
        ("appointment", [f.id for f in c.first_secretaries]),
        ("inspection", [i.id for i in c.inspections]),
        ("group record", [r.id for r in c.group_records]),
    ):
        if len(set(ids)) != len(ids):
            out.append(f"duplicate {kind} ids")
    for f in c.first_secretaries:
        if f.member not in members or f.org not in orgs or orgs[f.org].kind in GROUP_KINDS:
            out.append(f"appointment {f.id}: unknown member or not a village org")
        if f.until is not None and f.until <= f.since:
            out.append(f"appointment {f.id}: until not after since")
    for i in c.inspections:
        if i.org not in orgs or orgs[i.org].kind in GROUP_KINDS:
            out.append(f"inspection of {i.org}: not an org (groups are refused)")
    for r in c.group_records:
        if r.org not in orgs or orgs[r.org].kind not in GROUP_KINDS:
            out.append(f"group record {r.id}: not a group")
    return out


def _bool(v: bool | None) -> str | None:
    return None if v is None else ("是" if v else "否")


def write_ledger_rosters(c: County, folder: Path, write: Writer) -> list[Path]:
    """The three roster files of the county's appointments, inspections and group records
    (none for an empty list)."""
    out = []
    if c.first_secretaries:
        out.append(
            write(
                folder / FIRST_SECRETARIES_FILE,
                FIRST_SECRETARIES_HEADER,
                [[f.member, f.org, f.sent_by, f.since, f.until] for f in c.first_secretaries],
            )
        )
    if c.inspections:
        out.append(
            write(
                folder / INSPECTIONS_FILE,
                INSPECTIONS_HEADER,
                [
                    [
                        i.org,
                        i.on,
                        i.inspector,
                        i.findings,
                        FOLLOW_UP_LABEL[i.follow_up] if i.follow_up else None,
                    ]
                    for i in c.inspections
                ],
            )
        )
    if c.group_records:
        out.append(
            write(
                folder / GROUP_RECORDS_FILE,
                GROUP_RECORDS_HEADER,
                [
                    [
                        r.org,
                        r.month,
                        _bool(r.summary),
                        r.inspected_on,
                        r.finding,
                        None if r.score is None else str(r.score),
                        GRADE_LABEL[r.grade] if r.grade else None,
                    ]
                    for r in c.group_records
                ],
            )
        )
    return out
