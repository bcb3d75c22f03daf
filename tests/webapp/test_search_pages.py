"""/search for every role: the page, its JSON twin, query errors, hostile input, pagination and facets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from starlette.applications import Starlette
from starlette.testclient import TestClient

from webapp.conftest import ROLES, ClientAs, raw_get

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _total(html: str) -> int:
    found = re.search(r'id="total">(\d+)<', html)
    assert found, "no total on the page"
    return int(found[1])


@pytest.mark.parametrize("role", ROLES)
def test_search_page_answers_every_role(client_as: ClientAs, role: str) -> None:
    client = client_as(role)
    page = client.get("/search")
    assert page.status_code == 200
    assert 'name="q"' in page.text
    found = client.get("/search", params={"q": "公开透明 OR 养老"})
    assert found.status_code == 200
    assert "共 <strong" in found.text


def test_search_sends_the_anonymous_to_login(anon: TestClient) -> None:
    response = anon.get("/search", params={"q": "养老"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=%2Fsearch")


def test_search_json_twin_is_what_renda_search_json_prints(client_as: ClientAs, web_ws: Path) -> None:
    from click.testing import CliRunner

    import cli

    got = client_as("clerk").get("/search.json", params={"q": "养老"}).json()
    result = CliRunner().invoke(cli.cli, ["--root", str(web_ws), "search", "养老", "--json"])
    assert result.exit_code == 0, result.output
    want = json.loads(result.stdout)
    assert [h["id"] for h in got] == [h["id"] for h in want]
    assert got[0].keys() == want[0].keys()
    assert got[0]["snippet"] == want[0]["snippet"]


def test_search_query_error_is_explained_inline(client_as: ClientAs) -> None:
    response = client_as("member").get("/search", params={"q": "养老 类型:不存在的类型"})
    assert response.status_code == 400
    assert "检索式有误" in response.text
    assert "不存在的类型" in response.text
    assert "Traceback" not in response.text


def test_search_overlong_query_is_refused_inline(client_as: ClientAs) -> None:
    response = client_as("clerk").get("/search", params={"q": "养" * 600})
    assert response.status_code == 400
    assert "检索式有误" in response.text


def test_search_megabyte_query_string_is_refused_cleanly(app: Starlette) -> None:
    status, _, body = raw_get(app, "/search", b"q=" + "养".encode() * (1024 * 1024 // 3), [(b"accept", b"text/html")])
    assert status == 414
    assert "链接太长" in body
    assert "Traceback" not in body


def test_search_hostile_query_renders_as_text(client_as: ClientAs) -> None:
    response = client_as("clerk").get("/search", params={"q": XSS})
    assert "<script>alert" not in response.text
    assert "<img src=x" not in response.text
    assert "&lt;script&gt;" in response.text


def test_search_hostile_record_text_renders_as_text(client_as: ClientAs, web_ws: Path) -> None:
    path = web_ws / "records/2024/opinion-2024-02.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["title"] = f"农村人居环境{XSS}翠微湖审议意见"
    data["assessment"] = [f"翠微湖{XSS}常委会组成人员认为"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    html = client_as("clerk").get("/search", params={"q": "翠微湖"}).text
    assert _total(html) == 1
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<mark>翠微湖</mark>" in html  # the highlight is the template's markup, around escaped text


def test_search_pages_through_the_hits(client_as: ClientAs) -> None:
    client = client_as("clerk")
    first = client.get("/search", params={"q": "会议"}).text
    total = _total(first)
    assert total > 10
    ids = []
    for page in range(1, (total + 9) // 10 + 1):
        got = [h["id"] for h in client.get("/search.json", params={"q": "会议", "page": page}).json()]
        assert len(got) == min(10, total - (page - 1) * 10)
        ids += got
    assert len(set(ids)) == total
    assert 'rel="next"' in first
    assert 'rel="prev"' not in first


def test_search_facet_click_narrows_to_its_count(client_as: ClientAs) -> None:
    client = client_as("clerk")
    html = client.get("/search", params={"q": "养老"}).text
    link = re.search(r'<a href="(/search\?[^"]*type=opinion)">审议意见</a> <span class="count"[^>]*>(\d+)<', html)
    assert link
    narrowed = client.get(link[1].replace("&amp;", "&")).text
    assert _total(narrowed) == int(link[2])
    for hit_type in re.findall(r'<li class="hit" data-id="([^"]+)"', narrowed):
        assert hit_type.startswith("opinion-")
