"""首页: the dashboard, by role (/)."""

from __future__ import annotations

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from archive.web.page import render, site, view_of, viewer, wants_json


def home(request: Request) -> Response:
    who = viewer(request)
    seen = view_of(request, who)
    board = seen.dashboard()
    if wants_json(request):
        data = {"role": who.role, "role_label": who.role_label, "clearance": who.clearance.level, **board.as_dict()}
        return JSONResponse(data)
    template = site(request).templates.get_template("home_cards.html")
    # the cards read only the scope (role, organ) and the board: rendered once, as autoescaped markup
    cards = seen.daily("dashboard-html", lambda: template.render(viewer=seen.scope, board=board))
    return render(request, "home.html", board=board, cards=Markup(cards))


routes: list[BaseRoute] = [Route("/", home, name="home")]
