"""Arrangement by DA/T 22-2015: which records become 件, in which class, with which 档号.

Pure functions over the catalogue's records and the workspace configuration: nothing here reads or
writes files.  One final record dated in the year is one 件 (with its attachments; a meeting with the
resolutions it adopted).

A 代表建议 or 议案 and its answer are one 件 (DA/T 22-2015 6.1.2 lets 来文与复文 be one 件): the deputy's text
as 正本, then the office's registration of how it was handled (交办, 答复, 评价, each round), then the organ's
answer PDF of each round that names one.  One 件 rather than two related ones because the answer is not a record
of the workspace — it has no 档号, 密级 or metadata of its own to carry, and only means something beside the
suggestion it answers; the answers are also listed as relations (备注 and metadata), as an opinion's reports are.

Classes are 年度 → 保管期限 → 机构 (when the workspace classifies by organ);
within the lowest class, 件 are ordered by date, then by record id, and numbered from 0001.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from archive.clearance import Clearance
from archive.proposals import Motion, Proposal
from archive.records import DeputyReport, Inspection, Meeting, Opinion, Record
from archive.workspace import Config

RETENTION_ORDER = ("Y", "D30", "D10")
RETENTION_NAMES: Mapping[str, str] = {"Y": "永久", "D30": "定期30年", "D10": "定期10年"}
GENERIC_TITLES = frozenset(
    {"会议纪要", "纪要", "审议意见", "审议意见书", "执法检查报告", "述职报告", "报告", "决议", "决定"}
)
LINK_MODES = ("linked", "merged")


@dataclass(frozen=True)
class ArchiveRules:
    """The ``archive:`` section of renda.yaml, with its defaults."""

    opinion_report: str = "linked"
    arranger: str = ""
    checker: str = ""


def archive_rules(config: Config) -> ArchiveRules:
    section = config.archive
    return ArchiveRules(opinion_report=section.opinion_report, arranger=section.arranger, checker=section.checker)


@dataclass(frozen=True)
class Relation:
    """A document related to a 件 that is not a 件 of this archive (e.g. the report answering an opinion)."""

    kind: str  # 研究处理情况报告, 答复
    title: str
    doc_number: str
    date: dt.date | None
    evaluation: str  # 满意度测评结果, "" when none
    # whether the document itself is part of the 件 (a suggestion's answer PDF); None: as the 件 is merged
    included: bool | None = None

    def part_of(self, item_merged: bool) -> bool:
        return item_merged if self.included is None else self.included


@dataclass(frozen=True)
class Item:
    """One 件: a record with its class, number and catalogue fields."""

    record: Record
    fonds: str
    year: int
    retention: str
    organ: str | None  # organ code when classifying by organ
    number: int
    title: str
    made_up_title: bool
    responsible: str  # 责任者
    relations: tuple[Relation, ...] = ()
    merged_report: bool = False  # the answering report's registration page is part of this 件
    answer_files: tuple[str, ...] = ()  # answer PDFs (a suggestion's, an opinion's reports), workspace-relative

    @property
    def code(self) -> str:
        """档号 ``全宗号-WS·年度-保管期限代码[-机构代码]-件号`` (DA/T 22-2015 7.4)."""
        organ = f"-{self.organ}" if self.organ else ""
        return f"{self.fonds}-WS·{self.year}-{self.retention}{organ}-{self.number:04d}"

    @property
    def file_stem(self) -> str:
        """The 档号 as a file name: ``·`` becomes ``-`` so the name is portable (ZIP, Windows, old tools)."""
        return self.code.replace("·", "-")

    @property
    def class_key(self) -> tuple[str, str | None]:
        return (self.retention, self.organ)

    @property
    def folder(self) -> str:
        return self.retention + (f"/{self.organ}" if self.organ else "")

    @property
    def catalogue_title(self) -> str:
        return f"[{self.title}]" if self.made_up_title else self.title

    @property
    def remark(self) -> str:
        parts = []
        for relation in self.relations:
            if relation.included is False:
                head = f"{relation.kind}（见办理情况登记）"
            else:
                head = f"{relation.kind}{'（已并入本件）' if relation.part_of(self.merged_report) else ''}"
            parts.append(f"{head}：{relation.doc_number or relation.title}")
        return "；".join(parts)


@dataclass(frozen=True)
class ArchiveClass:
    """A lowest class: 保管期限 (and 机构), with its 件 in order."""

    retention: str
    organ: str | None
    organ_name: str | None
    items: tuple[Item, ...]

    @property
    def folder(self) -> str:
        return self.retention + (f"/{self.organ}" if self.organ else "")

    @property
    def label(self) -> str:
        name = RETENTION_NAMES[self.retention]
        return f"{name}·{self.organ_name}" if self.organ_name else name


@dataclass(frozen=True)
class Notice:
    """Something a clerk should know about: pre-flight findings and what the build left out."""

    source: str
    message: str
    blocking: bool = False

    def format(self) -> str:
        return f"{self.source}: {'错误：' if self.blocking else ''}{self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"source": self.source, "message": self.message, "blocking": self.blocking}


@dataclass(frozen=True)
class Arrangement:
    fonds_code: str
    fonds_name: str
    year: int
    classes: tuple[ArchiveClass, ...]
    drafts: tuple[Record, ...]
    withheld: tuple[Record, ...]  # above the workspace's allowed classification
    notices: tuple[Notice, ...] = field(default=())
    max_classification: str = "内部"

    @property
    def items(self) -> list[Item]:
        return [item for cls in self.classes for item in cls.items]

    @property
    def sorted_notices(self) -> list[Notice]:
        """Blocking notices first, then by source and message."""
        return sorted_notices(self.notices)

    @property
    def blocking(self) -> list[Notice]:
        return [n for n in self.sorted_notices if n.blocking]

    def contents(self) -> str:
        """What the package holds and leaves out: 会议 3 件，审议意见 5 件；草稿 1 件未归档."""
        classes = "，".join(f"{c.label} {len(c.items)} 件" for c in self.classes)
        left_out = [
            f"{label} {n} 件未归档"
            for label, n in ((f"密级高于“{self.max_classification}”的", len(self.withheld)), ("草稿", len(self.drafts)))
            if n
        ]
        return classes + ("；" + "，".join(left_out) if left_out else "")

    def preflight_summary(self) -> str:
        """The last line of a pre-flight check: what would be archived and whether anything blocks it."""
        blocking = len(self.blocking)
        verdict = f"有 {blocking} 个问题会阻止归档" if blocking else "可以归档"
        hints = len(self.notices) - blocking
        return f"{self.year} 年度：{len(self.items)} 件（{self.contents()}）；{verdict}，{hints} 条提示。"

    def preflight_json(self) -> dict[str, object]:
        return {
            "year": self.year,
            "items": len(self.items),
            "ok": not self.blocking,
            "notices": [n.as_dict() for n in self.sorted_notices],
        }


def retention_of(record: Record, config: Config) -> str:
    return record.retention or config.retention.get(record.type, "Y")


def responsible_party(record: Record, config: Config, names: Mapping[str, str]) -> str:
    """责任者: who issued the document (the issuer named in the record wins)."""
    if record.issuer:
        return record.issuer
    if isinstance(record, Inspection):
        return f"{config.organ_short_name}执法检查组"
    if isinstance(record, DeputyReport):
        return names.get(record.deputy, "")
    if isinstance(record, Motion) and record.delegation:
        return record.delegation
    if isinstance(record, Proposal):
        return names.get(record.lead, "")
    return config.organ_name


def relations_of(record: Record) -> tuple[Relation, ...]:
    if isinstance(record, Proposal):
        return _answers(record)
    if not isinstance(record, Opinion):
        return ()
    return tuple(
        Relation(
            "研究处理情况报告",
            report.title or "",
            report.doc_number or "",
            report.received,
            report.evaluation.result if report.evaluation else "",
            included=True if report.file else None,  # submitted on the platform: its PDF is in the 件
        )
        for report in record.follow_up.reports
    )


def _answers(proposal: Proposal) -> tuple[Relation, ...]:
    """The organ's answer of each round (a re-handled suggestion has more than one), with the deputy's evaluation."""
    handling = proposal.handling
    if handling is None:
        return ()
    return tuple(
        Relation(
            "答复",
            f"{handling.lead_organ}关于{proposal.title.removeprefix('关于')}的答复",
            rnd.answer.doc_number or "",
            rnd.answer.date,
            rnd.evaluation.result if rnd.evaluation else "",
            included=bool(rnd.answer.file),
        )
        for rnd in handling.rounds
        if rnd.answer is not None
    )


def has_handling(record: Record) -> bool:
    """Whether a suggestion or motion has anything the office recorded about it (交办, 主席团决定, 进展报告)."""
    if not isinstance(record, Proposal):
        return False
    motion_facts = isinstance(record, Motion) and (record.decision is not None or bool(record.progress))
    return record.handling is not None or motion_facts


def answer_files(record: Record) -> tuple[str, ...]:
    """The PDFs answering the record that go into its 件: a suggestion's or motion's answers round by round, an
    opinion's 研究处理情况报告 that the organ submitted on the platform (来文与复文 as one 件, DA/T 22 6.1.2)."""
    if isinstance(record, Opinion):
        return tuple(r.file for r in record.follow_up.reports if r.file)
    if not isinstance(record, Proposal) or record.handling is None:
        return ()
    return tuple(r.answer.file for r in record.handling.rounds if r.answer is not None and r.answer.file)


def arrange(
    records: Iterable[Record], config: Config, year: int, deputy_names: Mapping[str, str] | None = None
) -> Arrangement:
    """Classify and number the final records dated in ``year``."""
    from archive.catalog_model import NOT_RENDERED
    from archive.records import Deputy

    rules = archive_rules(config)
    all_records = list(records)
    names = dict(deputy_names or {})
    names.update({r.id: r.name for r in all_records if isinstance(r, Deputy)})
    in_year = [r for r in all_records if r.type not in NOT_RENDERED and r.date is not None and r.date.year == year]
    drafts = tuple(sorted((r for r in in_year if not r.is_final), key=_order))
    screened = Clearance.of(config).screen(r for r in in_year if r.is_final)
    withheld = tuple(sorted(screened.withheld, key=_order))
    chosen = list(screened.kept)

    groups: dict[tuple[str, str | None], list[Record]] = defaultdict(list)
    for record in chosen:
        organ = (record.organ or config.default_organ) if config.classify_by_organ else None
        groups[(retention_of(record, config), organ)].append(record)

    classes = []
    for retention, organ in sorted(groups, key=lambda k: (RETENTION_ORDER.index(k[0]), k[1] or "")):
        members = sorted(groups[(retention, organ)], key=_order)
        items = []
        for number, record in enumerate(members, start=1):
            made_up = record.archive_title
            relations = relations_of(record)
            items.append(
                Item(
                    record=record,
                    fonds=config.fonds_code,
                    year=year,
                    retention=retention,
                    organ=organ,
                    number=number,
                    title=made_up if isinstance(made_up, str) else record.title,
                    made_up_title=isinstance(made_up, str),
                    responsible=responsible_party(record, config, names),
                    relations=relations,
                    # a suggestion's handling is always part of its 件; an opinion's report as renda.yaml says
                    merged_report=has_handling(record) or (rules.opinion_report == "merged" and bool(relations)),
                    answer_files=answer_files(record),
                )
            )
        organ_name = config.organs.get(organ) if organ else None
        classes.append(ArchiveClass(retention, organ, organ_name, tuple(items)))
    arrangement = Arrangement(
        config.fonds_code,
        config.fonds_name,
        year,
        tuple(classes),
        drafts,
        withheld,
        max_classification=config.max_public_classification,
    )
    return Arrangement(**{**arrangement.__dict__, "notices": tuple(preflight_notices(arrangement, config))})


def _order(record: Record) -> tuple[str, str]:
    return (record.date.isoformat() if record.date else "", record.id)


def preflight_notices(arrangement: Arrangement, config: Config) -> list[Notice]:
    """What would block or weaken the archive; blocking notices stop a build."""
    notices: list[Notice] = []
    year = arrangement.year
    if not arrangement.items:
        notices.append(Notice("renda.yaml", f"{year} 年度没有可归档的定稿记录", blocking=True))
    for record in arrangement.drafts:
        notices.append(Notice(record.source, "草稿（status: draft），不归档；定稿后再归档"))
    for record in arrangement.withheld:
        notices.append(
            Notice(
                record.source,
                f"密级“{record.classification}”高于本工作区允许的“{config.max_public_classification}”，不进入归档包",
            )
        )
    for item in arrangement.items:
        record = item.record
        if not record.doc_number and record.type in config.doc_codes:
            notices.append(Notice(record.source, "缺少文号（doc_number），归档文件目录中文号一栏将为空"))
        if not item.responsible:
            notices.append(Notice(record.source, "无法确定责任者（述职代表不在代表名册中）", blocking=True))
        folder = _folder_year(record.source)
        if folder is not None and folder != year:
            notices.append(Notice(record.source, f"成文日期在 {year} 年，但文件放在 {folder} 年的目录中"))
        if not item.made_up_title and (record.title in GENERIC_TITLES or len(record.title) < 6):
            notices.append(Notice(record.source, f"题名“{record.title}”不能反映文件内容，需拟写题名（archive_title）"))
        notices.extend(_kind_notices(record, year))
    return notices


def _kind_notices(record: Record, year: int) -> list[Notice]:
    """What only one kind of record can lack: a report, an answer, a period in the year, an attendance list."""
    if isinstance(record, Opinion):
        return _opinion_notices(record, year)
    if isinstance(record, Proposal):
        return _proposal_notices(record, year)
    if isinstance(record, Inspection) and record.period_start.year != year:
        return [Notice(record.source, f"检查期间始于 {record.period_start.isoformat()}，不在 {year} 年度内")]
    if isinstance(record, Meeting) and not record.attendance.recorded:
        return [Notice(record.source, "会议没有出席记录，年度统计中的出席率不含本次会议")]
    return []


def _opinion_notices(record: Opinion, year: int) -> list[Notice]:
    reports = record.follow_up.reports
    if not reports:
        return [Notice(record.source, "尚未收到研究处理情况报告，归档后需补充关联")]
    late = [r for r in reports if r.received.year != year]
    if late:
        return [
            Notice(
                record.source,
                f"研究处理情况报告收到于 {late[0].received.isoformat()}，与审议意见不在同一年度，只作关联",
            )
        ]
    return []


def _proposal_notices(record: Proposal, year: int) -> list[Notice]:
    if isinstance(record, Motion) and record.decision is not None and record.handling is None:
        return []  # a motion the 主席团 placed on the agenda or turned into a suggestion is not answered itself
    if record.handling is None:
        return [Notice(record.source, "尚未交办，归档件中没有办理情况；交办、答复后需补充")]
    answered = [r.answer for r in record.handling.rounds if r.answer is not None]
    if not answered:
        return [Notice(record.source, "承办单位尚未答复，归档件中只有交办情况；答复后需补充")]
    late = [a for a in answered if a.date.year != year]
    if late:
        return [Notice(record.source, f"答复日期 {late[0].date.isoformat()} 与建议不在同一年度，仍并入本件")]
    return []


def _folder_year(source: str) -> int | None:
    parts = source.split("/")
    if len(parts) >= 3 and parts[0] == "records" and parts[1].isdigit() and len(parts[1]) == 4:
        return int(parts[1])
    return None


def sorted_notices(notices: Sequence[Notice]) -> list[Notice]:
    return sorted(notices, key=lambda n: (not n.blocking, n.source, n.message))
