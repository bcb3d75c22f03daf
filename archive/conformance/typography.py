"""Chinese line-breaking rules (GB/T 15834 标点禁则) that make a full line one character short or long."""

from __future__ import annotations

import math

from archive.conformance.pdfread import Line

# Characters that may not start a line, may not end one (GB/T 15834 标点禁则) and may hang past the edge.
NO_LINE_START = set("、。，；：？！）》」』”’…—·〕】〉%")
NO_LINE_END = set("（《「『“‘〔【〈")
HANGING = set("、。，；：？！”’）》」』")


def carried_width(text: str) -> float:
    """Width in characters of what a line break cannot split off the start of ``text``.

    A number or Latin word (half width per character) and the punctuation glued to it, or a
    character followed by a mark that may not open a line, or an opening mark.
    """
    width = 0.0
    i = 0
    while i < len(text) and text[i].isascii() and not text[i].isspace():
        width += 0.5
        i += 1
    if i == 0 and text[:1] in NO_LINE_END:
        return 1.0 + carried_width(text[1:])
    if i == 0 and len(text) > 1 and text[1] in NO_LINE_START:
        width, i = 1.0, 1
    while i < len(text) and text[i] in NO_LINE_START:
        width += 1.0
        i += 1
    return width


def typographic_break(line: Line, following: Line | None, right: float, em: float) -> bool:
    """A full line that is short or long because of a line-breaking rule, not the grid.

    Short: the next line starts with a number or Latin word that cannot be split, or with a mark
    that may not open a line (one character moves down with it), or the line would have ended
    with an opening mark.  29 characters: the last is a punctuation mark hanging past the edge.
    """
    n = len(line.text)
    if n < 28 and following is not None and following.text:
        return 28 - n <= math.ceil(carried_width(following.text))
    if n == 29:
        return line.text[-1] in HANGING and line.x1 > right + em / 4
    return False
