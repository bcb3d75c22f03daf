"""Reading an untrusted file in a worker process with an address-space and a time limit.

A PDF is a program for a decompressor: one megabyte of flate can expand to a gigabyte, and a page tree
can name a page a million times.  Limits checked inside the reader only cover the cases someone thought
of; a worker process whose address space and CPU time are capped by the kernel covers the rest, and
whatever it did dies with it.  The worker is forked (Linux), so it shares the parent's imports and
settings; its result comes back through a pipe.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from archive.errors import IngestError

T = TypeVar("T")

MAX_MEMORY_MB = 768  # address space a worker may add to what the parent already maps
MAX_SECONDS = 60  # CPU seconds; the parent waits a little longer in wall time


def _mapped_bytes() -> int | None:
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _limit(memory_mb: int, seconds: int) -> None:
    import resource

    mapped = _mapped_bytes()
    if mapped is not None:
        limit = mapped + memory_mb * 1024 * 1024
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    cpu = seconds if hard == resource.RLIM_INFINITY else min(seconds, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, hard))


def _child(conn: Connection, func: Callable[..., Any], args: tuple[Any, ...], memory_mb: int, seconds: int) -> None:
    try:
        _limit(memory_mb, seconds)
        outcome: tuple[str, Any] = ("ok", func(*args))
    except IngestError as exc:
        outcome = ("error", str(exc))
    except MemoryError:
        outcome = ("memory", None)
    except Exception as exc:  # a bug in the reader: the parent reports it, with its type
        outcome = ("bug", f"{type(exc).__name__}: {exc}")
    try:
        conn.send(outcome)
    except MemoryError:
        conn.send(("memory", None))
    finally:
        conn.close()


def run_limited(func: Callable[..., T], *args: Any, memory_mb: int | None = None, seconds: int | None = None) -> T:
    """``func(*args)`` in a forked worker limited to ``memory_mb`` more address space and ``seconds`` of CPU.

    An IngestError raised by ``func`` comes back as itself; running out of memory or time becomes an
    IngestError that says which limit was hit.
    """
    memory_mb = memory_mb or MAX_MEMORY_MB
    seconds = seconds or MAX_SECONDS
    if "fork" not in multiprocessing.get_all_start_methods():  # not Linux or macOS: no worker, no limits
        return func(*args)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    worker = context.Process(target=_child, args=(send, func, args, memory_mb, seconds), daemon=True)
    worker.start()
    send.close()
    try:
        outcome: tuple[str, Any] | None = None
        if receive.poll(seconds * 2 + 5):
            try:
                outcome = receive.recv()
            except EOFError:  # the worker died before it could answer (SIGXCPU, SIGKILL, a crash)
                outcome = None
    finally:
        receive.close()
        if worker.is_alive():
            worker.kill()
        worker.join()
    if outcome is None:
        raise IngestError(
            f"读取 PDF 超出资源限制（内存 {memory_mb} MB、时间 {seconds} 秒），未导入；"
            "文件可能是“压缩炸弹”或已损坏，请核对原件"
        )
    kind, value = outcome
    if kind == "ok":
        return value  # type: ignore[no-any-return]
    if kind == "error":
        raise IngestError(value)
    if kind == "memory":
        raise IngestError(f"PDF 解压后的内容超过 {memory_mb} MB 的内存上限，未导入；文件可能是“压缩炸弹”，请核对原件")
    raise RuntimeError(f"PDF reader failed in its worker: {value}")
