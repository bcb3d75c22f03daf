"""archive.glyphs: which characters are hidden, which need a glyph, and what fontconfig's charsets cover."""

from __future__ import annotations

import pytest

from archive.glyphs import FontCoverage, _parse_charsets, hidden_characters, hidden_message, is_hidden, needs_glyph

# Chosen by hand from the Unicode character database: invisible where they stand.
HIDDEN = [
    "\u202e",  # RIGHT-TO-LEFT OVERRIDE (Cf, bidi)
    "\u2066",  # LEFT-TO-RIGHT ISOLATE (Cf, bidi)
    "\u061c",  # ARABIC LETTER MARK (Cf, bidi)
    "\u200b",  # ZERO WIDTH SPACE (Cf)
    "\u2060",  # WORD JOINER (Cf)
    "\ufeff",  # ZERO WIDTH NO-BREAK SPACE (Cf)
    "\u00ad",  # SOFT HYPHEN (Cf)
    "\U000e0041",  # TAG LATIN CAPITAL LETTER A (Cf)
    "\u2028",  # LINE SEPARATOR (Zl)
    "\u2029",  # PARAGRAPH SEPARATOR (Zp)
    "\u3164",  # HANGUL FILLER (Lo, displays as nothing)
    "\x07",  # BELL (Cc)
]
VISIBLE = ["a", "中", "𪚥", "。", " ", "\u3000", "\n", "\t", "\ufe0f", "\U000e0100", "😀"]


@pytest.mark.parametrize("ch", HIDDEN)
def test_invisible_and_bidi_characters_are_hidden(ch: str) -> None:
    assert is_hidden(ch)
    assert not needs_glyph(ch)


@pytest.mark.parametrize("ch", VISIBLE)
def test_printing_characters_spaces_and_variation_selectors_are_not_hidden(ch: str) -> None:
    assert not is_hidden(ch)


def test_spaces_and_variation_selectors_need_no_glyph_of_their_own() -> None:
    assert [ch for ch in VISIBLE if needs_glyph(ch)] == ["a", "中", "𪚥", "。", "😀"]


def test_hidden_characters_are_listed_once_in_order_of_appearance() -> None:
    assert hidden_characters("a\u200bb\u202ec\u200b") == ["\u200b", "\u202e"]


def test_the_message_says_bidi_controls_reverse_the_text() -> None:
    assert "顺序颠倒" in hidden_message(["\u202e"])
    assert "顺序颠倒" not in hidden_message(["\u200b"])


def test_fontconfig_charsets_are_read_and_merged() -> None:
    ranges = _parse_charsets("20-7e a0-ff\n4e00-9fa5 7f-80 zz 2a6a5\n20-7e")
    coverage = FontCoverage(ranges)

    assert [coverage.covers(ch) for ch in "~\x7f\x81\xa0中\u9fa6"] == [True, True, False, True, True, False]
    assert coverage.covers("\U0002a6a5")
    assert not coverage.covers("\U0002a6a6")
    assert not coverage.covers("\x1f")
