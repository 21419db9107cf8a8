"""Comparing two import reports (the importer's tests and the county acceptance test)."""

from __future__ import annotations

from typing import Any

from orgraph.importer.report import ImportReport


def same_report(a: ImportReport, b: ImportReport) -> bool:
    """The reports agree on everything but the time taken and how they were made (a report
    kept by the graph's import mark against one that read every row; importer/mark.py)."""

    def doc(r: ImportReport) -> dict[str, Any]:
        d = r.as_dict()
        for k in ("seconds", "reused", "import_id"):
            d.pop(k, None)
        for f, rep in zip(d["files"], r.files, strict=True):
            f["columns"] = rep.columns
        return d

    da, db = doc(a), doc(b)
    assert da == db, (da, db)
    return True
