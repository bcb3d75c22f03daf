"""`renda check` and `renda import` on documents made elsewhere (issue 11 item 9).

The corpus in tests/fixtures/outside/ is made by make_outside.py there (its docstring says what each file
is).  The expected verdicts below were decided by looking at every page as an image (pdftoppm) and by how
each file was built, not by running the checker: a clause the page meets must raise no error, each clearly
wrong element must be flagged with its clause, on its page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from click.testing import Result

from archive.conformance import Finding, check_file
from archive.ingest import Line, extract
from archive.source import parse_yaml

OUTSIDE = Path(__file__).parent / "fixtures" / "outside"
Renda = Callable[..., Result]
TITLE = "关于全区生态环境保护工作情况的审议意见"

# file → (errors, warnings) as {(rule, page)}; page None = a finding about the whole document
EXPECTED: dict[str, tuple[set[tuple[str, int | None]], set[tuple[str, int | None]]]] = {
    # glyph tops of pages 2 and 3 at 37.0 mm (Typst/LaTeX): the 天头 holds; everything else as the standard asks
    "typst-conforming.pdf": (set(), set()),
    # the same page with Word/LibreOffice line boxes (glyph centred in a 28.95 pt line, ink from ~39.9 mm)
    "word-conforming.pdf": (set(), set()),
    # the text block starts at 31 mm on pages 2 and 3: too high whichever way a line is measured
    "latex-high-start.pdf": ({("first_line_top", 2), ("first_line_top", 3)}, set()),
    # odd pages at 28 mm, even pages at 26 mm from the left; 订口 read as 5.2.1 writes it, 订口（左白边）:
    # the even pages fail, each named; their full lines end 28 mm from the right edge, their numbers
    # stand one character in from a 26 mm margin.  Page 1's 标志 is centred in page 1's block.
    "mirrored-margins.pdf": (
        {("left_margin", 2), ("left_margin", 4)},
        {("text_fills_width", 2), ("text_fills_width", 4), ("page_number_even", 2), ("page_number_even", 4)},
    ),
    # a 16 pt 页眉 at 17.6 mm on all three pages: flagged once (公文 carry none), and not taken for the title
    "running-header.pdf": (set(), {("running_header", None)}),
    # US Letter: the paper is wrong (5.1, 规定); the page holds 20 lines; "— N —" is there, centred
    "letter-centred.pdf": (
        {("page_size", 1)},
        {("lines_per_page", 2), ("page_number_odd", 1), ("page_number_even", 2), ("page_number_odd", 3)},
    ),
    # "- N -" with hyphen-minus, placed right
    "hyphen-numbers.pdf": (set(), {("page_number_text", n) for n in (1, 2, 3)}),
    # page numbers 16 pt, centred, 9 mm lower than 7 mm under the text block: 一般 requirements only
    "low-numbers.pdf": (
        set(),
        {("page_number_size", n) for n in (1, 2, 3)}
        | {("page_number_top", n) for n in (1, 2, 3)}
        | {("page_number_odd", 1), ("page_number_even", 2), ("page_number_odd", 3)},
    ),
    # 澄人常〔2024〕5 号: brackets, year and number right; a space before 号
    "spaced-number.pdf": (set(), {("doc_number_spacing", 1)}),
    # the body paragraphs name a style styles.xml lacks: Word lays them out in Normal (3号, 28.95 pt, −0.25 pt)
    "missing-style.docx": (set(), set()),
    # no w:pgSz: the paper is not declared at all
    "no-page-size.docx": ({("page_size", None)}, set()),
}


def _found(findings: Iterable[Finding]) -> set[tuple[str, int | None]]:
    return {(f.rule, f.page) for f in findings}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_outside_document_gets_the_verdict_its_pages_call_for(name: str) -> None:
    errors, warnings = EXPECTED[name]
    report = check_file(OUTSIDE / name)
    assert _found(report.errors) == errors, [f.message for f in report.errors]
    assert _found(report.warnings) == warnings, [f.message for f in report.warnings]


def test_first_line_top_is_measured_on_the_glyphs_the_page_shows() -> None:
    typst = check_file(OUTSIDE / "typst-conforming.pdf").measures
    word = check_file(OUTSIDE / "word-conforming.pdf").measures
    assert typst["first_line_glyph_top_mm"] == {"2": pytest.approx(37.0, abs=0.05), "3": pytest.approx(37.0, abs=0.05)}
    # Word's glyph sits (28.95 − 16) / 2 pt lower in its line box
    assert word["first_line_glyph_top_mm"]["2"] == pytest.approx(37.0 + 6.475 * 25.4 / 72, abs=0.05)
    [high] = [f for f in check_file(OUTSIDE / "latex-high-start.pdf").errors if f.page == 2]
    assert "首行字顶距页面上边 31.0 mm" in high.message and "5.2.1" in high.message


def test_mirrored_margins_are_judged_per_page_and_the_reading_of_binding_margin_is_said() -> None:
    report = check_file(OUTSIDE / "mirrored-margins.pdf")
    [page2, page4] = sorted(report.errors, key=lambda f: f.page or 0)
    assert page4.message.startswith("第 4 页：左白边（订口）26.0 mm")
    assert page2.message.startswith("第 2 页：左白边（订口）26.0 mm，应为 28±1 mm：本条写明订口即左白边")
    assert "对称页边距" in page2.message
    assert report.measures["left_margin_by_page_mm"] == {"1": 28.0, "2": 26.0, "3": 28.0, "4": 26.0}
    assert "mark_centred" not in {f.rule for f in report.errors + report.warnings}


def test_a_running_header_is_flagged_and_the_title_below_it_is_measured() -> None:
    report = check_file(OUTSIDE / "running-header.pdf")
    [header] = report.warnings
    assert "第 1、2、3 页版心上方有页眉“澄湖区人大常委会公报”" in header.message
    assert header.severity == "warning" and "7.1" in header.message
    assert report.measures["title"] == {"text": TITLE, "size_pt": 22.0, "top_mm": pytest.approx(57.4, abs=0.1)}


def test_page_numbers_off_a4_and_with_hyphens_are_found_and_named() -> None:
    letter = check_file(OUTSIDE / "letter-centred.pdf")
    assert set(letter.measures["page_numbers"]) == {"1", "2", "3"}
    assert letter.measures["page_numbers"]["2"]["text"] == "— 2 —"
    [hyphen, *_] = check_file(OUTSIDE / "hyphen-numbers.pdf").warnings
    assert hyphen.message.startswith("第 1 页：页码“- 1 -”两侧用的是连字符（U+002D），应为一字线“—”（U+2014）")


def test_a_space_in_a_doc_number_is_named_and_is_not_a_bracket_error() -> None:
    [spacing] = check_file(OUTSIDE / "spaced-number.pdf").warnings
    assert "发文字号“澄人常〔2024〕5 号”中有空格，应写作“澄人常〔2024〕5号”" in spacing.message


def test_docx_falls_back_to_normal_and_names_a_missing_page_size() -> None:
    missing = check_file(OUTSIDE / "missing-style.docx").measures
    assert (missing["body_style_missing"], missing["body_style"]) == ("GongwenBody", "Normal")
    assert (missing["body_font_size_pt"], missing["chars_per_line"]) == (16.0, 28)
    [size] = check_file(OUTSIDE / "no-page-size.docx").errors
    assert "没有规定纸张大小（缺少 w:pgSz）" in size.message and "0.0×0.0" not in size.message


def test_the_verdict_line_says_what_holds_and_what_does_not(renda: Renda) -> None:
    result = renda("check", *(str(OUTSIDE / n) for n in ("low-numbers.pdf", "typst-conforming.pdf")))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"{OUTSIDE / 'low-numbers.pdf'}：符合：规定条款全部符合；一般要求 9 项不符合" in lines
    assert f"{OUTSIDE / 'typst-conforming.pdf'}：符合：规定条款和一般、推荐要求全部符合" in lines

    failing = renda("check", str(OUTSIDE / "latex-high-start.pdf"))
    assert failing.exit_code == 1
    head = failing.output.splitlines()[0]
    assert head == f"{OUTSIDE / 'latex-high-start.pdf'}：2 个错误（规定条款 2 项未满足）"
    assert "符合" not in head  # a script that looks for 符合 still tells the two apart


def test_import_reads_a_pdf_whose_font_has_no_unicode_map(ws: Path, renda: Renda) -> None:
    result = renda("import", str(OUTSIDE / "no-tounicode.pdf"))
    assert result.exit_code == 0, result.output
    assert "没有文字层" not in result.output
    data = parse_yaml((ws / "records/2024/document-2024-01.yaml").read_text(encoding="utf-8")).data
    assert data["title"] == "关于加强门诊管理工作的通知"
    body = "".join(data["body"])
    assert body.startswith("区第十七届人大常委会第二十一次会议听取和审议了") and "(cid:" not in body


def test_import_of_a_joint_mark_names_both_organs(ws: Path, renda: Renda) -> None:
    result = renda("import", str(OUTSIDE / "joint-mark.pdf"))
    assert result.exit_code == 0, result.output
    data = parse_yaml((ws / "records/2024/document-2024-01.yaml").read_text(encoding="utf-8")).data
    assert data["issuer"] == "河南省癌症中心、河南省肿瘤医院"
    assert data["doc_number"] == "豫癌中心〔2024〕3号"


def test_a_long_organ_name_wrapped_in_the_mark_is_not_taken_for_two_organs() -> None:
    def line(text: str, top: float, size: float) -> Line:
        return Line(text, 1, 100.0, 100.0 + len(text) * size, top, size, 595.0, 842.0)

    lines = [
        line("澄湖区人民代表大会", 200, 30),
        line("常务委员会文件", 240, 30),
        line("关于开展专项调研工作的通知", 340, 22),
        line("现将有关事项通知如下，请认真贯彻落实。", 400, 16),
        line("2024年3月8日", 440, 16),
    ]
    assert extract(lines, 1).issuer == "澄湖区人民代表大会常务委员会"


def test_import_prefers_poppler_when_most_glyphs_have_no_character(ws: Path, renda: Renda, tmp_path: Path) -> None:
    """A title in a font with a ToUnicode map, the body in one without: pdfminer reads the title and
    "(cid:N)" for the rest; what poppler reads is kept instead."""
    import pikepdf
    from pdfgen import write_text_pdf

    title = "关于加强门诊管理工作的通知和有关事项的补充说明"
    body = "区第十七届人大常委会第二十一次会议听取和审议了区人民政府"
    path = write_text_pdf(tmp_path / "mixed.pdf", [[(title, 80, 100, 22), ("2024年3月8日", 380, 300, 16)]])
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        page = pdf.pages[0]
        mapped = page.Resources.Font.F1
        bare = pdf.make_indirect(pikepdf.Dictionary({k: v for k, v in mapped.items() if k != "/ToUnicode"}))
        page.Resources.Font.F2 = bare
        code = "".join(f"{ord(ch):04X}" for ch in body)
        page.contents_add(pdf.make_stream(f"BT /F2 16 Tf 1 0 0 1 80 600 Tm <{code}> Tj ET".encode()), prepend=False)
        pdf.save(path)

    result = renda("import", str(path))

    assert result.exit_code == 0, result.output
    data = parse_yaml((ws / "records/2024/document-2024-01.yaml").read_text(encoding="utf-8")).data
    assert data["title"] == title
    assert body in "".join(data["body"])
