"""The office web platform in a real browser (Debian's Chromium, headless): logging in, the dashboard, search and
its facets, a record page and its PDF, a deputy's own pages, phone-sized pages, CSRF, and the CSP.

Pages other branches build are skipped, naming the page, until the application routes them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from browser.browsing import (
    DEPUTY,
    OTHER_DEPUTY,
    PASSWORD,
    PHONE,
    RECORD,
    WRONG_PASSWORD,
    Served,
    csp_violations,
    downloaded_pdf,
    stale,
)
from browser.conftest import LogIn

pytestmark = pytest.mark.slow


def _yaml(root: Path, record_id: str) -> dict[str, object]:
    path = next((root / "records").rglob(f"{record_id}.yaml"))
    data: dict[str, object] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def _status(browser: WebDriver, url: str, method: str = "GET") -> int:
    """The HTTP status of ``url`` fetched from the page, with the browser's cookies (no CSRF header)."""
    return int(
        browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0], {method: arguments[1], credentials: 'same-origin', redirect: 'manual'})"
            ".then(r => done(r.status)).catch(e => done(-1));",
            url,
            method,
        )
    )


def _until(browser: WebDriver, condition: Callable[[WebDriver], object], seconds: float = 15) -> object:
    """Wait for ``condition(browser)``; an element replaced meanwhile (a page loading, htmx swapping) is retried."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    ignored = (StaleElementReferenceException, NoSuchElementException)
    return WebDriverWait(browser, seconds, ignored_exceptions=ignored).until(condition)


def _h1(browser: WebDriver) -> str:
    return str(browser.find_element(By.TAG_NAME, "h1").text)


def _phone(browser: WebDriver) -> None:
    width, height = PHONE
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        # Not "mobile": Chromium's mobile emulation widens the layout viewport to fit wide content, which
        # would hide the very overflow this looks for; the media queries see a 390 px screen either way.
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def _overflow(browser: WebDriver) -> tuple[int, int]:
    """(document.scrollingElement.scrollWidth, innerWidth) of the current page."""
    width, inner = browser.execute_script("return [document.scrollingElement.scrollWidth, window.innerWidth];")
    return int(width), int(inner)


# -- logging in ----------------------------------------------------------------------------------------------


def test_login_opens_the_dashboard_with_the_committee_name_and_the_office_navigation(login: LogIn, shots: Path) -> None:
    browser = login("clerk")
    assert urlsplit(browser.current_url).path == "/"
    header = browser.find_element(By.CSS_SELECTOR, "header.site").text
    assert "澄湖区人大常委会" in header
    nav = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "nav.main a")]
    assert nav[:7] == ["首页", "记录", "检索", "督办", "代表", "发文登记", "归档"], nav  # 用户 is admin's
    assert "clerk" in browser.find_element(By.CSS_SELECTOR, ".user").text
    assert browser.find_element(By.CSS_SELECTOR, "main").text.strip(), "the dashboard is empty"
    browser.save_screenshot(str(shots / "dashboard.png"))
    assert (shots / "dashboard.png").stat().st_size > 10_000


def test_a_page_asked_for_before_logging_in_goes_to_the_login_form_and_back(browser: WebDriver, served: Served) -> None:
    browser.get(f"{served.url}/users")
    assert urlsplit(browser.current_url).path == "/login"
    assert parse_qs(urlsplit(browser.current_url).query)["next"] == ["/users"]
    browser.find_element(By.NAME, "name").send_keys("admin")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: urlsplit(d.current_url).path == "/users")


def test_a_wrong_password_is_refused_with_the_chinese_message_and_nothing_opens(
    login: LogIn, browser: WebDriver, served: Served
) -> None:
    login("clerk", WRONG_PASSWORD, expect_success=False)
    assert urlsplit(browser.current_url).path == "/login"
    alert = browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert alert == "账号或密码不正确"
    assert browser.find_element(By.NAME, "name").get_attribute("value") == "clerk"  # the name is kept
    assert browser.find_element(By.NAME, "password").get_attribute("value") == ""
    browser.get(f"{served.url}/")
    assert urlsplit(browser.current_url).path == "/login"  # still nobody logged in


# -- CSRF ----------------------------------------------------------------------------------------------------


def test_a_form_posted_without_its_csrf_token_is_refused_and_changes_nothing(login: LogIn, served: Served) -> None:
    browser = login("clerk")
    # The logout form without its hidden token, as a forged cross-site form would be.
    browser.execute_script("document.querySelector(\"form[action='/logout'] input[name=csrf_token]\").remove();")
    browser.find_element(By.CSS_SELECTOR, "form[action='/logout'] button[type=submit]").click()
    _until(browser, lambda d: "无权操作" in d.find_element(By.TAG_NAME, "h1").text)
    assert "403" in _h1(browser)
    browser.get(f"{served.url}/")
    assert urlsplit(browser.current_url).path == "/", "the refused logout logged the clerk out"
    # The same request through fetch, without the X-CSRF-Token header htmx would send: 403 too.
    assert _status(browser, "/logout", "POST") == 403
    assert _status(browser, "/", "GET") == 200


# -- search, a record, its PDF -------------------------------------------------------------------------------


def _search(browser: WebDriver, served: Served, text: str) -> WebDriver:
    browser.get(f"{served.url}/search")
    box = browser.find_element(By.CSS_SELECTOR, "main input[name=q]")
    box.send_keys(text)
    before = browser.find_element(By.TAG_NAME, "html")
    box.submit()
    WebDriverWait(browser, 15).until(lambda _: stale(before))
    return browser


def _result_links(browser: WebDriver) -> list[str]:
    hrefs = [a.get_attribute("href") or "" for a in browser.find_elements(By.CSS_SELECTOR, "main a[href]")]
    return sorted({urlsplit(h).path for h in hrefs if re.fullmatch(r"/records/[^/.]+", urlsplit(h).path)})


def _facet_links(browser: WebDriver) -> list[WebElement]:
    return [
        a
        for a in browser.find_elements(By.CSS_SELECTOR, "main [class*=facet] a[href], main #facets a[href]")
        if "/search" in (a.get_attribute("href") or "")
    ]


def test_search_finds_records_and_a_facet_narrows_them(login: LogIn, served: Served, shots: Path) -> None:
    served.need("/search", "websearch")
    browser = login("clerk")
    _search(browser, served, "审议意见")
    assert parse_qs(urlsplit(browser.current_url).query)["q"] == ["审议意见"]
    found = _result_links(browser)
    assert found, "no record linked from the results"
    facets = _facet_links(browser)
    assert facets, "no facet links on the search page"
    browser.save_screenshot(str(shots / "search.png"))
    total = int(browser.find_element(By.ID, "total").text)
    # Narrow by the 类型 facet 审议意见 (type opinion): fewer hits, as many as the facet said, all opinions.
    chosen = next((a for a in facets if a.text == "审议意见"), None)
    assert chosen is not None, [a.text for a in facets]
    promised = int(chosen.find_element(By.XPATH, "following-sibling::*[1]").text)
    target = chosen.get_attribute("href")
    chosen.click()
    _until(browser, lambda d: d.current_url == target and d.find_element(By.ID, "total").text == str(promised))
    narrowed = _result_links(browser)
    assert narrowed
    assert all(_yaml(served.root, p.rsplit("/", 1)[1])["type"] == "opinion" for p in narrowed), narrowed
    after = int(browser.find_element(By.ID, "total").text)
    assert after == promised < total


def test_a_record_opens_from_the_search_and_its_pdf_downloads_and_passes_renda_check(
    login: LogIn, served: Served, downloads: Path, shots: Path
) -> None:
    served.need("/search", "websearch")
    served.need("/records/{id}", "webrec")
    from archive.conformance import check_file

    record = _yaml(served.root, RECORD)
    browser = login("clerk")
    _search(browser, served, '"农村人居环境整治提升"')
    link = browser.find_element(By.CSS_SELECTOR, f"main a[href$='/records/{RECORD}']")
    link.click()
    _until(browser, lambda d: urlsplit(d.current_url).path == f"/records/{RECORD}" and _h1(d) == record["title"])
    assert _h1(browser) == record["title"]
    page = browser.find_element(By.TAG_NAME, "main").text
    assert str(record["doc_number"]) in page
    browser.save_screenshot(str(shots / "record.png"))

    pdf = browser.find_element(By.CSS_SELECTOR, f"main a[href='/records/{RECORD}/download/pdf']")
    for old in downloads.iterdir():
        old.unlink()
    pdf.click()
    done = downloaded_pdf(downloads)
    assert done.read_bytes().startswith(b"%PDF-")
    report = check_file(done)
    assert report.ok, report.verdict


# -- a deputy's own pages ------------------------------------------------------------------------------------


def test_a_deputy_sees_their_own_page_and_another_deputys_is_not_found(login: LogIn, served: Served) -> None:
    served.need("/deputies/{id}", "websearch")
    own, other = _yaml(served.root, DEPUTY), _yaml(served.root, OTHER_DEPUTY)
    browser = login("deputy")
    browser.get(f"{served.url}/deputies/{DEPUTY}")
    assert str(own["name"]) in browser.find_element(By.TAG_NAME, "main").text
    assert _status(browser, f"/deputies/{DEPUTY}") == 200
    browser.get(f"{served.url}/deputies/{OTHER_DEPUTY}")
    assert _h1(browser).startswith("页面不存在")
    assert str(other["name"]) not in browser.page_source
    assert _status(browser, f"/deputies/{OTHER_DEPUTY}") == 404
    assert _status(browser, "/deputies/d999") == 404  # the same answer as for a deputy that does not exist


def _names(root: Path, record_id: str, deputy: str) -> bool:
    path = next((root / "records").rglob(f"{record_id}.yaml"))
    return re.search(rf"\b{deputy}\b", path.read_text(encoding="utf-8")) is not None


def test_a_deputy_opens_an_internal_record_that_names_them_and_not_one_that_does_not(
    login: LogIn, served: Served
) -> None:
    served.need("/records/{id}", "webrec")
    own, other = "zrh-16-63", "opinion-2023-02"  # both final and 内部; the first lists d001 among those present
    assert [_yaml(served.root, r)["classification"] for r in (own, other)] == ["内部", "内部"]
    assert _names(served.root, own, DEPUTY) and not _names(served.root, other, DEPUTY)
    browser = login("deputy")
    browser.get(f"{served.url}/records/{own}")
    assert _h1(browser) == _yaml(served.root, own)["title"]
    browser.get(f"{served.url}/records/{other}")
    assert _h1(browser).startswith("页面不存在")
    assert str(_yaml(served.root, other)["title"]) not in browser.page_source
    assert _status(browser, f"/records/{other}") == _status(browser, "/records/no-such-record") == 404
    assert _status(browser, f"/records/{other}/download/pdf") == 404


# -- a phone-sized screen ------------------------------------------------------------------------------------

# (route, URL, branch that builds it)
MAIN_PAGES = [
    ("/login", "/login", "web"),
    ("/", "/", "web"),
    ("/records", "/records", "webrec"),
    ("/records/{id}", f"/records/{RECORD}", "webrec"),
    ("/sittings/{id}", "/sittings/cwh-17-19", "webrec"),
    ("/search", "/search?q=审议意见", "websearch"),
    ("/track", "/track", "websearch"),
    ("/track/stats", "/track/stats", "webtrack"),
    ("/records/{id}", "/records/motion-2023-01", "webtrack"),  # signers and the handling timeline
    ("/deputies", "/deputies", "websearch"),
    ("/deputies/{id}", f"/deputies/{DEPUTY}", "websearch"),
    ("/archive/{year}", "/archive/2024", "websearch"),
    ("/users", "/users", "web"),
    ("/records/{id}/edit", f"/records/{RECORD}/edit", "forms"),
    ("/records/new/{type}", "/records/new/opinion?meeting=cwh-17-19&item=1", "forms"),
    ("/records/{id}/handle", "/records/opinion-2025-01/handle", "loops"),  # the upload form of a report
    ("/records/{id}/handle", "/records/suggestion-2025-004/handle", "loops"),  # the office's steps
    ("/register", "/register", "review"),
]


@pytest.mark.parametrize(("route", "url", "branch"), MAIN_PAGES, ids=[u for _, u, _ in MAIN_PAGES])
def test_a_main_page_has_no_horizontal_scroll_on_a_phone(
    browser: WebDriver, login: LogIn, served: Served, route: str, url: str, branch: str
) -> None:
    served.need(route, branch)
    if route != "/login":  # the login form is seen by nobody logged in
        login("admin")
    _phone(browser)
    browser.get(f"{served.url}{url}")
    assert "页面不存在" not in _h1(browser), url
    width, inner = _overflow(browser)
    assert inner == PHONE[0]
    assert width <= inner, f"{url}: the page is {width} px wide on a {inner} px screen"


def test_the_phone_check_sees_a_page_wider_than_the_screen(login: LogIn, served: Served) -> None:
    browser = login("clerk")
    _phone(browser)
    browser.get(f"{served.url}/")
    browser.execute_script(
        "const wide = document.createElement('div'); wide.style.width = '600px'; wide.textContent = 'x';"
        "document.querySelector('main').appendChild(wide);"
    )
    width, inner = _overflow(browser)
    assert width > inner == PHONE[0]


# -- Content-Security-Policy ---------------------------------------------------------------------------------


def test_the_main_pages_break_no_content_security_policy_rule(login: LogIn, served: Served) -> None:
    browser = login("admin")
    browser.get_log("browser")
    visited = []
    for route, url, _branch in MAIN_PAGES:
        if route == "/login" or not served.has(route):
            continue
        browser.get(f"{served.url}{url}")
        visited.append(url)
        time.sleep(0.2)  # htmx loads deferred; let it run
    assert "/" in visited
    violations = csp_violations(browser.get_log("browser"))
    assert violations == [], violations


def test_the_csp_check_sees_an_inline_script(login: LogIn) -> None:
    browser = login("clerk")
    browser.get_log("browser")
    browser.execute_script(
        "const s = document.createElement('script'); s.textContent = 'window.injected = 1;';"
        "document.head.appendChild(s);"
    )
    time.sleep(0.2)
    assert browser.execute_script("return window.injected === undefined;")
    assert csp_violations(browser.get_log("browser")), "the inline script ran or went unreported"
