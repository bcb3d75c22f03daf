"""The annual archive's error: a build or verification that cannot go on."""

from __future__ import annotations

from archive.errors import ArchiveError


class AnnualArchiveError(ArchiveError):
    """The annual archive cannot be built or read (bad year, workspace errors, no LibreOffice, bad path)."""
