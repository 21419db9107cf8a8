"""Roster reading and validation (pure Python, no database).

    from orgraph.roster import parse_file
    sheets = parse_file("花名册.xlsx", key=secret)       # kind detected per sheet
    for s in sheets:
        s.kind, s.records, s.rejected, s.warnings, s.errors

Importing this package is cheap: readers, cpca data and charset-normalizer load lazily.
"""

from __future__ import annotations

from orgraph.roster.columns import KINDS, SPECS, ColumnSpec, KindSpec, kind_spec
from orgraph.roster.errors import RosterFileError
from orgraph.roster.geocode import Place, city_of, geocode, place_by_code
from orgraph.roster.idnumber import check_id, hash_id, mask_id
from orgraph.roster.parsed import Issue, ParsedSheet, Record
from orgraph.roster.readers import DEFAULT_MAX_BYTES, RawSheet, read_workbook
from orgraph.roster.validate import parse_file, parse_sheet

__all__ = [
    "DEFAULT_MAX_BYTES",
    "KINDS",
    "SPECS",
    "ColumnSpec",
    "Issue",
    "KindSpec",
    "ParsedSheet",
    "Place",
    "RawSheet",
    "Record",
    "RosterFileError",
    "check_id",
    "city_of",
    "geocode",
    "hash_id",
    "kind_spec",
    "mask_id",
    "parse_file",
    "parse_sheet",
    "place_by_code",
    "read_workbook",
]
