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
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from archive.errors import ArchiveError, RenderError, TemplateError
from archive.fileio import work_folder, writing
from archive.problems import Problem
from archive.progress import Progress, report
from archive.records import Deputy, Meeting, Record
from archive.records import Document as DocumentRecord
from archive.render.documents import Document
from archive.render.kinds import documents_for
from archive.workspace import Workspace

if TYPE_CHECKING:
    from archive.conformance import CheckReport
    from archive.render.imprint import Placement

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
DOCX_STAGE = "生成 .docx"


@dataclass(frozen=True)
class RenderedDocument:
    record_id: str
    # 审议意见书 / 纪要 / 决议 / 决定 / 执法检查报告 / 代表述职报告 / 催办函 / 代表履职档案 / 代表建议 / 代表议案
    kind: str
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
    broken: Iterable[Problem] = (),
    progress: Progress | None = None,
    check: bool = True,
) -> RenderResult:
    """Render each record's documents into ``out_dir`` (.docx, and PDF through LibreOffice).

    ``processes`` fixes how many soffice processes share the batch (default: one per core); a caller that
    needs the same PDF bytes on every machine passes a fixed number.  ``broken`` holds the first error of
    each record left out because it has errors (:meth:`~archive.catalog.Catalog.to_render`): each is a
    failure of the batch, named with its file and error.  ``progress`` hears each record's .docx and the
    PDFs as LibreOffice writes them.  Every PDF is measured by the GB/T 9704 checker (``check``): one that
    breaks a 规定 clause is kept but reported as a failure naming the clause (a draft too: its watermark is
    no excuse for a layout that would be wrong once issued).
    """
    from archive.render.original import KIND, copy_originals

    records = list(records)
    originals = [r for r in records if isinstance(r, DocumentRecord)]
    records = [r for r in records if not isinstance(r, DocumentRecord)]
    names: dict[str, str] = {}
    meetings: dict[str, Meeting] = {}
    if any(r.type in ("meeting", "deputy_report", "opinion", "suggestion", "motion", "report") for r in records):
        names, meetings = _names_and_meetings(workspace)
    config = workspace.config
    batches = [(record, partial(documents_for, record, config, names, meetings)) for record in records]
    result = _render_batches(workspace, batches, out_dir, formats, pdfa, processes, progress=progress, check=check)
    result.failures[:0] = [
        RenderFailure(
            PurePosixPath(p.source).stem, p.source, f"记录有错误，未生成（{p.detail()}）；请先运行 renda validate"
        )
        for p in broken
    ]
    # an imported document's document is its original PDF: copied, not generated
    pdfa = pdfa or "pdfa" in formats
    copies, failures, notices = copy_originals(
        workspace.root, originals, out_dir, pdfa or "pdf" in formats, pdfa, alone=not records
    )
    result.documents.extend(RenderedDocument(r.id, KIND, (path,), not r.is_final) for r, path in copies)
    result.failures.extend(RenderFailure(r.id, r.source, message) for r, message in failures)
    result.notices.extend(notices)
    return result


def render_prepared(
    workspace: Workspace,
    documents: Iterable[Document],
    out_dir: Path,
    formats: Sequence[str] = FORMATS,
    pdfa: bool = False,
    processes: int | None = None,
    check: bool = True,
) -> RenderResult:
    """Render documents built elsewhere (催办函, 履职档案) exactly like record documents."""
    batches = [(doc.record, partial(_one, doc)) for doc in documents]
    return _render_batches(workspace, batches, out_dir, formats, pdfa, processes, check=check)


def _one(document: Document) -> list[Document]:
    return [document]


def _render_batches(
    workspace: Workspace,
    batches: Sequence[tuple[Record, Callable[[], list[Document]]]],
    out_dir: Path,
    formats: Sequence[str] = FORMATS,
    pdfa: bool = False,
    processes: int | None = None,
    *,
    progress: Progress | None = None,
    check: bool = True,
) -> RenderResult:
    """Each batch is one record's documents, built lazily: all of them are written, or none."""
    from archive.render import conversion, engine

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
        for done, (record, build) in enumerate(batches):
            report(progress, DOCX_STAGE, done, len(batches), record.id)
            try:
                # all of a record's documents, or none of them
                staged_record = [(doc, engine.render_docx(workspace, doc, staging)) for doc in build()]
                staged.extend(staged_record)
            except ArchiveError as exc:
                result.failures.append(RenderFailure(record.id, record.source, str(exc)))
        report(progress, DOCX_STAGE, len(batches), len(batches))
        pdfs: dict[Path, Path] = {}
        if want_pdf and staged:
            pdfs = _convert(workspace, [p for _, p in staged], staging, result, pdfa, processes, progress)
        reports = _conformance(list(pdfs.values())) if check else {}
        for doc, docx_path in staged:
            written = []
            if "docx" in formats:
                written.append(_publish(docx_path, out_dir))
            if want_pdf:
                if docx_path in pdfs:
                    published = _publish(pdfs[docx_path], out_dir)
                    written.append(published)
                    measured = reports.get(pdfs[docx_path])
                    if measured is not None and measured.errors:
                        result.failures.append(
                            RenderFailure(doc.record.id, doc.record.source, _nonconforming(published, measured))
                        )
                elif conversion.find_soffice() is not None:
                    result.failures.append(RenderFailure(doc.record.id, doc.record.source, f"{doc.stem}: PDF 转换失败"))
            result.documents.append(
                RenderedDocument(doc.record.id, doc.kind, tuple(written), not doc.record.is_final, doc.letter)
            )
    return result


def _convert(
    workspace: Workspace,
    docx_files: list[Path],
    staging: Path,
    result: RenderResult,
    pdfa: bool,
    processes: int | None,
    progress: Progress | None,
) -> dict[Path, Path]:
    """The staged .docx files as PDF (each .docx → its PDF), their 版记 settled; what stopped the
    conversion becomes a notice."""
    from archive.render import conversion

    if conversion.find_soffice() is None:
        result.notices.append(conversion.INSTALL_HINT)
        return {}
    pdf_dir = staging / "pdf"
    pdf_dir.mkdir()
    try:
        pdfs = conversion.convert_to_pdf(
            docx_files,
            pdf_dir,
            workspace.template_path(FONTS_CONF),
            pdfa=pdfa,
            processes=processes,
            progress=progress,
        )
    except RenderError as exc:
        result.notices.append(str(exc))
        return {}
    _settle_imprints(staging, pdfs, workspace.template_path(FONTS_CONF), pdfa, processes)
    return pdfs


def _settle_imprints(
    staging: Path, pdfs: dict[Path, Path], fonts_conf: Path, pdfa: bool, processes: int | None
) -> None:
    """Second pass: fold, unnumber or re-place the 版记 where the first pass left it wrong (``render.imprint``)."""
    from archive.render import imprint

    plans = {}
    for docx_path, pdf_path in pdfs.items():
        placement = imprint.measure(pdf_path)
        action = placement.action() if placement else None
        if placement and action:
            plans[docx_path] = (action, placement)
    retry = _imprint_pass(staging / "imprint-2", plans, pdfs, fonts_conf, pdfa, processes)
    # a fold that did not land: the 版记 keeps a page of its own, after the blank page, without a number
    unnumbered = {d: ("unnumber", plans[d][1]) for d in retry if plans[d][0] == "fold"}
    _imprint_pass(staging / "imprint-3", unnumbered, pdfs, fonts_conf, pdfa, processes)


def _imprint_pass(
    work: Path,
    plans: dict[Path, tuple[str, Placement]],
    pdfs: dict[Path, Path],
    fonts_conf: Path,
    pdfa: bool,
    processes: int | None,
) -> list[Path]:
    """Rewrite and convert the planned documents; replace those that land.  Returns the ones that did not."""
    from archive.render import conversion, imprint

    if not plans:
        return []
    docx_dir, pdf_dir = work / "docx", work / "pdf"
    docx_dir.mkdir(parents=True)
    pdf_dir.mkdir()
    rewritten = {}
    for docx_path, (action, placement) in plans.items():
        target = docx_dir / docx_path.name
        imprint.rewrite(docx_path, target, action, placement)
        rewritten[target] = docx_path
    try:
        converted = conversion.convert_to_pdf(list(rewritten), pdf_dir, fonts_conf, pdfa=pdfa, processes=processes)
    except RenderError:
        return list(plans)  # the first pass stands
    missed = []
    for target, original in rewritten.items():
        pdf_path = converted.get(target)
        if pdf_path is None or not imprint.landed(pdf_path, plans[original][0]):
            missed.append(original)
            continue
        os.replace(target, original)
        os.replace(pdf_path, pdfs[original])
    return missed


def _conformance(pdf_paths: list[Path]) -> dict[Path, CheckReport]:
    """The GB/T 9704 check of each PDF; a batch is spread over one process per core."""
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    from archive.conformance import check_files

    workers = min(os.cpu_count() or 1, len(pdf_paths) // 4)
    if workers < 2 or threading.current_thread() is not threading.main_thread():  # fork only a lone thread
        return dict(zip(pdf_paths, check_files(pdf_paths), strict=True))
    chunks = [pdf_paths[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        results = list(pool.map(check_files, chunks))
    return {
        path: report
        for chunk, reports in zip(chunks, results, strict=True)
        for path, report in zip(chunk, reports, strict=True)
    }


def _nonconforming(pdf_path: Path, report: CheckReport) -> str:
    """A PDF that breaks a 规定 clause: kept for inspection, never passed off as good."""
    errors = report.errors
    found = "；".join(f.message for f in errors[:3]) + ("等" if len(errors) > 3 else "")
    return (
        f"{pdf_path.name} 不符合 GB/T 9704-2012（{len(errors)} 处规定要求不符）：{found}。"
        "文件已保留以便检查，不能作为正式文件印发"
    )


def _publish(staged: Path, out_dir: Path) -> Path:
    target = out_dir / staged.name
    os.replace(staged, target)
    return target


def _names_and_meetings(workspace: Workspace) -> tuple[dict[str, str], dict[str, Meeting]]:
    """Deputies' names (for 纪要, 述职报告, 建议 and 议案) and meetings by id (an opinion's opening sentence)."""
    from archive.catalog import load_catalog

    records = load_catalog(workspace).records
    names = {r.id: r.name for r in records if isinstance(r, Deputy)}
    return names, {r.id: r for r in records if isinstance(r, Meeting)}
