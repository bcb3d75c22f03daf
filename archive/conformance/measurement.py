"""Measure a PDF against GB/T 9704-2012 with pdfplumber, inferring the layout from the page itself.

Conventions (all distances in mm from the top-left corner of the page):

* A *glyph box* is pdfplumber's character box: one em high (the font size), from baseline+descent upwards.
* A *line* is the set of characters sharing a baseline (±1 pt); its box is the union of its glyph boxes,
  whitespace (including U+3000) excluded.
* *Body lines* are lines of the dominant font size inside the text block zone (between 30 and 262 mm).
* The *top of a text line* is the vertical centre of its glyph box minus half the line pitch: the grid line
  that the 16 pt glyph sits in the middle of.  For LibreOffice and Word, which place the glyph near the middle
  of an exact 28.95 pt line, this is the top of the line box within about ±0.5 mm, whatever the font's
  ascent; the raw glyph top is reported too (``first_line_glyph_top_mm``).
* *Full lines* are body lines starting at the left margin and ending within half an em of the rightmost body
  line end; *characters per full line* counts them only when every character is full width (no spaces,
  no half-width digits or letters).
* The 标志's and the page number's position is the top of their glyph box.  The red rule's position is the
  centre of its stroke, its gap measured from the bottom of the 发文字号's glyph box.
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.conformance.elements import colophon, fonts_check, header, page_numbers, running_header, title
from archive.conformance.pdfread import PT, Line, Page, is_red, read_pages
from archive.conformance.profile import BLOCK_W, BOTTOM, LEFT, PAGE_W, PITCH_PT, TOP, judge, violation
from archive.conformance.report import Finding
from archive.conformance.typography import typographic_break


def check_pdf(path: Path) -> tuple[list[Finding], dict[str, Any]]:
    from archive.conformance.glyphs import check_pdf_glyphs

    pages, total, fonts = read_pages(path)
    findings, m = measure(pages, total, fonts)
    check_pdf_glyphs(path, pages, len(pages) == total, m, findings.append)
    return findings, m


def measure(pages: list[Page], total: int, fonts: list[dict[str, Any]]) -> tuple[list[Finding], dict[str, Any]]:
    out: list[Finding] = []
    m: dict[str, Any] = {"kind": "pdf", "pages": total}
    add = out.append

    def check(rule: str, value: float, page: int | None = None, expected: float | None = None) -> None:
        finding = judge(rule, value, page, expected=expected)
        if finding:
            add(finding)

    if total > len(pages):
        add(violation("pages_limit", f"共 {total} 页，只检查了前 {len(pages)} 页"))
    if not pages:
        add(violation("readable", "PDF 没有页面"))
        return out, m

    paper(pages, m, add)
    # Body text: the dominant size inside the text block zone
    # (measured against each page's own height: a Letter page is reported as such once, not as text lost)
    zone = {p.number: [ln for ln in p.lines if 30 <= ln.centre_y <= p.height - BOTTOM] for p in pages}
    weight = Counter()  # type: Counter[float]
    for lines in zone.values():
        for ln in lines:
            if not ln.red:
                weight[round(ln.size * 2) / 2] += len(ln.text)
    if not weight:
        m["body"] = None
        add(violation("readable", "PDF 中没有可提取的文字（可能是扫描图像），版面无法测量"))
        fonts_check(fonts, m, add)
        return out, m
    body_size = weight.most_common(1)[0][0]
    m["body_font_size_pt"] = body_size
    check("body_size", body_size)
    body = {n: [ln for ln in lines if abs(ln.size - body_size) <= 0.6 and not ln.red] for n, lines in zone.items()}
    em = body_size * PT
    pitch = line_pitch(body, em, m, check)
    edges, right, full = text_block(body, em, m, add, check)
    chars_per_line(body, full, right, em, m, add)
    grid = _Grid(zone, body, edges, body_size, pitch, em)
    m["first_line_top_mm"], m["first_line_glyph_top_mm"], m["lines_per_full_page"] = {}, {}, {}
    for p in pages:
        page_grid(p, grid, m, add, check)

    layout = header(pages[0], body_size, edges[pages[0].number], m, add, check)
    running_header(pages, m, add)
    title(pages[0], body_size, m, check, layout)
    has_colophon = colophon(pages[-1], m, add, check, layout, len(pages) == total)
    page_numbers(pages, m, add, check, layout, has_colophon)
    fonts_check(fonts, m, add)
    return out, m


def paper(pages: list[Page], m: dict[str, Any], add: Any) -> None:
    """Paper (5.1): A4 on every page, reported once."""
    m["page_size_mm"] = [round(pages[0].width, 1), round(pages[0].height, 1)]
    for p in pages:
        if abs(p.width - 210) > 1 or abs(p.height - 297) > 1:
            add(
                violation(
                    "page_size",
                    f"纸张 {p.width:.1f}×{p.height:.1f} mm，应为 A4 210×297±1 mm",
                    p.number,
                    [round(p.width, 1), round(p.height, 1)],
                )
            )
            break


def line_pitch(body: dict[int, list[Line]], em: float, m: dict[str, Any], check: Any) -> float:
    """Line pitch (5.2.3): median of consecutive baseline gaps of body lines."""
    gaps = [
        b.bottom - a.bottom
        for lines in body.values()
        for a, b in itertools.pairwise(lines)
        if 0 < b.bottom - a.bottom < 3 * em + 10
    ]
    pitch = statistics.median(gaps) if gaps else PITCH_PT * PT
    m["line_pitch_mm"] = round(pitch, 2) if gaps else None
    if gaps:
        check("line_pitch", pitch)
    return pitch


def text_block(
    body: dict[int, list[Line]], em: float, m: dict[str, Any], add: Any, check: Any
) -> tuple[dict[int, tuple[float, float]], float, list[Line]]:
    """Left margin and text block width, from full lines: for the document, and for each page on its own.
    Returns each page's edges, the document's right edge and the full lines."""
    all_body = [ln for lines in body.values() for ln in lines]
    left, right = text_edges(all_body, em)
    m["left_margin_mm"] = round(left, 1)
    edges = {n: page_edges(lines, left, right, em) for n, lines in body.items()}
    margins = {n: e[0] for n, e in edges.items() if body[n]}
    m["left_margin_by_page_mm"] = {str(n): round(x, 1) for n, x in margins.items()}
    left_margins(margins, add)
    full = [ln for n, lines in body.items() for ln in lines if _full_line(ln, *edges[n], em)]
    if full:
        m["text_right_margin_mm"] = round(PAGE_W - right, 1)
        # each page on its own, like the left margin: one finding for all pages when they agree
        filled = {
            n: PAGE_W - edges[n][1] for n, lines in body.items() if any(_full_line(x, *edges[n], em) for x in lines)
        }
        if len({round(v, 1) for v in filled.values()}) <= 1:
            check("text_fills_width", PAGE_W - right)
        else:
            for n, value in sorted(filled.items()):
                check("text_fills_width", value, n)
    return edges, right, full


def chars_per_line(
    body: dict[int, list[Line]], full: list[Line], right: float, em: float, m: dict[str, Any], add: Any
) -> None:
    """Characters per full line (5.2.3)."""
    # the line after the last one of a page is the first of the next page: a number carried over a page
    # break shortens the line above it just as within a page
    following = {id(a): b for a, b in itertools.pairwise(ln for page in sorted(body) for ln in body[page])}
    counts = Counter(len(ln.text) for ln in full if ln.full_width)
    m["chars_per_full_line"] = {str(k): v for k, v in sorted(counts.items())} or None
    excused = [ln for ln in full if ln.full_width and typographic_break(ln, following.get(id(ln)), right, em)]
    m["lines_broken_by_typography"] = len(excused) or None
    for ln in excused:
        counts[len(ln.text)] -= 1
    wrong = sum(n for c, n in counts.items() if c != 28)
    if wrong:
        common = counts.most_common(1)[0][0]
        finding = judge("chars_per_line", common)
        if finding:
            add(finding)
        else:
            add(violation("chars_per_line", f"{wrong} 个满行不是 28 字", None, wrong))


@dataclass(frozen=True)
class _Grid:
    """What the page grid checks read: each page's zone and body lines and edges, the body size, the
    measured line pitch and one em."""

    zone: dict[int, list[Line]]
    body: dict[int, list[Line]]
    edges: dict[int, tuple[float, float]]
    body_size: float
    pitch: float
    em: float


def page_grid(p: Page, grid: _Grid, m: dict[str, Any], add: Any, check: Any) -> None:
    """Lines per page and the top of the first line (pages ≥ 2)."""
    lines, body, pitch, em = grid.zone[p.number], grid.body, grid.pitch, grid.em
    if p.number == 1 or not lines or not body[p.number] or lines[0] is not body[p.number][0]:
        return
    first = lines[0]
    top = first.centre_y - pitch / 2
    m["first_line_top_mm"][str(p.number)] = round(top, 2)
    m["first_line_glyph_top_mm"][str(p.number)] = round(first.top, 2)
    if abs(grid.body_size - 16) <= 0.5:  # the convention is defined for 16 pt glyphs in a 28.95 pt line
        first_line_top(first, top, p.number, add)
    bl = body[p.number]
    if (
        body.get(p.number + 1)  # the text flows on: a page before the 版记-only page is not full
        and p.boxes == 0
        and len(bl) == len(lines)
        and len(bl) >= 10
        and bl[-1].centre_y >= p.height - BOTTOM - 2 * pitch
    ):
        slots = round((bl[-1].centre_y - bl[0].centre_y) / pitch) + 1
        m["lines_per_full_page"][str(p.number)] = slots
        # A paragraph running on to the next page (a full last line, the next page starting at the
        # margin, not indented) proves the page was filled; after a paragraph's
        # end the last line may stay empty for a reason (space before a 署名, a heading kept with
        # its text), so such a page only fails when it holds more lines than the grid.
        # A full last line that ends a sentence may as well end its paragraph, before a block that
        # starts at the margin (a 纪要's 出席 list): that page is not judged, rather than guessed wrong.
        runs_on = (
            bl[-1].x1 >= grid.edges[p.number][1] - em / 2
            and abs(body[p.number + 1][0].x0 - grid.edges[p.number + 1][0]) < 1.0
            and bl[-1].text[-1:] not in ("。", "！", "？")
        )
        if runs_on or slots > 22:
            check("lines_per_page", slots, p.number)


def text_edges(lines: list[Line], em: float) -> tuple[float, float]:
    """The left margin and the right edge of the text block that ``lines`` (body lines) were set in."""
    # The right edge is where most long lines end: a line whose last 。 hangs past it must not move it.
    ends = Counter(round(ln.x1) for ln in lines if len(ln.text) >= 20)
    # (ties go to the rightmost end: a centred subtitle must not pass for the text block's edge)
    right = max(ends.items(), key=lambda kv: (kv[1], kv[0]))[0] if ends else max(ln.x1 for ln in lines)
    # The margin is the leftmost start that several body lines share: first lines of paragraphs are
    # indented two characters, so in a short document even every full line may start indented.
    starts = Counter(round(ln.x0, 1) for ln in lines)
    shared = [x for x, n in starts.items() if n >= 2]
    left = min(shared) if shared else min(starts)
    # a document of short paragraphs: the one line at the margin is two characters left of the indent
    left = next((x for x in sorted(starts) if abs(x - (left - 2 * em)) < 0.6), left)
    return left, right


def page_edges(lines: list[Line], left: float, right: float, em: float) -> tuple[float, float]:
    """One page's text block; the document's where the page has too few lines to show its own, where a line
    of the page starts at the document's margin (the rest may hang after a colon, as a 纪要's 出席 list
    does), where its lines all start indented (short paragraphs: the margin is two characters left), or
    where no line spans the text block."""
    if len(lines) < 3:
        return left, right
    own_left, own_right = text_edges(lines, em)
    if abs(own_left - (left + 2 * em)) < 0.6 or abs(min(ln.x0 for ln in lines) - left) < 1.0:
        own_left = left
    if not any(ln.x1 - ln.x0 >= min(right - left, BLOCK_W) - em for ln in lines):
        own_left = left  # no line spans the text block (a page of hanging 附件说明 lines and a 署名): no measure
    if sum(len(ln.text) >= 20 for ln in lines) < 10:
        own_right = right  # a few long lines are no measure of where the page's lines end
    return own_left, own_right


def _full_line(ln: Line, left: float, right: float, em: float) -> bool:
    return ln.x1 >= right - em / 2 and abs(ln.x0 - left) < 1.0


def left_margins(margins: dict[int, float], add: Any) -> None:
    """5.2.1 on every page: 订口 is read as the standard writes it, 订口（左白边）, the left margin of each page.

    Mirrored margins (the binding margin on the right of even pages) therefore fail on the even pages,
    each named; a page whose own margin is right passes, whatever the other pages do.
    """
    for number, left in sorted(margins.items()):
        finding = judge("left_margin", left, number)
        if finding:
            mirrored = number % 2 == 0 and abs(margins.get(number - 1, 0) - LEFT) <= 1
            note = "；双页订口改在右侧的对称页边距不符合本条" if mirrored else ""
            add(
                violation(
                    "left_margin",
                    f"左白边（订口）{left:.1f} mm，应为 {LEFT:g}±1 mm：本条写明订口即左白边，每页都量左边{note}",
                    number,
                    round(left, 1),
                )
            )


def first_line_top(first: Line, line_top: float, number: int, add: Any) -> None:
    """5.2.1 天头 on a page after the first: an error only when neither reading of the page puts the top of its
    first line at 37±1 mm — the em box of the first glyph (what Typst and TeX place on the block's top edge)
    or the line box it is centred in (Word, LibreOffice: centre minus half the pitch)."""
    if judge("first_line_top", first.top, number) is None or judge("first_line_top", line_top, number) is None:
        return
    add(
        violation(
            "first_line_top",
            f"首行字顶距页面上边 {first.top:.1f} mm（按居中行框推算的行顶 {line_top:.1f} mm），"
            f"两种量法都不在 {TOP:g}±1 mm 内",
            number,
            round(first.top, 2),
        )
    )


__all__ = ["Line", "Page", "check_pdf", "is_red", "measure", "read_pages", "typographic_break"]
