"""The engine protocol: what every translation engine offers the pipeline."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class TokenAlignment:
    """Soft alignment between the tokens of a source and of its translation.

    ``weights[t][s]`` is how much target token ``t`` attends to source token
    ``s`` (a row sums to about 1).  Spans are character offsets into the plain
    source text and the returned target text; they let the pipeline carry
    inline codes to the target words that translate the words they wrapped.
    """

    source_spans: list[tuple[int, int]]
    target_spans: list[tuple[int, int]]
    weights: list[list[float]]


@dataclass
class Translation:
    """One engine output, with what the engine knows about it.

    ``score`` is the model's average log-probability per target token of the
    final output: the mean of ``log p(y_t | y_<t, source)`` over the output's
    tokens and the end-of-sentence token after them when the model wrote one
    (an output cut at the length limit has none: an EOS forced there says
    nothing about the model).  It comes from the sums the search itself ranked
    outputs by (CTranslate2 ``return_scores``; our beam search for marian), so
    it costs nothing, and equals a teacher-forced pass over the returned
    tokens (tested); outputs re-decoded after a forced glossary prefix are
    scored by such a pass (CTranslate2 ``score_batch``).  So it is the same
    number whichever search produced the output and comparable between the
    two engines (see :mod:`translate.engines.marian` for ``<pad>``).
    ``None`` where no model produced the text (copy, pseudo, an empty input,
    a translation memory match, a marian model decoded by ``generate``).

    ``truncated`` says that the output reached the engine's length limit
    (``max_length`` tokens, end-of-sentence included) before the model ended
    the sentence: the text is cut.
    """

    text: str
    alignment: TokenAlignment | None = None
    tokens: list[str] = field(default_factory=list)  # target pieces, for audits
    score: float | None = None
    truncated: bool = False


def confidence_of(score: float | None) -> float | None:
    """A score as a 0-1 confidence: the geometric mean of the output tokens' probabilities.

    What exchange files (XLIFF ``matchQuality``) and the service show; ``None`` stays ``None``.
    """
    return None if score is None else math.exp(score)


@dataclass(frozen=True)
class TermConstraint:
    """A target term that must appear in the translation: any one of ``forms``.

    Two occurrences of a term in the source are two constraints, so the term
    must appear twice.
    """

    forms: tuple[str, ...]
    source: str = ""  # the source term, for messages and audits


#: Segments the pipeline sends per translate call unless an engine says otherwise.
DEFAULT_CHUNK_SIZE = 64

#: ``progress(indices)``: an engine calls it as each batch is done, with the indices (into
#: ``texts``) that batch finished.  Progress then moves every few seconds, not per call; and
#: a run that was asked to stop raises from it, so no new batch starts.  An engine that waits
#: for batches running elsewhere (ct2's threads) may call it with no indices while it waits,
#: so a stop does not wait for them.
BatchDone = Callable[[Sequence[int]], None]


class Engine(Protocol):
    """Everything the pipeline and the CLI use of an engine; every engine has all of it."""

    #: registry name ("marian", "copy", ...)
    name: str
    #: True when the engine takes coded text and returns it with every code
    #: character in place (copy, pseudo).  Model engines get plain text and
    #: an alignment instead.
    keeps_codes: bool
    #: False for engines whose output is not a translation (copy, pseudo): the
    #: CLI says so, and no model is loaded.
    translates: bool
    #: Whether numbers, dates and money are localized (and checked) in the
    #: output: all but ``copy``, whose output must reproduce every input byte.
    localizes: bool
    #: Segments per :meth:`translate` call that keep the engine busy (progress
    #: is shown between calls; ct2 asks for enough to fill its translators).
    chunk_size: int

    def load(self) -> None:
        """Get ready to translate (load the model) once; a failure is one ModelError."""

    def signature(self) -> str:
        """Everything that changes the output: engine, model id/revision, beam..."""

    def translate(self, texts: list[str], align: list[bool] | None = None,
                  constraints: list[list[TermConstraint]] | None = None,
                  progress: BatchDone | None = None) -> list[Translation]:
        """Translate a batch; ``align[i]`` asks for an alignment of text ``i``.

        ``constraints[i]`` lists the terms translation ``i`` must contain.  An
        engine that cannot honour them (copy, pseudo) ignores them; the audit
        then shows them as missing.  ``progress`` (:data:`BatchDone`) hears of
        every index once, as its batch completes; an exception it raises ends
        the call (the run was interrupted).
        """


def options_of(factory: Callable[..., Any]) -> tuple[str, ...]:
    """The options an engine class (or factory) takes: its keyword parameters, declared once."""
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return tuple(p.name for p in inspect.signature(factory).parameters.values() if p.kind in kinds)
