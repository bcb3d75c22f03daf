"""One search result as every engine returns it (its own module, so the engines need not import the
engine interface that opens them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Hit:
    id: str
    type: str
    term: int | None
    year: int | None
    title: str
    source: str
    text: str
    score: float
    classification: str = "公开"
