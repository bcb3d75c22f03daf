"""The query language a clerk types, and the engine-neutral plan it becomes.

    物业管理 "老旧小区" 养老 OR 托育 -草稿 届:17 年:2024 类型:审议意见 十七届十二次

Words are all required; ``"quoted"`` (or “quoted”) text must occur exactly as
typed; ``A OR B`` (also ``或``) needs either; ``-word`` excludes; ``届:`` ``年:``
``类型:`` ``代表:`` (or ``term:`` ``year:`` ``type:`` ``deputy:``) filter; a
sitting named any usual way (第十七届人大常委会第十二次会议, 十七届十二次, 17-12)
means that sitting; without its term (第十二次会议, 第12次会议, 十二次常委会, 第十二次主任会议) it means
that sitting of every term, the newest first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..chinese import chinese_number, chinese_to_int
from ..errors import QueryError
from ..schema import type_named, unknown_type_message
from .analysis import Analyzer, char_phrase, fold, runs
from .content import (
    DIRECTORS,
    OWN_DIRECTORS,
    OWN_SITTING,
    parse_sitting,
    parse_termless_sitting,
    sitting_names,
)

MAX_QUERY_CHARS = 500

# -- the parsed query -----------------------------------------------------------


@dataclass(frozen=True)
class Words:
    """Unquoted text: each of its words must match, anywhere."""

    text: str


@dataclass(frozen=True)
class Phrase:
    """Quoted text: must occur exactly."""

    text: str


@dataclass(frozen=True)
class Sitting:
    key: str
    text: str


@dataclass(frozen=True)
class SittingNumber:
    """A sitting named without its term (第十二次会议): that sitting of every term, newest first."""

    number: int
    kind: str | None  # 常委会会议 or 主任会议 when named
    text: str


Clause = Words | Phrase | Sitting | SittingNumber


@dataclass(frozen=True)
class Filters:
    term: int | None = None
    year: int | None = None
    type: str | None = None
    person: str | None = None

    def merged(self, other: Filters) -> Filters:
        """``other``'s values where set (options on the command line win over the query text)."""
        return Filters(
            other.term if other.term is not None else self.term,
            other.year if other.year is not None else self.year,
            other.type if other.type is not None else self.type,
            other.person if other.person is not None else self.person,
        )


@dataclass(frozen=True)
class Query:
    groups: tuple[tuple[Clause, ...], ...] = ()  # all groups required; within a group, any clause
    excluded: tuple[Clause, ...] = ()
    filters: Filters = field(default_factory=Filters)


_FILTER_KEYS = {
    "届": "term",
    "届次": "term",
    "term": "term",
    "年": "year",
    "年度": "year",
    "year": "year",
    "类型": "type",
    "type": "type",
    "代表": "person",
    "deputy": "person",
}
_OR = ("OR", "或")
_QUOTES = {'"': '"', "“": "”", "「": "」"}


def record_type(value: str) -> str:
    """English type name or Chinese label → type name, or a QueryError listing what is allowed."""
    kind = type_named(value)
    if kind is None:
        raise QueryError(unknown_type_message(value))
    return kind


def filter_value(key: str, value: str) -> Filters:
    name = _FILTER_KEYS[key]
    if name == "type":
        return Filters(type=record_type(value))
    if name == "person":
        if not value.strip():
            raise QueryError(f"“{key}:”后面缺少代表姓名")
        return Filters(person=value.strip())
    digits = value.strip().removeprefix("第").removesuffix("届").removesuffix("年")
    number = chinese_to_int(digits) if digits else None
    if number is None:
        what = "届次（如 届:17）" if name == "term" else "年份（如 年:2024）"
        raise QueryError(f"“{key}:{value}”中的值应为{what}")
    if name == "year" and not 1900 <= number <= 2200:
        raise QueryError(f"“{key}:{value}”不是有效的年份")
    if name == "term" and not 1 <= number <= 99:
        raise QueryError(f"“{key}:{value}”不是有效的届次")
    return Filters(term=number) if name == "term" else Filters(year=number)


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text): kind is "word", "phrase", "-word", "-phrase", "or"."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace() or ch == "\u3000":
            i += 1
            continue
        negate = ch in "-－" and i + 1 < n and not text[i + 1].isspace()
        if ch in "-－" and not negate:
            raise QueryError(f"第 {i + 1} 个字符处的“{ch}”后面缺少要排除的词（写作 -词语，中间不加空格）")
        start = i + 1 if negate else i
        opener = text[start]
        if opener in _QUOTES:
            close = text.find(_QUOTES[opener], start + 1)
            if close < 0:
                raise QueryError(f"第 {start + 1} 个字符处的引号{opener}没有闭合；请补上另一半引号")
            inner = text[start + 1 : close]
            if not runs(inner):
                raise QueryError(f"第 {start + 1} 个字符处的引号中没有可检索的文字")
            out.append(("-phrase" if negate else "phrase", inner))
            i = close + 1
            continue
        end = start
        while end < n and not text[end].isspace() and text[end] != "\u3000" and text[end] not in _QUOTES:
            end += 1
        word = text[start:end]
        if word in _OR and not negate:
            out.append(("or", word))
        else:
            out.append(("-word" if negate else "word", word))
        i = end
    return out


def parse_query(text: str) -> Query:
    """Parse what the clerk typed; QueryError (Chinese) when it cannot be understood."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"检索式过长（{len(text)} 个字符），请不要超过 {MAX_QUERY_CHARS} 个字符")
    groups: list[list[Clause]] = []
    excluded: list[Clause] = []
    filters = Filters()
    pending_or = False
    for kind, value in _tokens(text):
        if kind == "or":
            if not groups or pending_or:
                raise QueryError(f"“{value}”应写在两个检索词之间，如：物业 OR 养老")
            pending_or = True
            continue
        if kind == "word" and ":" in value.replace("：", ":"):
            key, _, val = value.replace("：", ":").partition(":")
            if key in _FILTER_KEYS:
                if pending_or:
                    raise QueryError(f"筛选条件“{value}”不能用 OR 连接")
                filters = filters.merged(filter_value(key, val))
                continue
            if key and not re.search(r"\d", key):
                known = "、".join(k for k in _FILTER_KEYS if not k.isascii())
                raise QueryError(f"未知的筛选条件“{key}:”，可用：{known}（如 届:17、年:2024、类型:审议意见）")
        clause = _clause(kind.lstrip("-"), value)
        if clause is None:
            if pending_or:
                raise QueryError(f"OR 后面的“{value}”中没有可检索的文字")
            continue
        if kind.startswith("-"):
            if pending_or:
                raise QueryError("OR 后面不能直接写排除词（-词语）")
            excluded.append(clause)
        elif pending_or:
            groups[-1].append(clause)
            pending_or = False
        else:
            groups.append([clause])
    if pending_or:
        raise QueryError("检索式以 OR 结尾，OR 后面缺少检索词")
    if not groups and filters == Filters():
        if excluded:
            raise QueryError("只有排除词（-词语），请至少给出一个要查找的词或筛选条件（如 届:17）")
        raise QueryError("检索式为空，请输入要查找的词")
    return Query(tuple(tuple(g) for g in groups), tuple(excluded), filters)


def _clause(kind: str, value: str) -> Clause | None:
    if kind == "phrase":
        return Phrase(value)
    key = parse_sitting(value)
    if key:
        return Sitting(key, value)
    numbered = parse_termless_sitting(value)
    if numbered:
        return SittingNumber(numbered[0], numbered[1], value)
    if not runs(value):
        return None
    return Words(value)


# -- the plan the engines execute ---------------------------------------------------


@dataclass(frozen=True)
class TermQ:
    field: str
    value: str
    boost: float = 1.0


@dataclass(frozen=True)
class PhraseQ:
    field: str
    tokens: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class PrefixQ:
    field: str
    prefix: str


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class AllOf:
    items: tuple[Node, ...]
    optional: tuple[Node, ...] = ()  # add to the score, not required


Node = TermQ | PhraseQ | PrefixQ | AnyOf | AllOf


@dataclass(frozen=True)
class Plan:
    """What to match (``must``), what must not match, and filters, in the index's own field names."""

    must: Node
    must_not: tuple[Node, ...]
    filters: Filters
    max_rank: int


TITLE_BOOST = 3.0


DEFAULT_TERMS = tuple(range(1, 21))  # the terms a sitting without its term is looked up in, when not told


def plan_query(query: Query, analyzer: Analyzer, max_rank: int, terms: tuple[int, ...] = ()) -> Plan:
    """``terms``: the terms the index holds sittings of (for a sitting named without its term)."""
    if query.filters.term is not None:
        terms = (query.filters.term,)
    terms = terms or DEFAULT_TERMS
    groups = [AnyOf(tuple(_clause_node(c, analyzer, terms) for c in g)) for g in query.groups]
    must: Node = AllOf(tuple(groups)) if groups else AllOf(())
    return Plan(must, tuple(_clause_node(c, analyzer, terms) for c in query.excluded), query.filters, max_rank)


# A sitting named without its term: the minutes of that sitting in every term rank first, the standing
# committee's before the 主任会议 (unless the kind was named), the newer term before the older; then
# what mentions the sitting.  The boosts leave each term one step: far above any BM25 difference
# between two minutes' one-key matches.
_OWN_BOOST = {None: 200.0, DIRECTORS: 100.0}


def _sitting_number_node(clause: SittingNumber, terms: tuple[int, ...]) -> Node:
    number = chinese_number(clause.number)
    standing = clause.kind != DIRECTORS
    directors = clause.kind in (None, DIRECTORS)
    items: list[Node] = []
    for term in sorted(set(terms), reverse=True):
        key = f"{term}-{clause.number}"
        if standing:
            items.append(TermQ("sittings", OWN_SITTING + key, _OWN_BOOST[None] + 2 * term))
            items.append(TermQ("sittings", key))
        if directors:
            items.append(TermQ("sittings", OWN_DIRECTORS + key, _OWN_BOOST[DIRECTORS] + 2 * term))
    # a text that names the sitting without its term (提请第十二次会议审议)
    items.append(_substring(f"第{number}次{clause.kind or '会议'}", 0.5))
    return AnyOf(tuple(items))


def _substring(text: str, boost: float = 1.0, field: str = "chars") -> Node:
    """Every run of ``text`` occurs (as bigram phrases); single characters through a prefix."""
    nodes: list[Node] = []
    for run in runs(text):
        if len(run) == 1:
            nodes.append(AnyOf((TermQ(field, run, boost), PrefixQ(field, run))))
        else:
            nodes.append(PhraseQ(field, tuple(char_phrase(run)), boost))
    return nodes[0] if len(nodes) == 1 else AllOf(tuple(nodes))


def _clause_node(clause: Clause, analyzer: Analyzer, terms: tuple[int, ...] = DEFAULT_TERMS) -> Node:
    if isinstance(clause, SittingNumber):
        return _sitting_number_node(clause, terms)
    if isinstance(clause, Sitting):
        # the sitting's own minutes first, then what mentions it
        return AnyOf((TermQ("sittings", clause.key), TermQ("sittings", OWN_SITTING + clause.key, TITLE_BOOST)))
    if isinstance(clause, Phrase):
        text = fold(clause.text).strip()
        if analyzer.is_dictionary_word(text):
            # indexed wherever it occurs (full mode): the word is the exact phrase, one term to look up
            return AnyOf((TermQ("title", text, TITLE_BOOST), TermQ("words", text)))
        return _substring(clause.text)
    typed = words = analyzer.query_words(clause.text)
    if any(len(w) > 1 for w in words):
        # A character the segmenter left alone beside longer words (水 in 水环境治理) is not a search
        # term of its own: matched anywhere it would match most records.  The words in the order
        # typed still rank first (below).
        words = [w for w in words if len(w) > 1]
    required: list[Node] = []
    for word in words:
        alternatives: tuple[Node, ...] = (TermQ("title", word, TITLE_BOOST), TermQ("words", word))
        if len(word) == 1 or not analyzer.is_known_word(word):
            # Names, places, words the segmenter made up, single characters: the character bigrams
            # find them wherever they occur.  A dictionary word is indexed wherever it occurs (full mode), so the word
            # fields suffice for it (and are much faster).
            alternatives += (_substring(word),)
        required.append(AnyOf(alternatives))
    optional: tuple[Node, ...] = ()
    if len(typed) > 1 and len(runs(fold(clause.text))) == 1:
        # the words in the order typed score higher than the same words apart
        optional = (_substring(fold(clause.text), 2.0),)
    if len(required) == 1 and not optional:
        return required[0]
    return AllOf(tuple(required), optional)


def needles_of(query: Query, analyzer: Analyzer) -> list[str]:
    """The texts a snippet should mark: phrases as typed, unquoted text and each of its words."""
    out: list[str] = []
    for group in query.groups:
        for clause in group:
            if isinstance(clause, Phrase):
                out.extend(runs(clause.text))
            elif isinstance(clause, Words):
                out.extend([*runs(clause.text), *analyzer.query_words(clause.text)])
            elif isinstance(clause, SittingNumber):
                out.append(f"第{chinese_number(clause.number)}次{clause.kind or '会议'}")
            else:
                out.extend(sitting_names(clause.key))
    return out


def with_filters(query: Query, filters: Filters) -> Query:
    return replace(query, filters=query.filters.merged(filters))
