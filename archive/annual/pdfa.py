"""PDF/A work with pikepdf: assembling a 件, overlaying its 归档章, fixing dates and ids, inspecting.

The only module of archive.annual that touches pikepdf objects.  Why the stamp is an overlay: the page
count it shows is only known after LibreOffice has laid the document out.  So the documents are
converted first, then one stamp sheet (one 归档章 a page, real page counts filled in) is converted by
LibreOffice as PDF/A too, and page *i* of the sheet is laid over page 1 of 件 *i* as a form XObject.
Both sides are LibreOffice PDF/A-2b with embedded font subsets, so the result keeps its fonts embedded
and its PDF/A identification.

LibreOffice writes the current time and random document ids; :func:`finish_item` replaces them with the
件's own date and an id derived from its 档号, and saves with a content-derived trailer /ID, so the same
inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NAMESPACE = uuid.UUID("6f1d2c1e-5b7a-4c55-9d0e-2a0c1f3b9e11")  # renda archive document ids


@dataclass(frozen=True)
class PdfFacts:
    """What verification needs to know about one PDF."""

    pages: int
    pdfa_part: str
    pdfa_conformance: str
    output_intent: bool
    unembedded_fonts: tuple[str, ...]
    encrypted: bool
    javascript: bool
    problems: tuple[str, ...] = field(default=())  # could not be read at all


def pdf_date(when: dt.datetime) -> str:
    offset = when.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"D:{when:%Y%m%d%H%M%S}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


def document_id(key: str) -> str:
    return f"uuid:{uuid.uuid5(NAMESPACE, key)}"


def fixed_icc(profile: bytes, when: dt.datetime) -> bytes:
    """An ICC profile with its creation date set to ``when`` (lcms writes the time of the run there).

    The profile ID (an MD5 over the profile with flags, intent and ID zeroed, ICC.1:2010 7.2.18) is
    recomputed when the profile carries one.
    """
    if len(profile) < 128:
        return profile
    utc = when.astimezone(dt.UTC)
    date = b"".join(n.to_bytes(2, "big") for n in (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second))
    data = bytearray(profile)
    data[24:36] = date
    if any(data[84:100]):
        import hashlib

        zeroed = bytearray(data)
        zeroed[44:48] = zeroed[64:68] = b"\0" * 4
        zeroed[84:100] = b"\0" * 16
        data[84:100] = hashlib.md5(bytes(zeroed), usedforsecurity=False).digest()
    return bytes(data)


def page_count(path: Path) -> int:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


class StampSheet:
    """The converted stamp sheet: page *i* is the 归档章 of the *i*-th 件."""

    def __init__(self, path: Path) -> None:
        import pikepdf

        self._pdf = pikepdf.open(path)

    def close(self) -> None:
        self._pdf.close()

    def __enter__(self) -> StampSheet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pages(self) -> int:
        return len(self._pdf.pages)

    def page(self, index: int) -> Any:
        return self._pdf.pages[index]


def finish_item(
    parts: Sequence[Path],
    out: Path,
    *,
    stamp: StampSheet | None,
    stamp_page: int,
    title: str,
    author: str,
    when: dt.datetime,
    key: str,
) -> int:
    """Join ``parts`` into ``out``, lay the 归档章 over page 1, fix metadata; returns the page count."""
    import pikepdf

    with pikepdf.open(parts[0]) as pdf:
        extra = [pikepdf.open(p) for p in parts[1:]]
        try:
            for other in extra:
                pdf.pages.extend(other.pages)
            if stamp is not None:
                _overlay(pdf, pdf.pages[0], stamp.page(stamp_page))
            _fix_metadata(pdf, title=title, author=author, when=when, key=key)
            # in memory first: qpdf aborts the whole process when a write to the file fails (a full disk)
            buffer = io.BytesIO()
            pdf.save(buffer, deterministic_id=True, compress_streams=True)
            out.write_bytes(buffer.getvalue())
            return len(pdf.pages)
        finally:
            for other in extra:
                other.close()


def _overlay(pdf: Any, page: Any, stamp_page: Any) -> None:
    """``Page.add_overlay`` with a fixed resource name (pikepdf picks a random one: not reproducible)."""
    import pikepdf

    formx = pdf.copy_foreign(stamp_page.as_form_xobject())
    name = pikepdf.Name("/RendaArchiveStamp")
    page.add_resource(formx, pikepdf.Name.XObject, name)
    placement = page.calc_form_xobject_placement(
        formx, name, pikepdf.Rectangle(page.trimbox), allow_shrink=True, allow_expand=True
    )
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(b"Q\n", prepend=False)
    page.contents_add(placement, prepend=False)
    page.contents_coalesce()


def _fix_metadata(pdf: Any, *, title: str, author: str, when: dt.datetime, key: str) -> None:
    import pikepdf

    stamp = pdf_date(when)
    info = pdf.docinfo
    # /ID[0] identifies the document for good: derived from the 档号; qpdf derives /ID[1] from the content
    permanent = uuid.uuid5(NAMESPACE, key).bytes
    pdf.trailer["/ID"] = pikepdf.Array([pikepdf.String(permanent), pikepdf.String(permanent)])
    if "/DocChecksum" in pdf.trailer:  # LibreOffice's checksum of its own run, clock included
        del pdf.trailer["/DocChecksum"]
    for intent in pdf.Root.get("/OutputIntents") or []:
        profile = intent.get("/DestOutputProfile")
        if isinstance(profile, pikepdf.Stream):
            profile.write(fixed_icc(profile.read_bytes(), when))
    info[pikepdf.Name.Title] = title
    info[pikepdf.Name.Author] = author
    info[pikepdf.Name.CreationDate] = stamp
    info[pikepdf.Name.ModDate] = stamp
    iso = when.isoformat()
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:title"] = title
        meta["dc:creator"] = [author]
        meta["xmp:CreateDate"] = iso
        meta["xmp:ModifyDate"] = iso
        meta["xmp:MetadataDate"] = iso
        meta["xmpMM:DocumentID"] = document_id(key)
        meta["xmpMM:InstanceID"] = document_id(key + "#1")


def inspect_pdf(path: Path) -> PdfFacts:
    """Pages, PDF/A identification, output intent, fonts, encryption and JavaScript of one PDF."""
    import pikepdf

    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        return PdfFacts(0, "", "", False, (), True, False, ("文件已加密",))
    except (pikepdf.PdfError, OSError) as exc:
        return PdfFacts(0, "", "", False, (), False, False, (f"无法读取 PDF：{exc}",))
    with pdf:
        meta = pdf.open_metadata()
        part = str(meta.get("pdfaid:part", ""))
        conformance = str(meta.get("pdfaid:conformance", ""))
        intents = pdf.Root.get("/OutputIntents") or pikepdf.Array()
        output_intent = any(str(i.get("/S")) == "/GTS_PDFA1" and "/DestOutputProfile" in i for i in intents)
        unembedded: set[str] = set()
        for page in pdf.pages:
            _fonts_of(page.obj.get("/Resources"), unembedded, set())
        javascript = _has_javascript(pdf)
        return PdfFacts(
            len(pdf.pages), part, conformance, output_intent, tuple(sorted(unembedded)), pdf.is_encrypted, javascript
        )


def _fonts_of(resources: Any, unembedded: set[str], seen: set[tuple[int, int]]) -> None:
    import pikepdf

    if not isinstance(resources, pikepdf.Dictionary):
        return
    for font in (resources.get("/Font") or {}).values():
        if font.objgen in seen:
            continue
        seen.add(font.objgen)
        subtype = str(font.get("/Subtype"))
        if subtype == "/Type3":
            _fonts_of(font.get("/Resources"), unembedded, seen)
            continue
        described = font.DescendantFonts[0] if subtype == "/Type0" else font
        descriptor = described.get("/FontDescriptor")
        if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            unembedded.add(str(font.get("/BaseFont", "?")).lstrip("/"))
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.objgen in seen or str(xobject.get("/Subtype")) != "/Form":
            continue
        seen.add(xobject.objgen)
        _fonts_of(xobject.get("/Resources"), unembedded, seen)


def _has_javascript(pdf: Any) -> bool:
    """A JavaScript name tree, or any action dictionary with /JS or /S /JavaScript, anywhere in the file."""
    import pikepdf

    names = pdf.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names:
        return True

    def direct(obj: Any) -> bool:
        # indirect objects are visited from pdf.objects; here only what is nested in place
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            if "/JS" in obj or str(obj.get("/S", "")) == "/JavaScript":
                return True
            return any(nested(value) for _, value in obj.items())
        if isinstance(obj, pikepdf.Array):
            return any(nested(value) for value in obj)
        return False

    def nested(value: Any) -> bool:
        return isinstance(value, pikepdf.Object) and not value.is_indirect and direct(value)

    return any(direct(obj) for obj in pdf.objects)
