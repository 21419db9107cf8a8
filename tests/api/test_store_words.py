"""#18: when the store goes away, the sentence users read is Chinese only; what the engine
said ("Connection closed by server.", "Error 111 connecting to …") goes to the API's log.

The app is built as `orgraph serve` builds it (tests/api/test_store_down.py's `down_api`: a
private embedded FalkorDB the test stops, or a Neo4j server behind a relay the test closes);
the store goes away before an import (dry_run=false) and a read, over HTTP.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from orgraph.demo.generate import FILES
from tests.api.conftest import login
from tests.api.test_store_down import Outage, down_api

__all__ = ["down_api"]  # the fixture, used by name

# Latin words a Chinese sentence may hold: the product names, and setting names.
ALLOWED = re.compile(r"Neo4j|FalkorDB|ORGRAPH_[A-Z0-9_]+")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _chinese_only(detail: str) -> None:
    assert re.search("[\u4e00-\u9fff]", detail), detail
    words = LATIN_WORD.findall(ALLOWED.sub("", detail))
    assert not words, f"English in the user's sentence: {detail!r}"


def test_a_store_gone_mid_import_is_told_in_chinese_only(
    down_api: tuple[str, Outage], demo_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url, outage = down_api
    client = login(url, "county")
    members = "党员花名册.xlsx"
    assert members in FILES
    body = (demo_dir / members).read_bytes()
    outage.stop()
    with caplog.at_level(logging.WARNING, logger="orgraph.api"):
        r = client.post(
            "/imports/members",
            params={"dry_run": False},
            files=[("files", (members, body, "application/octet-stream"))],
        )
        assert r.status_code == 503, r.text
        assert r.headers["content-type"] == "application/problem+json"
        _chinese_only(r.json()["detail"])
        for path in ("/members", "/gaps/summary", "/health"):
            r = client.get(path)
            assert r.status_code == 503, (path, r.text)
            _chinese_only(r.json()["detail"])
    # The engine's own words are kept, in the log.
    assert any(LATIN_WORD.search(ALLOWED.sub("", rec.getMessage())) for rec in caplog.records)
