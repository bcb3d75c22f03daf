"""What a text prints as: invisible controls that disguise it, and characters no installed font can draw.

Two hazards of text typed or pasted into a record:

* *Hidden characters* change what a text says or how it reads without being seen: bidi controls reorder it
  (a title with U+202E prints backwards), zero-width and other format characters make two identical-looking
  titles differ for search and comparison, control characters and line separators break it.  They are
  refused wherever they occur (:func:`hidden_characters`).
* *Uncovered characters* have no glyph in any installed font: LibreOffice then leaves them out of the PDF
  altogether (𪚥 U+2A6A5, 𱍐 U+3134F) or a font's empty box is printed.  :func:`uncovered_characters` asks
  fontconfig, through the same configuration the PDF converter uses, which characters no font covers.
"""

from __future__ import annotations

import bisect
import functools
import os
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from pathlib import Path

FONTS_CONF = "fonts/fonts.conf"  # the workspace template the PDF converter is given (see archive.render)

# Bidirectional controls (Unicode UAX #9): they reorder the characters around them when displayed.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f" + "".join(map(chr, range(0x202A, 0x202F))) + "".join(map(chr, range(0x2066, 0x206A)))
)
# Letters that display as nothing (Hangul fillers); everything of category Cf, Cc, Zl and Zp is hidden too.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
_ALLOWED_CONTROLS = frozenset("\t\n\r")
_NAMES = {
    "\u061c": "阿拉伯字母标记",
    "\u200e": "从左到右标记",
    "\u200f": "从右到左标记",
    "\u202a": "从左到右嵌入",
    "\u202b": "从右到左嵌入",
    "\u202c": "结束方向格式",
    "\u202d": "从左到右强制",
    "\u202e": "从右到左强制",
    "\u2066": "从左到右隔离",
    "\u2067": "从右到左隔离",
    "\u2068": "首字符方向隔离",
    "\u2069": "结束方向隔离",
    "\u200b": "零宽空格",
    "\u200c": "零宽不连字",
    "\u200d": "零宽连字",
    "\u2060": "零宽不换行",
    "\ufeff": "零宽不换行空格/字节顺序标记",
    "\u00ad": "软连字符",
    "\u2028": "行分隔符",
    "\u2029": "段分隔符",
}


def code_point(ch: str) -> str:
    """``U+202E``."""
    return f"U+{ord(ch):04X}"


@functools.cache
def is_hidden(ch: str) -> bool:
    """A character that is not seen where it stands but changes the text: see the module docstring."""
    if ch in _ALLOWED_CONTROLS:
        return False
    return ch in _BLANK_LETTERS or unicodedata.category(ch) in ("Cf", "Cc", "Zl", "Zp")


def hidden_characters(text: str) -> list[str]:
    """The hidden characters of ``text``, each once, in order of appearance."""
    return sorted((ch for ch in set(text) if is_hidden(ch)), key=text.index)


def describe_hidden(ch: str) -> str:
    """``U+202E（从右到左强制，RIGHT-TO-LEFT OVERRIDE）``."""
    english = unicodedata.name(ch, "")
    label = "，".join(x for x in (_NAMES.get(ch, ""), english) if x)
    return f"{code_point(ch)}（{label}）" if label else code_point(ch)


def hidden_message(chars: Iterable[str]) -> str:
    """The Chinese problem text for a field holding ``chars``."""
    chars = list(chars)
    listed = "、".join(describe_hidden(ch) for ch in chars)
    if any(ch in BIDI_CONTROLS for ch in chars):
        effect = "会使打印和显示的文字顺序颠倒，看到的与实际内容不一致"
    else:
        effect = "打印时看不见，却使文字与看上去相同的文字不一致（检索、比对会出错）"
    return f"含有不可见的控制字符 {listed}：{effect}；请删除"


@functools.cache
def needs_glyph(ch: str) -> bool:
    """A character that must be drawn: not a space, control or variation selector (which modifies the one before)."""
    if ch.isspace() or is_hidden(ch):
        return False
    cp = ord(ch)
    return not (0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF)


class FontCoverage:
    """The union of the characters every font fontconfig lists covers (sorted, merged code-point ranges)."""

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for low, high in sorted(ranges):
            if merged and low <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], high)
            else:
                merged.append([low, high])
        self._lows = [low for low, _ in merged]
        self._highs = [high for _, high in merged]

    @functools.cache  # noqa: B019 - one instance per fonts.conf for the life of the process
    def covers(self, ch: str) -> bool:
        cp = ord(ch)
        i = bisect.bisect_right(self._lows, cp) - 1
        return i >= 0 and cp <= self._highs[i]


def _parse_charsets(text: str) -> list[tuple[int, int]]:
    ranges = []
    for token in set(text.split()):  # the weights of one family share their charset: parse each range once
        low, _, high = token.partition("-")
        try:
            ranges.append((int(low, 16), int(high or low, 16)))
        except ValueError:
            continue
    return ranges


@functools.cache
def font_coverage(fonts_conf: Path | None = None) -> FontCoverage | None:
    """What the installed fonts cover, as fontconfig sees them with ``fonts_conf`` (the configuration the PDF
    converter is given); ``None`` when fontconfig is not installed, so that nothing can be said. Cached for the
    life of the process: ``fc-list`` takes some 50 ms."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    env = dict(os.environ)
    if fonts_conf is not None and fonts_conf.is_file():
        env["FONTCONFIG_FILE"] = str(fonts_conf)
    try:
        done = subprocess.run(
            [fc_list, "--format", "%{charset}\n"], capture_output=True, text=True, env=env, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    ranges = _parse_charsets(done.stdout)
    return FontCoverage(ranges) if done.returncode == 0 and ranges else None


def uncovered_characters(text: str, fonts_conf: Path | None = None) -> list[str] | None:
    """The characters of ``text`` that no installed font can draw, each once, in order; ``None`` when the
    installed fonts cannot be asked."""
    coverage = font_coverage(fonts_conf)
    if coverage is None:
        return None
    return sorted((ch for ch in set(text) if needs_glyph(ch) and not coverage.covers(ch)), key=text.index)


def describe_characters(chars: Iterable[str]) -> str:
    """``“𪚥”（U+2A6A5）、“🙂”（U+1F642）``."""
    return "、".join(f"“{ch}”（{code_point(ch)}）" for ch in chars)
