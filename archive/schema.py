"""Record schemas: JSON Schema written as YAML, with messages in Chinese.

The built-in schemas live in the repository's ``schemas/`` folder (shipped in
the wheel); a workspace may override any of them file by file.  Validation uses
the ``jsonschema`` library and translates each of its errors into one
:class:`~archive.problems.Problem` that names the field and what is expected.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from archive.errors import SchemaError
from archive.source import FieldPath, SourceError, parse_yaml, read_text

RECORD_TYPES: tuple[str, ...] = (
    "meeting",
    "opinion",
    "inspection",
    "deputy_report",
    "deputy",
    "document",
    "letter",
    "suggestion",
    "motion",
    "report",
)
TYPE_LABELS: Mapping[str, str] = {
    "meeting": "会议",
    "opinion": "审议意见",
    "inspection": "执法检查",
    "deputy_report": "代表述职",
    "deputy": "代表",
    "document": "外来文件",
    "letter": "函件",
    "suggestion": "代表建议",
    "motion": "议案",
    "report": "工作报告",
}
# Every name a user may give for a record type (commands' --type, the search query's 类型:), to its type.
TYPE_ALIASES: Mapping[str, str] = {
    **{t: t for t in TYPE_LABELS},
    **{label: t for t, label in TYPE_LABELS.items()},
    "述职": "deputy_report",
    "会议纪要": "meeting",
    "纪要": "meeting",
    "催办函": "letter",
    "建议": "suggestion",
    "议案": "motion",
    "办理情况报告": "report",
}
SCHEMA_FILES: tuple[str, ...] = ("common", *RECORD_TYPES, "config")

DOC_NUMBER = re.compile(r"^(?P<code>[^〔〕\[\]［］()（）\s]+)〔(?P<year>\d{4})〕(?P<seq>[1-9]\d*)号$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LOOSE_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def type_named(value: str) -> str | None:
    """The record type an English name, Chinese label or common alias stands for; None when it names none."""
    return TYPE_ALIASES.get(value.strip())


def unknown_type_message(value: str) -> str:
    allowed = "、".join(f"{t}/{label}" for t, label in TYPE_LABELS.items())
    return f"未知的记录类型“{value}”，可用：{allowed}"


def builtin_dir(name: str) -> Path:
    """Folder of a built-in resource: inside the wheel, or at the checkout root."""
    packaged = Path(__file__).parent / "_builtin" / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / name


def date_problem(text: str) -> str | None:
    """Why ``text`` is not a valid YYYY-MM-DD date, or None when it is."""
    if _DATE.match(text):
        year, month, day = (int(p) for p in text.split("-"))
        if not 1 <= month <= 12:
            return f"应为日期 YYYY-MM-DD，实际为 '{text}'（月份应在 1 至 12 之间）"
        try:
            dt.date(year, month, day)
        except ValueError:
            return f"日期不存在：{year}年{month}月没有{day}日"
        return None
    loose = _LOOSE_DATE.match(text)
    if loose:
        y, m, d = (int(g) for g in loose.groups())
        return f"应为日期 YYYY-MM-DD，实际为 '{text}'（是否应为 {y:04d}-{m:02d}-{d:02d}？）"
    return f"应为日期 YYYY-MM-DD，实际为 '{text}'"


def doc_number_problem(text: str) -> str | None:
    """Why ``text`` is not a GB/T 9704 发文字号 such as 澄人常函〔2024〕7号."""
    if DOC_NUMBER.match(text):
        return None
    base = f"发文字号应写作“代字〔年份〕序号号”，如 澄人常函〔2024〕7号；实际为 '{text}'"
    if re.search(r"[\[\]［］()（）【】{}]", text):
        return base + "（年份应使用六角括号〔〕）"
    year = re.search(r"〔(\d+)〕", text)
    if year and len(year.group(1)) != 4:
        return base + "（年份应写全四位）"
    if "第" in text:
        return base + "（序号前不加“第”）"
    if re.search(r"〕0\d", text):
        return base + "（序号不编虚位，不补零）"
    if not text.endswith("号"):
        return base + "（应以“号”结尾）"
    return base


def _year_month_problem(text: str) -> str | None:
    if re.match(r"^\d{4}-(0[1-9]|1[0-2])$", text):
        return None
    return f"应为年月 YYYY-MM，实际为 '{text}'"


_FORMATS = {"date": date_problem, "doc-number": doc_number_problem, "year-month": _year_month_problem}
_format_checker = FormatChecker(formats=())
for _name, _check in _FORMATS.items():
    _format_checker.checks(_name)(lambda value, _c=_check: not isinstance(value, str) or _c(value) is None)


@dataclass(frozen=True)
class SchemaIssue:
    """A schema violation, before it is tied to a file and a line."""

    path: FieldPath
    message: str
    at_key: bool = True  # report the line of the field itself (False: of its parent)


@dataclass(frozen=True)
class LabelledField:
    """One field of a record with its Chinese label (the schema's ``title``): a value, or nested fields."""

    key: str
    label: str
    text: str | None = None
    children: tuple[LabelledField, ...] = ()


class SchemaSet:
    """The schemas a workspace uses: built-in ones overridden file by file."""

    def __init__(self, override_dir: Path | None = None) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self.sources: dict[str, Path] = {}
        for name in SCHEMA_FILES:
            path = builtin_dir("schemas") / f"{name}.yaml"
            if override_dir is not None and (override_dir / f"{name}.yaml").is_file():
                path = override_dir / f"{name}.yaml"
            self.documents[name] = _load_schema_file(path)
            self.sources[name] = path
        resources = [(f"{name}.yaml", DRAFT202012.create_resource(doc)) for name, doc in self.documents.items()]
        self._registry: Registry = Registry().with_resources(resources)
        self._validators: dict[str, Draft202012Validator] = {}
        self._fast: dict[str, Any] = {}
        self._labels: dict[str, dict[str, Any]] = {}  # field_info of each type, for labelled (read only)

    def validator(self, name: str) -> Draft202012Validator:
        if name not in self._validators:
            schema = self._flatten(self.documents[name], 0)
            schema["$id"] = f"{name}.yaml"
            self._validators[name] = Draft202012Validator(
                schema, registry=self._registry, format_checker=_format_checker
            )
        return self._validators[name]

    def fast_validator(self, name: str) -> Any:
        """jsonschema-rs (Rust) answers "is it valid?" ~60x faster than jsonschema.

        Most records are valid, so only invalid ones pay for the pure-Python
        validator that explains what is wrong.  None when the library is missing.
        """
        if name not in self._fast:
            try:
                import jsonschema_rs
            except ImportError:  # pragma: no cover - it is a declared dependency
                self._fast[name] = None
                return None
            formats = {key: (lambda value, _c=check: _c(value) is None) for key, check in _FORMATS.items()}
            self._fast[name] = jsonschema_rs.Draft202012Validator(
                self._flatten(self.documents[name], 0), formats=formats, validate_formats=True
            )
        return self._fast[name]

    def check(self, name: str, instance: Any) -> list[SchemaIssue]:
        """Every way ``instance`` breaks schema ``name``, translated to Chinese."""
        fast = self.fast_validator(name)
        if fast is not None and fast.is_valid(instance):
            return []
        issues: dict[SchemaIssue, None] = {}  # jsonschema repeats `required` per missing name
        for error in self.validator(name).iter_errors(instance):
            issues.update(dict.fromkeys(self._translate(error)))
        return list(issues)

    def field_info(self, name: str) -> dict[str, Any]:
        """Top-level properties of a type (envelope included), resolved, in schema order."""
        merged = self._properties(self.documents[name])
        return {key: self._resolve(value) for key, value in merged.items()}

    def resolve(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        return self._resolve(schema)

    def labelled(self, name: str, data: Mapping[str, Any]) -> list[LabelledField]:
        """Every field of a record of type ``name``, in schema order, each with its schema title (nested maps
        and lists too; a field the schema does not name keeps its key as label)."""
        if name not in self._labels:  # the web shows every record page with it
            self._labels[name] = self.field_info(name)
        info = self._labels[name]
        keys = [k for k in info if k in data] + [k for k in data if k not in info]
        return [self._labelled(key, data[key], info.get(key, {})) for key in keys]

    def _labelled(self, key: str, value: Any, schema: Mapping[str, Any]) -> LabelledField:
        schema = self._resolve(schema) if schema else {}
        label = str(schema.get("title") or key)
        if isinstance(value, Mapping):
            props = {k: v for k, v in schema.get("properties", {}).items()}
            keys = [k for k in props if k in value] + [k for k in value if k not in props]
            children = tuple(self._labelled(str(k), value[k], props.get(k, {})) for k in keys)
            return LabelledField(key, label, None, children)
        if isinstance(value, list):
            items = schema.get("items", {})
            item_label = str(self._resolve(items).get("title") or label) if isinstance(items, Mapping) else label
            children = tuple(
                replace(self._labelled(str(i), item, items if isinstance(items, Mapping) else {}), label=item_label)
                for i, item in enumerate(value, 1)
            )
            return LabelledField(key, label, None, children)
        if isinstance(value, bool):
            return LabelledField(key, label, "是" if value else "否")
        return LabelledField(key, label, "" if value is None else str(value))

    def _resolve(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """Follow ``$ref`` (sibling keywords win) so titles and properties can be read."""
        out = dict(schema)
        ref = out.pop("$ref", None)
        if ref is None:
            return out
        file_part, _, pointer = ref.partition("#")
        doc = self.documents[(file_part or "common.yaml").removesuffix(".yaml")]
        target: Any = doc
        for token in filter(None, pointer.split("/")):
            target = target[token]
        resolved = self._resolve(target)
        resolved.update(out)
        return resolved

    def _flatten(self, schema: Any, depth: int) -> Any:
        """Inline every ``$ref`` and fold the envelope's ``allOf`` into one object schema.

        The result validates the same instances, but jsonschema no longer resolves
        references or tracks evaluated properties per record: validation runs
        about twice as fast.  Recursive schemas (possible in a workspace
        override) are left with their references.
        """
        if depth > 32:
            raise SchemaError("模式文件中的 $ref 循环引用过深")
        if isinstance(schema, list):
            return [self._flatten(item, depth + 1) for item in schema]
        if not isinstance(schema, dict):
            return schema
        if "$ref" in schema and str(schema["$ref"]).startswith(
            ("#", "common.yaml", *(f"{n}.yaml" for n in SCHEMA_FILES))
        ):
            schema = self._resolve(schema)
        out = {
            key: self._flatten(value, depth + 1) if key not in ("enum", "const", "required") else value
            for key, value in schema.items()
            if key != "$defs"
        }
        parts = out.get("allOf")
        foldable = isinstance(parts, list) and all(
            isinstance(p, dict) and set(p) <= {"type", "properties", "title", "description", "required"} for p in parts
        )
        if foldable and out.get("unevaluatedProperties") is False:
            props: dict[str, Any] = {}
            required: list[str] = []
            for part in parts or ():
                props.update(part.get("properties", {}))
                required.extend(part.get("required", []))
            props.update(out.get("properties", {}))
            out["properties"] = props
            out["required"] = list(dict.fromkeys([*required, *out.get("required", [])]))
            del out["allOf"]
            del out["unevaluatedProperties"]
            out["additionalProperties"] = False
        return out

    def _properties(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        props: dict[str, Any] = {}
        for part in schema.get("allOf", []):
            props.update(self._properties(self._resolve(part)))
        props.update(schema.get("properties", {}))
        return props

    def _known_properties(self, schema: Mapping[str, Any]) -> list[str]:
        return list(self._properties(schema))

    def _translate(self, error: jsonschema.ValidationError) -> Iterator[SchemaIssue]:
        path: FieldPath = tuple(error.absolute_path)
        kind = str(error.validator)
        schema = error.schema if isinstance(error.schema, Mapping) else {}
        value = error.instance
        if kind in ("additionalProperties", "unevaluatedProperties"):
            known = self._known_properties(self._resolve(schema))
            extra = [key for key in value if key not in known] if isinstance(value, dict) else []
            for key in extra:
                guess = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                hint = f"；是否应为“{guess[0]}”？" if guess else f"；可用的字段：{'、'.join(known)}"
                yield SchemaIssue((*path, key), f"未知字段“{key}”{hint}")
            return
        if kind == "required":
            rule: Any = error.validator_value
            missing = [name for name in rule if isinstance(value, dict) and name not in value]
            props = self._properties(self._resolve(schema))
            for name in missing:
                title = self._resolve(props.get(name, {})).get("title")
                label = f"（{title}）" if title else ""
                yield SchemaIssue((*path, name), f"缺少必填字段“{name}”{label}", at_key=False)
            return
        if kind in ("anyOf", "oneOf"):
            yield from self._translate_alternatives(error, path)
            return
        yield SchemaIssue(path, self._message(kind, error, schema, value))

    def _translate_alternatives(self, error: jsonschema.ValidationError, path: FieldPath) -> Iterator[SchemaIssue]:
        # Prefer the branch whose type matches what the clerk wrote: its errors are specific.
        branches = error.schema.get(str(error.validator), []) if isinstance(error.schema, dict) else []
        wanted = _json_type(error.instance)
        matching = [i for i, b in enumerate(branches) if self._resolve(b).get("type") == wanted]
        if len(matching) == 1:
            sub = [e for e in (error.context or []) if e.schema_path and e.schema_path[0] == matching[0]]
            if sub:
                for inner in sub:
                    yield from self._translate(inner)
                return
        parent = error.schema if isinstance(error.schema, Mapping) else {}
        expected = self._resolve(parent).get("x-expected", "符合要求的值")
        yield SchemaIssue(path, f"应为{expected}，实际为{_describe(error.instance)}")

    def _message(self, kind: str, error: jsonschema.ValidationError, schema: Mapping[str, Any], value: Any) -> str:
        rule: Any = error.validator_value
        expected = self._resolve(schema).get("x-expected")
        if kind == "type":
            types = rule if isinstance(rule, list) else [rule]
            names = "或".join(_TYPE_NAMES.get(str(t), str(t)) for t in types)
            return f"应为{names}，实际为{_describe(value)}"
        if kind == "format" and isinstance(value, str):
            problem = _FORMATS[rule](value)
            return problem or f"格式不正确：'{value}'"
        if kind == "enum":
            options = "、".join(str(o) for o in rule)
            return f"应为以下之一：{options}；实际为{_describe(value)}"
        if kind == "const":
            return f"应为 '{rule}'，实际为{_describe(value)}"
        if kind == "pattern":
            return f"应为{expected or '符合格式的文字'}，实际为 '{value}'"
        bound = _BOUND_MESSAGES.get(kind)
        return bound(rule, value) if bound else f"不符合要求（{kind}）"


# keyword → message from the keyword's value (the rule) and the instance
_BOUND_MESSAGES: dict[str, Callable[[Any, Any], str]] = {
    "minLength": lambda rule, _: "不能为空" if rule <= 1 else f"至少应有 {rule} 个字",
    "maxLength": lambda rule, value: f"不能超过 {rule} 个字（实际 {len(value)} 个字）",
    "minimum": lambda rule, value: f"应不小于 {rule}，实际为 {value}",
    "maximum": lambda rule, value: f"应不大于 {rule}，实际为 {value}",
    "minItems": lambda rule, _: "不能为空列表" if rule <= 1 else f"至少应有 {rule} 项",
    "maxItems": lambda rule, _: f"最多 {rule} 项",
    "uniqueItems": lambda _rule, _value: "列表中有重复项",
    "minProperties": lambda rule, _: "不能为空" if rule <= 1 else f"至少应有 {rule} 个字段",
    "maxProperties": lambda rule, _: f"最多只能有 {rule} 个字段",
    "propertyNames": lambda _, value: f"键名 '{value}' 不符合要求",
}


_TYPE_NAMES = {
    "string": "文字",
    "integer": "整数",
    "number": "数字",
    "boolean": "是/否（true 或 false）",
    "array": "列表",
    "object": "映射（“字段: 值”）",
    "null": "空值",
}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _describe(value: Any) -> str:
    if value is None:
        return "空值"
    kind = _TYPE_NAMES[_json_type(value)].split("（")[0]
    if isinstance(value, (dict, list)):
        return kind
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if len(text) > 40:
        text = text[:40] + "…"
    return f"{kind} '{text}'"


def _load_schema_file(path: Path) -> dict[str, Any]:
    where = path.as_posix()
    try:
        doc = parse_yaml(read_text(path)).data
    except SourceError as exc:
        raise SchemaError(f"{where}:{exc.line}: 模式文件无法读取：{exc.message}") from None
    if not isinstance(doc, dict):
        raise SchemaError(f"{where}: 模式文件应为映射")
    import jsonschema_rs  # imported when needed, as above: `renda --help` stays quick

    if jsonschema_rs.meta.is_valid(doc):  # the Rust check is ~200× faster; every command loads the schemas
        return doc
    try:  # the Python check says what is wrong
        Draft202012Validator.check_schema(doc)
    except jsonschema.SchemaError as exc:
        field = "/".join(str(p) for p in exc.absolute_path)
        raise SchemaError(f"{where}: 模式文件不是有效的 JSON Schema（{field}）：{exc.message}") from None
    return doc
