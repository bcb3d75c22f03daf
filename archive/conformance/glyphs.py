"""Glyph coverage of a finished document: characters printed as a box, or not printed at all.

Four measurements, all under the rule ``glyphs_missing``:

* PDF, characters drawn with the font's .notdef glyph (a box) although the text layer names them: see
  :mod:`archive.conformance.fontprog`.
* PDF, glyphs without a character: a glyph the text layer cannot map to a character (pdfminer's
  ``(cid:N)``, a producer's U+FFFD) is a font's .notdef box or an unknown shape.
* PDF against the .docx it was made from (the file of the same name beside it, as ``renda render`` writes
  them): a printable character of the .docx's body that the PDF does not hold was dropped by the converter.
  LibreOffice does that, silently, for a character no installed font covers (𪚥 U+2A6A5, 𱍐 U+3134F): it
  leaves no trace in the PDF itself, so only this comparison can see it. The page is the one where the
  text just before the character is printed.
* .docx: a printable character no installed font covers (asked of fontconfig, as ``renda validate`` does).
"""

from __future__ import annotations

import zipfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archive.conformance.pdfread import Page
from archive.conformance.profile import violation
from archive.conformance.report import Finding
from archive.glyphs import code_point, describe_characters, needs_glyph, uncovered_characters

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PARTS = ("word/document.xml", "word/header", "word/footer", "word/footnotes.xml", "word/endnotes.xml")
_MAX_PART_BYTES = 50 * 1024 * 1024
# Below this share of the .docx's characters found in the PDF, the .docx is not the PDF's source.
_SAME_SOURCE = 0.9
_CONTEXT = 6

Add = Callable[[Finding], None]


def check_pdf_glyphs(path: Path, pages: list[Page], complete: bool, m: dict[str, Any], add: Add) -> None:
    """``complete``: every page of the PDF was read (the comparison with the .docx needs them all)."""
    for page in pages:
        if page.glyphless:
            fonts = "、".join(sorted({font for _, font in page.glyphless}))
            add(
                violation(
                    "glyphs_missing",
                    f"{len(page.glyphless)} 个字形没有对应的字符（字体 {fonts} 缺字或缺少字符映射：印出为方框或空白，"
                    "或无法复制、检索）",
                    page.number,
                    len(page.glyphless),
                )
            )
    m["glyphless"] = {str(p.number): len(p.glyphless) for p in pages if p.glyphless} or None
    _notdef(path, pages, m, add)
    source = path.with_suffix(".docx")
    if not complete or not source.is_file():
        m["dropped_characters"] = None
        return
    try:
        # The body only: a header or footer part may be printed on no page (a first page without page number).
        paragraphs = docx_paragraphs(source, ("word/document.xml",))
    except (OSError, zipfile.BadZipFile, ValueError):
        m["dropped_characters"] = None
        return
    wanted = {ch for text in paragraphs for ch in text if needs_glyph(ch)}
    printed = {ch for page in pages for ch in page.text}
    dropped = wanted - printed
    if not wanted or len(dropped) > (1 - _SAME_SOURCE) * len(wanted):
        m["dropped_characters"] = None  # not the PDF's source (or nothing to compare)
        return
    by_page: dict[int | None, list[str]] = defaultdict(list)
    for ch in sorted(dropped, key=lambda c: _first_use(paragraphs, c)):
        by_page[_page_of(ch, paragraphs, dropped, pages)].append(ch)
    m["dropped_characters"] = [
        {"char": ch, "code_point": code_point(ch), "page": number} for number, chars in by_page.items() for ch in chars
    ]  # [] when compared and nothing is missing; None when there was nothing to compare with
    for number, chars in sorted(by_page.items(), key=lambda kv: kv[0] or 0):
        add(
            violation(
                "glyphs_missing",
                f"字符 {describe_characters(chars)}在 {source.name} 中有，PDF 中却没有"
                "（没有字体含有这些字：转换时被丢弃，或印成了方框）",
                number,
                [code_point(ch) for ch in chars],
            )
        )


def _notdef(path: Path, pages: list[Page], m: dict[str, Any], add: Add) -> None:
    from archive.conformance.fontprog import notdef_characters

    try:
        notdef = notdef_characters(path)
    except Exception:  # pdfplumber read the file; a font layer pikepdf rejects says nothing more
        m["notdef_characters"] = None
        return
    found: dict[str, list[int]] = {}
    for page in pages:
        boxes = sorted({(font.split("+", 1)[-1], text) for font, text in page.glyphs if text in notdef.get(font, ())})
        if boxes:
            chars = list(dict.fromkeys(text for _, text in boxes))
            for ch in chars:
                found.setdefault(code_point(ch[0]), []).append(page.number)
            fonts = "、".join(sorted({font for font, _ in boxes}))
            add(
                violation(
                    "glyphs_missing",
                    f"字符 {describe_characters(chars)}印成了方框：嵌入字体 {fonts} 中没有它的字形（.notdef）",
                    page.number,
                    [code_point(ch[0]) for ch in chars],
                )
            )
    m["notdef_characters"] = found


def check_docx_glyphs(path: Path, m: dict[str, Any], add: Add) -> None:
    """Characters of the .docx that no installed font covers."""
    try:
        text = "\n".join(docx_paragraphs(path))
    except (OSError, zipfile.BadZipFile, ValueError):
        return
    missing = uncovered_characters(text)
    m["uncovered_characters"] = [code_point(ch) for ch in missing] if missing else None
    if missing:
        add(
            violation(
                "glyphs_missing",
                f"没有任何已安装的字体能显示字符 {describe_characters(missing)}，转换为 PDF 或打印时会缺字或显示为方框",
                None,
                [code_point(ch) for ch in missing],
            )
        )


def docx_paragraphs(path: Path, parts: tuple[str, ...] = _PARTS) -> list[str]:
    """The text of every paragraph of the body, headers, footers and notes (or of ``parts``), as printed: hidden
    (w:vanish) runs, deleted text and field instructions left out."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    out: list[str] = []
    with zipfile.ZipFile(path) as package:
        for info in package.infolist():
            if not info.filename.startswith(parts) or not info.filename.endswith(".xml"):
                continue
            if info.file_size > _MAX_PART_BYTES:
                raise ValueError(f"{info.filename} is too large")
            root = etree.fromstring(package.read(info), parser)
            for p in root.iter(f"{W}p"):
                out.append("".join(_run_text(r) for r in p.iter(f"{W}r")))
    return out


def _run_text(run: Any) -> str:
    vanish = run.find(f"{W}rPr/{W}vanish")
    if vanish is not None and vanish.get(f"{W}val") not in ("0", "false", "off"):
        return ""
    return "".join(t.text or "" for t in run.iter(f"{W}t"))


def _first_use(paragraphs: list[str], ch: str) -> tuple[int, int]:
    return next(((i, text.index(ch)) for i, text in enumerate(paragraphs) if ch in text), (len(paragraphs), 0))


def _page_of(ch: str, paragraphs: list[str], dropped: set[str], pages: list[Page]) -> int | None:
    """The page where the printed text just before (or else just after) the character's first use is."""
    for text in paragraphs:
        if ch not in text:
            continue
        at = text.index(ch)
        printed = [c for c in text if needs_glyph(c) and c not in dropped]
        before = sum(1 for c in text[:at] if needs_glyph(c) and c not in dropped)
        for context in ("".join(printed[max(0, before - _CONTEXT) : before]), "".join(printed[before:][:_CONTEXT])):
            if context:
                found = [p.number for p in pages if context in p.text]
                if len(found) == 1:
                    return found[0]
    return None
