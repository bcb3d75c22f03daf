"""What each record kind renders to: the template name and the template context.

Contexts hold plain strings, numbers, lists and dicts only; every key a built-in template uses is present
(None when empty), so a template can run with StrictUndefined.  Numbering, dates and name resolution happen
here, never in templates.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from archive.chinese import chinese_number, date_text
from archive.errors import RenderError
from archive.records import AgendaItem, Block, DeputyReport, Inspection, Letter, Meeting, Opinion, Record
from archive.workspace import Config

NUMBERING = {
    1: lambda n: f"{chinese_number(n)}、",
    2: lambda n: f"（{chinese_number(n)}）",
    3: lambda n: f"{n}.",
    4: lambda n: f"（{n}）",
}

# A heading that a clerk numbered by hand keeps its number instead of getting a second one.
_CN_NUMERAL = "[零一二三四五六七八九十百千万亿]+"
HAND_NUMBERED = re.compile(rf"^(?:{_CN_NUMERAL}、|（{_CN_NUMERAL}）|\d+[.．]|（\d+）)")


def number_blocks(blocks: Sequence[Block], shift: int = 0) -> list[dict[str, Any]]:
    """Blocks as template rows; heading numbers restart under each higher heading."""
    counters = [0] * 5
    rows: list[dict[str, Any]] = []
    for block in blocks:
        level = min(block.level + shift, 4) if block.level else 0
        if level:
            counters[level] += 1
            for deeper in range(level + 1, 5):
                counters[deeper] = 0
            number = "" if HAND_NUMBERED.match(block.text) else NUMBERING[level](counters[level])
            rows.append({"level": level, "lead": number + block.text, "text": ""})
        else:
            rows.append({"level": 0, "lead": "", "text": block.text})
    return rows


TITLE_BREAK_AFTER = ("人大常委会", "常务委员会", "人民政府", "人民法院", "人民检察院")
TITLE_BREAK_BEFORE = ("工作", "情况", "报告", "审议意见", "决定", "决议", "执法检查")
NO_LINE_START = set("、。，；：？！）》」』”’…—·〕】〉%")
NO_LINE_END = set("（《「『“‘〔【〈")


def break_title(title: str, per_line: int = 20) -> str:
    """Break a 2号 title into as few lines as fit, balanced, between words (by the search index's
    segmenter), preferring breaks before 关于 and after 的 or an organ's name, avoiding 《》 and never
    putting a mark that may not open a line at the start of one."""
    n = len(title)
    if n <= per_line:
        return title
    words = _word_boundaries(title)
    costs = [_break_penalty(title, cut, words) for cut in range(n)]  # costs[0] is never used

    # one more line than the minimum when that keeps words (and 《》) whole
    fewest = -(-n // per_line)
    candidates = [
        (c + 3 * extra, starts)
        for extra in (0, 1)
        if (found := _title_layout(n, fewest + extra, per_line, costs))
        for c, starts in [found]
    ]
    if not candidates:
        return title
    starts = min(candidates)[1]
    return "\n".join(title[a:b] for a, b in itertools.pairwise([*starts, n]))


def _break_penalty(title: str, cut: int, words: set[int]) -> float:
    """Cost of a line break at ``cut``: 5 for a plain word boundary, less at a good place, never below 0."""
    if cut == 0:
        return 0.0
    before, after = title[:cut], title[cut:]
    score = 5.0
    if cut not in words:
        score += 6  # never split a word (人居/环境) when a word boundary is near
    if before.count("《") != before.count("》"):
        score += 3
    if (before[-1].isdigit() and after[0].isdigit()) or after[0] in NO_LINE_START or before[-1] in NO_LINE_END:
        score += 100
    if before[-1].isdigit():
        score += 8  # a number stays with its unit (2023年度)
    if after.startswith("关于"):
        score -= 4
    if before.endswith("的"):
        score -= 2.5
    if after.startswith(TITLE_BREAK_BEFORE):
        score -= 2
    if before.endswith(TITLE_BREAK_AFTER):
        score -= 3
    return max(0.0, score)


def _title_layout(n: int, lines: int, per_line: int, costs: list[float]) -> tuple[float, list[int]] | None:
    """The cheapest cuts of a title of ``n`` characters into ``lines`` lines (``costs[i]``: a break before
    character ``i``): cost, line starts."""
    target = n / lines
    # best[k][i]: the cheapest way to set title[:i] as k lines, and where its last line starts
    best: list[dict[int, tuple[float, int]]] = [{0: (0.0, 0)}] + [{} for _ in range(lines)]
    for k in range(1, lines + 1):
        for i in range(1, n + 1) if k < lines else (n,):
            options = [
                (best[k - 1][j][0] + 0.4 * abs(i - j - target) + (costs[i] if i < n else 0.0), j)
                for j in range(max(0, i - per_line), i)
                if j in best[k - 1]
            ]
            if options:
                best[k][i] = min(options)
    if n not in best[lines]:
        return None
    starts, at = [], n
    for k in range(lines, 0, -1):
        at = best[k][at][1]
        starts.append(at)
    return best[lines][n][0], sorted(starts)


def _word_boundaries(text: str) -> set[int]:
    """Offsets between words of ``text``, by the segmenter and domain dictionary search uses."""
    from archive.segmenter import segmenter

    offsets, at = set(), 0
    for word in segmenter(()).cut(text, False):
        at += len(word)
        offsets.add(at)
    return offsets


def secrecy_text(record: Record) -> str | None:
    if record.classification == "公开":
        return None
    period = record.secrecy_period
    if period and record.classification in ("秘密", "机密"):
        return f"{record.classification}★{period}"
    return record.classification


@dataclass(frozen=True)
class Document:
    """One document to render: which template, the context, and the output file stem."""

    record: Record
    kind: str  # 审议意见书 / 纪要 / 执法检查报告 / 代表述职报告 / 决议 / 决定
    template: str
    stem: str
    context: Mapping[str, Any]
    masthead: bool  # has a 版头 (文件格式 / 纪要格式 / 信函格式)
    letter: bool = False


def _envelope(record: Record, config: Config) -> dict[str, Any]:
    attachments = record.attachments
    many = len(attachments) > 1
    day = record.date
    return {
        "copy_number": record.copy_number,
        "secrecy": secrecy_text(record),
        "urgency": record.urgency,
        "doc_number": record.doc_number or "",
        "signatory": record.signatory,
        "title": break_title(record.title),
        "issuer": record.issuer or config.organ_name,
        "sealed": record.sealed,
        "date_text": date_text(day),
        "note": record.note,
        "attachments": [{"label": f"{i}." if many else "", "title": a.title} for i, a in enumerate(attachments, 1)],
        "attachment_pages": [
            {
                "number": str(i) if many else "",
                "title": break_title(a.title),
                "blocks": number_blocks(a.body),
            }
            for i, a in enumerate(attachments, 1)
            if a.body
        ],
        "cc": "，".join(record.cc) or None,
        "print_organ": config.office_name,
        "print_date": date_text(record.print_date or day),
    }


def sitting_name(meeting: Meeting, config: Config) -> str:
    """The sitting as the record names it: 区第十七届人大常委会第十九次会议.

    A meeting's title is its minutes' title (“……会议纪要”), so the sitting is the title without 纪要; a title in
    another form falls back to the formal name built from renda.yaml (as in a 决议's 题注).
    """
    if meeting.title.endswith("会议纪要"):
        return meeting.title.removesuffix("纪要")
    return formal_sitting_name(meeting, config)


def formal_sitting_name(meeting: Meeting, config: Config) -> str:
    """青澜市澄湖区第十七届人民代表大会常务委员会第二十次会议."""
    congress = config.congress_name
    term = f"第{chinese_number(meeting.term)}届" if meeting.term else ""
    with_term = congress.replace("人民代表大会", f"{term}人民代表大会", 1) if term else congress
    sitting = f"第{chinese_number(meeting.sitting)}次会议"
    body_of = {"常委会会议": f"{with_term}常务委员会{sitting}", "代表大会会议": f"{with_term}{sitting}"}
    return body_of.get(meeting.kind, f"{with_term}常务委员会主任会议{sitting}")


HEARD = ("听取和审议", "审议", "听取")


def heard_item(opinion: Opinion, meeting: Meeting) -> AgendaItem | None:
    """The agenda item of ``meeting`` that heard the opinion's report, if the agenda lists it."""
    heard = [a for a in meeting.agenda if a.action in HEARD]
    for item in heard:
        if opinion.report_title in item.item or item.item in opinion.report_title:
            return item
    by_organ = [a for a in heard if a.reporter == opinion.report_organ]
    return by_organ[0] if len(by_organ) == 1 else None


def report_name(opinion: Opinion) -> str:
    """How the opening sentence names the report: 区人民政府关于……的报告, with its reporter when recorded
    (副区长林志远受区人民政府委托所作的关于……的报告; 区人民法院院长邵泽宇所作的关于……的报告)."""
    title, organ = opinion.report_title, opinion.report_organ
    reporter = "".join((opinion.report_reporter or "").split())
    if not reporter:
        return title if title.startswith(organ) else organ + title
    title = title.removeprefix(organ)
    if opinion.report_organ_kind == "政府" and not reporter.startswith(organ):
        return f"{reporter}受{organ}委托所作的{title}"
    return f"{reporter if reporter.startswith(organ) else organ + reporter}所作的{title}"


def opinion_document(record: Opinion, config: Config, meeting: Meeting | None = None) -> Document:
    """The 审议意见书: the opening sentence from the sitting and the report, then either the three parts
    (一、总体评价 / 二、存在的问题 / 三、意见和建议, each with （一）（二）) or the record's free ``body``, then the
    request with the deadline from renda.yaml.  The fixed wording lives in the template."""
    if meeting is None:
        raise RenderError(
            f"{record.source}: 找不到审议会议“{record.meeting}”，无法写出审议意见的开头；请运行 renda validate 检查"
        )
    context = _envelope(record, config)
    structured = not record.body
    problems = []
    for i, text in enumerate(record.problems, 1):
        lead, sep, rest = text.partition("。")
        if sep and len(lead) <= 40:
            problems.append({"level": 2, "lead": f"（{chinese_number(i)}）{lead}。", "text": rest})
        else:
            problems.append({"level": 2, "lead": f"（{chinese_number(i)}）", "text": text})
    recommendations = [
        {"level": 2, "lead": f"（{chinese_number(i)}）{r.title}。", "text": r.text}
        for i, r in enumerate(record.recommendations, 1)
    ]
    if record.deadline:
        deadline = f"{date_text(record.deadline)}前"
    else:
        rule = config.opinion_deadline
        deadline = f"{rule.months}个月内" if rule.months else f"{rule.working_days}个工作日内"
    letter = record.format == "信函格式" or (record.format is None and config.letter_format)
    item = heard_item(record, meeting)
    context.update(
        mark=config.organ_name + ("" if letter else "文件"),
        addressee=record.addressee,
        meeting_date=date_text(meeting.date),
        sitting=sitting_name(meeting, config),
        heard=item.action if item is not None else "听取和审议",
        report_name=report_name(record),
        structured=structured,
        assessment=[{"level": 0, "lead": "", "text": t} for t in record.assessment],
        problems=problems,
        recommendations=recommendations,
        blocks=[] if structured else number_blocks(record.body),
        deadline_text=deadline,
    )
    template = "opinion_letter.docx" if letter else "opinion.docx"
    return Document(record, "审议意见书", template, record.id, context, masthead=True, letter=letter)


MINUTES_MARK = {
    "常委会会议": "{short}会议纪要",
    "主任会议": "{short}主任会议纪要",
    "代表大会会议": "{congress}会议纪要",
}


def minutes_document(record: Meeting, config: Config, names: Mapping[str, str]) -> Document:
    def name(deputy_id: str) -> str:
        try:
            return names[deputy_id]
        except KeyError:
            raise RenderError(f"{record.source}: 出席人员 {deputy_id} 不在代表名册中") from None

    context = _envelope(record, config)
    attendance = record.attendance
    rows = []
    if attendance.present:
        rows.append({"label": "出席：", "names": "、".join(name(d) for d in attendance.present)})
    if attendance.on_leave:
        rows.append(
            {"label": "请假：", "names": "、".join(f"{name(x.deputy)}（{x.reason}）" for x in attendance.on_leave)}
        )
    if attendance.absent:
        rows.append({"label": "缺席：", "names": "、".join(name(d) for d in attendance.absent)})
    if attendance.nonvoting:
        rows.append({"label": "列席：", "names": "、".join(attendance.nonvoting)})
    mark = MINUTES_MARK.get(record.kind, "{short}会议纪要").format(
        short=config.organ_short_name, congress=config.congress_name
    )
    # the body's opening paragraph (when, where, who presided) comes before the agenda; the decisions
    # follow the body as one more first-level part, numbered after the body's own parts
    body = list(record.body)
    intro = body[:1] if body and not body[0].level else []
    rest = body[len(intro) :]
    parts = sum(1 for b in rest if b.level == 1)
    context.update(
        mark=mark,
        issue=str(record.issue_number or record.sitting),
        minutes_organ=config.office_name,
        minutes_date=date_text(record.date),
        intro=number_blocks(intro),
        agenda="；".join(agenda_wording(item) for item in record.agenda) or None,
        blocks=number_blocks(rest),
        decisions_heading=f"{chinese_number(parts + 1)}、" if record.decisions else None,
        decisions=[
            {"level": 2, "lead": f"（{chinese_number(i)}）", "text": text} for i, text in enumerate(record.decisions, 1)
        ],
        attendance=rows,
    )
    return Document(record, "纪要", "minutes.docx", record.id, context, masthead=True)


def agenda_wording(item: AgendaItem) -> str:
    """听取和审议区人民法院关于执行工作情况的报告: the action, the reporting organ and the item."""
    reporter = item.reporter or ""
    named = item.item if not reporter or item.item.startswith(reporter) else reporter + item.item
    return f"{item.action}{named}"


INSPECTION_PARTS = (
    ("implementation", "{law}实施的基本情况"),
    ("problems", "执法中存在的主要问题"),
    ("enforcement_suggestions", "改进执法工作的建议"),
    ("amendment_suggestions", "修改完善法律法规的建议"),
)


def inspection_document(record: Inspection, config: Config) -> Document:
    rows = number_blocks(record.report.intro)
    for i, (key, heading) in enumerate(INSPECTION_PARTS, 1):
        rows.append({"level": 1, "lead": f"{chinese_number(i)}、{heading.format(law=record.law)}", "text": ""})
        rows.extend(number_blocks(record.report.part(key), shift=1))
    context = _envelope(record, config)
    context.update(
        blocks=rows,
        subtitle=None,
        issuer=record.issuer or f"{config.organ_short_name}执法检查组",
    )
    return Document(record, "执法检查报告", "inspection.docx", record.id, context, masthead=False)


def deputy_report_document(record: DeputyReport, config: Config, names: Mapping[str, str]) -> Document:
    context = _envelope(record, config)
    context.update(
        blocks=number_blocks(record.body),
        subtitle=f"（{date_text(record.date)}在{record.place}）",
        issuer=record.issuer or names.get(record.deputy, record.deputy),
    )
    for row in context["blocks"]:
        # the salutation (“各位选民：”) stands flush left
        if row["level"] == 0 and row["text"].endswith("：") and len(row["text"]) <= 12:
            row["level"] = 5
    return Document(record, "代表述职报告", "deputy_report.docx", record.id, context, masthead=False)


def resolution_documents(record: Meeting, config: Config) -> list[Document]:
    documents = []
    where = formal_sitting_name(record, config)
    for i, item in enumerate(record.resolutions, 1):
        context = _envelope(record, config)
        context.update(
            title=break_title(item.title),
            caption=f"{date_text(record.date)}{where}通过",
            blocks=number_blocks(item.body),
            doc_number=item.doc_number or "",
        )
        documents.append(
            Document(record, item.kind, "resolution.docx", f"{record.id}-{item.kind}-{i}", context, masthead=False)
        )
    return documents


def letter_document(record: Letter, config: Config) -> Document:
    """A letter of the office (a 催办函) in 信函格式, signed by the office."""
    context = _envelope(record, config)
    context.update(
        mark=config.office_name,
        addressee=record.addressee,
        blocks=number_blocks(record.body),
        issuer=record.issuer or config.office_name,
    )
    return Document(record, record.kind, "letter.docx", record.id, context, masthead=True, letter=True)
