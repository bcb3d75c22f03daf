"""Round-trip editing of record YAML: the text changed as little as possible so that it holds new data.

The file is composed with PyYAML (nodes carry start and end marks, no Python objects are built) and each change
is spliced into the original text: untouched keys keep their bytes (comments, order, quoting, blank lines), a
changed scalar replaces only its span, added keys go at the end of their mapping, removed keys take their lines
and the comment lines directly above them.  The result is always parsed back (:func:`archive.source.parse_yaml`)
and must give exactly the new data; a top-level field whose surgical edit does not is re-emitted whole in the
house style (never the whole file).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from archive.drafting.errors import DraftingError
from archive.scaffold import field_order
from archive.schema import SchemaSet
from archive.source import FieldPath, SourceError, format_field, parse_yaml

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_C1_ESCAPES = re.compile("[\x7f-\x9f\u2028\u2029\u0085]")
INDENT = 2

try:  # libyaml composes ~10x faster, with the same marks (character offsets)
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@dataclass(frozen=True)
class _Splice:
    start: int
    end: int
    text: str
    column: int = 0  # of what an insertion adds: at one place, the deeper field or item goes first


def control_problems(data: Any, path: FieldPath = ()) -> list[tuple[FieldPath, str]]:
    """Every text value (or key) holding a control character: (path, Chinese message)."""
    found: list[tuple[FieldPath, str]] = []
    if isinstance(data, str):
        bad = _CONTROL.search(data)
        if bad:
            found.append((path, f"含有控制字符 U+{ord(bad.group()):04X}，公文中无法显示；请删除该字符"))
    elif isinstance(data, Mapping):
        for key, value in data.items():
            found.extend(control_problems(key, (*path, key)) if isinstance(key, str) else [])
            found.extend(control_problems(value, (*path, key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found.extend(control_problems(value, (*path, i)))
    return found


def refuse_control_characters(data: Any) -> None:
    problems = control_problems(data)
    if problems:
        path, message = problems[0]
        raise DraftingError(f"{format_field(path) or '记录'}: {message}")


def same(a: Any, b: Any) -> bool:
    """Equal as data, types included (``True`` is not ``1``, ``1.0`` is not ``1``)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def plain_data(data: Any) -> Any:
    """``data`` as plain dicts, lists and scalars (a Mapping becomes a dict, a tuple a list)."""
    if isinstance(data, Mapping):
        return {str(k): plain_data(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [plain_data(v) for v in data]
    return data


# -- scalars -----------------------------------------------------------------------------------------------


def _reads_back(snippet: str, value: Any) -> bool:
    try:
        return same(parse_yaml(snippet).data, {"k": value})
    except SourceError:
        return False


def double_quoted(text: str) -> str:
    """A JSON string is a YAML double-quoted scalar, except that YAML reads U+0085, U+2028 and U+2029 as line
    breaks: those (and the other C1 controls) are escaped."""
    return _C1_ESCAPES.sub(lambda m: f"\\u{ord(m[0]):04x}", json.dumps(text, ensure_ascii=False))


def single_quoted(text: str) -> str | None:
    if "\n" in text or "\r" in text:
        return None
    return "'" + text.replace("'", "''") + "'"


def plain_scalar(value: Any, flow: bool = False) -> str | None:
    """``value`` written plain, if that reads back as exactly ``value`` (in a flow collection when ``flow``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = yaml.safe_dump(value, default_flow_style=True).split("\n", 1)[0]
        return text if _reads_back(f"k: {text}\n", value) else None
    if not isinstance(value, str) or not value or value != value.strip() or "\n" in value or "\r" in value:
        return None
    snippet = f"k: [{value}]\n" if flow else f"k: {value}\n"
    return value if _reads_back(snippet, [value] if flow else value) else None


def scalar_text(value: Any, style: str | None = None, flow: bool = False) -> str:
    """One-line text of a scalar: in ``style`` (``'`` or ``"``) when the value can be written in it, else plain
    when that reads back, else double-quoted."""
    if isinstance(value, str):
        if style == '"':
            return double_quoted(value)
        if style == "'":
            quoted = single_quoted(value)
            if quoted is not None and _reads_back(f"k: {quoted}\n", value):
                return quoted
    plain = plain_scalar(value, flow)
    if plain is not None:
        return plain
    return double_quoted(str(value))


def block_scalar(value: str, indent: int, folded: bool = False) -> str | None:
    """``value`` (with line breaks) as a literal (``|``) or, for one line, folded (``>``) block scalar whose
    lines are indented by ``indent``; None when no block scalar holds it exactly."""
    if not value or "\r" in value:
        return None
    if value.endswith("\n\n") or value == "\n":
        chomp, body = "+", value[:-1]
    elif value.endswith("\n"):
        chomp, body = "", value[:-1]
    else:
        chomp, body = "-", value
    lines = body.split("\n")
    if folded and len(lines) > 1:
        folded = False
    marker = (">" if folded else "|") + (str(INDENT) if lines[0].startswith(" ") else "") + chomp
    pad = " " * indent
    text = marker + "".join("\n" + (pad + line if line else "") for line in lines)
    probe_pad = " " * INDENT
    probe = "k: " + marker + "".join("\n" + (probe_pad + line if line else "") for line in lines) + "\n"
    return text if _reads_back(probe, value) else None


# -- emitting new values in the house style -----------------------------------------------------------------


def emit_value(value: Any, indent: int) -> tuple[str, list[str]]:
    """How ``value`` is written after ``key:`` (or ``- ``) at column ``indent``: the rest of that line (with its
    leading space) and the lines below it."""
    if isinstance(value, Mapping):
        if not value:
            return " {}", []
        return "", emit_mapping(value, indent + INDENT)
    if isinstance(value, list):
        if not value:
            return " []", []
        return "", emit_sequence(value, indent + INDENT)
    if isinstance(value, str) and "\n" in value:
        block = block_scalar(value, indent + INDENT)
        if block is not None:
            head, *rest = block.split("\n")
            return " " + head, rest
    return " " + scalar_text(value), []


def emit_mapping(value: Mapping[str, Any], indent: int) -> list[str]:
    lines: list[str] = []
    pad = " " * indent
    for key, item in value.items():
        head, below = emit_value(item, indent)
        lines.append(f"{pad}{scalar_text(key)}:{head}")
        lines.extend(below)
    return lines


def emit_sequence(value: Sequence[Any], indent: int) -> list[str]:
    lines: list[str] = []
    pad = " " * indent
    for item in value:
        first, rest = emit_item(item, indent)
        lines.append(f"{pad}- {first}")
        lines.extend(rest)
    return lines


def emit_item(item: Any, dash: int) -> tuple[str, list[str]]:
    """A sequence item whose dash is at column ``dash``: its first line (after ``- ``) and the lines below."""
    inner = dash + INDENT
    if isinstance(item, Mapping) and item:
        lines = emit_mapping(item, inner)
        return lines[0][inner:], lines[1:]
    if isinstance(item, list) and item:
        lines = emit_sequence(item, inner)
        return lines[0][inner:], lines[1:]
    head, below = emit_value(item, dash)
    return head[1:], below


def flow_text(value: Any) -> str | None:
    """A flow collection of scalars on one line (``[a, b]``), as the file had it; None when it has collections."""
    if isinstance(value, list):
        if any(isinstance(v, (list, Mapping)) or (isinstance(v, str) and "\n" in v) for v in value):
            return None
        return "[" + ", ".join(scalar_text(v, flow=True) for v in value) + "]"
    if isinstance(value, Mapping):
        if any(isinstance(v, (list, Mapping)) or (isinstance(v, str) and "\n" in v) for v in value.values()):
            return None
        return (
            "{" + ", ".join(f"{scalar_text(k, flow=True)}: {scalar_text(v, flow=True)}" for k, v in value.items()) + "}"
        )
    return None


# -- the editor ---------------------------------------------------------------------------------------------


class _Editor:
    """Splices for one text, found by walking its node tree beside the old and new data."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                self.starts.append(i + 1)
        self.lines = text.split("\n")

    # positions
    def line_end(self, line: int) -> int:
        """Offset of the end of ``line`` (before its line break, ``\\r\\n`` too)."""
        return self.starts[line] + len(self.lines[line].removesuffix("\r"))

    def last_line(self, node: yaml.Node) -> int:
        """The last line holding content of ``node`` (trailing blank and comment lines excluded)."""
        if isinstance(node, yaml.MappingNode) and node.value and not node.flow_style:
            key, value = node.value[-1]
            return max(int(key.start_mark.line), self.last_line(value))
        if isinstance(node, yaml.SequenceNode) and node.value and not node.flow_style:
            return max(int(node.value[-1].start_mark.line), self.last_line(node.value[-1]))
        end = node.end_mark
        line = end.line if end.column > 0 or end.index == node.start_mark.index else end.line - 1
        while line > node.start_mark.line and not self.lines[line].strip():
            line -= 1
        return line

    def comments_above(self, line: int, floor: int) -> int:
        """The first of the comment lines directly above ``line`` (no blank line between), not above ``floor``."""
        first = line
        while first - 1 > floor and self.lines[first - 1].lstrip().startswith("#"):
            first -= 1
        return first

    def drop_lines(self, first: int, last: int) -> _Splice:
        return _Splice(self.starts[first], self.starts[last + 1] if last + 1 < len(self.starts) else len(self.text), "")

    # walking
    def mapping(self, node: yaml.MappingNode, old: dict[str, Any], new: Mapping[str, Any]) -> list[_Splice]:
        if node.flow_style or not node.value or not new:
            raise _Reemit  # an empty mapping is written `{}`, on its key's line
        splices: list[_Splice] = []
        previous_end = node.start_mark.line - 1
        for key_node, value_node in node.value:
            key = key_node.value
            if key not in new:
                first = self.comments_above(key_node.start_mark.line, previous_end)
                splices.append(self._drop_entry(node, key_node, value_node, first))
            elif not same(old.get(key), new[key]):
                splices.extend(self.entry(key_node, value_node, old.get(key), new[key]))
            previous_end = self.last_line(value_node)
        added = {k: v for k, v in new.items() if k not in old}
        if added:
            column = node.value[0][0].start_mark.column
            at = self.line_end(self.last_line(node))
            splices.append(_Splice(at, at, "\n" + "\n".join(emit_mapping(added, column)), column))
        return splices

    def _drop_entry(self, node: yaml.MappingNode, key_node: yaml.Node, value_node: yaml.Node, first: int) -> _Splice:
        last = self.last_line(value_node)
        if key_node is node.value[0][0] and self.lines[key_node.start_mark.line][: key_node.start_mark.column].strip():
            raise _Reemit  # the first key of a sequence item shares its line with the dash
        return self.drop_lines(first, last)

    def entry(self, key_node: yaml.Node, value_node: yaml.Node, old: Any, new: Any) -> list[_Splice]:
        """A changed value of a mapping key; re-emits the whole entry when it cannot be edited in place."""
        try:
            return self.value(value_node, old, new, key_node.start_mark.column)
        except _Reemit:
            head, below = emit_value(new, key_node.start_mark.column)
            text = f"{self.text[key_node.start_mark.index : key_node.end_mark.index]}:{head}"
            text += "".join("\n" + line for line in below)
            end = self.line_end(self.last_line(value_node))
            return [_Splice(key_node.start_mark.index, end, text)]

    def value(self, node: yaml.Node, old: Any, new: Any, parent_column: int) -> list[_Splice]:
        if isinstance(node, yaml.ScalarNode):
            if isinstance(new, (Mapping, list)):
                raise _Reemit
            return [self.scalar(node, new, parent_column)]
        assert isinstance(node, yaml.CollectionNode)
        if node.flow_style:
            flow = flow_text(new)
            if flow is None:
                raise _Reemit
            return [_Splice(node.start_mark.index, node.end_mark.index, flow)]
        if isinstance(node, yaml.MappingNode) and isinstance(new, Mapping) and isinstance(old, dict):
            return self.mapping(node, old, new)
        if isinstance(node, yaml.SequenceNode) and isinstance(new, list) and isinstance(old, list):
            return self.sequence(node, old, new)
        raise _Reemit

    def scalar(self, node: yaml.ScalarNode, new: Any, parent_column: int) -> _Splice:
        style = node.style
        if style in ("|", ">"):
            return self.block(node, new, parent_column)
        if isinstance(new, str) and "\n" in new:
            block = block_scalar(new, parent_column + INDENT)
            if block is None:
                return _Splice(node.start_mark.index, node.end_mark.index, double_quoted(new))
            # the rest of the line (an inline comment) cannot follow a block scalar's header: it goes
            return _Splice(node.start_mark.index, self.line_end(node.end_mark.line), block)
        if node.start_mark.index == node.end_mark.index:  # `key:` with nothing after it
            return _Splice(node.start_mark.index, node.end_mark.index, " " + scalar_text(new))
        return _Splice(node.start_mark.index, node.end_mark.index, scalar_text(new, style))

    def block(self, node: yaml.ScalarNode, new: Any, parent_column: int) -> _Splice:
        indent = parent_column + INDENT
        for line in self.lines[node.start_mark.line + 1 : self.last_line(node) + 1]:
            if line.strip():
                indent = len(line) - len(line.lstrip(" "))
                break
        text = block_scalar(new, indent, folded=node.style == ">") if isinstance(new, str) else None
        if text is None:
            text = scalar_text(new)
        return _Splice(node.start_mark.index, self.line_end(self.last_line(node)), text)

    def sequence(self, node: yaml.SequenceNode, old: list[Any], new: list[Any]) -> list[_Splice]:
        if not node.value or not new:
            raise _Reemit  # an empty list is written `[]`, on its key's line
        splices: list[_Splice] = []
        dash = self._dash_column(node.value[0])
        previous_end = node.start_mark.line - 1
        for i, item in enumerate(node.value):
            if i >= len(new):
                first = self.comments_above(item.start_mark.line, previous_end)
                if self._dash_column(item) != dash:
                    raise _Reemit
                splices.append(self.drop_lines(first, self.last_line(item)))
            elif not same(old[i], new[i]):
                splices.extend(self.item(item, old[i], new[i], dash))
            previous_end = self.last_line(item)
        if len(new) > len(node.value):
            at = self.line_end(self.last_line(node))
            lines: list[str] = []
            for extra in new[len(node.value) :]:
                first_line, rest = emit_item(extra, dash)
                lines.append(" " * dash + "- " + first_line)
                lines.extend(rest)
            splices.append(_Splice(at, at, "\n" + "\n".join(lines), dash))
        return splices

    def item(self, node: yaml.Node, old: Any, new: Any, dash: int) -> list[_Splice]:
        try:
            return self.value(node, old, new, dash)
        except _Reemit:
            first, rest = emit_item(new, dash)
            text = first + "".join("\n" + line for line in rest)
            return [_Splice(node.start_mark.index, self.line_end(self.last_line(node)), text)]

    def _dash_column(self, item: yaml.Node) -> int:
        line = self.lines[item.start_mark.line]
        at = line.rfind("-", 0, item.start_mark.column)
        if at < 0:
            raise _Reemit
        return at


class _Reemit(Exception):
    """This node cannot be edited in place: its parent writes it anew."""


def _apply(text: str, splices: Sequence[_Splice]) -> str:
    """The splices made (from the end, so that offsets hold), written with the file's own line breaks."""
    crlf = "\r\n" in text
    out = text
    for splice in sorted(splices, key=lambda s: (s.start, s.end, -s.column), reverse=True):
        new = splice.text.replace("\n", "\r\n") if crlf else splice.text
        out = out[: splice.start] + new + out[splice.end :]
    return out


def edit_text(text: str, data: Mapping[str, Any]) -> str:
    """`text` (a record's YAML) changed as little as possible so that it holds `data`: untouched keys keep their
    bytes (comments, order, quoting, blank lines); edit_text(t, parse_yaml(t).data) == t exactly."""
    new = plain_data(data)
    refuse_control_characters(new)
    old = parse_yaml(text).data
    if same(old, new):
        return text
    if not isinstance(old, dict):
        raise DraftingError("记录应为“字段: 值”形式的映射，无法按字段修改")
    if not new:
        raise DraftingError("记录不能没有任何字段")
    root = yaml.compose(text, Loader=_Loader)
    assert isinstance(root, yaml.MappingNode)
    editor = _Editor(text)
    try:
        result = _apply(text, editor.mapping(root, old, new))
    except _Reemit:
        raise DraftingError("记录不是按块格式书写的映射，无法按字段修改") from None
    if _holds(result, new):
        return result
    return _reemit_fields(editor, root, old, new, result)


def _holds(text: str, data: Any) -> bool:
    try:
        return same(parse_yaml(text).data, data)
    except SourceError:
        return False


def _reemit_fields(
    editor: _Editor, root: yaml.MappingNode, old: dict[str, Any], new: dict[str, Any], tried: str
) -> str:
    """The surgical edit did not read back: the top-level fields it got wrong are written anew, whole (and every
    field holding an anchor or an alias: written out, they cannot go wrong with what they share)."""
    try:
        got = parse_yaml(tried).data
    except SourceError:
        got = {}
    wrong = {k for k in new if not isinstance(got, dict) or k not in got or not same(got[k], new[k])}
    wrong |= _sharing(root) & set(new)
    regions = _regions(editor, root)
    splices: list[_Splice] = []
    for (key_node, value_node), (first, last) in zip(root.value, regions, strict=True):
        key = key_node.value
        if key not in new:
            splices.append(editor.drop_lines(editor.comments_above(first, -1), last))
        elif key in wrong:
            head, below = emit_value(new[key], 0)
            text = f"{scalar_text(key)}:{head}" + "".join("\n" + line for line in below)
            splices.append(_Splice(key_node.start_mark.index, editor.line_end(last), text))
        elif not same(old.get(key), new[key]):
            splices.extend(editor.entry(key_node, value_node, old.get(key), new[key]))
    added = {k: v for k, v in new.items() if k not in old}
    if added:
        at = editor.line_end(regions[-1][1])
        splices.append(_Splice(at, at, "\n" + "\n".join(emit_mapping(added, 0))))
    result = _apply(editor.text, splices)
    if not _holds(result, new):
        raise DraftingError("无法在保留原有格式的前提下写出修改后的记录；请联系管理员")
    return result


def _regions(editor: _Editor, root: yaml.MappingNode) -> list[tuple[int, int]]:
    """The lines of each top-level field, told by where the next one starts (an alias's node has the marks of
    its anchor, elsewhere): (key line, last content line)."""
    starts = [key.start_mark.line for key, _ in root.value]
    out = []
    for i, (key, value) in enumerate(root.value):
        last = (starts[i + 1] if i + 1 < len(starts) else len(editor.lines)) - 1
        while last > starts[i] and _outside(editor.lines[last]):
            last -= 1
        if key.start_mark.line <= value.start_mark.line < (starts[i + 1] if i + 1 < len(starts) else len(editor.lines)):
            last = max(last, editor.last_line(value))  # a block scalar's lines may look like comments
        out.append((starts[i], last))
    return out


def _outside(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#") or stripped in ("...", "---")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _sharing(root: yaml.MappingNode) -> set[str]:
    """The top-level keys whose values hold a node that appears more than once (an anchor and its aliases)."""
    counts: dict[int, int] = {}
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        counts[id(node)] = counts.get(id(node), 0) + 1
        if counts[id(node)] == 1:
            stack.extend(_children(node))
    shared = {key for key, n in counts.items() if n > 1}

    def holds(node: yaml.Node, seen: set[int]) -> bool:
        if id(node) in shared:
            return True
        seen.add(id(node))
        return any(holds(child, seen) for child in _children(node) if id(child) not in seen or id(child) in shared)

    return {str(k.value) for k, v in root.value if holds(v, set())} if shared else set()


def new_text(record_type: str, data: Mapping[str, Any], *, schemas: SchemaSet | None = None) -> str:
    """The YAML of a new record in the house style (keys in schema order as `renda new` writes them, then any
    others as given); ``schemas`` defaults to the built-in ones."""
    order = field_order(schemas or _builtin_schemas(), record_type)
    new = plain_data(data)
    refuse_control_characters(new)
    keys = [k for k in order if k in new] + [k for k in new if k not in order]
    text = "\n".join(emit_mapping({k: new[k] for k in keys}, 0)) + "\n"
    if not _holds(text, new):
        raise DraftingError(f"无法写出新的{record_type}记录；请联系管理员")
    return text


@functools.cache
def _builtin_schemas() -> SchemaSet:
    return SchemaSet()
