"""/archive and /archive/{year}: roles, the pre-flight by clearance, a build with progress, download, verify."""

from __future__ import annotations

import re
import sqlite3
import time
import zipfile
from pathlib import Path

import pytest
from samples import copy_sample
from starlette.applications import Starlette
from starlette.testclient import TestClient

from archive.progress import Step
from archive.web.pages import annual
from webapp.conftest import ROLES, ClientAs, client_at, csrf_of, planted_app
from webapp.planted import LEVELS, YEAR, Planted, expected

OFFICE = ("admin", "clerk")


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-id="([^"]+)"', html)


@pytest.mark.parametrize("role", ROLES)
def test_archive_pages_are_for_the_office_only(client_as: ClientAs, role: str) -> None:
    client = client_as(role)
    for path in ("/archive", "/archive/2025", "/archive/2025/progress", "/archive/2025/verify"):
        assert client.get(path).status_code == (403 if role not in OFFICE else 404 if "verify" in path else 200)


def test_archive_sends_the_anonymous_to_login(anon: TestClient) -> None:
    for path in ("/archive", "/archive/2025"):
        response = anon.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")


def test_archive_year_must_be_a_year(client_as: ClientAs) -> None:
    client = client_as("clerk")
    assert client.get("/archive/20x5").status_code == 404
    assert client.get("/archive/99999").status_code == 404


def test_archive_preflight_lists_the_items_and_notices(client_as: ClientAs, web_ws: Path) -> None:
    response = client_as("clerk").get("/archive/2025")
    assert response.status_code == 200
    assert sorted(_rows(response.text)) == sorted(
        p.stem
        for p in (web_ws / "records/2025").glob("*.yaml")
        if p.stem != "opinion-2025-03"  # the draft
    )
    assert "草稿 1 件不归档" in response.text
    assert "opinion-2025-02.yaml: 尚未收到研究处理情况报告" in response.text
    data = client_as("clerk").get("/archive/2025.json").json()
    assert data["items"] == len(list((web_ws / "records/2025").glob("*.yaml"))) - 1  # all but the draft
    assert data["may_build"] is True


def test_archive_build_runs_once_reports_progress_and_offers_package_and_verify(
    client_as: ClientAs, web_ws: Path
) -> None:
    client = client_as("clerk")
    assert client.get("/archive/2025/download").status_code == 404  # nothing built yet
    token = csrf_of(client.get("/archive/2025").text)
    assert client.post("/archive/2025/build").status_code == 403  # no CSRF token
    started = client.post("/archive/2025/build", data={"csrf_token": token})
    assert started.status_code == 303
    second = client.post("/archive/2024/build", data={"csrf_token": token})
    assert second.status_code == 409
    assert "正在生成 2025 年度的归档包" in second.text
    running = client.get("/archive/2025/progress")
    assert 'hx-get="/archive/2025/progress"' in running.text or "已生成" in running.text
    deadline = time.monotonic() + 300
    while not (state := client.get("/archive/2025/progress.json").json())["done"]:
        assert time.monotonic() < deadline, state
        time.sleep(1)
    assert state["error"] is None
    done = client.get("/archive/2025/progress").text
    assert "hx-get" not in done  # polling stops
    assert 'href="/archive/2025/download"' in done
    package = client.get("/archive/2025/download")
    assert package.status_code == 200
    assert package.headers["content-type"] == "application/zip"
    archive_zip = web_ws / "out" / "package.zip"
    archive_zip.write_bytes(package.content)
    with zipfile.ZipFile(archive_zip) as z:
        names = z.namelist()
    assert any(n.endswith("manifest-sha256.txt") for n in names)
    assert any(n.endswith(".xlsx") for n in names)
    verified = client.get("/archive/2025/verify")
    assert verified.status_code == 200
    assert "归档包校验通过。" in verified.text
    with sqlite3.connect(web_ws / ".renda" / "web.sqlite") as db:
        events = [str(r) for r in db.execute("select * from audit").fetchall()]
    assert any("archive_build" in e and "2025" in e for e in events)
    assert any("download" in e and "archive-2025" in e for e in events)


def test_archive_build_refused_to_members_and_below_the_ceiling(client_as: ClientAs) -> None:
    member = client_as("member")
    assert member.post("/archive/2025/build", data={"csrf_token": csrf_of(member.get("/").text)}).status_code == 403
    low = client_as("clerk", clearance="公开")
    page = low.get("/archive/2025")
    assert page.status_code == 200
    assert "生成归档包</button>" not in page.text
    assert "须由密级为“内部”的账号生成和下载" in page.text
    assert low.post("/archive/2025/build", data={"csrf_token": csrf_of(page.text)}).status_code == 403
    assert low.get("/archive/2025/download").status_code == 403


Matrix = tuple[Path, Planted, Starlette]  # the workspace, the planted records and an app over it


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    root = copy_sample(tmp_path_factory.mktemp("annual") / "ws")
    return (root, *planted_app(root, OFFICE))


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("role", OFFICE)
def test_archive_preflight_names_only_what_the_viewer_sees(matrix: Matrix, role: str, level: str) -> None:
    _, planted, app = matrix
    html = client_at(app, role, level).get(f"/archive/{YEAR}").text
    want = [d["id"] for d in expected(planted, role, level) if d["status"] == "final"]
    ids = {d["id"] for d in planted}
    assert sorted(r for r in _rows(html) if r in ids) == sorted(want)
    for d in planted:
        if d not in expected(planted, role, level):
            assert d["id"] not in html
    assert ("生成归档包</button>" in html) == (level == "机密")


@pytest.mark.parametrize("level", LEVELS)
def test_archive_progress_and_errors_name_only_what_the_viewer_sees(matrix: Matrix, level: str) -> None:
    root, planted, app = matrix
    secret = next(d for d in planted if d["classification"] == "机密" and d["status"] == "final")
    source = f"records/{YEAR}/{secret['id']}.yaml"
    build = annual.Build(YEAR, Step("生成 PDF/A", 3, 9, secret["id"]), done=False)
    annual._builds[root] = build
    try:
        client = client_at(app, "clerk", level)
        state = client.get(f"/archive/{YEAR}/progress.json").json()
        assert state["current"] == (secret["id"] if level == "机密" else "")
        assert (secret["id"] in client.get(f"/archive/{YEAR}/progress").text) == (level == "机密")
        build.error, build.done = f"{source}: 错误：无法生成 PDF/A\n归档未进行。", True
        error = client.get(f"/archive/{YEAR}/progress.json").json()["error"]
        assert (source in error) == (level == "机密")
        assert error.endswith("归档未进行。")
    finally:
        annual._builds.pop(root, None)


@pytest.mark.parametrize("role", ["member", "deputy", "organ"])
def test_archive_build_and_download_are_for_the_office_only(client_as: ClientAs, web_ws: Path, role: str) -> None:
    client = client_as(role)
    token = csrf_of(client.get("/").text)
    assert client.post("/archive/2025/build", data={"csrf_token": token}).status_code == 403
    assert client.get("/archive/2025/download").status_code == 403
    assert web_ws not in annual._builds
