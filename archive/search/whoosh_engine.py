"""The default engine: Whoosh (the maintained whoosh3 fork), classic API only, pure Python.

Text arrives already analysed (:mod:`.analysis`) as ``{token: [positions]}``,
so positions are exactly what the analysis decided (sub-words share their
word's position) and the Whoosh schema pickled into the index holds no
segmenter state.  A build writes segments in several processes
(:class:`_SegmentBuilder`); queries run in :mod:`.whoosh_plan`.
"""

from __future__ import annotations

import sys
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import repeat
from pathlib import Path
from typing import Any

from whoosh import fields, formats, index
from whoosh.analysis import Token, Tokenizer
from whoosh.scoring import BM25F
from whoosh.system import _INT_SIZE, pack_uint
from whoosh.writing import SegmentWriter

from ..records import CLASSIFICATIONS
from .analysis import Analyzer, char_positions, group_positions
from .content import IndexDoc
from .hits import Hit
from .query import Plan, TermQ
from .store import index_processes, parallel_map
from .whoosh_plan import PlanRunner


class _Unanalysed(Tokenizer):  # type: ignore[misc]
    """The analyzer of fields that are indexed from ready positions: text never reaches it."""

    def __call__(self, value: str, **kwargs: Any) -> Iterator[Token]:  # noqa: ARG002 (Tokenizer's signature)
        raise TypeError("renda's Whoosh text fields take {token: positions}, not text")


class PreSegmentedPositions(formats.Positions):  # type: ignore[misc]
    """Positions stored as a packed array (the first bytes stay the frequency, as Whoosh's own format
    has them): building them skips pickling each posting's positions, and queries skip unpickling."""

    def encode(self, poslist: list[int]) -> bytes:
        packed = array("I", poslist)
        if _SWAP:
            packed.byteswap()
        count = len(poslist)
        header: bytes = _COUNTS[count] if count < len(_COUNTS) else pack_uint(count)
        return header + packed.tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        packed = array("I", valuestring[_INT_SIZE:])
        if _SWAP:
            packed.byteswap()
        return packed.tolist()


class PositionsField(fields.TEXT):  # type: ignore[misc]
    """A text field indexed from a ready ``{token: [positions]}`` mapping (:mod:`.analysis` decided
    the tokens and positions; sub-words share their word's position).  Indexing skips Whoosh's
    analyzer and its one Token object per token."""

    def __init__(self) -> None:
        super().__init__(analyzer=_Unanalysed(), phrase=True)
        self.format: Any = PreSegmentedPositions(field_boost=1.0)  # TEXT's own default boost

    def index(self, value: dict[str, list[int]], **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        encode = self.format.encode
        boost = self.format.field_boost
        for word, poslist in value.items():
            yield word.encode("utf-8"), len(poslist), len(poslist) * boost, encode(poslist)


_SWAP = sys.byteorder == "big"  # positions are stored little-endian, whatever the machine
_COUNTS = [pack_uint(n) for n in range(64)]


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
        title=PositionsField(),
        words=PositionsField(),
        chars=PositionsField(),
    )


BUILD_BATCH = 5000  # documents per segment in a build, at most
MIN_BATCH = 500  # … and at least, when the build is spread over processes
PER_DOC_WEIGHT = 300  # the work of a record beyond its text, in characters' worth (balanced_batches)
SMALL_SEGMENT = 1000  # segments left by incremental updates are this small …
SMALL_SEGMENTS_TO_MERGE = 10  # … and merged once there are this many


class _TermPool:
    """A build segment's postings, kept per term in document order and written in term order.

    Whoosh's own pool keeps one tuple per posting, sorts them all and looks up the document's field
    length for each: on 2 KB records that was half of Whoosh's build time.  A build segment is made
    from whole documents added in order, so each term's postings are already sorted by document.
    """

    def __init__(self) -> None:
        self._terms: dict[tuple[str, bytes], tuple[array[int], array[float], list[bytes]]] = {}

    def add_positions(self, fieldname: str, docnum: int, value: dict[str, list[int]], field: PositionsField) -> int:
        """A :class:`PositionsField`'s postings for one document, as ``field.index`` + :meth:`add`
        would add them, without a tuple per posting; returns the field's length (token count)."""
        terms = self._terms
        encode = field.format.encode
        boost = field.format.field_boost
        length = 0
        for word, poslist in value.items():
            key = (fieldname, word.encode("utf-8"))
            postings = terms.get(key)
            if postings is None:
                postings = terms[key] = (array("I"), array("d"), [])
            count = len(poslist)
            postings[0].append(docnum)
            postings[1].append(count * boost)
            postings[2].append(encode(poslist))
            length += count
        return length

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        fieldname, btext, docnum, weight, vbytes = item
        key = (fieldname, btext)
        postings = self._terms.get(key)
        if postings is None:
            postings = self._terms[key] = (array("I"), array("d"), [])
        postings[0].append(docnum)
        postings[1].append(weight)
        postings[2].append(vbytes or b"")

    def write(self, schema: Any, fieldwriter: Any, lengths: Any, doccount: int) -> None:
        """What :meth:`whoosh.codec.base.FieldWriter.add_postings` writes, a block at a time.

        Whoosh's postings writer takes one posting per call and keeps each block's statistics as it
        goes (a third of the build's time); here each block of a term is handed over whole, with the
        same statistics computed over it, and written by the writer's own block code.  This uses the
        writer's block attributes (whoosh3 ``W3PostingsWriter``, pinned in constraints.txt);
        tests/test_search_engines.py checks the result against Whoosh's own writer, posting by posting.
        """
        by_field: defaultdict[str, list[bytes]] = defaultdict(list)
        for fieldname, btext in self._terms:
            by_field[fieldname].append(btext)
        for fieldname in sorted(by_field):
            fieldwriter.start_field(fieldname, schema[fieldname])
            length = lengths.doc_field_length_reader(fieldname)
            length_of = [length(docnum) for docnum in range(doccount)]
            for btext in sorted(by_field[fieldname]):
                docs, weights, values = self._terms[(fieldname, btext)]
                fieldwriter.start_term(btext)
                block = fieldwriter._postwriter
                limit = block._blocklimit
                for start in range(0, len(docs), limit):
                    if start:
                        block._write_block()
                    ids = docs[start : start + limit]
                    scores = weights[start : start + limit]
                    sizes = [n for n in map(length_of.__getitem__, ids) if n]
                    block._ids = ids
                    block._weights = array("f", scores)
                    block._values = [v for v in values[start : start + limit] if v]
                    block._maxweight = max(0, max(scores))
                    block._minlength = min(sizes) if sizes else None
                    block._maxlength = max(sizes) if sizes else 0
                fieldwriter.finish_term()
            fieldwriter.finish_field()

    def cleanup(self) -> None:
        self._terms.clear()


class _SegmentBuilder(SegmentWriter):  # type: ignore[misc]
    """Writes one segment of a fresh build, without the index lock and without a TOC: the build
    lists the segments of all its processes in one TOC at the end (as Whoosh's MpWriter does)."""

    def __init__(self, ix: Any) -> None:
        super().__init__(ix, _lk=False)
        self.pool = _TermPool()
        extras = [n for n, f in self.schema.items() if f.column_type or f.vector or f.separate_spelling()]
        if extras:  # add_document below would drop what these need
            raise TypeError(f"the build writer does not write columns, vectors or spelling: {extras}")

    def add_document(self, **fields: Any) -> None:
        """Whoosh's ``add_document`` for renda's schema (no spelling, vectors or columns), with the
        positional fields handed to the pool whole."""
        self._check_state()
        schema, pool, perdoc, docnum = self.schema, self.pool, self.perdocwriter, self.docnum
        perdoc.start_doc(docnum)
        for fieldname in sorted(fields):
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if isinstance(field, PositionsField):
                length = pool.add_positions(fieldname, docnum, value, field)
            elif field.indexed:
                for btext, freq, weight, vbytes in field.index(value):
                    length += freq if field.scorable else 0
                    pool.add((fieldname, btext, docnum, weight, vbytes))
            perdoc.add_field(fieldname, field, value if field.stored else None, length)
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        try:
            self.pool.write(self.schema, self.fieldwriter, lengths, self.docnum)
        finally:
            lengths.close()
        self.fieldwriter.close()


def _build_segment(directory: str, analyzer: Analyzer, docs: list[IndexDoc]) -> Any:
    """One segment holding ``docs``, written into the index at ``directory``; returns the segment."""
    engine = WhooshEngine(Path(directory), analyzer)
    writer = _SegmentBuilder(index.open_dir(directory))
    try:
        for doc in docs:
            writer.add_document(**engine._fields(doc))
        return writer._finalize_segment()
    except BaseException:
        writer._close_segment()
        raise


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


def balanced_batches(docs: list[IndexDoc], count: int) -> list[list[IndexDoc]]:
    """``docs`` cut in order into ``count`` runs of about equal work (text length plus a fixed cost
    a record): records sort by folder, so cutting by number would give one process the long
    documents of the years and another the short deputy entries."""
    weights = [len(doc.text) + PER_DOC_WEIGHT for doc in docs]
    share = sum(weights) / max(1, count)
    batches: list[list[IndexDoc]] = [[]]
    done = 0.0
    for doc, weight in zip(docs, weights, strict=True):
        if len(batches) < count and done >= share * len(batches):
            batches.append([])
        batches[-1].append(doc)
        done += weight
    return [b for b in batches if b]


class WhooshEngine:
    name = "whoosh"

    def __init__(self, directory: Path, analyzer: Analyzer) -> None:
        self.directory = directory
        self.analyzer = analyzer
        self._index: Any = None
        self._searcher: Any = None  # kept open between searches: opening segments costs more than a query
        self._runner: PlanRunner | None = None

    def _changed(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
            self._runner = None

    def _open(self) -> Any:
        """The index, read from its files without mmap: whoosh3 copies a mmapped segment's term file
        whole into memory when it opens it (0.4 s of a one-shot search at 50,000 records), while a
        query reads only a few term entries and posting blocks."""
        if self._index is None:
            from whoosh.filedb.filestore import FileStorage

            self._index = FileStorage(str(self.directory), supports_mmap=False).open_index()
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
            "title": group_positions(title),
            "words": group_positions(words),
            "chars": char_positions(doc.text),
        }

    def index(self, docs: Iterable[IndexDoc]) -> None:
        """A fresh index of ``docs``: segments of up to BUILD_BATCH documents, made by several
        processes at once when there are enough documents, listed in one TOC at the end.

        Segments are not merged afterwards: a query opens each (a small cost), and merging would
        read and write every posting again.
        """
        self._changed()
        self.directory.mkdir(parents=True, exist_ok=True)
        self._index = index.create_in(str(self.directory), _schema())
        docs = list(docs)
        processes = min(index_processes(), max(1, len(docs) // MIN_BATCH))
        batches = balanced_batches(docs, max(processes, -(-len(docs) // BUILD_BATCH)))
        directory = str(self.directory)
        _ = self.analyzer.jieba  # the dictionary is loaded once here and inherited by the processes
        processes = min(processes, len(batches))
        segments = parallel_map(_build_segment, repeat(directory), repeat(self.analyzer), batches, processes=processes)
        writer = self._index.writer()
        try:
            writer._close_segment()  # the writer's own (empty) segment; its files are cleaned away
            writer._commit_toc(segments)
        finally:
            writer._finish()

    def _writer(self) -> Any:
        """A writer on the index as :meth:`_open` reads it (without mmap: replacing by id opens a
        reader on every segment, and looks up only a few ids in each)."""
        self._changed()
        return self._open().writer()

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
        f = plan.filters
        allowed = [
            TermQ(field, str(value))
            for field, value in (("term", f.term), ("year", f.year), ("type", f.type), ("people", f.person))
            if value is not None
        ]
        # Records above the ceiling are masked out (usually none are in the index, so the mask is empty
        # and cheap); a filter listing every allowed rank would touch every document on every query.
        above = [TermQ("rank", str(r)) for r in range(plan.max_rank + 1, len(CLASSIFICATIONS))]
        if self._searcher is None:
            self._searcher = self._open().searcher(weighting=BM25F())
            self._runner = PlanRunner(self._searcher)
        assert self._runner is not None
        hits = []
        for score, docnum in self._runner.top(plan, allowed, above, limit):
            stored = self._searcher.stored_fields(docnum)
            hits.append(
                Hit(
                    id=stored["id"],
                    type=stored["type"],
                    term=int(stored["term"]) if stored["term"] else None,
                    year=int(stored["year"]) if stored["year"] else None,
                    title=stored["title_text"],
                    source=stored["source"],
                    classification=CLASSIFICATIONS[int(stored["rank"])],
                    text=stored["text"],
                    score=score,
                )
            )
        return hits

    def known(self, field: str, terms: Iterable[str]) -> set[str]:
        if self._searcher is None:
            self._searcher = self._open().searcher(weighting=BM25F())
            self._runner = PlanRunner(self._searcher)
        reader = self._searcher.reader()
        return {t for t in terms if (field, t) in reader}

    def close(self) -> None:
        self._changed()
        if self._index is not None:
            self._index.close()
            self._index = None
