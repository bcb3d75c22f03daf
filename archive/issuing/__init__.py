"""Issuing documents: the 核稿 → 签发 workflow, the 发文登记 register and a record's change history.

A feature over the core (and the drafting desk that writes records): the web pages of issue 14 call it.

- ``workflow``: the rules of 核稿 (review) and 签发 (sign) and the changes they make to a record's data
  (``workflow.reviews``, ``workflow.signed``, ``status: final``, the 发文字号);
- ``register``: the 发文登记 register of a year — the issued records with their 发文字号 — and its XLSX;
- ``history``: a record's changes from the audit trail, each diff as rows a page can show.
"""

from __future__ import annotations

from archive.issuing.history import Change, DiffLine, changed_since_review, history, last_author
from archive.issuing.register import RegisterRow, register_rows, register_xlsx, register_years
from archive.issuing.workflow import (
    REVIEW_RESULTS,
    Workflow,
    WorkflowError,
    check_review,
    check_sign,
    doc_number_for,
    reviewed,
    signed,
)

__all__ = [
    "REVIEW_RESULTS",
    "Change",
    "DiffLine",
    "RegisterRow",
    "Workflow",
    "WorkflowError",
    "changed_since_review",
    "check_review",
    "check_sign",
    "doc_number_for",
    "history",
    "last_author",
    "register_rows",
    "register_xlsx",
    "register_years",
    "reviewed",
    "signed",
]
