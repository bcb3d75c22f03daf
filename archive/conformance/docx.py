"""Check a .docx's declared page setup, grid and fonts (what Word and LibreOffice will lay out from).

Reads the OOXML with lxml (through python-docx's package loader): sections' w:pgSz/w:pgMar/w:docGrid,
the body paragraph style's effective size, spacing and East-Asian font, and every w:rFonts in the
document, styles, numbering, headers and footers for theme-font attributes.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from archive.conformance.profile import BLOCK_H, BLOCK_W, BOTTOM, LEFT, MM_PER_PT, RIGHT, TOP, judge, violation
from archive.conformance.report import ConformanceError, Finding
from archive.ooxml import NSMAP as NS
from archive.ooxml import THEME_ATTRS
from archive.ooxml import w_name as _w

TWIP_MM = 25.4 / 1440
MAX_BYTES = 100 * 1024 * 1024
FANGSONG = ("仿宋", "fangsong", "stfangsong")
OFFICE_FONTS = (*FANGSONG, "小标宋", "黑体", "simhei", "楷体", "kaiti", "stkaiti", "宋体", "simsun", "times new roman")


def _load(path: Path) -> Any:
    if path.stat().st_size > MAX_BYTES:
        raise ConformanceError(f"{path}: 文件过大，超过 {MAX_BYTES // 1048576} MB 的检查上限")
    if not zipfile.is_zipfile(path):
        raise ConformanceError(f"{path}: 不是 .docx 文件（不是 ZIP 格式，可能是旧版 .doc 或已损坏）")
    import docx

    try:
        return docx.Document(str(path))
    except Exception as exc:  # python-docx raises KeyError, ValueError, PackageNotFoundError…
        raise ConformanceError(f"{path}: .docx 文件已损坏或不是 Word 文档（{type(exc).__name__}）") from exc


def _find_style(styles: Any, style_id: str) -> Any:
    # compared, not put into an XPath: a style id is document text and may hold quotes
    return next((s for s in styles.iterfind("w:style", NS) if s.get(_w("styleId")) == style_id), None)


def _style_chain(styles: Any, style_id: str | None) -> list[Any]:
    chain = []
    seen = set()
    if style_id and _find_style(styles, style_id) is None:
        style_id = _default_style(styles)  # Word lays out a paragraph whose style is missing in the default one
    while style_id and style_id not in seen:
        seen.add(style_id)
        el = _find_style(styles, style_id)
        if el is None:
            break
        chain.append(el)
        based = el.find("w:basedOn", NS)
        style_id = based.get(_w("val")) if based is not None else None
    defaults = styles.find("w:docDefaults", NS)
    if defaults is not None:
        chain.append(defaults)
    return chain


def _first(chain: list[Any], xpath: str) -> Any:
    for el in chain:
        found = el.find(xpath, NS)
        if found is not None:
            return found
    return None


def _attr(chain: list[Any], xpath: str, attr: str) -> str | None:
    for el in chain:
        for found in el.findall(xpath, NS):
            if found.get(_w(attr)) is not None:
                return str(found.get(_w(attr)))
    return None


def check_docx(path: Path) -> tuple[list[Finding], dict[str, Any]]:
    document = _load(path)
    out: list[Finding] = []
    m: dict[str, Any] = {"kind": "docx"}
    add = out.append

    def check(rule: str, value: float, where: int | None = None) -> None:
        finding = judge(rule, value, where)
        if finding:
            add(finding)

    body_el = document.element.body
    grid_pitch = _sections(body_el, m, add)
    first = m["sections"][0] if m["sections"] and m["sections"][0]["margins_mm"] else None
    chain, body_id, size_pt = _body_style(document, body_el, m, add, check)
    _line_pitch(chain, body_id, grid_pitch, first, m, add, check)
    if first:
        width_mm = 210 - first["margins_mm"]["left"] - first["margins_mm"]["right"]
        spacing = _attr(chain, ".//w:rPr/w:spacing", "val")
        advance = size_pt + (float(spacing) / 20 if spacing else 0)
        usable = width_mm if width_mm > 0 else BLOCK_W
        m["chars_per_line"] = int(usable / MM_PER_PT // advance) if advance > 0 else None
        if m["chars_per_line"] is not None:
            check("chars_per_line", m["chars_per_line"])

    _fonts(document, m, add)
    from archive.conformance.glyphs import check_docx_glyphs

    check_docx_glyphs(path, m, add)
    return out, m


def _twips(el: Any, name: str, default: float = 0) -> float:
    value = el.get(_w(name)) if el is not None else None
    return float(value) * TWIP_MM if value is not None else default


def _sections(body_el: Any, m: dict[str, Any], add: Any) -> float | None:
    """Paper, margins and document grid of each section (into ``m["sections"]``); the first line grid's pitch."""
    sections = body_el.findall(".//w:sectPr", NS)
    m["sections"] = []
    grid_pitch = None
    for i, sect in enumerate(sections, 1):
        label = f"第 {i} 节" if len(sections) > 1 else ""
        info = _section(sect, label, add)
        m["sections"].append(info)
        gtype = info["doc_grid"]["type"]
        if gtype in ("lines", "linesAndChars") and grid_pitch is None:
            grid_pitch = info["doc_grid"]["line_pitch_twips"]
    return grid_pitch


def _section(sect: Any, label: str, add: Any) -> dict[str, Any]:
    size, mar, grid = sect.find("w:pgSz", NS), sect.find("w:pgMar", NS), sect.find("w:docGrid", NS)
    info: dict[str, Any] = {
        "page_mm": [round(_twips(size, "w"), 1), round(_twips(size, "h"), 1)],
        "margins_mm": {k: round(_twips(mar, k), 1) for k in ("top", "left", "bottom", "right")},
        "doc_grid": {
            "type": grid.get(_w("type")) if grid is not None else None,
            "line_pitch_twips": int(grid.get(_w("linePitch")))
            if grid is not None and grid.get(_w("linePitch"))
            else None,
        },
    }
    w, h = info["page_mm"]
    if size is None or size.get(_w("w")) is None or size.get(_w("h")) is None:
        info["page_mm"] = None
        add(
            violation(
                "page_size",
                f"{label}没有规定纸张大小（缺少 w:pgSz），Word 和 LibreOffice 会按本机默认纸张（常为 Letter）排版；"
                "应明确设为 A4 210×297 mm",
                None,
                None,
            )
        )
    elif abs(w - 210) > 1 or abs(h - 297) > 1:
        add(violation("page_size", f"{label}纸张 {w:.1f}×{h:.1f} mm，应为 A4 210×297±1 mm", None, [w, h]))
    if mar is None:
        info["margins_mm"] = None
        add(
            violation(
                "margin_top",
                f"{label}没有规定页边距（缺少 w:pgMar），排版软件会用本机默认页边距；"
                f"应为天头 {TOP:g}、订口 {LEFT:g}、下白边 {BOTTOM:g}、翻口 {RIGHT:g} mm",
                None,
                None,
            )
        )
    sides = (("top", "margin_top"), ("left", "margin_left"), ("bottom", "margin_bottom"), ("right", "margin_right"))
    for key, rule in sides if mar is not None else ():
        finding = judge(rule, abs(info["margins_mm"][key]))
        if finding:
            add(_prefixed(finding, label))
    gtype = info["doc_grid"]["type"]
    if gtype == "linesAndChars" or gtype == "snapToChars":
        add(
            violation(
                "doc_grid",
                f"{label}文档网格为“{gtype}”（字符网格），LibreOffice 排版会错位；"
                "应为“只指定行网格”（lines）并用 -0.25 磅字距排 28 字",
                None,
                gtype,
            )
        )
    return info


def _body_style(document: Any, body_el: Any, m: dict[str, Any], add: Any, check: Any) -> tuple[Any, str, float]:
    """The body style — the paragraph style carrying most text —, its size and font: its style chain, id
    and size in pt."""
    styles = document.styles.element
    usage: Counter[str] = Counter()
    for p in body_el.iter(_w("p")):
        sid = p.find("w:pPr/w:pStyle", NS)
        style_id = sid.get(_w("val")) if sid is not None else _default_style(styles)
        if _attr(_style_chain(styles, style_id), ".//w:pPr/w:outlineLvl", "val") is not None:
            continue  # a heading style (黑体, 楷体 by 5.2.2) is not the body style
        usage[style_id] += sum(len(t.text or "") for t in p.iter(_w("t")))
    body_id = usage.most_common(1)[0][0] if usage else _default_style(styles)
    chain = _style_chain(styles, body_id)
    if _find_style(styles, body_id) is None:
        m["body_style_missing"] = body_id
        body_id = _default_style(styles)  # named as Word shows it: the paragraphs fall back to the default style
    m["body_style"] = body_id
    sz = _attr(chain, ".//w:rPr/w:sz", "val")
    size_pt = float(sz) / 2 if sz else 10.0  # Word's default is 10 pt
    m["body_font_size_pt"] = size_pt
    check("body_size", size_pt)
    east = _attr(chain, ".//w:rPr/w:rFonts", "eastAsia")
    m["body_east_asian_font"] = east
    if east is None or not any(k in east.lower() for k in FANGSONG):
        add(
            violation(
                "body_font", f"正文样式“{body_id}”的中文字体为“{east or '未指定'}”，应为仿宋（仿宋_GB2312）", None, east
            )
        )
    return chain, body_id, size_pt


def _line_pitch(
    chain: Any,
    body_id: str,
    grid_pitch: float | None,
    first: dict[str, Any] | None,
    m: dict[str, Any],
    add: Any,
    check: Any,
) -> None:
    """Line pitch: exact spacing on the body style, else the line grid; and the lines it gives a page."""
    rule_attr = _attr(chain, ".//w:pPr/w:spacing", "lineRule")
    line_attr = _attr(chain, ".//w:pPr/w:spacing", "line")
    snap = _first(chain, ".//w:pPr/w:snapToGrid")
    snaps = snap is None or snap.get(_w("val")) not in ("0", "false")
    pitch_pt = None
    if rule_attr == "exact" and line_attr:
        pitch_pt = float(line_attr) / 20
        m["line_spacing"] = f"exact {pitch_pt:g} pt"
    elif grid_pitch and snaps:
        pitch_pt = grid_pitch / 20
        m["line_spacing"] = f"grid {grid_pitch} twips"
    else:
        m["line_spacing"] = f"{rule_attr or 'auto'} {line_attr or ''}".strip()
        add(
            violation(
                "line_pitch",
                f"正文样式“{body_id}”没有固定行距（应为固定值 28.95 磅，或行网格 579）",
                None,
                m["line_spacing"],
            )
        )
    if pitch_pt and first:
        block_h = 297 - first["margins_mm"]["top"] - first["margins_mm"]["bottom"]
        m["line_pitch_mm"] = round(pitch_pt * MM_PER_PT, 3)
        check("line_pitch", pitch_pt * MM_PER_PT)
        m["lines_per_page"] = int((block_h if block_h > 0 else BLOCK_H) // (pitch_pt * MM_PER_PT) + 1e-9)
        check("lines_per_page", m["lines_per_page"])


def _default_style(styles: Any) -> str:
    el = styles.find("w:style[@w:type='paragraph'][@w:default='1']", NS)
    return str(el.get(_w("styleId"))) if el is not None else "Normal"


def _prefixed(finding: Finding, label: str) -> Finding:
    if not label:
        return finding
    from dataclasses import replace

    return replace(finding, message=f"{label}：{finding.message}")


def _fonts(document: Any, m: dict[str, Any], add: Any) -> None:
    """Declared East-Asian fonts, and theme-font attributes anywhere (Word would substitute 等线)."""
    from lxml import etree

    declared: Counter[str] = Counter()
    themed: list[str] = []
    for part in document.part.package.iter_parts():
        if not str(part.content_type).startswith("application/vnd.openxmlformats-officedocument.wordprocessingml"):
            continue
        if not part.partname.endswith(".xml"):
            continue
        root = etree.fromstring(part.blob)
        for rf in root.iter(_w("rFonts")):
            if rf.get(_w("eastAsia")):
                declared[rf.get(_w("eastAsia"))] += 1
            attrs = [a for a in THEME_ATTRS if rf.get(_w(a)) is not None]
            if attrs:
                owner = next((a for a in rf.iterancestors() if a.tag in (_w("style"), _w("docDefaults"))), None)
                where = (
                    f"样式“{owner.get(_w('styleId'))}”"
                    if owner is not None and owner.tag == _w("style")
                    else "文档默认字体"
                    if owner is not None
                    else f"{part.partname} 中的文字"
                )
                themed.append(f"{where}（{'、'.join('w:' + a for a in attrs)}）")
    m["east_asian_fonts"] = sorted(declared)
    if themed:
        unique = list(dict.fromkeys(themed))
        add(
            violation(
                "theme_fonts",
                f"使用了主题字体：{'；'.join(unique[:6])}{'等' if len(unique) > 6 else ''}。"
                "Word 会换成等线等主题字体，应删除主题字体属性、直接写字体名",
                None,
                unique,
            )
        )
    odd = sorted(f for f in declared if not any(k in f.lower() for k in OFFICE_FONTS))
    if odd:
        m["unexpected_fonts"] = odd


__all__ = ["BOTTOM", "LEFT", "RIGHT", "TOP", "check_docx"]
