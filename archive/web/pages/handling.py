"""办理: the people in the closed loops take their steps themselves (/records/{id}/handle).

审议意见: the organ it is addressed to submits its 研究处理情况报告 with the PDF; the office confirms receipt (the
received date is the day of confirmation unless set) and records the 满意度测评 votes.  代表建议 and 议案: the lead
deputy submits a draft; the office assigns (交办), extends, marks 重点督办 and publishes the answer; the organs log
their contacts with the deputy and the 主办 organ answers with the PDF; the lead deputy evaluates, and 不满意 opens
the next round.

Each step is a function of :mod:`archive.followup.loops` run through the drafting desk
(:meth:`archive.drafting.Desk.update`): one locked write of the YAML that changes only the lines of the step, checked
with the rules of ``renda validate``.  A refused step (bad input, the record's state, a validation error) is
shown at its form, with nothing written; an uploaded PDF is checked as ``renda import`` checks one and removed
again when the step is not saved.  Every step is in the audit trail with its diff.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from archive.errors import RendaError
from archive.followup import loops
from archive.proposals import Proposal
from archive.records import Opinion
from archive.web.forms import text_problem
from archive.web.page import audit, form, record_or_404, render, screened, site, unseen_names, viewer

if TYPE_CHECKING:
    from starlette.datastructures import FormData
    from starlette.requests import Request

    from archive.accounts import Viewer
    from archive.ingest.attachments import StoredFile
    from archive.records import Record

MAX_TEXT = 2000  # characters of one text field of a step (a summary, a note, a reason)

# action → its Chinese label
LABELS: dict[str, str] = {
    "report": "报送研究处理情况报告",
    "confirm": "确认收到报告",
    "votes": "录入满意度测评结果",
    "submit": "提交建议（议案）",
    "assign": "交办",
    "extend": "同意延期",
    "supervise": "列为重点督办",
    "contact": "记录与代表的沟通",
    "answer": "答复",
    "evaluate": "评价答复",
    "publish": "公开答复",
}
UPLOADS = frozenset({"report", "answer"})  # the steps whose form carries a PDF (security.UPLOAD_PATHS)


class StepError(Exception):
    """Bad input of one field of a step's form (Chinese message, shown at the field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# -- who may take which step now ----------------------------------------------------------------------------


def _handling(data: Mapping[str, Any]) -> Mapping[str, Any]:
    found = data.get("handling")
    return found if isinstance(found, Mapping) else {}


def _pending_votes(data: Mapping[str, Any]) -> int | None:
    """The first report of an opinion that has no 满意度测评 yet."""
    reports = (data.get("follow_up") or {}).get("reports") or []
    return next((i for i, r in enumerate(reports) if not r.get("evaluation")), None)


def _report_due(follow: Mapping[str, Any]) -> bool:
    """Whether an opinion waits for a (next) report: assigned, none waiting for confirmation, and either no
    report yet or the last one voted 不满意."""
    if not follow.get("assigned") or follow.get("submissions"):
        return False
    reports = follow.get("reports") or []
    return not reports or (reports[-1].get("evaluation") or {}).get("result") == "不满意"


def _opinion_steps(record: Opinion, who: Viewer) -> list[str]:
    data = record.data
    follow = data.get("follow_up") or {}
    steps = []
    if who.is_office and follow.get("submissions"):
        steps.append("confirm")
    if who.is_office and _pending_votes(data) is not None:
        steps.append("votes")
    if _report_due(follow) and (who.is_office or (who.role == "organ" and who.concerns_organ(record))):
        steps.append("report")
    return steps


def _proposal_steps(record: Proposal, who: Viewer) -> list[str]:
    data = record.data
    waiting = loops.awaiting(data)
    handling = _handling(data)
    lead_deputy = who.role == "deputy" and who.deputy == record.lead
    lead_organ = who.role == "organ" and who.organ == handling.get("lead_organ")
    steps = []
    if waiting == "draft" and (who.is_office or lead_deputy):
        steps.append("submit")
    if who.is_office and waiting != "draft" and not handling.get("answer"):
        steps.append("assign")
    if who.is_office and handling and not handling.get("answer") and not handling.get("extension"):
        steps.append("extend")
    if who.is_office and handling:
        steps.append("supervise")
    if handling and (who.is_office or (who.role == "organ" and who.concerns_organ(record))):
        steps.append("contact")
    if waiting == "organ" and handling and (who.is_office or lead_organ):
        steps.append("answer")
    if waiting == "deputy" and (who.is_office or lead_deputy):
        steps.append("evaluate")
    if who.is_office and handling.get("answer"):
        steps.append("publish")
    return steps


def steps_for(record: Record, who: Viewer) -> list[str]:
    """The steps ``who`` may take on ``record`` now (empty for the public and for records outside the loops)."""
    if who.is_public:
        return []
    if isinstance(record, Opinion) and record.is_final:
        return _opinion_steps(record, who)
    if isinstance(record, Proposal):
        return _proposal_steps(record, who)
    return []


# -- reading a step's form ---------------------------------------------------------------------------------


def _text(values: FormData, name: str, label: str, *, required: bool = False) -> str | None:
    raw = values.get(name)
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        if required:
            raise StepError(name, f"请填写{label}")
        return None
    if len(text) > MAX_TEXT:
        raise StepError(name, f"{label}过长：不得超过 {MAX_TEXT} 个字符（现有 {len(text)} 个）")
    problem = text_problem(text)  # the forms' rule for a field's characters
    if problem:
        raise StepError(name, f"{label}{problem}")
    return text


def _date(values: FormData, name: str, label: str, *, required: bool = True) -> dt.date | None:
    text = _text(values, name, label, required=required)
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise StepError(name, f"{label}“{text[:20]}”不是有效日期，应写作 YYYY-MM-DD") from None


def _count(values: FormData, name: str, label: str) -> int:
    text = _text(values, name, label, required=True) or ""
    if not text.isdigit() or len(text) > 5:
        raise StepError(name, f"{label}应为不小于 0 的整数，实际为“{text[:20]}”")
    return int(text)


def _choice(values: FormData, name: str, label: str, choices: tuple[str, ...]) -> str:
    text = _text(values, name, label, required=True) or ""
    if text not in choices:
        raise StepError(name, f"{label}应为 {'、'.join(choices)} 之一")
    return text


def _index(values: FormData, name: str, limit: int) -> int:
    text = values.get(name)
    if not isinstance(text, str) or not text.isdigit() or not 1 <= int(text) <= limit:
        raise StepError(name, "所选的报告不存在（可能已被处理），请刷新页面")
    return int(text) - 1


def _upload(values: FormData) -> UploadFile:
    found = values.get("file")
    if not isinstance(found, UploadFile) or not found.filename:
        raise StepError("file", "请选择要上传的 PDF 文件")
    return found


# -- the steps --------------------------------------------------------------------------------------------

Change = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Step:
    """A parsed step: the change to the record's data, and the PDF it stored (if any)."""

    change: Change
    stored: StoredFile | None = None


def _today() -> dt.date:
    return dt.date.today()


def _store(request: Request, record: Record, kind: str, values: FormData) -> StoredFile:
    from archive.errors import IngestError
    from archive.ingest.attachments import store_pdf

    upload = _upload(values)
    content = upload.file.read()
    try:
        return store_pdf(site(request).workspace, record.source, record.id, kind, content)
    except IngestError as exc:
        raise StepError("file", str(exc)) from None


def _opinion_step(request: Request, record: Record, action: str, values: FormData) -> Step:
    who = viewer(request)
    if action == "report":
        title = _text(values, "title", "报告名称")
        number = _text(values, "doc_number", "报告文号")
        date = _date(values, "date", "报告日期", required=False)
        stored = _store(request, record, "report", values)
        return Step(
            lambda d: loops.submit_report(
                d, stored, by=who.audit_name, today=_today(), title=title, doc_number=number, date=date
            ),
            stored,
        )
    if action == "confirm":
        pending = (record.data.get("follow_up") or {}).get("submissions") or []
        index = _index(values, "index", len(pending))
        received = _date(values, "received", "收到日期", required=False)
        return Step(lambda d: loops.confirm_report(d, index, today=_today(), received=received))
    reports = (record.data.get("follow_up") or {}).get("reports") or []
    index = _index(values, "index", len(reports))
    date = _date(values, "date", "测评日期")
    assert date is not None
    votes = (("satisfied", "满意票"), ("basic", "基本满意票"), ("no", "不满意票"))
    counts = [_count(values, key, label) for key, label in votes]
    result = _choice(values, "result", "测评结果", loops.RESULTS)
    meeting = _text(values, "meeting", "测评会议")
    return Step(
        lambda d: loops.record_votes(
            d,
            index,
            date=date,
            satisfied=counts[0],
            basically_satisfied=counts[1],
            unsatisfied=counts[2],
            result=result,
            meeting=meeting,
        )
    )


def _proposal_step(request: Request, record: Record, action: str, values: FormData) -> Step:
    if action == "submit":
        return Step(loops.submit)
    if action == "publish":
        public = values.get("public") == "1"
        return Step(lambda d: loops.publish(d, public))
    if action == "answer":
        return _answer_step(request, record, values)
    date = _date(values, "date", "日期")
    assert date is not None
    if action == "assign":
        lead = _text(values, "lead_organ", "主办单位", required=True) or ""
        co = [o for o in (_text(values, "co_organs", "会办单位") or "").replace("，", "、").split("、") if o.strip()]
        return Step(lambda d: loops.assign(d, assigned=date, lead_organ=lead, co_organs=co))
    if action == "extend":
        reason = _text(values, "reason", "延期理由", required=True) or ""
        return Step(lambda d: loops.extend(d, approved=date, reason=reason))
    if action == "supervise":
        by = _text(values, "by", "督办领导", required=True) or ""
        return Step(lambda d: loops.supervise(d, by=by, date=date))
    if action == "contact":
        kind = _text(values, "kind", "沟通方式", required=True) or ""
        note = _text(values, "note", "沟通情况")
        return Step(lambda d: loops.log_contact(d, date=date, kind=kind, note=note))
    result = _choice(values, "result", "评价结果", loops.RESULTS)
    note = _text(values, "note", "代表意见")
    return Step(lambda d: loops.evaluate(d, date=date, result=result, note=note))


def _answer_step(request: Request, record: Record, values: FormData) -> Step:
    date = _date(values, "date", "答复日期")
    assert date is not None
    answer_class = _choice(values, "class", "答复类别", loops.ANSWER_CLASSES)
    summary = _text(values, "summary", "答复要点")
    number = _text(values, "doc_number", "答复文号")
    upload = values.get("file")
    stored = _store(request, record, "answer", values) if isinstance(upload, UploadFile) and upload.filename else None
    return Step(
        lambda d: loops.answer(d, date=date, answer_class=answer_class, summary=summary, doc_number=number, pdf=stored),
        stored,
    )


# -- the pages --------------------------------------------------------------------------------------------


WAITING = {
    "draft": "草稿，等待领衔代表提交",
    "office": "等待代表工作机构交办",
    "organ": "等待承办单位答复",
    "deputy": "等待代表评价答复",
}


def _state(record: Record) -> str:
    """Where the loop stands, in a sentence."""
    data = record.data
    if isinstance(record, Proposal):
        waiting = loops.awaiting(data)
        return WAITING[waiting] if waiting else "办理完毕（代表评价满意或基本满意）"
    follow = data.get("follow_up") or {}
    if not follow.get("assigned"):
        return "尚未交办"
    reports, pending = follow.get("reports") or [], follow.get("submissions") or []
    parts = [f"{follow['assigned']} 交办", f"已收到研究处理情况报告 {len(reports)} 份"]
    if pending:
        parts.append(f"{len(pending)} 份报送待确认")
    last = (reports[-1].get("evaluation") or {}).get("result") if reports else None
    if last:
        parts.append(f"最近一次测评：{last}")
    return "；".join(parts)


def _page(request: Request, record: Record, status: int = 200, **context: Any) -> Response:
    who = viewer(request)
    return render(
        request,
        "records/handle.html",
        status,
        record=record,
        state=_state(record),
        steps=steps_for(record, who),
        labels=LABELS,
        uploads=UPLOADS,
        today=_today().isoformat(),
        pending_votes=_pending_votes(record.data),
        done=LABELS.get(request.query_params.get("done") or ""),
        failed=context.pop("failed", None),
        errors=context.pop("errors", {}),
        **context,
    )


def handle(request: Request) -> Response:
    """GET: the steps this viewer may take on the record now, each a small form."""
    record = record_or_404(request, request.path_params["id"])
    who = viewer(request)
    if not steps_for(record, who) and not _involved(record, who):
        raise HTTPException(403)
    return _page(request, record)


def _involved(record: Record, who: Viewer) -> bool:
    """Whether ``who`` is in this record's loop (and so sees where it stands even with no step to take now, as
    right after their own step): the office, the organs it concerns, the deputies who signed it."""
    if not isinstance(record, (Opinion, Proposal)):
        return False
    if who.is_office:
        return True
    if who.role == "organ":
        return who.concerns_organ(record)
    return who.role == "deputy" and isinstance(record, Proposal) and who.deputy in record.signers


def take(request: Request) -> Response:
    """POST: take one step; its form again with the message at the field when refused, nothing written."""
    record = record_or_404(request, request.path_params["id"])
    who = viewer(request)
    action = request.path_params["action"]
    if action not in LABELS or action not in steps_for(record, who):
        audit(request, "refused", record.id, step=action[:40], status=403)
        raise HTTPException(403)
    values = form(request)
    try:
        step = (_opinion_step if isinstance(record, Opinion) else _proposal_step)(request, record, action, values)
    except StepError as exc:
        return _refused(request, record, action, {exc.field: exc.message})
    refusal = _save(request, record, action, step)
    if refusal is not None:
        return _refused(request, record, action, refusal)
    return RedirectResponse(f"/records/{quote(record.id)}/handle?done={action}", status_code=303)


def _save(request: Request, record: Record, action: str, step: Step) -> dict[str, str] | None:
    """Run the step through the desk; None when it was saved, else the messages of the refusal by field name
    (``""`` for the whole step)."""
    the_site = site(request)
    who = viewer(request)
    try:
        result = the_site.desk.update(
            the_site.catalog(), record.id, step.change, author=who.audit_name, message=LABELS[action]
        )
    except RendaError as exc:  # the step does not fit the record's state (LoopError), the file is unreadable
        if step.stored is not None:
            step.stored.discard(the_site.workspace)
        return {"": str(exc)}
    if not result.ok:
        if step.stored is not None:
            step.stored.discard(the_site.workspace)
        unseen = unseen_names(request, who)
        return {"": "；".join(screened(f"{p.field}：{p.message}", unseen) for p in result.errors) or "未能保存"}
    assert result.catalog is not None and result.draft is not None
    the_site.install(result.catalog)
    audit(
        request,
        action,
        record.id,
        source=result.draft.source,
        to=result.draft.version,
        diff=result.diff[:65536],
    )
    return None


def _refused(request: Request, record: Record, action: str, errors: dict[str, str]) -> Response:
    audit(request, "refused-input", record.id, step=action, fields=sorted(errors))
    return _page(request, record, 400, failed=action, errors=errors)


routes: list[BaseRoute] = [
    Route("/records/{id}/handle", handle, name="record_handle"),
    Route("/records/{id}/handle/{action}", take, methods=["POST"], name="record_take"),
]
