"""/deputies and /deputies/{id}: every role, the 履职档案 and its PDF, and the clearance matrix of its figures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from samples import copy_sample
from starlette.applications import Starlette
from starlette.testclient import TestClient

from webapp.conftest import DEPUTY_ID, ROLES, ClientAs, client_at, planted_app
from webapp.planted import DEPUTY, LEVELS, Planted, expected

OTHER = "d014"  # another deputy of the sample, with 述职 records of their own


def _registry(root: Path, term: int) -> list[str]:
    ids = []
    for path in sorted((root / "records" / "deputies").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if any(t["term"] == term for t in data.get("terms", [])):
            ids.append(data["id"])
    return ids


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-id="([^"]+)"', html)


@pytest.mark.parametrize("role", ["admin", "clerk", "member"])
def test_deputies_registry_lists_the_term_for_the_office_and_members(
    client_as: ClientAs, web_ws: Path, role: str
) -> None:
    client = client_as(role)
    for term in (17, 16):
        response = client.get("/deputies", params={"term": term})
        assert response.status_code == 200
        assert sorted(_rows(response.text)) == sorted(_registry(web_ws, term))
    assert sorted(d["id"] for d in client.get("/deputies.json").json()) == sorted(_registry(web_ws, 17))


def test_deputies_registry_shows_a_deputy_only_themselves(client_as: ClientAs) -> None:
    response = client_as("deputy").get("/deputies")
    assert response.status_code == 200
    assert _rows(response.text) == [DEPUTY_ID]


def test_deputies_refuse_organs_and_send_the_anonymous_to_login(client_as: ClientAs, anon: TestClient) -> None:
    organ = client_as("organ")
    assert organ.get("/deputies").status_code == 403
    assert organ.get(f"/deputies/{DEPUTY_ID}").status_code == 403
    assert organ.get(f"/deputies/{DEPUTY_ID}/profile.pdf").status_code == 403
    for path in ("/deputies", f"/deputies/{DEPUTY_ID}", f"/deputies/{DEPUTY_ID}/profile.pdf"):
        response = anon.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")


@pytest.mark.parametrize("role", ["admin", "clerk", "member", "deputy"])
def test_deputy_page_shows_the_eight_parts_with_figures_linking_to_records(client_as: ClientAs, role: str) -> None:
    response = client_as(role).get(f"/deputies/{DEPUTY_ID}")
    assert response.status_code == 200
    assert response.text.count('<section class="card profile-section">') == 8
    for title in ("基本情况", "出席会议", "视察调研", "学习培训", "代表小组", "建议", "述职", "获奖"):
        assert title in response.text
    linked = re.findall(r'<li data-figure="常委会会议.present">.*?</li>', response.text, re.S)
    assert linked
    assert re.search(r'href="/records/cwh-17-\d+"', " ".join(linked))


def test_deputy_sees_only_their_own_page(client_as: ClientAs) -> None:
    client = client_as("deputy")
    assert client.get(f"/deputies/{DEPUTY_ID}").status_code == 200
    assert client.get(f"/deputies/{OTHER}").status_code == 404
    assert client.get(f"/deputies/{OTHER}/profile.pdf").status_code == 404
    assert client.get("/deputies/d999").status_code == 404


def test_deputy_profile_json_twin_is_the_compiled_file(client_as: ClientAs) -> None:
    data = client_as("clerk").get(f"/deputies/{OTHER}.json").json()
    assert data["deputy"] == OTHER
    assert len(data["sections"]) == 8
    reports = next(f for s in data["sections"] for f in s["figures"] if f["key"] == "reports")
    assert sorted(reports["records"]) == ["report-2023-d014"]


def test_deputy_profile_pdf_is_rendered_and_audited(client_as: ClientAs, web_ws: Path) -> None:
    response = client_as("deputy").get(f"/deputies/{DEPUTY_ID}/profile.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    import sqlite3

    with sqlite3.connect(web_ws / ".renda" / "web.sqlite") as db:
        rows = db.execute("select * from audit").fetchall()
    assert any("download" in map(str, row) and DEPUTY_ID in map(str, row) for row in rows)


Matrix = tuple[Planted, Starlette]  # the planted records and an app over them


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    return planted_app(copy_sample(tmp_path_factory.mktemp("deputies") / "ws"), ROLES)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("role", ROLES)
def test_deputy_page_counts_what_the_viewer_may_see(matrix: Matrix, role: str, level: str) -> None:
    planted, app = matrix
    client = client_at(app, role, level)
    response = client.get(f"/deputies/{DEPUTY}.json")
    if role == "organ":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    want = sorted(d["id"] for d in expected(planted, role, level) if d["type"] == "deputy_report")
    reports = next(f for s in response.json()["sections"] for f in s["figures"] if f["key"] == "reports")
    assert reports["count"] == len(want)
    assert sorted(reports["records"]) == want
    assert response.json()["classification"] == max(
        ["公开", *(d["classification"] for d in planted if d["id"] in want)], key=LEVELS.index
    )
    html = client.get(f"/deputies/{DEPUTY}").text
    for d in planted:
        if d["id"] not in want:
            assert d["id"] not in html


def test_deputies_hostile_registry_text_renders_as_text(client_as: ClientAs, web_ws: Path) -> None:
    path = web_ws / "records/deputies" / f"{OTHER}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["name"] = "沈<b>秀兰</b>"
    for service in data["terms"]:
        service["delegation"] = "<img src=x onerror=alert(1)>"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    client = client_as("clerk")
    registry = client.get("/deputies").text
    assert "<img src=x" not in registry
    assert "&lt;img src=x onerror=alert(1)&gt;" in registry
    for html in (registry, client.get(f"/deputies/{OTHER}").text):
        assert "沈<b>秀兰" not in html
        assert "沈&lt;b&gt;秀兰&lt;/b&gt;" in html
