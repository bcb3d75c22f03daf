"""The workspace: a folder with ``renda.yaml``, ``records/`` and optional overrides.

Everything renda reads (records, schemas, templates, configuration) is reached
through a :class:`Workspace`, never through hard-coded paths.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import Any

from archive.errors import WorkspaceError
from archive.schema import SchemaSet, builtin_dir
from archive.source import SourceError, YamlDocument, format_field, parse_yaml, read_text
from archive.walker import walk_records

CONFIG_NAME = "renda.yaml"
ROOT_ENV = "RENDA_ROOT"


@dataclass(frozen=True)
class Term:
    """One 届 of the congress and its dates."""

    number: int
    start: dt.date
    end: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class DeadlineRule:
    """How long the addressee has to report back: N months or N working days from a start."""

    months: int | None
    working_days: int | None
    start_from: str  # "meeting" or "assigned"; "evaluation" for the report due again after 不满意


@dataclass(frozen=True)
class OversightSettings:
    """The optional ``oversight:`` section: reference date, 即将到期 days, the 约谈 thresholds."""

    as_of: dt.date | None = None
    due_soon_days: int | None = None
    interview_absences: int | None = None
    interview_leaves: int | None = None


@dataclass(frozen=True)
class SearchSettingsSection:
    """The optional ``search:`` section (the engine and index ceiling; defaults are applied by search)."""

    engine: str | None = None
    max_classification: str | None = None


@dataclass(frozen=True)
class ArchiveSection:
    """The optional ``archive:`` section, with its defaults."""

    opinion_report: str = "linked"
    arranger: str = ""
    checker: str = ""


DEFAULT_CATEGORIES: tuple[str, ...] = (
    "城乡建设",
    "交通运输",
    "教育",
    "医疗卫生",
    "生态环境",
    "社会保障",
    "经济发展",
    "农业农村",
    "社会治理",
    "文化旅游",
    "其他",
)
# 代表法 第四十九条: answer within 3 months of 交办, 6 for broad or difficult ones; practice: 3 more after 不满意.
DEFAULT_PROPOSAL_DEADLINES: Mapping[str, DeadlineRule] = {
    "suggestion_answer": DeadlineRule(3, None, "assigned"),
    "suggestion_extended": DeadlineRule(6, None, "assigned"),
    "suggestion_rehandle": DeadlineRule(3, None, "evaluation"),
}


@dataclass(frozen=True)
class ProposalSettings:
    """The optional ``proposals:`` section (代表建议 and 议案), with its defaults."""

    motion_signers: int = 10  # county level; counts the lead deputy
    supervise_years: int = 1
    follow_years: int = 2  # "督办一年、跟踪督办两年"
    categories: tuple[str, ...] = DEFAULT_CATEGORIES


@dataclass(frozen=True)
class Config:
    """The validated contents of ``renda.yaml``."""

    organ_name: str
    organ_short_name: str
    congress_name: str
    office_name: str
    fonds_code: str
    fonds_name: str
    doc_codes: Mapping[str, str]
    terms: tuple[Term, ...]
    opinion_deadline: DeadlineRule
    opinion_plan_deadline: DeadlineRule | None
    retention: Mapping[str, str]
    organs: Mapping[str, str]
    default_organ: str | None
    classify_by_organ: bool
    max_public_classification: str
    letter_format: bool
    oversight: OversightSettings = field(default_factory=OversightSettings)
    search: SearchSettingsSection = field(default_factory=SearchSettingsSection)
    archive: ArchiveSection = field(default_factory=ArchiveSection)
    proposals: ProposalSettings = field(default_factory=ProposalSettings)
    deadlines: Mapping[str, DeadlineRule] = field(default_factory=dict)  # deadlines.<name> as given
    raw: Mapping[str, Any] = field(repr=False, default_factory=dict)

    def term_of(self, day: dt.date) -> Term | None:
        for term in self.terms:
            if term.contains(day):
                return term
        return None

    def term(self, number: int) -> Term | None:
        for term in self.terms:
            if term.number == number:
                return term
        return None

    def deadline_rule(self, name: str) -> DeadlineRule | None:
        """The rule ``deadlines.<name>`` of renda.yaml (opinion_report, opinion_plan, opinion_rereport), if set;
        the suggestion rules (suggestion_answer, suggestion_extended, suggestion_rehandle) have defaults."""
        return self.deadlines.get(name)


class ConfigProblems(WorkspaceError):
    """``renda.yaml`` breaks its schema; ``problems`` lists every way, with lines."""

    def __init__(self, problems: list[tuple[int, str, str]], source: str) -> None:
        self.problems = problems
        self.source = source
        lines = [f"{source}:{line}: {fld + ': ' if fld else ''}{msg}" for line, fld, msg in problems]
        super().__init__("\n".join([*lines, f"配置文件 {source} 有 {len(problems)} 个问题，请先修正。"]))


def parse_config(doc: YamlDocument, schemas: SchemaSet, source: str = CONFIG_NAME) -> Config:
    """Validate ``renda.yaml`` like a record and build a :class:`Config`."""
    data = doc.data
    problems: list[tuple[int, str, str]] = []
    if not isinstance(data, dict):
        raise ConfigProblems([(1, "", "配置文件应为“字段: 值”形式的映射")], source)
    for issue in schemas.check("config", data):
        line = doc.line_of(issue.path if issue.at_key else issue.path[:-1])
        problems.append((line, format_field(issue.path), issue.message))
    if problems:
        raise ConfigProblems(sorted(problems), source)

    terms = []
    for key, span in data["terms"].items():
        start, end = dt.date.fromisoformat(span["start"]), dt.date.fromisoformat(span["end"])
        if end < start:
            problems.append((doc.line_of(("terms", key, "end")), f"terms.{key}.end", "结束日期早于开始日期"))
        terms.append(Term(int(key), start, end))
    terms.sort(key=lambda t: t.start)
    for before, after in pairwise(terms):
        if after.start <= before.end:
            problems.append(
                (
                    doc.line_of(("terms", str(after.number))),
                    f"terms.{after.number}",
                    f"第{after.number}届与第{before.number}届的日期重叠",
                )
            )
    organs = dict(data["organs"])
    default_organ = data.get("default_organ")
    if default_organ is not None and default_organ not in organs:
        problems.append(
            (doc.line_of(("default_organ",)), "default_organ", f"机构代码“{default_organ}”不在 organs 表中")
        )
    problems.extend(_search_ceiling_problems(doc, data))
    if problems:
        raise ConfigProblems(sorted(problems), source)

    organ = data["organ"]
    return Config(
        organ_name=organ["name"],
        organ_short_name=organ["short_name"],
        congress_name=organ.get("congress", organ["name"].replace("常务委员会", "")),
        office_name=organ.get("office", organ["short_name"] + "办公室"),
        fonds_code=data["fonds"]["code"],
        fonds_name=data["fonds"]["name"],
        doc_codes=dict(data["doc_codes"]),
        terms=tuple(terms),
        opinion_deadline=_deadline(data["deadlines"]["opinion_report"]),
        opinion_plan_deadline=(
            _deadline(data["deadlines"]["opinion_plan"]) if "opinion_plan" in data["deadlines"] else None
        ),
        retention=dict(data["retention"]),
        organs=organs,
        default_organ=default_organ,
        classify_by_organ=bool(data.get("classify_by_organ", False)),
        max_public_classification=data.get("max_public_classification", "内部"),
        letter_format=bool(data.get("letter_format", False)),
        oversight=_oversight(data.get("oversight") or {}),
        search=SearchSettingsSection(
            engine=(data.get("search") or {}).get("engine"),
            max_classification=(data.get("search") or {}).get("max_classification"),
        ),
        archive=_archive(data.get("archive") or {}),
        proposals=_proposals(data.get("proposals") or {}),
        deadlines={
            **DEFAULT_PROPOSAL_DEADLINES,
            **{name: _deadline(rule) for name, rule in (data.get("deadlines") or {}).items() if rule},
        },
        raw=data,
    )


def _archive(section: Mapping[str, Any]) -> ArchiveSection:
    return ArchiveSection(
        opinion_report=section.get("opinion_report", "linked"),
        arranger=section.get("arranger", ""),
        checker=section.get("checker", ""),
    )


def _proposals(section: Mapping[str, Any]) -> ProposalSettings:
    defaults = ProposalSettings()
    return ProposalSettings(
        motion_signers=section.get("motion_signers", defaults.motion_signers),
        supervise_years=section.get("supervise_years", defaults.supervise_years),
        follow_years=section.get("follow_years", defaults.follow_years),
        categories=tuple(section.get("categories", defaults.categories)),
    )


def _oversight(section: Mapping[str, Any]) -> OversightSettings:
    as_of = section.get("as_of")
    return OversightSettings(
        as_of=dt.date.fromisoformat(as_of) if isinstance(as_of, str) else None,
        due_soon_days=section.get("due_soon_days"),
        interview_absences=section.get("interview_absences"),
        interview_leaves=section.get("interview_leaves"),
    )


def _search_ceiling_problems(doc: YamlDocument, data: Mapping[str, Any]) -> list[tuple[int, str, str]]:
    """A search ceiling above the public one lets secret text into every search; only on purpose."""
    from archive.records import classification_rank

    search = data.get("search") or {}
    public = data.get("max_public_classification", "内部")
    level = search.get("max_classification")
    if level is None or search.get("allow_above_public") is True:
        return []
    if classification_rank(level) <= classification_rank(public):
        return []
    return [
        (
            doc.line_of(("search", "max_classification")),
            "search.max_classification",
            f"检索收录的最高密级“{level}”高于公开范围 max_public_classification（“{public}”），"
            f"密级为“{level}”的记录会出现在检索结果中；确需如此，请在 search 下加 allow_above_public: true 明确确认",
        )
    ]


def _deadline(rule: Mapping[str, Any]) -> DeadlineRule:
    return DeadlineRule(rule.get("months"), rule.get("working_days"), rule["from"])


class Workspace:
    """A renda workspace rooted at ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.config_path = self.root / CONFIG_NAME
        if not self.config_path.is_file():
            raise WorkspaceError(f"{self.root} 不是 renda 工作区：缺少 {CONFIG_NAME}")

    @classmethod
    def find(cls, explicit: Path | str | None = None, start: Path | None = None) -> Workspace:
        """``--root`` wins, then ``$RENDA_ROOT``, then the nearest folder upwards with renda.yaml."""
        if explicit:
            return cls(_existing_dir(Path(explicit), "--root"))
        env = os.environ.get(ROOT_ENV)
        if env:
            return cls(_existing_dir(Path(env), ROOT_ENV))
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / CONFIG_NAME).is_file():
                return cls(folder)
        raise WorkspaceError(
            f"找不到 renda 工作区：{here} 及其上级目录中都没有 {CONFIG_NAME}。"
            "请进入工作区目录，或用 --root 指定，或用 renda init 新建。"
        )

    @property
    def records_dir(self) -> Path:
        return self.root / "records"

    @property
    def output_dir(self) -> Path:
        return self.root / "out"

    @cached_property
    def schemas(self) -> SchemaSet:
        override = self.root / "schemas"
        return SchemaSet(override if override.is_dir() else None)

    @cached_property
    def config(self) -> Config:
        try:
            doc = parse_yaml(read_text(self.config_path))
        except SourceError as exc:
            raise ConfigProblems([(exc.line, format_field(exc.field_path), exc.message)], CONFIG_NAME) from None
        return parse_config(doc, self.schemas)

    def template_path(self, name: str) -> Path:
        """A template: the workspace's own copy wins over the built-in one."""
        own = self.root / "templates" / name
        return own if own.is_file() else builtin_dir("templates") / name

    def relative(self, path: Path) -> str:
        """Path relative to the root, POSIX style, for messages and JSON."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def record_files(self) -> list[Path]:
        """Every record file under ``records/`` (:func:`~archive.walker.walk_records`), sorted."""
        return [self.root / source for source in walk_records(self.root).sorted_sources()]


def _existing_dir(path: Path, origin: str) -> Path:
    if not path.is_dir():
        raise WorkspaceError(f"{origin} 指定的目录不存在：{path}")
    return path
