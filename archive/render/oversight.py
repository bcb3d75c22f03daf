"""Documents that come from derived facts rather than one record: the 催办函 and the 代表履职档案.

Both are ordinary :class:`~archive.render.documents.Document` objects on built-in templates, rendered by
:func:`archive.render.render_prepared` through the same layout pass and PDF conversion as every record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.catalog import Catalog
from archive.chinese import chinese_number, date_text
from archive.clearance import copy_number, marking
from archive.deputies import DeputyProfile
from archive.followup import FollowUpReport, OpinionFollowUp, Status, deadline_wording
from archive.records import Meeting, Opinion
from archive.render.documents import Document, _envelope, break_title
from archive.workspace import Config, Workspace

if TYPE_CHECKING:
    from archive.render import RenderResult

REMINDER_KIND = "催办函"
PROFILE_KIND = "代表履职档案"


def _subject(opinion: Opinion) -> str:
    """关于区人民法院执行工作情况的报告 → 区人民法院执行工作情况报告."""
    title = opinion.report_title.removeprefix("关于")
    if title.endswith("的报告"):
        title = title[: -len("的报告")] + "报告"
    organ = opinion.report_organ
    return title if title.startswith(organ) else organ + title


def _secrecy(level: str) -> dict[str, str | None]:
    """份号 and 密级 for the 版头 of a derived document marked ``level`` (none for 公开)."""
    return {"secrecy": None if level == "公开" else level, "copy_number": copy_number(level)}


def reminder_document(
    item: OpinionFollowUp, opinion: Opinion, meeting: Meeting | None, config: Config, as_of: dt.date
) -> Document:
    """The office's 催办函 to the addressee of an overdue opinion, marked at the level of what it quotes."""
    current = item.current
    if current is None or current.due is None:
        raise ValueError(f"{item.id} has no open deadline")  # only overdue opinions get a letter
    subject = _subject(opinion)
    sitting = ""
    if meeting is not None and meeting.date and meeting.term:
        sitting = (
            f"{date_text(meeting.date)}，区第{chinese_number(meeting.term)}届人大常委会"
            f"第{chinese_number(meeting.sitting)}次会议听取和审议了{subject}。"
        )
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
    ]
    body.append("特此函告。")
    context: dict[str, Any] = _envelope(opinion, config)
    context.update(
        **_secrecy(marking([opinion, *([meeting] if meeting is not None else [])])),
        urgency=None,
        signatory=None,
        doc_number="",
        mark=config.office_name,
        # a long report name would break mid-word across three title lines; the body names it anyway
        title=break_title(f"关于催报{subject if len(subject) <= 16 else ''}审议意见研究处理情况的函"),
        addressee=opinion.addressee,
        blocks=[{"level": 0, "lead": "", "text": t} for t in body],
        issuer=config.office_name,
        sealed=True,
        date_text=date_text(as_of),
        note=None,
        attachments=[],
        attachment_pages=[],
        cc=None,
        print_organ=config.office_name,
        print_date=date_text(as_of),
    )
    return Document(opinion, REMINDER_KIND, "letter.docx", f"{opinion.id}-催办函", context, masthead=True, letter=True)


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


def render_reminders(
    workspace: Workspace,
    report: FollowUpReport,
    out_dir: Path,
    formats: Sequence[str] = ("docx", "pdf"),
    catalog: Catalog | None = None,
) -> RenderResult:
    """A 催办函 for every overdue opinion of ``report`` (.docx and PDF), from ``catalog`` (the report's own,
    screened by its clearance; the whole workspace when not given)."""
    from archive.catalog import load_catalog
    from archive.render import render_prepared

    by_id = (catalog or load_catalog(workspace)).by_id()
    config = workspace.config
    documents = []
    for item in report.items:
        if item.status is not Status.OVERDUE:
            continue
        opinion = by_id[item.id]
        meeting = by_id.get(item.meeting)
        assert isinstance(opinion, Opinion)
        documents.append(
            reminder_document(item, opinion, meeting if isinstance(meeting, Meeting) else None, config, report.as_of)
        )
    return render_prepared(workspace, documents, out_dir, tuple(formats))


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
