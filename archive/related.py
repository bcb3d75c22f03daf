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
    outcomes: dict[str, OpinionFollowUp] = field(default_factory=dict)


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
    texts = {rid: _words(content_of(record), analyzer) for rid, record in topical.items()}
    df: Counter[str] = Counter()
    for tf in texts.values():
        df.update(tf.keys())
    n = len(texts)
    own = _own_names(admitted)
    weights: dict[str, dict[str, float]] = {}
    for rid, tf in texts.items():
        scored = {
            w: (1 + math.log(c)) * math.log((n + 1) / (df[w] + 1))
            for w, c in tf.items()
            if df[w] <= max(2, COMMON * n) and not _ORDINAL.match(w) and not any(w in name for name in own)
        }
        top = sorted(scored.items(), key=lambda item: (-item[1], item[0]))[:KEY_PHRASES]
        norm = math.sqrt(sum(v * v for _, v in top)) or 1.0
        weights[rid] = {w: v / norm for w, v in top}
    vectors = _Vectors(topical, weights)
    if any(r.type == "opinion" for r in topical.values()):
        screened, _ = clearance.screen_catalog(catalog)
        vectors.outcomes = {item.id: item for item in track_opinions(screened).items}
    return vectors


def _similarity(a: Mapping[str, float], b: Mapping[str, float]) -> tuple[float, tuple[str, ...]]:
    shared = sorted((w for w in a if w in b), key=lambda w: (-(a[w] * b[w]), w))
    return sum(a[w] * b[w] for w in shared), tuple(_distinct(shared)[:SHOWN_SHARED])


def _distinct(words: Sequence[str]) -> list[str]:
    """Words in order, leaving out those inside another of them (老旧小区 hides 小区, 未成年人 hides 成年)."""
    return [w for w in words if not any(w != other and w in other for other in words)]


def _outcome(item: OpinionFollowUp | None) -> Outcome | None:
    if item is None:
        return None
    current = item.current
    return Outcome(
        item.status.label,
        item.first_on_time,
        current.evaluation if current else None,
        current.votes if current else None,
    )


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
        _outcome(vectors.outcomes.get(rid)),
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


def recurring_threads(catalog: Catalog, clearance: Clearance, year: int | None = None) -> list[Thread]:
    """Groups of related records spanning two or more years (candidates for 重点督办), oldest thread first;
    with ``year``, only the threads with a record of that year."""
    vectors = _vectors(catalog, clearance)
    ids = sorted(vectors.weights)
    score = {}
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            score[a, b] = score[b, a] = _similarity(vectors.weights[a], vectors.weights[b])[0]
    # Average linkage: two groups join when their records are related on average, so a record that
    # touches two problems (a 述职 on 物业纠纷 and 未成年人保护) does not chain them into one thread.
    cluster = {rid: [rid] for rid in ids}
    for a, b in sorted((p for p in score if p[0] < p[1] and score[p] >= THRESHOLD), key=lambda p: -score[p]):
        left, right = cluster[a], cluster[b]
        if left is right:
            continue
        if sum(score[x, y] for x in left for y in right) / (len(left) * len(right)) < THRESHOLD:
            continue
        left.extend(right)
        for rid in right:
            cluster[rid] = left
    groups = {id(c): c for c in cluster.values() if len(c) > 1}.values()
    links = {rid: max((score[rid, o] for o in cluster[rid] if o != rid), default=0.0) for rid in ids}
    threads = []
    for members in groups:
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
