"""核稿 → 签发 → the final PDF, in the browser: a clerk previews a draft (its pages and the GB/T 9704 check) and
reviews it, an account with the signing right signs it, and the PDF that downloads then carries no 草稿 watermark
and passes ``renda check``.  The draft is a copy of the sample's, so the other browser tests see the sample as
it is."""

from __future__ import annotations

import shutil
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import pdfplumber
import yaml
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from browser.browsing import SIGNER, Served, add_signer, csp_violations, downloaded_pdf

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

    from browser.conftest import LogIn

DRAFT = "opinion-2025-07"


def _prepare(served: Served) -> None:
    folder = served.root / "records/2025"
    text = (folder / "opinion-2025-03.yaml").read_text(encoding="utf-8")
    (folder / f"{DRAFT}.yaml").write_text(text.replace("id: opinion-2025-03", f"id: {DRAFT}"), encoding="utf-8")
    add_signer(served)
    time.sleep(2.1)  # the server looks at the records folder at most every two seconds


def _open(browser: WebDriver, served: Served, path: str, seconds: float = 60) -> None:
    browser.get(f"{served.url}{path}")
    WebDriverWait(browser, seconds).until(lambda d: d.find_elements(By.TAG_NAME, "main"))


def _submit(browser: WebDriver, form: str) -> None:
    before = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, f"form[aria-label='{form}'] button[type=submit]").click()
    WebDriverWait(browser, 30).until(lambda _: _gone(before))


def _gone(element: object) -> bool:
    from browser.browsing import stale

    return stale(element)


def _loaded(browser: WebDriver, image: object) -> bool:
    return bool(browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image))


def _data(served: Served) -> dict[str, object]:
    path = served.root / "records/2025" / f"{DRAFT}.yaml"
    data: dict[str, object] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def test_a_clerk_previews_and_reviews_a_signer_signs_and_the_final_pdf_has_no_watermark(
    login: LogIn, served: Served, downloads: Path, shots: Path
) -> None:
    from archive.conformance import check_file

    _prepare(served)
    browser = login("clerk")
    _open(browser, served, f"/records/{DRAFT}")
    browser.find_element(By.CSS_SELECTOR, f"main a[href='/records/{DRAFT}/preview']").click()
    WebDriverWait(browser, 90).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".preview-pages img"))
    images = browser.find_elements(By.CSS_SELECTOR, ".preview-pages img")
    for image in images:  # loaded lazily: each as it scrolls into view
        browser.execute_script("arguments[0].scrollIntoView()", image)
        WebDriverWait(browser, 30).until(partial(_loaded, image=image))
    browser.execute_script("window.scrollTo(0, 0)")
    assert all(int(browser.execute_script("return arguments[0].naturalWidth", i)) == 794 for i in images)
    verdict = browser.find_element(By.CSS_SELECTOR, ".preview-check .verdict").text
    assert verdict.startswith("符合") or "错误" in verdict
    assert csp_violations(browser.get_log("browser")) == []
    browser.save_screenshot(str(shots / "preview.png"))
    shutil.copy(shots / "preview.png", "/tmp/review-preview.png")

    _open(browser, served, f"/records/{DRAFT}")
    note = browser.find_element(By.CSS_SELECTOR, "form[aria-label='核稿'] textarea[name=note]")
    browser.execute_script("arguments[0].scrollIntoView()", note)
    browser.save_screenshot(str(shots / "review.png"))
    note.send_keys("同意印发")
    _submit(browser, "核稿")
    assert "核稿：通过（同意印发）" in browser.find_element(By.TAG_NAME, "main").text
    assert not browser.find_elements(By.CSS_SELECTOR, "form[aria-label='签发']"), "a clerk without the right"

    browser.delete_all_cookies()
    browser = login(SIGNER)
    _open(browser, served, f"/records/{DRAFT}")
    browser.find_element(By.CSS_SELECTOR, "form[aria-label='签发'] input[name=name]").send_keys("王建国")
    _submit(browser, "签发")
    data = _data(served)
    assert data["status"] == "final"
    main = browser.find_element(By.TAG_NAME, "main").text
    assert str(data["doc_number"]) in main and "定稿" in main and "王建国" in main
    assert csp_violations(browser.get_log("browser")) == []
    browser.save_screenshot(str(shots / "signed.png"))

    for old in downloads.iterdir():
        old.unlink()
    browser.find_element(By.CSS_SELECTOR, f"main a[href='/records/{DRAFT}/download/pdf']").click()
    final = downloaded_pdf(downloads)
    with pdfplumber.open(final) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
        big = [c["text"] for page in pdf.pages for c in page.chars if c["size"] > 40]
    assert str(data["doc_number"]) in text.replace(" ", "")
    assert "草稿" not in text and not big, "the final document carries no 草稿 watermark"
    report = check_file(final)
    assert report.ok, report.verdict
