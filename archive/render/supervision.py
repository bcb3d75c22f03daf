"""The 督办通知: the office's notice to the organs handling the year's 重点督办 suggestions and motions.

The 主任会议 chooses a few suggestions for the leadership to supervise (``handling.supervision`` names who leads
it); the notice lists them with their 主办 and 会办 organs and the supervising leader, and sets out what the
organs owe (a handling plan, meeting the deputy, the answer within the deadline).  It is kept as a ``letter``
record of kind 督办通知 — one a day, rendered again on a second run — and rendered on the letter template, like
the 交办函 (:mod:`archive.render.assignment`), whose keeping and screening it shares.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.catalog import load_catalog
from archive.clearance import Clearance, Screened, marking
from archive.errors import TrackingError
from archive.proposals import Motion, Proposal
from archive.records import Deputy, Record
from archive.render import RenderResult
from archive.render.assignment import keep_letter, letter_on_file, refuse_hidden_letter
from archive.render.proposal import office_letter_fields, session_name
from archive.workdays import rule_text
from archive.workspace import Config, Workspace

if TYPE_CHECKING:
    from archive.scaffold import NewRecord

SUPERVISION_KIND = "督办通知"


@dataclass(frozen=True)
class SupervisionNotice:
    year: int
    items: tuple[Proposal, ...]
    created: NewRecord | None
    reused: str | None
    result: RenderResult

    def to_json(self, workspace: Workspace) -> dict[str, object]:
        record = self.created.to_json(workspace) if self.created else None
        return {
            **self.result.to_json(),
            "year": self.year,
            "items": [p.id for p in self.items],
            "record": record,
            "reused": self.reused,
        }


def supervised_in(records: Sequence[Record], year: int) -> list[Proposal]:
    """The final suggestions and motions raised in ``year`` that are marked 重点督办, by session and number."""
    chosen = [
        r
        for r in records
        if isinstance(r, Proposal)
        and r.is_final
        and r.handling is not None
        and r.handling.supervised_by
        and r.date is not None
        and r.date.year == year
    ]
    return sorted(chosen, key=lambda p: (p.session or 0, p.type != "motion", p.number, p.id))


def _line(n: int, p: Proposal, names: dict[str, str]) -> str:
    assert p.handling is not None
    noun = "议案" if isinstance(p, Motion) else "建议"
    co = f"，会办单位：{'、'.join(p.handling.co_organs)}" if p.handling.co_organs else ""
    return (
        f"{n}. {session_name(p)}第{p.number}号{noun}《{p.title}》（领衔代表：{names.get(p.lead, p.lead)}），"
        f"主办单位：{p.handling.lead_organ}{co}；领衔督办：{p.handling.supervised_by}。"
    )


def supervision_fields(year: int, items: Sequence[Proposal], names: dict[str, str], config: Config) -> dict[str, Any]:
    """The 督办通知 as the fields of a ``letter`` record, addressed to every 主办 and 会办 organ of ``items``
    and classified at the highest level of what it lists."""
    organs = list(dict.fromkeys(o for p in items if p.handling for o in p.handling.organs))
    rule = config.deadline_rule("suggestion_answer")
    within = f"自交办之日起{rule_text(rule)}内" if rule else "在规定期限内"
    body: list[Any] = [
        f"经常委会主任会议研究，确定下列{len(items)}件代表建议、议案为{year}年度重点督办事项，"
        "由常委会领导同志领衔督办。现将有关事项通知如下：",
        {"h1": "重点督办事项"},
        *(_line(n, p, names) for n, p in enumerate(items, 1)),
        {"h1": "督办要求"},
        "承办单位主要负责同志要亲自研究、亲自督促，制定具体办理方案，明确责任领导、责任人和办理时限，"
        "并将办理方案报送常委会代表工作机构。",
        "办理中要坚持交办后、承办中、答复前与领衔代表见面沟通，邀请代表参与调研和座谈，重要进展及时报告领衔督办的常委会领导同志。",
        f"请{within}书面答复代表，并将答复抄送常委会代表工作机构。常委会将听取重点督办事项办理情况的汇报，并组织代表视察督办。",
        "特此通知。",
    ]
    return office_letter_fields(
        f"关于{year}年度重点督办代表建议的通知", SUPERVISION_KIND, items, "、".join(organs), config, body
    )


def supervise_screened(
    workspace: Workspace,
    clearance: Clearance,
    day: dt.date,
    year: int | None,
    out_dir: Path,
    formats: Sequence[str] = ("docx", "pdf"),
) -> tuple[Screened, SupervisionNotice]:
    """``renda track supervise``: the 督办通知 of ``day`` for the 重点督办 items raised in ``year`` (the day's year
    when not given), listing only what the clearance admits."""
    year = year or day.year
    catalog = load_catalog(workspace)
    every = supervised_in(catalog.records, year)
    if not every:
        raise TrackingError(f"{year}年没有列为重点督办的代表建议或议案（handling.supervision），未生成督办通知")
    screened = clearance.screen(every)
    if not screened.kept:
        raise TrackingError(
            f"{year}年的 {len(every)} 件重点督办建议、议案密级均高于“{clearance.level}”，"
            f"未生成督办通知（可用 --classification {marking(screened.withheld)} 列入）"
        )
    refuse_hidden_letter(clearance, letter_on_file(catalog, SUPERVISION_KIND, day))
    allowed, _ = clearance.screen_catalog(catalog)
    items = tuple(supervised_in(allowed.records, year))
    names = {r.id: r.name for r in allowed.records if isinstance(r, Deputy)}
    created, reused, result = keep_letter(
        workspace,
        letter_on_file(allowed, SUPERVISION_KIND, day),
        day,
        lambda: supervision_fields(year, items, names, workspace.config),
        out_dir,
        formats,
    )
    return screened, SupervisionNotice(year, items, created, reused, result)
