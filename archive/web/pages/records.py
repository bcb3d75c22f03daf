"""记录: browse by 届 → 年 → 类型, a record's page (fields, body, follow-up, related, problems), downloads.

URLs (stable): /records (filters in the query: term, year, type, classification, organ, sort, page),
/records/{id}, /records/{id}/download/{fmt} with fmt docx, pdf or pdfa.  /records and /records/{id} have
JSON twins (``.json`` or ``Accept: application/json``): the rows of ``renda list --json``, and the record.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from archive.records import CLASSIFICATIONS, Meeting, classification_rank
from archive.web.errors import error_response
from archive.web.page import (
    audit_record_view,
    generation,
    record_or_404,
    render,
    respond,
    site,
    view_of,
    viewer,
    wants_json,
)
from archive.web.pages.handling import steps_for
from archive.web.views import by_date, organ_of

if TYPE_CHECKING:
    from starlette.requests import Request

    from archive.accounts import Viewer
    from archive.records import Record
    from archive.web.views import ScopeView

PER_PAGE = 50
RELATED_BY_ORGAN = 10  # rows of "same organ" on a record's page
SORTS = {"date": "日期（新→旧）", "date-asc": "日期（旧→新）", "id": "编号", "title": "标题"}
NOTICES = {
    "saved": "已保存：记录已校验并写入文件。",
    "created": "已保存：新记录已校验并写入文件。",
    "unchanged": "没有修改，文件未改动。",
}  # ?notice= after a form's save
FORMATS = {"docx": "Word（.docx）", "pdf": "PDF", "pdfa": "PDF/A（长期保存）"}


# -- the list ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The query of /records, checked: what narrows the list, its order and page."""

    term: int | None = None
    year: int | None = None
    type: str | None = None
    classification: str | None = None
    organ: str | None = None
    sort: str = "date"
    page: int = 1

    @classmethod
    def of(cls, request: Request, who: Viewer) -> Filters:
        from archive.schema import type_named, unknown_type_message

        query = request.query_params
        kind = query.get("type") or None
        if kind is not None and type_named(kind) is None:
            raise HTTPException(400, unknown_type_message(kind))
        level = query.get("classification") or None
        if level is not None and (level not in CLASSIFICATIONS or not _within(level, who)):
            raise HTTPException(400, f"密级“{level}”无效：可选 {'、'.join(_levels(who))}")
        sort = query.get("sort") or "date"
        if sort not in SORTS:
            raise HTTPException(400, f"排序方式“{sort}”无效：可选 {'、'.join(SORTS)}")
        return cls(
            _number(query.get("term"), "届次"),
            _number(query.get("year"), "年度"),
            type_named(kind) if kind else None,
            level,
            query.get("organ") or None,
            sort,
            _number(query.get("page"), "页码") or 1,
        )

    def matches(self, record: Record, *, skip: str = "") -> bool:
        return (
            (skip == "term" or self.term is None or record.term == self.term or _serves(record, self.term))
            and (skip == "year" or self.year is None or record.year == self.year)
            and (skip == "type" or self.type is None or record.type == self.type)
            and (self.classification is None or record.classification == self.classification)
            and (skip == "organ" or self.organ is None or organ_of(record) == self.organ)
        )

    def link(self, **changes: Any) -> str:
        """/records with these filters, some changed (None removes one); a new filter goes back to page 1."""
        values = {
            "term": self.term,
            "year": self.year,
            "type": self.type,
            "classification": self.classification,
            "organ": self.organ,
            "sort": None if self.sort == "date" else self.sort,
            "page": None,
        }
        values.update(changes)
        query = urlencode({k: v for k, v in values.items() if v is not None and v != "" and (k != "page" or v != 1)})
        return "/records" + (f"?{query}" if query else "")


def _number(text: str | None, what: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or len(text) > 6 or int(text) < 1:
        raise HTTPException(400, f"{what}应为正整数，实际为“{text[:20]}”")
    return int(text)


def _serves(record: Record, term: int) -> bool:
    """A deputy is listed under every 届 they served (as ``renda list --term`` does)."""
    return any(t.term == term for t in getattr(record, "terms", ()))


def _within(level: str, who: Viewer) -> bool:
    return classification_rank(level) <= who.clearance.rank


def _levels(who: Viewer) -> list[str]:
    return [level for level in CLASSIFICATIONS if _within(level, who)]


def _sorted(rows: list[Record], sort: str) -> list[Record]:
    if sort == "id":
        return sorted(rows, key=lambda r: r.id)
    if sort == "title":
        return sorted(rows, key=lambda r: (r.title, r.id))
    return by_date(rows, newest_first=sort != "date-asc")


def _facet(rows: list[Record], key: Any) -> list[tuple[Any, int]]:
    """(value, count) of each value of ``key`` (a value, or a tuple of them) over ``rows``; years and terms newest
    first, names in order."""
    counts: Counter[Any] = Counter()
    for r in rows:
        value = key(r)
        counts.update(value if isinstance(value, tuple) else (value,))
    counts.pop(None, None)
    return sorted(counts.items(), key=lambda kv: kv[0], reverse=isinstance(next(iter(counts), ""), int))


def _terms_of(record: Record) -> tuple[int | None, ...]:
    """The 届 a record is listed under: its own, and every one a deputy served."""
    served = tuple(t.term for t in getattr(record, "terms", ()))
    return tuple(dict.fromkeys((record.term, *served)))


def records(request: Request) -> Response:
    from archive.catalog import filter_records
    from archive.schema import TYPE_LABELS

    who = viewer(request)
    chosen = Filters.of(request, who)
    visible = view_of(request, who).records
    rows = [r for r in visible if chosen.matches(r)]
    if wants_json(request):
        # the JSON twin is `renda list --json`: its rows in its order, unless a sort was asked for
        listed = _sorted(rows, chosen.sort) if "sort" in request.query_params else filter_records(rows)
        return JSONResponse([r.summary() for r in listed])
    rows = _sorted(rows, chosen.sort)
    pages = max(1, math.ceil(len(rows) / PER_PAGE))
    page = min(chosen.page, pages)
    shown = rows[(page - 1) * PER_PAGE : page * PER_PAGE]
    facets = {
        "term": _facet([r for r in visible if chosen.matches(r, skip="term")], _terms_of),
        "year": _facet([r for r in visible if chosen.matches(r, skip="year")], lambda r: r.year),
        "type": _facet([r for r in visible if chosen.matches(r, skip="type")], lambda r: r.type),
        "organ": _facet([r for r in visible if chosen.matches(r, skip="organ")], organ_of),
    }
    return render(
        request,
        "records/list.html",
        rows=shown,
        total=len(rows),
        page=page,
        pages=pages,
        filters=chosen,
        facets=facets,
        levels=_levels(who),
        sorts=SORTS,
        type_labels=TYPE_LABELS,
    )


# -- one record ----------------------------------------------------------------------------------------


def record(request: Request) -> Response:
    from archive.related import TOPICAL
    from archive.schema import TYPE_LABELS

    who = viewer(request)
    found = record_or_404(request, request.path_params["id"])
    seen = view_of(request, who)
    audit_record_view(request, found)
    shown = _shown_data(found, who)
    fields = site(request).workspace.schemas.labelled(found.type, shown)
    follow = seen.follow_up(found)
    proposal = _proposal_context(found, follow, seen, who)
    related = _related(seen, found)
    problems = generation(request).problems_of(found.source) if who.is_office else []
    data = {
        **found.summary(),
        "data": _plain(shown),
        "follow_up": follow.as_dict() if follow else None,
        "related": {k: [r.summary() for r in v] for k, v in related.items()},
        "related_subject": f"/records/{quote(found.id)}/related" if found.type in TOPICAL else None,
        "problems": [p.as_dict() for p in problems],
        "downloads": {fmt: f"/records/{quote(found.id)}/download/{fmt}" for fmt in _formats(found)},
        "answer_files": {str(n): f"/records/{quote(found.id)}/answer/{n}" for n in _answer_files(found, who)},
    }
    if proposal is not None:
        data["timeline"] = [e.as_dict() for e in proposal["timeline"]]
    return respond(
        request,
        "records/record.html",
        data,
        record=found,
        kind=TYPE_LABELS.get(found.type, found.type),
        fields=[f for f in fields if f.key != "body"],
        body=_printed_body(site(request).workspace, found, seen),
        follow=follow,
        proposal=proposal,
        related=related,
        problems=problems,
        formats={fmt: FORMATS[fmt] for fmt in _formats(found)},
        type_labels=TYPE_LABELS,
        topical=found.type in TOPICAL,
        notice=NOTICES.get(request.query_params.get("notice", "")),
        issuing=_issuing(request, found, who),
        handle=bool(steps_for(found, who)),
    )


def _issuing(request: Request, record: Record, who: Viewer) -> dict[str, Any]:
    """What the 办文 section shows: the record's reviews and 签发, and for the office who last saved it and
    whether this account may sign (``archive.issuing``)."""
    from archive.issuing import Workflow
    from archive.issuing.history import last_author

    flow = Workflow.of(record.data)
    shown: dict[str, Any] = {"office": who.is_office, "reviews": flow.reviews, "signed": flow.signed}
    if who.is_office and not record.is_final:
        account = site(request).store.get(who.name) if who.name else None
        rows = site(request).store.trail(target=record.id, events=("save", "create"))
        shown.update(last_author=last_author(rows), may_sign=bool(account and account.may_sign), passed=flow.passed)
        shown["version"] = _version(site(request).workspace.root / record.source)
    return shown


def _version(path: Path) -> str:
    """The version (content hash) of a record file as the page shows it: 核稿 and 签发 apply to that version."""
    from archive.drafting import version_of

    try:
        return version_of(path.read_bytes())
    except OSError:
        return ""


UNPUBLISHED_EVENTS = ("answer", "evaluation")  # what the public view leaves out of an unpublished proposal


def _answers_withheld(record: Record, who: Viewer) -> bool:
    """The anonymous public view sees a suggestion's or motion's answer, and the deputy's evaluation of it,
    only once the office has published it (``public: true``)."""
    from archive.proposals import Proposal

    return who.is_public and isinstance(record, Proposal) and not record.public


def _shown_data(record: Record, who: Viewer) -> Mapping[str, Any]:
    """The record's fields as this viewer may read them: for the public view of an unpublished proposal, its
    handling without the answers and evaluations of any round."""
    if not _answers_withheld(record, who):
        return record.data
    data = dict(record.data)
    handling = data.get("handling")
    if isinstance(handling, dict):
        kept = {k: v for k, v in handling.items() if k not in ("answer", "evaluation", "rehandling")}
        data["handling"] = kept
    return data


def _proposal_context(record: Record, follow: Any, seen: ScopeView, who: Viewer) -> dict[str, Any] | None:
    """What a suggestion's or motion's page shows beside its fields: the signers' names (linked when the viewer
    may open the deputy's page), its handling as one dated list, the rounds whose answer PDF the viewer may
    download, and which of the records the list names the viewer sees (only those are linked)."""
    from archive.followup.timeline import proposal_timeline
    from archive.proposals import Proposal

    if not isinstance(record, Proposal):
        return None
    names = seen.deputy_names
    linked = who.is_office or who.role == "member"
    signers = [
        {"id": d, "name": names.get(d, d), "lead": n == 0, "link": linked or (who.deputy == d)}
        for n, d in enumerate(record.signers)
    ]
    timeline = proposal_timeline(record, follow)
    if _answers_withheld(record, who):
        timeline = tuple(e for e in timeline if e.kind not in UNPUBLISHED_EVENTS)
    named = {e.record for e in timeline if e.record}
    return {
        "signers": signers,
        "timeline": timeline,
        "files": _answer_files(record, who),
        "seen": {i for i in named if i in seen.by_id},
    }


def _answer_files(record: Record, who: Viewer) -> tuple[int, ...]:
    """The handling rounds (1, 2, …) whose answer PDF this viewer may download: every round with a file, for
    whoever sees the record; for the anonymous public view, only when the answer is published (公开)."""
    from archive.proposals import Proposal

    if not isinstance(record, Proposal) or record.handling is None:
        return ()
    if who.is_public and not record.public:
        return ()
    rounds = record.handling.rounds
    return tuple(n for n, r in enumerate(rounds, 1) if r.answer is not None and r.answer.file)


def _plain(value: Any) -> Any:
    """The record's data as JSON values (its mappings are read-only views)."""
    if hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _formats(record: Record) -> tuple[str, ...]:
    if record.type == "deputy":  # the registry renders to no document of its own
        return ()
    return ("pdf", "pdfa") if record.type == "document" else tuple(FORMATS)


def _related(seen: ScopeView, record: Record) -> dict[str, list[Record]]:
    """Same sitting and same organ, from what the viewer sees (the same subject is its own request: see
    :func:`related`)."""
    sitting = record.id if isinstance(record, Meeting) else getattr(record, "meeting", None)
    same_sitting = [r for r in seen.same_sitting(sitting) if r.id != record.id]
    same_organ: list[Record] = []
    for r in seen.same_organ(organ_of(record)):
        if len(same_organ) == RELATED_BY_ORGAN:
            break
        if r.id != record.id and r not in same_sitting:
            same_organ.append(r)
    return {"sitting": same_sitting, "organ": same_organ}


def related(request: Request) -> Response:
    """The same subject in any term (``archive.related``), among what the viewer sees: a fragment the record
    page loads with htmx (the first one after the records change weighs every record's words), a page of its
    own without JavaScript, and the JSON of ``renda related --json``."""
    from archive.related import RelatedError

    who = viewer(request)
    found = record_or_404(request, request.path_params["id"])
    try:
        index = generation(request).related_index(who.clearance)
        subject = index.related(found.id, limit=5, admit=who.sees)
    except RelatedError:  # not a record that raises problems (a meeting, a deputy, a letter)
        raise HTTPException(404) from None
    template = "records/related_part.html" if request.headers.get("hx-request") else "records/related.html"
    return respond(request, template, [r.as_dict() for r in subject], record=found, subject=subject)


def _printed_body(workspace: Any, record: Record, seen: ScopeView) -> list[dict[str, Any]]:
    """The body as the document prints it, heading numbers and all (一、（一）1.（1）): the rows the render
    path builds for the template; a record with no document shows its own body, numbered the same way."""
    from archive.errors import ArchiveError
    from archive.records import parse_body
    from archive.render.documents import number_blocks
    from archive.render.kinds import documents_for

    plain = number_blocks(parse_body(record.data.get("body")))
    if record.type in ("deputy", "document"):
        return plain
    try:
        documents = documents_for(record, workspace.config, seen.deputy_names, seen.meetings)
    except ArchiveError:
        return plain
    context = documents[0].context if documents else {}
    rows: list[dict[str, Any]] = list(context.get("intro") or [])
    if context.get("structured"):
        for heading, key in (
            ("一、总体评价", "assessment"),
            ("二、存在的问题", "problems"),
            ("三、意见和建议", "recommendations"),
        ):
            rows.append({"level": 1, "lead": heading, "text": ""})
            rows.extend(context.get(key) or [])
    rows.extend(context.get("blocks") or [])
    if context.get("decisions_heading"):
        rows.append({"level": 1, "lead": context["decisions_heading"] + "会议决定", "text": ""})
        rows.extend({"level": 0, "lead": "", "text": d} for d in record.data.get("decisions") or [])
    return rows or plain


# -- downloads -----------------------------------------------------------------------------------------


def download(request: Request) -> Response:
    from archive.errors import RenderError
    from archive.render.cache import cached_document

    fmt = request.path_params["fmt"]
    found = record_or_404(request, request.path_params["id"])
    if fmt not in _formats(found):
        raise HTTPException(404)
    the_site = site(request)
    try:
        made = cached_document(the_site.workspace, found, fmt, *generation(request).cross_references)
    except RenderError as exc:
        return error_response(request, 500, f"文件生成失败：{exc}")
    audit_record_view(request, found, "download", format=fmt)
    media = (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if fmt == "docx"
        else "application/pdf"
    )
    return FileResponse(
        made.path,
        media_type=media,
        headers={"Content-Disposition": disposition(made.filename, found.id + made.path.suffix)},
    )


def answer_file(request: Request) -> Response:
    """The answer PDF of round ``n`` of a suggestion or motion, to whoever may see the record (the same 404
    as a missing record otherwise); the file must lie inside the workspace."""
    from archive.proposals import Proposal
    from archive.walker import inside_workspace

    found = record_or_404(request, request.path_params["id"])
    raw = request.path_params["n"]
    who = viewer(request)
    if not raw.isdigit() or int(raw) not in _answer_files(found, who):
        raise HTTPException(404)
    assert isinstance(found, Proposal) and found.handling is not None
    answer = found.handling.rounds[int(raw) - 1].answer
    assert answer is not None and answer.file is not None
    path = inside_workspace(site(request).workspace.root, answer.file)
    if path is None or not path.is_file():
        return error_response(request, 404, f"答复文件 {answer.file} 不存在，请联系办公室")
    audit_record_view(request, found, "download", answer=int(raw))
    name = f"{found.id}-答复{'' if raw == '1' else f'（第{raw}轮）'}{path.suffix}"
    return FileResponse(
        path,
        media_type="application/pdf" if path.suffix.lower() == ".pdf" else "application/octet-stream",
        headers={"Content-Disposition": disposition(name, f"{found.id}-answer-{raw}{path.suffix}")},
    )


def disposition(filename: str, fallback: str) -> str:
    """``attachment`` with an ASCII fallback name and the UTF-8 one of RFC 5987 / RFC 6266."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in fallback)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


routes: list[BaseRoute] = [
    Route("/records", records, name="records"),
    Route("/records/{id}", record, name="record"),
    Route("/records/{id}/related", related, name="record_related"),
    Route("/records/{id}/download/{fmt}", download, name="record_download"),
    Route("/records/{id}/answer/{n}", answer_file, name="record_answer"),
]
