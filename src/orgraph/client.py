"""Typed HTTP client of the orgraph API (the dashboard and integrators use it).

Every method is one endpoint of docs/api-contract.md. Answers come back as the API's JSON
(TypedDicts where the dashboard relies on the shape); failures are raised as the same
`orgraph.errors` exceptions the server maps to HTTP, built from the problem+json `detail`,
so a caller handles "log in again" or "not found" the same way whether it runs in-process or
over HTTP.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NotRequired, TypedDict, cast

import httpx

from orgraph.errors import (
    AccountLocked,
    ConstraintConflict,
    Forbidden,
    NotFound,
    OrgraphError,
    PayloadTooLarge,
    StoreUnavailable,
    Unauthorized,
    ValidationFailed,
)

API_PREFIX = "/api/v1"
DEFAULT_TIMEOUT = 30.0


def configured_url() -> str:
    """Where the API is: ORGRAPH_API_URL (`orgraph dashboard --api-url` passes it down), else
    the settings' `api_url` (a `.env` file, or the default http://127.0.0.1:8000)."""
    url = os.environ.get("ORGRAPH_API_URL")
    if url:
        return url
    # Only when the variable is unset: Settings validates every ORGRAPH_* variable, and a
    # client needs none of the others.
    from orgraph.config import Settings

    return Settings().api_url


Json = dict[str, Any]


# -- answer shapes --------------------------------------------------------------------------


class Token(TypedDict):
    access_token: str
    token_type: str
    expires_in: int


class ScopeRef(TypedDict):
    ref: str
    name: str
    kind: str  # "area" | "org"


class Me(TypedDict):
    username: str
    display_name: str
    role: str
    role_zh: str
    scope: ScopeRef
    can_reveal: bool
    can_write: bool
    can_import: bool


class Page(TypedDict):
    total: int
    page: int
    page_size: int
    items: list[Json]


class Past(TypedDict):
    """What an answer at a past day could read (docs/rules.md "What an answer at a past day
    can read")."""

    undated_as_now: bool
    replaced_after: int
    history_from: str | None
    note: str | None  # the Chinese sentence to show when undated_as_now


class GapPage(Page):
    type: str
    scope: str
    as_of: str
    no_data: NotRequired[bool]  # the records the rule reads are not imported (not "no gap")
    past: NotRequired[Past]


class GapSummary(TypedDict):
    scope: str
    as_of: str
    counts: dict[str, int]
    no_data: NotRequired[list[str]]  # types whose records do not begin by as_of: 未导入
    labels: NotRequired[dict[str, str]]
    past: NotRequired[Past]


class CoverageRow(TypedDict):
    code: str
    name: str
    level: str
    households: int
    covered: int
    coverage: float | None
    uncovered_contact_away: int
    members: int
    members_home: int
    members_away: int
    load: dict[str, int]
    parent: NotRequired[str | None]


class Coverage(TypedDict):
    scope: str
    as_of: str
    level: str
    rows: list[CoverageRow]


class ChainLevel(TypedDict):
    level: str
    area: Json | None
    people: list[Json]
    ok: bool
    first_secretaries: NotRequired[list[Json]]  # village level: active 第一书记 appointments


class Chain(TypedDict):
    household: Json
    as_of: str
    levels: list[ChainLevel]
    broken_at: str | None


class Tree(TypedDict):
    scope: Any
    orgs: list[Json]
    areas: list[Json]


@dataclass
class Download:
    """A file the API sent: its bytes, the name it suggested and its media type."""

    content: bytes
    filename: str
    media_type: str


# -- errors ---------------------------------------------------------------------------------

_BY_STATUS: dict[int, type[OrgraphError]] = {
    400: ValidationFailed,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: ConstraintConflict,
    413: PayloadTooLarge,
    422: ValidationFailed,
    423: AccountLocked,
    503: StoreUnavailable,
    504: StoreUnavailable,
}

_FALLBACK_ZH = {
    400: "请求无效",
    401: "未登录或登录已过期，请重新登录",
    403: "无权执行此操作",
    404: "未找到",
    409: "数据冲突",
    413: "文件过大",
    422: "输入有误",
    423: "账户已锁定",
    429: "请求过于频繁，请稍后再试",
    503: "服务暂不可用，请稍后再试",
}


@dataclass
class FieldError:
    field: str
    message: str


@dataclass
class ProblemInfo:
    """What the API said about a failure, kept on the raised exception as `.problem`."""

    status: int
    title: str = ""
    detail: str = ""
    errors: list[FieldError] = field(default_factory=list)


def error_from_response(resp: httpx.Response) -> OrgraphError:
    """The orgraph exception for a non-2xx answer (problem+json or FastAPI's own shape)."""
    status = resp.status_code
    body: Any = None
    try:
        body = resp.json()
    except ValueError:
        body = None
    title, detail, errors = "", "", []
    if isinstance(body, dict):
        title = str(body.get("title") or "")
        raw_detail = body.get("detail")
        raw_errors = body.get("errors")
        if isinstance(raw_detail, list):  # FastAPI's default validation answer
            raw_errors, raw_detail = raw_detail, None
        detail = str(raw_detail or "")
        for e in raw_errors or []:
            if isinstance(e, dict):
                where = e.get("field") or ".".join(str(x) for x in e.get("loc", []) or [])
                errors.append(FieldError(str(where), str(e.get("message") or e.get("msg", ""))))
        for e in body.get("refused") or []:  # items a business rule refused: member→household
            if isinstance(e, dict):
                where = "→".join(str(e[k]) for k in ("member", "household") if e.get(k))
                errors.append(FieldError(where, str(e.get("message", ""))))
    message = detail or title or _FALLBACK_ZH.get(status, f"服务返回错误（HTTP {status}）")
    if errors and not detail:
        message += "：" + "；".join(f"{e.field} {e.message}".strip() for e in errors)
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = StoreUnavailable if status >= 500 and status != 500 else OrgraphError
    exc = cls(message)
    exc.problem = ProblemInfo(status, title, detail, errors)  # type: ignore[attr-defined]
    return exc


def problem_of(exc: BaseException) -> ProblemInfo | None:
    """The API's problem details behind an exception this client raised, if any."""
    info = getattr(exc, "problem", None)
    return info if isinstance(info, ProblemInfo) else None


# -- the client -----------------------------------------------------------------------------

UploadFile = tuple[str, bytes] | Path


class OrgraphClient:
    """One API base URL, one (optional) bearer token; not shared between users."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        base = base_url.rstrip("/")
        if not base.endswith(API_PREFIX):
            base += API_PREFIX
        self.base_url = base
        self.token = token
        self._http = httpx.Client(
            base_url=base,
            timeout=timeout,
            transport=transport,
            headers={"Accept": "application/json"},
        )

    # -- plumbing ---------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> OrgraphClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
    ) -> httpx.Response:
        """Send one request; raise the orgraph exception for any non-2xx answer."""
        clean = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        try:
            resp = self._http.request(
                method,
                path,
                params=clean,
                json=json,
                data=data,
                files=files,
                headers=self._headers(),
            )
        except httpx.TimeoutException:
            raise StoreUnavailable(f"orgraph 服务响应超时（{self.base_url}），请稍后再试") from None
        except httpx.TransportError:
            raise StoreUnavailable(
                f"无法连接 orgraph 服务（{self.base_url}），请确认服务已启动"
            ) from None
        if resp.status_code >= 400:
            raise error_from_response(resp)
        return resp

    def _get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params).json()

    def _post(self, path: str, body: Any = None, **params: Any) -> Any:
        resp = self.request("POST", path, params=params, json=body)
        return resp.json() if resp.content else None

    # -- auth -------------------------------------------------------------------------------

    def login(self, username: str, password: str) -> Token:
        """Exchange a password for a token and keep it for the following calls."""
        resp = self.request(
            "POST", "/auth/token", data={"username": username, "password": password}
        )
        token = cast(Token, resp.json())
        self.token = token["access_token"]
        return token

    def refresh(self) -> Token:
        token = cast(Token, self._post("/auth/refresh"))
        self.token = token["access_token"]
        return token

    def me(self) -> Me:
        return cast(Me, self._get("/me"))

    def health(self) -> Json:
        return cast(Json, self._get("/health"))

    def policy(self) -> Json:
        return cast(Json, self._get("/policy"))

    # -- tree -------------------------------------------------------------------------------

    def tree(self, scope: str | None = None) -> Tree:
        return cast(Tree, self._get("/tree", scope=scope))

    def area(self, code: str) -> Json:
        return cast(Json, self._get(f"/areas/{_seg(code)}"))

    def area_children(self, code: str) -> list[Json]:
        return _items(self._get(f"/areas/{_seg(code)}/children"))

    def org(self, org_id: str) -> Json:
        return cast(Json, self._get(f"/orgs/{_seg(org_id)}"))

    def org_children(self, org_id: str) -> list[Json]:
        return _items(self._get(f"/orgs/{_seg(org_id)}/children"))

    # -- members, households, contacts ------------------------------------------------------

    def members(
        self,
        *,
        scope: str | None = None,
        q: str | None = None,
        branch: str | None = None,
        away: bool | None = None,
        on_roll: bool | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> Page:
        return cast(
            Page,
            self._get(
                "/members",
                scope=scope,
                q=q,
                branch=branch,
                away=away,
                on_roll=on_roll,
                page=page,
                page_size=page_size,
            ),
        )

    def member(self, key: str, *, reveal: bool = False) -> Json:
        return cast(Json, self._get(f"/members/{_seg(key)}", reveal=reveal))

    def create_member(self, body: Mapping[str, Any]) -> Json:
        return cast(Json, self._post("/members", dict(body)))

    def update_member(self, key: str, body: Mapping[str, Any]) -> Json:
        return cast(Json, self.request("PATCH", f"/members/{_seg(key)}", json=dict(body)).json())

    def households(
        self, *, scope: str | None = None, q: str | None = None, page: int = 1, page_size: int = 50
    ) -> Page:
        return cast(
            Page, self._get("/households", scope=scope, q=q, page=page, page_size=page_size)
        )

    def household(self, household_id: str) -> Json:
        return cast(Json, self._get(f"/households/{_seg(household_id)}"))

    def chain(self, household_id: str, *, as_of: str | None = None) -> Chain:
        return cast(Chain, self._get(f"/households/{_seg(household_id)}/chain", as_of=as_of))

    def contacts(
        self,
        *,
        member: str | None = None,
        household: str | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> Page:
        return cast(
            Page,
            self._get(
                "/contacts", member=member, household=household, page=page, page_size=page_size
            ),
        )

    def add_contact(self, *, member: str, household: str, since: str | None = None) -> Json:
        body = {"member": member, "household": household, "since": since}
        return cast(Json, self._post("/contacts", {k: v for k, v in body.items() if v}))

    def end_contact(self, *, member: str, household: str, until: str | None = None) -> Json:
        body = {"member": member, "household": household, "until": until}
        return cast(Json, self._post("/contacts/end", {k: v for k, v in body.items() if v}))

    # -- analysis ---------------------------------------------------------------------------

    def coverage(
        self, *, scope: str | None = None, level: str = "village", as_of: str | None = None
    ) -> Coverage:
        return cast(Coverage, self._get("/coverage", scope=scope, level=level, as_of=as_of))

    def gaps_summary(self, *, scope: str | None = None, as_of: str | None = None) -> GapSummary:
        return cast(GapSummary, self._get("/gaps/summary", scope=scope, as_of=as_of))

    def gaps(
        self,
        type: str,
        *,
        scope: str | None = None,
        as_of: str | None = None,
        page: int = 1,
        page_size: int = 50,
        min_age_days: int | None = None,
    ) -> GapPage:
        """One page of a gap type's items, each with its age (docs/rules.md "Gap life");
        `min_age_days`: only the items open at least that many days."""
        return cast(
            GapPage,
            self._get(
                "/gaps",
                type=type,
                scope=scope,
                as_of=as_of,
                page=page,
                page_size=page_size,
                min_age_days=min_age_days,
            ),
        )

    def export_gaps(
        self,
        type: str,
        *,
        scope: str | None = None,
        as_of: str | None = None,
        format: Literal["xlsx", "csv"] = "xlsx",
    ) -> Download:
        return self._download(
            "/gaps/export",
            f"{type}.{format}",
            type=type,
            scope=scope,
            as_of=as_of,
            format=format,
        )

    def _download(self, path: str, fallback: str, **params: Any) -> Download:
        """A file answer: its bytes, the name the server gave it (else fallback), its type."""
        resp = self.request("GET", path, params=params)
        return Download(
            resp.content,
            _filename(resp, fallback),
            resp.headers.get("content-type", "application/octet-stream"),
        )

    # -- proposals (docs/rules.md "Contact proposals") ----------------------------------------

    def proposal(
        self,
        *,
        scope: str | None = None,
        as_of: str | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> Json:
        """Who should take which uncovered household, and coverage before → after."""
        return cast(
            Json,
            self._get(
                "/proposals/contacts", scope=scope, as_of=as_of, page=page, page_size=page_size
            ),
        )

    def export_proposal(
        self,
        *,
        scope: str | None = None,
        as_of: str | None = None,
        format: Literal["xlsx", "csv"] = "xlsx",
    ) -> Download:
        """The whole proposal as a 联系关系 roster the importer reads."""
        return self._download(
            "/proposals/contacts/export",
            f"contact_proposal.{format}",
            scope=scope,
            as_of=as_of,
            format=format,
        )

    def duty_proposal(self, *, scope: str | None = None, as_of: str | None = None) -> Json:
        """A cadre for each hamlet and party group without one (cadres), and a group for each
        member without one (groups)."""
        return cast(Json, self._get("/proposals/duties", scope=scope, as_of=as_of))

    def export_duty_proposal(
        self,
        *,
        scope: str | None = None,
        as_of: str | None = None,
        format: Literal["xlsx", "csv"] = "xlsx",
    ) -> Download:
        """The cadre proposal as a 联系关系 roster the importer reads."""
        return self._download(
            "/proposals/duties/export",
            f"cadre_proposal.{format}",
            scope=scope,
            as_of=as_of,
            format=format,
        )

    def apply_proposal(
        self,
        pairs: Iterable[tuple[str, str]],
        *,
        scope: str | None = None,
        as_of: str | None = None,
    ) -> Json:
        """Write reviewed (member key, household id) pairs as contacts: all or none."""
        body: dict[str, Any] = {"pairs": [{"member": m, "household": h} for m, h in pairs]}
        if scope:
            body["scope"] = scope
        if as_of:
            body["as_of"] = as_of
        return cast(Json, self._post("/proposals/contacts/apply", body))

    # -- 软弱涣散 screening (docs/rules.md "软弱涣散 screening (排查)") -------------------------

    def screening(self, *, scope: str | None = None, as_of: str | None = None) -> Json:
        """Every village organisation in scope with the eight indicators of a weak
        organisation, its reasons (by the policy's weights) and the figures behind them:
        screened, candidates, no_data, listed_without_reasons, unlisted_candidates, items."""
        return cast(Json, self._get("/screening", scope=scope, as_of=as_of))

    def export_screening(self, *, scope: str | None = None, as_of: str | None = None) -> Download:
        """The screening as an Excel file: 排查名单 (one row per screened organisation) and
        指标说明 (each indicator, its threshold, weight and source)."""
        return self._download("/screening/export", "screening.xlsx", scope=scope, as_of=as_of)

    # -- party groups and the ledgers (docs/rules.md "党小组 appraisal", "第一书记") -----------

    def group_ranking(
        self, township: str, *, quarter: str | None = None, as_of: str | None = None
    ) -> Json:
        """A township's party groups ranked over a completed quarter (default: the latest
        one completed at as_of): township, quarter, records, life, rows, red_flag."""
        return cast(
            Json, self._get("/groups/ranking", township=township, quarter=quarter, as_of=as_of)
        )

    def export_group_ranking(
        self, township: str, *, quarter: str | None = None, as_of: str | None = None
    ) -> Download:
        """The ranking as the Excel list a township publishes: 党小组季度排名 and 计分办法."""
        return self._download(
            "/groups/ranking/export",
            "group_ranking.xlsx",
            township=township,
            quarter=quarter,
            as_of=as_of,
        )

    def first_secretary_villages(
        self, *, scope: str | None = None, as_of: str | None = None
    ) -> Json:
        """Every village organisation in scope with its 第一书记 in office: scope, as_of,
        no_data (no roster imported: 未导入), rows (org, village with lon/lat, township,
        listed, first_secretaries, absent, ending)."""
        return cast(Json, self._get("/first_secretaries/villages", scope=scope, as_of=as_of))

    def add_inspection(self, body: Mapping[str, Any]) -> Json:
        """Record (or correct) an inspection: org, on, inspector, findings, follow_up."""
        return cast(Json, self._post("/inspections", dict(body)))

    def add_first_secretary(self, body: Mapping[str, Any]) -> Json:
        """Record (or correct) a 第一书记 appointment: member, org, since, until, sent_by."""
        return cast(Json, self._post("/first_secretaries", dict(body)))

    # -- imports ----------------------------------------------------------------------------

    def import_files(self, kind: str, files: Iterable[UploadFile], *, dry_run: bool = True) -> Json:
        """Upload roster files of one kind (or "auto", if the API takes it); the importer's
        report comes back. `files` are paths or (file name, bytes) pairs."""
        parts = []
        for f in files:
            name, content = (f.name, f.read_bytes()) if isinstance(f, Path) else f
            parts.append(("files", (name, content, "application/octet-stream")))
        resp = self.request(
            "POST", f"/imports/{_seg(kind)}", params={"dry_run": dry_run}, files=parts
        )
        return cast(Json, resp.json())

    def imports(self, *, page: int = 1, page_size: int = 50) -> Json:
        """The import history, newest first (docs/design.md#import-history)."""
        return cast(Json, self._get("/history/imports", page=page, page_size=page_size))

    def trend(
        self,
        *,
        scope: str | None = None,
        level: str = "township",
        months: int = 12,
        as_of: str | None = None,
        counts: bool = False,
    ) -> Json:
        """Coverage (and gap counts) month by month (docs/rules.md "Trend")."""
        return cast(
            Json,
            self._get(
                "/history/trend",
                scope=scope,
                level=level,
                months=months,
                as_of=as_of,
                counts=counts,
            ),
        )

    def import_record(self, import_id: str) -> Json:
        """One recorded import with its whole report."""
        return cast(Json, self._get(f"/history/imports/{_seg(import_id)}"))

    def changes(self, since: str, until: str | None = None, *, scope: str | None = None) -> Json:
        """What changed after `since` up to `until` (each an import id, `last` / `previous`
        or a day YYYY-MM-DD; `until` default today), in the caller's scope or `scope` within
        it: docs/rules.md "Changes between two points" ("In a scope")."""
        return cast(
            Json, self._get("/history/changes", **{"from": since, "to": until, "scope": scope})
        )

    def field_history(self, key: str) -> Json:
        """The values imports replaced on one entity (docs/rules.md "Field history")."""
        return cast(Json, self._get(f"/history/fields/{_seg(key)}"))

    # -- mobility ---------------------------------------------------------------------------

    def destinations(self, *, scope: str | None = None, as_of: str | None = None) -> Json:
        return cast(Json, self._get("/mobility/destinations", scope=scope, as_of=as_of))

    def flows(self, *, scope: str | None = None, as_of: str | None = None) -> Json:
        return cast(Json, self._get("/mobility/flows", scope=scope, as_of=as_of))

    # -- organisational life and dues (docs/rules.md "Organisational life and dues") ----------

    def life_grid(
        self, *, scope: str | None = None, as_of: str | None = None, type: str | None = None
    ) -> Json:
        """Branch (and group) × month: met, missed, no quorum, or not checked."""
        return cast(Json, self._get("/life/grid", scope=scope, as_of=as_of, type=type))

    def export_life_grid(
        self, *, scope: str | None = None, as_of: str | None = None, type: str | None = None
    ) -> Download:
        return self._download(
            "/life/grid/export", "life_grid.xlsx", scope=scope, as_of=as_of, type=type
        )

    def member_life(self, member_key: str, *, as_of: str | None = None) -> Json:
        return cast(Json, self._get(f"/members/{_seg(member_key)}/life", as_of=as_of))

    def meetings(
        self,
        *,
        scope: str | None = None,
        org: str | None = None,
        type: str | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> Page:
        return cast(
            Page,
            self._get("/meetings", scope=scope, org=org, type=type, page=page, page_size=page_size),
        )

    def dues(
        self,
        *,
        scope: str | None = None,
        member: str | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> Page:
        return cast(
            Page, self._get("/dues", scope=scope, member=member, page=page, page_size=page_size)
        )

    def add_meeting(self, org_id: str, body: Mapping[str, Any]) -> Json:
        return cast(Json, self._post(f"/orgs/{_seg(org_id)}/meetings", dict(body)))

    def add_dues(self, member_key: str, body: Mapping[str, Any]) -> Json:
        return cast(Json, self._post(f"/members/{_seg(member_key)}/dues", dict(body)))

    def timeline(self, member_key: str) -> Json:
        return cast(Json, self._get(f"/mobility/members/{_seg(member_key)}/timeline"))

    def outflows(
        self,
        *,
        scope: str | None = None,
        open: bool | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> Page:
        return cast(
            Page, self._get("/outflows", scope=scope, open=open, page=page, page_size=page_size)
        )

    def add_outflow(self, member_key: str, body: Mapping[str, Any]) -> Json:
        return cast(Json, self._post(f"/members/{_seg(member_key)}/outflows", dict(body)))

    def add_report(self, member_key: str, body: Mapping[str, Any]) -> Json:
        return cast(Json, self._post(f"/members/{_seg(member_key)}/reports", dict(body)))

    def record_return(self, member_key: str, body: Mapping[str, Any]) -> Json:
        return cast(Json, self._post(f"/members/{_seg(member_key)}/return", dict(body)))

    def attend(self, member_key: str, body: Mapping[str, Any]) -> Json:
        return cast(Json, self._post(f"/members/{_seg(member_key)}/attend", dict(body)))

    def transfer(self, member_key: str, body: Mapping[str, Any]) -> Json:
        return cast(Json, self._post(f"/members/{_seg(member_key)}/transfer", dict(body)))

    def mobile_branches(self, *, scope: str | None = None, as_of: str | None = None) -> Json:
        return cast(Json, self._get("/mobile-branches", scope=scope, as_of=as_of))

    def mobile_branch_members(self, org_id: str, *, as_of: str | None = None) -> Json:
        return cast(Json, self._get(f"/mobile-branches/{_seg(org_id)}/members", as_of=as_of))


def _param(v: Any) -> Any:
    return ("true" if v else "false") if isinstance(v, bool) else v


def _seg(value: str) -> str:
    """One path segment: ids may hold characters (/, ?, #) that must not change the route."""
    from urllib.parse import quote

    return quote(str(value), safe="")


def _items(answer: Any) -> list[Json]:
    if isinstance(answer, dict):
        for k in ("items", "children"):
            if isinstance(answer.get(k), list):
                return cast(list[Json], answer[k])
    return cast(list[Json], answer)


def _filename(resp: httpx.Response, default: str) -> str:
    """The file name of a Content-Disposition header (RFC 5987 `filename*` first)."""
    import re
    from email.message import Message
    from urllib.parse import unquote

    cd = resp.headers.get("content-disposition", "")
    if not cd:
        return default
    # email.message decodes RFC 2231 parameters under the plain name, so with both present
    # get_param("filename*") is None and get_filename() the ASCII fallback: read it here.
    star = re.search(r"filename\*\s*=\s*([\w-]*)'[^']*'([^;\s]+)", cd, re.IGNORECASE)
    if star:
        return unquote(star[2].strip('"'), encoding=star[1] or "utf-8", errors="replace")
    msg = Message()
    msg["content-disposition"] = cd
    name = msg.get_filename()
    return name or default
