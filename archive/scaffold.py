"""`renda init` and `renda new`: new workspaces and record skeletons.

Skeletons are generated from the schemas, so a clerk sees every required
field with its Chinese title and description as a comment, and the optional
fields listed below them.  Nothing is ever overwritten.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from archive.catalog import PLACEHOLDER, Catalog
from archive.errors import ScaffoldError
from archive.fileio import write_new
from archive.records import AgendaItem, Meeting, Record, organ_kind_of, report_subject
from archive.schema import DOC_NUMBER, RECORD_TYPES, TYPE_LABELS, SchemaSet, builtin_dir
from archive.walker import linked_folder
from archive.workspace import Config, Workspace

ID_PREFIX = {
    "meeting": "meeting",
    "opinion": "opinion",
    "inspection": "inspection",
    "deputy_report": "report",
    "document": "document",
    "letter": "letter",
    "suggestion": "suggestion",
    "motion": "motion",
    "report": "workreport",  # "report-" names the deputies' 述职 records
}
ID_DIGITS = {"suggestion": 3}  # a district receives a few hundred a year


@dataclass(frozen=True)
class NewRecord:
    """What `renda new` wrote."""

    path: Path
    id: str
    doc_number: str | None

    def to_json(self, workspace: Workspace) -> dict[str, str | None]:
        """The record written, as the JSON outputs name it: id, 发文字号 and its file in the workspace."""
        return {"id": self.id, "doc_number": self.doc_number, "source": workspace.relative(self.path)}


def init_workspace(target: Path) -> list[Path]:
    """Copy the starter workspace into ``target``; refuse if any file would be overwritten."""
    starter = builtin_dir("templates") / "workspace"
    files = sorted(p for p in starter.rglob("*") if p.is_file())
    clashes = [target / p.relative_to(starter) for p in files if (target / p.relative_to(starter)).exists()]
    if clashes:
        names = "、".join(str(c) for c in clashes[:5])
        raise ScaffoldError(f"以下文件已存在，未做任何改动：{names}")
    written = []
    for source in files:
        dest = target / source.relative_to(starter)
        write_new(dest, source.read_bytes(), ScaffoldError)
        written.append(dest)
    return written


def next_doc_number(numbers: Iterable[str], code: str, year: int) -> str:
    """The first free 发文字号 of ``code`` in ``year``: one past the highest in use."""
    highest = 0
    for number in numbers:
        match = DOC_NUMBER.match(number)
        if match and match.group("code") == code and int(match.group("year")) == year:
            highest = max(highest, int(match.group("seq")))
    return f"{code}〔{year}〕{highest + 1}号"


def _next_id(type_: str, year: int, taken: set[str]) -> str:
    if type_ == "deputy":
        numbers = [int(m.group(1)) for r in taken if (m := re.fullmatch(r"d(\d+)", r))]
        return f"d{max(numbers, default=0) + 1:03d}"
    prefix = f"{ID_PREFIX[type_]}-{year}-"
    numbers = [int(r[len(prefix) :]) for r in taken if r.startswith(prefix) and r[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:0{ID_DIGITS.get(type_, 2)}d}"


HEARD_ACTIONS = ("听取和审议", "审议")


def heard_report(meeting: Meeting, item: int | None) -> tuple[AgendaItem, str]:
    """The agenda item (and its organ kind) an opinion of ``meeting`` is about: item ``item`` (1-based), or
    the only report of 一府一委两院 the sitting deliberated (听取和审议 or 审议)."""

    def line(i: int, a: AgendaItem) -> str:
        named = a.item if not a.reporter or a.item.startswith(a.reporter) else a.reporter + a.item
        return f"{i}. {a.action}{named}"

    listed = "；".join(line(i, a) for i, a in enumerate(meeting.agenda, 1)) or "（议程为空）"
    if item is not None:
        if not 1 <= item <= len(meeting.agenda):
            raise ScaffoldError(f"会议“{meeting.id}”的议程只有 {len(meeting.agenda)} 项，没有第 {item} 项：{listed}")
        chosen = meeting.agenda[item - 1]
        kind = chosen.reporter_kind or organ_kind_of(chosen.reporter or "")
        if kind is None or not chosen.reporter:
            raise ScaffoldError(
                f"会议“{meeting.id}”议程第 {item} 项“{chosen.item}”不是一府一委两院的报告"
                "（议程中没有填写 reporter 报告机关），不能据此生成审议意见"
            )
        return chosen, kind
    candidates = [
        (i, a, a.reporter_kind or organ_kind_of(a.reporter or ""))
        for i, a in enumerate(meeting.agenda, 1)
        if a.action in HEARD_ACTIONS and a.reporter
    ]
    candidates = [c for c in candidates if c[2]]
    if len(candidates) == 1:
        _, chosen, kind = candidates[0]
        return chosen, str(kind)
    if not candidates:
        raise ScaffoldError(f"会议“{meeting.id}”的议程中没有审议一府一委两院报告的事项，请用 --item 指定：{listed}")
    options = "；".join(line(i, a) for i, a, _ in candidates)
    raise ScaffoldError(f"会议“{meeting.id}”审议了 {len(candidates)} 份报告，请用 --item 指定是哪一项：{options}")


def opinion_values(meeting: Meeting, item: int | None, config: Config) -> dict[str, Any]:
    """What an opinion takes from the sitting's agenda: meeting, report, addressee and title."""
    chosen, kind = heard_report(meeting, item)
    organ = str(chosen.reporter)
    return {
        "meeting": meeting.id,
        "report": {"title": chosen.item, "organ": organ, "organ_kind": kind},
        "addressee": organ,
        "title": f"{config.organ_short_name}关于{report_subject(chosen.item, organ)}的审议意见",
    }


def new_record(
    workspace: Workspace,
    type_: str,
    day: dt.date | None,
    record_id: str | None = None,
    meeting: str | None = None,
    item: int | None = None,
) -> NewRecord:
    """Write a skeleton of ``type_`` dated ``day`` (default today) into ``records/``; never overwrites.

    An opinion given the ``meeting`` that heard the report takes its report, organ, addressee, title and
    (without ``day``) date from that sitting's agenda.
    """
    from archive.catalog import load_catalog

    _check_new_options(type_, meeting, item)
    catalog = load_catalog(workspace)
    from_meeting: dict[str, Any] = {}
    if meeting is not None:
        heard = _meeting(catalog, meeting)
        from_meeting = opinion_values(heard, item, workspace.config)
        day = day or heard.date
    day = day or dt.date.today()
    values = skeleton_values(catalog, type_, day, record_id, from_meeting)
    rid, doc_number = values["id"], values["doc_number"]
    text = render_skeleton(workspace.schemas, type_, values)
    path = workspace.records_dir / record_folder(type_, day) / f"{rid}.yaml"
    link = linked_folder(workspace.root, path)
    if link:
        raise ScaffoldError(f"{link} 是符号链接，renda 不会把新记录写到链接指向的位置；请先运行 renda validate")
    write_new(path, text.encode("utf-8"), ScaffoldError)
    return NewRecord(path, rid, doc_number)


def skeleton_values(
    catalog: Catalog, type_: str, day: dt.date, record_id: str | None = None, given: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The values `renda new` fills in a new record of ``type_`` dated ``day``: the next free id (or ``record_id``,
    checked), the term, the next free 发文字号 of its series, status draft, the next sitting or number, and
    ``given`` (what an opinion takes from its sitting)."""
    config = catalog.workspace.config
    records = catalog.records
    taken = taken_ids(catalog)
    rid = record_id or _next_id(type_, day.year, taken)
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rid):
        raise ScaffoldError(f"编号“{rid}”无效：只能使用小写字母、数字和连字符")
    if rid in taken:
        raise ScaffoldError(f"编号“{rid}”已被使用")
    term = config.term_of(day)
    if term is None and type_ != "deputy":
        raise ScaffoldError(f"日期 {day.isoformat()} 不在 renda.yaml 届次表的任何一届内；请先补充届次表")
    code = doc_code(config, type_)
    doc_number = next_doc_number(numbers_in_use(catalog), code, day.year) if code and type_ != "deputy" else None
    values: dict[str, Any] = {
        "id": rid,
        "type": type_,
        "term": term.number if term else None,
        "date": day.isoformat(),
        "classification": "公开",
        "status": "draft",
        "doc_number": doc_number,
        **(given or {}),
    }
    values.update(_next_numbers(records, type_, day, values["term"]))
    if type_ == "deputy" and term:
        values["terms"] = [{"term": term.number, "constituency": PLACEHOLDER}]
    return values


def record_folder(type_: str, day: dt.date) -> str:
    """The folder under records/ a new record of ``type_`` dated ``day`` is written in."""
    return "deputies" if type_ == "deputy" else str(day.year)


def taken_ids(catalog: Catalog) -> set[str]:
    """Every id in use: the records' and the names of all record files (even those that do not validate)."""
    return {f.source.rsplit("/", 1)[-1].rsplit(".", 1)[0] for f in catalog.files} | {r.id for r in catalog.records}


def _check_new_options(type_: str, meeting: str | None, item: int | None) -> None:
    if type_ not in RECORD_TYPES:
        raise ScaffoldError(f"未知的记录类型“{type_}”，应为：{'、'.join(RECORD_TYPES)}")
    if (meeting is not None or item is not None) and type_ != "opinion":
        raise ScaffoldError("--meeting 和 --item 只用于新建审议意见（opinion）")
    if item is not None and meeting is None:
        raise ScaffoldError("--item 要和 --meeting 一起使用：指定的是该次会议议程的第几项")


def _meeting(catalog: Catalog, meeting: str) -> Meeting:
    """The sitting ``meeting`` names, or an error with the closest id."""
    heard = catalog.by_id().get(meeting)
    if not isinstance(heard, Meeting):
        known = [r.id for r in catalog.records if isinstance(r, Meeting)]
        guess = difflib.get_close_matches(meeting, known, n=1, cutoff=0.6)
        hint = f"；是否应为“{guess[0]}”？" if guess else ""
        raise ScaffoldError(f"找不到会议记录“{meeting}”{hint}")
    return heard


def _next_numbers(records: Sequence[Record], type_: str, day: dt.date, term: int | None) -> dict[str, int]:
    """A new sitting's number in its term, or a new suggestion's or motion's number in its year."""
    values: dict[str, int] = {}
    if type_ == "meeting":
        values["sitting"] = 1 + max(
            (r.sitting for r in records if isinstance(r, Meeting) and r.term == term and r.kind == "常委会会议"),
            default=0,
        )
    if type_ in ("suggestion", "motion"):
        values["number"] = 1 + max(
            (
                n
                for r in records
                if r.type == type_ and r.year == day.year and isinstance(n := r.data.get("number"), int)
            ),
            default=0,
        )
    return values


def doc_code(config: Config, type_: str) -> str | None:
    """The 代字 of a type's 发文字号 series; the office's letters share the opinions' series unless renda.yaml
    gives them their own."""
    code = config.doc_codes.get(type_)
    if code is None and type_ == "letter":
        code = config.doc_codes.get("opinion")
    return code


def numbers_in_use(catalog: Catalog) -> list[str]:
    """Every 发文字号 written in any file, even in a record that does not validate yet."""
    return [
        str(f.document.data.get("doc_number"))
        for f in catalog.files
        if f.document is not None and isinstance(f.document.data, dict) and f.document.data.get("doc_number")
    ]


def add_record(workspace: Workspace, type_: str, day: dt.date, fields: Mapping[str, Any]) -> NewRecord:
    """Write a complete record of ``type_`` (made by renda itself, e.g. a 催办函) with the next free id and the
    next free 发文字号 of its series; never overwrites."""
    from archive.catalog import load_catalog

    catalog = load_catalog(workspace)
    rid = _next_id(type_, day.year, taken_ids(catalog))
    term = workspace.config.term_of(day)
    if term is None:
        raise ScaffoldError(f"日期 {day.isoformat()} 不在 renda.yaml 届次表的任何一届内；请先补充届次表")
    code = doc_code(workspace.config, type_)
    doc_number = next_doc_number(numbers_in_use(catalog), code, day.year) if code else None
    data: dict[str, Any] = {"id": rid, "type": type_, "term": term.number, "date": day}
    for key, value in fields.items():
        data[key] = value
        if key == "title" and doc_number:
            data["doc_number"] = doc_number
    header = f"# {TYPE_LABELS[type_]}：由 renda 生成；修改后可用 renda render {rid} 重新生成公文。\n"
    text = header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100000)
    path = workspace.records_dir / str(day.year) / f"{rid}.yaml"
    write_new(path, text.encode("utf-8"), ScaffoldError)
    return NewRecord(path, rid, doc_number)


def render_skeleton(schemas: SchemaSet, type_: str, values: Mapping[str, Any]) -> str:
    """YAML text for a new record: required fields filled, optional ones as comments."""
    schema = schemas.resolve(schemas.documents[type_])
    fields = schemas.field_info(type_)
    required = _skeleton_fields(schemas, type_)
    finish = "" if type_ == "deputy" else "；定稿后把 status 改为 final"
    lines = [
        f"# {TYPE_LABELS[type_]}：{schema.get('description', '')}",
        f"# 由 renda new 生成。“（待填写）”处请替换为实际内容{finish}。",
        "",
    ]
    for name in required:
        lines.extend(_field_lines(schemas, name, fields[name], values.get(name), 0))
    optional = [name for name in fields if name not in required]
    if values.get("doc_number") and "doc_number" in optional:
        lines.extend(_field_lines(schemas, "doc_number", fields["doc_number"], values["doc_number"], 0))
        optional.remove("doc_number")
    if optional:
        lines += ["", "# 可选字段（需要时去掉行首的 # 并填写）："]
        for name in optional:
            info = fields[name]
            lines.append(f"# {name}:  # {info.get('title', '')}：{info.get('description', '')}")
    return "\n".join(lines) + "\n"


def _skeleton_fields(schemas: SchemaSet, type_: str) -> list[str]:
    """The fields a new record of ``type_`` is written with, in the order `renda new` writes them."""
    schema = schemas.resolve(schemas.documents[type_])
    required = list(schema.get("required", []))
    # fields a new record is written with although a record may do without them (x-skeleton)
    required += [name for name in schema.get("x-skeleton", []) if name not in required]
    return _ordered(required, schemas.field_info(type_))


def field_order(schemas: SchemaSet, type_: str) -> list[str]:
    """Every top-level field of ``type_`` in the order `renda new` writes them: the skeleton's fields, the
    发文字号, then the optional fields in schema order."""
    head = _skeleton_fields(schemas, type_)
    rest = [name for name in schemas.field_info(type_) if name not in head]
    if "doc_number" in rest:
        rest.remove("doc_number")
        head.append("doc_number")
    return head + rest


def _ordered(names: list[str], fields: Mapping[str, Any]) -> list[str]:
    envelope = ["id", "type", "term", "date", "title", "doc_number", "classification", "status"]
    head = [n for n in envelope if n in names]
    return head + [n for n in fields if n in names and n not in head]


def _comment(info: Mapping[str, Any]) -> str:
    title = info.get("title", "")
    desc = info.get("description", "")
    return f"  # {title}：{desc}" if desc else (f"  # {title}" if title else "")


def _field_lines(schemas: SchemaSet, name: str, info: Mapping[str, Any], value: Any, depth: int) -> list[str]:
    pad = "  " * depth
    info = schemas.resolve(info)
    if value is not None and not isinstance(value, (dict, list)):
        return [f"{pad}{name}: {_scalar(value)}{_comment(info)}"]
    given: dict[str, Any] = value if isinstance(value, dict) else {}
    if isinstance(value, list) and value and isinstance(value[0], dict):
        given = value[0]
    kind = info.get("type")
    if "const" in info:
        return [f"{pad}{name}: {info['const']}{_comment(info)}"]
    if kind == "object":
        out = [f"{pad}{name}:{_comment(info)}"]
        props = info.get("properties", {})
        for sub in info.get("required", []):
            out.extend(_field_lines(schemas, sub, props.get(sub, {}), given.get(sub), depth + 1))
        return out
    if kind == "array":
        items = schemas.resolve(info.get("items", {}))
        out = [f"{pad}{name}:{_comment(info)}"]
        if items.get("type") == "object":
            props = items.get("properties", {})
            first = True
            for sub in items.get("required", []):
                lines = _field_lines(schemas, sub, props.get(sub, {}), given.get(sub), depth + 2)
                if first:
                    lines[0] = f"{pad}  - " + lines[0].lstrip()
                    first = False
                out.extend(lines)
        else:
            out.append(f"{pad}  - {_scalar(_example(items))}")
        return out
    return [f"{pad}{name}: {_scalar(_example(info))}{_comment(info)}"]


def _example(info: Mapping[str, Any]) -> Any:
    if "enum" in info:
        return info["enum"][0]
    if info.get("type") == "integer":
        return info.get("minimum", 0)
    if info.get("type") == "boolean":
        return False
    if info.get("format") == "date":
        return dt.date.today().isoformat()
    return PLACEHOLDER


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) or re.fullmatch(r"[\w\u4e00-\u9fff（）〔〕-]+", text):
        return text
    # A JSON string is a YAML double-quoted scalar, except that YAML reads U+0085, U+2028 and U+2029 as line
    # breaks (and folds them): those, and the other C1 controls, are written as escapes.
    return re.sub("[\x7f-\x9f\u2028\u2029]", lambda m: f"\\u{ord(m[0]):04x}", json.dumps(text, ensure_ascii=False))
