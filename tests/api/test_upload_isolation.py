"""#18: an uploaded file that makes a roster reader abort, run out of memory or hang is
answered with a Chinese problem naming the file, and the API stays up.

The API runs as `orgraph serve` in its own process (a reader that aborts inside the test's
process would take pytest with it), over its own embedded store, with small upload limits:
ORGRAPH_UPLOAD_MEMORY_MB=100 and ORGRAPH_UPLOAD_TIMEOUT_S=8.

- A real 5 KB xlsx whose one sheet spans A1:ALL4900 (two cells; under the readers' sparseness
  guard) makes calamine ask for 157 MB at once: over the limit, it aborts the process it runs
  in (Rust's allocation failure handler).
- A `sitecustomize` on the server's PYTHONPATH (test-only, in no shipped file) wraps
  `orgraph.roster.parse_file`: a file named `abort…` calls os.abort(), `hang…` sleeps for an
  hour, `eat…` asks for 2 GB first (a MemoryError under the limit).

Before the upload reader ran in a child process, the abort killed the server (`/health`
then refused connections), the hang held the request forever and the sparse file was read
in the API's own memory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from openpyxl import Workbook

from orgraph.store.embedded import EmbeddedServer
from tests.api.conftest import API, add_users, login
from tests.engines import free_port, short_tmpdir

TIMEOUT_S = 8
MEMORY_MB = 100
HOOK = """
import os, time

def _wrap():
    import orgraph.roster as roster
    import orgraph.roster.validate as validate
    real = validate.parse_file

    def parse_file(path, *args, **kwargs):
        name = os.path.basename(str(path))
        if "abort" in name:
            os.abort()
        if "hang" in name:
            time.sleep(3600)
        if "eat" in name:
            bytearray(2 * 1024**3)
        return real(path, *args, **kwargs)

    roster.parse_file = validate.parse_file = parse_file

_wrap()
"""
MEMBERS_CSV = "姓名,性别,身份证号,所在党支部,党员类别\n张三,男,,某党支部,正式党员\n".encode()


def _sparse_xlsx(folder: Path) -> bytes:
    """Two cells, A1 and ALL4900: a 1000 × 4900 range (4.9 M cells, under the guard)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "姓名"
    ws.cell(row=4900, column=1000, value="x")
    path = folder / "sparse.xlsx"
    wb.save(path)
    return path.read_bytes()


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Path]]:
    """(base URL, folder) of `orgraph serve` with the hook and small upload limits."""
    folder = short_tmpdir("og-upl-")
    (folder / "hook").mkdir()
    (folder / "hook" / "sitecustomize.py").write_text(HOOK)
    data = folder / "db"
    data.mkdir()
    add_users(data)
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(folder / "hook"), os.environ.get("PYTHONPATH", "")]),
        "ORGRAPH_DATA_DIR": str(data),
        "ORGRAPH_JWT_SECRET": "",
        "ORGRAPH_STORE_URI": "embedded",
        "ORGRAPH_ID_HASH_KEY": "upload-isolation-test-key-0123456789",
        "ORGRAPH_UPLOAD_MEMORY_MB": str(MEMORY_MB),
        "ORGRAPH_UPLOAD_TIMEOUT_S": str(TIMEOUT_S),
    }
    cli = Path(sys.executable).with_name("orgraph")
    log = (folder / "serve.log").open("wb")
    proc = subprocess.Popen(
        [str(cli), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}{API}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, (folder / "serve.log").read_text()
            assert time.monotonic() < deadline, "orgraph serve did not come up"
            time.sleep(0.2)
        yield url, folder
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        EmbeddedServer(data).stop(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _still_up(url: str) -> None:
    """/health answers, and an ordinary upload still works."""
    r = httpx.get(f"{url}{API}/health", timeout=10)
    assert r.status_code == 200, r.text
    c = login(url, "county")
    ok = c.post("/imports/members", files=[("files", ("党员.csv", MEMBERS_CSV, "text/csv"))])
    assert ok.status_code == 200, ok.text
    assert ok.json()["files"][0]["path"] == "党员.csv"


def _problem(r: httpx.Response, status: int, name: str) -> str:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    detail = str(r.json()["detail"])
    assert f"“{name}”" in detail, detail
    assert "/tmp" not in detail and "orgraph-upload" not in detail
    return detail


def test_a_reader_that_aborts_answers_422_and_the_api_stays_up(
    server: tuple[str, Path],
) -> None:
    url, _ = server
    c = login(url, "county")
    r = c.post(
        "/imports/auto",
        files=[
            ("files", ("党员.csv", MEMBERS_CSV, "text/csv")),
            ("files", ("abort-me.xlsx", b"PK\x03\x04 not really", "application/octet-stream")),
        ],
    )
    detail = _problem(r, 422, "abort-me.xlsx")
    assert "异常终止" in detail
    _still_up(url)


def test_a_sparse_sheet_over_the_memory_limit_aborts_only_its_reader(
    server: tuple[str, Path],
) -> None:
    url, folder = server
    body = _sparse_xlsx(folder)
    assert len(body) < 10_000
    c = login(url, "county")
    r = c.post("/imports/members", files=[("files", ("五千字节.xlsx", body, "application/x"))])
    _problem(r, 422, "五千字节.xlsx")
    _still_up(url)


def test_a_reader_out_of_memory_answers_413(server: tuple[str, Path]) -> None:
    url, _ = server
    c = login(url, "county")
    r = c.post("/imports/members", files=[("files", ("eat.csv", MEMBERS_CSV, "text/csv"))])
    detail = _problem(r, 413, "eat.csv")
    assert f"{MEMORY_MB} MB" in detail
    _still_up(url)


def test_a_reader_that_hangs_answers_504_in_time(server: tuple[str, Path]) -> None:
    url, _ = server
    c = login(url, "county")
    c.timeout = httpx.Timeout(TIMEOUT_S + 20)
    t0 = time.monotonic()
    r = c.post("/imports/members", files=[("files", ("hang.csv", MEMBERS_CSV, "text/csv"))])
    took = time.monotonic() - t0
    detail = _problem(r, 504, "hang.csv")
    assert "超过" in detail and took < TIMEOUT_S + 10
    _still_up(url)
