"""The 办理情况登记 page of a suggestion's or motion's 件: how the office recorded its handling.

The deputy's text is the 正本 (rendered by :mod:`archive.render.proposal`); this page registers what happened
to it — 交办, the organs, the deadline and its extension, 重点督办, the contacts with the deputy, each round's
answer (date, 文号, class) and the deputy's evaluation, and for a motion the 主席团's decision and the yearly
progress reports — so that the 件 holds the whole loop.  The organ's answer PDFs follow it in the 件.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from archive.annual import _docx
from archive.annual.arrange import Item
from archive.chinese import date_text
from archive.proposals import ANSWER_CLASSES, Handling, Motion, Proposal

Rows = list[list[_docx.Cell | str]]
TITLE = "办理情况登记"


def _row(label: str, value: str) -> list[_docx.Cell | str]:
    return [_docx.Cell(label, bold_font=True), _docx.Cell(value, align="left")]


def handling_rows(proposal: Proposal) -> Rows:
    """Label → value rows, in the order the loop ran."""
    noun = "议案" if isinstance(proposal, Motion) else "建议"
    rows: Rows = [_row(f"{noun}题名", proposal.title)]
    if isinstance(proposal, Motion):
        rows += _motion_rows(proposal)
    if proposal.handling is not None:
        rows += _handling_rows(proposal.handling)
    else:
        rows.append(_row("交办情况", "未交办"))
    return rows


def _motion_rows(motion: Motion) -> Rows:
    rows: Rows = []
    decision = motion.decision
    if decision is not None:
        into = f"（转为{decision.suggestion}）" if decision.suggestion else ""
        rows.append(_row("主席团决定", f"{date_text(decision.date)}{decision.result}{into}"))
    for report in motion.progress:
        to = f"，向{report.reported_to}报告" if report.reported_to else ""
        rows.append(_row(f"{report.year}年办理进展", f"{date_text(report.date)}{to}：{report.summary}"))
    return rows


def _handling_rows(handling: Handling) -> Rows:
    rows: Rows = [
        _row("交办日期", date_text(handling.assigned)),
        _row("主办单位", handling.lead_organ),
    ]
    if handling.co_organs:
        rows.append(_row("会办单位", "、".join(handling.co_organs)))
    if handling.deadline is not None:
        rows.append(_row("答复期限", date_text(handling.deadline)))
    if handling.extension_approved is not None:
        rows.append(_row("延期", f"{date_text(handling.extension_approved)}批准延期答复"))
    if handling.supervised_by:
        rows.append(_row("重点督办", handling.supervised_by))
    if handling.contacts:
        contacts = "；".join(f"{date_text(c.date)}{c.kind}" for c in handling.contacts)
        rows.append(_row("与代表沟通", contacts))
    for number, rnd in enumerate(handling.rounds):
        which = "答复" if number == 0 else f"第{number + 1}次答复（重新办理）"
        answer = rnd.answer
        if answer is None:
            rows.append(_row(which, "尚未答复"))
            continue
        number_text = f"，{answer.doc_number}" if answer.doc_number else ""
        meaning = ANSWER_CLASSES.get(answer.answer_class, "")
        rows.append(_row(which, f"{date_text(answer.date)}{number_text}，{answer.answer_class}类（{meaning}）"))
        if rnd.evaluation is not None:
            rows.append(_row("代表评价", f"{date_text(rnd.evaluation.date)}{rnd.evaluation.result}"))
    return rows


def write_handling_sheet(item: Item, path: Path, when: dt.datetime) -> Path:
    """The registration page(s) of ``item`` (a suggestion or motion) as .docx."""
    proposal = item.record
    assert isinstance(proposal, Proposal)
    document = _docx.new_document(margins_mm=(37, 26, 35, 28))
    _docx.paragraph(document, TITLE, font=_docx.XBS, size_pt=22, align="center", after_pt=18)
    _docx.table(document, handling_rows(proposal), (40, 116), font=_docx.FANG, size_pt=14, row_height_mm=12)
    if item.answer_files:
        _docx.paragraph(
            document,
            f"后附承办单位答复{len(item.answer_files)}份。",
            font=_docx.FANG,
            size_pt=14,
            before_pt=12,
        )
    _docx.save_docx(document, path, when, TITLE, "renda")
    return path
