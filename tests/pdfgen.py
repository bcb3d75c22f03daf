"""Small text PDFs made inside a test: positioned lines of Chinese text in one Identity-H font.

The font is not embedded (the text layer is what import reads; nobody looks at the glyphs) and its
ToUnicode map sends every character code to the same code point, so pdfplumber reads back exactly the
text written.  Fast enough to make one file per case.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pikepdf

A4 = (595.0, 842.0)


def _to_unicode() -> bytes:
    ranges = "\n".join(f"<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>" for hi in range(256) if not 0xD8 <= hi <= 0xDF)
    count = 256 - 8
    return (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Renda-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{count} beginbfrange\n{ranges}\nendbfrange\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end\n"
    ).encode("ascii")


def _font(pdf: pikepdf.Pdf) -> pikepdf.Object:
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor,
        FontName=pikepdf.Name("/RendaTestSong"),
        Flags=4,
        FontBBox=[0, -120, 1000, 880],
        ItalicAngle=0,
        Ascent=880,
        Descent=-120,
        CapHeight=700,
        StemV=80,
    )
    cid_font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.CIDFontType2,
        BaseFont=pikepdf.Name("/RendaTestSong"),
        CIDSystemInfo=pikepdf.Dictionary(
            Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0
        ),
        DW=1000,
        FontDescriptor=pdf.make_indirect(descriptor),
    )
    return pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type0,
            BaseFont=pikepdf.Name("/RendaTestSong"),
            Encoding=pikepdf.Name("/Identity-H"),
            DescendantFonts=[pdf.make_indirect(cid_font)],
            ToUnicode=pdf.make_stream(_to_unicode()),
        )
    )


def text_page(lines: Sequence[tuple[str, float, float, float]]) -> bytes:
    """A content stream: each line is (text, x, top, size) with ``top`` measured from the top of the page."""
    ops = []
    for text, x, top, size in lines:
        code = "".join(f"{ord(ch):04X}" for ch in text if ord(ch) <= 0xFFFF)
        ops.append(f"BT /F1 {size:g} Tf 1 0 0 1 {x:g} {A4[1] - top - size:g} Tm <{code}> Tj ET")
    return "\n".join(ops).encode("ascii")


def write_text_pdf(path: Path, pages: Sequence[Sequence[tuple[str, float, float, float]]]) -> Path:
    pdf = pikepdf.new()
    font = _font(pdf)
    for lines in pages:
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, *A4],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=pdf.make_stream(text_page(lines)),
        )
        pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


def official_pdf(
    path: Path,
    head: Sequence[str],
    title: str = "关于开展专项调研工作的通知",
    body: str = "现将有关事项通知如下，请认真贯彻落实。",
    date: str = "2024年3月8日",
) -> Path:
    """A one-page document in the shape of GB/T 9704: ``head`` lines (份号, 密级, 紧急程度) top left in
    16 pt, the 标志 in red-size type, the title, a paragraph, the issuer and the date."""
    lines: list[tuple[str, float, float, float]] = []
    top = 100.0
    for text in head:
        lines.append((text, 80, top, 16))
        top += 28
    lines += [
        ("青澜市澄湖区人民代表大会常务委员会文件", 80, top + 30, 22),
        (title, 120, top + 120, 20),
        ("各镇人大主席团、区人大常委会各工作机构：为做好本年度专项调研工作，", 80, top + 180, 16),
        (body, 80, top + 208, 16),
        ("澄湖区人大常委会办公室", 330, top + 300, 16),
        (date, 360, top + 328, 16),
    ]
    return write_text_pdf(path, [lines])


def _raw_pdf(objects: Sequence[bytes]) -> bytes:
    """A PDF from numbered object bodies (object 1 is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


_PAGE = b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 3 0 R>>"
_CONTENT = b"<</Length 35>>\nstream\nBT /F1 12 Tf 72 720 Td (page) Tj ET\nendstream"


def shared_pages_pdf(path: Path) -> Path:
    """A page tree whose every level names one node many times: 100 × 100 × 30 = 300,000 pages as /Count
    and the tree say, in a file of two kilobytes."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Count 300000/Kids[%s]>>" % (b"4 0 R " * 100),
        _CONTENT,
        b"<</Type/Pages/Parent 2 0 R/Count 3000/Kids[%s]>>" % (b"5 0 R " * 100),
        b"<</Type/Pages/Parent 4 0 R/Count 30/Kids[%s]>>" % (b"6 0 R " * 30),
        _PAGE.replace(b"/Parent 2 0 R", b"/Parent 5 0 R"),
    ]
    path.write_bytes(_raw_pdf(objects))
    return path


def long_kids_pdf(path: Path, refs: int) -> Path:
    """One page named ``refs`` times in the root's /Kids, /Count 1: slow to parse, one page once read."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Count 1/Kids[%s]>>" % (b"4 0 R " * refs),
        _CONTENT,
        _PAGE,
    ]
    path.write_bytes(_raw_pdf(objects))
    return path


def distinct_pages_pdf(path: Path, pages: int, count: int) -> Path:
    """``pages`` distinct page objects in two levels of 100, the root's /Count saying ``count``."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"", _CONTENT]
    nodes = []
    for start in range(0, pages, 100):
        node = len(objects) + 1
        nodes.append(node)
        objects.append(b"")
        kids = []
        for _ in range(min(100, pages - start)):
            objects.append(_PAGE.replace(b"/Parent 2 0 R", b"/Parent %d 0 R" % node))
            kids.append(b"%d 0 R" % len(objects))
        objects[node - 1] = b"<</Type/Pages/Parent 2 0 R/Count %d/Kids[%s]>>" % (len(kids), b" ".join(kids))
    objects[1] = b"<</Type/Pages/Count %d/Kids[%s]>>" % (count, b" ".join(b"%d 0 R" % n for n in nodes))
    path.write_bytes(_raw_pdf(objects))
    return path


def flate_bomb_pdf(path: Path, megabytes: int) -> Path:
    """One page whose content stream is ``megabytes`` MB of zeros, flate-compressed (about 1 KB a MB)."""
    import zlib

    packer = zlib.compressobj(9)
    chunk = bytes(1024 * 1024)
    stream = b"".join(packer.compress(chunk) for _ in range(megabytes)) + packer.flush()
    path.write_bytes(
        _raw_pdf(
            [
                b"<</Type/Catalog/Pages 2 0 R>>",
                b"<</Type/Pages/Count 1/Kids[3 0 R]>>",
                b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>",
                b"<</Length %d/Filter/FlateDecode>>\nstream\n%s\nendstream" % (len(stream), stream),
            ]
        )
    )
    return path
