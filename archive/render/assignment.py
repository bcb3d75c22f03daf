"""The 交办函: the office's letter assigning deputies' suggestions (and accepted motions) to one organ.

Written once, like a 催办函 (:mod:`archive.render.oversight`), into a ``letter`` record of kind 交办函 — numbered
in the office's 函 series, searched, tracked and archived like any record — and rendered from that record on the
letter template (信函格式).  It lists what the organ leads (主办) and what it helps with (会办), each item with its
session, number, title and lead deputy, and asks for the answer within the configured deadline.  It is
classified at the highest level of what it lists, and lists only what the clearance admits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.catalog import Catalog, load_catalog
from archive.chinese import chinese_number, chinese_to_int, date_text
from archive.clearance import Clearance, Screened, marking
from archive.errors import TrackingError
from archive.proposals import BETWEEN_SESSIONS, Motion, Proposal
from archive.records import Deputy, Letter, Record
from archive.render import RenderResult
from archive.render.proposal import office_letter_fields, session_name
from archive.workdays import rule_text
from archive.workspace import Config, Workspace

if TYPE_CHECKING:
    from archive.scaffold import NewRecord

ASSIGNMENT_KIND = "交办函"


@dataclass(frozen=True)
class Assignment:
    """What ``renda track assign`` found: the organ's full name and the items it leads and co-handles."""

    organ: str
    day: dt.date
    lead: tuple[Proposal, ...]
    co: tuple[Proposal, ...]

    @property
    def items(self) -> tuple[Proposal, ...]:
        return (*self.lead, *self.co)


@dataclass(frozen=True)
class AssignmentLetter:
    """The letter record written (or found, for the same organ and day) and what rendering it made."""

    assignment: Assignment
    created: NewRecord | None
    reused: str | None
    result: RenderResult

    def to_json(self, workspace: Workspace) -> dict[str, object]:
        record = self.created.to_json(workspace) if self.created else None
        return {
            **self.result.to_json(),
            "organ": self.assignment.organ,
            "date": self.assignment.day.isoformat(),
            "lead": [p.id for p in self.assignment.lead],
            "co": [p.id for p in self.assignment.co],
            "record": record,
            "reused": self.reused,
        }


def parse_session(value: str | None) -> int | str | None:
    """``--session``: 第N次会议 as N (``4``, ``第4次会议``, ``第四次会议``), or 闭会期间."""
    if value is None:
        return None
    text = value.strip()
    if text in (BETWEEN_SESSIONS, "between"):
        return BETWEEN_SESSIONS
    core = text.removeprefix("第").removesuffix("次会议").removesuffix("次")
    number = int(core) if core.isdigit() else chinese_to_int(core)
    if number is None or number < 1:
        raise TrackingError(f"--session 应为会议次数（如 4 或 第四次会议）或“{BETWEEN_SESSIONS}”，实际为“{value}”")
    return number


def find_assignment(records: Sequence[Record], organ: str, day: dt.date, session: int | str | None) -> Assignment:
    """The suggestions and motions assigned on ``day`` to the organ named ``organ`` (its full name, or a part
    that names one organ only); refuses when the name is ambiguous or nothing was assigned."""
    assigned = [
        (p, p.handling)
        for p in records
        if isinstance(p, Proposal) and p.is_final and p.handling is not None and p.handling.assigned == day
    ]
    if session == BETWEEN_SESSIONS:
        assigned = [(p, h) for p, h in assigned if p.session is None]
    elif session is not None:
        assigned = [(p, h) for p, h in assigned if p.session == session]
    organs = {n for _, h in assigned for n in h.organs}
    names = sorted(n for n in organs if n == organ) or sorted(n for n in organs if organ in n)
    if len(names) > 1:
        raise TrackingError(f"“{organ}”对应多个承办单位：{'、'.join(names)}；请写出承办单位全称")
    if not names:
        when = date_text(day) + (f"（{_session_words(session)}）" if session is not None else "")
        raise TrackingError(f"{when}没有交办给“{organ}”的代表建议或议案，未生成交办函")
    full = names[0]
    assigned.sort(key=lambda ph: (ph[0].session or 0, ph[0].type != "motion", ph[0].number, ph[0].id))
    lead = tuple(p for p, h in assigned if h.lead_organ == full)
    co = tuple(p for p, h in assigned if full in h.co_organs)
    return Assignment(full, day, lead, co)


def _session_words(session: int | str | None) -> str:
    return session if isinstance(session, str) else f"第{chinese_number(session or 0)}次会议"


def _line(n: int, p: Proposal, names: dict[str, str]) -> str:
    noun = "议案" if isinstance(p, Motion) else "建议"
    lead = names.get(p.lead, p.lead)
    others = f"等{len(p.signers)}名代表" if p.cosigners else "代表"
    return f"{n}. {session_name(p)}第{p.number}号{noun}《{p.title}》（{lead}{others}提出）"


def assignment_fields(assignment: Assignment, names: dict[str, str], config: Config) -> dict[str, Any]:
    """The 交办函 as the fields of a ``letter`` record, classified at the highest level of what it lists."""
    rule = config.deadline_rule("suggestion_answer")
    within = f"自交办之日起{rule_text(rule)}内" if rule else "在规定期限内"
    kinds = "、".join(dict.fromkeys("议案" if isinstance(p, Motion) else "代表建议" for p in assignment.items))
    parts = [f"主办{len(assignment.lead)}件"] if assignment.lead else []
    parts += [f"会办{len(assignment.co)}件"] if assignment.co else []
    body: list[Any] = [
        "根据代表法和本区代表建议办理工作的有关规定，经研究，现将下列"
        f"{len(assignment.items)}件{kinds}交由你单位办理（{'、'.join(parts)}）。"
    ]
    for role, items in (("主办", assignment.lead), ("会办", assignment.co)):
        if items:
            body.append({"h1": f"由你单位{role}的{len(items)}件"})
            body += [_line(n, p, names) for n, p in enumerate(items, 1)]
    body += [
        f"请你单位认真研究办理，{within}书面答复领衔代表，并将答复抄送常委会代表工作机构。"
        "主办单位应当主动与会办单位协商，会办单位应当及时提出会办意见送主办单位。"
        "办理中请与代表见面沟通，答复前听取代表对办理工作的意见。",
        "特此函告。",
    ]
    return office_letter_fields(
        "关于交办代表建议的函", ASSIGNMENT_KIND, assignment.items, assignment.organ, config, body
    )


def assign_screened(
    workspace: Workspace,
    clearance: Clearance,
    organ: str,
    day: dt.date,
    session: str | None,
    out_dir: Path,
    formats: Sequence[str] = ("docx", "pdf"),
) -> tuple[Screened, AssignmentLetter]:
    """``renda track assign``: the 交办函 to ``organ`` for what was assigned on ``day``, listing only what the
    clearance admits; what it left out is in the returned :class:`Screened`."""
    wanted = parse_session(session)
    catalog = load_catalog(workspace)
    full = find_assignment(catalog.records, organ, day, wanted)
    allowed, _ = clearance.screen_catalog(catalog)
    screened = clearance.screen(full.items)
    if not screened.kept:
        raise TrackingError(
            f"{date_text(day)}交办给{full.organ}的 {len(full.items)} 件代表建议或议案密级均高于“{clearance.level}”，"
            f"未生成交办函（可用 --classification {marking(screened.withheld)} 列入）"
        )
    refuse_hidden_letter(clearance, letter_on_file(catalog, ASSIGNMENT_KIND, day, full.organ), f"给{full.organ}的")
    assignment = find_assignment(allowed.records, full.organ, day, wanted)
    names = {r.id: r.name for r in allowed.records if isinstance(r, Deputy)}
    created, reused, result = keep_letter(
        workspace,
        letter_on_file(allowed, ASSIGNMENT_KIND, day, full.organ),
        day,
        lambda: assignment_fields(assignment, names, workspace.config),
        out_dir,
        formats,
    )
    return screened, AssignmentLetter(assignment, created, reused, result)


def letter_on_file(catalog: Catalog, kind: str, day: dt.date, addressee: str | None = None) -> Letter | None:
    """The letter of ``kind`` already kept for ``day`` (and ``addressee``, when given), if any."""
    for r in catalog.records:
        if isinstance(r, Letter) and r.kind == kind and r.date == day and addressee in (None, r.addressee):
            return r
    return None


def refuse_hidden_letter(clearance: Clearance, on_file: Letter | None, whom: str = "") -> None:
    """A letter on file above the clearance is not rendered again: it would show what the level may not see."""
    if on_file is not None and not clearance.admits(on_file):
        raise TrackingError(
            f"同一天{whom}{on_file.kind}已有记录 {on_file.id}，其密级“{on_file.classification}”高于"
            f"“{clearance.level}”，未重新生成（可用 --classification {on_file.classification}）"
        )


def keep_letter(
    workspace: Workspace,
    on_file: Letter | None,
    day: dt.date,
    fields: Callable[[], dict[str, Any]],
    out_dir: Path,
    formats: Sequence[str],
) -> tuple[NewRecord | None, str | None, RenderResult]:
    """Keep a letter as a ``letter`` record — unless ``on_file`` is the same letter already kept, which is rendered
    again instead of written twice — and render it: (record written, id reused, what rendering made)."""
    from archive.render import render_documents
    from archive.scaffold import add_record

    created = add_record(workspace, "letter", day, fields()) if on_file is None else None
    wanted = created.id if created is not None else on_file.id if on_file is not None else ""
    letters = [r for r in load_catalog(workspace).records if r.id == wanted]
    result = render_documents(workspace, letters, out_dir, tuple(formats))
    return created, None if created is not None else wanted, result
