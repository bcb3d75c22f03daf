"""PDF/A work with pikepdf: assembling a 件, overlaying its 归档章, fixing dates and ids, inspecting.

Shared by the annual archive and by imported originals (render.original), so it sits below both.
Why the stamp is an overlay: the page count it shows is only known after LibreOffice has laid the document
out. So the documents are converted first, then one stamp sheet (one 归档章 a page, real page counts filled in)
is converted by LibreOffice as PDF/A too, and page *i* of the sheet is laid over page 1 of 件 *i* as a form
XObject. Both sides are LibreOffice PDF/A-2b with embedded font subsets, so the result keeps its fonts
embedded and its PDF/A identification.

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
    active_content: tuple[str, ...]  # scripts, forbidden actions, embedded files: one message each
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


STAMP_NAME = "/RendaArchiveStamp"  # the 归档章's form XObject on page 1


def _overlay(pdf: Any, page: Any, stamp_page: Any) -> None:
    """``Page.add_overlay`` with a fixed resource name (pikepdf picks a random one: not reproducible)."""
    import pikepdf

    formx = pdf.copy_foreign(stamp_page.as_form_xobject())
    name = pikepdf.Name(STAMP_NAME)
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
    """Pages, PDF/A identification, output intent, fonts, encryption and active content of one PDF."""
    import pikepdf

    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        return PdfFacts(0, "", "", False, (), True, (), ("文件已加密",))
    except (pikepdf.PdfError, OSError) as exc:
        return PdfFacts(0, "", "", False, (), False, (), (f"无法读取 PDF：{exc}",))
    with pdf:
        meta = pdf.open_metadata()
        part = str(meta.get("pdfaid:part", ""))
        conformance = str(meta.get("pdfaid:conformance", ""))
        intents = pdf.Root.get("/OutputIntents") or pikepdf.Array()
        output_intent = any(str(i.get("/S")) == "/GTS_PDFA1" and "/DestOutputProfile" in i for i in intents)
        unembedded: set[str] = set()
        for page in pdf.pages:
            _fonts_of(page.obj.get("/Resources"), unembedded, set())
        active = tuple(_active_content(pdf))
        return PdfFacts(
            len(pdf.pages), part, conformance, output_intent, tuple(sorted(unembedded)), pdf.is_encrypted, active
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


# ISO 19005-2:2011 (PDF/A-2) forbids active content: 6.6.1 the Launch, Sound, Movie, ResetForm, ImportData,
# Hide, SetOCGState, Rendition, Trans, GoTo3DView and JavaScript actions (and the deprecated set-state and
# no-op ones), named actions other than the four page moves; 6.6.2 additional actions (/AA) in the catalog,
# pages, fields and widgets; 6.8 embedded files other than PDF/A ones (renda never embeds any, so every
# embedded file or file attachment is refused).  The actions PDF/A permits are allowed: GoTo, GoToR, GoToE,
# Thread, URI, SubmitForm and those named actions.  Any other action type, whatever it is called, is refused.
PERMITTED_ACTIONS = frozenset({"/GoTo", "/GoToR", "/GoToE", "/Thread", "/URI", "/SubmitForm", "/Named"})
FORBIDDEN_ACTIONS = frozenset(
    {
        "/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/Hide", "/SetOCGState", "/Rendition",
        "/Trans", "/GoTo3DView", "/SetState", "/NOP",
    }
)  # fmt: skip
PERMITTED_NAMED = frozenset({"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"})
ACTION_KEYS = frozenset({"/A", "/OpenAction", "/Next", "/PA"})  # keys whose dictionary value is an action
EMBEDDED = "含有嵌入文件"
MAX_PDF_OBJECTS = 500_000  # bounded effort: a stamped 件 of 50 pages has some thousands


def _active_content(pdf: Any) -> list[str]:
    """What PDF/A-2 forbids and an archive must not carry: scripts, launching and other forbidden actions,
    additional actions, embedded files, attachments.  Walks everything reachable from the trailer (catalog,
    pages, annotations, outlines, forms, name trees) once, without recursion, and then every object in the
    file for what is left unreachable; gives up after MAX_PDF_OBJECTS objects, saying so."""
    import pikepdf

    found: dict[str, None] = {}  # ordered set
    names = pdf.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        found.update(dict.fromkeys(_name_tree_problems(names)))
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Any, str]] = [(pdf.trailer, "")]
    unreachable: list[Any] | None = None
    visited = 0
    while stack or unreachable is None:
        if not stack:  # the walk is done: now whatever it did not reach
            unreachable = list(pdf.objects)
            stack = [(obj, "") for obj in reversed(unreachable)]
            continue
        obj, key = stack.pop()
        if not isinstance(obj, pikepdf.Object):  # pdf.objects gives indirect numbers as Python values
            continue
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            found[f"对象超过 {MAX_PDF_OBJECTS} 个，未能完整检查其中的动作和嵌入文件"] = None
            break
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            found.update(dict.fromkeys(_dictionary_problems(obj, key)))
        stack += _children(obj, key)
    if any(p.startswith(EMBEDDED + "“") for p in found):  # named ones say it better
        del found[EMBEDDED]
    return list(found)


def _name_tree_problems(names: Any) -> list[str]:
    """Scripts and embedded files in the catalog's name tree."""
    problems = []
    if "/JavaScript" in names:
        problems.append("含有 JavaScript，位于名称树 /JavaScript")
    if "/EmbeddedFiles" in names:
        problems.append(EMBEDDED)
    return problems


def _children(obj: Any, key: str) -> list[tuple[Any, str]]:
    """The containers directly inside ``obj`` (an array's keep its key), each with the key it is under."""
    import pikepdf

    if isinstance(obj, pikepdf.Array):
        return [(value, key) for value in obj if isinstance(value, pikepdf.Array | pikepdf.Dictionary)]
    if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        return []
    # every entry of an /AA dictionary is an action
    return [
        (value, "/A" if key == "/AA" else child_key)
        for child_key, value in obj.items()
        if isinstance(value, pikepdf.Array | pikepdf.Dictionary | pikepdf.Stream)
    ]


def _dictionary_problems(obj: Any, key: str) -> list[str]:
    where = f"，位于 {key}" if key else ""
    problems = []
    if "/JS" in obj:
        problems.append(f"含有 JavaScript{where}")
    kind = str(obj.get("/S", ""))
    if kind == "/JavaScript":
        problems.append(f"含有 JavaScript{where}")
    elif kind in FORBIDDEN_ACTIONS:  # whatever the context: no other /S takes these names
        problems.append(f"含有 {kind.lstrip('/')} 动作{where}")
    elif kind and (key in ACTION_KEYS or str(obj.get("/Type", "")) == "/Action"):
        if kind not in PERMITTED_ACTIONS:
            problems.append(f"含有 {kind.lstrip('/')} 动作{where}")
        elif kind == "/Named" and str(obj.get("/N", "")) not in PERMITTED_NAMED:
            problems.append(f"含有命名动作 {str(obj.get('/N', '')).lstrip('/')}{where}")
    if key == "/AA":
        problems.append("含有附加动作（/AA）")
    if "/EF" in obj:
        name = str(obj.get("/UF") or obj.get("/F") or "")[:100]
        problems.append(f"含有嵌入文件“{name}”" if name else EMBEDDED)
    elif str(obj.get("/Type", "")) == "/EmbeddedFile":
        problems.append(EMBEDDED)
    if str(obj.get("/Subtype", "")) == "/FileAttachment":
        problems.append("含有文件附件注释 FileAttachment")
    return problems


def as_laid_out(path: Path, out: Path, drop_last: int = 0) -> None:
    """``path`` as renda laid it out: page 1 without the 归档章 overlay (:func:`_overlay`), and without the
    last ``drop_last`` pages (a merged 件's registration sheet), for the GB/T 9704 checker.  Raises ValueError
    when the PDF cannot be read."""
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            page = pdf.pages[0]
            kept = [
                instruction
                for instruction in pikepdf.parse_content_stream(page)
                if not (str(instruction.operator) == "Do" and str(instruction.operands[0]) == STAMP_NAME)
            ]
            page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
            for _ in range(min(drop_last, len(pdf.pages) - 1)):
                del pdf.pages[-1]
            pdf.save(out)
    except (pikepdf.PdfError, IndexError, OSError) as exc:
        raise ValueError(type(exc).__name__) from exc


def first_page_overlays(path: Path) -> bytes:
    """A one-page PDF that shows only what page 1 of ``path`` draws through form XObjects at the top level of
    its content — the 归档章 overlay of :func:`_overlay` — where the page draws it (every ``q``, ``Q`` and ``cm``
    kept, so the placement is the page's own).

    Reading the stamp back from this page instead of the whole page spares pdfminer the body text and its
    fonts (about 6 ms a 件 instead of 85).  Raises ValueError when the PDF cannot be read.
    """
    import io

    import pikepdf

    try:
        with pikepdf.open(path) as source:
            page = source.pages[0]
            resources = page.obj.get("/Resources")
            xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
            forms = {
                name
                for name, xobject in (xobjects.items() if isinstance(xobjects, pikepdf.Dictionary) else [])
                if isinstance(xobject, pikepdf.Stream) and str(xobject.get("/Subtype")) == "/Form"
            }
            kept = [
                instruction
                for instruction in pikepdf.parse_content_stream(page)
                if str(instruction.operator) in ("q", "Q", "cm")
                or (str(instruction.operator) == "Do" and str(instruction.operands[0]) in forms)
            ]
            out = pikepdf.new()
            out.pages.append(page)
            copied = out.pages[0].obj
            copied.Resources = pikepdf.Dictionary(
                XObject=pikepdf.Dictionary({name: copied.Resources.XObject[name] for name in forms})
            )
            copied.Contents = out.make_stream(pikepdf.unparse_content_stream(kept))
            for key in ("/Annots", "/AA"):
                if key in copied:
                    del copied[key]
            buffer = io.BytesIO()
            out.save(buffer)
            return buffer.getvalue()
    except (pikepdf.PdfError, IndexError, OSError) as exc:
        raise ValueError(type(exc).__name__) from exc


# -- a PDF made outside renda (an imported document) as a 件 -------------------------------------------


def original_problems(path: Path) -> list[str]:
    """Why a PDF made outside renda cannot become a PDF/A-2b 件 as it is; empty when it can.

    Its pages are kept exactly (they are the evidence), so what PDF/A forbids cannot be converted away:
    fonts that are not embedded, encryption, scripts, embedded files.
    """
    facts = inspect_pdf(path)
    if facts.problems:
        return [f"原 PDF {problem}" for problem in facts.problems]
    problems = []
    if facts.encrypted:
        problems.append("原 PDF 已加密，PDF/A 不允许加密")
    if facts.unembedded_fonts:
        fonts = "、".join(facts.unembedded_fonts[:5])
        problems.append(f"原 PDF 有未嵌入的字体（{fonts}），不能作为 PDF/A 归档；请用原软件嵌入字体重新导出后再导入")
    problems += [f"原 PDF {item}，PDF/A 不允许，不能归档" for item in facts.active_content]
    return problems


def srgb_profile() -> bytes:
    """An sRGB ICC profile (LittleCMS's, through Pillow) for the PDF/A output intent."""
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def archival_copy(source: Path, out: Path) -> None:
    """``source`` with its pages untouched, identified as PDF/A-2b with an sRGB output intent.

    The caller has checked :func:`original_problems`; :func:`finish_item` then stamps it and fixes its
    dates and ids like any other 件.
    """
    import pikepdf

    with pikepdf.open(source) as pdf:
        intents = pdf.Root.get("/OutputIntents")
        has_pdfa_intent = isinstance(intents, pikepdf.Array) and any(
            str(i.get("/S")) == "/GTS_PDFA1" and "/DestOutputProfile" in i for i in intents
        )
        if not has_pdfa_intent:
            profile = pdf.make_stream(srgb_profile())
            profile[pikepdf.Name.N] = 3
            intent = pikepdf.Dictionary(
                Type=pikepdf.Name.OutputIntent,
                S=pikepdf.Name.GTS_PDFA1,
                OutputConditionIdentifier=pikepdf.String("sRGB IEC61966-2.1"),
                Info=pikepdf.String("sRGB IEC61966-2.1"),
                DestOutputProfile=profile,
            )
            pdf.Root[pikepdf.Name.OutputIntents] = pikepdf.Array([intent])
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["pdfaid:part"] = "2"
            meta["pdfaid:conformance"] = "B"
        pdf.save(out, deterministic_id=True, compress_streams=True)
