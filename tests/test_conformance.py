"""GB/T 9704-2012 conformance checker: fixtures built at test time with python-docx, converted by one soffice call.

The correct fixture follows DOMAIN.md §3 (A4, 37/28/35/26 mm, 579-twip exact lines, −0.25 pt character
spacing, red 标志 at 72 mm, red rule 4 mm under the 发文字号, "— N —" page numbers, 版记 on an even page with
its last rule on the text block's bottom edge); the wrong one has a 25 mm left margin, theme fonts and 12 pt
body text.  The checker must find exactly the expected errors.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from archive import ArchiveError
from archive.conformance import RULES, CheckReport, ConformanceError, Finding, check_file, check_files

docx = pytest.importorskip("docx")
pytest.importorskip("pdfplumber")

from docx import Document  # noqa: E402
from docx.enum.section import WD_SECTION  # noqa: E402
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING  # noqa: E402
from docx.oxml import OxmlElement  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402
from docx.shared import Mm, Pt, RGBColor  # noqa: E402

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.section import Section, _Footer
    from docx.text.paragraph import Paragraph

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
SENTENCE = "现将本委员会对市人民政府关于全市生态环境保护工作情况报告的审议意见汇总如下请研究处理"
THEME_ATTRS = ("asciiTheme", "eastAsiaTheme", "hAnsiTheme", "cstheme")


# lxml elements (python-docx's oxml classes) are Any: lxml ships no types.
def _el(tag: str, **attrs: object) -> Any:
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), str(v))
    return el


def _fonts(rpr: Any, east: str, latin: str = "Times New Roman") -> None:
    rf = rpr.find(qn("w:rFonts"))
    if rf is None:
        rf = _el("w:rFonts")
        rpr.insert(0, rf)
    for a in THEME_ATTRS:
        rf.attrib.pop(qn(f"w:{a}"), None)
    rf.set(qn("w:eastAsia"), east)
    rf.set(qn("w:ascii"), latin)
    rf.set(qn("w:hAnsi"), latin)


def _para(
    doc: DocxDocument,
    text: str = "",
    *,
    size: float | None = None,
    east: str | None = None,
    color: str | None = None,
    align: WD_ALIGN_PARAGRAPH | None = None,
    before: float = 0,
    line: float | None = None,
    indent: float | None = None,
) -> Paragraph:
    p = doc.add_paragraph()
    if text:
        r = p.add_run(text)
        if size:
            r.font.size = Pt(size)
        if east:
            _fonts(r._r.get_or_add_rPr(), east)
        if color:
            r.font.color.rgb = RGBColor.from_string(color)
    pf = p.paragraph_format
    if align:
        p.alignment = align
    if before:
        pf.space_before = Pt(before)
    if line:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(line)
    if indent is not None:
        pf.first_line_indent = Pt(indent)
    return p


def _border(p: Paragraph, side: str, color: str, eighths: int, space: int = 0) -> None:
    ppr = p._p.get_or_add_pPr()
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = _el("w:pBdr")
        ppr.append(bdr)
    bdr.append(_el(f"w:{side}", val="single", sz=eighths, space=space, color=color))


def _page_field(p: Paragraph, size: float) -> None:
    def run(text: str | None = None, fld: str | None = None, instr: str | None = None) -> None:
        r = p.add_run(text) if text else p.add_run()
        r.font.size = Pt(size)
        _fonts(r._r.get_or_add_rPr(), "宋体")
        if fld:
            r._r.append(_el("w:fldChar", fldCharType=fld))
        if instr:
            it = OxmlElement("w:instrText")
            it.text = instr
            r._r.append(it)

    run("— ")
    run(fld="begin")
    run(instr=" PAGE ")
    run(fld="separate")
    run("1")
    run(fld="end")
    run(" —")


def _footer(footer: _Footer, align: WD_ALIGN_PARAGRAPH, size: float = 14) -> None:
    p = footer.paragraphs[0]
    p.alignment = align
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        p.paragraph_format.right_indent = Pt(size)
    else:
        p.paragraph_format.left_indent = Pt(size)
    _page_field(p, size)


def _setup(section: Section, left: float, grid_pitch: int) -> None:
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(left), Mm(210 - 156 - left)
    section.header_distance, section.footer_distance = Mm(15), Mm(FOOTER_MM)
    sect = section._sectPr
    for g in sect.findall(qn("w:docGrid")):
        sect.remove(g)
    sect.append(_el("w:docGrid", type="lines", linePitch=grid_pitch))


FOOTER_MM = 22
COLOPHON_BEFORE = 25


def build_docx(
    path: Path, *, left_mm: float = 28, theme_fonts: bool = False, body_pt: float = 16, pitch: int = 579
) -> Path:
    doc = Document()
    if not theme_fonts:
        for rf in doc.styles.element.iter(qn("w:rFonts")):
            for a in THEME_ATTRS:
                rf.attrib.pop(qn(f"w:{a}"), None)
    doc.settings.odd_and_even_pages_header_footer = True
    sec = doc.sections[0]
    _setup(sec, left_mm, pitch)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(body_pt)
    rpr = normal.element.get_or_add_rPr()
    if theme_fonts:
        rpr.insert(0, _el("w:rFonts", asciiTheme="minorHAnsi", eastAsiaTheme="minorEastAsia", hAnsiTheme="minorHAnsi"))
    else:
        _fonts(rpr, "仿宋_GB2312")
    rpr.append(_el("w:spacing", val=-5))
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(pitch / 20)
    pf.space_before = pf.space_after = Pt(0)
    pf.widow_control = False
    normal.element.get_or_add_pPr().append(_el("w:snapToGrid", val=0))
    _footer(sec.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _footer(sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    C = WD_ALIGN_PARAGRAPH.CENTER
    _para(
        doc,
        "某某市人民代表大会常务委员会文件",
        size=26,
        east="方正小标宋简体",
        color="FF0000",
        align=C,
        before=BANNER_BEFORE,
        line=BANNER_LINE,
    )
    _para(doc)
    _para(doc)
    num = _para(doc, "某人常〔2024〕7号", align=C)
    _border(num, "bottom", "FF0000", 12, space=5)
    _para(doc)
    _para(doc)
    _para(doc, "关于生态环境保护工作情况报告的审议意见", size=22, east="方正小标宋简体", align=C)
    _para(doc)
    _para(doc, "市人民政府：")
    _para(doc, SENTENCE * 25, indent=2 * 15.75)
    # 版记 on an even page of its own after a page of text: numbered in sequence (GB/T 9704 7.5)
    doc.add_section(WD_SECTION.NEW_PAGE)
    for _ in range(BLANKS):
        _para(doc)
    cc = _para(doc, "　抄送：市人大常委会各委员会，市人民政府办公室。", size=14, before=COLOPHON_BEFORE)
    _border(cc, "top", "000000", 8)
    _border(cc, "bottom", "000000", 6)
    pr = _para(doc, "某某市人大常委会办公室　　　　　　　2024年3月1日印发　", size=14)
    _border(pr, "bottom", "000000", 8)
    doc.save(str(path))
    return path


BANNER_BEFORE = 92.7
BANNER_LINE = 40
BLANKS = 19


# --- fixtures --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """good/bad .docx and, when LibreOffice is installed, their PDFs (one soffice call for both)."""
    out = tmp_path_factory.mktemp("gbt")
    files = {
        "good": build_docx(out / "good.docx"),
        "bad": build_docx(out / "bad.docx", left_mm=25, theme_fonts=True, body_pt=12),
    }
    if SOFFICE:
        profile = out / "lo-profile"
        subprocess.run(
            [
                SOFFICE,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                str(files["good"]),
                str(files["bad"]),
            ],
            check=True,
            capture_output=True,
            timeout=120,
            env={**os.environ, "HOME": str(out)},
        )
        files["good_pdf"], files["bad_pdf"] = out / "good.pdf", out / "bad.pdf"
    return files


needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def rules(findings: Iterable[Finding]) -> list[str]:
    return sorted(f.rule for f in findings)


# --- .docx -----------------------------------------------------------------------------------------------


def test_correct_docx_has_no_findings(docs: dict[str, Path]) -> None:
    report = check_file(docs["good"])
    assert report.errors == () and report.warnings == ()
    assert report.measures["lines_per_page"] == 22
    assert report.measures["chars_per_line"] == 28
    assert report.measures["body_east_asian_font"] == "仿宋_GB2312"


def test_wrong_docx_reports_margin_and_theme_font_errors(docs: dict[str, Path]) -> None:
    report = check_file(docs["bad"])
    # each of the two sections has the 25 mm left (and so 29 mm right) margin
    assert rules(report.errors) == ["margin_left", "margin_left", "margin_right", "margin_right", "theme_fonts"]
    assert rules(report.warnings) == ["body_font", "body_size", "chars_per_line"]
    left = next(f for f in report.errors if f.rule == "margin_left")
    assert "25.0 mm，应为 28±1 mm（GB/T 9704-2012 5.2.1" in left.message and "规定" in left.message
    theme = next(f for f in report.errors if f.rule == "theme_fonts")
    assert "w:eastAsiaTheme" in theme.message and "等线" in theme.message


# --- PDF -------------------------------------------------------------------------------------------------


@needs_soffice
def test_correct_pdf_has_no_errors_and_measures_the_grid(docs: dict[str, Path]) -> None:
    report = check_file(docs["good_pdf"])
    assert report.errors == (), [f.message for f in report.errors]
    assert report.warnings == (), [f.message for f in report.warnings]
    m = report.measures
    assert m["page_size_mm"] == [210.0, 297.0]
    assert m["format"] == "文件格式"
    assert abs(m["left_margin_mm"] - 28) <= 0.2
    assert 10.2 <= m["line_pitch_mm"] <= 10.3
    assert set(m["lines_per_full_page"].values()) == {22}
    assert m["chars_per_full_line"] == {"28": m["chars_per_full_line"]["28"]}
    assert all(abs(top - 37) <= 1 for top in m["first_line_top_mm"].values())
    assert abs(m["mark"]["top_mm"] - 72) <= 1
    assert abs(m["red_rule"]["width_mm"] - 156) <= 1
    assert m["title"]["size_pt"] == 22
    assert m["pages"] % 2 == 0 and m["colophon"]["page"] == m["pages"]
    # the 版记 page follows a page of text: numbered in sequence (7.5)
    assert m["page_numbers"][str(m["pages"])]["text"] == f"— {m['pages']} —"
    assert m["page_numbers"]["1"]["text"] == "— 1 —" and m["page_numbers"]["1"]["size_pt"] == 14
    assert all(f["embedded"] for f in m["fonts"])


@needs_soffice
def test_wrong_pdf_reports_exactly_the_left_margin_error(docs: dict[str, Path]) -> None:
    report = check_file(docs["bad_pdf"])
    assert set(rules(report.errors)) == {"left_margin"}
    # judged on each page and naming it (issue 11 item 9)
    assert sorted(f.page or 0 for f in report.errors) == [1, 2]  # the pages of body text; page 3 holds the 版记
    assert all(f.measured == pytest.approx(25, abs=0.2) for f in report.errors)
    assert "订口即左白边" in report.errors[0].message
    assert {"body_size", "chars_per_line", "text_fills_width"} <= set(rules(report.warnings))
    assert report.measures["body_font_size_pt"] == 12


@needs_soffice
def test_page_renders_to_a_non_blank_png(docs: dict[str, Path], tmp_path: Path) -> None:
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "30", "-f", "2", "-l", "2", str(docs["good_pdf"]), str(tmp_path / "p")],
        check=True,
        timeout=60,
    )
    from PIL import Image

    (png,) = tmp_path.glob("p*.png")
    with Image.open(png) as im:
        darkest = im.convert("L").getextrema()[0]
        assert isinstance(darkest, float | int) and darkest < 128  # some dark ink on the page


# --- robustness and the report format -------------------------------------------------------------------


def test_non_pdf_and_corrupt_pdf_give_clear_messages(tmp_path: Path) -> None:
    text = tmp_path / "letter.pdf"
    text.write_text("这不是 PDF", encoding="utf-8")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer <<>>\n%%EOF")
    with pytest.raises(ConformanceError, match="不是 PDF 文件"):
        check_file(text)
    with pytest.raises(ConformanceError, match="PDF"):
        check_file(broken)
    assert issubclass(ConformanceError, ArchiveError)
    reports = check_files([text, broken])
    assert [r.errors[0].rule for r in reports] == ["readable", "readable"]
    assert "不是 PDF 文件" in reports[0].errors[0].message


def test_unsupported_missing_and_corrupt_docx(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "b.docx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ConformanceError, match="只能检查 PDF 或"):
        check_file(tmp_path / "a.txt")
    with pytest.raises(ConformanceError, match="文件不存在"):
        check_file(tmp_path / "none.pdf")
    with pytest.raises(ConformanceError, match=r"\.docx"):
        check_file(tmp_path / "b.docx")


def test_report_is_json_serialisable_with_chinese(docs: dict[str, Path]) -> None:
    reports = check_files([docs["bad"], docs.get("bad_pdf", docs["good"])])
    text = json.dumps([r.as_dict() for r in reports], ensure_ascii=False)
    data = json.loads(text)
    assert set(data[0]) == {"file", "verdict", "errors", "warnings", "measures"}
    assert "应为 28±1 mm" in text
    assert isinstance(reports[0], CheckReport) and not reports[0].ok


def test_every_rule_names_clause_strength_and_severity() -> None:
    for rule in RULES.values():
        assert rule.clause and rule.strength in ("规定", "一般", "推荐", "实践")
        expected = {"规定": "error", "一般": "warning", "推荐": "warning"}.get(rule.strength)
        assert expected is None or rule.severity == expected


# --- line-breaking rules and full pages, on synthetic measurements ---------------------------------------

from archive.conformance.measurement import Line, Page, measure, typographic_break  # noqa: E402

_EM = 16 * 25.4 / 72  # one 3号 character in mm
_PITCH = 28.95 * 25.4 / 72


def _line(text: str, row: int, *, x0: float = 28.0, x1: float | None = None) -> Line:
    centre = 37.0 + _PITCH * (row + 0.5)
    width = sum(0.5 if ch.isascii() else 1.0 for ch in text) * _EM
    return Line(
        text=text,
        x0=x0,
        x1=x0 + width if x1 is None else x1,
        top=centre - 2.8,
        bottom=centre + 2.8,
        size=16.0,
        red=False,
        fonts=("FangSong",),
        full_width=all(not ch.isascii() for ch in text),
    )


FULL = "一" * 28


@pytest.mark.parametrize(
    ("line", "following", "excused"),
    [
        ("会" * 27, "2021年12月28日在澄湖区召开。", True),  # a number cannot be split
        ("会" * 26, "96.5%，生活垃圾分类", True),  # number, sign and the comma glued to it
        ("会" * 27, "估、拍卖周期", True),  # 、 may not open a line: 估 moved down with it
        ("会" * 27, "“建成一个、运行一个”", True),  # “ may not end a line
        ("会" * 27, "汉字开头的下一行", False),
        ("会" * 25, "2021年", False),  # three short: more than the number explains
        ("会" * 28 + "。", None, True),  # hanging full stop past the edge
        ("会" * 29, None, False),
    ],
)
def test_line_breaking_rules_excuse_only_what_they_explain(line: str, following: str | None, excused: bool) -> None:
    right = 28.0 + 156.0
    hanging = len(line) == 29
    measured = _line(line, 0, x1=right + (_EM if hanging and line[-1] == "。" else 0) if hanging else right)
    nxt = _line(following, 1) if following is not None else None
    assert typographic_break(measured, nxt, right, _EM) is excused


def _pages(page2_rows: int, *, last_full: bool) -> list[Page]:
    def page(number: int, rows: int, last_full: bool = True) -> Page:
        lines = [_line(FULL, r) for r in range(rows)]
        if not last_full:
            lines[-1] = _line("短行。", rows - 1)
        return Page(number=number, width=210.0, height=297.0, lines=lines, rules=[], boxes=0)

    return [page(1, 22), page(2, page2_rows, last_full), page(3, 5)]


@pytest.mark.parametrize(
    ("rows", "last_full", "flagged"),
    [
        (22, True, False),
        (21, True, True),  # the paragraph runs on, yet a grid line is empty
        (21, False, False),  # a paragraph ended: the empty line may be space before what follows
        (22, False, False),
    ],
)
def test_full_page_line_count(rows: int, last_full: bool, flagged: bool) -> None:
    findings, measures = measure(_pages(rows, last_full=last_full), 3, [])
    assert measures["lines_per_full_page"]["2"] == rows
    assert any(f.rule == "lines_per_page" and f.page == 2 for f in findings) is flagged


# --- GB/T 9704 7.5: the 版记 page's number, both ways ------------------------------------------------


def _page(number: int, *, text: bool = True, imprint: bool = False, numbered: bool = True) -> Page:
    """A page as the PDF reader gives it: body text, or only the 版记 at the foot, or nothing; a page number."""
    lines = []
    if text:
        lines.append(Line("正文" * 14, 28, 184, 37.5, 43.1, 16, False, ("FangSong",), True))
    if imprint:
        imprint_line = "澄湖区人大常委会办公室 2024年6月28日印发"
        lines.append(Line(imprint_line, 29, 182, 252, 257, 14, False, ("FangSong",), False))
    if numbered:
        x0, x1 = (33, 55) if number % 2 == 0 else (157, 179)
        lines.append(Line(f"— {number} —", x0, x1, 269, 274, 14, False, ("SimSun",), False))
    return Page(number, 210, 297, lines, [], 0)


def _colophon_findings(pages: list[Page]) -> list[Finding]:
    from archive.conformance.elements import page_numbers

    found: list[Finding] = []
    page_numbers(pages, {}, found.append, lambda *a, **k: None, {"format": "文件格式"}, True)
    return [f for f in found if f.rule == "colophon_page_number"]


def test_a_colophon_page_after_a_page_of_text_must_carry_its_number() -> None:
    pages = [_page(1), _page(2), _page(3), _page(4, text=False, imprint=True, numbered=False)]
    (finding,) = _colophon_findings(pages)
    assert finding.severity == "error" and finding.clause == "7.5" and finding.page == 4
    assert "版记页应编排页码“— 4 —”" in finding.message
    pages[-1] = _page(4, text=False, imprint=True)
    assert _colophon_findings(pages) == []


def test_a_blank_page_and_the_colophon_page_after_it_carry_no_number() -> None:
    blank = _page(3, text=False, numbered=False)
    pages = [_page(1), _page(2), blank, _page(4, text=False, imprint=True, numbered=False)]
    assert _colophon_findings(pages) == []
    numbered = [_page(1), _page(2), blank, _page(4, text=False, imprint=True)]
    (finding,) = _colophon_findings(numbered)
    assert finding.severity == "error" and finding.page == 4 and "均不编排页码" in finding.message
    blank_numbered = [_page(1), _page(2), _page(3, text=False), _page(4, text=False, imprint=True, numbered=False)]
    (finding,) = _colophon_findings(blank_numbered)
    assert finding.page == 3 and "空白页" in finding.message


def test_a_draft_watermark_sharing_a_baseline_with_a_line_of_text_stays_out_of_that_line() -> None:
    # LibreOffice sometimes draws a draft's 100 pt 草稿 high on page 2, its baseline on the first line's: the
    # line must keep its own top, or the checker reports the page's first line 10 mm too low
    from archive.conformance.pdfread import PT, _lines

    def char(text: str, x0: float, top: float, bottom: float, size: float) -> dict[str, object]:
        return {
            "text": text,
            "x0": x0,
            "x1": x0 + size,
            "top": top,
            "bottom": bottom,
            "size": size,
            "upright": True,
            "fontname": "FangSong",
            "non_stroking_color": (0.85,),
        }

    body = [char("审", 90, 112.6, 128.6, 16), char("判", 106, 112.6, 128.6, 16)]
    mark = [char("草", 200, 28.9, 128.9, 100), char("稿", 300, 28.9, 128.9, 100)]
    lines = _lines(body + mark)
    assert [ln.text for ln in lines] == ["审判", "草稿"]
    assert abs(lines[0].top - 112.6 * PT) < 1e-6 and lines[0].size == 16
