"""用户: accounts, for the administrator only — list, add, disable, reset a password, grant or revoke the
signing right (/users)."""

from __future__ import annotations

import secrets

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from archive.accounts.model import OFFICE_ROLES, ROLE_LABELS, new_account, parse_role
from archive.errors import AccountError
from archive.records import CLASSIFICATIONS, classification_rank
from archive.web.page import client_address, form, require, respond, site


def _page(request: Request, status: int = 200, notice: str | None = None, error: str | None = None) -> Response:
    the_site = site(request)
    accounts = the_site.store.accounts()
    top = the_site.workspace.config.max_public_classification
    levels = [c for c in CLASSIFICATIONS if classification_rank(c) <= classification_rank(top)]
    return respond(
        request,
        "users.html",
        [a.as_dict() for a in accounts],
        status,
        accounts=accounts,
        roles=ROLE_LABELS,
        levels=levels,
        office_roles=OFFICE_ROLES,
        notice=notice,
        error=error,
    )


def users(request: Request) -> Response:
    require(request, "admin")
    return _page(request)


def add_user(request: Request) -> Response:
    who = require(request, "admin")
    data = form(request)
    the_site = site(request)
    field = {k: str(data.get(k, "")).strip() for k in ("name", "role", "clearance", "deputy", "organ", "sign")}
    try:
        role = parse_role(field["role"])
        catalog = the_site.catalog() if role == "deputy" else None
        account = new_account(
            field["name"],
            role,
            field["clearance"] or CLASSIFICATIONS[0],
            the_site.workspace.config,
            catalog,
            field["deputy"] or None,
            field["organ"] or None,
            can_sign=field["sign"] == "1",
        )
        password = secrets.token_urlsafe(12)
        the_site.store.add(account, password, who.audit_name, client_address(request))
    except AccountError as exc:
        return _page(request, 400, error=str(exc))
    return _page(request, notice=f"已新建账号 {account.name}，初始密码：{password}（只显示这一次，请转交本人）")


def _target(request: Request) -> str:
    name = str(request.path_params["name"])
    if site(request).store.get(name) is None:
        raise HTTPException(404)
    return name


def disable_user(request: Request) -> Response:
    who = require(request, "admin")
    name = _target(request)
    if name == who.name:
        return _page(request, 400, error="不能停用自己正在使用的账号")
    try:
        site(request).store.disable(name, who.audit_name, client_address(request))
    except AccountError as exc:
        return _page(request, 400, error=str(exc))
    return _page(request, notice=f"已停用账号 {name}")


def set_signing(request: Request) -> Response:
    """Grant (``grant=1``) or revoke (``grant=0``) an office account's signing right (签发)."""
    who = require(request, "admin")
    name = _target(request)
    grant = str(form(request).get("grant", "")) == "1"
    try:
        site(request).store.set_signing(name, grant, who.audit_name, client_address(request))
    except AccountError as exc:
        return _page(request, 400, error=str(exc))
    return _page(request, notice=f"已{'授予' if grant else '收回'}账号 {name} 的签发权限")


def reset_password(request: Request) -> Response:
    who = require(request, "admin")
    name = _target(request)
    password = secrets.token_urlsafe(12)
    site(request).store.set_password(name, password, who.audit_name, client_address(request))
    return _page(request, notice=f"已为账号 {name} 设置新密码：{password}（只显示这一次，请转交本人）")


routes: list[BaseRoute] = [
    Route("/users", users, methods=["GET"], name="users"),
    Route("/users", add_user, methods=["POST"], name="add_user"),
    Route("/users/{name}/disable", disable_user, methods=["POST"], name="disable_user"),
    Route("/users/{name}/password", reset_password, methods=["POST"], name="reset_password"),
    Route("/users/{name}/sign", set_signing, methods=["POST"], name="set_signing"),
]
