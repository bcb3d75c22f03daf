"""会议: the sittings by term (/sittings) and a sitting's page — agenda, attendance, the opinions and decisions it
produced (/sittings/{id}); only what the viewer sees."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Route

from archive.records import Meeting
from archive.web.page import audit_record_view, record_or_404, respond, view_of, viewer

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response


def sittings(request: Request) -> Response:
    who = viewer(request)
    meetings = [r for r in view_of(request, who).records if isinstance(r, Meeting)]
    meetings.sort(key=lambda m: (-(m.term or 0), m.date.isoformat() if m.date else "", m.id))
    terms: dict[int | None, list[Meeting]] = {}
    for meeting in meetings:
        terms.setdefault(meeting.term, []).append(meeting)
    return respond(request, "records/sittings.html", [m.summary() for m in meetings], terms=terms)


def sitting(request: Request) -> Response:
    from archive.schema import TYPE_LABELS

    who = viewer(request)
    meeting = record_or_404(request, request.path_params["id"])
    if not isinstance(meeting, Meeting):
        raise HTTPException(404)
    audit_record_view(request, meeting)
    seen = view_of(request, who)
    names = seen.deputy_names
    produced = sorted(
        (r for r in seen.records if getattr(r, "meeting", None) == meeting.id),
        key=lambda r: (r.date.isoformat() if r.date else "", r.id),
    )
    att = meeting.attendance
    data: dict[str, Any] = {
        **meeting.summary(),
        "kind": meeting.kind,
        "sitting": meeting.sitting,
        "place": meeting.place,
        "presiding": meeting.presiding,
        "agenda": [dict(a) for a in meeting.data.get("agenda", ())],
        "decisions": list(meeting.decisions),
        "attendance": {
            "present": list(att.present),
            "on_leave": [{"deputy": x.deputy, "reason": x.reason} for x in att.on_leave],
            "absent": list(att.absent),
            "nonvoting": list(att.nonvoting),
        },
        "records": [r.summary() for r in produced],
    }
    return respond(
        request,
        "records/sitting.html",
        data,
        meeting=meeting,
        names=names,
        produced=produced,
        type_labels=TYPE_LABELS,
    )


routes: list[BaseRoute] = [
    Route("/sittings", sittings, name="sittings"),
    Route("/sittings/{id}", sitting, name="sitting"),
]
