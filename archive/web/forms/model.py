"""The form of a record type, read from its schema: one :class:`Field` per property, nested as the schema nests.

No record type has form code of its own: the kind of each control follows from the schema alone (enum → choice,
const → fixed, boolean → checkbox, integer → number, ``format: date`` → date, ``anyOf`` of scalars → text with
suggestions, ``anyOf`` of a text and a one-key object → a "blocks" row (paragraph or heading h1–h4), objects →
fieldsets, arrays → repeatable groups, ``common.yaml#/$defs/record_ref`` and ``deputy_ref`` → pickers).  The
schema keyword ``x-form: readonly`` shows a value without a control, ``x-form: hidden`` leaves it out; both keep
the record's value on save.  A shape the form cannot edit (an object with no properties) is kept as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from archive.schema import type_named

if TYPE_CHECKING:
    from archive.schema import SchemaSet

MAX_DEPTH = 16  # a recursive schema (possible in a workspace override) stops here: deeper values are kept as is

# kinds of scalar control
TEXT, TEXTAREA, DATE, MONTH, NUMBER, SELECT, CHECKBOX, FIXED, CHOICE, RECORD, DEPUTY = (
    "text",
    "textarea",
    "date",
    "month",
    "number",
    "select",
    "checkbox",
    "fixed",
    "choice",
    "record",
    "deputy",
)
OBJECT, ARRAY, BLOCKS, OPAQUE = "object", "array", "blocks", "opaque"
SCALARS = frozenset({TEXT, TEXTAREA, DATE, MONTH, NUMBER, SELECT, CHECKBOX, FIXED, CHOICE, RECORD, DEPUTY})
PLAIN_TEXT_LIMIT = 200  # a text field with a shorter maxLength (or a pattern or format) is one line


@dataclass(frozen=True)
class Field:
    """One control of a form (``key`` None for the item of an array)."""

    key: str | None
    kind: str
    label: str
    help: str = ""
    required: bool = False
    mode: str = ""  # "", "readonly" or "hidden" (x-form)
    options: tuple[str, ...] = ()  # select: the enum; choice: the fixed alternatives; blocks: the heading keys
    option_labels: tuple[str, ...] = ()  # blocks: the label of each heading key
    const: Any = None
    integer_allowed: bool = False  # choice: one alternative is an integer
    targets: tuple[str, ...] = ()  # record picker: the record types it lists (empty: every type)
    children: tuple[Field, ...] = ()
    item: Field | None = None
    min_items: int = 0
    secondary: bool = False  # an optional field of a shared part (the envelope's allOf): shown folded

    @property
    def paragraph(self) -> bool:
        """Text that is a paragraph (a list's item, or a field named ``text``): a taller box."""
        return self.kind == TEXTAREA and (self.key is None or self.key == "text")

    @property
    def editable(self) -> bool:
        return self.mode == "" and self.kind not in (FIXED, OPAQUE)

    def child(self, key: str) -> Field | None:
        return next((c for c in self.children if c.key == key), None)


def build_form(schemas: SchemaSet, record_type: str) -> Field:
    """The form of ``record_type``: an object field whose children are the type's properties in schema order."""
    if record_type not in schemas.documents:
        raise KeyError(record_type)
    schema = schemas.documents[record_type]
    root = Field(None, OPAQUE, str(schema.get("title") or record_type), str(schema.get("description") or ""), True)
    return _Builder(schemas).object_field(schema, 0, root)


class _Builder:
    def __init__(self, schemas: SchemaSet) -> None:
        self.schemas = schemas

    def field(self, key: str | None, raw: Mapping[str, Any], required: bool, depth: int) -> Field:
        schema = self.schemas.resolve(raw)
        mode = schema.get("x-form")
        base = Field(
            key,
            OPAQUE,
            str(schema.get("title") or key or ""),
            str(schema.get("description") or ""),
            required,
            mode if mode in ("readonly", "hidden") else "",
        )
        reference = _reference(self.schemas, raw)
        if reference == "deputy_ref":
            return replace(base, kind=DEPUTY)
        if reference == "record_ref":
            return replace(base, kind=RECORD, targets=_targets(key))
        if depth > MAX_DEPTH:
            return base
        if "const" in schema:
            return replace(base, kind=FIXED, const=schema["const"])
        if "anyOf" in schema or "oneOf" in schema:
            return self.alternatives(schema.get("anyOf") or schema.get("oneOf") or [], base)
        kind = schema.get("type")
        if kind == "object":
            return self.object_field(schema, depth, base)
        if kind == "array":
            return self.array_field(schema, depth, base)
        return replace(base, kind=_scalar_kind(schema), options=tuple(str(o) for o in schema.get("enum", ())))

    def object_field(self, schema: Mapping[str, Any], depth: int, base: Field) -> Field:
        props = self.properties(schema)
        if not props:
            return base
        needed = set(self.required(schema))
        own = set(schema.get("properties", {}))
        children = tuple(
            replace(field, secondary=not field.required and name not in own)
            for name, sub in props.items()
            for field in (self.field(name, sub, name in needed, depth + 1),)
        )
        return replace(base, kind=OBJECT, children=children)

    def array_field(self, schema: Mapping[str, Any], depth: int, base: Field) -> Field:
        items = schema.get("items")
        if not isinstance(items, Mapping):
            return base
        item = self.field(None, items, True, depth + 1)
        blocks = _blocks(self.schemas, items)
        if blocks is not None:
            keys, labels = blocks
            item = replace(item, kind=BLOCKS, options=keys, option_labels=labels)
        return replace(base, kind=ARRAY, item=item, min_items=int(schema.get("minItems", 0)))

    def alternatives(self, branches: list[Any], base: Field) -> Field:
        resolved = [self.schemas.resolve(b) for b in branches if isinstance(b, Mapping)]
        fixed = tuple(str(b["const"]) for b in resolved if "const" in b)
        integer = any(b.get("type") == "integer" and "const" not in b for b in resolved)
        if all(b.get("type") in ("string", "integer", "number") for b in resolved):
            return replace(base, kind=CHOICE, options=fixed, integer_allowed=integer)
        return base

    def properties(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        props: dict[str, Any] = {}
        for part in schema.get("allOf", []):
            props.update(self.properties(self.schemas.resolve(part)))
        props.update(schema.get("properties", {}))
        return props

    def required(self, schema: Mapping[str, Any]) -> list[str]:
        names: list[str] = []
        for part in schema.get("allOf", []):
            names.extend(self.required(self.schemas.resolve(part)))
        names.extend(schema.get("required", []))
        return names


def _scalar_kind(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if schema.get("enum"):
        return SELECT
    if kind == "boolean":
        return CHECKBOX
    if kind in ("integer", "number"):
        return NUMBER
    if schema.get("format") == "date":
        return DATE
    if schema.get("format") == "year-month":
        return MONTH
    short = int(schema.get("maxLength", PLAIN_TEXT_LIMIT + 1)) <= PLAIN_TEXT_LIMIT
    return TEXT if short or "pattern" in schema or "format" in schema else TEXTAREA


def _reference(schemas: SchemaSet, raw: Mapping[str, Any], depth: int = 0) -> str | None:
    """``record_ref`` or ``deputy_ref`` when the schema is (a $ref chain to) one of those definitions."""
    ref = raw.get("$ref")
    if not isinstance(ref, str) or depth > 8:
        return None
    name = ref.rpartition("/")[2]
    if name in ("record_ref", "deputy_ref"):
        return name
    file_part, _, pointer = ref.partition("#")
    target: Any = schemas.documents.get((file_part or "common.yaml").removesuffix(".yaml"), {})
    for token in filter(None, pointer.split("/")):
        target = target.get(token, {}) if isinstance(target, Mapping) else {}
    return _reference(schemas, target, depth + 1) if isinstance(target, Mapping) else None


def _targets(key: str | None) -> tuple[str, ...]:
    """The record types a reference field lists, from its name (meeting, opinion, from_motion, suggestions …)."""
    if not key:
        return ()
    for name in (key, key.removeprefix("from_"), key.removesuffix("s")):
        found = type_named(name)
        if found:
            return (found, "motion") if found == "suggestion" and key.endswith("s") else (found,)
    return ()


def _blocks(schemas: SchemaSet, items: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """A body item (text, or a one-key object of headings): its heading keys and their labels; None otherwise."""
    resolved = schemas.resolve(items)
    branches = [schemas.resolve(b) for b in resolved.get("anyOf", []) if isinstance(b, Mapping)]
    texts = [b for b in branches if b.get("type") == "string"]
    objects = [b for b in branches if b.get("type") == "object" and b.get("maxProperties") == 1]
    if len(branches) != 2 or len(texts) != 1 or len(objects) != 1:
        return None
    props = {k: schemas.resolve(v) for k, v in objects[0].get("properties", {}).items()}
    if not props or any(p.get("type") != "string" for p in props.values()):
        return None
    return tuple(props), tuple(str(p.get("title") or k) for k, p in props.items())
