"""Rendering: golden canonical text of each .docx kind, and GB/T 9704 measurements on the PDFs.

Regenerate the golden files after an intended change, then review the diff:

    RENDA_REGEN_GOLDEN=1 /tmp/venv/bin/python -m pytest tests/test_render.py -k golden
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from archive.catalog import load_catalog
from archive.catalog_model import NOT_RENDERED
from archive.conformance import check_file
from archive.render import RenderResult, TemplateError, render_documents
from archive.workspace import Workspace

if TYPE_CHECKING:
    from docx.text.paragraph import Paragraph

Rendered = tuple[Path, RenderResult]  # the output folder and what render_documents said

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
MM = 25.4 / 72
HAS_SOFFICE = shutil.which("soffice") is not None
needs_soffice = pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed")
GOLDEN_STEMS = [
    "opinion-2024-01",
    "cwh-17-23",
    "cwh-17-23-决定-1",
    "inspection-2024-01",
    "report-2024-d045",
    "opinion-2022-02",
    "suggestion-2024-003",
    "motion-2024-01",
]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="session")
def workspace() -> Workspace:
    return Workspace(ROOT)


@pytest.fixture(scope="session")
def rendered(workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """Every final sample record, .docx and PDF, in one LibreOffice call."""
    records = [r for r in load_catalog(workspace).records if r.type not in NOT_RENDERED and r.is_final]
    out = tmp_path_factory.mktemp("render")
    result = render_documents(workspace, records, out, formats=("docx", "pdf") if HAS_SOFFICE else ("docx",))
    return out, result


def canonical_text(path: Path) -> str:
    """Paragraph text with style and run fonts; headers and footers; stable across runs."""
    import docx

    document = docx.Document(str(path))
    lines = []

    def describe(p: Paragraph) -> str:
        assert p.style is not None  # python-docx falls back to the default paragraph style
        fonts = []
        for r in p._p.iter(f"{W}r"):
            rf = r.find(f"{W}rPr/{W}rFonts")
            rs = r.find(f"{W}rPr/{W}rStyle")
            fonts.append(rf.get(f"{W}eastAsia") if rf is not None else rs.get(f"{W}val") if rs is not None else "-")
        return f"[{p.style.name}] {{{','.join(fonts)}}} {p.text}"

    for p in document.paragraphs:
        lines.append(describe(p))
    for table in document.tables:
        for row in table.rows:
            lines.append("ROW | " + " | ".join(c.text for c in row.cells))
    for i, section in enumerate(document.sections):
        for name in ("header", "even_page_header", "footer", "even_page_footer"):
            part = getattr(section, name)
            if not part.is_linked_to_previous:
                text = " / ".join(p.text for p in part.paragraphs)
                lines.append(f"SECTION {i} {name}: {text}")
    return "\n".join(lines) + "\n"


def test_every_final_sample_record_renders_without_failure(rendered: Rendered) -> None:
    _, result = rendered
    assert result.failures == []
    kinds = {d.kind for d in result.documents}
    assert {"审议意见书", "纪要", "执法检查报告", "代表述职报告", "决定", "代表建议", "代表议案"} <= kinds


@pytest.fixture(scope="session")
def rendered_docx(workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The golden records as .docx only: what the templates and the layout pass make, before any PDF pass
    (which may fold the 版记 onto the last page, depending on where LibreOffice ended the body)."""
    ids = {stem.split("-决")[0] for stem in GOLDEN_STEMS}
    records = [r for r in load_catalog(workspace).records if r.id in ids]
    out = tmp_path_factory.mktemp("golden")
    assert render_documents(workspace, records, out, formats=("docx",)).failures == []
    return out


@pytest.mark.parametrize("stem", GOLDEN_STEMS)
def test_golden_canonical_text(rendered_docx: Path, stem: str) -> None:
    out = rendered_docx
    text = canonical_text(out / f"{stem}.docx")
    golden = GOLDEN / f"{stem}.txt"
    if os.environ.get("RENDA_REGEN_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"missing {golden}: run with RENDA_REGEN_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")


def test_docx_names_office_fonts_and_no_theme_fonts(rendered: Rendered) -> None:
    import zipfile

    out, _ = rendered
    for stem in GOLDEN_STEMS:
        with zipfile.ZipFile(out / f"{stem}.docx") as z:
            for name in z.namelist():
                if name.endswith(".xml") and name.startswith("word/") and "theme" not in name:
                    xml = z.read(name).decode("utf-8")
                    assert "Theme=" not in xml, f"{stem}:{name} has a theme font"
            styles = z.read("word/styles.xml").decode("utf-8")
            for font in ("方正小标宋简体", "仿宋_GB2312", "楷体_GB2312", "黑体"):
                assert f'w:eastAsia="{font}"' in styles
            doc = z.read("word/document.xml").decode("utf-8")
            assert 'w:type="lines"' in doc and 'w:linePitch="579"' in doc


def test_record_text_renders_literally(workspace: Workspace, tmp_path: Path) -> None:
    import docx

    from archive.records import parse_record

    record = load_catalog(workspace).by_id()["opinion-2024-01"]
    tricky = "{{ x }} {% if %} <b>&amp; ]]> \\ 完"
    record = parse_record(dict(record.data, assessment=[tricky]), record.source)
    result = render_documents(workspace, [record], tmp_path, formats=("docx",))
    assert result.failures == []
    texts = [p.text for p in docx.Document(str(tmp_path / "opinion-2024-01.docx")).paragraphs]
    assert tricky in texts


def test_draft_gets_watermark(workspace: Workspace, tmp_path: Path) -> None:
    import zipfile

    draft = next(r for r in load_catalog(workspace).records if r.status == "draft")
    result = render_documents(workspace, [draft], tmp_path, formats=("docx",))
    assert result.documents and result.documents[0].draft
    with zipfile.ZipFile(result.documents[0].files[0]) as z:
        headers = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/header"))
    assert "<w:t>草稿</w:t>" in headers and "RendaDraftWatermark" in headers


@needs_soffice
def test_draft_pdf_shows_the_watermark_on_every_text_page_and_keeps_the_layout(
    workspace: Workspace, tmp_path: Path
) -> None:
    import pdfplumber

    draft = next(r for r in load_catalog(workspace).records if r.status == "draft")
    result = render_documents(workspace, [draft], tmp_path, formats=("pdf",))
    pdf_path = next(f for f in result.documents[0].files if f.suffix == ".pdf")
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            if any(abs(c["size"] - 16) < 0.1 for c in page.chars):
                big = "".join(c["text"] for c in page.chars if c["size"] > 40)
                assert "草稿" in big, f"page {page.page_number} has text but no 草稿"
    report = check_file(pdf_path)
    assert not report.errors and not report.warnings, [f.message for f in report.errors + report.warnings]


@needs_soffice
def test_every_rendered_sample_pdf_conforms(rendered: Rendered) -> None:
    """Acceptance: `renda check` finds no error (and, after the line-breaking rules, no warning)."""
    out, _ = rendered
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) >= 40
    reports = {p.name: check_file(p) for p in pdfs}
    assert {n: [f.message for f in r.errors] for n, r in reports.items() if r.errors} == {}
    assert {n: [f.message for f in r.warnings] for n, r in reports.items() if r.warnings} == {}
    for name, report in reports.items():
        m = report.measures
        assert m["page_size_mm"] == [210.0, 297.0], name
        assert 27 <= m["left_margin_mm"] <= 29, name
        assert 10.2 <= m["line_pitch_mm"] <= 10.3, name
        if m.get("colophon") and m["format"] != "信函格式":  # a 版记 closes the document on an even page
            assert m["pages"] % 2 == 0 and m["colophon"]["page"] == m["pages"], name


def test_missing_template_variable_is_a_template_error(tmp_path: Path) -> None:
    import docx

    root = tmp_path / "ws"
    shutil.copytree(ROOT / "records", root / "records")
    shutil.copy(ROOT / "renda.yaml", root / "renda.yaml")
    (root / "templates").mkdir()
    template = docx.Document(str(ROOT / "templates" / "resolution.docx"))
    template.add_paragraph("{{ no_such_variable }}")
    template.save(str(root / "templates" / "resolution.docx"))
    ws = Workspace(root)
    meeting = load_catalog(ws).by_id()["cwh-17-23"]
    result = render_documents(ws, [meeting], tmp_path / "out", formats=("docx",))
    assert len(result.failures) == 1
    assert "no_such_variable" in result.failures[0].message
    assert not list((tmp_path / "out").glob("cwh-17-23*.docx")), "a failed record leaves no partial output"
    assert issubclass(TemplateError, Exception)


# ── PDF measurements ─────────────────────────────────────────────────────────────────────────────────


def _lines(page: Any) -> list[list[dict[str, Any]]]:  # a pdfplumber page (untyped)
    rows = defaultdict(list)
    for c in page.chars:
        rows[round(c["top"], 1)].append(c)
    return [sorted(rows[t], key=lambda c: c["x0"]) for t in sorted(rows)]


def _body_lines(page: Any) -> list[list[dict[str, Any]]]:
    return [line for line in _lines(page) if abs(line[0]["size"] - 16) < 0.1 and line[0]["top"] * MM < 262]


@needs_soffice
def test_pdf_grid_on_a_full_page(rendered: Rendered) -> None:
    import pdfplumber

    out, _ = rendered
    with pdfplumber.open(out / "opinion-2024-01.pdf") as pdf:
        page = pdf.pages[1]  # page 2: body only
        assert (round(page.width * MM), round(page.height * MM)) == (210, 297)
        lines = _body_lines(page)
        assert len(lines) == 22
        pitches = [(b[0]["top"] - a[0]["top"]) * MM for a, b in itertools.pairwise(lines)]
        # positions are rounded to twips in the PDF, so single gaps alternate 10.195/10.231 mm
        assert 10.2 <= sum(pitches) / len(pitches) <= 10.3, pitches
        assert all(10.15 <= p <= 10.35 for p in pitches), pitches
        assert min(c["x0"] for line in lines for c in line) * MM == pytest.approx(28, abs=1)
        # the first line box starts at 37 mm; LibreOffice sets the glyph 2.7 mm into its 10.2 mm line
        assert 37 <= lines[0][0]["top"] * MM <= 37 + 3.5
        full = [line for line in lines if all(ord(c["text"]) > 0x2E80 for c in line) and len(line) >= 27]
        assert full and all(len(line) == 28 for line in full)


@needs_soffice
def test_pdf_masthead_title_and_page_numbers(rendered: Rendered) -> None:
    import pdfplumber

    out, _ = rendered
    with pdfplumber.open(out / "opinion-2024-01.pdf") as pdf:
        first = pdf.pages[0]
        mark = _lines(first)[0]
        assert mark[0]["non_stroking_color"] == pytest.approx((0.902, 0, 0.0706), abs=0.01)
        assert mark[0]["top"] * MM == pytest.approx(72, abs=1)
        red = [r for r in first.lines + first.rects if (r.get("stroking_color") or (0,))[0] > 0.8]
        assert red and (red[0]["x1"] - red[0]["x0"]) * MM == pytest.approx(156, abs=0.5)
        titles = [line for line in _lines(first) if abs(line[0]["size"] - 22) < 0.1]
        assert titles
        numbers = {p.page_number: [line for line in _lines(p) if line[0]["top"] * MM > 262] for p in pdf.pages}
        assert "".join(c["text"] for c in numbers[1][0]) == "— 1 —"
        assert numbers[1][0][-1]["x1"] * MM == pytest.approx(184 - 4.94, abs=0.5)  # odd: right, one char in
        assert numbers[2][0][0]["x0"] * MM == pytest.approx(28 + 4.94, abs=0.5)  # even: left, one char in
        assert numbers[1][0][0]["size"] == pytest.approx(14, abs=0.1)
        last = pdf.pages[-1]
        assert len(pdf.pages) % 2 == 0
        # 7.5: the 版记 page follows a page of text, so it is numbered in sequence
        assert any(_lines(p) for p in pdf.pages[-2:-1]), "the page before the 版记 page carries text"
        assert "".join(c["text"] for c in numbers[len(pdf.pages)][0]) == f"— {len(pdf.pages)} —"
        rules = sorted(last.lines + last.rects, key=lambda r: r["top"])
        assert rules[-1]["top"] * MM == pytest.approx(262, abs=1)


@needs_soffice
def test_rendered_page_is_not_blank(rendered: Rendered, tmp_path: Path) -> None:
    out, _ = rendered
    subprocess.run(
        ["pdftoppm", "-gray", "-r", "30", "-f", "1", "-l", "1", str(out / "cwh-17-23.pdf"), str(tmp_path / "p")],
        check=True,
    )
    data = next(tmp_path.glob("p*.pgm")).read_bytes()
    # binary PGM: "P5\n<w> <h>\n255\n" then one byte per pixel
    magic, size, _maxval, pixels = data.split(b"\n", 3)
    width, height = map(int, size.split())
    assert magic == b"P5" and len(pixels) == width * height
    dark = sum(1 for v in pixels if v < 128)
    red_rule_and_text = 500
    assert dark > red_rule_and_text


@needs_soffice
def test_letter_format_is_laid_out_by_chapter_10(rendered: Rendered) -> None:
    """信函格式 (sample opinion-2022-02): measured with pdfplumber directly, not through the checker."""
    import pdfplumber

    out, result = rendered
    assert next(d for d in result.documents if d.record_id == "opinion-2022-02").letter
    with pdfplumber.open(out / "opinion-2022-02.pdf") as pdf:
        first = pdf.pages[0]
        mark = [
            c
            for c in first.chars
            if c["size"] > 20 and c["non_stroking_color"] == pytest.approx((0.902, 0, 0.0706), abs=0.01)
        ]
        assert "".join(c["text"] for c in mark) == "青澜市澄湖区人民代表大会常务委员会"
        assert min(c["top"] for c in mark) * MM == pytest.approx(30, abs=1)
        red = sorted(
            (
                r
                for r in first.lines + first.rects
                if (r.get("stroking_color") or r.get("non_stroking_color") or (0,))[0] > 0.8
            ),
            key=lambda r: r["top"],
        )
        widths = {round((r["x1"] - r["x0"]) * MM) for r in red}
        assert widths == {170}
        ys = [r["top"] * MM for r in red]
        mark_bottom = max(c["bottom"] for c in mark) * MM
        assert ys[0] - mark_bottom == pytest.approx(4, abs=1.5)  # double line 4 mm under the 标志
        assert 297 - ys[-1] == pytest.approx(20, abs=1.5)  # and 20 mm above the page bottom
        number = [ln for ln in _lines(first) if "".join(c["text"] for c in ln).startswith("澄人常函")]
        assert number and number[0][-1]["x1"] * MM == pytest.approx(184, abs=1)  # 发文字号 flush right
        assert not [ln for ln in _lines(first) if ln[0]["top"] * MM > 262 and ln[0]["size"] < 15], "no number on page 1"
        last = pdf.pages[-1]
        cc = [ln for ln in _lines(last) if "".join(c["text"] for c in ln).strip().startswith("抄送")]
        assert cc and cc[0][0]["size"] == pytest.approx(14, abs=0.1)
        assert cc[0][0]["bottom"] * MM == pytest.approx(262, abs=3)  # at the foot of the text block
        assert not [r for r in last.lines + last.rects if r["top"] * MM > 200], "a letter's 版记 has no rules"


@needs_soffice
def test_every_envelope_element_renders_and_conforms(workspace: Workspace, tmp_path: Path) -> None:
    """份号, 密级★保密期限, 紧急程度, 签发人, 附件说明 and two 附件 pages on one opinion, measured on the PDF."""
    import pdfplumber

    from archive.records import parse_record

    record = load_catalog(workspace).by_id()["opinion-2024-01"]
    data = dict(record.data)
    data.update(
        classification="秘密",
        copy_number="000123",
        secrecy_period="1年",
        urgency="特急",
        signatory="韩长林",
        attachments=[
            {
                "title": "区人民政府优化营商环境工作任务分解表",
                "body": [
                    {"h1": "一、全面推行“综合查一次”"},
                    "由区司法局牵头，各执法部门按季度制定联合检查计划并向社会公布。",
                ],
            },
            {"title": "审议意见落实情况报告格式", "body": ["报告应当写明落实措施、取得成效、存在问题和下一步打算。"]},
        ],
    )
    record = parse_record(data, record.source)
    result = render_documents(workspace, [record], tmp_path, formats=("docx", "pdf"))
    assert result.failures == [] and result.notices == []
    pdf_path = tmp_path / "opinion-2024-01.pdf"
    report = check_file(pdf_path)
    assert not report.errors, [f.message for f in report.errors]
    with pdfplumber.open(pdf_path) as pdf:
        first = _lines(pdf.pages[0])
        texts = ["".join(c["text"] for c in line) for line in first]
        assert texts[:3] == ["000123", "秘密★1年", "特急"]  # top left of the text block, in this order
        for line in first[:3]:
            assert line[0]["x0"] * MM == pytest.approx(28, abs=0.6)
        assert "Sans" in first[1][0]["fontname"] and "Sans" in first[2][0]["fontname"]  # 黑体
        number = next(line for line in first if "".join(c["text"] for c in line).startswith("澄人常函"))
        signer = "".join(c["text"] for c in number)
        assert signer.endswith("签发人：韩长林")
        assert number[0]["x0"] * MM == pytest.approx(28 + 5.6, abs=0.8)  # 发文字号 left, one character in
        assert number[-1]["x1"] * MM == pytest.approx(184 - 5.6, abs=0.8)  # 签发人 right, one character in
        assert "Kai" in number[-1]["fontname"] or "WenKai" in number[-1]["fontname"]  # the name in 楷体
        pages = {p.page_number: ["".join(c["text"] for c in line) for line in _lines(p)] for p in pdf.pages}
        note = next(n for n, lines in pages.items() if any(t.startswith("附件：1.") for t in lines))
        assert any(t.startswith("2.审议意见落实情况报告格式") for t in pages[note])
        labels = [n for n, lines in pages.items() if lines and lines[0] == "附件1"]
        assert labels and labels[0] > note  # an attachment starts on a new page
        label_page = pdf.pages[labels[0] - 1]
        rows = _lines(label_page)
        assert rows[0][0]["top"] * MM == pytest.approx(37 + 2.7, abs=1.5)  # line 1
        title = next(r for r in rows if abs(r[0]["size"] - 22) < 0.1)
        assert "".join(c["text"] for c in title).startswith("区人民政府优化营商环境")
        assert (title[0]["top"] - rows[0][0]["top"]) * MM == pytest.approx(2 * 10.2, abs=2.5)  # line 3
        assert any(lines and lines[0] == "附件2" for lines in pages.values())
        body = [t for t in pages[labels[0]] if t.startswith("由区司法局牵头")]
        assert body and len(body[0]) >= 20  # attachment text set in lines across the block
        assert any(t.startswith("一、全面推行") for t in pages[labels[0]])


def test_headings_numbered_by_hand_are_not_numbered_twice() -> None:
    from archive.records import Block
    from archive.render.documents import number_blocks

    rows = number_blocks(
        [Block(1, "一、总体情况"), Block(1, "存在的问题"), Block(2, "（一）执法不严"), Block(2, "整改")]
    )
    assert [r["lead"] for r in rows] == ["一、总体情况", "二、存在的问题", "（一）执法不严", "（二）整改"]


@needs_soffice
def test_imprint_shares_the_last_even_page_when_it_fits_and_keeps_a_page_of_its_own_otherwise(
    rendered: Rendered,
) -> None:
    import docx
    import pdfplumber

    out, _ = rendered

    def layout(stem: str) -> tuple[int, list[float], list[str]]:
        with pdfplumber.open(out / f"{stem}.pdf") as pdf:
            last = pdf.pages[-1]
            rules = sorted(r["top"] * MM for r in last.lines + last.rects if (r["x1"] - r["x0"]) * MM > 140)
            texts = ["".join(c["text"] for c in line) for line in _lines(last)]
            return len(pdf.pages), rules, texts

    # zrh-17-20: the body ends half-way down page 2, so the 版记 goes under it on that page
    # (cwh-17-19 did until its agenda and decisions were printed; the 常委会 minutes now run to 4 pages)
    pages, rules, texts = layout("zrh-17-20")
    assert pages == 2 and rules[-1] == pytest.approx(262, abs=1)
    assert "— 2 —" in texts and any(t.startswith("出席") or t.startswith("列席") for t in texts)
    assert len(docx.Document(str(out / "zrh-17-20.docx")).sections) == 1  # the .docx matches the PDF
    # opinion-2024-03: the body ends on page 3 (odd): the 版记 takes page 4, numbered after a page of text (7.5)
    pages, rules, texts = layout("opinion-2024-03")
    assert pages == 4 and rules[-1] == pytest.approx(262, abs=1)
    assert "— 4 —" in texts
    assert len(docx.Document(str(out / "opinion-2024-03.docx")).sections) == 2


def test_fold_merges_the_imprint_section_and_keeps_the_page_numbers(rendered_docx: Path, tmp_path: Path) -> None:
    import docx

    from archive.render.imprint import Placement, rewrite

    source = rendered_docx / "opinion-2024-01.docx"
    before = docx.Document(str(source))
    assert len(before.sections) == 2
    # measured: a blank page before the 版记 page, the body ending 100 mm down its even page
    rewrite(source, tmp_path / "folded.docx", "fold", Placement(4, 251, 262, True, 100))
    after = docx.Document(str(tmp_path / "folded.docx"))
    assert len(after.sections) == 1
    footer_xml = after.sections[0].footer._element.xml
    assert "PAGE" in footer_xml  # the body's numbered footer, not the 版记 section's empty one
    assert [p.text for p in after.paragraphs if p.text] == [p.text for p in before.paragraphs if p.text]


def test_pdf_pool_size_follows_cores_and_batch_size(monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.render import conversion

    monkeypatch.delenv("RENDA_PDF_WORKERS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert conversion.workers(1) == 1  # one document: one process
    assert conversion.workers(8) == 2  # each process gets at least four documents
    assert conversion.workers(100) == 4  # never more than the cores
    monkeypatch.setenv("RENDA_PDF_WORKERS", "3")
    assert conversion.workers(100) == 3 and conversion.workers(2) == 2


@needs_soffice
@pytest.mark.parametrize(
    ("sealed", "issuer"),
    [
        (True, "澄湖区人大常委会"),
        (True, "青澜市澄湖区人民代表大会常务委员会"),
        (False, "青澜市澄湖区人民代表大会常务委员会"),
    ],
)
def test_signature_date_and_note_follow_the_sealed_and_unsealed_rules(
    workspace: Workspace, tmp_path: Path, sealed: bool, issuer: str
) -> None:
    """7.3.5: sealed — date 4 characters from the right, 署名 centred over it (a 署名 too long for that stays
    flush right inside the text block); unsealed — 署名 2 characters from the right, the date's first
    character 2 characters right of the 署名's; 附注 indented 2, in brackets."""
    import pdfplumber

    from archive.records import parse_record

    record = load_catalog(workspace).by_id()["opinion-2024-01"]
    data = dict(record.data, sealed=sealed, issuer=issuer, note="联系人：区人大常委会办公室 王晓红，电话 0571-12345678")
    record = parse_record(data, record.source)
    result = render_documents(workspace, [record], tmp_path, formats=("pdf",))
    assert result.failures == []
    char = 16 * 25.4 / 72 - 0.25 * 25.4 / 72  # one 3号 character with −0.25 pt spacing
    with pdfplumber.open(tmp_path / "opinion-2024-01.pdf") as pdf:
        rows = [line for page in pdf.pages for line in _lines(page)]
    text = ["".join(c["text"] for c in line) for line in rows]
    i = text.index(issuer)
    signer, date, note = rows[i], rows[i + 1], rows[i + 2]
    assert text[i + 1] == "2024年5月6日" and text[i + 2].startswith("（联系人")
    if sealed:
        assert date[-1]["x1"] * MM == pytest.approx(184 - 4 * char, abs=1.2)
        centre = (date[0]["x0"] + date[-1]["x1"]) / 2 * MM
        half = len(issuer) * char / 2
        if centre + half <= 184:
            assert (signer[0]["x0"] + signer[-1]["x1"]) / 2 * MM == pytest.approx(centre, abs=1.5)
        else:
            assert signer[-1]["x1"] * MM == pytest.approx(184, abs=1.2)
    else:
        assert signer[-1]["x1"] * MM == pytest.approx(184 - 2 * char, abs=1.2)
        assert (date[0]["x0"] - signer[0]["x0"]) * MM == pytest.approx(2 * char, abs=1.2)
    assert note[0]["x0"] * MM == pytest.approx(28 + 2 * char, abs=1.2)


# Word refuses a file whose property elements are out of schema order (LibreOffice does not care, so a
# PDF made here proves nothing about it).  ECMA-376 sequences, header and footer references interleaved.
RPR_ORDER = [
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
]
SECTPR_ORDER = [
    "headerReference",
    "footnotePr",
    "endnotePr",
    "type",
    "pgSz",
    "pgMar",
    "paperSrc",
    "pgBorders",
    "lnNumType",
    "pgNumType",
    "cols",
    "formProt",
    "vAlign",
    "noEndnote",
    "titlePg",
    "textDirection",
    "bidi",
    "rtlGutter",
    "docGrid",
    "printerSettings",
    "sectPrChange",
]


def test_every_docx_keeps_the_element_order_word_requires(rendered: Rendered) -> None:
    import zipfile

    from lxml import etree

    from archive.render._ooxml import _PPR_ORDER

    out, _ = rendered
    orders = {"pPr": _PPR_ORDER, "rPr": RPR_ORDER, "sectPr": SECTPR_ORDER}
    files = sorted(out.glob("*.docx")) + sorted((ROOT / "templates").glob("*.docx"))
    assert len(files) > 40
    wrong = []
    for path in files:
        with zipfile.ZipFile(path) as z:
            for part in (n for n in z.namelist() if n.startswith("word/") and n.endswith(".xml")):
                root = etree.fromstring(z.read(part))
                for tag, order in orders.items():
                    for el in root.iter(f"{W}{tag}"):
                        names = [c.tag[len(W) :] for c in el if c.tag.startswith(W)]
                        names = ["headerReference" if n == "footerReference" else n for n in names]
                        ranks = [order.index(n) if n in order else -1 for n in names]
                        if -1 in ranks or ranks != sorted(ranks):
                            wrong.append(f"{path.name}:{part}: {tag} {names}")
    assert wrong == []


def test_pdf_batches_are_split_so_no_process_gets_too_many(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """LibreOffice 7.4 stops converting after ~240 documents in one process: batches are cut below that,
    and a fixed ``processes`` gives the same split on any machine."""
    from archive.render import conversion

    calls: list[int] = []

    class FakeProcess:
        pid = 0

        def __init__(self, cmd: list[str]) -> None:
            files = [Path(a) for a in cmd if a.endswith(".docx")]
            calls.append(len(files))
            for f in files:
                (tmp_path / "out" / (f.stem + ".pdf")).write_bytes(b"%PDF-1.7\n%%EOF\n")  # whole, if empty

        def communicate(self, timeout: float | None = None) -> tuple[str, str]:  # noqa: ARG002 (Popen's signature)
            return "", ""

    (tmp_path / "out").mkdir()
    monkeypatch.setattr(conversion, "find_soffice", lambda: "soffice")
    monkeypatch.setattr(subprocess, "Popen", lambda cmd, **_kw: FakeProcess(cmd))
    files = [tmp_path / f"d{i:03d}.docx" for i in range(250)]
    converted = conversion.convert_to_pdf(files, tmp_path / "out", None, processes=1)
    assert len(converted) == 250
    assert calls == [84, 83, 83] and max(calls) <= conversion.MAX_DOCS_PER_PROCESS


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        # the old breaker cut 人居环境 after 人 to balance the lines
        (
            "澄湖区人大常委会关于区人民政府农村人居环境整治提升工作情况报告的审议意见",
            ["澄湖区人大常委会关于区人民政府农村", "人居环境整治提升工作情况报告的审议意见"],
        ),
        (
            "关于召开青澜市澄湖区第十七届人民代表大会第一次会议的决定",
            ["关于召开青澜市澄湖区第十七届", "人民代表大会第一次会议的决定"],
        ),
        ("区第十六届人大常委会第三十九次会议纪要", ["区第十六届人大常委会第三十九次会议纪要"]),
    ],
)
def test_titles_break_between_words_into_balanced_lines(title: str, lines: list[str]) -> None:
    from archive.render.documents import break_title

    assert break_title(title).split("\n") == lines


def test_long_titles_keep_numbers_with_their_unit_and_no_line_opens_with_a_closing_mark() -> None:
    from archive.render.documents import NO_LINE_START, break_title

    title = (
        "澄湖区人大常委会关于区人民政府2023年度国有资产管理情况综合报告"
        "和关于加强行政事业性国有资产管理的专项报告的审议意见"
    )
    lines = break_title(title).split("\n")
    assert "".join(lines) == title and all(len(line) <= 20 for line in lines)
    assert not any(line[-1].isdigit() for line in lines[:-1])  # 2023 stays with 年度
    assert not any(line[0] in NO_LINE_START for line in lines)
    assert not any(a.endswith("行") and b.startswith("政") for a, b in itertools.pairwise(lines))  # 行政 whole
