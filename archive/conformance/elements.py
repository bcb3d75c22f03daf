"""The elements around the body: 版头 (标志, 发文字号, red rule), title, 版记, page numbers, fonts."""

from __future__ import annotations

import re
from typing import Any

from archive.conformance.pdfread import Page
from archive.conformance.profile import BLOCK_BOTTOM, BLOCK_W, BOTTOM, LEFT, PAGE_W, RIGHT, TOP, violation

PAGE_NUMBER = re.compile(r"^[\-—–―－‒一_~]*\s*\d{1,4}\s*[\-—–―－‒一_~]*$")
PAGE_NUMBER_OK = re.compile(r"^— \d{1,4} —$")
DOC_NUMBER = re.compile(r"[〔\[［(（【]\s*(\d{2,4})\s*[〕\]］)）】]\s*第?\s*(\d+)\s*号")
DOC_NUMBER_OK = re.compile(r"〔\d{4}〕[1-9]\d*号")


def header(
    page: Page, body_size: float, block: tuple[float, float], m: dict[str, Any], add: Any, check: Any
) -> dict[str, Any]:
    """The 版头: 发文机关标志, 发文字号 and the red rule; decides the format from the geometry.

    ``block`` is page 1's own text block (left margin, right edge), the one the 标志 is centred in."""
    upper = [ln for ln in page.lines if ln.top < 140]
    number = next((ln for ln in upper if DOC_NUMBER.search(ln.text)), None)
    if number:
        m["doc_number"] = number.text
        doc_number(number.text, page.number, add)
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
    # centred in page 1's text block as laid out there (a wrong margin is reported as left_margin, per page)
    check("mark_centred", (x0 + x1) / 2 - (block[0] + BLOCK_W / 2), page.number)
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


def title(page: Page, body_size: float, m: dict[str, Any], check: Any, layout: dict[str, Any]) -> None:
    start = layout["rule"].y if layout["rule"] else (layout["mark"][-1].bottom if layout["mark"] else 0)
    block_centre = (LEFT + PAGE_W - RIGHT) / 2
    for ln in page.lines:
        if ln.bottom < TOP - 1:
            continue  # above the text block: a running header (see running_header), never the title
        if ln.top <= start or ln.red or DOC_NUMBER.search(ln.text) or ln.top > BLOCK_BOTTOM:
            continue
        centred = abs(ln.centre_x - block_centre) < 3 and ln.x0 > LEFT + 5
        if centred or ln.size > body_size + 2:
            m["title"] = {"text": ln.text, "size_pt": ln.size, "top_mm": round(ln.top, 2)}
            check("title_size", ln.size, page.number)
        return  # only the first line after the 版头 can be the title


def colophon(page: Page, m: dict[str, Any], add: Any, check: Any, layout: dict[str, Any], complete: bool) -> bool:
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
    if layout["format"] == "信函格式":
        return True  # 10.1: the letter's 版记 is a 抄送 line without rules at the foot of its last page
    if page.number % 2:
        add(
            violation(
                "colophon_even_page",
                f"版记在第 {page.number} 页（单页），应在偶数页（可加空白页）",
                page.number,
                page.number,
            )
        )
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


def page_numbers(
    pages: list[Page], m: dict[str, Any], add: Any, check: Any, layout: dict[str, Any], colophon: bool
) -> None:
    found: dict[str, dict[str, Any]] = {}
    missing = []
    # a blank page draws no text in the text block (a draft's 100 pt 草稿 watermark aside)
    blanks = {p.number for p in pages if not any(ln.top <= p.height - BOTTOM and ln.size <= 40 for ln in p.lines)}
    for p in pages:
        bottom = p.height - BOTTOM  # the page's own: a Letter page's number is found and reported as placed
        foot = [ln for ln in p.lines if ln.top > bottom - 1 and PAGE_NUMBER.match(ln.text)]
        blank = p.number in blanks
        # 7.5: "公文的版记页前有空白页的，空白页和版记页均不编排页码" — only a 版记 page of its own after a blank
        # page goes without a number; a 版记 page after a page of text is numbered in sequence, and a 版记 under
        # the body's last lines and a letter's 抄送 (10.1) share a numbered page
        alone = not any(15.5 <= ln.size <= 40 and ln.bottom <= bottom for ln in p.lines)  # not a watermark
        is_colophon = colophon and p is pages[-1] and alone and layout["format"] != "信函格式"
        numberless = is_colophon and p.number - 1 in blanks
        if not foot:
            if is_colophon and not numberless:
                add(
                    violation(
                        "colophon_page_number",
                        f"版记页前一页有正文，版记页应编排页码“— {p.number} —”",
                        p.number,
                    )
                )
            elif not (numberless or blank or (p.number == 1 and layout["format"] == "信函格式")):
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
        if numberless or (blank and colophon and p.number == pages[-1].number - 1):
            what = "版记页前有空白页，空白页和版记页" if numberless else "版记页前的空白页"
            add(violation("colophon_page_number", f"{what}均不编排页码（有“{ln.text}”）", p.number, ln.text))
            continue
        if not PAGE_NUMBER_OK.match(ln.text):
            add(violation("page_number_text", _page_number_text(ln.text, p.number), p.number, ln.text))
        check("page_number_size", ln.size, p.number)
        check("page_number_top", ln.top, p.number, expected=bottom + 7)
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


_DASHES = {
    "-": "连字符（U+002D）",
    "–": "半字线（U+2013）",
    "―": "横线（U+2015）",
    "－": "全角连字符（U+FF0D）",
    "‒": "数字线（U+2012）",
    "一": "汉字“一”",
    "_": "下划线",
    "~": "波浪号",
}


def _page_number_text(text: str, number: int) -> str:
    """What is wrong with a page number's text, naming the characters (they look alike on the page)."""
    wrong = [name for ch, name in _DASHES.items() if ch in text]
    problems = []
    if wrong:
        problems.append(f"两侧用的是{'、'.join(wrong)}，应为一字线“—”（U+2014）")
    elif "—" not in text:
        problems.append("两侧没有一字线“—”（U+2014）")
    if not problems:
        problems.append("一字线与数字之间应各空一个半角空格")
    return f"页码“{text}”{'；'.join(problems)}：应为“— {number} —”"


def doc_number(text: str, page: int, add: Any) -> None:
    """7.2.5: 代字〔2024〕7号.  Each 规定 part that is wrong is named in one error; a space inside the number
    (which the standard does not mention, but which a clerk should remove) is only a warning."""
    found = DOC_NUMBER.search(text)
    if found is None:
        return
    number = found[0]
    brackets = re.match(r"([〔\[［(（【])\s*\d+\s*([〕\]］)）】])", number)
    problems = []
    if brackets and (brackets[1], brackets[2]) != ("〔", "〕"):
        problems.append(f"年份用“{brackets[1]}{brackets[2]}”括入，应为六角括号“〔〕”")
    if len(found[1]) != 4:
        problems.append(f"年份“{found[1]}”应写全四位")
    if "第" in number:
        problems.append("序号前不加“第”")
    if found[2].startswith("0"):
        problems.append(f"序号“{found[2]}”不编虚位（1 不编为 01）")
    spaces = re.search(r"\s", number)
    if problems:
        if spaces:
            problems.append("其中有空格")
        wrong = "；".join(problems)
        add(violation("doc_number_brackets", f"发文字号“{text}”：{wrong}（应写作 代字〔2024〕7号）", page, text))
    elif spaces:
        tight = text.replace(number, re.sub(r"\s+", "", number))
        add(violation("doc_number_spacing", f"发文字号“{text}”中有空格，应写作“{tight}”", page, text))


def running_header(pages: list[Page], m: dict[str, Any], add: Any) -> None:
    """Text above the text block (a 页眉): 公文 carry none — 7.1 places only the page number outside the 版心.

    Red type on page 1 is the 版头 (a 信函格式 标志 stands 30 mm from the top), not a header."""
    seen: dict[int, str] = {}
    for p in pages:
        for ln in p.lines:
            if ln.bottom < TOP - 1 and not (ln.red and p.number == 1):
                seen.setdefault(p.number, ln.text)
    m["running_header"] = {str(n): t for n, t in seen.items()} or None
    if seen:
        listed = "、".join(str(n) for n in list(seen)[:10])
        text = next(iter(seen.values()))
        add(
            violation(
                "running_header",
                f"第 {listed} 页版心上方有页眉“{text}”；公文不设页眉，版心外只编排页码",
                None if len(seen) > 1 else next(iter(seen)),
                text,
            )
        )


def fonts_check(fonts: list[dict[str, Any]], m: dict[str, Any], add: Any) -> None:
    m["fonts"] = fonts
    bare = [f["name"] for f in fonts if not f["embedded"]]
    if bare:
        add(violation("fonts_embedded", f"字体未嵌入：{'、'.join(bare)}（换一台电脑打印会被替换）", None, bare))
