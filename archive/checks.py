"""Cross-record checks: what no single schema can see.

Unique ids, references that resolve, 发文字号 unique within year and 代字,
届 consistent with the date, sittings in order, votes within attendance,
attendance naming deputies who serve.  Each rule adds problems to the
catalog's sink at the line of the offending field.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from pathlib import PurePosixPath
from typing import Any

from archive.catalog_model import PLACEHOLDER, Catalog, LoadedFile
from archive.fileio import sha256_of
from archive.problems import ProblemSink
from archive.proposals import PROPOSAL_TYPES, Handling, HandlingRound, Motion, Proposal, Suggestion
from archive.records import (
    Deputy,
    DeputyReport,
    Document,
    Inspection,
    Letter,
    Meeting,
    Opinion,
    Record,
    Report,
    TermService,
)
from archive.schema import DOC_NUMBER, TYPE_LABELS
from archive.source import FieldPath, format_field
from archive.walker import inside_workspace
from archive.workspace import Config


class _Checker:
    def __init__(self, catalog: Catalog, config: Config) -> None:
        self.catalog = catalog
        self.config = config
        self.sink = catalog.sink
        self.records = catalog.records
        self.by_id = catalog.by_id()

    # what only some rules need is made when first needed: a check of a few records does not pay for it
    @cached_property
    def deputies(self) -> dict[str, Deputy]:
        return {r.id: r for r in self.records if isinstance(r, Deputy)}

    @cached_property
    def broken(self) -> dict[str, str]:
        return self.catalog.broken_ids()

    @cached_property
    def pools(self) -> dict[str, list[str]]:
        pools: dict[str, list[str]] = defaultdict(list)
        for r in self.records:
            pools[r.type].append(r.id)
        return pools

    @cached_property
    def committees(self) -> dict[int, list[tuple[Deputy, TermService]]]:
        """常委会组成人员 per term, from the registry's roles: (deputy, that term's service)."""
        committees: dict[int, list[tuple[Deputy, TermService]]] = defaultdict(list)
        for deputy in self.deputies.values():
            for service in deputy.terms:
                if any("常委会" in role or role == "秘书长" for role in service.roles):
                    committees[service.term].append((deputy, service))
        return committees

    # -- helpers -----------------------------------------------------------
    def line(self, record: Record, path: FieldPath) -> int:
        doc = self.catalog.document(record.source)
        return doc.line_of(path) if doc else 1

    def error(self, record: Record, path: FieldPath, message: str) -> None:
        self.sink.error(record.source, self.line(record, path), format_field(path), message, path)

    def warning(self, record: Record, path: FieldPath, message: str) -> None:
        self.sink.warning(record.source, self.line(record, path), format_field(path), message, path)

    def ref(self, record: Record, path: FieldPath, target: str | None, want: str) -> Record | None:
        """Resolve a reference to a record of type ``want``; report it when dangling."""
        if target is None or target == PLACEHOLDER:
            return None
        found = self.by_id.get(target)
        label = TYPE_LABELS[want]
        if found is None:
            if target in self.broken:
                return None  # that file's own errors are reported; do not cascade
            guess = difflib.get_close_matches(target, self.pools[want], n=1, cutoff=0.7)
            hint = f"；是否应为“{guess[0]}”？" if guess else ""
            self.error(record, path, f"引用的{label}“{target}”不存在{hint}")
            return None
        if found.type != want:
            self.error(record, path, f"“{target}”是{TYPE_LABELS[found.type]}记录，这里应引用{label}")
            return None
        return found

    def deputy_on(
        self,
        record: Record,
        path: FieldPath,
        deputy_id: str,
        day: dt.date | None,
        term: int | None,
        strict: bool = False,
    ) -> None:
        """The reference names a deputy who serves in ``term`` on ``day`` (an error when ``strict``: one who
        does not serve cannot sign a suggestion or motion; a warning otherwise)."""
        deputy = self.ref(record, path, deputy_id, "deputy")
        if not isinstance(deputy, Deputy) or term is None:
            return
        report = self.error if strict else self.warning
        service = deputy.service(term)
        if service is None:
            report(record, path, f"代表 {deputy.name}（{deputy_id}）不是第{term}届代表")
        elif day is not None and service.end is not None and day > service.end:
            report(record, path, f"代表 {deputy.name}（{deputy_id}）已于 {service.end.isoformat()} 终止代表资格")
        elif day is not None and service.start is not None and day < service.start:
            report(
                record, path, f"代表 {deputy.name}（{deputy_id}）自 {service.start.isoformat()} 起才任第{term}届代表"
            )

    # -- rules -------------------------------------------------------------
    def run(self) -> None:
        self.run_global()
        self.run_records(self.records)

    def run_global(self) -> None:
        """The rules over the whole workspace (unique ids and 发文字号, sittings in order): they report on
        whichever record comes second, so they always run over every record (they are cheap)."""
        self.unique_ids()
        self.doc_numbers()
        self.sittings_in_order()

    def run_records(self, records: Iterable[Record]) -> None:
        """The rules of each record, which read only the record and those it refers to (and the registry);
        each record's problems are also kept by source in ``catalog.record_problems``."""
        sink = self.sink
        try:
            for record in records:
                self.sink = ProblemSink()
                self.record_rules(record)
                self.catalog.record_problems[record.source] = self.sink.items
                sink.extend(self.sink.items)
        finally:
            self.sink = sink

    def record_rules(self, record: Record) -> None:
        self.file_name(record)
        self.doc_number(record)
        self.organ(record)
        self.term_matches_date(record)
        self.workflow(record)
        if isinstance(record, Meeting):
            self.meeting(record)
        elif isinstance(record, Opinion):
            self.opinion(record)
        elif isinstance(record, Inspection):
            self.inspection(record)
        elif isinstance(record, DeputyReport):
            self.deputy_report(record)
        elif isinstance(record, Deputy):
            self.deputy(record)
        elif isinstance(record, Document):
            self.document(record)
        elif isinstance(record, Letter):
            self.letter(record)
        elif isinstance(record, Proposal):
            self.proposal(record)
        elif isinstance(record, Report):
            self.ref(record, ("meeting",), record.meeting, "meeting")
        self.placeholder(record)

    def placeholder(self, record: Record) -> None:
        """Skeleton text left unfilled: fine in a draft, an error in a final record."""
        for path in _paths_containing(record.data, PLACEHOLDER):
            if isinstance(record, Deputy):
                self.error(record, path, f"仍是“{PLACEHOLDER}”，请填写")
            elif record.is_final:
                self.error(record, path, f"仍是“{PLACEHOLDER}”，定稿前必须填写")
            else:
                self.warning(record, path, "尚未填写")

    @cached_property
    def indexes(self) -> Indexes:
        """The ids and 发文字号 in use (kept on the catalog, for the next catalog with a file replaced)."""
        if not isinstance(self.catalog.indexes, Indexes):
            self.catalog.indexes = Indexes.of(self.catalog)
        return self.catalog.indexes

    def unique_ids(self) -> None:
        for rid in sorted(self.indexes.duplicate_ids):
            first, *others = self.indexes.ids[rid]
            for source in others:
                doc = self.catalog.document(source)
                line = doc.line_of(("id",)) if doc else 1
                self.sink.error(source, line, "id", f"编号“{rid}”重复，已在 {first} 中使用", ("id",))

    def file_name(self, record: Record) -> None:
        path = PurePosixPath(record.source)
        if path.stem != record.id:
            self.error(record, ("id",), f"文件名应与编号一致：编号为“{record.id}”，文件名却是“{path.name}”")
        folder = path.parent.name
        if record.date and folder.isdigit() and len(folder) == 4 and int(folder) != record.date.year:
            self.warning(record, ("date",), f"记录位于 {folder} 年的目录，但日期是 {record.date.year} 年")

    def doc_numbers(self) -> None:
        for key in sorted(self.indexes.duplicate_numbers):
            (_, first, _, _), *others = self.indexes.numbers[key]
            for _, record, path, number in others:
                self.error(record, path, f"发文字号“{number}”与 {first.source} 重复")

    def doc_number(self, record: Record) -> None:
        """Each 发文字号 of the record: of its date's year, with its series' 代字."""
        labels = {**TYPE_LABELS, "resolution": "决议、决定"}
        for path, number, kind in numbered(record):
            match = DOC_NUMBER.match(number)
            if not match:
                continue
            code, year = match.group("code"), match.group("year")
            if record.date and int(year) != record.date.year:
                self.warning(record, path, f"发文字号的年份 {year} 与成文日期的年份 {record.date.year} 不一致")
            want = self.config.doc_codes.get(kind)
            if want and code != want:
                self.warning(record, path, f"{labels[kind]}的发文字号代字应为“{want}”（见 renda.yaml），实际为“{code}”")

    def committee_members(self, term: int, day: dt.date) -> list[Deputy]:
        """常委会组成人员 serving in ``term`` on ``day``."""
        return [
            deputy
            for deputy, service in self.committees.get(term, [])
            if not (service.start and day < service.start) and not (service.end and day > service.end)
        ]

    def organ(self, record: Record) -> None:
        if record.organ and record.organ not in self.config.organs:
            known = "、".join(self.config.organs)
            self.error(record, ("organ",), f"机构代码“{record.organ}”不在 renda.yaml 的 organs 表中（可用：{known}）")

    def term_matches_date(self, record: Record) -> None:
        if record.term is None or record.date is None or isinstance(record, Deputy):
            return
        actual = self.config.term_of(record.date)
        declared = self.config.term(record.term)
        if declared is None:
            self.error(record, ("term",), f"届次表中没有第{record.term}届；请在 renda.yaml 的 terms 中补充")
        elif actual is None:
            self.warning(record, ("date",), f"日期 {record.date.isoformat()} 不在届次表的任何一届内")
        elif actual.number != record.term:
            self.error(
                record,
                ("term",),
                f"届次为 {record.term}，但日期 {record.date.isoformat()} 属于第{actual.number}届"
                f"（{actual.start.isoformat()} 至 {actual.end.isoformat()}）",
            )

    def workflow(self, record: Record) -> None:
        """核稿 → 签发: a signed record was reviewed and passed (通过) on or before the day it was signed, after its
        last review; a final record that went through the workflow was signed."""
        flow = record.data.get("workflow")
        if not isinstance(flow, Mapping):
            return
        reviews = [r for r in flow.get("reviews") or () if isinstance(r, Mapping)]
        signed = flow.get("signed")
        if not isinstance(signed, Mapping):
            if record.is_final:
                self.error(record, ("workflow",), "定稿（final）须经签发：workflow 中没有 signed（签发）记录")
            return
        if not reviews:
            self.error(record, ("workflow", "signed"), "签发前须经核稿：workflow 中没有核稿记录")
            return
        last = reviews[-1]
        where: FieldPath = ("workflow", "reviews", len(reviews) - 1)
        if last.get("result") != "通过":
            self.error(record, (*where, "result"), f"最后一次核稿的结论是“{last.get('result')}”，未通过不能签发")
        elif str(signed.get("date", "")) < str(last.get("date", "")):
            self.error(
                record,
                ("workflow", "signed", "date"),
                f"签发日期 {signed.get('date')} 早于最后一次核稿日期 {last.get('date')}：签发须在核稿通过之后",
            )

    def meeting(self, m: Meeting) -> None:
        self.meeting_attendance(m)
        self.meeting_votes(m)

    def meeting_attendance(self, m: Meeting) -> None:
        """Who presided and attended: deputies of the term, each listed once, every committee member listed."""
        att = m.attendance
        if m.presiding:
            self.deputy_on(m, ("presiding",), m.presiding, m.date, m.term)
        for i, who in enumerate(att.present):
            self.deputy_on(m, ("attendance", "present", i), who, m.date, m.term)
        for i, leave in enumerate(att.on_leave):
            self.deputy_on(m, ("attendance", "absent_on_leave", i, "deputy"), leave.deputy, m.date, m.term)
        for i, who in enumerate(att.absent):
            self.deputy_on(m, ("attendance", "absent", i), who, m.date, m.term)
        present = set(att.present)
        for i, leave in enumerate(att.on_leave):
            if leave.deputy in present:
                self.error(m, ("attendance", "absent_on_leave", i, "deputy"), f"“{leave.deputy}”同时列在出席和请假中")
        for i, who in enumerate(att.absent):
            if who in present:
                self.error(m, ("attendance", "absent", i), f"“{who}”同时列在出席和缺席中")
        self.meeting_roll(m)

    def meeting_roll(self, m: Meeting) -> None:
        """Attendance recorded, and at a 常委会会议 every member of the committee on it."""
        att = m.attendance
        present = set(att.present)
        if not att.recorded:
            self.warning(m, ("attendance",), "没有记录出席情况；统计出勤时不会计算这次会议")
        elif m.kind == "常委会会议" and m.term and m.date:
            listed = present | {x.deputy for x in att.on_leave} | set(att.absent)
            for member in self.committee_members(m.term, m.date):
                if member.id not in listed:
                    self.warning(
                        m, ("attendance",), f"常委会组成人员 {member.name}（{member.id}）未列入出席、请假或缺席"
                    )

    def meeting_votes(self, m: Meeting) -> None:
        """Each vote fits the attendance and its result."""
        att = m.attendance
        for i, item in enumerate(m.agenda):
            vote = item.vote
            if vote is None:
                if item.result:
                    self.warning(m, ("agenda", i, "result"), "有表决结果但没有票数")
                continue
            if att.present and vote.total > len(att.present):
                self.error(
                    m,
                    ("agenda", i, "vote"),
                    f"表决票数合计 {vote.total}（赞成 {vote.for_}、反对 {vote.against}、弃权 {vote.abstain}）"
                    f"超过出席人数 {len(att.present)}",
                )
            if item.result == "通过" and vote.for_ <= vote.against:
                self.warning(m, ("agenda", i, "result"), "结果为“通过”，但赞成票不多于反对票")

    def sittings_in_order(self) -> None:
        groups: dict[tuple[int | None, str], list[Meeting]] = defaultdict(list)
        for record in self.records:
            if isinstance(record, Meeting):
                groups[(record.term, record.kind)].append(record)
        for (term, kind), meetings in groups.items():
            meetings.sort(key=lambda m: (m.date or dt.date.min, m.sitting))
            first: dict[int, Meeting] = {}
            for before, after in pairwise(meetings):
                if after.sitting < before.sitting:
                    self.error(
                        after,
                        ("sitting",),
                        f"会议次数应随日期递增：第{term}届{kind}第{after.sitting}次（{_iso(after.date)}）"
                        f"晚于第{before.sitting}次（{_iso(before.date)}）",
                    )
            for m in meetings:
                if m.sitting in first:
                    self.error(
                        m, ("sitting",), f"第{term}届{kind}第{m.sitting}次会议已在 {first[m.sitting].source} 中记录"
                    )
                else:
                    first[m.sitting] = m

    def numbered_document(self, record: Record, label: str, direction: str) -> None:
        """A document issued in 文件格式 or 信函格式: a final one needs its 发文字号 (GB/T 9704-2012 7.2.5), and
        签发人 belongs to 上行文 only (7.2.6)."""
        if record.is_final and not record.doc_number:
            code = self.config.doc_codes.get(record.type)
            example = f"，如 {code}〔{record.date.year if record.date else 2024}〕1号" if code else ""
            self.error(
                record,
                ("doc_number",),
                f"定稿的{label}以文件格式或信函格式印发，必须有发文字号（GB/T 9704-2012 7.2.5）："
                f"请填写 doc_number{example}（renda new 会自动填入下一个空闲的发文字号）",
            )
        if record.signatory:
            self.warning(
                record,
                ("signatory",),
                f"签发人只用于上行文（GB/T 9704-2012 7.2.6）；{label}是{direction}，不应标注签发人",
            )

    def opinion_parts(self, o: Opinion) -> None:
        """The body is written either in the three parts or as one free ``body``, not both, not neither."""
        # each of the four is either absent or not empty (the schema's minItems)
        parts = {"assessment": o.assessment, "problems": o.problems, "recommendations": o.recommendations}
        if o.body:
            for name, written in parts.items():
                if written:
                    self.error(o, (name,), f"已用 body 写了整篇正文，不能同时填写 {name}；二者只能选一种写法")
            return
        for name, written in parts.items():
            if not written:
                label = {"assessment": "总体评价", "problems": "存在的问题", "recommendations": "意见建议"}[name]
                self.sink.error(
                    o.source,
                    self.line(o, ()),
                    name,
                    f"缺少必填字段“{name}”（{label}）；或者不分三部分，把整篇正文写在 body 中",
                    (name,),
                )

    def opinion(self, o: Opinion) -> None:
        self.opinion_parts(o)
        self.numbered_document(o, "审议意见书", f"主送{o.addressee}的下行文")
        meeting = self.ref(o, ("meeting",), o.meeting, "meeting")
        if isinstance(meeting, Meeting):
            if meeting.term != o.term:
                self.warning(o, ("meeting",), f"审议会议属于第{meeting.term}届，本意见为第{o.term}届")
            if meeting.date and o.date and o.date < meeting.date:
                self.error(o, ("date",), f"成文日期 {_iso(o.date)} 早于审议会议日期 {_iso(meeting.date)}")
            heard = [a for a in meeting.agenda if a.action in ("听取", "审议", "听取和审议")]
            if heard and not any(o.report_organ == a.reporter or o.report_title in a.item for a in heard):
                self.warning(o, ("report",), f"会议“{meeting.id}”的议程中没有{o.report_organ}的这份报告")
        self.follow_up(o)

    def follow_up(self, o: Opinion) -> None:
        """交办, the reports received and their 满意度测评, in order."""
        self.submissions(o)
        follow = o.follow_up
        if follow.assigned and o.date and follow.assigned < o.date:
            self.error(o, ("follow_up", "assigned"), f"交办日期 {_iso(follow.assigned)} 早于成文日期 {_iso(o.date)}")
        previous = follow.assigned
        for i, report in enumerate(follow.reports):
            where = ("follow_up", "reports", i)
            if follow.assigned is None:
                self.error(o, ("follow_up",), "有研究处理情况报告，但缺少交办日期 assigned")
            elif previous and report.received < previous:
                self.error(
                    o,
                    (*where, "received"),
                    f"收到日期 {_iso(report.received)} 早于{'交办日期' if i == 0 else '上一次报告'}",
                )
            previous = report.received
            if report.file:
                self.stored_file(o, where, report.file, report.sha256, "报告文件")
            ev = report.evaluation
            if ev is None:
                continue
            if ev.date < report.received:
                self.error(o, (*where, "evaluation", "date"), f"测评日期 {_iso(ev.date)} 早于收到报告的日期")
            evaluating = self.ref(o, (*where, "evaluation", "meeting"), ev.meeting, "meeting")
            if (
                isinstance(evaluating, Meeting)
                and evaluating.attendance.present
                and ev.votes > len(evaluating.attendance.present)
            ):
                self.error(
                    o,
                    (*where, "evaluation"),
                    f"测评票数合计 {ev.votes} 超过会议出席人数 {len(evaluating.attendance.present)}",
                )
            if i < len(follow.reports) - 1 and ev.result != "不满意":
                self.warning(
                    o, (*where, "evaluation", "result"), "测评结果为满意或基本满意，之后不应再有研究处理情况报告"
                )

    def submissions(self, o: Opinion) -> None:
        """Reports an organ submitted on the platform, awaiting the office's confirmation: their PDFs."""
        follow = o.data.get("follow_up") or {}
        for i, entry in enumerate(follow.get("submissions") or ()):
            self.stored_file(o, ("follow_up", "submissions", i), entry["file"], entry.get("sha256"), "报告文件")

    def letter(self, letter: Letter) -> None:
        self.numbered_document(letter, letter.kind, f"主送{letter.addressee}的下行文")
        if letter.kind == "催办函" and not letter.opinion and not letter.suggestions:
            self.error(letter, ("opinion",), "催办函应写明所催办的审议意见（opinion）或建议、议案（suggestions）")
        if letter.kind in ("交办函", "督办通知") and not letter.suggestions:
            self.error(letter, ("suggestions",), f"{letter.kind}应列出所涉的代表建议或议案（suggestions）")
        for i, rid in enumerate(letter.suggestions):
            found = self.by_id.get(rid)
            if found is None or found.type not in PROPOSAL_TYPES:
                self.ref(letter, ("suggestions", i), rid, "suggestion")
        opinion = self.ref(letter, ("opinion",), letter.opinion, "opinion")
        if isinstance(opinion, Opinion) and letter.date and opinion.date and letter.date < opinion.date:
            self.error(
                letter, ("date",), f"成文日期 {_iso(letter.date)} 早于所催办的审议意见的日期 {_iso(opinion.date)}"
            )

    def proposal(self, p: Proposal) -> None:
        """Signers serve on the day; the category is configured; the handling runs forward in time; a motion has
        its co-signers."""
        self.signers(p)
        categories = self.config.proposals.categories
        if p.category not in categories and p.category != PLACEHOLDER:
            self.error(
                p,
                ("category",),
                f"类别“{p.category}”不在 renda.yaml 的 proposals.categories 中（可用：{'、'.join(categories)}）",
            )
        if isinstance(p, Motion):
            self.motion(p)
        elif isinstance(p, Suggestion) and p.from_motion:
            self.ref(p, ("from_motion",), p.from_motion, "motion")
        if p.handling is not None:
            self.handling(p, p.handling)

    def signers(self, p: Proposal) -> None:
        """The lead deputy and each co-signer serve on the day, and nobody is listed twice."""
        self.deputy_on(p, ("lead",), p.lead, p.date, p.term, strict=True)
        seen = {p.lead}
        for i, who in enumerate(p.cosigners):
            if who in seen:
                self.error(p, ("cosigners", i), f"“{who}”重复列出（领衔代表不必列入附议代表）")
            seen.add(who)
            self.deputy_on(p, ("cosigners", i), who, p.date, p.term, strict=True)

    def handling(self, p: Proposal, h: Handling) -> None:
        """交办 after the proposal, the extension after 交办, and each round after the one before it."""
        if p.date and h.assigned < p.date:
            label = TYPE_LABELS[p.type]
            self.error(p, ("handling", "assigned"), f"交办日期 {_iso(h.assigned)} 早于{label}提出日期 {_iso(p.date)}")
        if h.extension_approved and h.extension_approved < h.assigned:
            self.error(
                p, ("handling", "extension", "approved"), f"同意延期的日期 {_iso(h.extension_approved)} 早于交办日期"
            )
        since, since_what = h.assigned, "交办日期"
        for i, rnd in enumerate(h.rounds):
            where: FieldPath = ("handling",) if i == 0 else ("handling", "rehandling", i - 1)
            if i > 0:
                before = h.rounds[i - 1].evaluation
                if before is None or before.result != "不满意":
                    self.error(p, where, "只有代表评价为“不满意”的才重新办理；上一轮没有“不满意”的评价")
            self.handling_round(p, where, rnd, since, since_what)
            if rnd.evaluation is not None:
                since, since_what = rnd.evaluation.date, "上一轮评价日期"

    def handling_round(
        self, p: Proposal, where: FieldPath, rnd: HandlingRound, since: dt.date, since_what: str
    ) -> None:
        """One round: the answer after ``since``, its file inside the workspace, an evaluation only of an answer
        and after it."""
        if rnd.answer and rnd.answer.date < since:
            self.error(
                p, (*where, "answer", "date"), f"答复日期 {_iso(rnd.answer.date)} 早于{since_what} {_iso(since)}"
            )
        if rnd.answer and rnd.answer.file:
            self.stored_file(p, (*where, "answer"), rnd.answer.file, rnd.answer.sha256, "答复文件")
        if rnd.evaluation is None:
            return
        if rnd.answer is None:
            self.error(p, (*where, "evaluation"), "有代表评价，但没有承办单位的答复（answer）：应先答复，再由代表评价")
        elif rnd.evaluation.date < rnd.answer.date:
            self.error(
                p,
                (*where, "evaluation", "date"),
                f"评价日期 {_iso(rnd.evaluation.date)} 早于答复日期 {_iso(rnd.answer.date)}",
            )

    def motion(self, m: Motion) -> None:
        needed = self.config.proposals.motion_signers
        if not m.delegation and len(m.signers) < needed:
            (self.error if m.is_final else self.warning)(  # a draft may still be collecting signatures
                m,
                ("cosigners",) if "cosigners" in m.data else ("lead",),
                f"代表联名提出议案须有 {needed} 名以上代表（含领衔代表，见 renda.yaml 的 proposals.motion_signers），"
                f"实际 {len(m.signers)} 名；以代表团名义提出的请填写 delegation",
            )
        if m.decision is None:
            return
        if m.date and m.decision.date < m.date:
            self.error(
                m, ("decision", "date"), f"主席团决定日期 {_iso(m.decision.date)} 早于议案提出日期 {_iso(m.date)}"
            )
        if m.decision.suggestion:
            if m.decision.result != "转为建议":
                self.error(m, ("decision", "suggestion"), "只有“转为建议”的议案才写所转成的建议")
            self.ref(m, ("decision", "suggestion"), m.decision.suggestion, "suggestion")

    def stored_file(self, record: Record, where: FieldPath, file: str, sha256: str | None, what: str) -> None:
        """A PDF a record names (``where`` + file): inside the workspace, there, and the file it was when its
        SHA-256 was taken (an upload through the web platform records it)."""
        found = inside_workspace(self.catalog.workspace.root, file)
        if found is None:
            self.error(
                record, (*where, "file"), f"{what}路径 {file} 指向工作区之外，未读取；应为相对于工作区根目录的路径"
            )
        elif not found.is_file():
            self.error(record, (*where, "file"), f"{what} {file} 不存在")
        elif sha256 is not None and sha256_of(found) != sha256:
            self.error(record, (*where, "sha256"), f"{what} {file} 的 SHA-256 与记录不符：文件可能已被改动或替换")

    def inspection(self, ins: Inspection) -> None:
        if ins.period_end < ins.period_start:
            self.error(ins, ("period", "end"), "结束日期早于开始日期")
        self.deputy_on(ins, ("leader",), ins.leader, ins.period_start, ins.term)
        for i, member in enumerate(ins.members):
            self.deputy_on(ins, ("members", i), member, ins.period_start, ins.term)
        for i, day in enumerate(ins.visit_dates):
            if not ins.period_start <= day <= ins.period_end:
                self.warning(ins, ("visits", i, "date"), f"实地检查日期 {_iso(day)} 不在检查时间内")
        self.ref(ins, ("meeting",), ins.meeting, "meeting")

    def deputy_report(self, rep: DeputyReport) -> None:
        self.deputy_on(rep, ("deputy",), rep.deputy, rep.date, rep.term)
        deputy = self.deputies.get(rep.deputy)
        service = deputy.service(rep.term) if deputy and rep.term else None
        if service and service.constituency != rep.constituency:
            self.warning(rep, ("constituency",), f"选区与代表名册不一致：名册中为“{service.constituency}”")

    def deputy(self, d: Deputy) -> None:
        seen: set[int] = set()
        for i, service in enumerate(d.terms):
            where = ("terms", i)
            if service.term in seen:
                self.error(d, (*where, "term"), f"第{service.term}届重复列出")
            seen.add(service.term)
            term = self.config.term(service.term)
            if term is None:
                self.warning(d, (*where, "term"), f"届次表中没有第{service.term}届")
                continue
            for name in ("start", "end"):
                day = getattr(service, name)
                if day and not term.contains(day):
                    self.error(
                        d,
                        (*where, name),
                        f"{_iso(day)} 不在第{service.term}届（{_iso(term.start)} 至 {_iso(term.end)}）内",
                    )
            if service.start and service.end and service.end < service.start:
                self.error(d, (*where, "end"), "任职终止日期早于开始日期")
            if service.end and not service.end_reason:
                self.warning(d, (*where, "end_reason"), "填写了任职终止日期，但没有写终止原因")

    def document(self, doc: Document) -> None:
        """The imported PDF is still beside the record and unchanged (authenticity)."""
        if doc.source_file is None:
            return
        path = inside_workspace(self.catalog.workspace.root, doc.source_file.file)
        if path is None:  # never read: a record must not make renda hash (or archive) a file outside
            self.error(
                doc,
                ("source_file", "file"),
                f"原始文件路径 {doc.source_file.file} 指向工作区之外，未读取；应为相对于工作区根目录的路径",
            )
        elif not path.is_file():
            self.error(doc, ("source_file", "file"), f"原始文件 {doc.source_file.file} 不存在")
        elif sha256_of(path) != doc.source_file.sha256:
            self.error(doc, ("source_file", "sha256"), "原始文件的 SHA-256 与记录不符：文件可能已被改动或替换")


def _paths_containing(value: object, needle: str, path: FieldPath = ()) -> list[FieldPath]:
    if isinstance(value, str):
        return [path] if needle in value else []
    found: list[FieldPath] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            found.extend(_paths_containing(item, needle, (*path, key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found.extend(_paths_containing(item, needle, (*path, i)))
    return found


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else "?"


def numbered(record: Record) -> list[tuple[FieldPath, str, str]]:
    """Every 发文字号 of a record: (field, number, document kind)."""
    out: list[tuple[FieldPath, str, str]] = []
    if record.doc_number:
        out.append((("doc_number",), record.doc_number, record.type))
    for i, item in enumerate(record.resolutions if isinstance(record, Meeting) else ()):
        if item.doc_number:
            out.append((("resolutions", i, "doc_number"), item.doc_number, "resolution"))
    return out


_NumberKey = tuple[str, str, str]
_Numbered = tuple[tuple[list[str], int], Record, FieldPath, str]  # (order, record, field, number)


def _order(source: str) -> list[str]:
    return source.split("/")  # the order of the catalog's files


def _file_id(loaded: LoadedFile) -> str | None:
    data = loaded.document.data if loaded.document else None
    rid = data.get("id") if isinstance(data, dict) else None
    return rid if isinstance(rid, str) else None


def _numbers_of(record: Record) -> list[tuple[_NumberKey, _Numbered]]:
    out = []
    for i, (path, number, _) in enumerate(numbered(record)):
        match = DOC_NUMBER.match(number)
        if match:
            key = (match.group("code"), match.group("year"), match.group("seq"))
            out.append((key, ((_order(record.source), i), record, path, number)))
    return out


@dataclass
class Indexes:
    """What the rules over the whole workspace look up: every id and every 发文字号 in use, in the catalog's
    order (the first is the one that stands), and what each record mentions.  Kept on the catalog and updated
    for a catalog that differs in a few files, instead of made again."""

    ids: dict[str, list[str]]  # id → the sources of the files that say it (even those that do not validate)
    numbers: dict[_NumberKey, list[_Numbered]]  # (代字, year, seq) → where it is written
    duplicate_ids: set[str] = field(default_factory=set)
    duplicate_numbers: set[_NumberKey] = field(default_factory=set)
    # source → the ids it mentions, and id → the sources that mention it: made when first needed
    mentions: dict[str, frozenset[str]] | None = None
    mentioned_by: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, catalog: Catalog) -> Indexes:
        ids: dict[str, list[str]] = defaultdict(list)
        for loaded in catalog.files:
            rid = _file_id(loaded)
            if rid is not None:
                ids[rid].append(loaded.source)
        numbers: dict[_NumberKey, list[_Numbered]] = defaultdict(list)
        for record in catalog.records:
            for key, entry in _numbers_of(record):
                numbers[key].append(entry)
        out = cls(dict(ids), dict(numbers))
        out.duplicate_ids = {k for k, v in out.ids.items() if len(v) > 1}
        out.duplicate_numbers = {k for k, v in out.numbers.items() if len(v) > 1}
        return out

    def updated(self, before: dict[str, LoadedFile], after: dict[str, LoadedFile]) -> Indexes:
        """These indexes for a catalog whose files ``before`` (by source) became ``after`` (a removed file is
        missing from ``after``, a new one from ``before``)."""
        out = Indexes(dict(self.ids), dict(self.numbers), set(self.duplicate_ids), set(self.duplicate_numbers))
        out.mentions = dict(self.mentions) if self.mentions is not None else None
        out.mentioned_by = dict(self.mentioned_by)
        for source, loaded in before.items():
            out._drop(source, loaded)
        for source, loaded in after.items():
            out._add(source, loaded)
        return out

    def _drop(self, source: str, loaded: LoadedFile) -> None:
        rid = _file_id(loaded)
        if rid is not None and rid in self.ids:
            self.ids[rid] = [s for s in self.ids[rid] if s != source]
            self._count(self.ids, self.duplicate_ids, rid)
        for key, _ in _numbers_of(loaded.record) if loaded.record else ():
            if key in self.numbers:
                self.numbers[key] = [e for e in self.numbers[key] if e[1].source != source]
                self._count(self.numbers, self.duplicate_numbers, key)
        if self.mentions is not None:
            for token in self.mentions.pop(source, ()):
                self.mentioned_by[token] = self.mentioned_by.get(token, frozenset()) - {source}

    def _add(self, source: str, loaded: LoadedFile) -> None:
        rid = _file_id(loaded)
        if rid is not None:
            self.ids[rid] = sorted([*self.ids.get(rid, []), source], key=_order)
            self._count(self.ids, self.duplicate_ids, rid)
        for key, entry in _numbers_of(loaded.record) if loaded.record else ():
            self.numbers[key] = sorted([*self.numbers.get(key, []), entry], key=lambda e: e[0])
            self._count(self.numbers, self.duplicate_numbers, key)
        if self.mentions is not None and loaded.record is not None:
            self.mentions[source] = mentions_of(loaded.record)
            for token in self.mentions[source]:
                self.mentioned_by[token] = self.mentioned_by.get(token, frozenset()) | {source}

    def mention_index(self, catalog: Catalog) -> None:
        """Make what each record of ``catalog`` mentions (once: later catalogs update it)."""
        if self.mentions is not None:
            return
        mentions = {r.source: mentions_of(r) for r in catalog.records}
        by: dict[str, set[str]] = defaultdict(set)
        for source, tokens in mentions.items():
            for token in tokens:
                by[token].add(source)
        # a check runs without the write lock: another thread sees both or neither (``mentions`` is the flag)
        self.mentioned_by = {token: frozenset(sources) for token, sources in by.items()}
        self.mentions = mentions

    @staticmethod
    def _count(index: dict[Any, list[Any]], duplicates: set[Any], key: Any) -> None:
        if not index[key]:
            del index[key]
        if len(index.get(key, ())) > 1:
            duplicates.add(key)
        else:
            duplicates.discard(key)


def check_catalog(catalog: Catalog, config: Config) -> None:
    """Run every cross-record rule over the catalog."""
    _Checker(catalog, config).run()


_MENTION = re.compile(r'"([a-z0-9]+(?:-[a-z0-9]+)*)"(?!:)')


def mentions_of(record: Record) -> frozenset[str]:
    """Every text value of the record that looks like a record id (what it may refer to)."""
    text = json.dumps(record.data, ensure_ascii=False, default=_plain)
    return frozenset(_MENTION.findall(text))


def _plain(value: object) -> object:
    return dict(value) if isinstance(value, Mapping) else str(value)  # a record's data is read-only mappings


def check_changed(catalog: Catalog, config: Config, before: Catalog, changed: Collection[str]) -> None:
    """What :func:`check_catalog` finds in ``catalog``, which differs from ``before`` (already checked) only in
    the files ``changed``, without running every record's rules again: the rules over the whole workspace run
    on indexes updated for the changed files; each record's own rules run for the records that changed and
    those that mention one of their ids (for all records when a deputy changed: the registry decides who sits
    on the committee); the other records keep the problems they had."""
    old = {f.source: f for f in before.files if f.source in changed}
    new = {f.source: f for f in catalog.files if f.source in changed}
    indexes = before.indexes if isinstance(before.indexes, Indexes) else Indexes.of(before)
    indexes.mention_index(before)
    catalog.indexes = indexes.updated(old, new)
    checker = _Checker(catalog, config)
    checker.run_global()
    touched = [f.record for f in (*old.values(), *new.values()) if f.record is not None]
    if any(isinstance(r, Deputy) for r in touched):
        checker.run_records(checker.records)
        return
    ids = {r.id for r in touched} | {PurePosixPath(s).stem for s in changed}
    mentioned_by = catalog.indexes.mentioned_by
    affected = set(changed).union(*(mentioned_by.get(rid, ()) for rid in ids))
    if {(r.id, r.type) for r in touched if r.source in old} != {(r.id, r.type) for r in touched if r.source in new}:
        # a reference that resolves nowhere names the closest id of its type: that may be another one now
        affected |= {s for s, found in before.record_problems.items() if any("不存在" in p.message for p in found)}
    present = {r.source for r in checker.records}
    kept = {s: found for s, found in before.record_problems.items() if s not in affected and s in present}
    catalog.record_problems.update(kept)
    catalog.sink.extend(p for found in kept.values() if found for p in found)
    checker.run_records(r for r in checker.records if r.source not in kept)
