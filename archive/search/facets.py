"""Facets of a search result: how many hits fall under each 届, 年, 类型, 报告机关 and 代表, and narrowing by them.

The web platform's search page shows them beside the hits and narrows on a click.  They are counted over the
hits they are given — which the caller has already screened (``search_workspace(admit=...)``) — so a facet
never counts what the person searching cannot see.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ..records import Deputy, DeputyReport, Inspection, Opinion, Record
from ..schema import TYPE_LABELS
from .index import SearchHit

# (key in the URL, label) in the order the page shows them
FACETS: tuple[tuple[str, str], ...] = (
    ("term", "届"),
    ("year", "年"),
    ("type", "类型"),
    ("organ", "报告机关"),
    ("deputy", "代表"),
)
FACET_KEYS = tuple(key for key, _ in FACETS)


@dataclass(frozen=True)
class FacetValue:
    value: str  # what the URL carries (17, 2024, opinion, 区人民政府, d001)
    label: str  # what the page shows (第17届, 2024年, 审议意见, 区人民政府, 王建国)
    count: int
    selected: bool = False


@dataclass(frozen=True)
class Facet:
    key: str
    label: str
    values: tuple[FacetValue, ...]
    hidden: int = 0  # values left out by :meth:`capped`

    def capped(self, most: int) -> Facet:
        """The ``most`` first values (the most frequent) and a selected one beyond them; ``hidden`` counts the rest
        (a search that matches most of 50,000 records names thousands of deputies)."""
        if len(self.values) <= most:
            return self
        kept = tuple(v for i, v in enumerate(self.values) if i < most or v.selected)
        return replace(self, values=kept, hidden=len(self.values) - len(kept))

    def as_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "label": self.label,
            "values": [{"value": v.value, "label": v.label, "count": v.count} for v in self.values],
        }


def _deputies_of(record: Record | None) -> tuple[str, ...]:
    """The deputies a record is about: their registry entry, their 述职, the inspections they joined."""
    if isinstance(record, Deputy):
        return (record.id,)
    if isinstance(record, DeputyReport):
        return (record.deputy,)
    if isinstance(record, Inspection):
        return record.members
    return ()


def facet_values(hit: SearchHit, record: Record | None) -> dict[str, tuple[str, ...]]:
    """The value(s) of each facet for one hit (``record`` is the hit's record from the catalog, if loaded)."""
    organ = (record.report_organ,) if isinstance(record, Opinion) and record.report_organ else ()
    return {
        "term": (str(hit.term),) if hit.term else (),
        "year": (str(hit.year),) if hit.year else (),
        "type": (hit.type,),
        "organ": organ,
        "deputy": _deputies_of(record),
    }


def narrow(hits: Sequence[SearchHit], records: Mapping[str, Record], selection: Mapping[str, str]) -> list[SearchHit]:
    """The hits that have every selected facet value (``selection``: facet key → value)."""
    chosen = {k: v for k, v in selection.items() if k in FACET_KEYS and v}
    if not chosen:
        return list(hits)
    return [hit for hit in hits if all(v in facet_values(hit, records.get(hit.id))[k] for k, v in chosen.items())]


def _label(key: str, value: str, names: Mapping[str, str]) -> str:
    if key == "term":
        return f"第{value}届"
    if key == "year":
        return f"{value}年"
    if key == "type":
        return TYPE_LABELS.get(value, value)
    if key == "deputy":
        return names.get(value, value)
    return value


def facets_of(
    hits: Sequence[SearchHit],
    records: Mapping[str, Record],
    selection: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
) -> list[Facet]:
    """Each facet's values with their hit counts, the most frequent first (届 and 年: newest first);
    ``names`` gives a deputy's name for their id (only the names of deputies the person may see)."""
    selection = selection or {}
    names = names or {}
    counts: dict[str, dict[str, int]] = {key: {} for key in FACET_KEYS}
    for hit in hits:
        for key, values in facet_values(hit, records.get(hit.id)).items():
            for value in dict.fromkeys(values):
                counts[key][value] = counts[key].get(value, 0) + 1
    out = []
    for key, label in FACETS:
        items = counts[key].items()
        if key in ("term", "year"):
            ordered = sorted(items, key=lambda kv: -int(kv[0]))
        else:
            ordered = sorted(items, key=lambda kv: (-kv[1], kv[0]))
        shown = tuple(
            FacetValue(value, _label(key, value, names), n, selection.get(key) == value) for value, n in ordered
        )
        out.append(Facet(key, label, shown))
    return out
