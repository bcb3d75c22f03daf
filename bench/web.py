"""Benchmark the office web platform on a synthetic workspace of N records, served as in production.

    python bench/web.py 50000 [--clients 10] [--requests 400] [--engines whoosh,tantivy] [--keep DIR]

The workspace is bench/search.py's realistic corpus (bench/validate.py's generator, bench/corpus.py's text
model, ~2 KB of Chinese per record), indexed with both engines.  For each engine the workspace's renda.yaml
names that engine, the application is served by uvicorn (one process, as ``renda serve`` runs it; a fresh one
for each page, so requests a slow page left running do not weigh on the next) on a free loopback port, and
``--clients`` threads, each logged in as a clerk with its own keep-alive connection, send ``--requests``
requests per page, spread over the clients, after a short warm-up:

* 首页 ``/`` (the dashboard);
* a record page ``/records/<id>``, ids drawn over the whole workspace;
* the search page ``/search?q=…`` over bench/search.py's 20 mixed queries;
* a cached PDF download ``/records/<id>/download/pdf`` (rendered once during the warm-up, then served from the cache).

It prints per page p50/p95/p99 latency, requests/s (wall time of the page's batch), errors and the server's CPU
time per request (user + system over the batch: what a shared machine's load does not change), and the server's
peak memory (VmHWM of its process); then checks the targets of issue 13 (tantivy: search p95 ≤ 100 ms,
record p95 ≤ 50 ms, ≥ 100 record pages/s) and exits 1 when one is missed.  The client threads share the
machine with the server: on 2 cores the figures are what a small office server sees under 10 busy users.
A page the application does not route yet is reported as such and not measured.  The 20 queries repeat, so
after the first of each the search page is answered from the search cache (archive/web/views.py); the
warm-up covers 12 of them, and the first timed request of each of the other 8 is a cold search (the p99).

Measured on the shared 2-core machine (load 1–6), tantivy, 10 clients, 400 requests a page:

=================  =================================  =================================
page               5,000 records                      50,083 records
=================  =================================  =================================
dashboard          p50 15.5 / p95 32.9 ms, 581/s      p50 19.7 / p95 27.5 ms, 491/s
record page        p50 19.3 / p95 34.1 ms, 478/s      p50 25.9 / p95 41.8 ms, 294/s
search page        p50 20.9 / p95 61.4 ms, 288/s      p50 9.6 / p95 31.2 ms (p99 2.3 s), 79/s
cached PDF         p50 27.3 / p95 33.1 ms, 362/s      p50 35.1 / p95 57.3 ms, 245/s
server CPU/request 1.5 / 2.0 / 3.5 / 2.7 ms           2.6 / 5.1 / 16.6 / 4.2 ms
server peak RSS    270 MiB                            1,242 MiB
=================  =================================  =================================

Before the page caches (commit 9b47e39's archive/ under this bench, 5,000 records, load ~1): dashboard p50 805 /
p95 1,209 ms (90.5 ms CPU), record p50 113 / p95 208 ms at 81/s (13.0 ms CPU), search p50 472 / p95 1,336 ms at
13/s (78.3 ms CPU), cached PDF p50 115 / p95 199 ms (12.8 ms CPU).  A cold search at 50,000 records still costs
what it did (one that matches 70 % of the records, "湖", about 1 s: every hit's stored document is read for the
facet counts); generating the workspace takes ~1 min and indexing it with tantivy ~7 min on this machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

from corpus import realistic  # noqa: E402
from generator import ERAS, TERM_SHIFT, dump_yaml, generate, load_yaml  # noqa: E402  (the one synthetic-workspace generator)
from search import QUERIES  # noqa: E402  (the same query set as the engine benchmark)

TARGETS = {  # issue 13, tantivy, 50,000 records, 2 cores
    "search p95 (ms)": ("search", "p95", 100.0),
    "record p95 (ms)": ("record", "p95", 50.0),
}
MIN_RECORD_RATE = 100.0  # record pages per second
WARMUP = 3  # requests per client and page before timing

# The server process: bind a free loopback port, say which, serve until terminated.
SERVE = """
import socket, sys
import uvicorn
from archive.web.app import create_app
# IPPROTO_TCP, as uvicorn's own bind has it: asyncio sets TCP_NODELAY only on such sockets, and without it
# Nagle's algorithm holds the body behind the headers until the client's delayed ACK (40 ms a response).
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
sock.bind(("127.0.0.1", 0))
print(sock.getsockname()[1], flush=True)
config = uvicorn.Config(create_app(sys.argv[1]), log_level="warning", access_log=False, lifespan="off")
uvicorn.Server(config).run(sockets=[sock])
"""


# -- the workspace -------------------------------------------------------------------------------------------


def build_workspace(root: Path, n: int, record_kb: float) -> int:
    """The realistic synthetic workspace of ``n`` records in ``root``; the number written."""

    def rewrite(records: list[dict[str, Any]]) -> None:
        realistic(records, REPO, record_kb, ERAS, TERM_SHIFT)

    return generate(REPO, root, n, rewrite)


def use_engine(root: Path, engine: str) -> None:
    """Name ``engine`` in the workspace's renda.yaml (the application searches with the configured engine)."""
    path = root / "renda.yaml"
    config = load_yaml(path)
    config.setdefault("search", {})["engine"] = engine
    path.write_text(dump_yaml(config), encoding="utf-8")


def index(root: Path, engine: str) -> float:
    """Build ``engine``'s index from scratch; seconds."""
    from archive.search import update_index
    from archive.workspace import Workspace

    start = time.perf_counter()
    update_index(Workspace(root), rebuild=True, engine=engine)
    return time.perf_counter() - start


def add_clerk(root: Path) -> tuple[str, str]:
    """A clerk account with a random password: (name, password)."""
    from archive.accounts import AccountStore
    from archive.accounts.model import new_account
    from archive.workspace import Workspace

    ws = Workspace(root)
    store = AccountStore.of(ws)
    name, password = "bench-clerk", secrets.token_urlsafe(12)
    if store.get(name) is None:
        store.add(new_account(name, "clerk", ws.config.max_public_classification, ws.config, None), password, "bench")
    else:
        store.set_password(name, password, "bench")
    return name, password


def routed(root: Path) -> frozenset[str]:
    from archive.web.app import create_app

    return frozenset(str(getattr(route, "path", "")) for route in create_app(root).routes)


def record_ids(root: Path) -> list[str]:
    """Every record id except the deputies' registry entries (their pages are /deputies/<id>)."""
    return sorted(p.stem for p in (root / "records").rglob("*.yaml") if p.parent.name != "deputies")


# -- the server ----------------------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[str]
    port: int
    peak_rss_kib: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def start(cls, root: Path) -> Server:
        from archive.processes import die_with_parent

        process = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=die_with_parent,  # a killed benchmark leaves no server behind
        )
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.isdigit():
            process.kill()
            sys.exit(f"the server did not start:\n{process.stderr.read() if process.stderr else ''}")
        server = cls(process, int(line))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
                conn.request("GET", "/login")
                if conn.getresponse().status == 200:
                    conn.close()
                    return server
            except OSError:
                time.sleep(0.1)
        server.stop()
        sys.exit("the server did not answer within 60 s")

    def rss_kib(self, key: str = "VmHWM") -> int:
        """The server's peak (VmHWM) or current (VmRSS) resident memory, KiB."""
        try:
            text = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return self.peak_rss_kib
        match = re.search(rf"^{key}:\s+(\d+) kB", text, re.M)
        return int(match.group(1)) if match else 0

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far (user + system), from /proc."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.peak_rss_kib = max(self.peak_rss_kib, self.rss_kib())
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                stream.close()


# -- the clients ---------------------------------------------------------------------------------------------


class Client:
    """One logged-in browser: a keep-alive connection and the session cookie."""

    def __init__(self, port: int, name: str, password: str, timeout: float) -> None:
        self.port = port
        self.timeout = timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.cookie = ""
        page = self.get("/login")[1].decode("utf-8")
        match = re.search(r'name="csrf_token" value="([^"]+)"', page)
        if not match:
            sys.exit("no CSRF token on /login")
        body = urlencode({"name": name, "password": password, "csrf_token": match[1], "next": "/"})
        status, _ = self.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 303:
            sys.exit(f"logging in answered {status}")

    def request(self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        """(status, body); a request that timed out or lost its connection is status 0."""
        sent = dict(headers or {})
        if self.cookie:
            sent["Cookie"] = self.cookie
        try:
            try:
                self.conn.request(method, path, body, sent)
                response = self.conn.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self._reconnect()  # the server closed the kept-alive connection
                self.conn.request(method, path, body, sent)
                response = self.conn.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):  # a timeout: the answer will never be read on this one
            self._reconnect()
            return 0, b""
        cookie = response.getheader("set-cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, data

    def _reconnect(self) -> None:
        self.conn.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)

    def get(self, path: str):  # type: ignore[no-untyped-def]
        return self.request("GET", path)

    def close(self) -> None:
        self.conn.close()


@dataclass
class Result:
    page: str
    latencies: list[float]
    wall: float
    errors: int
    statuses: dict[int, int]
    server_cpu: float = 0.0  # seconds of CPU the server spent on the batch

    @property
    def cpu_per_request(self) -> float:
        """Server CPU per request, ms: what the page costs whatever else runs on the machine."""
        return self.server_cpu / len(self.latencies) * 1000 if self.latencies else float("nan")

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0


def drive(clients: list[Client], page: str, paths: Callable[[int], str], count: int, budget: float) -> Result:
    """``count`` requests of ``paths(i)`` spread over the clients, all at once; latency of each.  A client
    stops early when the page's batch has run ``budget`` seconds (a page too slow to finish is still reported,
    with what was done); a request that timed out counts as an error (status 0)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    share = [count // len(clients) + (1 if i < count % len(clients) else 0) for i in range(len(clients))]
    started: list[float] = []
    barrier = threading.Barrier(len(clients) + 1, action=lambda: started.append(time.perf_counter()))

    def run(k: int, client: Client) -> None:
        try:
            for j in range(WARMUP):
                client.get(paths(k * 7919 + j))
        finally:
            barrier.wait()
        mine: list[float] = []
        seen: dict[int, int] = {}
        for j in range(share[k]):
            if time.perf_counter() - started[0] > budget:
                break
            path = paths(k + j * len(clients))
            t0 = time.perf_counter()
            status, _ = client.get(path)
            mine.append(time.perf_counter() - t0)
            seen[status] = seen.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            for status, n in seen.items():
                statuses[status] = statuses.get(status, 0) + n

    threads = [threading.Thread(target=run, args=(k, c)) for k, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started[0]
    errors = sum(n for status, n in statuses.items() if status != 200)
    return Result(page, latencies, wall, errors, statuses)


def measure(root: Path, engine: str, args: argparse.Namespace, routes: frozenset[str]) -> dict[str, Any]:
    """Serve ``root`` searching with ``engine`` and drive every page; the results and the server's memory."""
    use_engine(root, engine)
    name, password = add_clerk(root)
    ids = record_ids(root)
    rng = random.Random(13)
    drawn = [rng.choice(ids) for _ in range(max(args.requests, 1) + 10 * args.clients)]
    pdf_id = next((i for i in ids if i.startswith("opinion-")), ids[0])
    pages: list[tuple[str, str, Callable[[int], str]]] = [
        ("dashboard", "/", lambda _i: "/"),
        ("record", "/records/{id}", lambda i: f"/records/{drawn[i % len(drawn)]}"),
        ("search", "/search", lambda i: f"/search?q={quote(QUERIES[i % len(QUERIES)])}"),
        ("pdf (cached)", "/records/{id}/download/{fmt}", lambda _i: f"/records/{pdf_id}/download/pdf"),
    ]
    results: list[Result] = []
    skipped: list[str] = []
    peak = 0
    for page, route, paths in pages:
        if route not in routes:
            skipped.append(f"{page}: {route} is not routed by the application yet")
            continue
        # A server of its own for each page: requests a slow page left running do not weigh on the next.
        server = Server.start(root)
        try:
            # One request first, with all the time it needs: the catalog is loaded (and a PDF rendered) here.
            warm = Client(server.port, name, password, max(args.timeout, 600.0))
            status, body = warm.get(paths(0))
            warm.close()
            if page.startswith("pdf") and (status != 200 or not body.startswith(b"%PDF")):
                skipped.append(f"{page}: /records/<id>/download/pdf answered {status}, not a PDF")
                continue
            clients = [Client(server.port, name, password, args.timeout) for _ in range(args.clients)]
            cpu = server.cpu_seconds()  # (the clients' warm-up is counted too: 3 requests each)
            result = drive(clients, page, paths, args.requests, args.page_seconds)
            result.server_cpu = server.cpu_seconds() - cpu
            results.append(result)
            for client in clients:
                client.close()
        finally:
            server.stop()
            peak = max(peak, server.peak_rss_kib)
    return {"engine": engine, "results": results, "skipped": skipped, "peak_rss_mib": peak / 1024}


# -- the report ----------------------------------------------------------------------------------------------


def report(runs: list[dict[str, Any]], args: argparse.Namespace, count: int, timings: dict[str, float]) -> int:
    print(
        f"records: {count} (realistic corpus, generated in {timings['generate']:.0f} s); "
        + ", ".join(f"{e} index built in {timings[e]:.0f} s" for e in args.engines.split(","))
    )
    print(f"{args.clients} clients, {args.requests} timed requests per page (after {WARMUP} per client of warm-up)")
    missed = 0
    for run in runs:
        print(f"\nengine {run['engine']} — server peak RSS {run['peak_rss_mib']:.0f} MiB")
        head = f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'errors':>7} {'cpu ms/req':>11}"
        print(f"{'page':<14} {'done':>6} {head}")
        for r in run["results"]:
            cells = f"{r.pct(0.5):>8.1f} {r.pct(0.95):>8.1f} {r.pct(0.99):>8.1f} {r.rate:>8.1f} {r.errors:>7}"
            cells += f" {r.cpu_per_request:>11.1f}"
            print(f"{r.page:<14} {len(r.latencies):>6} {cells}")
            if r.errors:
                print(f"{'':<14} statuses: {json.dumps(r.statuses)}")
        for line in run["skipped"]:
            print(f"not measured — {line}")
        if run["engine"] != "tantivy":
            continue
        by_page = {r.page: r for r in run["results"]}
        print("\ntargets (tantivy):")
        for label, (page, _q, limit) in TARGETS.items():
            if page not in by_page:
                print(f"  {label} ≤ {limit:.0f}: not measured")
                continue
            value = by_page[page].pct(0.95)
            ok = value <= limit
            missed += not ok
            print(f"  {label} ≤ {limit:.0f}: {value:.1f} {'met' if ok else 'MISSED'}")
        if "record" in by_page:
            rate = by_page["record"].rate
            ok = rate >= MIN_RECORD_RATE
            missed += not ok
            print(f"  record pages/s ≥ {MIN_RECORD_RATE:.0f}: {rate:.1f} {'met' if ok else 'MISSED'}")
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="number of records to generate")
    parser.add_argument("--clients", type=int, default=10, help="concurrent logged-in clients")
    parser.add_argument("--requests", type=int, default=400, help="timed requests per page")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a request counts as failed")
    parser.add_argument("--page-seconds", type=float, default=180.0, help="stop a page's batch after this long")
    parser.add_argument("--engines", default="whoosh,tantivy", help="comma-separated engines, each served in turn")
    parser.add_argument("--record-kb", type=float, default=2.0, help="Chinese text per record, on average (KB)")
    parser.add_argument("--keep", type=Path, help="write the synthetic workspace here and keep it (reused if there)")
    parser.add_argument("--reuse-index", action="store_true", help="with --keep: keep the indexes already built there")
    args = parser.parse_args()
    if args.reuse_index and not args.keep:
        parser.error("--reuse-index needs --keep")
    if args.clients < 1 or args.requests < 1:
        parser.error("--clients and --requests must be at least 1")

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="renda-bench-web-"))
    workdir.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {"generate": 0.0}
    try:
        t0 = time.perf_counter()
        if (workdir / "renda.yaml").exists() and args.keep:
            count = len(record_ids(workdir)) + len(list((workdir / "records").rglob("deputies/*.yaml")))
        else:
            count = build_workspace(workdir, args.n, args.record_kb)
        timings["generate"] = time.perf_counter() - t0
        for engine in args.engines.split(","):
            timings[engine] = 0.0 if args.reuse_index else index(workdir, engine)
        routes = routed(workdir)
        runs = [measure(workdir, engine, args, routes) for engine in args.engines.split(",")]
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    missed = report(runs, args, count, timings)
    sys.exit(1 if missed else 0)


def _exit_on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(143)  # run the finally blocks: the server is stopped, the scratch workspace removed


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    main()
