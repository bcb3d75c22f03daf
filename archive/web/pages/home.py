"""首页: the dashboard, by role (/)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from archive.web.page import respond, view_of, viewer


def home(request: Request) -> Response:
    who = viewer(request)
    board = view_of(request, who).dashboard()
    data = {"role": who.role, "role_label": who.role_label, "clearance": who.clearance.level, **board.as_dict()}
    return respond(request, "home.html", data, board=board)


routes: list[BaseRoute] = [Route("/", home, name="home")]
