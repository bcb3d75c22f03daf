"""/track: every role, the filters, the clearance matrix of its rows, and 催办函 made from the page."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from samples import copy_sample
from starlette.applications import Starlette
from starlette.testclient import TestClient

from webapp.conftest import ROLES, ClientAs, client_at, csrf_of, planted_app
from webapp.planted import LEVELS, ORGAN, Planted, expected

OVERDUE = ("opinion-2024-03", "opinion-2024-04")  # overdue on the sample's reference date (2025-06-30)
AS_OF = dt.date(2025, 6, 30)  # oversight.as_of of the sample's renda.yaml


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-id="([^"]+)"', html)


def _sample_opinions(root: Path) -> list[dict]:  # type: ignore[type-arg]
    return _sample(root, "opinion")


def _sample(root: Path, *kinds: str) -> list[dict]:  # type: ignore[type-arg]
    found = []
    for kind in kinds:
        for path in sorted((root / "records").glob(f"*/{kind}-*.yaml")):
            found.append(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def _followed(data: dict, as_of: dt.date) -> bool:  # type: ignore[type-arg]
    """Whether ``renda track`` lists the item on ``as_of``: raised by then, and not a motion turned into a
    suggestion (that suggestion is followed instead)."""
    if data["date"] > as_of:
        return False
    decision = data.get("decision") or {}
    return not (decision.get("result") == "转为建议" and decision["date"] <= as_of)


def _handlers(data: dict) -> tuple[str, ...]:  # type: ignore[type-arg]
    if data["type"] == "opinion":
        return (data["addressee"], data["report"]["organ"])
    handling = data.get("handling") or {}
    return (handling.get("lead_organ", ""), *handling.get("co_organs", ()))


@pytest.mark.parametrize("role", ["admin", "clerk", "member", "organ"])
def test_track_answers_the_roles_that_follow_up(client_as: ClientAs, web_ws: Path, role: str) -> None:
    response = client_as(role).get("/track")
    assert response.status_code == 200
    rows = _rows(response.text)
    items = [d for d in _sample(web_ws, "opinion", "suggestion", "motion") if _followed(d, AS_OF)]
    if role in ("admin", "clerk"):
        want = [d["id"] for d in items]
    elif role == "member":
        want = [d["id"] for d in items if d["status"] == "final"]
    else:
        want = [d["id"] for d in items if d["status"] == "final" and ORGAN in _handlers(d)]
    assert sorted(rows) == sorted(want)
    assert len(want) > 60 or role == "organ"  # the suggestions are in: not the opinions alone
    assert ("生成催办函" in response.text) == (role in ("admin", "clerk"))


def test_track_refuses_a_deputy_and_sends_the_anonymous_to_login(client_as: ClientAs, anon: TestClient) -> None:
    assert client_as("deputy").get("/track").status_code == 403
    response = anon.get("/track")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_track_filters_by_status_organ_and_term(client_as: ClientAs, web_ws: Path) -> None:
    client = client_as("clerk")
    overdue = client.get("/track", params={"status": "overdue", "kind": "opinion"}).text
    assert sorted(_rows(overdue)) == sorted(OVERDUE)
    court = _rows(client.get("/track", params={"organ": "区人民法院"}).text)
    assert "opinion-2024-03" in court
    assert "opinion-2024-04" not in court
    sixteenth = [
        d["id"] for d in _sample(web_ws, "opinion", "suggestion", "motion") if d["term"] == 16 and _followed(d, AS_OF)
    ]
    assert any(r.startswith("suggestion-") for r in sixteenth)
    assert sorted(_rows(client.get("/track", params={"term": "16"}).text)) == sorted(sixteenth)
    bad = client.get("/track", params={"organ": "不存在的机关"})
    assert bad.status_code == 400
    assert "没有主送或报告机关、承办单位为“不存在的机关”的审议意见、建议或议案" in bad.text
    data = client.get("/track.json", params={"status": "overdue", "kind": "审议意见"}).json()
    assert sorted(o["id"] for o in data["opinions"]) == sorted(OVERDUE)


def test_track_json_is_marked_with_the_highest_level_the_viewer_sees(client_as: ClientAs, web_ws: Path) -> None:
    opinions = _sample_opinions(web_ws)
    levels = {d["classification"] for d in opinions}
    assert "内部" in levels  # the sample has an internal opinion: the mark below is not the default
    assert client_as("clerk").get("/track.json").json()["classification"] == "内部"
    low = client_as("clerk", clearance="公开").get("/track.json").json()
    assert low["classification"] == "公开"
    assert sorted(o["id"] for o in low["opinions"]) == sorted(
        d["id"] for d in opinions if d["classification"] == "公开"
    )


def test_track_remind_writes_the_letter_record_offers_its_pdf_and_is_audited(client_as: ClientAs, web_ws: Path) -> None:
    client = client_as("clerk")
    token = csrf_of(client.get("/track").text)
    response = client.post("/track/remind", data={"id": ["opinion-2024-03"], "csrf_token": token})
    assert response.status_code == 200, response.text
    letters = list((web_ws / "records").glob("*/letter-*.yaml"))
    assert len(letters) == 1
    letter = yaml.safe_load(letters[0].read_text(encoding="utf-8"))
    assert letter["opinion"] == "opinion-2024-03"
    assert f"/records/{letter['id']}/download/pdf" in response.text
    assert list((web_ws / "out").rglob("*.pdf"))
    import sqlite3

    with sqlite3.connect(web_ws / ".renda" / "web.sqlite") as db:
        rows = db.execute("select * from audit").fetchall()
    assert any("remind" in map(str, row) and "opinion-2024-03" in map(str, row) for row in rows)


def test_track_remind_without_csrf_or_as_member_is_refused(client_as: ClientAs, web_ws: Path) -> None:
    clerk = client_as("clerk")
    assert clerk.post("/track/remind", data={"id": ["opinion-2024-03"]}).status_code == 403
    member = client_as("member")
    token = csrf_of(member.get("/track").text)
    assert member.post("/track/remind", data={"id": ["opinion-2024-03"], "csrf_token": token}).status_code == 403
    assert not list((web_ws / "records").glob("*/letter-*.yaml"))


def test_track_remind_of_nothing_or_of_an_opinion_not_overdue_says_so(client_as: ClientAs, web_ws: Path) -> None:
    client = client_as("clerk")
    token = csrf_of(client.get("/track").text)
    empty = client.post("/track/remind", data={"csrf_token": token})
    assert empty.status_code == 400
    assert "请选择已逾期的审议意见" in empty.text
    wrong = client.post("/track/remind", data={"id": ["opinion-2023-01"], "csrf_token": token})
    assert wrong.status_code == 400
    assert "所选的审议意见、建议或议案不存在或未逾期" in wrong.text
    assert not list((web_ws / "records").glob("*/letter-*.yaml"))


Matrix = tuple[Planted, Starlette]  # the planted records and an app over them


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    return planted_app(copy_sample(tmp_path_factory.mktemp("track") / "ws"), ROLES)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("role", ["admin", "clerk", "member", "organ"])
def test_track_rows_are_what_the_viewer_may_see(matrix: Matrix, role: str, level: str) -> None:
    planted, app = matrix
    client = client_at(app, role, level)
    want = [d["id"] for d in expected(planted, role, level) if d["type"] == "opinion"]
    if role == "organ":  # an organ's table: its own items only, 公开 ones of other organs too are left out
        want = [d["id"] for d in planted if d["id"] in want and ORGAN in (d["addressee"], d["report"]["organ"])]
    ids = {d["id"] for d in planted}
    html = client.get("/track").text
    assert sorted(r for r in _rows(html) if r in ids) == sorted(want)


@pytest.mark.parametrize("role", ["member", "deputy", "organ"])
def test_track_remind_is_for_the_office_only(client_as: ClientAs, web_ws: Path, role: str) -> None:
    client = client_as(role)
    token = csrf_of(client.get("/").text)
    assert client.post("/track/remind", data={"id": ["opinion-2024-03"], "csrf_token": token}).status_code == 403
    assert not list((web_ws / "records").glob("*/letter-*.yaml"))


def test_track_hostile_record_text_renders_as_text(client_as: ClientAs, web_ws: Path) -> None:
    path = web_ws / "records/2024/opinion-2024-03.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["title"] = '<script>alert("x")</script>审议意见'
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    html = client_as("clerk").get("/track").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;审议意见" in html
