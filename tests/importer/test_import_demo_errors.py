"""The demo's `with_errors/` samples, imported on top of the clean demo: every expected problem
of `expected_errors.json` is in the import report at its row and column."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from importer_helpers import (
    FILES,
    by_file,
    dump,
    import_demo,
    issue_columns,
    run_import,
)

from orgraph.importer.report import FileReport
from orgraph.store import GraphStore


def _expected(demo_dir: Path) -> list[dict[str, Any]]:
    return cast(
        list[dict[str, Any]],
        json.loads((demo_dir / "with_errors" / "expected_errors.json").read_text("utf-8")),
    )


def _import(store: GraphStore, demo_dir: Path) -> dict[str, FileReport]:
    import_demo(store, demo_dir)
    folder = demo_dir / "with_errors"
    return by_file(run_import(store, sorted(p for p in folder.iterdir() if p.name in FILES)))


def _problem(entry: dict[str, Any], files: dict[str, FileReport]) -> str | None:
    f = files[entry["file"]]
    rejected = [i for i in f.rejected if i.row == entry["row"]]
    warned = [i for i in f.warnings if i.row == entry["row"]]
    column = entry["column"]
    if entry["severity"] == "error":
        if not rejected:
            return f"not rejected (warnings: {warned})"
        if column and not any(column in issue_columns(i.column) for i in rejected):
            return f"rejected, but at columns {[i.column for i in rejected]}"
        return None
    if rejected:
        return f"rejected: {rejected}"
    if entry["severity"] == "warning" and not any(
        column in issue_columns(i.column) for i in warned
    ):
        return f"no warning at {column} (warnings: {warned})"
    return None


def test_every_expected_error_is_reported_at_its_row_and_column(
    store: GraphStore, demo_dir: Path
) -> None:
    expected = _expected(demo_dir)
    before = len(dump(store).nodes)
    files = _import(store, demo_dir)
    assert set(files) == {e["file"] for e in expected}
    problems = {
        (e["file"], e["row"], e["column"]): p for e in expected if (p := _problem(e, files))
    }
    assert problems == {}
    for name, f in files.items():
        rows = [e for e in expected if e["file"] == name]
        errors = {e["row"] for e in rows if e["severity"] == "error"}
        assert f.rows == len(rows), name
        assert {i.row for i in f.rejected} == errors, name  # and nothing else rejected
        assert f.accepted == f.rows - len(errors), name
    assert len(dump(store).nodes) > before  # the good rows were imported
