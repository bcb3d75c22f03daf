"""Which characters a PDF's embedded fonts draw with .notdef, the font's "missing glyph" box.

A converter that finds no glyph for a character may still draw it: with the font's glyph 0, ``.notdef`` (a
box, "tofu"), and map that glyph to the character in the text layer, so the text extracts fine while the page
shows a box. LibreOffice does that for 𪚥 (U+2A6A5). The only way to see it is in the font program: for each
code the font's ``/ToUnicode`` maps to a character, look up the glyph the code selects.

pikepdf reads the font dictionaries, fontTools the embedded programs (Type 1, CFF, TrueType), pdfminer the
``/ToUnicode`` CMaps. Fonts of a kind not handled here (Type 3, CFF CID fonts with a CMap other than
Identity) are skipped: nothing is claimed about them.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

MAX_PAGES = 200
_MAX_FONT_BYTES = 64 * 1024 * 1024
_T1_ENCODING = re.compile(r"dup\s+(\d+)\s*/(\S+)\s+put")


def notdef_characters(path: Path) -> dict[str, set[str]]:
    """``{BaseFont: characters drawn with .notdef}`` for the fonts of the first pages that have any."""
    import pikepdf

    out: dict[str, set[str]] = {}
    seen: set[tuple[int, int]] = set()
    with pikepdf.open(path) as pdf:
        for page in list(pdf.pages)[:MAX_PAGES]:
            for font in _page_fonts(page.obj, seen):
                try:
                    chars = _notdef_in(font)
                except Exception:  # a font program fontTools cannot read: nothing to say about it
                    continue
                if chars:
                    out.setdefault(str(font.get("/BaseFont", "")).lstrip("/"), set()).update(chars)
    return out


def _page_fonts(holder: Any, seen: set[tuple[int, int]], depth: int = 0) -> list[Any]:
    """The fonts of a page or form XObject and of the forms it draws (each font once)."""
    resources = holder.get("/Resources")
    if resources is None or depth > 8:
        return []
    fonts = []
    for font in (resources.get("/Font") or {}).values():
        key = font.objgen
        if key != (0, 0) and key in seen:
            continue
        seen.add(key)
        fonts.append(font)
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.get("/Subtype") == "/Form" and xobject.objgen not in seen:
            seen.add(xobject.objgen)
            fonts.extend(_page_fonts(xobject, seen, depth + 1))
    return fonts


def _to_unicode(font: Any) -> dict[int, str]:
    from pdfminer.cmapdb import CMapParser, FileUnicodeMap

    stream = font.get("/ToUnicode")
    if stream is None:
        return {}
    cmap = FileUnicodeMap()
    CMapParser(cmap, io.BytesIO(_bytes(stream))).run()
    return {int(code): text for code, text in cmap.cid2unichr.items()}


def _bytes(stream: Any) -> bytes:
    data = stream.read_bytes()
    if len(data) > _MAX_FONT_BYTES:
        raise ValueError("font stream too large")
    return bytes(data)


def _notdef_in(font: Any) -> set[str]:
    to_unicode = _to_unicode(font)
    if not to_unicode:
        return set()
    subtype = str(font.get("/Subtype"))
    if subtype == "/Type0":
        missing = _cid_notdef(font, to_unicode)
    elif subtype in ("/Type1", "/MMType1", "/TrueType"):
        missing = _simple_notdef(font, to_unicode)
    else:
        return set()
    return {to_unicode[code] for code in missing if to_unicode[code].strip()}


def _simple_notdef(font: Any, to_unicode: dict[int, str]) -> list[int]:
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return []
    names = _simple_glyph_names(descriptor)
    if names is None:
        return []
    encoding, glyphs = names
    differences = _differences(font.get("/Encoding"))
    missing = []
    for code in to_unicode:
        if not 0 <= code <= 255:
            continue
        name = differences.get(code) or encoding(code)
        if name is None or name == ".notdef" or (glyphs is not None and name not in glyphs):
            missing.append(code)
    return missing


def _simple_glyph_names(descriptor: Any) -> tuple[Any, set[str] | None] | None:
    """(code → glyph name, the font's glyph names) from the embedded program, or None when not embedded."""
    if "/FontFile" in descriptor:  # Type 1: the encoding is in the clear part, before eexec
        stream = descriptor.FontFile
        data = _bytes(stream)
        clear = data[: int(stream.get("/Length1", len(data)))].split(b"eexec", 1)[0].decode("latin-1")
        if re.search(r"/Encoding\s+StandardEncoding\s+def", clear):
            from fontTools.encodings.StandardEncoding import StandardEncoding

            names = list(StandardEncoding)
        else:
            names = [".notdef"] * 256
            for m in _T1_ENCODING.finditer(clear):
                if int(m[1]) < 256:
                    names[int(m[1])] = m[2]
        return names.__getitem__, None
    if "/FontFile3" in descriptor and str(descriptor.FontFile3.get("/Subtype")) == "/Type1C":
        from fontTools.cffLib import CFFFontSet

        cff = CFFFontSet()
        cff.decompile(io.BytesIO(_bytes(descriptor.FontFile3)), None)
        top = cff.topDictIndex[0]
        table = top.Encoding
        return (lambda code: table[code] if isinstance(table, list) else None), set(top.charset)
    if "/FontFile2" in descriptor:  # TrueType: a simple font's codes go through its (1,0) or (3,0) cmap
        from fontTools.ttLib import TTFont

        tt = TTFont(io.BytesIO(_bytes(descriptor.FontFile2)), lazy=True)
        tables = {(t.platformID, t.platEncID): t.cmap for t in tt["cmap"].tables}
        if (3, 0) in tables:
            symbol = tables[(3, 0)]
            return (lambda code: symbol.get(0xF000 + code) or symbol.get(code)), None
        if (1, 0) in tables:
            mac = tables[(1, 0)]
            return mac.get, None
    return None


def _differences(encoding: Any) -> dict[int, str]:
    out: dict[int, str] = {}
    if encoding is None or not hasattr(encoding, "get"):
        return out
    code = 0
    for item in encoding.get("/Differences") or []:
        if isinstance(item, int):
            code = item
        else:
            out[code] = str(item).lstrip("/")
            code += 1
    return out


def _cid_notdef(font: Any, to_unicode: dict[int, str]) -> list[int]:
    """Identity-H/V Type 0 fonts: the code is the CID; CID 0 (and a CIDFontType2's glyph 0) is .notdef."""
    if str(font.get("/Encoding")) not in ("/Identity-H", "/Identity-V"):
        return []
    descendant = (font.get("/DescendantFonts") or [None])[0]
    if descendant is None:
        return []
    import pikepdf

    table = b""
    mapping = descendant.get("/CIDToGIDMap")
    if str(descendant.get("/Subtype")) == "/CIDFontType2" and isinstance(mapping, pikepdf.Stream):
        table = _bytes(mapping)

    def gid(cid: int) -> int:
        if not table:
            return cid  # Identity, or a CFF CID font: CID 0 is .notdef
        return int.from_bytes(table[2 * cid : 2 * cid + 2], "big") if 2 * cid + 2 <= len(table) else 0

    return [code for code in to_unicode if gid(code) == 0]
