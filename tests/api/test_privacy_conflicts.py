"""A create that collides with something outside the caller's scope does not confirm that it
exists (issue #18): a township administrator POSTing a member whose 人员编号 or ID number, or
a household whose 户编号, is taken outside the township gets one generic refusal (403,
records.visibility.NOT_YOURS), the same for every kind of value and naming none of them, not
409 "已存在"; inside the scope a conflict still answers 409. Links to orgs or households
outside the scope answer like ones that do not exist."""

from __future__ import annotations

import httpx
import pytest

from orgraph.errors import ConstraintConflict, Forbidden
from orgraph.mobility import services
from orgraph.records.visibility import NOT_YOURS
from orgraph.roster.idnumber import check_digit
from orgraph.store import GraphStore

OUTSIDE_BRANCH = "D330226203203"  # a village branch of township 203
OUTSIDE_AREA = "330226203203"
INSIDE_AREA = "330226101201"  # a village of township 101, the township account's scope


def _id(body17: str) -> str:
    return body17 + check_digit(body17)


TAKEN_ID = _id("33022619850607123")
FRESH_ID = _id("33022619860708124")


@pytest.fixture(scope="module")
def inside_branch(writers: dict[str, httpx.Client]) -> str:
    items = writers["township"].get("/members", params={"page_size": 500}).json()["items"]
    return str(next(m["branch"]["id"] for m in items if m["branch"]))


@pytest.fixture(scope="module")
def taken(writers: dict[str, httpx.Client]) -> None:
    """A member (by number and by ID number) and a household outside township 101."""
    c = writers["county"]
    r = c.post(
        "/members",
        json={"member_no": "PRIV-OUT-1", "name": "外乡党员", "branch": OUTSIDE_BRANCH},
    )
    assert r.status_code == 201, r.text
    r = c.post(
        "/members", json={"name": "外乡身份证", "branch": OUTSIDE_BRANCH, "id_number": TAKEN_ID}
    )
    assert r.status_code == 201, r.text
    r = c.post("/households", json={"id": "PRIV-H-OUT", "area": OUTSIDE_AREA})
    assert r.status_code == 201, r.text


def _refusal(r: httpx.Response) -> dict[str, object]:
    assert r.status_code == 403, (r.status_code, r.text)
    body: dict[str, object] = r.json()
    assert body["detail"] == NOT_YOURS and "已存在" not in r.text
    return body


def test_collisions_outside_the_scope_answer_one_generic_refusal(
    writers: dict[str, httpx.Client], taken: None, inside_branch: str
) -> None:
    t = writers["township"]
    by_no = t.post(
        "/members", json={"member_no": "PRIV-OUT-1", "name": "探测", "branch": inside_branch}
    )
    by_id = t.post(
        "/members",
        json={
            "member_no": "PRIV-NEW-2",
            "name": "探测",
            "branch": inside_branch,
            "id_number": TAKEN_ID,
        },
    )
    by_id_only = t.post(
        "/members", json={"name": "探测", "branch": inside_branch, "id_number": TAKEN_ID}
    )
    household = t.post("/households", json={"id": "PRIV-H-OUT", "area": INSIDE_AREA})
    answers = [_refusal(r) for r in (by_no, by_id, by_id_only, household)]
    assert all(a == answers[0] for a in answers)  # nothing tells the kinds apart
    for r in (by_no, by_id, by_id_only, household):
        assert "PRIV-OUT-1" not in r.text and "PRIV-H-OUT" not in r.text
    # Fresh values are created; a conflict inside the scope is still a plain 409.
    fresh = {"member_no": "PRIV-IN-3", "name": "新党员", "branch": inside_branch}
    assert t.post("/members", json=fresh).status_code == 201
    again = t.post("/members", json=fresh)
    assert again.status_code == 409 and "已存在" in again.text
    r = t.post(
        "/members", json={"name": "新身份证", "branch": inside_branch, "id_number": FRESH_ID}
    )
    assert r.status_code == 201, r.text
    assert t.post("/households", json={"id": "PRIV-H-IN", "area": INSIDE_AREA}).status_code == 201


def test_links_outside_the_scope_answer_like_missing_ones(
    writers: dict[str, httpx.Client], taken: None, inside_branch: str
) -> None:
    t = writers["township"]

    def post(**links: str) -> httpx.Response:
        return t.post("/members", json={"member_no": "PRIV-L", "name": "链接", **links})

    for field, outside, missing in (
        ("branch", OUTSIDE_BRANCH, "D-NO-SUCH"),
        ("household", "PRIV-H-OUT", "PRIV-H-NONE"),
    ):
        extra = {} if field == "branch" else {"branch": inside_branch}
        a, b = post(**extra, **{field: outside}), post(**extra, **{field: missing})
        assert a.status_code == b.status_code == 404, (a.text, b.text)
        assert a.json()["detail"].replace(outside, "X") == b.json()["detail"].replace(missing, "X")


def _create_branch(store: GraphStore, sees: bool) -> None:
    services.create_mobile_branch(
        store,
        id=OUTSIDE_BRANCH,
        name="驻苏州流动党员党支部",
        kind="mobile_branch",
        host_area="320500",
        approved_by="D330226",
        sees_org=lambda _: sees,
    )


def test_a_mobile_branch_id_taken_by_an_org_the_caller_cannot_see(
    write_store: GraphStore,
) -> None:
    with pytest.raises(Forbidden) as refused:
        _create_branch(write_store, False)
    assert str(refused.value) == NOT_YOURS
    with pytest.raises(ConstraintConflict):
        _create_branch(write_store, True)
