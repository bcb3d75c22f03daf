"""Suggestions for a query that finds nothing or little: "您要找的是不是：老旧小区改造（12 条）".

Only unquoted text is corrected.  A run of Chinese characters is suspect when it occurs (as typed) in
fewer than :data:`FEW` records.  Its candidates are one edit away — a character replaced by one read the
same (pypinyin, tones ignored: 改照 → 改造, 检查院 → 检察院), two neighbours swapped, a character
dropped, or any one character changed where that makes a word of the workspace's own names and places or
of the shipped domain dictionary — and a candidate counts only where the edit makes a dictionary word
that the typed text did not have.  Each candidate is then searched as the whole query with that run
replaced: only those whose corrected run occurs in more records than the run as typed are offered,
with how many records the corrected query finds.  Nothing is searched in place of what was asked: the
caller shows the suggestions beside the result.

A slip inside a phrase of several words (河长治 for 河长制, 农村生活污水治里) may make no dictionary word
either way; there the index itself says where the slip is and what fits: the character pairs of the run
that no record holds mark the stretch to correct, and a homophone (or swap) there is a candidate when
every pair of the corrected run is one the index holds (长制 of 河长制).  These come first.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from .analysis import DICTIONARY, Analyzer, fold, runs
from .query import Query, Words

FEW = 3  # a run found in fewer records than this is worth a suggestion
MAX_CANDIDATES = 6  # searched per query, at most
MAX_SUGGESTIONS = 3
_HAN = range(0x4E00, 0xA000)


@dataclass(frozen=True)
class Suggestion:
    text: str  # the whole query as it would be typed
    count: int  # records it finds


def _plain(syllable: str) -> str:
    """The reading as a slip of the tongue or of a fuzzy-pinyin input method hears it: no tone, and
    zh/z, ch/c, sh/s and -ng/-n not told apart (zhào → zao, so 改照 is heard as 改造)."""
    out = "".join(c for c in unicodedata.normalize("NFD", syllable) if not unicodedata.combining(c))
    out = out.replace("ü", "v")
    for retroflex in ("zh", "ch", "sh"):
        if out.startswith(retroflex):
            out = out[0] + out[2:]
    return out.removesuffix("g") if out.endswith("ng") else out


@lru_cache(maxsize=1)
def _readings() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """character → its readings (toneless); reading → the characters read so (common block only)."""
    from pypinyin.pinyin_dict import pinyin_dict

    of: dict[str, tuple[str, ...]] = {}
    chars: dict[str, list[str]] = {}
    for code, value in pinyin_dict.items():
        if code not in _HAN:
            continue
        readings = tuple(dict.fromkeys(_plain(s) for s in value.split(",")))
        of[chr(code)] = readings
        for reading in readings:
            chars.setdefault(reading, []).append(chr(code))
    return of, {k: tuple(v) for k, v in chars.items()}


def homophones(ch: str) -> list[str]:
    """The characters read like ``ch`` (any of its readings, tones ignored), ``ch`` itself left out."""
    of, chars = _readings()
    return [c for reading in of.get(ch, ()) for c in chars.get(reading, ()) if c != ch]


@lru_cache(maxsize=1)
def _domain_words() -> tuple[str, ...]:
    lines = DICTIONARY.read_text(encoding="utf-8").splitlines()
    return tuple(p.split()[0] for p in lines if p.strip() and not p.startswith("#"))


def _is_word(analyzer: Analyzer, word: str) -> bool:
    return len(word) >= 2 and (analyzer.jieba.has_word(word) or word in analyzer.extra_words)


LONGEST = 8  # longest word looked for around an edit


def _longest_word(analyzer: Analyzer, text: str, start: int, end: int) -> int:
    """Length of the longest dictionary word of ``text`` that overlaps ``start:end``; 0 when none does."""
    best = 0
    for i in range(max(0, start - LONGEST + 1), min(end, len(text))):
        for j in range(max(i + 2, start + 1, i + best + 1), min(len(text), i + LONGEST) + 1):
            if _is_word(analyzer, text[i:j]):
                best = j - i
    return best


def candidates(run: str, analyzer: Analyzer) -> list[str]:
    """Runs one edit from ``run`` that make a dictionary word it does not have, best first: homophones,
    then swaps and drops, then other one-character changes toward the domain dictionary and the
    workspace's names; the longer the word made, the better."""
    scored: dict[str, tuple[int, int]] = {}

    typed: dict[tuple[int, int], int] = {}

    def consider(candidate: str, start: int, end: int, kind: int) -> None:
        if candidate == run or candidate in scored:
            return
        made = _longest_word(analyzer, candidate, start, end)
        if not made:
            return
        had = typed.get((start, end))
        if had is None:
            had = typed[(start, end)] = _longest_word(analyzer, run, start, end)
        if made > had:  # the edit makes a longer word than the text had there (老旧 → 老九 does not)
            scored[candidate] = (kind, -made)

    for i, ch in enumerate(run):
        for other in homophones(ch):
            consider(run[:i] + other + run[i + 1 :], i, i + 1, 0)
    for i in range(len(run) - 1):
        consider(run[:i] + run[i + 1] + run[i] + run[i + 2 :], i, i + 2, 1)
    if len(run) > 2:
        for i in range(len(run)):
            consider(run[:i] + run[i + 1 :], max(0, i - 1), min(len(run) - 1, i + 1), 1)
    for word in (*_domain_words(), *analyzer.extra_words):
        for i in range(len(run) - len(word) + 1):
            part = run[i : i + len(word)]
            if part != word and sum(a != b for a, b in zip(part, word, strict=True)) == 1:
                consider(run[:i] + word + run[i + len(word) :], i, i + len(word), 2)
    return sorted(scored, key=lambda c: scored[c])


def _pairs(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)]


def index_candidates(run: str, analyzer: Analyzer, known: Callable[[Iterable[str]], set[str]]) -> list[str]:
    """Runs one homophone or swap from ``run``, made where its character pairs are unknown to the index,
    whose every pair the index holds (``known`` says which pairs some record holds); best first: homophones
    before swaps, then the longer the dictionary word the edit makes."""
    pairs = _pairs(run)
    present = known(pairs)
    zone = sorted({j for i, pair in enumerate(pairs) if pair not in present for j in (i, i + 1)})
    if not zone:
        return []
    edits: dict[str, tuple[int, int, int]] = {}  # candidate → (kind, -word made, position)
    for p in zone:
        for other in homophones(run[p]):
            candidate = run[:p] + other + run[p + 1 :]
            edits.setdefault(candidate, (0, 0, p))
        if p + 1 in zone:
            edits.setdefault(run[:p] + run[p + 1] + run[p] + run[p + 2 :], (1, 0, p))
    present |= known({pair for c in edits for pair in _pairs(c)} - present)
    fitting = {
        c: (kind, -_longest_word(analyzer, c, p, p + 1), p)
        for c, (kind, _, p) in edits.items()
        if all(pair in present for pair in _pairs(c))
    }
    return sorted(fitting, key=lambda c: fitting[c])


def _runs_of(query: Query) -> Iterator[str]:
    for group in query.groups:
        for clause in group:
            if isinstance(clause, Words):
                yield from (r for r in runs(clause.text) if len(r) >= 2 and all(ord(c) in _HAN for c in r))


def suggest(
    text: str,
    query: Query,
    analyzer: Analyzer,
    count: Callable[[str], int],
    found: int,
    known: Callable[[Iterable[str]], set[str]] | None = None,
) -> list[Suggestion]:
    """Corrections of ``text`` (the query as typed, ``query`` parsed, ``found`` records found) whose
    corrected run occurs in more records than the run as typed; ``count`` runs a query text and says how
    many records it finds, ``known`` which character pairs the index holds."""
    out: dict[str, int] = {}
    folded = fold(text)
    for run in dict.fromkeys(_runs_of(query)):
        if found >= FEW and _is_word(analyzer, run):
            continue  # a word of the dictionary, and the query finds enough: no extra search
        as_typed = count(f'"{run}"')
        if found >= FEW and as_typed >= FEW:
            continue  # found as typed: nothing to correct
        tried = 0
        found_in_index = index_candidates(run, analyzer, known) if known else []
        for candidate in dict.fromkeys([*found_in_index, *candidates(run, analyzer)]):
            if tried >= MAX_CANDIDATES:
                break
            corrected = folded.replace(run, candidate)
            if corrected in out:
                continue
            tried += 1
            if count(f'"{candidate}"') > as_typed:
                n = count(corrected)
                if n:
                    out[corrected] = n
    best = sorted(out.items(), key=lambda item: -item[1])[:MAX_SUGGESTIONS]
    return [Suggestion(t, n) for t, n in best]
