"""Read a PDF into lines, rules and fonts with pdfplumber, in millimetres from the page's top-left corner.

The conventions (glyph box, line, body line) are described in ``archive.conformance.measurement``.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.conformance.profile import MM_PER_PT
from archive.conformance.report import ConformanceError

MAX_PAGES = 200
MAX_BYTES = 200 * 1024 * 1024
PT = MM_PER_PT  # mm per point


@dataclass
class Line:
    text: str
    x0: float  # mm
    x1: float
    top: float
    bottom: float
    size: float  # pt
    red: bool
    fonts: tuple[str, ...]
    full_width: bool

    @property
    def centre_y(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def centre_x(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Rule:  # a horizontal rule drawn on the page
    x0: float
    x1: float
    y: float
    weight: float  # mm
    red: bool

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    rules: list[Rule]
    boxes: int  # rectangles taller than a rule (tables, frames)
    glyphless: tuple[tuple[str, str], ...] = ()  # (text, font) of glyphs with no character: .notdef, unmapped
    glyphs: frozenset[tuple[str, str]] = frozenset()  # every distinct (font, text) drawn, font as the PDF names it

    @property
    def text(self) -> str:
        """The page's printed characters in reading order, without whitespace."""
        return "".join("".join(ln.text.split()) for ln in self.lines)


def is_red(color: Any) -> bool:
    """Red ink: R high, G and B low, in RGB or CMYK (GB/T 9704 red is about C0 M80 Y80 K0)."""
    if not isinstance(color, list | tuple) or not all(isinstance(c, int | float) for c in color):
        return False
    if len(color) == 3:
        r, g, b = color
    elif len(color) == 4:
        c, m, y, k = color
        r, g, b = (1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)
    else:
        return False
    return bool(r >= 0.6 and g <= 0.4 and b <= 0.4)


def _full_width(text: str) -> bool:
    # a "char" may be a ligature ("fi") or empty: full width only if every code point is
    return bool(text) and all(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)


WATERMARK_PT = 40  # text bigger than this is no line of the document: a draft's 100 pt 草稿 watermark


def _lines(chars: list[dict[str, Any]]) -> list[Line]:
    """The page's lines, top to bottom.  A draft's 草稿 watermark makes lines of its own: wherever LibreOffice
    happens to draw it, it never joins a line of text it shares a baseline with (which would move that line)."""
    text = [c for c in chars if c["size"] <= WATERMARK_PT]
    marks = [c for c in chars if c["size"] > WATERMARK_PT]
    return sorted(_rows(text) + _rows(marks), key=lambda ln: ln.bottom)


def _rows(chars: list[dict[str, Any]]) -> list[Line]:
    seen: set[tuple[str, int, int]] = set()
    rows: list[list[dict[str, Any]]] = []
    for c in sorted((c for c in chars if c.get("upright", True)), key=lambda c: (c["bottom"], c["x0"])):
        key = (c["text"], round(c["x0"] * 10), round(c["top"] * 10))
        if key in seen:  # some producers draw text twice (fake bold, shadows)
            continue
        seen.add(key)
        if rows and abs(rows[-1][0]["bottom"] - c["bottom"]) <= 1.0:
            rows[-1].append(c)
        else:
            rows.append([c])
    lines = []
    for row in rows:
        row.sort(key=lambda c: c["x0"])
        ink = [c for c in row if not c["text"].isspace()]
        if not ink:
            continue
        text = "".join(c["text"] for c in row).strip()
        colours = Counter(is_red(c.get("non_stroking_color")) for c in ink)
        lines.append(
            Line(
                text=text,
                x0=ink[0]["x0"] * PT,
                x1=ink[-1]["x1"] * PT,
                top=min(c["top"] for c in ink) * PT,
                bottom=max(c["bottom"] for c in ink) * PT,
                size=statistics.median(c["size"] for c in ink),
                red=colours[True] > colours[False],
                fonts=tuple(sorted({c["fontname"] for c in ink})),
                full_width=all(_full_width(c["text"]) for c in row),
            )
        )
    return lines


# pdfminer writes "(cid:N)" for a glyph it cannot map to a character; U+FFFD is a producer's "unknown".
_GLYPHLESS = re.compile(r"^\(cid:\d+\)$|\ufffd")


def _glyphless(chars: list[dict[str, Any]]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (c["text"], str(c.get("fontname", "")).split("+", 1)[-1]) for c in chars if _GLYPHLESS.search(c["text"])
    )


def _rules(plumber_page: Any) -> tuple[list[Rule], int]:
    found: dict[tuple[int, int, int], Rule] = {}
    boxes = 0
    for obj in list(plumber_page.lines) + list(plumber_page.rects):
        x0, x1, top, bottom = obj["x0"] * PT, obj["x1"] * PT, obj["top"] * PT, obj["bottom"] * PT
        if x1 - x0 < 20:
            continue
        if obj["object_type"] == "rect" and bottom - top > 2.0:
            boxes += 1
            continue
        if obj["object_type"] == "line" and bottom - top > 0.5:
            continue  # not horizontal
        filled = obj["object_type"] == "rect" and obj.get("fill")
        colour = obj.get("non_stroking_color") if filled else obj.get("stroking_color")
        weight = bottom - top if filled else (obj.get("linewidth") or 0) * PT
        rule = Rule(x0, x1, (top + bottom) / 2, max(weight, bottom - top), is_red(colour))
        found.setdefault((round(x0 * 10), round(x1 * 10), round(rule.y * 10)), rule)
    return sorted(found.values(), key=lambda r: r.y), boxes


def _fonts(pdf: Any) -> list[dict[str, Any]]:
    from pdfminer.pdftypes import resolve1

    fonts: dict[str, bool] = {}
    for page in pdf.pages[:MAX_PAGES]:
        resources = resolve1(page.page_obj.resources) or {}
        for ref in (resolve1(resources.get("Font")) or {}).values():
            font = resolve1(ref) or {}
            name = str(resolve1(font.get("BaseFont", b"?")))
            name = name.strip("/'").removeprefix("b'").split("+", 1)[-1].lstrip("/")
            if str(resolve1(font.get("Subtype"))).endswith("Type3'") or "Type3" in str(font.get("Subtype")):
                fonts[name] = True
                continue
            descendant = resolve1(font.get("DescendantFonts"))
            if descendant:
                font = resolve1(descendant[0]) or {}
            descriptor = resolve1(font.get("FontDescriptor")) or {}
            embedded = any(k in descriptor for k in ("FontFile", "FontFile2", "FontFile3"))
            fonts[name] = fonts.get(name, False) or embedded
    return [{"name": n, "embedded": e} for n, e in sorted(fonts.items())]


def _open(path: Path) -> Any:
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise ConformanceError(f"{path}: 无法读取文件（{exc.strerror}）") from exc
    if size > MAX_BYTES:
        raise ConformanceError(f"{path}: 文件过大（{size // 1048576} MB），超过 {MAX_BYTES // 1048576} MB 的检查上限")
    if b"%PDF-" not in head:
        raise ConformanceError(f"{path}: 不是 PDF 文件（文件头没有 %PDF-）")
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(path)
        pdf.pages  # noqa: B018 - parses the page tree, where damage shows
    except PDFPasswordIncorrect as exc:
        raise ConformanceError(f"{path}: PDF 已加密，需要密码，无法检查") from exc
    except Exception as exc:  # pdfminer raises many unrelated types on damaged files
        raise ConformanceError(f"{path}: PDF 文件已损坏，无法解析（{type(exc).__name__}）") from exc
    return pdf


def read_pages(path: Path) -> tuple[list[Page], int, list[dict[str, Any]]]:
    """The measured pages (at most MAX_PAGES), the document's page count and its fonts."""
    pdf = _open(path)
    try:
        total = len(pdf.pages)
        pages = []
        for p in pdf.pages[:MAX_PAGES]:
            rules, boxes = _rules(p)
            chars = p.chars
            size = float(p.width) * PT, float(p.height) * PT
            drawn = frozenset((str(c.get("fontname", "")), c["text"]) for c in chars)
            pages.append(Page(p.page_number, *size, _lines(chars), rules, boxes, _glyphless(chars), drawn))
            p.flush_cache()
        fonts = _fonts(pdf)
    except ConformanceError:
        raise
    except Exception as exc:
        raise ConformanceError(f"{path}: PDF 内容无法解析（{type(exc).__name__}: {exc}）") from exc
    finally:
        pdf.close()
    return pages, total, fonts
