"""Regenerate the built-in .docx templates:  python -m archive.render.template_builder [folder]

(the folder defaults to the checkout's ``templates/``; tests/test_templates.py rebuilds into a temporary folder
and compares the bytes, so a template edited by hand, or a builder changed without rebuilding, fails the suite.)

The templates are docxtpl (Jinja) documents a clerk can open in Word: page setup, styles, fixed wording and the
places where record data goes.  Styles name the office fonts in the East-Asian slot and carry no theme fonts.
The layout numbers come from archive.render.layout, the XML from archive.render._ooxml, so the templates and
the renderer's post-processing can never disagree.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
from docx.enum.section import WD_SECTION
from docx.oxml.ns import qn as dqn

from archive.fileio import write_replace
from archive.ooxml import reproducible_package
from archive.render import _ooxml as X
from archive.render import layout as L
from archive.schema import builtin_dir

TEXT_TWIPS = L.twips(L.TEXT_WIDTH.value)

# styleId, name, type, east-asian font, size, paragraph props, extras
PARA_STYLES: list[tuple[str, str, str, float, dict[str, object], dict[str, object]]] = [
    ("GwBody", "公文正文", L.FONT_FANGSONG, 16, {"first_chars": 2}, {}),
    ("GwPlain", "公文无缩进", L.FONT_FANGSONG, 16, {}, {}),
    ("GwH1", "一级标题", L.FONT_HEITI, 16, {"first_chars": 2}, {}),
    ("GwH2", "二级标题", L.FONT_KAITI, 16, {"first_chars": 2}, {}),
    ("GwH3", "三级标题", L.FONT_FANGSONG, 16, {"first_chars": 2}, {}),
    ("GwH4", "四级标题", L.FONT_FANGSONG, 16, {"first_chars": 2}, {}),
    ("GwCopyNo", "份号", L.FONT_FANGSONG, 16, {"align": "left"}, {}),
    ("GwSecret", "密级和紧急程度", L.FONT_HEITI, 16, {"align": "left"}, {}),
    (
        "GwMark",
        "发文机关标志",
        L.FONT_XIAOBIAOSONG,
        36,
        {"align": "center", "line_twips": 880},
        {"color": L.RED_HEX, "spacing_pt": None},
    ),
    (
        "GwLetterMark",
        "信函标志",
        L.FONT_XIAOBIAOSONG,
        36,
        {"align": "center", "line_twips": 760},
        {"color": L.RED_HEX, "spacing_pt": None},
    ),
    ("GwLetterRule", "信函红色双线", L.FONT_FANGSONG, 2, {"align": "center", "line_twips": 40}, {}),
    ("GwLetterDocNumber", "信函发文字号", L.FONT_FANGSONG, 16, {"align": "right"}, {}),
    ("GwIssue", "期号", L.FONT_FANGSONG, 16, {"align": "center"}, {}),
    ("GwDocNumber", "发文字号", L.FONT_FANGSONG, 16, {"align": "center"}, {}),
    ("GwRule", "红色分隔线", L.FONT_FANGSONG, 2, {"align": "center", "line_twips": 97}, {}),
    ("GwTitle", "公文标题", L.FONT_XIAOBIAOSONG, 22, {"align": "center", "line_twips": 700}, {"spacing_pt": None}),
    ("GwCaption", "题注", L.FONT_KAITI, 16, {"align": "center"}, {}),
    ("GwAddressee", "主送机关", L.FONT_FANGSONG, 16, {"align": "left"}, {}),
    ("GwAttachNote", "附件说明", L.FONT_FANGSONG, 16, {"left_chars": 2, "hanging_chars": 0, "align": "left"}, {}),
    ("GwAttachNoteCont", "附件说明续行", L.FONT_FANGSONG, 16, {"left_chars": 5, "align": "left"}, {}),
    ("GwIssuer", "署名", L.FONT_FANGSONG, 16, {"align": "right"}, {}),
    ("GwDate", "成文日期", L.FONT_FANGSONG, 16, {"align": "right"}, {}),
    ("GwNote", "附注", L.FONT_FANGSONG, 16, {"first_chars": 2}, {}),
    ("GwAttachLabel", "附件标识", L.FONT_HEITI, 16, {"align": "left"}, {}),
    (
        "GwAttachTitle",
        "附件标题",
        L.FONT_XIAOBIAOSONG,
        22,
        {"align": "center", "line_twips": 700},
        {"spacing_pt": None},
    ),
    ("GwAttendance", "出席请假列席", L.FONT_FANGSONG, 16, {"align": "left", "left_chars": 3, "hanging_chars": 3}, {}),
    # the registration lines of a 代表建议 or 议案 (领衔代表：…): wrapped lines align after the 5-character label
    ("GwField", "登记项", L.FONT_FANGSONG, 16, {"align": "left", "left_chars": 5, "hanging_chars": 5}, {}),
    ("GwMinutesInfo", "纪要印发机关和日期", L.FONT_FANGSONG, 16, {"align": "left"}, {}),
    ("GwImprint", "版记", L.FONT_FANGSONG, 14, {"align": "left", "char_pt": 14}, {"spacing_pt": None}),
    (
        "GwPageNumber",
        "页码",
        L.FONT_SONGTI,
        14,
        {"align": "right", "char_pt": 14, "line_twips": 320},
        {"spacing_pt": None, "latin": L.FONT_SONGTI},
    ),
    ("GwTail", "版记锚点", L.FONT_FANGSONG, 1, {"line_twips": 20}, {}),
]
HEADING_LEVELS = {"GwH1": 0, "GwH2": 1, "GwH3": 2, "GwH4": 3}
CHAR_STYLES = [
    ("GwFangsongChar", "仿宋字符", L.FONT_FANGSONG),
    ("GwHeitiChar", "黑体字符", L.FONT_HEITI),
    ("GwKaitiChar", "楷体字符", L.FONT_KAITI),
]


def _style(styles: Any, style_id: str, name: str, kind: str) -> Any:
    node = X.el("w:style", type=kind, customStyle=1, styleId=style_id)
    X.sub(node, "w:name", val=name)
    X.sub(node, "w:basedOn", val="Normal" if kind == "paragraph" else "DefaultParagraphFont")
    X.sub(node, "w:qFormat")
    styles.append(node)
    return node


def new_document() -> docx.document.Document:
    doc = docx.Document()
    body = doc.element.body
    for node in list(body):
        if node.tag != dqn("w:sectPr"):
            body.remove(node)
    # Word 2010's stylesWithEffects copy carries theme fonts and is not needed
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(rid)
    styles = doc.styles.element
    X.strip_theme_fonts(styles)
    # document defaults and Normal: 3号仿宋 on the 579-twip grid
    defaults = styles.find(dqn("w:docDefaults"))
    rpr_default = defaults.find(dqn("w:rPrDefault"))
    X.replace_child(rpr_default, X.run_props(L.FONT_FANGSONG, 16, spacing_pt=None))
    ppr_default = defaults.find(dqn("w:pPrDefault"))
    X.replace_child(ppr_default, X.para_props())
    normal = doc.styles["Normal"].element
    X.replace_child(normal, X.para_props())
    X.replace_child(normal, X.run_props(L.FONT_FANGSONG, 16))
    for style_id, name, font, size, pprops, extra in PARA_STYLES:
        node = _style(styles, style_id, name, "paragraph")
        ppr = X.para_props(**pprops)  # type: ignore[arg-type]
        node.append(ppr)
        if style_id in HEADING_LEVELS:  # Word's navigation pane lists the four heading levels
            X.sub(ppr, "w:outlineLvl", val=HEADING_LEVELS[style_id])
            X.order_ppr(ppr)
        rkw = {k: v for k, v in extra.items()}
        node.append(X.run_props(font, size, **rkw))  # type: ignore[arg-type]
    for style_id, name, font in CHAR_STYLES:
        node = _style(styles, style_id, name, "character")
        rpr = X.el("w:rPr")
        rpr.append(X.fonts(font))
        node.append(rpr)
    X.strip_theme_fonts(styles)
    doc.settings.odd_and_even_pages_header_footer = True
    sect = doc.sections[0]
    X.page_setup(sect._sectPr)
    _page_numbers(doc, sect)
    return doc


def _page_numbers(doc: Any, sect: Any) -> None:
    for footer, align, side in ((sect.footer, "right", "right"), (sect.even_page_footer, "left", "left")):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = doc.styles["页码"]
        ppr = p._p.get_or_add_pPr()
        X.sub(ppr, "w:jc", val=align)
        X.set_indent(ppr, char_pt=14, **{side: 1})
        p.add_run("— ")
        fld = X.el("w:fldSimple", instr=" PAGE ")
        r = X.sub(fld, "w:r")
        X.sub(r, "w:t").text = "1"
        p._p.append(fld)
        p.add_run(" —")


def para(doc: Any, style: str, *runs: str | tuple[str, str]) -> Any:
    p = doc.add_paragraph(style=doc.styles[style])
    for run in runs:
        if isinstance(run, tuple):
            text, char_style = run
            p.add_run(text, style=doc.styles[char_style])
        else:
            p.add_run(run)
    return p


def tag(doc: Any, text: str) -> None:
    """A docxtpl paragraph tag ({%p … %}): the paragraph disappears when rendered."""
    doc.add_paragraph(text, style=doc.styles["公文无缩进"])


def blocks(doc: Any, var: str = "blocks", *, source_align: str | None = None) -> None:
    """Body blocks: lead (heading number and heading, in the heading's font) then text in 仿宋.

    Level 5 is a flush-left reference line (the 履职档案's 依据记录); ``source_align`` sets its alignment, so a
    line of Latin record ids is not stretched across the text block by the justified body.
    """
    tag(doc, f"{{%p for b in {var} %}}")
    tag(doc, "{%p if b.level == 1 %}")
    para(doc, "一级标题", "{{ b.lead }}", ("{{ b.text }}", "仿宋字符"))
    tag(doc, "{%p elif b.level == 2 %}")
    para(doc, "二级标题", "{{ b.lead }}", ("{{ b.text }}", "仿宋字符"))
    tag(doc, "{%p elif b.level == 3 %}")
    para(doc, "三级标题", "{{ b.lead }}", ("{{ b.text }}", "仿宋字符"))
    tag(doc, "{%p elif b.level == 4 %}")
    para(doc, "四级标题", "{{ b.lead }}", ("{{ b.text }}", "仿宋字符"))
    tag(doc, "{%p elif b.level == 5 %}")
    p = para(doc, "公文无缩进", "{{ b.text }}")
    if source_align is not None:
        ppr = p._p.get_or_add_pPr()
        X.replace_child(ppr, X.el("w:jc", val=source_align))
        X.order_ppr(ppr)
    tag(doc, "{%p else %}")
    para(doc, "公文正文", "{{ b.text }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")


def copy_secrecy_urgency(doc: Any) -> None:
    """份号, 密级和保密期限, 紧急程度: flush left, one line each, when the record has them."""
    tag(doc, "{%p if copy_number %}")
    para(doc, "份号", "{{ copy_number }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if secrecy %}")
    para(doc, "密级和紧急程度", "{{ secrecy }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if urgency %}")
    para(doc, "密级和紧急程度", "{{ urgency }}")
    tag(doc, "{%p endif %}")


def masthead(doc: Any, *, minutes: bool = False) -> None:
    """份号, 密级, 紧急程度, 发文机关标志, 发文字号 (or 期号 and the organ/date line), red rule."""
    copy_secrecy_urgency(doc)
    para(doc, "发文机关标志", "{{ mark }}")
    if minutes:
        para(doc, "期号", "第{{ issue }}期")
        p = para(doc, "纪要印发机关和日期", "{{ minutes_organ }}\t{{ minutes_date }}")
        X.right_tab(p._p.get_or_add_pPr(), TEXT_TWIPS)
    else:
        tag(doc, "{%p if signatory %}")
        p = para(doc, "发文字号", "{{ doc_number }}\t签发人：", ("{{ signatory }}", "楷体字符"))
        ppr = p._p.get_or_add_pPr()
        X.replace_child(ppr, X.el("w:jc", val="left"))
        X.set_indent(ppr, left=1, right=1)
        X.right_tab(ppr, TEXT_TWIPS - 320)
        tag(doc, "{%p else %}")
        para(doc, "发文字号", "{{ doc_number }}")
        tag(doc, "{%p endif %}")
    p = para(doc, "红色分隔线")
    X.bottom_border(p._p.get_or_add_pPr(), size_eighths=round(L.RULE_THICKNESS_PT.value * 8), color=L.RED_HEX)


def letter_masthead(doc: Any) -> None:
    """信函格式 (GB/T 9704 10.1): 标志 30 mm from the page top, red double lines of 170 mm under it and
    20 mm above the page bottom, then 份号/密级/紧急程度 on the left and the 发文字号 on the right.

    The 标志 and both double lines are frames placed from the page edge by the layout pass.
    """
    para(doc, "信函标志", "{{ mark }}")
    for weights in ("thickThinSmallGap", "thinThickSmallGap"):  # thick over thin on top, thin over thick below
        p = para(doc, "信函红色双线")
        ppr = p._p.get_or_add_pPr()
        bdr = X.el("w:pBdr")
        X.sub(bdr, "w:top", val=weights, sz=24, space=0, color=L.RED_HEX)
        ppr.append(bdr)
        X.order_ppr(ppr)
    copy_secrecy_urgency(doc)
    para(doc, "信函发文字号", "{{ doc_number }}")
    para(doc, "公文无缩进")  # 10.1: the title two lines below the last element above it
    para(doc, "公文无缩进")


def letter_imprint(doc: Any) -> None:
    """10.1: the letter's 版记 is the 抄送 line alone, no rules, at the bottom of the last page's text block."""
    tag(doc, "{%p if cc %}")
    p = para(doc, "版记", "\u3000抄送：{{ cc }}。")
    ppr = p._p.get_or_add_pPr()
    ppr.append(X.el("w:framePr", w=TEXT_TWIPS, wrap="around", vAnchor="page", hAnchor="margin", xAlign="center", y=0))
    X.order_ppr(ppr)
    doc.add_paragraph(style=doc.styles["版记锚点"])
    tag(doc, "{%p endif %}")


def title(doc: Any) -> None:
    para(doc, "公文标题", "{{ title }}")


def signature(doc: Any) -> None:
    tag(doc, "{%p if issuer %}")
    para(doc, "署名", "{{ issuer }}")
    tag(doc, "{%p endif %}")
    para(doc, "成文日期", "{{ date_text }}")
    tag(doc, "{%p if note %}")
    para(doc, "附注", "（{{ note }}）")
    tag(doc, "{%p endif %}")


def attachments(doc: Any) -> None:
    tag(doc, "{%p for a in attachments %}")
    tag(doc, "{%p if loop.first %}")
    para(doc, "附件说明", "附件：{{ a.label }}{{ a.title }}")
    tag(doc, "{%p else %}")
    para(doc, "附件说明续行", "{{ a.label }}{{ a.title }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")


def attachment_pages(doc: Any) -> None:
    tag(doc, "{%p for a in attachment_pages %}")
    p = para(doc, "附件标识", "附件{{ a.number }}")
    X.sub(p._p.get_or_add_pPr(), "w:pageBreakBefore")
    X.order_ppr(p._p.get_or_add_pPr())
    para(doc, "公文无缩进")
    para(doc, "附件标题", "{{ a.title }}")
    para(doc, "公文无缩进")
    blocks(doc, "a.blocks")
    tag(doc, "{%p endfor %}")


def imprint(doc: Any) -> None:
    """版记 in its own section on a new page, in the flow of the text (no frames: a frame's
    paragraph borders become text-box borders in LibreOffice and are lost when a clerk saves the file again).

    A spacer line of exact height (``版记锚点``, sized by the layout pass) pushes the 版记 down so that its
    last rule lies on the bottom edge of the text block.  The section's footers are those of the body: a
    版记 page that follows a page of text is numbered in sequence (7.5); the renderer removes the number only
    when a blank page stands before it.  The rules are paragraph borders spanning the full 156 mm; the
    one-character side spaces are a leading full-width space and a right tab one character short of the
    right edge (an indent would shorten the rules); the layout pass wraps a long 抄送 line after the colon (7.4.2).
    """
    # a new page, not an even-page section: LibreOffice gives an even-page section a page style of its own
    # with 5 mm header and footer areas (the 版记 page's text block runs 8 mm too low, and a re-saved .docx
    # says 下白边 27 mm).  The renderer adds the blank page when the 版记 page would be odd.
    doc.add_section(WD_SECTION.NEW_PAGE)  # no footer of its own: linked to the body's numbered footers
    para(doc, "版记锚点")
    outer = round(L.mm_to_pt(L.IMPRINT_OUTER_RULE_MM.value) * 8)
    inner = round(L.mm_to_pt(L.IMPRINT_INNER_RULE_MM.value) * 8)

    def ruled(p: Any, top: int | None, bottom: int) -> None:
        ppr = p._p.get_or_add_pPr()
        bdr = X.el("w:pBdr")
        if top:
            X.sub(bdr, "w:top", val="single", sz=top, space=1, color="000000")
        X.sub(bdr, "w:bottom", val="single", sz=bottom, space=1, color="000000")
        ppr.append(bdr)
        X.right_tab(ppr, TEXT_TWIPS - 280)
        X.order_ppr(ppr)

    tag(doc, "{%p if cc %}")
    ruled(para(doc, "版记", "\u3000抄送：{{ cc }}。"), outer, inner)
    ruled(para(doc, "版记", "\u3000{{ print_organ }}\t{{ print_date }}印发"), None, outer)
    tag(doc, "{%p else %}")
    ruled(para(doc, "版记", "\u3000{{ print_organ }}\t{{ print_date }}印发"), outer, outer)
    tag(doc, "{%p endif %}")


def opinion(letter: bool = False) -> docx.document.Document:
    doc = new_document()
    if letter:
        letter_masthead(doc)
    else:
        masthead(doc)
    title(doc)
    para(doc, "主送机关", "{{ addressee }}：")
    # the opening sentence is drawn from the sitting and the report; the rest of this wording is the
    # office's own and can be changed in a workspace copy of this template
    para(
        doc,
        "公文正文",
        "{{ meeting_date }}，{{ sitting }}{{ heard }}了{{ report_name }}。"
        "{% if structured %}现将常委会组成人员的审议意见整理如下：{% endif %}",
    )
    tag(doc, "{%p if structured %}")
    para(doc, "一级标题", "一、总体评价")
    blocks(doc, "assessment")
    para(doc, "一级标题", "二、存在的问题")
    blocks(doc, "problems")
    para(doc, "一级标题", "三、意见和建议")
    blocks(doc, "recommendations")
    tag(doc, "{%p else %}")
    blocks(doc)
    tag(doc, "{%p endif %}")
    para(doc, "公文正文", "请{{ addressee }}认真研究处理，并于{{ deadline_text }}将研究处理情况书面报告常委会。")
    attachments(doc)
    signature(doc)
    attachment_pages(doc)
    if letter:
        letter_imprint(doc)
    else:
        imprint(doc)
    return doc


def letter() -> docx.document.Document:
    """A plain letter (信函格式): title, 主送, body blocks, attachments, signature, 抄送."""
    doc = new_document()
    letter_masthead(doc)
    title(doc)
    para(doc, "主送机关", "{{ addressee }}：")
    blocks(doc)
    attachments(doc)
    signature(doc)
    attachment_pages(doc)
    letter_imprint(doc)
    return doc


def minutes() -> docx.document.Document:
    doc = new_document()
    masthead(doc, minutes=True)
    title(doc)
    blocks(doc, "intro")
    tag(doc, "{%p if agenda %}")
    para(doc, "公文正文", "会议的议程是：{{ agenda }}。")
    tag(doc, "{%p endif %}")
    blocks(doc)
    tag(doc, "{%p if decisions %}")
    para(doc, "一级标题", "{{ decisions_heading }}会议议定事项")
    blocks(doc, "decisions")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for a in attendance %}")
    para(doc, "出席请假列席", ("{{ a.label }}", "黑体字符"), "{{ a.names }}")
    tag(doc, "{%p endfor %}")
    attachment_pages(doc)
    imprint(doc)
    return doc


def report(*, source_align: str | None = None) -> docx.document.Document:
    """执法检查报告, 代表述职报告, 工作报告 and 代表履职档案: title, optional subtitle, body, signature; no 版头.

    份号 and 密级 still stand at the top left of the first page when the document is classified."""
    doc = new_document()
    copy_secrecy_urgency(doc)
    title(doc)
    tag(doc, "{%p if subtitle %}")
    para(doc, "题注", "{{ subtitle }}")
    tag(doc, "{%p endif %}")
    para(doc, "公文无缩进")
    blocks(doc, source_align=source_align)
    attachments(doc)
    signature(doc)
    attachment_pages(doc)
    return doc


def proposal() -> docx.document.Document:
    """代表建议 and 代表议案 as the deputy raised them: title, session and number, the registration lines
    (label in 黑体), the text, the lead deputy's signature and the date; no 版头."""
    doc = new_document()
    copy_secrecy_urgency(doc)
    title(doc)
    para(doc, "题注", "（{{ subtitle }}）")
    para(doc, "公文无缩进")
    tag(doc, "{%p for f in fields %}")
    para(doc, "登记项", ("{{ f.label }}", "黑体字符"), "{{ f.value }}")
    tag(doc, "{%p endfor %}")
    para(doc, "公文无缩进")
    blocks(doc)
    attachments(doc)
    signature(doc)
    attachment_pages(doc)
    return doc


def resolution() -> docx.document.Document:
    doc = new_document()
    copy_secrecy_urgency(doc)
    title(doc)
    para(doc, "题注", "（{{ caption }}）")
    para(doc, "公文无缩进")
    blocks(doc)
    return doc


TEMPLATES: dict[str, Callable[[], Any]] = {
    "opinion.docx": opinion,
    "opinion_letter.docx": lambda: opinion(letter=True),
    "letter.docx": letter,
    "minutes.docx": minutes,
    "inspection.docx": report,
    "deputy_report.docx": report,
    "resolution.docx": resolution,
    "proposal.docx": proposal,
    "report.docx": report,
    # the 依据记录 lines under each part are flush left: record ids would get wide gaps if justified
    "deputy_profile.docx": lambda: report(source_align="left"),
}


def build_templates(folder: Path) -> list[Path]:
    """Write every template into ``folder``; the same builder always writes the same bytes."""
    written = []
    for name, build in TEMPLATES.items():
        doc = build()
        X.prune_styles(doc)  # only the office's styles and the ones the template uses; fonts it names
        X.rewrite_font_table(doc)
        doc.core_properties.title = name
        doc.core_properties.author = "renda"
        buffer = io.BytesIO()
        doc.save(buffer)
        write_replace(folder / name, reproducible_package(buffer.getvalue()))
        (folder / name).chmod(0o644)  # shipped in the wheel: readable by all, not the temporary file's 0600
        written.append(folder / name)
    return written


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else builtin_dir("templates")
    for path in build_templates(folder):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
