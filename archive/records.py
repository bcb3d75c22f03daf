"""The record model: frozen dataclasses built from schema-valid YAML data.

Parsing is pure (:func:`parse_record` takes data and a source name); reading
files and checking them belongs to :mod:`archive.catalog`.
"""

from __future__ import annotations

import copyreg
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

CLASSIFICATIONS: tuple[str, ...] = ("公开", "内部", "秘密", "机密")
HEADING_KEYS: Mapping[str, int] = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}


def classification_rank(level: str) -> int:
    """0 for 公开 up to 3 for 机密: higher is more secret."""
    return CLASSIFICATIONS.index(level)


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


@dataclass(frozen=True)
class Block:
    """A paragraph (level 0) or a heading of level 1–4 (一、 （一） 1. （1）)."""

    level: int
    text: str


def parse_body(items: Sequence[Any] | None) -> tuple[Block, ...]:
    blocks = []
    for item in items or ():
        if isinstance(item, str):
            blocks.append(Block(0, item))
        else:
            ((key, text),) = item.items()
            blocks.append(Block(HEADING_KEYS[key], text))
    return tuple(blocks)


@dataclass(frozen=True)
class Attachment:
    """One 附件: its name, and its text when it is printed after the body."""

    title: str
    file: str | None = None
    body: tuple[Block, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Record:
    """What every record has (the envelope of ``common.yaml``).  ``data`` is the full validated mapping,
    read-only: for walks over every value (placeholders, search text); fields are read through attributes."""

    id: str
    type: str
    source: str
    title: str
    term: int | None = None
    date: dt.date | None = None
    doc_number: str | None = None
    classification: str = "公开"
    status: str = "final"
    retention: str | None = None
    organ: str | None = None
    copy_number: str | None = None
    secrecy_period: str | None = None
    urgency: str | None = None
    archive_title: str | None = None
    signatory: str | None = None
    issuer: str | None = None
    sealed: bool = True
    note: str | None = None
    attachments: tuple[Attachment, ...] = ()
    cc: tuple[str, ...] = ()
    print_date: dt.date | None = None
    data: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_final(self) -> bool:
        return self.status == "final"

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    def summary(self) -> dict[str, Any]:
        """The row `renda list --json` prints."""
        return {
            "id": self.id,
            "type": self.type,
            "term": self.term,
            "date": self.date.isoformat() if self.date else None,
            "title": self.title,
            "status": self.status,
            "classification": self.classification,
            "source": self.source,
        }


@dataclass(frozen=True)
class Vote:
    for_: int
    against: int
    abstain: int

    @property
    def total(self) -> int:
        return self.for_ + self.against + self.abstain


@dataclass(frozen=True)
class AgendaItem:
    item: str
    action: str
    reporter: str | None = None
    reporter_kind: str | None = None
    vote: Vote | None = None
    result: str | None = None


@dataclass(frozen=True)
class Leave:
    deputy: str
    reason: str


@dataclass(frozen=True)
class Attendance:
    present: tuple[str, ...] = ()
    on_leave: tuple[Leave, ...] = ()
    absent: tuple[str, ...] = ()
    nonvoting: tuple[str, ...] = ()
    recorded: bool = False


@dataclass(frozen=True)
class Resolution:
    """A 决议 or 决定 a meeting passed, printed as its own document."""

    kind: str
    title: str
    body: tuple[Block, ...] = ()
    doc_number: str | None = None


@dataclass(frozen=True, kw_only=True)
class Meeting(Record):
    kind: str
    sitting: int
    issue_number: int | None = None
    place: str | None = None
    presiding: str | None = None
    agenda: tuple[AgendaItem, ...] = ()
    decisions: tuple[str, ...] = ()
    attendance: Attendance = Attendance()
    body: tuple[Block, ...] = ()
    resolutions: tuple[Resolution, ...] = ()


@dataclass(frozen=True)
class Evaluation:
    date: dt.date
    satisfied: int
    basically_satisfied: int
    unsatisfied: int
    result: str
    meeting: str | None = None

    @property
    def votes(self) -> int:
        return self.satisfied + self.basically_satisfied + self.unsatisfied


@dataclass(frozen=True)
class HandlingReport:
    received: dt.date
    title: str | None = None
    doc_number: str | None = None
    evaluation: Evaluation | None = None
    file: str | None = None  # the report's PDF in the workspace (submitted through the web platform)
    sha256: str | None = None


@dataclass(frozen=True)
class FollowUp:
    assigned: dt.date | None = None
    plan_received: dt.date | None = None
    reports: tuple[HandlingReport, ...] = ()
    pending: int = 0  # reports an organ submitted on the platform that the office has not yet confirmed


def report_subject(title: str, organ: str) -> str:
    """关于区人民法院执行工作情况的报告 (by 区人民法院) → 区人民法院执行工作情况报告: how a title names the report."""
    subject = title.removeprefix("关于")
    if subject.endswith("的报告"):
        subject = subject[: -len("的报告")] + "报告"
    return subject if subject.startswith(organ) else organ + subject


ORGAN_KINDS = {"人民政府": "政府", "监察委员会": "监察委员会", "人民法院": "法院", "人民检察院": "检察院"}


def organ_kind_of(organ: str) -> str | None:
    """政府、监察委员会、法院 or 检察院 for a reporting organ's name (区人民法院 → 法院), if it is one of them."""
    return next((kind for suffix, kind in ORGAN_KINDS.items() if organ.endswith(suffix)), None)


@dataclass(frozen=True)
class Recommendation:
    title: str
    text: str


@dataclass(frozen=True, kw_only=True)
class Opinion(Record):
    """An opinion's text is either the three parts (assessment, problems, recommendations) or one ``body``."""

    meeting: str
    report_title: str
    report_organ: str
    report_organ_kind: str
    report_reporter: str | None = None
    addressee: str
    format: str | None = None  # 文件格式 / 信函格式; None: as renda.yaml says
    assessment: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    body: tuple[Block, ...] = ()
    deadline: dt.date | None = None
    follow_up: FollowUp = FollowUp()


@dataclass(frozen=True)
class InspectionReport:
    """The parts of an 执法检查报告 (``intro`` optional, the other four required)."""

    intro: tuple[Block, ...] = ()
    implementation: tuple[Block, ...] = ()
    problems: tuple[Block, ...] = ()
    enforcement_suggestions: tuple[Block, ...] = ()
    amendment_suggestions: tuple[Block, ...] = ()

    def part(self, key: str) -> tuple[Block, ...]:
        """A part by its schema key."""
        parts = {
            "intro": self.intro,
            "implementation": self.implementation,
            "problems": self.problems,
            "enforcement_suggestions": self.enforcement_suggestions,
            "amendment_suggestions": self.amendment_suggestions,
        }
        return parts[key]


@dataclass(frozen=True, kw_only=True)
class Inspection(Record):
    law: str
    period_start: dt.date
    period_end: dt.date
    leader: str
    members: tuple[str, ...]
    meeting: str | None = None
    visit_dates: tuple[dt.date, ...] = ()
    report: InspectionReport = InspectionReport()


@dataclass(frozen=True)
class Suggestion:
    """A 议案 or 建议 a deputy reports having made."""

    kind: str
    title: str
    date: dt.date | None = None


@dataclass(frozen=True)
class VoterEvaluation:
    """The voters' 评议 of a deputy's report; the counts only when it was a vote."""

    method: str
    result: str
    participants: int | None = None
    satisfied: int | None = None
    basically_satisfied: int | None = None
    unsatisfied: int | None = None
    comments: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DeputyReport(Record):
    deputy: str
    constituency: str
    place: str
    voters_present: int | None = None
    body: tuple[Block, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    evaluation: VoterEvaluation | None = None


@dataclass(frozen=True)
class TermService:
    """One 届 served by a deputy; ``start``/``end`` only when not the whole term."""

    term: int
    constituency: str
    delegation: str | None = None
    roles: tuple[str, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None
    end_reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class Deputy(Record):
    name: str
    gender: str
    ethnicity: str | None = None
    birth: str | None = None  # YYYY-MM
    party: str | None = None
    occupation: str | None = None
    terms: tuple[TermService, ...] = ()

    def service(self, term: int) -> TermService | None:
        for service in self.terms:
            if service.term == term:
                return service
        return None


@dataclass(frozen=True)
class SourceFile:
    """The PDF a document was imported from, kept beside its record."""

    file: str
    sha256: str
    original_name: str | None = None
    pages: int | None = None


@dataclass(frozen=True, kw_only=True)
class Document(Record):
    """A document made outside renda (usually imported from PDF)."""

    issuer: str
    body: tuple[Block, ...] = ()
    source_file: SourceFile | None = None


@dataclass(frozen=True, kw_only=True)
class Letter(Record):
    """A letter of the office (a 催办函 of an opinion, or of an organ's overdue suggestions), in 信函格式."""

    kind: str
    addressee: str
    opinion: str | None = None
    suggestions: tuple[str, ...] = ()  # the suggestions and motions a 催办函 to one organ is about
    body: tuple[Block, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Report(Record):
    """A report to the standing committee (the annual report on how deputies' suggestions were handled)."""

    kind: str
    body: tuple[Block, ...] = ()
    year_reported: int | None = None
    meeting: str | None = None
    reporter: str | None = None


def _view(data: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(data)


def _pickle_view(view: MappingProxyType[str, Any]) -> tuple[Any, tuple[dict[str, Any]]]:
    return _view, (dict(view),)


copyreg.pickle(MappingProxyType, _pickle_view)  # records cross process boundaries (parallel index builds)


def _envelope(data: Mapping[str, Any], source: str) -> dict[str, Any]:
    return {
        "id": data["id"],
        "type": data["type"],
        "source": source,
        "title": data.get("title", ""),
        "term": data.get("term"),
        "date": _date(data.get("date")),
        "doc_number": data.get("doc_number"),
        "classification": data.get("classification", "公开"),
        "status": data.get("status", "final"),
        "retention": data.get("retention"),
        "organ": data.get("organ"),
        "copy_number": data.get("copy_number"),
        "secrecy_period": data.get("secrecy_period"),
        "urgency": data.get("urgency"),
        "archive_title": data.get("archive_title"),
        "signatory": data.get("signatory"),
        "issuer": data.get("issuer"),
        "sealed": data.get("sealed", True),
        "note": data.get("note"),
        "attachments": tuple(
            Attachment(a["title"], a.get("file"), parse_body(a.get("body"))) for a in data.get("attachments") or ()
        ),
        "cc": tuple(data.get("cc") or ()),
        "print_date": _date(data.get("print_date")),
        "data": MappingProxyType(data),
    }


def envelope_fields(data: Mapping[str, Any], source: str) -> dict[str, Any]:
    """The fields every record has, from schema-valid data (for record types parsed elsewhere)."""
    return _envelope(data, source)


def _vote(raw: Mapping[str, int] | None) -> Vote | None:
    return Vote(raw["for"], raw["against"], raw["abstain"]) if raw else None


def _evaluation(raw: Mapping[str, Any] | None) -> Evaluation | None:
    if not raw:
        return None
    return Evaluation(
        _date(raw["date"]) or dt.date.min,
        raw["satisfied"],
        raw["basically_satisfied"],
        raw["unsatisfied"],
        raw["result"],
        raw.get("meeting"),
    )


def _meeting(data: Mapping[str, Any], base: dict[str, Any]) -> Meeting:
    att = data.get("attendance")
    attendance = Attendance(
        present=tuple((att or {}).get("present", ())),
        on_leave=tuple(Leave(x["deputy"], x["reason"]) for x in (att or {}).get("absent_on_leave", ())),
        absent=tuple((att or {}).get("absent", ())),
        nonvoting=tuple((att or {}).get("nonvoting", ())),
        recorded=att is not None,
    )
    agenda = tuple(
        AgendaItem(
            a["item"], a["action"], a.get("reporter"), a.get("reporter_kind"), _vote(a.get("vote")), a.get("result")
        )
        for a in data.get("agenda", ())
    )
    resolutions = tuple(
        Resolution(r["kind"], r["title"], parse_body(r.get("body")), r.get("doc_number"))
        for r in data.get("resolutions") or ()
    )
    return Meeting(
        **base,
        kind=data["kind"],
        sitting=data["sitting"],
        issue_number=data.get("issue_number"),
        place=data.get("place"),
        presiding=data.get("presiding"),
        agenda=agenda,
        decisions=tuple(data.get("decisions", ())),
        attendance=attendance,
        body=parse_body(data.get("body")),
        resolutions=resolutions,
    )


def _opinion(data: Mapping[str, Any], base: dict[str, Any]) -> Opinion:
    follow = data.get("follow_up") or {}
    reports = tuple(
        HandlingReport(
            _date(r["received"]) or dt.date.min,
            r.get("title"),
            r.get("doc_number"),
            _evaluation(r.get("evaluation")),
            r.get("file"),
            r.get("sha256"),
        )
        for r in follow.get("reports", ())
    )
    pending = len(follow.get("submissions") or ())
    report = data["report"]
    return Opinion(
        **base,
        meeting=data["meeting"],
        report_title=report["title"],
        report_organ=report["organ"],
        report_organ_kind=report["organ_kind"],
        report_reporter=report.get("reporter"),
        addressee=data["addressee"],
        format=data.get("format"),
        assessment=tuple(data.get("assessment") or ()),
        problems=tuple(data.get("problems") or ()),
        recommendations=tuple(Recommendation(r["title"], r["text"]) for r in data.get("recommendations") or ()),
        body=parse_body(data.get("body")),
        deadline=_date(data.get("deadline")),
        follow_up=FollowUp(_date(follow.get("assigned")), _date(follow.get("plan_received")), reports, pending),
    )


def _inspection(data: Mapping[str, Any], base: dict[str, Any]) -> Inspection:
    report = data.get("report") or {}
    return Inspection(
        **base,
        law=data["law"],
        period_start=_date(data["period"]["start"]) or dt.date.min,
        period_end=_date(data["period"]["end"]) or dt.date.min,
        leader=data["leader"],
        members=tuple(data["members"]),
        meeting=data.get("meeting"),
        visit_dates=tuple(_date(v["date"]) or dt.date.min for v in data.get("visits", ())),
        report=InspectionReport(*(parse_body(report.get(key)) for key in _INSPECTION_PARTS)),
    )


_INSPECTION_PARTS = ("intro", "implementation", "problems", "enforcement_suggestions", "amendment_suggestions")


def _deputy_report(data: Mapping[str, Any], base: dict[str, Any]) -> DeputyReport:
    ev = data.get("evaluation")
    evaluation = (
        VoterEvaluation(
            ev["method"],
            ev["result"],
            ev.get("participants"),
            ev.get("satisfied"),
            ev.get("basically_satisfied"),
            ev.get("unsatisfied"),
            tuple(ev.get("comments") or ()),
        )
        if ev
        else None
    )
    return DeputyReport(
        **base,
        deputy=data["deputy"],
        constituency=data["constituency"],
        place=data["place"],
        voters_present=data.get("voters_present"),
        body=parse_body(data.get("body")),
        suggestions=tuple(
            Suggestion(s["kind"], s["title"], _date(s.get("date"))) for s in data.get("suggestions") or ()
        ),
        evaluation=evaluation,
    )


def _deputy(data: Mapping[str, Any], base: dict[str, Any]) -> Deputy:
    terms = tuple(
        TermService(
            t["term"],
            t["constituency"],
            t.get("delegation"),
            tuple(t.get("roles", ())),
            _date(t.get("start")),
            _date(t.get("end")),
            t.get("end_reason"),
        )
        for t in data["terms"]
    )
    latest = max((t.term for t in terms), default=None)
    base.update(title=data["name"], term=latest)
    return Deputy(
        **base,
        name=data["name"],
        gender=data["gender"],
        ethnicity=data.get("ethnicity"),
        birth=data.get("birth"),
        party=data.get("party"),
        occupation=data.get("occupation"),
        terms=terms,
    )


def _document(data: Mapping[str, Any], base: dict[str, Any]) -> Document:
    raw = data.get("source_file")
    source_file = SourceFile(raw["file"], raw["sha256"], raw.get("original_name"), raw.get("pages")) if raw else None
    base.update(issuer=data["issuer"])
    return Document(**base, body=parse_body(data.get("body")), source_file=source_file)


def _letter(data: Mapping[str, Any], base: dict[str, Any]) -> Letter:
    return Letter(
        **base,
        kind=data["kind"],
        addressee=data["addressee"],
        opinion=data.get("opinion"),
        suggestions=tuple(data.get("suggestions", ())),
        body=parse_body(data.get("body")),
    )


def _report(data: Mapping[str, Any], base: dict[str, Any]) -> Report:
    return Report(
        **base,
        kind=data["kind"],
        body=parse_body(data.get("body")),
        year_reported=data.get("year"),
        meeting=data.get("meeting"),
        reporter=data.get("reporter"),
    )


_BUILDERS = {
    "meeting": _meeting,
    "opinion": _opinion,
    "inspection": _inspection,
    "deputy_report": _deputy_report,
    "deputy": _deputy,
    "document": _document,
    "letter": _letter,
    "report": _report,
}


def parse_record(data: Mapping[str, Any], source: str) -> Record:
    """Build the typed record from data that already passed its schema."""
    return _BUILDERS[data["type"]](data, _envelope(data, source))
