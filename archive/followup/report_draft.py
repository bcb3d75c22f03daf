"""`renda track draft-report`: the annual report 关于代表建议、批评和意见办理情况的报告, drafted from the figures.

The figures are those of ``renda track stats`` (:mod:`.proposal_figures`) for the suggestions raised in the year,
from what the clearance admits: received, 办结, answered on time, the A/B/C classes, satisfaction (first round and
final), re-handled, then one paragraph per 主办单位 and the categories.  What only people can write — how the
work was done, the problems, next year's plans — is left as （待填写）, so the record stays a draft that
``renda validate`` will not pass as final until the clerk has written it (as ``renda deputy draft-report`` does).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archive.catalog import PLACEHOLDER, load_catalog
from archive.chinese import date_text
from archive.errors import TrackingError
from archive.followup.proposal_figures import ProposalFigures, ProposalStatistics
from archive.followup.tracking import screened_statistics
from archive.proposals import ANSWER_CLASSES
from archive.records import Report
from archive.workspace import Workspace

if TYPE_CHECKING:
    from archive.clearance import Clearance, Screened
    from archive.scaffold import NewRecord

REPORT_KIND = "代表建议办理情况报告"
UNASSIGNED = "（未交办）"


@dataclass(frozen=True)
class DraftedReport:
    record: NewRecord
    statistics: ProposalStatistics
    screened: Screened


def _pct(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


def _rate(value: float | None) -> str:
    return f"{value * 100:.1f}%" if value is not None else "—（尚无评价）"


def overview(total: ProposalFigures, as_of: dt.date) -> list[str]:
    """The paragraphs of the figures for all suggestions of the year."""
    n = len(total.received)
    done, on_time = len(total.completed), len(total.on_time)
    answered = sum(len(ids) for _, ids in total.classes)
    classes = "；".join(
        f"{c}类（{ANSWER_CLASSES[c]}）{len(ids)}件，占{_pct(len(ids), answered)}" for c, ids in total.classes
    )
    return [
        f"截至{date_text(as_of)}，{n}件建议已办结{done}件，办结率{_pct(done, n)}；"
        f"首次答复按期的{on_time}件，按期答复率{_pct(on_time, n)}。",
        f"从答复类别看，{classes}。",
        f"代表对首次答复满意和基本满意的占{_rate(total.rate(total.first_evaluations))}，"
        f"对最终答复满意和基本满意的占{_rate(total.rate(total.final_evaluations))}；"
        f"经代表评价不满意而重新办理的{len(total.rehandled)}件。",
    ]


def organ_paragraph(row: ProposalFigures) -> str:
    classes = "、".join(f"{c}类{len(ids)}件" for c, ids in row.classes)
    return (
        f"{row.group}主办{len(row.received)}件，办结{len(row.completed)}件，按期答复{len(row.on_time)}件，"
        f"{classes}，最终满意率{_rate(row.rate(row.final_evaluations))}。"
    )


def report_body(by_organ: ProposalStatistics, by_category: ProposalStatistics, year: int) -> list[Any]:
    total = by_organ.rows[-1]
    n = len(total.received)
    unassigned = sum(len(r.received) for r in by_organ.rows[:-1] if r.group == UNASSIGNED)
    assigned = f"已交办{n - unassigned}件" + (f"，尚未交办{unassigned}件" if unassigned else "")
    categories = "、".join(f"{r.group}{len(r.received)}件" for r in by_category.rows[:-1])
    return [
        f"{year}年，代表在人民代表大会会议期间和闭会期间共提出建议、批评和意见{n}件，{assigned}。"
        "现将办理情况报告如下，请予审议。",
        {"h1": "办理工作的基本情况"},
        *overview(total, by_organ.as_of),
        {"h2": "各承办单位办理情况"},
        *(organ_paragraph(r) for r in by_organ.rows[:-1] if r.group != UNASSIGNED),
        {"h2": "建议涉及的领域"},
        f"按类别分：{categories}。",
        {"h1": "主要做法"},
        PLACEHOLDER,
        {"h1": "存在的问题"},
        PLACEHOLDER,
        {"h1": "下一步工作"},
        PLACEHOLDER,
    ]


def draft_handling_report(
    workspace: Workspace, clearance: Clearance, year: int, as_of: dt.date | None = None
) -> DraftedReport:
    """Write the draft ``report`` record (status draft, dated on the reference date) for the suggestions raised in
    ``year``; refuses when there are none or a report on that year is already on file (never overwrites)."""
    from archive.clearance import copy_number, marking
    from archive.scaffold import add_record

    by_organ, screened = screened_statistics(workspace, clearance, year, "organ", as_of)
    by_category, _ = screened_statistics(workspace, clearance, year, "category", by_organ.as_of)
    if not by_organ.rows[-1].received:
        more = f"（另有 {len(screened.withheld)} 件密级更高，可用 --classification 列入）" if screened.withheld else ""
        raise TrackingError(f"{year}年没有可统计的代表建议{more}，未起草办理情况报告")
    for record in load_catalog(workspace).records:
        if isinstance(record, Report) and record.kind == REPORT_KIND and record.year_reported == year:
            raise TrackingError(f"{year}年的代表建议办理情况报告已有记录 {record.id}（{record.source}），不会覆盖")
    fields: dict[str, Any] = {
        "title": f"关于{year}年代表建议、批评和意见办理情况的报告",
        "classification": marking(screened.kept),
        "status": "draft",
        "kind": REPORT_KIND,
        "year": year,
        "body": report_body(by_organ, by_category, year),
    }
    copy = copy_number(str(fields["classification"]))
    if copy:
        fields["copy_number"] = copy
    made = add_record(workspace, "report", by_organ.as_of, fields)
    return DraftedReport(made, by_organ, screened)
