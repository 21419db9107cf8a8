"""A meetings ledger (三会一课登记台账, XLSX) and a dues ledger (党费收缴台账, CSV in GB18030)
as a county exports them, imported on each engine: every bad row is named (Excel row, column,
a Chinese message), every other row is imported, a dry run writes nothing, a second import
changes nothing; through import_files, `orgraph import` and the API upload.

The four files live in tests/fixtures/life_ledgers/: the town's org and member rosters (the
members and orgs the ledgers name) and the two ledgers. They are written by this module
(`python tests/importer/test_import_life_ledgers.py` rewrites them) from the tables below, which
are also what the tests expect: each ledger row is either good (with the meeting or payment it
must become) or planted bad (with the column and the message it must be rejected with).
test_fixtures_are_what_the_tables_say checks the committed files against the tables.

The dates of the ledgers all lie before AS_OF (and before any later run of the CLI or the API,
which use today); the one "future" date is a typo (2062 for 2026).

The last tests take one spelling or one case at a time, in a file of one or two rows: the ways
a county also writes a meeting type, a date, a month, a header or a member list, and the
duplicates and mix-ups that only show once references are resolved.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from importer_helpers import AS_OF, CJK, KEY, id_hash, node_count, run_import
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from tests.environ import without_settings

from orgraph.importer.report import FileReport, ImportReport
from orgraph.roster import parse_file
from orgraph.roster.idnumber import check_digit

if TYPE_CHECKING:
    from tests.engines import GraphHost

    from orgraph.store import GraphStore

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "life_ledgers"
ORGS_FILE = "党组织.csv"
MEMBERS_FILE = "党员花名册.csv"
MEETINGS_FILE = "东溪镇2026年度三会一课落实情况登记台账.xlsx"
DUES_FILE = "东溪镇党委2026年度党费收缴台账.csv"
BASE = (ORGS_FILE, MEMBERS_FILE)
LEDGERS = (MEETINGS_FILE, DUES_FILE)
FILES = (*BASE, *LEDGERS)
DUES_ENCODING = "gb18030"

# -- the town: orgs and members ----------------------------------------------------------------

DW, SC, SCG, XC, ZZ, Z1, Z2 = (
    "3302261000",
    "3302261001",
    "3302261011",
    "3302261002",
    "3302261003",
    "3302261031",
    "3302261032",
)
# (组织编号, 组织名称, 组织类别, 上级组织编号)
ORGS: list[tuple[str, str, str, str]] = [
    (DW, "中共宁海县东溪镇委员会", "党委", ""),
    (SC, "上村党支部", "党支部", DW),
    (SCG, "上村第一党小组", "党小组", SC),
    (XC, "下村党支部", "党支部", DW),
    (ZZ, "中村党总支", "党总支", DW),
    (Z1, "中村第一党支部", "党支部", ZZ),
    (Z2, "中村第二党支部", "党支部", ZZ),
]
ORG_NAME = {o[0]: o[1] for o in ORGS}


@dataclass(frozen=True)
class Person:
    handle: str  # the 人员编号, or a handle of the test's own for a member who has none
    name: str
    male: bool
    born: date
    branch: str
    group: str = ""
    probationary: bool = False
    numbered: bool = True  # False: the roster leaves 人员编号 empty (known by ID number only)

    @property
    def id_number(self) -> str:
        seq = f"{PEOPLE.index(self) + 10:02d}{1 if self.male else 2}"
        body = f"330226{self.born:%Y%m%d}{seq}"
        return body + check_digit(body)

    @property
    def key(self) -> str:
        """The member's graph key: the 人员编号, else the keyed hash of the ID number."""
        return self.handle if self.numbered else "h:" + id_hash(self.id_number)


PEOPLE: list[Person] = [
    Person("DY0101", "陈建国", True, date(1962, 3, 14), SC),
    Person("DY0102", "王秀英", False, date(1968, 7, 2), SC),
    Person("DY0103", "李志强", True, date(1975, 11, 20), SC, SCG),
    Person("DY0104", "张玉兰", False, date(1980, 1, 5), SC, SCG),
    Person("DY0105", "刘德明", True, date(1955, 9, 30), SC, SCG),
    Person("DY0106", "王䶮", True, date(1990, 5, 18), SC, SCG),  # 䶮: not in GBK
    Person("DY0107", "赵丽华", False, date(1988, 12, 12), SC),
    Person("DY0108", "周海涛", True, date(1996, 4, 8), SC, probationary=True),
    Person("DY0201", "吴国平", True, date(1960, 2, 22), XC),
    Person("DY0202", "徐桂芳", False, date(1966, 6, 16), XC),
    Person("DY0203", "孙立新", True, date(1972, 8, 8), XC),
    Person("DY0204", "胡晓燕", False, date(1985, 10, 10), XC),
    Person("DY0205", "朱永康", True, date(1978, 3, 3), XC),
    Person("DY0206", "陈𠮷", True, date(1995, 7, 7), XC),  # 𠮷: four bytes in GB18030
    Person("QXM", "钱新民", True, date(1983, 1, 26), XC, numbered=False),  # just transferred in
    Person("DY0311", "林福生", True, date(1958, 1, 15), Z1),
    Person("DY0312", "何美玲", False, date(1970, 4, 25), Z1),
    Person("DY0313", "郭志勇", True, date(1983, 9, 9), Z1),
    Person("DY0314", "马晓东", True, date(1991, 11, 11), Z1),
    Person("DY0315", "罗春梅", False, date(1976, 5, 5), Z1),
    Person("DY0321", "高建华", True, date(1964, 12, 1), Z2),
    Person("DY0322", "梁秀珍", False, date(1969, 2, 14), Z2),
    Person("DY0323", "宋文斌", True, date(1987, 6, 30), Z2),
    Person("DY0324", "郑小红", False, date(1992, 8, 18), Z2),
    Person("DY0325", "谢长青", True, date(1957, 10, 20), Z2),
]
BY_HANDLE = {p.handle: p for p in PEOPLE}


def _ref(token: str) -> str:
    """A ledger's reference to a member: "DY0101" as is, "#DY0106" the member's ID number."""
    return BY_HANDLE[token[1:]].id_number if token.startswith("#") else token


def _key(token: str) -> str:
    return BY_HANDLE[token.lstrip("#")].key


def _bad_id() -> str:
    """A well-formed ID number whose check character is wrong."""
    body = "33022619790312051"
    good = check_digit(body)
    return body + ("1" if good != "1" else "2")


# -- the meetings ledger -----------------------------------------------------------------------

MEETING_TITLE = "东溪镇2026年度“三会一课”落实情况登记台账"
MEETING_NOTE = "填报单位（盖章）：中共宁海县东溪镇委员会　　　　　　　　　　填报时间：2026年11月2日"
MEETING_FOOTER = "填报人：李明　　　审核人：陈建国　　　联系电话：0574-65551234"
# Two header rows: 参会人数 spans 应到/实到, every other header is merged down over both.
MEETING_TOP = [
    "序号",
    "党组织名称",
    "组织编号",
    "会议类型",
    "会议时间",
    "会议主题",
    "参会人数",
    None,
    "参加人员",
    "缺席人员",
    "主持人",
    "备注",
]
MEETING_SUB = {6: "应到", 7: "实到"}
MEETING_FIRST_ROW = 5  # Excel row of the first data row
Cell = str | int | datetime | None


@dataclass(frozen=True)
class MeetingRow:
    org: str  # 组织编号
    type_cell: str
    on: Cell
    topic: str
    expected: int | None = None
    present: int | None = None
    attendees: tuple[str, ...] = ()  # member handles, "#handle" written as the ID number
    absentees: tuple[str, ...] = ()
    sep: str = "、"
    host: str = ""
    remark: str = ""
    org_cell: Cell = None  # the 组织编号 cell when not the text of `org` (e.g. a number)
    raw_attendees: str | None = None  # the 参加人员 cell verbatim, overriding `attendees`
    raw_absentees: str | None = None
    # Good rows: (type code, date); planted bad rows: None.
    want: tuple[str, str] | None = None
    # Planted bad rows: (column, a fragment of the message; "{first}" = the first row's number).
    bad: tuple[str, str] | None = None


def xl(y: int, m: int, d: int) -> datetime:
    """A date as Excel stores a real date cell."""
    return datetime(y, m, d)


def good(
    org: str, type_cell: str, on: Cell, topic: str, type_code: str, iso: str, **kw: Any
) -> MeetingRow:
    return MeetingRow(org, type_cell, on, topic, want=(type_code, iso), **kw)


def bad(
    org: str, type_cell: str, on: Cell, topic: str, column: str, message: str, **kw: Any
) -> MeetingRow:
    return MeetingRow(org, type_cell, on, topic, bad=(column, message), **kw)


SC_COMMITTEE = ("DY0101", "DY0102", "DY0107")
SC_FULL = ("DY0101", "DY0102", "DY0103", "DY0104", "DY0105", "DY0106", "DY0107")
XC_ALL = ("DY0201", "DY0202", "DY0203", "DY0204", "DY0205", "DY0206", "#QXM")

# fmt: off
MEETINGS: list[MeetingRow] = [
    # 上村党支部 and its party group
    good(SC, "支委会议", xl(2026, 1, 5), "研究部署2026年党建工作要点", "committee_meeting",
         "2026-01-05", expected=3, present=3, attendees=SC_COMMITTEE, host="陈建国"),
    good(SC, "支部党员大会", "2026.1.10", "传达学习县委全会精神", "general_meeting",
         "2026-01-10", expected=8, present=7, absentees=("DY0108",), host="陈建国",
         remark="周海涛外出务工请假"),
    good(SC, "主题党日活动", "2026年1月10日", "学习《中国共产党纪律处分条例》", "theme_day",
         "2026-01-10", expected=8, present=7, absentees=("DY0108",), host="王秀英"),
    good(SCG, "党小组会议", "2026.2.18", "春节返乡党员座谈交流", "group_meeting", "2026-02-18",
         expected=4, present=4, attendees=("DY0103", "DY0104", "DY0105", "#DY0106"), sep="；",
         host="李志强"),
    good(SC, "专题组织生活会", "2026年2月26日", "2025年度专题组织生活会", "life_meeting",
         "2026-02-26", expected=8, present=6, absentees=("DY0106", "DY0108"), host="陈建国"),
    good(SC, "民主评议", "2026年2月26日", "2025年度民主评议党员", "appraisal", "2026-02-26",
         expected=8, present=6, absentees=("DY0106", "DY0108"), host="陈建国"),
    good(SC, "专题党课", xl(2026, 3, 28), "书记讲党课：以党建引领乡村振兴", "lecture",
         "2026-03-28", expected=8, present=8, host="陈建国"),
    good(SC, "支委会议", "2026/4/3", "研究发展党员工作", "committee_meeting", "2026-04-03",
         expected=3, present=3, attendees=SC_COMMITTEE, sep="，", host="陈建国"),
    good(SC, "支部党员大会", xl(2026, 4, 20), "讨论周海涛同志预备党员转正", "general_meeting",
         "2026-04-20", expected=7, present=7, attendees=SC_FULL, sep="\n", host="陈建国",
         remark="预备党员列席"),
    good(SCG, "党小组会议", "2026.5.12", "学习贯彻中央一号文件精神", "group_meeting",
         "2026-05-12", expected=4, present=3, absentees=("#DY0106",), host="李志强"),
    good(SC, "主题党日活动", "2026.7.1", "庆祝建党105周年重温入党誓词", "theme_day",
         "2026-07-01", expected=8, present=8, host="陈建国"),
    bad(SC, "主题党日活动", "2026.8.8", "开展人居环境整治志愿服务", "缺席人员",
        "花名册中没有这些人员：DY0109", expected=8, present=7, raw_absentees="DY0109"),
    good(SC, "支委会议", xl(2026, 9, 2), "研究秋季森林防火工作", "committee_meeting",
         "2026-09-02", expected=3, present=3, attendees=SC_COMMITTEE, host="陈建国"),
    # 下村党支部
    good(XC, "支部党员大会", "2026年1月16日", "选举出席镇党代会代表", "general_meeting",
         "2026-01-16", expected=7, present=7, attendees=XC_ALL, host="吴国平"),
    good(XC, "主题党日活动", xl(2026, 2, 10), "走访慰问困难党员群众", "theme_day",
         "2026-02-10", expected=7, present=6, absentees=("DY0206",), host="吴国平"),
    bad(XC, "支委会议", "2026.3.6", "研究村集体经济发展项目", "参加人员",
        "“徐桂芳”不是人员编号或身份证号", expected=3, present=3,
        raw_attendees="DY0201、徐桂芳、DY0203"),
    good(XC, "专题组织生活会", "2026年3月12日", "2025年度组织生活会", "life_meeting",
         "2026-03-12", expected=7, present=7, host="吴国平"),
    good(XC, "民主评议", "2026年3月12日", "2025年度民主评议党员", "appraisal", "2026-03-12",
         expected=7, present=7, host="吴国平"),
    bad(XC, "专题党课", "2026.4.22", "学习党的创新理论", "缺席人员",
        "同一人既在参加人员又在缺席人员中", expected=7, present=6,
        attendees=("DY0201", "DY0202", "DY0203", "DY0204", "DY0205", "DY0206"),
        absentees=("DY0204",), host="吴国平"),
    good(XC, "主题党日活动", "2026.6.10", "防汛救灾志愿服务", "theme_day", "2026-06-10",
         expected=7, present=5, absentees=("DY0205", "DY0206"), sep=";", host="徐桂芳"),
    good(XC, "支委会议", "2026/06/28", "研究七一表彰推荐人选", "committee_meeting",
         "2026-06-28", expected=3, present=3, attendees=("DY0201", "DY0202", "DY0203"),
         host="吴国平"),
    # 中村党总支 and its two branches
    good(ZZ, "党员大会", "2026.3.20", "听取总支委员会工作报告", "general_meeting",
         "2026-03-20", expected=10, present=9, absentees=("DY0325",), host="林福生"),
    good(ZZ, "专题党课", xl(2026, 6, 25), "总支书记讲党课：传承红色基因", "lecture",
         "2026-06-25", expected=10, present=10, host="林福生"),
    good(Z1, "支委会议", "2026.1.8", "研究年度工作计划", "committee_meeting", "2026-01-08",
         expected=3, present=3, attendees=("DY0311", "DY0312", "DY0313"), host="林福生"),
    good(Z1, "主题党日活动", "2026年1月15日", "学习党章党规", "theme_day", "2026-01-15",
         expected=5, present=5, host="林福生"),
    bad("3302261033", "主题党日活动", "2026.1.15", "学习党章党规", "组织编号",
        "组织“3302261033”不存在", expected=4, present=4, host="何美玲"),
    good(Z1, "专题组织生活会", xl(2026, 2, 28), "2025年度组织生活会", "life_meeting",
         "2026-02-28", expected=5, present=4, absentees=("DY0314",), host="林福生"),
    good(Z1, "民主评议", xl(2026, 2, 28), "2025年度民主评议党员", "appraisal", "2026-02-28",
         expected=5, present=4, absentees=("DY0314",), host="林福生"),
    bad(Z1, "座谈会", "2026.5.4", "青年党员五四座谈", "会议类型",
        "无法识别的会议类型“座谈会”", expected=5, present=5, host="马晓东"),
    good(Z1, "主题党日活动", "2026.5.15", "参观红色教育基地", "theme_day", "2026-05-15",
         expected=5, present=5, host="林福生"),
    good(Z1, "主题党日活动", "2026.9.15", "开展秋季植树护绿活动", "theme_day", "2026-09-15",
         expected=5, present=5, host="郭志勇"),
    # 中村第二党支部 (its 组织编号 typed as a number in two rows: Excel made them numeric)
    good(Z2, "支部党员大会", xl(2026, 1, 20), "学习贯彻中央经济工作会议精神",
         "general_meeting", "2026-01-20", expected=5, present=5, host="高建华",
         org_cell=int(Z2)),
    good(Z2, "主题党日活动", "2026.3.5", "学雷锋志愿服务", "theme_day", "2026-03-05",
         expected=5, present=4, absentees=("DY0325",), host="高建华"),
    bad(Z2, "主题党日活动", "2062.4.5", "清明祭扫烈士墓", "会议时间", "晚于今天",
        expected=5, present=5, host="高建华"),
    good(Z2, "专题组织生活会", "2026年3月25日", "2025年度组织生活会", "life_meeting",
         "2026-03-25", expected=5, present=5, host="高建华", org_cell=int(Z2)),
    good(Z2, "民主评议", "2026年3月25日", "2025年度民主评议党员", "appraisal", "2026-03-25",
         expected=5, present=5, host="高建华"),
    bad(Z2, "支委会议", None, "研究党员积分管理办法", "会议时间", "必填项“会议时间”为空",
        expected=3, present=3, host="高建华"),
    good(Z2, "专题党课", "2026.7.28", "学习《中国共产党章程》", "lecture", "2026-07-28",
         expected=5, present=5, host="高建华"),
    # the 学雷锋 row entered a second time
    bad(Z2, "主题党日活动", "2026.3.5", "学雷锋志愿服务", "组织编号", "与第{first}行重复",
        expected=5, present=4, absentees=("DY0325",), host="高建华"),
    # the town committee: a lecture for every branch
    good(DW, "专题党课", xl(2026, 6, 30), "镇党委书记讲党课：深化全面从严治党", "lecture",
         "2026-06-30", host="王明远"),
]
# fmt: on


def _list_cell(refs: tuple[str, ...], sep: str, raw: str | None) -> str | None:
    if raw is not None:
        return raw
    return sep.join(_ref(t) for t in refs) if refs else None


def meeting_cells(i: int, m: MeetingRow) -> list[Cell]:
    return [
        i + 1,
        ORG_NAME.get(m.org, "中村第三党支部"),
        m.org_cell if m.org_cell is not None else m.org,
        m.type_cell,
        m.on,
        m.topic,
        m.expected,
        m.present,
        _list_cell(m.attendees, m.sep, m.raw_attendees),
        _list_cell(m.absentees, m.sep, m.raw_absentees),
        m.host or None,
        m.remark or None,
    ]


def write_meetings(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "2026年"
    width = len(MEETING_TOP)
    last = chr(ord("A") + width - 1)
    ws.append([MEETING_TITLE])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(name="方正小标宋简体", size=18)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([MEETING_NOTE])
    ws.merge_cells(f"A2:{last}2")
    ws.append(MEETING_TOP)
    ws.append([MEETING_SUB.get(c) for c in range(width)])
    for c in range(width):
        col = chr(ord("A") + c)
        if c not in MEETING_SUB:
            ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("G3:H3")
    for i, m in enumerate(MEETINGS):
        ws.append(meeting_cells(i, m))
        cell = ws.cell(row=MEETING_FIRST_ROW + i, column=5)
        if isinstance(m.on, datetime):
            cell.number_format = 'yyyy"年"m"月"d"日"'
        for c in (9, 10):
            ws.cell(row=MEETING_FIRST_ROW + i, column=c).alignment = Alignment(wrap_text=True)
    footer = MEETING_FIRST_ROW + len(MEETINGS) + 1  # after one blank row
    ws.cell(row=footer, column=1, value=MEETING_FOOTER)
    ws.merge_cells(f"A{footer}:{last}{footer}")
    wb.properties.creator = "东溪镇党建办"
    wb.properties.created = wb.properties.modified = datetime(2026, 11, 2, 9, 30)
    wb.save(path)


def meeting_row_number(m: MeetingRow) -> int:
    return MEETING_FIRST_ROW + MEETINGS.index(m)


def meeting_first(m: MeetingRow) -> int:
    """The Excel row of the first row with the same org, type, date and topic."""
    same = next(
        k
        for k in MEETINGS
        if (k.org, k.type_cell, k.on, k.topic) == (m.org, m.type_cell, m.on, m.topic)
    )
    return meeting_row_number(same)


def halfwidth(text: str) -> str:
    """Text as the roster layer keeps it: full-width ASCII (the ： of 书记讲党课：) half-width."""
    return "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in text)


def meeting_id(m: MeetingRow) -> str:
    assert m.want is not None
    return f"{m.org}|{m.want[0]}|{m.want[1]}|{halfwidth(m.topic)}"


def expected_meetings() -> dict[str, dict[str, Any]]:
    out = {}
    for m in MEETINGS:
        if m.want is None:
            continue
        out[meeting_id(m)] = {
            "org": m.org,
            "type": m.want[0],
            "on": m.want[1],
            "topic": halfwidth(m.topic),
            "expected": m.expected,
            "present": m.present,
            "attendees": sorted(_key(t) for t in m.attendees),
            "absentees": sorted(_key(t) for t in m.absentees),
        }
    return out


# -- the dues ledger ---------------------------------------------------------------------------

DUES_TITLE = "东溪镇党委2026年度党费收缴台账"
DUES_NOTE = "填报单位：东溪镇党委"
DUES_HEADER = [
    "序号",
    "所在党支部",
    "姓名",
    "人员编号",
    "身份证号码",
    "缴至",
    "缴纳日期",
    "金额(元)",
    "备注",
]
DUES_FIRST_ROW = 4


@dataclass(frozen=True)
class DuesRow:
    who: str  # a member handle, or a name for a person the roster does not hold
    paid_to: str  # the 缴至 cell
    paid_on: str = ""
    amount: str = ""
    by: str = "no"  # "no": 人员编号 only; "id": 身份证号码 only; "both"
    remark: str = ""
    no_cell: str | None = None  # the 人员编号 cell when not the member's own
    id_cell: str | None = None  # the 身份证号码 cell when not the member's own
    want: tuple[str, str | None] | None = None  # good rows: (paid_to, paid_on)
    bad: tuple[str, str] | None = None  # planted bad rows: (column, message fragment)
    month: str | None = None  # a planted duplicate: the month (YYYY-MM) its 缴至 names


def paid(
    who: str, paid_to: str, paid_on: str, amount: str, ym: str, iso: str | None, **kw: Any
) -> DuesRow:
    return DuesRow(who, paid_to, paid_on, amount, want=(ym, iso), **kw)


def wrong(
    who: str, paid_to: str, paid_on: str, amount: str, column: str, message: str, **kw: Any
) -> DuesRow:
    return DuesRow(who, paid_to, paid_on, amount, bad=(column, message), **kw)


# fmt: off
DUES: list[DuesRow] = [
    # 上村党支部: paid up to September in one go, 2026年9月 as people write it
    paid("DY0101", "2026年6月", "2026/6/20", "90.00", "2026-06", "2026-06-20"),
    paid("DY0101", "2026年9月", "2026/9/15", "45.00", "2026-09", "2026-09-15"),
    paid("DY0102", "2026年9月", "2026/9/15", "36.00", "2026-09", "2026-09-15"),
    paid("DY0103", "2026年9月", "2026/9/15", "18.00", "2026-09", "2026-09-15"),
    paid("DY0104", "2026年9月", "2026/9/15", "9.00", "2026-09", "2026-09-15"),
    paid("DY0105", "2026年9月", "2026/9/16", "1.80", "2026-09", "2026-09-16", remark="退休"),
    paid("DY0106", "2026年09月", "2026/9/16", "2.70", "2026-09", "2026-09-16", by="both"),
    paid("DY0107", "2026年9月", "2026/9/16", "27.00", "2026-09", "2026-09-16"),
    paid("DY0108", "2026年9月", "2026/9/18", "3.60", "2026-09", "2026-09-18", remark="预备党员"),
    # 下村党支部: 2026.09 / 202609 as the town's system exports them
    paid("DY0201", "2026.06", "2026.6.25", "60.00", "2026-06", "2026-06-25"),
    paid("DY0201", "2026.09", "2026.9.20", "30.00", "2026-09", "2026-09-20"),
    paid("DY0202", "202609", "20260920", "24.00", "2026-09", "2026-09-20", by="id"),
    paid("DY0203", "202609", "20260920", "12.00", "2026-09", "2026-09-20"),
    wrong("DY0204", "2026", "2026.9.21", "6.00", "缴至", "“2026”缺少月份"),
    paid("DY0205", "2026.09", "2026.9.21", "6.00", "2026-09", "2026-09-21"),
    paid("DY0206", "2026.9", "2026.9.21", "3.00", "2026-09", "2026-09-21", by="both"),
    paid("QXM", "2026.09", "2026.9.22", "15.00", "2026-09", "2026-09-22", by="id",
         remark="2026年5月转入"),
    wrong("孙立平", "2026.09", "2026.9.22", "12.00", "人员编号", "花名册中没有这名党员",
          no_cell="DY0209", id_cell="", remark="外县转入"),
    # 中村第一党支部: ISO months; one payment without a date
    paid("DY0311", "2026-09", "2026年9月18日", "30.00", "2026-09", "2026-09-18"),
    paid("DY0312", "2026-09", "2026年9月18日", "12.00", "2026-09", "2026-09-18"),
    paid("DY0313", "2026-09", "2026年9月18日", "18.00", "2026-09", "2026-09-18"),
    wrong("DY0313", "2026-13", "2026年9月18日", "6.00", "缴至", "月份无效"),
    paid("DY0314", "2026-09", "", "9.00", "2026-09", None, remark="微信转账，日期不详"),
    paid("DY0315", "2026-09", "2026-09-25", "6.00", "2026-09", "2026-09-25", by="id"),
    wrong("DY0312", "2026年9月", "2026年9月28日", "12.00", "人员编号",
          "与第{first}行重复（同一党员缴至同一月份）", remark="重复登记", month="2026-09"),
    # 中村第二党支部: up to October; one member paid the first quarter separately
    paid("DY0321", "2026年3月", "2026/3/28", "45.00", "2026-03", "2026-03-28"),
    paid("DY0321", "2026年10月", "2026/10/12", "105.00", "2026-10", "2026-10-12"),
    paid("DY0322", "2026年10月", "2026/10/12", "30.00", "2026-10", "2026-10-12"),
    wrong("吕国强", "2026年10月", "2026/10/12", "20.00", "身份证号码", "校验位",
          by="id", id_cell=_bad_id(), remark="流入党员"),
    paid("DY0323", "2026年10月", "2026/10/12", "20.00", "2026-10", "2026-10-12"),
    paid("DY0324", "2026年10月", "2026/10/13", "10.00", "2026-10", "2026-10-13"),
    paid("DY0325", "2026年10月", "2026/10/13", "2.00", "2026-10", "2026-10-13", by="both"),
]
# fmt: on


def dues_cells(i: int, d: DuesRow) -> list[str]:
    person = BY_HANDLE.get(d.who)
    no = d.no_cell if d.no_cell is not None else (d.who if person and person.numbered else "")
    idn = d.id_cell if d.id_cell is not None else (person.id_number if person else "")
    if d.by == "id":
        no = ""
    elif d.by == "no":
        idn = d.id_cell or ""
    branch = ORG_NAME[person.branch] if person else ORG_NAME[Z2]
    return [
        str(i + 1),
        branch,
        person.name if person else d.who,
        no,
        idn,
        d.paid_to,
        d.paid_on,
        d.amount,
        d.remark,
    ]


def write_dues(path: Path) -> None:
    width = len(DUES_HEADER)
    total = sum(float(d.amount) for d in DUES)
    rows = [
        [DUES_TITLE] + [""] * (width - 1),
        [DUES_NOTE] + [""] * (width - 3) + ["单位：元", ""],
        DUES_HEADER,
        *(dues_cells(i, d) for i, d in enumerate(DUES)),
        ["合计"] + [""] * (width - 3) + [f"{total:.2f}", ""],
    ]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(DUES_ENCODING))


def dues_row_number(d: DuesRow) -> int:
    return DUES_FIRST_ROW + DUES.index(d)


def dues_first(d: DuesRow) -> int:
    return dues_row_number(
        next(k for k in DUES if k.want and (k.who, k.want[0]) == (d.who, d.month))
    )


def expected_dues() -> dict[str, dict[str, Any]]:
    out = {}
    for d in DUES:
        if d.want is None:
            continue
        member = BY_HANDLE[d.who].key
        out[f"{member}|{d.want[0]}"] = {
            "member": member,
            "paid_to": d.want[0],
            "paid_on": d.want[1],
            "amount": d.amount,
        }
    return out


# -- the base rosters --------------------------------------------------------------------------


def _write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def write_base(folder: Path) -> None:
    _write_csv(
        folder / ORGS_FILE,
        [["组织编号", "组织名称", "组织类别", "上级组织编号"], *map(list, ORGS)],
    )
    _write_csv(
        folder / MEMBERS_FILE,
        [
            [
                "姓名",
                "公民身份号码",
                "人员编号",
                "性别",
                "出生日期",
                "人员类别",
                "入党日期",
                "所在党支部",
                "所在党小组",
            ],
            *(
                [
                    p.name,
                    p.id_number,
                    p.handle if p.numbered else "",
                    "男" if p.male else "女",
                    p.born.isoformat(),
                    "预备党员" if p.probationary else "正式党员",
                    f"{max(p.born.year + 25, 1985)}-07-01" if not p.probationary else "2025-04-20",
                    ORG_NAME[p.branch],
                    ORG_NAME.get(p.group, ""),
                ]
                for p in PEOPLE
            ),
        ],
    )


def write_fixtures(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_base(folder)
    write_meetings(folder / MEETINGS_FILE)
    write_dues(folder / DUES_FILE)


# -- what the tests expect ---------------------------------------------------------------------


def planted() -> dict[str, dict[tuple[int, str], str]]:
    """Per ledger: {(Excel row, column): message fragment} of every planted bad row."""
    meetings, dues = {}, {}
    for m in MEETINGS:
        if m.bad:
            column, message = m.bad
            first = meeting_first(m) if "{first}" in message else 0
            meetings[(meeting_row_number(m), column)] = message.format(first=first)
    for d in DUES:
        if d.bad:
            column, message = d.bad
            first = dues_first(d) if "{first}" in message else 0
            dues[(dues_row_number(d), column)] = message.format(first=first)
    return {MEETINGS_FILE: meetings, DUES_FILE: dues}


def fixture_paths(names: tuple[str, ...] = FILES) -> list[Path]:
    return [FIXTURES / n for n in names]


def by_name(report: ImportReport) -> dict[str, FileReport]:
    out = {Path(f.path).name: f for f in report.files}
    assert len(out) == len(report.files), "one sheet per file expected"
    return out


def check_rejections(name: str, issues: list[dict[str, Any]]) -> None:
    """Exactly the planted rows, one issue each, at the planted column, in Chinese."""
    want = planted()[name]
    got = Counter((i["row"], i["column"]) for i in issues)
    assert got == Counter(list(want)), (name, sorted(got), sorted(want))
    for i in issues:
        fragment = want[(i["row"], i["column"])]
        assert fragment in i["message"], (name, i)
        assert CJK.search(i["message"]), i


def issue_dicts(f: FileReport) -> list[dict[str, Any]]:
    return [
        {"row": i.row, "column": i.column, "value": i.value, "message": i.message}
        for i in f.rejected
    ]


def row_warnings(f: FileReport, header_row: int) -> list[Any]:
    """Warnings on data rows (a dropped value); header warnings (an unused column) aside."""
    return [w for w in f.warnings if w.row is not None and w.row > header_row]


HEADER_ROW = {MEETINGS_FILE: MEETING_FIRST_ROW - 1, DUES_FILE: DUES_FIRST_ROW - 1}
N_MEETINGS = sum(1 for m in MEETINGS if m.want)
N_DUES = sum(1 for d in DUES if d.want)


def check_report(report: ImportReport, *, dry_run: bool = False) -> None:
    files = by_name(report)
    assert set(files) == set(FILES)
    for name in BASE:
        f = files[name]
        assert (f.rejected, f.errors, f.warnings) == ([], [], []), name
    m, d = files[MEETINGS_FILE], files[DUES_FILE]
    assert (m.kind, d.kind) == ("meetings", "dues")
    assert (m.rows, d.rows) == (len(MEETINGS), len(DUES))
    check_rejections(MEETINGS_FILE, issue_dicts(m))
    check_rejections(DUES_FILE, issue_dicts(d))
    for f in (m, d):
        assert f.errors == []
        assert row_warnings(f, HEADER_ROW[Path(f.path).name]) == []
    assert (m.created, m.updated, m.unchanged) == (N_MEETINGS, 0, 0)
    assert (d.created, d.updated, d.unchanged) == (N_DUES, 0, 0)
    assert report.dry_run is dry_run


def stored_meetings(store: GraphStore) -> dict[str, dict[str, Any]]:
    out = {}
    for r in store.read("testing_meetings"):
        out[r["id"]] = {
            "org": r["org"],
            "type": r["type"],
            "on": r["on"],
            "topic": r["topic"],
            "expected": r["expected"],
            "present": r["present"],
            "attendees": sorted(r["attendees"]),
            "absentees": sorted(r["absentees"]),
        }
    return out


def stored_dues(store: GraphStore) -> dict[str, dict[str, Any]]:
    return {
        r["id"]: {
            "member": r["member"],
            "paid_to": r["paid_to"],
            "paid_on": r["paid_on"],
            "amount": r["amount"],
        }
        for r in store.read("testing_dues")
    }


def rel_counts(store: GraphStore) -> dict[str, int]:
    return {r["rel"]: int(r["n"]) for r in store.read("testing_rel_counts")}


def check_graph(store: GraphStore) -> None:
    assert stored_meetings(store) == expected_meetings()
    assert stored_dues(store) == expected_dues()
    labels = {r["label"]: int(r["nodes"]) for r in store.read("count_by_label")}
    assert (labels.get("Meeting"), labels.get("Dues")) == (N_MEETINGS, N_DUES)
    rels = rel_counts(store)
    want = expected_meetings().values()
    assert rels.get("ATTENDED", 0) == sum(len(k["attendees"]) for k in want)
    assert rels.get("ABSENT_FROM", 0) == sum(len(k["absentees"]) for k in want)
    assert rels.get("HELD_BY", 0) == N_MEETINGS and rels.get("PAID", 0) == N_DUES


# -- the fixtures themselves -------------------------------------------------------------------


def test_fixtures_are_what_the_tables_say(tmp_path: Path) -> None:
    """The committed files are this module's tables, as written by write_fixtures; small."""
    write_fixtures(tmp_path)
    for name in FILES:
        committed = FIXTURES / name
        assert committed.stat().st_size < 50_000, name
        if name.endswith(".csv"):
            assert committed.read_bytes() == (tmp_path / name).read_bytes(), name
    ours, theirs = (load_workbook(p / MEETINGS_FILE) for p in (tmp_path, FIXTURES))
    assert ours.sheetnames == theirs.sheetnames
    a, b = ours.worksheets[0], theirs.worksheets[0]
    assert sorted(map(str, a.merged_cells.ranges)) == sorted(map(str, b.merged_cells.ranges))
    assert [[c.value for c in r] for r in a.iter_rows()] == [
        [c.value for c in r] for r in b.iter_rows()
    ]
    # The dues ledger needs GB18030: its rare names are not in GBK.
    raw = (FIXTURES / DUES_FILE).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("gbk")
    assert "陈𠮷" in raw.decode(DUES_ENCODING)
    # Every planted bad row is a different row, and ~1 in 6 rows is bad.
    assert len(planted()[MEETINGS_FILE]) == 8 and len(planted()[DUES_FILE]) == 5
    assert N_MEETINGS == 32 and N_DUES == 27


def test_ledgers_are_recognised_without_a_kind() -> None:
    """Header detection alone tells both ledgers (the xlsx's sheet is named "2026年", which
    hints nothing); the dues ledger is read as GB18030 with its rare characters intact."""
    for name, kind, header_row in (
        (MEETINGS_FILE, "meetings", MEETING_FIRST_ROW - 1),
        (DUES_FILE, "dues", DUES_FIRST_ROW - 1),
    ):
        (sheet,) = parse_file(FIXTURES / name, key=KEY, today=AS_OF)
        assert (sheet.kind, sheet.header_row, sheet.errors) == (kind, header_row, []), name
    (dues,) = parse_file(FIXTURES / DUES_FILE, key=KEY, today=AS_OF)
    assert dues.encoding == DUES_ENCODING
    names = {r.values.get("name") for r in dues.records}
    assert {"王䶮", "陈𠮷"} <= names
    (meetings,) = parse_file(FIXTURES / MEETINGS_FILE, key=KEY, today=AS_OF)
    assert meetings.columns["expected"] == "参会人数/应到"
    assert meetings.columns["present"] == "参会人数/实到"


def test_ledgers_recognised_under_a_neutral_file_name(tmp_path: Path) -> None:
    """The dues CSV's name says 党费; a copy named otherwise is still a dues ledger."""
    copy = tmp_path / "export_20261102.csv"
    copy.write_bytes((FIXTURES / DUES_FILE).read_bytes())
    (sheet,) = parse_file(copy, key=KEY, today=AS_OF)
    assert sheet.kind == "dues" and sheet.errors == []


# -- importing, on both engines ----------------------------------------------------------------


def test_import_names_every_bad_row_and_keeps_the_rest(store: GraphStore) -> None:
    report = run_import(store, fixture_paths())
    check_report(report)
    check_graph(store)

    # The same files again: nothing created, nothing updated, the graph as it was.
    before = (stored_meetings(store), stored_dues(store), rel_counts(store), node_count(store))
    again = by_name(run_import(store, fixture_paths()))
    for name in FILES:
        f = again[name]
        assert (f.created, f.updated) == (0, 0), name
    assert again[MEETINGS_FILE].unchanged == N_MEETINGS
    assert again[DUES_FILE].unchanged == N_DUES
    check_rejections(MEETINGS_FILE, issue_dicts(again[MEETINGS_FILE]))
    check_rejections(DUES_FILE, issue_dicts(again[DUES_FILE]))
    after = (stored_meetings(store), stored_dues(store), rel_counts(store), node_count(store))
    assert after == before


def test_ledgers_in_a_call_of_their_own(store: GraphStore) -> None:
    """The usual order of work: the rosters first, the ledgers in a later import."""
    first = by_name(run_import(store, fixture_paths(BASE)))
    assert all(f.rejected == [] for f in first.values())
    report = run_import(store, fixture_paths(LEDGERS))
    files = by_name(report)
    check_rejections(MEETINGS_FILE, issue_dicts(files[MEETINGS_FILE]))
    check_rejections(DUES_FILE, issue_dicts(files[DUES_FILE]))
    assert files[MEETINGS_FILE].created == N_MEETINGS and files[DUES_FILE].created == N_DUES
    check_graph(store)


def test_dry_run_writes_nothing(store: GraphStore) -> None:
    report = run_import(store, fixture_paths(), dry_run=True)
    check_report(report, dry_run=True)
    assert node_count(store) == 0

    # Over a graph that has the rosters: the ledgers' rows are counted, nothing is written.
    run_import(store, fixture_paths(BASE))
    nodes = node_count(store)
    files = by_name(run_import(store, fixture_paths(LEDGERS), dry_run=True))
    assert (files[MEETINGS_FILE].created, files[DUES_FILE].created) == (N_MEETINGS, N_DUES)
    check_rejections(MEETINGS_FILE, issue_dicts(files[MEETINGS_FILE]))
    check_rejections(DUES_FILE, issue_dicts(files[DUES_FILE]))
    assert node_count(store) == nodes
    assert stored_meetings(store) == {} and stored_dues(store) == {}
    assert not {"ATTENDED", "ABSENT_FROM", "HELD_BY", "PAID"} & set(rel_counts(store))


ORGRAPH = Path(sys.executable).with_name("orgraph")


def test_cli_import(store: GraphStore, graph_host: GraphHost, tmp_path: Path) -> None:
    """`orgraph import` with no --kind, as a user runs it: exit code 1 (rows were rejected),
    the JSON report names the planted rows, the graph holds the rest."""
    env = without_settings()
    env.update(
        graph_host.env(store),
        ORGRAPH_DATA_DIR=str(tmp_path),
        ORGRAPH_ID_HASH_KEY=KEY.decode(),
        COLUMNS="200",
        NO_COLOR="1",
    )
    out = tmp_path / "report.json"
    done = subprocess.run(
        [str(ORGRAPH), "import", *map(str, fixture_paths()), "--report", str(out)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "拒绝" in done.stdout
    data = json.loads(out.read_text("utf-8"))
    files = {Path(f["path"]).name: f for f in data["files"]}
    assert {n: f["kind"] for n, f in files.items()} == {
        ORGS_FILE: "orgs",
        MEMBERS_FILE: "members",
        MEETINGS_FILE: "meetings",
        DUES_FILE: "dues",
    }
    for name in LEDGERS:
        check_rejections(name, files[name]["rejected"])
    assert files[MEETINGS_FILE]["created"] == N_MEETINGS
    assert files[DUES_FILE]["created"] == N_DUES
    # No raw ID number in the report (the invalid one and those in the attendance lists).
    text = out.read_text("utf-8")
    assert [p.handle for p in PEOPLE if p.id_number in text] == []
    assert _bad_id() not in text
    check_graph(store)


def test_api_upload(store: GraphStore, tmp_path: Path) -> None:
    """POST /imports/auto with the four files (dry_run=false): the same report and graph."""
    from tests.api.conftest import add_users, login, user_store
    from tests.live_api import live_api

    from orgraph.config import Settings

    settings = Settings(data_dir=tmp_path, jwt_secret="", id_hash_key=KEY.decode())
    add_users(tmp_path)
    with live_api(store, tmp_path, settings=settings, users=user_store(tmp_path)) as url:
        c = login(url, "county")
        files = [
            ("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in fixture_paths()
        ]
        r = c.post("/imports/auto", params={"dry_run": False}, files=files)
        assert r.status_code == 200, r.text
        doc = r.json()
    got = {f["path"]: f for f in doc["files"]}
    assert {n: f["kind"] for n, f in got.items()} == {
        ORGS_FILE: "orgs",
        MEMBERS_FILE: "members",
        MEETINGS_FILE: "meetings",
        DUES_FILE: "dues",
    }
    for name in LEDGERS:
        check_rejections(name, got[name]["rejected"])
    assert doc["totals"]["rejected"] == sum(len(v) for v in planted().values())
    check_graph(store)


# -- what a county also writes (each case one small file) ---------------------------------------


def _one_meeting(tmp_path: Path, header: dict[str, str], row: dict[str, Cell]) -> Any:
    """Parse a one-row meetings sheet (title row, then header) without a kind."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["组织生活登记表"])
    ws.append(list(header.values()))
    ws.append([row.get(k) for k in header])
    path = tmp_path / "ledger.xlsx"
    wb.save(path)
    (sheet,) = parse_file(path, key=KEY, today=AS_OF)
    return sheet


BASE_HEADER = {"org": "组织编号", "type": "会议类型", "on": "会议时间", "topic": "会议主题"}
BASE_ROW: dict[str, Cell] = {"org": SC, "type": "主题党日", "on": "2026.3.5", "topic": "学习"}


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("党支部委员会会议", "committee_meeting"),
        ("支部委员会议", "committee_meeting"),
        ("支部大会", "general_meeting"),
        ("支部主题党日", "theme_day"),
        ("廉政党课", "lecture"),
        ("微党课", "lecture"),
        ("党小组学习会", "group_meeting"),
    ],
)
def test_meeting_type_spellings(tmp_path: Path, spelling: str, code: str) -> None:
    sheet = _one_meeting(tmp_path, BASE_HEADER, {**BASE_ROW, "type": spelling})
    assert sheet.rejected == [] and sheet.records[0].values["type"] == code


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("2026年3月5日上午", "2026-03-05"),
        ("2026年3月5日（星期四）", "2026-03-05"),
        ("2026.3.5 上午9:00", "2026-03-05"),
    ],
)
def test_meeting_date_spellings(tmp_path: Path, written: str, iso: str) -> None:
    sheet = _one_meeting(tmp_path, BASE_HEADER, {**BASE_ROW, "on": written})
    assert sheet.rejected == [] and sheet.records[0].values["on"] == iso


@pytest.mark.parametrize(
    ("key", "header"),
    [
        ("topic", "会议名称"),
        ("topic", "会议议题"),
        ("topic", "学习内容"),
        ("expected", "应参会人数"),
        ("present", "实际参会人数"),
        ("present", "参会人数"),
        ("absentees", "缺席人员及原因"),
    ],
)
def test_meeting_header_spellings(tmp_path: Path, key: str, header: str) -> None:
    values: dict[str, Cell] = {
        "topic": "学习党章",
        "expected": 5,
        "present": 4,
        "absentees": "DY0101",
    }
    value = values[key]
    sheet = _one_meeting(tmp_path, {**BASE_HEADER, key: header}, {**BASE_ROW, key: value})
    assert sheet.kind == "meetings" and sheet.warnings == [], sheet.warnings
    assert sheet.records[0].values[key] == (["DY0101"] if key == "absentees" else value)


def _one_payment(tmp_path: Path, header: dict[str, str], row: dict[str, str]) -> Any:
    path = tmp_path / "dues.csv"
    _write_csv(path, [list(header.values()), [row.get(k, "") for k in header]], DUES_ENCODING)
    (sheet,) = parse_file(path, key=KEY, today=AS_OF)
    return sheet


DUES_BASE_HEADER = {"name": "姓名", "member_no": "人员编号", "paid_to": "缴至"}
DUES_BASE_ROW = {"name": "陈建国", "member_no": "DY0101", "paid_to": "2026年9月"}


@pytest.mark.parametrize("written", ["2026年9月份", "2026年09月份"])
def test_month_spellings(tmp_path: Path, written: str) -> None:
    sheet = _one_payment(tmp_path, DUES_BASE_HEADER, {**DUES_BASE_ROW, "paid_to": written})
    assert sheet.rejected == [] and sheet.records[0].values["paid_to"] == "2026-09"


@pytest.mark.parametrize(
    ("key", "header", "value", "want"),
    [
        ("paid_to", "缴费月份", "2026年9月", "2026-09"),
        ("paid_to", "缴纳月份", "2026年9月", "2026-09"),
        ("paid_to", "党费所属月份", "2026年9月", "2026-09"),
        ("paid_on", "缴费时间", "2026/9/15", "2026-09-15"),
        ("amount", "实缴党费(元)", "24.00", "24.00"),
        ("amount", "交纳党费金额", "24.00", "24.00"),
    ],
)
def test_dues_header_spellings(
    tmp_path: Path, key: str, header: str, value: str, want: str
) -> None:
    sheet = _one_payment(tmp_path, {**DUES_BASE_HEADER, key: header}, {**DUES_BASE_ROW, key: value})
    assert sheet.kind == "dues" and sheet.warnings == [], sheet.warnings
    assert sheet.records[0].values[key] == want


def test_id_number_header_spelt_with_zheng(tmp_path: Path) -> None:
    """公民身份证号码 (the official 公民身份号码 with a 证) is the most common misspelling."""
    p = PEOPLE[0]
    sheet = _one_payment(
        tmp_path,
        {"name": "姓名", "id_number": "公民身份证号码", "paid_to": "缴至"},
        {"name": p.name, "id_number": p.id_number, "paid_to": "2026年9月"},
    )
    assert sheet.kind == "dues" and sheet.warnings == [] and sheet.rejected == []
    assert sheet.records[0].values["member_key"] == "h:" + id_hash(p.id_number)


def test_same_payment_by_number_and_by_id_number(store: GraphStore, tmp_path: Path) -> None:
    """One member, one month, entered twice — once by 人员编号, once by 身份证号码: the second
    row is a duplicate as much as when both rows give the 人员编号, and is named as one
    (not merged silently into the first row's payment)."""
    run_import(store, fixture_paths(BASE))
    p = BY_HANDLE["DY0102"]
    path = tmp_path / "党费.csv"
    _write_csv(
        path,
        [
            ["姓名", "人员编号", "身份证号码", "缴至", "缴纳日期", "金额(元)"],
            [p.name, p.handle, "", "2026年9月", "2026/9/15", "36.00"],
            [p.name, "", p.id_number, "2026年9月", "2026/9/28", "36.00"],
        ],
        DUES_ENCODING,
    )
    (f,) = run_import(store, [path]).files
    assert (f.created, f.updated, f.unchanged) == (1, 0, 0)
    assert [(i.row, i.column) for i in f.rejected] == [(3, "身份证号码")]
    assert "与第2行重复" in f.rejected[0].message
    assert stored_dues(store)[f"{p.key}|2026-09"]["paid_on"] == "2026-09-15"


LIST_HEADER = {**BASE_HEADER, "absentees": "缺席人员"}


@pytest.mark.parametrize(
    "written", ["DY0101\nDY0102", "DY0101 DY0102", "DY0101\u3000DY0102", "DY0101、 DY0102"]
)
def test_member_lists_split_on_line_breaks_and_spaces(tmp_path: Path, written: str) -> None:
    """A list typed one per line (Alt+Enter in the cell) or with spaces is two members, not
    one code "DY0101DY0102" that the import then calls unknown."""
    sheet = _one_meeting(tmp_path, LIST_HEADER, {**BASE_ROW, "absentees": written})
    assert sheet.rejected == [] and sheet.records[0].values["absentees"] == ["DY0101", "DY0102"]


@pytest.mark.parametrize("written", ["无", "全到", "-", "—", "/"])
def test_nobody_absent(tmp_path: Path, written: str) -> None:
    """ "无" or a dash in 缺席人员 is how a ledger says nobody was absent."""
    sheet = _one_meeting(tmp_path, LIST_HEADER, {**BASE_ROW, "absentees": written})
    assert sheet.rejected == [] and "absentees" not in sheet.records[0].values


def test_absentees_with_their_reasons(tmp_path: Path) -> None:
    """缺席人员 with the reason in brackets after each number: the numbers are the list."""
    written = "DY0102（外出务工）、DY0106（病假）"
    sheet = _one_meeting(tmp_path, LIST_HEADER, {**BASE_ROW, "absentees": written})
    assert sheet.rejected == [] and sheet.records[0].values["absentees"] == ["DY0102", "DY0106"]


def _meetings_xlsx(path: Path, header: list[str], rows: list[list[Cell]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([MEETING_TITLE])
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_ledger_naming_its_orgs_by_name_only(store: GraphStore, tmp_path: Path) -> None:
    """Many ledgers carry 党组织名称 and no 组织编号: the import resolves a unique name, as it
    does for a member's 所在党支部, instead of refusing the sheet."""
    run_import(store, fixture_paths(BASE))
    path = _meetings_xlsx(
        tmp_path / "台账.xlsx",
        ["序号", "党组织名称", "会议类型", "会议时间", "会议主题"],
        [[1, "上村党支部", "主题党日活动", "2026.3.5", "学雷锋志愿服务"]],
    )
    (f,) = run_import(store, [path]).files
    assert (f.kind, f.errors, f.rejected, f.created) == ("meetings", [], [], 1)
    assert list(stored_meetings(store)) == [f"{SC}|theme_day|2026-03-05|学雷锋志愿服务"]


def test_same_meeting_by_org_id_and_by_org_name(store: GraphStore, tmp_path: Path) -> None:
    """One meeting entered twice, once under its 组织编号 and once under the org's name (both
    resolve to the same org): the second row is named as a duplicate of the first."""
    run_import(store, fixture_paths(BASE))
    path = _meetings_xlsx(
        tmp_path / "台账.xlsx",
        ["组织编号", "会议类型", "会议时间", "会议主题", "缺席人员"],
        [
            [SC, "主题党日活动", "2026.3.5", "学雷锋志愿服务", "DY0108"],
            ["上村党支部", "主题党日活动", "2026.3.5", "学雷锋志愿服务", "DY0107"],
        ],
    )
    (f,) = run_import(store, [path]).files
    assert (f.created, f.updated, f.unchanged) == (1, 0, 0)
    assert [(i.row, i.column) for i in f.rejected] == [(4, "组织编号")]
    assert "与第3行重复" in f.rejected[0].message


def test_unknown_id_number_in_a_list_is_shown_masked(store: GraphStore, tmp_path: Path) -> None:
    """An absentee given by an ID number the roster does not hold: the message shows that
    number masked as everywhere else (330226********1234), never a piece of its hash."""
    run_import(store, fixture_paths(BASE))
    body = "33022619850615123"
    stranger = body + check_digit(body)
    path = _meetings_xlsx(
        tmp_path / "台账.xlsx",
        ["组织编号", "会议类型", "会议时间", "会议主题", "缺席人员"],
        [[SC, "主题党日活动", "2026.3.5", "学雷锋志愿服务", f"DY0108、{stranger}"]],
    )
    (f,) = run_import(store, [path]).files
    assert [(i.row, i.column) for i in f.rejected] == [(3, "缺席人员")]
    message = f.rejected[0].message
    assert f"{stranger[:6]}********{stranger[-4:]}" in message, message
    assert stranger not in message and "DY0108" not in message


def test_number_and_id_number_of_two_people(store: GraphStore, tmp_path: Path) -> None:
    """A payment row whose 人员编号 and 身份证号码 name two different members is rejected (the
    payment would silently go to whichever the import looks up first)."""
    run_import(store, fixture_paths(BASE))
    a, b = BY_HANDLE["DY0101"], BY_HANDLE["DY0102"]
    path = tmp_path / "党费.csv"
    _write_csv(
        path,
        [
            ["姓名", "人员编号", "身份证号码", "缴至", "缴纳日期"],
            [b.name, a.handle, b.id_number, "2026年9月", "2026/9/15"],
        ],
        DUES_ENCODING,
    )
    (f,) = run_import(store, [path]).files
    assert f.created == 0 and [i.row for i in f.rejected] == [2]
    assert CJK.search(f.rejected[0].message)
    assert stored_dues(store) == {}


if __name__ == "__main__":
    write_fixtures(FIXTURES)
    print(f"written: {', '.join(FILES)} in {FIXTURES}")
