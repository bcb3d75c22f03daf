"""What a conformance check found: findings and the per-file report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archive.errors import ConformanceError as ConformanceError


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

    @property
    def verdict(self) -> str:
        """One line for a clerk and a script: "符合" first exactly when no 规定 clause is broken (exit 0), else
        "N 个错误" first with no "符合" in the line (as before issue 11); then how many requirements of each
        lesser strength are not met, e.g. "符合：规定条款全部符合；一般要求 14 项不符合"."""
        counts = {"一般": 0, "推荐": 0, "实践": 0}
        for finding in self.warnings:
            counts[finding.strength if finding.strength in counts else "实践"] += 1
        names = {"一般": "一般要求", "推荐": "推荐做法", "实践": "办公实践"}
        rest = "、".join(f"{names[k]} {n} 项" for k, n in counts.items() if n)
        if self.errors:
            head = f"{len(self.errors)} 个错误（规定条款 {len(self.errors)} 项未满足）"
            return f"{head}；{rest}未满足" if rest else head
        if not rest:
            return "符合：规定条款和一般、推荐要求全部符合"
        return f"符合：规定条款全部符合；{rest}不符合"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "verdict": self.verdict,
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
