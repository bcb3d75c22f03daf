"""Accounts, sessions and the audit trail of the office web platform — a feature both faces use.

The command line manages accounts (``renda user``) and reads the trail (``renda audit``); the web application
(``archive.web``) logs people in, keeps their sessions and appends to the trail.  Everything is stored in one
SQLite file, ``<workspace>/.renda/web.sqlite`` (never under ``records/``):

- ``model``: roles, the :class:`Account` value and the checks on a new account (clearance under the workspace
  ceiling, a deputy id in the registry, an organ name);
- ``store``: :class:`AccountStore`, the database — accounts (argon2id hashes), sessions, login throttling;
- ``audit``: the append-only, hash-chained trail and its verification;
- ``viewer``: :class:`Viewer`, the one rule of what a person may see.
"""

from __future__ import annotations

from archive.accounts.audit import AuditEntry, AuditReport, verify_trail
from archive.accounts.model import ROLE_LABELS, ROLES, Account
from archive.accounts.store import AccountStore, LoginRefused, Session
from archive.accounts.viewer import Viewer

__all__ = [
    "ROLES",
    "ROLE_LABELS",
    "Account",
    "AccountStore",
    "AuditEntry",
    "AuditReport",
    "LoginRefused",
    "Session",
    "Viewer",
    "verify_trail",
]
