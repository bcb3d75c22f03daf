"""检索: the CLI's query language with facets, snippets and pagination (/search?q=…).

Everything on the page — hits, the total, facet counts, snippets, suggestions — comes from the records the
viewer sees: the search itself is screened by the viewer rule (``search_workspace(admit=...)``), so a record
the viewer may not see is not found, not counted, and cannot make a suggestion appear.  Snippets are cut only
for the hits of the page shown.  The index is brought up to date by the first search after the records folder
changed (``Site.index_due``), not by every search: looking at every record file costs more than the search.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from archive.errors import QueryError, SearchError
from archive.schema import TYPE_LABELS
from archive.web.page import generation, respond, site, view_of, viewer

if TYPE_CHECKING:
    from archive.search import SearchHit, SearchResult
    from archive.search.facets import Facet

PAGE_SIZE = 10
FACET_VALUES = 50  # organs and deputies listed per facet, the most frequent first


@lru_cache(maxsize=4096)
def _quoted(value: Any) -> str:
    """A query-string value (as ``urlencode`` writes it): the page links every facet value, so each is quoted once."""
    return quote_plus(str(value))


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0 else 1


def search(request: Request) -> Response:
    from archive.search import search_workspace
    from archive.search.facets import FACET_KEYS, facets_of, narrow

    who = viewer(request)
    params = request.query_params
    text = params.get("q", "").strip()
    selection = {key: params[key] for key in FACET_KEYS if params.get(key)}
    page = _page_number(params.get("page"))
    context: dict[str, Any] = {"q": text, "selection": selection, "error": None, "hits": [], "total": 0}
    context.update(facets=[], suggestions=[], page=1, pages=0, notice=None, first=0, type_labels=TYPE_LABELS)

    def link(**changes: Any) -> str:
        values: dict[str, Any] = {"q": text, **selection, **changes}
        return "/search?" + "&".join(f"{k}={_quoted(v)}" for k, v in values.items() if v not in (None, ""))

    if not text:
        return respond(request, "search/search.html", [], link=link, **context)
    view = view_of(request, who)
    seen = view.by_id
    fresh = site(request).index_due(generation(request))  # the records changed: bring the index up to date first

    def run() -> SearchResult:
        return search_workspace(site(request).workspace, text, limit=None, auto_update=fresh, admit=seen.__contains__)

    try:
        found = generation(request).searches.get(who, text, run)
    except (QueryError, SearchError) as exc:
        context["error"] = str(exc)
        return respond(request, "search/search.html", {"error": str(exc)}, 400, link=link, **context)
    result = found.result

    def counted() -> tuple[list[SearchHit], list[Facet]]:
        hits = narrow(result.hits, seen, selection)
        facets = facets_of(hits, seen, selection, view.deputy_names)
        return hits, [f.capped(FACET_VALUES) if f.key in ("organ", "deputy") else f for f in facets]

    narrowed, facets = found.narrowed(selection, counted)
    pages = max(1, -(-len(narrowed) // PAGE_SIZE))
    page = min(page, pages)
    shown = narrowed[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    context.update(
        hits=shown,
        total=len(narrowed),
        facets=facets,
        suggestions=result.suggestions,
        page=page,
        pages=pages,
        notice=result.notice,
        first=(page - 1) * PAGE_SIZE,
    )
    return respond(request, "search/search.html", [hit.as_dict() for hit in shown], link=link, **context)


routes: list[BaseRoute] = [Route("/search", search, name="search")]
