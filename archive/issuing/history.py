"""A record's history from the audit trail: who saved, created, reviewed or signed it, when, and the diff.

The web pages write one audit row per change of a record (``save``, ``create``, ``review``, ``sign``) with the
unified diff of its file (``detail.diff``) and the versions before and after (``detail.from``, ``detail.to``).
:func:`history` turns those rows, newest first, into :class:`Change` values whose diff is a list of numbered
lines (old line, new line, kind) that a page shows as a +/- table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Protocol

CHANGE_EVENTS = ("create", "save", "review", "sign")
EVENT_LABELS = {"create": "新建", "save": "保存", "review": "核稿", "sign": "签发"}
_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


class TrailRow(Protocol):  # archive.accounts.AuditEntry (read-only fields)
    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> str: ...
    @property
    def actor(self) -> str: ...
    @property
    def event(self) -> str: ...
    @property
    def detail(self) -> str: ...


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "+" added, "-" removed, " " context, "@" a hunk's heading
    old: int | None  # line number in the file before
    new: int | None  # line number in the file after
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "old": self.old, "new": self.new, "text": self.text}


@dataclass(frozen=True)
class Change:
    seq: int
    at: str  # ISO 8601, UTC
    actor: str
    event: str
    detail: dict[str, Any]
    lines: tuple[DiffLine, ...]
    withheld: bool = False  # the diff touched a version classified above the reader's clearance

    @property
    def event_label(self) -> str:
        return EVENT_LABELS.get(self.event, self.event)

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line.kind == "+")

    @property
    def removed(self) -> int:
        return sum(1 for line in self.lines if line.kind == "-")

    @property
    def truncated(self) -> bool:
        return bool(self.detail.get("diff_truncated"))

    def as_dict(self) -> dict[str, Any]:
        kept = {k: v for k, v in self.detail.items() if k != "diff"}
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "event": self.event,
            "event_label": self.event_label,
            "detail": kept,
            "diff": [line.as_dict() for line in self.lines],
            "withheld": self.withheld,
        }


def diff_lines(diff: str) -> tuple[DiffLine, ...]:
    """A unified diff as numbered lines; the ---/+++ file headings are left out."""
    out: list[DiffLine] = []
    old = new = 0
    for raw in diff.splitlines():
        if raw.startswith(("--- ", "+++ ")) and not out:
            continue
        hunk = _HUNK.match(raw)
        if hunk:
            old, new = int(hunk.group(1)), int(hunk.group(2))
            out.append(DiffLine("@", None, None, raw))
        elif raw.startswith("+"):
            out.append(DiffLine("+", None, new, raw[1:]))
            new += 1
        elif raw.startswith("-"):
            out.append(DiffLine("-", old, None, raw[1:]))
            old += 1
        elif raw.startswith("\\"):
            continue  # "\ No newline at end of file"
        else:
            out.append(DiffLine(" ", old, new, raw[1:]))
            old, new = old + 1, new + 1
    return tuple(out)


def history(rows: Iterable[TrailRow]) -> list[Change]:
    """The changes among ``rows`` (the audit rows of one record), newest first."""
    changes = []
    for row in rows:
        if row.event not in CHANGE_EVENTS:
            continue
        try:
            detail = json.loads(row.detail) if row.detail else {}
        except ValueError:
            detail = {}
        if not isinstance(detail, dict):
            detail = {}
        diff = detail.get("diff")
        lines = diff_lines(diff) if isinstance(diff, str) else ()
        changes.append(Change(row.seq, row.at, row.actor, row.event, detail, lines))
    return sorted(changes, key=lambda c: c.seq, reverse=True)


def screened(changes: list[Change], current: str, admits: Callable[[str], bool]) -> list[Change]:
    """``changes`` (newest first) as a reader of clearance ``admits`` may see them: a change whose file was, before
    or after it, classified higher than the reader may see (the 密级 read back from the diffs, from the record's
    ``current`` one) keeps who and when but not its diff — a record lowered since does not show its older text."""
    out = []
    after = current
    for change in changes:
        before = next((_level(ln.text) for ln in change.lines if _level_line(ln, "-")), after)
        if admits(before) and admits(after):
            out.append(change)
        else:
            kept = {k: v for k, v in change.detail.items() if k in ("from", "to")}
            out.append(replace(change, detail=kept, lines=(), withheld=True))
        after = before
    return out


def _level(text: str) -> str:
    """The value of a ``classification: 秘密`` line (a quoted value or a trailing comment aside)."""
    return text.split(":", 1)[1].split("#", 1)[0].strip().strip("'\"")


def _level_line(line: DiffLine, kind: str) -> bool:
    return line.kind == kind and line.text.startswith("classification:")


def last_author(rows: Iterable[TrailRow]) -> str | None:
    """The account that last saved or created the record (its newest ``save``/``create`` row), or None."""
    found = [r for r in rows if r.event in ("save", "create")]
    return max(found, key=lambda r: r.seq).actor if found else None


def changed_since_review(rows: Iterable[TrailRow]) -> bool:
    """Whether the record was saved after its last 核稿 (rows of the record's trail)."""
    rows = list(rows)
    reviews = [r.seq for r in rows if r.event == "review"]
    saves = [r.seq for r in rows if r.event in ("save", "create")]
    return bool(saves) and (not reviews or max(saves) > max(reviews))
