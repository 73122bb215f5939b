"""Unexpected exceptions in one file of a batch: logged with their traceback, reported as that file's error.

A reader, the localizer or an engine that crashes on one input is a bug, but it
must not end a folder run with nothing written: the pipeline turns the exception
into that file's :class:`~translate.errors.InternalError` (one line: the file,
"internal error", the exception, where its traceback was logged) and goes on.
"""

from __future__ import annotations

import os
import tempfile
import traceback
from pathlib import Path

from .errors import InternalError, quote_name

#: Longest exception text kept in the one-line message (the log has all of it).
SUMMARY_CHARS = 200


class IncidentLog:
    """The tracebacks of one run, appended to one file made at the first of them."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = folder
        self.path: Path | None = None

    def record(self, error: BaseException, source: str, stage: str) -> InternalError:
        """Log ``error``'s traceback and return the one-line error that stands for it."""
        details = "".join(traceback.format_exception(error))
        try:
            if self.path is None:
                handle, name = tempfile.mkstemp(prefix="translate-internal-", suffix=".log", dir=self.folder)
                os.close(handle)
                self.path = Path(name)
            with self.path.open("a", encoding="utf-8", errors="backslashreplace") as log:
                log.write(f"--- {source!r} ({stage})\n{details}\n")
            where = f"traceback in {quote_name(str(self.path))}"
        except OSError as log_error:
            where = f"its traceback could not be logged ({log_error.strerror or log_error})"
        text = " ".join(str(error).split())
        text = text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 3] + "..."
        summary = f"{type(error).__name__}: {text}" if text else type(error).__name__
        return InternalError(f"internal error while {stage}: {summary}", path=source,
                             hint=f"{where}; please report it")
