"""督办: the follow-up table with filters and 催办函 for chosen items (/track).

The table is ``renda track`` over the records the viewer sees (an organ: only the opinions assigned to it or on
its report); the office chooses overdue items and makes their 催办函 by the path ``renda track remind`` takes
(:func:`archive.render.oversight.remind_overdue`, quoting only what the viewer sees).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ...accounts import Viewer
from ...errors import RendaError
from ...followup import STATUS_LABELS, FollowUpReport, track_opinions
from ...loaded import Catalog
from ..page import audit, form, render, require, respond, site

ROLES = ("admin", "clerk", "member", "organ")
OFFICE = ("admin", "clerk")


def _report(who: Viewer, catalog: Catalog) -> FollowUpReport:
    """The follow-up of what the viewer sees; an organ's table holds only its own items."""
    screened = who.screen(catalog)
    report = track_opinions(screened, None)
    if who.role == "organ":
        mine = {r.id for r in screened.records if who.concerns_organ(r)}
        report = FollowUpReport(report.as_of, tuple(i for i in report.items if i.id in mine), report.notes)
    return report


def track(request: Request) -> Response:
    who = require(request, *ROLES)
    params = request.query_params
    status, organ, term = params.get("status") or None, params.get("organ") or None, params.get("term") or None
    catalog = who.screen(site(request).catalog())
    report = _report(who, catalog)
    organs = sorted({i.addressee for i in report.items} | {i.report_organ for i in report.items})
    listed = {i.id for i in report.items}
    terms = {r.id: r.term for r in catalog.records if r.id in listed}
    error = None
    try:
        shown = report.filter(status, organ)
    except RendaError as exc:
        shown, error = FollowUpReport(report.as_of, (), report.notes), str(exc)
    if term:
        shown = FollowUpReport(shown.as_of, tuple(i for i in shown.items if str(terms.get(i.id)) == term), shown.notes)
    # marked as `renda track --json` marks it: the highest 密级 of the records the table was made from
    data = {"classification": who.clearance.relevant(shown.sources, catalog).marking, **shown.as_dict()}
    context: dict[str, Any] = {
        "report": shown,
        "error": error,
        "status": status or "",
        "organ": organ or "",
        "term": term or "",
        "organs": organs,
        "terms": sorted({t for t in terms.values() if t}, reverse=True),
        "statuses": STATUS_LABELS,
        "office": who.role in OFFICE,
    }
    return respond(request, "track/track.html", data, 400 if error else 200, **context)


def remind(request: Request) -> Response:
    """POST: a 催办函 for each chosen overdue opinion (written as a letter record and rendered to PDF)."""
    from ...render.oversight import remind_overdue

    who = require(request, *OFFICE)
    chosen = [str(v) for v in form(request).getlist("id")]
    the_site = site(request)
    catalog = the_site.catalog()
    report = _report(who, catalog).overdue()
    picked = FollowUpReport(report.as_of, tuple(i for i in report.items if i.id in chosen), report.notes)
    if not chosen or len(picked.items) != len(set(chosen)):
        message = "请选择已逾期的审议意见" if not chosen else "所选的审议意见不存在或未逾期"
        return render(request, "track/reminded.html", 400, error=message, letters=[], failures=[])
    workspace = the_site.workspace
    reminders = remind_overdue(workspace, picked, workspace.output_dir, ("pdf",), who.screen(catalog))
    letters = [(n.id, n.doc_number) for n in reminders.created] + [(rid, None) for rid in reminders.reused]
    audit(request, "remind", ",".join(i.id for i in picked.items), letters=[rid for rid, _ in letters])
    failures = [f.message for f in reminders.result.failures]
    return render(
        request, "track/reminded.html", 200 if not failures else 500, error=None, letters=letters, failures=failures
    )


routes: list[BaseRoute] = [
    Route("/track", track, name="track"),
    Route("/track/remind", remind, methods=["POST"], name="track_remind"),
]
