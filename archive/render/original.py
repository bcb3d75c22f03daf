"""A document record (``renda import``) renders to its own PDF: the stored original, copied.

Nothing is generated for it: the original is the document, so ``render`` copies it into the output
folder (checked against the SHA-256 in the record), as PDF/A-2b when PDF/A is asked for.  There is no
.docx of an original; asked only for .docx, render says so instead of reporting success with no file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from archive.records import Document as DocumentRecord

KIND = "外来文件原件"


NO_DOCX = "外来文件记录已有原件 PDF，无需生成 .docx；用 --format pdf 复制原件"


def copy_originals(
    workspace_root: Path,
    records: Sequence[DocumentRecord],
    out_dir: Path,
    want_pdf: bool,
    pdfa: bool,
    alone: bool = False,
) -> tuple[list[tuple[DocumentRecord, Path]], list[tuple[DocumentRecord, str]], list[str]]:
    """(record, file written) for each copy, (record, message) for each failure, and notices.

    Asked only for .docx, the originals are skipped with a notice when other records are rendered too
    (``render --all``); when they are all that was asked for (``alone``), each is a failure, so that a
    render that could write nothing does not end as a success.
    """
    if not records:
        return [], [], []
    if not want_pdf and alone:
        return [], [(record, NO_DOCX) for record in records], []
    if not want_pdf:
        ids = "、".join(r.id for r in records[:5]) + ("等" if len(records) > 5 else "")
        return (
            [],
            [],
            [f"{len(records)} 条外来文件记录（{ids}）的原件是 PDF，没有 .docx 可生成；用 --format pdf 复制原件"],
        )
    copies, failures = [], []
    out_dir.mkdir(parents=True, exist_ok=True)
    for record in records:
        if record.source_file is None:
            failures.append((record, "外来文件没有原始 PDF（source_file），无文件可输出"))
            continue
        source = workspace_root / record.source_file.file
        try:
            data = source.read_bytes()
        except OSError as exc:
            failures.append((record, f"无法读取原始文件 {record.source_file.file}：{exc.strerror or exc}"))
            continue
        if hashlib.sha256(data).hexdigest() != record.source_file.sha256:
            failures.append((record, "原始文件的 SHA-256 与记录不符：文件可能已被改动或替换，未输出"))
            continue
        target = out_dir / f"{record.id}.pdf"
        handle, name = tempfile.mkstemp(prefix=".renda-", suffix=".pdf", dir=out_dir)
        os.close(handle)
        staged = Path(name)
        try:
            if pdfa:
                from archive import pdfa as pdfa_module

                problems = pdfa_module.original_problems(source)
                if problems:
                    failures.append((record, "；".join(problems)))
                    continue
                pdfa_module.archival_copy(source, staged)
            else:
                staged.write_bytes(data)
            os.replace(staged, target)
        finally:
            staged.unlink(missing_ok=True)
        copies.append((record, target))
    return copies, failures, []
