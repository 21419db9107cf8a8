"""Roster upload (dry run, real import, size limit, roles) and gap exports (CSV, XLSX)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from orgraph.config import Settings
from orgraph.demo.generate import FILES
from orgraph.importer.pipeline import import_files
from orgraph.security.audit import AuditLog
from orgraph.store import GraphStore
from orgraph.store.base import count_nodes
from orgraph.store.write_lock import import_lock
from tests.api.conftest import AS_OF, KEY, add_users, login, user_store
from tests.engines import GraphHost
from tests.live_api import live_api

LIMIT_MB = 1


@pytest.fixture
def empty_api(graph_host: GraphHost, tmp_path: Path) -> Iterator[tuple[str, GraphStore, Path]]:
    """An API over an empty graph, with a 1 MB upload limit."""
    settings = Settings(
        data_dir=tmp_path,
        jwt_secret="",
        roster_max_mb=LIMIT_MB,
        id_hash_key=KEY.decode(),
        import_lock_wait_s=2,  # an import behind another answers 503 after 2 s
    )
    add_users(tmp_path)
    with (
        graph_host.fresh() as store,
        live_api(store, tmp_path, settings=settings, users=user_store(tmp_path)) as url,
    ):
        yield url, store, tmp_path


def _files(folder: Path) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [
        ("files", (name, (folder / name).read_bytes(), "application/octet-stream"))
        for name in FILES
    ]


def test_dry_run_reports_like_the_cli_and_writes_nothing(
    empty_api: tuple[str, GraphStore, Path], demo_dir: Path, graph_host: GraphHost
) -> None:
    url, store, data_dir = empty_api
    c = login(url, "county")
    r = c.post("/imports/auto", files=_files(demo_dir))
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["dry_run"] is True and count_nodes(store) == 0
    with graph_host.fresh() as other:
        cli = import_files(other, [demo_dir / f for f in FILES], key=KEY, dry_run=True)
    assert doc["totals"] == cli.as_dict()["totals"]
    # The names as uploaded, never the server's temporary paths.
    assert {f["path"] for f in doc["files"]} == set(FILES)
    entry = [e for e in AuditLog(data_dir / "audit").read() if e["action"] == "import"][-1]
    assert entry["result"] == "ok" and entry["detail"]["dry_run"] is True
    assert c.get("/history/imports").json()["total"] == 0, "a dry run is not in the import history"


def test_real_import_then_the_answers_see_it(
    empty_api: tuple[str, GraphStore, Path], demo_dir: Path
) -> None:
    url, _, _ = empty_api
    c = login(url, "county")
    r = c.post("/imports/auto", params={"dry_run": False}, files=_files(demo_dir))
    assert r.status_code == 200, r.text
    assert r.json()["totals"]["rejected"] == 0 and r.json()["totals"]["created"] > 1000
    assert c.get("/members").json()["total"] > 100
    assert (
        c.get("/gaps/summary", params={"as_of": AS_OF.isoformat()}).json()["counts"][
            "household_uncovered"
        ]
        > 0
    )
    members = [f for f in _files(demo_dir) if f[1][0] == "党员花名册.xlsx"]
    again = c.post("/imports/members", params={"dry_run": False}, files=members)
    assert again.json()["totals"]["created"] == 0, "importing the same file twice adds nothing"
    # once more: the same upload over the graph that import left is answered from the graph's
    # import mark, with the same report, and recorded in the history too (importer/mark.py)
    kept = c.post("/imports/members", params={"dry_run": False}, files=members)
    assert kept.status_code == 200, kept.text
    assert kept.json()["reused"] is True and "reused" not in again.json()
    assert kept.json()["totals"] == again.json()["totals"]
    assert kept.json()["files"] == again.json()["files"]

    # The import history (docs/design.md#import-history): all, newest first, as uploaded
    doc = c.get("/history/imports").json()
    assert doc["total"] == 3 and [e["id"] for e in doc["items"]] == [
        kept.json()["import_id"],
        again.json()["import_id"],
        r.json()["import_id"],
    ]
    newest, oldest = doc["items"][1:]
    assert (oldest["by"], oldest["source"]) == ("county", "api")
    assert [f["name"] for f in oldest["files"]] == list(FILES)
    assert [f["name"] for f in newest["files"]] == ["党员花名册.xlsx"]
    assert newest["changes"]["members"]["created"] == 0 and newest["totals"]["created"] == 0
    one = c.get(f"/history/imports/{oldest['id']}").json()
    answered = {k: v for k, v in r.json().items() if k not in ("import_id", "seconds")}
    assert {k: v for k, v in one["report"].items() if k != "seconds"} == answered
    refused = login(url, "township").get("/history/imports")
    assert (
        refused.status_code == 403 and refused.json()["detail"] == "只有县级管理员可以查看导入记录"
    )
    missing = c.get("/history/imports/nope")
    assert missing.status_code == 404 and missing.json()["detail"] == "没有编号为“nope”的导入记录"


def test_uploads_over_the_limit_are_413(empty_api: tuple[str, GraphStore, Path]) -> None:
    url, store, _ = empty_api
    c = login(url, "county")
    big = b"a,b\n" * (LIMIT_MB * 1024 * 1024 // 4 + 10)
    r = c.post("/imports/households", files=[("files", ("big.csv", big, "text/csv"))])
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
    assert "1 MB" in r.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams in
        boundary = b"--xyz\r\n"
        yield (
            boundary + b'Content-Disposition: form-data; name="files"; filename="b.csv"'
            b"\r\nContent-Type: text/csv\r\n\r\n"
        )
        for _ in range(LIMIT_MB * 4 + 4):
            yield b"x" * 262_144
        yield b"\r\n--xyz--\r\n"

    r = c.post(
        "/imports/households",
        content=chunks(),
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
    )
    assert r.status_code == 413, r.text
    assert count_nodes(store) == 0


def test_only_county_admins_import_and_files_must_be_tables(
    empty_api: tuple[str, GraphStore, Path], demo_dir: Path
) -> None:
    url, _, data_dir = empty_api
    r = login(url, "township").post("/imports/auto", files=_files(demo_dir)[:1])
    assert r.status_code == 403
    c = login(url, "county")
    r = c.post("/imports/auto", files=[("files", ("evil.sh", b"rm -rf /", "text/plain"))])
    assert r.status_code == 422 and "表格文件" in r.json()["detail"]
    r = c.post("/imports/auto", files=[("files", ("../../etc/x.csv", b"a,b\n1,2\n", "text/csv"))])
    assert r.status_code == 200
    assert r.json()["files"][0]["path"] == "x.csv"
    # A row error names the sheet as the user's file is named (a CSV's sheet is its stem), not
    # the server's spool name.
    bad = "户编号,所在区划代码,户主姓名\nH-1,999999999999999,甲\n".encode()
    r = c.post("/imports/households", files=[("files", ("新农户.csv", bad, "text/csv"))])
    assert r.status_code == 200, r.text
    assert [i["sheet"] for i in r.json()["files"][0]["rejected"]] == ["新农户"]
    assert c.post("/imports/planets", files=_files(demo_dir)[:1]).status_code == 422
    denied = [e for e in AuditLog(data_dir / "audit").read() if e["result"] == "denied"]
    assert any(e["user"] == "township" and e["action"] == "import" for e in denied)


def test_an_import_behind_another_answers_503_and_writes_nothing(
    empty_api: tuple[str, GraphStore, Path], demo_dir: Path
) -> None:
    """While another import holds the graph's import lock, an upload waits (at most
    ORGRAPH_IMPORT_LOCK_WAIT_S, here 2 s) and answers 503 in Chinese, having written nothing;
    once the lock is free the same upload imports (#18)."""
    url, store, _ = empty_api
    c = login(url, "county")
    c.timeout = 120
    with import_lock(store, wait_s=1, lease_s=120):
        r = c.post("/imports/auto", params={"dry_run": False}, files=_files(demo_dir)[:1])
        assert r.status_code == 503, r.text
        assert "另一个导入" in r.json()["detail"]
        assert count_nodes(store) == 0
    r = c.post("/imports/auto", params={"dry_run": False}, files=_files(demo_dir)[:1])
    assert r.status_code == 200, r.text
    assert count_nodes(store) > 0


# -- exports --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def planted(writers: dict[str, httpx.Client]) -> str:
    """A household whose head's name is a formula, uncovered, in the village."""
    r = writers["county"].post(
        "/households",
        json={
            "id": "330226203203-0999",
            "area": "330226203203001",
            "head_name": '=HYPERLINK("http://x")',
            "address": "+1",
            "tags": ["@x"],
        },
    )
    assert r.status_code == 201, r.text
    return "330226203203-0999"


def test_csv_export_is_bom_utf8_escaped_and_keeps_ids_as_text(
    writers: dict[str, httpx.Client], planted: str
) -> None:
    r = writers["village"].get(
        "/gaps/export", params={"type": "household_uncovered", "format": "csv"}
    )
    assert r.status_code == 200
    assert r.content.startswith(b"\xef\xbb\xbf")
    assert r.headers["content-type"].startswith("text/csv")
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:2] == ["编号", "户主"]
    mine = next(row for row in body if row[0] == planted)
    assert mine[1] == '\'=HYPERLINK("http://x")'
    codes = [row[header.index("村(社区)编号")] for row in body]
    assert all(c == "\t330226203203" for c in codes)  # Excel keeps a tab-led number as text


def test_xlsx_export_has_text_cells_and_no_formulas(
    writers: dict[str, httpx.Client], planted: str
) -> None:
    r = writers["village"].get("/gaps/export", params={"type": "household_uncovered"})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    assert ws is not None and ws.title == "农户无联系党员"
    header = [c.value for c in ws[1]]
    rows = list(ws.iter_rows(min_row=2))
    mine = next(row for row in rows if row[0].value == planted)
    assert mine[1].value == '\'=HYPERLINK("http://x")' and mine[1].data_type == "s"
    code = mine[header.index("村(社区)编号")]
    assert code.value == "330226203203" and code.data_type == "s" and code.number_format == "@"
    assert all(c.data_type != "f" for row in rows for c in row)


def test_empty_export_still_has_a_header(clients: dict[str, httpx.Client]) -> None:
    r = clients["village"].get(
        "/gaps/export",
        params={"type": "branch_too_large", "format": "csv", "as_of": AS_OF.isoformat()},
    )
    assert r.status_code == 200
    assert r.content.decode("utf-8-sig").splitlines() == ["编号"]
