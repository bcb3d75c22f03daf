"""`renda user …`, `renda audit` and `renda serve`'s address check, from the command line."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from samples import RENDA_COMMAND, copy_sample

import cli
from archive.accounts import AccountStore
from archive.errors import ServeError
from archive.web.server import check_host, is_loopback
from archive.workspace import Workspace
from webapp.conftest import PASSWORD, ClientAs, csrf_of


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    """The sample workspace without any account."""
    return copy_sample(tmp_path / "ws")


def renda(ws: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli.cli, ["--root", str(ws), *args], input=stdin)


def test_user_add_list_passwd_disable(fresh: Path) -> None:
    result = renda(
        fresh,
        "user",
        "add",
        "wang",
        "--role",
        "clerk",
        "--clearance",
        "内部",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "已新建账号 wang（办公室，密级“内部”）" in result.output
    assert (
        renda(
            fresh, "user", "add", "d1", "--role", "代表", "--deputy", "d001", "--password-stdin", stdin=PASSWORD + "\n"
        ).exit_code
        == 0
    )
    listed = json.loads(renda(fresh, "user", "list", "--json").stdout)
    assert [(a["name"], a["role"], a["clearance"], a["deputy"]) for a in listed] == [
        ("d1", "deputy", "公开", "d001"),
        ("wang", "clerk", "内部", None),
    ]
    assert "password" not in json.dumps(listed)
    text = renda(fresh, "user", "list").output
    assert "wang" in text and "办公室" in text and "正常" in text
    typed = renda(fresh, "user", "passwd", "wang", stdin="another-pass-77\nanother-pass-77\n")
    assert typed.exit_code == 0, typed.output
    store = AccountStore.of(Workspace(fresh))
    assert store.login("wang", "another-pass-77", "127.0.0.1").name == "wang"
    assert renda(fresh, "user", "disable", "wang").exit_code == 0
    assert "已停用" in renda(fresh, "user", "list").output
    events = [(e.event, e.target) for e in store.trail()]
    assert ("account_add", "wang") in events and ("account_passwd", "wang") in events
    assert ("account_disable", "wang") in events
    assert all(e.actor.startswith("cli") for e in store.trail() if e.event.startswith("account_"))


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["add", "a", "--role", "boss"], PASSWORD, "未知的角色“boss”"),
        (
            ["add", "a", "--role", "clerk", "--clearance", "秘密"],
            PASSWORD,
            "密级“秘密”高于本工作区可开放的最高密级“内部”",
        ),
        (["add", "a", "--role", "clerk", "--clearance", "绝密"], PASSWORD, "--clearance 的值应为"),
        (["add", "a", "--role", "deputy", "--deputy", "d999"], PASSWORD, "代表名册中没有编号为“d999”的代表"),
        (["add", "a", "--role", "deputy"], PASSWORD, "代表账号须用 --deputy 指定"),
        (["add", "a", "--role", "organ"], PASSWORD, "承办单位账号须用 --organ 指定"),
        (["add", "a", "--role", "clerk", "--organ", "区人民政府"], PASSWORD, "只有承办单位账号"),
        (["add", "a b", "--role", "clerk"], PASSWORD, "账号名“a b”无效"),
        (["add", "a", "--role", "clerk"], "short", "密码太短"),
        (["passwd", "ghost"], PASSWORD, "没有名为“ghost”的账号"),
        (["disable", "ghost"], None, "没有名为“ghost”的账号"),
    ],
)
def test_user_errors_are_chinese_and_change_nothing(
    fresh: Path, args: list[str], stdin: str | None, message: str
) -> None:
    extra = ["--password-stdin"] if args[0] in ("add", "passwd") else []
    result = renda(fresh, "user", *args, *extra, stdin=(stdin + "\n") if stdin else None)
    assert result.exit_code == 1, result.output
    assert f"错误：{message}" in result.output
    assert "Traceback" not in result.output
    assert AccountStore.of(Workspace(fresh)).accounts() == []


def test_user_add_twice_and_mismatched_passwords(fresh: Path) -> None:
    assert renda(fresh, "user", "add", "li", "--role", "member", "--password-stdin", stdin=PASSWORD).exit_code == 0
    again = renda(fresh, "user", "add", "li", "--role", "member", "--password-stdin", stdin=PASSWORD)
    assert again.exit_code == 1
    assert "错误：账号“li”已存在" in again.output
    mismatch = renda(fresh, "user", "passwd", "li", stdin="first-password-1\nsecond-password-2\n")
    assert mismatch.exit_code == 1
    assert "两次输入的密码不一致" in mismatch.output
    assert AccountStore.of(Workspace(fresh)).login("li", PASSWORD, "127.0.0.1").name == "li"


def make_trail(ws: Path) -> AccountStore:
    store = AccountStore.of(Workspace(ws))
    assert renda(ws, "user", "add", "admin1", "--role", "admin", "--password-stdin", stdin=PASSWORD).exit_code == 0
    store.login("admin1", PASSWORD, "10.0.0.1")
    store.log("view", "admin1", "10.0.0.1", "opinion-2023-02", classification="内部")
    store.log("refused", "admin1", "10.0.0.1", "secret-1", status=404)
    return store


def test_audit_lists_filters_and_verifies(fresh: Path) -> None:
    make_trail(fresh)
    listed = renda(fresh, "audit")
    assert listed.exit_code == 0
    for word in ("新建账号", "登录", "查看", "拒绝访问", "opinion-2023-02"):
        assert word in listed.output
    rows = json.loads(renda(fresh, "audit", "--json", "--user", "admin1").stdout)
    assert [r["event"] for r in rows] == ["login", "view", "refused"]
    assert rows[1]["detail"] == {"classification": "内部"}
    assert json.loads(renda(fresh, "audit", "--json", "--since", "2999-01-01").stdout) == []
    bad = renda(fresh, "audit", "--since", "2024-13-01")
    assert bad.exit_code == 1 and "--since 的值无效" in bad.output
    verified = renda(fresh, "audit", "--verify")
    assert verified.exit_code == 0
    assert "审计链完整：共 4 条记录" in verified.output


def tamper(ws: Path, *statements: str) -> None:
    with sqlite3.connect(ws / ".renda" / "web.sqlite") as db:
        db.execute("DROP TRIGGER audit_no_update")
        db.execute("DROP TRIGGER audit_no_delete")
        for statement in statements:
            db.execute(statement)


def test_audit_refuses_edits_through_sqlite(fresh: Path) -> None:
    make_trail(fresh)
    with (
        sqlite3.connect(fresh / ".renda" / "web.sqlite") as db,
        pytest.raises(sqlite3.DatabaseError, match="append-only"),
    ):
        db.execute("DELETE FROM audit WHERE seq = 2")


@pytest.mark.parametrize(
    ("statements", "problem"),
    [
        (["UPDATE audit SET target = 'opinion-2021-01' WHERE seq = 3"], "第 3 条（"),
        (["DELETE FROM audit WHERE seq = 2"], "第 2 条已被删除"),
        (["DELETE FROM audit WHERE seq = 4"], "第 4 条（最新的记录）已被删除"),
        (["DELETE FROM audit WHERE seq >= 2 AND seq <= 3"], "第 2 至 3 条已被删除"),
    ],
)
def test_audit_verify_names_an_edited_or_deleted_row(fresh: Path, statements: list[str], problem: str) -> None:
    make_trail(fresh)
    tamper(fresh, *statements)
    result = renda(fresh, "audit", "--verify")
    assert result.exit_code == 1
    assert problem in result.output
    assert "错误：审计链不完整" in result.output
    as_json = renda(fresh, "audit", "--verify", "--json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["ok"] is False


def test_audit_verify_finds_a_row_rehashed_after_editing(fresh: Path) -> None:
    from archive.accounts.audit import row_hash

    store = make_trail(fresh)
    row = store.trail()[1]
    forged = row_hash(row.seq, row.at, "someone", row.address, row.event, row.target, row.detail, row.prev)
    tamper(fresh, f"UPDATE audit SET actor = 'someone', hash = '{forged}' WHERE seq = 2")
    result = renda(fresh, "audit", "--verify")
    assert result.exit_code == 1
    assert "第 3 条记录的前一条哈希不符：第 2 条被改动" in result.output


def test_serve_checks_the_address(fresh: Path) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    store = AccountStore.of(Workspace(fresh))
    check_host("127.0.0.1", store)
    with pytest.raises(ServeError, match=re.escape("尚无系统管理员账号，不能在非本机地址 0.0.0.0 上提供服务")):
        check_host("0.0.0.0", store)
    assert renda(fresh, "user", "add", "root1", "--role", "admin", "--password-stdin", stdin=PASSWORD).exit_code == 0
    check_host("0.0.0.0", store)


def test_serve_refuses_a_public_address_without_an_admin_in_a_real_process(fresh: Path) -> None:
    done = subprocess.run(
        [*RENDA_COMMAND, "--root", str(fresh), "serve", "--host", "0.0.0.0", "--port", "8765"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 1
    assert "错误：尚无系统管理员账号" in done.stderr
    assert "Traceback" not in done.stderr


def test_admin_manages_accounts_on_the_users_page(client_as: ClientAs, web_ws: Path) -> None:
    client = client_as("admin")
    token = csrf_of(client.get("/users").text)
    added = client.post(
        "/users",
        data={"csrf_token": token, "name": "zhao", "role": "organ", "clearance": "公开", "organ": "区人民法院"},
    )
    assert added.status_code == 200
    assert "已新建账号 zhao，初始密码：" in added.text
    password = added.text.split("初始密码：")[1].split("（")[0]
    store = AccountStore.of(Workspace(web_ws))
    assert store.login("zhao", password, "10.1.1.1").organ == "区人民法院"
    too_high = client.post("/users", data={"csrf_token": token, "name": "qian", "role": "clerk", "clearance": "秘密"})
    assert too_high.status_code == 400
    assert "高于本工作区可开放的最高密级" in too_high.text
    reset = client.post("/users/zhao/password", data={"csrf_token": token})
    assert "已为账号 zhao 设置新密码" in reset.text
    disabled = client.post("/users/zhao/disable", data={"csrf_token": token})
    assert "已停用账号 zhao" in disabled.text
    assert client.post("/users/admin/disable", data={"csrf_token": token}).status_code == 400
    assert client.post("/users/ghost/disable", data={"csrf_token": token}).status_code == 404
    events = [(e.event, e.actor, e.target) for e in store.trail()]
    for event in ("account_add", "account_passwd", "account_disable"):
        assert (event, "admin", "zhao") in events
    assert store.verify().ok
