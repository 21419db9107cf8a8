"""What validating a sheet gives: a :class:`ParsedSheet` of :class:`Record` rows and
:class:`Issue` reports, and :func:`show` (a cell as an issue may quote it: ID numbers and
phones masked)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from orgraph.roster.cells import cell_text
from orgraph.roster.columns import ColumnSpec
from orgraph.roster.idnumber import mask_any, scrub


class Issue(NamedTuple):
    sheet: str
    row: int | None  # Excel row number (1-based); None for a sheet-level problem
    column: str | None  # the header as written in the file (or the Chinese label)
    value: str | None  # the offending cell as text; ID numbers and phones masked
    message: str  # Chinese


@dataclass(slots=True)
class Record:
    row: int
    values: dict[str, Any]


@dataclass(slots=True)
class ParsedSheet:
    path: str
    sheet: str
    kind: str | None
    rows_total: int = 0
    records: list[Record] = field(default_factory=list)
    rejected: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)  # sheet-level: nothing imported
    header_row: int | None = None  # Excel row number of the (last) header row
    columns: dict[str, str] = field(default_factory=dict)  # key → header as written
    format: str = ""
    encoding: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({i.row for i in self.rejected if i.row is not None})


def show(raw: object, col: ColumnSpec | None) -> str | None:
    """A cell as an issue quotes it: an ID cell masked, a phone masked, anything else cut to
    60 characters with any ID number in it masked."""
    if raw is None:
        return None
    text = cell_text(raw).strip()
    if col is not None and col.type == "id_number":
        return mask_any(text)
    if col is not None and col.type == "phone":
        digits = re.sub(r"\D", "", text)
        return (digits[:3] + "****" + digits[-4:]) if len(digits) >= 7 else "****"
    if len(text) > 60:
        text = text[:60] + "…"
    return scrub(text)
