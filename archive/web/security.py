"""The middleware between the network and the pages: limits, security headers, sessions and CSRF.

``Guard`` (outermost) refuses oversized requests (a query string past 8 KB → 414, a body past 1 MB → 413; past 51 MB
for the forms that carry a PDF) with the Chinese error page, notes a ``.json`` suffix (the JSON twin) and adds the
security headers and the Content-Security-Policy (no inline script or style) to every response. ``Sessions`` reads
the signed session cookie, looks the session up (idle timeout), checks the CSRF token of every state-changing
request (403 otherwise) and sets or clears the cookie: HttpOnly, SameSite=Lax, Secure when the request came over TLS
(behind a proxy, uvicorn's ``--proxy-headers`` turns its X-Forwarded-Proto into the request's scheme).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request

if TYPE_CHECKING:
    from archive.web.site import Site

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "renda_session"
MAX_QUERY = 8 * 1024
MAX_BODY = 1024 * 1024
# The forms that carry a PDF (an organ's report, an answer) may be larger: a 50 MB PDF (the import limit) and its
# fields.  A larger body is refused before it is read, with the limit in the message.
MAX_UPLOAD = 51 * 1024 * 1024
UPLOAD_PATHS = ("/handle/report", "/handle/answer")
UPLOAD_TOO_LARGE = "上传的文件太大：单个 PDF 不得超过 50 MB。请压缩或拆分后重新上传。"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


def sign(token: str, key: bytes) -> str:
    mac = hmac.new(key, token.encode("ascii"), hashlib.sha256).digest()
    return f"{token}.{base64.urlsafe_b64encode(mac).decode('ascii').rstrip('=')}"


def unsign(value: str | None, key: bytes) -> str | None:
    """The token of a cookie value whose signature is right, else None."""
    if not value or "." not in value or not value.isascii():
        return None
    token, _, _mac = value.rpartition(".")
    return token if hmac.compare_digest(sign(token, key), value) else None


def body_limit(scope: Scope) -> int:
    """The largest body a request to this path may send: MAX_UPLOAD for the forms that carry a PDF."""
    path = str(scope.get("path", ""))
    return MAX_UPLOAD if path.startswith("/records/") and path.endswith(UPLOAD_PATHS) else MAX_BODY


async def _error_page(scope: Scope, receive: Receive, send: Send, status: int) -> None:
    from archive.web.errors import error_response

    request = Request(scope, receive)
    message = UPLOAD_TOO_LARGE if status == 413 and body_limit(scope) == MAX_UPLOAD else None
    response = await run_in_threadpool(error_response, request, status, message)
    await response(scope, receive, send)


class Guard:
    def __init__(self, app: ASGIApp, site: Site) -> None:
        self.app = app
        self.site = site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if secure:
                    headers.setdefault("strict-transport-security", "max-age=31536000")
                if "cache-control" not in headers:  # pages depend on who is logged in: never cached
                    static = scope.get("path", "").startswith("/static/")
                    headers["cache-control"] = "public, max-age=3600" if static else "no-store"
            await send(message)

        state = scope.setdefault("state", {})
        if len(scope.get("query_string", b"")) > MAX_QUERY or len(scope.get("raw_path", b"") or b"") > MAX_QUERY:
            await _error_page(scope, receive, send_with_headers, 414)
            return
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > body_limit(scope)):
            await _error_page(scope, receive, send_with_headers, 413)
            return
        path = scope.get("path", "")
        if path.endswith(".json") and not path.startswith("/static/"):
            state["json_suffix"] = True
            scope["path"] = path[: -len(".json")] or "/"
            scope["raw_path"] = scope["path"].encode("utf-8")
        await self.app(scope, receive, send_with_headers)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None past ``limit`` (a chunked upload that did not declare its length)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


class Sessions:
    def __init__(self, app: ASGIApp, site: Site) -> None:
        self.app = app
        self.site = site
        self.key = site.store.secret()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        request = Request(scope)
        presented = request.cookies.get(COOKIE)
        token = unsign(presented, self.key)
        idle = self.site.settings.idle_minutes * 60
        current = await run_in_threadpool(self.site.store.session, token, idle) if token else None
        state["session"] = current
        if scope["method"] in UNSAFE:
            body = await _read_body(receive, body_limit(scope))
            if body is None:
                await _error_page(scope, receive, send, 413)
                return
            receive = _replay(body)
            form = await Request(scope, receive).form(max_files=20, max_fields=1000)
            state["form"] = form
            sent = form.get("csrf_token") or request.headers.get("x-csrf-token") or ""
            if current is None or not isinstance(sent, str) or not hmac.compare_digest(sent, current.csrf):
                await form.close()
                await _error_page(scope, _replay(b""), send, 403)
                return
            receive = _replay(body)
        secure = scope.get("scheme") == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                fresh = state.get("new_session")
                flags = "; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
                if state.get("end_session") and fresh is None:
                    headers.append("set-cookie", f"{COOKIE}=; Max-Age=0{flags}")
                elif fresh is not None:
                    headers.append("set-cookie", f"{COOKIE}={sign(fresh.token, self.key)}{flags}")
                elif presented and current is None:
                    headers.append("set-cookie", f"{COOKIE}=; Max-Age=0{flags}")  # forged or expired: forget it
            await send(message)

        try:
            await self.app(scope, receive, send_with_cookie)
        finally:
            parsed = state.get("form")
            if parsed is not None:
                await parsed.close()  # an uploaded file's spooled temporary file
