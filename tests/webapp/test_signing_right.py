"""The signing right (签发): `renda user add --sign`, `renda user sign [--revoke]`, the /users page, the audit trail,
an older account store migrated in place; and `renda validate`'s workflow rules on every record type."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from samples import copy_sample

import cli
from archive.accounts import AccountStore
from archive.accounts.store import DB_PATH
from archive.workspace import Workspace
from webapp.conftest import PASSWORD, ClientAs, csrf_of


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    return copy_sample(tmp_path / "ws")


def renda(ws: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli.cli, ["--root", str(ws), *args], input=stdin)


def store_of(ws: Path) -> AccountStore:
    return AccountStore.of(Workspace(ws))


def test_the_signing_right_is_granted_and_revoked_from_the_command_line_and_audited(fresh: Path) -> None:
    added = renda(fresh, "user", "add", "boss", "--role", "clerk", "--sign", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert "有签发权限" in added.output
    boss = store_of(fresh).get("boss")
    assert boss is not None and boss.can_sign and boss.may_sign
    assert "有" in renda(fresh, "user", "list").output.splitlines()[-1]
    revoked = renda(fresh, "user", "sign", "boss", "--revoke")
    assert revoked.exit_code == 0 and "已收回账号 boss 的签发权限" in revoked.output
    assert not store_of(fresh).require("boss").can_sign
    again = renda(fresh, "user", "sign", "boss", "--revoke")
    assert again.exit_code == 1 and "本就没有签发权限" in again.output
    assert renda(fresh, "user", "sign", "boss").exit_code == 0
    assert store_of(fresh).require("boss").can_sign
    rows = [e for e in store_of(fresh).trail(target="boss") if e.event in ("account_add", "account_sign")]
    assert [(e.event, e.detail) for e in rows] == [
        ("account_add", '{"can_sign": true, "clearance": "公开", "role": "clerk"}'),
        ("account_sign", '{"can_sign": false}'),
        ("account_sign", '{"can_sign": true}'),
    ]


def test_only_office_accounts_may_hold_the_signing_right(fresh: Path) -> None:
    refused = renda(fresh, "user", "add", "m", "--role", "member", "--sign", "--password-stdin", stdin=PASSWORD + "\n")
    assert refused.exit_code == 1
    assert "签发权限只能授予办公室或系统管理员账号，不能授予常委会组成人员账号" in refused.output
    assert store_of(fresh).get("m") is None
    assert (
        renda(fresh, "user", "add", "m", "--role", "member", "--password-stdin", stdin=PASSWORD + "\n").exit_code == 0
    )
    granted = renda(fresh, "user", "sign", "m")
    assert granted.exit_code == 1 and "只能授予办公室" in granted.output
    assert not store_of(fresh).require("m").can_sign
    missing = renda(fresh, "user", "sign", "nobody")
    assert missing.exit_code == 1 and "没有名为“nobody”的账号" in missing.output


def test_an_account_store_made_before_the_signing_right_is_migrated_in_place(fresh: Path) -> None:
    path = fresh / DB_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:  # the accounts table as renda made it before issue 14
        conn.execute(
            "CREATE TABLE accounts (name TEXT PRIMARY KEY, role TEXT NOT NULL, clearance TEXT NOT NULL, deputy TEXT, "
            "organ TEXT, password TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0, created TEXT NOT NULL)"
        )
        conn.execute("INSERT INTO accounts VALUES ('old', 'clerk', '内部', NULL, NULL, 'x', 0, '2024-01-01T00:00:00')")
    store = store_of(fresh)
    old = store.get("old")
    assert old is not None and old.clearance == "内部" and not old.can_sign
    store.set_signing("old", True, "test")
    assert store.require("old").can_sign
    with sqlite3.connect(path) as conn:
        assert "can_sign" in {row[1] for row in conn.execute("PRAGMA table_info(accounts)")}


def test_the_administrator_grants_and_revokes_the_right_on_the_users_page(client_as: ClientAs, web_ws: Path) -> None:
    admin = client_as("admin")
    page = admin.get("/users").text
    assert 'action="/users/clerk/sign"' in page and 'action="/users/member/sign"' not in page
    granted = admin.post("/users/clerk/sign", data={"csrf_token": csrf_of(page), "grant": "1"})
    assert granted.status_code == 200 and "已授予账号 clerk 的签发权限" in granted.text
    assert store_of(web_ws).require("clerk").can_sign
    refused = admin.post("/users/member/sign", data={"csrf_token": csrf_of(page), "grant": "1"})
    assert refused.status_code == 400 and "只能授予办公室" in refused.text
    revoked = admin.post("/users/clerk/sign", data={"csrf_token": csrf_of(page), "grant": "0"})
    assert revoked.status_code == 200 and not store_of(web_ws).require("clerk").can_sign
    assert admin.post("/users/clerk/sign", data={"grant": "1"}).status_code == 403  # no CSRF token
    assert (
        client_as("clerk").post("/users/clerk/sign", data={"csrf_token": csrf_of(page), "grant": "1"}).status_code
        == 403
    )
    assert not store_of(web_ws).require("clerk").can_sign
    rows = [e.actor for e in store_of(web_ws).trail(target="clerk") if e.event == "account_sign"]
    assert rows == ["admin", "admin"]


# -- renda validate: the workflow of a record ----------------------------------------------------------


def rewrite(ws: Path, record_id: str, **changes: object) -> None:
    path = next((ws / "records").rglob(f"{record_id}.yaml"))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


REVIEW = {"by": "clerk", "date": "2025-07-01", "result": "通过", "note": "同意"}
SIGNED = {"by": "chief", "name": "王建国", "date": "2025-07-02"}


def test_every_record_type_with_the_envelope_accepts_a_workflow(fresh: Path) -> None:
    seen: dict[str, str] = {}
    for path in sorted((fresh / "records").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data["type"] not in seen and data["type"] != "deputy" and data.get("status") == "final":
            seen[data["type"]] = data["id"]
    assert {"opinion", "meeting", "inspection", "deputy_report"} <= set(seen)
    for record_id in seen.values():
        rewrite(fresh, record_id, workflow={"reviews": [REVIEW], "signed": SIGNED})
    result = renda(fresh, "validate")
    assert result.exit_code == 0, result.output[-2000:]
    assert "workflow" not in result.output


@pytest.mark.parametrize(
    ("workflow", "message"),
    [
        ({"reviews": [REVIEW]}, "定稿（final）须经签发"),
        ({"signed": SIGNED}, "签发前须经核稿"),
        ({"reviews": [{**REVIEW, "result": "退回"}], "signed": SIGNED}, "未通过不能签发"),
        (
            {"reviews": [REVIEW], "signed": {**SIGNED, "date": "2025-06-30"}},
            "签发日期 2025-06-30 早于最后一次核稿日期 2025-07-01",
        ),
        ({"reviews": [{**REVIEW, "result": "同意"}], "signed": SIGNED}, "workflow.reviews[0].result"),
        ({"signed": {"by": "chief"}}, "workflow.signed"),
    ],
)
def test_validate_refuses_a_workflow_out_of_order(fresh: Path, workflow: dict[str, object], message: str) -> None:
    rewrite(fresh, "opinion-2025-01", workflow=workflow)
    result = renda(fresh, "validate")
    assert result.exit_code == 1
    assert message in result.output, result.output[-2000:]
