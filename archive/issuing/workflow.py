"""核稿 → 签发 → 定稿: who may review and sign a draft, and what each step writes into the record.

The steps are recorded in the record itself (``workflow`` of the common envelope, read-only in the forms)::

    workflow:
      reviews: [{by: 账号, date: YYYY-MM-DD, result: 通过|退回, note: 意见}]
      signed: {by: 账号, name: 签发人姓名, date: YYYY-MM-DD}

Rules (the pages ask :func:`check_review` and :func:`check_sign` before writing, and again under the desk's
lock through the change functions :func:`reviewed` and :func:`signed`):

- only a draft is reviewed or signed;
- the reviewer is not the account that last saved the record (a second pair of eyes); a record nobody saved
  through the platform may be reviewed by any office account;
- the signer holds the signing right, and the last review passed (通过) after the record's last change;
- signing makes the record final and fixes its 发文字号: kept when free, else the next free one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archive.errors import ArchiveError

if TYPE_CHECKING:
    from archive.catalog_model import Catalog
    from archive.drafting import Desk

REVIEW_RESULTS = ("通过", "退回")
MAX_NOTE = 4000
MAX_NAME = 64


class WorkflowError(ArchiveError):
    """A 核稿 or 签发 that may not be done (Chinese message, shown to the user)."""


@dataclass(frozen=True)
class Workflow:
    """The ``workflow`` of a record's data, read leniently (a hand-written one may be incomplete)."""

    reviews: tuple[Mapping[str, Any], ...] = ()
    signed: Mapping[str, Any] | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Workflow:
        flow = data.get("workflow")
        if not isinstance(flow, Mapping):
            return cls()
        reviews = tuple(r for r in flow.get("reviews") or () if isinstance(r, Mapping))
        signed = flow.get("signed")
        return cls(reviews, signed if isinstance(signed, Mapping) else None)

    @property
    def last_review(self) -> Mapping[str, Any] | None:
        return self.reviews[-1] if self.reviews else None

    @property
    def passed(self) -> bool:
        """The last review passed (通过)."""
        last = self.last_review
        return last is not None and last.get("result") == REVIEW_RESULTS[0]


def _draft(data: Mapping[str, Any], verb: str) -> None:
    if data.get("status") != "draft":
        raise WorkflowError(f"只有草稿可以{verb}：该记录已是定稿")


def check_review(data: Mapping[str, Any], reviewer: str, last_author: str | None, result: str, note: str) -> None:
    """A 核稿 by ``reviewer`` of a record last saved by ``last_author`` (None: nobody through the platform)."""
    _draft(data, "核稿")
    if result not in REVIEW_RESULTS:
        raise WorkflowError(f"核稿结论应为“通过”或“退回”，实际为“{result[:20]}”")
    if len(note) > MAX_NOTE:
        raise WorkflowError(f"核稿意见太长：{len(note)} 个字符，最多 {MAX_NOTE} 个")
    if any(ord(c) < 32 and c not in "\n\t" for c in note):
        raise WorkflowError("核稿意见含有控制字符")
    if last_author is not None and reviewer == last_author:
        raise WorkflowError(f"核稿人不能是最后保存该记录的人（{last_author}）：请由另一位工作人员核稿")


def check_sign(data: Mapping[str, Any], signer: str, may_sign: bool, changed_since_review: bool, name: str) -> None:
    """A 签发 by ``signer`` (``may_sign``: holds the signing right) under the name ``name``."""
    _draft(data, "签发")
    if not may_sign:
        raise WorkflowError(f"账号“{signer}”没有签发权限")
    flow = Workflow.of(data)
    if not flow.passed:
        raise WorkflowError("签发前须经核稿通过：该记录尚未核稿，或最后一次核稿结论为“退回”")
    if changed_since_review:
        raise WorkflowError("核稿后该记录又被修改过：须重新核稿通过后才能签发")
    if not name.strip() or len(name) > MAX_NAME or not name.isprintable():
        raise WorkflowError(f"签发人姓名应为 1 至 {MAX_NAME} 个可见字符")


def reviewed(by: str, result: str, note: str, today: dt.date) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The change a 核稿 makes: one more entry in ``workflow.reviews``."""

    def change(data: dict[str, Any]) -> dict[str, Any]:
        _draft(data, "核稿")
        entry: dict[str, Any] = {"by": by, "date": today.isoformat(), "result": result}
        if note.strip():
            entry["note"] = note.strip()
        flow = dict(data.get("workflow") or {})
        flow["reviews"] = [*(flow.get("reviews") or []), entry]
        return {**data, "workflow": flow}

    return change


def signed(
    by: str, name: str, today: dt.date, number: Callable[[dict[str, Any]], str | None]
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The change a 签发 makes: ``workflow.signed``, ``status: final`` and the 发文字号 ``number(data)`` gives
    (the record's own when it is free, else the next free one; None: the record type has none)."""

    def change(data: dict[str, Any]) -> dict[str, Any]:
        _draft(data, "签发")
        if not Workflow.of(data).passed:
            raise WorkflowError("签发前须经核稿通过：该记录尚未核稿，或最后一次核稿结论为“退回”")
        flow = dict(data.get("workflow") or {})
        flow["signed"] = {"by": by, "name": name.strip(), "date": today.isoformat()}
        out = {**data, "workflow": flow, "status": "final"}
        fixed = number(data)
        if fixed:
            out["doc_number"] = fixed
        return out

    return change


def doc_number_for(desk: Desk, catalog: Catalog, record_id: str) -> Callable[[dict[str, Any]], str | None]:
    """The 发文字号 a record keeps when it is signed, for :func:`signed` (called inside ``Desk.update``, under the
    desk's lock): its own when valid and no other file of ``catalog`` holds it, else the next free one of its
    series in the year of its 成文日期 (``Desk.next_doc_number``: files written since ``catalog`` was loaded count,
    so two signed at once never get the same one); a record type without a series keeps what it has."""
    from archive.scaffold import doc_code
    from archive.schema import DOC_NUMBER

    def number(data: dict[str, Any]) -> str | None:
        kind = str(data.get("type", ""))
        own = data.get("doc_number")
        if isinstance(own, str) and DOC_NUMBER.match(own) and not taken_elsewhere(catalog, record_id, own):
            return own
        if doc_code(desk.workspace.config, kind) is None:
            return own if isinstance(own, str) else None
        day = str(data.get("date") or "")
        year = int(day[:4]) if day[:4].isdigit() else dt.date.today().year
        return desk.next_doc_number(catalog, kind, year)

    return number


def taken_elsewhere(catalog: Catalog, record_id: str, number: str) -> bool:
    """Whether a file of ``catalog`` other than record ``record_id``'s holds the 发文字号 ``number`` (its own, or a
    决议's), even a file that does not validate."""
    from archive.schema import DOC_NUMBER

    def key(text: object) -> tuple[str, ...] | None:
        found = DOC_NUMBER.match(text) if isinstance(text, str) else None
        return (found.group("code"), found.group("year"), str(int(found.group("seq")))) if found else None

    wanted = key(number)
    for loaded in catalog.files:
        data = loaded.document.data if loaded.document is not None else None
        if not isinstance(data, dict) or data.get("id") == record_id:
            continue
        items = data.get("resolutions")
        rows = items if isinstance(items, list) else []
        held = [data.get("doc_number"), *(r.get("doc_number") for r in rows if isinstance(r, dict))]
        if any(key(n) == wanted for n in held):
            return True
    return False
