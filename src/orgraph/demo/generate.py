"""`generate()`: write a demo county (or city) as the seven roster files a county hands over.

Files (headers are the Chinese names of docs/design.md#rosters):

  行政区划.xlsx          areas            sheet 行政区划
  党组织.xlsx            orgs             sheet 党组织
  党员花名册.xlsx        members          merged title row, 序号 column, ID/phone as text;
                                           a second sheet 补报党员 (same layout) lists a few
                                           members again under another branch
  农户.csv               households       GB18030
  联系关系.csv           contacts         UTF-8 with BOM
  流动党员外出登记.xlsx  outflows
  报到记录.csv           reports          UTF-8 (no BOM)

plus `demo_summary.json` (counts and planted gap cases) and, with `with_errors=True`, a
`with_errors/` folder of small files whose bad rows the importer must reject (see bad_rosters.py).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from orgraph.demo import build as _build
from orgraph.demo.expected import GAP_TYPES, NOT_PLANTED, PlantedCase
from orgraph.demo.model import Member
from orgraph.demo.write import Sheet, write_csv, write_xlsx, write_xlsx_sheets

Scale = Literal["tiny", "county", "city"]

AREAS_FILE = "行政区划.xlsx"
ORGS_FILE = "党组织.xlsx"
MEMBERS_FILE = "党员花名册.xlsx"
MEMBERS_SHEET = "党员花名册"
SECOND_MEMBERS_SHEET = "补报党员"  # members listed again by another branch (multi-branch)
HOUSEHOLDS_FILE = "农户.csv"
CONTACTS_FILE = "联系关系.csv"
OUTFLOWS_FILE = "流动党员外出登记.xlsx"
REPORTS_FILE = "报到记录.csv"
SUMMARY_FILE = "demo_summary.json"
FILES = (
    AREAS_FILE,
    ORGS_FILE,
    MEMBERS_FILE,
    HOUSEHOLDS_FILE,
    CONTACTS_FILE,
    OUTFLOWS_FILE,
    REPORTS_FILE,
)

AREAS_HEADER = ("区划代码", "名称", "层级", "上级代码", "经度", "纬度")
ORGS_HEADER = (
    "组织编号",
    "组织名称",
    "组织类别",
    "上级组织编号",
    "所在区划代码",
    "驻在地",
    "成立日期",
    "届满日期",
    "软弱涣散",
    # beyond the core columns of docs/design.md#rosters: what rectification_overdue needs
    "整顿开始日期",
    "整顿期限",
    "整顿状态",
)
MEMBERS_HEADER = (
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "公民身份号码",
    "人员编号",
    "学历",
    "人员类别",
    "入党日期",
    "转正日期",
    "所在党支部",
    "所在党小组",
    "手机号码",
    "家庭户编号",
    "职务",
    "分类管理类别",
    "是否流动党员",
    "是否失联党员",
)
HOUSEHOLDS_HEADER = ("户编号", "所在区划代码", "户主姓名", "地址", "人口数", "标签", "经度", "纬度")
MEMBER_REF = ("姓名", "人员编号", "公民身份号码")
CONTACTS_HEADER = (*MEMBER_REF, "联系对象类型", "联系对象编号", "开始日期", "结束日期")
OUTFLOWS_HEADER = (
    *MEMBER_REF,
    "外出时间",
    "外出地点",
    "外出原因",
    "工作单位",
    "外出联系电话",
    "活动证编号",
    "流入地党组织",
    "返回时间",
    "联系人",
)
REPORTS_HEADER = (*MEMBER_REF, "日期", "方式", "党组织")

HEADERS: dict[str, tuple[str, ...]] = {
    AREAS_FILE: AREAS_HEADER,
    ORGS_FILE: ORGS_HEADER,
    MEMBERS_FILE: MEMBERS_HEADER,
    HOUSEHOLDS_FILE: HOUSEHOLDS_HEADER,
    CONTACTS_FILE: CONTACTS_HEADER,
    OUTFLOWS_FILE: OUTFLOWS_HEADER,
    REPORTS_FILE: REPORTS_HEADER,
}

ENCODINGS = {HOUSEHOLDS_FILE: "gb18030", CONTACTS_FILE: "utf-8-sig", REPORTS_FILE: "utf-8"}


@dataclass
class DemoSummary:
    """What `generate` wrote.

    `files` counts data rows per file, over all its sheets; `counts` counts what the world
    holds. The two differ for members: `files["党员花名册.xlsx"]` is the rows of both sheets
    (党员花名册 + 补报党员), while `counts["members"]` is the distinct persons (= Member
    nodes after an import) and `counts["members.listed_twice"]` the rows of 补报党员, each
    a person already on 党员花名册 under another branch (a planted `member_multi_branch`).
    So files["党员花名册.xlsx"] == counts["members"] + counts["members.listed_twice"].
    """

    out: Path
    scale: str
    seed: int
    as_of: date
    files: dict[str, int]  # file name → data rows (all sheets)
    counts: dict[str, int]  # what the world holds, by kind (members: distinct persons)
    planted: list[PlantedCase]
    not_planted: dict[str, str] = field(default_factory=lambda: dict(NOT_PLANTED))
    error_files: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def planted_counts(self) -> dict[str, int]:
        c = Counter(p.type for p in self.planted)
        return {t: c[t] for t in GAP_TYPES if c[t]}

    def to_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "seed": self.seed,
            "as_of": self.as_of.isoformat(),
            "files": self.files,
            "counts": self.counts,
            "planted_counts": self.planted_counts,
            "planted": [p.to_dict() for p in self.planted],
            "not_planted": self.not_planted,
            "error_files": self.error_files,
        }


def _yn(b: bool) -> str:
    return "是" if b else "否"


def generate(
    out: Path,
    *,
    scale: Scale = "county",
    seed: int = 1,
    as_of: date = date(2026, 11, 1),
    small: bool = False,
    with_errors: bool = False,
) -> DemoSummary:
    """Write the demo rosters into `out` (created if missing) and return what was written.

    scale: "county" = 宁海县 (18 townships, ~300 villages, ~100k households, ~8k members);
    "city" = the ten counties of 宁波市 (~10×); "tiny" = two townships of 宁海县, ~7
    villages, ~500 households, for tests. `small=True` is the same as scale="tiny".
    The same seed and as_of give byte-identical files.
    """
    t0 = time.perf_counter()
    if small:
        scale = "tiny"
    if scale not in ("tiny", "county", "city"):
        raise ValueError(f"unknown scale {scale!r}: tiny, county or city")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    world = _build.build(scale=scale, seed=seed, as_of=as_of)
    files = write_world(world, out)
    summary = DemoSummary(
        out=out,
        scale=scale,
        seed=seed,
        as_of=as_of,
        files=files,
        counts=world.counts,
        planted=world.planted,
    )
    if with_errors:
        from orgraph.demo.bad_rosters import write_error_samples

        summary.error_files = write_error_samples(world, out / "with_errors")
    (out / SUMMARY_FILE).write_text(
        json.dumps(summary.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    summary.seconds = round(time.perf_counter() - t0, 2)
    return summary


def write_world(world: _build.World, out: Path) -> dict[str, int]:
    files: dict[str, int] = {}
    orgs = world.org_by_id
    by_idx = world.member_by_idx

    def ref(m: Member) -> tuple[str, str, str]:
        return (m.name, m.member_no, m.id_number)

    files[AREAS_FILE] = write_xlsx(
        out / AREAS_FILE,
        "行政区划",
        AREAS_HEADER,
        ((a.code, a.name, a.level, a.parent or "", a.lon, a.lat) for a in world.areas),
        text_columns=("区划代码", "上级代码"),
        widths={"名称": 16},
    )
    files[ORGS_FILE] = write_xlsx(
        out / ORGS_FILE,
        "党组织",
        ORGS_HEADER,
        (
            (
                o.org_id,
                o.name,
                o.kind,
                o.parent or "",
                o.area_code or "",
                o.host_area,
                o.established_on,
                o.term_end,
                _yn(o.weak),
                o.rect_opened,
                o.rect_deadline,
                "整顿中" if o.weak else "",
            )
            for o in world.orgs
        ),
        text_columns=("组织编号", "上级组织编号", "所在区划代码"),
        widths={"组织名称": 40, "组织编号": 22, "上级组织编号": 22},
    )
    as_of = f"截至{world.as_of.year}年{world.as_of.month}月{world.as_of.day}日"

    def member_row(m: Member, branch: str | None, group: str | None) -> tuple[Any, ...]:
        return (
            m.name,
            m.gender,
            m.ethnicity,
            m.birth,
            m.id_number,
            m.member_no,
            m.education,
            m.category,
            m.joined_on,
            m.full_on,
            orgs[branch].name if branch else "",
            orgs[group].name if group else "",
            m.phone,
            m.household_id,
            ";".join(m.roles),
            m.mgmt_class,
            _yn(m.away),
            _yn(m.lost_flag),
        )

    layout: dict[str, Any] = {
        "serial": True,
        "text_columns": ("公民身份号码", "人员编号", "手机号码", "家庭户编号"),
        "widths": {
            "公民身份号码": 21,
            "所在党支部": 36,
            "所在党小组": 40,
            "家庭户编号": 19,
            "人员编号": 17,
            "手机号码": 14,
            "出生日期": 12,
            "入党日期": 12,
            "转正日期": 12,
        },
    }
    sheets = [
        Sheet(
            MEMBERS_SHEET,
            MEMBERS_HEADER,
            (member_row(m, m.branch, m.group) for m in world.members),
            title=f"{world.title}党员花名册（{as_of}）",
            **layout,
        )
    ]
    if world.second_listings:  # the same person, another branch, no party group there
        sheets.append(
            Sheet(
                SECOND_MEMBERS_SHEET,
                MEMBERS_HEADER,
                (member_row(m, branch, None) for m, branch in world.second_listings),
                title=f"{world.title}补报党员名单（{as_of}）",
                **layout,
            )
        )
    files[MEMBERS_FILE] = sum(write_xlsx_sheets(out / MEMBERS_FILE, sheets))
    files[HOUSEHOLDS_FILE] = write_csv(
        out / HOUSEHOLDS_FILE,
        HOUSEHOLDS_HEADER,
        (
            (h.id, h.area_code, h.head_name, h.address, h.size, h.tags, h.lon, h.lat)
            for h in world.households
        ),
        encoding=ENCODINGS[HOUSEHOLDS_FILE],
    )
    files[CONTACTS_FILE] = write_csv(
        out / CONTACTS_FILE,
        CONTACTS_HEADER,
        (
            (*ref(by_idx[x.member]), x.target_kind, x.target_id, x.since, x.until)
            for x in world.contacts
        ),
        encoding=ENCODINGS[CONTACTS_FILE],
    )
    files[OUTFLOWS_FILE] = write_xlsx(
        out / OUTFLOWS_FILE,
        "流动党员外出登记",
        OUTFLOWS_HEADER,
        (
            (
                *ref(by_idx[o.member]),
                o.left_on,
                o.destination,
                o.reason,
                o.employer,
                o.phone_away,
                o.card_no,
                o.host_org,
                o.returned_on,
                o.contact_person,
            )
            for o in world.outflows
        ),
        text_columns=("人员编号", "公民身份号码", "外出联系电话", "外出地点"),
        widths={
            "公民身份号码": 21,
            "外出地点": 22,
            "工作单位": 28,
            "流入地党组织": 30,
            "活动证编号": 22,
            "外出时间": 12,
            "返回时间": 12,
        },
    )
    files[REPORTS_FILE] = write_csv(
        out / REPORTS_FILE,
        REPORTS_HEADER,
        ((*ref(by_idx[x.member]), x.on, x.channel, x.org) for x in world.reports),
        encoding=ENCODINGS[REPORTS_FILE],
    )
    return files
