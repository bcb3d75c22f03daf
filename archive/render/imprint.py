"""Let the 版记 share the last page of the body when that page is even and has room for it.

A template cannot know where the body will end, so it puts the 版记 in a section of its own that starts
on an even page: always correct, but when the body already ends on an even page with room to spare the
document carries a blank page and a 版记 page it does not need (GB/T 9704 7.4 asks only that the 版记 be at
the foot of the last page, an even one).  After the first conversion we measure where each body ended; a
document that can share is folded into one section and converted again, and the folded result is kept
only if the 版记 now lies on the bottom edge of the last, even page, under the body's last lines.
"""

from __future__ import annotations

import io
from pathlib import Path

from archive.render.layout import MARGIN_TOP, TEXT_HEIGHT

PT_MM = 25.4 / 72
BLOCK_BOTTOM_MM = MARGIN_TOP.value + TEXT_HEIGHT.value
MIN_GAP_MM = 10.0  # at least one empty line between the body and the 版记's first rule


def can_share(pdf_path: Path) -> bool:
    """True when the body ends on an even page, the 版记 sits alone after it, and it would fit below the body."""
    import pdfplumber

    if not _blank_before_last(pdf_path):
        return False  # no blank page before the last: the body ended on an odd page (or there is no 版记 page)
    with pdfplumber.open(pdf_path) as pdf:
        pages = pdf.pages
        if len(pages) < 2:
            return False
        last = pages[-1]
        rules = _imprint_rules(last)
        if not rules or _text_bottom(last, above=min(rules)) is not None:
            return False  # no 版记 rules, or the 版记 page also carries body text
        for page in reversed(pages[:-1]):
            bottom = _text_bottom(page, above=BLOCK_BOTTOM_MM)
            if bottom is None:
                continue  # the blank page inserted before an even-page section
            return page.page_number % 2 == 0 and bottom + MIN_GAP_MM <= min(rules)
    return False


def _blank_before_last(pdf_path: Path) -> bool:
    """The page before the last draws no text (a quick look at its content stream with qpdf)."""
    import pikepdf

    with pikepdf.open(pdf_path) as pdf:
        if len(pdf.pages) < 3:
            return False
        contents = pdf.pages[-2].obj.get("/Contents")
        if contents is None:
            return True
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        data = b"".join(stream.read_bytes() for stream in streams)
        return b"Tj" not in data and b"TJ" not in data


def landed(pdf_path: Path) -> bool:
    """After folding: an even number of pages, the last one holding body text and the 版记 whose last
    rule lies on the bottom edge of the text block (±1 mm)."""
    import pdfplumber

    with pdfplumber.open(pdf_path) as pdf:
        if len(pdf.pages) % 2:
            return False
        last = pdf.pages[-1]
        rules = _imprint_rules(last)
        return bool(rules) and abs(rules[-1] - BLOCK_BOTTOM_MM) <= 1.0 and _text_bottom(last, min(rules)) is not None


def _imprint_rules(page: object) -> list[float]:
    """Tops (mm) of the page's thin rules wider than 140 mm, top to bottom: the 版记's rules."""
    return sorted(
        r["top"] * PT_MM
        for r in page.lines + page.rects  # type: ignore[attr-defined]
        if (r["x1"] - r["x0"]) * PT_MM > 140 and (r["bottom"] - r["top"]) * PT_MM < 1.5
    )


def _text_bottom(page: object, above: float) -> float | None:
    """The lowest text inside the text block above ``above`` mm (page numbers sit below the block)."""
    bottoms = [c["bottom"] * PT_MM for c in page.chars if c["top"] * PT_MM < above - 0.5]  # type: ignore[attr-defined]
    return max(bottoms) if bottoms else None


def fold(docx_path: Path, target: Path) -> None:
    """Write ``docx_path`` with the 版记's own section merged into the body's (the 版记 frames stay)."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(str(docx_path))
    body = document.element.body
    breaks = [s for s in body.iter(qn("w:sectPr")) if s.getparent() is not body]
    if not breaks:
        raise ValueError("no section break before the 版记")
    inner = breaks[-1]
    holder = inner.getparent().getparent()  # w:p / w:pPr / w:sectPr
    outer = body.find(qn("w:sectPr"))
    inner.getparent().remove(inner)
    if outer is not None:
        body.remove(outer)
    body.append(inner)  # the body's section properties: its footers with page numbers, its headers
    if not "".join(t.text or "" for t in holder.iter(qn("w:t"))):
        body.remove(holder)
    buffer = io.BytesIO()  # a zip written to the file itself would fail again in __del__ when the disk is full
    document.save(buffer)
    target.write_bytes(buffer.getvalue())
