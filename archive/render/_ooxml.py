"""Raw WordprocessingML for the documents: the GB/T 9704 layout pass (the names and element helpers are
``archive.ooxml``, shared with the annual archive and the conformance check).

Used twice: by ``template_builder`` to write the templates, and after every docxtpl render to
(re)apply the GB/T 9704 layout mechanics a template cannot express — so a clerk's edited template still
prints on the grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree

from archive.ooxml import NSMAP as NSMAP
from archive.ooxml import THEME_ATTRS as THEME_ATTRS
from archive.ooxml import W_NS as W_NS
from archive.ooxml import child as child
from archive.ooxml import el as el
from archive.ooxml import qn as qn
from archive.ooxml import replace_child as replace_child
from archive.ooxml import run_fonts
from archive.ooxml import strip_theme_fonts as strip_theme_fonts
from archive.ooxml import sub as sub
from archive.render import layout as L


def fonts(east_asia: str, latin: str = L.FONT_LATIN) -> etree._Element:
    return run_fonts(east_asia, latin)


def run_props(
    east_asia: str,
    size_pt: float,
    *,
    color: str | None = None,
    spacing_pt: float | None = L.CHAR_SPACING_PT.value,
    latin: str = L.FONT_LATIN,
    bold: bool = False,
) -> etree._Element:
    rpr = el("w:rPr")
    rpr.append(fonts(east_asia, latin))
    if bold:
        sub(rpr, "w:b")
    if color:
        sub(rpr, "w:color", val=color)
    if spacing_pt:
        sub(rpr, "w:spacing", val=L.pt_to_twips(spacing_pt))
    sub(rpr, "w:kern", val=0)
    sub(rpr, "w:sz", val=round(size_pt * 2))
    sub(rpr, "w:szCs", val=round(size_pt * 2))
    return rpr


# ── paragraphs ───────────────────────────────────────────────────────────────────────────────────────


def para_props(
    *,
    align: str = "both",
    first_chars: float = 0,
    left_chars: float = 0,
    right_chars: float = 0,
    hanging_chars: float = 0,
    line_twips: float = L.LINE_PITCH_TWIPS.value,
    before_twips: int = 0,
    after_twips: int = 0,
    char_pt: float = L.BODY_CHAR_PT,
    keep_next: bool = False,
) -> etree._Element:
    ppr = el("w:pPr")
    if keep_next:
        sub(ppr, "w:keepNext")
    sub(ppr, "w:widowControl", val=0)  # the grid holds 22 lines on every full page
    # no hanging punctuation: a full line holds exactly 28 characters inside the text block
    sub(ppr, "w:overflowPunct", val=0)
    sub(ppr, "w:snapToGrid", val=0)
    sub(ppr, "w:spacing", before=before_twips, after=after_twips, line=line_twips, lineRule="exact")
    ppr.append(indent(first_chars, left_chars, right_chars, hanging_chars, char_pt))
    sub(ppr, "w:jc", val=align)
    return ppr


def indent(
    first: float = 0, left: float = 0, right: float = 0, hanging: float = 0, char_pt: float = L.BODY_CHAR_PT
) -> etree._Element:
    """Indents in characters, written in twips (LibreOffice ignores *Chars attributes on a line-only grid)."""

    def tw(chars: float) -> int:
        return round(chars * char_pt * 20)

    node = el("w:ind", left=tw(left), right=tw(right))
    if hanging:
        node.set(qn("w:hanging"), str(tw(hanging)))
    else:
        node.set(qn("w:firstLine"), str(tw(first)))
    return node


def set_indent(ppr: etree._Element, **chars: float) -> None:
    char_pt = chars.pop("char_pt", L.BODY_CHAR_PT)
    replace_child(ppr, indent(char_pt=char_pt, **chars))
    order_ppr(ppr)


def keep_with_next(ppr: etree._Element) -> None:
    if ppr.find(qn("w:keepNext")) is None:
        sub(ppr, "w:keepNext")
        order_ppr(ppr)


def set_spacing_before(ppr: etree._Element, twips_before: float) -> None:
    spacing = ppr.find(qn("w:spacing"))
    if spacing is None:
        spacing = sub(ppr, "w:spacing")
        order_ppr(ppr)
    spacing.set(qn("w:before"), str(round(max(0.0, twips_before))))  # OOXML twips are integers
    spacing.attrib.pop(qn("w:beforeLines"), None)


_PPR_ORDER = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
]


def order_ppr(ppr: etree._Element) -> None:
    """Keep pPr children in schema order (Word refuses files otherwise)."""
    rank = {f"{{{W_NS}}}{name}": i for i, name in enumerate(_PPR_ORDER)}
    children = sorted(ppr, key=lambda c: rank.get(c.tag, 99))
    for c in children:
        ppr.append(c)


def bottom_border(ppr: etree._Element, *, size_eighths: int, color: str, space_pt: int = 0) -> None:
    bdr = replace_child(ppr, el("w:pBdr"))
    sub(bdr, "w:bottom", val="single", sz=size_eighths, space=space_pt, color=color)
    order_ppr(ppr)


def right_tab(ppr: etree._Element, pos_twips: int) -> None:
    tabs = replace_child(ppr, el("w:tabs"))
    sub(tabs, "w:tab", val="right", pos=pos_twips)
    order_ppr(ppr)


# ── sections ─────────────────────────────────────────────────────────────────────────────────────────


def page_setup(sectpr: etree._Element, *, footer_mm: float = 22.0, header_mm: float = 15.0) -> None:
    """A4, the 156×225 mm text block, line-only grid of 579 twips."""
    for tag in ("w:pgSz", "w:pgMar", "w:cols", "w:docGrid"):
        old = sectpr.find(qn(tag))
        if old is not None:
            sectpr.remove(old)
    pgsz = el("w:pgSz", w=L.twips(L.PAPER_WIDTH.value), h=L.twips(L.PAPER_HEIGHT.value))
    pgmar = el(
        "w:pgMar",
        top=L.twips(L.MARGIN_TOP.value),
        right=L.twips(L.MARGIN_RIGHT.value),
        bottom=L.twips(L.MARGIN_BOTTOM.value),
        left=L.twips(L.MARGIN_LEFT.value),
        header=L.twips(header_mm),
        footer=L.twips(footer_mm),
        gutter=0,
    )
    cols = el("w:cols", space=425)
    grid = el("w:docGrid", type="lines", linePitch=L.LINE_PITCH_TWIPS.value)
    # schema order: headerReference*, footerReference*, …, type, pgSz, pgMar, …, cols, …, titlePg, …, docGrid
    anchor = None
    for tag in (
        "w:pgNumType",
        "w:cols",
        "w:formProt",
        "w:vAlign",
        "w:noEndnote",
        "w:titlePg",
        "w:textDirection",
        "w:bidi",
        "w:rtlGutter",
        "w:docGrid",
        "w:printerSettings",
        "w:sectPrChange",
    ):
        anchor = sectpr.find(qn(tag))
        if anchor is not None:
            break
    for node in (pgsz, pgmar):
        if anchor is not None:
            anchor.addprevious(node)
        else:
            sectpr.append(node)
    titlepg = sectpr.find(qn("w:titlePg"))
    if titlepg is not None:
        titlepg.addprevious(cols)
    else:
        sectpr.append(cols)
    sectpr.append(grid)


def paragraph_text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


def style_of(p: etree._Element) -> str | None:
    ps = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return ps.get(qn("w:val")) if ps is not None else None


# ── the layout pass after docxtpl ────────────────────────────────────────────────────────────────────

PITCH = L.LINE_PITCH_TWIPS.value
IMPRINT_BORDER_TWIPS = 40  # a rule and its 1 pt gap


# LibreOffice/Word place a glyph's top this far below the top of an exact-height line whose height
# equals the font size; measured on the PDF and used to put the 标志's top edge at 35 mm.
def mark_top_calibration(size_twips: int) -> int:
    return round(3.9 * size_twips / 20 - 39)


def _paragraphs(body: etree._Element) -> list[etree._Element]:
    return [p for p in body.iter(qn("w:p")) if p.getparent() is body]


@dataclass
class _Flow:
    """What the layout pass carries from one paragraph to the next."""

    sealed: bool
    previous: str | None = None  # the style of the paragraph before
    lines_above_mark: int = 0
    letter_rules: int = 0
    letter_rule_y: int = 0  # twips from the page top


def _space_head(p: etree._Element, ppr: etree._Element, style: str | None, text: str, flow: _Flow) -> bool:
    """The 版头 and what follows it: 份号/密级 lines, 标志, 发文字号, 标题, 主送机关.  True when ``p`` was one."""
    previous = flow.previous
    if style in ("GwCopyNo", "GwSecret"):
        flow.lines_above_mark += 1
    elif style == "GwMark":
        _size_mark(p, text)
        size_twips = _run_size_twips(p)
        gap = L.twips(L.MARK_TOP.value) - flow.lines_above_mark * PITCH + mark_top_calibration(size_twips)
        set_spacing_before(ppr, gap)
        _set_line(ppr, size_twips + 40)
    elif style in ("GwDocNumber", "GwIssue") and previous == "GwMark":
        set_spacing_before(ppr, L.DOC_NUMBER_GAP_LINES.value * PITCH)
    elif style == "GwTitle" and previous == "GwRule":
        set_spacing_before(ppr, L.TITLE_GAP_LINES.value * PITCH - 200)
    elif (style == "GwAddressee" and previous == "GwTitle") or style == "GwAttachNote":
        set_spacing_before(ppr, PITCH)
    else:
        return False
    return True


def _space_rest(
    paragraphs: list[etree._Element],
    styles: list[str | None],
    i: int,
    ppr: etree._Element,
    text: str,
    flow: _Flow,
) -> None:
    """署名 and 成文日期, headings, the 出席 list, and the 信函格式 标志 and double line."""
    p, style, previous = paragraphs[i], styles[i], flow.previous
    if style == "GwIssuer":
        set_spacing_before(ppr, (2 if flow.sealed else 1) * PITCH)
        # 署名 and 成文日期 stay together, with the end of the body: never a page without text
        keep_with_next(ppr)
        previous_ppr = paragraphs[i - 1].find(qn("w:pPr")) if i else None
        if previous_ppr is not None and styles[i - 1] not in ("GwAttachNote", "GwAttachNoteCont"):
            keep_with_next(previous_ppr)
        _signature_indents(p, paragraphs[i + 1] if i + 1 < len(paragraphs) else None, flow.sealed)
    elif style == "GwDate" and previous != "GwIssuer":
        set_spacing_before(ppr, PITCH)
        set_indent(ppr, right=L.SEALED_DATE_RIGHT_CHARS.value)
    elif style in ("GwH1", "GwH2", "GwH3", "GwH4") and not _tail_text(p):
        keep_with_next(ppr)  # a heading standing alone stays with what follows
    elif style == "GwAttendance" and previous != "GwAttendance":
        set_spacing_before(ppr, PITCH)
    elif style == "GwLetterMark":
        flow.letter_rule_y = _place_letter_mark(p, text)
    elif style == "GwLetterRule":
        flow.letter_rules += 1
    elif previous == "GwLetterRule":
        # 10.1: the first element under the double line, 7/8 of a 3号 character below it
        glyph_top = flow.letter_rule_y + LETTER_RULE_TWIPS + round(16 * 20 * 7 / 8)
        set_spacing_before(ppr, glyph_top - BODY_GLYPH_OFFSET_TWIPS - L.twips(L.MARGIN_TOP.value))


def apply_layout(document: Any, *, sealed: bool, draft: bool) -> None:
    """Apply what a template cannot express; ``document`` is a python-docx Document."""
    body = document.element.body
    for part in _xml_parts(document):
        strip_theme_fonts(part)
    for sectpr in body.iter(qn("w:sectPr")):
        footer = sectpr.find(qn("w:pgMar"))
        footer_mm = int(footer.get(qn("w:footer"))) * 25.4 / 1440 if footer is not None else 22.0
        page_setup(sectpr, footer_mm=footer_mm)
    paragraphs = _paragraphs(body)
    styles = [style_of(p) for p in paragraphs]
    texts = [paragraph_text(p) for p in paragraphs]
    flow = _Flow(sealed)
    for i, (p, style) in enumerate(zip(paragraphs, styles, strict=True)):
        ppr = p.find(qn("w:pPr"))
        if ppr is not None:
            # the grid holds 22 lines on every full page: no widow/orphan control moving a line over
            replace_child(ppr, el("w:widowControl", val=0))
            order_ppr(ppr)
            if not _space_head(p, ppr, style, texts[i], flow):
                _space_rest(paragraphs, styles, i, ppr, texts[i], flow)
        flow.previous = style
    if flow.letter_rules:
        rules = [p for p, st in zip(paragraphs, styles, strict=True) if st == "GwLetterRule"]
        _draw_letter_rules(rules, flow.letter_rule_y)
        _first_page_without_number(document)
    _place_imprint(paragraphs)
    if draft:
        _watermark(document)
    prune_styles(document)
    rewrite_font_table(document)


# ── 信函格式 (GB/T 9704 10.1) ──────────────────────────────────────────────────────────────────────────

LETTER_RULE_TWIPS = 60  # a thick-thin double line of 3 pt
BODY_GLYPH_OFFSET_TWIPS = 153  # a 16 pt glyph's top lies 2.7 mm into its 28.95 pt exact line


def _frame(ppr: etree._Element, *, y_twips: int, width_twips: int) -> None:
    """Make the paragraph a frame centred on the page at ``y_twips`` from its top edge; text runs through."""
    frame = el(
        "w:framePr",
        w=width_twips,
        wrap="through",
        vAnchor="page",
        hAnchor="page",
        xAlign="center",
        y=y_twips,
    )
    replace_child(ppr, frame)
    order_ppr(ppr)


def _place_letter_mark(p: etree._Element, text: str) -> int:
    """标志 with its top edge 30 mm from the page top; returns where the double line goes (twips)."""
    _size_mark(p, text)
    size_twips = _run_size_twips(p)
    ppr = p.find(qn("w:pPr"))
    _set_line(ppr, size_twips + 40)
    top = L.twips(L.LETTER_MARK_TOP.value)
    _frame(ppr, y_twips=top + mark_top_calibration(size_twips), width_twips=L.twips(L.TEXT_WIDTH.value))
    return top + size_twips + L.twips(L.RULE_GAP.value)


LINE_RUN = (
    '<w:r xmlns:w="{w}" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
    "<w:drawing>"
    '<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="{id}" behindDoc="0" '
    'locked="1" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
    '<wp:positionH relativeFrom="page"><wp:align>center</wp:align></wp:positionH>'
    '<wp:positionV relativeFrom="page"><wp:posOffset>{top}</wp:posOffset></wp:positionV>'
    '<wp:extent cx="{cx}" cy="0"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
    '<wp:docPr id="{id}" name="RendaLetterRule{id}"/><wp:cNvGraphicFramePr/>'
    '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
    '<wps:wsp><wps:cNvCnPr/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="0"/></a:xfrm>'
    '<a:prstGeom prst="line"><a:avLst/></a:prstGeom>'
    '<a:ln w="{weight}"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></a:ln></wps:spPr>'
    "<wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>"
)
EMU_PER_PT = 12_700
LETTER_THICK_PT, LETTER_GAP_PT, LETTER_THIN_PT = 1.75, 0.75, 0.5  # together the 3 pt of LETTER_RULE_TWIPS


def _draw_letter_rules(rule_paragraphs: list[etree._Element], mark_rule_y: int) -> None:
    """The red double lines of 10.1 as drawn lines anchored to the page, thick over thin under the 标志 and
    thin over thick 20 mm above the page bottom, 170 mm long.

    Drawn lines, not paragraph borders of frames: LibreOffice turns a frame into a text box when it saves
    a .docx, and a text box cannot keep a paragraph's border, so a clerk's re-saved letter lost its lines.
    They hang on the paragraph after the rule paragraphs (on page 1), which are removed.
    """
    if not rule_paragraphs:
        return
    host = rule_paragraphs[-1].getnext()
    while host is not None and (host.tag != qn("w:p") or style_of(host) == "GwLetterRule"):
        host = host.getnext()
    bottom = L.twips(L.PAPER_HEIGHT.value - L.LETTER_BOTTOM_RULE.value) - LETTER_RULE_TWIPS
    thick, gap, thin = (round(v * EMU_PER_PT) for v in (LETTER_THICK_PT, LETTER_GAP_PT, LETTER_THIN_PT))
    lines = []
    for top_twips, first_thick in ((mark_rule_y, True), (bottom, False)):
        y = top_twips * 635  # EMU
        weights = (thick, thin) if first_thick else (thin, thick)
        lines.append((y + weights[0] // 2, weights[0]))
        lines.append((y + weights[0] + gap + weights[1] // 2, weights[1]))
    for p in rule_paragraphs:
        p.getparent().remove(p)
    if host is None:
        return
    for n, (centre, weight) in enumerate(lines):
        run = LINE_RUN.format(
            w=W_NS, top=centre, cx=L.twips(L.LETTER_RULE_WIDTH.value) * 635, weight=weight, color=L.RED_HEX, id=9100 + n
        )
        host.append(etree.fromstring(run))


def _first_page_without_number(document: Any) -> None:
    """10.1: a letter's first page carries no page number (an empty first-page footer)."""
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.first_page_footer.is_linked_to_previous = False


IMPRINT_CHARS_PER_LINE = 30  # 4号 in 156 mm (31.6 characters) less one character on the right
# LibreOffice draws a bordered paragraph's rules and their 1 pt gaps outside its exact line: measured on the PDF
IMPRINT_RULE_TWIPS = 54
IMPRINT_PARAGRAPH_TWIPS = -19  # each further bordered paragraph: LibreOffice shares a gap between them
CC_LABEL = "\u3000抄送："


def wrap_cc(text: str, per_line: int = IMPRINT_CHARS_PER_LINE) -> list[str]:
    """The 抄送 line as printed lines: wrapped lines start under the first organ, after the colon (7.4.2),
    and break after an organ's comma where one fits, so that no name is split needlessly."""
    indent = "\u3000" * int(L.char_width(CC_LABEL))
    lines: list[str] = []
    rest = text
    while L.char_width(rest) > per_line:
        fit = 0
        while fit < len(rest) and L.char_width(rest[: fit + 1]) <= per_line:
            fit += 1
        comma = rest.rfind("，", 0, fit)
        cut = comma + 1 if comma > len(indent) + 2 else fit
        if cut < len(rest) and rest[cut] in "、。，；：？！）》」』”’…":
            cut -= 1  # a mark may not open a line: the character before it goes down with it
        lines.append(rest[:cut])
        rest = indent + rest[cut:]
    lines.append(rest)
    return lines


def imprint_height(paragraphs: list[etree._Element]) -> int:
    """Height in twips of the flowing 版记 paragraphs: exact lines (wrapped by :func:`wrap_cc`) and rules."""
    lines = sum(1 + len(p.findall(f".//{qn('w:br')}")) for p in paragraphs)
    borders = sum(len(p.findall(f"{qn('w:pPr')}/{qn('w:pBdr')}/*")) for p in paragraphs)
    bordered = sum(1 for p in paragraphs if p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}") is not None)
    return round(lines * PITCH + IMPRINT_RULE_TWIPS * borders + IMPRINT_PARAGRAPH_TWIPS * max(0, bordered - 1))


def _break_cc(p: etree._Element) -> None:
    """Write a long 抄送 paragraph as its printed lines, joined by line breaks, in its first run's format."""
    text = paragraph_text(p)
    if not text.startswith(CC_LABEL) or L.char_width(text) <= IMPRINT_CHARS_PER_LINE:
        return
    runs = _runs(p)
    rpr = runs[0].find(qn("w:rPr"))
    for r in runs:
        r.getparent().remove(r)
    run = sub(p, "w:r")
    if rpr is not None:
        run.append(rpr)
    for i, line in enumerate(wrap_cc(text)):
        if i:
            sub(run, "w:br")
        t = sub(run, "w:t")
        t.text = line
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def imprint_spacer(paragraphs: list[etree._Element]) -> tuple[etree._Element | None, list[etree._Element]]:
    """The spacer line and the flowing (unframed) 版记 paragraphs after it, or (None, [])."""
    flowing = [
        p for p in paragraphs if style_of(p) == "GwImprint" and p.find(f"{qn('w:pPr')}/{qn('w:framePr')}") is None
    ]
    if not flowing:
        return None, []
    spacer = flowing[0].getprevious()
    if spacer is None or spacer.tag != qn("w:p") or style_of(spacer) != "GwTail":
        return None, flowing
    return spacer, flowing


def set_spacer(spacer: etree._Element, height_twips: float) -> None:
    """An empty line of exact height (at least 1 twip) with no space before or after it."""
    ppr = spacer.find(qn("w:pPr"))
    if ppr is None:
        ppr = el("w:pPr")
        spacer.insert(0, ppr)
    _set_line(ppr, max(1, round(height_twips)))
    spacing = ppr.find(qn("w:spacing"))
    spacing.set(qn("w:before"), "0")
    spacing.set(qn("w:after"), "0")


def _place_imprint(paragraphs: list[etree._Element]) -> None:
    """Put the 版记 so that its last rule lies on the bottom edge of the text block.

    Flowing 版记 (the 文件格式 and 纪要): the spacer line before it takes the rest of the text block.  Framed
    版记 (a letter's 抄送 line, or an older template): the frame is placed from the page edge.
    """
    spacer, flowing = imprint_spacer(paragraphs)
    for p in flowing:
        _break_cc(p)
    if spacer is not None:
        set_spacer(spacer, L.twips(L.TEXT_HEIGHT.value) - imprint_height(flowing))
    framed = [
        p for p in paragraphs if style_of(p) == "GwImprint" and p.find(f"{qn('w:pPr')}/{qn('w:framePr')}") is not None
    ]
    if not framed:
        return
    lines = sum(max(1, -(-int(L.char_width(paragraph_text(p))) // IMPRINT_CHARS_PER_LINE)) for p in framed)
    borders = sum(len(p.findall(f"{qn('w:pPr')}/{qn('w:pBdr')}/*")) for p in framed)
    height = lines * PITCH + IMPRINT_BORDER_TWIPS * borders
    for p in framed:
        frame = p.find(f"{qn('w:pPr')}/{qn('w:framePr')}")
        frame.attrib.pop(qn("w:yAlign"), None)
        # from the page edge: LibreOffice measures "margin" from the header when a page has one
        frame.set(qn("w:vAnchor"), "page")
        frame.set(qn("w:y"), str(L.twips(L.MARGIN_TOP.value + L.TEXT_HEIGHT.value) - height))


def _tail_text(p: etree._Element) -> str:
    """Text after the heading run (the body text of an in-paragraph heading)."""
    runs = _runs(p)
    return "".join(t.text or "" for r in runs[1:] for t in r.iter(qn("w:t")))


def _xml_parts(document: Any) -> list[etree._Element]:
    parts = [document.element, document.styles.element]
    for section in document.sections:
        for hf in (
            section.header,
            section.even_page_header,
            section.first_page_header,
            section.footer,
            section.even_page_footer,
            section.first_page_footer,
        ):
            if not hf.is_linked_to_previous:
                parts.append(hf._element)
    return parts


def _runs(p: etree._Element) -> list[etree._Element]:
    return list(p.iter(qn("w:r")))


def _run_size_twips(p: etree._Element) -> int:
    for r in _runs(p):
        sz = r.find(f"{qn('w:rPr')}/{qn('w:sz')}")
        if sz is not None:
            return int(sz.get(qn("w:val"))) * 10
    return 36 * 20


def _size_mark(p: etree._Element, text: str) -> None:
    """标志: as large as the rule allows, but never wider than the text block."""
    width_pt = L.mm_to_pt(L.TEXT_WIDTH.value) - 2
    size = min(L.MARK_MAX_PT.value, int(width_pt / max(L.char_width(text), 1)))
    for r in _runs(p):
        rpr = r.find(qn("w:rPr"))
        if rpr is None:
            rpr = el("w:rPr")
            r.insert(0, rpr)
        for tag in ("w:sz", "w:szCs"):
            replace_child(rpr, el(tag, val=size * 2))


def _set_line(ppr: etree._Element, line_twips: float) -> None:
    spacing = ppr.find(qn("w:spacing"))
    if spacing is None:
        spacing = sub(ppr, "w:spacing")
        order_ppr(ppr)
    spacing.set(qn("w:line"), str(round(line_twips)))
    spacing.set(qn("w:lineRule"), "exact")


def _signature_indents(issuer: etree._Element, date: etree._Element | None, sealed: bool) -> None:
    """Sealed: date right 4 chars, 署名 centred over it.  Unsealed: 署名 right 2 chars, date 2 chars right of it."""
    issuer_w = L.char_width(paragraph_text(issuer))
    date_w = L.char_width(paragraph_text(date)) if date is not None else 0
    ippr = issuer.find(qn("w:pPr"))
    if sealed:
        # a 署名 too long to centre over the date stays inside the text block, flush right
        set_indent(ippr, right=max(0.0, L.SEALED_DATE_RIGHT_CHARS.value + (date_w - issuer_w) / 2))
        if date is not None:
            set_indent(date.find(qn("w:pPr")), right=L.SEALED_DATE_RIGHT_CHARS.value)
    else:
        set_indent(ippr, right=L.UNSEALED_ISSUER_RIGHT_CHARS.value)
        if date is not None:
            dppr = date.find(qn("w:pPr"))
            replace_child(dppr, el("w:jc", val="left"))
            line_chars = L.CHARS_PER_LINE.value
            set_indent(
                dppr,
                left=line_chars - L.UNSEALED_ISSUER_RIGHT_CHARS.value - issuer_w + L.UNSEALED_DATE_SHIFT_CHARS.value,
            )


WATERMARK_SIZE_EMU = (5_040_000, 2_160_000)  # 140 × 60 mm
WATERMARK_RUN = (
    '<w:r xmlns:w="{w}" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
    "<w:drawing>"
    '<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" behindDoc="1" '
    'locked="1" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
    '<wp:positionH relativeFrom="page"><wp:align>center</wp:align></wp:positionH>'
    '<wp:positionV relativeFrom="page"><wp:posOffset>{top}</wp:posOffset></wp:positionV>'
    '<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
    '<wp:docPr id="{id}" name="RendaDraftWatermark"/><wp:cNvGraphicFramePr/>'
    '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
    '<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
    '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>'
    "<wps:txbx><w:txbxContent><w:p>"
    '<w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/>'
    '<w:jc w:val="center"/></w:pPr>'
    '<w:r><w:rPr><w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{font}"/><w:color w:val="D9D9D9"/>'
    '<w:sz w:val="200"/><w:szCs w:val="200"/></w:rPr><w:t>草稿</w:t></w:r>'
    "</w:p></w:txbxContent></wps:txbx>"
    '<wps:bodyPr wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="ctr"><a:noAutofit/></wps:bodyPr>'
    "</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>"
)


def _watermark(document: Any) -> None:
    """A light grey 草稿 behind the text in the middle of every page.

    A DrawingML text box anchored in the header's existing paragraph: it adds no line to the header
    (so the text block does not move), Word and LibreOffice both draw it, and it is text a reader of
    the PDF can find.
    """
    cx, cy = WATERMARK_SIZE_EMU
    top = (round(L.PAPER_HEIGHT.value * 36_000) - cy) // 2
    for n, section in enumerate(document.sections):
        headers = [section.header, section.even_page_header]
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
        for m, header in enumerate(headers):
            if n and header.is_linked_to_previous:
                continue  # a later section shows the first one's header, watermark included
            header.is_linked_to_previous = False
            paragraphs = header._element.findall(qn("w:p"))
            host = paragraphs[0] if paragraphs else sub(header._element, "w:p")
            run = WATERMARK_RUN.format(
                w=W_NS, top=int(top), cx=cx, cy=cy, id=9000 + 3 * n + m, font=L.FONT_HEITI, latin=L.FONT_LATIN
            )
            host.append(etree.fromstring(run))


# ── styles and fonts the document really uses ───────────────────────────────────────────────────────

STYLE_REFS = ("pStyle", "rStyle", "tblStyle", "numStyleLink", "styleLink")
STYLE_CHAIN = ("basedOn", "link", "next")
# GB2312 for the Chinese office fonts, ANSI for Latin ones: Word picks the font by charset when it is missing
FONT_CHARSET = {"宋体": "86", "黑体": "86", "仿宋_GB2312": "86", "楷体_GB2312": "86", "方正小标宋简体": "86"}


def _content_parts(document: Any) -> list[etree._Element]:
    """The document body, headers, footers, numbering: every part that can name a style or a font."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    parts = [document.element]
    kinds: tuple[str, ...] = (RT.HEADER, RT.FOOTER)
    if next(document.element.iter(qn("w:numPr")), None) is not None:
        kinds += (RT.NUMBERING,)  # the template's list definitions count only when a paragraph is numbered
    for rel in document.part.rels.values():
        if rel.is_external or rel.reltype not in kinds:
            continue
        target = rel.target_part
        element = getattr(target, "element", None)
        parts.append(element if element is not None else etree.fromstring(target.blob))
    return parts


def prune_styles(document: Any) -> None:
    """Keep only the styles the document uses, the office's named (custom) styles and the defaults, with the
    styles they are based on or linked to: python-docx's template brings ~150 unused English styles."""
    styles = document.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    wanted = {
        node.get(qn("w:val"))
        for part in _content_parts(document)
        for tag in STYLE_REFS
        for node in part.iter(qn(f"w:{tag}"))
    }
    wanted |= {i for i, s in by_id.items() if _named(s) or s.get(qn("w:default")) in ("1", "true")}
    todo = list(wanted)
    while todo:
        style = by_id.get(todo.pop())
        if style is None:
            continue
        for tag in (*STYLE_CHAIN, *STYLE_REFS):
            for node in style.iter(qn(f"w:{tag}")):
                name = node.get(qn("w:val"))
                if name not in wanted:
                    wanted.add(name)
                    todo.append(name)
    for style_id, style in by_id.items():
        if style_id not in wanted:
            styles.remove(style)


def _named(style: etree._Element) -> bool:
    """An office's own style (custom), not the character twin Word links to a built-in one (“Heading 1 Char”)."""
    if style.get(qn("w:customStyle")) not in ("1", "true"):
        return False
    return not (style.get(qn("w:type")) == "character" and style.find(qn("w:link")) is not None)


def used_fonts(document: Any) -> list[str]:
    """Font names the styles and the content name (ascii, hAnsi, eastAsia, cs slots), in first-use order."""
    names: dict[str, None] = {}
    for part in [document.styles.element, *_content_parts(document)]:
        for rfonts in part.iter(qn("w:rFonts")):
            for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
                name = rfonts.get(qn(f"w:{slot}"))
                if name:
                    names.setdefault(name, None)
    return list(names)


def rewrite_font_table(document: Any) -> None:
    """The font table lists the fonts the document uses, nothing from the template's past (ＭＳ 明朝 …)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    for rel in document.part.rels.values():
        if rel.reltype != RT.FONT_TABLE:
            continue
        fonts_el = etree.Element(qn("w:fonts"), nsmap=NSMAP)
        for name in used_fonts(document):
            font = etree.SubElement(fonts_el, qn("w:font"))
            font.set(qn("w:name"), name)
            etree.SubElement(font, qn("w:charset")).set(qn("w:val"), FONT_CHARSET.get(name, "00"))
            etree.SubElement(font, qn("w:family")).set(qn("w:val"), "auto")
            etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "variable")
        rel.target_part._blob = etree.tostring(fonts_el, xml_declaration=True, encoding="UTF-8", standalone=True)
