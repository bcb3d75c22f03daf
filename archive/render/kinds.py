"""Which documents a record renders to: the one place that knows every kind (:mod:`.documents` makes the
official documents of the committee, :mod:`.proposal` the deputies' suggestions and motions)."""

from __future__ import annotations

from collections.abc import Mapping

from archive.errors import RenderError
from archive.proposals import Proposal
from archive.records import DeputyReport, Inspection, Letter, Meeting, Opinion, Record, Report
from archive.render.documents import (
    Document,
    deputy_report_document,
    inspection_document,
    letter_document,
    minutes_document,
    opinion_document,
    resolution_documents,
)
from archive.render.proposal import proposal_document
from archive.render.work_report import report_document
from archive.workspace import Config


def documents_for(
    record: Record, config: Config, names: Mapping[str, str], meetings: Mapping[str, Meeting] | None = None
) -> list[Document]:
    """Every document a record renders to (a meeting: its minutes and each resolution).

    ``meetings`` (by id) gives an opinion the sitting that heard its report.
    """
    if record.type == "document":
        return []  # made outside renda: its imported PDF is the document
    if isinstance(record, Opinion):
        return [opinion_document(record, config, (meetings or {}).get(record.meeting))]
    if isinstance(record, Meeting):
        return [minutes_document(record, config, names), *resolution_documents(record, config)]
    if isinstance(record, Inspection):
        return [inspection_document(record, config)]
    if isinstance(record, DeputyReport):
        return [deputy_report_document(record, config, names)]
    if isinstance(record, Letter):
        return [letter_document(record, config)]
    if isinstance(record, Proposal):
        return [proposal_document(record, config, names)]
    if isinstance(record, Report):
        return [report_document(record, config, (meetings or {}).get(record.meeting or ""))]
    raise RenderError(f"{record.source}: {record.type} 类记录没有对应的公文")
