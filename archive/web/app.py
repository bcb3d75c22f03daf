"""``create_app(workspace)``: the Starlette application of one workspace (what ``renda serve`` runs)."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from ..accounts import AccountStore
from ..errors import RendaError
from ..workspace import Workspace
from . import errors
from .page import LoginRequired
from .pages import PAGES
from .security import Guard, Sessions
from .site import STATIC, Site, WebSettings


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
