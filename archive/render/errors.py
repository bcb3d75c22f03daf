"""Errors of the rendering stage."""

from __future__ import annotations

from archive.errors import ArchiveError


class RenderError(ArchiveError):
    """A document cannot be rendered or converted (LibreOffice failed, output not writable…)."""


class TemplateError(ArchiveError):
    """A template file is missing, broken, or uses a variable the record does not provide."""
