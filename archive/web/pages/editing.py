"""起草和修改: records drafted and edited in the browser, through forms generated from the schemas.

URLs: /records/new (choose a type), /records/new/{type} (``?meeting=<id>&item=<n>`` starts an opinion from a
sitting's agenda item), /records/{id}/edit.  Office roles (admin, clerk) only; a record above the viewer's
clearance is the same 404 as on the record pages.  A POST is parsed (``archive.web.forms``), merged with what
the form does not edit, and saved through the drafting desk (``Site.desk``): problems come back at their fields
with nothing written, a file changed since the form was opened is the 409 conflict page, a save redirects
(303) to the record page.  The hidden fields (``_type``, ``id``, ``_version``) are signed with the site's key:
a forged one is refused (400) and audited.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from archive.records import CLASSIFICATIONS, classification_rank
from archive.web.errors import error_response
from archive.web.forms import ActionError, FormProblem, apply_action, build_form, collect, merge, parse_raw, raw_of
from archive.web.forms.show import (
    field_label,
    folded,
    heading_numbers,
    picker_choices,
    picker_id,
    pickers_of,
    shown,
    side_by_side,
    unfold,
)
from archive.web.page import (
    audit,
    form,
    record_or_404,
    render,
    require,
    screened,
    site,
    unseen_names,
    view_of,
    viewer,
)

if TYPE_CHECKING:
    from starlette.requests import Request

    from archive.accounts import Viewer
    from archive.drafting import Conflict, Draft
    from archive.web.forms import Field

OFFICE = ("admin", "clerk")
# A deputy drafts their own suggestions and motions (DOMAIN §7): what the office and the organs record about them
# is not theirs to write — hidden in the deputy's form, kept or forced on save.
PROPOSALS = ("suggestion", "motion")
DEPUTY_LOCKED = frozenset({"lead", "status", "handling", "public", "decision", "progress", "workflow"})
ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")  # common.yaml $defs/id
HIDDEN = ("_type", "id", "_version", "_sign", "_action", "csrf_token")


@dataclass
class Sheet:
    """One form on its way to the page: the record's type and id, the version it was opened on, the form's
    text (``raw``), the record as opened (``opened``), and the problems to show, by form field name."""

    type: str
    id: str
    version: str
    form: Field
    raw: dict[str, Any]
    opened: dict[str, Any]
    new: bool
    problems: dict[str, list[str]] = field(default_factory=dict)
    summary: list[tuple[str, str, str]] = field(default_factory=list)  # (field name, label, message)
    hidden: tuple[str, ...] = ()  # ids and files of the records the viewer may not see

    def screen(self, message: str) -> str:
        """``message`` without the names of records the viewer may not see (:func:`archive.web.page.screened`)."""
        return screened(message, self.hidden)

    def add(self, name: str, label: str, message: str) -> None:
        self.problems.setdefault(name, []).append(message)
        self.summary.append((name, label, message))


# -- pages -----------------------------------------------------------------------------------------------


def choose_type(request: Request) -> Response:
    from archive.schema import RECORD_TYPES, TYPE_LABELS

    who = require(request, *OFFICE, "deputy")
    kinds = PROPOSALS if who.role == "deputy" else RECORD_TYPES
    types = [
        (t, TYPE_LABELS.get(t, t), site(request).workspace.schemas.documents[t].get("description", "")) for t in kinds
    ]
    return render(request, "records/new.html", types=types)


def new_record(request: Request) -> Response:
    from archive.drafting import DraftingError

    who = require(request, *OFFICE, "deputy")
    kind = _record_type(request, request.path_params["type"])
    if who.role == "deputy" and kind not in PROPOSALS:
        raise HTTPException(403)
    if request.method == "POST":
        return _post(request, who, kind, None)
    desk, catalog = site(request).desk, site(request).catalog()
    meeting, item = request.query_params.get("meeting"), request.query_params.get("item")
    try:
        if meeting and kind == "opinion":
            record_or_404(request, meeting)
            draft = desk.from_agenda(catalog, meeting, _item_number(item))
        else:
            draft = desk.blank(catalog, kind, prefill={"lead": who.deputy} if who.role == "deputy" else None)
    except DraftingError as exc:
        return error_response(request, 400, str(exc))
    return _page(request, who, _sheet(request, draft, new=True))


def edit_record(request: Request) -> Response:
    who = require(request, *OFFICE, "deputy")
    found = record_or_404(request, request.path_params["id"])
    if who.role == "deputy" and not (found.type in PROPOSALS and not found.is_final and who.drafted(found)):
        raise HTTPException(403)  # a deputy edits only their own draft, until they submit it
    if request.method == "POST":
        return _post(request, who, found.type, found.id)
    draft = site(request).desk.open(site(request).catalog(), found.id)
    return _page(request, who, _sheet(request, draft, new=False))


# -- one POST --------------------------------------------------------------------------------------------


def _post(request: Request, who: Viewer, kind: str, record_id: str | None) -> Response:
    posted = _posted(request)
    if isinstance(posted, Response):
        return posted
    forged = _forgery(request, posted, kind, record_id)
    if forged:
        return _refuse(request, record_id or kind, forged)
    desk, catalog = site(request).desk, site(request).catalog()
    opened = desk.open(catalog, record_id).data if record_id else {}
    form_field = _form_of(request, kind, who, new=record_id is None)
    version = posted.get("_version", [""])[-1]
    raw = collect(posted, form_field, opened)
    sheet = Sheet(kind, record_id or raw.get("id", ""), version, form_field, raw, opened, record_id is None)
    sheet.hidden = unseen_names(request, who)
    action = posted.get("_action", ["save"])[-1]
    if action != "save":
        return _act(request, who, sheet, action)
    return _save(request, who, sheet)


def _act(request: Request, who: Viewer, sheet: Sheet, action: str) -> Response:
    """An array button: the form again with the row added, removed or moved (no JavaScript needed)."""
    try:
        apply_action(sheet.raw, sheet.form, action)
    except ActionError as exc:
        audit(request, "refused-input", sheet.id, source=sheet.type, reason=str(exc))
        sheet.add("", "表单", str(exc))
        return _page(request, who, sheet, 400)
    return _page(request, who, sheet)


def _save(request: Request, who: Viewer, sheet: Sheet) -> Response:
    parsed = parse_raw(sheet.raw, sheet.form)
    data = _deputy_bounds(merge(parsed.data, sheet.form, sheet.opened), who)
    local = [*parsed.problems, *_clearance_problems(data, who)]
    desk, catalog = site(request).desk, site(request).catalog()
    record_id = None if sheet.new else sheet.id
    if local:
        _show(sheet, parsed.anchor, local)
        _show(sheet, parsed.anchor, desk.check(catalog, sheet.type, data, record_id), skip={p.path for p in local})
        audit(request, "refused-input", sheet.id, source=sheet.type, reason=local[0].message[:200])
        return _page(request, who, sheet, 422)
    result = desk.save(
        catalog, sheet.type, data, base_version=sheet.version, author=who.audit_name, record_id=record_id
    )
    if result.conflict is not None:
        return _conflict(request, sheet, result.conflict)
    if not result.ok or result.draft is None:
        _show(sheet, parsed.anchor, result.problems)
        if sheet.new:
            _offer_free(request, sheet, data, {tuple(p.path) for p in result.errors})
        return _page(request, who, sheet, 422)
    written = result.draft
    if not sheet.new and written.version == sheet.version:  # nothing changed: nothing written, nothing to log
        return RedirectResponse(f"/records/{quote(written.id)}?notice=unchanged", status_code=303)
    audit(
        request,
        "create" if sheet.new else "save",
        written.id,
        source=written.source,
        **{"from": sheet.version, "to": written.version, "diff": result.diff[:65536]},
    )
    if result.catalog is not None:
        site(request).install(result.catalog)
    notice = "created" if sheet.new else "saved"
    return RedirectResponse(f"/records/{quote(written.id)}?notice={notice}", status_code=303)


def _offer_free(request: Request, sheet: Sheet, data: dict[str, Any], wrong: set[tuple[str | int, ...]]) -> None:
    """A new record whose id or 发文字号 another save took meanwhile: the form gets the next free ones."""
    import datetime as dt

    from archive.drafting import DraftingError
    from archive.schema import DOC_NUMBER

    well_formed = {
        "id": ID.match(str(data.get("id", ""))),
        "doc_number": DOC_NUMBER.match(str(data.get("doc_number", ""))),
    }
    taken = [key for key in ("id", "doc_number") if (key,) in wrong and well_formed[key]]  # a typo stays the user's
    if not taken:
        return
    try:
        day = dt.date.fromisoformat(str(data.get("date")))
    except ValueError:
        day = None
    desk, catalog = site(request).desk, site(request).catalog()
    try:
        fresh = desk.blank(catalog, sheet.type, today=day).data
    except DraftingError:
        return
    if taken == ["id"]:  # the number was taken with the id: the desk reports it once the id is free
        again = desk.check(catalog, sheet.type, {**data, "id": fresh.get("id")})
        taken += ["doc_number"] if any(p.path == ("doc_number",) and p.severity == "error" for p in again) else []
    for key in taken:
        if isinstance(fresh.get(key), str) and fresh[key] != data[key]:
            sheet.raw[key] = fresh[key]
            sheet.add(key, field_label(sheet.form, (key,)), f"已改为下一个可用的“{fresh[key]}”，请核对后再次保存")
    if "id" in taken:
        sheet.id = str(sheet.raw["id"])


def _conflict(request: Request, sheet: Sheet, conflict: Conflict) -> Response:
    audit(
        request,
        "conflict",
        sheet.id,
        source=conflict.source,
        **{"from": conflict.base_version, "to": conflict.theirs_version, "diff": conflict.diff[:65536]},
    )
    rows = side_by_side(conflict.theirs_text, conflict.mine_text)
    return render(
        request, "records/conflict.html", 409, sheet=sheet, conflict=conflict, rows=rows, kind=_label(sheet.type)
    )


def _show(sheet: Sheet, anchor: Any, problems: Any, skip: set[Any] | None = None) -> None:
    """The errors among ``problems`` (the form's own or the desk's) at their form fields."""
    for p in problems:
        if skip and tuple(p.path) in skip:
            continue
        if getattr(p, "severity", "error") != "error":
            continue
        name = p.name if isinstance(p, FormProblem) else anchor(tuple(p.path))
        label = field_label(sheet.form, tuple(p.path)) or "整条记录"
        sheet.add(name, label, sheet.screen(p.message))


def _clearance_problems(data: dict[str, Any], who: Viewer) -> list[FormProblem]:
    level = data.get("classification")
    if isinstance(level, str) and level in CLASSIFICATIONS and classification_rank(level) > who.clearance.rank:
        message = f"密级“{level}”高于您的权限（{who.clearance.level}），不能设置"
        return [FormProblem(("classification",), "classification", message)]
    return []


# -- the hidden fields -------------------------------------------------------------------------------------


def _sign(request: Request, kind: str, record_id: str, version: str) -> str:
    key = site(request).store.secret()
    return hmac.new(key, f"form|{kind}|{record_id}|{version}".encode(), hashlib.sha256).hexdigest()


def _forgery(request: Request, posted: dict[str, list[str]], kind: str, record_id: str | None) -> str | None:
    """Why the hidden fields of a posted form are not the ones the server gave it, or None."""
    given_type = posted.get("_type", [""])[-1]
    if given_type != kind:
        return f"表单的记录类型“{given_type[:40]}”与所编辑的记录（{kind}）不符"
    given_id = posted.get("id", [""])[-1]
    if record_id is not None and given_id != record_id:
        return f"表单的记录编号“{given_id[:40]}”与地址中的编号（{record_id}）不符"
    if any(mark in given_id for mark in ("/", "\\", "..", "\x00")):
        return f"表单的记录编号“{given_id[:40]}”含有路径字符"
    version = posted.get("_version", [""])[-1]
    expected = _sign(request, kind, record_id or "", version)
    if not hmac.compare_digest(posted.get("_sign", [""])[-1], expected):
        return "表单的版本标记无效（不是本系统为这条记录生成的表单）"
    return None


def _refuse(request: Request, target: str, reason: str) -> Response:
    audit(request, "refused-input", target, reason=reason)
    return error_response(request, 400, f"{reason}，未保存任何内容。请重新打开编辑页面。")


def _posted(request: Request) -> dict[str, list[str]] | Response:
    """The posted form as text values by name; a file where text belongs is refused."""
    data = form(request)
    out: dict[str, list[str]] = {}
    uploads = [(name, value) for name, value in data.multi_items() if not isinstance(value, str)]
    for _name, upload in uploads:
        upload.file.close()
    if uploads:
        return _refuse(request, request.url.path, f"表单字段“{uploads[0][0][:40]}”不接受文件")
    for name, value in data.multi_items():
        assert isinstance(value, str)
        out.setdefault(name, []).append(value)
    return out


# -- rendering -----------------------------------------------------------------------------------------


def _form_of(request: Request, kind: str, who: Viewer, *, new: bool) -> Field:
    """The form of ``kind``; editing a record, its id is shown but not editable (it names the file); a
    deputy's form leaves out what the office and the organs record (DEPUTY_LOCKED)."""
    built = build_form(site(request).workspace.schemas, kind)
    locked = DEPUTY_LOCKED if who.role == "deputy" else frozenset()
    fixed = tuple(
        replace(c, mode="hidden")
        if c.key in locked
        else replace(c, mode="readonly")
        if c.key == "id" and not new
        else c
        for c in built.children
    )
    return replace(built, children=fixed)


def _deputy_bounds(data: dict[str, Any], who: Viewer) -> dict[str, Any]:
    """What a deputy saves: a draft they lead, nothing of its handling (whatever the form carried)."""
    if who.role != "deputy":
        return data
    bounded = {k: v for k, v in data.items() if k not in DEPUTY_LOCKED}
    bounded.update(lead=who.deputy, status="draft")
    return {k: bounded[k] for k in (*data, "lead", "status") if k in bounded}


def _sheet(request: Request, draft: Draft, *, new: bool) -> Sheet:
    form_field = _form_of(request, draft.type, viewer(request), new=new)
    raw = raw_of(form_field, draft.data)
    return Sheet(draft.type, draft.id, draft.version, form_field, raw, dict(draft.data), new)


def _page(request: Request, who: Viewer, sheet: Sheet, status: int = 200) -> Response:
    seen = view_of(request, who)
    pickers = pickers_of(sheet.form)
    choices = seen.daily(  # kept with the viewer scope's generation: a save starts a new one
        "pickers:" + ",".join(sorted(pickers)), lambda: picker_choices(pickers, seen.records, seen.deputy_names)
    )
    action = f"/records/new/{sheet.type}" if sheet.new else f"/records/{quote(sheet.id)}/edit"
    levels = [level for level in CLASSIFICATIONS if classification_rank(level) <= who.clearance.rank]

    def options_of(f: Field, value: str) -> list[str]:
        options = [o for o in f.options if f.key != "classification" or o in levels]
        return options + ([value] if value and value not in options else [])

    return render(
        request,
        "records/edit.html",
        status,
        sheet=sheet,
        kind=_label(sheet.type),
        action=action,
        sign=_sign(request, sheet.type, "" if sheet.new else sheet.id, sheet.version),
        choices=choices,
        options_of=options_of,
        picker_id=picker_id,
        heading_numbers=heading_numbers,
        shown=shown,
        rows_for=lambda value, paragraph: max(3 if paragraph else 1, min(12, len(str(value or "")) // 40 + 1)),
        unfold=unfold,
        folded=folded,
    )


def _label(kind: str) -> str:
    from archive.schema import TYPE_LABELS

    return TYPE_LABELS.get(kind, kind)


def _record_type(request: Request, value: str) -> str:
    from archive.schema import RECORD_TYPES

    if value not in RECORD_TYPES or value not in site(request).workspace.schemas.documents:
        raise HTTPException(404)
    return value


def _item_number(text: str | None) -> int:
    if not text or not text.isdigit() or len(text) > 4:
        raise HTTPException(400, f"议程项序号应为正整数，实际为“{(text or '')[:20]}”")
    return int(text)


routes: list[BaseRoute] = [
    Route("/records/new", choose_type, name="record_new"),
    Route("/records/new/{type}", new_record, methods=["GET", "POST"], name="record_new_type"),
    Route("/records/{id}/edit", edit_record, methods=["GET", "POST"], name="record_edit"),
]
