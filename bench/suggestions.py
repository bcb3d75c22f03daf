"""Benchmark the suggestions' follow-up (`renda track`) and statistics (`renda track stats`) on N suggestions.

    python bench/suggestions.py 5000 [--keep DIR]

The workspace is the bundled sample plus N synthetic suggestions spread over 2022–2025 (term 17): each copies
one of the sample's 2022–2025 suggestions with a new number and id, the same signers, organs and handling, so
the mix of answered, evaluated, re-handled, overdue and extended ones is the sample's.  It prints the time of
loading and checking the catalog once, of the follow-up and of the statistics on that catalog (the work the
commands add), and the wall time of each command as a user runs it (a new process, everything included).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUNS = 5


def build(root: Path, count: int) -> None:
    shutil.copytree(REPO / "records", root / "records")
    shutil.copy(REPO / "renda.yaml", root / "renda.yaml")
    seeds = [
        (int(p.parent.name), p.read_text("utf-8"))
        for year in (2022, 2023, 2024, 2025)
        for p in sorted((REPO / "records" / str(year)).glob("suggestion-*.yaml"))
        if "from_motion" not in p.read_text("utf-8")
    ]
    for n in range(count):
        year, text = seeds[n % len(seeds)]
        number = 1000 + n
        rid = f"suggestion-{year}-{number}"
        text = re.sub(r"(?m)^id: .*$", f"id: {rid}", text, count=1)
        text = re.sub(r"(?m)^number: .*$", f"number: {number}", text, count=1)
        (root / "records" / str(year) / f"{rid}.yaml").write_text(text, "utf-8")


def timed(func: object, runs: int = RUNS) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        func()  # type: ignore[operator]
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("count", type=int, nargs="?", default=5000)
    parser.add_argument("--keep", type=Path, help="build the workspace here and keep it")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="renda-bench-suggestions-"))
    try:
        build(root, args.count)
        sys.path.insert(0, str(REPO))
        from archive.catalog import load_catalog
        from archive.followup import proposal_statistics, track_everything
        from archive.workspace import Workspace

        workspace = Workspace(root)
        started = time.perf_counter()
        catalog = load_catalog(workspace)
        load = time.perf_counter() - started
        problems = [p for p in catalog.sink.sorted() if p.severity.name == "ERROR"]
        track = timed(lambda: track_everything(catalog))
        stats = timed(lambda: proposal_statistics(catalog))
        report = track_everything(catalog)
        renda = [str(Path(sys.executable).parent / "renda"), "--root", str(root)]
        walls = {}
        for name, command in (("track", ["track"]), ("track stats", ["track", "stats"])):
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                subprocess.run([*renda, *command], check=True, capture_output=True)
                runs.append(time.perf_counter() - started)
            walls[name] = statistics.median(runs)
        print(f"{len(catalog.records)} records ({args.count} synthetic suggestions), {len(problems)} errors")
        print(f"items tracked: {len(report.items)}")
        print(f"{'phase':<40}{'median s':>10}{'max s':>10}")
        print(f"{'load and check the catalog (once)':<40}{load:>10.3f}{load:>10.3f}")
        print(f"{'follow-up of every item':<40}{statistics.median(track):>10.3f}{max(track):>10.3f}")
        print(f"{'statistics by organ':<40}{statistics.median(stats):>10.3f}{max(stats):>10.3f}")
        for name, wall in walls.items():
            print(f"{'renda ' + name + ' (new process, wall)':<40}{wall:>10.3f}")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
