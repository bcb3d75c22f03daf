"""督办: the follow-up table with filters, the suggestions' figures, and 催办函 for chosen items (/track).

The table is ``renda track`` over the records the viewer sees: opinions, suggestions and motions on the one
follow-up engine (:func:`archive.followup.track_everything`), narrowed as ``renda track`` narrows it (kind,
organ, category, status, 重点督办) and by 届; an organ's table holds only its own items (opinions addressed to
it or on its report, suggestions and motions it handles as 主办 or 会办).  /track/stats is ``renda track
stats`` over the same records, each figure opening the list of its records.  The office chooses overdue items
and makes their 催办函 by the path ``renda track remind`` takes (:func:`archive.render.oversight.remind_overdue`:
one letter per opinion, one per organ for suggestions and motions, quoting only what the viewer sees).
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from archive.accounts import Viewer
from archive.catalog import Catalog
from archive.errors import RendaError
from archive.followup import (
    STATUS_LABELS,
    FollowUpReport,
    ProposalFigures,
    proposal_statistics,
    reference_date,
    track_everything,
)
from archive.followup.model import KIND_LABELS, PROPOSAL_STATUS_LABELS
from archive.web.page import audit, form, render, require, respond, site

ROLES = ("admin", "clerk", "member", "organ")
OFFICE = ("admin", "clerk")
KEY_ONLY = "1"  # ?key=1: only what is under 重点督办
PER_PAGE = 200  # rows of the table (the JSON twin, as `renda track --json`, has them all)
GROUPINGS = {"organ": "主办单位", "category": "类别"}
# the figures of one row of /track/stats a link can open: key → (Chinese label, the record ids of a row)
FIGURES: dict[str, str] = {
    "received": "收到",
    "completed": "办结",
    "on_time": "按期答复",
    "A": "A类",
    "B": "B类",
    "C": "C类",
    "first_satisfied": "首次评价满意和基本满意",
    "final_satisfied": "最终评价满意和基本满意",
    "rehandled": "重新办理",
}


def _scope(who: Viewer, catalog: Catalog) -> Catalog:
    """What the viewer sees; for an organ, only what concerns it (a 公开 item of another organ is not its work)."""
    screened = who.screen(catalog)
    if who.role != "organ":
        return screened
    return replace(screened, files=[f for f in screened.files if f.record and who.concerns_organ(f.record)])


_reports: dict[tuple[Viewer, dt.date], tuple[Catalog, FollowUpReport]] = {}  # per scope and day: (catalog, report)
_reports_lock = threading.Lock()
REPORTS_KEPT = 64


def _report(who: Viewer, catalog: Catalog) -> FollowUpReport:
    """The follow-up of what the viewer sees in ``catalog`` (the site's, unscreened); an organ's table holds only
    its own items.  Kept per viewer scope and reference date until the catalog is reloaded: the table is asked
    for far more often than the records change."""
    key = (who, reference_date(catalog.workspace.config))
    with _reports_lock:
        held = _reports.get(key)
        if held is not None and held[0] is catalog:
            return held[1]
    screened = who.screen(catalog)
    report = track_everything(screened, key[1])
    if who.role == "organ":
        mine = {r.id for r in screened.records if who.concerns_organ(r)}
        report = FollowUpReport(report.as_of, tuple(i for i in report.items if i.id in mine), report.notes)
    with _reports_lock:
        if len(_reports) >= REPORTS_KEPT:
            _reports.clear()
        _reports[key] = (catalog, report)
    return report


def _narrowed(request: Request, report: FollowUpReport, terms: dict[str, int | None]) -> FollowUpReport:
    """The report narrowed by the query (as ``renda track`` narrows it, and by 届); TrackingError on a bad value."""
    params = request.query_params
    shown = report.filter(
        params.get("status") or None,
        params.get("organ") or None,
        params.get("kind") or None,
        params.get("category") or None,
        params.get("key") == KEY_ONLY,
    )
    term = params.get("term") or None
    if term:
        shown = FollowUpReport(shown.as_of, tuple(i for i in shown.items if str(terms.get(i.id)) == term), shown.notes)
    return shown


def track(request: Request) -> Response:
    who = require(request, *ROLES)
    params = request.query_params
    catalog = site(request).catalog()
    report = _report(who, catalog)
    by_id = catalog.by_id()
    terms = {i.id: by_id[i.id].term for i in report.items if i.id in by_id}
    error = None
    try:
        shown = _narrowed(request, report, terms)
    except RendaError as exc:
        shown, error = FollowUpReport(report.as_of, (), report.notes), str(exc)
    # marked as `renda track --json` marks it: the highest 密级 of the records the table was made from (those the
    # viewer sees: an opinion's sitting the viewer may not open does not raise the mark)
    sources = (by_id[x] for x in shown.sources if x in by_id and who.sees(by_id[x]))
    data = {"classification": who.clearance.screen(sources).marking, **shown.as_dict()}
    pages = max(1, -(-len(shown.items) // PER_PAGE))
    page = min(_page(params.get("page")), pages)
    context: dict[str, Any] = {
        "report": shown,
        "rows": shown.items[(page - 1) * PER_PAGE : page * PER_PAGE],
        "page": page,
        "pages": pages,
        "page_link": lambda n: _page_link(request, n),
        "per_page": PER_PAGE,
        "error": error,
        "query": {k: params.get(k) or "" for k in ("status", "organ", "kind", "category", "term", "key")},
        "organs": sorted({n for i in report.items for n in (i.addressee, i.report_organ, *i.co_organs) if n}),
        "categories": sorted({i.category for i in report.items if i.category}),
        "kinds": KIND_LABELS,
        "terms": sorted({t for t in terms.values() if t}, reverse=True),
        # an opinion is reported on and voted on, a suggestion answered and evaluated: both words where they differ
        "statuses": {
            s: label if label == PROPOSAL_STATUS_LABELS[s] else f"{label}／{PROPOSAL_STATUS_LABELS[s]}"
            for s, label in STATUS_LABELS.items()
        },
        "office": who.role in OFFICE,
    }
    return respond(request, "track/track.html", data, 400 if error else 200, **context)


def stats(request: Request) -> Response:
    """``renda track stats`` over what the viewer sees (an organ: its own suggestions), by organ or category;
    ``group`` and ``figure`` in the query list the records behind one figure."""
    who = require(request, *ROLES)
    params = request.query_params
    by = params.get("by") or "organ"
    if by not in GROUPINGS:
        raise HTTPException(400, f"分组“{by[:20]}”无效：可选 {'、'.join(f'{k}（{v}）' for k, v in GROUPINGS.items())}")
    year = _year(params.get("year"))
    catalog = _scope(who, site(request).catalog())
    figures = proposal_statistics(catalog, year, by)
    total = figures.rows[-1]
    data = {"classification": who.clearance.relevant(total.received, catalog).marking, **figures.as_dict()}
    group, figure = params.get("group") or None, params.get("figure") or None
    picked = _picked(figures.rows, group, figure)
    by_id = catalog.by_id()
    return respond(
        request,
        "track/stats.html",
        data,
        figures=figures,
        groupings=GROUPINGS,
        figure_labels=FIGURES,
        ids_of=figure_ids,
        link=lambda row, key: _stats_link(by, year, row.group, key),
        group=group,
        figure=figure,
        picked=[by_id[i] for i in picked if i in by_id],
        years=sorted({r.date.year for r in catalog.records if r.type == "suggestion" and r.date}, reverse=True),
        year=year,
        by=by,
    )


def figure_ids(row: ProposalFigures, key: str) -> tuple[str, ...]:
    """The records behind the figure ``key`` (a key of FIGURES) of ``row``."""
    if key in ("A", "B", "C"):
        return dict(row.classes)[key]
    if key in ("first_satisfied", "final_satisfied"):
        evaluations = row.first_evaluations if key == "first_satisfied" else row.final_evaluations
        return tuple(i for result, ids in evaluations if result in ("满意", "基本满意") for i in ids)
    found: tuple[str, ...] = getattr(row, key)
    return found


def _picked(rows: tuple[ProposalFigures, ...], group: str | None, figure: str | None) -> tuple[str, ...]:
    if group is None and figure is None:
        return ()
    if figure not in FIGURES:
        raise HTTPException(400, f"统计项“{(figure or '')[:20]}”无效：可选 {'、'.join(FIGURES)}")
    row = next((r for r in rows if r.group == group), None)
    if row is None:  # a group the viewer does not see is the same as one that does not exist
        raise HTTPException(404)
    return figure_ids(row, figure)


def _page_link(request: Request, n: int) -> str:
    """/track with the same filters, on page ``n``."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    return "/track?" + urlencode([*kept, ("page", str(n))])


def _page(text: str | None) -> int:
    if not text:
        return 1
    if not text.isdigit() or len(text) > 6 or int(text) < 1:
        raise HTTPException(400, f"页码应为正整数，实际为“{text[:20]}”")
    return int(text)


def _year(text: str | None) -> int | None:
    if not text:
        return None
    if not text.isdigit() or len(text) != 4:
        raise HTTPException(400, f"年度应为四位数字，实际为“{text[:20]}”")
    return int(text)


def _stats_link(by: str, year: int | None, group: str, figure: str) -> str:
    query = {"by": by, **({"year": year} if year else {}), "group": group, "figure": figure}
    return f"/track/stats?{urlencode(query)}#records"


def remind(request: Request) -> Response:
    """POST: a 催办函 for each chosen overdue opinion, and one for each organ of the chosen overdue suggestions
    and motions (written as letter records and rendered to PDF)."""
    from archive.render.oversight import remind_overdue

    who = require(request, *OFFICE)
    chosen = [str(v) for v in form(request).getlist("id")]
    the_site = site(request)
    catalog = the_site.catalog()
    report = _report(who, catalog).overdue()
    picked = FollowUpReport(report.as_of, tuple(i for i in report.items if i.id in chosen), report.notes)
    if not chosen or len(picked.items) != len(set(chosen)):
        message = "请选择已逾期的审议意见、建议或议案" if not chosen else "所选的审议意见、建议或议案不存在或未逾期"
        return render(request, "track/reminded.html", 400, error=message, letters=[], failures=[])
    workspace = the_site.workspace
    reminders = remind_overdue(workspace, picked, workspace.output_dir, ("pdf",), who.screen(catalog))
    if reminders.created:
        the_site.records_written()
    letters = [(n.id, n.doc_number) for n in reminders.created] + [(rid, None) for rid in reminders.reused]
    audit(request, "remind", ",".join(i.id for i in picked.items), letters=[rid for rid, _ in letters])
    failures = [f.message for f in reminders.result.failures]
    return render(
        request, "track/reminded.html", 200 if not failures else 500, error=None, letters=letters, failures=failures
    )


routes: list[BaseRoute] = [
    Route("/track", track, name="track"),
    Route("/track/stats", stats, name="track_stats"),
    Route("/track/remind", remind, methods=["POST"], name="track_remind"),
]
