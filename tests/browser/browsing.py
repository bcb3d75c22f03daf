"""What the browser tests share: where the browser is, the accounts, the pages, and small page helpers."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
MISSING_BROWSER = (
    "缺少 Chromium 浏览器或其驱动（/usr/bin/chromium、/usr/bin/chromedriver）：请以管理员身份运行 "
    "apt-get install chromium chromium-driver（bash scripts/test.sh 会自动安装）"
)

PASSWORD = "browser-pass-42"  # every account's password in these tests
WRONG_PASSWORD = "not-the-password"
DEPUTY, OTHER_DEPUTY = "d001", "d041"  # the deputy account's registry id, and another deputy of the sample
ORGAN = "区人民政府"
ACCOUNTS = {  # account name → (role, deputy id, organ)
    "admin": ("admin", None, None),
    "clerk": ("clerk", None, None),
    "member": ("member", None, None),
    "deputy": ("deputy", DEPUTY, None),
    "organ": ("organ", None, ORGAN),
}
RECORD = "opinion-2024-02"  # a final 公开 审议意见 whose PDF the README shows passing renda check
PHONE = (390, 844)
DESKTOP = (1280, 900)


def browser_present() -> bool:
    return CHROMIUM.is_file() and CHROMEDRIVER.is_file() and os.access(CHROMEDRIVER, os.X_OK)


def in_ci() -> bool:
    """CI runs set CI (CI=true); there a missing browser is a failure, not a skip."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def stale(element: object) -> bool:
    from selenium.common.exceptions import StaleElementReferenceException

    try:
        _ = element.tag_name  # type: ignore[attr-defined]
        return False
    except StaleElementReferenceException:
        return True


def csp_violations(entries: list[dict[str, object]]) -> list[str]:
    """The console messages that report a Content-Security-Policy violation."""
    return [str(e.get("message")) for e in entries if re.search(r"Content Security Policy", str(e.get("message")))]


@dataclass
class Served:
    """The running application: its base URL, its workspace and the paths its routes answer."""

    url: str
    root: Path
    paths: frozenset[str]

    def has(self, path: str) -> bool:
        """Whether the application routes ``path`` (a route pattern such as ``/records/{id}``)."""
        return path in self.paths

    def need(self, path: str, branch: str) -> None:
        """Skip the test when a page another branch builds is not in the application yet."""
        if not self.has(path):
            pytest.skip(f"页面 {path} 尚未实现（分支 {branch}），这项浏览器测试暂时跳过")


SIGNER = "chief"  # an office account with the signing right (add_signer)


def add_signer(served: Served) -> str:
    """The account with the signing right in the served workspace (made once); its name."""
    from archive.accounts import AccountStore
    from archive.accounts.model import new_account
    from archive.workspace import Workspace

    ws = Workspace(served.root)
    store = AccountStore.of(ws)
    if store.get(SIGNER) is None:
        store.add(new_account(SIGNER, "clerk", "内部", ws.config, None, can_sign=True), PASSWORD, "test")
    return SIGNER


def downloaded_pdf(downloads: Path, seconds: float = 90) -> Path:
    """The one PDF that lands in ``downloads`` (emptied before the click) once its download is complete;
    an uncached document is rendered by LibreOffice first."""
    import time

    deadline = time.monotonic() + seconds
    done: list[Path] = []
    while time.monotonic() < deadline:
        done = [p for p in downloads.iterdir() if p.suffix == ".pdf"]
        if done and not any(p.suffix == ".crdownload" for p in downloads.iterdir()):
            break
        time.sleep(0.2)
    assert len(done) == 1, list(downloads.iterdir())
    return done[0]
