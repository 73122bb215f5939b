"""Stopping a run cleanly on Ctrl-C or SIGTERM: start no new batch, keep what is written, leave fast.

Python's default turns SIGINT into a KeyboardInterrupt wherever the main thread
happens to be and leaves SIGTERM to kill the process outright.  A folder run
wants neither: on the first signal it should start no new engine batch, keep
every document already written and say how to resume; a second signal means
"now" and ends it at once.  :func:`graceful_signals` installs such handlers for
the length of a run; the run polls the :class:`StopRequest` between engine
batches (through its progress callback, which the ct2 engine also calls while
it waits for its threads) and between documents.  The process then ends
without waiting for the batches still decoding (:func:`hold_until_exit`,
:func:`exit_now`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NoReturn

#: The signals a run stops on: Ctrl-C, and what ``docker stop``, systemd and Kubernetes send.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class RunInterrupted(BaseException):
    """Raised inside a run once a stop was requested.

    A BaseException, like KeyboardInterrupt: the guard that makes one file's
    unexpected exception that file's error (``except Exception``) lets it through,
    so the run ends instead of blaming the document being translated.
    """


@dataclass
class StopRequest:
    """Set by the first signal (or by a caller); a run checks it and stops between batches."""

    reason: str | None = None  # "SIGINT", "SIGTERM", or what a caller gave

    @property
    def requested(self) -> bool:
        return self.reason is not None

    def request(self, reason: str = "stop") -> None:
        if self.reason is None:
            self.reason = reason

    def check(self) -> None:
        """Raise :class:`RunInterrupted` when a stop was requested."""
        if self.reason is not None:
            raise RunInterrupted(self.reason)


@contextlib.contextmanager
def graceful_signals(stop: StopRequest, notice: Callable[[str], None]) -> Iterator[StopRequest]:
    """SIGINT and SIGTERM request a stop (``notice`` says so once); a second one raises KeyboardInterrupt.

    Outside the main thread (a service worker) no handler can be installed:
    the request is then only what the caller sets.
    """
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handle(number: int, _frame: object) -> None:
        name = signal.Signals(number).name
        if stop.requested:
            raise KeyboardInterrupt(name)
        stop.request(name)
        notice(name)

    previous = {number: signal.signal(number, handle) for number in STOP_SIGNALS}
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def sigterm_interrupts(enabled: bool = True) -> Iterator[None]:
    """SIGTERM behaves like Ctrl-C (a KeyboardInterrupt) instead of killing the process mid-write.

    A command so interrupted unwinds: a temporary file is removed, the exit
    code is 130.  The previous handler is restored afterwards.
    """
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def die_on_signals() -> None:
    """From now on SIGINT and SIGTERM end the process at once, as the OS does by default.

    For the last moments of a command whose work is over: interpreter shutdown
    can wait for a CTranslate2 translator to finish a batch a stopped run left,
    and a Ctrl-C then should end it, not raise a KeyboardInterrupt no one catches.
    """
    if threading.current_thread() is threading.main_thread():
        for number in STOP_SIGNALS:
            signal.signal(number, signal.SIG_DFL)


#: Engines a command loaded, kept alive until it is over (see :func:`hold_until_exit`).
_HELD: list[object] = []


def hold_until_exit(engine: object) -> None:
    """Keep ``engine`` alive until the command is over, however it ends.

    Freeing a CTranslate2 translator joins its threads, which first finish the
    batches in flight: when a stop or a second Ctrl-C unwinds the command, that
    is the wait a stop is meant to avoid.  Held, the engine is freed by
    :func:`release_held` after a normal end, or never, by :func:`exit_now`.
    """
    _HELD.append(engine)


def release_held() -> None:
    """Free what :func:`hold_until_exit` kept (the process goes on: a library caller's)."""
    _HELD.clear()


def exit_now(code: int) -> NoReturn:
    """End a stopped command's process at once with ``code``, its streams and logs flushed.

    At interpreter exit CTranslate2 joins its worker threads, which first finish
    the batches a stopped run left in flight: seconds to minutes of work no one
    needs (every output is written and closed, the memory committed per chunk).
    ``os._exit`` skips that wait; only for the process's own command (``main()``
    without arguments), never inside a library caller's process.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed pipe or stream: nothing more can be said there
    os._exit(code)
