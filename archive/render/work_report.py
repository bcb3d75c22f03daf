"""A report to the standing committee (a ``report`` record) as a document: title, the sitting that heard it
under the title, the body, the reporting office and date; no 版头, like the 执法检查报告.  (Not ``render.report``:
a submodule of that name would shadow the progress ``report`` the package imports.)"""

from __future__ import annotations

from archive.chinese import date_text
from archive.records import Meeting, Report
from archive.render.documents import Document, _envelope, number_blocks, sitting_name
from archive.workspace import Config

TEMPLATE = "report.docx"


def report_document(record: Report, config: Config, meeting: Meeting | None = None) -> Document:
    """The report; ``meeting`` is the sitting named by the record's ``meeting`` (its date and name go under the
    title, with the reporter)."""
    context = _envelope(record, config)
    heard = f"{date_text(meeting.date)}在{sitting_name(meeting, config)}上" if meeting is not None else ""
    reporter = record.reporter or ""
    subtitle = "　".join(part for part in (heard, reporter) if part)
    context.update(
        subtitle=f"（{subtitle}）" if subtitle else None,
        blocks=number_blocks(record.body),
        issuer=record.issuer or config.office_name,
    )
    return Document(record, record.kind, TEMPLATE, record.id, context, masthead=False)
