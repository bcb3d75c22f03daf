"""The web platform's database: accounts, sessions, login throttling and the audit trail, in one SQLite file.

``<workspace>/.renda/web.sqlite`` — beside the search index, never under ``records/``.  Passwords are argon2id
hashes (argon2-cffi).  A session is a random token; the database keeps only its SHA-256, the account, a CSRF
token and when it was last used (idle timeout).  Every change to an account and every login is audited in the
same transaction as the change.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.accounts import audit
from archive.accounts.model import Account, check_password
from archive.errors import AccountError
from archive.fileio import database_storage_error

if TYPE_CHECKING:
    from archive.workspace import Workspace

DB_PATH = Path(".renda") / "web.sqlite"
IDLE_TIMEOUT = 30 * 60  # seconds without a request before a session ends
THROTTLE_WINDOW = 15 * 60  # seconds over which failed logins are counted
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, clearance TEXT NOT NULL, deputy TEXT, organ TEXT,
    password TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0, created TEXT NOT NULL,
    can_sign INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, account TEXT, csrf TEXT NOT NULL, created REAL NOT NULL, seen REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS login_failures (account TEXT NOT NULL, address TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS login_failures_at ON login_failures (at);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
    + audit.SCHEMA
)


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring a store made by an older renda up to this schema: the signing right (``can_sign``) of issue 14."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(accounts)")}
    if "can_sign" not in columns:
        conn.execute("ALTER TABLE accounts ADD COLUMN can_sign INTEGER NOT NULL DEFAULT 0")


class LoginRefused(AccountError):
    """A login that did not succeed: wrong name or password, a disabled account, or too many failures."""


@dataclass(frozen=True)
class Session:
    token: str  # what the cookie carries (the database keeps its hash)
    account: str | None  # None: an anonymous visitor who has been given a CSRF token (the login form)
    csrf: str
    created: float
    seen: float
    holder: Account | None = field(default=None, compare=False, repr=False)  # the account, read with the session


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id, the library's RFC 9106 low-memory profile


class AccountStore:
    """The database of one workspace.  Every method opens its own connection: safe from any thread."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.clock = clock
        self._ready = False
        self._dummy_hash: str | None = None

    @classmethod
    def of(cls, workspace: Workspace) -> AccountStore:
        return cls(workspace.root / DB_PATH)

    # -- plumbing --------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _connect(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        """A connection; a full disk or a read-only file system becomes :class:`WriteError` naming the folder."""
        opened = False
        try:
            with self._connection(write) as conn:
                opened = True
                yield conn
                return
        except (OSError, sqlite3.OperationalError) as exc:
            problem = database_storage_error(exc, self.path.parent)
            if problem is None:
                raise
            if opened or write or not self.path.is_file():
                raise problem from None
        # Reading on a read-only or full file system (an archive copy, a full disk): WAL needs its -shm file,
        # which cannot be made there; nothing can write the database meanwhile, so read it as immutable.
        conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, isolation_level=None)
        try:
            yield conn
        finally:
            conn.close()

    @contextlib.contextmanager
    def _connection(self, write: bool) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, never corrupt; far fewer fsyncs
        try:
            if not self._ready:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(_SCHEMA)
                _migrate(conn)
                self._ready = True
            if write:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            else:
                yield conn
        finally:
            conn.close()

    def _now_text(self) -> str:
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC).isoformat(timespec="seconds")

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC)

    def secret(self) -> bytes:
        """The key that signs session cookies: made once per workspace, kept in the database."""
        with self._connect(write=True) as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = 'cookie_key'").fetchone()
            if row is None:
                row = (secrets.token_hex(32),)
                conn.execute("INSERT INTO settings VALUES ('cookie_key', ?)", row)
        return bytes.fromhex(row[0])

    # -- accounts --------------------------------------------------------------------------------------

    @staticmethod
    def _account(row: tuple[Any, ...]) -> Account:
        # a store not yet migrated (read as immutable on a read-only disk) has no can_sign column
        name, role, clearance, deputy, organ, _password, disabled, created, *rest = row
        return Account(name, role, clearance, deputy, organ, bool(disabled), created, bool(rest and rest[0]))

    def get(self, name: str) -> Account | None:
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM accounts WHERE name = ?", (name,)).fetchone()
        return self._account(row) if row else None

    def require(self, name: str) -> Account:
        account = self.get(name)
        if account is None:
            raise AccountError(f"没有名为“{name}”的账号")
        return account

    def accounts(self) -> list[Account]:
        if not self.path.exists():  # reading never creates the database (a read-only workspace stays untouched)
            return []
        with self._connect() as conn:
            return [self._account(r) for r in conn.execute("SELECT * FROM accounts ORDER BY name")]

    def has_admin(self) -> bool:
        with self._connect() as conn:
            return conn.execute("SELECT 1 FROM accounts WHERE role = 'admin' AND disabled = 0").fetchone() is not None

    def add(self, account: Account, password: str, actor: str, address: str = "") -> Account:
        digest = _hasher().hash(check_password(password))
        created = self._now_text()
        with self._connect(write=True) as conn:
            if conn.execute("SELECT 1 FROM accounts WHERE name = ?", (account.name,)).fetchone():
                raise AccountError(f"账号“{account.name}”已存在")
            conn.execute(
                "INSERT INTO accounts (name, role, clearance, deputy, organ, password, disabled, created, can_sign)"
                " VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
                (
                    account.name,
                    account.role,
                    account.clearance,
                    account.deputy,
                    account.organ,
                    digest,
                    created,
                    int(account.can_sign),
                ),
            )
            kept = ("role", "clearance", "deputy", "organ", "can_sign")
            detail = {k: v for k, v in account.as_dict().items() if k in kept and v}
            audit.append(conn, "account_add", actor, address, account.name, detail, self._now())
        return replace(account, disabled=False, created=created)

    def set_signing(self, name: str, allowed: bool, actor: str, address: str = "") -> Account:
        """Grant (``allowed``) or revoke the signing right (签发) of an office account; audited as ``account_sign``."""
        from archive.accounts.model import check_signing_role

        with self._connect(write=True) as conn:
            row = conn.execute("SELECT * FROM accounts WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise AccountError(f"没有名为“{name}”的账号")
            account = self._account(row)
            if allowed:
                check_signing_role(account.role)
            if account.can_sign == allowed:
                raise AccountError(f"账号“{name}”{'已有' if allowed else '本就没有'}签发权限")
            conn.execute("UPDATE accounts SET can_sign = ? WHERE name = ?", (int(allowed), name))
            audit.append(conn, "account_sign", actor, address, name, {"can_sign": allowed}, self._now())
        return replace(account, can_sign=allowed)

    def set_password(self, name: str, password: str, actor: str, address: str = "") -> None:
        digest = _hasher().hash(check_password(password))
        with self._connect(write=True) as conn:
            if conn.execute("UPDATE accounts SET password = ? WHERE name = ?", (digest, name)).rowcount == 0:
                raise AccountError(f"没有名为“{name}”的账号")
            conn.execute("DELETE FROM sessions WHERE account = ?", (name,))  # a new password ends every session
            conn.execute("DELETE FROM login_failures WHERE account = ?", (name,))
            audit.append(conn, "account_passwd", actor, address, name, None, self._now())

    def disable(self, name: str, actor: str, address: str = "") -> None:
        with self._connect(write=True) as conn:
            row = conn.execute("SELECT disabled FROM accounts WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise AccountError(f"没有名为“{name}”的账号")
            if row[0]:
                raise AccountError(f"账号“{name}”已停用")
            conn.execute("UPDATE accounts SET disabled = 1 WHERE name = ?", (name,))
            conn.execute("DELETE FROM sessions WHERE account = ?", (name,))
            audit.append(conn, "account_disable", actor, address, name, None, self._now())

    # -- logging in ------------------------------------------------------------------------------------

    def login(self, name: str, password: str, address: str) -> Account:
        """The account, when the name and password are right and neither it nor the address is throttled.

        Refused: :class:`LoginRefused` with the message to show; a throttled attempt does not even check the
        password (so a flood costs nothing and changes nothing but the trail).
        """
        from argon2.exceptions import InvalidHashError, VerificationError

        now = self.clock()
        since = now - THROTTLE_WINDOW
        refusal: str | None = None
        with self._connect(write=True) as conn:
            by_account = conn.execute(
                "SELECT COUNT(*) FROM login_failures WHERE account = ? AND at > ?", (name, since)
            ).fetchone()[0]
            by_address = conn.execute(
                "SELECT COUNT(*) FROM login_failures WHERE address = ? AND at > ?", (address, since)
            ).fetchone()[0]
            if by_account >= MAX_FAILURES_PER_ACCOUNT or by_address >= MAX_FAILURES_PER_ADDRESS:
                audit.append(conn, "login_refused", "-", address, name[:64], None, self._now())
                who = "该账号" if by_account >= MAX_FAILURES_PER_ACCOUNT else "本机地址"
                refusal = f"{who}登录失败次数过多，请 {THROTTLE_WINDOW // 60} 分钟后再试"
        if refusal:  # raised after the commit: the refusal stays in the trail
            raise LoginRefused(refusal)
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM accounts WHERE name = ?", (name,)).fetchone()
        stored = row[5] if row else self._dummy()
        try:
            ok = bool(_hasher().verify(stored, password)) and row is not None
        except (VerificationError, InvalidHashError):
            ok = False
        account = self._account(row) if ok else None
        with self._connect(write=True) as conn:
            if account is None:
                conn.execute("INSERT INTO login_failures VALUES (?, ?, ?)", (name[:64], address, now))
                conn.execute("DELETE FROM login_failures WHERE at < ?", (since,))
                audit.append(conn, "login_failed", "-", address, name[:64], None, self._now())
                refusal = "账号或密码不正确"
            elif account.disabled:
                audit.append(conn, "login_failed", "-", address, name, {"reason": "disabled"}, self._now())
                refusal = "该账号已停用，请联系系统管理员"
            else:
                conn.execute("DELETE FROM login_failures WHERE account = ?", (name,))
                audit.append(conn, "login", name, address, name, None, self._now())
        if refusal or account is None:
            raise LoginRefused(refusal or "账号或密码不正确")
        return account

    def _dummy(self) -> str:
        # Unknown names cost one hash check too, so timing does not tell which names exist.
        if self._dummy_hash is None:
            self._dummy_hash = _hasher().hash(secrets.token_hex(16))
        return self._dummy_hash

    # -- sessions --------------------------------------------------------------------------------------

    def new_session(self, account: str | None, replaces: str | None = None) -> Session:
        """A fresh session (new token, new CSRF token); the session it ``replaces`` ends (no fixation)."""
        token, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), self.clock()
        with self._connect(write=True) as conn:
            if replaces:
                conn.execute("DELETE FROM sessions WHERE id = ?", (_hash_token(replaces),))
            conn.execute("DELETE FROM sessions WHERE seen < ?", (now - IDLE_TIMEOUT * 4,))
            conn.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)", (_hash_token(token), account, csrf, now, now))
        return Session(token, account, csrf, now, now)

    def session(self, token: str, idle_timeout: float = IDLE_TIMEOUT) -> Session | None:
        """The live session of ``token`` (its last use now), or None: unknown, idle too long, account disabled."""
        now = self.clock()
        with self._connect() as conn:
            row = conn.execute(
                "SELECT s.account, s.csrf, s.created, s.seen, a.* FROM sessions s "
                "LEFT JOIN accounts a ON a.name = s.account WHERE s.id = ?",
                (_hash_token(token),),
            ).fetchone()
            if row is None:
                return None
            account, csrf, created, seen = row[:4]
            holder = self._account(row[4:]) if row[4] is not None else None
            if now - seen > idle_timeout or (account is not None and (holder is None or holder.disabled)):
                return None
            if now - seen > 10:  # write the last use at most every ten seconds
                conn.execute("UPDATE sessions SET seen = ? WHERE id = ?", (now, _hash_token(token)))
        return Session(token, account, csrf, created, now, holder)

    def end_session(self, token: str, address: str = "") -> None:
        with self._connect(write=True) as conn:
            row = conn.execute("SELECT account FROM sessions WHERE id = ?", (_hash_token(token),)).fetchone()
            conn.execute("DELETE FROM sessions WHERE id = ?", (_hash_token(token),))
            if row and row[0]:
                audit.append(conn, "logout", row[0], address, row[0], None, self._now())

    # -- the audit trail -------------------------------------------------------------------------------

    def log(self, event: str, actor: str, address: str = "", target: str = "", **detail: Any) -> None:
        with self._connect(write=True) as conn:
            audit.append(conn, event, actor, address, target, detail or None, self._now())

    def trail(
        self,
        since: dt.date | None = None,
        user: str | None = None,
        *,
        target: str | None = None,
        events: tuple[str, ...] = (),
    ) -> list[audit.AuditEntry]:
        """The audit rows, oldest first; ``target`` (a record id, an account name) is looked up by its index."""
        if not self.path.exists():
            return []
        with self._connect() as conn:
            return audit.entries(conn, since, user, target, events)

    def verify(self) -> audit.AuditReport:
        if not self.path.exists():
            return audit.AuditReport(0, ())
        with self._connect() as conn:
            return audit.verify_trail(conn)
