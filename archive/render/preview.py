"""A record's document as the web platform previews it: the PDF, its pages as PNG images, the GB/T 9704 check.

    found = preview(workspace, record, names, meetings)   # renders once per version, then reads the cache
    found.pages          # page-1.png, page-2.png … (at most MAX_PAGES)
    found.report         # the conformance result, as ``renda check --json`` gives it

The record is rendered exactly as ``renda render`` renders it (a draft with its 草稿 watermark), but the check
does not stop the render: a preview is where a clerk sees what the checker finds.  The PDF is measured by the
same checker as ``renda check`` and its pages are drawn by ``pdftoppm`` (poppler).

Each version is rendered once: the cache key is the SHA-256 of the record file's bytes and of everything else
that decides the document's bytes (the render cache's key: its sitting, the registry, the template, the fonts,
renda's version).  A preview is made in a private work folder and moved into ``.renda/previews/<key>/`` whole
(``os.replace`` of the folder): a reader sees all of it or nothing.  Concurrent requests for the same version
wait on one ``flock`` and find the finished preview.  The folder is kept under ``CACHE_BYTES``: the previews
used least recently are removed first.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.errors import RenderError
from archive.fileio import work_folder, writing
from archive.records import Meeting, Record
from archive.render.cache import _locked
from archive.workspace import Workspace

PREVIEW_DIR = Path(".renda") / "previews"
MAX_PAGES = 40  # pages drawn as images; a longer document shows its first pages and links the whole PDF
DPI = 96  # an A4 page is 794 × 1123 pixels
CACHE_BYTES = 256 * 1024 * 1024  # the whole preview folder
PDFTOPPM_SECONDS = 120
META = "preview.json"
PDF = "document.pdf"


@dataclass(frozen=True)
class Preview:
    """One version of one record, previewed: where its files are and what the checker found."""

    key: str
    record_id: str
    folder: Path
    kind: str  # 审议意见书, 纪要 …
    draft: bool
    page_count: int  # pages of the PDF (``pages`` holds at most MAX_PAGES of them)
    pages: tuple[Path, ...]
    report: dict[str, Any]  # archive.conformance.CheckReport.as_dict()
    classification: str  # the record's 密级 when this version was previewed

    @property
    def pdf(self) -> Path:
        return self.folder / PDF

    def page(self, number: int) -> Path | None:
        """The image of page ``number`` (1-based), or None when it was not drawn."""
        return self.pages[number - 1] if 1 <= number <= len(self.pages) else None


def version_key(workspace: Workspace, record: Record, names: Mapping[str, str], meetings: Mapping[str, Meeting]) -> str:
    """The key of the record's preview as it is on disk now (:class:`RenderError` when it has no document)."""
    from archive.render.cache import _plan

    try:
        content = (workspace.root / record.source).read_bytes()
    except OSError as exc:
        raise RenderError(f"{record.source}: 无法读取记录文件（{exc.strerror or exc}）") from None
    plan = _plan(workspace, record, "pdf", names, meetings)
    return hashlib.sha256(hashlib.sha256(content).digest() + plan.key.encode("ascii")).hexdigest()


def preview(workspace: Workspace, record: Record, names: Mapping[str, str], meetings: Mapping[str, Meeting]) -> Preview:
    """The record's preview, rendered now if this version has none yet (:class:`RenderError` in Chinese when it
    cannot be made: no document for this record, LibreOffice or pdftoppm missing or failing)."""
    key = version_key(workspace, record, names, meetings)
    root = workspace.root / PREVIEW_DIR
    with writing(root):
        root.mkdir(parents=True, exist_ok=True)
        found = cached_preview(workspace, record.id, key)
        if found is not None:
            return found
        with _locked(root / f"{key}.lock"):
            found = cached_preview(workspace, record.id, key)  # made by the request we waited for
            if found is None:
                with work_folder(root, ".renda-") as staging:
                    _make(workspace, record, staging / key)
                    os.replace(staging / key, root / key)
                found = cached_preview(workspace, record.id, key)
        (root / f"{key}.lock").unlink(missing_ok=True)
        prune(root, keep=key)
    if found is None:
        raise RenderError(f"{record.id}: 预览生成后无法读取")
    return found


def cached_preview(workspace: Workspace, record_id: str, key: str) -> Preview | None:
    """The finished preview ``key`` of record ``record_id``, or None (not made, or made for another record)."""
    if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
        return None
    folder = workspace.root / PREVIEW_DIR / key
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("record") != record_id:
        return None
    with contextlib.suppress(OSError):
        os.utime(folder)  # recently used: pruned last
    pages = tuple(folder / name for name in meta["pages"])
    return Preview(
        key,
        record_id,
        folder,
        meta["kind"],
        meta["draft"],
        meta["page_count"],
        pages,
        meta["report"],
        meta.get("classification", "机密"),
    )


def _make(workspace: Workspace, record: Record, folder: Path) -> None:
    """Render, check and draw the record into ``folder`` (new); its metadata is written last."""
    from archive.conformance import check_files
    from archive.render import render_documents

    folder.mkdir()
    made = render_documents(workspace, [record], folder / "render", ("pdf",), processes=1, check=False)
    if made.failures:
        raise RenderError("；".join(f.message for f in made.failures))
    pdfs = [f for f in made.files if f.suffix == ".pdf"]
    if not pdfs:
        raise RenderError("；".join(made.notices) or f"{record.id}: 没有生成 PDF 文件")
    os.replace(pdfs[0], folder / PDF)
    shutil.rmtree(folder / "render", ignore_errors=True)
    report = check_files([folder / PDF])[0]
    pages, count = _draw(folder / PDF, folder)
    meta = {
        "record": record.id,
        "kind": made.documents[0].kind if made.documents else "",
        "draft": not record.is_final,
        "classification": record.classification,
        "page_count": count,
        "pages": [p.name for p in pages],
        "report": {**report.as_dict(), "file": PDF},
    }
    (folder / META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def _draw(pdf: Path, folder: Path) -> tuple[list[Path], int]:
    """Pages 1 … MAX_PAGES of ``pdf`` as PNG files page-1.png, page-2.png …; and how many pages it has."""
    import pdfplumber

    with pdfplumber.open(pdf) as opened:
        count = len(opened.pages)
    if shutil.which("pdftoppm") is None:
        raise RenderError("预览需要 pdftoppm（poppler-utils），请安装：apt install poppler-utils")
    last = min(count, MAX_PAGES)
    command = ["pdftoppm", "-png", "-r", str(DPI), "-f", "1", "-l", str(last), str(pdf), str(folder / "p")]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=PDFTOPPM_SECONDS)
    except (subprocess.SubprocessError, OSError) as exc:
        raise RenderError(f"页面图像生成失败（pdftoppm）：{exc}") from None
    drawn = sorted(folder.glob("p-*.png"), key=lambda p: int(p.stem.rpartition("-")[2]))
    if len(drawn) != last:
        raise RenderError(f"页面图像生成失败：应有 {last} 页，实际 {len(drawn)} 页")
    pages = []
    for number, path in enumerate(drawn, 1):
        pages.append(path.rename(folder / f"page-{number}.png"))
    return pages, count


def prune(root: Path, keep: str, limit: int = CACHE_BYTES) -> list[str]:
    """Remove the least recently used previews until the folder holds at most ``limit`` bytes (``keep`` stays).
    Returns the keys removed."""
    sizes: list[tuple[float, str, int]] = []
    for entry in os.scandir(root):
        if entry.is_dir(follow_symlinks=False) and len(entry.name) == 64:
            size = sum(f.stat().st_size for f in Path(entry.path).iterdir() if f.is_file())
            sizes.append((entry.stat().st_mtime, entry.name, size))
    total = sum(s for _, _, s in sizes)
    removed = []
    for _, key, size in sorted(sizes):
        if total <= limit:
            break
        if key == keep:
            continue
        shutil.rmtree(root / key, ignore_errors=True)
        total -= size
        removed.append(key)
    return removed


__all__ = ["CACHE_BYTES", "MAX_PAGES", "Preview", "cached_preview", "preview", "prune", "version_key"]
