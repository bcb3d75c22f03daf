"""The skeleton: login, the layout by role, error pages, the JSON twin."""

from __future__ import annotations

from starlette.testclient import TestClient

from webapp.conftest import ROLES, ClientAs, login


def test_login_then_home_shows_the_committee_name_and_the_role(client_as: ClientAs) -> None:
    for role, label in zip(ROLES, ("系统管理员", "办公室", "常委会组成人员", "代表", "承办单位"), strict=True):
        page = client_as(role).get("/")
        assert page.status_code == 200
        assert "澄湖区人大常委会" in page.text
        assert label in page.text


def test_anonymous_visitor_is_sent_to_login(anon: TestClient) -> None:
    response = anon.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2F"


def test_wrong_password_is_refused_in_chinese(anon: TestClient) -> None:
    response = login(anon, "clerk", "wrong-password")
    assert response.status_code == 400
    assert "账号或密码不正确" in response.text
    assert anon.get("/").status_code == 303


def test_missing_page_is_a_chinese_404(client_as: ClientAs) -> None:
    response = client_as("clerk").get("/no/such/page")
    assert response.status_code == 404
    assert "页面不存在" in response.text
    assert "Traceback" not in response.text


def test_home_has_a_json_twin(client_as: ClientAs) -> None:
    client = client_as("member")
    by_suffix = client.get("/.json")
    assert by_suffix.status_code == 200
    assert by_suffix.json()["role"] == "member"
    by_accept = client.get("/", headers={"accept": "application/json"})
    assert by_accept.json() == by_suffix.json()
