"""Snippets: the stretch of a record's text where most of the query's words occur, matches marked."""

from __future__ import annotations

from collections.abc import Sequence

from .analysis import fold

Segment = tuple[str, bool]  # (text, is_match)


def _spans(folded: str, needles: Sequence[str]) -> list[tuple[int, int, int]]:
    """(start, end, needle index) of every occurrence, earliest first."""
    out: list[tuple[int, int, int]] = []
    for i, needle in enumerate(needles):
        start = folded.find(needle)
        while start >= 0 and len(out) < 500:
            out.append((start, start + len(needle), i))
            start = folded.find(needle, start + len(needle))
    return sorted(out, key=lambda s: (s[0], -s[1]))


def make_snippet(text: str, needles: Sequence[str], width: int = 80) -> list[Segment]:
    """At most ``width`` characters of ``text`` around the best cluster of ``needles``, as segments."""
    flat = " ".join(text.split())
    folded = fold(flat)
    wanted = sorted({fold(n) for n in needles if n.strip()}, key=len, reverse=True)
    spans = _spans(folded, wanted)
    if not spans:
        return [(flat[:width] + ("…" if len(flat) > width else ""), False)]
    best, best_count = spans[0][0], 0
    for start, _, _ in spans:
        covered = {i for s, e, i in spans if start <= s and e <= start + width}
        if len(covered) > best_count:
            best, best_count = start, len(covered)
    begin = max(0, min(best - width // 4, len(flat) - width))
    end = min(len(flat), begin + width)
    segments: list[Segment] = [("…", False)] if begin > 0 else []
    cursor = begin
    for start, stop, _ in spans:
        if start < cursor or stop > end:
            continue  # overlapping a longer match already marked, or outside the window
        if start > cursor:
            segments.append((flat[cursor:start], False))
        segments.append((flat[start:stop], True))
        cursor = stop
    if cursor < end:
        segments.append((flat[cursor:end], False))
    if end < len(flat):
        segments.append(("…", False))
    return segments


def plain(segments: Sequence[Segment], open_mark: str = "", close_mark: str = "") -> str:
    return "".join(f"{open_mark}{t}{close_mark}" if hit else t for t, hit in segments)
