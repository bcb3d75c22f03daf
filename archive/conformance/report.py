"""What a conformance check found: findings and the per-file report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import ArchiveError


class ConformanceError(ArchiveError):
    """A file cannot be checked at all (missing, not a PDF/.docx, corrupt, encrypted, too large)."""


@dataclass(frozen=True)
class Finding:
    """One departure from GB/T 9704-2012, measured on one file (``page`` 1-based, ``None`` for the whole file)."""

    rule: str
    clause: str
    strength: str
    severity: str  # "error" | "warning"
    message: str
    page: int | None = None
    measured: Any = None
    expected: Any = None
    tolerance: float | None = None
    unit: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "clause": self.clause,
            "strength": self.strength,
            "severity": self.severity,
            "page": self.page,
            "measured": self.measured,
            "expected": self.expected,
            "tolerance": self.tolerance,
            "unit": self.unit,
            "message": self.message,
        }


@dataclass(frozen=True)
class CheckReport:
    """Everything measured on one file; ``errors`` are 规定 violations, ``warnings`` 一般/推荐 ones."""

    file: str
    errors: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()
    measures: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "errors": [f.as_dict() for f in self.errors],
            "warnings": [f.as_dict() for f in self.warnings],
            "measures": self.measures,
        }

    @classmethod
    def from_findings(cls, file: str, findings: list[Finding], measures: dict[str, Any]) -> CheckReport:
        return cls(
            file=file,
            errors=tuple(f for f in findings if f.severity == "error"),
            warnings=tuple(f for f in findings if f.severity == "warning"),
            measures=measures,
        )
