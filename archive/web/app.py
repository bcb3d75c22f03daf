"""``create_app(workspace)``: the Starlette application of one workspace (what ``renda serve`` runs)."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from archive.accounts import AccountStore
from archive.errors import RendaError
from archive.web import errors
from archive.web.page import LoginRequired
from archive.web.pages import PAGES
from archive.web.security import Guard, Sessions
from archive.web.site import STATIC, Site, WebSettings
from archive.workspace import Workspace


def create_app(
    workspace: Workspace | Path | str,
    *,
    public: bool | None = None,
    store: AccountStore | None = None,
) -> Starlette:
    """The application over ``workspace``.  ``public`` overrides ``web.public`` of renda.yaml; ``store`` the
    account database (default ``<workspace>/.renda/web.sqlite``)."""
    ws = workspace if isinstance(workspace, Workspace) else Workspace(Path(workspace))
    settings = WebSettings.of(ws.config.raw)
    if public is not None:
        settings = WebSettings(public, settings.idle_minutes)
    site = Site(ws, store or AccountStore.of(ws), settings)
    routes: list[BaseRoute] = [route for page in PAGES for route in page.routes]
    routes.append(Mount("/static", StaticFiles(directory=STATIC), name="static"))
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Guard, site=site), Middleware(Sessions, site=site)],
        exception_handlers={
            HTTPException: errors.http_error,
            LoginRequired: errors.login_required,
            RendaError: errors.library_error,
            Exception: errors.server_error,
        },
    )
    app.state.site = site
    return app
