"""Suggestions and motions as documents and in the annual archive (issue 15 item 4): `renda render` makes the
deputy's text on the proposal template (measured by the GB/T 9704 checker), and `renda archive build` files
each suggestion with its handling registration and the organ's answer PDF as one 件, bounded by 密级 like every
record.  Expected values are read from the YAML files, never from the library."""

from __future__ import annotations

import csv
import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
import yaml
from click.testing import Result

Run = Callable[..., Result]
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is required")
NS = "{urn:renda:metadata:da-t-46-2009}"
FIXTURES = Path(__file__).parent / "fixtures" / "pdf"


def _yaml(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def _names(root: Path) -> dict[str, str]:
    out = {}
    for path in (root / "records" / "deputies").rglob("*.yaml"):
        data = _yaml(path)
        out[data["id"]] = data["name"]
    return out


def _set_answer_file(path: Path, rel: str) -> None:
    """What the clerk writes when the organ's answer letter is filed: ``file:`` under the first answer."""
    lines = path.read_text(encoding="utf-8").splitlines()
    at = lines.index("  answer:")
    lines.insert(at + 1, f"    file: {rel}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _set_report_file(path: Path, rel: str, digest: str) -> None:
    """What the platform writes when an organ's report PDF is confirmed: ``file`` and ``sha256`` under the
    opinion's first report."""
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("- received:"))
    indent = " " * (len(lines[at]) - len(lines[at].lstrip()) + 2)
    lines[at + 1 : at + 1] = [f"{indent}file: {rel}", f"{indent}sha256: {digest}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _set(path: Path, key: str, value: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [f"{key}: {value}" if line.startswith(f"{key}: ") else line for line in lines]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "".join((page.extract_text() or "") for page in pdf.pages).replace(" ", "").replace("\n", "")


def _pages(path: Path) -> int:
    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


@needs_soffice
def test_render_writes_a_suggestion_and_a_motion_that_meet_gb_t_9704(root: Path, run: Run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("render", "suggestion-2024-003", "motion-2024-01", "-o", str(out), "--json")

    assert result.exit_code == 0, result.output
    kinds = {d["id"]: d["kind"] for d in json.loads(result.output)["documents"]}
    assert kinds == {"suggestion-2024-003": "代表建议", "motion-2024-01": "代表议案"}
    names = _names(root)
    for rid in kinds:
        data = _yaml(next((root / "records").rglob(f"{rid}.yaml")))
        text = _pdf_text(out / f"{rid}.pdf")
        assert data["title"] in text
        assert f"领衔代表：{names[data['lead']]}" in text
        assert "附议代表：" + "、".join(names[d] for d in data["cosigners"]) in text
        assert f"第{data['number']}号" in text
        checked = run("check", str(out / f"{rid}.pdf"))
        assert checked.exit_code == 0, checked.output


def test_render_all_includes_every_final_suggestion_and_motion(root: Path, run: Run, tmp_path: Path) -> None:
    result = run("render", "--all", "--format", "docx", "-o", str(tmp_path / "out"), "--json")

    assert result.exit_code == 0, result.output
    rendered = {d["id"] for d in json.loads(result.output)["documents"]}
    proposals = {
        data["id"]
        for path in (root / "records").rglob("*.yaml")
        if (data := _yaml(path)).get("type") in ("suggestion", "motion")
    }
    assert len(proposals) > 50
    assert proposals <= rendered


def test_a_suggestion_naming_an_unreadable_answer_pdf_blocks_the_archive(root: Path, run: Run) -> None:
    (root / "answers").mkdir()
    (root / "answers" / "broken.pdf").write_bytes(b"%PDF-1.7\nnot really a pdf\n")
    record = root / "records" / "2021" / "suggestion-2021-003.yaml"
    _set_answer_file(record, "answers/broken.pdf")

    check = run("archive", "build", "2021", "--check")

    assert check.exit_code == 1, check.output
    assert "records/2021/suggestion-2021-003.yaml: 错误：答复文件 answers/broken.pdf：" in check.output
    assert "有 1 个问题会阻止归档" in check.output


@needs_soffice
def test_the_archive_files_each_suggestion_with_its_handling_and_answer_as_one_item(
    root: Path, run: Run, tmp_path: Path
) -> None:
    year = 2021
    (root / "answers").mkdir()
    answer = root / "answers" / "answer-2021-003.pdf"  # a real PDF with embedded fonts stands for the answer
    shutil.copy(FIXTURES / "article-budget.pdf", answer)
    answered = root / "records" / "2021" / "suggestion-2021-003.yaml"
    _set_answer_file(answered, answer.relative_to(root).as_posix())
    secret = root / "records" / "2021" / "suggestion-2021-005.yaml"
    _set(secret, "classification", "秘密")  # above the workspace's 内部: withheld, not counted
    expected = {}
    for path in (root / "records" / str(year)).glob("*.yaml"):
        data = _yaml(path)
        if data["type"] in ("suggestion", "motion") and data["status"] == "final":
            expected[data["id"]] = data
    assert "suggestion-2021-005" in expected

    built = run("archive", "build", str(year), "-o", str(tmp_path / "pkg"), "--json")

    assert built.exit_code == 0, built.output
    report = json.loads(built.output)
    items = {i["id"]: i for i in report["items"]}
    kept = {rid for rid, data in expected.items() if data["classification"] in ("公开", "内部")}
    assert kept == {rid for rid in items if rid.startswith(("suggestion-", "motion-"))}
    assert "suggestion-2021-005" not in items and report["withheld"] == 1
    package = Path(report["path"])

    # the answered one: its own document, the registration page, then the organ's answer, in one PDF
    item = items["suggestion-2021-003"]
    pdf = package / item["pdf"]
    alone = tmp_path / "alone"
    assert run("render", "suggestion-2021-003", "--format", "pdf", "-o", str(alone)).exit_code == 0
    own = _pages(alone / "suggestion-2021-003.pdf")
    assert item["pages"] == _pages(pdf) == own + 1 + _pages(answer)
    with pdfplumber.open(pdf) as opened:
        registration = (opened.pages[own].extract_text() or "").replace(" ", "")
        last = opened.pages[-1].extract_text() or ""
    with pdfplumber.open(answer) as original:
        assert last == (original.pages[-1].extract_text() or "")
    data = expected["suggestion-2021-003"]
    assert "办理情况登记" in registration and data["handling"]["answer"]["doc_number"] in registration
    assert data["handling"]["evaluation"]["result"] in registration

    meta = ET.parse(pdf.with_suffix(".xml")).getroot()
    parts = [
        (p.find(f"{NS}role").text, int(p.find(f"{NS}pages").text))  # type: ignore[union-attr,arg-type]
        for p in meta.iter(f"{NS}part")
    ]
    assert parts == [("正本", own), ("办理情况登记", 1), ("答复", _pages(answer))]
    relation = meta.find(f"{NS}relation")
    assert relation is not None
    assert relation.findtext(f"{NS}relationType") == "组成部分"
    assert relation.findtext(f"{NS}documentNumber") == data["handling"]["answer"]["doc_number"]

    # the catalogue: the lead deputy is the 责任者, the answer is named in 备注
    names = _names(root)
    rows = {}
    for path in (package / "data").rglob("归档文件目录.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows.update({r["档号"]: r for r in csv.DictReader(handle)})
    for rid in kept:
        row = rows[items[rid]["code"]]
        assert row["题名"] == expected[rid]["title"]
        assert row["责任者"] == names[expected[rid]["lead"]]
    remark = rows[item["code"]]["备注"]
    assert remark == f"答复（已并入本件）：{data['handling']['answer']['doc_number']}"

    # the statistics count the suggestions the archive holds, not the withheld one
    stats = report["statistics"]["suggestions"]
    raised = {rid for rid in kept if expected[rid]["type"] == "suggestion"}
    assert set(stats["received"]["records"]) == raised
    assert report["statistics"]["motions"] == sum(1 for rid in kept if expected[rid]["type"] == "motion")

    verified = run("archive", "verify", str(package))
    assert verified.exit_code == 0, verified.output


@needs_soffice
def test_an_opinion_report_submitted_on_the_platform_is_filed_in_the_opinion_item(
    root: Path, run: Run, tmp_path: Path
) -> None:
    """An organ's 研究处理情况报告 uploaded on the platform (file and SHA-256 under the report) goes into the
    opinion's 件 after its own pages, as the suggestions' answers do; the package verifies."""
    import hashlib

    record = root / "records" / "2022" / "opinion-2022-02.yaml"
    report_pdf = record.parent / "opinion-2022-02.report-0123456789abcdef.pdf"
    shutil.copy(FIXTURES / "article-liaison.pdf", report_pdf)
    digest = hashlib.sha256(report_pdf.read_bytes()).hexdigest()
    _set_report_file(record, report_pdf.relative_to(root).as_posix(), digest)
    data = _yaml(record)
    assert data["follow_up"]["reports"][0]["sha256"] == digest

    built = run("archive", "build", "2022", "-o", str(tmp_path / "pkg"), "--json")

    assert built.exit_code == 0, built.output
    report = json.loads(built.output)
    item = next(i for i in report["items"] if i["id"] == "opinion-2022-02")
    pdf = Path(report["path"]) / item["pdf"]
    alone = tmp_path / "alone"
    assert run("render", "opinion-2022-02", "--format", "pdf", "-o", str(alone)).exit_code == 0
    own = _pages(alone / "opinion-2022-02.pdf")
    assert item["pages"] == _pages(pdf) == own + _pages(report_pdf)
    with pdfplumber.open(pdf) as opened, pdfplumber.open(report_pdf) as original:
        assert (opened.pages[-1].extract_text() or "") == (original.pages[-1].extract_text() or "")
    meta = ET.parse(pdf.with_suffix(".xml")).getroot()
    parts = [(p.findtext(f"{NS}role"), int(p.findtext(f"{NS}pages") or 0)) for p in meta.iter(f"{NS}part")]
    assert parts == [("正本", own), ("研究处理情况报告", _pages(report_pdf))]
    assert any(r.findtext(f"{NS}relationType") == "组成部分" for r in meta.iter(f"{NS}relation"))

    verified = run("archive", "verify", str(Path(report["path"])))
    assert verified.exit_code == 0, verified.output


def test_a_report_pdf_changed_after_upload_is_a_validation_error(root: Path, run: Run) -> None:
    record = root / "records" / "2022" / "opinion-2022-02.yaml"
    report_pdf = record.parent / "opinion-2022-02.report-0123456789abcdef.pdf"
    shutil.copy(FIXTURES / "article-liaison.pdf", report_pdf)
    _set_report_file(record, report_pdf.relative_to(root).as_posix(), "f" * 64)

    result = run("validate")

    assert result.exit_code == 1
    assert "follow_up.reports[0].sha256" in result.output and "SHA-256 与记录不符" in result.output
