"""The import report: what happened to every row of every file, as a person can act on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from orgraph.roster import Issue


@dataclass
class FileReport:
    path: str
    sheet: str
    kind: str | None
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)  # the whole sheet was refused
    columns: dict[str, str] = field(default_factory=dict)  # key → header as the file wrote it
    # The member → household contacts this file creates or changes (the rows of
    # upsert_household_contacts), for a dry run's coverage preview; not part of the report.
    household_contacts: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def accepted(self) -> int:
        return self.created + self.updated + self.unchanged

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sheet": self.sheet,
            "kind": self.kind,
            "rows": self.rows,
            "accepted": self.accepted,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [issue_dict(i) for i in self.rejected],
            "warnings": [issue_dict(i) for i in self.warnings],
            "errors": [issue_dict(i) for i in self.errors],
        }


def issue_dict(issue: Issue) -> dict[str, Any]:
    return {
        "sheet": issue.sheet,
        "row": issue.row,
        "column": issue.column,
        "value": issue.value,
        "message": issue.message,
    }


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    dry_run: bool = False
    off_roll: int = 0  # members a --snapshot import marked off roll
    seconds: float = 0.0
    # A dry run's coverage before → after its household contacts (added by the caller, which
    # asks the engine: the importer does not analyse), or None.
    coverage: dict[str, Any] | None = None
    import_id: str | None = None  # its entry in the import history (importer/history.py)
    # An import found the same files unchanged and the graph is still as it read it: the
    # report is the one its mark kept, no row was read again (importer/mark.py).
    reused: bool = False
    # the values the import replaced (field history), written with its record; not reported
    replaced: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def household_contacts(self) -> list[dict[str, Any]]:
        return [row for f in self.files for row in f.household_contacts]

    def as_dict(self) -> dict[str, Any]:
        out = {
            "dry_run": self.dry_run,
            "off_roll": self.off_roll,
            "seconds": round(self.seconds, 3),
            "totals": self.totals(),
            "files": [f.as_dict() for f in self.files],
        }
        if self.coverage is not None:
            out["coverage"] = self.coverage
        if self.import_id is not None:
            out["import_id"] = self.import_id
        if self.reused:
            out["reused"] = True
        return out

    def totals(self) -> dict[str, int]:
        keys = ("rows", "accepted", "created", "updated", "unchanged")
        out = {k: sum(int(getattr(f, k)) for f in self.files) for k in keys}
        out["rejected"] = sum(len({i.row for i in f.rejected}) for f in self.files)
        out["warnings"] = sum(len(f.warnings) for f in self.files)
        out["sheet_errors"] = sum(len(f.errors) for f in self.files)
        return out
