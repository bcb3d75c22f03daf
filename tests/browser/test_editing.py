"""Drafting and editing records in a real browser: an opinion drafted from a sitting's agenda item (a problem
shown at its field, fixed, saved, on the record page, the workspace still valid; then previewed, reviewed by
another clerk, signed, and its final PDF passing ``renda check``), and two people editing the
same record at once (the second gets the conflict page; the first one's change is on disk).

Screenshots of the form and of the conflict page go to /tmp/forms-*.png (and ``RENDA_SCREENSHOTS`` when set).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from archive.catalog import validate
from archive.source import parse_yaml
from archive.workspace import Workspace
from browser.browsing import PASSWORD, Served, add_signer, downloaded_pdf, stale
from browser.conftest import LogIn, chrome

pytestmark = pytest.mark.slow

SITTING = "cwh-17-19"  # its first agenda item: the 农村人居环境整治提升 report of 区人民政府
EDITED = "opinion-2023-01"  # a record no other browser test reads


def _screenshot(browser: WebDriver, name: str) -> Path:
    """Save a full-height screenshot to /tmp/forms-<name>.png (and to RENDA_SCREENSHOTS when set)."""
    height = int(browser.execute_script("return document.scrollingElement.scrollHeight;"))
    browser.set_window_size(1280, min(max(height, 900), 6000))
    target = Path(f"/tmp/forms-{name}.png")
    browser.save_screenshot(str(target))
    browser.set_window_size(1280, 900)
    if os.environ.get("RENDA_SCREENSHOTS"):
        shutil.copy(target, Path(os.environ["RENDA_SCREENSHOTS"]) / f"forms-{name}.png")
    assert target.stat().st_size > 10_000
    return target


def _type(browser: WebDriver, name: str, text: str) -> None:
    box = browser.find_element(By.NAME, name)
    box.clear()
    box.send_keys(text)


def _follow(browser: WebDriver, by: str, what: str) -> None:
    """Click the link or button ``what`` and wait for the page it leads to (the old page gone, the new loaded:
    an element of the old one read meanwhile is an error Selenium does not retry)."""
    before = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(by, what).click()
    WebDriverWait(browser, 20).until(lambda _: stale(before))
    WebDriverWait(browser, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")


def _save(browser: WebDriver) -> None:
    _follow(browser, By.CSS_SELECTOR, "form.record-form button[value=save]")


def _file(root: Path, record_id: str) -> Path:
    return next((root / "records").rglob(f"{record_id}.yaml"))


def test_an_opinion_drafted_from_a_sitting_is_checked_fixed_saved_reviewed_signed_and_issued(
    login: LogIn, served: Served, downloads: Path
) -> None:
    browser = login("clerk")
    browser.get(f"{served.url}/sittings/{SITTING}")
    _follow(browser, By.LINK_TEXT, "起草审议意见")
    assert "新建审议意见" in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_element(By.NAME, "meeting").get_attribute("value") == SITTING
    assert browser.find_element(By.NAME, "addressee").get_attribute("value") == "区人民政府"
    new_id = str(browser.find_element(By.NAME, "id").get_attribute("value"))
    number = str(browser.find_element(By.NAME, "doc_number").get_attribute("value"))
    _screenshot(browser, "form")

    _type(browser, "doc_number", number.replace("〔", "[").replace("〕", "]"))  # the wrong brackets
    _type(browser, "assessment.0", "常委会组成人员认为，区人民政府推进农村人居环境整治提升，成效明显。")
    _type(browser, "problems.0", "农村生活污水治理不平衡。部分村庄管网覆盖不足。")
    _type(browser, "recommendations.0.title", "补齐污水治理短板")
    _type(browser, "recommendations.0.text", "加快农村生活污水治理设施建设，健全长效运维机制。")
    _save(browser)
    field = browser.find_element(By.ID, "f-doc_number").find_element(By.XPATH, "..")
    assert "六角括号" in field.find_element(By.CSS_SELECTOR, ".problem").text
    summary = browser.find_element(By.CSS_SELECTOR, ".problem-summary a[href='#f-doc_number']")
    assert summary.text == "发文字号"
    assert not list((served.root / "records").rglob(f"{new_id}.yaml")), "written despite the error"
    _screenshot(browser, "problem")

    _type(browser, "doc_number", number)
    _save(browser)
    assert urlsplit(browser.current_url).path == f"/records/{new_id}"
    assert "已保存" in browser.find_element(By.CSS_SELECTOR, ".notice").text
    assert "补齐污水治理短板" in browser.find_element(By.TAG_NAME, "main").text
    data = parse_yaml(_file(served.root, new_id).read_text(encoding="utf-8")).data
    assert data["meeting"] == SITTING and data["doc_number"] == number
    assert validate(Workspace(served.root)).errors == ()

    # … previewed, reviewed by another clerk, signed, and downloaded as the final document, which passes renda check
    from archive.conformance import check_file

    browser.get(f"{served.url}/records/{new_id}/preview")
    WebDriverWait(browser, 90).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".preview-pages img"))
    assert browser.find_element(By.CSS_SELECTOR, ".preview-check .verdict").text.startswith("符合")
    browser.delete_all_cookies()
    reviewer = login("admin")  # not the clerk who saved it
    reviewer.get(f"{served.url}/records/{new_id}")
    reviewer.find_element(By.CSS_SELECTOR, "form[aria-label='核稿'] textarea[name=note]").send_keys("同意")
    _follow(reviewer, By.CSS_SELECTOR, "form[aria-label='核稿'] button[type=submit]")
    reviewer.delete_all_cookies()
    signer = login(add_signer(served))
    signer.get(f"{served.url}/records/{new_id}")
    signer.find_element(By.CSS_SELECTOR, "form[aria-label='签发'] input[name=name]").send_keys("王建国")
    _follow(signer, By.CSS_SELECTOR, "form[aria-label='签发'] button[type=submit]")
    signed = parse_yaml(_file(served.root, new_id).read_text(encoding="utf-8")).data
    assert signed["status"] == "final" and signed["workflow"]["signed"]["name"] == "王建国"
    for old in downloads.iterdir():
        old.unlink()
    signer.find_element(By.CSS_SELECTOR, f"main a[href='/records/{new_id}/download/pdf']").click()
    final = downloaded_pdf(downloads)
    report = check_file(final)
    assert report.ok, report.verdict
    assert validate(Workspace(served.root)).errors == ()


@pytest.fixture
def second(tmp_path: Path, served: Served) -> Iterator[WebDriver]:
    """A second browser (another person at another desk), logged in as the admin."""
    other = chrome(tmp_path / "profile", tmp_path / "downloads")
    try:
        other.get(f"{served.url}/login")
        other.find_element(By.NAME, "name").send_keys("admin")
        other.find_element(By.NAME, "password").send_keys(PASSWORD)
        before = other.find_element(By.TAG_NAME, "html")
        other.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
        WebDriverWait(other, 10).until(lambda _: stale(before))
        yield other
    finally:
        other.quit()


def test_two_people_edit_the_same_record_and_the_second_gets_the_conflict_page(
    login: LogIn, served: Served, second: WebDriver
) -> None:
    first = login("clerk")
    for browser in (first, second):
        browser.get(f"{served.url}/records/{EDITED}/edit")
        assert "编辑审议意见" in browser.find_element(By.TAG_NAME, "h1").text
    _type(first, "report.reporter", "副区长 第一位")
    _type(second, "report.reporter", "副区长 第二位")
    _save(first)
    assert urlsplit(first.current_url).path == f"/records/{EDITED}"
    _save(second)
    assert "保存冲突" in second.find_element(By.TAG_NAME, "h1").text
    table = second.find_element(By.CSS_SELECTOR, "table.diff").text
    assert "副区长 第一位" in table and "副区长 第二位" in table
    assert "副区长 第二位" in str(second.find_element(By.ID, "mine").get_attribute("value"))
    _screenshot(second, "conflict")
    data = parse_yaml(_file(served.root, EDITED).read_text(encoding="utf-8")).data
    assert data["report"]["reporter"] == "副区长 第一位"
