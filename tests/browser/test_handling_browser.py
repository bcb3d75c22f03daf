"""The closed loop of an opinion in a real browser: the organ submits its 研究处理情况报告 with the PDF, the clerk
confirms receipt and records the 满意度测评 votes, and ``renda track`` then shows the opinion evaluated."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from click.testing import CliRunner
from pdfgen import official_pdf
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from browser.browsing import Served, stale

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

    from browser.conftest import LogIn

OPINION = "opinion-2025-01"  # addressed to 区人民政府 (the organ account), assigned, no report yet


def _data(root: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(next(root.glob(f"records/*/{OPINION}.yaml")).read_text(encoding="utf-8"))
    return loaded


def _submit(browser: WebDriver, step: str) -> None:
    """Press the button of one step's form and wait for the page it leads to."""
    before = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, f"#step-{step} button[type=submit]").click()
    WebDriverWait(browser, 30).until(lambda _: stale(before))
    notice = browser.find_elements(By.CSS_SELECTOR, "p.notice")
    assert notice, browser.find_element(By.TAG_NAME, "main").text[:1500]


def test_an_organ_reports_and_the_clerk_records_the_votes(
    login: LogIn, served: Served, tmp_path: Path, shots: Path
) -> None:
    served.need("/records/{id}/handle", "loops")
    pdf = official_pdf(tmp_path / "研究处理情况报告.pdf", [], title="关于审议意见研究处理情况的报告")

    browser = login("organ")
    browser.get(f"{served.url}/records/{OPINION}")
    browser.find_element(By.LINK_TEXT, "办理").click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith(f"/records/{OPINION}/handle"))
    form = browser.find_element(By.ID, "step-report")
    form.find_element(By.NAME, "title").send_keys("区人民政府关于审议意见研究处理情况的报告")
    form.find_element(By.NAME, "doc_number").send_keys("澄政函〔2026〕9号")
    form.find_element(By.NAME, "file").send_keys(str(pdf))
    browser.save_screenshot(str(shots / "handle-organ.png"))
    _submit(browser, "report")
    submitted = _data(served.root)["follow_up"]["submissions"][0]
    assert submitted["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()

    before = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, "form[action='/logout'] button[type=submit]").click()  # the organ leaves
    WebDriverWait(browser, 10).until(lambda _: stale(before))
    browser = login("clerk")
    browser.get(f"{served.url}/records/{OPINION}/handle")
    _submit(browser, "confirm")
    votes = browser.find_element(By.ID, "step-votes")
    for name, count in (("satisfied", "16"), ("basic", "4"), ("no", "1")):
        votes.find_element(By.NAME, name).send_keys(count)
    Select(votes.find_element(By.NAME, "result")).select_by_visible_text("满意")
    _submit(browser, "votes")
    browser.save_screenshot(str(shots / "handle-clerk.png"))

    report = _data(served.root)["follow_up"]["reports"][0]
    assert report["received"] == dt.date.today() and report["evaluation"]["result"] == "满意"
    assert report["file"] == submitted["file"] and (served.root / report["file"]).read_bytes() == pdf.read_bytes()

    import cli

    # the sample's renda.yaml fixes the reference date in 2025: track as of today, when the steps were taken
    today = dt.date.today().isoformat()
    args = ["--root", str(served.root), "track", "--json", "--kind", "opinion", "--as-of", today]
    tracked = CliRunner().invoke(cli.cli, args)
    assert tracked.exit_code == 0, tracked.output
    item = next(i for i in json.loads(tracked.output)["opinions"] if i["id"] == OPINION)
    assert item["status"] == "evaluated"
