"""首页: the dashboard, by role (/)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..page import respond, viewer


def home(request: Request) -> Response:
    who = viewer(request)
    data: dict[str, Any] = {"role": who.role, "role_label": who.role_label, "clearance": who.clearance.level}
    return respond(request, "home.html", data)


routes: list[BaseRoute] = [Route("/", home, name="home")]
