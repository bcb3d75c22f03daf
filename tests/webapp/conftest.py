"""Fixtures of the web tests: an application over a scratch copy of the sample workspace, one account per role,
and ``client_as(role, clearance=...)`` — a logged-in Starlette TestClient (in-process, no server)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import httpx2
import pytest
from samples import copy_sample
from starlette.applications import Starlette
from starlette.testclient import TestClient
from starlette.types import Message

from archive.accounts import AccountStore
from archive.accounts.model import new_account
from archive.catalog import load_catalog
from archive.web.app import create_app
from archive.workspace import Workspace
from webapp.planted import LEVELS, Planted, plant

PASSWORD = "correct-horse-42"  # every fixture account's password
DEPUTY_ID = "d001"  # the deputy account's registry id
ORGAN = "区人民政府"  # the organ account's organ
ClientAs = Callable[..., TestClient]  # client_as("clerk", clearance="内部"): a logged-in TestClient

ROLES = ("admin", "clerk", "member", "deputy", "organ")


def account_name(role: str, clearance: str = "内部") -> str:
    return role if clearance == "内部" else f"{role}-{clearance}"


def planted_app(root: Path, roles: Iterable[str]) -> tuple[Planted, Starlette]:
    """Plant the clearance canaries (webapp.planted) in ``root``, a scratch copy of the sample; make an account for
    each of ``roles`` at each level; and an app over the workspace."""
    planted = plant(root)
    for role in roles:
        for level in LEVELS:
            add_account(root, role, level)
    return planted, create_app(root)


def client_at(app: Starlette, role: str, level: str) -> TestClient:
    """A client logged in as the account :func:`planted_app` made for ``role`` at ``level``."""
    client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    assert login(client, account_name(role, level)).status_code == 303
    return client


def add_account(root: Path, role: str, clearance: str = "内部", name: str | None = None) -> str:
    ws = Workspace(root)
    name = name or account_name(role, clearance)
    account = new_account(
        name,
        role,
        clearance,
        ws.config,
        load_catalog(ws) if role == "deputy" else None,
        deputy=DEPUTY_ID if role == "deputy" else None,
        organ=ORGAN if role == "organ" else None,
    )
    AccountStore.of(ws).add(account, PASSWORD, actor="test")
    return name


@pytest.fixture(scope="module")
def web_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample workspace with one account per role at clearance 内部 (the sample's ceiling), once per module."""
    root = copy_sample(tmp_path_factory.mktemp("web") / "ws")
    for role in ROLES:
        add_account(root, role)
    return root


@pytest.fixture
def web_ws(web_built: Path, tmp_path: Path) -> Path:
    """A scratch copy of ``web_built`` for one test (its own accounts database and audit trail)."""
    return Path(shutil.copytree(web_built, tmp_path / "ws"))


@pytest.fixture
def app(web_ws: Path) -> Starlette:
    return create_app(web_ws)


@pytest.fixture
def anon(app: Starlette) -> TestClient:
    """A client nobody has logged in with; server errors answer as the 500 page (not raised into the test)."""
    return TestClient(app, raise_server_exceptions=False, follow_redirects=False)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match[1]


def login(client: TestClient, name: str, password: str = PASSWORD) -> httpx2.Response:
    """POST the login form as a browser would (GET it first for the CSRF token); the response."""
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token, "next": "/"})


@pytest.fixture
def client_as(app: Starlette, web_ws: Path) -> ClientAs:
    """``client_as("clerk")`` / ``client_as("member", clearance="公开")``: a TestClient logged in with that role."""

    def make(role: str, clearance: str = "内部") -> TestClient:
        name = account_name(role, clearance)
        if AccountStore.of(Workspace(web_ws)).get(name) is None:
            add_account(web_ws, role, clearance)
        client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
        response = login(client, name)
        assert response.status_code == 303, response.text
        return client

    return make


def raw_get(
    app: Starlette, path: str, query: bytes, headers: Sequence[tuple[bytes, bytes]] = ()
) -> tuple[int, dict[str, str], str]:
    """A GET straight into the ASGI app, for URLs HTTP clients refuse to build or send (a 1 MB query string):
    status, response headers, body."""
    import asyncio

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    messages: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        messages.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body.decode("utf-8")
