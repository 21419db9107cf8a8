"""Cypher injection: payloads in every string a caller controls change nothing beyond the
record they were written to (and reads change nothing at all).

The graph is dumped whole (every node with all its properties, every relationship) before
and after each request, and the two dumps are compared. Every payload on FalkorDB, five of the
twelve on Neo4j (tests/sampling.py; the ids say which).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

import httpx
import pytest

from orgraph.store import GraphStore
from tests.sampling import neo4j_sample

PAYLOADS = [
    "' OR 1=1 //",
    '"}) MATCH (n) DETACH DELETE n //',
    "x'}) DETACH DELETE n RETURN 1 //",
    "\\' ; MATCH (n) SET n.pwned = true //",
    "') WITH 1 AS x MATCH (m:Member) SET m.on_roll = false //",
    "$props",
    "{key: 'x'} ",
    "`n`) DELETE n //",
    "1 UNION MATCH (n) RETURN n",
    "*/ MATCH (n) DETACH DELETE n /*",
    "CYPHER rows=[] MATCH (n) DELETE n",
    "🙂\u2028名字'\"\\",
]
PAYLOAD_IDS = [f"p{i:02d}" for i in range(len(PAYLOADS))]
# On Neo4j (tests/sampling.py): a quote closing a map, a parameter's name, a backtick, a
# CYPHER prefix, and a line separator with quotes and backslashes. Every statement is
# parameterised on both engines; what a payload could reach differs only in how the driver
# and the server take a string.
PAYLOADS_ON_NEO4J = [PAYLOADS[i] for i in (1, 5, 7, 10, 11)]
EACH_PAYLOAD = pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
BRANCH = "D330226203203"
MEMBER = "330226D0000094"  # a member of that village
HOUSEHOLD = "330226203203-0001"

Dump = tuple[dict[tuple[str, str], dict[str, Any]], Counter[str]]


def _key(props: dict[str, Any]) -> str:
    return str(props.get("key") or props.get("id") or props.get("code"))


def dump(store: GraphStore) -> Dump:
    nodes = {(r["label"], _key(r["props"])): r["props"] for r in store.read("testing_nodes")}
    rels = Counter(
        json.dumps(r, sort_keys=True, ensure_ascii=False) for r in store.read("testing_rels")
    )
    return nodes, rels


def checksum(d: Dump) -> str:
    text = json.dumps(
        [sorted((f"{k[0]}|{k[1]}", v) for k, v in d[0].items()), sorted(d[1].items())],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def changes(before: Dump, after: Dump) -> tuple[set[tuple[str, str]], list[str]]:
    """(nodes added, removed or changed; relationships added or removed)."""
    nb, na = before[0], after[0]
    nodes = {k for k in nb.keys() | na.keys() if nb.get(k) != na.get(k)}
    rels = list(((after[1] - before[1]) + (before[1] - after[1])).elements())
    return nodes, rels


def touches(rel: str, label: str, key: str) -> bool:
    r = json.loads(rel)
    return (r["from_label"], r["from_key"]) == (label, key) or (r["to_label"], r["to_key"]) == (
        label,
        key,
    )


@pytest.fixture(scope="module")
def county(writers: dict[str, httpx.Client]) -> httpx.Client:
    return writers["county"]


READS = [
    ("/members", "q"),
    ("/members", "scope"),
    ("/members", "branch"),
    ("/households", "q"),
    ("/households", "scope"),
    ("/contacts", "member"),
    ("/contacts", "household"),
    ("/gaps", "scope"),
    ("/gaps/summary", "scope"),
    ("/coverage", "scope"),
    ("/outflows", "member"),
    ("/reports", "member"),
    ("/tree", "scope"),
]
PATHS = [
    "/members/{}",
    "/households/{}",
    "/households/{}/chain",
    "/areas/{}",
    "/orgs/{}",
    "/orgs/{}/children",
]


@EACH_PAYLOAD
@neo4j_sample("payload", PAYLOADS_ON_NEO4J)
def test_reads_with_payloads_change_nothing(
    county: httpx.Client, write_store: GraphStore, payload: str
) -> None:
    before = checksum(dump(write_store))
    for path, param in READS:
        r = county.get(path, params={param: payload})
        assert r.status_code in (200, 404, 422), (path, param, r.status_code, r.text)
    for path in PATHS:
        r = county.get(path.format(payload.replace("/", "_")))
        assert r.status_code in (404, 422), (path, r.status_code, r.text)
    r = county.get("/households", params={"q": payload})
    assert r.status_code == 200 and r.json()["total"] == 0
    assert checksum(dump(write_store)) == before


TEXT_FIELDS = ("name", "ethnicity", "education")


@EACH_PAYLOAD
@neo4j_sample("payload", PAYLOADS_ON_NEO4J)
def test_member_text_fields_store_the_payload_verbatim_and_nothing_else(
    county: httpx.Client, write_store: GraphStore, payload: str
) -> None:
    before = dump(write_store)
    n = PAYLOADS.index(payload)
    body = {f: f"{payload}{i}{n}" for i, f in enumerate(TEXT_FIELDS)}
    r = county.patch(f"/members/{MEMBER}", json=body)
    assert r.status_code == 200, r.text
    after = dump(write_store)
    nodes, rels = changes(before, after)
    assert nodes == {("Member", MEMBER)} and not rels
    old, new = before[0][("Member", MEMBER)], after[0][("Member", MEMBER)]
    assert {k for k in new.keys() | old.keys() if new.get(k) != old.get(k)} == set(TEXT_FIELDS)
    assert {f: new[f] for f in TEXT_FIELDS} == {f: v.strip() for f, v in body.items()}


@EACH_PAYLOAD
@neo4j_sample("payload", PAYLOADS_ON_NEO4J)
def test_new_records_with_payloads_add_only_themselves(
    county: httpx.Client, write_store: GraphStore, payload: str
) -> None:
    n = PAYLOADS.index(payload)
    before = dump(write_store)
    r = county.post(
        "/members",
        json={"member_no": f"INJ{n:03d}", "name": payload, "education": payload, "branch": BRANCH},
    )
    assert r.status_code == 201, r.text
    hid = f"330226203203-8{n:03d}"
    r = county.post(
        "/households",
        json={
            "id": hid,
            "area": "330226203203001",
            "head_name": payload,
            "address": payload,
            "tags": [payload[:20]],
        },
    )
    assert r.status_code == 201, r.text
    r = county.post("/contacts", json={"member": f"INJ{n:03d}", "household": hid})
    assert r.status_code == 201, r.text
    after = dump(write_store)
    nodes, rels = changes(before, after)
    assert nodes == {("Member", f"INJ{n:03d}"), ("Household", hid)}
    assert all(touches(x, "Member", f"INJ{n:03d}") or touches(x, "Household", hid) for x in rels)
    assert len(rels) == 3  # BELONGS_TO, IN, CONTACTS
    assert after[0][("Household", hid)]["head_name"] == payload.strip()


@EACH_PAYLOAD
@neo4j_sample("payload", PAYLOADS_ON_NEO4J)
def test_payloads_in_reference_fields_are_refused_without_writing(
    county: httpx.Client, write_store: GraphStore, payload: str
) -> None:
    before = checksum(dump(write_store))
    bodies = [
        ("POST", "/members", {"member_no": payload, "name": "x", "branch": BRANCH}),
        ("POST", "/members", {"member_no": "REF1", "name": "x", "branch": payload}),
        (
            "POST",
            "/members",
            {"member_no": "REF1", "name": "x", "branch": BRANCH, "household": payload},
        ),
        ("PATCH", f"/members/{MEMBER}", {"group": payload}),
        ("POST", "/households", {"id": payload, "area": "330226203203001"}),
        ("POST", "/households", {"id": "330226203203-7777", "area": payload}),
        ("POST", "/contacts", {"member": payload, "household": HOUSEHOLD}),
        ("POST", "/contacts/end", {"member": MEMBER, "household": payload}),
        ("POST", f"/members/{MEMBER}/end", {"on": payload, "reason": "other"}),
    ]
    for method, path, body in bodies:
        r = county.request(method, path, json=body)
        assert r.status_code in (404, 422), (path, body, r.status_code, r.text)
    assert checksum(dump(write_store)) == before


def test_nul_bytes_are_refused_not_crashing(county: httpx.Client, write_store: GraphStore) -> None:
    before = checksum(dump(write_store))
    assert county.get("/households", params={"q": "a\x00b"}).status_code == 422
    assert county.get("/members/a%00b").status_code == 422
    r = county.patch(f"/members/{MEMBER}", json={"name": "a\x00b"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "name"
    assert checksum(dump(write_store)) == before
