"""#18 (low): browser-facing hardening of the API, over HTTP.

- every answer (data, problems, public routes, the docs) carries X-Content-Type-Options,
  X-Frame-Options and a Content-Security-Policy; data answers `Cache-Control: no-store`;
- the interactive docs load nothing from another host and run no inline script: Swagger UI's
  files come from this server (the fastapi-offline package);
- a trailing slash is not redirected to a Location built from the request's Host header.
"""

from __future__ import annotations

import re

import httpx

from tests.api.conftest import API


def _hardened(r: httpx.Response, *, data: bool = True) -> None:
    h = r.headers
    where = f"{r.request.method} {r.request.url.path} → {r.status_code}"
    assert h.get("x-content-type-options") == "nosniff", where
    assert h.get("x-frame-options") == "DENY", where
    csp = h.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp, (where, csp)
    if data:
        assert h.get("cache-control") == "no-store", where


def test_every_answer_has_the_security_headers(url: str, clients: dict[str, httpx.Client]) -> None:
    c = clients["county"]
    _hardened(httpx.get(f"{url}{API}/health"))
    _hardened(httpx.get(f"{url}{API}/openapi.json"))
    _hardened(httpx.get(f"{url}{API}/members"))  # 401
    _hardened(c.get("/members"))
    _hardened(c.get("/members/nobody-here"))  # 404 problem
    _hardened(c.get("/members", params={"page_size": 9999}))  # 422 problem
    _hardened(c.get("/members", params={"q": "\x00"}))  # 422 from a middleware
    _hardened(c.get("/no/such/route"))
    _hardened(c.post("/auth/token", data={"username": "x", "password": "y"}))


def test_the_docs_are_served_from_this_server_without_inline_script(url: str) -> None:
    r = httpx.get(f"{url}{API}/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "http://" not in page and "https://" not in page and "//cdn" not in page, page
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts), page
    refs = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(ref.endswith("swagger-ui-bundle.js") for ref in refs), refs
    for ref in refs:
        assert ref.startswith(f"{API}/docs/"), ref
        asset = httpx.get(f"{url}{ref}")
        assert asset.status_code == 200, ref
        assert asset.headers["x-content-type-options"] == "nosniff"
        kind = asset.headers["content-type"]
        want = {".js": "javascript", ".css": "text/css", ".png": "image/png"}
        assert want[ref[ref.rfind(".") :]] in kind, (ref, kind)
    _hardened(r)
    csp = r.headers["content-security-policy"]
    script_src = csp.split("script-src")[1].split(";")[0]
    assert "'self'" in script_src and "unsafe-inline" not in script_src, csp
    assert "SwaggerUIBundle" in httpx.get(f"{url}{API}/docs/start.js").text
    assert f"{API}/openapi.json" in httpx.get(f"{url}{API}/docs/start.js").text


def test_a_trailing_slash_does_not_redirect_to_the_callers_host(
    url: str, clients: dict[str, httpx.Client]
) -> None:
    token = clients["county"].headers["Authorization"]
    for path in (f"{API}/members/", f"{API}/health/", f"{API}/gaps/summary/"):
        r = httpx.get(
            f"{url}{path}",
            headers={"Host": "evil.example", "Authorization": token},
            follow_redirects=False,
        )
        assert "evil.example" not in r.headers.get("location", ""), (path, r.headers)
        assert r.status_code == 404 and "location" not in r.headers, (path, r.status_code)
        assert r.headers["content-type"] == "application/problem+json"
        _hardened(r)
