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
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from generator import generate

REPO = Path(__file__).resolve().parent.parent


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
