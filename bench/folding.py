"""What traditional → simplified folding costs, in CPU seconds measured inside one process (issue 17).

    python bench/folding.py DIR [--engines whoosh,tantivy] [--rounds 10]

DIR is a workspace kept by ``bench/search.py N --keep DIR`` or ``bench/related.py N --keep DIR``.  On a
shared machine the wall time of two separate runs (``bench/search.py --script-fold both``) moves with
everybody else's work far more than folding costs; this measures the folding itself:

* build: the index is rebuilt in this one process (``RENDA_INDEX_WORKERS=1``) and every traditional-
  character check and conversion is timed on its own thread (tantivy indexes on threads of its own
  meanwhile), against the build's CPU time;
* queries: bench/search.py's 20 queries (parse, plan, search, snippets), rounds with and without the
  check alternating in the same process, CPU time per query.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path
from typing import Any

from search import QUERIES, _pct  # the same query set


def build_share(root: Path, engine: str) -> str:
    import archive.search.analysis as analysis
    from archive.search import update_index
    from archive.workspace import Workspace

    spent = [0.0, 0, 0]
    check, convert = analysis._has_traditional, analysis.to_simplified

    def timed_check(text: str) -> bool:
        t = time.thread_time()
        found = check(text)
        spent[0] += time.thread_time() - t
        spent[1] += 1
        spent[2] += len(text)
        return found

    def timed_convert(text: str) -> str:
        t = time.thread_time()
        out = convert(text)
        spent[0] += time.thread_time() - t
        return out

    analysis._has_traditional, analysis.to_simplified = timed_check, timed_convert
    analysis._traditional()  # the one-off table (0.2 s a process) is not per record
    try:
        c0, t0 = time.process_time(), time.perf_counter()
        report = update_index(Workspace(root), rebuild=True, engine=engine)
        cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    finally:
        analysis._has_traditional, analysis.to_simplified = check, convert
    return (
        f"{engine} build: {report.indexed} records, {cpu:.1f} s CPU ({wall:.1f} s wall); folding {spent[0]:.2f} s "
        f"CPU = {100 * spent[0] / cpu:.1f} % ({spent[1]} checks over {spent[2] / 1e6:.1f} M characters)"
    )


def _no_traditional(text: str) -> bool:  # noqa: ARG001  (the signature of analysis._has_traditional)
    """Folding off: no text is taken for traditional script."""
    return False


def query_cost(root: Path, engine: str, rounds: int) -> str:
    import archive.search.analysis as analysis
    from archive.search.engine import open_engine
    from archive.search.index import search_settings
    from archive.search.query import needles_of, parse_query, plan_query
    from archive.search.snippet import make_snippet
    from archive.search.store import MANIFEST, Manifest, live_generation
    from archive.workspace import Workspace

    workspace = Workspace(root)
    settings = search_settings(workspace, engine)
    generation = live_generation(workspace, engine)
    assert generation is not None
    manifest = Manifest.read(generation / MANIFEST, engine)
    assert manifest is not None
    analyzer = manifest.analyzer()
    eng: Any = open_engine(engine, generation, analyzer)
    real = analysis._has_traditional
    times: dict[str, list[float]] = {"on": [], "off": []}
    try:
        for round_ in range(rounds + 1):
            for mode in ("on", "off"):
                analysis._has_traditional = real if mode == "on" else _no_traditional
                for text in QUERIES:
                    t0 = time.process_time()
                    query = parse_query(text)
                    hits = eng.search(plan_query(query, analyzer, settings.max_rank), 10)
                    needles = needles_of(query, analyzer)
                    for hit in hits:
                        make_snippet(hit.text, needles)
                    if round_:  # the first round warms caches
                        times[mode].append(time.process_time() - t0)
    finally:
        analysis._has_traditional = real
        eng.close()
    on, off = times["on"], times["off"]
    p95 = 100 * (_pct(on, 0.95) / _pct(off, 0.95) - 1)
    return (
        f"{engine} queries: CPU per query with / without folding p50 {statistics.median(on) * 1000:.2f} / "
        f"{statistics.median(off) * 1000:.2f} ms, p95 {_pct(on, 0.95) * 1000:.2f} / {_pct(off, 0.95) * 1000:.2f} ms "
        f"({p95:+.1f} %), {len(on)} queries each"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path, help="a workspace kept by bench/search.py or bench/related.py")
    parser.add_argument("--engines", default="whoosh,tantivy")
    parser.add_argument("--rounds", type=int, default=10, help="timed rounds over the query set, per mode")
    args = parser.parse_args()
    os.environ["RENDA_INDEX_WORKERS"] = "1"  # the whole build in this process, where it is timed
    for engine in args.engines.split(","):
        print(build_share(args.root, engine), flush=True)
        print(query_cost(args.root, engine, args.rounds), flush=True)


if __name__ == "__main__":
    main()
