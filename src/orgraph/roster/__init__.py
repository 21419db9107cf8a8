"""Roster reading and validation (pure Python, no database).

    from orgraph.roster import parse_file
    sheets = parse_file("花名册.xlsx", key=secret)       # kind detected per sheet
    for s in sheets:
        s.kind, s.records, s.rejected, s.warnings, s.errors

Importing this package is cheap: readers, cpca data and charset-normalizer load lazily.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orgraph.roster.columns import KINDS, SPECS, ColumnSpec, KindSpec, kind_spec
    from orgraph.roster.errors import RosterFileError
    from orgraph.roster.idnumber import check_id, hash_id, mask_id
    from orgraph.roster.parsed import Issue, ParsedSheet, Record
    from orgraph.roster.readers import DEFAULT_MAX_BYTES, RawSheet, read_workbook
    from orgraph.roster.validate import parse_file, parse_sheet

# geocode (cheap: its table loads on first use) is imported now: its function `geocode` shares
# the module's name, and a package attribute named after a submodule is set to the submodule
# whenever that is imported, so only an import here, after it, keeps the name the function's.
from orgraph.roster.geocode import Place, city_of, geocode, place_by_code

# Where every other name lives: imported on first use (PEP 562), so that a process that needs
# one module of this package (the engine needs geocode) does not import the readers and checks.
_HOME = {
    "columns": ("KINDS", "SPECS", "ColumnSpec", "KindSpec", "kind_spec"),
    "errors": ("RosterFileError",),
    "idnumber": ("check_id", "hash_id", "mask_id"),
    "parsed": ("Issue", "ParsedSheet", "Record"),
    "readers": ("DEFAULT_MAX_BYTES", "RawSheet", "read_workbook"),
    "validate": ("parse_file", "parse_sheet"),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


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
