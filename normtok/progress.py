"""A one-line progress display on stderr (bytes, rate, ETA) for long runs, only on a terminal.

Nothing is drawn for the first half second, so quick runs stay silent, and the line is erased at
the end so that stderr keeps only diagnostics.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"  # pragma: no cover


def human_seconds(s: float) -> str:
    s = int(round(s))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


class Progress:
    """Call with each increment of bytes done; ``close()`` erases the line."""

    def __init__(self, total: int | None, stream: TextIO | None = None, delay: float = 0.5,
                 interval: float = 0.2, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.done = 0
        self.start = time.monotonic()
        self.delay = delay
        self.interval = interval
        self._last = 0.0
        self._drawn = False
        if enabled is None:
            enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = enabled

    def line(self, now: float | None = None) -> str:
        elapsed = max((now or time.monotonic()) - self.start, 1e-9)
        rate = self.done / elapsed
        parts = [human_bytes(self.done)]
        if self.total:
            pct = min(100.0, 100.0 * self.done / self.total)
            parts = [f"{pct:5.1f}%", f"{human_bytes(self.done)} / {human_bytes(self.total)}"]
        parts.append(f"{human_bytes(rate)}/s")
        if self.total and rate > 0:
            parts.append(f"ETA {human_seconds(max(self.total - self.done, 0) / rate)}")
        return "normtok: " + "  ".join(parts)

    def __call__(self, nbytes: int) -> None:
        self.done += nbytes
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.start < self.delay or now - self._last < self.interval:
            return
        self._last = now
        self.stream.write("\r\x1b[2K" + self.line(now))
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._drawn = False
