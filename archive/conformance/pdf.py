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
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .profile import BLOCK_BOTTOM, BLOCK_W, LEFT, MM_PER_PT, PAGE_W, PITCH_PT, RIGHT, judge, violation
from .report import ConformanceError, Finding

MAX_PAGES = 200
MAX_BYTES = 200 * 1024 * 1024
PT = MM_PER_PT  # mm per point
PAGE_NUMBER = re.compile(r"^[\-—–―－‒一_~]*\s*\d{1,4}\s*[\-—–―－‒一_~]*$")
PAGE_NUMBER_OK = re.compile(r"^— \d{1,4} —$")
DOC_NUMBER = re.compile(r"[〔\[［(（【]\s*(\d{2,4})\s*[〕\]］)）】]\s*第?\s*(\d+)\s*号")
DOC_NUMBER_OK = re.compile(r"〔\d{4}〕[1-9]\d*号")


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


def _lines(chars: list[dict[str, Any]]) -> list[Line]:
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
            pages.append(Page(p.page_number, float(p.width) * PT, float(p.height) * PT, _lines(p.chars), rules, boxes))
            p.flush_cache()
        fonts = _fonts(pdf)
    except ConformanceError:
        raise
    except Exception as exc:
        raise ConformanceError(f"{path}: PDF 内容无法解析（{type(exc).__name__}: {exc}）") from exc
    finally:
        pdf.close()
    return pages, total, fonts


def check_pdf(path: Path) -> tuple[list[Finding], dict[str, Any]]:
    pages, total, fonts = read_pages(path)
    return measure(pages, total, fonts)


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

    # Paper (5.1)
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

    # Body text: the dominant size inside the text block zone
    zone = {p.number: [ln for ln in p.lines if 30 <= ln.centre_y <= BLOCK_BOTTOM] for p in pages}
    weight = Counter()  # type: Counter[float]
    for lines in zone.values():
        for ln in lines:
            if not ln.red:
                weight[round(ln.size * 2) / 2] += len(ln.text)
    if not weight:
        m["body"] = None
        add(violation("readable", "PDF 中没有可提取的文字（可能是扫描图像），版面无法测量"))
        _fonts_check(fonts, m, add)
        return out, m
    body_size = weight.most_common(1)[0][0]
    m["body_font_size_pt"] = body_size
    check("body_size", body_size)
    body = {n: [ln for ln in lines if abs(ln.size - body_size) <= 0.6 and not ln.red] for n, lines in zone.items()}
    em = body_size * PT

    # Line pitch (5.2.3): median of consecutive baseline gaps of body lines
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

    # Left margin and text block width, from full lines
    all_body = [ln for lines in body.values() for ln in lines]
    # The right edge is where most long lines end: a line whose last 。 hangs past it must not move it.
    ends = Counter(round(ln.x1) for ln in all_body if len(ln.text) >= 20)
    right = ends.most_common(1)[0][0] if ends else max(ln.x1 for ln in all_body)
    full = [ln for ln in all_body if ln.x1 >= right - em / 2]
    # The margin is the leftmost start shared by several full lines: the first line of a paragraph
    # is indented two characters, and short paragraphs make that indented start the most common one.
    lefts = Counter(round(ln.x0, 1) for ln in full)
    shared = [x for x, n in lefts.items() if n >= max(2, len(full) // 10)]
    left = min(shared) if shared else (min(lefts) if lefts else min(ln.x0 for ln in all_body))
    # Short paragraphs (lists, files of facts): the shared start may be the two-character first-line
    # indent, with the few wrapped or flush-left lines starting two characters to its left, at the margin.
    left = min((ln.x0 for ln in all_body if abs(left - ln.x0 - 2 * em) < 1.0), default=left)
    if len(full) < 2:  # a short letter: the leftmost body line that is not centred
        left = min(ln.x0 for ln in all_body)
    m["left_margin_mm"] = round(left, 1)
    check("left_margin", left)
    full = [ln for ln in full if abs(ln.x0 - left) < 1.0]
    if full:
        m["text_right_margin_mm"] = round(PAGE_W - right, 1)
        check("text_fills_width", PAGE_W - right)

    # Characters per full line (5.2.3)
    counts = Counter(len(ln.text) for ln in full if ln.full_width)
    m["chars_per_full_line"] = {str(k): v for k, v in sorted(counts.items())} or None
    wrong = sum(n for c, n in counts.items() if c != 28)
    if wrong:
        common = counts.most_common(1)[0][0]
        finding = judge("chars_per_line", common)
        if finding:
            add(finding)
        else:
            add(violation("chars_per_line", f"{wrong} 个满行不是 28 字", None, wrong))

    # Lines per page and the top of the first line (pages ≥ 2)
    m["first_line_top_mm"], m["first_line_glyph_top_mm"], m["lines_per_full_page"] = {}, {}, {}
    last_number = pages[-1].number
    for p in pages:
        lines = zone[p.number]
        if p.number == 1 or not lines or not body[p.number] or lines[0] is not body[p.number][0]:
            continue
        first = lines[0]
        top = first.centre_y - pitch / 2
        m["first_line_top_mm"][str(p.number)] = round(top, 2)
        m["first_line_glyph_top_mm"][str(p.number)] = round(first.top, 2)
        if abs(body_size - 16) <= 0.5:  # the convention is defined for 16 pt glyphs in a 28.95 pt line
            check("first_line_top", top, p.number)
        bl = body[p.number]
        if (
            p.number != last_number
            and p.boxes == 0
            and len(bl) == len(lines)
            and len(bl) >= 10
            and bl[-1].centre_y >= BLOCK_BOTTOM - 2 * pitch
        ):
            slots = round((bl[-1].centre_y - bl[0].centre_y) / pitch) + 1
            m["lines_per_full_page"][str(p.number)] = slots
            check("lines_per_page", slots, p.number)

    layout = _header(pages[0], body_size, left, m, add, check)
    _title(pages[0], body_size, m, check, layout)
    colophon = _colophon(pages[-1], m, add, check, layout, total, len(pages) == total)
    _page_numbers(pages, m, add, check, layout, colophon)
    _fonts_check(fonts, m, add)
    return out, m


def _header(page: Page, body_size: float, left: float, m: dict[str, Any], add: Any, check: Any) -> dict[str, Any]:
    """The 版头: 发文机关标志, 发文字号 and the red rule; decides the format from the geometry."""
    upper = [ln for ln in page.lines if ln.top < 140]
    number = next((ln for ln in upper if DOC_NUMBER.search(ln.text)), None)
    if number:
        m["doc_number"] = number.text
        if not DOC_NUMBER_OK.search(number.text):
            add(
                violation(
                    "doc_number_brackets",
                    f"发文字号“{number.text}”应写作 代字〔2024〕7号：六角括号、年份写全、不加“第”、序号不编虚位",
                    page.number,
                    number.text,
                )
            )
    limit = number.top if number else 140
    mark = [ln for ln in upper if ln.bottom <= limit + 0.5 and ln.red and ln.size >= body_size]
    big = [ln for ln in upper if ln.bottom <= limit + 0.5 and ln.size >= 20 and not ln.red]
    red_rules = [r for r in page.rules if r.red and r.width > 100]
    letter = any(r.width > 163 for r in red_rules)
    info: dict[str, Any] = {"format": None, "mark": None, "rule": None}
    if not mark and number and big:
        add(violation("mark_color", f"发文机关标志“{big[0].text}”不是红色", page.number, big[0].text))
        mark = big[:1]
    if not mark:
        m["format"] = "无版头"
        if number or red_rules:
            add(violation("mark_missing", "有发文字号或红色分隔线，但没有找到红色发文机关标志", page.number))
        return info
    text = "".join(ln.text for ln in mark)
    fmt = "文件格式"
    if letter:
        fmt = "信函格式"
    elif text.endswith("令"):
        fmt = "命令格式"
    elif text.endswith("纪要"):
        fmt = "纪要格式"
    info.update(format=fmt, mark=mark)
    m["format"] = fmt
    top = mark[0].top
    x0, x1 = min(ln.x0 for ln in mark), max(ln.x1 for ln in mark)
    m["mark"] = {
        "text": text,
        "top_mm": round(top, 2),
        "size_pt": mark[0].size,
        "x0_mm": round(x0, 1),
        "x1_mm": round(x1, 1),
    }
    check({"信函格式": "mark_top_letter", "命令格式": "mark_top_order"}.get(fmt, "mark_top"), top, page.number)
    # centred in the text block as laid out (a wrong margin is reported once, as left_margin)
    check("mark_centred", (x0 + x1) / 2 - (left + BLOCK_W / 2), page.number)
    below = [r for r in red_rules if r.y > mark[-1].bottom]
    if not below:
        if fmt != "命令格式":
            add(violation("red_rule_missing", "发文机关标志下没有找到红色分隔线", page.number))
        return info
    rule = below[0]
    info["rule"] = rule
    m["red_rule"] = {
        "x0_mm": round(rule.x0, 1),
        "width_mm": round(rule.width, 1),
        "y_mm": round(rule.y, 2),
        "weight_mm": round(rule.weight, 2),
    }
    if fmt == "信函格式":
        check("red_rule_width_letter", rule.width, page.number)
        check("red_rule_gap_letter", rule.y - mark[-1].bottom, page.number)
    else:
        check("red_rule_width", rule.width, page.number)
        if number and number.bottom < rule.y:
            m["red_rule"]["gap_mm"] = round(rule.y - number.bottom, 2)
            check("red_rule_gap", rule.y - number.bottom, page.number)
    return info


def _title(page: Page, body_size: float, m: dict[str, Any], check: Any, layout: dict[str, Any]) -> None:
    start = layout["rule"].y if layout["rule"] else (layout["mark"][-1].bottom if layout["mark"] else 0)
    block_centre = (LEFT + PAGE_W - RIGHT) / 2
    for ln in page.lines:
        if ln.top <= start or ln.red or DOC_NUMBER.search(ln.text) or ln.top > BLOCK_BOTTOM:
            continue
        centred = abs(ln.centre_x - block_centre) < 3 and ln.x0 > LEFT + 5
        if centred or ln.size > body_size + 2:
            m["title"] = {"text": ln.text, "size_pt": ln.size, "top_mm": round(ln.top, 2)}
            check("title_size", ln.size, page.number)
        return  # only the first line after the 版头 can be the title


def _colophon(
    page: Page, m: dict[str, Any], add: Any, check: Any, layout: dict[str, Any], total: int, complete: bool
) -> bool:
    """The 版记 on the last page: rules, the last one on the text block's bottom edge, an even page."""
    texts = [ln for ln in page.lines if ln.text.lstrip("　 ").startswith("抄送") or "印发" in ln.text]
    if not texts or not complete:
        m["colophon"] = None
        return False
    rules = [r for r in page.rules if not r.red and r.width > 140 and r.y > texts[0].top - 15]
    m["colophon"] = {
        "page": page.number,
        "rules": [
            {"y_mm": round(r.y, 2), "width_mm": round(r.width, 1), "weight_mm": round(r.weight, 2)} for r in rules
        ],
    }
    if page.number % 2:
        add(
            violation(
                "colophon_even_page",
                f"版记在第 {page.number} 页（单页），应在偶数页（可加空白页）",
                page.number,
                page.number,
            )
        )
    if layout["format"] == "信函格式":
        return True  # 10.1: the letter's 版记 has no rules
    if not rules:
        add(violation("colophon_rules_missing", "版记没有分隔线", page.number))
        return True
    check("colophon_last_rule", rules[-1].y, page.number)
    for r in rules:
        check("colophon_rule_width", r.width, page.number)
    for i, r in enumerate(rules):
        if r.weight > 0:
            check("colophon_rule_thick" if i in (0, len(rules) - 1) else "colophon_rule_thin", r.weight, page.number)
    return True


def _page_numbers(
    pages: list[Page], m: dict[str, Any], add: Any, check: Any, layout: dict[str, Any], colophon: bool
) -> None:
    found: dict[str, dict[str, Any]] = {}
    missing = []
    for p in pages:
        foot = [ln for ln in p.lines if ln.top > BLOCK_BOTTOM - 1 and PAGE_NUMBER.match(ln.text)]
        blank = not any(ln.top <= BLOCK_BOTTOM for ln in p.lines)
        is_colophon = colophon and p is pages[-1]
        if not foot:
            if not (is_colophon or blank or (p.number == 1 and layout["format"] == "信函格式")):
                missing.append(p.number)
            continue
        ln = foot[0]
        found[str(p.number)] = {
            "text": ln.text,
            "size_pt": ln.size,
            "top_mm": round(ln.top, 2),
            "x0_mm": round(ln.x0, 1),
            "x1_mm": round(ln.x1, 1),
        }
        if is_colophon:
            add(violation("page_number_on_colophon", f"版记页不应编排页码（有“{ln.text}”）", p.number, ln.text))
            continue
        if not PAGE_NUMBER_OK.match(ln.text):
            add(
                violation(
                    "page_number_text",
                    f"页码“{ln.text}”应为“— {p.number} —”（一字线 U+2014，两侧各空半角空格）",
                    p.number,
                    ln.text,
                )
            )
        check("page_number_size", ln.size, p.number)
        check("page_number_top", ln.top, p.number)
        if p.number % 2:
            check("page_number_odd", ln.x1, p.number)
        else:
            check("page_number_even", ln.x0, p.number)
    m["page_numbers"] = found
    if missing and len(missing) == len(pages):
        add(violation("page_number_missing", "全文没有找到页码“— N —”（版心下边缘之下）"))
    elif missing:
        listed = "、".join(str(n) for n in missing[:10])
        add(violation("page_number_missing", f"第 {listed} 页没有页码", None, missing))


def _fonts_check(fonts: list[dict[str, Any]], m: dict[str, Any], add: Any) -> None:
    m["fonts"] = fonts
    bare = [f["name"] for f in fonts if not f["embedded"]]
    if bare:
        add(violation("fonts_embedded", f"字体未嵌入：{'、'.join(bare)}（换一台电脑打印会被替换）", None, bare))


__all__ = ["check_pdf", "is_red"]
