"""A write made by another process (the CLI) reaches the very next answer of a running API as a
change-log delta, not a reload (docs/design.md#change-log); a bulk import is one revision."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from orgraph.store import GraphStore
from tests.api.conftest import API, add_users, login
from tests.engines import GraphHost
from tests.live_api import live_api
from tests.mobility.conftest import TODAY, county, tiny_files
from tests.mobility.test_lifecycle import home_member

__all__ = ["county", "tiny_files"]  # fixtures this module uses


def _health(url: str) -> dict[str, object]:
    r = httpx.get(f"{url}{API}/health", timeout=30)
    assert r.status_code == 200, r.text
    fresh: dict[str, object] = r.json()["projection"]
    return fresh


def test_a_cli_write_reaches_the_next_api_answer_as_a_delta(
    graph_host: GraphHost, county: GraphStore, tmp_path: Path
) -> None:
    data = tmp_path / "api"
    add_users(data)
    member = home_member(county, 3)
    with live_api(county, data) as url:
        client = login(url, "county")
        before = client.get("/mobility/destinations", params={"as_of": TODAY.isoformat()})
        assert before.status_code == 200, before.text
        first = _health(url)
        assert (first["loads"], first["deltas"]) == (1, 0)

        env = {**os.environ, **graph_host.env(county), "ORGRAPH_DATA_DIR": str(tmp_path / "cli")}
        done = subprocess.run(
            [
                str(Path(sys.executable).parent / "orgraph"),
                "mobility",
                "depart",
                member,
                "--to",
                "广东省深圳市南山区",
                "--on",
                TODAY.isoformat(),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr

        after = client.get("/mobility/destinations", params={"as_of": TODAY.isoformat()})
        assert after.status_code == 200, after.text
        assert after.json()["total"] == before.json()["total"] + 1
        second = _health(url)
        assert (second["loads"], second["deltas"]) == (1, 1), second
        assert second["seq"] == int(str(first["seq"])) + 1
        assert second["revision"] != first["revision"]
        # each answer names the revision it was read from
        assert before.headers["X-Orgraph-Revision"] == first["revision"]
        assert after.headers["X-Orgraph-Revision"] == second["revision"]
