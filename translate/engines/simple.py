"""Engines that do not translate: for checking formats and for users' dry runs.

``copy`` returns the source unchanged; ``pseudo`` returns a pseudo-translation
as localization engineers use it (accented letters, brackets, ~30% longer), so
that untranslated text, truncation and broken markup show up without a model.
Neither pretends to be a translation: their signatures name them, and the CLI
says so when they run.
"""

from __future__ import annotations

import math

from ..document import is_code_char
from .base import DEFAULT_CHUNK_SIZE, BatchDone, TermConstraint, Translation

_ACCENTS = str.maketrans(
    "AaCcDdEeGgHhIiJjKkLlNnOoRrSsTtUuWwYyZz",
    "ÅåÇçÐðÉéĜĝĤĥÎîĴĵĶķĻļÑñÖöŔŕŠšŢţÛûŴŵÝýŽž",
)
#: Pseudo-translations grow by this fraction, like English → German text does.
EXPANSION = 0.3


class CopyEngine:
    """Target = source: an identity run that must reproduce every input byte."""

    name = "copy"
    keeps_codes = True
    translates = False
    localizes = False  # ``2,5`` stays ``2,5``: every input byte comes back
    chunk_size = DEFAULT_CHUNK_SIZE

    def load(self) -> None:
        """Nothing to load."""

    def signature(self) -> str:
        return "engine=copy|not-a-translation"

    def translate(self, texts: list[str], align: list[bool] | None = None,
                  constraints: list[list[TermConstraint]] | None = None,
                  progress: BatchDone | None = None) -> list[Translation]:
        return _reported([Translation(text) for text in texts], progress)


class PseudoEngine:
    """Pseudo-translation: ``Harga naik`` → ``[Ĥåŕĝå ñåîķ ~~~]``; codes stay in place.

    It localizes: its output shows which quantities were protected, rendered in
    English among the accented words, which is what a pipeline check wants to see.
    """

    name = "pseudo"
    keeps_codes = True
    translates = False
    localizes = True
    chunk_size = DEFAULT_CHUNK_SIZE

    def load(self) -> None:
        """Nothing to load."""

    def signature(self) -> str:
        return f"engine=pseudo|expansion={EXPANSION}|not-a-translation"

    def translate(self, texts: list[str], align: list[bool] | None = None,
                  constraints: list[list[TermConstraint]] | None = None,
                  progress: BatchDone | None = None) -> list[Translation]:
        return _reported([Translation(pseudo_translate(text)) for text in texts], progress)


def _reported(translations: list[Translation], progress: BatchDone | None) -> list[Translation]:
    """All of a call is one batch: instant, so its progress is reported when it is done."""
    if progress is not None:
        progress(range(len(translations)))
    return translations


def pseudo_translate(text: str) -> str:
    if not text.strip():
        return text
    accented = "".join(c if is_code_char(c) else c.translate(_ACCENTS) for c in text)
    visible = sum(1 for c in text if not is_code_char(c))
    padding = "~" * max(1, math.ceil(visible * EXPANSION) - 3)
    return f"[{accented} {padding}]"
