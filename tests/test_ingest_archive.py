"""Imported documents in the annual archive and in render (issue 16 item 10): a document record is
archived as its own PDF made PDF/A-2b, pre-flight says exactly what build does, and render copies the
original instead of reporting success with no file."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pdfplumber
import pytest
import yaml
from click.testing import Result
from pdfgen import official_pdf
from samples import snapshot

from archive.pdfa import inspect_pdf

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"
Run = Callable[..., Result]
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is required")


def _set(path: Path, **fields: str) -> None:
    """What the clerk does after checking an imported record against its original."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for key, value in fields.items():
        lines = [f"{key}: {value}" if line.startswith(f"{key}: ") else line for line in lines]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _expected(root: Path, year: int, ceiling: str = "内部") -> tuple[set[str], set[str], set[str]]:
    """(archived, drafts, withheld) ids of the year, read straight from the YAML files."""
    levels = ["公开", "内部", "秘密", "机密"]
    archived, drafts, withheld = set(), set(), set()
    for path in (root / "records").rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("type") == "deputy" or not str(data.get("date", "")).startswith(str(year)):
            continue
        if data["status"] != "final":
            drafts.add(data["id"])
        elif levels.index(data["classification"]) > levels.index(ceiling):
            withheld.add(data["id"])
        else:
            archived.add(data["id"])
    return archived, drafts, withheld


@needs_soffice
def test_check_predicts_build_and_an_imported_document_is_archived_as_its_own_pdf_a(
    root: Path, run: Run, tmp_path: Path
) -> None:
    secret = official_pdf(tmp_path / "secret.pdf", ["秘密★1年"], date="2022年5月6日")
    unmarked = official_pdf(tmp_path / "plain.pdf", [], body="请各单位认真组织开展专题调研。", date="2022年6月1日")
    imported = run("import", str(FIXTURES / "article-budget.pdf"), str(secret), str(unmarked), "--json")
    assert imported.exit_code == 0, imported.output
    ids = {Path(i["file"]).name: i["id"] for i in json.loads(imported.output)["imported"]}
    article = root / "records" / "2022" / f"{ids['article-budget.pdf']}.yaml"
    _set(article, status="final", classification="公开")  # checked against the original by the clerk
    archived, drafts, withheld = _expected(root, 2022)
    assert ids["article-budget.pdf"] in archived
    assert ids["secret.pdf"] in withheld and ids["plain.pdf"] in drafts

    check = run("archive", "build", "2022", "--check")
    assert check.exit_code == 0, check.output
    assert f"2022 年度：{len(archived)} 件" in check.output and "可以归档" in check.output
    built = run("archive", "build", "2022", "-o", str(tmp_path / "out"), "--json")
    assert built.exit_code == 0, built.output  # today: 没有生成 PDF
    report = json.loads(built.output)
    assert {i["id"] for i in report["items"]} == archived
    assert set(report["drafts"]) == drafts and report["withheld"] == len(withheld)

    (item,) = [i for i in report["items"] if i["id"] == ids["article-budget.pdf"]]
    pdf = Path(report["path"]) / item["pdf"]
    facts = inspect_pdf(pdf)
    assert (facts.pdfa_part, facts.pdfa_conformance, facts.output_intent) == ("2", "B", True)
    assert facts.unembedded_fonts == () and facts.active_content == () and not facts.encrypted
    with pdfplumber.open(FIXTURES / "article-budget.pdf") as original, pdfplumber.open(pdf) as stored:
        assert len(stored.pages) == len(original.pages) == item["pages"]
        text = "".join(page.extract_text() for page in stored.pages)
    assert "预算联网监督系统" in text  # the original's pages, not a re-rendering
    assert item["code"].replace("·", "-").rsplit("-", 1)[-1] in text  # the 归档章 is laid over page 1
    verified = run("archive", "verify", report["path"])
    assert verified.exit_code == 0, verified.output


def test_check_blocks_exactly_what_build_refuses_an_original_that_cannot_be_pdf_a(
    root: Path, run: Run, tmp_path: Path
) -> None:
    # a 公开 notice whose font is not embedded: it cannot become PDF/A with its pages kept
    notice = official_pdf(tmp_path / "notice.pdf", ["公开"], date="2022年5月6日")
    assert run("import", str(notice)).exit_code == 0
    archived, _, _ = _expected(root, 2022)
    assert "document-2022-01" in archived

    check = run("archive", "build", "2022", "--check")
    message = "records/2022/document-2022-01.yaml: 错误：原 PDF 有未嵌入的字体（RendaTestSong），不能作为 PDF/A 归档"
    assert check.exit_code == 1
    assert message in check.output and "有 1 个问题会阻止归档" in check.output
    before = snapshot(root)
    built = run("archive", "build", "2022", "-o", str(tmp_path / "out"))
    assert built.exit_code == 1
    assert message in built.output and "归档未进行" in built.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert snapshot(root) == before


def test_render_of_an_imported_document_copies_its_original(root: Path, run: Run, tmp_path: Path) -> None:
    assert run("import", str(FIXTURES / "article-budget.pdf")).exit_code == 0
    original = root / "records" / "2022" / "document-2022-01.pdf"

    copied = run("render", "document-2022-01", "-o", str(tmp_path / "pdf"))
    assert copied.exit_code == 0, copied.output
    assert f"已生成 {tmp_path / 'pdf' / 'document-2022-01.pdf'}（草稿）" in copied.output
    assert "共生成 1 个文件，0 个失败。" in copied.output  # today: 共生成 0 个文件, exit 0
    assert (tmp_path / "pdf" / "document-2022-01.pdf").read_bytes() == original.read_bytes()

    as_pdfa = run("render", "document-2022-01", "--format", "pdfa", "-o", str(tmp_path / "pdfa"))
    assert as_pdfa.exit_code == 0, as_pdfa.output
    facts = inspect_pdf(tmp_path / "pdfa" / "document-2022-01.pdf")
    assert (facts.pdfa_part, facts.pdfa_conformance, facts.output_intent) == ("2", "B", True)


def test_render_says_an_imported_document_has_no_docx_and_fails_when_that_was_all_asked(
    run: Run, tmp_path: Path
) -> None:
    assert run("import", str(FIXTURES / "article-budget.pdf")).exit_code == 0
    result = run("render", "document-2022-01", "--format", "docx", "-o", str(tmp_path / "out"))

    assert result.exit_code == 1
    assert "records/2022/document-2022-01.yaml: 错误：外来文件记录已有原件 PDF，无需生成 .docx" in result.output
    assert "共生成 0 个文件，1 个失败。" in result.output


def test_render_refuses_to_copy_an_original_that_was_replaced(root: Path, run: Run, tmp_path: Path) -> None:
    assert run("import", str(FIXTURES / "article-budget.pdf")).exit_code == 0
    stored = root / "records" / "2022" / "document-2022-01.pdf"
    stored.write_bytes((FIXTURES / "article-liaison.pdf").read_bytes())
    assert (
        hashlib.sha256(stored.read_bytes()).hexdigest() not in (root / "records/2022/document-2022-01.yaml").read_text()
    )

    result = run("render", "document-2022-01", "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "原始文件的 SHA-256 与记录不符" in result.output
    assert not (tmp_path / "out" / "document-2022-01.pdf").exists()


def test_an_original_with_a_launch_action_is_blocked_by_check_and_build(root: Path, run: Run, tmp_path: Path) -> None:
    import pikepdf

    hostile = tmp_path / "launch.pdf"
    with pikepdf.open(FIXTURES / "article-budget.pdf") as pdf:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe"))
        pdf.save(hostile)
    assert run("import", str(hostile)).exit_code == 0
    _set(root / "records" / "2022" / "document-2022-01.yaml", status="final", classification="公开")

    message = (
        "records/2022/document-2022-01.yaml: 错误：原 PDF 含有 Launch 动作，位于 /OpenAction，PDF/A 不允许，不能归档"
    )
    check = run("archive", "build", "2022", "--check")
    assert check.exit_code == 1 and message in check.output
    built = run("archive", "build", "2022", "-o", str(tmp_path / "out"))
    assert built.exit_code == 1 and message in built.output
