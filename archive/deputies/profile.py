"""A deputy's performance file (履职档案) in the eight parts of DOMAIN.md §2, compiled from the records.

Every figure names the records it was counted from, so a clerk can check each number; parts the records do
not cover (training, delegation activities, awards) say so rather than show a zero that looks measured.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from archive.catalog import Catalog
from archive.chinese import chinese_number, date_text
from archive.deputies.attendance import (
    KIND_ORDER,
    Attendance,
    DeputyError,
    Outcome,
    Period,
    Sitting,
    attendance_of,
    resolve_period,
    services_in,
)
from archive.proposals import Motion, Proposal
from archive.records import Deputy, DeputyReport, Inspection, TermService
from archive.workspace import Config, OversightSettings

SECTION_TITLES = (
    "基本情况",
    "出席会议情况",
    "视察调研情况",
    "学习培训情况",
    "代表小组活动情况",
    "提出建议、批评和意见情况",
    "向选民述职情况",
    "获奖情况",
)
KIND_LABELS = {
    "代表大会会议": "区人民代表大会会议",
    "常委会会议": "区人大常委会会议",
    "主任会议": "区人大常委会主任会议",
}


@dataclass(frozen=True)
class Figure:
    """One number of the file and the records it was counted from."""

    key: str
    label: str
    count: int
    records: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "count": self.count, "records": list(self.records)}


@dataclass(frozen=True)
class Section:
    title: str
    paragraphs: tuple[str, ...]
    figures: tuple[Figure, ...] = ()
    sources: tuple[str, ...] = ()  # every record this part was compiled from

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "paragraphs": list(self.paragraphs),
            "figures": [f.as_dict() for f in self.figures],
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class DeputyProfile:
    deputy: Deputy
    period: Period
    as_of: dt.date
    attendance: Attendance
    sections: tuple[Section, ...]

    def figure(self, key: str) -> Figure:
        for section in self.sections:
            for figure in section.figures:
                if figure.key == key:
                    return figure
        raise KeyError(key)

    @property
    def title(self) -> str:
        return f"{self.deputy.name}代表履职档案"

    @property
    def sources(self) -> tuple[str, ...]:
        """Every record the file was compiled from, the roster entry first."""
        return tuple(dict.fromkeys(i for s in self.sections for i in s.sources))

    @property
    def subtitle(self) -> str:
        if self.period.year is not None:
            span = f"第{chinese_number(self.period.term)}届　{self.period.year}年度" if self.period.term else ""
            span = span or f"{self.period.year}年度"
        else:
            span = f"第{chinese_number(self.period.term or 0)}届"
        return f"（{span}）"

    def as_dict(self) -> dict[str, Any]:
        return {
            "deputy": self.deputy.id,
            "name": self.deputy.name,
            "title": self.title,
            "period": self.period.as_dict(),
            "as_of": self.as_of.isoformat(),
            "attendance": self.attendance.as_dict(),
            "sections": [s.as_dict() for s in self.sections],
        }


def profile_period(config: Config, deputy: Deputy, term: int | None, year: int | None, as_of: dt.date) -> Period:
    """The period of the file: the term or year asked for (the deputy's latest term by default), up to as_of."""
    if term is not None and year is not None:
        raise DeputyError("--year 和 --term 只能给出一个")
    if term is None and year is None:
        if not deputy.terms:
            raise DeputyError(f"代表 {deputy.name}（{deputy.id}）的名册没有任职届次")
        term = max(s.term for s in deputy.terms)
    if year is not None:
        terms = [t.number for t in config.terms if t.start.year <= year <= t.end.year]
        served = [s.term for s in deputy.terms if s.term in terms]
        period = resolve_period(config, served[-1] if len(served) == 1 else None, year, as_of)
    else:
        period = resolve_period(config, term, None, as_of)
    if not services_in(config, deputy, period):
        raise DeputyError(f"代表 {deputy.name}（{deputy.id}）在{period.label}没有任职")
    end = min(period.end, as_of)
    if end < period.start:
        raise DeputyError(f"{period.label}从 {period.start} 开始，晚于参考日期 {as_of}")
    return Period(period.term, period.year, period.start, end)


def build_profile(
    catalog: Catalog, deputy: Deputy, period: Period, as_of: dt.date, settings: OversightSettings | None = None
) -> DeputyProfile:
    attendance = attendance_of(catalog, deputy, period, settings)
    services = services_in(catalog.workspace.config, deputy, period)
    inspections = sorted(
        (
            r
            for r in catalog.records
            if isinstance(r, Inspection)
            and r.is_final
            and (deputy.id == r.leader or deputy.id in r.members)
            and r.period_start <= period.end
            and r.period_end >= period.start
        ),
        key=lambda r: (r.period_start, r.id),
    )
    reports = sorted(
        (
            r
            for r in catalog.records
            if isinstance(r, DeputyReport)
            and r.is_final
            and r.deputy == deputy.id
            and r.date is not None
            and period.contains(r.date)
        ),
        key=lambda r: (r.date or dt.date.min, r.id),
    )
    proposals = sorted(
        (
            r
            for r in catalog.records
            if isinstance(r, Proposal)
            and r.is_final
            and deputy.id in r.signers
            and r.date is not None
            and period.contains(r.date)
        ),
        key=lambda r: (r.date or dt.date.min, r.type, r.number, r.id),
    )
    sections = (
        _basic(deputy, services),
        _meetings(attendance),
        _inspections(deputy, inspections),
        _training(attendance),
        _delegation(deputy, services),
        _suggestions(reports, deputy, proposals),
        _reports(reports),
        Section(SECTION_TITLES[7], ("本期间的记录中没有获奖情况。",)),
    )
    return DeputyProfile(deputy, period, as_of, attendance, sections)


def _basic(deputy: Deputy, services: Sequence[TermService]) -> Section:
    facts = [f"{deputy.name}，{deputy.gender}"]
    born = None
    if deputy.birth is not None:
        year, _, month = deputy.birth.partition("-")
        born = f"{year}年{int(month)}月生" if month else f"{year}年生"
    facts += [v for v in (deputy.ethnicity, born, deputy.party, deputy.occupation) if v is not None]
    paragraphs = ["，".join(facts) + "。"]
    for service in services:
        line = f"第{chinese_number(service.term)}届区人民代表大会代表，{service.constituency}选出"
        if service.delegation:
            line += f"，编入{service.delegation}"
        if service.roles:
            line += f"，任{'、'.join(service.roles)}"
        if service.start:
            line += f"；{date_text(service.start)}补选当选"
        if service.end:
            reason = f"，{service.end_reason}" if service.end_reason else ""
            line += f"；{date_text(service.end)}起代表资格终止{reason}"
        paragraphs.append(line + "。")
    return Section(SECTION_TITLES[0], tuple(paragraphs), sources=(deputy.id,))


def _sitting_text(s: Sitting) -> str:
    return f"第{chinese_number(s.term or 0)}届第{chinese_number(s.number)}次（{date_text(s.date)}）"


def _meetings(att: Attendance) -> Section:
    paragraphs: list[str] = []
    figures: list[Figure] = []
    for kind in KIND_ORDER:
        sittings = [s for s in att.sittings if s.kind == kind]
        if not sittings:
            continue
        groups = {o: [s for s in sittings if s.outcome is o] for o in Outcome}
        for outcome, found in groups.items():
            figures.append(
                Figure(f"{kind}.{outcome.value}", f"{kind}{outcome.label}", len(found), tuple(s.meeting for s in found))
            )
        counts = "，".join(f"{o.label}{len(groups[o])}次" for o in Outcome if o is not Outcome.UNRECORDED or groups[o])
        paragraphs.append(f"应出席{KIND_LABELS[kind]}{len(sittings)}次，{counts}。")
        if groups[Outcome.PRESENT]:
            paragraphs.append(f"出席：{'、'.join(_sitting_text(s) for s in groups[Outcome.PRESENT])}。")
        if groups[Outcome.LEAVE]:
            paragraphs.append(
                f"请假：{'、'.join(f'{_sitting_text(s)[:-1]}，{s.reason}）' for s in groups[Outcome.LEAVE])}。"
            )
        if groups[Outcome.ABSENT]:
            paragraphs.append(f"缺席：{'、'.join(_sitting_text(s) for s in groups[Outcome.ABSENT])}。")
        if groups[Outcome.UNRECORDED]:
            paragraphs.append(
                f"没有出席记录（不计为缺席）：{'、'.join(_sitting_text(s) for s in groups[Outcome.UNRECORDED])}。"
            )
    if not paragraphs:
        paragraphs.append("本期间的会议记录中没有该代表应出席的会议（常委会会议由常委会组成人员出席）。")
    if att.interview:
        paragraphs.append(f"按本机关约谈标准，{'；'.join(att.interview_reasons)}。")
    return Section(SECTION_TITLES[1], tuple(paragraphs), tuple(figures), tuple(s.meeting for s in att.sittings))


def _inspections(deputy: Deputy, inspections: Sequence[Inspection]) -> Section:
    paragraphs = []
    for ins in inspections:
        role = "任检查组组长" if ins.leader == deputy.id else "为检查组成员"
        visits = f"，实地检查{len(ins.visit_dates)}处" if ins.visit_dates else ""
        span = f"{date_text(ins.period_start)}至{date_text(ins.period_end)}"
        paragraphs.append(f"参加{ins.law}执法检查（{span}），{role}{visits}。")
    if not paragraphs:
        paragraphs.append("本期间没有参加执法检查、视察或调研的记录。")
    figure = Figure("inspections", "参加执法检查", len(inspections), tuple(i.id for i in inspections))
    return Section(SECTION_TITLES[2], tuple(paragraphs), (figure,), figure.records)


def _training(att: Attendance) -> Section:
    found = [s for s in att.of(Outcome.LEAVE) if s.reason and "培训" in s.reason]
    paragraphs = [f"{date_text(s.date)}{s.reason}（据会议请假记录）。" for s in found]
    if not paragraphs:
        paragraphs.append("本期间的记录中没有参加培训的情况。")
    figure = Figure("training", "参加培训", len(found), tuple(s.meeting for s in found))
    return Section(SECTION_TITLES[3], tuple(paragraphs), (figure,), figure.records)


def _delegation(deputy: Deputy, services: Sequence[TermService]) -> Section:
    groups = sorted({s.delegation for s in services if s.delegation})
    text = f"编入{'、'.join(groups)}。" if groups else "名册中没有所在代表小组。"
    return Section(SECTION_TITLES[4], (text, "本期间的记录中没有代表小组活动情况。"), sources=(deputy.id,))


def _suggestions(reports: Sequence[DeputyReport], deputy: Deputy, proposals: Sequence[Proposal]) -> Section:
    """The deputy's motions and suggestions on file (led and co-signed, with how each ended), then those the
    述职 reports mention."""
    paragraphs: list[str] = []
    figures: list[Figure] = []
    for kind, label in (("motion", "议案"), ("suggestion", "建议")):
        mine = [p for p in proposals if p.type == kind]
        led = [p for p in mine if p.lead == deputy.id]
        cosigned = [p for p in mine if deputy.id in p.cosigners]
        figures.append(Figure(f"{kind}s.lead", f"领衔提出{label}", len(led), tuple(p.id for p in led)))
        figures.append(Figure(f"{kind}s.cosigned", f"附议{label}", len(cosigned), tuple(p.id for p in cosigned)))
        if led or cosigned:
            paragraphs.append(f"领衔提出{label}{len(led)}件，附议{label}{len(cosigned)}件。")
        paragraphs.extend(f"领衔：{p.title}，{_outcome(p)}。" for p in led)
        paragraphs.extend(f"附议：{p.title}，{_outcome(p)}。" for p in cosigned)
    items = [(r, s) for r in reports for s in r.suggestions]
    paragraphs.extend(f"{s.kind}：{s.title}（述职报告所列）。" for _, s in items)
    if not paragraphs:
        paragraphs.append("本期间的记录中没有提出议案、建议的情况。")
    mentioned = tuple(dict.fromkeys(r.id for r, _ in items))
    figures.append(Figure("suggestions", "述职报告所列议案建议", len(items), mentioned))
    sources = tuple(dict.fromkeys([*(f for fig in figures for f in fig.records)]))
    return Section(SECTION_TITLES[5], tuple(paragraphs), tuple(figures), sources)


def _outcome(p: Proposal) -> str:
    """How a suggestion or motion stands, from its own record: decision, answer class, evaluation."""
    if isinstance(p, Motion) and p.decision and p.decision.result == "转为建议":
        return "大会主席团决定转为建议办理"
    if p.handling is None:
        return "尚未交办"
    answer, evaluation = p.final_answer, p.final_evaluation
    if answer is None:
        return f"交{p.handling.lead_organ}办理，尚未答复"
    text = f"交{p.handling.lead_organ}办理，答复为{answer.answer_class}类"
    if len(p.handling.rounds) > 1:
        text += "（经重新办理）"
    if evaluation is not None:
        text += f"，代表评价{evaluation.result}"
    return text


def _reports(reports: Sequence[DeputyReport]) -> Section:
    paragraphs = []
    evaluated = []
    for r in reports:
        assert r.date is not None
        voters = r.voters_present
        line = f"{date_text(r.date)}在{r.place}向选民述职" + (f"，到会选民{voters}人" if voters else "")
        ev = r.evaluation
        if ev:
            evaluated.append(r.id)
            votes = ""
            if ev.satisfied is not None:
                votes = (
                    f"满意{ev.satisfied}票、基本满意{ev.basically_satisfied or 0}票、不满意{ev.unsatisfied or 0}票，"
                )
            line += f"；{ev.method}：{votes}结果为{ev.result}"
        paragraphs.append(line + "。")
    if not paragraphs:
        paragraphs.append("本期间没有向选民述职的记录。")
    figures = (
        Figure("reports", "向选民述职", len(reports), tuple(r.id for r in reports)),
        Figure("reports.evaluated", "选民评议", len(evaluated), tuple(evaluated)),
    )
    return Section(SECTION_TITLES[6], tuple(paragraphs), figures, tuple(r.id for r in reports))


def compile_profile(
    catalog: Catalog, key: str, term: int | None = None, year: int | None = None, as_of: dt.date | None = None
) -> DeputyProfile:
    """The 履职档案 of the deputy ``key`` (id or name) for a term or year, as of the reference date."""
    from archive.deputies.attendance import find_deputy
    from archive.followup import oversight_settings, reference_date

    config = catalog.workspace.config
    day = reference_date(config, as_of)
    deputy = find_deputy(catalog, key)
    return build_profile(
        catalog, deputy, profile_period(config, deputy, term, year, day), day, oversight_settings(config)
    )
