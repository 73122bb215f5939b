"""Watching a run: the events a folder run reports, and ``--log FILE`` (one JSON line per file).

A run reports to a :class:`RunObserver`: once when the work is known
(files, segments, signature), as segments are translated (per engine batch),
and once per file as it completes -- written, failed, kept by
``--skip-existing`` or interrupted.  The CLI's progress display
(:mod:`translate.progress`) and :class:`RunLog` are observers; :class:`Observers`
hands every event to several.

``--log`` lines are flushed one by one, so ``tail -f`` and a log shipper see a
file the moment it is done, and a run that is killed leaves every line up to
its last finished file.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .pipeline import FileResult, RunReport

#: FileResult.status values
WRITTEN, FAILED, KEPT, INTERRUPTED = "written", "failed", "kept", "interrupted"


@runtime_checkable
class RunObserver(Protocol):
    """What a run tells whoever watches it."""

    def start(self, files: int, segments: int, signature: str) -> None:
        """The work is known: ``files`` to translate holding ``segments`` segments.

        Files kept (``--skip-existing``) or refused before any work (unreadable,
        output exists) were reported just before, with :meth:`file_done`.
        """

    def __call__(self, segments: int) -> None:
        """``segments`` more are translated (called per engine batch)."""

    def file_done(self, result: FileResult) -> None:
        """One file is complete (written, failed, kept or interrupted)."""

    def finish(self, report: RunReport) -> None:
        """The run is over (also when interrupted)."""


class Observers:
    """Several observers as one."""

    def __init__(self, observers: Sequence[RunObserver]) -> None:
        self.observers = list(observers)

    def start(self, files: int, segments: int, signature: str) -> None:
        for observer in self.observers:
            observer.start(files, segments, signature)

    def __call__(self, segments: int) -> None:
        for observer in self.observers:
            observer(segments)

    def file_done(self, result: FileResult) -> None:
        for observer in self.observers:
            observer.file_done(result)

    def finish(self, report: RunReport) -> None:
        for observer in self.observers:
            observer.finish(report)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def file_record(result: FileResult, signature: str) -> dict[str, Any]:
    """The ``--log`` line of one file."""
    return {
        "type": "file",
        "time": _now(),
        "status": result.status,
        "source": str(result.job.source),
        "sha256": result.sha256 or None,
        "output": str(result.job.output),
        "signature": signature,
        "segments": result.segments,
        "terms": {"met": result.terms_met, "total": result.terms_total},
        "qa": dict(sorted(result.qa_counts.items())),
        "qa_checks": dict(sorted(result.qa_checks.items())),
        "seconds": round(result.seconds, 3),
        "error": str(result.error) if result.error is not None else None,
        "exit_code": result.error.exit_code if result.error is not None else 0,
        "reason": result.reason or None,
        "warnings": list(result.warnings),
    }


def run_record(report: RunReport) -> dict[str, Any]:
    """The ``--log`` line that ends a run."""
    counts = Counter(result.status for result in report.results)
    return {
        "type": "run",
        "time": _now(),
        "status": INTERRUPTED if report.interrupted else ("failed" if report.failures else "done"),
        "signature": report.signature,
        "files": len(report.results) + len(report.existing),
        "written": counts[WRITTEN],
        "failed": counts[FAILED],
        "kept": len(report.existing),
        "not_started": len(report.not_started),
        "segments": sum(r.segments for r in report.results if r.status == WRITTEN),
        "seconds": round(report.seconds, 3),
    }


class RunLog:
    """``--log FILE``: JSON lines appended, one per file as it completes, then one for the run.

    The file is appended to (several cron runs make one log) and created with
    the permissions the umask gives.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.signature: str | None = None
        self._early: list[FileResult] = []  # done before start() told the signature
        self.path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        self._handle = os.fdopen(os.open(self.path, flags, 0o666), "a", encoding="utf-8")

    def start(self, files: int, segments: int, signature: str) -> None:
        self.signature = signature
        for result in self._early:
            self.file_done(result)
        self._early.clear()

    def __call__(self, segments: int) -> None:
        """Per-batch progress is for the display; the log has a line per file."""

    def file_done(self, result: FileResult) -> None:
        if self.signature is None:
            self._early.append(result)
        else:
            self._write(file_record(result, self.signature))

    def finish(self, report: RunReport) -> None:
        if self.signature is None:  # never started: every file was kept or refused
            self.start(0, 0, report.signature)
        self._write(run_record(report))

    def _write(self, record: dict[str, Any]) -> None:
        self._handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()
