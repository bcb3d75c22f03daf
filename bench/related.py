"""Benchmark `renda related` on a synthetic workspace of N records (issue 17: the key-phrase cache).

    python bench/related.py 5000 [--keep DIR] [--repeat 3]

``--keep DIR`` keeps the workspace; a DIR that already holds one (renda.yaml) is measured again as it is.

The workspace is grown from the bundled sample by bench/validate.py's generator with bench/corpus.py's
realistic text model (each copy of the sample gets its own subjects, names and places), as bench/search.py
does.  Printed, median of ``--repeat`` runs each:

* one ``renda related ID`` and one ``renda related --recurring`` as the clerk runs them (a new process:
  the workspace is loaded and validated, then related), cold (no cache in ``.renda/related/``) and warm
  (the cache a previous run left);
* inside one process, the key-phrase vectors alone (``archive.related._vectors``), cold and warm, and
  the cache file's size.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RENDA = [sys.executable, str(REPO / "cli.py")]  # this tree's renda (a copy of an older commit measures that one)

from corpus import realistic  # noqa: E402
from generator import ERAS, TERM_SHIFT, generate  # noqa: E402  (the one synthetic-workspace generator)

SUBJECT = "opinion-2024-01"  # the sample's 营商环境 opinion, copy 0 of the synthetic workspace
CACHE = Path(".renda") / "related"


def _clear(root: Path) -> None:
    shutil.rmtree(root / CACHE, ignore_errors=True)


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _cli(root: Path, args: list[str], cold: bool, repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``renda ARGS`` in a new process."""
    times, cpu = [], []
    for _ in range(repeat):
        if cold:
            _clear(root)
        t0, c0 = time.perf_counter(), _children_cpu()
        done = subprocess.run([*RENDA, "--root", str(root), *args], capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        cpu.append(_children_cpu() - c0)
        if done.returncode:
            sys.exit(f"renda {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return statistics.median(times), statistics.median(cpu)


def _vectors(root: Path, repeat: int) -> dict[str, Any]:
    from archive.catalog import load_catalog
    from archive.clearance import Clearance
    from archive.related import _vectors
    from archive.workspace import Workspace

    workspace = Workspace(root)
    catalog = load_catalog(workspace)
    clearance = Clearance.of(workspace.config)
    out: dict[str, Any] = {}
    for state in ("cold", "warm"):
        times, cpu = [], []
        for _ in range(repeat):
            if state == "cold":
                _clear(root)
            t0, c0 = time.perf_counter(), time.process_time()
            vectors = _vectors(catalog, clearance)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        out[state] = (statistics.median(times), statistics.median(cpu))
    out["records"] = len(vectors.weights)
    files = list((root / CACHE).glob("*")) if (root / CACHE).exists() else []
    out["cache_kib"] = sum(p.stat().st_size for p in files) / 1024
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="number of records to generate (0: the sample itself)")
    parser.add_argument("--keep", type=Path, help="write the synthetic workspace here and keep it")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure (median)")
    args = parser.parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="renda-bench-related-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        if (workdir / "renda.yaml").exists():
            count = len(list((workdir / "records").rglob("*.yaml")))
        elif args.n:
            count = generate(REPO, workdir, args.n, lambda rs: realistic(rs, REPO, 2.0, ERAS, TERM_SHIFT))
        else:
            shutil.copytree(REPO / "records", workdir / "records")
            shutil.copy(REPO / "renda.yaml", workdir / "renda.yaml")
            count = len(list((workdir / "records").rglob("*.yaml")))
        inside = _vectors(workdir, args.repeat)
        rows = [
            (f"renda related {SUBJECT}", ["related", SUBJECT]),
            ("renda related --recurring", ["related", "--recurring"]),
        ]
        timed = [(name, _cli(workdir, a, True, args.repeat), _cli(workdir, a, False, args.repeat)) for name, a in rows]
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"records: {count} ({inside['records']} raise problems and are weighed)")
    print("seconds, median of", args.repeat, "— wall / CPU (CPU hardly moves with others' work on a shared machine)")
    print(f"{'measure':<40} {'cold':>15} {'warm':>15}")
    measured = [("key-phrase vectors, in one process", inside["cold"], inside["warm"]), *timed]
    for name, cold, warm in measured:
        print(f"{name:<40} {cold[0]:>7.2f} / {cold[1]:<5.2f} {warm[0]:>7.2f} / {warm[1]:<5.2f}")
    print(f"cache size: {inside['cache_kib']:.0f} KiB")


if __name__ == "__main__":
    main()
