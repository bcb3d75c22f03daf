"""`kill -9` renda at random moments and look at what it leaves: locks, processes, partial output, temp folders.

    python bench/kill.py [N_RECORDS] [--kills 20] [--window 60] [--commands render,index,archive] [--keep DIR]

A synthetic workspace of N records (bench/validate.py's generator, every copy in the sample's years, so the
archived year 2024 is large) gets, for each command — ``render --all``, ``index --rebuild`` and
``archive build 2024`` — one uninterrupted run (its time T), then ``--kills`` runs each killed with SIGKILL
after a random delay in [0.2 s, min(T, --window)], and after each kill it checks, once the kill has had
2 s to take effect:

* stuck lock: the index lock is still held (flock) by some process;
* orphans: processes the killed renda had started (its index workers, LibreOffice) still running;
* partial: a visible output that is half written (a .docx that is not a whole ZIP, a PDF without its
  %%EOF, an archive package without its manifests, an index whose live generation cannot be read);
* temp: hidden work folders left behind (expected after a kill: they are what the next run removes).

Finally one more uninterrupted run of the same command, after which no temp folder may be left.  Prints a
table; exits 1 when any stuck lock, orphan, partial output or leftover after the next run was seen.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

RENDA = Path(sys.executable).parent / "renda"
COMMAND = [str(RENDA)] if RENDA.exists() else [sys.executable, str(REPO / "cli.py")]
COMMANDS = {
    "render": ["render", "--all"],
    "index": ["index", "--rebuild"],
    "archive": ["archive", "build", "2024"],
}
GRACE = 2.0  # seconds a kill has to take effect (workers dying with their parent) before the checks


def make_workspace(target: Path, n: int) -> int:
    """``n`` records grown from the sample, all in the sample's years; returns how many were written."""
    import generator

    target.mkdir(parents=True, exist_ok=True)
    generator.ERAS = 1
    return generator.generate(REPO, target, n)


def _stat(pid: int) -> tuple[int, str] | None:
    """(ppid, state) of a process, None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rfind(")") + 2 :].split()
    return int(fields[1]), fields[0]


def descendants(pid: int) -> set[int]:
    """Every running process below ``pid`` (by parent links, as /proc shows them now)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) is not None:
            children.setdefault(stat[0], []).append(int(entry))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def running(pids: set[int]) -> set[int]:
    """Those of ``pids`` still running (a zombie is not: it holds nothing)."""
    return {p for p in pids if (stat := _stat(p)) is not None and stat[1] not in "ZX"}


def lock_stuck(workspace: Path) -> bool:
    path = workspace / ".renda" / "index" / "lock"
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def temp_folders(workspace: Path, killed: set[int] | None = None) -> list[Path]:
    """Hidden work folders of renda runs in the workspace, index generations half built, and LibreOffice
    profile folders in the system temp folder of the processes in ``killed``."""
    found = [p for p in (workspace / "out").rglob(".renda-*") if p.is_dir()]
    found += [p for p in (workspace / "out" / "archive").glob(".J017-WS-*") if p.is_dir()]
    found += [p.parent for p in (workspace / ".renda" / "index").glob("*/g-*/.building")]
    for pid in killed or ():
        found += [p for p in Path(tempfile.gettempdir()).glob(f"renda-lo-{pid}-*") if p.is_dir()]
    return sorted(found)


def partial_outputs(workspace: Path, kind: str) -> list[str]:
    """Visible outputs that are not whole."""
    bad: list[str] = []
    if kind == "render":
        for path in (workspace / "out").glob("*.docx"):
            if not _whole_zip(path):
                bad.append(str(path))
        bad += [str(p) for p in (workspace / "out").glob("*.pdf") if b"%%EOF" not in p.read_bytes()[-1024:]]
    elif kind == "archive":
        for path in (workspace / "out" / "archive").glob("[!.]*"):
            if path.name != "J017-WS-2024" or not (path / "tagmanifest-sha256.txt").is_file():
                bad.append(str(path))
    elif kind == "index":
        from archive.search.store import MANIFEST, Manifest, live_generation
        from archive.workspace import Workspace

        folder = workspace / ".renda" / "index" / "whoosh"
        if (folder / "CURRENT").exists():
            generation = live_generation(Workspace(workspace), "whoosh")
            if generation is None or Manifest.read(generation / MANIFEST, "whoosh") is None:
                bad.append(str(folder / "CURRENT"))
    return bad


def _whole_zip(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.testzip() is None
    except (zipfile.BadZipFile, OSError):
        return False


@dataclass
class Outcome:
    command: str
    full_seconds: float = 0.0
    delays: list[float] = field(default_factory=list)
    finished_before_kill: int = 0
    stuck_locks: int = 0
    orphans: int = 0
    partial: int = 0
    temp_after_kill: int = 0
    temp_after_next_run: int = 0
    next_run_exit: int | None = None
    problems: list[str] = field(default_factory=list)
    killed: set[int] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not (self.stuck_locks or self.orphans or self.partial or self.temp_after_next_run) and (
            self.next_run_exit == 0
        )


def _run(workspace: Path, args: list[str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "RENDA_ROOT": str(workspace)}
    return subprocess.Popen(
        [*COMMAND, "--root", str(workspace), *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def kill_once(workspace: Path, kind: str, delay: float, outcome: Outcome, args: list[str] | None = None) -> None:
    """Start ``kind`` (or ``args``), SIGKILL it after ``delay`` seconds, and check what it left."""
    proc = _run(workspace, args or COMMANDS[kind])
    deadline = time.monotonic() + delay
    below: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        below |= descendants(proc.pid)
        time.sleep(0.05)
    if proc.poll() is not None:
        proc.communicate()
        outcome.finished_before_kill += 1
        return
    below |= descendants(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    outcome.delays.append(delay)
    time.sleep(GRACE)
    left = running(below)
    if left:
        outcome.orphans += len(left)
        outcome.problems.append(f"{kind} killed after {delay:.1f}s: {len(left)} processes still running")
        for pid in left:  # do not let them disturb the next round
            os.kill(pid, signal.SIGKILL)
    if lock_stuck(workspace):
        outcome.stuck_locks += 1
        outcome.problems.append(f"{kind} killed after {delay:.1f}s: index lock still held")
    bad = partial_outputs(workspace, kind)
    outcome.partial += len(bad)
    outcome.problems += [f"{kind} killed after {delay:.1f}s: partial {b}" for b in bad]
    outcome.temp_after_kill += len(temp_folders(workspace, {proc.pid}))
    outcome.killed.add(proc.pid)


def exercise(workspace: Path, kind: str, kills: int, window: float, rng: random.Random) -> Outcome:
    outcome = Outcome(kind)
    started = time.perf_counter()
    full = _run(workspace, COMMANDS[kind])
    _, err = full.communicate()
    outcome.full_seconds = time.perf_counter() - started
    if full.returncode != 0:
        outcome.problems.append(f"{kind}: the uninterrupted run failed: {err.decode()[-500:]}")
    for _ in range(kills):
        delay = rng.uniform(0.2, max(0.3, min(outcome.full_seconds, window)))
        kill_once(workspace, kind, delay, outcome)
    next_run = _run(workspace, COMMANDS[kind])
    _, err = next_run.communicate()
    outcome.next_run_exit = next_run.returncode
    if next_run.returncode != 0:
        outcome.problems.append(f"{kind}: the run after the kills failed: {err.decode()[-500:]}")
    left = temp_folders(workspace, outcome.killed)
    outcome.temp_after_next_run = len(left)
    outcome.problems += [f"{kind}: left after the next run: {p}" for p in left]
    return outcome


def table(outcomes: list[Outcome]) -> str:
    head = [
        "command",
        "full run (s)",
        "kills",
        "kill delay (s)",
        "stuck lock",
        "orphans",
        "partial",
        "temp after kill",
        "temp after next run",
        "next run exit",
    ]
    rows = [head]
    for o in outcomes:
        delays = f"{min(o.delays):.1f}–{max(o.delays):.1f}" if o.delays else "-"
        rows.append(
            [
                COMMANDS[o.command][0] + " " + " ".join(COMMANDS[o.command][1:]),
                f"{o.full_seconds:.1f}",
                f"{len(o.delays)}" + (f" (+{o.finished_before_kill} done first)" if o.finished_before_kill else ""),
                delays,
                str(o.stuck_locks),
                str(o.orphans),
                str(o.partial),
                str(o.temp_after_kill),
                str(o.temp_after_next_run),
                str(o.next_run_exit),
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, nargs="?", default=2000, help="records in the workspace (default 2000)")
    parser.add_argument("--kills", type=int, default=20, help="kills per command (default 20)")
    parser.add_argument("--window", type=float, default=120.0, help="latest kill, in seconds (default 120)")
    parser.add_argument("--commands", default="index,render,archive", help="which commands, comma-separated")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--keep", type=Path, help="build the workspace here and keep it")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="renda-bench-kill-"))
    try:
        written = make_workspace(workdir, args.n)
        print(f"workspace: {written} records in {workdir}", flush=True)
        outcomes = []
        for kind in args.commands.split(","):
            outcome = exercise(workdir, kind, args.kills, args.window, rng)
            outcomes.append(outcome)
            print(table([outcome]), flush=True)  # as each command is done: the whole run takes long
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(table(outcomes))
    for outcome in outcomes:
        for problem in outcome.problems:
            print(problem)
    sys.exit(0 if all(o.ok for o in outcomes) else 1)


if __name__ == "__main__":
    main()
