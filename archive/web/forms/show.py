"""What the form page shows beside the controls: the number each body heading will print, the choices of the
record and deputy pickers, and which form field a problem belongs to."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from archive.web.forms.model import ARRAY, DEPUTY, OBJECT, RECORD, Field

if TYPE_CHECKING:
    from archive.records import Record


def heading_numbers(rows: Iterable[Any]) -> list[str]:
    """The number each body row will print (一、（一）1.（1）; "" for a paragraph or an empty row), by the
    numbering of the documents themselves (``archive.render.documents.number_blocks``)."""
    from archive.records import HEADING_KEYS, Block
    from archive.render.documents import number_blocks

    rows = [r if isinstance(r, Mapping) else {} for r in rows]
    kept = [
        (n, Block(HEADING_KEYS.get(str(r.get("kind", "")), 0), str(r.get("text", "")).strip()))
        for n, r in enumerate(rows)
        if str(r.get("text", "")).strip()
    ]
    numbers = [""] * len(rows)
    for (n, block), printed in zip(kept, number_blocks([b for _, b in kept]), strict=True):
        if block.level:
            numbers[n] = str(printed["lead"])[: len(printed["lead"]) - len(block.text)]
    return numbers


def picker_id(f: Field) -> str:
    """The id of the <datalist> a reference field offers."""
    if f.kind == DEPUTY:
        return "pick-deputy"
    return "pick-" + ("-".join(f.targets) or "record")


def pickers_of(f: Field) -> dict[str, Field]:
    """Every picker a form needs (one per list of target types), by datalist id."""
    return {picker_id(x): x for x in _walk(f) if x.kind in (RECORD, DEPUTY) and x.editable}


def _walk(f: Field) -> Iterator[Field]:
    yield f
    for child in f.children:
        yield from _walk(child)
    if f.item is not None:
        yield from _walk(f.item)


def picker_choices(
    pickers: Mapping[str, Field], records: Iterable[Record], deputy_names: Mapping[str, str]
) -> dict[str, list[tuple[str, str]]]:
    """(value, label) of each picker: the records of its types the viewer sees ("id — title"), newest first,
    or the deputies of the registry the viewer sees."""
    wanted = {key: f for key, f in pickers.items() if f.kind == RECORD}
    out: dict[str, list[tuple[str, str]]] = {key: [] for key in pickers}
    if wanted:
        ordered = sorted(records, key=lambda r: (r.date.isoformat() if r.date else "", r.id), reverse=True)
        for record in ordered:
            for key, f in wanted.items():
                if record.type != "deputy" and (not f.targets or record.type in f.targets):
                    out[key].append((record.id, f"{record.id} — {record.title}"))
    if "pick-deputy" in pickers:
        out["pick-deputy"] = [(d, f"{d} — {name}") for d, name in sorted(deputy_names.items())]
    return out


def field_label(f: Field, path: tuple[str | int, ...]) -> str:
    """The Chinese label of the field at data ``path`` (its row numbers included), for the problem summary."""
    labels: list[str] = []
    here: Field | None = f
    for part in path:
        if here is None:
            labels.append(str(part))
        elif here.kind == OBJECT and isinstance(part, str):
            here = here.child(part)
            labels.append(here.label if here else part)
        elif here.kind == ARRAY and isinstance(part, int):
            here = here.item
            labels.append(f"第{part + 1}项")
        else:
            labels.append(str(part))
            here = None
    return " › ".join(labels)


def folded(form: Field, raw: dict[str, Any]) -> list[Field]:
    """The fields shown folded: optional fields of the shared envelope that the record leaves empty."""
    return [f for f in form.children if f.secondary and f.key and _empty(raw.get(f.key))]


def _empty(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_empty(v) for v in value.values())
    if isinstance(value, list):
        return not value  # a row added with a button shows the field, even while the row is empty
    return value in ("", None)


def unfold(fields: list[Field], problems: dict[str, list[str]]) -> bool:
    """Whether the folded fields are shown open: one of them has a problem."""
    keys = {f.key for f in fields if f.key}
    return any(name.split(".", 1)[0] in keys for name in problems)


def shown(value: Any) -> str:
    """A value the form shows without a control (read-only), as one line of text."""
    if isinstance(value, dict):
        return "；".join(f"{k}：{shown(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(shown(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value)


def side_by_side(theirs: str, mine: str, context: int = 2) -> list[dict[str, Any]]:
    """The two versions line by line where they differ (with ``context`` lines around): rows of the conflict
    page's table, ``kind`` "same", "changed", "theirs" (only in the file) or "mine" (only in the form); a
    row with ``gap`` stands for unchanged lines left out."""
    import difflib

    left, right = theirs.splitlines(), mine.splitlines()
    rows: list[dict[str, Any]] = []
    for group in difflib.SequenceMatcher(None, left, right, autojunk=False).get_grouped_opcodes(context):
        if rows:
            rows.append({"gap": True})
        for tag, i1, i2, j1, j2 in group:
            for n in range(max(i2 - i1, j2 - j1)):
                a, b = i1 + n, j1 + n
                rows.append(
                    {
                        "gap": False,
                        "kind": {"equal": "same", "replace": "changed", "delete": "theirs", "insert": "mine"}[tag],
                        "left_no": a + 1 if a < i2 else None,
                        "left": left[a] if a < i2 else "",
                        "right_no": b + 1 if b < j2 else None,
                        "right": right[b] if b < j2 else "",
                    }
                )
    return rows
