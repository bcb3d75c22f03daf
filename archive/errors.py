"""The error hierarchy of renda, in one module.

Every error the library raises on purpose derives from :class:`RendaError` (named for the product; the old
name ``ArchiveError`` stays as an alias); its subclasses name the stage that failed.  A face (the command
line) turns any of them into a message and exit code 1.  Anything else is a bug and keeps its traceback.
Two errors that carry their module's data stay beside it: ``source.SourceError`` (line and field of a YAML
problem) and ``workspace.ConfigProblems`` (every problem of renda.yaml); both derive from classes here.
"""

from __future__ import annotations


class RendaError(Exception):
    """Root of every error renda raises on purpose.  The message is for users (Chinese)."""


ArchiveError = RendaError  # the root's first name ("archive" is the library's package), kept for callers


class WorkspaceError(ArchiveError):
    """The workspace cannot be found or its configuration is unusable."""


class RecordError(ArchiveError):
    """A record file cannot be read or parsed at all."""


class SchemaError(ArchiveError):
    """A schema file is missing or is not a valid JSON Schema."""


class ScaffoldError(ArchiveError):
    """`init` or `new` would overwrite something or lacks what it needs."""


class SearchError(ArchiveError):
    """The search index cannot be built, opened or queried."""


class QueryError(SearchError):
    """A search query the clerk typed cannot be understood."""


class IngestError(ArchiveError):
    """A legacy file (PDF) cannot be imported."""


class WriteError(ArchiveError):
    """A file or folder cannot be written: the disk is full or the file system is read-only."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason  # 磁盘已满, 只读文件系统…


class RenderError(ArchiveError):
    """A document cannot be rendered or converted (LibreOffice failed, output not writable…)."""


class TemplateError(ArchiveError):
    """A template file is missing, broken, or uses a variable the record does not provide."""


class AnnualArchiveError(ArchiveError):
    """The annual archive cannot be built or read (bad year, workspace errors, no LibreOffice, bad path)."""


class ZipRefusedError(AnnualArchiveError):
    """A ZIP that is not unpacked: unsafe names, links, or an expansion past the bounds."""

    def __init__(self, member: str, message: str) -> None:
        super().__init__(f"{member}: {message}")
        self.member = member
        self.reason = message


class CalendarError(ArchiveError):
    """The holiday calendar does not cover a date, so working days cannot be told."""


class DeputyError(ArchiveError):
    """A deputy or a period cannot be found, or a draft cannot be written."""


class ClearanceError(ArchiveError):
    """A classification level that does not exist."""


class TrackingError(ArchiveError):
    """A follow-up question cannot be answered as asked (bad date, unknown status or organ)."""


class ConformanceError(ArchiveError):
    """A file cannot be checked at all (missing, not a PDF/.docx, corrupt, encrypted, too large)."""


class AccountError(ArchiveError):
    """An account cannot be created, changed or used as asked (unknown name, bad role, wrong password…)."""


class AuditError(ArchiveError):
    """The audit trail cannot be read, or its chain is broken."""


class ServeError(ArchiveError):
    """The web platform cannot be started as asked (a non-loopback address before an administrator exists)."""
