"""预览, 核稿 and 签发 on the web: the preview's pages are real PNGs of the PDF's page count with the GB/T 9704
check beside them, rendered once per version; the workflow's happy path and each refusal."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import struct
import threading
import zipfile
from pathlib import Path
from typing import Any

import httpx2
import pdfplumber
import pytest
import yaml
from samples import copy_sample
from starlette.applications import Starlette
from starlette.testclient import TestClient

from archive.conformance import check_file
from webapp.conftest import ClientAs, add_account, client_at, csrf_of, login, planted_app
from webapp.planted import LEVELS

DRAFT = "opinion-2025-03"  # the sample's draft opinion
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftoppm") is None, reason="LibreOffice and pdftoppm needed"
)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC, "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def images_of(html: str) -> list[str]:
    return re.findall(r'<img src="([^"]+\.png)"', html)


# -- preview ---------------------------------------------------------------------------------------


def test_preview_shows_every_page_as_a_png_and_the_conformance_result(client_as: ClientAs, tmp_path: Path) -> None:
    client = client_as("clerk")
    page = client.get(f"/records/{DRAFT}/preview")
    assert page.status_code == 200, page.text
    pdf_link = re.search(r'href="(/records/[^"]+/document\.pdf)"', page.text)
    assert pdf_link, "the page links its PDF"
    pdf = client.get(pdf_link[1])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    (tmp_path / "p.pdf").write_bytes(pdf.content)
    with pdfplumber.open(tmp_path / "p.pdf") as opened:
        count = len(opened.pages)
        text = opened.pages[0].extract_text() or ""
        width_pt = float(opened.pages[0].width)
    assert "草" in text and "稿" in text, "a draft previews with its 草稿 watermark"
    images = images_of(page.text)
    assert len(images) == count >= 1
    for n, src in enumerate(images, 1):
        response = client.get(src)
        assert response.status_code == 200 and response.headers["content-type"] == "image/png"
        width, height = png_size(response.content)
        assert abs(width - width_pt / 72 * 96) <= 2, (n, width)  # A4 at 96 dpi
        assert 1.40 < height / width < 1.43
    assert f"共 {count} 页" in page.text
    verdict = check_file(tmp_path / "p.pdf").verdict
    assert verdict in page.text
    data = client.get(f"/records/{DRAFT}/preview.json").json()
    assert data["page_count"] == count and data["pages"] == images and data["check"]["verdict"] == verdict
    base = images[0].rsplit("/", 1)[0]
    assert client.get(f"{base}/{count + 1}.png").status_code == 404
    assert client.get(f"{base}/0.png").status_code == 404


def test_preview_is_rendered_once_per_version_even_when_asked_for_at_once(
    client_as: ClientAs, web_ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import archive.render as render

    calls: list[str] = []
    real = render.render_documents

    def counting(*args: object, **kwargs: object) -> object:
        calls.append("render")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "render_documents", counting)
    clients = [client_as("clerk"), client_as("admin")]
    answers: list[str] = []

    def ask(client: TestClient) -> None:
        answers.append(client.get(f"/records/{DRAFT}/preview.json").json()["version"])

    threads = [threading.Thread(target=ask, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 2 and answers[0] == answers[1]
    assert calls == ["render"]
    assert clients[0].get(f"/records/{DRAFT}/preview").status_code == 200
    assert calls == ["render"], "a version already previewed is read from the cache"
    source = web_ws / "records/2025" / f"{DRAFT}.yaml"
    source.write_text(source.read_text(encoding="utf-8") + "# 改动\n", encoding="utf-8")
    again = clients[0].get(f"/records/{DRAFT}/preview.json").json()
    assert again["version"] != answers[0] and calls == ["render", "render"]
    folders = [p for p in (web_ws / ".renda/previews").iterdir() if p.is_dir() and len(p.name) == 64]
    assert len(folders) == 2


def test_preview_is_for_the_office_only(client_as: ClientAs) -> None:
    for role in ("member", "deputy", "organ"):
        assert client_as(role).get(f"/records/{DRAFT}/preview").status_code == 403
    clerk = client_as("clerk")
    assert clerk.get("/records/d001/preview").status_code == 404  # the registry renders to no document
    assert clerk.get("/records/no-such-record/preview").status_code == 404


def test_the_preview_folder_keeps_under_its_size_by_dropping_the_least_recently_used(tmp_path: Path) -> None:
    import os

    from archive.render.preview import prune

    for n, age in enumerate((300, 200, 100, 0)):  # four previews of 1,000 bytes, the first the oldest
        folder = tmp_path / (str(n) * 64)
        folder.mkdir()
        (folder / "page-1.png").write_bytes(b"x" * 1000)
        os.utime(folder, (1_000_000 - age, 1_000_000 - age))
    removed = prune(tmp_path, keep="0" * 64, limit=2500)
    assert removed == ["1" * 64, "2" * 64]  # the oldest is the one just made: it stays
    assert sorted(p.name[0] for p in tmp_path.iterdir()) == ["0", "3"]


@pytest.fixture(scope="module")
def canaries(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Starlette]:
    root = copy_sample(tmp_path_factory.mktemp("preview-matrix") / "ws")
    return root, planted_app(root, ("clerk",))[1]


def test_preview_answers_404_above_the_viewers_clearance(canaries: tuple[Path, Starlette]) -> None:
    root, app = canaries
    drafts = {}
    for path in (root / "records/2024").glob("opinion-2024-*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data["status"] == "draft" and int(data["id"].rsplit("-", 1)[1]) >= 60:
            drafts[data["classification"]] = data["id"]
    secret = drafts["秘密"]
    top = client_at(app, "clerk", "秘密")
    shown = top.get(f"/records/{secret}/preview")
    assert shown.status_code == 200
    image = images_of(shown.text)[0]
    low = client_at(app, "clerk", "内部")
    assert low.get(f"/records/{secret}/preview").status_code == 404
    assert low.get(image).status_code == 404
    assert low.get(image.rsplit("/", 1)[0] + "/document.pdf").status_code == 404
    # a key of a record the viewer may see, under another record's id, is not found either
    key = image.split("/")[4]
    assert low.get(f"/records/{drafts['内部']}/preview/{key}/1.png").status_code == 404
    # lowered to 内部 since: the record is the low clerk's now, the preview of its 秘密 version is not
    path = root / "records/2024" / f"{secret}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("classification: 秘密", "classification: 内部"), "utf-8")
    app.state.site.records_written()
    assert low.get(f"/records/{secret}").status_code == 200
    assert low.get(image).status_code == 404
    assert LEVELS.index("秘密") > LEVELS.index("内部")


# -- 核稿 → 签发 --------------------------------------------------------------------------------------

SIGNER = "chief"  # a clerk account with the signing right
OTHER = "clerk2"  # a second clerk


def accounts(root: Path) -> None:
    from archive.accounts import AccountStore
    from archive.workspace import Workspace

    for name in (SIGNER, OTHER, "chief2"):
        add_account(root, "clerk", "内部", name=name)
    store = AccountStore.of(Workspace(root))
    store.set_signing(SIGNER, True, "test")
    store.set_signing("chief2", True, "test")


def logged_in(app: Starlette, name: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    assert login(client, name).status_code == 303
    return client


def step(client: TestClient, record_id: str, action: str, **fields: str) -> httpx2.Response:
    """POST the 核稿 or 签发 form of the record's page as the browser would (its CSRF token and version)."""
    page = client.get(f"/records/{record_id}").text
    version = re.search(r'name="version" value="([^"]*)"', page)
    assert version, "the record page offers the form"
    data = {"csrf_token": csrf_of(page), "id": record_id, "version": version[1], **fields}
    return client.post(f"/records/{record_id}/{action}", data=data)


def file_of(root: Path, record_id: str) -> Path:
    return next((root / "records").rglob(f"{record_id}.yaml"))


def data_of(root: Path, record_id: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(file_of(root, record_id).read_text(encoding="utf-8"))
    return loaded


def highest(root: Path, code: str, year: int) -> int:
    """The highest sequence number of ``code`` in ``year`` written in any record file (read here, from YAML)."""
    top = 0
    for path in (root / "records").rglob("*.yaml"):
        for number in re.findall(rf"{code}〔{year}〕(\d+)号", path.read_text(encoding="utf-8")):
            top = max(top, int(number))
    return top


def trail(root: Path, record_id: str, event: str) -> list[dict[str, Any]]:
    from archive.accounts import AccountStore
    from archive.workspace import Workspace

    rows = AccountStore.of(Workspace(root)).trail(target=record_id)
    return [r.as_dict() for r in rows if r.event == event]


@pytest.fixture
def office(web_ws: Path, app: Starlette) -> tuple[Path, Starlette]:
    accounts(web_ws)
    return web_ws, app


def test_a_draft_is_reviewed_by_one_clerk_and_signed_by_another_and_becomes_final(
    office: tuple[Path, Starlette],
) -> None:
    root, app = office
    before = data_of(root, DRAFT)
    assert before["status"] == "draft" and "doc_number" not in before
    clerk = logged_in(app, "clerk")
    assert "草稿" in docx_headers(clerk, DRAFT), "a draft downloads with its 草稿 watermark"
    reviewed = step(clerk, DRAFT, "review", result="通过", note="结构清楚，\r\n同意印发")
    assert reviewed.status_code == 303, reviewed.text
    today = dt.date.today().isoformat()
    after_review = data_of(root, DRAFT)
    assert after_review["workflow"]["reviews"] == [
        {"by": "clerk", "date": dt.date.fromisoformat(today), "result": "通过", "note": "结构清楚，\n同意印发"}
    ]
    assert after_review["status"] == "draft"
    expected_number = f"澄人常函〔2025〕{highest(root, '澄人常函', 2025) + 1}号"
    signer = logged_in(app, SIGNER)
    signed = step(signer, DRAFT, "sign", name="王建国")
    assert signed.status_code == 303, signed.text
    final = data_of(root, DRAFT)
    assert final["status"] == "final"
    assert final["workflow"]["signed"] == {"by": SIGNER, "name": "王建国", "date": dt.date.fromisoformat(today)}
    assert final["doc_number"] == expected_number
    assert {k: v for k, v in final.items() if k not in ("status", "workflow", "doc_number")} == {
        k: v for k, v in before.items() if k != "status"
    }
    page = signer.get(f"/records/{DRAFT}").text
    assert expected_number in page and "王建国" in page and 'action="/records/opinion-2025-03/sign"' not in page
    review_rows, sign_rows = trail(root, DRAFT, "review"), trail(root, DRAFT, "sign")
    assert len(review_rows) == 1 and review_rows[0]["actor"] == "clerk"
    assert "+  reviews:" in review_rows[0]["detail"]["diff"] or "reviews:" in review_rows[0]["detail"]["diff"]
    assert review_rows[0]["detail"]["to"] == sign_rows[0]["detail"]["from"]
    assert "-status: draft" in sign_rows[0]["detail"]["diff"] and "+status: final" in sign_rows[0]["detail"]["diff"]
    assert sign_rows[0]["detail"]["doc_number"] == expected_number
    assert "草稿" not in docx_headers(signer, DRAFT), "the signed record downloads as the final document"
    rows = {r["id"]: r for r in signer.get("/register.json?year=2025").json()["rows"]}
    assert rows[DRAFT] == {
        "id": DRAFT,
        "doc_number": expected_number,
        "title": before["title"],
        "addressee": before["addressee"],
        "classification": before["classification"],
        "signer": "王建国",
        "signed": today,
        "date": str(before["date"]),
    }
    assert subprocess_validate(root)  # renda validate accepts the signed record


def docx_headers(client: TestClient, record_id: str) -> str:
    """The text of the headers of the record's downloaded .docx (where the 草稿 watermark is drawn)."""
    response = client.get(f"/records/{record_id}/download/docx")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as docx:
        return "".join(docx.read(n).decode("utf-8") for n in docx.namelist() if n.startswith("word/header"))


def subprocess_validate(root: Path) -> bool:
    from click.testing import CliRunner

    import cli

    result = CliRunner().invoke(cli.cli, ["--root", str(root), "validate"])
    assert result.exit_code == 0, result.output[-2000:]
    return True


def test_the_last_saver_may_not_review_and_nothing_is_written(office: tuple[Path, Starlette]) -> None:
    root, app = office
    the_site = app.state.site
    draft = the_site.desk.open(the_site.catalog(), DRAFT)
    changed = {**draft.data, "title": draft.data["title"] + "（修改稿）"}
    saved = the_site.desk.save(
        the_site.catalog(), "opinion", changed, base_version=draft.version, author="clerk", record_id=DRAFT
    )
    assert saved.ok, saved.problems
    the_site.store.log("save", "clerk", "127.0.0.1", DRAFT, **{"from": draft.version, "to": saved.draft.version})
    the_site.install(saved.catalog)
    text = file_of(root, DRAFT).read_bytes()
    refused = step(logged_in(app, "clerk"), DRAFT, "review", result="通过", note="")
    assert refused.status_code == 403
    assert "核稿人不能是最后保存该记录的人（clerk）" in refused.text
    assert file_of(root, DRAFT).read_bytes() == text
    assert trail(root, DRAFT, "refused")[-1]["detail"]["status"] == 403
    assert step(logged_in(app, OTHER), DRAFT, "review", result="通过", note="").status_code == 303


def test_signing_needs_the_right_and_a_passed_review_after_the_last_change(office: tuple[Path, Starlette]) -> None:
    root, app = office
    signer, clerk = logged_in(app, SIGNER), logged_in(app, "clerk")
    text = file_of(root, DRAFT).read_bytes()
    unreviewed = step(signer, DRAFT, "sign", name="王建国")
    assert unreviewed.status_code == 400 and "须经核稿通过" in unreviewed.text
    assert step(clerk, DRAFT, "review", result="退回", note="请补充数据").status_code == 303
    sent_back = step(signer, DRAFT, "sign", name="王建国")
    assert sent_back.status_code == 400 and "退回" in sent_back.text
    assert step(clerk, DRAFT, "review", result="通过", note="").status_code == 303
    no_right = step(logged_in(app, OTHER), DRAFT, "sign", name="王建国")
    assert no_right.status_code == 403 and "没有签发权限" in no_right.text
    app.state.site.store.log("save", OTHER, "127.0.0.1", DRAFT)  # a save after the review (as the form logs it)
    stale = step(signer, DRAFT, "sign", name="王建国")
    assert stale.status_code == 400 and "须重新核稿" in stale.text
    assert data_of(root, DRAFT)["status"] == "draft" and file_of(root, DRAFT).read_bytes() != text
    assert "signed" not in data_of(root, DRAFT)["workflow"]


def test_forged_ids_stale_versions_missing_csrf_and_other_roles_are_refused(office: tuple[Path, Starlette]) -> None:
    root, app = office
    clerk = logged_in(app, "clerk")
    page = clerk.get(f"/records/{DRAFT}").text
    token = csrf_of(page)
    version = re.search(r'name="version" value="([^"]*)"', page)
    assert version
    text = file_of(root, DRAFT).read_bytes()
    form = {"csrf_token": token, "id": DRAFT, "version": version[1], "result": "通过", "note": ""}
    other = "opinion-2025-01"
    assert clerk.post(f"/records/{other}/review", data=form).status_code == 400  # the form names another record
    assert clerk.post("/records/no-such-record/review", data={**form, "id": "no-such-record"}).status_code == 404
    assert clerk.post(f"/records/{DRAFT}/review", data={**form, "csrf_token": "forged"}).status_code == 403
    assert (
        clerk.post(f"/records/{DRAFT}/review", data={k: v for k, v in form.items() if k != "csrf_token"}).status_code
        == 403
    )
    assert clerk.post(f"/records/{DRAFT}/review", data={**form, "result": "同意"}).status_code == 400
    stale = clerk.post(f"/records/{DRAFT}/review", data={**form, "version": "sha256:" + "0" * 64})
    assert stale.status_code == 400 and "已被修改" in stale.text
    member = logged_in(app, "member")
    assert (
        member.post(f"/records/{DRAFT}/review", data={**form, "csrf_token": csrf_of(member.get("/").text)}).status_code
        == 403
    )
    assert file_of(root, DRAFT).read_bytes() == text
    assert client_as_final_refused(clerk, other)


def client_as_final_refused(clerk: TestClient, final_id: str) -> bool:
    """A final record offers no 核稿 form, and a forged one is refused."""
    page = clerk.get(f"/records/{final_id}").text
    assert f'action="/records/{final_id}/review"' not in page
    form = {"csrf_token": csrf_of(page), "id": final_id, "version": "", "result": "通过", "note": ""}
    refused = clerk.post(f"/records/{final_id}/review", data=form)
    assert refused.status_code == 400 and "只有草稿可以核稿" in refused.text
    return True


def test_the_doc_number_is_fixed_at_signing_and_unique_when_two_sign_at_once(office: tuple[Path, Starlette]) -> None:
    root, app = office
    source = file_of(root, DRAFT)
    top = highest(root, "澄人常函", 2025)
    drafts = ["opinion-2025-07", "opinion-2025-08", "opinion-2025-09"]
    for made in drafts:  # three drafts: two without a number, one holding the next free one
        text = source.read_text(encoding="utf-8").replace(f"id: {DRAFT}", f"id: {made}")
        if made.endswith("09"):
            text = text.replace("status: draft", f"status: draft\ndoc_number: 澄人常函〔2025〕{top + 1}号")
        (source.parent / f"{made}.yaml").write_text(text, encoding="utf-8")
    app.state.site.records_written()
    clerk = logged_in(app, "clerk")
    for made in drafts:
        assert step(clerk, made, "review", result="通过", note="").status_code == 303
    # meanwhile an opinion written by hand takes the number the third draft held: signing gives it the next one
    taken = file_of(root, "opinion-2025-01").read_text(encoding="utf-8")
    taken = re.sub(r"(?m)^id: .*$", "id: opinion-2025-90", taken)
    taken = re.sub(r"(?m)^doc_number: .*$", f"doc_number: 澄人常函〔2025〕{top + 1}号", taken)
    (source.parent / "opinion-2025-90.yaml").write_text(taken, encoding="utf-8")
    app.state.site.records_written()
    signers = [logged_in(app, SIGNER), logged_in(app, "chief2")]
    assert step(signers[0], drafts[2], "sign", name="王建国").status_code == 303
    assert data_of(root, drafts[2])["doc_number"] == f"澄人常函〔2025〕{top + 2}号"
    answers: list[int] = []

    def sign(client: TestClient, record_id: str) -> None:
        answers.append(step(client, record_id, "sign", name="王建国").status_code)

    threads = [threading.Thread(target=sign, args=pair) for pair in zip(signers, drafts[:2], strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [303, 303]
    numbers = {data_of(root, made)["doc_number"] for made in drafts[:2]}
    assert numbers == {f"澄人常函〔2025〕{top + 3}号", f"澄人常函〔2025〕{top + 4}号"}
    assert all(data_of(root, made)["status"] == "final" for made in drafts)


def test_a_draft_inspection_report_previews_without_its_watermark_tripping_the_checker(
    client_as: ClientAs, web_ws: Path
) -> None:
    # the 执法检查报告 as a draft: LibreOffice draws the 草稿 of page 2 over its first line
    source = file_of(web_ws, "inspection-2024-01")
    source.write_text(source.read_text(encoding="utf-8").replace("status: final", "status: draft"), encoding="utf-8")
    data = client_as("clerk").get("/records/inspection-2024-01/preview.json").json()
    assert data["draft"] and data["page_count"] >= 2
    assert data["check"]["errors"] == [], data["check"]["verdict"]


def test_signing_a_draft_that_would_not_validate_as_final_writes_nothing(office: tuple[Path, Starlette]) -> None:
    root, app = office
    source = file_of(root, DRAFT)
    source.write_text(
        source.read_text(encoding="utf-8").replace("addressee: 区人民政府", "addressee: （待填写）"), "utf-8"
    )
    app.state.site.records_written()
    assert step(logged_in(app, "clerk"), DRAFT, "review", result="通过", note="").status_code == 303
    text = source.read_bytes()
    refused = step(logged_in(app, SIGNER), DRAFT, "sign", name="王建国")
    assert refused.status_code == 400
    assert "签发未保存，记录有错误：addressee：仍是“（待填写）”，定稿前必须填写" in refused.text
    assert source.read_bytes() == text and not trail(root, DRAFT, "sign")
