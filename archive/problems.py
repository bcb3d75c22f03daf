"""Problems found in records: one compiler-style format everywhere.

``records/2024/opinion-007.yaml:12: deadline: 应为日期 YYYY-MM-DD，实际为 '2024-13-01'``
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one place of one file.

    ``source`` is the path relative to the workspace root (POSIX separators),
    ``line`` is 1-based (0 when the problem concerns the whole file) and
    ``field`` is a dotted path such as ``attendance.leave[2].reason`` ("" for none).
    """

    source: str
    line: int
    field: str
    message: str
    severity: Severity = Severity.ERROR
    # the field as a path into the record's data (("follow_up", "reports", 0, "received")), where the rule
    # that found the problem knew it; not part of the problem's identity (``field`` says the same)
    path: tuple[str | int, ...] | None = dataclasses.field(default=None, compare=False)

    def format(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        label = "" if self.severity is Severity.ERROR else "警告："
        prefix = f"{self.field}: " if self.field else ""
        return f"{where}: {label}{prefix}{self.message}"

    def detail(self) -> str:
        """The problem without its file, for a message that names the file already: "第 2 行：field: message"."""
        where = f"第 {self.line} 行：" if self.line else ""
        label = "" if self.severity is Severity.ERROR else "警告："
        return f"{where}{label}{self.field + ': ' if self.field else ''}{self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "line": self.line,
            "field": self.field,
            "severity": self.severity.value,
            "message": self.message,
        }


@dataclass(frozen=True)
class ValidationReport:
    """What `validate` found: the problems and how much was checked."""

    problems: tuple[Problem, ...]
    files_checked: int
    records_checked: int
    strict: bool = False

    @property
    def errors(self) -> tuple[Problem, ...]:
        if self.strict:
            return self.problems
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        if self.strict:
            return ()
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        head = f"检查了 {self.files_checked} 个文件、{self.records_checked} 条记录"
        if not self.problems:
            return f"{head}：没有发现问题。"
        return f"{head}：{len(self.errors)} 个错误，{len(self.warnings)} 个警告。"


@dataclass
class ProblemSink:
    """Collects problems while a pass walks the records."""

    items: list[Problem] = field(default_factory=list)

    def error(
        self, source: str, line: int, field_: str, message: str, path: tuple[str | int, ...] | None = None
    ) -> None:
        self.items.append(Problem(source, line, field_, message, Severity.ERROR, path))

    def warning(
        self, source: str, line: int, field_: str, message: str, path: tuple[str | int, ...] | None = None
    ) -> None:
        self.items.append(Problem(source, line, field_, message, Severity.WARNING, path))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    def sorted(self) -> Sequence[Problem]:
        return sorted(set(self.items), key=lambda p: (p.source, p.line, p.field, p.message))
