"""Who was expected at which sitting, and what the minutes say they did.

A deputy is counted for a sitting only while serving (a by-elected deputy from the start of service, a
deputy who resigned up to the end date) and only when the sitting concerns them:

* 代表大会会议: every deputy of the term;
* 常委会会议: 常委会组成人员 (a role naming 常委会, or 秘书长);
* 主任会议: 主任, 副主任 and 秘书长;
* any sitting whose attendance lists the deputy (present, on leave or absent).

A sitting whose attendance was not recorded, or that does not list an expected deputy, counts as
*unrecorded* with a warning, never as absent.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from archive.catalog import Catalog, load_catalog
from archive.errors import DeputyError as DeputyError
from archive.records import Deputy, Meeting, TermService
from archive.workspace import Config, OversightSettings, Workspace

if TYPE_CHECKING:
    from archive.clearance import Clearance, Screened

DEFAULT_INTERVIEW_ABSENCES = 2
KIND_ORDER = ("代表大会会议", "常委会会议", "主任会议")


class Outcome(StrEnum):
    PRESENT = "present"
    LEAVE = "leave"
    ABSENT = "absent"
    UNRECORDED = "unrecorded"

    @property
    def label(self) -> str:
        return {"present": "出席", "leave": "请假", "absent": "缺席", "unrecorded": "未记录"}[self.value]


@dataclass(frozen=True)
class Period:
    """A year, a term, or a year within a term."""

    term: int | None
    year: int | None
    start: dt.date
    end: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def label(self) -> str:
        if self.year is not None:
            return f"{self.year}年度"
        return f"第{self.term}届"

    def as_dict(self) -> dict[str, Any]:
        return {"term": self.term, "year": self.year, "start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True)
class Sitting:
    """One deputy at one sitting."""

    meeting: str
    kind: str
    term: int | None
    number: int
    date: dt.date
    outcome: Outcome
    reason: str | None = None  # why on leave; why unrecorded

    def as_dict(self) -> dict[str, Any]:
        return {
            "meeting": self.meeting,
            "kind": self.kind,
            "term": self.term,
            "sitting": self.number,
            "date": self.date.isoformat(),
            "outcome": self.outcome.value,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Attendance:
    """A deputy's sittings in a period, and whether the workspace's rule calls for an interview (约谈)."""

    deputy: str
    name: str
    period: Period
    sittings: tuple[Sitting, ...]
    interview_reasons: tuple[str, ...] = ()

    def of(self, outcome: Outcome, kind: str | None = None) -> tuple[Sitting, ...]:
        return tuple(s for s in self.sittings if s.outcome is outcome and (kind is None or s.kind == kind))

    @property
    def interview(self) -> bool:
        return bool(self.interview_reasons)

    @property
    def warnings(self) -> tuple[str, ...]:
        """One line per sitting that could not be counted either way."""
        return tuple(
            f"{s.meeting}（{s.date.isoformat()}）{s.reason}，{self.name}（{self.deputy}）记为“未记录”，不计为缺席"
            for s in self.of(Outcome.UNRECORDED)
        )

    def counts(self, kind: str | None = None) -> dict[str, int]:
        return {o.value: len(self.of(o, kind)) for o in Outcome}

    def as_dict(self) -> dict[str, Any]:
        return {
            "deputy": self.deputy,
            "name": self.name,
            "period": self.period.as_dict(),
            "expected": len(self.sittings),
            **{o.value: {"count": len(self.of(o)), "records": [s.meeting for s in self.of(o)]} for o in Outcome},
            "by_kind": {k: self.counts(k) for k in KIND_ORDER if any(s.kind == k for s in self.sittings)},
            "leaves": [{"meeting": s.meeting, "reason": s.reason} for s in self.of(Outcome.LEAVE)],
            "interview": self.interview,
            "interview_reasons": list(self.interview_reasons),
            "warnings": list(self.warnings),
        }


# -- finding deputies and periods ------------------------------------------------------------------


def deputies_of(catalog: Catalog) -> dict[str, Deputy]:
    return {r.id: r for r in catalog.records if isinstance(r, Deputy)}


def find_deputy(catalog: Catalog, key: str) -> Deputy:
    """A deputy by id or by name; a Chinese error with the closest match otherwise."""
    deputies = deputies_of(catalog)
    if key in deputies:
        return deputies[key]
    by_name = [d for d in deputies.values() if d.name == key]
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        ids = "、".join(d.id for d in by_name)
        raise DeputyError(f"名为“{key}”的代表有 {len(by_name)} 位（{ids}），请用代表编号")
    broken = catalog.broken_ids()
    if key in broken:
        raise DeputyError(f"代表“{key}”的名册文件 {broken[key]} 有错误，请先运行 renda validate 修正")
    candidates = [*deputies, *(d.name for d in deputies.values())]
    guess = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
    hint = f"；是否应为“{guess[0]}”？" if guess else ""
    raise DeputyError(f"代表名册中没有“{key}”（代表编号或姓名）{hint}")


def resolve_period(config: Config, term: int | None, year: int | None, as_of: dt.date) -> Period:
    """The period asked for, up to ``as_of`` (nothing later has happened yet)."""
    period = _period(config, term, year, as_of)
    if period.start <= as_of < period.end:
        return Period(period.term, period.year, period.start, as_of)
    return period


def _period(config: Config, term: int | None, year: int | None, as_of: dt.date) -> Period:
    """A term, a year, both (that year within the term), or the term of ``as_of``."""
    if term is not None:
        found = config.term(term)
        if found is None:
            known = "、".join(str(t.number) for t in config.terms)
            raise DeputyError(f"届次表中没有第{term}届（renda.yaml 的 terms 中有：{known}）")
        start, end = found.start, found.end
        if year is not None:
            start, end = max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))
            if start > end:
                raise DeputyError(f"{year} 年不在第{term}届（{found.start} 至 {found.end}）内")
        return Period(term, year, start, end)
    if year is not None:
        if not 1949 <= year <= 2100:
            raise DeputyError(f"年份应在 1949 至 2100 之间，实际为 {year}")
        return Period(None, year, dt.date(year, 1, 1), dt.date(year, 12, 31))
    current = config.term_of(as_of) or (config.terms[-1] if config.terms else None)
    if current is None:
        raise DeputyError("renda.yaml 的届次表为空，无法确定统计期间")
    return Period(current.number, None, current.start, current.end)


def services_in(config: Config, deputy: Deputy, period: Period) -> list[TermService]:
    """The deputy's terms of service that overlap ``period`` (a service without dates spans its whole term)."""
    out = []
    for service in deputy.terms:
        term = config.term(service.term)
        if term is None or (period.term is not None and service.term != period.term):
            continue
        if (service.start or term.start) <= period.end and (service.end or term.end) >= period.start:
            out.append(service)
    return out


def serving(deputy: Deputy, term: int | None, day: dt.date) -> TermService | None:
    """The deputy's service on ``day`` in ``term`` (any term when None), if serving then."""
    for service in deputy.terms:
        if term is not None and service.term != term:
            continue
        if service.start and day < service.start:
            continue
        if service.end and day > service.end:
            continue
        return service
    return None


def _expected(kind: str, service: TermService) -> bool:
    roles = service.roles
    if kind == "代表大会会议":
        return True
    if kind == "常委会会议":
        return any("常委会" in r or r == "秘书长" for r in roles)
    if kind == "主任会议":
        return any(r in ("常委会主任", "常委会副主任", "秘书长") for r in roles)
    return False


# -- the computation ----------------------------------------------------------------------------------


def sittings_of(deputy: Deputy, meetings: Iterable[Meeting], period: Period) -> tuple[Sitting, ...]:
    out = []
    for m in meetings:
        if m.date is None or not period.contains(m.date) or not m.is_final:
            continue
        if m.term is None:
            continue
        service = serving(deputy, m.term, m.date)
        if service is None:
            continue  # not a deputy of that term on that day: before a by-election, after resignation
        att = m.attendance
        leave = next((x for x in att.on_leave if x.deputy == deputy.id), None)
        if deputy.id in att.present:
            outcome, reason = Outcome.PRESENT, None
        elif leave is not None:
            outcome, reason = Outcome.LEAVE, leave.reason
        elif deputy.id in att.absent:
            outcome, reason = Outcome.ABSENT, None
        elif not _expected(m.kind, service):
            continue
        elif not att.recorded:
            outcome, reason = Outcome.UNRECORDED, "会议没有记录出席情况"
        else:
            outcome, reason = Outcome.UNRECORDED, "会议记录未列入出席、请假或缺席"
        out.append(Sitting(m.id, m.kind, m.term, m.sitting, m.date, outcome, reason))
    out.sort(key=lambda s: (s.date, s.meeting))
    return tuple(out)


def interview_reasons(sittings: Sequence[Sitting], settings: OversightSettings) -> tuple[str, ...]:
    absences = sum(1 for s in sittings if s.outcome is Outcome.ABSENT)
    leaves = sum(1 for s in sittings if s.outcome is Outcome.LEAVE)
    reasons = []
    limit = settings.interview_absences or DEFAULT_INTERVIEW_ABSENCES
    if absences >= limit:
        reasons.append(f"缺席 {absences} 次，达到约谈标准（{limit} 次）")
    leave_limit = settings.interview_leaves
    if leave_limit is not None and leaves >= leave_limit:
        reasons.append(f"请假 {leaves} 次，达到约谈标准（{leave_limit} 次）")
    return tuple(reasons)


def attendance_of(
    catalog: Catalog, deputy: Deputy, period: Period, settings: OversightSettings | None = None
) -> Attendance:
    meetings = [r for r in catalog.records if isinstance(r, Meeting)]
    sittings = sittings_of(deputy, meetings, period)
    return Attendance(
        deputy.id, deputy.name, period, sittings, interview_reasons(sittings, settings or OversightSettings())
    )


def attendance_table(catalog: Catalog, period: Period, settings: OversightSettings | None = None) -> list[Attendance]:
    """Attendance of every deputy who served in the period, those to interview first."""
    rows = []
    config = catalog.workspace.config
    for deputy in deputies_of(catalog).values():
        if not services_in(config, deputy, period):
            continue
        row = attendance_of(catalog, deputy, period, settings)
        if row.sittings:
            rows.append(row)
    rows.sort(key=lambda r: (not r.interview, -len(r.of(Outcome.ABSENT)), -len(r.of(Outcome.LEAVE)), r.deputy))
    return rows


def screened_attendance(
    workspace: Workspace, clearance: Clearance, term: int | None, year: int | None, as_of: dt.date | None
) -> tuple[Period, list[Attendance], Screened]:
    """``renda deputy attendance``: the period (the term of the reference date when neither is given), every
    deputy's attendance from the records the clearance admits, and what it left out."""
    from archive.followup import oversight_settings, reference_date

    catalog = load_catalog(workspace)
    config = workspace.config
    period = resolve_period(config, term, year, reference_date(config, as_of))
    rows, screened = clearance.derive(
        catalog,
        lambda c: attendance_table(c, period, oversight_settings(config)),
        lambda rows: [s.meeting for r in rows for s in r.sittings],
    )
    return period, rows, screened
