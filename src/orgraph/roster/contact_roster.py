"""A contact proposal as a 联系关系 roster: the columns the contacts importer reads (headers
from orgraph.roster.columns, so the two cannot drift apart) and a 说明 column it ignores
(docs/rules.md "Contact proposals": importing the file is the same as applying the pairs)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from orgraph.roster.columns import CONTACTS
from orgraph.vocab import LOCALITY_ZH, TARGET_KIND_ZH

_COLUMNS = ("member_no", "name", "target_kind", "target_id", "target_name", "since", "remark")
HEADERS = tuple(
    next(c.label for c in CONTACTS.columns if c.key == key) if key != "remark" else "说明"
    for key in _COLUMNS
)
TEXT = ("member_no", "target_id")  # kept as text: 人员编号 and 户编号 are digit strings
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _note(item: dict[str, Any]) -> str:
    note = f"{LOCALITY_ZH[item['locality']]}; 联户数 {item['load_before']}→{item['load_after']}"
    return note + ("; 村两委补位" if item["extra"] else "")


def rows(items: list[dict[str, Any]], since: str) -> list[list[str]]:
    """One row per proposed pair, in the proposal's order."""
    out = []
    for item in items:
        household = item["household"]
        out.append(
            [
                item["member"]["id"],
                item["member"]["name"],
                TARGET_KIND_ZH["household"],
                household["id"],
                household.get("head_name") or "",
                since,
                _note(item),
            ]
        )
    return out


def cadre_rows(items: list[dict[str, Any]], since: str) -> list[list[str]]:
    """One row per hamlet or party group a proposed cadre takes on (包组建议)."""
    out = []
    for item in items:
        note = (
            f"包组建议: {LOCALITY_ZH[item['locality']]}; "
            f"包组数 {item['load_before']}→{item['load_after']}"
        )
        for t in item["targets"]:
            out.append(
                [
                    item["cadre"]["id"],
                    item["cadre"]["name"],
                    TARGET_KIND_ZH[t["kind"]],
                    t["id"],
                    t["name"],
                    since,
                    note,
                ]
            )
    return out


# The control characters a worksheet cannot hold: openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE,
# written here so that a CSV export or a table cell does not load openpyxl.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def safe_text(value: str) -> str:
    """Text no spreadsheet evaluates as a formula (names come from rosters people typed)."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value.startswith(FORMULA_START) else value


def to_xlsx(items: list[dict[str, Any]], since: str, *, cadres: bool = False) -> bytes:
    """Household pairs (or, with cadres, the 包组 proposal's items) as an XLSX roster."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "联系关系"
    ws.append(list(HEADERS))
    for row in (cadre_rows if cadres else rows)(items, since):
        ws.append([safe_text(v) for v in row])
    for i, key in enumerate(_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = 40 if key == "remark" else 16
        if key in TEXT:
            for cells in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                for cell in cells:
                    cell.number_format = "@"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_csv(items: list[dict[str, Any]], since: str, *, cadres: bool = False) -> bytes:
    """UTF-8 with a BOM, as Excel opens it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in (cadre_rows if cadres else rows)(items, since):
        writer.writerow([safe_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
