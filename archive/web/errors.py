"""The error pages, in Chinese and without a traceback: 400, 403, 404, 405, 413, 414, 500 (and their JSON)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from archive.errors import RendaError
from archive.web.page import render, wants_json

if TYPE_CHECKING:
    from starlette.requests import Request

TITLES: dict[int, tuple[str, str]] = {
    400: ("请求有误", "请求无法处理。"),
    401: ("需要登录", "请先登录。"),
    403: ("无权操作", "您没有进行此操作的权限，或表单已失效（请刷新页面后重试）。"),
    404: ("页面不存在", "找不到您要的页面或记录。请检查链接是否正确。"),
    405: ("不支持的请求", "此页面不接受这种请求方式。"),
    413: ("提交的内容太大", "提交的内容超过 1 MB 的上限。"),
    414: ("链接太长", "链接（网址）超过了允许的长度。"),
    500: ("服务器内部错误", "处理请求时出错，已记录。请稍后重试或联系系统管理员。"),
}


def error_response(request: Request, status: int, message: str | None = None) -> Response:
    title, default = TITLES.get(status, TITLES[400])
    text = message or default
    if wants_json(request):
        return JSONResponse({"error": title, "message": text, "status": status}, status_code=status)
    return render(request, "error.html", status, status=status, title=title, message=text)


def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.status_code == 400 and exc.detail and exc.detail != "Bad Request" else None
    return error_response(request, exc.status_code, detail)


def library_error(request: Request, exc: Exception) -> Response:
    """A library error a page did not turn into something else: the user's request cannot be done (400)."""
    return error_response(request, 400, str(exc) if isinstance(exc, RendaError) else None)


def login_required(request: Request, _exc: Exception) -> Response:
    if wants_json(request):
        return error_response(request, 401)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    from urllib.parse import quote

    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def server_error(request: Request, _exc: Exception) -> Response:
    return error_response(request, 500)
