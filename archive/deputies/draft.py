"""`renda deputy draft-report`: a 述职 report skeleton filled with the year's figures, for the clerk to finish."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from archive.catalog import PLACEHOLDER, Catalog
from archive.chinese import chinese_number, date_text
from archive.deputies.attendance import DeputyError, services_in
from archive.deputies.profile import DeputyProfile
from archive.fileio import write_new
from archive.walker import linked_folder


@dataclass(frozen=True)
class DraftReport:
    path: Path
    id: str


def draft_report(catalog: Catalog, profile: DeputyProfile, classification: str = "公开") -> DraftReport:
    """Write ``records/<year>/report-<year>-<deputy>.yaml`` (status draft); never overwrite anything.

    ``classification`` is the highest classification of the records the profile was compiled from: the draft
    quotes them, so it inherits it (see :mod:`archive.clearance`).
    """
    deputy, period = profile.deputy, profile.period
    if period.year is None:
        raise DeputyError("述职报告草稿按年度生成，请用 --year 指定年度")
    year = period.year
    record_id = f"report-{year}-{deputy.id}"
    workspace = catalog.workspace
    existing = catalog.by_id().get(record_id) or None
    if existing is not None:
        raise DeputyError(f"述职记录“{record_id}”已存在（{existing.source}），不会覆盖")
    broken = catalog.broken_ids()
    if record_id in broken:
        raise DeputyError(f"述职记录“{record_id}”已存在（{broken[record_id]}，有错误），不会覆盖")
    services = services_in(workspace.config, deputy, period)
    if not services:
        raise DeputyError(f"代表 {deputy.name}（{deputy.id}）在 {year} 年没有任职，无法起草述职报告")
    service = max(services, key=lambda s: s.term)
    term, constituency = service.term, service.constituency
    day = min(period.end, service.end or period.end)  # dated within the service: a resigned deputy's last day
    data = {
        "id": record_id,
        "type": "deputy_report",
        "term": term,
        "date": day.isoformat(),
        "title": f"区第{chinese_number(term)}届人大代表{deputy.name}向原选区选民的述职报告",
        "classification": classification,
        "status": "draft",
        "deputy": deputy.id,
        "constituency": constituency,
        "place": PLACEHOLDER,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "body": _body(profile),
    }
    header = (
        f"# 述职报告草稿：由 renda deputy draft-report 根据 {date_text(profile.as_of)} 前的记录生成。\n"
        "# 数字来自会议、执法检查和述职记录；请核对后补写“（待填写）”的内容，改定 date 和 place，\n"
        "# 定稿时把 status 改为 final，再运行 renda validate。\n"
    )
    text = header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    path = workspace.records_dir / str(year) / f"{record_id}.yaml"
    link = linked_folder(workspace.root, path)
    if link:
        raise DeputyError(f"{link} 是符号链接，renda 不会把新记录写到链接指向的位置；请先运行 renda validate")
    write_new(path, text.encode("utf-8"), DeputyError)
    return DraftReport(path, record_id)


def _body(profile: DeputyProfile) -> list[object]:
    sections = {s.title: s for s in profile.sections}
    body: list[object] = [
        "各位选民：",
        f"现将我{profile.period.year}年履行代表职责的情况报告如下，请予评议。",
        {"h1": "参加会议情况"},
        *(_first_person(p) for p in sections["出席会议情况"].paragraphs),
        {"h1": "参加视察调研情况"},
        *(_first_person(p) for p in sections["视察调研情况"].paragraphs),
        {"h1": "提出建议情况"},
        PLACEHOLDER,
        {"h1": "联系服务选民情况"},
        PLACEHOLDER,
        {"h1": "今后打算"},
        PLACEHOLDER,
    ]
    return body


def _first_person(text: str) -> str:
    """The file speaks of the deputy; the report is the deputy speaking."""
    return text.replace("该代表", "我")
