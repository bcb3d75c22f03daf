"""Documents that come from derived facts rather than one record: the 催办函 and the 代表履职档案.

A 催办函 is written once from the follow-up facts into a ``letter`` record (so it has its 发文字号, is searched,
tracked and archived like every record) and rendered from that record.  The 履职档案 is an ordinary
:class:`~archive.render.documents.Document` rendered by :func:`archive.render.render_prepared`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.catalog import Catalog, load_catalog
from archive.chinese import chinese_number, date_text
from archive.clearance import Clearance, Screened, copy_number, marking
from archive.deputies import DeputyProfile
from archive.followup import FollowUpReport, OpinionFollowUp, Status, deadline_wording, track_everything
from archive.proposals import Motion, Proposal
from archive.records import Letter, Meeting, Opinion, report_subject
from archive.render import RenderResult
from archive.render.documents import Document, _envelope, break_title, sitting_name
from archive.render.proposal import office_letter_fields
from archive.workdays import rule_text
from archive.workspace import Config, Workspace

if TYPE_CHECKING:
    from archive.scaffold import NewRecord

REMINDER_KIND = "催办函"
PROFILE_KIND = "代表履职档案"


def _subject(opinion: Opinion) -> str:
    """关于区人民法院执行工作情况的报告 → 区人民法院执行工作情况报告."""
    return report_subject(opinion.report_title, opinion.report_organ)


def _secrecy(level: str) -> dict[str, str | None]:
    """份号 and 密级 for the 版头 of a derived document marked ``level`` (none for 公开)."""
    return {"secrecy": None if level == "公开" else level, "copy_number": copy_number(level)}


def reminder_fields(
    item: OpinionFollowUp, opinion: Opinion, meeting: Meeting | None, config: Config, as_of: dt.date
) -> dict[str, Any]:
    """The office's 催办函 to the addressee of an overdue opinion, as the fields of a ``letter`` record,
    classified at the highest level of what it quotes (the opinion and the sitting that deliberated it)."""
    current = item.current
    if current is None or current.due is None:
        raise ValueError(f"{item.id} has no open deadline")  # only overdue opinions get a letter
    subject = _subject(opinion)
    sitting = ""
    if meeting is not None and meeting.date:
        sitting = f"{date_text(meeting.date)}，{sitting_name(meeting, config)}听取和审议了{subject}。"
    number = f"（{opinion.doc_number}）" if opinion.doc_number else ""
    if item.reopened:
        evaluated = item.rounds[-2]
        owed = (
            f"常委会对{opinion.report_organ}报送的研究处理情况报告进行满意度测评，"
            f"{date_text(evaluated.evaluation_date)}测评结果为不满意，"
            f"要求于{date_text(current.due)}前再次书面报告研究处理情况。"
        )
    else:
        assigned = f"{date_text(item.assigned)}，" if item.assigned else ""
        wording = deadline_wording(config)
        owed = (
            f"{assigned}常委会将审议意见{number}交{opinion.addressee}研究处理，"
            f"要求{wording + '、' if wording else ''}于{date_text(current.due)}前书面报告研究处理情况。"
        )
    overdue = (as_of - current.due).days
    # kept to three short paragraphs so that the letter, with its signature, fits on one page
    body = [
        sitting + owed,
        f"截至{date_text(as_of)}，常委会尚未收到研究处理情况报告，已逾期{overdue}天。"
        "请你单位抓紧研究处理，尽快书面报告常委会；确有特殊情况的，请书面说明原因和报告时间。",
        "特此函告。",
    ]
    fields: dict[str, Any] = {
        # a long report name would break mid-word across three title lines; the body names it anyway
        "title": f"关于催报{subject if len(subject) <= 16 else ''}审议意见研究处理情况的函",
        "classification": marking([opinion, *([meeting] if meeting is not None else [])]),
        "status": "final",
        "kind": REMINDER_KIND,
        "opinion": opinion.id,
        "addressee": opinion.addressee,
        "issuer": config.office_name,
        "body": body,
    }
    if opinion.secrecy_period:
        fields["secrecy_period"] = opinion.secrecy_period
    copy = copy_number(fields["classification"])
    if copy:
        fields["copy_number"] = copy
    return fields


def suggestion_reminder_fields(
    organ: str, items: Sequence[OpinionFollowUp], proposals: Mapping[str, Proposal], config: Config, as_of: dt.date
) -> dict[str, Any]:
    """The office's 催办函 to ``organ`` for its overdue suggestions and motions (one letter per organ), as the
    fields of a ``letter`` record, classified at the highest level of what it lists."""
    listed = []
    for n, item in enumerate(items, 1):
        p = proposals[item.id]
        due = item.due or as_of
        if p.session and p.term:
            session = f"第{chinese_number(p.term)}届人民代表大会第{chinese_number(p.session)}次会议"
        else:
            session = f"{p.year}年闭会期间"
        kind = "议案" if isinstance(p, Motion) else "建议"
        again = "（代表评价不满意后重新办理）" if item.reopened else ""
        listed.append(
            f"{n}. {session}第{p.number}号{kind}《{p.title}》{again}，"
            f"应于{date_text(due)}前答复，已逾期{(as_of - due).days}天。"
        )
    kinds = "、".join(dict.fromkeys("议案" if i.kind == "motion" else "代表建议" for i in items))
    rule = config.deadline_rule("suggestion_answer")
    wording = f"自交办之日起{rule_text(rule)}内" if rule else "在规定期限内"
    body = [
        f"按照代表法和本区代表建议办理工作的有关规定，承办单位应当{wording}答复代表。"
        f"截至{date_text(as_of)}，你单位主办的下列{chinese_number(len(items))}件{kinds}尚未答复：",
        *listed,
        "请你单位抓紧办理，与领衔代表沟通后尽快书面答复，并将答复抄送常委会代表工作机构；"
        "确有特殊情况的，请书面说明原因和答复时间。",
        "特此函告。",
    ]
    records = [proposals[i.id] for i in items]
    return office_letter_fields("关于催办代表建议答复的函", REMINDER_KIND, records, organ, config, body)


def profile_document(profile: DeputyProfile, config: Config, classification: str = "公开") -> Document:
    """The 履职档案 as a report-style document: title, period, eight numbered parts, office and date.

    ``classification`` is the highest classification of the records it was compiled from, printed (with a
    份号 when 秘密 or 机密) at the top left of the first page.
    """
    blocks: list[dict[str, Any]] = []
    for i, section in enumerate(profile.sections, 1):
        blocks.append({"level": 1, "lead": f"{chinese_number(i)}、{section.title}", "text": ""})
        blocks.extend({"level": 0, "lead": "", "text": p} for p in section.paragraphs)
        if section.sources:
            # flush left, like a note under a table: it is a reference, not a paragraph of the file
            blocks.append({"level": 5, "lead": "", "text": f"（依据记录：{'、'.join(section.sources)}）"})
    deputy = profile.deputy
    context: dict[str, Any] = _envelope(deputy, config)
    context.update(
        **_secrecy(classification),
        urgency=None,
        title=break_title(profile.title),
        subtitle=profile.subtitle,
        blocks=blocks,
        issuer=config.office_name,
        sealed=False,
        date_text=date_text(profile.as_of),
        note=f"统计截至{date_text(profile.period.end)}",
        attachments=[],
        attachment_pages=[],
    )
    period = str(profile.period.year) if profile.period.year else f"第{profile.period.term}届"
    return Document(
        deputy, PROFILE_KIND, "deputy_profile.docx", f"{deputy.id}-履职档案-{period}", context, masthead=False
    )


@dataclass(frozen=True)
class Reminders:
    """What `renda track remind` did: the letter records it wrote (or found, for the same day) and rendered."""

    created: list[NewRecord]
    reused: list[str]  # ids of letters already on file for the same opinion and day
    result: RenderResult

    def to_json(self, workspace: Workspace) -> dict[str, object]:
        return {
            **self.result.to_json(),
            "records": [n.to_json(workspace) for n in self.created],
            "reused": list(self.reused),
        }


def remind_screened(
    workspace: Workspace, clearance: Clearance, as_of: dt.date | None, out_dir: Path, formats: Sequence[str]
) -> tuple[FollowUpReport, Screened, Reminders]:
    """``renda track remind``: the overdue opinions the clearance admits, what it left out, and a 催办函 for
    each, quoting only what the clearance admits."""
    catalog = load_catalog(workspace)
    report, screened = clearance.derive(catalog, lambda c: track_everything(c, as_of).overdue(), lambda r: r.sources)
    allowed, _ = clearance.screen_catalog(catalog)
    return report, screened, remind_overdue(workspace, report, out_dir, formats, allowed)


def remind_overdue(
    workspace: Workspace,
    report: FollowUpReport,
    out_dir: Path,
    formats: Sequence[str] = ("docx", "pdf"),
    catalog: Catalog | None = None,
) -> Reminders:
    """A 催办函 for every overdue opinion of ``report``, kept as a ``letter`` record (numbered in the office's
    函 series, searchable and archived like any record) and rendered (.docx and PDF).

    A letter already on file for the same opinion and day is rendered again, not written twice.  ``catalog``
    is the report's own, screened by its clearance (the whole workspace when not given): a letter quotes
    only what it holds.
    """
    from archive.render import render_documents
    from archive.scaffold import add_record

    catalog = catalog or load_catalog(workspace)
    by_id = catalog.by_id()
    config = workspace.config
    on_file = {(r.opinion, r.date): r.id for r in catalog.records if isinstance(r, Letter) and r.kind == REMINDER_KIND}
    created: list[NewRecord] = []
    reused: list[str] = []
    for item in report.items:
        if item.status is not Status.OVERDUE or item.kind != "opinion":
            continue
        if (item.id, report.as_of) in on_file:
            reused.append(on_file[(item.id, report.as_of)])
            continue
        opinion = by_id[item.id]
        meeting = by_id.get(item.meeting)
        assert isinstance(opinion, Opinion)
        fields = reminder_fields(item, opinion, meeting if isinstance(meeting, Meeting) else None, config, report.as_of)
        created.append(add_record(workspace, "letter", report.as_of, fields))
    overdue_by_organ: dict[str, list[OpinionFollowUp]] = {}
    for item in report.items:
        if item.kind != "opinion" and item.status is Status.OVERDUE:
            overdue_by_organ.setdefault(item.addressee, []).append(item)
    organ_letters = {
        (r.addressee, r.date): r.id
        for r in catalog.records
        if isinstance(r, Letter) and r.kind == REMINDER_KIND and r.suggestions
    }
    proposals = {r.id: r for r in catalog.records if isinstance(r, Proposal)}
    for organ, items in sorted(overdue_by_organ.items()):
        if (organ, report.as_of) in organ_letters:
            reused.append(organ_letters[(organ, report.as_of)])
            continue
        fields = suggestion_reminder_fields(organ, items, proposals, config, report.as_of)
        created.append(add_record(workspace, "letter", report.as_of, fields))
    wanted = {n.id for n in created} | set(reused)
    if not wanted:
        return Reminders(created, reused, RenderResult())
    letters = [r for r in load_catalog(workspace).records if r.id in wanted]
    return Reminders(created, reused, render_documents(workspace, letters, out_dir, tuple(formats)))


def render_profile(
    workspace: Workspace,
    profile: DeputyProfile,
    out_dir: Path,
    formats: Sequence[str] = ("docx", "pdf"),
    classification: str = "公开",
) -> RenderResult:
    """The deputy's 履职档案 (.docx and PDF), marked ``classification``."""
    from archive.render import render_prepared

    document = profile_document(profile, workspace.config, classification)
    return render_prepared(workspace, [document], out_dir, tuple(formats))
