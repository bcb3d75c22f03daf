"""The synthetic workspace every benchmark grows from the bundled sample.

Every record of the seed workspace is copied with a new id (copy k lives in era k % ERAS, its dates and terms
moved on by TERM_SHIFT terms per era), references are remapped to the copy's own records, and sitting numbers
and 发文字号 are renumbered so the synthetic workspace is as valid as the sample.  Used by bench/validate.py,
bench/search.py, bench/render.py and bench/annual_archive.py.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml


def load_yaml(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    # CSafeLoader turns dates into datetime.date; the generator writes them back as text.
    return data


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, width=200)


TERM_SHIFT = 2  # each synthetic era adds two terms (10 years) to a copy of the sample
ERAS = 12


def _shift_date(value: Any, years: int) -> str:
    text = str(value)
    year, rest = int(text[:4]), text[4:]
    if rest == "-02-29":
        rest = "-02-28"
    return f"{year + years:04d}{rest}"


def _shift(rec: Any, years: int, key: str = "") -> Any:
    """Shift every date in a record by ``years``, recursively."""
    if isinstance(rec, dict):
        return {k: _shift(v, years, k) for k, v in rec.items()}
    if isinstance(rec, list):
        return [_shift(v, years, key) for v in rec]
    if isinstance(rec, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", rec):
        return _shift_date(rec, years)
    if isinstance(rec, str) and key == "doc_number":
        return re.sub(r"〔(\d{4})〕", lambda m: f"〔{int(m.group(1)) + years}〕", rec)
    return rec


def generate(seed: Path, target: Path, n: int, rewrite: Callable[[list[dict[str, Any]]], object] | None = None) -> int:
    """Write a workspace of ``n`` records into ``target`` grown from ``seed``.

    Copy k of the sample lands in era k % ERAS: its terms move up by 2 per era
    and its dates by 10 years per era, so sittings stay realistic per term.
    ``rewrite`` may change the records' text in place before they are written
    (bench/corpus.py's realistic text model).
    """
    config = yaml.load((seed / "renda.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    base_terms = {int(k): v for k, v in config["terms"].items()}
    terms = {}
    for era in range(ERAS):
        for number, span in base_terms.items():
            terms[number + TERM_SHIFT * era] = {
                "start": _shift_date(span["start"], 10 * era),
                "end": _shift_date(span["end"], 10 * era),
            }
    config["terms"] = dict(sorted(terms.items()))
    config = json.loads(json.dumps(config, default=str))
    (target / "renda.yaml").write_text(dump_yaml(config), encoding="utf-8")

    originals = [json.loads(json.dumps(load_yaml(p), default=str)) for p in sorted((seed / "records").rglob("*.yaml"))]
    deputies = [r for r in originals if r["type"] == "deputy"]
    documents = [r for r in originals if r["type"] != "deputy"]
    records: list[dict[str, Any]] = []
    copy = 0
    while len(records) < n:
        era = copy % ERAS
        suffix = "" if copy == 0 else f"-b{copy}"
        # Copies that share an era share its committee: their meetings name the era's first deputies,
        # and their own registry entries carry no committee roles.
        era_suffix = "" if era == 0 else f"-b{era}"
        dep_ids = {d["id"]: d["id"] + era_suffix for d in deputies}
        doc_ids = {r["id"]: r["id"] + suffix for r in documents}
        ids = {**dep_ids, **doc_ids}
        for original in [*deputies, *documents]:
            rec = _shift(original, 10 * era)
            rec["id"] = ids[original["id"]] if original["type"] != "deputy" else original["id"] + suffix
            if original["type"] == "deputy" and copy >= ERAS:
                for service in rec.get("terms", []):
                    service.pop("roles", None)
            if "term" in rec:
                rec["term"] += TERM_SHIFT * era
            for service in rec.get("terms", []):
                service["term"] += TERM_SHIFT * era
            _remap(rec, ids)
            records.append(rec)
        copy += 1
    # Keep whole copies so every reference resolves; trim only deputies of the last one.
    records = records[:n] if len(records) - n < len(deputies) else records
    _renumber(records)
    if rewrite:
        rewrite(records)
    for rec in records:
        folder = "deputies" if rec["type"] == "deputy" else str(rec["date"])[:4]
        path = target / "records" / folder / f"{rec['id']}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_yaml(rec), encoding="utf-8")
    return len(records)


_REF_KEYS = {"meeting", "presiding", "deputy", "leader", "lead", "from_motion", "suggestion", "opinion"}
_REF_LISTS = {"present", "absent", "members", "cosigners", "suggestions"}


def _remap(value: Any, ids: dict[str, str]) -> None:
    """Point every reference of a copied record at the same copy's records."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _REF_KEYS and isinstance(item, str):
                value[key] = ids.get(item, item)
            elif key in _REF_LISTS and isinstance(item, list) and all(isinstance(x, str) for x in item):
                value[key] = [ids.get(x, x) for x in item]
            else:
                _remap(item, ids)
    elif isinstance(value, list):
        for item in value:
            _remap(item, ids)


def _renumber(records: list[dict[str, Any]]) -> None:
    """Sittings ascend with date within (term, kind); 发文字号 are unique per 代字 and year."""
    groups: dict[tuple[Any, Any], list[dict[str, Any]]] = defaultdict(list)
    for rec in records:
        if rec["type"] == "meeting":
            groups[(rec["term"], rec["kind"])].append(rec)
    for meetings in groups.values():
        meetings.sort(key=lambda r: (str(r["date"]), r["sitting"], r["id"]))
        for number, rec in enumerate(meetings, start=1):
            rec["sitting"] = number
    numbers: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for rec in records:
        for holder in [rec, *rec.get("resolutions", [])]:
            match = re.match(r"^(.+)〔(\d{4})〕\d+号$", str(holder.get("doc_number", "")))
            if match:
                numbers[(match.group(1), match.group(2))].append(holder)
    for (code, year), holders in numbers.items():
        holders.sort(key=lambda h: (str(h.get("date", "")), str(h.get("id", h.get("title", "")))))
        for seq, holder in enumerate(holders, start=1):
            holder["doc_number"] = f"{code}〔{year}〕{seq}号"
