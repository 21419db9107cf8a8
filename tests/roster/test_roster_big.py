"""A 200k-row member roster CSV parses in reasonable time."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from pathlib import Path

import roster_corpus as rc

from orgraph.roster import parse_file

N = 200_000


def test_200k_row_csv(tmp_path: Path) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["党员花名册（截至2024年6月30日）"])
    w.writerow(rc.MEMBER_HEADER)
    base = dt.date(1950, 1, 1)
    for i in range(N):
        idn = rc.make_id(seq=i % 1000, born=base + dt.timedelta(days=i // 1000 * 37))
        if i == 1234:
            idn = rc.bad_checksum(idn)
        w.writerow(
            [
                i + 1,
                f"党员{i}",
                "男" if int(idn[16]) % 2 else "女",
                idn,
                f"M{i:07d}",
                "",
                "正式党员" if i % 7 else "预备党员",
                "2010.07",
                f"155{i:08d}",
                f"第{i % 50}党支部",
            ]
        )
    p = tmp_path / "big.csv"
    p.write_bytes(buf.getvalue().encode("gb18030"))
    t0 = time.perf_counter()
    sheets = parse_file(p, key=b"k")
    elapsed = time.perf_counter() - t0
    s = sheets[0]
    print(f"\n200k-row CSV ({p.stat().st_size / 1e6:.1f} MB): {elapsed:.2f} s")
    assert s.kind == "members"
    assert s.rows_total == N
    assert len(s.records) == N - 1
    assert [(i.row, i.column) for i in s.rejected] == [(1234 + 3, "公民身份号码")]
    assert s.records[-1].row == N + 2
    assert elapsed < 60
