"""The helpers every page uses: who is looking, render a template or its JSON twin, one record or 404, audit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, JSONResponse, Response

from archive.accounts import Viewer
from archive.accounts.model import ROLE_LABELS
from archive.records import CLASSIFICATIONS

if TYPE_CHECKING:
    from starlette.datastructures import FormData
    from starlette.requests import Request

    from archive.accounts.store import Session
    from archive.records import Record
    from archive.web.site import Site
    from archive.web.views import Generation, ScopeView

# The navigation: (label, path, roles that see it; "public" is the anonymous viewer).
NAV: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("首页", "/", frozenset({*ROLE_LABELS, "public"})),
    ("记录", "/records", frozenset({*ROLE_LABELS, "public"})),
    ("检索", "/search", frozenset({*ROLE_LABELS, "public"})),
    ("督办", "/track", frozenset({"admin", "clerk", "member", "organ"})),
    ("代表", "/deputies", frozenset({"admin", "clerk", "member", "deputy"})),
    ("发文登记", "/register", frozenset({"admin", "clerk", "member"})),
    ("归档", "/archive", frozenset({"admin", "clerk"})),
    ("用户", "/users", frozenset({"admin"})),
)


class LoginRequired(Exception):  # a control-flow signal: the app turns it into a redirect to /login
    """Nobody is logged in and the page needs someone (or the public view is off)."""


def site(request: Request) -> Site:
    result: Site = request.app.state.site
    return result


def generation(request: Request) -> Generation:
    """The catalog generation this request reads: the site's current one, the same for the whole request."""
    state = request.scope.setdefault("state", {})
    if "generation" not in state:
        state["generation"] = site(request).generation()
    found: Generation = state["generation"]
    return found


def view_of(request: Request, who: Viewer) -> ScopeView:
    """What ``who`` sees of this request's generation (kept per viewer scope: :mod:`archive.web.views`)."""
    return generation(request).view(who)


def session(request: Request) -> Session | None:
    value: Session | None = request.scope.get("state", {}).get("session")
    return value


def client_address(request: Request) -> str:
    return request.client.host if request.client else "-"


def current_viewer(request: Request) -> Viewer | None:
    """The viewer of this request, or None when nobody is logged in and the public view is off."""
    state = request.scope.setdefault("state", {})
    if "viewer" not in state:
        found: Viewer | None = None
        current = session(request)
        the_site = site(request)
        if current is not None and current.account is not None:
            account = current.holder or the_site.store.get(current.account)  # read with the session
            if account is not None and not account.disabled:
                found = Viewer.of(account, the_site.workspace.config)
        if found is None and the_site.settings.public:
            found = Viewer.public()
        state["viewer"] = found
    value: Viewer | None = state["viewer"]
    return value


def viewer(request: Request) -> Viewer:
    """The viewer of this request; :class:`LoginRequired` (→ /login) when there is none."""
    found = current_viewer(request)
    if found is None:
        raise LoginRequired
    return found


def require(request: Request, *roles: str) -> Viewer:
    """The viewer, if logged in with one of ``roles``; the anonymous go to /login, others get 403."""
    who = viewer(request)
    if who.is_public and "public" not in roles:
        raise LoginRequired
    if who.role not in roles:
        audit(request, "refused", request.url.path, status=403)
        raise HTTPException(403)
    return who


def wants_json(request: Request) -> bool:
    """The JSON twin was asked for: ``.json`` on the URL (the middleware notes it) or ``Accept: application/json``."""
    if request.scope.get("state", {}).get("json_suffix"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def csrf_token(request: Request) -> str:
    """The CSRF token of this visitor's session; an anonymous visitor (the login form) is given a session."""
    state = request.scope.setdefault("state", {})
    current: Session | None = state.get("new_session") or state.get("session")
    if current is None:
        current = site(request).store.new_session(None)
        state["new_session"] = current
    return current.csrf


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page: ``template`` with ``context`` and what base.html needs (site name, viewer, navigation, CSRF)."""
    the_site = site(request)
    who = current_viewer(request)
    role = who.role if who else None
    nav = [(label, path) for label, path, roles in NAV if role in roles]
    html = the_site.templates.get_template(template).render(
        site_name=the_site.name,
        viewer=who,
        nav=nav,
        path=request.url.path,
        csrf_token=lambda: csrf_token(request),
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


def respond(request: Request, template: str, data: Any, status_code: int = 200, **context: Any) -> Response:
    """The page, or ``data`` as JSON when the client asked for the JSON twin."""
    if wants_json(request):
        return JSONResponse(data, status_code=status_code)
    return render(request, template, status_code, data=data, **context)


def form(request: Request) -> FormData:
    """The form of a POST, parsed by the middleware (which checked its CSRF token)."""
    value: FormData = request.scope["state"]["form"]
    return value


def audit(request: Request, event: str, target: str = "", **detail: Any) -> None:
    """Append one row to the audit trail, as the current viewer from the client's address."""
    who = current_viewer(request)
    site(request).store.log(event, who.audit_name if who else "-", client_address(request), target, **detail)


def audit_record_view(request: Request, record: Record, event: str = "view", **detail: Any) -> None:
    """Views and downloads of a record above 公开 are audited; 公开 ones are not."""
    if record.classification != CLASSIFICATIONS[0]:
        audit(request, event, record.id, classification=record.classification, **detail)


def record_or_404(request: Request, record_id: str) -> Record:
    """The record ``record_id`` if this viewer sees it; otherwise the same 404 as for a missing one (audited)."""
    who = viewer(request)
    record = generation(request).by_id.get(record_id)
    if record is None or not who.sees(record):
        if record is not None:
            audit(request, "refused", record_id, status=404)
        raise HTTPException(404)
    return record


def unseen_names(request: Request, who: Viewer) -> tuple[str, ...]:
    """The ids and files of the records ``who`` may not see, longest first (a file before the id it holds)."""
    seen = view_of(request, who).by_id
    hidden = [name for r in generation(request).records if r.id not in seen for name in (r.source, r.id)]
    return tuple(sorted(set(hidden), key=len, reverse=True))


def screened(message: str, unseen: tuple[str, ...]) -> str:
    """``message`` (the desk's, naming records) without the names of records the viewer may not see: a duplicate
    发文字号 a 秘密 record holds still blocks a 内部 clerk's save, but the clerk is not told which record holds it."""
    for name in unseen:
        if name in message:
            message = message.replace(name, "另一条记录")
    return message
