"""`generate()`: write a demo county (or city) as the thirteen roster files a county hands over.

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
  组织生活记录.xlsx      meetings         merged title row; 参加人员/缺席人员 as 人员编号 (or
                                           公民身份号码) joined by ";"
  党费.csv               dues             UTF-8 with BOM; 缴至 "2026-09" or "2026年9月"
  第一书记.xlsx          first_secretaries merged title row; the member, 村党组织编号 and
                                           村党组织, 派出单位, 任职开始日期, 任职结束日期
  整顿台账.xlsx          rectifications   merged title row; one row per episode of a
                                           软弱涣散 organisation (the 党组织 roster's 整顿
                                           columns write the same ones): 列入日期, 问题类型,
                                           一村一策制定日期, 验收日期, 验收结果, 整顿状态 …
  督查记录.xlsx          inspections      merged title row; 党组织编号, 督查日期, 督查组,
                                           发现问题, 整改情况
  党小组工作记录.xlsx    group_records    merged title row; the groups of a few pilot
                                           townships, a row a month: 月份 ("2026-09"),
                                           月总结 是/否, 督查日期, 考评得分/等次 (December)

plus `demo_summary.json` (counts and planted gap cases) and, with `with_errors=True`, a
`with_errors/` folder of small files whose bad rows the importer must reject.

The world is built by build.py, its rosters written by rosters.py (names, headers, encodings)
and the bad-roster samples by bad_rosters.py; this module only calls them in turn.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from orgraph.demo.bad_rosters import write_bad_rosters
from orgraph.demo.build import build
from orgraph.demo.expected import NOT_PLANTED, PlantedCase, ScreenCase
from orgraph.demo.model import World
from orgraph.demo.rosters import FILES, HEADERS, write_rosters
from orgraph.vocab import GAP_TYPE_NAMES

Scale = Literal["tiny", "county", "city"]

SUMMARY_FILE = "demo_summary.json"

# FILES and HEADERS live in rosters.py (bad_rosters.py needs them too); callers that list the
# demo's files have always imported them from here.
__all__ = ["FILES", "HEADERS", "SUMMARY_FILE", "DemoSummary", "Scale", "generate", "write_demo"]


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
    screening: list[ScreenCase] = field(default_factory=list)  # weak_villages.py
    not_planted: dict[str, str] = field(default_factory=lambda: dict(NOT_PLANTED))
    error_files: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def planted_counts(self) -> dict[str, int]:
        c = Counter(p.type for p in self.planted)
        return {t: c[t] for t in GAP_TYPE_NAMES if c[t]}

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
            "screening": [x.to_dict() for x in self.screening],
            "error_files": self.error_files,
        }


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
    world = build(scale=scale, seed=seed, as_of=as_of)
    return write_demo(Path(out), world, with_errors=with_errors, t0=t0)


def write_demo(
    out: Path, world: World, *, with_errors: bool = False, t0: float | None = None
) -> DemoSummary:
    """Write a built world as `generate` does (rosters, samples on request, summary) into
    `out` (created if missing); `t0`: when the work began (perf_counter), for `seconds`."""
    t0 = time.perf_counter() if t0 is None else t0
    out.mkdir(parents=True, exist_ok=True)
    files = write_rosters(world, out)
    summary = DemoSummary(
        out=out,
        scale=world.scale,
        seed=world.seed,
        as_of=world.as_of,
        files=files,
        counts=world.counts,
        planted=world.planted,
        screening=world.screening,
    )
    if with_errors:
        summary.error_files = write_bad_rosters(world, out / "with_errors")
    (out / SUMMARY_FILE).write_text(
        json.dumps(summary.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    summary.seconds = round(time.perf_counter() - t0, 2)
    return summary
