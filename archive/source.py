"""Safe reading of YAML record files, keeping the line of every field.

PyYAML composes the file into a node tree (no Python objects are built, so
tags cannot execute anything and aliases are not yet expanded); this module
then builds plain values from the nodes itself.  That lets it refuse explicit
tags and duplicate keys, bound alias expansion, keep dates as the text the
clerk typed (so ``2024-02-30`` becomes a validation message, not a crash) and
remember the line of every value for compiler-style messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml
import yaml.constructor
import yaml.reader

from archive.errors import RecordError

try:  # libyaml is ~10x faster; the pure-Python composer is the fallback.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

FieldPath = tuple[str | int, ...]

MAX_RECORD_BYTES = 2 * 1024 * 1024
MAX_NODES = 100_000
MAX_DEPTH = 64

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_constructor = yaml.constructor.SafeConstructor()


class SourceError(RecordError):
    """A record file that cannot be turned into data; knows where it went wrong."""

    def __init__(self, message: str, line: int = 0, field_path: FieldPath = ()) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.field_path = field_path


@dataclass(frozen=True)
class YamlDocument:
    """Plain data (dicts, lists, str, int, float, bool, None) plus where each value sits."""

    data: Any
    lines: Mapping[FieldPath, int] = field(default_factory=dict)

    def line_of(self, path: FieldPath) -> int:
        """Line of ``path``, or of its nearest ancestor that has one."""
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get((), 1)


def format_field(path: FieldPath) -> str:
    """``("attendance", "leave", 2, "reason")`` → ``attendance.leave[2].reason``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def read_text(path: Path, max_bytes: int = MAX_RECORD_BYTES) -> str:
    """Read a record file as UTF-8 text, refusing oversized, BOM-marked and non-UTF-8 files."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SourceError(f"无法读取文件：{exc.strerror or exc}") from None
    if size > max_bytes:
        raise SourceError(
            f"文件过大（{size / 1024 / 1024:.1f} MB），单个记录文件不得超过 "
            f"{max_bytes / 1024 / 1024:.0f} MB；请检查是否放错了文件"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"无法读取文件：{exc.strerror or exc}") from None
    return decode_text(raw)


def decode_text(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raise SourceError("文件开头带有 BOM（字节顺序标记）；请在编辑器中另存为“UTF-8（无 BOM）”", 1)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError("文件是 UTF-16 编码；请另存为“UTF-8（无 BOM）”", 1)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        hint = "，可能是 GBK/GB18030 编码" if _looks_like_gbk(raw) else ""
        raise SourceError(f"文件不是 UTF-8 编码{hint}；请另存为“UTF-8（无 BOM）”", line) from None


def _looks_like_gbk(raw: bytes) -> bool:
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True


def parse_yaml(text: str) -> YamlDocument:
    """Parse one YAML document into plain data and a line map.  Pure: no I/O."""
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise SourceError("文件为空，没有任何字段", 1)
    if text.count("[") + text.count("{") > 5000:
        _refuse_deep_nesting(text)
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc) from None
    except yaml.reader.ReaderError as exc:
        # libyaml reads the UTF-8 encoding of the text: its position counts bytes.
        line = text.encode("utf-8")[: exc.position].count(b"\n") + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise SourceError(f"含有控制字符 U+{char:04X}，YAML 不允许直接出现；请删除该字符", line) from None
    except yaml.YAMLError as exc:
        raise SourceError(f"YAML 语法错误：{exc}", 1) from None
    except RecursionError:
        raise SourceError("嵌套层次过深，无法读取", 1) from None
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        raise SourceError("文件为空，没有任何字段", 1)
    if len(nodes) > 1:
        raise SourceError("一个文件只能包含一条记录（发现多个以 --- 分隔的文档）", nodes[1].start_mark.line + 1)
    _refuse_alias_bomb(nodes[0])
    builder = _Builder()
    data = builder.build(nodes[0], (), 0)
    return YamlDocument(data, builder.lines)


def _expanded_size(node: yaml.Node, memo: dict[int, int], depth: int = 0) -> int:
    """How many values the tree has once aliases are expanded, without expanding them.

    Aliases share node objects, so memoising by identity makes this linear in
    the file's size even for a "billion laughs" document.
    """
    key = id(node)
    if key in memo:
        return memo[key]
    if depth > MAX_DEPTH:
        raise SourceError("嵌套层次过深，无法读取", node.start_mark.line + 1)
    memo[key] = 1  # provisional, guards against self-reference
    if isinstance(node, yaml.MappingNode):
        total = 1 + sum(_expanded_size(v, memo, depth + 1) + 1 for _, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        total = 1 + sum(_expanded_size(v, memo, depth + 1) for v in node.value)
    else:
        total = 1
    memo[key] = total
    return total


def _refuse_alias_bomb(root: yaml.Node) -> None:
    """Refuse a document whose aliases expand past MAX_NODES, naming the field that does it."""
    memo: dict[int, int] = {}
    size = _expanded_size(root, memo)
    if size <= MAX_NODES:
        return
    line, path = root.start_mark.line + 1, cast(FieldPath, ())
    if isinstance(root, yaml.MappingNode):  # blame the biggest top-level field
        key_node, _ = max(root.value, key=lambda kv: memo.get(id(kv[1]), 1))
        line, path = key_node.start_mark.line + 1, (key_node.value,)
    raise SourceError(f"展开后有 {size} 个值，超过上限 {MAX_NODES}（可能是恶意的“别名炸弹”），已拒绝读取", line, path)


def _refuse_deep_nesting(text: str) -> None:
    """libyaml's composer recurses in C and crashes past ~20,000 levels: look first."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else 1
                    raise SourceError("嵌套层次过深，无法读取", line)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc) from None


class _Builder:
    """Plain values from a node tree whose expanded size _refuse_alias_bomb has already bounded.

    Depth is checked here, not only there: aliases nested in aliases reach depths the written
    file does not show.
    """

    def __init__(self) -> None:
        self.lines: dict[FieldPath, int] = {}

    def build(self, node: yaml.Node, path: FieldPath, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise SourceError("嵌套层次过深，无法读取", node.start_mark.line + 1, path)
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            if node.tag != _TAG + "map":
                raise self._tag_error(node, path)
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _TAG + "seq":
                raise self._tag_error(node, path)
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: FieldPath, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == _TAG + "merge":
                raise SourceError("不支持 YAML 合并键“<<”；请把字段直接写出", line, path)
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SCALAR_TAGS:
                raise SourceError("字段名必须是简单文本", line, path)
            key = key_node.value
            if key in out:
                first = self.lines.get((*path, key), 0)
                raise SourceError(f"字段“{key}”重复出现（第一次在第 {first} 行）", line, (*path, key))
            self.lines[(*path, key)] = line
            out[key] = self.build(value_node, (*path, key), depth + 1)
        return out

    def _scalar(self, node: yaml.ScalarNode, path: FieldPath) -> Any:
        tag = node.tag
        if tag not in _SCALAR_TAGS:
            raise self._tag_error(node, path)
        text = node.value
        if tag == _TAG + "str" or tag == _TAG + "timestamp":
            # Dates stay as typed; the schema checks them (and says so in Chinese).
            bad = _BAD_CHARS.search(text)
            if bad:
                offset = text.count("\n", 0, bad.start())
                raise SourceError(
                    f"含有控制字符 U+{ord(bad.group()):04X}，公文中无法显示；请删除该字符",
                    node.start_mark.line + 1 + (offset if node.style in ("|", ">") else 0),
                    path,
                )
            return text
        if ":" in text and tag in (_TAG + "int", _TAG + "float"):
            # YAML 1.1 reads 9:30 as the base-60 number 570; nobody means that.
            return text
        if tag == _TAG + "int":
            return _constructor.construct_yaml_int(node)
        if tag == _TAG + "float":
            return _constructor.construct_yaml_float(node)
        if tag == _TAG + "bool":
            return _constructor.construct_yaml_bool(node)
        return None

    @staticmethod
    def _tag_error(node: yaml.Node, path: FieldPath) -> SourceError:
        tag = node.tag.replace(_TAG, "!!")
        return SourceError(
            f"不允许使用 YAML 标签“{tag}”；记录只能包含文本、数字、日期、列表和映射",
            node.start_mark.line + 1,
            path,
        )


_SYNTAX_HINTS: tuple[tuple[str, str], ...] = (
    ("mapping values are not allowed", "此处不能出现“键: 值”；如果文字中含有英文冒号，请给整段文字加引号"),
    ("could not find expected ':'", "缺少英文冒号“:”；每个字段应写成“字段名: 值”"),
    ("cannot start any token", "不能以该字符开头（制表符不能用于缩进，请改用空格；@ 和 ` 开头的文字请加引号）"),
    ("found undefined alias", "引用了未定义的锚点（*名称）"),
    ("special characters are not allowed", "含有不允许的控制字符"),
    ("unacceptable character", "含有不允许的控制字符"),
    ("did not find expected key", "缩进不一致，或列表项与字段混在同一层"),
    ("did not find expected '-' indicator", "缩进不一致：列表项应以“- ”开头且对齐"),
    ("expected <block end>", "缩进不一致"),
    ("found unexpected end of stream", "引号或括号没有闭合，文件意外结束"),
    ("found duplicate anchor", "锚点名称重复"),
    ("exceeded maximum nesting depth", "嵌套层次过深，无法读取"),
    ("did not find expected node content", "缺少值"),
    ("did not find expected ',' or ']'", "方括号列表没有正确闭合"),
    ("did not find expected ',' or '}'", "花括号映射没有正确闭合"),
    ("invalid Unicode character escape", "双引号文字中有无效的 Unicode 转义（\\u 或 \\U 后的编码无效）"),
    ("found unknown escape character", "双引号文字中有无效的反斜杠转义；如需反斜杠请写成 \\\\ 或改用单引号"),
)


_OPENED_AT = ("while parsing a flow", "while scanning a quoted scalar", "while scanning a double-quoted")


def _syntax_error(exc: yaml.MarkedYAMLError) -> SourceError:
    mark = exc.problem_mark or exc.context_mark
    context = exc.context or ""
    if exc.context_mark is not None and context.startswith(_OPENED_AT):
        # An unclosed bracket or quote: point at where it was opened, which the clerk can fix.
        mark = exc.context_mark
    line = mark.line + 1 if mark else 1
    column = mark.column + 1 if mark else 0
    problem = f"{context} {exc.problem or ''}"
    for needle, hint in _SYNTAX_HINTS:
        if needle in problem:
            text = hint
            break
    else:
        text = (exc.problem or "无法解析").strip()
    where = f"（第 {column} 列）" if column else ""
    return SourceError(f"YAML 语法错误{where}：{text}", line)
