"""A corpus of real roster files (good and malformed), written into a folder.

Each builder writes one file and returns a Case: the path, the kind to pass (or None) and the
expectations the parametrised test checks. Expectations name rows as Excel shows them.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import random
import re
import shutil
import struct
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import xlwt

from orgraph.roster.idnumber import check_digit

if TYPE_CHECKING:
    from importer_helpers import Dump

KEY = b"test-key"


def make_id(place: str = "330782", born: dt.date = dt.date(1985, 6, 15), seq: int = 123) -> str:
    body = f"{place}{born:%Y%m%d}{seq:03d}"
    return body + check_digit(body)


def bad_checksum(id18: str) -> str:
    last = id18[-1]
    return id18[:-1] + ("1" if last != "1" else "2")


IDS = [make_id(seq=100 + i, born=dt.date(1960 + i, 1 + i % 12, 1 + i % 28)) for i in range(40)]

MEMBER_HEADER = [
    "序号",
    "姓名",
    "性别",
    "公民身份号码",
    "人员编号",
    "出生日期",
    "人员类别",
    "入党日期",
    "手机号码",
    "所在党支部",
]


def member_row(i: int, **over: Any) -> list[Any]:
    row: dict[str, Any] = {
        "序号": i + 1,
        "姓名": ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十"][i % 8] + str(i),
        "性别": "男" if int(IDS[i][16]) % 2 else "女",
        "公民身份号码": IDS[i],
        "人员编号": f"M{i:04d}",
        "出生日期": f"{IDS[i][6:10]}-{IDS[i][10:12]}-{IDS[i][12:14]}",
        "人员类别": "正式党员" if i % 3 else "预备党员",
        "入党日期": "2010.07",
        "手机号码": f"1552892{1840 + i:04d}",
        "所在党支部": "城东村党支部",
    }
    row.update(over)
    return [row[h] for h in MEMBER_HEADER]


@dataclass
class Case:
    name: str
    path: Path
    kind: str | None = None
    file_error: str | None = None  # substring of RosterFileError message
    kind_out: str | None = None
    records: int | None = None
    rows_total: int | None = None
    # (row, column or None, message substring)
    rejected: list[tuple[int | None, str | None, str]] = field(default_factory=list)
    warnings: list[tuple[int | None, str | None, str]] = field(default_factory=list)
    sheet_errors: list[str] = field(default_factory=list)
    fmt: str | None = None
    extra: Callable[[list[Any]], None] | None = None
    max_bytes: int | None = None
    sheets: int | None = None  # number of parsed sheets expected


# ---------------------------------------------------------------------------------------------
# writers


def write_csv(
    path: Path, rows: list[list[Any]], encoding: str = "utf-8-sig", delimiter: str = ","
) -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(
    path: Path, sheets: dict[str, list[list[Any]]], merges: dict[str, list[str]] | None = None
) -> Path:
    wb = openpyxl.Workbook()
    first = True
    for name, rows in sheets.items():
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        ws.title = name
        first = False
        for r in rows:
            ws.append(r)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return path


def write_xls(
    path: Path,
    rows: list[list[Any]],
    merges: Sequence[tuple[int, int, int, int]] = (),
    sheet: str = "党员花名册",
) -> Path:
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet)
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    merged_cells = set()
    for r0, r1, c0, c1 in merges:
        ws.write_merge(r0, r1, c0, c1, rows[r0][c0])
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                merged_cells.add((r, c))
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if (r, c) in merged_cells or v is None or v == "":
                continue
            if isinstance(v, dt.date):
                ws.write(r, c, v, date_style)
            else:
                ws.write(r, c, v)
    wb.save(str(path))
    return path


def _patch_sheet_xml(path: Path, old: bytes, new: bytes) -> None:
    src = zipfile.ZipFile(path)
    items = [(i, src.read(i.filename)) for i in src.infolist()]
    src.close()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in items:
            if info.filename.startswith("xl/worksheets/sheet"):
                assert old in data, (old, data[:2000])
                data = data.replace(old, new)
            dst.writestr(info, data)


# ---------------------------------------------------------------------------------------------
# cases


def case_csv_utf8_bom(d: Path) -> Case:
    rows = [MEMBER_HEADER] + [member_row(i) for i in range(3)]
    return Case(
        "csv_utf8_bom",
        write_csv(d / "utf8bom.csv", rows),
        kind="members",
        records=3,
        rows_total=3,
        fmt="csv",
    )


def case_csv_utf8_nobom(d: Path) -> Case:
    rows = [MEMBER_HEADER] + [member_row(i) for i in range(3)]
    return Case(
        "csv_utf8_nobom", write_csv(d / "utf8.csv", rows, "utf-8"), records=3, kind_out="members"
    )


def case_csv_gbk(d: Path) -> Case:
    rows = [["城东村党支部党员花名册", "", "", ""], MEMBER_HEADER] + [
        member_row(i) for i in range(4)
    ]

    def extra(sheets: list[Any]) -> None:
        s = sheets[0]
        assert s.encoding == "gb18030"
        assert s.records[0].row == 3
        assert s.records[0].values["branch"] == "城东村党支部"

    return Case(
        "csv_gbk", write_csv(d / "gbk.csv", rows, "gbk"), kind="members", records=4, extra=extra
    )


def case_csv_gb18030_rare(d: Path) -> Case:
    rows = [
        MEMBER_HEADER,
        member_row(0, 姓名="王㛃"),
        member_row(1, 姓名="𠮷野家"),
        member_row(2, 姓名="李  四"),
    ]

    def extra(sheets: list[Any]) -> None:
        names = [r.values["name"] for r in sheets[0].records]
        assert names == ["王㛃", "𠮷野家", "李四"]

    return Case(
        "csv_gb18030_rare",
        write_csv(d / "rare.csv", rows, "gb18030"),
        kind="members",
        records=3,
        extra=extra,
    )


def case_csv_utf16_tab(d: Path) -> Case:
    rows = [MEMBER_HEADER] + [member_row(i) for i in range(3)]
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", lineterminator="\r\n").writerows(rows)
    p = d / "unicode.txt"
    p.write_bytes(codecs.BOM_UTF16_LE + buf.getvalue().encode("utf-16-le"))

    def extra(sheets: list[Any]) -> None:
        assert sheets[0].encoding == "utf-16"

    return Case("csv_utf16_tab", p, kind="members", records=3, extra=extra)


def case_csv_utf16_nobom(d: Path) -> Case:
    rows = [MEMBER_HEADER] + [member_row(i) for i in range(6)]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    p = d / "utf16nobom.csv"
    p.write_bytes(buf.getvalue().encode("utf-16-le"))
    return Case("csv_utf16_nobom", p, kind="members", records=6)


def case_csv_semicolon(d: Path) -> Case:
    rows = [MEMBER_HEADER] + [member_row(i) for i in range(3)]
    return Case(
        "csv_semicolon", write_csv(d / "semi.csv", rows, delimiter=";"), records=3, kind="members"
    )


def case_bad_checksum(d: Path) -> Case:
    rows = [
        MEMBER_HEADER,
        member_row(0),
        member_row(1, 公民身份号码=bad_checksum(IDS[1])),
        member_row(2),
        member_row(3, 公民身份号码=IDS[3][:10] + "1332" + IDS[3][14:]),
    ]
    return Case(
        "bad_checksum",
        write_csv(d / "badsum.csv", rows),
        kind="members",
        records=2,
        rows_total=4,
        rejected=[(3, "公民身份号码", "校验位"), (5, "公民身份号码", "出生日期")],
    )


def case_id_scientific_csv(d: Path) -> Case:
    rows = [
        MEMBER_HEADER,
        member_row(0),
        member_row(1, 公民身份号码="1.10101199003078E+17"),
        member_row(2, 公民身份号码="110101199003077792.0"),
    ]
    return Case(
        "id_scientific_csv",
        write_csv(d / "sci.csv", rows),
        kind="members",
        records=1,
        rejected=[(3, "公民身份号码", "存成数字"), (4, "公民身份号码", "存成数字")],
    )


def case_xlsx_numeric_id(d: Path) -> Case:
    rows = [
        MEMBER_HEADER,
        member_row(0),
        member_row(1, 公民身份号码=int(IDS[1])),
        member_row(2, 手机号码=15528921840, 人员编号=1002),
    ]

    def extra(sheets: list[Any]) -> None:
        vals = sheets[0].records[1].values
        assert vals["phone"] == "15528921840"
        assert vals["member_no"] == "1002"

    return Case(
        "xlsx_numeric_id",
        write_xlsx(d / "numid.xlsx", {"Sheet1": rows}),
        kind="members",
        records=2,
        fmt="xlsx",
        rejected=[(3, "公民身份号码", "身份证号被Excel存成数字，已丢失位数")],
        extra=extra,
    )


def case_duplicates(d: Path) -> Case:
    rows = [
        MEMBER_HEADER,
        member_row(0),
        member_row(1),
        member_row(2),
        member_row(3, 公民身份号码=IDS[1], 人员编号=""),
        member_row(4, 人员编号="M0000"),
        member_row(5, 公民身份号码="", 人员编号=""),
    ]
    return Case(
        "duplicates",
        write_csv(d / "dup.csv", rows),
        kind="members",
        records=3,
        rows_total=6,
        rejected=[
            (5, "公民身份号码", "与第3行重复"),
            (6, "人员编号", "与第2行重复"),
            (7, None, "至少填写一项"),
        ],
    )


def case_missing_required_column(d: Path) -> Case:
    hdr = [h for h in MEMBER_HEADER if h != "姓名"]
    rows = [hdr] + [
        [v for h, v in zip(MEMBER_HEADER, member_row(i), strict=True) if h != "姓名"]
        for i in range(3)
    ]
    return Case(
        "missing_required_column",
        write_csv(d / "noname.csv", rows),
        kind="members",
        records=0,
        rows_total=3,
        sheet_errors=["缺少必填列“姓名”"],
    )


def case_missing_one_of_column(d: Path) -> Case:
    rows = [["姓名", "性别", "民族"], ["张三", "男", "汉"], ["李四", "女", "汉族"]]
    return Case(
        "missing_one_of_column",
        write_csv(d / "noid.csv", rows),
        kind="members",
        records=0,
        sheet_errors=["公民身份号码或人员编号"],
    )


def case_unknown_headers(d: Path) -> Case:
    hdr = [*MEMBER_HEADER, "爱好", "QQ号", "联系电话"]
    rows = [hdr] + [[*member_row(i), "读书", "12345", "13800000000"] for i in range(3)]
    return Case(
        "unknown_headers",
        write_csv(d / "extra.csv", rows),
        kind="members",
        records=3,
        warnings=[
            (1, "爱好", "未识别的列"),
            (1, "QQ号", "未识别的列"),
            (1, "联系电话", "含义相同"),
        ],
    )


def case_empty_file(d: Path) -> Case:
    p = d / "empty.xlsx"
    p.write_bytes(b"")
    return Case("empty_file", p, file_error="空文件")


def case_header_only(d: Path) -> Case:
    return Case(
        "header_only",
        write_csv(d / "header_only.csv", [MEMBER_HEADER]),
        kind="members",
        records=0,
        rows_total=0,
        warnings=[(1, None, "没有数据行")],
    )


def case_zip_bomb(d: Path) -> Case:
    p = d / "bomb.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(64):
                fh.write(chunk)
    return Case("zip_bomb", p, file_error="压缩炸弹")


def case_zip_bomb_declared(d: Path) -> Case:
    """A small zip whose central directory declares a 4 GB member."""
    p = d / "bomb2.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<x/>" * 100)
    data = bytearray(p.read_bytes())
    cd = data.rfind(b"PK\x01\x02")  # last central-directory entry: the sheet
    struct.pack_into("<I", data, cd + 24, 0xFFFF0000)
    p.write_bytes(bytes(data))
    return Case("zip_bomb_declared", p, file_error="压缩炸弹")


def case_zip_not_xlsx(d: Path) -> Case:
    p = d / "photos.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("readme.txt", "hello")
        zf.writestr("a/b.csv", "姓名\n张三\n")
    return Case("zip_not_xlsx", p, file_error="ZIP压缩包")


def case_docx_as_xlsx(d: Path) -> Case:
    p = d / "notes.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return Case("docx_as_xlsx", p, file_error="Word文档")


def case_corrupt_xlsx(d: Path) -> Case:
    good = write_xlsx(d / "tmp_good.xlsx", {"Sheet1": [MEMBER_HEADER, member_row(0)]})
    p = d / "corrupt.xlsx"
    p.write_bytes(good.read_bytes()[:600])
    good.unlink()
    return Case("corrupt_xlsx", p, file_error="损坏")


def case_corrupt_xls(d: Path) -> Case:
    good = write_xls(d / "tmp_good.xls", [MEMBER_HEADER, member_row(0)])
    p = d / "corrupt.xls"
    p.write_bytes(good.read_bytes()[:1100])
    good.unlink()
    return Case("corrupt_xls", p, file_error="损坏")


def case_encrypted(d: Path) -> Case:
    """An OLE file with an EncryptedPackage stream: what Excel writes for a password."""
    good = write_xls(d / "tmp_enc.xls", [MEMBER_HEADER, member_row(0)])
    data = bytearray(good.read_bytes())
    good.unlink()
    old = "Workbook".encode("utf-16-le")
    pos = data.find(old)
    new = "EncryptedPackage".encode("utf-16-le") + b"\0\0"
    data[pos : pos + len(new)] = new
    struct.pack_into("<H", data, pos + 64, len(new))
    p = d / "locked.xlsx"
    p.write_bytes(bytes(data))
    return Case("encrypted", p, file_error="密码")


def case_pdf_as_xlsx(d: Path) -> Case:
    p = d / "scan.xlsx"
    p.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    return Case("pdf_as_xlsx", p, file_error="PDF")


def case_binary_garbage(d: Path) -> Case:
    p = d / "garbage.csv"
    rng = random.Random(1)
    p.write_bytes(bytes(rng.randrange(256) for _ in range(5000)))
    return Case("binary_garbage", p, file_error="不是可识别的表格文件")


def case_too_large(d: Path) -> Case:
    rows = [MEMBER_HEADER] + [member_row(i % 40) for i in range(200)]
    return Case(
        "too_large", write_csv(d / "big.csv", rows), max_bytes=10_000, file_error="超过上限"
    )


def case_formulas(d: Path) -> Case:
    hdr = ["户编号", "所在区划代码", "户主姓名", "人口数", "地址"]
    rows: list[list[Any]] = [
        hdr,
        ["H001", "330782001001", "张三", "=1+2", "一组"],
        ["H002", '="3307820010"&"02"', "李四", 4, "二组"],
        ["H003", "330782001001", "王五", "=2+2", "一组"],
    ]
    p = write_xlsx(d / "formulas.xlsx", {"农户": rows})
    # Give the first formula a cached value (as Excel would); leave the others without one.
    _patch_sheet_xml(p, b"<f>1+2</f><v />", b"<f>1+2</f><v>3</v>")

    def extra(sheets: list[Any]) -> None:
        recs = {r.row: r.values for r in sheets[0].records}
        assert recs[2]["size"] == 3
        assert "size" not in recs[4]

    return Case(
        "formulas",
        p,
        kind=None,
        kind_out="households",
        records=2,
        rows_total=3,
        rejected=[(3, "所在区划代码", "公式")],
        warnings=[(4, "人口数", "公式")],
        extra=extra,
    )


def _html_doc(body: str, charset: str = "utf-8") -> str:
    return (
        f'<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>'
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}"></head>'
        f"<body>{body}</body></html>"
    )


def case_html_fake_xls(d: Path) -> Case:
    cols = MEMBER_HEADER
    head = (
        '<tr><td colspan="10">城东村党支部党员花名册（截至2024年6月）</td></tr>'
        "<tr>" + "".join(f"<th>{h}</th>" for h in cols) + "</tr>"
    )
    body_rows = []
    for i in range(3):
        r = member_row(i)
        body_rows.append("<tr>" + "".join(f"<td>{v}</td>" for v in r) + "</tr>")
    body_rows.append(
        "<tr><td>4</td><td>坏号</td><td>男</td>"
        "<td>1.10101199003078E+17</td><td>M0099</td><td></td><td>正式党员</td>"
        "<td>2001年7月</td><td>138</td><td>城东村党支部</td></tr>"
    )
    body_rows.append('<tr><td colspan="2">合计</td><td colspan="8">4人</td></tr>')
    html = _html_doc("<table border=1>" + head + "".join(body_rows) + "</table>", "gb2312")
    p = d / "export_html.xls"
    p.write_bytes(html.encode("gb18030"))
    return Case(
        "html_fake_xls",
        p,
        kind="members",
        records=3,
        rows_total=4,
        fmt="html",
        rejected=[(6, "公民身份号码", "存成数字")],
        warnings=[(6, "手机号码", "不像11位手机号")],
    )


def case_html_rowspan_header(d: Path) -> Case:
    head = (
        "<tr><th rowspan=2>序号</th><th rowspan=2>姓名</th><th rowspan=2>身份证号</th>"
        "<th colspan=2>流动情况</th></tr><tr><th>外出时间</th><th>外出地点</th></tr>"
    )
    rows = "".join(
        f"<tr><td>{i + 1}</td><td>党员{i}</td><td>{IDS[i]}</td><td>2023-0{i + 1}-01</td>"
        f"<td>{dest}</td></tr>"
        for i, dest in enumerate(["广东东莞长安镇", "浙江义乌", "火星"])
    )
    p = d / "mobile.xls"
    p.write_text(_html_doc(f"<table>{head}{rows}</table>"), encoding="utf-8")

    def extra(sheets: list[Any]) -> None:
        s = sheets[0]
        assert s.header_row == 2
        assert s.records[0].values["destination_code"] == "441900"
        assert s.records[1].values["destination_code"] == "330782"
        assert "destination_code" not in s.records[2].values
        assert s.records[2].values["destination"] == "火星"

    return Case(
        "html_rowspan_header",
        p,
        kind="outflows",
        records=3,
        warnings=[(5, "流动情况/外出地点", "无法将该地点定位")],
        extra=extra,
    )


def case_spreadsheetml(d: Path) -> Case:
    def cell(v: Any, t: str = "String", extra: str = "") -> str:
        return f'<Cell{extra}><Data ss:Type="{t}">{v}</Data></Cell>'

    rows = [
        "<Row>" + cell("党员花名册", extra=' ss:MergeAcross="5"') + "</Row>",
        "<Row>"
        + "".join(cell(h) for h in ["序号", "姓名", "身份证号", "出生日期", "入党时间", "联系电话"])
        + "</Row>",
    ]
    rows.append(
        "<Row>"
        + cell(1, "Number")
        + cell("王芳")
        + cell(IDS[0])
        + cell("1960-01-01T00:00:00.000", "DateTime")
        + cell("1985.06")
        + cell("15528921840", "Number")
        + "</Row>"
    )
    rows.append(
        "<Row>"
        + cell(2, "Number")
        + cell("刘强")
        + cell("1.10101199003078E+17", "Number")
        + cell("1961-02-02T00:00:00.000", "DateTime")
        + cell("1990年7月")
        + cell("13800138000")
        + "</Row>"
    )
    rows.append(
        '<Row ss:Index="6">'
        + cell(3, "Number")
        + cell("陈明")
        + cell(IDS[2])
        + '<Cell ss:Index="5"><Data ss:Type="String">2001/7/1</Data></Cell>'
        + "</Row>"
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
        '<Worksheet ss:Name="党员花名册"><Table>' + "".join(rows) + "</Table></Worksheet>"
        '<Worksheet ss:Name="Sheet2"><Table/></Worksheet></Workbook>'
    )
    p = d / "export_xml.xls"
    p.write_text(xml, encoding="utf-8")

    def extra(sheets: list[Any]) -> None:
        recs = {r.row: r.values for r in sheets[0].records}
        assert recs[3]["phone"] == "15528921840"
        assert recs[3]["joined_on"] == "1985-06-01"
        assert recs[3]["joined_on_precision"] == "month"
        assert recs[6]["joined_on"] == "2001-07-01"
        assert "joined_on_precision" not in recs[6]

    return Case(
        "spreadsheetml_fake_xls",
        p,
        kind=None,
        kind_out="members",
        records=2,
        fmt="spreadsheetml",
        rejected=[(4, "身份证号", "存成数字")],
        extra=extra,
        sheets=1,
    )


def case_real_xls(d: Path) -> Case:
    rows: list[list[Any]] = [
        ["城东村党支部党员花名册（截至2024年6月30日）"] + [""] * 9,
        MEMBER_HEADER,
        member_row(0, 出生日期=dt.date(1960, 1, 2)),
        member_row(1, 公民身份号码=float(IDS[1])),
        member_row(2, 入党日期=38000),
        ["合计", "3人"] + [""] * 8,
    ]
    p = write_xls(d / "real.xls", rows, merges=[(0, 0, 0, 9)])

    def extra(sheets: list[Any]) -> None:
        recs = {r.row: r.values for r in sheets[0].records}
        assert recs[3]["birth_date"] == "1960-01-02"
        assert recs[5]["joined_on"] == "2004-01-14"

    return Case(
        "real_xls",
        p,
        kind="members",
        records=2,
        rows_total=3,
        fmt="xls",
        rejected=[(4, "公民身份号码", "存成数字")],
        warnings=[(3, "出生日期", "不一致")],
        extra=extra,
    )


def _sex(i: int) -> str:
    return "男" if int(IDS[i][16]) % 2 else "女"


def case_title_two_level_xlsx(d: Path) -> Case:
    title = ["城东村党支部党员花名册（截至2024年6月30日）"] + [""] * 7
    top = ["序号", "姓名", "性别", "身份证号码（必填）", "人员类别", "职务", "流动情况", ""]
    sub = ["", "", "", "", "", "", "外出时间", "外出地点"]
    data: list[list[Any]] = [
        [1, "张 三", _sex(0), IDS[0], "正式党员", "书记;村两委", "2023.03", "广东东莞长安镇"],
        [2, "李四", _sex(1), IDS[1], "预备党员", "党小组长、委员", "", ""],
        [None, None, None, None, None, None, None, None],
        [3, "王五", "男", bad_checksum(IDS[2]), "正式党员", "", "2022年5月", "浙江义乌"],
        [4, "赵六", _sex(3), IDS[3], "积极分子", "网格员", "2021/13/01", "上海浦东"],
        ["合计", "4人"] + [None] * 6,
        ["备注：本表由支部填报"] + [None] * 7,
    ]
    rows = [title, top, sub, *data]
    merges = {
        "党员花名册": ["A1:H1", "G2:H2", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:F3"]
    }
    p = write_xlsx(d / "two_level.xlsx", {"党员花名册": rows}, merges)

    def extra(sheets: list[Any]) -> None:
        s = sheets[0]
        assert s.header_row == 3
        v = {r.row: r.values for r in s.records}
        assert v[4]["name"] == "张三"
        assert v[4]["roles"] == ["secretary", "village_committee"]
        assert v[4]["left_on"] == "2023-03-01"
        assert v[4]["destination_code"] == "441900"
        assert v[5]["roles"] == ["group_leader", "committee_member"]
        assert v[5]["category"] == "probationary"
        assert s.columns["left_on"] == "流动情况/外出时间"

    return Case(
        "title_two_level_xlsx",
        p,
        kind=None,
        kind_out="members",
        records=2,
        rows_total=4,
        rejected=[(7, "身份证号码（必填）", "校验位"), (8, "人员类别", "积极分子")],
        warnings=[(8, "职务", "网格员"), (8, "流动情况/外出时间", "月份无效")],
        extra=extra,
    )


def case_totals_and_footer_csv(d: Path) -> Case:
    rows = (
        [MEMBER_HEADER]
        + [member_row(i) for i in range(3)]
        + [
            ["", "", "", "", "", "", "", "", "", ""],
            ["合计", "3", "", "", "", "", "", "", "", ""],
            ["制表人：李明", "", "审核人：王刚", "", "", "", "", "", "", ""],
            ["填报日期：2024年6月30日"] + [""] * 9,
        ]
    )
    return Case(
        "totals_and_footer_csv",
        write_csv(d / "totals.csv", rows),
        kind="members",
        records=3,
        rows_total=3,
    )


def case_repeated_header(d: Path) -> Case:
    rows = [MEMBER_HEADER, member_row(0), member_row(1), MEMBER_HEADER, member_row(2)]
    return Case(
        "repeated_header", write_csv(d / "rep.csv", rows), kind="members", records=3, rows_total=3
    )


def case_dates_every_form(d: Path) -> Case:
    hdr = ["姓名", "人员编号", "出生年月", "入党日期"]
    forms: list[Any] = [
        dt.date(1990, 3, 7),
        dt.datetime(1990, 3, 7, 0, 0),
        32939,
        "1990.03",
        "1990年3月",
        "1990年3月7日",
        "199003",
        "19900307",
        "1990/3/7",
        "1990-03-07",
        1990.03,
        "1990-3",
        "1990",
        "32939",
    ]
    bad: list[Any] = ["1990-02-30", "1990.13", "2099-01-01", "去年", 1990.1, "1890-01-01"]
    rows: list[list[Any]] = [hdr]
    for i, f in enumerate(forms + bad):
        rows.append([f"党员{i}", f"D{i:03d}", f, f])
    p = write_xlsx(d / "dates.xlsx", {"Sheet1": rows})
    expected = [
        "1990-03-07",
        "1990-03-07",
        "1990-03-07",
        "1990-03-01",
        "1990-03-01",
        "1990-03-07",
        "1990-03-01",
        "1990-03-07",
        "1990-03-07",
        "1990-03-07",
        "1990-03-01",
        "1990-03-01",
        "1990-01-01",
        "1990-03-07",
    ]

    def extra(sheets: list[Any]) -> None:
        recs = sheets[0].records
        assert len(recs) == len(forms) + len(bad)
        got = [r.values.get("birth_date") for r in recs[: len(forms)]]
        assert got == expected
        assert recs[3].values["birth_date_precision"] == "month"
        assert recs[12].values["birth_date_precision"] == "year"
        assert "birth_date_precision" not in recs[0].values
        for r in recs[len(forms) :]:
            assert "birth_date" not in r.values and "joined_on" not in r.values

    n = len(forms) + 2
    return Case(
        "dates_every_form",
        p,
        kind="members",
        records=len(forms) + len(bad),
        warnings=[
            (n, "出生年月", "不存在"),
            (n + 1, "出生年月", "月份无效"),
            (n + 2, "出生年月", "晚于今天"),
            (n + 3, "出生年月", "无法识别"),
            (n + 4, "入党日期", "1月还是10月"),
            (n + 5, "出生年月", "超出合理范围"),
        ],
        extra=extra,
    )


def case_phones(d: Path) -> Case:
    hdr = ["姓名", "人员编号", "手机号码"]
    rows: list[list[Any]] = [
        hdr,
        ["甲", "P1", 15528921840.0],
        ["乙", "P2", "155 2892 1841"],
        ["丙", "P3", "0579-85123456"],
        ["丁", "P4", "12345"],
        ["戊", "P5", "+86 13800138000"],
    ]
    p = write_xlsx(d / "phones.xlsx", {"Sheet1": rows})

    def extra(sheets: list[Any]) -> None:
        v = [r.values["phone"] for r in sheets[0].records]
        assert v[:3] == ["15528921840", "15528921841", "0579-85123456"]
        assert v[4] == "13800138000"

    return Case(
        "phones",
        p,
        kind="members",
        records=5,
        warnings=[(5, "手机号码", "不像11位手机号")],
        extra=extra,
    )


def case_orgs(d: Path) -> Case:
    hdr = [
        "组织编号",
        "组织名称",
        "组织类别",
        "上级组织编号",
        "所在区划代码",
        "成立日期",
        "是否软弱涣散",
        "整顿开始日期",
        "整顿期限",
        "整顿状态",
        "驻在地",
    ]
    rows = [
        hdr,
        ["O1", "城东镇党委", "党委", "", "330782001", "1990-01-01", "否", "", "", "", ""],
        [
            "O2",
            "城东村党总支",
            "村党总支",
            "O1",
            "330782001001",
            "1995-05",
            "是",
            "2024-01-01",
            "2024-12-31",
            "整顿中",
            "",
        ],
        [
            "O3",
            "驻义乌流动党员党支部",
            "流动党员党支部",
            "O1",
            "",
            "2020",
            "",
            "",
            "",
            "",
            "浙江义乌",
        ],
        ["O4", "第一党小组", "党小组", "O2", "", "", "", "", "", "已完成", ""],
        ["O5", "某组织", "协会", "O1", "", "", "", "", "", "", ""],
        ["O6", "自指组织", "党支部", "O6", "", "", "也许", "", "", "", ""],
        ["O1", "重复", "党支部", "", "", "", "", "", "", "", ""],
    ]

    def extra(sheets: list[Any]) -> None:
        v = {r.row: r.values for r in sheets[0].records}
        assert v[2]["kind"] == "committee" and v[2]["weak"] is False
        assert v[3]["kind"] == "general_branch" and v[3]["rectification_status"] == "open"
        assert v[4]["kind"] == "mobile_branch" and v[4]["host_area_code"] == "330782"
        assert v[5]["kind"] == "group" and v[5]["rectification_status"] == "done"

    return Case(
        "orgs",
        write_csv(d / "orgs.csv", rows),
        kind="orgs",
        records=4,
        rejected=[
            (6, "组织类别", "无法识别的组织类别"),
            (7, "上级组织编号", "不能与本组织编号相同"),
            (8, "组织编号", "与第2行重复"),
        ],
        warnings=[(7, "是否软弱涣散", "应填是或否")],
        extra=extra,
    )


def case_areas(d: Path) -> Case:
    hdr = ["区划代码", "名称", "层级", "上级代码", "经度", "纬度"]
    rows: list[list[Any]] = [
        hdr,
        [330782, "义乌市", "县", "", 120.07, 29.3],
        [330782001, "稠城街道", "街道", 330782, "", ""],
        [330782001001, "城中村", "社区", 330782001, "", ""],
        ["330782001001-01", "一组", "村民小组", 330782001001, 29.3, 120.07],
        ["330782001001-02", "二组", "网格", "330782001001", "", ""],
        [330782001, "重复街道", "乡镇", 330782, "", ""],
        ["330782001001-03", "三组", "大队", "330782001001", "", ""],
    ]

    def extra(sheets: list[Any]) -> None:
        v = {r.row: r.values for r in sheets[0].records}
        assert v[2]["code"] == "330782" and v[2]["level"] == "county"
        assert v[3]["parent_code"] == "330782" and v[3]["level"] == "township"
        assert v[4]["level"] == "village" and v[5]["level"] == "hamlet"

    return Case(
        "areas",
        write_xlsx(d / "areas.xlsx", {"行政区划": rows}),
        kind=None,
        kind_out="areas",
        records=5,
        rejected=[(7, "区划代码", "与第3行重复"), (8, "层级", "无法识别的层级")],
        warnings=[(5, "经度", "不在中国范围内"), (5, "纬度", "超出范围")],
        extra=extra,
    )


def case_households(d: Path) -> Case:
    hdr = ["户编号", "所在区划代码", "户主姓名", "人口数", "标签", "备注"]
    rows: list[list[Any]] = [
        hdr,
        ["H1", "330782001001-01", "张大", "3人", "低保;空巢", f"户主身份证{IDS[5]}"],
        ["H2", "330782001001-01", "李二", 4, "留守儿童、退役军人", ""],
        ["H3", "", "王三", 2, "", ""],
        ["H4", "330782001001-02", "赵四", "两口", "", ""],
        ["H1", "330782001001-02", "钱五", 1, "", ""],
    ]

    def extra(sheets: list[Any]) -> None:
        v = {r.row: r.values for r in sheets[0].records}
        assert v[2]["size"] == 3 and v[2]["tags"] == ["低保", "空巢"]
        assert v[3]["tags"] == ["留守儿童", "退役军人"]
        assert IDS[5] not in v[2]["remark"] and "********" in v[2]["remark"]

    return Case(
        "households",
        write_csv(d / "hh.csv", rows, "gbk"),
        kind="households",
        records=3,
        rejected=[(4, "所在区划代码", "为空"), (6, "户编号", "与第2行重复")],
        warnings=[(5, "人口数", "非负整数")],
        extra=extra,
    )


def case_contacts(d: Path) -> Case:
    hdr = ["公民身份号码", "人员编号", "联系对象类型", "联系对象编号", "开始日期", "结束日期"]
    rows = [
        hdr,
        [IDS[0], "", "户", "H1", "2023-01-01", ""],
        ["", "M0001", "组", "330782001001-01", "2023-01-01", ""],
        ["", "M0002", "党小组", "O4", "", ""],
        ["", "M0003", "村", "330782001001", "", ""],
        ["", "M0004", "乡镇", "330782001", "", ""],
        ["", "M0005", "朋友", "X", "", ""],
        ["", "M0006", "户", "H2", "2024-01-01", "2023-01-01"],
        [IDS[0], "", "户", "H1", "2023-01-01", ""],
    ]

    def extra(sheets: list[Any]) -> None:
        recs = sheets[0].records
        assert [r.values["target_kind"] for r in recs] == [
            "household",
            "hamlet_or_group",
            "group",
            "village",
            "township",
        ]
        assert recs[0].values["member_key"].startswith("h:")
        assert recs[1].values["member_key"] == "M0001"
        assert all("id_number" not in r.values for r in recs)

    return Case(
        "contacts",
        write_csv(d / "contacts.csv", rows),
        kind="contacts",
        records=5,
        rejected=[
            (7, "联系对象类型", "无法识别"),
            (8, "结束日期", "早于开始日期"),
            (9, "公民身份号码", "与第2行重复"),
        ],
        extra=extra,
    )


def case_outflows(d: Path) -> Case:
    hdr = [
        "人员编号",
        "姓名",
        "外出时间",
        "外出地点",
        "外出原因",
        "外出联系电话",
        "返回时间",
        "活动证编号",
    ]
    rows: list[list[Any]] = [
        hdr,
        ["M0001", "张三", "2023.03", "广东东莞长安镇", "务工", 13800138000.0, "", "HD001"],
        ["M0002", "李四", "2022-05-01", "福建晋江", "经商", "", "2023-01-01", ""],
        ["M0003", "王五", "", "上海浦东", "", "", "", ""],
        ["M0004", "赵六", "2023-06-01", "", "", "", "", ""],
        ["M0005", "钱七", "2023-06-01", "上海浦东", "", "", "2023-01-01", ""],
        ["M0006", "孙八", "2023-06-01", "国外", "", "", "", ""],
    ]

    def extra(sheets: list[Any]) -> None:
        v = {r.row: r.values for r in sheets[0].records}
        assert v[2]["destination_code"] == "441900" and v[2]["phone_away"] == "13800138000"
        assert v[3]["destination_code"] == "350582"
        assert v[2]["left_on_precision"] == "month"

    return Case(
        "outflows",
        write_xlsx(d / "outflows.xlsx", {"流动党员外出登记": rows}),
        kind=None,
        kind_out="outflows",
        records=3,
        rejected=[
            (4, "外出时间", "为空"),
            (5, "外出地点", "为空"),
            (6, "返回时间", "早于外出时间"),
        ],
        warnings=[(7, "外出地点", "无法将该地点定位")],
        extra=extra,
    )


def case_reports(d: Path) -> Case:
    hdr = ["人员编号", "日期", "方式", "党组织"]
    rows = [
        hdr,
        ["M0001", "2024-01-05", "电话", "O3"],
        ["M0001", "2024-03-05", "微信", "O3"],
        ["M0002", "2099-01-01", "现场", ""],
        ["M0003", "2024-02-02", "飞鸽", ""],
        ["M0001", "2024-01-05", "电话", "O3"],
    ]

    def extra(sheets: list[Any]) -> None:
        v = {r.row: r.values for r in sheets[0].records}
        assert v[2]["channel"] == "phone" and v[3]["channel"] == "wechat"
        assert "channel" not in v[5]

    return Case(
        "reports",
        write_csv(d / "reports.csv", rows),
        kind="reports",
        records=3,
        rejected=[(4, "日期", "晚于今天"), (6, "人员编号", "与第2行重复")],
        warnings=[(5, "方式", "无法识别")],
        extra=extra,
    )


def case_multi_sheet(d: Path) -> Case:
    members = [MEMBER_HEADER] + [member_row(i) for i in range(3)]
    orgs = [["组织编号", "组织名称", "组织类别"], ["O1", "城东村党支部", "党支部"]]
    outflows = [["人员编号", "外出时间", "外出地点"], ["M0001", "2023-01-01", "浙江义乌"]]
    notes = [["填表说明"], ["1. 身份证号请设为文本格式"]]
    p = write_xlsx(
        d / "all.xlsx",
        {"党员花名册": members, "党组织": orgs, "流动党员": outflows, "说明": notes, "Sheet5": []},
    )

    def extra(sheets: list[Any]) -> None:
        kinds = {s.sheet: s.kind for s in sheets}
        assert kinds == {
            "党员花名册": "members",
            "党组织": "orgs",
            "流动党员": "outflows",
            "说明": None,
        }
        assert [len(s.records) for s in sheets] == [3, 1, 1, 0]

    return Case(
        "multi_sheet",
        p,
        kind=None,
        warnings=[(None, None, "未识别的工作表")],
        extra=extra,
        sheets=4,
    )


def case_old_15_digit(d: Path) -> Case:
    id18 = make_id("330782", dt.date(1965, 4, 3), 456)
    id15 = id18[:6] + id18[8:17]
    rows = [
        MEMBER_HEADER,
        member_row(0, 公民身份号码=id15, 出生日期="1965-04-03", 人员编号=""),
        member_row(1, 公民身份号码=id18, 出生日期="1965-04-03", 人员编号=""),
    ]
    return Case(
        "old_15_digit",
        write_csv(d / "id15.csv", rows),
        kind="members",
        records=1,
        warnings=[(2, "公民身份号码", "升位")],
        rejected=[(3, "公民身份号码", "与第2行重复")],
    )


def case_fullwidth_headers(d: Path) -> Case:
    hdr = [
        "序　号",
        "*姓  名",
        "公民身份号码（必填）",
        "性别(必填)",
        "ＰＨＯＮＥ",
        "入党时间：",
        "Member No",
    ]
    rows: list[list[Any]] = [
        hdr,
        [1, "张三", f" {IDS[0].lower()} ", "男", "１３８００１３８０００", "2001年7月1日", "M1"],
    ]

    def extra(sheets: list[Any]) -> None:
        s = sheets[0]
        v = s.records[0].values
        assert set(s.columns) >= {"name", "id_number", "gender", "phone", "joined_on", "member_no"}
        assert v["phone"] == "13800138000" and v["joined_on"] == "2001-07-01"
        assert v["member_key"] == "M1" and v["id_masked"].startswith(IDS[0][:6])

    return Case(
        "fullwidth_headers",
        write_csv(d / "fw.csv", rows),
        kind="members",
        records=1,
        warnings=[(2, "性别(必填)", "不一致")] if int(IDS[0][16]) % 2 == 0 else [],
        extra=extra,
    )


def case_kind_mismatch(d: Path) -> Case:
    rows = [["户编号", "所在区划代码"], ["H1", "330782"]]
    return Case(
        "kind_mismatch",
        write_csv(d / "hh_as_members.csv", rows),
        kind="members",
        records=0,
        sheet_errors=["未找到“党员花名册”的表头行"],
    )


def case_sheet_only_garbage_text(d: Path) -> Case:
    p = d / "notes.csv"
    p.write_text("这是一份说明文件\n没有表格\n", encoding="utf-8")
    return Case("no_header_text", p, kind=None, records=0, sheet_errors=["未找到名册的表头行"])


# ---------------------------------------------------------------------------------------------
# issue #18 "Rows that vanish": a damaged row costs its own row, never the file or the rows after
#
# The small files of these cases are kept in tests/fixtures/malformed_rosters/ (the files the
# outside probe described, byte for byte, to open and look at); the tests read the kept file.
# `python tests/roster/roster_corpus.py` writes them anew from the builders. The large ones
# (a 1 MB cell, 500 rows) are generated each time.

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "malformed_rosters"


def kept(builder: Callable[[Path], Case]) -> Callable[[Path], Case]:
    """A case whose file is kept in FIXTURES: the builder's file is replaced by the kept one."""

    @functools.wraps(builder)
    def build(d: Path) -> Case:
        case = builder(d)
        fixture = FIXTURES / case.path.name
        if fixture.exists() and fixture.resolve() != case.path.resolve():
            shutil.copyfile(fixture, case.path)
        return case

    KEPT.append(builder)
    return build


KEPT: list[Callable[[Path], Case]] = []


def write_fixtures() -> list[Path]:
    """Write every kept case's file into FIXTURES (from its builder, not from the kept file)."""
    FIXTURES.mkdir(parents=True, exist_ok=True)
    return [builder(FIXTURES).path for builder in KEPT]


def _csv_lines(rows: list[list[Any]]) -> list[str]:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().split("\r\n")[:-1]


def _members_csv_lines(n: int = 9) -> list[str]:
    return _csv_lines([MEMBER_HEADER] + [member_row(i) for i in range(n)])


@kept
def case_csv_unclosed_quote(d: Path) -> Case:
    """The probe's file: one quote never closed (302,"测试302,…) swallowed rows 3–10."""
    lines = _members_csv_lines()
    lines[2] = lines[2].replace(",李四1,", ',"测试302,', 1)
    assert '"测试302' in lines[2]
    p = d / "unclosed_quote.csv"
    p.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return Case(
        "csv_unclosed_quote",
        p,
        kind="members",
        records=8,
        rows_total=9,
        rejected=[(3, None, "未闭合的引号")],
    )


@kept
def case_csv_unclosed_quote_closed_later(d: Path) -> Case:
    """The runaway field ends at a later row's quoted cell: both rows around it survive."""
    rows = [MEMBER_HEADER] + [member_row(i) for i in range(8)]
    rows[6][1] = "王五,5"  # quoted by the writer: a legitimate quote further down
    lines = _csv_lines(rows)
    lines[3] = lines[3].replace(",王五2,", ',"王五2,', 1)
    assert '"王五2' in lines[3]
    p = d / "unclosed_quote_later.csv"
    p.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return Case(
        "csv_unclosed_quote_closed_later",
        p,
        kind="members",
        records=7,
        rejected=[(4, None, "未闭合的引号")],
    )


@kept
def case_csv_multiline_cell_kept(d: Path) -> Case:
    """A quoted cell with line breaks is one cell, as in Excel: not a runaway quote, even in
    the first column (the line after the break then looks like a whole row)."""
    hdr = ["地址", "户编号", "所在区划代码", "户主姓名", "人口数"]
    rows: list[list[Any]] = [
        hdr,
        ["城中村\n一组3号", "H1", "330782001001-01", "张大", 3],
        ["城中村一组,\n5号,\n东", "H2", "330782001001-01", "李二", 2],
        ["二组", "H3", "330782001001-02", "王三", 4],
    ]

    def extra(sheets: list[Any]) -> None:
        v = {r.row: r.values for r in sheets[0].records}
        assert sorted(v) == [2, 3, 4]
        assert "一组3号" in v[2]["address"] and "5号" in v[3]["address"]

    return Case(
        "csv_multiline_cell_kept",
        write_csv(d / "multiline.csv", rows),
        kind="households",
        records=3,
        extra=extra,
    )


def case_csv_huge_cell(d: Path) -> Case:
    """A 1 MB cell raised the csv module's "field larger than field limit" for the file."""
    rows = [MEMBER_HEADER] + [member_row(i) for i in range(6)]
    rows[3][8] = "9" * 1_100_000
    return Case(
        "csv_huge_cell",
        write_csv(d / "huge_cell.csv", rows),
        kind="members",
        records=5,
        rows_total=6,
        rejected=[(4, None, "超过Excel单元格的上限")],
    )


@kept
def case_csv_nul_byte(d: Path) -> Case:
    """A NUL byte in one row made the whole file "不是可识别的表格文件"."""
    lines = _members_csv_lines()
    lines[4] = lines[4][:4] + "\x00" + lines[4][4:]
    p = d / "nul.csv"
    p.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return Case("csv_nul_byte", p, kind="members", records=8, rejected=[(5, None, "空字符")])


@kept
def case_csv_nul_byte_in_head(d: Path) -> Case:
    """A NUL byte on the first data row, within the first 8 KB the sniffer reads."""
    lines = _members_csv_lines()
    lines[1] = "\x00" + lines[1]
    p = d / "nul_head.csv"
    p.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return Case(
        "csv_nul_byte_in_head", p, kind="members", records=8, rejected=[(2, None, "空字符")]
    )


@kept
def case_csv_mixed_encodings(d: Path) -> Case:
    """A GBK row pasted into a UTF-8 file: read in its own encoding, with a warning."""
    lines = _members_csv_lines()
    data = b"\r\n".join(
        ln.encode("gbk") if i == 5 else ln.encode("utf-8") for i, ln in enumerate(lines)
    )

    def extra(sheets: list[Any]) -> None:
        v = {r.row: r.values for r in sheets[0].records}
        assert v[6]["name"] == member_row(4)[1] and v[6]["branch"] == "城东村党支部"

    p = d / "mixed.csv"
    p.write_bytes(data + b"\r\n")
    return Case(
        "csv_mixed_encodings",
        p,
        kind="members",
        records=9,
        warnings=[(6, None, "文字编码")],
        extra=extra,
    )


@kept
def case_csv_bom_then_gbk(d: Path) -> Case:
    """A UTF-8 BOM followed by GBK text was "无法识别文字编码" for the whole file."""
    p = d / "bom_gbk.csv"
    p.write_bytes(codecs.BOM_UTF8 + ("\r\n".join(_members_csv_lines()) + "\r\n").encode("gbk"))

    def extra(sheets: list[Any]) -> None:
        assert sheets[0].records[0].values["branch"] == "城东村党支部"

    return Case("csv_bom_then_gbk", p, kind="members", records=9, extra=extra)


@kept
def case_csv_undecodable_line(d: Path) -> Case:
    """A line in neither UTF-8 nor GB18030 costs its own row."""
    lines = [ln.encode("utf-8") for ln in _members_csv_lines()]
    lines[7] = lines[7][:12] + b"\xff\xfe\xff" + lines[7][12:]
    p = d / "undecodable.csv"
    p.write_bytes(b"\r\n".join(lines) + b"\r\n")
    return Case(
        "csv_undecodable_line", p, kind="members", records=8, rejected=[(8, None, "无法按")]
    )


def _html_members(rows: list[str]) -> str:
    head = "<tr>" + "".join(f"<th>{h}</th>" for h in MEMBER_HEADER) + "</tr>\n"
    return _html_doc(f"<table>\n{head}{''.join(rows)}</table>")


def _html_rows(n: int) -> list[str]:
    return ["<tr>" + "".join(f"<td>{v}</td>" for v in member_row(i)) + "</tr>\n" for i in range(n)]


@kept
def case_html_nul_in_cell(d: Path) -> Case:
    """A NUL inside a cell of a web-page .xls: that row is refused, in any format."""
    rows = _html_rows(5)
    rows[2] = rows[2].replace("王五2", "王\x00五2")
    p = d / "nul_cell.xls"
    p.write_bytes(_html_members(rows).encode("utf-8"))
    return Case("html_nul_in_cell", p, kind="members", records=4, rejected=[(4, None, "空字符")])


@kept
def case_html_mixed_encodings(d: Path) -> Case:
    """A web-page .xls in UTF-8 with one row in GBK: every row read in its own encoding."""
    rows = _html_rows(5)
    head, _, tail = _html_members(["@ROWS@"]).partition("@ROWS@")
    data = head.encode() + b"".join(
        r.encode("gbk") if i == 3 else r.encode() for i, r in enumerate(rows)
    )
    p = d / "mixed.xls"
    p.write_bytes(data + tail.encode())

    def extra(sheets: list[Any]) -> None:
        v = {r.row: r.values for r in sheets[0].records}
        assert v[5]["name"] == member_row(3)[1] and v[5]["branch"] == "城东村党支部"

    return Case("html_mixed_encodings", p, kind="members", records=5, extra=extra)


@kept
def case_spreadsheetml_bom_then_gbk(d: Path) -> Case:
    """SpreadsheetML saved as GBK behind a UTF-8 BOM, with no encoding declared."""
    cells = "".join(
        "<Row>" + "".join(f'<Cell><Data ss:Type="String">{v}</Data></Cell>' for v in r) + "</Row>"
        for r in [MEMBER_HEADER] + [member_row(i) for i in range(4)]
    )
    xml = (
        '<?xml version="1.0"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
        f'<Worksheet ss:Name="党员花名册"><Table>{cells}</Table></Worksheet></Workbook>'
    )
    p = d / "bom_gbk.xml"
    p.write_bytes(codecs.BOM_UTF8 + xml.encode("gbk"))
    return Case(
        "spreadsheetml_bom_then_gbk", p, kind="members", records=4, extra=_branch_of_every_record
    )


def _branch_of_every_record(sheets: list[Any]) -> None:
    recs = sheets[0].records
    assert recs and all(r.values.get("branch") == "城东村党支部" for r in recs), [
        (r.row, r.values.get("branch")) for r in recs
    ]


def _merged_rows() -> list[list[Any]]:
    rows = [MEMBER_HEADER] + [member_row(i) for i in range(5)]
    for r in rows[2:4]:
        r[9] = None  # 所在党支部 merged over J2:J4: only J2 holds the value
    return rows


@kept
def case_xlsx_merged_branch(d: Path) -> Case:
    """所在党支部 merged over the rows of one branch, as government exports do: the members
    below the first lost their branch, silently."""
    p = write_xlsx(d / "merged.xlsx", {"党员花名册": _merged_rows()}, {"党员花名册": ["J2:J4"]})
    return Case(
        "xlsx_merged_branch",
        p,
        kind="members",
        records=5,
        warnings=[(2, "所在党支部", "合并单元格")],
        extra=_branch_of_every_record,
    )


@kept
def case_xls_merged_branch(d: Path) -> Case:
    rows = _merged_rows()
    p = write_xls(d / "merged.xls", rows, merges=[(1, 3, 9, 9)])
    return Case(
        "xls_merged_branch",
        p,
        kind="members",
        records=5,
        warnings=[(2, "所在党支部", "合并单元格")],
        extra=_branch_of_every_record,
    )


@kept
def case_html_rowspan_branch(d: Path) -> Case:
    """A web page saved as .xls, 所在党支部 spanning three rows (rowspan)."""
    head = "<tr>" + "".join(f"<th>{h}</th>" for h in MEMBER_HEADER) + "</tr>"
    body = ""
    for i in range(5):
        cells = member_row(i)
        tds = "".join(f"<td>{v}</td>" for v in cells[:9])
        if i == 0:
            tds += "<td rowspan=3>城东村党支部</td>"
        elif i >= 3:
            tds += f"<td>{cells[9]}</td>"
        body += f"<tr>{tds}</tr>"
    p = d / "rowspan.xls"
    p.write_text(_html_doc(f"<table>{head}{body}</table>"), encoding="utf-8")
    return Case(
        "html_rowspan_branch",
        p,
        kind="members",
        records=5,
        warnings=[(2, "所在党支部", "合并单元格")],
        extra=_branch_of_every_record,
    )


@kept
def case_spreadsheetml_mergedown_branch(d: Path) -> Case:
    def cell(v: Any, extra: str = "") -> str:
        return f'<Cell{extra}><Data ss:Type="String">{v}</Data></Cell>'

    xml_rows = ["<Row>" + "".join(cell(h) for h in MEMBER_HEADER) + "</Row>"]
    for i in range(5):
        cells = member_row(i)
        xml = "".join(cell(v) for v in cells[:9])
        if i == 0:
            xml += cell(cells[9], ' ss:MergeDown="2"')
        elif i >= 3:
            xml += cell(cells[9])
        xml_rows.append(f"<Row>{xml}</Row>")
    p = d / "mergedown.xls"
    p.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
        '<Worksheet ss:Name="党员花名册"><Table>' + "".join(xml_rows) + "</Table></Worksheet>"
        "</Workbook>",
        encoding="utf-8",
    )
    return Case(
        "spreadsheetml_mergedown_branch",
        p,
        kind="members",
        records=5,
        warnings=[(2, "所在党支部", "合并单元格")],
        extra=_branch_of_every_record,
    )


@kept
def case_phone_warning_masked(d: Path) -> Case:
    """A phone warning quoted the raw number in its message while its value was masked."""
    rows = [MEMBER_HEADER] + [member_row(i) for i in range(3)]
    rows[2][8] = "1552892999"  # ten digits: neither a mobile nor a landline
    rows[3][8] = 5798512345.0  # a landline whose leading 0 Excel dropped

    def extra(sheets: list[Any]) -> None:
        phone = [w for w in sheets[0].warnings if w.column == "手机号码"]
        assert len(phone) == 2, phone
        for w in phone:
            assert not re.search(r"\d{4}", w.message), w
            assert w.value is not None and "****" in w.value, w

    return Case(
        "phone_warning_masked",
        write_xlsx(d / "phones_masked.xlsx", {"党员花名册": rows}),
        kind="members",
        records=3,
        warnings=[(3, "手机号码", "不像11位手机号"), (4, "手机号码", "补回开头的0")],
        extra=extra,
    )


@kept
def case_household_absurd_size(d: Path) -> Case:
    """A household of 1,000,000,000 people passed without a warning."""
    rows: list[list[Any]] = [
        ["户编号", "所在区划代码", "户主姓名", "人口数"],
        ["H1", "330782001001-01", "张大", 1_000_000_000],
        ["H2", "330782001001-01", "李二", "5人"],
    ]

    def extra(sheets: list[Any]) -> None:
        v = {r.row: r.values for r in sheets[0].records}
        assert "size" not in v[2] and v[3]["size"] == 5

    return Case(
        "household_absurd_size",
        write_csv(d / "hh_size.csv", rows),
        kind="households",
        records=2,
        warnings=[(2, "人口数", "不合理")],
        extra=extra,
    )


LARGE_ROWS = 500


def case_csv_large_with_damaged_rows(d: Path) -> Case:
    """Generated (not kept): 500 members, among them a NUL byte, a GBK row, a 40 KB cell and
    a quote never closed near the end; every other row is read."""
    rows = [MEMBER_HEADER]
    for i in range(LARGE_ROWS):
        idn = make_id(place="330782", born=dt.date(1950, 1, 1) + dt.timedelta(days=i), seq=7)
        rows.append(
            member_row(0, 序号=i + 1, 姓名=f"大表{i}", 公民身份号码=idn, 人员编号=f"L{i:05d}")
        )
        rows[-1][5] = f"{idn[6:10]}-{idn[10:12]}-{idn[12:14]}"
        rows[-1][2] = "男" if int(idn[16]) % 2 else "女"
    rows[300][1] = "长" * 40_000
    lines = _csv_lines(rows)
    lines[100] = lines[100][:3] + "\x00" + lines[100][3:]
    lines[480] = lines[480].replace(",大表479,", ',"大表479,', 1)
    assert '"大表479' in lines[480]
    data = b"\r\n".join(
        ln.encode("gbk") if i == 200 else ln.encode("utf-8") for i, ln in enumerate(lines)
    )
    p = d / "large_damaged.csv"
    p.write_bytes(codecs.BOM_UTF8 + data + b"\r\n")
    return Case(
        "csv_large_with_damaged_rows",
        p,
        kind="members",
        records=LARGE_ROWS - 3,
        rows_total=LARGE_ROWS,
        rejected=[(101, None, "空字符"), (301, None, "超过Excel"), (481, None, "未闭合")],
        warnings=[(201, None, "文字编码")],
    )


# ---------------------------------------------------------------------------------------------
# the corpus imported (tests/importer/test_import_corpus.py and corpus_driver.py): the base roster
# every import starts from (义乌市 areas, 城东村党支部, members M0000… that the demo county does
# not have) and how an accepted record is found in the graph


BASE = {
    "areas.csv": [
        ["区划代码", "名称", "层级", "上级代码"],
        ["330782", "义乌市", "县", ""],
        ["330782001", "稠城街道", "街道", "330782"],
        ["330782001001", "城中村", "社区", "330782001"],
        ["330782001001-01", "一组", "组", "330782001001"],
        ["330782001001-02", "二组", "组", "330782001001"],
    ],
    "orgs.csv": [
        ["组织编号", "组织名称", "组织类别", "上级组织编号", "所在区划代码"],
        ["O1", "城东村党支部", "党支部", "", "330782001001"],
        ["O3", "驻义乌流动党员党支部", "流动党员党支部", "O1", ""],
        ["O4", "第一党小组", "党小组", "O1", ""],
    ],
    "households.csv": [
        ["户编号", "所在区划代码", "户主姓名"],
        ["H1", "330782001001-01", "张大"],
        ["H2", "330782001001-01", "李二"],
    ],
    "members.csv": [MEMBER_HEADER] + [member_row(i) for i in range(len(IDS))],
}

_MEMBERS: dict[int, tuple[Dump, list[dict[str, Any]]]] = {}


def _members(g: Dump) -> list[dict[str, Any]]:
    """The members of a dump, listed once per dump (a large case looks each one up)."""
    hit = _MEMBERS.get(id(g))
    if hit is None or hit[0] is not g:
        _MEMBERS.clear()
        hit = _MEMBERS[id(g)] = (g, g.label("Member"))
    return hit[1]


_BRANCHES: dict[int, tuple[Dump, dict[Any, set[Any]]]] = {}


def _branches(g: Dump) -> dict[Any, set[Any]]:
    """Member key → the orgs it BELONGS_TO, once per dump."""
    hit = _BRANCHES.get(id(g))
    if hit is None or hit[0] is not g:
        out: dict[Any, set[Any]] = {}
        for a, b, _ in g.rel("BELONGS_TO"):
            out.setdefault(a, set()).add(b)
        _BRANCHES.clear()
        hit = _BRANCHES[id(g)] = (g, out)
    return hit[1]


def _member(g: Dump, v: dict[str, Any], *, by_number: bool) -> dict[str, Any] | None:
    members = _members(g)
    if by_number and v.get("member_no"):
        found = [m for m in members if m.get("member_no") == v["member_no"]]
    elif v.get("member_key") and any(m["key"] == v["member_key"] for m in members):
        found = [m for m in members if m["key"] == v["member_key"]]
    else:
        found = [m for m in members if v.get("id_hash") and m.get("id_hash") == v["id_hash"]]
    assert len(found) <= 1, found
    return found[0] if found else None


def in_graph(kind: str, v: dict[str, Any], g: Dump) -> bool:
    """Whether an accepted record is in the graph, looked up by its natural key."""
    if kind == "areas":
        return v["code"] in {a["code"] for a in g.label("Area")}
    if kind == "orgs":
        return any(o["id"] == v["org_id"] and o["name"] == v["name"] for o in g.label("Org"))
    if kind == "households":
        return (v["household_id"], v["area_code"]) in {(a, b) for a, b, _ in g.rel("IN")}
    member = _member(g, v, by_number=kind == "members")
    if member is None:
        return False
    if kind == "members":
        if member["name"] != v["name"] or member["on_roll"] is not True:
            return False
        # The row's branch is linked (#18: merged 所在党支部 cells lost it silently).
        branch = v.get("branch")
        if not branch:
            return True
        orgs = {o["id"] for o in g.label("Org") if branch in (o["id"], o["name"])}
        return any(b in orgs for b in _branches(g).get(member["key"], ()))
    key = member["key"]
    if kind == "contacts":
        rel = "CONTACTS" if v["target_kind"] == "household" else "RESPONSIBLE_FOR"
        return (key, v["target_id"], v.get("since") or "") in {
            (a, b, p.get("since")) for a, b, p in g.rel(rel)
        }
    if kind == "outflows":
        return any(o["member"] == key and o["left_on"] == v["left_on"] for o in g.label("Outflow"))
    if kind == "reports":
        return any(r["member"] == key and r["on"] == v["on"] for r in g.label("Report"))
    raise AssertionError(kind)


BUILDERS: list[Callable[[Path], Case]] = [
    v for k, v in sorted(globals().items()) if k.startswith("case_") and callable(v)
]


def build_all(d: Path) -> list[Case]:
    return [b(d) for b in BUILDERS]


if __name__ == "__main__":
    for written in write_fixtures():
        print(written)
