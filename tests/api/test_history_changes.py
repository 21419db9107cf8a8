"""Gap ages, the changes between two imports and the field history over HTTP (docs/rules.md
"Gap life", "Field history", "Changes between two points"): the tiny demo uploaded as of
2026-10-01, then its contacts and households again as of 2026-11-01 with every contact of a
covered household ended and another household moved to another hamlet of its village; then a
contact ended through the API. The changes in a township's and a hamlet's scope; the
import history and field history county administrators' only; bad points are 404 / 422."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from orgraph import clock
from orgraph.config import Settings
from orgraph.demo.generate import FILES
from tests.api.conftest import KEY, add_users, login, user_store
from tests.engines import GraphHost
from tests.live_api import live_api

DAY1, DAY2 = "2026-10-01", "2026-11-01"
CONTACTS, HOUSEHOLDS = "联系关系.csv", "农户.csv"
ENCODING = {CONTACTS: "utf-8-sig", HOUSEHOLDS: "gb18030"}


@pytest.fixture(scope="module")
def api(
    graph_host: GraphHost, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    data = tmp_path_factory.mktemp("history_api")
    settings = Settings(data_dir=data, jwt_secret="", id_hash_key=KEY.decode())
    add_users(data)
    with (
        graph_host.fresh() as store,
        live_api(store, data, settings=settings, users=user_store(data)) as url,
    ):
        yield url, data


def _read(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode(ENCODING[path.name]))))


def _csv(name: str, rows: list[list[str]]) -> tuple[str, tuple[str, bytes, str]]:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return ("files", (name, buf.getvalue().encode(ENCODING[name]), "text/csv"))


def _upload(c: httpx.Client, files: list[Any], on: str) -> dict[str, Any]:
    # a whole import and its observation: over Bolt on a busy 2-core machine, more than the
    # client's usual 30 s
    r = c.post("/imports/auto", params={"dry_run": False, "on": on}, files=files, timeout=180)
    assert r.status_code == 200, r.text
    doc: dict[str, Any] = r.json()
    assert doc["totals"]["rejected"] == 0, doc["totals"]
    return doc


def _ok(c: httpx.Client, path: str, **params: Any) -> Any:
    r = c.get(path, params=params)
    assert r.status_code == 200, (path, r.text)
    return r.json()


def _uncovered(c: httpx.Client, as_of: str, **params: Any) -> dict[str, dict[str, Any]]:
    doc = _ok(c, "/gaps", type="household_uncovered", as_of=as_of, page_size=500, **params)
    assert doc["total"] <= 500
    return {it["id"]: it for it in doc["items"]}


def test_ages_changes_and_field_history(api: tuple[str, Path], demo_dir: Path) -> None:
    url, _ = api
    c = login(url, "county")
    first = _upload(
        c,
        [("files", (n, (demo_dir / n).read_bytes(), "application/octet-stream")) for n in FILES],
        DAY1,
    )
    before = _uncovered(c, DAY1)

    # every contact row of one household covered on DAY1 ends before DAY2
    contacts = _read(demo_dir / CONTACTS)
    head = contacts[0]
    kind, target, until = (head.index(k) for k in ("联系对象类型", "联系对象编号", "结束日期"))
    covered = sorted(
        {r[target] for r in contacts[1:] if r[kind] == "户" and not r[until]} - before.keys()
    )
    ended = covered[0]
    for r in contacts[1:]:
        if r[kind] == "户" and r[target] == ended and not r[until]:
            r[until] = "2026-10-15"
    # a household moves to another hamlet of its village
    households = _read(demo_dir / HOUSEHOLDS)
    hid, area = households[0].index("户编号"), households[0].index("所在区划代码")
    heads = {r[hid]: r[households[0].index("户主姓名")] for r in households[1:]}
    moved = households[1]
    village = moved[area][:12]
    other = next(
        r[area] for r in households[1:] if r[area][:12] == village and r[area] != moved[area]
    )
    old_area, moved[area] = moved[area], other
    second = _upload(c, [_csv(CONTACTS, contacts), _csv(HOUSEHOLDS, households)], DAY2)

    # the history: two imports, their roster days and observations
    imports = _ok(c, "/history/imports")["items"]
    assert [(e["id"], e["on"], e["observation"]) for e in imports] == [
        (second["import_id"], DAY2, 2),
        (first["import_id"], DAY1, 1),
    ]

    # ages: the ledger began on DAY1, the ended household was first seen on DAY2
    now = _uncovered(c, DAY2)
    assert now[ended]["first_seen"] == DAY2
    assert (now[ended]["age_days"], now[ended]["age_at_least"]) == (0, False)
    old = sorted(set(before) & set(now))
    assert old, "some households were uncovered on both days"
    for h in old:
        assert (now[h]["first_seen"], now[h]["age_days"], now[h]["age_at_least"]) == (
            DAY1,
            31,
            True,
        )
    assert _uncovered(c, DAY2, min_age_days=31).keys() == set(old)
    assert ended not in _uncovered(c, DAY2, min_age_days=1)
    early = _uncovered(c, "2026-09-30")  # before the ledger began: age unknown, said why
    assert early and all(
        it["age_days"] is None and it["age_unknown"] == "before_ledger" for it in early.values()
    )

    # the changes, by import and by day, say the same
    by_import = _ok(
        c, "/history/changes", **{"from": first["import_id"], "to": second["import_id"]}
    )
    by_day = _ok(c, "/history/changes", **{"from": DAY1, "to": DAY2})
    assert by_import["by"] == "import" and by_day["by"] == "day"
    for doc in (by_import, by_day):
        assert ended in doc["households"]["newly_uncovered"]
        assert set(doc["households"]["newly_uncovered"]) == set(now) - set(before)
        assert set(doc["households"]["newly_covered"]) == set(before) - set(now)
        opened = {g["type"]: g["opened"] for g in doc["gaps"]}
        assert opened.get("household_uncovered") == len(set(now) - set(before))
        fields = doc["fields"]["items"]
        assert {
            (f["kind"], f["key"], f["field"], f["old"], f["new"])
            for f in fields
            if f["kind"] == "households"
        } == {("households", moved[hid], "area", old_area, other)}
        assert {f["field"] for f in fields if f["kind"] == "contacts"} == {"until"}
        assert doc["fields"]["by_field"]["households.area"] == 1
        # each listed household named by its head as the roster gives it (户主姓名)
        listed = {*doc["households"]["newly_uncovered"], *doc["households"]["newly_covered"]}
        listed.add(moved[hid])
        assert doc["names"]["households"] == {h: heads[h] for h in sorted(listed)}

    # the field history of the moved household: who, when, which import
    history = _ok(c, f"/history/fields/{moved[hid]}")
    assert [
        (h["import"], h["on"], h["by"], h["field"], h["old"], h["new"]) for h in history["items"]
    ] == [(second["import_id"], DAY2, "county", "area", old_area, other)]

    # a write through the API is observed before its answer: dated today
    member = next(
        r[head.index("人员编号")]
        for r in contacts[1:]
        if r[kind] == "户"
        and r[target] != ended
        and not r[until]
        and r[target] not in before
        and sum(1 for x in contacts[1:] if x[target] == r[target] and not x[until]) == 1
    )
    household = next(
        r[target]
        for r in contacts[1:]
        if r[head.index("人员编号")] == member and r[kind] == "户" and not r[until]
    )
    today = clock.today().isoformat()
    resp = c.post("/contacts/end", json={"member": member, "household": household, "until": DAY2})
    assert resp.status_code == 200, resp.text
    assert _uncovered(c, today)[household]["first_seen"] == today

    # in a scope (docs/rules.md "Changes between two points", "In a scope"): the township's
    # user sees the last two imports' changes of its own households, as the rosters place them
    township = login(url, "township")
    town = "330226101"
    whole = _ok(c, "/history/changes", **{"from": "previous", "to": "last"})
    mine = _ok(township, "/history/changes", **{"from": "previous", "to": "last"})
    assert (whole["from"]["id"], whole["to"]["id"]) == (first["import_id"], second["import_id"])
    assert mine["scope"] == town and whole["scope"] == "330226"
    places = {r[hid]: r[area] for r in households[1:]}
    for k in ("newly_uncovered", "newly_covered"):
        assert mine["households"][k] == [h for h in whole["households"][k] if places[h][:9] == town]
    assert mine["households"]["newly_uncovered"], "the township has a newly uncovered household"
    opened = {g["type"]: g["opened"] for g in mine["gaps"]}
    assert opened["household_uncovered"] == len(mine["households"]["newly_uncovered"])
    assert moved[area][:9] == town
    area_moves = [f for f in mine["fields"]["items"] if f["field"] == "area"]
    assert [(f["key"], f["old"], f["new"]) for f in area_moves] == [(moved[hid], old_area, other)]
    other_town = _ok(login(url, "village"), "/history/changes", **{"from": DAY1, "to": DAY2})
    assert not [f for f in other_town["fields"]["items"] if f["kind"] == "households"]
    assert moved[hid] not in other_town["names"]["households"]
    # a scope holding the household's new hamlet only: the old one is outside, not named
    hamlet = _ok(c, "/history/changes", **{"from": DAY1, "to": DAY2, "scope": other})
    assert [
        (f["key"], f["old"], f["new"]) for f in hamlet["fields"]["items"] if f["field"] == "area"
    ] == [(moved[hid], "（范围外）", other)]
    # its contacts are listed for their household, the village's members named by no id
    ends = [f["key"].split("|") for f in hamlet["fields"]["items"] if f["kind"] == "contacts"]
    assert ends and all(k[0] == "（范围外）" and k[3] == moved[hid] for k in ends), ends
    outside = township.get("/history/changes", params={"from": DAY1, "scope": "330226203"})
    assert outside.status_code == 404, outside.text

    # refused and wrong points
    resp = township.get(f"/history/fields/{moved[hid]}")
    assert resp.status_code == 403 and "县级管理员" in resp.json()["detail"], resp.text
    resp = c.get("/history/changes", params={"from": "previous", "to": "previous"})
    assert resp.status_code == 200, resp.text
    resp = c.get("/history/changes", params={"from": "nope"})
    assert resp.status_code == 404 and "没有编号为“nope”的导入记录" in resp.json()["detail"]
    resp = c.get("/history/changes", params={"from": "2026-13-01"})
    assert resp.status_code == 422 and "YYYY-MM-DD" in resp.json()["detail"], resp.text
    resp = c.get("/history/changes", params={"from": second["import_id"], "to": first["import_id"]})
    assert resp.status_code == 422 and "起点晚于终点" in resp.json()["detail"]
    resp = c.get("/gaps", params={"type": "household_uncovered", "min_age_days": -1})
    assert resp.status_code == 422


def test_birth_dates_below_county_administrators_are_years() -> None:
    """Pure logic: a replaced birth date reads as its year for users below the county
    administrators (the route applies it by role); other values are untouched."""
    from orgraph_api.routers.history import masked_birth_dates

    doc: dict[str, Any] = {
        "fields": {
            "total": 2,
            "items": [
                {
                    "kind": "members",
                    "key": "M1",
                    "field": "birth_date",
                    "old": "1983-04-14",
                    "new": "1984-05-01",
                },
                {"kind": "members", "key": "M1", "field": "roles", "old": [], "new": ["secretary"]},
            ],
        }
    }
    got = masked_birth_dates(doc)
    assert [(f["old"], f["new"]) for f in got["fields"]["items"]] == [
        ("1983", "1984"),
        ([], ["secretary"]),
    ]
    assert doc["fields"]["items"][0]["old"] == "1983-04-14"  # the answer given is a copy
