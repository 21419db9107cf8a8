"""Query parameters most routes share, with their limits and descriptions."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path, Query

from orgraph.records.models import IsoDate
from orgraph.records.paging import MAX_PAGE_SIZE

# Any text but a NUL byte, which the store's protocol cannot carry (RejectNul refuses it too).
NO_NUL = r"^[^\x00]*$"

ScopeQ = Annotated[
    str | None,
    Query(
        pattern=NO_NUL,
        max_length=64,
        description="区划代码或党组织编号 (须在您的管辖范围内)；默认您自己的范围",
        examples=["330226101"],
    ),
]
AsOfQ = Annotated[
    IsoDate | None, Query(description="统计日期 YYYY-MM-DD，默认今天", examples=["2026-11-01"])
]
PageQ = Annotated[int, Query(ge=1, le=1_000_000, description="页码，从 1 开始")]
PageSizeQ = Annotated[
    int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"每页条数，最大 {MAX_PAGE_SIZE}")
]
FileFormat = Literal["xlsx", "csv"]
FormatQ = Annotated[FileFormat, Query(description="文件格式")]
RevealQ = Annotated[bool, Query(description="显示完整手机号 (仅限有权限的角色，记入审计日志)")]
SearchQ = Annotated[
    str | None, Query(max_length=64, pattern=NO_NUL, description="按姓名或编号搜索 (包含即可)")
]

KeyP = Annotated[
    str, Path(pattern=NO_NUL, max_length=80, description="党员键 (人员编号，或 h: 加身份证号散列)")
]
HouseholdP = Annotated[str, Path(pattern=NO_NUL, max_length=80, description="户编号")]
AreaP = Annotated[str, Path(pattern=NO_NUL, max_length=64, description="区划代码")]
OrgP = Annotated[str, Path(pattern=NO_NUL, max_length=64, description="党组织编号")]
