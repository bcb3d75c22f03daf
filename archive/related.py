"""The same problem across terms: the records that raise what a record raises, and how the earlier ones ended.

A record's *key phrases* are the dictionary words of its problems and recommendations (an inspection's
report, a 述职's suggestions, or else its body), weighted by TF-IDF against every record of the workspace
(a word most records use — 工作, 审议意见, 常委会 — weighs little).  Two records are related when the cosine
of their key-phrase weights reaches :data:`THRESHOLD`; the phrases they share say why.  Opinions carry how
they ended (answered on time or late, the 满意度测评 and its votes) from :mod:`archive.followup`.

Only what the clearance admits is read: a record above it is neither a subject nor a result, nor counted in
the weights.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .catalog import Catalog
from .clearance import Clearance
from .errors import ArchiveError
from .followup import OpinionFollowUp, track_opinions
from .records import Deputy, Record
from .schema import TYPE_LABELS

# Records that raise problems; meetings (which name every subject of a sitting), deputies and letters
# (which quote the opinion they chase) are not listed.
TOPICAL = ("opinion", "inspection", "deputy_report", "document")
CONTENT_KEYS = ("problems", "recommendations", "suggestions", "report", "findings", "body", "law")
KEY_PHRASES = 20  # the heaviest words of a record that stand for it
THRESHOLD = 0.1  # cosine of two records' key-phrase weights from which they are related
SHOWN_SHARED = 6  # shared key phrases shown per related record
COMMON = 0.25  # a word in more than this share of the problem-raising records is not a key phrase
_HAN = re.compile("[\u4e00-\u9fff]")
WORDS_VERSION = 1  # bumped when content_of or _words change: the remembered word counts are then recounted


class RelatedError(ArchiveError):
    """The record asked about does not exist or is above the clearance."""


@dataclass(frozen=True)
class Outcome:
    """How an opinion ended, as far as the follow-up knows."""

    status: str  # the follow-up's status label: 已测评, 已逾期, …
    first_on_time: bool | None
    evaluation: str | None
    votes: tuple[int, int, int] | None

    def text(self) -> str:
        parts = [self.status]
        if self.first_on_time is not None:
            parts.append("按期报告" if self.first_on_time else "逾期报告")
        if self.evaluation:
            votes = f"（满意 {self.votes[0]}，基本满意 {self.votes[1]}，不满意 {self.votes[2]}）" if self.votes else ""
            parts.append(f"满意度测评：{self.evaluation}{votes}")
        return "，".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "first_on_time": self.first_on_time,
            "evaluation": self.evaluation,
            "votes": dict(zip(("满意", "基本满意", "不满意"), self.votes, strict=True)) if self.votes else None,
        }


@dataclass(frozen=True)
class RelatedRecord:
    id: str
    type: str
    title: str
    term: int | None
    date: dt.date | None
    score: float
    shared: tuple[str, ...]
    outcome: Outcome | None = None

    @property
    def kind(self) -> str:
        return TYPE_LABELS.get(self.type, self.type)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "kind": self.kind,
            "title": self.title,
            "term": self.term,
            "date": self.date.isoformat() if self.date else None,
            "score": round(self.score, 4),
            "shared": list(self.shared),
            "outcome": self.outcome.as_dict() if self.outcome else None,
        }


@dataclass(frozen=True)
class Thread:
    """Records on one problem spanning two or more years, oldest first."""

    phrases: tuple[str, ...]
    records: tuple[RelatedRecord, ...]

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({r.date.year for r in self.records if r.date}))

    def as_dict(self) -> dict[str, Any]:
        return {
            "phrases": list(self.phrases),
            "years": list(self.years),
            "records": [r.as_dict() for r in self.records],
        }


@dataclass
class _Vectors:
    """Key-phrase weights of every topical record the clearance admits."""

    records: dict[str, Record]
    weights: dict[str, dict[str, float]]
    outcomes: dict[str, Outcome] = field(default_factory=dict)


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def content_of(record: Record) -> str:
    """The text a record's problems are read from: problems and recommendations, or else its body."""
    parts = [s for key in CONTENT_KEYS for s in _strings(record.data.get(key))]
    return "\n".join(parts) if parts else "\n".join(_strings(record.data))


def _words(text: str, analyzer: Any) -> Counter[str]:
    return Counter(w for w, _, _ in analyzer.word_tokens(text) if len(w) >= 2 and _HAN.search(w))


def _counted(catalog: Catalog, topical: Mapping[str, Record], analyzer: Any) -> dict[str, Counter[str]]:
    """Each record's words (:func:`_words` of :func:`content_of`), segmented once per text and remembered in
    the workspace's ``.renda/related/``; records above the workspace's own level are never written there."""
    from .search.wordcache import cached_counts

    workspace_level = Clearance.of(catalog.workspace.config)
    return cached_counts(
        catalog.workspace.root,
        "words",
        f"{analyzer.fingerprint} words-{WORDS_VERSION}",
        {rid: content_of(record) for rid, record in topical.items()},
        lambda text: _words(text, analyzer),
        lambda rid: workspace_level.admits(topical[rid]),
    )


_ORDINAL = re.compile("^第.*[届次号]$|^[〇一二三四五六七八九十百千]+[届次年月日]?$")


def _own_names(records: Sequence[Record]) -> list[str]:
    """Deputies' names and the places of their constituencies: who and where, not what the problem is
    (one deputy's two 述职 share them whatever they raise)."""
    from .search.analysis import place_names

    deputies = [r for r in records if isinstance(r, Deputy)]
    texts = [t.constituency for d in deputies for t in d.terms] + [
        t.delegation for d in deputies for t in d.terms if t.delegation
    ]
    return [*(d.name for d in deputies), *place_names(texts)]


def _vectors(catalog: Catalog, clearance: Clearance) -> _Vectors:
    from .search.analysis import Analyzer

    analyzer = Analyzer()
    admitted = [r for r in catalog.records if clearance.admits(r)]
    topical = {r.id: r for r in admitted if r.type in TOPICAL}
    # document frequency over the records that raise problems, so the words of a form (选民, 审议意见,
    # 常委会组成人员) and of every report (工作, 机制) weigh little
    texts = _counted(catalog, topical, analyzer)
    df: Counter[str] = Counter()
    for tf in texts.values():
        df.update(tf.keys())
    n = len(texts)
    # every piece of a name or place, so "inside a name" is one set lookup (a scan of thousands of names
    # for every word of every record was most of the time at 5,000 records)
    own = {name[i:j] for name in _own_names(admitted) for i in range(len(name)) for j in range(i + 1, len(name) + 1)}
    weights: dict[str, dict[str, float]] = {}
    for rid, tf in texts.items():
        scored = {
            w: (1 + math.log(c)) * math.log((n + 1) / (df[w] + 1))
            for w, c in tf.items()
            if df[w] <= max(2, COMMON * n) and not _ORDINAL.match(w) and w not in own
        }
        top = sorted(scored.items(), key=lambda item: (-item[1], item[0]))[:KEY_PHRASES]
        norm = math.sqrt(sum(v * v for _, v in top)) or 1.0
        weights[rid] = {w: v / norm for w, v in top}
    vectors = _Vectors(topical, weights)
    kinds = {r.type for r in topical.values()}
    if kinds & set(OUTCOMES):
        screened, _ = clearance.screen_catalog(catalog)
        for kind in sorted(kinds & set(OUTCOMES)):
            vectors.outcomes.update(OUTCOMES[kind](screened))
    return vectors


def _similarity(a: Mapping[str, float], b: Mapping[str, float]) -> tuple[float, tuple[str, ...]]:
    shared = sorted((w for w in a if w in b), key=lambda w: (-(a[w] * b[w]), w))
    return sum(a[w] * b[w] for w in shared), tuple(_distinct(shared)[:SHOWN_SHARED])


def _distinct(words: Sequence[str]) -> list[str]:
    """Words in order, leaving out those inside another of them (老旧小区 hides 小区, 未成年人 hides 成年)."""
    return [w for w in words if not any(w != other and w in other for other in words)]


def _outcome(item: OpinionFollowUp) -> Outcome:
    current = item.current
    return Outcome(
        item.status.label,
        item.first_on_time,
        current.evaluation if current else None,
        current.votes if current else None,
    )


def _opinion_outcomes(screened: Catalog) -> dict[str, Outcome]:
    return {item.id: _outcome(item) for item in track_opinions(screened).items}


# How the records of a type ended, by id, from the catalog the clearance admits: the hook for a type whose
# outcome is followed (the 代表建议 / suggestion kind to come adds its function here and its type to TOPICAL).
OUTCOMES: dict[str, Callable[[Catalog], dict[str, Outcome]]] = {"opinion": _opinion_outcomes}


def _entry(vectors: _Vectors, rid: str, score: float, shared: tuple[str, ...]) -> RelatedRecord:
    record = vectors.records[rid]
    return RelatedRecord(
        record.id,
        record.type,
        record.title,
        record.term,
        record.date,
        score,
        shared,
        vectors.outcomes.get(rid),
    )


def _oldest_first(entry: RelatedRecord) -> tuple[dt.date, str]:
    return (entry.date or dt.date.min, entry.id)


def related_records(catalog: Catalog, record_id: str, clearance: Clearance, limit: int = 5) -> list[RelatedRecord]:
    """The (at most ``limit``) records most related to ``record_id``, oldest first."""
    return RelatedIndex(catalog, clearance).related(record_id, limit)


class RelatedIndex:
    """The key-phrase weights of a catalog at one clearance, computed once and asked many times (the web
    platform keeps one per catalog and level: a record page then costs one pass over the weights)."""

    def __init__(self, catalog: Catalog, clearance: Clearance) -> None:
        self.catalog = catalog
        self.clearance = clearance
        self._vectors: _Vectors | None = None

    def related(
        self, record_id: str, limit: int = 5, admit: Callable[[Record], bool] | None = None
    ) -> list[RelatedRecord]:
        """As :func:`related_records`; ``admit`` narrows further what may be the subject or a result (a web
        viewer's scope)."""
        if limit < 1:
            raise RelatedError("--limit 应为正整数")
        subject = self.catalog.by_id().get(record_id)
        if subject is None or not self.clearance.admits(subject) or (admit is not None and not admit(subject)):
            # a record above the clearance is not admitted to exist here (the same message as a missing one)
            raise RelatedError(f"没有编号为“{record_id}”的记录")
        if subject.type not in TOPICAL:
            kinds = "、".join(TYPE_LABELS[t] for t in TOPICAL)
            raise RelatedError(
                f"记录“{record_id}”是{TYPE_LABELS.get(subject.type, subject.type)}，只能查找{kinds}的相关记录"
            )
        if self._vectors is None:
            self._vectors = _vectors(self.catalog, self.clearance)
        vectors = self._vectors
        mine = vectors.weights[record_id]
        found = []
        for rid, theirs in vectors.weights.items():
            if rid == record_id or (admit is not None and not admit(vectors.records[rid])):
                continue
            score, shared = _similarity(mine, theirs)
            if score >= THRESHOLD:
                found.append(_entry(vectors, rid, score, shared))
        best = sorted(found, key=lambda e: (-e.score, e.id))[:limit]
        return sorted(best, key=_oldest_first)


def _pair_scores(weights: Mapping[str, Mapping[str, float]]) -> dict[tuple[str, str], float]:
    """The similarity of every two records that share a key phrase, both ways round; two records sharing
    none score 0 and are left out (at 5,000 records, most pairs: scoring them all took most of the time)."""
    holders: dict[str, list[str]] = {}
    for rid in sorted(weights):
        for word in weights[rid]:
            holders.setdefault(word, []).append(rid)
    pairs = {(a, b) for rids in holders.values() for i, a in enumerate(rids) for b in rids[i + 1 :]}
    score: dict[tuple[str, str], float] = {}
    for a, b in pairs:
        mine, theirs = weights[a], weights[b]
        # summed largest first, as _similarity does, so both give the same figure to the last bit
        score[a, b] = score[b, a] = sum(sorted((v * theirs[w] for w, v in mine.items() if w in theirs), reverse=True))
    return score


def recurring_threads(
    catalog: Catalog, clearance: Clearance, year: int | None = None, *, final_only: bool = False
) -> list[Thread]:
    """Groups of related records spanning two or more years (candidates for 重点督办), oldest thread first;
    with ``year``, only the threads with a record of that year.  With ``final_only`` (the annual statistics,
    which count what was issued), drafts still link a thread but are not listed, nor count for its years."""
    vectors = _vectors(catalog, clearance)
    ids = sorted(vectors.weights)
    score = _pair_scores(vectors.weights)
    # Average linkage: two groups join when their records are related on average, so a record that
    # touches two problems (a 述职 on 物业纠纷 and 未成年人保护) does not chain them into one thread.
    cluster = {rid: [rid] for rid in ids}
    linked = sorted((p for p in score if p[0] < p[1] and score[p] >= THRESHOLD), key=lambda p: (-score[p], p))
    for a, b in linked:
        left, right = cluster[a], cluster[b]
        if left is right:
            continue
        if sum(score.get((x, y), 0.0) for x in left for y in right) / (len(left) * len(right)) < THRESHOLD:
            continue
        left.extend(right)
        for rid in right:
            cluster[rid] = left
    groups = {id(c): c for c in cluster.values() if len(c) > 1}.values()
    links = {rid: max((score.get((rid, o), 0.0) for o in cluster[rid] if o != rid), default=0.0) for rid in ids}
    threads = []
    for group in groups:
        members = [m for m in group if vectors.records[m].is_final] if final_only else group
        years = {vectors.records[m].date.year for m in members if vectors.records[m].date}  # type: ignore[union-attr]
        if len(years) < 2 or (year is not None and year not in years):
            continue
        # phrases that at least two members hold, heaviest over the thread first
        total: dict[str, float] = {}
        held: Counter[str] = Counter()
        for m in members:
            for w, v in vectors.weights[m].items():
                total[w] = total.get(w, 0.0) + v
                held[w] += 1
        phrases = tuple(
            _distinct([w for w, _ in sorted(total.items(), key=lambda i: (-i[1], i[0])) if held[w] >= 2])[:SHOWN_SHARED]
        )
        entries = [_entry(vectors, m, links[m], tuple(w for w in phrases if w in vectors.weights[m])) for m in members]
        threads.append(Thread(phrases, tuple(sorted(entries, key=_oldest_first))))
    return sorted(threads, key=lambda t: _oldest_first(t.records[0]))
