"""Which process owns something, whether it is still alive, and helpers that die with their parent.

A killed ``renda`` (``kill -9``, a closed terminal, an out-of-memory kill) must leave nothing that outlives
it: the processes it forked die with it (``PR_SET_PDEATHSIG`` on Linux, a pipe watched by a thread as the
fallback), and what it left on disk (temporary folders, an index generation half built, the index lock) is
marked with its *identity* — pid, start time and boot — so the next run can tell a dead owner from a live
one, even when the pid has been reused since.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

_PR_SET_PDEATHSIG = 1


def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl: Callable[..., int] = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True).prctl
        return prctl
    except (OSError, AttributeError):
        return None


# resolved once, before any fork: a child should run as little as possible before it execs or works
_prctl = _load_prctl()


def _boot() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip().replace("-", "")[:8]
    except OSError:
        return "0"


_BOOT = _boot()


def _start_time(pid: int) -> str | None:
    """The process's start time (clock ticks since boot) on Linux, "0" where /proc is missing and the pid
    exists, None when no such process is alive (a zombie counts as dead: it holds nothing any more)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        stat = ""
    if stat:
        fields = stat[stat.rfind(")") + 2 :].split()  # the command name may hold spaces and parentheses
        if fields[0] in ("Z", "X"):
            return None
        return fields[19]
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return "0"


def identity(pid: int | None = None) -> str:
    """``<pid>-<start time>-<boot>``: names one process run, never a later one that reuses the pid.
    Only digits, letters and dashes: it goes into folder names."""
    pid = os.getpid() if pid is None else pid
    return f"{pid}-{_start_time(pid) or 0}-{_BOOT}"


def alive(owner: str) -> bool:
    """Whether the process named by :func:`identity` ``owner`` is still running.  Anything that does not
    parse counts as alive: never take over or delete what might belong to someone else."""
    parts = owner.strip().split("-")
    if len(parts) == 1 and parts[0].isdigit():  # a bare pid, as older renda versions wrote
        return _start_time(int(parts[0])) is not None
    if len(parts) != 3 or not parts[0].isdigit():
        return True
    pid, start, boot = parts
    if boot != _BOOT:
        return False  # the machine has restarted since
    now = _start_time(int(pid))
    return now is not None and (now == start or "0" in (now, start))


# -- helpers that die with their parent -------------------------------------------------

_inherited_fds: set[int] = set()  # descriptors a forked helper must close (e.g. the index lock)


@contextlib.contextmanager
def not_inherited(fd: int) -> Iterator[None]:
    """While the block runs, forked workers close ``fd`` first thing (a lock they must never hold)."""
    _inherited_fds.add(fd)
    try:
        yield
    finally:
        _inherited_fds.discard(fd)


def die_with_parent() -> None:
    """In a forked worker: be killed when the parent dies (Linux)."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def pipe_to_workers() -> tuple[int, int]:
    """A pipe whose read end workers watch (:func:`worker_started`): it reaches end-of-file when the
    parent is gone, however it died."""
    return os.pipe()


def worker_started(parent: int, watch: int, write_end: int) -> None:
    """Initializer of a forked worker process: close what it must not hold, and make sure it does not
    outlive ``parent`` — by signal on Linux, and by watching the pipe everywhere."""
    for fd in (write_end, *_inherited_fds):
        with contextlib.suppress(OSError):
            os.close(fd)
    die_with_parent()
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)

    def watch_parent() -> None:
        with contextlib.suppress(OSError):
            while os.read(watch, 1):
                pass
        os._exit(1)

    threading.Thread(target=watch_parent, daemon=True).start()


# -- process groups that must not outlive this process ------------------------------------

# Run by a small watchdog process: it hears "+ <pgid>" when a group starts and "- <pgid>" when it is done;
# when its input ends without the groups done (this process died, however), it kills what is left.
# LibreOffice needs it: soffice.bin is a child of oosplash, which is all PR_SET_PDEATHSIG reaches.
_WATCHDOG = """
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
groups = set()
for line in sys.stdin:
    verb, _, pgid = line.partition(" ")
    (groups.add if verb == "+" else groups.discard)(int(pgid))
for pgid in groups:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass
"""

_Popen = subprocess.Popen  # bound here: a test that fakes subprocess.Popen for soffice does not fake the watchdog
_watchdog: subprocess.Popen[bytes] | None = None
_watchdog_lock = threading.Lock()


def _tell_watchdog(line: str) -> None:
    global _watchdog
    with _watchdog_lock:
        if _watchdog is None or _watchdog.poll() is not None:
            _watchdog = _Popen([sys.executable, "-c", _WATCHDOG], stdin=subprocess.PIPE, start_new_session=True)
            atexit.register(_stop_watchdog, _watchdog)
        assert _watchdog.stdin is not None
        with contextlib.suppress(OSError):
            _watchdog.stdin.write(line.encode("ascii"))
            _watchdog.stdin.flush()


def watch_group(pgid: int) -> None:
    """From now on the process group ``pgid`` (a subprocess started in a new session) is killed if this
    process dies, even by SIGKILL; until :func:`group_dies_with_us` ends."""
    if pgid > 0:
        _tell_watchdog(f"+ {pgid}\n")


def _stop_watchdog(watchdog: subprocess.Popen[bytes]) -> None:
    """At a normal exit: every group is done, so the watchdog just ends."""
    with contextlib.suppress(OSError, subprocess.TimeoutExpired):
        if watchdog.stdin is not None:
            watchdog.stdin.close()
        watchdog.wait(timeout=5)


@contextlib.contextmanager
def group_dies_with_us(pgid: int) -> Iterator[None]:
    """While the block runs (and since :func:`watch_group`), the process group ``pgid`` dies with this
    process; when it ends the group is done (its number may be reused: it is never killed after)."""
    watch_group(pgid)
    try:
        yield
    finally:
        if pgid > 0:
            _tell_watchdog(f"- {pgid}\n")
