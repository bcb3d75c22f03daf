"""Logging in and out: cookies, session fixation, forged and expired cookies, CSRF, throttling."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from starlette.applications import Starlette
from starlette.testclient import TestClient

from archive.accounts import AccountStore
from archive.workspace import Workspace
from webapp.conftest import PASSWORD, ClientAs, csrf_of, login

COOKIE = "renda_session"


def trail(ws: Path) -> list[tuple[str, str, str]]:
    return [(e.event, e.actor, e.target) for e in AccountStore.of(Workspace(ws)).trail()]


def test_login_sets_an_httponly_samesite_cookie_and_is_audited(anon: TestClient, web_ws: Path) -> None:
    response = login(anon, "clerk")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http on loopback
    assert ("login", "clerk", "clerk") in trail(web_ws)
    assert anon.get("/").status_code == 200


def test_cookie_is_secure_over_tls(app: Starlette) -> None:
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    response = login(client, "clerk")
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_login_gives_a_new_session_id_and_ends_the_old_one(app: Starlette) -> None:
    client = TestClient(app, follow_redirects=False)
    token = csrf_of(client.get("/login").text)
    before = client.cookies[COOKIE]  # the anonymous session the login form was given
    response = client.post("/login", data={"name": "clerk", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    after = client.cookies[COOKIE]
    assert after != before
    assert before.split(".")[0] not in after
    # an attacker who planted ``before`` in the victim's browser gets nothing from it
    planted = TestClient(app, follow_redirects=False, cookies={COOKIE: before})
    assert planted.get("/").status_code == 303


def test_forged_cookie_is_ignored_and_cleared(app: Starlette, client_as: ClientAs) -> None:
    good = client_as("admin").cookies[COOKIE]
    token, _, mac = good.rpartition(".")
    forged_mac = TestClient(app, follow_redirects=False, cookies={COOKIE: f"{token}.{'A' * len(mac)}"})
    response = forged_mac.get("/users")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert f"{COOKIE}=;" in response.headers["set-cookie"]
    invented = TestClient(app, follow_redirects=False, cookies={COOKIE: "made-up-token.c2lnbmF0dXJl"})
    assert invented.get("/").status_code == 303


def test_expired_session_sends_back_to_login(client_as: ClientAs, web_ws: Path) -> None:
    client = client_as("member")
    assert client.get("/").status_code == 200
    with sqlite3.connect(web_ws / ".renda" / "web.sqlite") as db:
        db.execute("UPDATE sessions SET seen = ?", (time.time() - 31 * 60,))
    response = client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2F"


def test_logout_ends_the_session_and_needs_the_csrf_token(client_as: ClientAs, web_ws: Path) -> None:
    client = client_as("clerk")
    cookie = client.cookies[COOKIE]
    refused = client.post("/logout")
    assert refused.status_code == 403
    assert "无权操作" in refused.text
    assert client.get("/").status_code == 200  # still logged in
    token = csrf_of(client.get("/").text)
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    replay = TestClient(client.app, follow_redirects=False, cookies={COOKIE: cookie})
    assert replay.get("/").status_code == 303
    assert ("logout", "clerk", "clerk") in trail(web_ws)


def test_post_with_a_wrong_csrf_token_is_refused(client_as: ClientAs, web_ws: Path) -> None:
    client = client_as("admin")
    response = client.post("/users", data={"name": "x1", "role": "member", "csrf_token": "wrong"})
    assert response.status_code == 403
    assert "无权操作" in response.text
    # no account row for x1 (a bare substring test would also hit the page's random CSRF token)
    assert "<td>x1</td>" not in client.get("/users").text
    assert AccountStore.of(Workspace(web_ws)).get("x1") is None


def test_login_form_without_csrf_token_is_refused(anon: TestClient) -> None:
    response = anon.post("/login", data={"name": "clerk", "password": PASSWORD})
    assert response.status_code == 403
    assert anon.get("/").status_code == 303


def test_wrong_name_and_wrong_password_say_the_same(anon: TestClient) -> None:
    wrong_name = login(anon, "nobody", PASSWORD)
    wrong_password = login(anon, "clerk", "not-the-password")
    assert wrong_name.status_code == wrong_password.status_code == 400
    assert "账号或密码不正确" in wrong_name.text
    assert "账号或密码不正确" in wrong_password.text


def test_disabled_account_cannot_log_in_and_its_sessions_end(
    client_as: ClientAs, anon: TestClient, web_ws: Path
) -> None:
    client = client_as("member")
    AccountStore.of(Workspace(web_ws)).disable("member", actor="test")
    assert client.get("/").status_code == 303
    response = login(anon, "member")
    assert response.status_code == 400
    assert "该账号已停用" in response.text


def test_next_goes_only_to_a_path_of_this_site(anon: TestClient) -> None:
    token = csrf_of(anon.get("/login").text)
    for target, expected in (("/users", "/users"), ("//evil.example/x", "/"), ("https://evil.example/", "/")):
        response = anon.post(
            "/login", data={"name": "admin", "password": PASSWORD, "csrf_token": token, "next": target}
        )
        assert response.headers["location"] == expected
        token = csrf_of(anon.get("/").text)
        anon.post("/logout", data={"csrf_token": token})
        token = csrf_of(anon.get("/login").text)


def test_a_thousand_rapid_logins_are_refused_and_change_nothing(anon: TestClient, web_ws: Path) -> None:
    store = AccountStore.of(Workspace(web_ws))
    accounts_before = store.accounts()
    token = csrf_of(anon.get("/login").text)
    statuses, messages = [], set()
    for n in range(1000):
        response = anon.post("/login", data={"name": "clerk", "password": f"guess-{n:04d}", "csrf_token": token})
        statuses.append(response.status_code)
        if "次数过多" in response.text:
            messages.add("throttled")
    assert set(statuses) == {400}
    assert messages == {"throttled"}
    # throttled: even the right password is refused now, and no session was made for the account
    right = anon.post("/login", data={"name": "clerk", "password": PASSWORD, "csrf_token": token})
    assert right.status_code == 400
    assert "该账号登录失败次数过多" in right.text
    assert anon.get("/").status_code == 303
    assert store.accounts() == accounts_before
    with sqlite3.connect(web_ws / ".renda" / "web.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM sessions WHERE account IS NOT NULL").fetchone()[0] == 0
    events = [e.event for e in store.trail()]
    assert events.count("login_failed") == 5
    assert events.count("login_refused") == 996
    report = store.verify()
    assert report.ok, report.problems
    # another account from another address still logs in
    other = TestClient(anon.app, follow_redirects=False, client=("10.0.0.9", 50000))
    assert login(other, "member").status_code == 303


def test_many_failures_from_one_address_throttle_every_account(app: Starlette) -> None:
    client = TestClient(app, follow_redirects=False, client=("10.0.0.7", 40000))
    for n in range(20):
        assert login(client, f"user{n}", "wrong-password").status_code == 400
    response = login(client, "clerk")
    assert response.status_code == 400
    assert "本机地址登录失败次数过多" in response.text
