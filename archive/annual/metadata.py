"""Metadata of one 件 in XML with the element names of DA/T 46-2009 (文书类电子文件元数据方案).

Element names are the standard's English names; the XML is written by hand from plain strings with a
fixed element order, so the same 件 always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from archive.annual.arrange import RETENTION_NAMES, Arrangement, Item

NAMESPACE = "urn:renda:metadata:da-t-46-2009"


@dataclass(frozen=True)
class FileFacts:
    name: str
    size: int
    pages: int
    format: str  # e.g. "PDF/A-2b"


def _element(name: str, value: str | int | None, indent: int) -> str:
    pad = "  " * indent
    text = "" if value is None else escape(str(value))
    return f"{pad}<{name}>{text}</{name}>" if text else f"{pad}<{name}/>"


def _group(name: str, children: Sequence[str], indent: int) -> list[str]:
    pad = "  " * indent
    return [f"{pad}<{name}>", *children, f"{pad}</{name}>"]


def item_metadata(
    arrangement: Arrangement,
    item: Item,
    pdf: FileFacts,
    organ_name: str | None,
    composition: Sequence[tuple[str, int]] = (),
) -> bytes:
    """The 件's metadata; ``composition`` lists the documents a 件 of several is made of (role, pages), in
    order — the 正本 first — so that a verifier knows which pages renda laid out."""
    record = item.record
    secrecy_period = record.secrecy_period
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<electronicRecord xmlns="{NAMESPACE}">']
    lines.append(_element("aggregationLevel", "文件", 1))
    lines += _group(
        "provenance",
        [
            _element("fondsName", arrangement.fonds_name, 2),
            _element("fondsConstitutingUnitName", arrangement.fonds_name, 2),
        ],
        1,
    )
    lines.append(_element("electronicRecordCode", item.code, 1))
    lines += _group(
        "archivalCode",
        [
            _element("fondsIdentifier", item.fonds, 2),
            _element("year", item.year, 2),
            _element("retentionPeriod", RETENTION_NAMES[item.retention], 2),
            _element("organizationalStructureOrFunction", organ_name or "", 2),
            _element("itemNumber", f"{item.number:04d}", 2),
        ],
        1,
    )
    lines += _group(
        "contentDescription",
        [
            _element("title", item.catalogue_title, 2),
            _element("documentNumber", record.doc_number or "", 2),
            _element("responsibleParty", item.responsible, 2),
            _element("date", record.date.strftime("%Y%m%d") if record.date else "", 2),
            _element("securityClassification", record.classification, 2),
            _element("secrecyPeriod", secrecy_period if isinstance(secrecy_period, str) else "", 2),
        ],
        1,
    )
    lines += _group(
        "formalCharacteristics",
        [
            _element("documentAggregationType", "单件", 2),
            _element("totalNumberOfItems", 1, 2),
            _element("pages", pdf.pages, 2),
            _element("language", "汉语", 2),
        ],
        1,
    )
    if composition:
        parts = [
            line
            for role, pages in composition
            for line in _group("part", [_element("role", role, 3), _element("pages", pages, 3)], 2)
        ]
        lines += _group("composition", parts, 1)
    lines += _group(
        "digitalProperties",
        [
            _element("formatInformation", pdf.format, 2),
            _element("computerFileName", pdf.name, 2),
            _element("computerFileSize", pdf.size, 2),
            _element("documentCreatingApplication", "renda / LibreOffice", 2),
        ],
        1,
    )
    for relation in item.relations:
        lines += _group(
            "relation",
            [
                _element("relationType", "组成部分" if relation.part_of(item.merged_report) else "被答复", 2),
                _element("relationDescription", relation.kind, 2),
                _element("title", relation.title, 2),
                _element("documentNumber", relation.doc_number, 2),
                _element("date", relation.date.strftime("%Y%m%d") if relation.date else "", 2),
                _element("evaluation", relation.evaluation, 2),
            ],
            1,
        )
    lines += _group("sourceRecord", [_element("identifier", record.id, 2), _element("type", record.type, 2)], 1)
    lines.append("</electronicRecord>")
    return ("\n".join(lines) + "\n").encode("utf-8")
