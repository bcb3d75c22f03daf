"""What the index holds for one record: its searchable text, filters and the sittings it names."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..chinese import chinese_number, chinese_to_int
from ..records import Record, classification_rank

# Fields that are machinery, not content: never searched as text.
_SKIP_KEYS = frozenset(
    {"id", "type", "status", "classification", "retention", "sha256", "file", "copy_number", "original_name"}
)
_DEPUTY_ID = re.compile(r"^d[0-9a-z-]*\d$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RECORD_ID = re.compile(r"^[a-z]+[0-9]*(-[a-z0-9]+)+$")  # cwh-17-19, opinion-2024-02

_NUM = r"[0-9０-９零〇一二两三四五六七八九十百千万亿]+"


# 第十七届人大常委会第十二次会议 / 区第十七届人民代表大会常务委员会第二十次会议 / 十七届人大常委会第12次会议
_SITTING_IN_TEXT = re.compile(
    rf"第?(?P<term>{_NUM})届(?:[^，。；：、\s第]{{0,12}}?)(?:常委会|常务委员会)第(?P<sitting>{_NUM})次会议"
)
# What a clerk types: the above, 十七届十二次, 17届12次, 17-12
_SITTING_QUERY = (
    _SITTING_IN_TEXT,
    re.compile(rf"^第?(?P<term>{_NUM})届(?:常委会|常务委员会)?第?(?P<sitting>{_NUM})次(?:会议)?$"),
    re.compile(r"^(?P<term>\d{1,2})-(?P<sitting>\d{1,3})$"),
)


OWN_SITTING = "="  # prefix of the key of the sitting a meeting record is the minutes of
OWN_DIRECTORS = "=zr"  # prefix of the key of the 主任会议 a meeting record is the minutes of (=zr17-20)
STANDING, DIRECTORS = "常委会会议", "主任会议"

# A sitting named without its term: 第十二次会议, 第12次会议, 十二次常委会, 第十二次主任会议
_TERMLESS_QUERY = re.compile(
    rf"^第?(?P<sitting>{_NUM})次(?P<kind>常委会会议|常委会|常务委员会会议|常务委员会|人大常委会会议|人大常委会"
    r"|主任会议|会议)$"
)


def parse_termless_sitting(text: str) -> tuple[int, str | None] | None:
    """(sitting number, kind or None) when ``text`` names a sitting without its term, else None."""
    m = _TERMLESS_QUERY.fullmatch(text.strip())
    number = chinese_to_int(m["sitting"]) if m else None
    if not m or not number:
        return None
    kind = m["kind"]
    return number, DIRECTORS if kind == DIRECTORS else None if kind == "会议" else STANDING


def sitting_names(key: str) -> list[str]:
    """How a text names the sitting ``17-12``: 第十七届…, 第十二次会议 (for highlighting)."""
    term, sitting = (int(x) for x in key.split("-"))
    return [f"第{chinese_number(term)}届", f"第{chinese_number(sitting)}次会议"]


def sitting_key(term: int, sitting: int) -> str:
    return f"{term}-{sitting}"


def sittings_in(text: str) -> set[str]:
    """Every standing-committee sitting the text names, as ``17-12`` keys."""
    out = set()
    for m in _SITTING_IN_TEXT.finditer(text):
        term, sitting = chinese_to_int(m["term"]), chinese_to_int(m["sitting"])
        if term and sitting:
            out.add(sitting_key(term, sitting))
    return out


def parse_sitting(text: str) -> str | None:
    """The sitting key if ``text`` (a whole query word) names a sitting, else None."""
    for pattern in _SITTING_QUERY:
        m = pattern.fullmatch(text.strip())
        if m:
            term, sitting = chinese_to_int(m["term"]), chinese_to_int(m["sitting"])
            if term and sitting:
                return sitting_key(term, sitting)
    return None


@dataclass(frozen=True)
class IndexDoc:
    """One record as the engines see it."""

    id: str
    type: str
    term: int | None
    year: int | None
    title: str
    source: str
    rank: int
    text: str
    people: tuple[str, ...] = ()
    sittings: tuple[str, ...] = ()


def stored_files(value: object) -> Iterable[str]:
    """The PDFs a record's data names with their SHA-256 (a report or an answer uploaded on the platform)."""
    if isinstance(value, Mapping):
        file = value.get("file")
        if isinstance(file, str) and isinstance(value.get("sha256"), str):
            yield file
        for item in value.values():
            yield from stored_files(item)
    elif isinstance(value, list):
        for item in value:
            yield from stored_files(item)


def index_doc(
    record: Record,
    names: Mapping[str, str],
    organs: Mapping[str, str],
    meetings: Mapping[str, str] | None = None,
    attached: Iterable[str] = (),
) -> IndexDoc:
    """The searchable form of ``record``: deputy ids become names, organ codes become names; an opinion is
    found under the sitting that heard its report (``meetings``: meeting id → sitting key); ``attached`` is the
    text of the PDFs filed with it (an organ's report, an answer), found as the record."""
    people: list[str] = []
    parts = [record.title]
    if record.doc_number:
        parts.append(record.doc_number)
    if record.organ and record.organ in organs:
        parts.append(organs[record.organ])
    for key, value in _strings(record.data):
        if key in ("title",) and value == record.title:
            continue
        if _DEPUTY_ID.match(value) and value in names:
            people.append(names[value])
            continue
        if _ISO_DATE.match(value) or _RECORD_ID.match(value) or (key == "doc_number" and value == record.doc_number):
            continue  # dates and references are filters and links, not words
        parts.append(value)
    parts.extend(attached)
    if record.type == "deputy":
        people.append(record.title)
    text = "\n".join(dict.fromkeys(p for p in parts if p))  # keep order, drop exact repeats
    if people:
        text += "\n" + "、".join(dict.fromkeys(people))
    sittings = sittings_in(text)
    sitting = record.data.get("sitting")
    if (
        record.type == "meeting"
        and record.data.get("kind") == "常委会会议"
        and record.term
        and isinstance(sitting, int)
    ):
        own = sitting_key(record.term, sitting)
        sittings.update((own, OWN_SITTING + own))
    elif record.type == "meeting" and record.data.get("kind") == DIRECTORS and record.term and isinstance(sitting, int):
        sittings.add(OWN_DIRECTORS + sitting_key(record.term, sitting))
    heard_at = (meetings or {}).get(str(record.data.get("meeting"))) if record.type == "opinion" else None
    if heard_at:
        sittings.add(heard_at)
    source = record.source
    pdf = record.data.get("source_file")
    if isinstance(pdf, Mapping) and isinstance(pdf.get("file"), str):
        source = pdf["file"]
    return IndexDoc(
        id=record.id,
        type=record.type,
        term=record.term,
        year=record.year,
        title=record.title,
        source=source,
        rank=classification_rank(record.classification),
        text=text,
        people=tuple(dict.fromkeys(people)),
        sittings=tuple(sorted(sittings)),
    )


def _strings(value: object, key: str = "") -> Iterable[tuple[str, str]]:
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            if k not in _SKIP_KEYS:
                yield from _strings(v, str(k))
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, key)
