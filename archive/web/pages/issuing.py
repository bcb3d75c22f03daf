"""核稿 and 签发 of a draft: POST /records/{id}/review and POST /records/{id}/sign (the office).

Each step is one locked, validated, atomic write through the site's drafting desk (``Desk.update``): the rules
are ``archive.issuing``'s, checked first against what the page showed (the form carries the file's version:
a record changed since is a conflict, nothing written) and again inside the change, under the lock.  签发 fixes
the 发文字号: the record's own when it is free, else the next free one of its series (``Desk.next_doc_number``).
Each step is audited (``review``/``sign``) with the versions before and after and the diff of the file.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from archive.web.errors import error_response
from archive.web.page import audit, form, record_or_404, require, site

if TYPE_CHECKING:
    from collections.abc import Callable

    from starlette.requests import Request

    from archive.drafting import SaveResult
    from archive.records import Record

OFFICE = ("admin", "clerk")
TRAIL_EVENTS = ("create", "save", "review", "sign")
MAX_DIFF = 65536


def _field(request: Request, name: str) -> str:
    value = form(request).get(name, "")
    return value if isinstance(value, str) else ""


def _target(request: Request) -> Record:
    """The record of the URL, which the form must name too (a form posted to another record's URL is refused)."""
    from starlette.exceptions import HTTPException

    found = record_or_404(request, request.path_params["id"])
    if _field(request, "id") != found.id:
        raise HTTPException(400, "表单与记录不符：请刷新记录页后重新提交")
    return found


def _refused(request: Request, record: Record, status: int, message: str) -> Response:
    audit(request, "refused", record.id, status=status, reason=message)
    return error_response(request, status, message)


def _written(request: Request, event: str, record: Record, saved: SaveResult, **detail: Any) -> Response:
    """After a step: the new catalog served at once, the audit row with the diff, back to the record's page."""
    assert saved.catalog is not None and saved.draft is not None
    site(request).install(saved.catalog)
    diff = saved.diff
    extra = {"diff_truncated": True} if len(diff) > MAX_DIFF else {}
    audit(
        request,
        event,
        record.id,
        source=record.source,
        **{"from": _field(request, "version") or None, "to": saved.draft.version, "diff": diff[:MAX_DIFF]},
        **extra,
        **detail,
    )
    return RedirectResponse(f"/records/{quote(record.id)}", status_code=303)


def _not_written(request: Request, record: Record, result: SaveResult, step: str) -> Response:
    if result.conflict is not None:
        return _refused(request, record, 400, f"该记录在您打开页面后已被修改，{step}未保存：请刷新记录页后重新{step}")
    problems = "；".join(f"{p.field}：{p.message}" if p.field else p.message for p in result.errors) or "未知原因"
    return _refused(request, record, 400, f"{step}未保存，记录有错误：{problems}")


def _update(
    request: Request, record: Record, change: Callable[[dict[str, Any]], dict[str, Any]], step: str
) -> SaveResult | Response:
    """``change`` applied through the desk at the version the form was opened on: what was written, or the
    refusal to answer with."""
    from archive.drafting import DraftingError
    from archive.issuing import WorkflowError

    who = require(request, *OFFICE)
    base = _field(request, "version")
    the_site = site(request)
    try:
        result = the_site.desk.update(
            the_site.catalog(), record.id, change, author=who.audit_name, base_version=base or None, message=step
        )
    except WorkflowError as exc:
        return _refused(request, record, 400, str(exc))
    except DraftingError as exc:
        return _refused(request, record, 400, f"{step}未保存：{exc}")
    if not result.ok:
        return _not_written(request, record, result, step)
    return result


def review(request: Request) -> Response:
    from archive.issuing import WorkflowError, check_review, reviewed
    from archive.issuing.history import last_author

    who = require(request, *OFFICE)
    found = _target(request)
    result_text, note = _field(request, "result"), _field(request, "note").replace("\r\n", "\n")
    rows = site(request).store.trail(target=found.id, events=TRAIL_EVENTS)
    try:
        check_review(found.data, who.audit_name, last_author(rows), result_text, note)
    except WorkflowError as exc:
        return _refused(request, found, 403 if "核稿人" in str(exc) else 400, str(exc))
    change = reviewed(who.audit_name, result_text, note, dt.date.today())
    saved = _update(request, found, change, "核稿")
    if isinstance(saved, Response):
        return saved
    return _written(request, "review", found, saved, result=result_text, note=note.strip())


def sign(request: Request) -> Response:
    from archive.issuing import WorkflowError, check_sign, doc_number_for, signed
    from archive.issuing.history import changed_since_review

    who = require(request, *OFFICE)
    found = _target(request)
    the_site = site(request)
    account = the_site.store.get(who.name) if who.name else None
    name = _field(request, "name").strip()
    rows = the_site.store.trail(target=found.id, events=TRAIL_EVENTS)
    try:
        check_sign(found.data, who.audit_name, bool(account and account.may_sign), changed_since_review(rows), name)
    except WorkflowError as exc:
        return _refused(request, found, 403 if "签发权限" in str(exc) else 400, str(exc))
    catalog = the_site.catalog()
    change = signed(who.audit_name, name, dt.date.today(), doc_number_for(the_site.desk, catalog, found.id))
    saved = _update(request, found, change, "签发")
    if isinstance(saved, Response):
        return saved
    number = saved.draft.data.get("doc_number") if saved.draft else None
    return _written(request, "sign", found, saved, doc_number=number, signer=name)


routes: list[BaseRoute] = [
    Route("/records/{id}/review", review, methods=["POST"], name="record_review"),
    Route("/records/{id}/sign", sign, methods=["POST"], name="record_sign"),
]
