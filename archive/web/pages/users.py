"""用户: accounts, for the administrator only (/users)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..page import require, respond, site


def users(request: Request) -> Response:
    require(request, "admin")
    accounts = site(request).store.accounts()
    return respond(request, "users.html", [a.as_dict() for a in accounts], accounts=accounts)


routes: list[BaseRoute] = [Route("/users", users, name="users")]
