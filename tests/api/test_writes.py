"""Writes: strict bodies, roles, scope, conflicts, the audit log, and that answers follow."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from orgraph.security.audit import AuditLog
from orgraph.store import GraphStore

VILLAGE_BRANCH = "D330226203203"
GROUP = "D330226203203-G01"
HAMLET = "330226203203001"
# A valid GB 11643 number (checksum and birth date); never a real person's.
ID_NUMBER = "11010519491231002X"


def _audit(data_dir: Path) -> list[dict[str, object]]:
    return AuditLog(data_dir / "audit").read()


def test_create_read_update_end_member(
    writers: dict[str, httpx.Client], write_live: tuple[str, Path], write_store: GraphStore
) -> None:
    c = writers["village"]
    body = {
        "member_no": "T0001",
        "name": "测试党员",
        "branch": VILLAGE_BRANCH,
        "group": GROUP,
        "gender": "female",
        "category": "probationary",
        "phone": "13800001111",
        "joined_on": "2025-06-01",
        "roles": ["group_leader"],
    }
    r = c.post("/members", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["id"] == "T0001"
    got = c.get("/members/T0001").json()
    assert got["name"] == "测试党员" and got["branch"]["id"] == VILLAGE_BRANCH
    assert got["groups"] == [{"id": GROUP, "name": "宁海县越溪乡陈家洋村党支部第一党小组"}]
    assert got["phone"] == "138****1111" and got["roles"] == ["group_leader"]
    listed = c.get("/members", params={"q": "测试党员"}).json()
    assert [m["id"] for m in listed["items"]] == ["T0001"]

    assert c.post("/members", json=body).status_code == 409
    r = c.patch("/members/T0001", json={"phone": "13900002222", "education": "本科"})
    assert r.status_code == 200 and r.json()["changed"] == 2
    revealed = writers["county"].get("/members/T0001", params={"reveal": True}).json()
    assert revealed["phone"] == "13900002222" and revealed["education"] == "本科"
    assert revealed["groups"][0]["id"] == GROUP, "an update must keep the links it did not name"

    r = c.post("/members/T0001/end", json={"on": "2026-11-02", "reason": "transferred_out"})
    assert r.status_code == 200
    ended = c.get("/members/T0001").json()
    assert ended["on_roll"] is False and ended["off_roll_reason"] == "transferred_out"
    assert (
        c.post("/members/T0001/end", json={"on": "2026-11-03", "reason": "other"}).status_code
        == 409
    )
    actions = [
        (e["action"], e["result"], e["target"])
        for e in _audit(write_live[1])
        if e["user"] == "village"
    ]
    assert ("member.create", "ok", "T0001") in actions
    assert ("member.create", "failed", "T0001") in actions  # the 409
    assert ("member.update", "ok", "T0001") in actions
    assert ("member.end", "ok", "T0001") in actions
    reveal = [e for e in _audit(write_live[1]) if e["action"] == "member.reveal"]
    assert reveal and reveal[-1]["user"] == "county" and reveal[-1]["target"] == "T0001"


def test_member_by_id_number_keeps_only_hash_and_mask(
    writers: dict[str, httpx.Client], write_store: GraphStore
) -> None:
    c = writers["county"]
    r = c.post(
        "/members", json={"name": "身份证党员", "branch": VILLAGE_BRANCH, "id_number": ID_NUMBER}
    )
    assert r.status_code == 201, r.text
    key = r.json()["id"]
    assert key.startswith("h:") and ID_NUMBER not in key
    got = c.get(f"/members/{key}").json()
    assert got["id_masked"] == "110105********002X"
    # The year only beside the masked ID; the full date (its hidden middle) when revealed.
    assert got["birth_date"] == "1949" and got["gender"] == "female"
    assert c.get(f"/members/{key}", params={"reveal": True}).json()["birth_date"] == "1949-12-31"
    dump = str(write_store.read("testing_nodes"))
    assert ID_NUMBER not in dump and ID_NUMBER.lower() not in dump
    again = c.post(
        "/members", json={"name": "重复", "branch": VILLAGE_BRANCH, "id_number": ID_NUMBER}
    )
    assert again.status_code == 409
    bad = c.post(
        "/members",
        json={"name": "坏号", "branch": VILLAGE_BRANCH, "id_number": "110105194912310021"},
    )
    assert bad.status_code == 422 and "校验位" in bad.json()["detail"]


@pytest.mark.parametrize(
    "extra",
    [{"key": "X"}, {"on_roll": False}, {"id_hash": "00"}, {"nonsense": 1}, {"id_masked": "1"}],
)
def test_unknown_or_forbidden_fields_are_refused(
    writers: dict[str, httpx.Client], extra: dict[str, object]
) -> None:
    c = writers["county"]
    r = c.post(
        "/members", json={"member_no": "T0100", "name": "多余", "branch": VILLAGE_BRANCH, **extra}
    )
    assert r.status_code == 422
    field = next(iter(extra))
    assert field in {e["field"] for e in r.json()["errors"]}
    assert {e["message"] for e in r.json()["errors"]} == {"不允许的字段"}
    r = c.patch("/members/330226D0000094", json=extra)
    assert r.status_code == 422
    assert c.get("/members/T0100").status_code == 404


def test_roles_and_scope_bound_writes(
    writers: dict[str, httpx.Client], write_live: tuple[str, Path]
) -> None:
    viewer = writers["viewer"]
    r = viewer.patch("/members/330226D0000001", json={"education": "大专"})
    assert r.status_code == 403 and "只能查看" in r.json()["detail"]
    village = writers["village"]
    # A member, a branch and a household of another township: all answer like missing ones.
    assert village.patch("/members/330226D0000001", json={"education": "大专"}).status_code == 404
    r = village.post(
        "/members", json={"member_no": "T0200", "name": "越界", "branch": "D330226101201"}
    )
    assert r.status_code == 404 and "不在您的管辖范围内" in r.json()["detail"]
    r = village.post(
        "/contacts", json={"member": "330226D0000094", "household": "330226101201-0001"}
    )
    assert r.status_code == 404
    denied = [e for e in _audit(write_live[1]) if e["result"] == "denied"]
    assert {e["user"] for e in denied} >= {"viewer", "village"}


def test_households_and_contacts(writers: dict[str, httpx.Client]) -> None:
    c = writers["village"]
    r = c.post(
        "/households",
        json={
            "id": "330226203203-9001",
            "area": HAMLET,
            "head_name": "新户主",
            "size": 3,
            "tags": ["低保"],
            "phone": "13700003333",
        },
    )
    assert r.status_code == 201, r.text
    got = c.get("/households/330226203203-9001").json()
    assert got["covered"] is False and got["tags"] == ["低保"] and got["phone"] == "137****3333"
    assert (
        c.post("/households", json={"id": "330226203203-9001", "area": HAMLET}).status_code == 409
    )
    assert (
        c.post("/households", json={"id": "330226203203-9002", "area": "330226203"}).status_code
        == 404
    )  # township
    assert (
        c.post("/households", json={"id": "330226203203-9002", "area": "330226203203"}).status_code
        == 201
    )
    assert (
        writers["county"]
        .post("/households", json={"id": "330226203203-9003", "area": "330226203"})
        .status_code
        == 422
    )
    assert c.patch("/households/330226203203-9001", json={"size": 4}).json()["changed"] == 1

    member = c.get("/members", params={"away": False, "page_size": 1}).json()["items"][0]["id"]
    r = c.post(
        "/contacts",
        json={"member": member, "household": "330226203203-9001", "since": "2026-01-01"},
    )
    assert r.status_code == 201, r.text
    assert c.get("/households/330226203203-9001").json()["covered"] is True
    uncovered = c.get("/gaps", params={"type": "household_uncovered"}).json()
    assert "330226203203-9001" not in {i["id"] for i in uncovered["items"]}
    r = c.post("/contacts/end", json={"member": member, "household": "330226203203-9001"})
    assert r.status_code == 200 and r.json()["changed"] == 1
    assert c.get("/households/330226203203-9001").json()["covered"] is False
    listed = c.get("/contacts", params={"household": "330226203203-9001"}).json()["items"]
    assert len(listed) == 1 and listed[0]["active"] is False and listed[0]["until"]
    again = c.post("/contacts/end", json={"member": member, "household": "330226203203-9001"})
    assert again.status_code == 404
    bad = c.post(
        "/contacts",
        json={
            "member": member,
            "household": "330226203203-9001",
            "since": "2026-05-01",
            "until": "2026-04-01",
        },
    )
    assert bad.status_code == 422
