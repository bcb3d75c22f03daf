"""Benchmark `renda validate` on a synthetic workspace of N records.

    python bench/validate.py 10000 [--seed-workspace DIR] [--keep DIR]

The workspace is grown from the bundled sample (the repository root): every
record is copied with a new id, references are remapped to the copy's own
records, sitting numbers and 发文字号 are renumbered so the synthetic
workspace is as valid as the sample.  It prints two tables: throughput of a
full `renda validate` run (one process, one core) with per-file latency
percentiles and peak memory, and the wall time of `renda --help`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent


def _load(path: Path) -> dict[str, Any]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    # CSafeLoader turns dates into datetime.date; the generator writes them back as text.
    return data  # type: ignore[no-any-return]


def _dump(data: dict[str, Any]) -> str:
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
    (target / "renda.yaml").write_text(_dump(config), encoding="utf-8")

    originals = [json.loads(json.dumps(_load(p), default=str)) for p in sorted((seed / "records").rglob("*.yaml"))]
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
        path.write_text(_dump(rec), encoding="utf-8")
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


def measure_latency(root: Path) -> list[float]:
    """Per-file time to read, parse and schema-check (the part that scales with N)."""
    from archive.catalog import _load_file
    from archive.problems import ProblemSink
    from archive.workspace import Workspace

    ws = Workspace(root)
    ws.config  # noqa: B018 - load schemas and config outside the timed loop
    sink = ProblemSink()
    times = []
    for path in ws.record_files():
        start = time.perf_counter()
        _load_file(ws, path, sink)
        times.append(time.perf_counter() - start)
    return times


def run_validate(root: Path) -> tuple[float, int, dict[str, Any]]:
    renda = Path(sys.executable).parent / "renda"
    command = [str(renda)] if renda.exists() else [sys.executable, str(REPO / "cli.py")]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run([*command, "--root", str(root), "validate", "--json"], capture_output=True, text=True)
    wall = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode not in (0, 1):
        sys.exit(f"validate failed:\n{done.stderr}")
    report = json.loads(done.stdout)
    return wall, max(peak_kb, before), report


def help_times(runs: int = 10) -> list[float]:
    renda = Path(sys.executable).parent / "renda"
    command = [str(renda)] if renda.exists() else [sys.executable, str(REPO / "cli.py")]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([*command, "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return times


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="number of records to generate")
    parser.add_argument(
        "--seed-workspace", type=Path, default=REPO, help="workspace to grow from (default: the sample)"
    )
    parser.add_argument("--keep", type=Path, help="write the synthetic workspace here and keep it")
    args = parser.parse_args()

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="renda-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        count = generate(args.seed_workspace, workdir, args.n)
        gen = time.perf_counter() - t0
        wall, peak_kb, report = run_validate(workdir)
        latency = measure_latency(workdir)
        helps = help_times()
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    size = sum(os.path.getsize(p) for p in (args.keep or workdir).rglob("*.yaml")) if args.keep else None
    rows = [
        ("records", f"{count}"),
        ("generation (s)", f"{gen:.2f}"),
        ("validate wall (s)", f"{wall:.2f}"),
        ("throughput (records/s)", f"{count / wall:,.0f}"),
        ("per-file p50 (ms)", f"{statistics.median(latency) * 1000:.2f}"),
        ("per-file p95 (ms)", f"{_pct(latency, 0.95) * 1000:.2f}"),
        ("per-file p99 (ms)", f"{_pct(latency, 0.99) * 1000:.2f}"),
        ("peak RSS (MiB)", f"{peak_kb / 1024:.0f}"),
        ("problems (errors/warnings)", f"{len(report['errors'])}/{len(report['warnings'])}"),
        ("`renda --help` median (s)", f"{statistics.median(helps):.3f}"),
        ("`renda --help` max (s)", f"{max(helps):.3f}"),
    ]
    if size is not None:
        rows.append(("workspace size (MiB)", f"{size / 1024 / 1024:.1f}"))
    width = max(len(k) for k, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 10}")
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
