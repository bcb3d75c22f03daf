"""The fast engine: tantivy (tantivy-py), fed pre-segmented text.

Tantivy numbers whitespace-separated tokens itself, so the analysed streams
are flattened (:func:`.analysis.flatten`): the first token of each position
goes into the positional field with a placeholder where the analysis left a
gap, and same-position sub-words go into a companion field without positions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import tantivy

from ..records import CLASSIFICATIONS
from .analysis import Analyzer, char_tokens, flatten
from .content import IndexDoc
from .hits import Hit
from .query import AllOf, AnyOf, Node, PhraseQ, Plan, PrefixQ, TermQ

_KEYWORDS = ("id", "type", "term", "year", "rank", "sittings", "people")
# A word query looks in the positional field and in its same-position companion.
_COMPANION = {"words": "words_sub", "title": "title_sub"}


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in _KEYWORDS:
        builder.add_text_field(name, stored=name in ("id", "type", "term", "year", "rank"), tokenizer_name="raw")
    builder.add_text_field("source", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("title_text", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field("text", stored=True)
    for name in ("title", "words", "chars"):
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    for name in _COMPANION.values():
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    return builder.build()


class TantivyEngine:
    name = "tantivy"

    def __init__(self, directory: Path, analyzer: Analyzer) -> None:
        self.directory = directory
        self.analyzer = analyzer
        self._index: tantivy.Index | None = None
        self._schema = _schema()

    def _open(self) -> tantivy.Index:
        if self._index is None:
            self._index = tantivy.Index(self._schema, path=str(self.directory), reuse=True)
        return self._index

    def _document(self, doc: IndexDoc) -> tantivy.Document:
        out = tantivy.Document()
        out.add_text("id", doc.id)
        out.add_text("type", doc.type)
        out.add_text("term", str(doc.term or ""))
        out.add_text("year", str(doc.year or ""))
        out.add_text("rank", str(doc.rank))
        for key in doc.sittings:
            out.add_text("sittings", key)
        for person in doc.people:
            out.add_text("people", person)
        out.add_text("source", doc.source)
        out.add_text("title_text", doc.title)
        out.add_bytes("text", doc.text.encode("utf-8"))
        for field, text in (("title", doc.title), ("words", doc.text)):
            main, sub = flatten([(w, p) for w, p, _ in self.analyzer.word_tokens(text)])
            out.add_text(field, main)
            out.add_text(_COMPANION[field], sub)
        out.add_text("chars", flatten(char_tokens(doc.text))[0])
        return out

    def index(self, docs: Iterable[IndexDoc]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._index = tantivy.Index(self._schema, path=str(self.directory), reuse=False)
        writer = self._index.writer(heap_size=256_000_000, num_threads=1)
        try:
            for doc in docs:
                writer.add_document(self._document(doc))
        except BaseException:
            writer.rollback()  # let the writer's threads stop before the caller removes the folder
            writer.wait_merging_threads()
            raise
        writer.commit()
        writer.wait_merging_threads()

    def update(self, docs: Iterable[IndexDoc]) -> None:
        writer = self._open().writer(heap_size=50_000_000, num_threads=1)
        for doc in docs:
            writer.delete_documents_by_term("id", doc.id)
            writer.add_document(self._document(doc))
        writer.commit()
        writer.wait_merging_threads()

    def delete(self, ids: Iterable[str]) -> None:
        writer = self._open().writer(heap_size=50_000_000, num_threads=1)
        for record_id in ids:
            writer.delete_documents_by_term("id", record_id)
        writer.commit()
        writer.wait_merging_threads()

    def count(self) -> int:
        ix = self._open()
        ix.reload()
        return int(ix.searcher().num_docs)

    def search(self, plan: Plan, limit: int) -> list[Hit]:
        ix = self._open()
        ix.reload()
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if not (isinstance(plan.must, AllOf) and not plan.must.items and not plan.must.optional):
            clauses.append((tantivy.Occur.Must, self._compile(plan.must)))
        else:
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        for node in plan.must_not:
            clauses.append((tantivy.Occur.MustNot, self._compile(node)))
        above = [str(r) for r in range(plan.max_rank + 1, len(CLASSIFICATIONS))]
        if above:  # usually nothing above the ceiling is indexed: a cheap exclusion
            clauses.append((tantivy.Occur.MustNot, tantivy.Query.term_set_query(self._schema, "rank", above)))
        filters = []
        f = plan.filters
        for field, value in (("term", f.term), ("year", f.year), ("type", f.type), ("people", f.person)):
            if value is not None:
                filters.append(self._term(field, str(value)))
        for flt in filters:
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(flt, 0.0)))
        searcher = ix.searcher()
        hits = []
        for score, address in searcher.search(tantivy.Query.boolean_query(clauses), limit=limit).hits:
            doc = searcher.doc(address)
            term, year = doc.get_first("term"), doc.get_first("year")
            hits.append(
                Hit(
                    id=str(doc.get_first("id")),
                    type=str(doc.get_first("type")),
                    term=int(term) if term else None,
                    year=int(year) if year else None,
                    title=str(doc.get_first("title_text")),
                    source=str(doc.get_first("source")),
                    classification=CLASSIFICATIONS[int(doc.get_first("rank") or 0)],
                    text=bytes(doc.get_first("text") or b"").decode("utf-8"),
                    score=float(score),
                )
            )
        return hits

    def _term(self, field: str, value: str) -> tantivy.Query:
        return tantivy.Query.term_query(self._schema, field, value, index_option="basic")

    def _compile(self, node: Node) -> tantivy.Query:
        if isinstance(node, TermQ):
            query = tantivy.Query.term_query(self._schema, node.field, node.value)
            if node.field in _COMPANION:
                sub = tantivy.Query.term_query(self._schema, _COMPANION[node.field], node.value)
                query = tantivy.Query.boolean_query([(tantivy.Occur.Should, query), (tantivy.Occur.Should, sub)])
            return tantivy.Query.boost_query(query, node.boost) if node.boost != 1.0 else query
        if isinstance(node, PhraseQ):
            if len(node.tokens) == 1:
                query = tantivy.Query.term_query(self._schema, node.field, node.tokens[0])
            else:
                query = tantivy.Query.phrase_query(self._schema, node.field, list(node.tokens))
            return tantivy.Query.boost_query(query, node.boost) if node.boost != 1.0 else query
        if isinstance(node, PrefixQ):
            return tantivy.Query.regex_query(self._schema, node.field, re.escape(node.prefix) + ".*")
        if isinstance(node, AnyOf):
            return tantivy.Query.boolean_query([(tantivy.Occur.Should, self._compile(n)) for n in node.items])
        parts = [(tantivy.Occur.Must, self._compile(n)) for n in node.items]
        parts += [(tantivy.Occur.Should, self._compile(n)) for n in node.optional]
        return tantivy.Query.boolean_query(parts)

    def known(self, field: str, terms: Iterable[str]) -> set[str]:
        searcher = self._open().searcher()
        return {t for t in terms if searcher.doc_freq(field, t) > 0}

    def close(self) -> None:
        self._index = None
