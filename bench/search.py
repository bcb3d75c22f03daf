"""Benchmark search on a synthetic workspace of N records, both engines in one run.

    python bench/search.py 50000 [--engines whoosh,tantivy] [--corpus realistic|copies] [--keep DIR]
                                 [--queries-repeat 5] [--script-fold on|off|both]

The workspace is grown from the bundled sample by bench/validate.py's generator (same records, shifted
terms and dates, renumbered).  Half the sample's records are short deputy entries, so the copies average
about 1.1 KB of Chinese; the records with a ``body`` are then lengthened until the whole workspace
averages ``--record-kb`` (2 KB, as issue 4 asks) of Chinese per record.  Two text models:

* ``--corpus realistic`` (the default, bench/corpus.py): each copy of the sample gets its own subjects,
  drawn Zipf-like from nearly 200 policy subjects (物业管理, 燃气安全, 河长制…), its own deputies' and
  officials' names, and bodies lengthened with the sample's sentences refilled with the record's own
  subject, varied numbers, places and people.  A subject of the query set is then in about 0.5–4 % of
  the records and an ordinary deputy's name (沈秀兰) in 0.3 %, as in a real archive of a city congress,
  while procedural words (审议意见, 执法检查, 常委会) stay common.  A member of the standing committee
  (赵静英) is in about 2 %: the minutes of every sitting of her era list her, as a real archive's do.
* ``--corpus copies`` (the old model): the copies keep the sample's subjects and names, and bodies are
  lengthened with whole paragraphs of the sample.  The workspace is then ~94 texts repeated: every topic
  phrase is in 14–16 % of the records (物业管理 in 822 of 5,076) and every deputy's name in ~10 %, so
  query latencies are those of an unrealistically dense workload.  Kept for comparison.

After generating, the bench prints the share of records that contain each query's words (deputy ids
resolved to names, as the index does), so the workload is visible.  Each engine is measured in its own
process so peak memory is its own:

* build: ``renda index --rebuild`` work (read + schema-check every record, segment, index), records/s;
* incremental: one record edited, then ``renda index`` (stat every file, hash the changed one, update);
* query latency over a mixed 20-query set (words, phrases, OR, exclusion, filters, sittings, names,
  a single character), engine opened once as a long-running process would: parse + plan + search +
  snippets, p50/p95/p99; and one-shot ``renda search`` (open index, freshness check included), median;
* ``--script-fold both`` measures each engine twice, with and without traditional → simplified folding
  (without: the check for traditional characters is switched off, so nothing is converted);
* index size on disk, peak RSS of the measuring process and of the largest build worker (Whoosh
  builds in one forked process per core; their memory is largely shared with the parent).
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

from corpus import realistic  # noqa: E402
from generator import ERAS, TERM_SHIFT, dump_yaml, generate, load_yaml  # noqa: E402

QUERIES = [
    "物业管理",
    '"农村生活污水"',
    "养老服务 届:17",
    "食品安全 OR 大气污染",
    "审议意见 -物业",
    "十七届十二次",
    "赵静英",
    "沈秀兰 述职",
    "湖",
    '"满意度测评"',
    "营商环境 年:2024",
    "执法检查 类型:inspection",
    "公益诉讼检察",
    "预算执行 审计",
    "河长制 水环境治理",
    '"专项维修资金"',
    "代表联络站 选民",
    "学前教育 OR 未成年人",
    "决算 类型:会议",
    "第十七届人大常委会第十九次会议",
]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (Whoosh's build workers): unlike wall time,
    hardly changed by other work on a shared machine."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def worker(root: Path, engine: str, repeat: int, script_fold: bool = True) -> dict[str, Any]:
    """Everything measured for one engine, in this process."""
    if not script_fold:
        import archive.search.analysis as analysis

        # build workers are forked: they inherit it
        analysis._has_traditional = lambda text: False  # noqa: ARG005 (the signature it stands in for)
    from archive.search import search_workspace, update_index
    from archive.search.engine import open_engine
    from archive.search.index import search_settings
    from archive.search.query import needles_of, parse_query, plan_query
    from archive.search.snippet import make_snippet
    from archive.search.store import MANIFEST, Manifest, live_generation
    from archive.workspace import Workspace

    ws = Workspace(root)
    cpu = _cpu_seconds()
    start = time.perf_counter()
    report = update_index(ws, rebuild=True, engine=engine)
    build = time.perf_counter() - start
    build_cpu = _cpu_seconds() - cpu

    edited = sorted((root / "records").rglob("opinion-*.yaml"))[len(QUERIES)]
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("。", "。经复核，", 1), encoding="utf-8")
    start = time.perf_counter()
    incremental = update_index(ws, engine=engine)
    incremental_s = time.perf_counter() - start
    assert incremental.updated == 1 and not incremental.rebuilt, incremental.as_dict()

    settings = search_settings(ws, engine)
    generation = live_generation(ws, engine)
    assert generation is not None
    manifest = Manifest.read(generation / MANIFEST, engine)
    assert manifest is not None
    analyzer = manifest.analyzer()
    eng = open_engine(engine, generation, analyzer)
    latencies: list[float] = []
    hits_per_query = []
    for round_ in range(repeat + 1):
        for text in QUERIES:
            t0 = time.perf_counter()
            query = parse_query(text)
            hits = eng.search(plan_query(query, analyzer, settings.max_rank), 10)
            needles = needles_of(query, analyzer)
            for hit in hits:
                make_snippet(hit.text, needles)
            elapsed = time.perf_counter() - t0
            if round_:  # the first round warms caches
                latencies.append(elapsed)
            else:
                hits_per_query.append(len(hits))
    eng.close()
    one_shot = []
    for text in QUERIES[:5]:
        t0 = time.perf_counter()
        search_workspace(ws, text, engine=engine)
        one_shot.append(time.perf_counter() - t0)
    return {
        "engine": engine if script_fold else f"{engine}-nofold",
        "indexed": report.indexed,
        "build_s": build,
        "build_cpu_s": build_cpu,
        "incremental_s": incremental_s,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": _pct(latencies, 0.95) * 1000,
        "p99_ms": _pct(latencies, 0.99) * 1000,
        "one_shot_ms": statistics.median(one_shot) * 1000,
        "queries_with_hits": sum(1 for n in hits_per_query if n),
        "index_mib": _size(generation) / 1024 / 1024,  # the live generation (a second run keeps the first)
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        # the build's worker processes (Whoosh); forked, so much of their memory is shared with this one
        "children_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


_CJK = re.compile("[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”]")


def _chinese_bytes(text: str) -> int:
    return 3 * len(_CJK.findall(text))  # UTF-8 bytes of Chinese characters and punctuation


def _chinese_bytes_per_record(root: Path) -> float:
    files = list((root / "records").rglob("*.yaml"))
    return sum(_chinese_bytes(p.read_text(encoding="utf-8")) for p in files) / max(1, len(files))


def lengthen(root: Path, kb: float) -> int:
    """Append body paragraphs of the sample to records with a body until the workspace averages ``kb``
    KB of Chinese per record; returns the number of records lengthened."""
    files = sorted((root / "records").rglob("*.yaml"))
    texts = {path: path.read_text(encoding="utf-8") for path in files}
    missing = kb * 1024 * len(files) - sum(_chinese_bytes(t) for t in texts.values())
    bodies = [path for path in files if re.search(r"^body:$", texts[path], re.M)]
    if missing <= 0 or not bodies:
        return 0
    pool = [
        para
        for path in sorted((REPO / "records").rglob("*.yaml"))
        for para in load_yaml(path).get("body") or []
        if isinstance(para, str) and _chinese_bytes(para) > 60
    ]
    per_record = missing / len(bodies)
    for i, path in enumerate(bodies):
        record = load_yaml(path)
        added, k = 0, 0
        while added < per_record:
            para = pool[(7 * i + k) % len(pool)]
            record["body"].append(para)
            added += _chinese_bytes(para)
            k += 1
        path.write_text(dump_yaml(record), encoding="utf-8")
    return len(bodies)


_FILTER = re.compile(r"^\S+:\S+$")  # 届:17, 类型:inspection


def query_words(text: str) -> list[str]:
    """The words of a query that records must contain: no filters, exclusions or OR."""
    words = []
    for token in re.findall(r'"[^"]+"|\S+', text):
        if token == "OR" or token.startswith("-") or _FILTER.match(token):
            continue
        words.append(token.strip('"'))
    return words


def document_frequency(root: Path) -> list[tuple[str, list[tuple[str, float]]]]:
    """For each query of the set, the share of records containing each of its words as a substring
    (deputy ids replaced by names, as the index does; a sitting by the sittings the index finds)."""
    from archive.search.content import parse_sitting, sittings_in

    files = sorted((root / "records").rglob("*.yaml"))
    names = {}
    for path in (root / "records" / "deputies").glob("*.yaml"):
        match = re.search(r"^name: (.+)$", path.read_text(encoding="utf-8"), re.M)
        if match:
            names[path.stem] = match.group(1).strip()
    ref = re.compile(r"(?<=[ :-] )(d[0-9a-z-]*\d)$", re.M)
    texts = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        texts.append(ref.sub(lambda m: names.get(m.group(1), m.group(1)), text))
    table = []
    for query in QUERIES:
        cells = []
        for word in query_words(query):
            key = parse_sitting(word)
            found = (key in sittings_in(t) if key else word in t for t in texts)
            count = sum(1 for hit in found if hit)
            cells.append((word, 100 * count / max(1, len(texts))))
        table.append((query, cells))
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, nargs="?", help="number of records to generate")
    parser.add_argument("--engines", default="whoosh,tantivy", help="comma-separated engines to measure")
    parser.add_argument("--keep", type=Path, help="write the synthetic workspace here and keep it")
    parser.add_argument("--queries-repeat", type=int, default=5, help="timed rounds over the query set")
    parser.add_argument("--record-kb", type=float, default=2.0, help="Chinese text per record, on average (KB)")
    parser.add_argument("--corpus", choices=("realistic", "copies"), default="realistic", help="text model (see above)")
    parser.add_argument("--script-fold", choices=("on", "off", "both"), default="on", help="traditional folding")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.root, args.worker, args.queries_repeat, args.script_fold != "off")))
        return
    if not args.n:
        parser.error("N is required")

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="renda-bench-search-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    load = os.getloadavg()
    try:
        t0 = time.perf_counter()
        if args.corpus == "realistic":
            lengthened = 0

            def rewrite(records: list[dict[str, Any]]) -> None:
                nonlocal lengthened
                lengthened = realistic(records, REPO, args.record_kb, ERAS, TERM_SHIFT)

            count = generate(REPO, workdir, args.n, rewrite)
        else:
            count = generate(REPO, workdir, args.n)
            lengthened = lengthen(workdir, args.record_kb)
        gen = time.perf_counter() - t0
        per_record = _chinese_bytes_per_record(workdir)
        frequencies = document_frequency(workdir)
        folds = ("off", "on") if args.script_fold == "both" else (args.script_fold,)
        for engine, fold in [(e, f) for e in args.engines.split(",") for f in folds]:
            done = subprocess.run(
                [sys.executable, __file__, "--worker", engine, "--root", str(workdir),
                 "--queries-repeat", str(args.queries_repeat), "--script-fold", fold],
                capture_output=True, text=True,
            )  # fmt: skip
            if done.returncode:
                sys.exit(f"{engine} failed:\n{done.stderr}")
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"records: {count} ({args.corpus} corpus, generated in {gen:.1f} s, {lengthened} lengthened), "
        f"Chinese text ≈ {per_record / 1024:.2f} KB per record file on average"
    )
    print("share of records containing the query words (document frequency):")
    width = max(len(q) for q, _ in frequencies)
    for query, cells in frequencies:
        shown = " · ".join(f"{word} {pct:.2f} %" for word, pct in cells)
        print(f"  {query:<{width}}  {shown}")
    print(f"query set: {len(QUERIES)} mixed queries × {args.queries_repeat} timed rounds, limit 10, snippets made")
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("records indexed", lambda r: f"{r['indexed']}"),
        ("build (s)", lambda r: f"{r['build_s']:.1f}"),
        ("build (records/s)", lambda r: f"{r['indexed'] / r['build_s']:,.0f}"),
        ("build CPU, all processes (s)", lambda r: f"{r['build_cpu_s']:.1f}"),
        ("re-index after 1 edit (s)", lambda r: f"{r['incremental_s']:.2f}"),
        ("query p50 (ms)", lambda r: f"{r['p50_ms']:.1f}"),
        ("query p95 (ms)", lambda r: f"{r['p95_ms']:.1f}"),
        ("query p99 (ms)", lambda r: f"{r['p99_ms']:.1f}"),
        ("one-shot renda search (ms)", lambda r: f"{r['one_shot_ms']:.0f}"),
        ("queries with hits", lambda r: f"{r['queries_with_hits']}/{len(QUERIES)}"),
        ("index size (MiB)", lambda r: f"{r['index_mib']:.1f}"),
        ("peak RSS (MiB)", lambda r: f"{r['peak_rss_mib']:.0f}"),
        ("peak RSS, largest worker (MiB)", lambda r: f"{r['children_rss_mib']:.0f}" if r["children_rss_mib"] else "-"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  " + "  ".join(f"{r['engine']:>10}" for r in results))
    print(f"{'-' * width}  " + "  ".join("-" * 10 for _ in results))
    for name, cell in rows:
        print(f"{name:<{width}}  " + "  ".join(f"{cell(r):>10}" for r in results))
    print_folding_cost(results)
    print(f"load average (1/5/15 min) at the start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, at the end: "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))  # fmt: skip


def print_folding_cost(results: list[dict[str, Any]]) -> None:
    """With ``--script-fold both``: what folding adds to each engine's build time and query p95 (the
    acceptance of issue 17 is at most 10 % of each)."""
    by_engine = {r["engine"]: r for r in results}
    pairs = [(e, by_engine[e], by_engine[f"{e}-nofold"]) for e in by_engine if f"{e}-nofold" in by_engine]
    if not pairs:
        return
    print("traditional → simplified folding costs (with vs without, same run):")
    for engine, on, off in pairs:
        build = 100 * (on["build_s"] / off["build_s"] - 1)
        cpu = 100 * (on["build_cpu_s"] / off["build_cpu_s"] - 1)
        p95 = 100 * (on["p95_ms"] / off["p95_ms"] - 1)
        p50 = 100 * (on["p50_ms"] / off["p50_ms"] - 1)
        print(f"  {engine}: build {build:+.1f} % (CPU {cpu:+.1f} %), query p95 {p95:+.1f} % (p50 {p50:+.1f} %)")


if __name__ == "__main__":
    main()
