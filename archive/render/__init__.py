"""GB/T 9704-2012 official documents from records: .docx through docxtpl templates, PDF through LibreOffice.

    result = render_documents(workspace, records, out_dir, formats=("docx", "pdf"))

Every document is written atomically (a temporary file, then ``os.replace``).  A record that fails is
reported in ``result.failures`` and the batch goes on.

Drafts (``status: draft``) render with a light grey 草稿 watermark on every page: a clerk can circulate
them for comment, and nobody can mistake one for the issued document.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from archive.errors import ArchiveError
from archive.fileio import work_folder, writing
from archive.records import Deputy, Record
from archive.render.documents import Document, documents_for
from archive.render.errors import RenderError, TemplateError
from archive.workspace import Workspace

__all__ = [
    "RenderError",
    "RenderFailure",
    "RenderResult",
    "RenderedDocument",
    "TemplateError",
    "render_documents",
    "render_prepared",
]

FORMATS = ("docx", "pdf", "pdfa")  # pdfa: the PDF as PDF/A-2b (alone, or beside a .docx)
FONTS_CONF = "fonts/fonts.conf"


@dataclass(frozen=True)
class RenderedDocument:
    record_id: str
    kind: str  # 审议意见书 / 纪要 / 决议 / 决定 / 执法检查报告 / 代表述职报告 / 催办函 / 代表履职档案
    files: tuple[Path, ...]
    draft: bool = False
    letter: bool = False  # 信函格式


@dataclass(frozen=True)
class RenderFailure:
    record_id: str
    source: str
    message: str


@dataclass
class RenderResult:
    documents: list[RenderedDocument] = field(default_factory=list)
    failures: list[RenderFailure] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # e.g. how to install LibreOffice

    @property
    def files(self) -> list[Path]:
        return [f for d in self.documents for f in d.files]

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_json(self) -> dict[str, object]:
        return {
            "documents": [
                {
                    "id": d.record_id,
                    "kind": d.kind,
                    "draft": d.draft,
                    "letter": d.letter,
                    "files": [str(f) for f in d.files],
                }
                for d in self.documents
            ],
            "failures": [{"id": f.record_id, "source": f.source, "message": f.message} for f in self.failures],
            "notices": list(self.notices),
        }


def render_documents(
    workspace: Workspace,
    records: Iterable[Record],
    out_dir: Path,
    formats: Sequence[str] = FORMATS,
    pdfa: bool = False,
    processes: int | None = None,
) -> RenderResult:
    """Render each record's documents into ``out_dir`` (.docx, and PDF through LibreOffice).

    ``processes`` fixes how many soffice processes share the batch (default: one per core); a caller that
    needs the same PDF bytes on every machine passes a fixed number.
    """
    records = list(records)
    names = _deputy_names(workspace) if any(r.type in ("meeting", "deputy_report") for r in records) else {}
    config = workspace.config
    batches = [(record, partial(documents_for, record, config, names)) for record in records]
    return _render_batches(workspace, batches, out_dir, formats, pdfa, processes)


def render_prepared(
    workspace: Workspace,
    documents: Iterable[Document],
    out_dir: Path,
    formats: Sequence[str] = FORMATS,
    pdfa: bool = False,
    processes: int | None = None,
) -> RenderResult:
    """Render documents built elsewhere (催办函, 履职档案) exactly like record documents."""
    batches = [(doc.record, partial(_one, doc)) for doc in documents]
    return _render_batches(workspace, batches, out_dir, formats, pdfa, processes)


def _one(document: Document) -> list[Document]:
    return [document]


def _render_batches(
    workspace: Workspace,
    batches: Sequence[tuple[Record, Callable[[], list[Document]]]],
    out_dir: Path,
    formats: Sequence[str] = FORMATS,
    pdfa: bool = False,
    processes: int | None = None,
) -> RenderResult:
    """Each batch is one record's documents, built lazily: all of them are written, or none."""
    from archive.render import engine, pdf

    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise RenderError(f"不支持的输出格式：{'、'.join(sorted(unknown))}（可用 docx、pdf、pdfa）")
    if "pdfa" in formats:
        pdfa = True
        formats = tuple(f for f in formats if f != "pdfa") or ("pdf",)
    result = RenderResult()
    want_pdf = "pdf" in formats or pdfa
    # a private folder, removed however this run ends; the next run removes it if this one is killed
    with writing(out_dir), work_folder(out_dir, ".renda-") as staging:
        staged: list[tuple[Document, Path]] = []
        for record, build in batches:
            try:
                # all of a record's documents, or none of them
                staged_record = [(doc, engine.render_docx(workspace, doc, staging)) for doc in build()]
                staged.extend(staged_record)
            except ArchiveError as exc:
                result.failures.append(RenderFailure(record.id, record.source, str(exc)))
        pdfs: dict[Path, Path] = {}
        if want_pdf and staged:
            if pdf.find_soffice() is None:
                result.notices.append(pdf.INSTALL_HINT)
            else:
                pdf_dir = staging / "pdf"
                pdf_dir.mkdir()
                try:
                    pdfs = pdf.convert_to_pdf(
                        [p for _, p in staged],
                        pdf_dir,
                        workspace.template_path(FONTS_CONF),
                        pdfa=pdfa,
                        processes=processes,
                    )
                except RenderError as exc:
                    result.notices.append(str(exc))
                else:
                    _share_imprint_pages(staging, pdfs, workspace.template_path(FONTS_CONF), pdfa, processes)
        for doc, docx_path in staged:
            written = []
            if "docx" in formats:
                written.append(_publish(docx_path, out_dir))
            if want_pdf:
                if docx_path in pdfs:
                    written.append(_publish(pdfs[docx_path], out_dir))
                elif pdf.find_soffice() is not None:
                    result.failures.append(RenderFailure(doc.record.id, doc.record.source, f"{doc.stem}: PDF 转换失败"))
            result.documents.append(
                RenderedDocument(doc.record.id, doc.kind, tuple(written), not doc.record.is_final, doc.letter)
            )
    return result


def _share_imprint_pages(
    staging: Path, pdfs: dict[Path, Path], fonts_conf: Path, pdfa: bool, processes: int | None
) -> None:
    """Second pass: fold the 版记 onto the body's last page where it fits (see ``render.imprint``)."""
    from archive.render import imprint, pdf

    candidates = [d for d, p in pdfs.items() if imprint.can_share(p)]
    if not candidates:
        return
    fold_dir, fold_pdf = staging / "fold", staging / "fold-pdf"
    fold_dir.mkdir()
    fold_pdf.mkdir()
    folded = {}
    for docx_path in candidates:
        target = fold_dir / docx_path.name
        imprint.fold(docx_path, target)
        folded[target] = docx_path
    try:
        converted = pdf.convert_to_pdf(list(folded), fold_pdf, fonts_conf, pdfa=pdfa, processes=processes)
    except RenderError:
        return  # the first pass stands
    for target, pdf_path in converted.items():
        if not imprint.landed(pdf_path):
            continue  # keep the first pass: the folded layout is not better
        original = folded[target]
        os.replace(target, original)
        os.replace(pdf_path, pdfs[original])


def _publish(staged: Path, out_dir: Path) -> Path:
    target = out_dir / staged.name
    os.replace(staged, target)
    return target


def _deputy_names(workspace: Workspace) -> dict[str, str]:
    from archive.catalog import load_catalog

    return {r.id: r.name for r in load_catalog(workspace).records if isinstance(r, Deputy)}
