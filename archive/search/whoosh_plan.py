"""Plans run over Whoosh's posting lists a block at a time, scored as Whoosh's BM25F scores them.

Whoosh's own query objects step a tree of matchers one posting at a time in Python, a dozen calls a
posting; on 50,000 records of 2 KB a common word or a quoted phrase took a third of a second.  Here
each term's posting list is read whole (one decode per block of 128) into a dict of document →
score, and the plan's AND / OR / NOT / phrase become dict and set operations.  The scores are
Whoosh's: BM25F with the index-wide idf and average field length, a phrase scored as the sum of its
terms, a prefix as the sum of the terms it expands to; tests/test_search_engines.py runs every kind
of node both ways and compares the scores.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Callable, Iterable
from math import log
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length

from .query import AllOf, AnyOf, Node, PhraseQ, Plan, PrefixQ, TermQ

B = 0.75  # BM25F's defaults, as whoosh.scoring.BM25F()
K1 = 1.2

Scores = dict[int, float]
Within = list[int] | None  # sorted documents of a segment, the only ones a caller needs (None: all)
_LENGTH_OF_BYTE = [byte_to_length(b) or 1 for b in range(256)]


class _Segment:
    """One segment's reader, its first global document number, and what is read once per searcher."""

    def __init__(self, reader: Any, offset: int) -> None:
        self.reader = reader
        self.offset = offset
        self._lengths: dict[str, list[int]] = {}
        self.deleted: frozenset[int] = frozenset()
        if reader.has_deletions():
            self.deleted = frozenset(range(reader.doc_count_all())) - frozenset(reader.all_doc_ids())

    def lengths(self, fieldname: str) -> list[int]:
        """Every document's length in ``fieldname`` (the byte Whoosh stores, decoded)."""
        found = self._lengths.get(fieldname)
        if found is None:
            found = self._lengths[fieldname] = _read_lengths(self.reader, fieldname)
        return found

    def postings(
        self, fieldname: str, btext: bytes, values: bool, within: Within = None
    ) -> tuple[list[int], list[float], list[Any]]:
        """(documents, weights, encoded values) of a term, in document order.  With ``within`` (sorted
        documents, the only ones the caller needs) blocks that hold none of them are skipped unread:
        their header gives their last document."""
        reader = self.reader
        if (fieldname, btext) not in reader:
            return [], [], []
        matcher = reader.postings(fieldname, btext)
        if isinstance(matcher, FilterMatcher):  # deleted documents are dropped at the end instead
            matcher = matcher.child
        ids: list[int] = []
        weights: list[float] = []
        encoded: list[Any] = []
        if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
            # whoosh3's block matcher (W3LeafMatcher, pinned in constraints.txt): a block at a time
            before = -1  # the last document of the previous block
            while matcher.is_active():
                if within is not None:
                    last = matcher._maxid
                    at = bisect_right(within, before)
                    before = last
                    if at == len(within):
                        break  # no wanted document after this point
                    if within[at] > last:
                        matcher._next_block()
                        continue
                matcher._read_ids()
                ids.extend(matcher._ids)
                matcher._read_weights()
                weights.extend(matcher._weights)
                if values:
                    matcher._read_values()
                    encoded.extend(matcher._values)
                matcher._next_block()
        else:  # any other matcher (inlined postings): one posting at a time
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                if values:
                    encoded.append(matcher.value())
                matcher.next()
        return ids, weights, encoded


def _read_lengths(reader: Any, fieldname: str) -> list[int]:
    count = reader.doc_count_all()
    try:  # the length column's bytes in one read (whoosh3 internals, pinned)
        column = reader._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        raw = column._dbfile.get(column._basepos, column._count) if column is not None else b""
        return [_LENGTH_OF_BYTE[b] for b in raw] + [1] * (count - len(raw))
    except AttributeError:
        return [reader.doc_field_length(d, fieldname, 1) or 1 for d in range(count)]


class PlanRunner:
    """Runs :class:`~.query.Plan` nodes over an open Whoosh searcher; kept while the searcher is."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.schema = searcher.schema
        self.doc_count = searcher.doc_count_all()
        leaves = searcher.leaf_searchers()
        self.segments = [_Segment(s.reader(), offset) for s, offset in leaves]
        self._idf: dict[tuple[str, bytes], float] = {}
        self._dfs: dict[tuple[str, bytes], int] = {}
        self._avg: dict[str, float] = {}

    # -- the top hits -------------------------------------------------------------------------

    def top(self, plan: Plan, filters: Iterable[TermQ], mask: Iterable[TermQ], limit: int) -> list[tuple[float, int]]:
        """(score, global document number) of the best ``limit`` documents, best first (ties: lower
        document number first, as Whoosh orders them)."""
        filters, mask = list(filters), list(mask)
        best: list[tuple[float, int]] = []
        for segment in self.segments:
            scores = self._node(segment, plan.must)
            for node in plan.must_not:
                for doc in self._node(segment, node, sorted(scores)):
                    scores.pop(doc, None)
            for term in filters:
                allowed = set(self._term(segment, term, sorted(scores)))
                scores = {d: s for d, s in scores.items() if d in allowed}
            for term in mask:
                for doc in self._term(segment, term, sorted(scores)):
                    scores.pop(doc, None)
            for doc in segment.deleted:
                scores.pop(doc, None)
            offset = segment.offset
            best.extend((s, offset + d) for d, s in heapq.nsmallest(limit, scores.items(), key=_rank))
        return heapq.nsmallest(limit, best, key=lambda item: (-item[0], item[1]))

    # -- nodes --------------------------------------------------------------------------------

    def _node(self, segment: _Segment, node: Node, within: Within = None) -> Scores:
        """The documents matching ``node`` with their scores.  With ``within`` the caller needs only
        those documents: others may be left out (or not), whatever is cheaper."""
        if isinstance(node, TermQ):
            return self._term(segment, node, within)
        if isinstance(node, PhraseQ):
            if len(node.tokens) == 1:
                return self._term(segment, TermQ(node.field, node.tokens[0], node.boost), within)
            return self._phrase(segment, node, within)
        if isinstance(node, PrefixQ):
            return self._prefix(segment, node, within)
        if isinstance(node, AnyOf):
            return _union([self._node(segment, n, within) for n in node.items])
        return self._all_of(segment, node, within)

    def _all_of(self, segment: _Segment, node: AllOf, within: Within) -> Scores:
        """Every required item, the rarest first: each later one reads only the blocks that can hold
        a document still in the running."""
        if not node.items:  # filters alone: every document, as Whoosh's Every scores it
            scores = dict.fromkeys(within if within is not None else range(segment.reader.doc_count_all()), 1.0)
        else:
            scores = {}
            for i, item in enumerate(sorted(node.items, key=self._cost)):
                part = self._node(segment, item, within if i == 0 else sorted(scores))
                scores = dict(part) if i == 0 else {d: s + part[d] for d, s in scores.items() if d in part}
                if not scores:
                    return {}
        if node.optional and scores:
            extra = _union([self._node(segment, n, sorted(scores)) for n in node.optional])
            for doc, score in extra.items():
                if doc in scores:
                    scores[doc] += score
        return scores

    def _cost(self, node: Node) -> int:
        """About how many documents ``node`` matches (index-wide document frequencies)."""
        if isinstance(node, TermQ):
            return self._df(node.field, self.schema[node.field].to_bytes(node.value))
        if isinstance(node, PhraseQ):
            return min(self._cost(TermQ(node.field, t)) for t in node.tokens)
        if isinstance(node, AnyOf):
            return sum(self._cost(n) for n in node.items)
        if isinstance(node, AllOf) and node.items:
            return min(self._cost(n) for n in node.items)
        return int(self.doc_count)  # a prefix, or every document

    def _df(self, fieldname: str, btext: bytes) -> int:
        """Index-wide document frequency, looked up once (each lookup reads every segment's term table)."""
        key = (fieldname, btext)
        found = self._dfs.get(key)
        if found is None:
            found = self._dfs[key] = int(self.searcher.doc_frequency(fieldname, btext))
        return found

    def _term(self, segment: _Segment, node: TermQ, within: Within = None) -> Scores:
        field = self.schema[node.field]
        btext = field.to_bytes(node.value)
        ids, weights, _ = segment.postings(node.field, btext, False, within)
        return self._scores(segment, node.field, btext, ids, weights, node.boost)

    def _scores(
        self, segment: _Segment, fieldname: str, btext: bytes, ids: list[int], weights: list[float], boost: float
    ) -> Scores:
        if not ids:
            return {}
        if not self.schema[fieldname].scorable:  # Whoosh's WeightScorer: the posting's weight
            return {d: w * boost for d, w in zip(ids, weights, strict=True)}
        a, c1, c2 = self._bm25(fieldname, btext, boost)
        lengths = segment.lengths(fieldname)
        return {d: a * w / (w + c1 + c2 * lengths[d]) for d, w in zip(ids, weights, strict=True)}

    def _bm25(self, fieldname: str, btext: bytes, boost: float) -> tuple[float, float, float]:
        """bm25(idf, tf, fl, avgfl) = a·tf / (tf + c1 + c2·fl), as whoosh.scoring.bm25 with boost."""
        key = (fieldname, btext)
        idf = self._idf.get(key)
        if idf is None:
            idf = self._idf[key] = log(self.doc_count / (self._df(fieldname, btext) + 1)) + 1
        avg = self._avg.get(fieldname)
        if avg is None:
            avg = self._avg[fieldname] = self.searcher.avg_field_length(fieldname) or 1
        return idf * (K1 + 1) * boost, K1 * (1 - B), K1 * B / avg

    def _phrase(self, segment: _Segment, node: PhraseQ, within: Within = None) -> Scores:
        """Documents where the tokens stand at consecutive positions; scored as the sum of the terms.
        The rarest token is read first; the others only where a candidate can be."""
        field = self.schema[node.field]
        decode: Callable[[bytes], list[int]] = field.format.decode_positions
        tokens = [(i, field.to_bytes(t)) for i, t in enumerate(node.tokens)]
        lists: list[Any] = [None] * len(tokens)
        candidates: set[int] | None = set(within) if within is not None else None
        for i, btext in sorted(tokens, key=lambda item: self._df(node.field, item[1])):
            wanted = sorted(candidates) if candidates is not None else None
            ids, weights, values = segment.postings(node.field, btext, True, wanted)
            candidates = set(ids) if candidates is None else candidates.intersection(ids)
            if not candidates:
                return {}
            lists[i] = (btext, ids, weights, values)
        assert candidates is not None  # a phrase has two tokens or more
        where = [{d: i for i, d in enumerate(ids) if d in candidates} for _, ids, _, _ in lists]
        matched = []
        for doc in candidates:
            starts = set(decode(lists[0][3][where[0][doc]]))
            for offset in range(1, len(lists)):
                starts.intersection_update([p - offset for p in decode(lists[offset][3][where[offset][doc]])])
                if not starts:
                    break
            if starts:
                matched.append(doc)
        scores: Scores = dict.fromkeys(matched, 0.0)
        for (btext, _, weights, _), at in zip(lists, where, strict=True):
            term = self._scores(segment, node.field, btext, matched, [weights[at[d]] for d in matched], 1.0)
            for doc, score in term.items():
                scores[doc] += score
        if node.boost != 1.0:
            scores = {d: s * node.boost for d, s in scores.items()}
        return scores

    def _prefix(self, segment: _Segment, node: PrefixQ, within: Within = None) -> Scores:
        """Every term of the segment starting with the prefix, each scored on its own, summed."""
        reader = segment.reader
        parts = []
        field = self.schema[node.field]
        for word in reader.expand_prefix(node.field, node.prefix):
            btext = word if isinstance(word, bytes) else field.to_bytes(word)
            ids, weights, _ = segment.postings(node.field, btext, False, within)
            parts.append(self._scores(segment, node.field, btext, ids, weights, 1.0))
        return _union(parts)


def _union(parts: list[Scores]) -> Scores:
    parts = [p for p in parts if p]
    if not parts:
        return {}
    parts.sort(key=len, reverse=True)
    scores = dict(parts[0])
    for part in parts[1:]:
        for doc, score in part.items():
            scores[doc] = scores.get(doc, 0.0) + score
    return scores


def _rank(item: tuple[int, float]) -> tuple[float, int]:
    return -item[1], item[0]
