"""A form's values: the record's data as form text (``raw_of``), the posted form back to text (``collect``), the
array buttons (``apply_action``), and text to typed data with the problems found at their fields (``parse``).

Form field names are dotted paths: ``report.title``, ``follow_up.reports.0.received``; a body row is
``body.3.kind`` (""/h1…h4) and ``body.3.text``.  The "raw" tree mirrors the data with every editable value as
the text of its control (a checkbox: "true", "false" or "" for unset); values the form does not edit (fixed,
read-only, hidden, kept as is) are the record's own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from archive.web.forms.model import (
    ARRAY,
    BLOCKS,
    CHECKBOX,
    CHOICE,
    DEPUTY,
    FIXED,
    NUMBER,
    OBJECT,
    RECORD,
    Field,
)

MAX_TEXT = 20_000  # characters in one field
_INTEGER = re.compile(r"^[+-]?\d{1,18}$")
# C0 and C1 controls but tab and line feed, a CR not before LF, line/paragraph separators, non-characters
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff]|\r(?!\n)")
ACTIONS = ("add", "remove", "up", "down", "renumber")
Path = tuple[str | int, ...]


@dataclass(frozen=True)
class FormProblem:
    """What is wrong with one field's text, before the record is checked (``path`` in the data)."""

    path: Path
    name: str  # the form field it belongs to
    message: str


@dataclass
class Parsed:
    """The typed data of a form, the problems found in its text, and where each data path sits in the form."""

    data: dict[str, Any]
    problems: list[FormProblem] = field(default_factory=list)
    names: dict[Path, str] = field(default_factory=dict)  # data path → form field name

    def anchor(self, path: Path) -> str:
        """The form field name nearest to data ``path`` ("" for the whole record)."""
        for end in range(len(path), 0, -1):
            found = self.names.get(tuple(path[:end]))
            if found is not None:
                return found
        return ""


class ActionError(ValueError):
    """An ``_action`` the form does not have (a forged or stale button)."""


# -- data → text -----------------------------------------------------------------------------------------


def raw_of(f: Field, value: Any) -> Any:
    """The form text of ``value`` (data of field ``f``)."""
    if not f.editable:
        return value
    if f.kind == OBJECT:
        data = value if isinstance(value, Mapping) else {}
        return {c.key: raw_of(c, data.get(c.key)) for c in f.children if c.key is not None}
    if f.kind == ARRAY:
        assert f.item is not None
        rows = [raw_of(f.item, v) for v in value] if isinstance(value, list) else []
        if not rows and f.required and f.min_items:
            rows.append(empty_raw(f.item))
        return rows
    if f.kind == BLOCKS:
        if isinstance(value, Mapping) and len(value) == 1:
            ((kind, text),) = value.items()
            return {"kind": str(kind), "text": _text(text)}
        return {"kind": "", "text": _text(value)}
    if f.kind == CHECKBOX:
        return "" if value is None else ("true" if value is True else "false" if value is False else str(value))
    return _text(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def empty_raw(f: Field) -> Any:
    """The text of a new, empty row of field ``f``."""
    if f.kind == OBJECT:
        return {c.key: empty_raw(c) for c in f.children if c.key is not None and c.editable}
    if f.kind == ARRAY:
        return []
    if f.kind == BLOCKS:
        return {"kind": "", "text": ""}
    return ""


# -- posted form → text -----------------------------------------------------------------------------------


def collect(form: Mapping[str, list[str]], f: Field, opened: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The raw tree of a posted form (``form``: every name with its values); fields the form does not edit
    take the record's value as opened."""
    index = _Index(form)
    raw = _collect(index, f, "", opened or {})
    return raw if isinstance(raw, dict) else {}


class _Index:
    def __init__(self, form: Mapping[str, list[str]]) -> None:
        self.form = form
        self.rows: dict[str, set[int]] = {}  # array name → the row numbers posted under it
        for name in form:
            head, _, tail = name.rpartition(".")
            while head:
                number = tail.split(".", 1)[0]
                if number.isdigit() and len(number) < 5:
                    self.rows.setdefault(head, set()).add(int(number))
                head, _, last = head.rpartition(".")
                tail = f"{last}.{tail}"

    def value(self, name: str) -> str:
        values = self.form.get(name) or [""]
        return values[-1]


def _collect(index: _Index, f: Field, name: str, opened: Any) -> Any:
    if not f.editable:
        return opened
    if f.kind == OBJECT:
        data = opened if isinstance(opened, Mapping) else {}
        return {c.key: _collect(index, c, _join(name, c.key), data.get(c.key)) for c in f.children if c.key}
    if f.kind == ARRAY:
        assert f.item is not None
        rows = sorted(index.rows.get(name, ()))
        return [_collect(index, f.item, f"{name}.{i}", None) for i in rows]
    if f.kind == BLOCKS:
        return {"kind": index.value(f"{name}.kind"), "text": index.value(f"{name}.text")}
    if f.kind == CHECKBOX:
        values = index.form.get(name) or [""]
        return "true" if "true" in values else values[0]
    return index.value(name)


def _join(name: str, key: str) -> str:
    return f"{name}.{key}" if name else key


# -- the array buttons ------------------------------------------------------------------------------------


def apply_action(raw: dict[str, Any], f: Field, action: str) -> None:
    """Carry out an array button (``add:tags``, ``remove:tags.2``, ``up:…``, ``down:…``; ``renumber:body`` only
    shows the form again, the heading numbers recounted) on ``raw`` in place; :class:`ActionError` for a button
    the form does not have."""
    verb, _, target = action.partition(":")
    if verb not in ACTIONS or not target:
        raise ActionError(f"未知的操作“{action[:60]}”")
    parts = target.split(".")
    row = None
    if verb not in ("add", "renumber"):
        if not parts[-1].isdigit():
            raise ActionError(f"未知的操作“{action[:60]}”")
        row = int(parts.pop())
    rows, item = _array_at(raw, f, parts, action)
    if verb == "add":
        rows.append(empty_raw(item))
        return
    if verb == "renumber":
        return
    assert row is not None
    if row >= len(rows):
        raise ActionError(f"操作“{action[:60]}”所指的行不存在")
    if verb == "remove":
        del rows[row]
    elif verb == "up" and row > 0:
        rows[row - 1], rows[row] = rows[row], rows[row - 1]
    elif verb == "down" and row + 1 < len(rows):
        rows[row + 1], rows[row] = rows[row], rows[row + 1]


def _array_at(raw: Any, f: Field, parts: list[str], action: str) -> tuple[list[Any], Field]:
    node, here = raw, f
    for part in parts:
        if here.kind == OBJECT and isinstance(node, dict):
            child = here.child(part)
            if child is None or not child.editable or part not in node:
                break
            node, here = node[part], child
        elif here.kind == ARRAY and isinstance(node, list) and part.isdigit() and int(part) < len(node):
            assert here.item is not None
            node, here = node[int(part)], here.item
        else:
            break
    else:
        if here.kind == ARRAY and isinstance(node, list) and here.item is not None:
            return node, here.item
    raise ActionError(f"未知的操作“{action[:60]}”")


# -- text → data ------------------------------------------------------------------------------------------


def parse_raw(raw: Mapping[str, Any], f: Field) -> Parsed:
    """The typed data of raw tree ``raw`` (editable fields only: see :func:`merge`), empty optional fields
    dropped, with the problems of each field's text."""
    out = Parsed({})
    value = _parse(f, raw, (), "", out)
    out.data = value if isinstance(value, dict) else {}
    return out


def merge(data: dict[str, Any], f: Field, opened: Mapping[str, Any] | None) -> dict[str, Any]:
    """``data`` (from the form) with what the form does not edit taken from the record as opened: fixed values,
    read-only and hidden fields, fields kept as they are, and keys the schema does not name; in schema order."""
    opened = opened or {}
    out: dict[str, Any] = {}
    for child in f.children:
        key = child.key
        if key is None:
            continue
        if child.kind == FIXED:
            out[key] = child.const
        elif not child.editable:
            if key in opened:
                out[key] = opened[key]
        elif child.kind == OBJECT and (isinstance(data.get(key), dict) or isinstance(opened.get(key), Mapping)):
            value = merge(data.get(key) or {}, child, _mapping(opened.get(key)))
            if key in data or set(value) - {c.key for c in child.children if c.kind == FIXED}:
                out[key] = value
        elif key in data:
            out[key] = data[key]
    known = {c.key for c in f.children}
    out.update({k: v for k, v in opened.items() if k not in known})
    return out


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def parse(
    form: Mapping[str, list[str]], f: Field, opened: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], list[FormProblem]]:
    """A posted form as the record's data (merged with the record as opened) and the problems of its text."""
    parsed = parse_raw(collect(form, f, opened), f)
    return merge(parsed.data, f, opened), parsed.problems


def _parse(f: Field, raw: Any, path: Path, name: str, out: Parsed) -> Any:
    out.names[path] = name
    if not f.editable:
        return None
    if f.kind == OBJECT:
        return _parse_object(f, raw, path, name, out)
    if f.kind == ARRAY:
        return _parse_array(f, raw, path, name, out)
    if f.kind == BLOCKS:
        return _parse_block(f, raw, path, name, out)
    text = raw if isinstance(raw, str) else ""
    problem = text_problem(text)
    if problem:
        out.problems.append(FormProblem(path, name, problem))
        return None
    return _scalar(f, text.replace("\r\n", "\n"), path, name, out)


def _parse_object(f: Field, raw: Any, path: Path, name: str, out: Parsed) -> dict[str, Any] | None:
    values = raw if isinstance(raw, Mapping) else {}
    data: dict[str, Any] = {}
    for child in f.children:
        if child.key is None:
            continue
        value = _parse(child, values.get(child.key), (*path, child.key), _join(name, child.key), out)
        if value is not None:
            data[child.key] = value
    return data if data or not path else None


def _parse_array(f: Field, raw: Any, path: Path, name: str, out: Parsed) -> list[Any] | None:
    assert f.item is not None
    items: list[Any] = []
    for i, row in enumerate(raw if isinstance(raw, list) else []):
        scratch = Parsed({})
        value = _parse(f.item, row, (*path, len(items)), f"{name}.{i}", scratch)
        out.problems.extend(scratch.problems)
        if value is not None:
            out.names.update(scratch.names)
            items.append(value)
    return items or None


def _parse_block(f: Field, raw: Any, path: Path, name: str, out: Parsed) -> Any:
    values = raw if isinstance(raw, Mapping) else {}
    kind, text = str(values.get("kind", "")), str(values.get("text", ""))
    problem = text_problem(text) or text_problem(kind)
    if problem is None and kind and kind not in f.options:
        problem = f"段落类型“{kind[:20]}”无效：可选 段落、{'、'.join(f.option_labels)}"
    if problem:
        out.problems.append(FormProblem(path, name, problem))
        return None
    text = text.replace("\r\n", "\n")
    if not text.strip():
        return None
    return {kind: text} if kind else text


def _scalar(f: Field, text: str, path: Path, name: str, out: Parsed) -> Any:
    if not text.strip():
        return None
    if f.kind == NUMBER:
        if _INTEGER.match(text.strip()):
            return int(text.strip())
        out.problems.append(FormProblem(path, name, f"应为整数，实际为“{text[:40]}”"))
        return None
    if f.kind == CHECKBOX:
        if text in ("true", "false"):
            return text == "true"
        out.problems.append(FormProblem(path, name, f"应为“是”或“否”，实际为“{text[:40]}”"))
        return None
    if f.kind == CHOICE:
        if text not in f.options and f.integer_allowed and _INTEGER.match(text.strip()):
            return int(text.strip())
        return text
    if f.kind in (RECORD, DEPUTY):
        return text.split(" — ", 1)[0].strip()
    return text


def text_problem(text: str) -> str | None:
    """Why ``text`` may not be saved in a field: too long, or a control character other than a line break or
    a tab (a browser sends line breaks as CR LF: those are line breaks)."""
    if len(text) > MAX_TEXT:
        return f"不能超过 {MAX_TEXT} 个字（实际 {len(text)} 个字）"
    found = _CONTROL.search(text)
    if found:
        return f"含有不允许的控制字符（U+{ord(found.group()[0]):04X}，第 {found.start() + 1} 个字符），请删除后再保存"
    return None
