"""Settle the 版记 after the first conversion: on the bottom edge of the last, even page, numbered per 7.5.

A template cannot know where the body will end, so it puts the 版记 in a section of its own on a new page,
numbered like the body, pushed down by a spacer line whose height the layout pass estimates.  After the
first conversion each document with a 版记 is measured:

- the body ended on an even page, so the 版记 page is odd.  When the 版记 fits under the body's last lines
  it is folded onto that page (one section; the spacer becomes the measured rest of the page).  Otherwise a
  blank page goes before it and both lose their numbers: GB/T 9704 7.5, "公文的版记页前有空白页的，空白页和
  版记页均不编排页码" (a 版记 page after a page of text keeps its number);
- the 版记's last rule is off the bottom edge of the text block (the estimate missed): the spacer is
  corrected by the measured difference.

Those documents are converted again and kept only when measured right; a fold that does not land is
converted a third time as a numberless 版记 page of its own.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.render.layout import LINE_PITCH_TWIPS, MARGIN_TOP, TEXT_HEIGHT, twips

PT_MM = 25.4 / 72
BLOCK_BOTTOM_MM = MARGIN_TOP.value + TEXT_HEIGHT.value
PITCH_MM = LINE_PITCH_TWIPS.value / 20 * PT_MM
GLYPH_OFFSET_MM = 2.7  # a 16 pt glyph box top (pdfplumber) lies this far into its 28.95 pt exact line (measured)
# the last rule aims half a millimetre above the bottom edge: a rule's border drawn below the text block makes
# LibreOffice push the 版记 to the next page
TARGET_MM = BLOCK_BOTTOM_MM - 0.5
LANDED_MM = 0.5  # the last rule within this of the target needs no second pass
MIN_GAP_TWIPS = LINE_PITCH_TWIPS.value  # at least one empty line between the body and the 版记's first rule


@dataclass(frozen=True)
class Placement:
    """Where the first conversion put a flowing 版记."""

    pages: int
    first_rule_mm: float  # centre of the 版记's first rule on the last page
    last_rule_mm: float  # centre of its last rule
    odd: bool  # the 版记 page is odd: the body ended on an even page
    body_bottom_mm: float | None  # bottom of the body's last line box on its (even) page

    @property
    def correction_twips(self) -> int:
        return twips(TARGET_MM - self.last_rule_mm)

    def action(self) -> str | None:
        """fold / unnumber / adjust, or None when the first pass stands."""
        if self.odd:
            return "fold" if self.fold_spacer_delta() is not None else "unnumber"
        return "adjust" if abs(self.last_rule_mm - TARGET_MM) > LANDED_MM else None

    def fold_spacer_delta(self) -> int | None:
        """How much the spacer shrinks when the 版记 moves under the body's last line (None: it does not fit)."""
        if self.body_bottom_mm is None:
            return None
        used = twips(self.body_bottom_mm - MARGIN_TOP.value)
        return used if self._spacer_room() - used >= MIN_GAP_TWIPS else None

    def _spacer_room(self) -> int:
        """The spacer's height once corrected, measured from where the 版记 page's first rule lands."""
        return twips(self.first_rule_mm - MARGIN_TOP.value) + self.correction_twips


def measure(pdf_path: Path) -> Placement | None:
    """The 版记 placement of a converted document, or None when it has no ruled 版记 on its last page."""
    import pdfplumber

    with pdfplumber.open(pdf_path) as pdf:
        pages = pdf.pages
        if len(pages) < 2:
            return None
        rules = _imprint_rules(pages[-1])
        if not rules:
            return None
        if _text_above(pages[-1], rules[0]):
            return None  # the 版记 already shares a page with the body
        odd = len(pages) % 2 == 1
        body_bottom = None
        if odd:
            tops = [c["top"] * PT_MM for c in _text(pages[-2]) if c["top"] * PT_MM < BLOCK_BOTTOM_MM - 0.5]
            if tops:
                body_bottom = max(tops) - GLYPH_OFFSET_MM + PITCH_MM
        return Placement(len(pages), rules[0], rules[-1], odd, body_bottom)


def landed(pdf_path: Path, action: str) -> bool:
    """After a second pass: an even number of pages, the 版记's last rule on the bottom edge of the text
    block; a folded 版记 shares its page with body text, and one of its own stands alone."""
    import pdfplumber

    with pdfplumber.open(pdf_path) as pdf:
        if len(pdf.pages) % 2:
            return False
        last = pdf.pages[-1]
        rules = _imprint_rules(last)
        if not rules or abs(rules[-1] - BLOCK_BOTTOM_MM) > 1.0:
            return False
        body_on_page = _text_above(last, rules[0])
        if action == "unnumber" and _text(pdf.pages[-2]):
            return False  # the page before must be blank
        return body_on_page if action == "fold" else not body_on_page


def _text_above(page: object, mm: float) -> bool:
    return any(c["top"] * PT_MM < mm - 0.5 for c in _text(page))


def _text(page: object) -> list[dict[str, Any]]:
    """The page's characters of text sizes (a draft's 草稿 watermark is 100 pt)."""
    return [c for c in page.chars if c["size"] <= 40]  # type: ignore[attr-defined]


def _imprint_rules(page: object) -> list[float]:
    """Centres (mm) of the page's thin rules wider than 140 mm, top to bottom: the 版记's rules."""
    return sorted(
        (r["top"] + r["bottom"]) / 2 * PT_MM
        for r in page.lines + page.rects  # type: ignore[attr-defined]
        if (r["x1"] - r["x0"]) * PT_MM > 140 and (r["bottom"] - r["top"]) * PT_MM < 1.5
    )


def rewrite(docx_path: Path, target: Path, action: str, placement: Placement) -> None:
    """Write ``docx_path`` to ``target`` with the 版记 folded, unnumbered or its spacer corrected."""
    import docx
    from docx.oxml.ns import qn

    from archive.render import _ooxml

    document = docx.Document(str(docx_path))
    body = document.element.body
    spacer, _flowing = _ooxml.imprint_spacer([p for p in body if p.tag == qn("w:p")])
    if spacer is None:
        raise ValueError("no 版记 spacer")
    spacing = spacer.find(f"{qn('w:pPr')}/{qn('w:spacing')}")
    height = int(spacing.get(qn("w:line"))) + placement.correction_twips
    if action == "fold":
        height -= placement.fold_spacer_delta() or 0
        _merge_last_section(document)
    elif action == "unnumber":
        _numberless_last_section(document)
        _blank_page_before(spacer)
    _ooxml.set_spacer(spacer, height)
    buffer = io.BytesIO()  # a zip written to the file itself would fail again in __del__ when the disk is full
    document.save(buffer)
    target.write_bytes(buffer.getvalue())


def _merge_last_section(document: object) -> None:
    """The 版记's own section merged into the body's (the body's section properties: footers, numbering)."""
    from docx.oxml.ns import qn

    body = document.element.body  # type: ignore[attr-defined]
    breaks = [s for s in body.iter(qn("w:sectPr")) if s.getparent() is not body]
    if not breaks:
        raise ValueError("no section break before the 版记")
    inner = breaks[-1]
    holder = inner.getparent().getparent()  # w:p / w:pPr / w:sectPr
    outer = body.find(qn("w:sectPr"))
    inner.getparent().remove(inner)
    if outer is not None:
        body.remove(outer)
    body.append(inner)
    if not "".join(t.text or "" for t in holder.iter(qn("w:t"))):
        body.remove(holder)


def _blank_page_before(spacer: object) -> None:
    """A blank page at the head of the 版记's section: an empty hairline paragraph, then the spacer on a new page."""
    from docx.oxml.ns import qn

    from archive.render import _ooxml

    blank = _ooxml.el("w:p")
    ppr = _ooxml.sub(blank, "w:pPr")
    _ooxml.sub(ppr, "w:pStyle", val="GwTail")
    spacer.addprevious(blank)  # type: ignore[attr-defined]
    spacer_ppr = spacer.find(qn("w:pPr"))  # type: ignore[attr-defined]
    _ooxml.sub(spacer_ppr, "w:pageBreakBefore")
    _ooxml.order_ppr(spacer_ppr)


def _numberless_last_section(document: object) -> None:
    """Empty footers for the 版记 section (its blank page and the 版记 page), one empty line in the page-number
    style each, so that the page's margins stay those of the body's pages (LibreOffice sizes a footer from
    its content)."""
    section = document.sections[-1]  # type: ignore[attr-defined]
    for footer in (section.footer, section.even_page_footer):
        footer.is_linked_to_previous = False
        for p in footer.paragraphs:
            p.style = document.styles["页码"]  # type: ignore[attr-defined]
