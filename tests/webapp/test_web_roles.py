"""Every route × every role, the dashboard by role, and the viewer rule against an independent reading of the
record files."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner
from starlette.testclient import TestClient

import cli
from archive.accounts import AccountStore, Viewer
from archive.accounts.model import Account
from archive.catalog import load_catalog
from archive.web.app import create_app
from archive.workspace import Workspace
from webapp.conftest import DEPUTY_ID, ORGAN, ROLES, ClientAs, csrf_of

RANK = {"公开": 0, "内部": 1, "秘密": 2, "机密": 3}


def set_field(ws: Path, rel: str, field: str, value: str) -> None:
    path = ws / "records" / rel
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(f"{field}: {value}\n" if x.startswith(f"{field}:") else x for x in lines), encoding="utf-8")


def expected_ids(ws: Path, role: str, clearance: str) -> set[str]:
    """The scope table of the README, applied to the raw YAML (not through archive.accounts)."""
    out = set()
    for path in (ws / "records").rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        level, final = data.get("classification", "公开"), data.get("status", "final") == "final"
        if RANK[level] > RANK[clearance]:
            continue
        if role in ("admin", "clerk"):
            out.add(data["id"])
            continue
        if not final:
            continue
        if (
            role == "member"
            or level == "公开"
            or (role == "deputy" and _deputy_named(data))
            or (
                role == "organ"
                and ORGAN
                in (
                    data.get("addressee"),
                    (data.get("report") or {}).get("organ"),
                    data.get("issuer"),
                )
            )
        ):
            out.add(data["id"])
    return out


def _deputy_named(data: dict) -> bool:  # type: ignore[type-arg]
    att = data.get("attendance") or {}
    named = {*att.get("present", ()), *att.get("absent", ()), *att.get("nonvoting", ())}
    named |= {x["deputy"] for x in att.get("absent_on_leave", ())}
    return (
        DEPUTY_ID in named
        or DEPUTY_ID in data.get("members", ())
        or data.get("deputy") == DEPUTY_ID
        or (data["type"] == "deputy" and data["id"] == DEPUTY_ID)
    )


def test_viewer_sees_exactly_its_scope_for_every_role_and_clearance(web_ws: Path) -> None:
    # make the scope rules matter: a 内部 sitting d001 attended, a 内部 opinion to the organ, a 内部 one to another
    set_field(web_ws, "2023/cwh-17-10.yaml", "classification", "内部")
    set_field(web_ws, "2024/opinion-2024-01.yaml", "classification", "内部")
    set_field(web_ws, "2024/opinion-2024-03.yaml", "classification", "内部")
    ws = Workspace(web_ws)
    catalog = load_catalog(ws)
    for role in ROLES:
        for clearance in ("公开", "内部"):
            account = Account(
                "x", role, clearance, DEPUTY_ID if role == "deputy" else None, ORGAN if role == "organ" else None
            )
            who = Viewer.of(account, ws.config)
            seen = {r.id for r in who.screen(catalog).records}
            assert seen == expected_ids(web_ws, role, clearance), (role, clearance)
    deputy = Viewer.of(Account("x", "deputy", "内部", DEPUTY_ID), ws.config)
    organ = Viewer.of(Account("x", "organ", "内部", organ=ORGAN), ws.config)
    by_id = catalog.by_id()
    assert deputy.sees(by_id["cwh-17-10"]) and not organ.sees(by_id["cwh-17-10"])
    assert organ.sees(by_id["opinion-2024-01"]) and not organ.sees(by_id["opinion-2024-03"])
    assert not Viewer.public().sees(by_id["opinion-2025-03"])  # a draft
    assert deputy.may_see_deputy_file(DEPUTY_ID) and not deputy.may_see_deputy_file("d002")


def test_clearance_is_capped_by_the_workspace_ceiling(web_ws: Path) -> None:
    ws = Workspace(web_ws)
    who = Viewer.of(Account("x", "clerk", "机密"), ws.config)  # e.g. the ceiling was lowered after creation
    assert who.clearance.level == "内部"


ROUTES = {  # path → status by role (anonymous: redirect to /login)
    "/": dict.fromkeys(ROLES, 200),
    "/users": {"admin": 200, "clerk": 403, "member": 403, "deputy": 403, "organ": 403},
    "/login": dict.fromkeys(ROLES, 303),  # logged in: on to the next page
}


def test_every_route_for_every_role(client_as: ClientAs, anon: TestClient, web_ws: Path) -> None:
    for role in ROLES:
        client = client_as(role)
        for path, statuses in ROUTES.items():
            response = client.get(path)
            assert response.status_code == statuses[role], (role, path)
            if statuses[role] == 403:
                assert "无权操作" in response.text
        nav = client.get("/").text
        assert ('href="/users"' in nav) == (role == "admin")
        assert ('href="/archive"' in nav) == (role in ("admin", "clerk"))
        assert ('href="/deputies"' in nav) == (role != "organ")
        token = csrf_of(nav)
        posted = client.post("/users", data={"csrf_token": token, "name": "intruder", "role": "admin"})
        assert posted.status_code == (200 if role == "admin" else 403), role
    refusals = [(e.actor, e.target) for e in AccountStore.of(Workspace(web_ws)).trail() if e.event == "refused"]
    assert sorted(refusals) == sorted(
        (role, path) for role in ROLES if role != "admin" for path in ("/users", "/users")
    )
    for path in ("/", "/users"):
        response = anon.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    assert anon.get("/login").status_code == 200


def track_json(ws: Path) -> list[dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli.cli, ["--root", str(ws), "track", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["opinions"]  # type: ignore[no-any-return]


def test_office_dashboard_lists_overdue_and_due_soon_problems_and_changes(client_as: ClientAs, web_ws: Path) -> None:
    opinions = track_json(web_ws)
    overdue = {o["id"] for o in opinions if o["status"] == "overdue"}
    assert overdue
    (web_ws / "records" / "2025" / "broken.yaml").write_text("id: broken\ntype: opinion\n", encoding="utf-8")
    data = client_as("clerk").get("/.json").json()
    assert {o["id"] for o in data["overdue"]} == overdue
    assert {o["id"] for o in data["due_soon"]} == {o["id"] for o in opinions if o["status"] == "due_soon"}
    assert [p["source"] for p in data["problems"]] == ["records/2025/broken.yaml"]
    assert data["changes"][0]["source"] == "records/2025/broken.yaml"
    page = client_as("admin").get("/").text
    assert "已逾期的审议意见" in page and "有错误的记录" in page and "最近改动" in page


def test_organ_dashboard_shows_only_its_own_opinions(client_as: ClientAs, web_ws: Path) -> None:
    opinions = track_json(web_ws)
    mine = {o["id"] for o in opinions if ORGAN in (o["addressee"], o["report_organ"]) and o["status"] != "draft"}
    data = client_as("organ").get("/.json").json()
    assert {o["id"] for o in data["assigned"]} == mine
    assert data["problems"] == [] and data["changes"] == []
    page = client_as("organ").get("/").text
    assert "opinion-2024-03" not in page  # 区人民法院's


def test_deputy_dashboard_shows_their_records_and_their_file(client_as: ClientAs, web_ws: Path) -> None:
    data = client_as("deputy").get("/.json").json()
    expected = expected_ids(web_ws, "deputy", "内部") - expected_ids(web_ws, "deputy", "公开") | {
        i for i in expected_ids(web_ws, "deputy", "内部") if _names_d001(web_ws, i)
    }
    assert {r["id"] for r in data["own"]} == expected
    assert f'href="/deputies/{DEPUTY_ID}"' in client_as("deputy").get("/").text


def _names_d001(ws: Path, record_id: str) -> bool:
    path = next((ws / "records").rglob(f"{record_id}.yaml"))
    text = path.read_text(encoding="utf-8")
    return any(f"{key}{DEPUTY_ID}\n" in text for key in ("- ", "deputy: ", "id: ", "lead: "))


def test_member_dashboard_shows_recent_sittings(client_as: ClientAs, web_ws: Path) -> None:
    meetings = []
    for path in (web_ws / "records").rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data["type"] == "meeting" and data.get("status", "final") == "final":
            meetings.append((str(data["date"]), data["id"]))
    newest = [i for _, i in sorted(meetings, key=lambda m: (m[0], [-ord(c) for c in m[1]]), reverse=True)[:10]]
    data = client_as("member").get("/.json").json()
    assert [r["id"] for r in data["sittings"]] == newest


def test_public_view_is_off_by_default_and_shows_only_final_public_records(web_ws: Path) -> None:
    off = TestClient(create_app(web_ws), follow_redirects=False)
    assert off.get("/").status_code == 303
    config = web_ws / "renda.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "web:\n  public: true\n", encoding="utf-8")
    on = TestClient(create_app(web_ws), follow_redirects=False)
    data = on.get("/.json").json()
    assert data["role"] == "public"
    sittings = {r["id"] for r in data["sittings"]}
    assert "zrh-16-63" not in sittings  # 内部
    assert on.get("/users").status_code == 303
    assert "登录" in on.get("/").text
    assert AccountStore.of(Workspace(web_ws)).get("public") is None
