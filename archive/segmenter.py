"""Chinese word segmentation: rjieba with renda's domain dictionary (``dict.txt``: organs, laws, titles).

Core, because two features cut words the same way: search indexes and queries by these words, and the
documents break a long title between them.  rjieba loads lazily (the first call), in about 0.1 s.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rjieba import Jieba

DICTIONARY = Path(__file__).with_name("dict.txt")


def _fold_table() -> dict[int, str]:
    """Full-width ASCII and the ideographic space → half-width, A–Z → a–z: one character for one."""
    table = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}
    table[0x3000] = " "
    table.update({code: chr(code).lower() for code in range(0x41, 0x5B)})
    table.update({code: table[code].lower() for code in range(0xFF21, 0xFF3B)})
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """Full-width → half-width and ASCII lower case; the length never changes (offsets stay valid)."""
    return text.translate(_FOLD)


@lru_cache(maxsize=8)
def segmenter(extra_words: tuple[str, ...]) -> Jieba:
    """rjieba with the shipped domain dictionary plus ``extra_words`` (a workspace's names and places)."""
    from rjieba import Jieba

    jieba = Jieba()
    for line in DICTIONARY.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts and not parts[0].startswith("#"):
            jieba.add_word(parts[0], int(parts[1]) if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None)
    for word in extra_words:
        jieba.add_word(fold(word), None, None)
    return jieba
