"""GraphStore adapters against a real engine: plain rows, errors, constraints, migrations."""

from __future__ import annotations

import pytest

from orgraph.errors import BadQuery, ConstraintConflict
from orgraph.store import GraphStore
from orgraph.store.migrations import current_version, migrate, target_version


def _area(code: str, name: str = "x", level: str = "village") -> dict[str, object]:
    return {"code": code, "props": {"name": name, "level": level}}


def test_rows_come_back_as_plain_dicts(store: GraphStore) -> None:
    store.write("upsert_areas", rows=[_area("330226001", "跃龙街道", "township")])
    rows = store.read("area_by_code", code="330226001")
    assert rows == [{"code": "330226001", "name": "跃龙街道", "level": "township"}]
    assert type(rows[0]) is dict
    assert store.read("area_by_code", code="nope") == []


def test_upsert_is_idempotent_and_updates_in_place(store: GraphStore) -> None:
    for _ in range(2):
        store.write("upsert_areas", rows=[_area("1", "甲"), _area("2", "乙")])
    store.write("upsert_areas", rows=[_area("2", "乙改")])
    assert store.read("count_nodes") == [{"nodes": 2}]
    assert store.read("area_by_code", code="2")[0]["name"] == "乙改"


def test_parameters_travel_as_data_not_code(store: GraphStore) -> None:
    evil = "x'}) DETACH DELETE a //"
    store.write("upsert_areas", rows=[_area("1", "甲"), _area(evil, evil)])
    assert store.read("area_by_code", code=evil)[0]["name"] == evil
    assert store.read("count_nodes") == [{"nodes": 2}]


def test_unique_constraint_is_enforced(store: GraphStore) -> None:
    # CREATE (not MERGE) of a second node with the same key must be refused by the engine.
    store.write("upsert_areas", rows=[_area("9")])
    with pytest.raises(ConstraintConflict):
        store.write("create_area_strict", code="9")


def test_wrong_parameters_never_reach_the_engine(store: GraphStore) -> None:
    with pytest.raises(BadQuery, match="缺少"):
        store.read("area_by_code")
    with pytest.raises(BadQuery, match="多余"):
        store.read("area_by_code", code="1", other=2)


def test_migrations_are_recorded_and_idempotent(store: GraphStore) -> None:
    assert current_version(store) == target_version(store.engine)
    again = migrate(store)
    assert not again.changed and again.applied == ()


def test_migrate_from_scratch_applies_every_block(store: GraphStore) -> None:
    store.drop_all()
    assert current_version(store) == 0
    first = migrate(store)
    assert first.before == 0 and first.after == target_version(store.engine)
    assert first.applied
    assert not migrate(store).changed
