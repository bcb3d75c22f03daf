"""`renda render` and `renda check` through the CLI: selection, formats, errors, JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result


def test_render_docx_writes_one_document_per_record_and_lists_them_in_json(
    renda: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "out"

    result = renda("render", "--all", "--format", "docx", "-o", str(out), "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    written = sorted(Path(f).name for d in report["documents"] for f in d["files"])
    # The starter workspace has one meeting, one opinion, one inspection and one deputy report.
    assert written == sorted(p.name for p in out.glob("*.docx"))
    assert {d["id"] for d in report["documents"]} == {
        "meeting-2025-01",
        "opinion-2025-01",
        "inspection-2025-01",
        "report-2025-01",
    }
    assert report["failures"] == []
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert leftovers == [], "temporary files must not survive a render"


def test_render_by_path_selects_the_record_in_that_file(renda: Callable[..., Result], tmp_path: Path) -> None:
    result = renda("render", "records/2025/opinion-2025-01.yaml", "--format", "docx", "-o", str(tmp_path / "o"))

    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "o").glob("*.docx")] == ["opinion-2025-01.docx"]


def test_render_an_unknown_id_names_it_and_suggests_the_closest(renda: Callable[..., Result], tmp_path: Path) -> None:
    result = renda("render", "opinion-2025-1", "--format", "docx", "-o", str(tmp_path / "o"))

    assert result.exit_code == 1
    assert "找不到记录“opinion-2025-1”" in result.output
    assert "opinion-2025-01" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_render_a_record_that_does_not_validate_is_refused(
    ws: Path, renda: Callable[..., Result], tmp_path: Path
) -> None:
    path = ws / "records/2025/opinion-2025-01.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("date: 2025-04-30", "date: 2025-04-31"), encoding="utf-8")

    result = renda("render", "opinion-2025-01", "--format", "docx", "-o", str(tmp_path / "o"))

    assert result.exit_code == 1
    assert (
        "记录 records/2025/opinion-2025-01.yaml 有错误，无法生成：第 5 行：date: 日期不存在：2025年4月没有31日；"
        "请先运行 renda validate"
    ) in result.output
    assert not (tmp_path / "o").exists()


def test_render_needs_a_selection_and_a_known_format(renda: Callable[..., Result]) -> None:
    nothing = renda("render")
    bad_format = renda("render", "--all", "--format", "odt")

    assert nothing.exit_code == 2
    assert "--all" in nothing.output
    assert bad_format.exit_code == 2
    assert "不支持的格式“odt”" in bad_format.output


def test_check_a_file_that_is_not_a_document_is_an_error_with_a_message(
    tmp_path: Path, renda: Callable[..., Result]
) -> None:
    junk = tmp_path / "letter.pdf"
    junk.write_bytes(b"this is not a pdf at all")

    result = renda("check", str(junk), "--json")

    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report[0]["file"] == str(junk)
    assert report[0]["errors"], report
    assert set(report[0]) == {"file", "verdict", "errors", "warnings", "measures"}


def test_check_a_rendered_docx_declares_office_fonts_and_page_setup(
    renda: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "o"
    renda("render", "opinion-2025-01", "--format", "docx", "-o", str(out))

    result = renda("check", str(out / "opinion-2025-01.docx"))

    assert result.exit_code == 0, result.output
    assert "符合" in result.output


def test_pdfa_on_request_is_identified_embeds_every_font_and_conforms(
    renda: Callable[..., Result], tmp_path: Path
) -> None:
    import re
    import shutil

    import pytest

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    import pdfplumber
    from pdfminer.pdftypes import resolve1

    out = tmp_path / "a"
    result = renda("render", "opinion-2025-01", "--format", "pdfa", "-o", str(out))
    assert result.exit_code == 0, result.output
    pdf_path = out / "opinion-2025-01.pdf"
    with pdfplumber.open(pdf_path) as pdf:
        catalog = pdf.doc.catalog
        xmp = resolve1(catalog["Metadata"]).get_data().decode("utf-8")
        assert re.search(r"<pdfaid:part>2</pdfaid:part>", xmp)
        assert re.search(r"<pdfaid:conformance>B</pdfaid:conformance>", xmp)
        intents = [resolve1(i) for i in resolve1(catalog["OutputIntents"])]
        assert any(resolve1(i["S"]).name == "GTS_PDFA1" and "DestOutputProfile" in i for i in intents)
        assert "Encrypt" not in pdf.doc.xrefs[0].get_trailer()
    checked = renda("check", str(pdf_path), "--json")
    report = json.loads(checked.output)[0]
    assert checked.exit_code == 0 and report["errors"] == []
    fonts = report["measures"]["fonts"]
    assert fonts and all(f["embedded"] for f in fonts)


def test_starter_workspace_documents_pass_the_checker(renda: Callable[..., Result], tmp_path: Path) -> None:
    """What a new user renders first: every PDF of `renda init` passes `renda check` without errors."""
    import shutil

    import pytest

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path / "o"
    assert renda("render", "--all", "--format", "pdf", "-o", str(out)).exit_code == 0
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == 4
    checked = renda("check", *map(str, pdfs), "--json")
    assert checked.exit_code == 0, checked.output
    assert all(r["errors"] == [] for r in json.loads(checked.output))
