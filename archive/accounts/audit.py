"""The audit trail: append-only rows, each carrying the hash of the one before it.

A row's hash is SHA-256 over its own fields and the previous row's hash, so editing a row breaks its own hash
and deleting one breaks the chain at the next; ``audit_head`` keeps the last row's number and hash so that
deleting the newest rows is found too.  Triggers refuse UPDATE and DELETE through SQLite; :func:`verify_trail`
finds what was done around them (a hand-edited file) and names the rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from archive.errors import AuditError

GENESIS = "0" * 64

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, address TEXT NOT NULL,
    event TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_head (
    one INTEGER PRIMARY KEY CHECK (one = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_target ON audit (target, seq);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'append-only'); END;
"""

EVENT_LABELS: dict[str, str] = {
    "login": "登录",
    "login_failed": "登录失败",
    "login_refused": "登录被限制",
    "logout": "退出",
    "view": "查看",
    "download": "下载",
    "build": "生成",
    "account_add": "新建账号",
    "account_passwd": "重设密码",
    "account_disable": "停用账号",
    "account_sign": "变更签发权限",
    "save": "保存",
    "create": "新建记录",
    "review": "核稿",
    "sign": "签发",
    "conflict": "保存冲突",
    "refused-input": "拒绝提交",
    "preview": "预览",
    "history": "查看修改记录",
    "refused": "拒绝访问",
}


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str  # ISO 8601, UTC, seconds
    actor: str  # account name, "-" when anonymous, "cli:<user>" for the command line
    address: str
    event: str
    target: str
    detail: str  # JSON object
    prev: str
    hash: str

    @property
    def event_label(self) -> str:
        return EVENT_LABELS.get(self.event, self.event)

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "address": self.address,
            "event": self.event,
            "event_label": self.event_label,
            "target": self.target,
            "detail": json.loads(self.detail) if self.detail else {},
            "hash": self.hash,
        }


def row_hash(seq: int, at: str, actor: str, address: str, event: str, target: str, detail: str, prev: str) -> str:
    fields = [seq, at, actor, address, event, target, detail, prev]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8")).hexdigest()


def append(
    conn: sqlite3.Connection,
    event: str,
    actor: str,
    address: str = "",
    target: str = "",
    detail: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> AuditEntry:
    """Append one row; the caller holds a write transaction (BEGIN IMMEDIATE) so the chain stays linear."""
    head = conn.execute("SELECT seq, hash FROM audit_head WHERE one = 1").fetchone()
    seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
    at = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")
    text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
    digest = row_hash(seq, at, actor, address, event, target, text, prev)
    conn.execute(
        "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, at, actor, address, event, target, text, prev, digest),
    )
    conn.execute("INSERT OR REPLACE INTO audit_head VALUES (1, ?, ?)", (seq, digest))
    return AuditEntry(seq, at, actor, address, event, target, text, prev, digest)


def entries(
    conn: sqlite3.Connection,
    since: dt.date | None = None,
    user: str | None = None,
    target: str | None = None,
    events: tuple[str, ...] = (),
) -> list[AuditEntry]:
    """The rows, oldest first: since a day, by one actor, about one target (through the index on target), of
    some events."""
    query, args = "SELECT * FROM audit WHERE 1 = 1", []
    if target is not None:
        query += " AND target = ?"
        args.append(target)
    if events:
        query += f" AND event IN ({', '.join('?' * len(events))})"
        args.extend(events)
    if since is not None:
        query += " AND at >= ?"
        args.append(since.isoformat())
    if user is not None:
        query += " AND actor = ?"
        args.append(user)
    return [AuditEntry(*row) for row in conn.execute(query + " ORDER BY seq", args)]


@dataclass(frozen=True)
class AuditReport:
    """What :func:`verify_trail` found: how many rows, and every break of the chain (Chinese, naming rows)."""

    rows: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "ok": self.ok, "problems": list(self.problems)}


def verify_trail(conn: sqlite3.Connection) -> AuditReport:
    """Walk the chain from the first row: numbering, each row's own hash, the link to the row before, the head."""
    try:
        rows = [AuditEntry(*row) for row in conn.execute("SELECT * FROM audit ORDER BY seq")]
        head = conn.execute("SELECT seq, hash FROM audit_head WHERE one = 1").fetchone()
    except sqlite3.DatabaseError as exc:
        raise AuditError(f"无法读取审计记录：{exc}") from None
    problems: list[str] = []
    expected, prev = 1, GENESIS
    for row in rows:
        if row.seq != expected:
            gone = f"第 {expected} 条" if row.seq == expected + 1 else f"第 {expected} 至 {row.seq - 1} 条"
            problems.append(f"{gone}已被删除")
        elif row.prev != prev:
            problems.append(f"第 {row.seq} 条记录的前一条哈希不符：第 {row.seq - 1} 条被改动")
        if row_hash(row.seq, row.at, row.actor, row.address, row.event, row.target, row.detail, row.prev) != row.hash:
            problems.append(f"第 {row.seq} 条（{row.at} {row.actor} {row.event_label}）被改动：内容与其哈希不符")
        expected, prev = row.seq + 1, row.hash
    last = rows[-1].seq if rows else 0
    if head is None and rows:
        problems.append("审计链的末条记录标记（audit_head）缺失")
    elif head is not None and head[0] > last:
        gone = f"第 {last + 1} 条" if head[0] == last + 1 else f"第 {last + 1} 至 {head[0]} 条"
        problems.append(f"{gone}（最新的记录）已被删除")
    elif head is not None and (head[0] != last or head[1] != prev):
        problems.append(f"审计链末条标记与第 {last} 条不符")
    return AuditReport(len(rows), tuple(problems))
