"""Progress of long work: the library reports steps through a callback; only the command line draws them.

    render_documents(workspace, records, out, progress=callback)   # callback(Step("转换 PDF", 3, 12, "cwh-17-12"))

:class:`ProgressLine` is the one drawing: a single self-overwriting line on a terminal ("转换 PDF 3/12 cwh-17-12
剩余约 0:25"), erased when the work ends, so what the command prints afterwards reads as before.  On a stream
that is not a terminal it writes nothing at all.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO


@dataclass(frozen=True)
class Step:
    """``done`` of ``total`` units of one stage of the work finished; ``current`` names the latest one."""

    stage: str
    done: int
    total: int
    current: str = ""


Progress = Callable[[Step], None]


def report(progress: Progress | None, stage: str, done: int, total: int, current: str = "") -> None:
    """Tell ``progress`` (when there is one) where the work stands."""
    if progress is not None:
        progress(Step(stage, done, total, current))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _clip(text: str, width: int) -> str:
    out, used = "", 0
    for c in text:
        used += _width(c)
        if used > width:
            return out + "…"
        out += c
    return out


class ProgressLine:
    """Draws :class:`Step` s on one line of ``stream`` when it is a terminal; a no-op otherwise.

    The time left is estimated per stage from the pace so far; redraws come at most every ``interval``
    seconds, except the first and the last step of a stage.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        columns: int = 80,
        interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.enabled = bool(getattr(stream, "isatty", lambda: False)())
        self.columns = max(columns, 20)
        self.interval = interval
        self.clock = clock
        self.stage: str | None = None
        self.started = 0.0
        self.first_done = 0
        self.drawn_at: float | None = None
        self.visible = False
        self.last: Step | None = None

    def __call__(self, step: Step) -> None:
        if not self.enabled or step == self.last:
            return  # LibreOffice is polled: the same count again is nothing new
        self.last = step
        now = self.clock()
        if step.stage != self.stage:
            self.stage, self.started, self.first_done, self.drawn_at = step.stage, now, step.done, None
        edge = step.done in (self.first_done, step.total)
        if not edge and self.drawn_at is not None and now - self.drawn_at < self.interval:
            return
        self.drawn_at = now
        self._draw(self.line(step, now))

    def line(self, step: Step, now: float) -> str:
        """``转换 PDF 3/12 cwh-17-12 剩余约 0:25``, clipped to the terminal's width."""
        head = f"{step.stage} {step.done}/{step.total}" if step.total else step.stage
        tail = ""
        finished = step.done - self.first_done
        if finished > 0 and step.done < step.total:
            left = (now - self.started) / finished * (step.total - step.done)
            tail = f" 剩余约 {int(left) // 60}:{int(left) % 60:02d}"
        room = self.columns - 1 - _width(head) - _width(tail) - 1
        current = f" {_clip(step.current, room - 1)}" if step.current and room > 4 else ""
        return head + current + tail

    def _draw(self, text: str) -> None:
        self.stream.write("\r" + text + "\x1b[K")
        self.stream.flush()
        self.visible = True

    def close(self) -> None:
        """Erase the line, so the command's own output starts on a clean line."""
        if self.enabled and self.visible:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.visible = False
