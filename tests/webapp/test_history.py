"""修改记录 (/records/<id>/history): a save made through the drafting desk, then 核稿, listed newest first with
each diff as +/- rows; the same clearance rule as the record page (a 秘密 canary never reaches a 内部 viewer);
the trail is read by its index on the target, not by a scan."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import yaml
from samples import copy_sample
from starlette.applications import Starlette
from starlette.testclient import TestClient

from archive.accounts.store import DB_PATH
from webapp.conftest import ClientAs, client_at, csrf_of, planted_app

DRAFT = "opinion-2025-03"
CANARY = "秘密金丝雀测试词"


def save_through_desk(app: Starlette, record_id: str, author: str, title: str) -> str:
    """Change the record's title through the site's desk and log the audit row as the edit form does."""
    the_site = app.state.site
    draft = the_site.desk.open(the_site.catalog(), record_id)
    saved = the_site.desk.save(
        the_site.catalog(),
        draft.type,
        {**draft.data, "title": title},
        base_version=draft.version,
        author=author,
        record_id=record_id,
    )
    assert saved.ok, saved.problems
    the_site.install(saved.catalog)
    detail = {"from": draft.version, "to": saved.draft.version, "diff": saved.diff[:65536]}
    the_site.store.log("save", author, "127.0.0.1", record_id, source=draft.source, **detail)
    return str(draft.data["title"])


def test_history_shows_a_desk_save_and_a_review_newest_first_with_the_diff(client_as: ClientAs, app: Starlette) -> None:
    clerk = client_as("clerk")
    assert f'href="/records/{DRAFT}/history"' in clerk.get(f"/records/{DRAFT}").text
    empty = clerk.get(f"/records/{DRAFT}/history")
    assert empty.status_code == 200 and "尚无该记录的修改记录" in empty.text
    old_title = save_through_desk(app, DRAFT, "admin", "澄湖区人大常委会关于物业管理工作的审议意见（第二稿）")
    page = clerk.get(f"/records/{DRAFT}").text
    version = re.search(r'name="version" value="([^"]*)"', page)
    assert version
    form = {"csrf_token": csrf_of(page), "id": DRAFT, "version": version[1], "result": "退回", "note": "请核实数据"}
    assert clerk.post(f"/records/{DRAFT}/review", data=form).status_code == 303
    history = clerk.get(f"/records/{DRAFT}/history")
    assert history.status_code == 200
    text = history.text
    assert text.index("核稿 <small>") < text.index("保存 <small>"), "newest first"
    assert "核稿结论：退回；意见：请核实数据" in text
    removed = re.findall(r'<tr class="removed"><td>(\d+)</td><td></td><td>−</td><td><code>([^<]*)</code>', text)
    added = re.findall(r'<tr class="added"><td></td><td>(\d+)</td><td>\+</td><td><code>([^<]*)</code>', text)
    assert ("5", f"title: {old_title}") in removed
    assert ("5", "title: 澄湖区人大常委会关于物业管理工作的审议意见（第二稿）") in added
    assert "admin" in text and "clerk" in text
    data = clerk.get(f"/records/{DRAFT}/history.json").json()
    assert [c["event"] for c in data["changes"]] == ["review", "save"]
    save = data["changes"][1]
    assert save["actor"] == "admin" and "diff" not in save["detail"]
    assert {
        "kind": "+",
        "old": None,
        "new": 5,
        "text": "title: 澄湖区人大常委会关于物业管理工作的审议意见（第二稿）",
    } in save["diff"]


def test_the_trail_of_one_record_is_read_through_the_index_on_target(web_ws: Path) -> None:
    from archive.accounts import AccountStore
    from archive.workspace import Workspace

    AccountStore.of(Workspace(web_ws)).trail(target=DRAFT)  # the store creates its schema
    with sqlite3.connect(web_ws / DB_PATH) as conn:
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM audit WHERE 1 = 1 AND target = ? AND event IN (?, ?) ORDER BY seq",
            (DRAFT, "save", "review"),
        ).fetchall()
    assert any("USING INDEX audit_target" in str(row[-1]) for row in plan), plan


@pytest.fixture(scope="module")
def canaries(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Starlette]:
    root = copy_sample(tmp_path_factory.mktemp("history-matrix") / "ws")
    _, app = planted_app(root, ("clerk", "member"))
    return root, app


def planted_id(root: Path, level: str, status: str) -> str:
    for path in sorted((root / "records/2024").glob("opinion-2024-*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data["classification"] == level and data["status"] == status and data["addressee"] == "区人民政府":
            return str(data["id"])
    raise AssertionError(f"no planted {level} {status} opinion")


def test_a_secret_records_history_never_reaches_a_viewer_below_its_level(canaries: tuple[Path, Starlette]) -> None:
    root, app = canaries
    secret = planted_id(root, "秘密", "final")
    internal = planted_id(root, "内部", "final")
    save_through_desk(app, secret, "clerk-秘密", f"澄湖区人大常委会关于{CANARY}的审议意见")
    save_through_desk(app, internal, "clerk", "澄湖区人大常委会关于内部事项的审议意见")
    for role in ("clerk", "member"):
        high: TestClient = client_at(app, role, "秘密")
        assert CANARY in high.get(f"/records/{secret}/history").text
        low = client_at(app, role, "内部")
        for url in (f"/records/{secret}/history", f"/records/{secret}/history.json"):
            refused = low.get(url)
            assert refused.status_code == 404 and CANARY not in refused.text
        shown = low.get(f"/records/{internal}/history")
        assert shown.status_code == 200 and "内部事项" in shown.text and CANARY not in shown.text
    # lowered to 内部 through the desk: the 内部 viewer now sees the record and its history, but neither the diff
    # that lowered it nor the older ones, which show text of its 秘密 versions
    the_site = app.state.site
    opened = the_site.desk.open(the_site.catalog(), secret)
    lowered = the_site.desk.save(
        the_site.catalog(),
        "opinion",
        {**opened.data, "classification": "内部", "title": "澄湖区人大常委会关于降密事项的审议意见"},
        base_version=opened.version,
        author="clerk-秘密",
        record_id=secret,
    )
    assert lowered.ok, lowered.problems
    the_site.install(lowered.catalog)
    the_site.store.log("save", "clerk-秘密", "127.0.0.1", secret, diff=lowered.diff)
    for role in ("clerk", "member"):
        low = client_at(app, role, "内部")
        shown = low.get(f"/records/{secret}/history")
        assert shown.status_code == 200, role
        assert CANARY not in shown.text and "不予显示" in shown.text
        changes = low.get(f"/records/{secret}/history.json").json()["changes"]
        assert [c["withheld"] for c in changes] == [True, True] and CANARY not in str(changes)
        assert CANARY in client_at(app, role, "秘密").get(f"/records/{secret}/history").text
    draft = planted_id(root, "内部", "draft")
    assert client_at(app, "member", "机密").get(f"/records/{draft}/history").status_code == 404


def test_the_anonymous_public_view_does_not_read_the_trail(web_ws: Path) -> None:
    from archive.web.app import create_app

    config = web_ws / "renda.yaml"
    config.write_text(config.read_text("utf-8") + "\nweb:\n  public: true\n", "utf-8")
    public = TestClient(create_app(web_ws), raise_server_exceptions=False, follow_redirects=False)
    page = public.get("/records/opinion-2024-02")
    assert page.status_code == 200 and "/history" not in page.text and "办文" not in page.text
    refused = public.get("/records/opinion-2024-02/history")
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
