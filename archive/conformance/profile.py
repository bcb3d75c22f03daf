"""The GB/T 9704-2012 profile: every checked value, tagged with its clause, strength and tolerance.

This table is the single place where the numbers live; measurement.py and docx.py only measure and call
:func:`judge`/:func:`violation`.  Strength follows the standard's wording: 规定 (stated outright) is an
error, 一般/推荐 ("一般用…", "推荐…") a warning.  实践 marks office practice that the standard does not
state but without which a document does not print as intended (fonts embedded, no theme fonts); its
severity is given explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archive.conformance.report import Finding

STANDARD = "GB/T 9704-2012"
MM_PER_PT = 25.4 / 72

# Geometry of the A4 page and the 156×225 mm text block (5.1, 5.2.1).
PAGE_W, PAGE_H = 210.0, 297.0
TOP, LEFT, BOTTOM, RIGHT = 37.0, 28.0, 35.0, 26.0
BLOCK_W, BLOCK_H = 156.0, 225.0
BLOCK_BOTTOM = PAGE_H - BOTTOM  # 262 mm from the page top
BODY_PT = 16.0  # 3号
PITCH_PT = 28.95  # 579 twips: 22 lines fill 225 mm
PAGE_NUMBER_PT = 14.0  # 4号

SEVERITY = {"规定": "error", "一般": "warning", "推荐": "warning"}


@dataclass(frozen=True)
class Rule:
    id: str
    subject: str  # what a clerk calls the measured thing
    clause: str
    clause_title: str
    strength: str  # 规定 | 一般 | 推荐 | 实践
    expected: float | str | None = None
    tolerance: float | None = None
    unit: str = ""
    practice_severity: str = "error"  # only for 实践 rules
    grounds: str = "办公实践要求"  # only for 实践 rules: what the rule rests on besides the clause

    @property
    def severity(self) -> str:
        return SEVERITY.get(self.strength, self.practice_severity)

    @property
    def basis(self) -> str:
        if self.clause == "—":
            return "无法检查"
        if self.strength == "实践":
            return f"参照 {STANDARD} {self.clause} {self.clause_title}；{self.grounds}"
        return f"{STANDARD} {self.clause} {self.clause_title}，{self.strength}"


def _r(*args: Any, **kw: Any) -> Rule:
    return Rule(*args, **kw)


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        # PDF and .docx: page and text block (5.1, 5.2)
        _r("page_size", "纸张幅面", "5.1", "幅面尺寸", "规定", "210×297", 1.0, "mm"),
        _r("page_width", "纸张宽度", "5.1", "幅面尺寸", "规定", PAGE_W, 1.0, "mm"),
        _r("page_height", "纸张高度", "5.1", "幅面尺寸", "规定", PAGE_H, 1.0, "mm"),
        _r("margin_top", "天头（上白边）", "5.2.1", "页边与版心尺寸", "规定", TOP, 1.0, "mm"),
        _r("margin_left", "订口（左白边）", "5.2.1", "页边与版心尺寸", "规定", LEFT, 1.0, "mm"),
        _r("margin_bottom", "下白边", "5.2.1", "页边与版心尺寸", "规定", BOTTOM, 1.0, "mm"),
        _r("margin_right", "翻口（右白边）", "5.2.1", "页边与版心尺寸", "规定", RIGHT, 1.0, "mm"),
        _r("first_line_top", "首行上沿（版心上边缘）", "5.2.1", "页边与版心尺寸", "规定", TOP, 1.0, "mm"),
        _r("left_margin", "左边距", "5.2.1", "页边与版心尺寸", "规定", LEFT, 1.0, "mm"),
        _r("text_fills_width", "满行右边距", "5.2.3", "行数和字数（撑满版心）", "一般", RIGHT, 1.0, "mm"),
        _r("body_size", "正文字号", "5.2.2", "字体和字号（3号）", "一般", BODY_PT, 0.5, "pt"),
        _r("body_font", "正文字体", "5.2.2", "字体和字号（仿宋）", "一般", "仿宋"),
        _r("line_pitch", "正文行距", "5.2.3", "行数和字数", "一般", 10.25, 0.05, "mm"),
        _r("lines_per_page", "满页行数", "5.2.3", "行数和字数", "一般", 22, 0, "行"),
        _r("chars_per_line", "满行字数", "5.2.3", "行数和字数", "一般", 28, 0, "字"),
        _r("doc_grid", "文档网格", "5.2.3", "行数和字数", "一般", "lines"),
        # 版头 (7.2) and the special formats (10)
        _r("mark_missing", "发文机关标志", "7.2.4", "发文机关标志", "一般", "红色标志"),
        _r("mark_color", "发文机关标志颜色", "7.2.4", "发文机关标志", "规定", "红色"),
        _r("mark_top", "发文机关标志上边缘距页面上边", "7.2.4", "发文机关标志", "规定", TOP + 35, 1.0, "mm"),
        _r("mark_top_letter", "信函标志上边缘距页面上边", "10.1", "信函格式", "规定", 30.0, 1.0, "mm"),
        _r("mark_top_order", "命令标志上边缘距页面上边", "10.2", "命令（令）格式", "规定", TOP + 20, 1.0, "mm"),
        _r("mark_centred", "发文机关标志偏离居中", "7.2.4", "发文机关标志", "规定", 0.0, 1.5, "mm"),
        _r("doc_number_brackets", "发文字号", "7.2.5", "发文字号", "规定", "〔年份〕序号号"),
        _r(
            "doc_number_spacing",
            "发文字号中的空格",
            "7.2.5",
            "发文字号",
            "实践",
            "〔年份〕序号号，中间不空格",
            practice_severity="warning",
            grounds="标准未提空格，但字号中的空格会被当作另一个字号，检索和引用都对不上",
        ),
        _r("red_rule_missing", "版头红色分隔线", "7.2.7", "版头中的分隔线", "规定", "有"),
        _r("red_rule_width", "版头红色分隔线长度", "7.2.7", "版头中的分隔线", "规定", BLOCK_W, 1.0, "mm"),
        _r("red_rule_width_letter", "信函红色双线长度", "10.1", "信函格式", "规定", 170.0, 1.0, "mm"),
        _r("red_rule_gap", "发文字号下沿至红色分隔线", "7.2.7", "版头中的分隔线", "规定", 4.0, 1.5, "mm"),
        _r("red_rule_gap_letter", "标志下沿至红色双线", "10.1", "信函格式", "规定", 4.0, 1.5, "mm"),
        _r(
            "running_header",
            "页眉",
            "7.1",
            "公文格式各要素划分（版心外只有页码）",
            "实践",
            "无页眉",
            practice_severity="warning",
            grounds="标准列出的公文格式要素中没有页眉，版心外只编排页码",
        ),
        # 主体 (7.3)
        _r("title_size", "标题字号", "7.3.1", "标题（2号小标宋）", "一般", 22.0, 0.5, "pt"),
        # 页码 (7.5)
        _r("page_number_missing", "页码", "7.5", "页码", "一般", "— N —"),
        _r("page_number_text", "页码样式", "7.5", "页码", "一般", "— N —"),
        _r("page_number_size", "页码字号", "7.5", "页码（4号）", "一般", PAGE_NUMBER_PT, 0.5, "pt"),
        _r("page_number_top", "页码上沿距页面上边", "7.5", "页码（下距版心7mm）", "一般", BLOCK_BOTTOM + 7, 1.5, "mm"),
        _r(
            "page_number_odd",
            "单页码右端距页面左边",
            "7.5",
            "页码（单页居右空一字）",
            "一般",
            round(PAGE_W - RIGHT - PAGE_NUMBER_PT * MM_PER_PT, 2),
            1.5,
            "mm",
        ),
        _r(
            "page_number_even",
            "双页码左端距页面左边",
            "7.5",
            "页码（双页居左空一字）",
            "一般",
            round(LEFT + PAGE_NUMBER_PT * MM_PER_PT, 2),
            1.5,
            "mm",
        ),
        _r(
            "colophon_page_number",
            "版记页页码",
            "7.5",
            "页码（版记页前有空白页的，空白页和版记页均不编排页码）",
            "规定",
            "版记页前有空白页时不编，否则连续编排",
        ),
        # 版记 (7.4)
        _r("colophon_rules_missing", "版记分隔线", "7.4.1", "版记中的分隔线", "规定", "有"),
        _r("colophon_last_rule", "版记末条分隔线位置", "7.4.1", "版记中的分隔线", "规定", BLOCK_BOTTOM, 1.0, "mm"),
        _r("colophon_rule_width", "版记分隔线长度", "7.4.1", "版记中的分隔线", "规定", BLOCK_W, 1.0, "mm"),
        _r("colophon_rule_thick", "版记首末分隔线粗细", "7.4.1", "版记中的分隔线", "推荐", 0.35, 0.1, "mm"),
        _r("colophon_rule_thin", "版记中间分隔线粗细", "7.4.1", "版记中的分隔线", "推荐", 0.25, 0.1, "mm"),
        _r("colophon_even_page", "版记所在页", "7.4", "版记（置于最后一页，双面印刷时为偶数页）", "推荐", "偶数页"),
        # Printing right elsewhere (practice)
        _r("fonts_embedded", "字体嵌入", "5.2.2", "字体和字号", "实践", "全部嵌入"),
        _r("theme_fonts", "主题字体", "5.2.2", "字体和字号", "实践", "直接指定字体名"),
        # A character printed as a box or not at all: the document no longer says what its record says.
        _r(
            "glyphs_missing",
            "缺字",
            "5.2.2",
            "字体和字号",
            "实践",
            "每个字符都以字体中的字形印出",
            grounds="电子文件可用性（GB/T 18894-2016）：内容须能完整、准确地显示和打印",
        ),
        _r("readable", "文件", "—", "可读取", "实践", "可读取的 PDF 或 .docx"),
        _r("pages_limit", "页数", "—", "检查范围", "实践", None, practice_severity="warning"),
    )
}


def judge(rule_id: str, measured: float, page: int | None = None, *, expected: float | None = None) -> Finding | None:
    """A finding when ``measured`` lies outside expected±tolerance of the rule, else ``None``."""
    rule = RULES[rule_id]
    target = rule.expected if expected is None else expected
    assert isinstance(target, int | float) and rule.tolerance is not None
    digits = 2 if rule.tolerance < 0.5 and rule.unit == "mm" else (0 if rule.unit in ("行", "字") else 1)
    value = round(float(measured), digits)  # compared at the precision shown, so 10.199 passes as 10.20
    if abs(value - target) <= rule.tolerance + 1e-9:
        return None
    tol = f"±{rule.tolerance:g}" if rule.tolerance else ""
    text = f"{rule.subject} {value:.{digits}f} {rule.unit}，应为 {float(target):g}{tol} {rule.unit}"
    return _finding(rule, text, page, value, target)


def violation(rule_id: str, text: str, page: int | None = None, measured: Any = None) -> Finding:
    """A finding with a free-text description (for rules that are not a number within a tolerance)."""
    rule = RULES[rule_id]
    return _finding(rule, text, page, measured, rule.expected)


def _finding(rule: Rule, text: str, page: int | None, measured: Any, expected: Any) -> Finding:
    where = f"第 {page} 页：" if page else ""
    return Finding(
        rule=rule.id,
        clause=rule.clause,
        strength=rule.strength,
        severity=rule.severity,
        message=f"{where}{text}（{rule.basis}）",
        page=page,
        measured=measured,
        expected=expected,
        tolerance=rule.tolerance,
        unit=rule.unit,
    )
