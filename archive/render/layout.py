"""The GB/T 9704-2012 page profile: every number the renderer uses, with its clause and strength.

Strength follows the standard's wording: 规定 (shall), 一般 (should, normally), 推荐 (practice).
Lengths are millimetres unless the name says otherwise; helpers convert to OOXML units.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    value: float
    clause: str
    strength: str  # 规定 / 一般 / 推荐
    note: str = ""


PAPER_WIDTH = Rule(210, "5.2.1", "规定", "A4")
PAPER_HEIGHT = Rule(297, "5.2.1", "规定", "A4")
MARGIN_TOP = Rule(37, "5.2.2", "规定", "天头 37±1 mm")
MARGIN_LEFT = Rule(28, "5.2.2", "规定", "订口 28±1 mm")
TEXT_WIDTH = Rule(156, "5.2.2", "规定", "版心宽")
TEXT_HEIGHT = Rule(225, "5.2.2", "规定", "版心高")
MARGIN_BOTTOM = Rule(PAPER_HEIGHT.value - MARGIN_TOP.value - TEXT_HEIGHT.value, "5.2.2", "规定")
MARGIN_RIGHT = Rule(PAPER_WIDTH.value - MARGIN_LEFT.value - TEXT_WIDTH.value, "5.2.2", "规定")

BODY_SIZE_PT = Rule(16, "5.2.3", "一般", "3号仿宋")
LINES_PER_PAGE = Rule(22, "5.2.3", "一般")
CHARS_PER_LINE = Rule(28, "5.2.3", "一般")
# 579 twips = 28.95 pt: 22 lines fill 225 mm; 580 twips already drops to 21 lines in Word.
LINE_PITCH_TWIPS = Rule(579, "5.2.3", "推荐", "固定行距 28.95 磅，仅行网格，不对齐网格")
# −0.25 pt on 16 pt: 28 × 15.75 pt = 441 pt ≤ 442.2 pt (156 mm).
CHAR_SPACING_PT = Rule(-0.25, "5.2.3", "推荐", "字间距 −0.25 磅")

# Y80% M80% (no C, no K) printed on white ≈ sRGB (230, 0, 18)? Closer for M80 Y80 on coated stock is
# about #E83828; we keep the widely used official-document red.
RED_HEX = "E60012"
RED = Rule(0, "5.2.4", "规定", "红色 Y80% M80%，取 sRGB #E60012")

MARK_TOP = Rule(35, "7.2.4", "规定", "发文机关标志上边缘距版心上边缘 35 mm")
MARK_MAX_PT = Rule(36, "7.2.4", "推荐", "标志字号上限；按机关名称长度缩小以不超过版心宽")
DOC_NUMBER_GAP_LINES = Rule(2, "7.2.5", "规定", "发文字号在标志下空二行")
RULE_GAP = Rule(4, "7.2.7", "规定", "红色分隔线在发文字号下 4 mm")
RULE_WIDTH = Rule(156, "7.2.7", "规定", "与版心等宽")
RULE_THICKNESS_PT = Rule(1.5, "7.2.7", "推荐", "1–1.5 磅")
TITLE_SIZE_PT = Rule(22, "7.3.1", "规定", "2号小标宋")
TITLE_GAP_LINES = Rule(2, "7.3.1", "规定", "红色分隔线下空二行")
INDENT_CHARS = Rule(2, "7.3.3", "规定", "首行缩进 2 字")
SEALED_DATE_RIGHT_CHARS = Rule(4, "7.3.5.1", "规定", "加盖印章：成文日期右空四字")
UNSEALED_ISSUER_RIGHT_CHARS = Rule(2, "7.3.5.2", "规定", "不加盖印章：署名右空二字")
UNSEALED_DATE_SHIFT_CHARS = Rule(2, "7.3.5.2", "规定", "成文日期首字比署名首字右移二字")
IMPRINT_SIZE_PT = Rule(14, "7.4.1", "规定", "版记 4号仿宋")
IMPRINT_OUTER_RULE_MM = Rule(0.35, "7.4.1", "规定", "首条、末条分隔线 0.35 mm")
IMPRINT_INNER_RULE_MM = Rule(0.25, "7.4.1", "规定", "中间分隔线 0.25 mm")
PAGE_NUMBER_SIZE_PT = Rule(14, "7.5", "规定", "4号半角宋体阿拉伯数字")
PAGE_NUMBER_GAP = Rule(7, "7.5", "规定", "页码距版心下边缘 7 mm")
LETTER_MARK_TOP = Rule(30, "10.1", "规定", "信函格式标志上边缘距页面上边缘 30 mm")
LETTER_RULE_WIDTH = Rule(170, "10.1", "规定", "信函格式红色双线 170 mm")
LETTER_BOTTOM_RULE = Rule(20, "10.1", "规定", "下双线距页面下边缘 20 mm")

FONT_XIAOBIAOSONG = "方正小标宋简体"
FONT_FANGSONG = "仿宋_GB2312"
FONT_KAITI = "楷体_GB2312"
FONT_HEITI = "黑体"
FONT_SONGTI = "宋体"
# Digits and Latin letters: Times New Roman is the office convention beside 仿宋_GB2312.
FONT_LATIN = "Times New Roman"


def twips(mm: float) -> int:
    """Millimetres to twentieths of a point."""
    return round(mm * 1440 / 25.4)


def pt_to_twips(pt: float) -> int:
    return round(pt * 20)


def mm_to_pt(mm: float) -> float:
    return mm * 72 / 25.4


LINE_PITCH_PT = LINE_PITCH_TWIPS.value / 20
BODY_CHAR_PT = BODY_SIZE_PT.value  # one full-width character


AUTO_SPACE_CHARS = 0.25  # Word and LibreOffice space Chinese from Latin letters and digits by about ¼ em


def char_width(text: str) -> float:
    """Width in full-width characters: ASCII counts half, everything else one, plus the automatic space
    between a Chinese character and a Latin letter or digit (autoSpaceDE/autoSpaceDN, on by default)."""

    def narrow(ch: str) -> bool:
        return ord(ch) < 0x2E80 and ch not in "—…"

    width = sum(0.5 if narrow(ch) else 1.0 for ch in text)
    boundaries = sum(1 for a, b in itertools.pairwise(text) if narrow(a) != narrow(b) and (a.isalnum() and b.isalnum()))
    return width + AUTO_SPACE_CHARS * boundaries
