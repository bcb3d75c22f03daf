"""Chinese text analysis shared by indexing and querying.

Two token streams are made from the same folded text:

* **words** — rjieba's precise-mode segmentation at consecutive positions, and
  beside them every other dictionary word of the text (full mode), at the
  position of the precise word it starts in: the sub-words of a long word
  (人大常委会 → 人大, 常委会 …) and the words that straddle two precise words
  (食品/安全法 holds 食品安全), so a dictionary word is found wherever it occurs,
  however the sentence around it was cut;
* **chars** — one character bigram per position (the last character of a run
  stands alone), so any substring of two or more characters is a phrase of
  bigrams, whatever the segmenter made of it (赵静英 → 赵静/英 is still found).

Punctuation and spaces end a run and leave a gap of one position, so no phrase
matches across them.  Jieba's own Whoosh analyzer is not used: it stores
character offsets as positions, which breaks every phrase query.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from ..segmenter import DICTIONARY as DICTIONARY
from ..segmenter import fold as fold_width_only
from ..segmenter import segmenter

if TYPE_CHECKING:
    from rjieba import Jieba

# Bumped whenever tokens or the indexed text change: an index built by another version is rebuilt.
ANALYSIS_VERSION = 8
MAX_WORD = 16  # longest dictionary word indexed where full mode cannot be read in order
GAP = "\u25a0"  # ■ — stands for a break where a pre-segmented stream needs a token (tantivy)

# Function words dropped from an unquoted query of several words; alone they are still searched.
STOP_WORDS = frozenset("的了和与及在是对等把被为以之或并而")


def fold_width(text: str) -> str:
    """:func:`fold` without the traditional → simplified step (the cheap part)."""
    return fold_width_only(text)


def has_traditional(text: str) -> bool:
    """Whether ``text`` holds a character :func:`fold` turns into its simplified form."""
    return _has_traditional(text)


def fold(text: str) -> str:
    """Full-width → half-width, ASCII lower case and traditional → simplified characters; the length
    never changes (offsets stay valid, so a snippet marks the record's own text)."""
    text = fold_width_only(text)
    if _has_traditional(text):
        return to_simplified(text)
    return text


# -- traditional → simplified ------------------------------------------------------------
# OpenCC's t2s conversion (phrases first, then characters), from the ``opencc`` package (its
# dictionaries ship in the wheel).  Most text has no traditional character: a regular-expression scan
# for the characters that have a simplified form decides in C whether the converter is called at all.


@lru_cache(maxsize=1)
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional() -> frozenset[str]:
    """The characters OpenCC folds to another character (from the converter itself: one table)."""
    convert = _converter().convert
    chars = [chr(c) for r in _HAN_RANGES for c in range(*r)]
    folded = convert("\n".join(chars)).split("\n")
    if len(folded) != len(chars):  # a phrase across the separators would misalign: ask one by one
        folded = [convert(c) for c in chars]
    return frozenset(c for c, f in zip(chars, folded, strict=True) if f != c)


_HAN_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0))


def _has_traditional(text: str) -> bool:
    return not _traditional().isdisjoint(text)


def to_simplified(text: str) -> str:
    """OpenCC t2s with the length kept: where a phrase would change the length, character by character."""
    convert = _converter().convert
    out: str = convert(text)
    if len(out) == len(text):
        return out
    chars = [convert(c) for c in text]
    return "".join(f if len(f) == 1 else c for c, f in zip(text, chars, strict=True))


@cache  # read from the installed package's metadata: a few milliseconds, asked on every search
def script_version() -> str:
    """The folding data's version: part of the index fingerprint (other data, other tokens)."""
    from importlib.metadata import version

    return version("opencc")


def is_word_char(ch: str) -> bool:
    return ch.isalnum()


_RUN = re.compile(r"[^\W_]+")
_WORD_CHAR = re.compile(r"[^\W_]")  # what is_word_char accepts
_HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def runs(text: str) -> list[str]:
    """Maximal stretches of letters, digits and CJK characters in folded ``text``."""
    return _RUN.findall(fold(text))


Token = tuple[str, int]  # (text, position)


def char_tokens(text: str) -> list[Token]:
    """Bigrams at consecutive positions, the last character of each run alone, a gap between runs."""
    out: list[Token] = []
    pos = 0
    for run in runs(text):
        last = len(run) - 1
        for i in range(last):
            out.append((run[i : i + 2], pos + i))
        out.append((run[last], pos + last))
        pos += last + 2
    return out


def char_positions(text: str) -> dict[str, list[int]]:
    """:func:`char_tokens` grouped by token: each bigram (or lone last character) → its positions."""
    out: dict[str, list[int]] = {}
    pos = 0
    for run in runs(text):
        last = len(run) - 1
        for i in range(last):
            gram = run[i : i + 2]
            found = out.get(gram)
            if found is None:
                out[gram] = [pos + i]
            else:
                found.append(pos + i)
        out.setdefault(run[last], []).append(pos + last)
        pos += last + 2
    return out


def group_positions(tokens: Iterable[tuple[str, int, bool]]) -> dict[str, list[int]]:
    """Word tokens (:meth:`Analyzer.word_tokens`) grouped by word: each word → its positions."""
    out: dict[str, list[int]] = {}
    for word, pos, _ in tokens:
        found = out.get(word)
        if found is None:
            out[word] = [pos]
        else:
            found.append(pos)
    return out


def char_phrase(run: str) -> list[str]:
    """The tokens a substring (one run, folded) must show at consecutive positions."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


@dataclass(frozen=True)
class Analyzer:
    """rjieba with the shipped domain dictionary plus a workspace's own words (names, places)."""

    extra_words: tuple[str, ...] = ()

    @property
    def jieba(self) -> Jieba:
        # Kept on the instance: the cache below hashes the whole tuple of names on every lookup.
        found: Jieba | None = self.__dict__.get("_segmenter")
        if found is None:
            found = segmenter(self.extra_words)
            object.__setattr__(self, "_segmenter", found)
        return found

    def __getstate__(self) -> dict[str, tuple[str, ...]]:
        return {"extra_words": self.extra_words}  # the segmenter cannot be pickled; caches are rebuilt

    @property
    def fingerprint(self) -> str:
        """Changes when anything that decides the tokens changes."""
        return fingerprint_of(words_digest(self.extra_words))

    def word_tokens(self, text: str) -> list[tuple[str, int, bool]]:
        """(word, position, is_sub_word): precise words at consecutive positions; every other
        dictionary word of two or more characters at the position of the precise word it starts in."""
        jieba = self.jieba
        text = fold(text)
        wordish = _WORD_CHAR.search
        out: list[tuple[str, int, bool]] = []
        position_at = [-1] * len(text)  # character offset → position of the precise word there
        precise: set[tuple[int, str]] = set()
        pos = 0
        offset = 0
        gap = False
        for word in jieba.cut(text, True):
            start, offset = offset, offset + len(word)
            if not wordish(word):
                gap = True
                continue
            if gap and out:
                pos += 1
            gap = False
            out.append((word, pos, False))
            position_at[start:offset] = [pos] * len(word)
            precise.add((start, word))
            pos += 1
        for start, word in self._full_words(text):
            at = position_at[start]
            if at >= 0 and (start, word) not in precise:
                out.append((word, at, True))
        return out

    def _full_words(self, text: str) -> Iterator[tuple[int, str]]:
        """(offset, word) of every dictionary word of two or more Chinese characters in ``text``.

        rjieba's full mode lists, for each character of a run of ideographs, the character itself
        and then the longer words starting there; each word's offset is read off that order and
        checked against the text.  A run that does not follow that order is scanned character by
        character instead (slower, same words).
        """
        jieba = self.jieba
        for match in _HAN_RUN.finditer(text):
            run, base = match.group(), match.start()
            found: list[tuple[int, str]] = []
            k = -1
            for word in jieba.cut_all(run):
                if len(word) == 1:
                    k += 1
                    if k >= len(run) or run[k] != word:
                        break
                elif k < 0 or not run.startswith(word, k):
                    break
                else:
                    found.append((base + k, word))
            else:
                if k == len(run) - 1:
                    yield from found
                    continue
            for k in range(len(run)):
                for end in range(k + 2, min(len(run), k + MAX_WORD) + 1):
                    if self.is_dictionary_word(run[k:end]):
                        yield base + k, run[k:end]

    def is_dictionary_word(self, word: str) -> bool:
        """A word the words field holds wherever it occurs: two to MAX_WORD Chinese characters that
        full mode finds whole (so it is found in any context: the dictionary decides, not the
        sentence)."""
        return 2 <= len(word) <= MAX_WORD and bool(_HAN_RUN.fullmatch(word)) and word in self.jieba.cut_all(word)

    def is_known_word(self, word: str) -> bool:
        """In the dictionary and not one of the workspace's own names and places (which segment less reliably)."""
        own: frozenset[str] | None = self.__dict__.get("_own_words")
        if own is None:
            own = frozenset(self.extra_words)
            object.__setattr__(self, "_own_words", own)
        return self.jieba.has_word(word) and word not in own

    def query_words(self, text: str) -> list[str]:
        """Precise-mode words of an unquoted query chunk; function words dropped when others remain."""
        words = [w for w in self.jieba.cut(fold(text), True) if any(is_word_char(c) for c in w)]
        kept = [w for w in words if w not in STOP_WORDS]
        return kept or words


def words_digest(words: Sequence[str]) -> str:
    """Stands for a workspace's words in :func:`fingerprint_of` (an index remembers it, not the words)."""
    return hashlib.sha256("\n".join(words).encode()).hexdigest()[:32]


def fingerprint_of(words: str) -> str:
    """The analysis fingerprint for workspace words with digest ``words``: this renda's analysis
    version and shipped dictionary, and the workspace's own words."""
    digest = hashlib.sha256(f"v{ANALYSIS_VERSION}\nopencc {script_version()}\n".encode())
    digest.update(DICTIONARY.read_bytes())
    digest.update(words.encode())
    return digest.hexdigest()[:16]


def workspace_words(names: Iterable[str], places: Iterable[str]) -> tuple[str, ...]:
    """Deputies' names and place names as a sorted, de-duplicated dictionary addition."""
    return tuple(sorted({w for w in (*names, *places) if len(w) >= 2}))


_PLACE = re.compile(r"[\u4e00-\u9fff]{2,8}?(?:街道|镇|乡|村|社区|区|县|市)")


def place_names(texts: Sequence[str]) -> list[str]:
    """Places named in short texts such as constituencies: 第41选区（东岭镇） → 东岭镇."""
    out: list[str] = []
    for text in texts:
        for inner in re.findall(r"[（(]([^）)]+)[）)]", text) or [text]:
            out.extend(m.group(0) for m in _PLACE.finditer(inner))
    return out


def flatten(tokens: Sequence[tuple[str, int]]) -> tuple[str, str]:
    """For engines that number tokens themselves (whitespace tokenizer): the first token of each
    position in order, with GAP where positions jump, and everything else (same-position tokens)."""
    main: list[str] = []
    rest: list[str] = []
    last = -1
    for text, pos in tokens:
        if pos == last:
            rest.append(text)
            continue
        if last >= 0 and pos > last + 1:
            main.append(GAP)
        main.append(text)
        last = pos
    return " ".join(main), " ".join(rest)
