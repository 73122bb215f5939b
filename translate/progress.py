"""What a run shows on standard error while it works: a bar on a terminal, lines in a log.

On a terminal, a tqdm bar counts segments (it moves per engine batch) and a
line per finished file is printed above it.  Without one -- cron, systemd, a
container log, ``2>&1 | cat`` -- a bar is noise, and nothing at all (tqdm's
choice) leaves an operator blind for the whole run; :class:`LogProgress`
prints a line per file as it completes and a summary every ``interval``
seconds of work: files and segments done, rate, ETA.  Both are
:class:`~translate.runlog.RunObserver` s, made by :func:`progress_factory`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .errors import quote_name
from .jobs import is_stdio
from .runlog import FAILED, INTERRUPTED, KEPT

if TYPE_CHECKING:
    from .pipeline import FileResult, RunReport

#: Seconds between two summary lines when standard error is not a terminal.
SUMMARY_INTERVAL = 30.0


def shown(path: object, stdio: str = "standard stream") -> str:
    """A path as a message shows it: ``-`` named for what it is, odd characters quoted."""
    if isinstance(path, (str, Path)) and is_stdio(path):
        return f"<{stdio}>"
    return quote_name(str(path))


def file_line(result: FileResult) -> str:
    """``a.id.txt -> out/a.en.txt (31 segments, 2.4 s)``, or the file's error."""
    job = result.job
    if result.status == FAILED:
        return f"error: {result.error}"
    if result.status == INTERRUPTED:
        return f"interrupted: {shown(job.source, 'stdin')} (not written)"
    again = f", translated again: {result.reason}" if result.reason else ""
    return (f"{shown(job.source, 'stdin')} -> {shown(job.output, 'stdout')} "
            f"({result.segments} segments, {result.seconds:.1f} s{again})")


def clock_text(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


class _Display:
    """Counting, and the lines for every finished file (warnings and errors even when quiet)."""

    def __init__(self, segments: int, quiet: bool, stream: TextIO | None,
                 clock: Callable[[], float]) -> None:
        self.segments = segments
        self.files = 0
        self.done_segments = 0
        self.done_files = 0
        self.quiet = quiet
        self.stream = stream
        self.clock = clock
        self.began = clock()

    def _out(self) -> TextIO:
        return self.stream if self.stream is not None else sys.stderr

    def write(self, line: str) -> None:
        print(line, file=self._out(), flush=True)

    def start(self, files: int, segments: int, signature: str) -> None:
        """Counting starts here: files kept or refused before it are not part of the work."""
        self.files, self.segments = files, segments
        self.done_files = self.done_segments = 0
        self.began = self.clock()

    def __call__(self, segments: int) -> None:
        self.done_segments += segments

    def file_done(self, result: FileResult) -> None:
        self.done_files += 1
        if result.status == KEPT:
            return  # counted in the run's summary; --log has a line for each
        if result.status != FAILED:
            for warning in result.warnings:
                self.write(f"warning: {shown(result.job.source, 'stdin')}: {warning}")
        if result.status in (FAILED, INTERRUPTED) or not self.quiet:
            self.write(file_line(result))

    def finish(self, report: RunReport) -> None:
        """Nothing more to show: the CLI prints the run's summary."""

    def summary(self) -> str:
        """``progress: 2/5 files, 80/155 segments, 4.1 segments/s, ETA 0:00:18 (0:00:20 so far)``."""
        elapsed = max(1e-9, self.clock() - self.began)
        rate = self.done_segments / elapsed
        left = max(0, self.segments - self.done_segments)
        eta = clock_text(left / rate) if rate > 0 else "unknown"
        files = f"{self.done_files}/{self.files} files, " if self.files else ""  # unknown to a bare factory
        return (f"progress: {files}{self.done_segments}/{self.segments} segments, {rate:.1f} segments/s, "
                f"ETA {eta} ({clock_text(elapsed)} so far)")


class LogProgress(_Display):
    """Without a terminal: a line per file, a start line, and a summary every ``interval`` seconds."""

    def __init__(self, segments: int, quiet: bool = False, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic, interval: float | None = None) -> None:
        super().__init__(segments, quiet, stream, clock)
        self.interval = SUMMARY_INTERVAL if interval is None else interval
        self.last = self.began

    def start(self, files: int, segments: int, signature: str) -> None:
        super().start(files, segments, signature)
        self.last = self.began
        if files and not self.quiet:
            self.write(f"translating {files} file(s), {segments} segment(s)")

    def __call__(self, segments: int) -> None:
        super().__call__(segments)
        self._tick()

    def file_done(self, result: FileResult) -> None:
        super().file_done(result)
        self._tick()

    def _tick(self) -> None:
        now = self.clock()
        if not self.quiet and now - self.last >= self.interval:
            self.last = now
            self.write(self.summary())


class BarProgress(_Display):
    """On a terminal: a tqdm bar of segments; file lines are printed above it."""

    #: Seconds between two redraws of the bar (tqdm's ``mininterval``).
    REDRAW_SECONDS = 0.1

    def __init__(self, segments: int, quiet: bool = False, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(segments, quiet, stream, clock)
        from tqdm import tqdm

        self.bar: Any = tqdm(total=segments, unit="seg", disable=quiet, file=self._out(),
                             mininterval=self.REDRAW_SECONDS)

    def write(self, line: str) -> None:
        self.bar.write(line, file=self._out())

    def start(self, files: int, segments: int, signature: str) -> None:
        super().start(files, segments, signature)
        self.bar.total = segments
        self.bar.refresh()

    def __call__(self, segments: int) -> None:
        super().__call__(segments)
        self.bar.update(segments)

    def finish(self, report: RunReport) -> None:
        self.bar.close()


def progress_factory(quiet: bool, stream: TextIO | None = None) -> Callable[[int], _Display]:
    """A display per run (called with its segment count): a bar on a terminal, else log lines."""
    def factory(total: int) -> _Display:
        out = stream if stream is not None else sys.stderr
        terminal = bool(getattr(out, "isatty", lambda: False)())
        return (BarProgress if terminal else LogProgress)(total, quiet, stream)

    return factory
