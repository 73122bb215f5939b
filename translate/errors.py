"""One exception tree for the library; the CLI maps it to exit codes and one line each.

Messages name the file and the line, block or segment, and say what to do.
The library never calls ``sys.exit``.
"""

from __future__ import annotations


def quote_name(name: str) -> str:
    """A file name as printed in a message: quoted only when it could mislead.

    A name holding a line break, a tab, an escape sequence or bytes that are not
    UTF-8 would forge or garble output lines (``a\nerror: FAKE.txt``); such a
    name is shown as Python writes a string, escapes visible.  Other names,
    with spaces or accents, stay as they are.
    """
    return name if name.isprintable() else repr(name)


class TranslateError(Exception):
    """Base of every error this package raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, path: str | None = None, where: str | None = None,
                 hint: str | None = None) -> None:
        self.message = message
        self.path = path
        self.where = where  # "line 3", "byte 120", "segment doc#2.0"...
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        location = ":".join(quote_name(x) for x in (self.path, self.where) if x)
        text = f"{location}: {self.message}" if location else self.message
        return f"{text} ({self.hint})" if self.hint else text


class InputError(TranslateError):
    """An input file that cannot be read or parsed."""

    exit_code = 2


class OutputError(TranslateError):
    """An output that cannot or must not be written (exists, unwritable)."""

    exit_code = 3


class ModelError(TranslateError):
    """A model or engine that cannot be loaded or run."""

    exit_code = 4


class GlossaryError(TranslateError):
    """A glossary with problems; ``problems`` lists every one of them."""

    exit_code = 5

    def __init__(self, message: str, problems: list[str] | None = None, **kwargs) -> None:
        self.problems = list(problems or [])
        super().__init__(message, **kwargs)


class MergeError(TranslateError):
    """Translations that cannot be merged back into the document."""

    exit_code = 6


class InternalError(TranslateError):
    """A bug met while handling one file: the batch goes on, the traceback is logged."""

    exit_code = 70  # EX_SOFTWARE


class ScoreError(TranslateError):
    """Hypothesis and reference that cannot be scored together."""

    exit_code = 7
