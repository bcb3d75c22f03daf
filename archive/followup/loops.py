"""The steps of the two closed loops, as the people in them take them on the platform.

审议意见: the organ submits its 研究处理情况报告 (with the PDF), the office confirms receipt and records the
满意度测评 votes.  代表建议 and 议案: the office assigns (交办), extends, marks 重点督办 and publishes; the organ
logs its contacts with the deputy and answers (with the PDF); the deputy evaluates, and 不满意 opens the next
round of handling.

Each step is a pure function from a record's data to its new data (nothing here reads or writes files): the
web pages run it through the drafting desk (:meth:`archive.drafting.Desk.update`), which writes the YAML with
only the changed lines and checks the result with the rules of ``renda validate``.  A step that does not fit the
record's state (answering what was never assigned, evaluating what was not answered) raises
:class:`LoopError` with a Chinese message; the rules of the dates themselves (an answer before 交办…) are the
validator's, so they are said once.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from archive.errors import RendaError

Data = dict[str, Any]
ANSWER_CLASSES = ("A", "B", "C")
RESULTS = ("满意", "基本满意", "不满意")


class LoopError(RendaError):
    """A step that does not fit the record's state (Chinese message)."""


class StoredPdf(Protocol):
    """A PDF stored beside its record (:class:`archive.ingest.attachments.StoredFile`)."""

    @property
    def file(self) -> str: ...  # workspace-relative
    @property
    def sha256(self) -> str: ...
    @property
    def pages(self) -> int: ...


def _copy(data: Mapping[str, Any]) -> Data:
    return copy.deepcopy(dict(data))


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _put(target: Data, key: str, value: Any) -> None:
    """Set ``key`` when there is a value; drop it when there is none (an optional field left empty)."""
    if value in (None, "", [], ()):
        target.pop(key, None)
    else:
        target[key] = value


# -- 审议意见 ------------------------------------------------------------------


def submit_report(
    data: Mapping[str, Any],
    pdf: StoredPdf,
    *,
    by: str,
    today: dt.date,
    title: str | None = None,
    doc_number: str | None = None,
    date: dt.date | None = None,
) -> Data:
    """The organ submits its 研究处理情况报告: kept under follow_up.submissions until the office confirms it."""
    new = _copy(data)
    follow = new.setdefault("follow_up", {})
    if not follow.get("assigned"):
        raise LoopError("这份审议意见尚未交办，还不能报送研究处理情况报告")
    entry: Data = {"submitted": _iso(today), "by": by}
    _put(entry, "date", _iso(date) if date else None)
    _put(entry, "title", title)
    _put(entry, "doc_number", doc_number)
    entry.update({"file": pdf.file, "sha256": pdf.sha256, "pages": pdf.pages})
    follow.setdefault("submissions", []).append(entry)
    return new


def confirm_report(data: Mapping[str, Any], index: int, *, today: dt.date, received: dt.date | None = None) -> Data:
    """The office confirms it received submission ``index``: it becomes the next report, received on
    ``received`` (the day of confirmation unless given)."""
    new = _copy(data)
    follow = new.get("follow_up") or {}
    pending = follow.get("submissions") or []
    if not 0 <= index < len(pending):
        raise LoopError(f"没有第{index + 1}份待确认的报告（可能已被确认）")
    entry = pending.pop(index)
    if not pending:
        follow.pop("submissions")
    report: Data = {"received": _iso(received or today)}
    for key in ("title", "doc_number", "file", "sha256"):
        _put(report, key, entry.get(key))
    follow.setdefault("reports", []).append(report)
    return new


def record_votes(
    data: Mapping[str, Any],
    index: int,
    *,
    date: dt.date,
    satisfied: int,
    basically_satisfied: int,
    unsatisfied: int,
    result: str,
    meeting: str | None = None,
) -> Data:
    """The 满意度测评 of report ``index``: the votes and the result (不满意 opens the next round in ``track``)."""
    if result not in RESULTS:
        raise LoopError(f"测评结果应为 {'、'.join(RESULTS)} 之一")
    if min(satisfied, basically_satisfied, unsatisfied) < 0:
        raise LoopError("票数不能为负数")
    new = _copy(data)
    reports = (new.get("follow_up") or {}).get("reports") or []
    if not 0 <= index < len(reports):
        raise LoopError(f"没有第{index + 1}份研究处理情况报告")
    if reports[index].get("evaluation"):
        raise LoopError(f"第{index + 1}份报告已有测评结果；需要更正的，请在编辑页修改")
    evaluation: Data = {"date": _iso(date)}
    _put(evaluation, "meeting", meeting)
    evaluation.update(
        {
            "satisfied": satisfied,
            "basically_satisfied": basically_satisfied,
            "unsatisfied": unsatisfied,
            "result": result,
        }
    )
    reports[index]["evaluation"] = evaluation
    return new


# -- 代表建议 and 议案 -----------------------------------------------------------


def _handling(new: Data) -> Data:
    handling = new.get("handling")
    if not isinstance(handling, dict):
        raise LoopError("尚未交办，不能进行这一步")
    return handling


def _rounds(handling: Data) -> list[Data]:
    """The rounds of handling as mutable mappings: the first round lives in handling itself."""
    return [handling, *(handling.get("rehandling") or [])]


def submit(data: Mapping[str, Any]) -> Data:
    """The deputy submits a drafted suggestion or motion to the office (draft → final)."""
    if data.get("status") != "draft":
        raise LoopError("已经提交，不能重复提交")
    new = _copy(data)
    new["status"] = "final"
    return new


def assign(data: Mapping[str, Any], *, assigned: dt.date, lead_organ: str, co_organs: Sequence[str] = ()) -> Data:
    """交办: to the 主办 organ (and 会办 organs).  Changing the organs is allowed until the first answer."""
    if data.get("status") != "final":
        raise LoopError("草稿尚未提交，不能交办")
    new = _copy(data)
    handling = new.get("handling")
    if isinstance(handling, dict) and handling.get("answer"):
        raise LoopError("承办单位已经答复，不能再改交办")
    handling = handling if isinstance(handling, dict) else {}
    handling["assigned"] = _iso(assigned)
    handling["lead_organ"] = lead_organ.strip()
    _put(handling, "co_organs", [o.strip() for o in co_organs if o.strip()])
    ordered = {k: handling[k] for k in ("assigned", "lead_organ", "co_organs") if k in handling}
    new["handling"] = {**ordered, **{k: v for k, v in handling.items() if k not in ordered}}
    return new


def extend(data: Mapping[str, Any], *, approved: dt.date, reason: str) -> Data:
    """The office approves a longer deadline (deadlines.suggestion_extended): once."""
    new = _copy(data)
    handling = _handling(new)
    if handling.get("extension"):
        raise LoopError("已经同意过延期，不能再次延期")
    if handling.get("answer"):
        raise LoopError("承办单位已经答复，无需延期")
    handling["extension"] = {"approved": _iso(approved), "reason": reason.strip()}
    return new


def supervise(data: Mapping[str, Any], *, by: str, date: dt.date | None = None) -> Data:
    """重点督办: by whom (and since when)."""
    new = _copy(data)
    handling = _handling(new)
    supervision: Data = {"by": by.strip()}
    _put(supervision, "date", _iso(date) if date else None)
    handling["supervision"] = supervision
    return new


def log_contact(data: Mapping[str, Any], *, date: dt.date, kind: str, note: str | None = None) -> Data:
    """A meeting or call with the deputy (三见面: after 交办, while handling, before answering)."""
    new = _copy(data)
    handling = _handling(new)
    contact: Data = {"date": _iso(date), "kind": kind.strip()}
    _put(contact, "note", note.strip() if note else None)
    handling.setdefault("contacts", []).append(contact)
    handling["contacts"].sort(key=lambda c: str(c.get("date")))
    return new


def _answering_round(handling: Data) -> Data:
    """The round an answer goes to: the first unanswered one, or a new round after an evaluation 不满意."""
    rounds = _rounds(handling)
    last = rounds[-1]
    if not last.get("answer"):
        return last
    evaluation = last.get("evaluation")
    if not evaluation:
        raise LoopError("已经答复，正在等待代表评价；需要更正答复的，请联系办公室")
    if evaluation.get("result") != "不满意":
        raise LoopError("代表已评价满意或基本满意，办理已经完成")
    fresh: Data = {}
    handling.setdefault("rehandling", []).append(fresh)
    return fresh


def answer(
    data: Mapping[str, Any],
    *,
    date: dt.date,
    answer_class: str,
    summary: str | None = None,
    doc_number: str | None = None,
    pdf: StoredPdf | None = None,
) -> Data:
    """The organ's answer (class A/B/C, summary, 文号, the PDF) to the round that awaits one."""
    if answer_class not in ANSWER_CLASSES:
        raise LoopError("答复类别应为 A、B、C 之一")
    new = _copy(data)
    target = _answering_round(_handling(new))
    reply: Data = {"date": _iso(date)}
    _put(reply, "doc_number", doc_number)
    reply["class"] = answer_class
    _put(reply, "summary", summary.strip() if summary else None)
    if pdf is not None:
        reply.update({"file": pdf.file, "sha256": pdf.sha256})
    target["answer"] = reply
    return new


def evaluate(data: Mapping[str, Any], *, date: dt.date, result: str, note: str | None = None) -> Data:
    """The deputy's evaluation of the latest answer; 不满意 sends it back for re-handling."""
    if result not in RESULTS:
        raise LoopError(f"评价结果应为 {'、'.join(RESULTS)} 之一")
    new = _copy(data)
    last = _rounds(_handling(new))[-1]
    if not last.get("answer"):
        raise LoopError("承办单位尚未答复，还不能评价")
    if last.get("evaluation"):
        raise LoopError("这次答复已经评价过")
    evaluation: Data = {"date": _iso(date), "result": result}
    _put(evaluation, "note", note.strip() if note else None)
    last["evaluation"] = evaluation
    return new


def publish(data: Mapping[str, Any], public: bool) -> Data:
    """Whether the answer is published in the public view (公开 flag)."""
    new = _copy(data)
    if public:
        new["public"] = True
    else:
        new.pop("public", None)
    return new


def awaiting(data: Mapping[str, Any]) -> str | None:
    """Who the handling of a suggestion or motion waits for: "draft", "office" (to assign), "organ" (to
    answer), "deputy" (to evaluate), or None when it is done."""
    if data.get("status") == "draft":
        return "draft"
    handling = data.get("handling")
    if not isinstance(handling, dict):
        return "office"
    last = _rounds(handling)[-1]
    if not last.get("answer"):
        return "organ"
    evaluation = last.get("evaluation")
    if not evaluation:
        return "deputy"
    return "organ" if evaluation.get("result") == "不满意" else None
