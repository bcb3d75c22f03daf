"""预览 and 修改记录 of one record: /records/{id}/preview (the office) and /records/{id}/history.

The preview renders the record as it is on disk, once per version (``archive.render.preview``): its pages are
PNG images served by /records/{id}/preview/{key}/{n}.png, the PDF by /records/{id}/preview/{key}/document.pdf,
and beside them the GB/T 9704 check.  Images, not an embedded PDF: the CSP forbids framing and inline script.
The history lists the record's changes from the audit trail (``archive.issuing.history``), newest first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from archive.web.errors import error_response
from archive.web.page import audit_record_view, generation, record_or_404, require, respond, site
from archive.web.pages.records import _formats as document_formats
from archive.web.pages.records import disposition

if TYPE_CHECKING:
    from starlette.requests import Request

    from archive.records import Record
    from archive.render.preview import Preview

OFFICE = ("admin", "clerk")


def preview(request: Request) -> Response:
    from archive.errors import RenderError
    from archive.render.preview import preview as make_preview

    require(request, *OFFICE)
    found = record_or_404(request, request.path_params["id"])
    if not document_formats(found):  # the deputy registry renders to no document
        raise HTTPException(404)
    the_site = site(request)
    try:
        made = make_preview(the_site.workspace, found, *generation(request).cross_references)
    except RenderError as exc:
        return error_response(request, 500, f"预览生成失败：{exc}")
    audit_record_view(request, found, "preview")
    base = f"/records/{quote(found.id)}/preview/{made.key}"
    images = [f"{base}/{n}.png" for n in range(1, len(made.pages) + 1)]
    data = {
        "id": found.id,
        "version": made.key,
        "kind": made.kind,
        "draft": made.draft,
        "page_count": made.page_count,
        "pages": images,
        "pdf": f"{base}/document.pdf",
        "check": made.report,
    }
    return respond(request, "records/preview.html", data, record=found, preview=made, images=images, pdf=data["pdf"])


def _cached(request: Request) -> tuple[Record, Preview]:
    """The record of the URL (office, within clearance) and its finished preview named by the URL's key."""
    from archive.records import classification_rank
    from archive.render.preview import cached_preview

    who = require(request, *OFFICE)
    found = record_or_404(request, request.path_params["id"])
    made = cached_preview(site(request).workspace, found.id, str(request.path_params["key"]))
    # an older version of the record may have been classified higher than it is now
    if made is None or classification_rank(made.classification) > who.clearance.rank:
        raise HTTPException(404)
    return found, made


def preview_page(request: Request) -> Response:
    _, made = _cached(request)
    raw = str(request.path_params["n"])
    page = made.page(int(raw)) if raw.isdigit() and len(raw) < 5 else None
    if page is None or not page.is_file():
        raise HTTPException(404)
    return FileResponse(page, media_type="image/png")


def preview_pdf(request: Request) -> Response:
    found, made = _cached(request)
    audit_record_view(request, found, "download", format="preview")
    return FileResponse(
        made.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": disposition(f"{found.id}-预览.pdf", f"{found.id}-preview.pdf")},
    )


def history(request: Request) -> Response:
    from archive.accounts import ROLES
    from archive.issuing.history import CHANGE_EVENTS, screened
    from archive.issuing.history import history as changes_of
    from archive.records import CLASSIFICATIONS, classification_rank

    who = require(request, *ROLES)  # the anonymous public view does not read the office's trail
    found = record_or_404(request, request.path_params["id"])
    rows = site(request).store.trail(target=found.id, events=CHANGE_EVENTS)

    def admits(level: str) -> bool:  # a level the diff names but renda does not know: withheld
        return level in CLASSIFICATIONS and classification_rank(level) <= who.clearance.rank

    changes = screened(changes_of(rows), found.classification, admits)
    audit_record_view(request, found, "history")
    data = {"id": found.id, "changes": [c.as_dict() for c in changes]}
    return respond(request, "records/history.html", data, record=found, changes=changes)


routes: list[BaseRoute] = [
    Route("/records/{id}/preview", preview, name="record_preview"),
    Route("/records/{id}/preview/{key}/{n}.png", preview_page, name="record_preview_page"),
    Route("/records/{id}/preview/{key}/document.pdf", preview_pdf, name="record_preview_pdf"),
    Route("/records/{id}/history", history, name="record_history"),
]
