"""The 代表建议 and 代表议案 as documents: what the deputy handed in, built from the record.

The page reads like the form a congress's secretariat hands out (代表建议纸, 议案纸): the title, the session
and number under it, the registration lines (领衔代表, 附议代表, 代表团, 类别) with their labels in 黑体, then
the text, signed by the lead deputy (or the delegation) on the day it was raised.  How it was handled — 交办,
答复, 评价 — is the office's record, not the deputy's text: the annual archive adds it as a registration page
of the same 件 (:mod:`archive.annual.build`), followed by the organ's answer PDF when the record names one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from archive.chinese import chinese_number
from archive.clearance import copy_number, marking
from archive.errors import RenderError
from archive.proposals import BETWEEN_SESSIONS, Motion, Proposal
from archive.records import Record
from archive.render.documents import Document, _envelope, number_blocks
from archive.workspace import Config

SUGGESTION_KIND = "代表建议"
MOTION_KIND = "代表议案"
TEMPLATE = "proposal.docx"


def session_name(proposal: Proposal) -> str:
    """第十七届人民代表大会第四次会议, or 2024年闭会期间."""
    if proposal.session and proposal.term:
        return f"第{chinese_number(proposal.term)}届人民代表大会第{chinese_number(proposal.session)}次会议"
    return f"{proposal.year}年{BETWEEN_SESSIONS}"


def proposal_kind(proposal: Proposal) -> str:
    return MOTION_KIND if isinstance(proposal, Motion) else SUGGESTION_KIND


def proposal_document(record: Proposal, config: Config, names: Mapping[str, str]) -> Document:
    """The suggestion or motion as its lead deputy (or delegation) raised it."""

    def name(deputy_id: str) -> str:
        try:
            return names[deputy_id]
        except KeyError:
            raise RenderError(f"{record.source}: 代表 {deputy_id} 不在代表名册中，无法写出姓名") from None

    noun = "议案" if isinstance(record, Motion) else "建议"
    fields: list[dict[str, str]] = [{"label": "领衔代表：", "value": name(record.lead)}]
    if record.cosigners:
        fields.append({"label": "附议代表：", "value": "、".join(name(d) for d in record.cosigners)})
    delegation = record.delegation if isinstance(record, Motion) else None
    if delegation:
        fields.append({"label": "代 表 团：", "value": delegation})
    fields.append({"label": "类　　别：", "value": record.category})
    context: dict[str, Any] = _envelope(record, config)
    context.update(
        subtitle=f"{session_name(record)}第{record.number}号{noun}",
        fields=fields,
        blocks=number_blocks(record.body),
        # signed by whoever raised it: the delegation for a delegation's motion, else the lead deputy
        issuer=record.issuer or delegation or name(record.lead),
    )
    return Document(record, proposal_kind(record), TEMPLATE, record.id, context, masthead=False)


def office_letter_fields(
    title: str, kind: str, items: Sequence[Record], addressee: str, config: Config, body: list[Any]
) -> dict[str, Any]:
    """The letter record the office issues about ``items`` (交办函, 督办通知, 催办函 of suggestions): final, marked
    at the highest level of what it lists, with a 份号 when that level needs one."""
    fields: dict[str, Any] = {
        "title": title,
        "classification": marking(items),
        "status": "final",
        "kind": kind,
        "suggestions": [p.id for p in items],
        "addressee": addressee,
        "issuer": config.office_name,
        "body": body,
    }
    copy = copy_number(fields["classification"])
    if copy:
        fields["copy_number"] = copy
    return fields
