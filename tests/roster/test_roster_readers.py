from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import roster_corpus as rc

from orgraph.roster.errors import RosterFileError
from orgraph.roster.readers import read_workbook, sniff
from orgraph.roster.readers.delimited import sniff_delimiter
from orgraph.roster.readers.text import decode_text


def test_sniff() -> None:
    assert sniff(b"PK\x03\x04rest") == "zip"
    assert sniff(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 10) == "ole"
    assert (
        sniff(
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
        )
        == "spreadsheetml"
    )
    assert sniff(b"\xef\xbb\xbf  <html><body><table>") == "html"
    assert sniff(b"<table><tr><td>1</td></tr></table>") == "html"
    assert sniff("姓名,性别\n".encode()) == "text"
    assert sniff(b"<?xml version='1.0'?><root/>") == "xml"


def test_extension_is_ignored(tmp_path: Path) -> None:
    p = rc.write_csv(tmp_path / "really_csv.xlsx", [["姓名", "人员编号"], ["张三", "M1"]])
    sheets = read_workbook(p)
    assert sheets[0].format == "csv"


def test_delimiter() -> None:
    assert sniff_delimiter(["标题", "a,b,c", "1,2,3"]) == ","
    assert sniff_delimiter(["a\tb\tc", "1\t2,5\t3"]) == "\t"
    assert sniff_delimiter(["a;b;c", "1;2,5;3", "4;5;6"]) == ";"


@pytest.mark.parametrize("enc", ["utf-8-sig", "utf-8", "gb18030", "gbk", "utf-16"])
def test_decode(enc: str) -> None:
    text = "姓名,身份证号\n张三,1\n"
    data = text.encode(enc)
    out, _ = decode_text(data)
    assert out.lstrip("\ufeff") == text


def test_gb18030_rare_chars() -> None:
    text = "姓名\n王㛃\n𠮷田\n"
    out, enc = decode_text(text.encode("gb18030"))
    assert out == text and enc == "gb18030"
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")


def test_xlsx_rows_are_excel_rows_and_types_kept(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["B3"] = "姓名"
    ws["C3"] = "身份证号"
    ws["B4"] = "张三"
    ws["C4"] = 110101199003077777
    ws["D4"] = "110101199003077777"
    ws["E4"] = dt.date(1990, 3, 7)
    ws.merge_cells("B1:E1")
    ws["B1"] = "标题"
    p = tmp_path / "t.xlsx"
    wb.save(p)
    s = read_workbook(p)[0]
    assert s.format == "xlsx"
    assert s.rows[2][1] == "姓名"  # Excel row 3, column B
    assert isinstance(s.rows[3][2], float)
    assert s.rows[3][3] == "110101199003077777"
    assert s.rows[3][4] == dt.date(1990, 3, 7)
    assert s.merged == [(0, 1, 0, 4)]


def test_real_xls(tmp_path: Path) -> None:
    p = rc.write_xls(
        tmp_path / "a.xls", [["标题"], ["姓名", "编号"], ["张三", 7]], merges=[(0, 0, 0, 1)]
    )
    s = read_workbook(p)[0]
    assert s.format == "xls" and s.rows[2] == ["张三", 7] and s.merged == [(0, 0, 0, 1)]


def test_html_spans(tmp_path: Path) -> None:
    html = (
        "<html><body><p>x</p><table>"
        "<tr><td colspan=3>标题</td></tr>"
        "<tr><th rowspan=2>姓名</th><th colspan=2>流动情况</th></tr>"
        "<tr><th>外出时间</th><th>外出地点</th></tr>"
        "<tr><td>张&nbsp;三</td><td>2023<br>01</td><td>&lt;义乌&gt;</td></tr>"
        "</table></body></html>"
    )
    p = tmp_path / "a.xls"
    p.write_text(html, encoding="utf-8")
    s = read_workbook(p)[0]
    assert s.format == "html"
    assert s.rows == [
        ["标题", "", ""],
        ["姓名", "流动情况", ""],
        ["", "外出时间", "外出地点"],
        ["张 三", "2023 01", "<义乌>"],
    ]
    assert (0, 0, 0, 2) in s.merged and (1, 0, 2, 0) in s.merged and (1, 1, 1, 2) in s.merged


def test_html_without_table(tmp_path: Path) -> None:
    p = tmp_path / "a.xls"
    p.write_text("<html><body><table></table>nothing</body></html>", encoding="utf-8")
    with pytest.raises(RosterFileError, match="没有表格"):
        read_workbook(p)


def test_spreadsheetml_types_and_merges(tmp_path: Path) -> None:
    case = rc.case_spreadsheetml(tmp_path)
    sheets = read_workbook(case.path)
    s = sheets[0]
    assert [x.name for x in sheets] == ["党员花名册", "Sheet2"]
    assert s.merged == [(0, 0, 0, 5)]
    assert s.rows[2][3] == dt.date(1960, 1, 1)
    assert isinstance(s.rows[3][2], float)
    assert s.rows[5][4] == "2001/7/1" and len(s.rows) == 6


def test_spreadsheetml_entities_refused(tmp_path: Path) -> None:
    p = tmp_path / "x.xls"
    p.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>',
        encoding="utf-8",
    )
    with pytest.raises(RosterFileError, match="实体"):
        read_workbook(p)


def test_utf16_csv(tmp_path: Path) -> None:
    p = tmp_path / "u.csv"
    p.write_bytes(codecs.BOM_UTF16_LE + "姓名\t编号\r\n张三\t1\r\n".encode("utf-16-le"))
    s = read_workbook(p)[0]
    assert s.delimiter == "\t" and s.rows == [["姓名", "编号"], ["张三", "1"]]


def test_formula_cells_without_cached_value(tmp_path: Path) -> None:
    case = rc.case_formulas(tmp_path)
    s = read_workbook(case.path)[0]
    assert s.rows[1][3] == 3.0  # cached value of =1+2
    assert s.formula_no_value == {(2, 1), (3, 3)}


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RosterFileError, match="无法读取"):
        read_workbook(tmp_path / "nope.xlsx")


def _far_workbook(path: Path, cells: list[str]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "花名册"
    for ref in cells:
        ws[ref] = "x"
    wb.save(path)
    return path


def test_a_sparse_sheet_is_refused_before_it_is_materialised(tmp_path: Path) -> None:
    """Cells at XFD1 and A200000 (a 5 KB file) made calamine ask for 3.3 billion cells and
    abort the whole process (issue #18): now a Chinese error names the sheet, row and column."""
    far = _far_workbook(tmp_path / "far.xlsx", ["XFD1", "A200000"])
    assert far.stat().st_size < 10_000
    with pytest.raises(RosterFileError) as err:
        read_workbook(far)
    message = str(err.value)
    assert "“花名册”" in message and "200,000 行" in message and "XFD 列" in message
    assert "只有 2 个单元格" in message


def test_a_wide_but_full_sheet_still_reads(tmp_path: Path) -> None:
    """The guard is about sparseness: a sheet whose cells fill its range is read."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for r in range(1, 2001):
        ws.append([f"r{r}c{c}" for c in range(1, 41)])
    ws["AN3000"] = "last"  # 3,000 × 40 = 120k range for 80k cells: not sparse
    path = tmp_path / "full.xlsx"
    wb.save(path)
    (sheet,) = read_workbook(path)
    assert len(sheet.rows) == 3000 and sheet.rows[2999][39] == "last"


def test_html_spans_cannot_amplify_a_small_file(tmp_path: Path) -> None:
    """40 cells of rowspan=1000 colspan=1000 in 1.7 KB took 54 s and 6.1 GB (issue #18)."""
    cells = "".join('<td rowspan="1000" colspan="1000">x</td>' for _ in range(40))
    path = tmp_path / "spans.xls"
    path.write_text(f"<html><body><table><tr>{cells}</tr></table></body></html>")
    assert path.stat().st_size < 2_000
    with pytest.raises(RosterFileError) as err:
        read_workbook(path)
    assert "合并单元格" in str(err.value) and "第 1 行" in str(err.value)


def _spreadsheetml(body: str) -> str:
    return (
        '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="名单">'
        f"<Table>{body}</Table></Worksheet></Workbook>"
    )


def test_spreadsheetml_indices_cannot_amplify_a_small_file(tmp_path: Path) -> None:
    """A 407-byte SpreadsheetML with ss:Index="40000" exhausted 7.8 GB (issue #18)."""
    path = tmp_path / "far.xml"
    path.write_text(
        _spreadsheetml(
            '<Row><Cell><Data ss:Type="String">姓名</Data></Cell>'
            '<Cell ss:Index="16000"><Data ss:Type="String">x</Data></Cell></Row>'
            '<Row ss:Index="1000"><Cell><Data ss:Type="String">y</Data></Cell></Row>'
        )
    )
    with pytest.raises(RosterFileError) as err:
        read_workbook(path)
    assert "“名单”" in str(err.value) and "第 1,000 行" in str(err.value)

    path.write_text(
        _spreadsheetml('<Row><Cell ss:Index="40000"><Data ss:Type="String">x</Data></Cell></Row>')
    )
    with pytest.raises(RosterFileError) as err:
        read_workbook(path)
    assert "第 1 行" in str(err.value) and "超出Excel的列数上限" in str(err.value)

    path.write_text(
        _spreadsheetml(
            '<Row ss:Index="99999999"><Cell><Data ss:Type="String">y</Data></Cell></Row>'
        )
    )
    with pytest.raises(RosterFileError) as err:
        read_workbook(path)
    assert "超出Excel的行数上限" in str(err.value)
