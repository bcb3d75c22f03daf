"""The error hierarchy of renda.

Every error the library raises on purpose derives from :class:`ArchiveError`;
its subclasses name the stage that failed.  The CLI turns any of them into a
message and exit code 1.  Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class ArchiveError(Exception):
    """Root of every error renda raises on purpose.  The message is for users (Chinese)."""


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
