"""Issue #14's acceptance "the township group ranking and 流动红旗 are reproducible from the
exported figures by hand": redo, from the exported workbook alone (its 党小组季度排名 rows and
the 分值 of its 计分办法 sheet), what a township clerk would do with a pencil, following
docs/rules.md "Township ranking of party groups and the 流动红旗" — each group's points, the
order, the shared ranks and who holds the 流动红旗. Nothing here reads orgraph's ranking code.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

NOT_IMPORTED = "未导入"  # the records behind a figure are missing: counts as 0 done


def recompute(xlsx: bytes) -> list[tuple[str, int]]:
    """Check every row of the export against its own figures; return (group, points) rows."""
    wb = load_workbook(io.BytesIO(xlsx))
    value = {str(r[0]): r[2] for r in wb["计分办法"].iter_rows(min_row=2, values_only=True)}
    cells = [list(r) for r in wb["党小组季度排名"].iter_rows(values_only=True)]
    col = {str(h): i for i, h in enumerate(cells[3]) if h}
    rows = cells[4:]

    def figure(row: list[Any], name: str) -> int:
        x = row[col[name]]
        return 0 if x == NOT_IMPORTED else int(x)

    out: list[tuple[str, int]] = []
    for row in rows:
        eligible = figure(row, "在家党员数")
        points = (
            figure(row, "月总结月数") * value["group_points_summary"]
            + (value["group_points_inspection"] if row[col["是否督查"]] == "是" else 0)
            + figure(row, "党小组会月数") * value["group_points_meeting"]
            + (value["group_points_size"] if row[col["人数合规"]] == "是" else 0)
            + (
                value["group_points_contacts"] * figure(row, "联户达标人数") // eligible
                if eligible
                else 0
            )
        )
        assert points == row[col["得分"]], (row, points)
        out.append((str(row[col["党小组"]]), points))
    points_only = [p for _, p in out]
    assert points_only == sorted(points_only, reverse=True), "rows not by points"
    for row, p in zip(rows, points_only, strict=True):
        assert row[col["名次"]] == 1 + sum(q > p for q in points_only), row
    line = str(cells[1][0])
    if out and out[0][1] >= value["red_flag_min_points"]:
        holder, top = out[0]
        assert line.startswith(f"流动红旗: {holder} ({top} 分)"), line
        for name, p in out[1:]:
            assert (name in line) == (p == top), (name, line)
    else:
        assert line == "本季度无党小组达到流动红旗分数线", line
    return out
