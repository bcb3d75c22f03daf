"""The end of the demo (scripts/demo.sh): one web account per role on a workspace, then serve it.

    python scripts/demo_web.py accounts WORKSPACE   # create or reset the accounts; print each password once
    python scripts/demo_web.py serve WORKSPACE      # serve on http://127.0.0.1:8000 (when `renda serve` is absent)

Each run gives every demo account a new random password (an account that exists already has its password
reset), so re-running the demo always prints passwords that work.  The passwords are printed, never stored
anywhere but as argon2id hashes in the workspace's ``.renda/web.sqlite``.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

HOST, PORT = "127.0.0.1", 8000
DEPUTY = "d001"  # the sample registry's first deputy
ORGAN = "区人民政府"
# (account name, role, deputy id, organ): one per role.
DEMO_ACCOUNTS = (
    ("admin", "admin", None, None),
    ("clerk", "clerk", None, None),
    ("member", "member", None, None),
    ("deputy", "deputy", DEPUTY, None),
    ("organ", "organ", None, ORGAN),
)


def set_up_accounts(root: Path) -> list[tuple[str, str, str]]:
    """Create the demo accounts, or reset their passwords: (name, role label, password) of each."""
    from archive.accounts import ROLE_LABELS, AccountStore
    from archive.accounts.model import ceiling, new_account
    from archive.catalog import load_catalog
    from archive.workspace import Workspace

    ws = Workspace(root)
    store = AccountStore.of(ws)
    catalog = load_catalog(ws)
    level = ceiling(ws.config)
    done = []
    for name, role, deputy, organ in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(9)  # 12 characters
        if store.get(name) is None:
            store.add(new_account(name, role, level, ws.config, catalog, deputy=deputy, organ=organ), password, "demo")
        else:
            store.set_password(name, password, "demo")
        done.append((name, ROLE_LABELS[role], password))
    return done


def print_accounts(accounts: list[tuple[str, str, str]]) -> None:
    print(f"\n网页平台：http://{HOST}:{PORT}  （按 Ctrl-C 停止）")
    print("演示账号（密码只显示这一次；再次运行演示会重设密码）：")
    width = max(len(name) for name, _, _ in accounts)
    for name, label, password in accounts:
        print(f"  {name:<{width}}  {password}  {label}")
    print(flush=True)


def serve(root: Path) -> None:
    import uvicorn

    from archive.web.app import create_app

    uvicorn.run(create_app(root), host=HOST, port=PORT, log_level="warning")


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in ("accounts", "serve"):
        print(__doc__, file=sys.stderr)
        return 2
    root = Path(argv[2]).resolve()
    if argv[1] == "accounts":
        print_accounts(set_up_accounts(root))
    else:
        serve(root)  # uvicorn stops cleanly on Ctrl-C
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
