"""Security headers, CSP without inline script, size limits, escaping, error pages without tracebacks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from webapp.conftest import ClientAs, csrf_of, raw_get

PAGES_BY_ROLE = {"admin": ["/", "/users", "/login"], "clerk": ["/"], "member": ["/"], "deputy": ["/"], "organ": ["/"]}


def assert_security_headers(headers: Mapping[str, str]) -> None:
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"


def test_every_page_has_the_security_headers_and_no_inline_script_or_style(
    client_as: ClientAs, anon: TestClient
) -> None:
    for role, paths in PAGES_BY_ROLE.items():
        client = client_as(role)
        for path in paths:
            response = client.get(path, follow_redirects=True)
            assert response.status_code == 200
            assert_security_headers(response.headers)
            assert response.headers["cache-control"] == "no-store"
            html = response.text
            assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"inline script on {path}"
            assert not re.search(r"\sstyle=", html), f"inline style on {path}"
            assert not re.search(r"\son[a-z]+=", html), f"inline handler on {path}"
            assert '"includeIndicatorStyles": false' in html
    for response in (anon.get("/login"), anon.get("/nowhere"), anon.get("/static/style.css")):
        assert_security_headers(response.headers)


def test_htmx_and_the_stylesheet_are_served_from_the_package(anon: TestClient) -> None:
    htmx = anon.get("/static/htmx.min.js")
    assert htmx.status_code == 200
    assert "htmx" in htmx.text[:200]
    assert anon.get("/static/htmx.LICENSE.txt").status_code == 200
    css = anon.get("/static/style.css")
    assert css.status_code == 200
    assert "@media (max-width: 600px)" in css.text
    page = anon.get("/login").text
    assert not re.search(r"(src|href)=\"(https?:)?//", page), "no resource from another host"


def test_one_megabyte_query_string_is_refused_with_the_chinese_page(app: Starlette, client_as: ClientAs) -> None:
    client = client_as("clerk")
    cookie = f"renda_session={client.cookies['renda_session']}"
    status, headers, body = raw_get(app, "/", b"q=" + b"a" * (1024 * 1024), [(b"cookie", cookie.encode())])
    assert status == 414
    assert "链接太长" in body
    assert "Traceback" not in body
    assert headers["x-content-type-options"] == "nosniff"
    assert client.get("/").status_code == 200


def test_oversized_post_is_refused(client_as: ClientAs) -> None:
    client = client_as("admin")
    token = csrf_of(client.get("/users").text)
    response = client.post("/users", data={"csrf_token": token, "name": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "提交的内容太大" in response.text


def test_a_script_in_a_record_title_shows_as_text(client_as: ClientAs, web_ws: Path) -> None:
    source = web_ws / "records" / "2024" / "opinion-2024-03.yaml"
    text = source.read_text(encoding="utf-8")
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    source.write_text(re.sub(r"(?m)^title: .*$", f"title: '{payload}'", text, count=1), encoding="utf-8")
    page = client_as("clerk").get("/")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert "<script>alert" not in page.text
    assert "<img src=x" not in page.text


def test_server_error_is_a_chinese_page_without_traceback(client_as: ClientAs, monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.web.views import ScopeView

    def broken(*args: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(ScopeView, "dashboard", broken)  # what the 首页 asks for
    response = client_as("clerk").get("/")
    assert response.status_code == 500
    assert "服务器内部错误" in response.text
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


def test_errors_have_a_json_twin(client_as: ClientAs, anon: TestClient) -> None:
    missing = client_as("clerk").get("/nowhere", headers={"accept": "application/json"})
    assert missing.status_code == 404
    assert missing.json() == {
        "error": "页面不存在",
        "message": "找不到您要的页面或记录。请检查链接是否正确。",
        "status": 404,
    }
    nobody = anon.get("/.json")
    assert nobody.status_code == 401
    assert nobody.json()["error"] == "需要登录"


def test_wrong_method_is_a_chinese_405(client_as: ClientAs) -> None:
    client = client_as("clerk")
    token = csrf_of(client.get("/").text)
    response = client.post("/", data={"csrf_token": token})
    assert response.status_code == 405
    assert "不支持的请求" in response.text
