"""The annual archive (DA/T 22-2015): arrangement, PDF/A with 归档章, catalogues, metadata, BagIt package.

    arrangement = preflight(workspace, 2024)                 # what would be archived, and every notice
    result = build_annual_archive(workspace, 2024, dest)     # <dest>/J017-WS-2024/ (or .zip)
    report = verify_package(result.path)                     # the four properties, file by file

Subpackage ``annual`` so the name does not clash with the top-level ``archive`` package.
"""

from __future__ import annotations

from archive.annual.arrange import Arrangement, Item, Notice, arrange
from archive.annual.build import BuildResult, build_annual_archive, preflight
from archive.annual.verify import Finding, VerifyReport, verify_package
from archive.errors import AnnualArchiveError as AnnualArchiveError

__all__ = [
    "AnnualArchiveError",
    "Arrangement",
    "BuildResult",
    "Finding",
    "Item",
    "Notice",
    "VerifyReport",
    "arrange",
    "build_annual_archive",
    "preflight",
    "verify_package",
]
