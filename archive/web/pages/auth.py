"""登录 and 退出: /login (form and POST), /logout (POST)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from archive.accounts import LoginRefused
from archive.web.page import client_address, current_viewer, form, render, session, site


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path of this site only (never //host or a scheme)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def login_form(request: Request) -> Response:
    who = current_viewer(request)
    target = safe_next(request.query_params.get("next"))
    if who is not None and not who.is_public:
        return RedirectResponse(target, status_code=303)
    return render(request, "login.html", next=target, name="", error=None)


def login(request: Request) -> Response:
    data = form(request)
    name, password = str(data.get("name", "")).strip(), str(data.get("password", ""))
    target = safe_next(str(data.get("next", "")))
    if not name or not password:
        return render(request, "login.html", 400, next=target, name=name, error="请输入账号和密码")
    the_site = site(request)
    try:
        account = the_site.store.login(name, password, client_address(request))
    except LoginRefused as exc:
        return render(request, "login.html", 400, next=target, name=name, error=str(exc))
    old = session(request)
    # A new session id on login: whatever token the visitor had before (anonymous, or planted) is ended.
    request.scope["state"]["new_session"] = the_site.store.new_session(
        account.name, replaces=old.token if old else None
    )
    return RedirectResponse(target, status_code=303)


def logout(request: Request) -> Response:
    current = session(request)
    if current is not None:
        site(request).store.end_session(current.token, client_address(request))
    request.scope["state"]["end_session"] = True
    return RedirectResponse("/login", status_code=303)


routes: list[BaseRoute] = [
    Route("/login", login_form, methods=["GET"], name="login_form"),
    Route("/login", login, methods=["POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
]
