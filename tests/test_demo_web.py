"""The demo's web accounts (scripts/demo_web.py, run by scripts/demo.sh): one per role, each password printed
once and working; a second run resets them all, so re-running the demo prints passwords that work."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from samples import REPO, copy_sample

from archive.accounts import AccountStore, LoginRefused
from archive.workspace import Workspace

SCRIPT = REPO / "scripts" / "demo_web.py"
ROLES = {"admin": "系统管理员", "clerk": "办公室", "member": "常委会组成人员", "deputy": "代表", "organ": "承办单位"}


def _accounts(root: Path) -> dict[str, str]:
    """Run the script; the printed name → password of each account."""
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "accounts", str(root)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "http://127.0.0.1:8000" in done.stdout
    assert "Ctrl-C" in done.stdout
    rows = re.findall(r"^  (\S+)\s+(\S+)\s+(\S+)$", done.stdout, re.M)
    assert {name: label for name, _, label in rows} == ROLES, done.stdout
    return {name: password for name, password, _ in rows}


def test_the_demo_makes_one_account_per_role_whose_printed_password_logs_in(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    passwords = _accounts(root)
    store = AccountStore.of(Workspace(root))
    for name, password in passwords.items():
        account = store.login(name, password, "127.0.0.1")
        assert account.role == name
        assert account.clearance == "内部"  # the sample's ceiling
    assert store.require("deputy").deputy == "d001"
    assert store.require("organ").organ == "区人民政府"
    assert len(set(passwords.values())) == len(passwords)  # random, not one shared password
    assert all(len(p) >= 12 for p in passwords.values())
    assert not (root / "records" / ".renda").exists()
    assert (root / ".renda" / "web.sqlite").is_file()


def test_running_the_demo_again_resets_every_password(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    first = _accounts(root)
    second = _accounts(root)
    store = AccountStore.of(Workspace(root))
    assert {a.name for a in store.accounts()} == set(ROLES)  # no duplicates on a second run
    for name in ROLES:
        assert first[name] != second[name]
        store.login(name, second[name], "127.0.0.2")
        with pytest.raises(LoginRefused, match="账号或密码不正确"):
            store.login(name, first[name], "127.0.0.3")
