"""orgraph.client against the real API: answers as the contract says, errors as orgraph
exceptions carrying the API's Chinese detail."""

from __future__ import annotations

import httpx
import pytest

from orgraph.client import OrgraphClient, error_from_response, problem_of
from orgraph.errors import (
    AccountLocked,
    NotFound,
    OrgraphError,
    StoreUnavailable,
    Unauthorized,
    ValidationFailed,
)
from tests.dashboard.conftest import ADMIN, COUNTY, TOWN, TOWNSHIP, LiveDashboard
from tests.live_api import free_port


def test_login_me_and_refresh(live: LiveDashboard) -> None:
    c = OrgraphClient(live.url)
    token = c.login(*ADMIN)
    assert token["token_type"] == "bearer" and token["expires_in"] > 0
    assert c.token == token["access_token"]
    me = c.me()
    assert me["username"] == ADMIN[0] and me["role"] == "county_admin"
    assert me["scope"] == {"ref": COUNTY, "name": "宁海县", "kind": "area"}
    assert me["can_import"] is True
    fresh = c.refresh()
    assert c.token == fresh["access_token"]
    assert c.me()["username"] == ADMIN[0]
    health = c.health()
    assert health["status"] == health["store"] == "ok" and "projection" in health


def test_base_url_with_or_without_prefix(live: LiveDashboard) -> None:
    assert OrgraphClient(live.url + "/api/v1/").health()["status"] == "ok"


def test_wrong_password_is_unauthorized_in_chinese(live: LiveDashboard) -> None:
    c = OrgraphClient(live.url)
    with pytest.raises(Unauthorized) as err:
        c.login(TOWN[0], "Wrong-pass-1")
    info = problem_of(err.value)
    assert info is not None and info.status == 401
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err.value))
    assert c.token is None


def test_no_or_bad_token_is_unauthorized(live: LiveDashboard) -> None:
    with pytest.raises(Unauthorized):
        OrgraphClient(live.url).me()
    with pytest.raises(Unauthorized):
        OrgraphClient(live.url, token="not-a-token").me()


def test_out_of_scope_is_not_found(live: LiveDashboard) -> None:
    town = live.client(TOWN)
    assert town.me()["scope"]["ref"] == TOWNSHIP
    with pytest.raises(NotFound) as err:
        town.coverage(scope="330226203")  # the other township of the demo
    assert problem_of(err.value) is not None
    assert problem_of(err.value).status == 404  # type: ignore[union-attr]


def test_bad_input_is_validation_failed_with_fields(live: LiveDashboard) -> None:
    c = live.client()
    with pytest.raises(ValidationFailed) as err:
        c.coverage(as_of="2026-13-45")
    assert "日期" in str(err.value) or problem_of(err.value).errors  # type: ignore[union-attr]
    with pytest.raises(ValidationFailed):
        c.gaps("no_such_gap")


def test_api_down_is_store_unavailable() -> None:
    c = OrgraphClient(f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(StoreUnavailable) as err:
        c.health()
    assert "无法连接" in str(err.value)


@pytest.mark.parametrize(
    ("status", "body", "cls", "text"),
    [
        (
            401,
            {"type": "x", "title": "未登录", "status": 401, "detail": "令牌已过期"},
            Unauthorized,
            "令牌已过期",
        ),
        (423, {"detail": "账户已锁定"}, AccountLocked, "账户已锁定"),
        (404, {"detail": "不存在"}, NotFound, "不存在"),
        (
            422,
            {"title": "输入有误", "errors": [{"field": "as_of", "message": "格式不对"}]},
            ValidationFailed,
            "as_of 格式不对",
        ),
        (
            422,
            {"detail": [{"loc": ["query", "page"], "msg": "too small"}]},
            ValidationFailed,
            "query.page too small",
        ),
        (503, {"detail": "图数据库正在加载"}, StoreUnavailable, "图数据库正在加载"),
        (502, None, StoreUnavailable, "HTTP 502"),
        (500, {"detail": "内部错误"}, OrgraphError, "内部错误"),
    ],
)
def test_error_mapping(status: int, body: object, cls: type[Exception], text: str) -> None:
    resp = httpx.Response(status, json=body) if body is not None else httpx.Response(status)
    exc = error_from_response(resp)
    assert type(exc) is cls
    assert text in str(exc)
    info = problem_of(exc)
    assert info is not None and info.status == status


def test_every_read_answers_in_the_contract_shape(live: LiveDashboard) -> None:
    c = live.client()
    tree = c.tree()
    assert tree["scope"]["ref"] == COUNTY and tree["orgs"] and tree["areas"]
    assert c.area(TOWNSHIP)["level"] == "township"
    villages = c.area_children(TOWNSHIP)
    assert villages and all(v["parent"] == TOWNSHIP and v["lon"] for v in villages)
    branch = next(o for o in tree["orgs"] if o["kind"] == "branch")
    assert c.org(branch["id"])["id"] == branch["id"]
    assert isinstance(c.org_children(branch["id"]), list)
    members = c.members(branch=branch["id"], page_size=5)
    assert members["page_size"] == 5 and len(members["items"]) <= 5
    key = members["items"][0]["id"]
    assert c.member(key)["id"] == key
    assert c.contacts(member=key)["total"] >= 0
    house = c.households(page_size=1)["items"][0]
    assert c.household(house["id"])["id"] == house["id"]
    assert c.chain(house["id"])["household"]["id"] == house["id"]
    assert set(c.policy()) >= {"contact_min", "contact_max"}
    away = c.outflows(page_size=5)
    assert away["total"] >= len(away["items"])
    if away["items"]:
        who = away["items"][0]["member"]
        member_key = who["id"] if isinstance(who, dict) else who
        assert c.timeline(member_key)["events"]
    branches = c.mobile_branches()["branches"]
    if branches:
        assert isinstance(c.mobile_branch_members(branches[0]["id"]), dict)
    assert c.flows()["flows"] is not None
    assert c.destinations()["total"] >= 0


def test_unknown_body_fields_are_rejected(live: LiveDashboard) -> None:
    c = live.client()
    with pytest.raises(ValidationFailed) as err:
        c.create_member({"name": "测试", "no_such_field": 1})
    info = problem_of(err.value)
    assert info is not None and info.status == 422


def test_a_viewer_may_not_import(live: LiveDashboard) -> None:
    from orgraph.errors import Forbidden
    from tests.dashboard.conftest import VIEWER

    with pytest.raises(Forbidden):
        live.client(VIEWER).import_files("households", [("x.csv", b"a,b\n")], dry_run=True)
