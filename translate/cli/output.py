"""What commands show besides their results: stderr lines, the library log, progress, the run log."""

from __future__ import annotations

import logging
import sys


def _err(message: str) -> None:
    print(message, file=sys.stderr)


class _StderrHandler(logging.Handler):
    """The library's log records (``translate.*``) as plain lines on the current stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        _err(self.format(record))


def _show_library_log(quiet: bool) -> None:
    """Library code never prints: it logs, and the CLI shows INFO records (WARNING with -q)."""
    logger = logging.getLogger("translate")
    for handler in [h for h in logger.handlers if isinstance(h, _StderrHandler)]:
        logger.removeHandler(handler)
    logger.addHandler(_StderrHandler())
    logger.setLevel(logging.WARNING if quiet else logging.INFO)


def _name(path: object) -> str:
    """A path as a message shows it: quoted when a line break or control character could mislead."""
    from ..errors import quote_name

    return quote_name(str(path))


def _first_few(paths: list, shown: int = 5) -> str:
    """``a, b, c ...``: the first paths of a long list."""
    return ", ".join(_name(p) for p in paths[:shown]) + (" ..." if len(paths) > shown else "")


def _progress_factory(quiet: bool, log=None):
    """A bar on a terminal; without one, a line per file and a summary every 30 s (translate.progress).

    With a ``log`` (:class:`~translate.runlog.RunLog`), the run reports to both: for commands
    such as ``eval`` that hand the run only a progress factory.
    """
    from ..progress import progress_factory
    from ..runlog import Observers

    display = progress_factory(quiet)
    return display if log is None else (lambda total: Observers([display(total), log]))


def _open_run_log(path: str | None):
    """``--log FILE``, opened before the model loads: a log that cannot be written is an error at once."""
    if path is None:
        return None
    from ..errors import OutputError
    from ..runlog import RunLog

    try:
        return RunLog(path)
    except OSError as error:
        raise OutputError(f"cannot write the log: {error.strerror or error}", path=path) from None
