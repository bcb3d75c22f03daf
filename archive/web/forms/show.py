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
