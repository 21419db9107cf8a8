"""The public development value of ORGRAPH_ID_HASH_KEY is refused for ID numbers (issue #18):
a keyed hash under a known key is reversed by trying the valid ID numbers of a county (an
`h:` key was in 0.36 s). `orgraph import`, the importer, the API's member create and
`roster.idnumber.hash_id` itself refuse it with a message saying how to set a key;
`orgraph db status` says which kind of key is in use."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from orgraph.config import DEV_ID_HASH_KEY, Settings
from orgraph.demo import generate
from orgraph.demo.generate import FILES
from orgraph.importer.pipeline import import_files
from orgraph.roster.idnumber import DevKeyRefused, hash_id
from orgraph.store import GraphStore
from orgraph.store.base import count_nodes
from tests.api.conftest import AS_OF, KEY, add_users, login
from tests.engines import GraphHost, short_tmpdir
from tests.environ import without_settings
from tests.live_api import live_api

ORGRAPH = Path(sys.executable).with_name("orgraph")
ID_NUMBER = "11010519491231002X"


def test_hash_id_refuses_the_development_key_and_an_empty_one() -> None:
    for key in (DEV_ID_HASH_KEY.encode(), b"", b"  "):
        with pytest.raises(DevKeyRefused) as refused:
            hash_id(ID_NUMBER, key)
        assert "ORGRAPH_ID_HASH_KEY" in str(refused.value) and "secrets" in str(refused.value)
    assert len(hash_id(ID_NUMBER, b"a-key-of-our-own")) == 64
    assert Settings(id_hash_key=DEV_ID_HASH_KEY).dev_id_key
    assert Settings(id_hash_key="").dev_id_key
    assert not Settings(id_hash_key="a-key-of-our-own").dev_id_key


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("devkey_demo")
    generate(out, scale="tiny", seed=1, as_of=AS_OF)
    return [out / f for f in FILES]


def _cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    base = without_settings()
    return subprocess.run(
        [str(ORGRAPH), *args],
        env={**base, "COLUMNS": "200", "NO_COLOR": "1", **env},
        cwd=cwd,  # no project .env
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_import_refuses_id_numbers_under_the_development_key(
    graph_host: GraphHost, demo: list[Path], tmp_path: Path
) -> None:
    with graph_host.fresh() as store:
        before = count_nodes(store)
        with pytest.raises(DevKeyRefused):
            import_files(store, demo, key=DEV_ID_HASH_KEY.encode(), today=AS_OF)
        assert count_nodes(store) == before  # refused before anything was written
        # The CLI, with the key left at its default: refused, with how to set one.
        env = {**graph_host.env(store), "ORGRAPH_DATA_DIR": str(tmp_path)}
        members = next(p for p in demo if p.name == "党员花名册.xlsx")
        done = _cli(env, tmp_path, "import", str(members))
        assert done.returncode != 0, done.stdout
        said = " ".join((done.stdout + done.stderr).split())
        assert "ORGRAPH_ID_HASH_KEY" in said and "开发用默认密钥" in said, said
        assert count_nodes(store) == before  # nothing was written
        done = _cli(
            {**env, "ORGRAPH_ID_HASH_KEY": "a-key-of-our-own"},
            tmp_path,
            "import",
            *map(str, demo[:3]),
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert count_nodes(store) > before


@pytest.fixture(scope="module")
def dev_key_api(
    graph_host: GraphHost, demo: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, GraphStore]]:
    data_dir = tmp_path_factory.mktemp("devkey_api")
    settings = Settings(data_dir=data_dir, jwt_secret="", id_hash_key=DEV_ID_HASH_KEY)
    with graph_host.fresh() as store:
        import_files(store, demo, key=KEY, today=AS_OF)
        users = add_users(data_dir)
        with live_api(store, data_dir, settings=settings, users=users) as url:
            yield url, store


def test_the_api_refuses_an_id_number_under_the_development_key(
    dev_key_api: tuple[str, GraphStore],
) -> None:
    url, _ = dev_key_api
    c = login(url, "county")
    try:
        r = c.post(
            "/members",
            json={"name": "身份证党员", "branch": "D330226203203", "id_number": ID_NUMBER},
        )
        assert r.status_code == 422, r.text
        assert "ORGRAPH_ID_HASH_KEY" in r.json()["detail"]
        # Without an ID number, members are still created.
        r = c.post(
            "/members", json={"member_no": "DEVK-1", "name": "编号党员", "branch": "D330226203203"}
        )
        assert r.status_code == 201, r.text
    finally:
        c.close()
    assert isinstance(httpx.get(f"{url}/api/v1/health").json(), dict)


def test_db_status_says_which_key_is_in_use(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = short_tmpdir("og-devk-")
    env = {"ORGRAPH_STORE_URI": "embedded", "ORGRAPH_DATA_DIR": str(folder / "db")}
    dev = _cli({**env, "ORGRAPH_ID_HASH_KEY": DEV_ID_HASH_KEY}, folder, "db", "status", "--json")
    assert json.loads(dev.stdout)["id_hash_key"] == "development", dev.stdout
    text = _cli(env, folder, "db", "status")  # not set at all: the default
    said = " ".join(text.stdout.split())
    assert "开发用默认密钥" in said and "ORGRAPH_ID_HASH_KEY" in said, said
    own = _cli({**env, "ORGRAPH_ID_HASH_KEY": "a-key-of-our-own"}, folder, "db", "status", "--json")
    assert json.loads(own.stdout)["id_hash_key"] == "set", own.stdout
    assert "a-key-of-our-own" not in own.stdout
    # Without the variable, the key scripts/up.sh keeps in the data folder is the one in use.
    (folder / "db").mkdir(exist_ok=True)
    (folder / "db" / "id-hash.key").write_text("kept-in-the-data-folder\n", encoding="utf-8")
    kept = _cli(env, folder, "db", "status", "--json")
    assert json.loads(kept.stdout)["id_hash_key"] == "set", kept.stdout
    monkeypatch.delenv("ORGRAPH_ID_HASH_KEY", raising=False)
    assert (
        Settings(data_dir=folder / "db").id_hash_key.get_secret_value() == "kept-in-the-data-folder"
    )
