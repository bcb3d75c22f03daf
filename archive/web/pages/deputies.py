"""代表: the registry by term and a deputy's page with attendance and the 履职档案 (/deputies, /deputies/{id}).

The office and members see every deputy; a deputy sees only their own entry and page (another deputy's is the
same 404 as a missing one); organs and the public see none.  The 履职档案 is compiled from the records the
viewer sees, and its PDF is rendered as ``renda deputy profile`` renders it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ...accounts import Viewer
from ...loaded import Catalog
from ...records import Deputy
from ..page import audit, require, respond, site

ROLES = ("admin", "clerk", "member", "deputy")


def _deputies(who: Viewer, catalog: Catalog) -> list[Deputy]:
    return [r for r in who.screen(catalog).records if isinstance(r, Deputy) and who.may_see_deputy_file(r.id)]


def registry(request: Request) -> Response:
    who = require(request, *ROLES)
    deputies = _deputies(who, site(request).catalog())
    terms = sorted({t.term for d in deputies for t in d.terms}, reverse=True)
    raw = request.query_params.get("term", "")
    term = int(raw) if raw.isdigit() and len(raw) < 4 else (terms[0] if terms else None)
    rows = [(d, service) for d in sorted(deputies, key=lambda d: d.id) for service in d.terms if service.term == term]
    data = [
        {"id": d.id, "name": d.name, "term": s.term, "constituency": s.constituency, "delegation": s.delegation}
        for d, s in rows
    ]
    return respond(request, "deputies/registry.html", data, rows=rows, terms=terms, term=term)


def _profile(request: Request) -> tuple[Viewer, Any, str]:
    """The viewer, the deputy's 履职档案 compiled from what the viewer sees, and its 密级 marking."""
    from ...deputies import compile_profile

    who = require(request, *ROLES)
    deputy_id = request.path_params["id"]
    catalog = site(request).catalog()
    if deputy_id not in {d.id for d in _deputies(who, catalog)}:
        if deputy_id in catalog.by_id():
            audit(request, "refused", deputy_id, status=404)
        raise HTTPException(404)
    screened = who.screen(catalog)
    profile = compile_profile(screened, deputy_id)
    marking = who.clearance.relevant(profile.sources, screened).marking
    return who, profile, marking


def deputy_page(request: Request) -> Response:
    _, profile, marking = _profile(request)
    data = {"classification": marking, **profile.as_dict()}
    return respond(request, "deputies/deputy.html", data, profile=profile, marking=marking)


def profile_pdf(request: Request) -> Response:
    from ...render.oversight import render_profile

    _, profile, marking = _profile(request)
    workspace = site(request).workspace
    with tempfile.TemporaryDirectory(prefix="renda-profile-") as temp:
        result = render_profile(workspace, profile, Path(temp), ("pdf",), marking)
        pdfs = [f for f in result.files if f.suffix == ".pdf"]
        if not pdfs:
            message = "；".join(f.message for f in result.failures) or "履职档案 PDF 生成失败"
            raise HTTPException(500, message)
        content = pdfs[0].read_bytes()
    audit(request, "download", profile.deputy.id, kind="profile", classification=marking)
    name = f"{profile.deputy.id}-profile.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


routes: list[BaseRoute] = [
    Route("/deputies", registry, name="deputies"),
    Route("/deputies/{id}", deputy_page, name="deputy"),
    Route("/deputies/{id}/profile.pdf", profile_pdf, name="deputy_profile_pdf"),
]
