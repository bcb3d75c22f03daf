"""Snippets: the stretch of a record's text where most of the query's words occur, matches marked."""

from __future__ import annotations

from collections.abc import Sequence

from .analysis import fold, fold_width, has_traditional

Segment = tuple[str, bool]  # (text, is_match)


MAX_SPANS = 200  # enough to choose a window; frequent single characters would otherwise cost O(n²)


def _spans(folded: str, needles: Sequence[str]) -> list[tuple[int, int, int]]:
    """(start, end, needle index) of occurrences, earliest first, longest first at one start."""
    out: list[tuple[int, int, int]] = []
    for i, needle in enumerate(needles):
        start = folded.find(needle)
        while start >= 0 and len(out) < MAX_SPANS * (i + 1):
            out.append((start, start + len(needle), i))
            start = folded.find(needle, start + len(needle))
    return sorted(out, key=lambda s: (s[0], -s[1]))


def _best_start(spans: Sequence[tuple[int, int, int]], width: int) -> int:
    """Start of the span whose window of ``width`` characters holds the most different needles."""
    best, best_count = spans[0][0], 0
    counts: dict[int, int] = {}
    right = 0
    for left, (start, _, _) in enumerate(spans):
        if right < left:  # the previous window held nothing
            right = left
            counts.clear()
        while right < len(spans) and spans[right][1] <= start + width:
            counts[spans[right][2]] = counts.get(spans[right][2], 0) + 1
            right += 1
        if len(counts) > best_count:
            best, best_count = start, len(counts)
        needle = spans[left][2]
        if left < right:
            counts[needle] -= 1
            if not counts[needle]:
                del counts[needle]
    return best


def make_snippet(text: str, needles: Sequence[str], width: int = 80) -> list[Segment]:
    """At most ``width`` characters of ``text`` around the best cluster of ``needles``, as segments."""
    flat = " ".join(text.split())
    wanted = sorted({fold(n) for n in needles if n.strip()}, key=len, reverse=True)
    # Most records are in simplified characters and hold every needle as it is: the traditional → simplified
    # step (and its scan of the whole text) is taken only when a needle is missing.
    spans = _spans(fold_width(flat), wanted)
    if len({s[2] for s in spans}) < len(wanted) and has_traditional(flat):
        spans = _spans(fold(flat), wanted)
    if not spans:
        return [(flat[:width] + ("…" if len(flat) > width else ""), False)]
    best = _best_start(spans, width)
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
