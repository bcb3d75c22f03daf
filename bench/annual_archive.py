"""Benchmark `renda archive build` and `renda archive verify` on a synthetic year of N records.

    python bench/annual_archive.py 300 [--year 2024] [--keep DIR]

The workspace comes from bench/generator.py with every copy of the sample kept in the
sample's own decade, so one year holds many copies of that year's records (12 per copy for 2024;
N is rounded up to whole copies).  Prints wall time of the build and of the verification, peak
memory of this process (Python side) and of LibreOffice (children), the CPU seconds the build used (the
machine may be shared: wall time ≥ CPU time / cores), and the package size.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import generator

REPO = Path(__file__).resolve().parent.parent


def records_in_year(seed: Path, year: int) -> tuple[int, int]:
    """(records dated in ``year``, documents per copy of the sample)."""
    import yaml

    dated = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((seed / "records").rglob("*.yaml"))]
    return sum(1 for r in dated if str(r.get("date", ""))[:4] == str(year)), len(dated)


def _cpu() -> float:
    """CPU seconds of this process and its finished children: what the build costs on a busy machine."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="records in the archived year (rounded up to whole copies)")
    parser.add_argument("--year", type=int, default=2024, help="which sample year to multiply (default 2024)")
    parser.add_argument("--keep", type=Path, help="write the workspace and package here and keep them")
    args = parser.parse_args()

    from archive.annual import build_annual_archive, verify_package
    from archive.workspace import Workspace

    per_copy, all_records = records_in_year(REPO, args.year)
    copies = max(1, math.ceil(args.n / per_copy))
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="renda-bench-archive-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        generator.ERAS = 1  # every copy stays in the sample's years: one year, many records
        t0 = time.perf_counter()
        generator.generate(REPO, workdir, copies * all_records)
        generation = time.perf_counter() - t0

        cpu0 = _cpu()
        t0 = time.perf_counter()
        result = build_annual_archive(Workspace(workdir), args.year, workdir / "out")
        build = time.perf_counter() - t0
        build_cpu = _cpu() - cpu0
        t0 = time.perf_counter()
        report = verify_package(result.path)
        verify = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in result.path.rglob("*") if p.is_file())
        pages = sum(i.pages for i in result.items)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rows = [
        ("records in the year (件)", f"{len(result.items)}"),
        ("pages", f"{pages}"),
        ("generation (s)", f"{generation:.1f}"),
        ("build wall (s)", f"{build:.1f}"),
        ("build per 件 (ms)", f"{build / len(result.items) * 1000:.0f}"),
        ("build CPU, python + LibreOffice (s)", f"{build_cpu:.1f}"),
        ("load average at the end (1 min)", f"{os.getloadavg()[0]:.1f}"),
        ("verify wall (s)", f"{verify:.1f}"),
        ("verify ok", f"{report.ok}"),
        ("peak RSS python (MiB)", f"{self_peak:.0f}"),
        ("peak RSS LibreOffice (MiB)", f"{child_peak:.0f}"),
        ("package size (MiB)", f"{size / 1024 / 1024:.1f}"),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 10}")
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    if not report.ok:
        for finding in report.findings[:20]:
            print(finding.format())
        sys.exit(1)


if __name__ == "__main__":
    main()
