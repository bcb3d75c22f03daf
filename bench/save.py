"""Benchmark the drafting desk's save path: validate-and-save of an opinion in a workspace of N records.

    python bench/save.py 5000 [--saves 200] [--git] [--keep DIR] [--profile]

The workspace is bench/web.py's realistic corpus (bench/validate.py's generator, bench/corpus.py's text model,
~2 KB of Chinese per record), built in a temporary folder or in ``--keep DIR`` (reused when already there).  The
catalog is loaded once, as ``renda serve`` holds it; then one opinion is opened and ``Desk.save`` is called
``--saves`` times, changing its title back and forth, each save on the catalog and version the one before
returned (as the web page installs it: ``Site.install``).  Each save reads the file again under the write lock,
checks the folder for files changed since the catalog was loaded, edits the YAML in place, runs the schema and
every cross-record rule of ``renda validate`` over the workspace with the opinion in place and writes the file
atomically; with ``--git`` the workspace is a git repository and each save is also a commit (dulwich).

It prints p50/p95/p99 of a save and the process's peak memory, and exits 1 when p95 exceeds 300 ms (issue 14's
target at 5,000 records).  ``--profile`` prints where the time of the saves goes (cProfile, top 25 by cumulative
time).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from web import build_workspace  # noqa: E402  (the same synthetic workspace as the web benchmark)

from archive.catalog import Catalog, load_catalog  # noqa: E402
from archive.drafting import Desk  # noqa: E402
from archive.records import Opinion  # noqa: E402
from archive.workspace import Workspace  # noqa: E402

TARGET_P95_MS = 300.0


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def init_git(root: Path) -> None:
    """Make the workspace a git repository (an empty one: each save commits its file onto it)."""
    from dulwich.repo import Repo

    Repo.init(str(root)).close()


def run_saves(desk: Desk, catalog: Catalog, saves: int) -> list[float]:
    """Milliseconds of each of ``saves`` saves of the workspace's first opinion, title changed back and forth."""
    opinion = next(r for r in catalog.records if isinstance(r, Opinion) and r.source not in catalog.first_errors())
    draft = desk.open(catalog, opinion.id)
    titles = [str(draft.data["title"]), str(draft.data["title"]) + "（修订稿）"]
    version, latencies = draft.version, []
    for k in range(saves):
        data = {**draft.data, "title": titles[(k + 1) % 2]}
        start = time.perf_counter()
        result = desk.save(catalog, "opinion", data, base_version=version, author="bench", record_id=opinion.id)
        latencies.append((time.perf_counter() - start) * 1000)
        if not result.ok or result.draft is None or result.catalog is None:
            raise SystemExit(f"save {k} refused: {result.problems or result.conflict}")
        if result.notes:
            raise SystemExit(f"save {k}: {result.notes}")
        version, catalog = result.draft.version, result.catalog
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="number of records to generate")
    parser.add_argument("--saves", type=int, default=200, help="timed saves")
    parser.add_argument("--git", action="store_true", help="make the workspace a git repository: a commit per save")
    parser.add_argument("--record-kb", type=float, default=2.0, help="Chinese text per record, on average (KB)")
    parser.add_argument("--keep", type=Path, help="write the synthetic workspace here and keep it (reused if there)")
    parser.add_argument("--profile", action="store_true", help="print where the saves' time goes (cProfile)")
    args = parser.parse_args()
    if args.saves < 1:
        parser.error("--saves must be at least 1")

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="renda-bench-save-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        if not (workdir / "renda.yaml").exists():
            build_workspace(workdir, args.n, args.record_kb)
        generated = time.perf_counter() - t0
        if args.git and not (workdir / ".git").exists():
            init_git(workdir)
        workspace = Workspace(workdir)
        t0 = time.perf_counter()
        catalog = load_catalog(workspace)
        loaded = time.perf_counter() - t0
        desk = Desk(workspace)
        run_saves(desk, catalog, 3)  # warm-up: imports, the schema validators
        profile = cProfile.Profile() if args.profile else None
        if profile:
            profile.enable()
        latencies = run_saves(desk, catalog, args.saves)
        if profile:
            profile.disable()
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"records: {len(catalog.files)} (generated in {generated:.0f} s, catalog loaded in {loaded:.1f} s)")
    print(f"{args.saves} saves of one opinion{' (git: a commit each)' if args.git else ''}")
    print(f"{'':<8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'peak RSS':>10}")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    p50, p95, p99 = (_pct(latencies, q) for q in (0.5, 0.95, 0.99))
    print(f"{'save':<8} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f} {max(latencies):>8.1f} {peak_mib:>7.0f} MiB")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    ok = p95 <= TARGET_P95_MS
    print(f"target: save p95 ≤ {TARGET_P95_MS:.0f} ms: {p95:.1f} {'met' if ok else 'MISSED'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
