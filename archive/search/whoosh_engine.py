"""The default engine: Whoosh (the maintained whoosh3 fork), classic API only, pure Python.

Text arrives already analysed (:mod:`.analysis`): the field analyzer only
decodes the "position␟token" stream, so positions are exactly what the
analysis decided (sub-words share their word's position) and the Whoosh
schema pickled into the index holds no segmenter state.
"""

from __future__ import annotations

import sys
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from whoosh import fields, formats, index, query
from whoosh.analysis import Token, Tokenizer
from whoosh.matching import IntersectionMatcher, ListMatcher, NullMatcher, WrappingMatcher
from whoosh.scoring import BM25F
from whoosh.system import _INT_SIZE, pack_uint
from whoosh.util import make_binary_tree

from ..records import CLASSIFICATIONS
from .analysis import Analyzer, char_tokens, encode
from .content import IndexDoc
from .engine import Hit
from .query import AnyOf, Node, PhraseQ, Plan, PrefixQ, SplitWordQ, TermQ


class PreSegmentedTokenizer(Tokenizer):  # type: ignore[misc]
    """Decodes :func:`archive.search.analysis.encode` output into Whoosh tokens."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not value:
            return
        for item in value.split("\x1e"):
            pos, _, text = item.partition("\x1f")
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + int(pos)
            yield token


class ExactPhrase(query.Phrase):  # type: ignore[misc]
    """A phrase of tokens at consecutive positions, checked with set arithmetic.

    Whoosh's own phrase matcher (SpanNear2) builds span objects for every position of every term
    in every candidate document; profiling showed it took half the query time.  The documents
    matched and their scores are the same: the intersection of the terms, scored as their sum.
    """

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        field = searcher.schema[self.fieldname]
        reader = searcher.reader()
        matchers = []
        for word in self.words:
            token = field.to_bytes(word)
            if (self.fieldname, token) not in reader:
                return NullMatcher()
            matchers.append(query.Term(self.fieldname, token).matcher(searcher, context))
        return _PhraseMatcher(make_binary_tree(IntersectionMatcher, matchers), matchers, self.boost)


class SummedPrefix(query.Prefix):  # type: ignore[misc]
    """Every term with the prefix, each scored as Whoosh scores it, summed per document up front.

    Whoosh ORs the expanded terms into a tree of union matchers and steps that tree document by
    document; a single character in the bigram field expands to dozens of terms (湖区, 湖街 …) and
    the tree walk took twice as long as stepping each term on its own.
    """

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        from whoosh.searching import SearchContext

        if self.constantscore:  # as Whoosh's own MultiTerm does
            context = context.set(weighting=None) if context else SearchContext(weighting=None)
        scores: defaultdict[int, float] = defaultdict(float)
        for word in self._btexts(searcher.reader()):
            term = query.Term(self.fieldname, word, boost=self.boost).matcher(searcher, context)
            while term.is_active():
                scores[term.id()] += term.score()
                term.next()
        if not scores:
            return NullMatcher()
        ids = sorted(scores)
        return _ScoredList(ids, [scores[i] for i in ids])


class _ScoredList(ListMatcher):  # type: ignore[misc]
    """Pre-scored documents in blocks of 128 with their best score, so a top-N collector can skip
    blocks that cannot reach its results, as it does over Whoosh's own posting blocks."""

    BLOCK = 128
    _i: int  # ListMatcher's cursor
    _weights: list[float]

    def __init__(self, ids: list[int], scores: list[float], position: int = 0) -> None:
        super().__init__(ids, weights=scores, position=position)
        self._best = [max(scores[i : i + self.BLOCK]) for i in range(0, len(scores), self.BLOCK)]

    def copy(self) -> Any:
        return _ScoredList(self._ids, self._weights, self._i)

    def replace(self, minquality: float = 0) -> Any:
        if not self.is_active() or (minquality and max(self._best[self._i // self.BLOCK :]) <= minquality):
            return NullMatcher()
        return self

    def supports_block_quality(self) -> bool:
        return True

    def max_quality(self) -> float:
        return float(max(self._best[self._i // self.BLOCK :]))

    def block_quality(self) -> float:
        return float(self._best[self._i // self.BLOCK])

    def skip_to_quality(self, minquality: float) -> int:
        skipped = 0
        while self.is_active() and self._best[self._i // self.BLOCK] <= minquality:
            self._i = (self._i // self.BLOCK + 1) * self.BLOCK
            skipped += 1
        return skipped

    def next(self) -> bool:
        self._i += 1
        return bool(self._i % self.BLOCK == 0)  # entered a new block: the collector checks quality again


class _PhraseMatcher(WrappingMatcher):  # type: ignore[misc]
    """Documents of the intersection ``child`` where the ``terms`` (its leaves) stand at p, p+1, …"""

    def __init__(self, child: Any, terms: list[Any], boost: float = 1.0) -> None:
        super().__init__(child, boost=boost)
        self._terms = terms
        self._find_next()

    def copy(self) -> Any:
        terms = [m.copy() for m in self._terms]
        return _PhraseMatcher(make_binary_tree(IntersectionMatcher, terms), terms, self.boost)

    def replace(self, minquality: float = 0) -> Any:
        return self if self.is_active() else NullMatcher()

    def _at_phrase(self) -> bool:
        terms = self._terms
        starts = set(terms[0].value_as("positions"))
        for offset in range(1, len(terms)):
            starts.intersection_update([p - offset for p in terms[offset].value_as("positions")])
            if not starts:
                return False
        return True

    def _find_next(self) -> None:
        child = self.child
        while child.is_active() and not self._at_phrase():
            child.next()

    def next(self) -> None:
        self.child.next()
        self._find_next()

    def skip_to(self, id: int) -> None:
        self.child.skip_to(id)
        self._find_next()

    def skip_to_quality(self, minquality: float) -> int:
        skipped = int(self.child.skip_to_quality(minquality / self.boost))
        self._find_next()
        return skipped

    def all_ids(self) -> Iterator[int]:
        while self.is_active():
            yield self.id()
            self.next()


class PreSegmentedPositions(formats.Positions):  # type: ignore[misc]
    """Positions read straight from the encoded stream, stored as a packed array.

    Indexing skips the analyzer (one Token object per token) and pickling each posting's
    positions; queries skip unpickling them.  Profiled on 1,000 records these were a third of
    the build time.  The first bytes stay the frequency, as Whoosh's own format has them.
    """

    def word_values(self, value: str, analyzer: Any, **kwargs: Any) -> Iterator[tuple[str, int, float, bytes]]:
        if not value:
            return
        poses: defaultdict[str, list[int]] = defaultdict(list)
        for item in value.split("\x1e"):
            pos, _, text = item.partition("\x1f")
            poses[text].append(int(pos))
        boost = self.field_boost
        for word, poslist in poses.items():
            yield word, len(poslist), len(poslist) * boost, self.encode(poslist)

    def encode(self, poslist: list[int]) -> bytes:
        packed = array("I", poslist)
        if _SWAP:
            packed.byteswap()
        header: bytes = pack_uint(len(poslist))
        return header + packed.tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        packed = array("I", valuestring[_INT_SIZE:])
        if _SWAP:
            packed.byteswap()
        return packed.tolist()


_SWAP = sys.byteorder == "big"  # positions are stored little-endian, whatever the machine


def _text_field() -> fields.TEXT:
    field = fields.TEXT(analyzer=PreSegmentedTokenizer(), phrase=True)
    field.format = PreSegmentedPositions(field_boost=field.format.field_boost)
    return field


def _schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        type=fields.ID(stored=True),
        term=fields.ID(stored=True),
        year=fields.ID(stored=True),
        rank=fields.ID(stored=True),
        sittings=fields.KEYWORD(commas=True),
        people=fields.KEYWORD(commas=True),
        source=fields.STORED(),
        title_text=fields.STORED(),
        text=fields.STORED(),
        title=_text_field(),
        words=_text_field(),
        chars=_text_field(),
    )


BUILD_BATCH = 5000  # documents per segment in a build
BUILD_POOL_MB = 1024  # enough for a batch of ~2 KB records to be sorted without spilling
SMALL_SEGMENT = 1000  # segments left by incremental updates are this small …
SMALL_SEGMENTS_TO_MERGE = 10  # … and merged once there are this many


def merge_small_segments(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy: merge the small segments that incremental updates leave, once there are
    enough of them, and never the build's large ones (Whoosh's MERGE_SMALL would fold four of them
    into a one-record update, tens of seconds)."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.reading import SegmentReader

    small = [s for s in segments if s.doc_count_all() < SMALL_SEGMENT]
    if len(small) < SMALL_SEGMENTS_TO_MERGE:
        return segments
    # Read whole, small segments are quicker mmapped (the writer's storage may be without mmap, see _writer).
    storage = FileStorage(writer.storage.folder) if not writer.storage.supports_mmap else writer.storage
    for segment in small:
        reader = SegmentReader(storage, writer.schema, segment)
        writer.add_reader(reader)  # reads it whole
        reader.close()
    return [s for s in segments if s.doc_count_all() >= SMALL_SEGMENT]


class WhooshEngine:
    name = "whoosh"

    def __init__(self, directory: Path, analyzer: Analyzer) -> None:
        self.directory = directory
        self.analyzer = analyzer
        self._index: Any = None
        self._searcher: Any = None  # kept open between searches: opening segments costs more than a query

    def _changed(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def _open(self) -> Any:
        if self._index is None:
            self._index = index.open_dir(str(self.directory))
        return self._index

    def _fields(self, doc: IndexDoc) -> dict[str, Any]:
        words = self.analyzer.word_tokens(doc.text)
        title = self.analyzer.word_tokens(doc.title)
        return {
            "id": doc.id,
            "type": doc.type,
            "term": str(doc.term or ""),
            "year": str(doc.year or ""),
            "rank": str(doc.rank),
            "sittings": ",".join(doc.sittings),
            "people": ",".join(doc.people),
            "source": doc.source,
            "title_text": doc.title,
            "text": doc.text,
            "title": encode((w, p) for w, p, _ in title),
            "words": encode((w, p) for w, p, _ in words),
            "chars": encode(char_tokens(doc.text)),
        }

    def index(self, docs: Iterable[IndexDoc]) -> None:
        self._changed()
        self.directory.mkdir(parents=True, exist_ok=True)
        self._index = index.create_in(str(self.directory), _schema())
        # One segment per batch, each sorted in memory: a single writer over tens of thousands of
        # documents spills its posting pool to disk and merges the runs, which cost a third of the
        # build; segments are not merged afterwards (a query opens each, a small cost).
        writer = None
        try:
            for count, doc in enumerate(docs, start=1):
                if writer is None:
                    writer = self._index.writer(limitmb=BUILD_POOL_MB)
                writer.add_document(**self._fields(doc))
                if count % BUILD_BATCH == 0:
                    writer.commit(merge=False)
                    writer = None
        except BaseException:
            if writer is not None:
                writer.cancel()
            raise
        if writer is not None:
            writer.commit(merge=False)

    def _writer(self) -> Any:
        """A writer on the index opened without mmap: replacing by id opens a reader on every segment,
        and Whoosh copies each mmapped term file whole into memory (tens of MB at 50,000 records);
        read from the file, looking up a few ids costs a few reads."""
        from whoosh.filedb.filestore import FileStorage

        self._changed()
        return FileStorage(str(self.directory), supports_mmap=False).open_index().writer()

    def update(self, docs: Iterable[IndexDoc]) -> None:
        writer = self._writer()
        try:
            for doc in docs:
                writer.update_document(**self._fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=merge_small_segments)

    def delete(self, ids: Iterable[str]) -> None:
        writer = self._writer()
        try:
            for record_id in ids:
                writer.delete_by_term("id", record_id)
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=merge_small_segments)

    def count(self) -> int:
        return int(self._open().doc_count())

    def search(self, plan: Plan, limit: int) -> list[Hit]:
        ix = self._open()
        wanted = self._compile(plan.must)
        if plan.must_not:
            wanted = query.AndNot(wanted, query.Or([self._compile(n) for n in plan.must_not]))
        allowed: list[query.Query] = []
        f = plan.filters
        if f.term is not None:
            allowed.append(query.Term("term", str(f.term)))
        if f.year is not None:
            allowed.append(query.Term("year", str(f.year)))
        if f.type is not None:
            allowed.append(query.Term("type", f.type))
        if f.person is not None:
            allowed.append(query.Term("people", f.person))
        # Records above the ceiling are masked out (usually none are in the index, so the mask is empty
        # and cheap); a filter listing every allowed rank would touch every document on every query.
        above = [query.Term("rank", str(r)) for r in range(plan.max_rank + 1, len(CLASSIFICATIONS))]
        if self._searcher is None:
            self._searcher = ix.searcher(weighting=BM25F())
        results = self._searcher.search(
            wanted,
            filter=query.And(allowed) if allowed else None,
            mask=query.Or(above) if above else None,
            limit=limit,
        )
        return [
            Hit(
                id=hit["id"],
                type=hit["type"],
                term=int(hit["term"]) if hit["term"] else None,
                year=int(hit["year"]) if hit["year"] else None,
                title=hit["title_text"],
                source=hit["source"],
                classification=CLASSIFICATIONS[int(hit["rank"])],
                text=hit["text"],
                score=float(hit.score or 0.0),
            )
            for hit in results
        ]

    def _compile(self, node: Node) -> query.Query:
        if isinstance(node, TermQ):
            return query.Term(node.field, node.value, boost=node.boost)
        if isinstance(node, PhraseQ):
            if len(node.tokens) == 1:
                return query.Term(node.field, node.tokens[0], boost=node.boost)
            return ExactPhrase(node.field, list(node.tokens), boost=node.boost)
        if isinstance(node, PrefixQ):
            return SummedPrefix(node.field, node.prefix)
        if isinstance(node, SplitWordQ):  # sub-words share their word's position here
            return ExactPhrase("words", list(node.pieces))
        if isinstance(node, AnyOf):
            return query.Or([self._compile(n) for n in node.items])
        required = query.And([self._compile(n) for n in node.items]) if node.items else query.Every()
        if node.optional:
            return query.AndMaybe(required, query.Or([self._compile(n) for n in node.optional]))
        return required

    def close(self) -> None:
        self._changed()
        if self._index is not None:
            self._index.close()
            self._index = None
