"""Running the platform: the address check, the search index kept current, uvicorn."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from archive.errors import RendaError, ServeError

if TYPE_CHECKING:
    from archive.accounts import AccountStore
    from archive.web.site import Site
    from archive.workspace import Workspace

WATCH_SECONDS = 3.0  # how often the records folder is looked at for changes to index


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, store: AccountStore) -> None:
    """Only this machine may connect until an administrator account exists: nobody could manage the others."""
    if not is_loopback(host) and not store.has_admin():
        raise ServeError(
            f"尚无系统管理员账号，不能在非本机地址 {host} 上提供服务（默认只监听 127.0.0.1）。"
            "请先建立管理员账号：renda user add 名称 --role admin"
        )


def watch_index(
    workspace: Workspace, stop: threading.Event, signature: Callable[[], object], say: Callable[[str], None]
) -> threading.Thread:
    """A daemon thread that brings the search index up to date whenever the records folder changes."""
    from archive.search import update_index

    def run() -> None:
        last = signature()
        while not stop.wait(WATCH_SECONDS):
            current = signature()
            if current == last:
                continue
            last = current
            try:
                update_index(workspace)
            except RendaError as exc:  # e.g. another process holds the index: the next change tries again
                say(f"检索索引未能更新：{exc}")

    thread = threading.Thread(target=run, name="renda-index-watch", daemon=True)
    thread.start()
    return thread


def _generation(site: Site) -> int | None:
    """The number of the site's current generation (None while the records cannot be loaded: config errors)."""
    try:
        return site.generation().number
    except RendaError:
        return None


def serve(workspace: Workspace, host: str, port: int, say: Callable[[str], None]) -> None:
    """Check the address, bring the index up to date, and serve until Ctrl-C."""
    import uvicorn

    from archive.accounts import AccountStore
    from archive.search import update_index
    from archive.web.app import create_app

    store = AccountStore.of(workspace)
    check_host(host, store)
    say("正在更新检索索引……")
    update_index(workspace)
    app = create_app(workspace, store=store)
    stop = threading.Event()
    # The site's own look at the records folder tells the index when to update (one walk of the folder, not
    # two), and it reloads the catalog here, in the background, rather than in the next request.
    watch_index(workspace, stop, lambda: _generation(app.state.site), say)
    shown = f"[{host}]" if ":" in host else host
    say(f"正在提供服务：http://{shown}:{port}/（按 Ctrl-C 停止）")
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        proxy_headers=True,  # X-Forwarded-Proto from the local reverse proxy (nginx) makes cookies Secure
        forwarded_allow_ips="127.0.0.1",
        server_header=False,
        log_level="warning",
        h11_max_incomplete_event_size=64 * 1024,
    )
    try:
        uvicorn.Server(config).run()
    finally:
        stop.set()
