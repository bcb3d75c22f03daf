"""GB/T 9704-2012 conformance checking of finished documents (PDF measured, .docx page setup and fonts).

``check_files(paths)`` returns one :class:`CheckReport` per file; a file that cannot be read becomes a
report with a single ``readable`` error, so a batch always finishes.  ``check_file`` raises
:class:`ConformanceError` instead.  The numbers live in :mod:`archive.conformance.profile`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from archive.conformance.profile import RULES, Rule
from archive.conformance.report import CheckReport, ConformanceError, Finding

SUFFIXES = (".pdf", ".docx")


def check_file(path: Path) -> CheckReport:
    """Measure one PDF or .docx; raises ConformanceError when it cannot be read at all."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ConformanceError(f"{path}: 文件不存在")
    if suffix == ".pdf":
        from archive.conformance.measurement import check_pdf

        findings, measures = check_pdf(path)
    elif suffix == ".docx":
        from archive.conformance.docx import check_docx

        findings, measures = check_docx(path)
    else:
        raise ConformanceError(f"{path}: 只能检查 PDF 或 .docx 文件（不支持 {suffix or '无扩展名'}）")
    return CheckReport.from_findings(str(path), findings, measures)


def check_files(paths: Iterable[Path]) -> list[CheckReport]:
    """One report per file, in order; unreadable files are reported, not raised."""
    from archive.conformance.profile import violation

    reports = []
    for path in paths:
        try:
            reports.append(check_file(Path(path)))
        except ConformanceError as exc:
            reports.append(CheckReport.from_findings(str(path), [violation("readable", str(exc))], {}))
    return reports


__all__ = ["RULES", "CheckReport", "ConformanceError", "Finding", "Rule", "check_file", "check_files"]
