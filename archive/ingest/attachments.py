"""PDFs that people upload to a record on the web platform: an organ's 研究处理情况报告, an answer to a suggestion.

An upload is checked as ``renda import`` checks a PDF (size, the %PDF mark, encryption, the page count from
the page tree, a text layer; the reading in a worker with memory and CPU limits) while it sits in a private
work folder under ``.renda/``, and only then stored beside its record as ``<record-id>.<kind>-<sha256 prefix>.pdf``
(created atomically, never overwriting).  The name comes from the content, so uploading the same file again
reuses it, and nothing a user typed (the original file name) reaches the path.  The text read from it is kept
beside it (:func:`archive.fileio.text_beside`) for the search index, which has no time to read PDFs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from archive.errors import IngestError
from archive.fileio import MAX_TEXT_BESIDE, sha256_of, text_beside, work_folder, write_new
from archive.ingest.extraction import MAX_PDF_BYTES, read_pdf_lines
from archive.workspace import Workspace

KINDS = ("report", "answer")
WORK_PREFIX = "upload-"


@dataclass(frozen=True)
class StoredFile:
    """A stored upload: workspace-relative path, SHA-256, pages, and whether this upload created it."""

    file: str
    sha256: str
    pages: int
    created: bool

    def discard(self, workspace: Workspace) -> None:
        """Remove the file again when this upload created it (the record it was for was not saved)."""
        if self.created:
            pdf = workspace.root / self.file
            pdf.unlink(missing_ok=True)
            text_beside(pdf).unlink(missing_ok=True)


def store_pdf(workspace: Workspace, record_source: str, record_id: str, kind: str, content: bytes) -> StoredFile:
    """Check ``content`` as a PDF and store it beside the record file ``record_source`` (workspace-relative);
    IngestError with a clerk's message when it is not acceptable."""
    if kind not in KINDS:
        raise ValueError(kind)
    if not content:
        raise IngestError("没有选择文件，或文件是空的")
    if len(content) > MAX_PDF_BYTES:
        raise IngestError(
            f"文件过大（{len(content) / 1024 / 1024:.0f} MB），单个 PDF 不得超过 {MAX_PDF_BYTES // 1024 // 1024} MB"
        )
    if b"%PDF-" not in content[:1024]:
        raise IngestError("不是 PDF 文件（文件开头没有 %PDF 标记）")
    digest = hashlib.sha256(content).hexdigest()
    with work_folder(workspace.root / ".renda", WORK_PREFIX) as folder:
        candidate = folder / "upload.pdf"
        candidate.write_bytes(content)
        lines, pages = read_pdf_lines(candidate)
    target = (workspace.root / record_source).parent / f"{record_id}.{kind}-{digest[:16]}.pdf"
    relative = target.relative_to(workspace.root).as_posix()
    if target.is_file() and sha256_of(target) == digest:
        return StoredFile(relative, digest, pages, created=False)
    text = "\n".join(line.text for line in lines)[:MAX_TEXT_BESIDE]
    sidecar = text_beside(target)
    sidecar.unlink(missing_ok=True)  # left by an upload that was not saved and could not clean up
    write_new(sidecar, text.encode("utf-8"), IngestError)
    try:
        write_new(target, content, IngestError)
    except BaseException:
        sidecar.unlink(missing_ok=True)
        raise
    return StoredFile(relative, digest, pages, created=True)
