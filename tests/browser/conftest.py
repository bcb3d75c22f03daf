"""Fixtures of the browser tests: the real application served by uvicorn in its own process on a free loopback
port, over a scratch copy of the sample workspace with one account per role, driven by Debian's Chromium
(/usr/bin/chromium with /usr/bin/chromedriver — never a downloaded browser) through Selenium.

Without Chromium the tests skip, saying what to install; in CI (``CI`` set) a missing browser fails instead.
``RENDA_SCREENSHOTS=docs/screenshots`` makes the screenshot tests write the README's pictures there (otherwise
they go to the test's temporary folder).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from samples import copy_sample

from browser.browsing import (
    ACCOUNTS,
    CHROMEDRIVER,
    CHROMIUM,
    DESKTOP,
    MISSING_BROWSER,
    PASSWORD,
    Served,
    browser_present,
    in_ci,
    stale,
)

# The server process: bind a free loopback port, say which, serve until killed.
if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

LogIn = Callable[..., "WebDriver"]  # login("clerk"): log in through the form; the browser where it lands

SERVE = """
import socket, sys
import uvicorn
from archive.web.app import create_app
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.bind(("127.0.0.1", 0))
print(sock.getsockname()[1], flush=True)
config = uvicorn.Config(create_app(sys.argv[1]), log_level="warning", access_log=False, lifespan="off")
uvicorn.Server(config).run(sockets=[sock])
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if browser_present() or in_ci():
        return  # in CI, _browser_required fails each test instead
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=MISSING_BROWSER))


@pytest.fixture(scope="session", autouse=True)
def _browser_required() -> None:
    """In CI the browser must be there: a missing one is a failure, not a skip."""
    if not browser_present() and in_ci():
        pytest.fail(MISSING_BROWSER, pytrace=False)


def _route_paths(root: Path) -> frozenset[str]:
    from archive.web.app import create_app

    return frozenset(str(getattr(route, "path", "")) for route in create_app(root).routes)


def _add_accounts(root: Path) -> None:
    from archive.accounts import AccountStore
    from archive.accounts.model import new_account
    from archive.catalog import load_catalog
    from archive.workspace import Workspace

    ws = Workspace(root)
    catalog = load_catalog(ws)
    store = AccountStore.of(ws)
    for name, (role, deputy, organ) in ACCOUNTS.items():
        store.add(new_account(name, role, "内部", ws.config, catalog, deputy=deputy, organ=organ), PASSWORD, "test")


def _wait_until_up(url: str, process: subprocess.Popen[str], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {process.stderr.read() if process.stderr else ''}")
        try:
            with urllib.request.urlopen(f"{url}/login", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer at {url} within {seconds} s")


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The sample workspace (indexed, one account per role) served by uvicorn in a subprocess."""
    from archive.processes import die_with_parent
    from archive.search import update_index
    from archive.workspace import Workspace

    root = copy_sample(tmp_path_factory.mktemp("browser") / "ws")
    _add_accounts(root)
    update_index(Workspace(root))
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        preexec_fn=die_with_parent,  # an interrupted test run leaves no server behind
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().strip() or 0)
        if not port:
            raise RuntimeError(f"the server did not start: {process.stderr.read() if process.stderr else ''}")
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, process)
        yield Served(url, root, _route_paths(root))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()


@pytest.fixture(scope="session")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


def chrome(profile: Path, downloads: Path) -> WebDriver:
    """A headless Chromium with a fresh profile in ``profile``, no background networking, downloading to
    ``downloads`` (the session's browser, and a second one where a test needs two people at once)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
        "--lang=zh-CN",
    ):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "plugins.always_open_pdf_externally": True,  # a PDF link downloads instead of opening the viewer
        },
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    made = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    made.set_page_load_timeout(30)
    made.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    return made


@pytest.fixture(scope="session")
def driver(tmp_path_factory: pytest.TempPathFactory, downloads: Path) -> Iterator[WebDriver]:
    """One headless Chromium for the whole run, with a fresh profile and no background networking."""
    made = chrome(tmp_path_factory.mktemp("chromium-profile"), downloads)
    try:
        yield made
    finally:
        made.quit()


@pytest.fixture
def browser(driver: WebDriver, served: Served) -> WebDriver:
    """The shared browser, logged out, at desktop size, its console log emptied."""
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.get(f"{served.url}/login")
    driver.delete_all_cookies()
    driver.get_log("browser")
    return driver


@pytest.fixture
def login(browser: WebDriver, served: Served) -> LogIn:
    """``login("clerk")``: log in through the form as that account; the browser, on the page it lands on."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def log_in(name: str, password: str = PASSWORD, expect_success: bool = True) -> WebDriver:
        browser.get(f"{served.url}/login")
        browser.find_element(By.NAME, "name").send_keys(name)
        browser.find_element(By.NAME, "password").send_keys(password)
        before = browser.find_element(By.TAG_NAME, "html")
        browser.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
        WebDriverWait(browser, 10).until(lambda _: stale(before))
        if expect_success:
            assert not browser.current_url.startswith(f"{served.url}/login"), browser.page_source[:2000]
        return browser

    return log_in


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: ``RENDA_SCREENSHOTS`` (e.g. docs/screenshots) or the test's temporary folder."""
    target = Path(os.environ.get("RENDA_SCREENSHOTS") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target
