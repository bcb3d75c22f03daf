"""预览, 核稿 and 签发 on the web: the preview's pages are real PNGs of the PDF's page count with the GB/T 9704
check beside them, rendered once per version; the workflow's happy path and each refusal."""

from __future__ import annotations

import re
import shutil
import struct
import threading
from pathlib import Path

import pdfplumber
import pytest
import yaml
from samples import copy_sample
from starlette.applications import Starlette
from starlette.testclient import TestClient

from archive.conformance import check_file
from webapp.conftest import ClientAs, client_at, planted_app
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
    assert LEVELS.index("秘密") > LEVELS.index("内部")
