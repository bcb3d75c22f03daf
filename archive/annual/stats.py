"""年度工作统计: what the standing committee did in the year, counted from the records.

Counts cover every final record dated in the year that the archive itself contains (drafts excluded,
and records above ``max_public_classification`` too: a count of withheld sittings tells what they were).
The follow-up figures (answered on time, late, unanswered, satisfaction) come from
``archive.followup`` — the same deadlines, holiday calendar and statuses as `renda track` — judged as of
the latest date the workspace's records carry, so the same records always give the same sheet.

The sheet also lists the problems raised again across years (``archive.related``'s recurring threads with a
final record of the year, the candidates for 重点督办): only final records the clearance admits are listed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.annual import _docx
from archive.catalog import Catalog
from archive.chinese import chinese_number, date_text
from archive.proposals import Motion
from archive.records import DeputyReport, Inspection, Meeting, Opinion, Record
from archive.workspace import Config

if TYPE_CHECKING:
    from archive.followup import ProposalFigures
    from archive.related import Thread

MEETING_KINDS = ("常委会会议", "主任会议", "代表大会会议")
STATS_NAME = "年度工作统计"


@dataclass(frozen=True)
class AnnualStats:
    year: int
    sittings: tuple[tuple[str, int], ...]  # kind → count, in MEETING_KINDS order
    reports_heard: int
    opinions_issued: int
    opinions_answered: int
    opinions_on_time: int
    opinions_late: int
    opinions_unanswered: int
    satisfaction_rate: float | None
    followup_as_of: dt.date
    inspections: int
    deputy_reports: int
    attendance_present: int
    attendance_expected: int
    recurring: tuple[Thread, ...] = ()  # problems raised again across years, with a final record of the year
    suggestions: ProposalFigures | None = None  # the suggestions raised in the year (`renda track stats`'s 合计)
    motions: int = 0  # final motions raised in the year

    @property
    def attendance_rate(self) -> float | None:
        return self.attendance_present / self.attendance_expected if self.attendance_expected else None

    def rows(self) -> list[tuple[str, str]]:
        rate = self.attendance_rate
        return [
            *((f"召开{kind}（次）", str(n)) for kind, n in self.sittings),
            ("听取和审议专项工作报告（项）", str(self.reports_heard)),
            ("印发审议意见（件）", str(self.opinions_issued)),
            ("已书面报告研究处理情况（件）", str(self.opinions_answered)),
            ("其中按期报告（件）", str(self.opinions_on_time)),
            ("其中逾期报告（件）", str(self.opinions_late)),
            ("尚未报告（件）", str(self.opinions_unanswered)),
            (
                "满意度测评满意和基本满意比例",
                f"{self.satisfaction_rate:.1%}" if self.satisfaction_rate is not None else "—",
            ),
            *self._suggestion_rows(),
            ("开展执法检查（次）", str(self.inspections)),
            ("代表向选民述职（人次）", str(self.deputy_reports)),
            ("常委会会议组成人员出席率", f"{rate:.1%}" if rate is not None else "—"),
        ]

    def _suggestion_rows(self) -> list[tuple[str, str]]:
        figures = self.suggestions
        if figures is None:
            return []
        rate = figures.rate(figures.final_evaluations)
        return [
            ("代表提出议案（件）", str(self.motions)),
            ("收到代表建议、批评和意见（件）", str(len(figures.received))),
            ("已答复（件）", str(len(figures.completed))),
            ("其中按期答复（件）", str(len(figures.on_time))),
            ("代表对答复满意和基本满意比例", f"{rate:.1%}" if rate is not None else "—"),
        ]

    def as_dict(self) -> dict[str, object]:
        return {
            "year": self.year,
            "sittings": dict(self.sittings),
            "reports_heard": self.reports_heard,
            "opinions_issued": self.opinions_issued,
            "opinions_answered": self.opinions_answered,
            "opinions_on_time": self.opinions_on_time,
            "opinions_late": self.opinions_late,
            "opinions_unanswered": self.opinions_unanswered,
            "satisfaction_rate": round(self.satisfaction_rate, 4) if self.satisfaction_rate is not None else None,
            "followup_as_of": self.followup_as_of.isoformat(),
            "inspections": self.inspections,
            "deputy_reports": self.deputy_reports,
            "attendance_rate": round(self.attendance_rate, 4) if self.attendance_rate is not None else None,
            "recurring_problems": [thread.as_dict() for thread in self.recurring],
            "motions": self.motions,
            "suggestions": self.suggestions.as_dict() if self.suggestions is not None else None,
        }


def annual_stats(catalog: Catalog, year: int) -> AnnualStats:
    """The year's figures from the records the workspace's clearance admits (what the archive contains)."""
    from archive.clearance import Clearance
    from archive.followup import followup_figures, proposal_statistics
    from archive.related import recurring_threads

    clearance = Clearance.of(catalog.workspace.config)
    catalog, _ = clearance.screen_catalog(catalog)
    everything = catalog.records
    chosen = [r for r in everything if r.is_final and r.date is not None and r.date.year == year]
    meetings = [r for r in chosen if isinstance(r, Meeting)]
    kinds = Counter(m.kind for m in meetings)
    figures = followup_figures(catalog, year, as_of=latest_date(everything))
    suggestions = proposal_statistics(catalog, year, as_of=figures.as_of).rows[-1]  # the total row
    present = expected = 0
    for meeting in meetings:
        if meeting.kind == "常委会会议" and meeting.attendance.recorded:
            att = meeting.attendance
            present += len(att.present)
            expected += len(att.present) + len(att.on_leave) + len(att.absent)
    return AnnualStats(
        year=year,
        sittings=tuple((kind, kinds.get(kind, 0)) for kind in MEETING_KINDS),
        reports_heard=sum(
            1
            for m in meetings
            for item in m.agenda
            if "听取" in item.action and item.reporter_kind is not None and m.kind == "常委会会议"
        ),
        opinions_issued=len(figures.issued),
        opinions_answered=len(figures.answered_on_time) + len(figures.answered_late),
        opinions_on_time=len(figures.answered_on_time),
        opinions_late=len(figures.answered_late),
        opinions_unanswered=len(figures.unanswered),
        satisfaction_rate=figures.satisfaction_rate,
        followup_as_of=figures.as_of,
        inspections=sum(1 for r in chosen if isinstance(r, Inspection)),
        deputy_reports=sum(1 for r in chosen if isinstance(r, DeputyReport)),
        attendance_present=present,
        attendance_expected=expected,
        recurring=tuple(recurring_threads(catalog, clearance, year, final_only=True)),
        suggestions=suggestions,
        motions=sum(1 for r in chosen if isinstance(r, Motion)),
    )


def latest_date(records: Iterable[Record]) -> dt.date:
    """The latest date any record carries, its follow-up trail included: the reference for "on time"."""
    days = [r.date for r in records if r.date is not None]
    for r in records:
        if isinstance(r, Opinion):
            days.extend(x.received for x in r.follow_up.reports if x.received is not None)
    return max(days) if days else dt.date(1970, 1, 1)


def write_stats_docx(stats: AnnualStats, config: Config, path: Path, when: dt.datetime) -> None:
    document = _docx.new_document(margins_mm=(37, 26, 35, 28))
    _docx.paragraph(
        document, f"{config.organ_short_name}{stats.year}年度工作统计", font=_docx.XBS, size_pt=22, align="center"
    )
    _docx.paragraph(
        document, f"（统计截至{stats.year}年12月31日）", font=_docx.FANG, size_pt=16, align="center", after_pt=18
    )
    rows: list[list[_docx.Cell | str]] = [[_docx.Cell("项目", bold_font=True), _docx.Cell("数量", bold_font=True)]]
    rows += [[_docx.Cell(label, align="left"), value] for label, value in stats.rows()]
    _docx.table(document, rows, (110, 46), font=_docx.FANG, size_pt=14, row_height_mm=11, header_rows=1)
    _docx.paragraph(
        document,
        "注：审议意见办理情况统计至"
        f"{stats.followup_as_of.year}年{stats.followup_as_of.month}月{stats.followup_as_of.day}日；"
        "按期报告以研究处理情况报告收到日期不晚于审议意见规定的报告期限（遇法定节假日顺延）计；"
        "满意度比例按最后一次测评结果计；出席率为常委会会议组成人员出席人次占应出席人次的比例。"
        "代表建议按当年提出的计（议案转为建议的按建议计），按期答复以首次答复不晚于答复期限计，"
        "满意比例按代表最后一次评价计。",
        font=_docx.FANG,
        size_pt=12,
        before_pt=12,
    )
    _recurring_section(document, stats)
    _docx.save_docx(document, path, when, f"{stats.year}年度工作统计", config.organ_name)


def _recurring_section(document: Any, stats: AnnualStats) -> None:
    """连续多年反复提出的问题: each thread's key phrases and years, then its records oldest first."""
    _docx.paragraph(document, "连续多年反复提出的问题", font=_docx.HEI, size_pt=16, after_pt=6, page_break_before=True)
    if not stats.recurring:
        _docx.paragraph(document, "本年度没有与以往年度反复提出的问题。", font=_docx.FANG, size_pt=14)
        return
    for number, thread in enumerate(stats.recurring, 1):
        years = "、".join(str(y) for y in thread.years)
        _docx.paragraph(
            document,
            f"{chinese_number(number)}、{'、'.join(thread.phrases)}（{years}年）",
            font=_docx.FANG,
            size_pt=14,
            before_pt=6,
            indent_chars=2,
        )
        for record in thread.records:
            line = f"{date_text(record.date)}　{record.kind}　{record.title}"
            _docx.paragraph(document, line, font=_docx.FANG, size_pt=12, indent_chars=2)
            if record.outcome:
                outcome = f"办理结果：{record.outcome.text()}"
                _docx.paragraph(document, outcome, font=_docx.FANG, size_pt=12, indent_chars=4)
